/*
 * control_identity.c - the operators' review of identity linking:
 * conflicts (with the evidence on each side), a child's identity records,
 * aliases and identity events, link (merge after human review) and unlink
 * (split a wrong link).
 *
 * Owns checking these requests and shaping their replies. What a merge or
 * a split moves is merge.c's; re-judging the rules is ingest.c's. Link and
 * unlink run in control_write(); the alerts they raise are queued in the
 * environment's outbox and published by the server after the commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "control.h"
#include "control_int.h"
#include "ffc.pb-c.h"
#include "ffc_store.pb-c.h"
#include "identity.h"
#include "judge_apply.h"
#include "log.h"
#include "merge.h"
#include "validate.h"
#include "wire.h"

/* Error messages that name what was refused are built into static
 * buffers: the daemon answers one request at a time and the reply is
 * packed before the next request is read. */

/* ---- shared pieces ---- */

/* The stored identity event seq as a message kept in the arena. */
static Ffc__V1__IdentityEvent *event_message(struct store_txn *t, struct arena *ar, uint64_t seq)
{
	const void *data;
	size_t len;
	if (store_identity_event_raw(t, seq, &data, &len) != STORE_OK)
		return NULL;
	Ffc__V1__IdentityEvent *e = ffc__v1__identity_event__unpack(NULL, len, data);
	if (!e || arena_keep(ar, &e->base) < 0)
		return NULL;
	return e;
}

/* An event built in this request (not yet committed) as a message. */
static Ffc__V1__IdentityEvent *event_copy(struct arena *ar, const struct identity_event *ev)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	if (wire_identity_event_pack(ev, &buf, &len) < 0) {
		ar->failed = 1;
		return NULL;
	}
	Ffc__V1__IdentityEvent *e = ffc__v1__identity_event__unpack(NULL, len, buf);
	free(buf);
	if (!e || arena_keep(ar, &e->base) < 0) {
		ar->failed = 1;
		return NULL;
	}
	return e;
}

Ffc__V1__IdentityEvent **control_identity_events(struct store_txn *t, struct arena *ar,
                                                 uint64_t child, size_t *n)
{
	uint64_t *seqs = NULL;
	size_t count = 0;
	*n = 0;
	if (store_child_events(t, child, &seqs, &count) != STORE_OK)
		return NULL;
	Ffc__V1__IdentityEvent **out = arena_alloc(ar, (count + 1) * sizeof *out);
	for (size_t i = 0; out && i < count; i++) {
		Ffc__V1__IdentityEvent *e = event_message(t, ar, seqs[i]);
		if (e)
			out[(*n)++] = e;
	}
	free(seqs);
	return out;
}

Ffc__V1__IdentityRecord **control_identity_records(struct store_txn *t, struct arena *ar,
                                                   uint64_t child, Ffc__Store__Child **rec,
                                                   size_t *n)
{
	*n = 0;
	*rec = NULL;
	struct child_record ch;
	if (store_child_get(t, child, &ch) != STORE_OK)
		return NULL;
	Ffc__Store__Child *pb = ch.pb;
	ch.pb = NULL; /* the arena frees the record with the reply */
	wire_child_release(&ch);
	if (!pb || arena_keep(ar, &pb->base) < 0)
		return NULL;
	*rec = pb;
	Ffc__V1__IdentityRecord **out = arena_alloc(ar, (pb->n_identities + 1) * sizeof *out);
	for (size_t i = 0; out && i < pb->n_identities; i++) {
		const Ffc__Store__SeenIdentity *s = pb->identities[i];
		Ffc__V1__IdentityRecord *r = arena_alloc(ar, sizeof *r);
		if (!r)
			break;
		ffc__v1__identity_record__init(r);
		r->agency = s->agency;
		r->identity = s->identity;
		r->first_seen_ms = s->first_seen_ms;
		r->last_seen_ms = s->last_seen_ms;
		r->first_seq = s->first_seq;
		out[(*n)++] = r;
	}
	return out;
}

static char *child_id_string(struct arena *ar, uint64_t id)
{
	char buf[WIRE_ID_MAX];
	if (!id)
		return arena_strdup(ar, "");
	wire_child_id(id, buf);
	return arena_strdup(ar, buf);
}

const char *control_named_child(struct store_txn *t, const char *field, const char *text,
                                uint64_t *child, char *err, size_t errlen)
{
	uint64_t id;
	if (!text[0]) {
		snprintf(err, errlen, "%s: required", field);
		return err;
	}
	if (wire_child_id_parse(text, &id) < 0) {
		snprintf(err, errlen, "%s: not a child id (like C00000042)", field);
		return err;
	}
	int rc = store_child_resolve(t, id, child);
	if (rc == STORE_NOTFOUND) {
		snprintf(err, errlen, "%s: no such child", field);
		return err;
	}
	return rc == STORE_OK ? NULL : "store: cannot read";
}

const char *control_check_who_why(const char *operator_, const char *reason, const char *field,
                                  char *err, size_t errlen)
{
	if (!operator_[0])
		return "operator: required (who makes the change: ffcctl --operator NAME, or "
		       "$USER)";
	if (strlen(operator_) >= WIRE_BY_MAX)
		return "operator: over 256 bytes";
	if (!validate_utf8(operator_, strlen(operator_)))
		return "operator: not valid UTF-8";
	size_t len = strlen(reason), blank = strspn(reason, " \t\r\n");
	if (blank == len)
		snprintf(err, errlen, "%s: required (why the change is made)", field);
	else if (len >= WIRE_REASON_MAX)
		snprintf(err, errlen, "%s: over %d bytes", field, WIRE_REASON_MAX - 1);
	else if (!validate_utf8(reason, len))
		snprintf(err, errlen, "%s: not valid UTF-8", field);
	else
		return NULL;
	return err;
}

Ffc__V1__Alert **control_publish_raised(const struct control_env *env, struct arena *ar,
                                        struct outbox *raised, size_t *n)
{
	Ffc__V1__Alert **out = arena_alloc(ar, (raised->n + 1) * sizeof *out);
	*n = 0;
	for (size_t i = 0; i < raised->n; i++) {
		const struct alert *a = raised->items[i].alert;
		if (!a)
			continue;
		uint8_t *buf = NULL;
		size_t len = 0;
		if (!out || wire_alert_pack(a, &buf, &len) < 0)
			continue;
		Ffc__V1__Alert *m = ffc__v1__alert__unpack(NULL, len, buf);
		free(buf);
		if (m && arena_keep(ar, &m->base) == 0)
			out[(*n)++] = m;
	}
	if (outbox_take(env->out, raised) < 0)
		log_error("control: out of memory queueing %zu alerts", raised->n);
	return out;
}

/* ---- identities ---- */

static const char *identities(struct store_txn *t, const Ffc__V1__IdentitiesRequest *req,
                              struct arena *ar, Ffc__V1__ControlReply *reply)
{
	static char err[128];
	uint64_t child;
	const char *e =
	    control_named_child(t, "identities.child_id", req->child_id, &child, err, sizeof err);
	if (e)
		return e;
	Ffc__V1__IdentitiesReply *r = arena_alloc(ar, sizeof *r);
	if (!r)
		return NULL;
	ffc__v1__identities_reply__init(r);
	r->child_id = child_id_string(ar, child);
	Ffc__Store__Child *pb;
	r->records = control_identity_records(t, ar, child, &pb, &r->n_records);
	if (!pb)
		return "store: cannot read";
	r->aliases = arena_alloc(ar, (pb->n_aliases + 1) * sizeof *r->aliases);
	for (size_t i = 0; r->aliases && i < pb->n_aliases; i++)
		r->aliases[r->n_aliases++] = child_id_string(ar, pb->aliases[i]);
	r->kept_apart = arena_alloc(ar, (pb->n_kept_apart + 1) * sizeof *r->kept_apart);
	for (size_t i = 0; r->kept_apart && i < pb->n_kept_apart; i++) {
		uint64_t live = pb->kept_apart[i];
		store_child_resolve(t, pb->kept_apart[i], &live);
		r->kept_apart[r->n_kept_apart++] = child_id_string(ar, live);
	}
	r->events = control_identity_events(t, ar, child, &r->n_events);
	reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_IDENTITIES;
	reply->identities = r;
	return NULL;
}

/* ---- conflicts ---- */

static const char *conflicts(struct store_txn *t, const Ffc__V1__ConflictsRequest *req,
                             struct arena *ar, Ffc__V1__ControlReply *reply)
{
	size_t limit = req->limit ? req->limit : CONTROL_ALERTS_PAGE;
	if (limit > CONTROL_ALERTS_MAX)
		limit = CONTROL_ALERTS_MAX;
	Ffc__V1__ConflictsReply *r = arena_alloc(ar, sizeof *r);
	Ffc__V1__Conflict **items = arena_alloc(ar, limit * sizeof *items);
	if (!r || !items)
		return NULL;
	ffc__v1__conflicts_reply__init(r);
	r->conflicts = items;
	uint64_t last = store_last_identity_event_seq(t);
	r->last_seq = last;
	for (uint64_t seq = req->since_seq + 1; seq <= last && seq > req->since_seq; seq++) {
		Ffc__V1__IdentityEvent *e = event_message(t, ar, seq);
		if (!e || e->kind != FFC__V1__IDENTITY_EVENT__KIND__CONFLICT)
			continue;
		uint64_t a = 0, b = 0, la = 0, lb = 0;
		if (wire_child_id_parse(e->child_id, &a) < 0 ||
		    store_child_resolve(t, a, &la) != STORE_OK)
			continue;
		if (e->other_child_id[0] && (wire_child_id_parse(e->other_child_id, &b) < 0 ||
		                             store_child_resolve(t, b, &lb) != STORE_OK))
			continue;
		int apart = 0;
		if (lb && merge_kept_apart(t, la, lb, &apart) != STORE_OK)
			return "store: cannot read";
		int resolved = (lb && la == lb) || apart;
		if (req->unresolved && resolved)
			continue;
		if (r->n_conflicts == limit) {
			r->more = 1;
			break;
		}
		Ffc__V1__Conflict *c = arena_alloc(ar, sizeof *c);
		if (!c)
			return NULL;
		ffc__v1__conflict__init(c);
		c->event = e;
		c->child_id = child_id_string(ar, la);
		c->other_child_id = child_id_string(ar, lb);
		c->resolved = resolved;
		Ffc__Store__Child *pb;
		c->child_identities =
		    control_identity_records(t, ar, la, &pb, &c->n_child_identities);
		if (lb && lb != la)
			c->other_identities =
			    control_identity_records(t, ar, lb, &pb, &c->n_other_identities);
		items[r->n_conflicts++] = c;
	}
	reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_CONFLICTS;
	reply->conflicts = r;
	return NULL;
}

/* ---- link ---- */

struct link_job {
	const struct control_env *env;
	const char *operator_;
	const Ffc__V1__LinkRequest *req;
	int64_t now_ms;
	/* set by each attempt */
	char err[640];
	uint64_t survivor, absorbed;
	struct identity_event event;
	struct outbox raised; /* what the judge raised */
};

static int link_run(struct store_txn *t, void *arg)
{
	struct link_job *j = arg;
	outbox_clear(&j->raised);
	j->err[0] = '\0';
	uint64_t a, b;
	const char *e;
	if ((e = control_named_child(t, "link.child_a", j->req->child_a, &a, j->err,
	                             sizeof j->err)) ||
	    (e = control_named_child(t, "link.child_b", j->req->child_b, &b, j->err,
	                             sizeof j->err))) {
		if (e != j->err)
			snprintf(j->err, sizeof j->err, "%s", e);
		return CONTROL_REFUSED;
	}
	char ia[WIRE_ID_MAX], ib[WIRE_ID_MAX];
	wire_child_id(a, ia);
	wire_child_id(b, ib);
	if (a == b) {
		snprintf(j->err, sizeof j->err, "link: %s and %s are already one child (%s)",
		         j->req->child_a, j->req->child_b, ia);
		return CONTROL_REFUSED;
	}
	int clash = 0;
	char why[512];
	int rc = merge_clash(t, a, b, NULL, &clash, why, sizeof why);
	if (rc != STORE_OK)
		return rc;
	if (clash) {
		snprintf(j->err, sizeof j->err, "link: %s and %s cannot be one child: %s", ia, ib,
		         why);
		return CONTROL_REFUSED;
	}
	struct merge_log log;
	memset(&log, 0, sizeof log);
	struct merge_why w = {j->operator_, j->req->reason, "", 0};
	uint64_t s;
	/* The operator's judgement replaces an earlier split's. */
	if ((rc = merge_apart_clear(t, a, b)) != STORE_OK ||
	    (rc = merge_children(t, a, b, &w, j->now_ms, &log, &s)) != STORE_OK)
		return rc;
	j->survivor = s;
	j->absorbed = a == s ? b : a;
	uint64_t seq = store_last_identity_event_seq(t);
	if ((rc = store_identity_event_get(t, seq, &j->event)) != STORE_OK ||
	    (rc = merge_reexamine(t, &s, j->now_ms, &log)) != STORE_OK)
		return rc;
	char note[RULE_REASON_MAX];
	if ((rc = judge_merge_note(t, &log, s, note, sizeof note)) != STORE_OK)
		return rc;
	return judge_history(t, s, j->env->rules, j->env->n_rules, note, j->now_ms, &j->raised);
}

static const char *link_request(const struct control_env *env, const char *operator_,
                                const Ffc__V1__LinkRequest *req, int64_t now_ms, struct arena *ar,
                                Ffc__V1__ControlReply *reply)
{
	static char err[640];
	const char *e =
	    control_check_who_why(operator_, req->reason, "link.reason", err, sizeof err);
	if (e)
		return e;
	struct link_job *j = calloc(1, sizeof *j);
	if (!j)
		return "out of memory";
	j->env = env;
	j->operator_ = operator_;
	j->req = req;
	j->now_ms = now_ms;
	int rc = control_write(env, link_run, j);
	const char *out = control_write_error(rc, j->err, ar);
	if (!out) {
		Ffc__V1__LinkReply *r = arena_alloc(ar, sizeof *r);
		if (r) {
			ffc__v1__link_reply__init(r);
			r->child_id = child_id_string(ar, j->survivor);
			r->merged_child_id = child_id_string(ar, j->absorbed);
			r->event = event_copy(ar, &j->event);
			r->raised = control_publish_raised(env, ar, &j->raised, &r->n_raised);
			reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_LINK;
			reply->link = r;
		}
		log_info("control: link by %s: %s now includes %s", operator_, r ? r->child_id : "",
		         r ? r->merged_child_id : "");
	}
	outbox_clear(&j->raised);
	free(j);
	return out;
}

/* ---- unlink ---- */

/* IDENTITY as the operator wrote it: nhs:NUMBER, upn:UPN,
 * local:AGENCY:ID or #N. */
static const char *parse_identity(const char *text, struct split_selector *sel)
{
	memset(sel, 0, sizeof *sel);
	struct child_identity named = {"", "", "", "", "", "", ""};
	struct identity_keys k;
	char norm[16];
	const char *why;
	if (!text[0])
		return "unlink.identity: required (nhs:NUMBER, upn:UPN, local:AGENCY:ID or #N)";
	if (strlen(text) > 2 * CONCERN_FIELD_MAX)
		return "unlink.identity: too long";
	if (text[0] == '#') {
		char *end;
		unsigned long long n = strtoull(text + 1, &end, 10);
		if (text[1] < '0' || text[1] > '9' || *end || n == 0 || n > 1000000)
			return "unlink.identity: #N takes a record number from 1 (as `ffcctl "
			       "identities` lists them)";
		sel->index = (size_t)n;
		return NULL;
	}
	int agency = 0;
	if (!strncmp(text, "nhs:", 4)) {
		if (validate_nhs_number(text + 4, norm, &why) < 0)
			return "unlink.identity: not a valid NHS number";
		named.nhs_number = norm;
	} else if (!strncmp(text, "upn:", 4)) {
		if (validate_upn(text + 4, norm, &why) < 0)
			return "unlink.identity: not a valid UPN";
		named.upn = norm;
	} else if (!strncmp(text, "local:", 6)) {
		const char *colon = strchr(text + 6, ':');
		char name[32];
		size_t len = colon ? (size_t)(colon - (text + 6)) : 0;
		if (!colon || len == 0 || len >= sizeof name || !colon[1])
			return "unlink.identity: local takes local:AGENCY:ID (e.g. "
			       "local:police:P-1)";
		memcpy(name, text + 6, len);
		name[len] = '\0';
		agency = agency_parse(name);
		if (agency <= 0)
			return "unlink.identity: unknown agency in local:AGENCY:ID";
		named.local_id = colon + 1;
	} else {
		return "unlink.identity: give nhs:NUMBER, upn:UPN, local:AGENCY:ID or #N";
	}
	identity_keys(&named, agency, &k);
	const char *key = k.nhs[0] ? k.nhs : k.upn[0] ? k.upn : k.local;
	if (!key[0])
		return "unlink.identity: local:AGENCY:ID needs an id";
	snprintf(sel->key, sizeof sel->key, "%s", key);
	return NULL;
}

struct unlink_job {
	const struct control_env *env;
	const char *operator_;
	const Ffc__V1__UnlinkRequest *req;
	const struct split_selector *sel;
	int64_t now_ms;
	/* set by each attempt */
	char err[640];
	uint64_t child;
	struct split_result res;
	struct outbox raised; /* what the judge raised */
};

static int unlink_run(struct store_txn *t, void *arg)
{
	struct unlink_job *j = arg;
	outbox_clear(&j->raised);
	j->err[0] = '\0';
	const char *e = control_named_child(t, "unlink.child_id", j->req->child_id, &j->child,
	                                    j->err, sizeof j->err);
	if (e) {
		if (e != j->err)
			snprintf(j->err, sizeof j->err, "%s", e);
		return CONTROL_REFUSED;
	}
	int rc = merge_split(t, j->child, j->sel, j->operator_, j->req->reason, j->req->identity,
	                     j->now_ms, &j->res, j->err, sizeof j->err);
	if (rc == SPLIT_REFUSED)
		return CONTROL_REFUSED;
	if (rc != STORE_OK)
		return rc;
	char note[RULE_REASON_MAX], a[WIRE_ID_MAX], b[WIRE_ID_MAX];
	wire_child_id(j->res.new_child, a);
	wire_child_id(j->child, b);
	snprintf(note, sizeof note, "after %s was split from %s", a, b);
	if ((rc = judge_history(t, j->child, j->env->rules, j->env->n_rules, note, j->now_ms,
	                        &j->raised)) != STORE_OK)
		return rc;
	return judge_history(t, j->res.new_child, j->env->rules, j->env->n_rules, note, j->now_ms,
	                     &j->raised);
}

static const char *unlink_request(const struct control_env *env, const char *operator_,
                                  const Ffc__V1__UnlinkRequest *req, int64_t now_ms,
                                  struct arena *ar, Ffc__V1__ControlReply *reply)
{
	static char err[640];
	struct split_selector sel;
	const char *e =
	    control_check_who_why(operator_, req->reason, "unlink.reason", err, sizeof err);
	if (!e && !req->child_id[0])
		e = "unlink.child_id: required";
	if (!e)
		e = parse_identity(req->identity, &sel);
	if (e)
		return e;
	struct unlink_job *j = calloc(1, sizeof *j);
	if (!j)
		return "out of memory";
	j->env = env;
	j->operator_ = operator_;
	j->req = req;
	j->sel = &sel;
	j->now_ms = now_ms;
	int rc = control_write(env, unlink_run, j);
	const char *out = control_write_error(rc, j->err, ar);
	if (!out) {
		Ffc__V1__UnlinkReply *r = arena_alloc(ar, sizeof *r);
		if (r) {
			ffc__v1__unlink_reply__init(r);
			r->child_id = child_id_string(ar, j->child);
			r->new_child_id = child_id_string(ar, j->res.new_child);
			r->moved_identities = j->res.moved_identities;
			r->moved_concerns = j->res.moved_concerns;
			r->event = event_copy(ar, &j->res.event);
			r->raised = control_publish_raised(env, ar, &j->raised, &r->n_raised);
			reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_UNLINK;
			reply->unlink = r;
		}
		log_info("control: unlink by %s: %u concerns moved to a new child", operator_,
		         j->res.moved_concerns);
	}
	outbox_clear(&j->raised);
	free(j);
	return out;
}

/* ---- the commands (control_commands.h) ---- */

const char *control_identities(struct control_call *call)
{
	return identities(call->t, call->rq->identities, call->ar, call->reply);
}

const char *control_conflicts(struct control_call *call)
{
	return conflicts(call->t, call->rq->conflicts, call->ar, call->reply);
}

const char *control_link(struct control_call *call)
{
	return link_request(call->env, call->rq->operator_, call->rq->link, call->now_ms, call->ar,
	                    call->reply);
}

const char *control_unlink(struct control_call *call)
{
	return unlink_request(call->env, call->rq->operator_, call->rq->unlink, call->now_ms,
	                      call->ar, call->reply);
}
