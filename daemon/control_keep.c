/*
 * control_keep.c - the control commands that keep the store honest over
 * time: purge (retention), withdraw (a concern sent in error) and backup.
 *
 * Owns their requests' checks and replies, and their audit entries; which
 * concerns go and how a withdrawal is recorded are retention.c's, the copy
 * itself store.c's.
 */
#include "control_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "retention.h"
#include "validate.h"

#define KEEP_REASON_MAX   1024
#define KEEP_OPERATOR_MAX 256
#define KEEP_PATH_MAX     900 /* leaves room for it in an audit entry's detail */

/* Who asks: the key's name when the connection was authenticated, else
 * the operator named in the request; the role known for it, if any. */
static struct retention_actor actor(const struct control_env *env,
                                    const Ffc__V1__ControlRequest *rq)
{
	struct retention_actor who = {rq->operator_[0] ? rq->operator_ : "(unnamed)", ""};
	const struct access_key *k = NULL;
	if (env->peer && env->peer[0]) {
		who.by = env->peer;
		if (env->access)
			k = access_key_named(env->access, env->peer);
	} else if (env->access && rq->operator_[0]) {
		k = access_operator_named(env->access, rq->operator_);
	}
	if (k)
		who.role = access_role_name(k->role);
	return who;
}

static const char *check_text(const char *s, size_t max, const char *field, struct arena *ar)
{
	char err[160];
	size_t n = strlen(s);
	if (n == 0)
		snprintf(err, sizeof err, "%s: required", field);
	else if (n > max)
		snprintf(err, sizeof err, "%s: over %zu bytes", field, max);
	else if (!validate_utf8(s, n))
		snprintf(err, sizeof err, "%s: not valid UTF-8", field);
	else
		return NULL;
	const char *e = arena_strdup(ar, err);
	return e ? e : "out of memory";
}

/* ---- purge ---- */

struct purge_job {
	int64_t cutoff_ms, now_ms;
	uint64_t from_seq;
	int dry_run;
	struct retention_actor who;
	struct retention_result r;
};

static int purge_fn(struct store_txn *t, void *arg)
{
	struct purge_job *j = arg;
	/* control_write() may run this again after growing the map. */
	retention_result_release(&j->r);
	return retention_purge(t, j->cutoff_ms, j->from_seq, RETENTION_BATCH, j->dry_run, &j->who,
	                       j->now_ms, &j->r);
}

const char *control_purge(struct control_call *call)
{
	const struct control_env *env = call->env;
	const Ffc__V1__ControlRequest *rq = call->rq;
	const Ffc__V1__PurgeRequest *req = rq->purge;
	if (env->retention_years == 0)
		return "purge: retention.years is not set (or 0) in the configuration: concerns "
		       "are "
		       "never purged";
	struct purge_job j = {
	    .cutoff_ms = retention_cutoff(call->now_ms, env->retention_years),
	    .now_ms = call->now_ms,
	    .from_seq = req->from_seq,
	    .dry_run = req->dry_run,
	    .who = actor(env, rq),
	};
	int rc;
	if (j.dry_run) {
		/* Nothing written: a read transaction is enough. */
		struct store_txn *t;
		rc = store_begin(env->store, 0, &t);
		if (rc == STORE_OK) {
			rc = purge_fn(t, &j);
			store_abort(&t);
		}
	} else {
		rc = control_write(env, purge_fn, &j);
	}
	if (rc != STORE_OK) {
		retention_result_release(&j.r);
		return "purge: store error (nothing purged by this request)";
	}
	if (!j.dry_run && j.r.purged)
		log_info("retention: purged %llu concern(s) of %llu examined by %s",
		         (unsigned long long)j.r.purged, (unsigned long long)j.r.examined,
		         j.who.by);
	Ffc__V1__PurgeReply *r = arena_alloc(call->ar, sizeof *r);
	Ffc__V1__Counter **by = arena_alloc(call->ar, (j.r.n_children + 1) * sizeof *by);
	if (!r || !by) {
		retention_result_release(&j.r);
		return NULL;
	}
	ffc__v1__purge_reply__init(r);
	r->dry_run = j.dry_run;
	r->cutoff_ms = j.cutoff_ms;
	r->examined = j.r.examined;
	r->purged = j.r.purged;
	r->kept_as_evidence = j.r.kept_as_evidence;
	r->notices_purged = j.r.notices_purged;
	r->feedback_purged = j.r.feedback_purged;
	r->next_seq = j.r.next_seq;
	r->retention_years = env->retention_years;
	r->by_child = by;
	for (size_t i = 0; i < j.r.n_children; i++) {
		Ffc__V1__Counter *c = arena_alloc(call->ar, sizeof *c);
		if (!c)
			break;
		ffc__v1__counter__init(c);
		char cid[WIRE_ID_MAX];
		wire_child_id(j.r.children[i].child, cid);
		c->name = arena_strdup(call->ar, cid);
		c->count = j.r.children[i].purged;
		by[r->n_by_child++] = c;
	}
	retention_result_release(&j.r);
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_PURGE;
	call->reply->purge = r;
	return NULL;
}

/* ---- withdraw ---- */

struct withdraw_job {
	int agency;
	const char *concern_id, *reason;
	int64_t now_ms;
	struct retention_actor who;
	struct outbox *out;
	struct withdraw_result r;
};

static int withdraw_fn(struct store_txn *t, void *arg)
{
	struct withdraw_job *j = arg;
	return retention_withdraw(t, j->agency, j->concern_id, j->reason, &j->who, j->now_ms,
	                          j->out, &j->r);
}

/* The concern as now stored, as a chronology entry kept in the arena. */
static Ffc__V1__ChronologyEntry *entry(struct store_txn *t, struct arena *ar, uint64_t seq)
{
	const void *data;
	size_t len;
	if (store_concern_raw(t, seq, &data, &len) != STORE_OK)
		return NULL;
	Ffc__Store__StoredConcern *sc = ffc__store__stored_concern__unpack(NULL, len, data);
	if (!sc)
		return NULL;
	if (arena_keep(ar, &sc->base) < 0 || !sc->concern)
		return NULL;
	Ffc__V1__ChronologyEntry *e = arena_alloc(ar, sizeof *e);
	if (!e)
		return NULL;
	control_chronology_entry(sc, e);
	return e;
}

void control_chronology_entry(const Ffc__Store__StoredConcern *sc, Ffc__V1__ChronologyEntry *e)
{
	const Ffc__V1__Concern *c = sc->concern;
	ffc__v1__chronology_entry__init(e);
	e->seq = sc->seq;
	e->agency = c->agency;
	e->concern_id = c->concern_id;
	e->source_system = c->source_system;
	e->category = c->category;
	e->severity = c->severity;
	e->occurred_at_ms = c->occurred_at_ms;
	e->reported_at_ms = c->reported_at_ms;
	e->summary = c->summary;
	e->reporter = c->reporter;
	e->withdrawn_at_ms = sc->withdrawn_at_ms;
	e->withdrawn_by = sc->withdrawn_by;
	e->withdrawn_reason = sc->withdrawn_reason;
	e->school_urn = c->school_urn;
	e->domestic_incident = c->domestic_incident;
}

const char *control_withdraw(struct control_call *call)
{
	const struct control_env *env = call->env;
	const Ffc__V1__ControlRequest *rq = call->rq;
	struct arena *ar = call->ar;
	const Ffc__V1__WithdrawRequest *req = rq->withdraw;
	const char *e;
	if ((int)req->agency <= 0 || (int)req->agency > (int)AGENCY_MAX)
		return "withdraw.agency: unknown value";
	if ((e = check_text(req->concern_id, CONCERN_ID_MAX, "withdraw.concern_id", ar)) ||
	    (e = check_text(req->reason, KEEP_REASON_MAX, "withdraw.reason", ar)) ||
	    (!env->peer && (e = check_text(rq->operator_, KEEP_OPERATOR_MAX, "operator", ar))))
		return e;
	struct withdraw_job j = {
	    .agency = (int)req->agency,
	    .concern_id = req->concern_id,
	    .reason = req->reason,
	    .now_ms = call->now_ms,
	    .who = actor(env, rq),
	    .out = env->out,
	};
	int rc = control_write(env, withdraw_fn, &j);
	if (rc == STORE_NOTFOUND)
		return "withdraw: no such concern (agency and concern_id)";
	if (rc == STORE_EXISTS)
		return "withdraw: that concern is already withdrawn";
	if (rc != STORE_OK)
		return "withdraw: store error (nothing changed)";
	log_info("control: concern seq %llu withdrawn by %s (%zu open alert(s) cite it, %zu "
	         "notice(s) withdrawn)",
	         (unsigned long long)j.r.seq, j.who.by, j.r.n_alerts, j.r.n_notices);

	Ffc__V1__WithdrawReply *r = arena_alloc(ar, sizeof *r);
	char **kids = arena_alloc(ar, (j.r.n_children + 1) * sizeof *kids);
	char **alerts = arena_alloc(ar, (j.r.n_alerts + 1) * sizeof *alerts);
	char **notices = arena_alloc(ar, (j.r.n_notices + 1) * sizeof *notices);
	if (!r || !kids || !alerts || !notices)
		return NULL;
	ffc__v1__withdraw_reply__init(r);
	char id[WIRE_ID_MAX];
	for (size_t i = 0; i < j.r.n_children; i++) {
		wire_child_id(j.r.children[i], id);
		kids[r->n_child_ids++] = arena_strdup(ar, id);
	}
	for (size_t i = 0; i < j.r.n_alerts; i++) {
		wire_alert_id(j.r.alerts[i], id);
		alerts[r->n_open_alert_ids++] = arena_strdup(ar, id);
	}
	for (size_t i = 0; i < j.r.n_notices; i++) {
		wire_notice_id(j.r.notices[i], id);
		notices[r->n_notice_ids++] = arena_strdup(ar, id);
	}
	r->child_ids = kids;
	r->open_alert_ids = alerts;
	r->notice_ids = notices;
	struct store_txn *t;
	if (store_begin(env->store, 0, &t) == STORE_OK) {
		r->concern = entry(t, ar, j.r.seq);
		/* The reply outlives the transaction: the entry's strings are
		 * the arena's copy of the record, not LMDB's pages. */
		store_abort(&t);
	}
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_WITHDRAW;
	call->reply->withdraw = r;
	return NULL;
}

/* ---- backup ---- */

struct backup_audit {
	struct retention_actor who;
	int64_t now_ms;
	char detail[WIRE_REASON_MAX];
};

static int backup_audit_fn(struct store_txn *t, void *arg)
{
	struct backup_audit *b = arg;
	struct audit_entry e;
	memset(&e, 0, sizeof e);
	e.at_ms = b->now_ms;
	snprintf(e.by, sizeof e.by, "%s", b->who.by);
	snprintf(e.role, sizeof e.role, "%s", b->who.role);
	snprintf(e.command, sizeof e.command, "backup");
	memcpy(e.detail, b->detail, sizeof e.detail);
	return store_audit_add(t, &e);
}

/* A copy of the store, made beside the loop: ingest, alerts and
 * heartbeats go on while it is written. */
struct backup_job {
	struct store *store;
	uint64_t rate; /* store.backup_mb_per_s, in bytes */
	char path[KEEP_PATH_MAX + 1];
	int failed;
	uint64_t bytes;
	int64_t took_ms;
	char err[1200];
};

static void backup_run(void *arg)
{
	struct backup_job *j = arg;
	int64_t start = clock_mono_ms();
	j->failed = store_backup(j->store, j->path, j->rate, &j->bytes, j->err, sizeof j->err) < 0;
	j->took_ms = clock_mono_ms() - start;
}

/* The copy is made: audit it and say so. */
static const char *backup_done(struct control_call *call, void *arg)
{
	struct backup_job *j = arg;
	struct arena *ar = call->ar;
	if (j->failed) {
		const char *m = arena_strdup(ar, j->err);
		return m ? m : "backup: failed";
	}
	struct backup_audit b = {.who = actor(call->env, call->rq), .now_ms = call->now_ms};
	snprintf(b.detail, sizeof b.detail, "store copied to %s (%llu bytes, %lld ms)", j->path,
	         (unsigned long long)j->bytes, (long long)j->took_ms);
	log_info("control: backup by %s: %s", b.who.by, b.detail);
	if (control_write(call->env, backup_audit_fn, &b) != STORE_OK)
		log_error("control: backup to %s made but not audited", j->path);
	Ffc__V1__BackupReply *r = arena_alloc(ar, sizeof *r);
	if (!r)
		return NULL;
	ffc__v1__backup_reply__init(r);
	r->path = arena_strdup(ar, j->path);
	r->bytes = j->bytes;
	r->duration_ms = (uint64_t)j->took_ms;
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_BACKUP;
	call->reply->backup = r;
	return NULL;
}

const char *control_backup(struct control_call *call)
{
	struct arena *ar = call->ar;
	const Ffc__V1__BackupRequest *req = call->rq->backup;
	const char *e;
	if ((e = check_text(req->path, KEEP_PATH_MAX, "backup.path", ar)))
		return e;
	if (req->path[0] != '/')
		return "backup.path: must be an absolute path (the daemon's working directory is "
		       "not yours)";
	struct backup_job *j = calloc(1, sizeof *j);
	if (!j)
		return "out of memory";
	j->store = call->env->store;
	j->rate = call->env->backup_rate;
	snprintf(j->path, sizeof j->path, "%s", req->path);
	return control_defer(call, backup_run, backup_done, free, j);
}

/* ---- a child's corrections ---- */

const char *control_child_corrections(struct store_txn *t, uint64_t child, struct arena *ar,
                                      Ffc__V1__ChildReply *r)
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	if (store_child_audit(t, child, &seqs, &n) != STORE_OK)
		return "child: store error";
	Ffc__V1__AuditEntry **out = arena_alloc(ar, (n + 1) * sizeof *out);
	for (size_t i = 0; out && i < n; i++) {
		const void *data;
		size_t len;
		if (store_audit_raw(t, seqs[i], &data, &len) != STORE_OK)
			continue;
		Ffc__V1__AuditEntry *e = ffc__v1__audit_entry__unpack(NULL, len, data);
		if (!e || arena_keep(ar, &e->base) < 0)
			break;
		if (!strcmp(e->command, "purge") || !strcmp(e->command, "withdraw"))
			out[r->n_corrections++] = e;
	}
	free(seqs);
	r->corrections = out;
	return NULL;
}
