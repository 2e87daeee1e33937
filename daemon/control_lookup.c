/*
 * control_lookup.c - the point of contact's question, "is this child
 * known?" (`lookup`), who has asked it of a child (`accesses`), and the
 * statuses and lookups a child's record shows (`child`).
 *
 * Owns what a lookup answers (only LookupReply's fields: known or not,
 * the statuses in force with their dates, the open alerts by level, the
 * lead practitioner and the responsible local authority) and what it
 * leaves: for a known child one access record, one audit entry and an
 * AccessNotice on "event.access"; for an unknown child one audit entry
 * holding no identifier and no purpose, and nothing else. Does not own
 * the request's checks (lookup.c), the tables (store_status.c) or who
 * may ask (authz.c: lookup keys may ask nothing else).
 */
#include "control_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "ids.h"
#include "log.h"
#include "lookup.h"
#include "outbox.h"
#include "store_status.h"
#include "wire_status.h"

/* One lookup, run in control_write(): everything it reads and writes in
 * one transaction, so the record of it stands exactly when the answer
 * does. */
struct lookup_work {
	const struct control_call *call;
	struct child_identity named;
	Ffc__V1__LookupReply *reply; /* made afresh by each attempt */
};

/* The statuses in force at now_ms, latest start first. */
static int by_start_desc(const void *a, const void *b)
{
	const struct status_fact *x = a, *y = b;
	if (x->from_ms != y->from_ms)
		return x->from_ms < y->from_ms ? 1 : -1;
	return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : 0;
}

/* Fill r's statuses, lead practitioner and local authority. */
static int statuses_in_force(struct store_txn *t, uint64_t child, int64_t now_ms, struct arena *ar,
                             Ffc__V1__LookupReply *r)
{
	struct status_fact *f;
	size_t n, k = 0;
	int rc = store_status_facts(t, child, &f, &n);
	if (rc != STORE_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (status_in_force(&f[i], now_ms))
			f[k++] = f[i];
	if (k)
		qsort(f, k, sizeof *f, by_start_desc);
	r->statuses = arena_alloc(ar, (k + 1) * sizeof *r->statuses);
	for (size_t i = 0; r->statuses && i < k && rc == STORE_OK; i++) {
		struct stored_status v;
		if ((rc = store_status_get(t, f[i].seq, &v)) != STORE_OK)
			break;
		Ffc__V1__StatusInForce *m = arena_alloc(ar, sizeof *m);
		if (m) {
			ffc__v1__status_in_force__init(m);
			m->kind = (Ffc__V1__StatusKind)v.s.kind;
			m->category = (Ffc__V1__PlanCategory)v.s.category;
			m->legal_status = (Ffc__V1__LegalStatus)v.s.legal_status;
			m->start_date = arena_strdup(ar, v.s.start_date);
			m->local_authority = arena_strdup(ar, v.s.local_authority);
			r->statuses[r->n_statuses++] = m;
		}
		/* The one that started last speaks for social care now. */
		if (i == 0) {
			r->local_authority = arena_strdup(ar, v.s.local_authority);
			r->lead_practitioner = arena_strdup(ar, v.s.social_worker);
			r->lead_practitioner_role = arena_strdup(ar, v.s.social_worker_role);
			r->lead_practitioner_contact = arena_strdup(ar, v.s.social_worker_contact);
		}
		wire_stored_status_release(&v);
	}
	free(f);
	if (rc == STORE_OK && k == 0) {
		char lead[WIRE_PERSON_MAX];
		if ((rc = store_lead_practitioner(t, child, lead, sizeof lead)) == STORE_OK)
			r->lead_practitioner = arena_strdup(ar, lead);
	}
	return rc;
}

/* Open alerts (acknowledged included) by level. */
static int open_alerts(struct store_txn *t, uint64_t child, Ffc__V1__LookupReply *r)
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	struct alert *a = malloc(sizeof *a);
	int rc = a ? store_child_alerts(t, child, &seqs, &n) : STORE_ERROR;
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		if ((rc = store_alert_get(t, seqs[i], a)) != STORE_OK || a->state != ALERT_OPEN)
			continue;
		r->open_amber += a->level == LEVEL_AMBER;
		r->open_red += a->level == LEVEL_RED;
	}
	free(seqs);
	free(a);
	return rc;
}

/* The audit entry of a lookup: for a child not known, who asked from
 * where, and nothing of the child (no identifier, no purpose). */
static int audit(struct store_txn *t, const struct control_call *call, uint64_t child,
                 const char *detail)
{
	const Ffc__V1__LookupRequest *rq = call->rq->lookup;
	struct audit_entry e;
	memset(&e, 0, sizeof e);
	e.at_ms = call->now_ms;
	snprintf(e.by, sizeof e.by, "%s", call->caller->name);
	snprintf(e.role, sizeof e.role, "%s", access_role_name(call->caller->role));
	snprintf(e.command, sizeof e.command, "lookup");
	e.child = child;
	if (child)
		snprintf(e.purpose, sizeof e.purpose, "%s", call->rq->purpose);
	snprintf(e.setting, sizeof e.setting, "%s", rq->setting);
	snprintf(e.detail, sizeof e.detail, "%s", detail);
	control_clean_text(e.by);
	control_clean_text(e.detail);
	return store_audit_add(t, &e);
}

/* A known child's lookup: recorded, audited, announced. */
static int record(struct store_txn *t, const struct control_call *call, uint64_t child)
{
	const Ffc__V1__LookupRequest *rq = call->rq->lookup;
	struct access_record a;
	memset(&a, 0, sizeof a);
	a.at_ms = call->now_ms;
	a.child = child;
	snprintf(a.by, sizeof a.by, "%s", call->caller->name);
	snprintf(a.setting, sizeof a.setting, "%s", rq->setting);
	snprintf(a.purpose, sizeof a.purpose, "%s", call->rq->purpose);
	snprintf(a.asked_by, sizeof a.asked_by, "%s", rq->asked_by);
	control_clean_text(a.by);
	char detail[WIRE_REASON_MAX];
	snprintf(detail, sizeof detail, "known%s%s", rq->asked_by[0] ? "; asked by " : "",
	         rq->asked_by);
	int rc = store_lookup_add(t, &a);
	if (rc == STORE_OK)
		rc = audit(t, call, child, detail);
	if (rc != STORE_OK)
		return rc;
	uint8_t *buf = NULL;
	size_t len = 0;
	char cid[WIRE_ID_MAX], note[OUTBOX_NOTE_MAX];
	wire_child_id(child, cid);
	/* Ids only in the log: the setting and purpose stay in the store. */
	snprintf(note, sizeof note, "access %s looked up by %.64s (lookup %llu)", cid, a.by,
	         (unsigned long long)a.seq);
	if (wire_access_notice_pack(&a, &buf, &len) < 0 ||
	    outbox_add(call->env->out, LOOKUP_ACCESS_TOPIC, buf, len, note) < 0)
		return STORE_ERROR;
	return STORE_OK;
}

static int lookup_write(struct store_txn *t, void *arg)
{
	struct lookup_work *w = arg;
	const struct control_call *call = w->call;
	w->reply = arena_alloc(call->ar, sizeof *w->reply);
	if (!w->reply)
		return STORE_ERROR;
	ffc__v1__lookup_reply__init(w->reply);
	struct identity_keys keys;
	identity_keys(&w->named, 0, &keys);
	uint64_t found, child;
	int rc = store_identity_get(t, keys.nhs[0] ? keys.nhs : keys.upn, &found);
	if (rc == STORE_NOTFOUND) {
		rc = audit(t, call, 0, "not known");
		return rc == STORE_OK ? store_counter_add(t, "lookups.unknown", 1) : rc;
	}
	if (rc == STORE_OK)
		rc = store_child_resolve(t, found, &child);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	w->reply->known = 1;
	if ((rc = statuses_in_force(t, child, call->now_ms, call->ar, w->reply)) != STORE_OK ||
	    (rc = open_alerts(t, child, w->reply)) != STORE_OK)
		return rc;
	return record(t, call, child);
}

const char *control_lookup(struct control_call *call)
{
	const Ffc__V1__LookupRequest *rq = call->rq->lookup;
	char err[AUTHZ_WHY_MAX + 16], why[AUTHZ_WHY_MAX], norm[14];
	struct lookup_work w = {call, {0}, NULL};
	if (lookup_check(rq->nhs_number, rq->upn, rq->setting, rq->asked_by, &w.named, norm, err,
	                 sizeof err) < 0)
		return arena_strdup(call->ar, err);
	if (authz_check_purpose(call->rq->purpose, why, sizeof why) < 0) {
		snprintf(err, sizeof err, "lookup: %s", why);
		return arena_strdup(call->ar, err);
	}
	int rc = control_write(call->env, lookup_write, &w);
	if (rc != STORE_OK)
		return control_write_error(rc, NULL, call->ar);
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_LOOKUP;
	call->reply->lookup = w.reply;
	return NULL;
}

/* ---- who looked a child up ---- */

static Ffc__V1__AccessRecord *access_message(struct store_txn *t, struct arena *ar, uint64_t seq)
{
	const void *data;
	size_t len;
	if (store_lookup_raw(t, seq, &data, &len) != STORE_OK)
		return NULL;
	Ffc__V1__AccessRecord *m = ffc__v1__access_record__unpack(NULL, len, data);
	return m && arena_keep(ar, &m->base) == 0 ? m : NULL;
}

const char *control_accesses(struct control_call *call)
{
	const Ffc__V1__AccessesRequest *rq = call->rq->accesses;
	static const Ffc__V1__ChildRequest none = FFC__V1__CHILD_REQUEST__INIT;
	uint64_t child;
	const char *err = control_find_child(call->t, rq->child ? rq->child : &none, &child);
	if (err)
		return err;
	if (rq->limit > LOOKUP_ACCESSES_MAX)
		return "accesses.limit: at most 500";
	size_t limit = rq->limit ? rq->limit : LOOKUP_ACCESSES_PAGE;
	uint64_t *seqs = NULL;
	size_t n = 0;
	if (store_child_lookups(call->t, child, &seqs, &n) != STORE_OK)
		return "accesses: store error";
	Ffc__V1__AccessesReply *r = arena_alloc(call->ar, sizeof *r);
	if (r) {
		ffc__v1__accesses_reply__init(r);
		char cid[WIRE_ID_MAX];
		wire_child_id(child, cid);
		r->child_id = arena_strdup(call->ar, cid);
		r->total = n;
		r->accesses = arena_alloc(call->ar, (limit + 1) * sizeof *r->accesses);
		/* Newest first. */
		for (size_t i = n; r->accesses && i > 0 && r->n_accesses < limit; i--) {
			Ffc__V1__AccessRecord *m = access_message(call->t, call->ar, seqs[i - 1]);
			if (m)
				r->accesses[r->n_accesses++] = m;
		}
	}
	free(seqs);
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_ACCESSES;
	call->reply->accesses = r;
	return NULL;
}

/* ---- the child's record ---- */

struct version {
	struct status_fact f;
	Ffc__Store__StoredChildStatus *rec;
};

static int by_start(const void *a, const void *b)
{
	const struct version *x = a, *y = b;
	if (x->f.from_ms != y->f.from_ms)
		return x->f.from_ms < y->f.from_ms ? -1 : 1;
	return x->f.seq < y->f.seq ? -1 : x->f.seq > y->f.seq;
}

static const char *statuses(struct store_txn *t, uint64_t child, int64_t since_ms, int64_t now_ms,
                            struct arena *ar, Ffc__V1__ChildReply *r)
{
	struct status_fact *f;
	size_t n, k = 0;
	if (store_status_facts(t, child, &f, &n) != STORE_OK)
		return "child: store error";
	struct version *v = calloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; v && i < n; i++) {
		const void *data;
		size_t len;
		if (store_status_raw(t, f[i].seq, &data, &len) != STORE_OK)
			continue;
		Ffc__Store__StoredChildStatus *rec =
		    ffc__store__stored_child_status__unpack(NULL, len, data);
		if (!rec || arena_keep(ar, &rec->base) < 0 || !rec->status)
			continue;
		/* Since a day: what was in force then or after, and every
		 * version received since. */
		if (f[i].to_ms <= since_ms && rec->received_at_ms < since_ms)
			continue;
		v[k++] = (struct version){f[i], rec};
	}
	free(f);
	if (!v) {
		ar->failed = 1;
		return NULL;
	}
	qsort(v, k, sizeof *v, by_start);
	r->statuses = arena_alloc(ar, (k + 1) * sizeof *r->statuses);
	for (size_t i = 0; r->statuses && i < k; i++) {
		Ffc__V1__ChildStatusRecord *m = arena_alloc(ar, sizeof *m);
		if (!m)
			break;
		ffc__v1__child_status_record__init(m);
		m->seq = v[i].rec->seq;
		m->received_at_ms = v[i].rec->received_at_ms;
		m->status = v[i].rec->status;
		m->superseded_by = v[i].rec->superseded_by;
		m->in_force = status_in_force(&v[i].f, now_ms);
		r->statuses[r->n_statuses++] = m;
	}
	free(v);
	return NULL;
}

const char *control_child_social(struct store_txn *t, uint64_t child, int64_t since_ms,
                                 int64_t now_ms, struct arena *ar, Ffc__V1__ChildReply *r)
{
	const char *err = statuses(t, child, since_ms, now_ms, ar, r);
	if (err)
		return err;
	uint64_t *seqs = NULL;
	size_t n = 0;
	if (store_child_lookups(t, child, &seqs, &n) != STORE_OK)
		return "child: store error";
	r->lookups = arena_alloc(ar, (n + 1) * sizeof *r->lookups);
	for (size_t i = 0; r->lookups && i < n; i++) {
		Ffc__V1__AccessRecord *m = access_message(t, ar, seqs[i]);
		if (m && m->at_ms >= since_ms)
			r->lookups[r->n_lookups++] = m;
	}
	free(seqs);
	return NULL;
}
