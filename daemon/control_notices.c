/*
 * control_notices.c - schools and referrers through the control socket:
 * the notices a school (or a console, or an operator) catches up with, a
 * DSL's acknowledgement, the feedback an agency catches up with, and a
 * practitioner's contact that feedback names.
 *
 * Owns the requests' checks and who sees what: a school key its own
 * school's notices, without the daemon's child ids; an adapter key its
 * own agency's feedback. Whether a key may ask at all is authz.c's; the
 * notices' and feedback's records are notice.c's and feedback.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_int.h"
#include "lifecycle.h"
#include "notice.h"
#include "store_notices.h"
#include "wire.h"
#include "wire_notice.h"

/* A page when the request sets no limit, and the most one may ask for. */
#define PAGE     500
#define PAGE_MAX 5000

/* The key a school or adapter asks with, or NULL for anyone else (and
 * for a key no longer listed, which authz.c would not have let in as
 * one: its role is gone with it). */
static const struct access_key *asking_key(const struct control_call *call)
{
	enum access_role r = call->caller->role;
	if (r != ACCESS_SCHOOL && r != ACCESS_ADAPTER)
		return NULL;
	return call->env->access ? access_key_named(call->env->access, call->caller->name) : NULL;
}

static size_t page(uint32_t limit)
{
	return limit == 0 ? PAGE : limit > PAGE_MAX ? PAGE_MAX : limit;
}

/* ---- notices ---- */

struct notices {
	struct control_call *call;
	Ffc__V1__NoticesReply *r;
	size_t limit;
	int unacknowledged, school;
	const char *err;
};

static int notice_visit(uint64_t seq, void *arg)
{
	struct notices *p = arg;
	const void *data;
	size_t len;
	if (store_notice_raw(p->call->t, seq, &data, &len) != STORE_OK) {
		p->err = "notices: store error";
		return 1;
	}
	Ffc__V1__SchoolNotice *n = ffc__v1__school_notice__unpack(NULL, len, data);
	if (!n || arena_keep(p->call->ar, &n->base) < 0)
		return 0; /* a damaged record is skipped, the rest still shown */
	if (p->unacknowledged && n->acknowledged_at_ms)
		return 0;
	if (p->r->n_notices == p->limit) {
		p->r->more = 1;
		return 1;
	}
	/* A school's copy, as on its topic: no daemon id. */
	if (p->school && n->child_id[0])
		n->child_id[0] = '\0'; /* (an empty one is protobuf-c's shared "") */
	p->r->notices[p->r->n_notices++] = n;
	return 0;
}

const char *control_notices(struct control_call *call)
{
	const Ffc__V1__NoticesRequest *req = call->rq->notices;
	const struct access_key *key = asking_key(call);
	const char *dest = req->urn;
	if (call->caller->role == ACCESS_SCHOOL) {
		if (!key)
			return "notices: this school's key is no longer listed";
		if (dest[0] && strcmp(dest, key->urn))
			return "notices.urn: a school's key sees its own school's notices only";
		dest = key->urn;
	} else if (dest[0] && strcmp(dest, SCHOOL_FRONT_DOOR) && !school_urn_valid(dest)) {
		return "notices.urn: not a URN (six digits) nor front-door";
	}
	struct notices p = {.call = call,
	                    .limit = page(req->limit),
	                    .unacknowledged = req->unacknowledged,
	                    .school = call->caller->role == ACCESS_SCHOOL};
	p.r = arena_alloc(call->ar, sizeof *p.r);
	Ffc__V1__SchoolNotice **items = arena_alloc(call->ar, p.limit * sizeof *items);
	if (!p.r || !items)
		return NULL; /* the arena says: out of memory */
	ffc__v1__notices_reply__init(p.r);
	p.r->notices = items;
	p.r->last_seq = store_last_notice_seq(call->t);
	if (dest[0]) {
		if (store_notice_dest_each(call->t, dest, req->since_seq, notice_visit, &p) !=
		    STORE_OK)
			return "notices: store error";
	} else {
		for (uint64_t seq = req->since_seq + 1;
		     seq <= p.r->last_seq && seq > req->since_seq && !notice_visit(seq, &p); seq++)
			;
	}
	if (p.err)
		return p.err;
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_NOTICES;
	call->reply->notices = p.r;
	return NULL;
}

/* ---- acknowledging a notice ---- */

struct ack {
	const struct control_env *env;
	uint64_t seq;
	const char *key_urn, *by;
	int64_t now_ms;
	struct school_notice n;
	char err[LIFECYCLE_ERR_MAX];
};

static int apply_ack(struct store_txn *t, void *arg)
{
	struct ack *a = arg;
	int rc = notice_ack(t, a->seq, a->key_urn, a->by, a->now_ms, &a->n, a->err, sizeof a->err,
	                    a->env->out);
	return rc == NOTICE_REFUSED ? CONTROL_REFUSED : rc;
}

const char *control_notice_ack(struct control_call *call)
{
	const Ffc__V1__NoticeAckRequest *req = call->rq->notice_ack;
	const struct access_key *key = asking_key(call);
	if (call->caller->role == ACCESS_SCHOOL && !key)
		return "notice ack: this school's key is no longer listed";
	struct ack *a = calloc(1, sizeof *a);
	if (!a)
		return "out of memory";
	*a = (struct ack){.env = call->env,
	                  .key_urn = key ? key->urn : NULL,
	                  .by = req->by,
	                  .now_ms = call->now_ms};
	const char *err = NULL;
	if (wire_notice_id_parse(req->notice_id, &a->seq) < 0) {
		err = "notice_ack.notice_id: not a notice id (like N00000003)";
	} else {
		int rc = control_write(call->env, apply_ack, a);
		if (rc != STORE_OK) {
			outbox_clear(call->env->out);
			err = control_write_error(rc, a->err, call->ar);
		}
	}
	uint8_t *buf = NULL;
	size_t len = 0;
	Ffc__V1__NoticeReply *r = NULL;
	if (!err && wire_notice_pack(&a->n, !key, &buf, &len) == 0) {
		r = arena_alloc(call->ar, sizeof *r);
		Ffc__V1__SchoolNotice *n = ffc__v1__school_notice__unpack(NULL, len, buf);
		if (r && n && arena_keep(call->ar, &n->base) == 0) {
			ffc__v1__notice_reply__init(r);
			r->notice = n;
			call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_NOTICE_ACK;
			call->reply->notice_ack = r;
		} else if (!err) {
			err = "out of memory (the acknowledgement is stored)";
		}
	} else if (!err) {
		err = "out of memory (the acknowledgement is stored)";
	}
	free(buf);
	free(a);
	return err;
}

/* ---- feedback ---- */

struct feedback_page {
	struct control_call *call;
	Ffc__V1__FeedbackReply *r;
	size_t limit;
	const char *err;
};

static int feedback_visit(uint64_t seq, void *arg)
{
	struct feedback_page *p = arg;
	const void *data;
	size_t len;
	if (store_feedback_raw(p->call->t, seq, &data, &len) != STORE_OK) {
		p->err = "feedback: store error";
		return 1;
	}
	Ffc__V1__Feedback *f = ffc__v1__feedback__unpack(NULL, len, data);
	if (!f || arena_keep(p->call->ar, &f->base) < 0)
		return 0;
	if (p->r->n_feedback == p->limit) {
		p->r->more = 1;
		return 1;
	}
	p->r->feedback[p->r->n_feedback++] = f;
	return 0;
}

const char *control_feedback(struct control_call *call)
{
	const Ffc__V1__FeedbackRequest *req = call->rq->feedback;
	const struct access_key *key = asking_key(call);
	int agency = (int)req->agency;
	if (call->caller->role == ACCESS_ADAPTER) {
		if (!key)
			return "feedback: this adapter's key is no longer listed";
		if (agency && agency != key->agency)
			return "feedback.agency: an adapter's key sees its own agency's feedback "
			       "only";
		agency = key->agency;
	} else if (agency < 0 || agency > AGENCY_MAX) {
		return "feedback.agency: unknown value";
	}
	struct feedback_page p = {.call = call, .limit = page(req->limit)};
	p.r = arena_alloc(call->ar, sizeof *p.r);
	Ffc__V1__Feedback **items = arena_alloc(call->ar, p.limit * sizeof *items);
	if (!p.r || !items)
		return NULL;
	ffc__v1__feedback_reply__init(p.r);
	p.r->feedback = items;
	p.r->last_seq = store_last_feedback_seq(call->t);
	if (agency) {
		if (store_feedback_agency_each(call->t, agency, req->since_seq, feedback_visit,
		                               &p) != STORE_OK)
			return "feedback: store error";
	} else {
		for (uint64_t seq = req->since_seq + 1;
		     seq <= p.r->last_seq && seq > req->since_seq && !feedback_visit(seq, &p);
		     seq++)
			;
	}
	if (p.err)
		return p.err;
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_FEEDBACK;
	call->reply->feedback = p.r;
	return NULL;
}

/* ---- a practitioner's contact ---- */

struct contact {
	const Ffc__V1__ContactRequest *req;
	const char *by;
	int64_t now_ms;
};

static int apply_contact(struct store_txn *t, void *arg)
{
	const struct contact *c = arg;
	uint8_t *buf = NULL;
	size_t len = 0;
	if (wire_contact_pack(c->req->practitioner, c->req->contact, c->by, c->now_ms, &buf, &len) <
	    0)
		return STORE_ERROR;
	int rc = store_contact_put(t, c->req->practitioner, buf, len);
	free(buf);
	return rc;
}

const char *control_contact(struct control_call *call)
{
	const Ffc__V1__ContactRequest *req = call->rq->contact;
	char err[LIFECYCLE_ERR_MAX];
	if (lifecycle_check_text("contact.practitioner", req->practitioner, WIRE_PERSON_MAX - 1, 1,
	                         0, err, sizeof err) < 0 ||
	    lifecycle_check_text("contact.contact", req->contact, SCHOOL_CONTACT_MAX - 1, 1, 0, err,
	                         sizeof err) < 0)
		return arena_strdup(call->ar, err);
	struct contact c = {req, call->caller->name, call->now_ms};
	int rc = control_write(call->env, apply_contact, &c);
	if (rc != STORE_OK)
		return control_write_error(rc, "", call->ar);
	Ffc__V1__ContactReply *r = arena_alloc(call->ar, sizeof *r);
	if (!r)
		return NULL;
	ffc__v1__contact_reply__init(r);
	r->practitioner = req->practitioner;
	r->contact = req->contact;
	r->by = arena_strdup(call->ar, c.by);
	r->at_ms = c.now_ms;
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_CONTACT;
	call->reply->contact = r;
	return NULL;
}

/* ---- in a child's record ---- */

void control_child_school(const struct control_env *env, struct store_txn *t, struct arena *ar,
                          uint64_t child, Ffc__V1__ChildReply *r)
{
	char urn[SCHOOL_URN_LEN];
	if (notice_current_school(t, child, urn) == STORE_OK) {
		const struct school *s = env->schools ? school_find(env->schools, urn) : NULL;
		r->school_urn = arena_strdup(ar, urn);
		r->school_name = arena_strdup(ar, s ? s->name : "");
	}
	/* The notices about it, under whichever id it was filed then: a
	 * pass over the notices (one per child of a police domestic
	 * incident, far fewer than concerns). */
	uint64_t last = store_last_notice_seq(t);
	size_t cap = 0;
	for (uint64_t seq = 1; seq <= last; seq++) {
		const void *data;
		size_t len;
		uint64_t filed, live;
		if (store_notice_raw(t, seq, &data, &len) != STORE_OK)
			continue;
		Ffc__V1__SchoolNotice *n = ffc__v1__school_notice__unpack(NULL, len, data);
		if (!n)
			continue;
		if (wire_child_id_parse(n->child_id, &filed) < 0 ||
		    store_child_resolve(t, filed, &live) != STORE_OK || live != child) {
			ffc__v1__school_notice__free_unpacked(n, NULL);
			continue;
		}
		if (arena_keep(ar, &n->base) < 0)
			break; /* (freed by it) */
		if (r->n_notices == cap) {
			/* The arena keeps every block until the reply is sent. */
			size_t next = cap ? cap * 2 : 8;
			Ffc__V1__SchoolNotice **v = arena_alloc(ar, next * sizeof *v);
			if (!v)
				break;
			if (r->n_notices)
				memcpy(v, r->notices, r->n_notices * sizeof *v);
			r->notices = v;
			cap = next;
		}
		r->notices[r->n_notices++] = n;
	}
}
