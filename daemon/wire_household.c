/*
 * wire_household.c - protobuf encoding of households: the store's record
 * (ffc.store.StoredHousehold) and household events (ffc.v1.HouseholdEvent).
 *
 * Owns the conversion only, as wire_child.c does for children; no I/O,
 * no decisions.
 */
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "wire_int.h"

void household_record_release(struct household_record *h)
{
	free(h->aliases);
	memset(h, 0, sizeof *h);
}

int wire_household_pack(const struct household_record *h, uint8_t **out, size_t *len)
{
	Ffc__Store__StoredHousehold pb = FFC__STORE__STORED_HOUSEHOLD__INIT;
	pb.id = h->id;
	pb.created_at_ms = h->created_at_ms;
	pb.merged_into = h->merged_into;
	pb.n_members = h->n_members < HOUSEHOLD_MEMBERS_MAX ? h->n_members : HOUSEHOLD_MEMBERS_MAX;
	pb.members = (uint64_t *)(uintptr_t)h->members;
	pb.n_aliases = h->n_aliases;
	pb.aliases = h->aliases;
	return wire_pack_message(&pb.base, out, len);
}

int wire_household_decode(const void *buf, size_t len, struct household_record *out)
{
	memset(out, 0, sizeof *out);
	Ffc__Store__StoredHousehold *pb = ffc__store__stored_household__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	int rc = pb->n_members <= HOUSEHOLD_MEMBERS_MAX ? 0 : -1;
	if (rc == 0 && pb->n_aliases) {
		out->aliases = malloc(pb->n_aliases * sizeof *out->aliases);
		if (out->aliases) {
			memcpy(out->aliases, pb->aliases, pb->n_aliases * sizeof *out->aliases);
			out->n_aliases = pb->n_aliases;
		} else {
			rc = -1;
		}
	}
	if (rc == 0) {
		out->id = pb->id;
		out->created_at_ms = pb->created_at_ms;
		out->merged_into = pb->merged_into;
		out->n_members = pb->n_members;
		if (pb->n_members)
			memcpy(out->members, pb->members, pb->n_members * sizeof out->members[0]);
	}
	ffc__store__stored_household__free_unpacked(pb, NULL);
	if (rc < 0)
		household_record_release(out);
	return rc;
}

int wire_household_event_pack(const struct household_event *e, uint8_t **out, size_t *len)
{
	Ffc__V1__HouseholdEvent pb = FFC__V1__HOUSEHOLD_EVENT__INIT;
	char hh[WIRE_ID_MAX], other_hh[WIRE_ID_MAX], child[WIRE_ID_MAX], other[WIRE_ID_MAX];
	wire_household_id(e->household, hh);
	wire_household_id(e->other_household, other_hh);
	wire_child_id(e->child, child);
	wire_child_id(e->other, other);
	pb.seq = e->seq;
	pb.at_ms = e->at_ms;
	pb.kind = (Ffc__V1__HouseholdEvent__Kind)e->kind;
	pb.household_id = e->household ? hh : wire_unconst("");
	pb.other_household_id = e->other_household ? other_hh : wire_unconst("");
	pb.child_id = e->child ? child : wire_unconst("");
	pb.other_child_id = e->other ? other : wire_unconst("");
	pb.by = wire_unconst(e->by);
	pb.reason = wire_unconst(e->reason);
	pb.concern_seq = e->concern_seq;
	return wire_pack_message(&pb.base, out, len);
}

int wire_household_event_decode(const void *buf, size_t len, struct household_event *out)
{
	memset(out, 0, sizeof *out);
	Ffc__V1__HouseholdEvent *pb = ffc__v1__household_event__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	int rc = 0;
	if (pb->household_id[0] && wire_household_id_parse(pb->household_id, &out->household) < 0)
		rc = -1;
	if (pb->other_household_id[0] &&
	    wire_household_id_parse(pb->other_household_id, &out->other_household) < 0)
		rc = -1;
	if (pb->child_id[0] && wire_child_id_parse(pb->child_id, &out->child) < 0)
		rc = -1;
	if (pb->other_child_id[0] && wire_child_id_parse(pb->other_child_id, &out->other) < 0)
		rc = -1;
	out->seq = pb->seq;
	out->at_ms = pb->at_ms;
	out->kind = (enum household_event_kind)pb->kind;
	wire_copy_str(out->by, sizeof out->by, pb->by);
	wire_copy_str(out->reason, sizeof out->reason, pb->reason);
	out->concern_seq = pb->concern_seq;
	ffc__v1__household_event__free_unpacked(pb, NULL);
	return rc;
}
