/*
 * wire_status.c - protobuf encoding of social care statuses and lookups
 * (see wire_status.h).
 *
 * Owns the conversion between the generated types and status.h /
 * lookup.h (the view of a ChildStatus in a Concern frame is wire.c's, as
 * the frame is). Does not validate (status.c, lookup.c) or do I/O.
 */
#include "wire_status.h"

#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "wire_int.h"

/* Point a ChildStatus message at s's strings (borrowed while packing). */
static void status_to_pb(Ffc__V1__ChildStatus *pb, Ffc__V1__ChildIdentity *child,
                         const struct child_status *s)
{
	ffc__v1__child_status__init(pb);
	pb->status_id = wire_unconst(s->status_id);
	pb->source_system = wire_unconst(s->source_system);
	wire_identity_to_pb(child, &s->child);
	pb->child = child;
	pb->kind = (Ffc__V1__StatusKind)s->kind;
	pb->category = (Ffc__V1__PlanCategory)s->category;
	pb->legal_status = (Ffc__V1__LegalStatus)s->legal_status;
	pb->start_date = wire_unconst(s->start_date);
	pb->end_date = wire_unconst(s->end_date);
	pb->local_authority = wire_unconst(s->local_authority);
	pb->social_worker = wire_unconst(s->social_worker);
	pb->social_worker_role = wire_unconst(s->social_worker_role);
	pb->social_worker_contact = wire_unconst(s->social_worker_contact);
	pb->recorded_at_ms = s->recorded_at_ms;
}

int wire_stored_status_pack(const struct stored_status *r, uint8_t **out, size_t *len)
{
	Ffc__Store__StoredChildStatus pb = FFC__STORE__STORED_CHILD_STATUS__INIT;
	Ffc__V1__ChildStatus status;
	Ffc__V1__ChildIdentity child;
	status_to_pb(&status, &child, &r->s);
	pb.seq = r->seq;
	pb.received_at_ms = r->received_at_ms;
	pb.child_id = r->child;
	pb.status = &status;
	pb.prev_seq = r->prev_seq;
	pb.superseded_by = r->superseded_by;
	return wire_pack_message(&pb.base, out, len);
}

int wire_stored_status_decode(const void *buf, size_t len, struct stored_status *out)
{
	memset(out, 0, sizeof *out);
	Ffc__Store__StoredChildStatus *pb = ffc__store__stored_child_status__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	if (!pb->status) {
		ffc__store__stored_child_status__free_unpacked(pb, NULL);
		return -1;
	}
	out->seq = pb->seq;
	out->received_at_ms = pb->received_at_ms;
	out->child = pb->child_id;
	out->prev_seq = pb->prev_seq;
	out->superseded_by = pb->superseded_by;
	wire_status_from_pb(&out->s, pb->status);
	out->pb = pb;
	return 0;
}

void wire_stored_status_release(struct stored_status *r)
{
	if (r->pb)
		ffc__store__stored_child_status__free_unpacked(r->pb, NULL);
	memset(r, 0, sizeof *r);
}

int wire_access_pack(const struct access_record *a, uint8_t **out, size_t *len)
{
	Ffc__V1__AccessRecord pb = FFC__V1__ACCESS_RECORD__INIT;
	char child[WIRE_ID_MAX];
	wire_child_id(a->child, child);
	pb.at_ms = a->at_ms;
	pb.by = wire_unconst(a->by);
	pb.setting = wire_unconst(a->setting);
	pb.purpose = wire_unconst(a->purpose);
	pb.asked_by = wire_unconst(a->asked_by);
	pb.child_id = child;
	return wire_pack_message(&pb.base, out, len);
}

int wire_access_decode(const void *buf, size_t len, struct access_record *out)
{
	memset(out, 0, sizeof *out);
	Ffc__V1__AccessRecord *pb = ffc__v1__access_record__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	int rc = wire_child_id_parse(pb->child_id, &out->child);
	out->at_ms = pb->at_ms;
	wire_copy_str(out->by, sizeof out->by, pb->by);
	wire_copy_str(out->setting, sizeof out->setting, pb->setting);
	wire_copy_str(out->purpose, sizeof out->purpose, pb->purpose);
	wire_copy_str(out->asked_by, sizeof out->asked_by, pb->asked_by);
	ffc__v1__access_record__free_unpacked(pb, NULL);
	if (rc < 0)
		memset(out, 0, sizeof *out);
	return rc;
}

int wire_access_notice_pack(const struct access_record *a, uint8_t **out, size_t *len)
{
	Ffc__V1__AccessNotice pb = FFC__V1__ACCESS_NOTICE__INIT;
	char child[WIRE_ID_MAX];
	wire_child_id(a->child, child);
	pb.child_id = child;
	pb.setting = wire_unconst(a->setting);
	pb.at_ms = a->at_ms;
	pb.by = wire_unconst(a->by);
	return wire_pack_message(&pb.base, out, len);
}
