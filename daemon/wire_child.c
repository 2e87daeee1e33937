/*
 * wire_child.c - protobuf encoding of the store's records about children:
 * the child record (ffc.store.Child), identity events, audit entries and
 * possible matches (ffc.store.StoredMatch).
 *
 * Owns the conversion only, as wire.c does for concerns; no I/O, no
 * decisions.
 */
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "wire_int.h"

/* ---- children ---- */

int wire_child_pack(const struct child_record *ch, uint8_t **out, size_t *len)
{
	Ffc__Store__Child pb = FFC__STORE__CHILD__INIT;
	pb.id = ch->id;
	pb.created_at_ms = ch->created_at_ms;
	pb.merged_into = ch->merged_into;
	Ffc__Store__SeenIdentity *seen = calloc(ch->n_ids ? ch->n_ids : 1, sizeof *seen);
	Ffc__Store__SeenIdentity **seen_ptrs = calloc(ch->n_ids ? ch->n_ids : 1, sizeof *seen_ptrs);
	Ffc__V1__ChildIdentity *ids = calloc(ch->n_ids ? ch->n_ids : 1, sizeof *ids);
	int rc = -1;
	if (!seen || !seen_ptrs || !ids)
		goto out;
	for (size_t i = 0; i < ch->n_ids; i++) {
		const struct seen_identity *si = &ch->ids[i];
		ffc__store__seen_identity__init(&seen[i]);
		wire_identity_to_pb(&ids[i], &si->id);
		seen[i].agency = (Ffc__V1__Agency)si->agency;
		seen[i].identity = &ids[i];
		seen[i].first_seen_ms = si->first_seen_ms;
		seen[i].last_seen_ms = si->last_seen_ms;
		seen[i].first_seq = si->first_seq;
		seen_ptrs[i] = &seen[i];
	}
	pb.n_identities = ch->n_ids;
	pb.identities = seen_ptrs;
	pb.n_aliases = ch->n_aliases;
	pb.aliases = ch->aliases;
	pb.n_kept_apart = ch->n_apart;
	pb.kept_apart = ch->apart;
	rc = wire_pack_message(&pb.base, out, len);
out:
	free(seen);
	free(seen_ptrs);
	free(ids);
	return rc;
}

int wire_child_decode(const void *buf, size_t len, struct child_record *out)
{
	memset(out, 0, sizeof *out);
	Ffc__Store__Child *pb = ffc__store__child__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	out->id = pb->id;
	out->created_at_ms = pb->created_at_ms;
	out->merged_into = pb->merged_into;
	out->pb = pb;
	for (size_t i = 0; i < pb->n_identities; i++) {
		const Ffc__Store__SeenIdentity *s = pb->identities[i];
		struct seen_identity si = {
		    .agency = (int)s->agency,
		    .first_seen_ms = s->first_seen_ms,
		    .last_seen_ms = s->last_seen_ms,
		    .first_seq = s->first_seq,
		};
		wire_identity_from_pb(&si.id, s->identity);
		if (wire_child_add_identity(out, &si) < 0) {
			wire_child_release(out);
			return -1;
		}
	}
	for (size_t i = 0; i < pb->n_aliases; i++)
		if (wire_id_list_add(&out->aliases, &out->n_aliases, pb->aliases[i]) < 0) {
			wire_child_release(out);
			return -1;
		}
	for (size_t i = 0; i < pb->n_kept_apart; i++)
		if (wire_id_list_add(&out->apart, &out->n_apart, pb->kept_apart[i]) < 0) {
			wire_child_release(out);
			return -1;
		}
	return 0;
}

void wire_child_release(struct child_record *ch)
{
	if (!ch)
		return;
	free(ch->ids);
	free(ch->aliases);
	free(ch->apart);
	if (ch->pb)
		ffc__store__child__free_unpacked(ch->pb, NULL);
	memset(ch, 0, sizeof *ch);
}

/* ---- identity events ---- */

int wire_identity_event_pack(const struct identity_event *e, uint8_t **out, size_t *len)
{
	Ffc__V1__IdentityEvent pb = FFC__V1__IDENTITY_EVENT__INIT;
	char child[WIRE_ID_MAX], other[WIRE_ID_MAX];
	wire_child_id(e->child, child);
	wire_child_id(e->other, other);
	pb.seq = e->seq;
	pb.at_ms = e->at_ms;
	pb.kind = (Ffc__V1__IdentityEvent__Kind)e->kind;
	pb.child_id = child;
	pb.other_child_id = e->other ? other : wire_unconst("");
	pb.by = wire_unconst(e->by);
	pb.reason = wire_unconst(e->reason);
	pb.identity = wire_unconst(e->identity);
	pb.concern_seq = e->concern_seq;
	return wire_pack_message(&pb.base, out, len);
}

int wire_identity_event_decode(const void *buf, size_t len, struct identity_event *out)
{
	memset(out, 0, sizeof *out);
	Ffc__V1__IdentityEvent *pb = ffc__v1__identity_event__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	int rc = wire_child_id_parse(pb->child_id, &out->child);
	if (rc == 0 && pb->other_child_id[0])
		rc = wire_child_id_parse(pb->other_child_id, &out->other);
	out->seq = pb->seq;
	out->at_ms = pb->at_ms;
	out->kind = (enum identity_event_kind)pb->kind;
	wire_copy_str(out->by, sizeof out->by, pb->by);
	wire_copy_str(out->reason, sizeof out->reason, pb->reason);
	wire_copy_str(out->identity, sizeof out->identity, pb->identity);
	out->concern_seq = pb->concern_seq;
	ffc__v1__identity_event__free_unpacked(pb, NULL);
	return rc;
}

/* ---- the audit trail ---- */

int wire_audit_pack(const struct audit_entry *e, uint8_t **out, size_t *len)
{
	Ffc__V1__AuditEntry pb = FFC__V1__AUDIT_ENTRY__INIT;
	char child[WIRE_ID_MAX];
	wire_child_id(e->child, child);
	pb.seq = e->seq;
	pb.at_ms = e->at_ms;
	pb.by = wire_unconst(e->by);
	pb.role = wire_unconst(e->role);
	pb.command = wire_unconst(e->command);
	pb.child_id = e->child ? child : wire_unconst("");
	pb.purpose = wire_unconst(e->purpose);
	pb.refused = e->refused != 0;
	pb.detail = wire_unconst(e->detail);
	pb.count = e->count;
	pb.setting = wire_unconst(e->setting);
	pb.via = wire_unconst(e->via);
	return wire_pack_message(&pb.base, out, len);
}

int wire_audit_decode(const void *buf, size_t len, struct audit_entry *out)
{
	memset(out, 0, sizeof *out);
	Ffc__V1__AuditEntry *pb = ffc__v1__audit_entry__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	int rc = pb->child_id[0] ? wire_child_id_parse(pb->child_id, &out->child) : 0;
	out->seq = pb->seq;
	out->at_ms = pb->at_ms;
	wire_copy_str(out->by, sizeof out->by, pb->by);
	wire_copy_str(out->role, sizeof out->role, pb->role);
	wire_copy_str(out->command, sizeof out->command, pb->command);
	wire_copy_str(out->purpose, sizeof out->purpose, pb->purpose);
	out->refused = pb->refused;
	out->count = pb->count;
	wire_copy_str(out->detail, sizeof out->detail, pb->detail);
	wire_copy_str(out->setting, sizeof out->setting, pb->setting);
	wire_copy_str(out->via, sizeof out->via, pb->via);
	ffc__v1__audit_entry__free_unpacked(pb, NULL);
	return rc;
}

/* ---- possible matches ---- */

int wire_match_pack(uint64_t child, const struct child_identity *identity, uint64_t other,
                    const struct child_identity *other_identity, int kind, const char *reason,
                    uint64_t concern_seq, int64_t found_at_ms, uint8_t **out, size_t *len)
{
	char child_id[WIRE_ID_MAX], other_id[WIRE_ID_MAX];
	wire_child_id(child, child_id);
	wire_child_id(other, other_id);
	static const struct child_identity none = {"", "", "", "", "", "", ""};
	Ffc__V1__ChildIdentity a, b;
	wire_identity_to_pb(&a, identity ? identity : &none);
	wire_identity_to_pb(&b, other_identity ? other_identity : &none);

	Ffc__V1__PossibleMatch m = FFC__V1__POSSIBLE_MATCH__INIT;
	m.kind = (Ffc__V1__PossibleMatch__Kind)kind;
	m.child_id = child_id;
	m.other_child_id = other_id;
	m.identity = &a;
	m.other_identity = &b;
	m.reason = wire_unconst(reason);
	m.found_at_ms = found_at_ms;
	m.concern_seq = concern_seq;
	Ffc__Store__StoredMatch sm = FFC__STORE__STORED_MATCH__INIT;
	sm.child = child;
	sm.other = other;
	sm.match = &m;
	return wire_pack_message(&sm.base, out, len);
}
