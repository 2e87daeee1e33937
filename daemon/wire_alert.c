/*
 * wire_alert.c - protobuf encoding of alerts: the Alert published to
 * consoles (in its broadcast form), the stored alert, the changes made
 * while an alert is worked, a child's practitioner assignment, and the
 * alerts socket's heartbeat.
 *
 * Owns the conversion, and what the broadcast form leaves out; no I/O, no
 * decisions (lifecycle.c, judge.c).
 */
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "wire_int.h"

/* ---- alerts ---- */

/* The child ids of one evidence reference while it is packed. */
struct ref_ids {
	char text[ALERT_EVIDENCE_CHILDREN][WIRE_ID_MAX];
	char *ptrs[ALERT_EVIDENCE_CHILDREN];
};

/* Everything an Alert message points at while it is packed. */
struct alert_pb {
	Ffc__V1__Alert alert;
	Ffc__V1__ChildIdentity child;
	struct alert_child display; /* a copy the broadcast form may cut */
	Ffc__V1__ConcernRef refs[RULE_EVIDENCE_MAX];
	Ffc__V1__ConcernRef *ref_ptrs[RULE_EVIDENCE_MAX];
	struct ref_ids ids[RULE_EVIDENCE_MAX];
	char household[WIRE_ID_MAX];
};

/* A ConcernRef for evidence e (its child ids written into ids). */
static void ref_to_pb(Ffc__V1__ConcernRef *r, const struct alert_evidence *e, struct ref_ids *ids)
{
	ffc__v1__concern_ref__init(r);
	r->agency = (Ffc__V1__Agency)e->agency;
	r->concern_id = wire_unconst(e->concern_id);
	r->category = (Ffc__V1__Category)e->category;
	r->severity = (Ffc__V1__Severity)e->severity;
	r->occurred_at_ms = e->occurred_at_ms;
	size_t n =
	    e->n_children < ALERT_EVIDENCE_CHILDREN ? e->n_children : ALERT_EVIDENCE_CHILDREN;
	for (size_t k = 0; k < n; k++) {
		wire_child_id(e->children[k], ids->text[k]);
		ids->ptrs[k] = ids->text[k];
	}
	r->n_child_ids = n;
	r->child_ids = ids->ptrs;
}

/* The evidence of a ConcernRef (its child ids parsed; one that does not
 * parse is left out). */
static void ref_from_pb(struct alert_evidence *e, const Ffc__V1__ConcernRef *r)
{
	memset(e, 0, sizeof *e);
	wire_copy_str(e->concern_id, sizeof e->concern_id, r->concern_id);
	e->agency = (int)r->agency;
	e->category = (int)r->category;
	e->severity = (int)r->severity;
	e->occurred_at_ms = r->occurred_at_ms;
	for (size_t k = 0; k < r->n_child_ids && e->n_children < ALERT_EVIDENCE_CHILDREN; k++)
		if (wire_child_id_parse(r->child_ids[k], &e->children[e->n_children]) == 0)
			e->n_children++;
}

static void alert_to_pb(struct alert_pb *p, const struct alert *a)
{
	Ffc__V1__Alert *pb = &p->alert;
	ffc__v1__alert__init(pb);
	pb->seq = a->seq;
	pb->alert_id = wire_unconst(a->alert_id);
	pb->child_id = wire_unconst(a->child_id);
	pb->level = (Ffc__V1__Level)a->level;
	pb->rule = wire_unconst(a->rule);
	pb->reason = wire_unconst(a->reason);
	pb->raised_at_ms = a->raised_at_ms;
	pb->supersedes = wire_unconst(a->supersedes);
	pb->lead_practitioner = wire_unconst(a->lead_practitioner);
	pb->state = (Ffc__V1__AlertState)wire_alert_view(a);
	pb->acknowledged_by = wire_unconst(a->acknowledged_by);
	pb->acknowledged_at_ms = a->acknowledged_at_ms;
	pb->closed_by = wire_unconst(a->closed_by);
	pb->closed_at_ms = a->closed_at_ms;
	pb->outcome = wire_unconst(a->outcome);
	pb->due_at_ms = a->due_at_ms;
	pb->overdue_at_ms = a->overdue_at_ms;
	pb->reopened_at_ms = a->reopened_at_ms;
	if (a->household)
		wire_household_id(a->household, p->household);
	else
		p->household[0] = '\0';
	pb->household_id = p->household;
	pb->scope = wire_unconst(a->household_scope ? "household" : "");
	size_t n = a->n_evidence < RULE_EVIDENCE_MAX ? a->n_evidence : RULE_EVIDENCE_MAX;
	for (size_t i = 0; i < n; i++) {
		ref_to_pb(&p->refs[i], &a->evidence[i], &p->ids[i]);
		p->ref_ptrs[i] = &p->refs[i];
	}
	pb->n_evidence = n;
	pb->evidence = p->ref_ptrs;
	p->display = a->display;
	struct alert_child *d = &p->display;
	struct child_identity id = {d->nhs_number,  d->upn,           d->local_id, d->given_name,
	                            d->family_name, d->date_of_birth, d->postcode};
	wire_identity_to_pb(&p->child, &id);
	pb->child = &p->child;
}

/* Empty a string of a message in place: its owner (an unpacked message,
 * or a copy made for packing) stays the same, and protobuf-c leaves an
 * empty proto3 string out of the bytes. protobuf-c's shared empty string
 * is read-only, hence the test before writing. */
static void cut(char *s)
{
	if (s && s[0])
		s[0] = '\0';
}

void wire_alert_broadcast(Ffc__V1__Alert *pb)
{
	/* A console triages by name, date of birth and child_id; the
	 * identifiers that find the child in other systems (NHS number, UPN,
	 * the agency's own id) and where the child lives are read from the
	 * child's record on the control socket. */
	Ffc__V1__ChildIdentity *c = pb->child;
	if (c) {
		cut(c->nhs_number);
		cut(c->upn);
		cut(c->local_id);
		cut(c->postcode);
	}
}

int wire_alert_pack(const struct alert *a, uint8_t **out, size_t *len)
{
	struct alert_pb *p = malloc(sizeof *p);
	if (!p)
		return -1;
	alert_to_pb(p, a);
	wire_alert_broadcast(&p->alert);
	int rc = wire_pack_message(&p->alert.base, out, len);
	free(p);
	return rc;
}

int wire_stored_alert_pack(const struct alert *a, uint8_t **out, size_t *len)
{
	struct alert_pb *p = malloc(sizeof *p);
	if (!p)
		return -1;
	alert_to_pb(p, a);
	Ffc__Store__StoredAlert pb = FFC__STORE__STORED_ALERT__INIT;
	pb.alert = &p->alert;
	pb.state = (Ffc__Store__AlertState)a->state;
	pb.child = a->child;
	pb.superseded_by = wire_unconst(a->superseded_by);
	/* The deadline follows the response times in force, so it is not
	 * kept. */
	p->alert.due_at_ms = 0;
	int rc = wire_pack_message(&pb.base, out, len);
	free(p);
	return rc;
}

/* ffc.store.StoredAlert's alert, and ffc.v1.Alert's level. */
#define STORED_ALERT_ALERT_FIELD 1
#define STORED_ALERT_STATE_FIELD 2
#define STORED_ALERT_CHILD_FIELD 3
#define ALERT_SEQ_FIELD          1
#define ALERT_ID_FIELD           2
#define ALERT_CHILD_ID_FIELD     3
#define ALERT_LEVEL_FIELD        4
#define ALERT_RULE_FIELD         5
#define ALERT_LEAD_FIELD         11
#define ALERT_ACKNOWLEDGED_FIELD 14

int wire_stored_alert_level(const void *buf, size_t len, enum level *level)
{
	const uint8_t *p = buf, *end = p + len;
	struct wire_field f, g;
	int rc, alert = 0;
	*level = LEVEL_NONE;
	/* An Alert given again is merged into the first as protobuf-c
	 * merges it, which takes the later one's level (0 when it has
	 * none). */
	while ((rc = wire_field_next(&p, end, &f)) > 0) {
		if (f.number != STORED_ALERT_ALERT_FIELD || !f.bytes)
			continue;
		alert = 1;
		*level = LEVEL_NONE;
		const uint8_t *q = f.bytes, *qend = f.bytes + f.len;
		while ((rc = wire_field_next(&q, qend, &g)) > 0)
			if (g.number == ALERT_LEVEL_FIELD && g.varint)
				/* An enum is an int32 on the wire, as protobuf-c reads it. */
				*level = (enum level)(int32_t)(uint32_t)g.value;
		if (rc < 0)
			return -1;
	}
	return rc < 0 || !alert ? -1 : 0;
}

/* A string field read as protobuf-c reads it: cut at its size, and at a
 * NUL (which validation never lets into a stored record). */
static void field_str(char *dst, size_t size, const struct wire_field *f)
{
	size_t n = f->len < size - 1 ? f->len : size - 1;
	memcpy(dst, f->bytes, n);
	dst[n] = '\0';
}

/* The fields of an Alert the head holds. An Alert given again is merged
 * into the first as protobuf-c merges it: its numbers replace the first's
 * (0 when it has none), its strings only where it has them. */
static int head_alert(const uint8_t *q, const uint8_t *end, struct alert *out)
{
	struct wire_field g;
	int rc;
	out->seq = 0;
	out->level = LEVEL_NONE;
	out->acknowledged_at_ms = 0;
	while ((rc = wire_field_next(&q, end, &g)) > 0) {
		if (g.varint) {
			if (g.number == ALERT_SEQ_FIELD)
				out->seq = g.value;
			else if (g.number == ALERT_LEVEL_FIELD)
				out->level = (enum level)(int32_t)(uint32_t)g.value;
			else if (g.number == ALERT_ACKNOWLEDGED_FIELD)
				out->acknowledged_at_ms = (int64_t)g.value;
		} else if (g.bytes) {
			if (g.number == ALERT_ID_FIELD)
				field_str(out->alert_id, sizeof out->alert_id, &g);
			else if (g.number == ALERT_CHILD_ID_FIELD)
				field_str(out->child_id, sizeof out->child_id, &g);
			else if (g.number == ALERT_RULE_FIELD)
				field_str(out->rule, sizeof out->rule, &g);
			else if (g.number == ALERT_LEAD_FIELD)
				field_str(out->lead_practitioner, sizeof out->lead_practitioner,
				          &g);
		}
	}
	return rc;
}

int wire_stored_alert_head(const void *buf, size_t len, struct alert *out)
{
	memset(out, 0, sizeof *out);
	const uint8_t *p = buf, *end = p + len;
	struct wire_field f;
	int rc, alert = 0;
	while ((rc = wire_field_next(&p, end, &f)) > 0) {
		if (f.number == STORED_ALERT_ALERT_FIELD && f.bytes) {
			alert = 1;
			if (head_alert(f.bytes, f.bytes + f.len, out) < 0)
				return -1;
		} else if (f.number == STORED_ALERT_STATE_FIELD && f.varint) {
			out->state = (enum alert_state)(int32_t)(uint32_t)f.value;
		} else if (f.number == STORED_ALERT_CHILD_FIELD && f.varint) {
			out->child = f.value;
		}
	}
	return rc < 0 || !alert ? -1 : 0;
}

int wire_stored_alert_decode(const void *buf, size_t len, struct alert *out)
{
	memset(out, 0, sizeof *out);
	Ffc__Store__StoredAlert *pb = ffc__store__stored_alert__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	if (!pb->alert) {
		ffc__store__stored_alert__free_unpacked(pb, NULL);
		return -1;
	}
	const Ffc__V1__Alert *a = pb->alert;
	out->seq = a->seq;
	wire_copy_str(out->alert_id, sizeof out->alert_id, a->alert_id);
	out->child = pb->child;
	wire_copy_str(out->child_id, sizeof out->child_id, a->child_id);
	out->level = (enum level)a->level;
	wire_copy_str(out->rule, sizeof out->rule, a->rule);
	wire_copy_str(out->reason, sizeof out->reason, a->reason);
	out->n_evidence = a->n_evidence < RULE_EVIDENCE_MAX ? a->n_evidence : RULE_EVIDENCE_MAX;
	for (size_t i = 0; i < out->n_evidence; i++)
		ref_from_pb(&out->evidence[i], a->evidence[i]);
	if (a->household_id[0] && wire_household_id_parse(a->household_id, &out->household) < 0)
		out->household = 0;
	out->household_scope = !strcmp(a->scope, "household");
	out->raised_at_ms = a->raised_at_ms;
	if (a->child) {
		struct child_identity id;
		wire_identity_from_pb(&id, a->child);
		wire_alert_child_set(&out->display, &id);
	}
	wire_copy_str(out->supersedes, sizeof out->supersedes, a->supersedes);
	wire_copy_str(out->lead_practitioner, sizeof out->lead_practitioner, a->lead_practitioner);
	out->state = (enum alert_state)pb->state;
	wire_copy_str(out->superseded_by, sizeof out->superseded_by, pb->superseded_by);
	wire_copy_str(out->acknowledged_by, sizeof out->acknowledged_by, a->acknowledged_by);
	out->acknowledged_at_ms = a->acknowledged_at_ms;
	wire_copy_str(out->closed_by, sizeof out->closed_by, a->closed_by);
	out->closed_at_ms = a->closed_at_ms;
	wire_copy_str(out->outcome, sizeof out->outcome, a->outcome);
	out->overdue_at_ms = a->overdue_at_ms;
	out->reopened_at_ms = a->reopened_at_ms;
	ffc__store__stored_alert__free_unpacked(pb, NULL);
	return 0;
}

/* ---- working an alert ---- */

static void event_to_pb(Ffc__V1__AlertEvent *pb, const struct alert_event *e, int with_text)
{
	ffc__v1__alert_event__init(pb);
	pb->action = (Ffc__V1__AlertEvent__Action)e->action;
	pb->by = wire_unconst(e->by);
	pb->at_ms = e->at_ms;
	pb->text = wire_unconst(with_text ? e->text : "");
	pb->outcome = wire_unconst(e->outcome);
	pb->operator_ = wire_unconst(with_text ? e->operator_ : "");
}

int wire_alert_event_pack(const struct alert_event *e, uint8_t **out, size_t *len)
{
	Ffc__V1__AlertEvent pb;
	event_to_pb(&pb, e, 1);
	/* The history keeps the concern added: the alert's evidence is read
	 * back from it (store_alert_get()). */
	Ffc__V1__ConcernRef ref;
	struct ref_ids ids;
	if (e->concern.concern_id[0]) {
		ref_to_pb(&ref, &e->concern, &ids);
		pb.concern = &ref;
	}
	return wire_pack_message(&pb.base, out, len);
}

int wire_alert_event_evidence(const void *buf, size_t len, struct alert_evidence *out)
{
	Ffc__V1__AlertEvent *pb = ffc__v1__alert_event__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	int added = pb->action == FFC__V1__ALERT_EVENT__ACTION__EVIDENCE && pb->concern &&
	            pb->concern->concern_id[0];
	if (added)
		ref_from_pb(out, pb->concern);
	ffc__v1__alert_event__free_unpacked(pb, NULL);
	return added;
}

int wire_alert_change_pack(const struct alert *a, const struct alert_event *e, uint8_t **out,
                           size_t *len)
{
	Ffc__V1__AlertEvent ev;
	event_to_pb(&ev, e, 0);
	Ffc__V1__AlertChange pb = FFC__V1__ALERT_CHANGE__INIT;
	pb.seq = a->seq;
	pb.alert_id = wire_unconst(a->alert_id);
	pb.child_id = wire_unconst(a->child_id);
	pb.level = (Ffc__V1__Level)a->level;
	pb.rule = wire_unconst(a->rule);
	pb.event = &ev;
	pb.state = (Ffc__V1__AlertState)wire_alert_view(a);
	pb.lead_practitioner = wire_unconst(a->lead_practitioner);
	Ffc__V1__ConcernRef ref;
	struct ref_ids ids;
	if (e->concern.concern_id[0]) {
		ref_to_pb(&ref, &e->concern, &ids);
		pb.concern = &ref;
	}
	char household[WIRE_ID_MAX] = "";
	if (a->household)
		wire_household_id(a->household, household);
	pb.household_id = household;
	return wire_pack_message(&pb.base, out, len);
}

int wire_assignment_pack(const struct assignment *as, uint8_t **out, size_t *len)
{
	Ffc__V1__PractitionerAssignment pb = FFC__V1__PRACTITIONER_ASSIGNMENT__INIT;
	pb.practitioner = wire_unconst(as->practitioner);
	pb.by = wire_unconst(as->by);
	pb.at_ms = as->at_ms;
	pb.note = wire_unconst(as->note);
	pb.operator_ = wire_unconst(as->operator_);
	return wire_pack_message(&pb.base, out, len);
}

int wire_assignment_decode(const void *buf, size_t len, struct assignment *out)
{
	memset(out, 0, sizeof *out);
	Ffc__V1__PractitionerAssignment *pb =
	    ffc__v1__practitioner_assignment__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	wire_copy_str(out->practitioner, sizeof out->practitioner, pb->practitioner);
	wire_copy_str(out->by, sizeof out->by, pb->by);
	out->at_ms = pb->at_ms;
	wire_copy_str(out->note, sizeof out->note, pb->note);
	wire_copy_str(out->operator_, sizeof out->operator_, pb->operator_);
	ffc__v1__practitioner_assignment__free_unpacked(pb, NULL);
	return 0;
}

/* ---- the alerts socket's heartbeat ---- */

int wire_heartbeat_pack(uint64_t last_seq, int64_t at_ms, int64_t started_at_ms,
                        uint32_t interval_ms, uint8_t **out, size_t *len)
{
	Ffc__V1__Heartbeat m = FFC__V1__HEARTBEAT__INIT;
	m.last_seq = last_seq;
	m.at_ms = at_ms;
	m.started_at_ms = started_at_ms;
	m.interval_ms = interval_ms;
	return wire_pack_message(&m.base, out, len);
}
