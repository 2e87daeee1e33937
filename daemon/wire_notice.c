/*
 * wire_notice.c - protobuf encoding of notices, feedback and contacts
 * (see wire_notice.h). One of the wire_*.c files that use the generated
 * protobuf-c types (wire_int.h).
 *
 * Owns the conversion only; what a notice or feedback holds is decided by
 * notice.c and feedback.c.
 */
#include "wire_notice.h"

#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "wire_int.h"

int wire_notice_pack(const struct school_notice *n, int with_child, uint8_t **out, size_t *len)
{
	Ffc__V1__SchoolNotice pb = FFC__V1__SCHOOL_NOTICE__INIT;
	char id[WIRE_ID_MAX], child[WIRE_ID_MAX];
	wire_notice_id(n->seq, id);
	wire_child_id(n->child, child);
	pb.seq = n->seq;
	pb.notice_id = id;
	pb.urn = wire_unconst(n->urn);
	pb.school_name = wire_unconst(n->school_name);
	pb.given_name = wire_unconst(n->given_name);
	pb.family_name = wire_unconst(n->family_name);
	pb.date_of_birth = wire_unconst(n->date_of_birth);
	pb.incident_at_ms = n->incident_at_ms;
	pb.child_present = n->child_present != 0;
	pb.police_reference = wire_unconst(n->police_reference);
	pb.raised_at_ms = n->raised_at_ms;
	pb.due_at_ms = n->due_at_ms;
	pb.remind_at_ms = n->remind_at_ms;
	pb.acknowledged_by = wire_unconst(n->acknowledged_by);
	pb.acknowledged_at_ms = n->acknowledged_at_ms;
	pb.reminded_at_ms = n->reminded_at_ms;
	pb.withdrawn_at_ms = n->withdrawn_at_ms;
	pb.front_door = (Ffc__V1__FrontDoorReason)n->front_door;
	pb.child_id = with_child && n->child ? child : wire_unconst("");
	return wire_pack_message(&pb.base, out, len);
}

int wire_notice_decode(const void *buf, size_t len, struct school_notice *out)
{
	memset(out, 0, sizeof *out);
	Ffc__V1__SchoolNotice *pb = ffc__v1__school_notice__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	out->seq = pb->seq;
	wire_copy_str(out->urn, sizeof out->urn, pb->urn);
	wire_copy_str(out->school_name, sizeof out->school_name, pb->school_name);
	wire_copy_str(out->given_name, sizeof out->given_name, pb->given_name);
	wire_copy_str(out->family_name, sizeof out->family_name, pb->family_name);
	wire_copy_str(out->date_of_birth, sizeof out->date_of_birth, pb->date_of_birth);
	out->incident_at_ms = pb->incident_at_ms;
	out->child_present = pb->child_present;
	wire_copy_str(out->police_reference, sizeof out->police_reference, pb->police_reference);
	out->raised_at_ms = pb->raised_at_ms;
	out->due_at_ms = pb->due_at_ms;
	out->remind_at_ms = pb->remind_at_ms;
	wire_copy_str(out->acknowledged_by, sizeof out->acknowledged_by, pb->acknowledged_by);
	out->acknowledged_at_ms = pb->acknowledged_at_ms;
	out->reminded_at_ms = pb->reminded_at_ms;
	out->withdrawn_at_ms = pb->withdrawn_at_ms;
	out->front_door = (int)pb->front_door >= FRONT_DOOR_NONE &&
	                          (int)pb->front_door <= FRONT_DOOR_NOT_CONFIGURED
	                      ? (enum front_door)pb->front_door
	                      : FRONT_DOOR_NO_SCHOOL;
	int rc = pb->child_id[0] ? wire_child_id_parse(pb->child_id, &out->child) : 0;
	ffc__v1__school_notice__free_unpacked(pb, NULL);
	return rc;
}

int wire_feedback_pack(const struct feedback *f, uint8_t **out, size_t *len)
{
	Ffc__V1__Feedback pb = FFC__V1__FEEDBACK__INIT;
	char id[WIRE_ID_MAX];
	char *ids[RULE_EVIDENCE_MAX];
	size_t n = f->n_concerns < RULE_EVIDENCE_MAX ? f->n_concerns : RULE_EVIDENCE_MAX;
	wire_feedback_id(f->seq, id);
	for (size_t i = 0; i < n; i++)
		ids[i] = wire_unconst(f->concern_ids[i]);
	pb.seq = f->seq;
	pb.feedback_id = id;
	pb.agency = (Ffc__V1__Agency)f->agency;
	pb.n_concern_ids = n;
	pb.concern_ids = ids;
	pb.alert_id = wire_unconst(f->alert_id);
	pb.outcome = wire_unconst(f->outcome);
	pb.closed_at_ms = f->closed_at_ms;
	pb.lead_practitioner = wire_unconst(f->lead_practitioner);
	pb.lead_contact = wire_unconst(f->lead_contact);
	return wire_pack_message(&pb.base, out, len);
}

int wire_feedback_head(const void *buf, size_t len, int *agency, int64_t *closed_at_ms)
{
	Ffc__V1__Feedback *pb = ffc__v1__feedback__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	*agency = (int)pb->agency;
	*closed_at_ms = pb->closed_at_ms;
	ffc__v1__feedback__free_unpacked(pb, NULL);
	return 0;
}

int wire_contact_pack(const char *practitioner, const char *contact, const char *by, int64_t at_ms,
                      uint8_t **out, size_t *len)
{
	Ffc__V1__ContactReply pb = FFC__V1__CONTACT_REPLY__INIT;
	pb.practitioner = wire_unconst(practitioner);
	pb.contact = wire_unconst(contact);
	pb.by = wire_unconst(by);
	pb.at_ms = at_ms;
	return wire_pack_message(&pb.base, out, len);
}

int wire_contact_decode(const void *buf, size_t len, char *contact, size_t size)
{
	Ffc__V1__ContactReply *pb = ffc__v1__contact_reply__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	wire_copy_str(contact, size, pb->contact);
	ffc__v1__contact_reply__free_unpacked(pb, NULL);
	return 0;
}
