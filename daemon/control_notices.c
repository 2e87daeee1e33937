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

/* ---- a page of records by seq ---- */

/* Notices or feedback after a seq, as a listing: each record read by
 * `raw`, unpacked as `desc`, left out when `keep` says so (may be NULL),
 * up to `limit`. */
struct page {
	struct control_call *call;
	int (*raw)(struct store_txn *t, uint64_t seq, const void **data, size_t *len);
	const ProtobufCMessageDescriptor *desc;
	int (*keep)(ProtobufCMessage *m, const struct page *p);
	ProtobufCMessage **items;
	size_t n, limit;
	int more, unacknowledged, school;
	const char *err; /* the store failed */
};

static int page_visit(uint64_t seq, void *arg)
{
	struct page *p = arg;
	const void *data;
	size_t len;
	if (p->raw(p->call->t, seq, &data, &len) != STORE_OK) {
		p->err = "store error";
		return 1;
	}
	ProtobufCMessage *m = protobuf_c_message_unpack(p->desc, NULL, len, data);
	if (!m || arena_keep(p->call->ar, m) < 0)
		return 0; /* a damaged record is skipped, the rest still shown */
	if (p->keep && !p->keep(m, p))
		return 0;
	if (p->n == p->limit) {
		p->more = 1;
		return 1;
	}
	p->items[p->n++] = m;
	return 0;
}

/* An index of seqs under a key: a school's notices, an agency's
 * feedback (store_notices.h). */
typedef int (*index_fn)(struct store_txn *t, const void *key, uint64_t since, store_seq_fn fn,
                        void *arg);

static int by_dest(struct store_txn *t, const void *key, uint64_t since, store_seq_fn fn, void *arg)
{
	return store_notice_dest_each(t, key, since, fn, arg);
}

static int by_agency(struct store_txn *t, const void *key, uint64_t since, store_seq_fn fn,
                     void *arg)
{
	return store_feedback_agency_each(t, *(const int *)key, since, fn, arg);
}

/* Fill p with the records after since: those the index lists under key,
 * or (index NULL) every seq up to last. 0, or -1 when the store failed
 * or memory ran out (the arena says which). */
static int page_fill(struct page *p, uint32_t limit, uint64_t since, uint64_t last, index_fn index,
                     const void *key)
{
	p->limit = page(limit);
	p->items = arena_alloc(p->call->ar, p->limit * sizeof *p->items);
	if (!p->items)
		return -1;
	if (index && index(p->call->t, key, since, page_visit, p) != STORE_OK)
		return -1;
	for (uint64_t seq = since + 1; !index && seq <= last && seq > since && !page_visit(seq, p);
	     seq++)
		;
	return p->err ? -1 : 0;
}

/* ---- notices ---- */

static int notice_keep(ProtobufCMessage *m, const struct page *p)
{
	Ffc__V1__SchoolNotice *n = (Ffc__V1__SchoolNotice *)m;
	/* A withdrawn notice waits for nobody. */
	if (p->unacknowledged && (n->acknowledged_at_ms || n->withdrawn_at_ms))
		return 0;
	/* A school's copy, as on its topic: no daemon id (an empty one is
	 * protobuf-c's shared "", not to be written to). */
	if (p->school && n->child_id[0])
		n->child_id[0] = '\0';
	return 1;
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
	struct page p = {.call = call,
	                 .raw = store_notice_raw,
	                 .desc = &ffc__v1__school_notice__descriptor,
	                 .keep = notice_keep,
	                 .unacknowledged = req->unacknowledged,
	                 .school = call->caller->role == ACCESS_SCHOOL};
	Ffc__V1__NoticesReply *r = arena_alloc(call->ar, sizeof *r);
	if (!r)
		return NULL; /* the arena says: out of memory */
	ffc__v1__notices_reply__init(r);
	r->last_seq = store_last_notice_seq(call->t);
	if (page_fill(&p, req->limit, req->since_seq, r->last_seq, dest[0] ? by_dest : NULL, dest) <
	    0)
		return call->ar->failed ? NULL : "notices: store error";
	r->notices = (Ffc__V1__SchoolNotice **)p.items;
	r->n_notices = p.n;
	r->more = p.more;
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_NOTICES;
	call->reply->notices = r;
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
	struct page p = {
	    .call = call, .raw = store_feedback_raw, .desc = &ffc__v1__feedback__descriptor};
	Ffc__V1__FeedbackReply *r = arena_alloc(call->ar, sizeof *r);
	if (!r)
		return NULL;
	ffc__v1__feedback_reply__init(r);
	r->last_seq = store_last_feedback_seq(call->t);
	if (page_fill(&p, req->limit, req->since_seq, r->last_seq, agency ? by_agency : NULL,
	              &agency) < 0)
		return call->ar->failed ? NULL : "feedback: store error";
	r->feedback = (Ffc__V1__Feedback **)p.items;
	r->n_feedback = p.n;
	r->more = p.more;
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_FEEDBACK;
	call->reply->feedback = r;
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
