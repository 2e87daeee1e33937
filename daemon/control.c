/*
 * control.c - answers ControlRequests (status, stats, child, alerts,
 * shutdown) from read transactions on the store.
 *
 * Owns the control messages, which exist only for this socket, so it
 * builds them from the generated protobuf-c types directly rather than
 * through wire.c. Every allocation for one reply goes into an arena that
 * is freed after packing. Does not own the socket (server.c). Identity
 * review (conflicts, identities, link, unlink) is control_identity.c's.
 */
#include "control.h"
#include "control_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ffc.pb-c.h"
#include "ffc_store.pb-c.h"
#include "identity.h"
#include "log.h"
#include "validate.h"

/* ---- status and stats ---- */

static void status(struct store *s, struct store_txn *t, const struct daemon_info *info,
                   int64_t now_ms, struct arena *ar, Ffc__V1__ControlReply *reply)
{
	Ffc__V1__StatusReply *r = arena_alloc(ar, sizeof *r);
	if (!r)
		return;
	ffc__v1__status_reply__init(r);
	r->version = (char *)(uintptr_t)info->version;
	r->started_at_ms = info->started_at_ms;
	r->uptime_s =
	    now_ms > info->started_at_ms ? (uint64_t)(now_ms - info->started_at_ms) / 1000 : 0;
	r->ingest_endpoint = (char *)(uintptr_t)info->ingest;
	r->alerts_endpoint = (char *)(uintptr_t)info->alerts;
	r->control_endpoint = (char *)(uintptr_t)info->control;
	r->store_path = (char *)(uintptr_t)store_path(s);
	r->store_bytes = store_used_bytes(s);
	r->store_map_bytes = store_map_size(s);
	const struct store_fault *f = store_fault(s);
	r->store_fault = (char *)(uintptr_t)(f->last == STORE_DISK_FULL  ? "disk full"
	                                     : f->last == STORE_IO_ERROR ? "I/O error"
	                                                                 : "");
	r->store_fault_at_ms = f->last == STORE_OK ? 0 : f->at_ms;
	r->disk_full = f->disk_full;
	r->disk_full_at_ms = f->disk_full_at_ms;
	r->concerns = store_counter_get(t, "concerns");
	r->children = store_counter_get(t, "children");
	r->alerts = store_last_alert_seq(t);
	r->pid = (uint32_t)info->pid;
	/* The public key only: the secret never leaves the server. */
	r->security_mode = (char *)(uintptr_t)(info->security_mode ? info->security_mode : "");
	r->server_public_key = (char *)(uintptr_t)(info->public_key ? info->public_key : "");
	reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_STATUS;
	reply->status = r;
}

struct counter_list {
	struct arena *ar;
	size_t prefix_len;
	size_t n, cap;
	Ffc__V1__Counter **items;
};

static void counter_push(struct counter_list *l, const char *name, uint64_t value)
{
	if (arena_grow_ptrs((void ***)&l->items, &l->cap, l->n + 1) < 0) {
		l->ar->failed = 1;
		return;
	}
	Ffc__V1__Counter *c = arena_alloc(l->ar, sizeof *c);
	if (!c)
		return;
	ffc__v1__counter__init(c);
	c->name = arena_strdup(l->ar, name);
	c->count = value;
	l->items[l->n++] = c;
}

static void counter_visit(const char *name, uint64_t value, void *arg)
{
	struct counter_list *l = arg;
	counter_push(l, name + l->prefix_len, value);
}

/* Hand the list's counters over as an arena-owned array of *n. */
static Ffc__V1__Counter **counter_list_take(struct counter_list *l, size_t *n)
{
	Ffc__V1__Counter **out = arena_alloc(l->ar, (l->n ? l->n : 1) * sizeof *out);
	if (out && l->n)
		memcpy(out, l->items, l->n * sizeof *out);
	*n = out ? l->n : 0;
	free(l->items);
	*l = (struct counter_list){.ar = l->ar};
	return out;
}

/* Stored counters under a prefix, the prefix taken off their names. */
static Ffc__V1__Counter **counters(struct store_txn *t, struct arena *ar, const char *prefix,
                                   size_t *n)
{
	struct counter_list l = {.ar = ar, .prefix_len = strlen(prefix)};
	store_counter_each(t, prefix, counter_visit, &l);
	return counter_list_take(&l, n);
}

static void stats(struct store_txn *t, const struct stats *st, struct arena *ar,
                  Ffc__V1__ControlReply *reply)
{
	static const char *const status_names[] = {"UNSPECIFIED", "ACCEPTED", "DUPLICATE",
	                                           "REJECTED"};
	Ffc__V1__StatsReply *r = arena_alloc(ar, sizeof *r);
	if (!r)
		return;
	ffc__v1__stats_reply__init(r);
	r->concerns_by_agency = counters(t, ar, "agency.", &r->n_concerns_by_agency);
	r->alerts_by_level = counters(t, ar, "level.", &r->n_alerts_by_level);
	r->alerts_by_rule = counters(t, ar, "rule.", &r->n_alerts_by_rule);
	r->children = store_counter_get(t, "children");
	r->concerns = store_counter_get(t, "concerns");
	r->alerts = store_counter_get(t, "alerts");
	r->batches = st->batches;
	r->possible_matches = store_counter_get(t, "matches");
	r->matches_by_kind = counters(t, ar, "match.", &r->n_matches_by_kind);
	r->merges = store_counter_get(t, "identity.merged");
	r->splits = store_counter_get(t, "identity.split");
	r->identity_conflicts = store_counter_get(t, "identity.conflict");
	r->overdue = store_alert_overdue_count(t);
	r->reminders = store_counter_get(t, "reminders");
	r->withdrawn = store_counter_get(t, "withdrawn");
	r->purged = store_counter_get(t, "purged");
	r->refused_unknown_key = st->refused_unknown_key;
	r->refused_role = st->refused_role;
	r->refused_malformed = st->refused_malformed;
	/* With those counted and not yet written (control_refusals.h). */
	r->control_refused = store_counter_get(t, "control.refused") + control_refusals_pending();
	r->audit_entries = store_last_audit_seq(t);

	struct counter_list l = {.ar = ar};
	for (int i = RECEIPT_ACCEPTED; i <= RECEIPT_REJECTED; i++)
		counter_push(&l, status_names[i], st->receipts[i]);
	r->receipts_by_status = counter_list_take(&l, &r->n_receipts_by_status);
	for (size_t i = 0; i < st->n_reasons; i++)
		counter_push(&l, st->rejects[i].reason, st->rejects[i].count);
	r->rejects_by_reason = counter_list_take(&l, &r->n_rejects_by_reason);
	const struct {
		const char *name;
		uint64_t count;
	} peers[] = {
	    {"refused_banned", st->refused_banned},
	    {"alerts_data", st->alerts_data},
	    {"alerts_discarded", st->alerts_discarded},
	    {"alerts_refused", st->alerts_refused},
	    {"alerts_cut", st->alerts_cut},
	    {"ingest_parts", st->ingest_parts},
	    {"receipts_unsent", st->receipts_unsent},
	    {"ingest_conns_refused", st->ingest_conns_refused},
	    {"control_parts", st->control_parts},
	};
	for (size_t i = 0; i < sizeof peers / sizeof peers[0]; i++)
		counter_push(&l, peers[i].name, peers[i].count);
	r->peers = counter_list_take(&l, &r->n_peers);
	reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_STATS;
	reply->stats = r;
}

/* ---- alerts ---- */

/* The stored alert seq as an Alert message kept in the arena. */
Ffc__V1__Alert *control_alert_message(struct store_txn *t, struct arena *ar, uint64_t seq)
{
	const void *data;
	size_t len;
	if (store_alert_raw(t, seq, &data, &len) != STORE_OK)
		return NULL;
	Ffc__Store__StoredAlert *sa = ffc__store__stored_alert__unpack(NULL, len, data);
	if (!sa)
		return NULL;
	if (arena_keep(ar, &sa->base) < 0)
		return NULL;
	/* Alerts stored before they had a state of their own take it from
	 * the record's. */
	if (sa->alert && !sa->alert->state)
		sa->alert->state = sa->state == FFC__STORE__ALERT_STATE__CLOSED
		                       ? FFC__V1__ALERT_STATE__CLOSED
		                   : sa->state == FFC__STORE__ALERT_STATE__SUPERSEDED
		                       ? FFC__V1__ALERT_STATE__SUPERSEDED
		                       : FFC__V1__ALERT_STATE__OPEN;
	return sa->alert;
}

const char *control_alerts_page(struct store_txn *t, const Ffc__V1__AlertsRequest *req,
                                struct arena *ar, Ffc__V1__AlertsReply **page, size_t *limit)
{
	*page = NULL;
	if (req->level != FFC__V1__LEVEL__LEVEL_UNSPECIFIED &&
	    req->level != FFC__V1__LEVEL__AMBER && req->level != FFC__V1__LEVEL__RED)
		return "alerts.level: unknown value";
	if (req->state < FFC__V1__ALERT_STATE__ALERT_STATE_UNSPECIFIED ||
	    req->state > FFC__V1__ALERT_STATE__SUPERSEDED)
		return "alerts.state: unknown value";
	*limit = req->limit ? req->limit : CONTROL_ALERTS_PAGE;
	if (*limit > CONTROL_ALERTS_MAX)
		*limit = CONTROL_ALERTS_MAX;
	Ffc__V1__AlertsReply *r = arena_alloc(ar, sizeof *r);
	Ffc__V1__Alert **items = arena_alloc(ar, *limit * sizeof *items);
	if (!r || !items)
		return NULL;
	ffc__v1__alerts_reply__init(r);
	r->last_seq = store_last_alert_seq(t);
	r->alerts = items;
	*page = r;
	return NULL;
}

/* levels: bit (1u << level) per level the caller may see; all when 0. */
static const char *alerts(struct store_txn *t, const Ffc__V1__AlertsRequest *req, unsigned levels,
                          struct arena *ar, Ffc__V1__ControlReply *reply)
{
	Ffc__V1__AlertsReply *r;
	size_t limit;
	const char *err = control_alerts_page(t, req, ar, &r, &limit);
	if (err || !r)
		return err;
	const uint64_t last = r->last_seq;
	Ffc__V1__Alert **items = r->alerts;
	for (uint64_t seq = req->since_seq + 1; seq <= last && seq > req->since_seq; seq++) {
		Ffc__V1__Alert *a = control_alert_message(t, ar, seq);
		if (!a)
			continue;
		if (req->level && a->level != req->level)
			continue;
		if (req->state && a->state != req->state)
			continue;
		if (levels && (a->level < 0 || a->level >= 32 || !(levels & (1u << a->level))))
			continue;
		if (r->n_alerts == limit) {
			r->more = 1;
			break;
		}
		items[r->n_alerts++] = a;
	}
	reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_ALERTS;
	reply->alerts = r;
	return NULL;
}

/* ---- a child's chronology ---- */

const char *control_find_child(struct store_txn *t, const Ffc__V1__ChildRequest *req,
                               uint64_t *child)
{
	uint64_t found = 0;
	int rc;
	if (req->child_id[0]) {
		if (wire_child_id_parse(req->child_id, &found) < 0)
			return "child.child_id: not a child id (like C00000042)";
		rc = store_child_resolve(t, found, child);
	} else if (req->nhs_number[0] || req->upn[0]) {
		/* Looked up under the same normalised key the linking used. */
		char norm[14];
		const char *why;
		struct identity_keys keys;
		struct child_identity named = {"", "", "", "", "", "", ""};
		if (req->nhs_number[0]) {
			if (validate_nhs_number(req->nhs_number, norm, &why) < 0)
				return "child.nhs_number: not a valid NHS number";
			named.nhs_number = norm;
		} else {
			if (validate_upn(req->upn, norm, &why) < 0)
				return "child.upn: not a valid UPN";
			named.upn = norm;
		}
		identity_keys(&named, 0, &keys);
		rc = store_identity_get(t, keys.nhs[0] ? keys.nhs : keys.upn, &found);
		if (rc == STORE_OK)
			rc = store_child_resolve(t, found, child);
	} else {
		return "child: give child_id, nhs_number or upn";
	}
	if (rc == STORE_NOTFOUND)
		return "child: no such child";
	if (rc != STORE_OK)
		return "child: store error";
	return NULL;
}

static const char *child(struct store_txn *t, const Ffc__V1__ChildRequest *req, struct arena *ar,
                         Ffc__V1__ControlReply *reply)
{
	uint64_t id;
	const char *err = control_find_child(t, req, &id);
	if (err)
		return err;
	Ffc__V1__ChildReply *r = arena_alloc(ar, sizeof *r);
	if (!r)
		return NULL;
	ffc__v1__child_reply__init(r);
	char cid[WIRE_ID_MAX];
	wire_child_id(id, cid);
	r->child_id = arena_strdup(ar, cid);

	/* Every concern, oldest first: the timeline is kept in that order. */
	struct concern_ref *refs = NULL;
	size_t n = 0;
	int64_t since = req->since_ms ? req->since_ms : INT64_MIN;
	/* Withdrawn concerns too, marked: the rules no longer count them. */
	if (store_chronology(t, id, since, INT64_MAX, &refs, &n) != STORE_OK)
		return "child: store error";
	r->chronology = arena_alloc(ar, (n + 1) * sizeof *r->chronology);
	for (size_t i = 0; r->chronology && i < n; i++) {
		const void *data;
		size_t len;
		if (store_concern_raw(t, refs[i].seq, &data, &len) != STORE_OK)
			continue;
		Ffc__Store__StoredConcern *sc = ffc__store__stored_concern__unpack(NULL, len, data);
		if (!sc || !sc->concern || arena_keep(ar, &sc->base) < 0) {
			if (sc && !sc->concern)
				protobuf_c_message_free_unpacked(&sc->base, NULL);
			continue;
		}
		Ffc__V1__ChronologyEntry *e = arena_alloc(ar, sizeof *e);
		if (!e)
			break;
		control_chronology_entry(sc, e);
		r->chronology[r->n_chronology++] = e;
	}
	free(refs);

	/* Identity records, alerts with their state, household, events. */
	if ((err = control_child_chronology(t, id, since, ar, r)) != NULL)
		return err;
	if ((err = control_child_corrections(t, id, ar, r)) != NULL)
		return err;
	reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_CHILD;
	reply->child = r;
	return NULL;
}

/* ---- dispatch ---- */

static int pack_reply(const Ffc__V1__ControlReply *reply, uint8_t **out, size_t *len)
{
	size_t n = ffc__v1__control_reply__get_packed_size(reply);
	*out = malloc(n ? n : 1);
	if (!*out)
		return -1;
	*len = ffc__v1__control_reply__pack(reply, *out);
	return 0;
}

int control_error_reply(const char *error, uint8_t **out, size_t *len)
{
	Ffc__V1__ControlReply reply = FFC__V1__CONTROL_REPLY__INIT;
	reply.error = (char *)(uintptr_t)error;
	*out = NULL;
	*len = 0;
	return pack_reply(&reply, out, len);
}

/* Does the command change the store? Those run in control_write(). */
static int writes(Ffc__V1__ControlRequest__CommandCase command)
{
	switch (command) {
	case FFC__V1__CONTROL_REQUEST__COMMAND_DISMISS_MATCH:
	case FFC__V1__CONTROL_REQUEST__COMMAND_LINK:
	case FFC__V1__CONTROL_REQUEST__COMMAND_UNLINK:
	case FFC__V1__CONTROL_REQUEST__COMMAND_ACK:
	case FFC__V1__CONTROL_REQUEST__COMMAND_CLOSE:
	case FFC__V1__CONTROL_REQUEST__COMMAND_NOTE:
	case FFC__V1__CONTROL_REQUEST__COMMAND_ASSIGN:
	case FFC__V1__CONTROL_REQUEST__COMMAND_PURGE: /* a dry run opens its own */
	case FFC__V1__CONTROL_REQUEST__COMMAND_WITHDRAW:
	case FFC__V1__CONTROL_REQUEST__COMMAND_BACKUP: /* audited; may grow the map */
		return 1;
	default:
		return 0;
	}
}

int control_write(const struct control_env *env, int (*fn)(struct store_txn *t, void *arg),
                  void *arg)
{
	for (;;) {
		struct store_txn *t;
		int rc = store_begin(env->store, 1, &t);
		if (rc != STORE_OK)
			return rc;
		rc = fn(t, arg);
		/* A change is audited in its own transaction: both or neither. */
		if (rc == STORE_OK && env->audit && !env->audit->done)
			rc = control_audit_change(t, env->audit);
		if (rc == STORE_OK) {
			rc = store_commit(&t);
			if (rc == STORE_OK && env->audit)
				env->audit->done = 1;
		} else {
			store_abort(&t);
		}
		if (rc != STORE_FULL)
			return rc;
		outbox_clear(env->out);
		if (store_grow(env->store) < 0)
			return STORE_FULL;
	}
}

/* A console sees the alerts of its levels only, on the overdue list too. */
static void keep_levels(Ffc__V1__AlertsReply *r, unsigned levels)
{
	size_t kept = 0;
	for (size_t i = 0; i < r->n_alerts; i++) {
		int level = r->alerts[i]->level;
		if (level >= 0 && level < 32 && (levels & (1u << level)))
			r->alerts[kept++] = r->alerts[i];
	}
	r->n_alerts = kept;
}

enum control_action control_handle(const struct control_env *env_in, const uint8_t *req, size_t len,
                                   int64_t now_ms, uint8_t **out, size_t *out_len)
{
	/* The server's environment with this request's audit entry. */
	struct control_env env_req = *env_in;
	const struct control_env *env = &env_req;
	struct control_audit change = {0};
	struct authz_caller caller;
	struct authz_decision decision = {0};
	uint64_t *named = NULL;
	size_t n_named = 0;
	unsigned seen;
	struct store *s = env->store;
	const struct daemon_info *info = env->info;
	const struct stats *st = env->stats;
	Ffc__V1__ControlReply reply = FFC__V1__CONTROL_REPLY__INIT;
	struct arena ar = {0};
	enum control_action action = CONTROL_NONE;
	const char *err = NULL;
	struct store_txn *t = NULL;
	Ffc__V1__ControlRequest *rq = NULL;
	static Ffc__V1__ShutdownReply shutdown_reply = FFC__V1__SHUTDOWN_REPLY__INIT;

	*out = NULL;
	*out_len = 0;
	char too_big[96];
	if (len > CONTROL_REQUEST_MAX) {
		snprintf(too_big, sizeof too_big, "request: %zu bytes, over the limit of %d bytes",
		         len, CONTROL_REQUEST_MAX);
		err = too_big;
		goto done;
	}
	rq = ffc__v1__control_request__unpack(NULL, len, req);
	if (!rq) {
		err = "request: not a serialized ffc.v1.ControlRequest";
		goto done;
	}
	char field[128], nul[160];
	if (control_nul_field(req, len, field, sizeof field)) {
		snprintf(nul, sizeof nul, "%s: contains a NUL byte", field);
		err = nul;
		goto done;
	}
	/* Who asks, and may they? Decided once, here, for every command. */
	control_caller(env, rq, &caller);
	struct authz_request asked = {.command = (int)rq->command_case, .purpose = rq->purpose};
	if (rq->command_case == FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS) {
		asked.alerts_history = rq->alerts->history;
		asked.alerts_level = (int)rq->alerts->level;
	}
	if (!authz_decide(&caller, &asked, &decision)) {
		control_clean_text(decision.why);
		control_audit_refusal(env, rq, &caller, &decision, now_ms);
		err = decision.why;
		goto done;
	}
	if (writes(rq->command_case)) {
		change = (struct control_audit){rq, &caller, decision.command, now_ms, 0};
		env_req.audit = &change;
	}
	/* A command that writes runs its own write transaction (and may
	 * grow the map, which no open transaction may see). */
	if (!writes(rq->command_case) && store_begin(s, 0, &t) != STORE_OK) {
		err = "store: cannot read";
		goto done;
	}
	switch (rq->command_case) {
	case FFC__V1__CONTROL_REQUEST__COMMAND_STATUS:
		status(s, t, info, now_ms, &ar, &reply);
		if (reply.status)
			control_rules_status(env, reply.status);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_STATS:
		stats(t, st, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_CHILD:
		err = child(t, rq->child, &ar, &reply);
		if (!err && reply.child) {
			control_child_lifecycle(env, t, &ar, reply.child);
			control_audit_viewed(t, &ar, reply.child);
		}
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS:
		/* A console's levels (bit 0, no level, matches no alert: a console
		 * given no level sees none). */
		seen = caller.role == ACCESS_CONSOLE ? caller.levels | 1u : 0;
		err = rq->alerts->overdue ? control_alerts_overdue(t, rq->alerts, &ar, &reply)
		                          : alerts(t, rq->alerts, seen, &ar, &reply);
		if (!err && reply.alerts && caller.role == ACCESS_CONSOLE)
			keep_levels(reply.alerts, caller.levels);
		for (size_t i = 0; !err && reply.alerts && i < reply.alerts->n_alerts; i++) {
			reply.alerts->alerts[i] = control_alert_lifecycle(
			    env, t, &ar, reply.alerts->alerts[i], rq->alerts->history);
			/* The listing consoles catch up with is the broadcast
			 * data again: the same least identity. */
			wire_alert_broadcast(reply.alerts->alerts[i]);
		}
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_ACK:
		err = control_ack(env, rq, now_ms, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_CLOSE:
		err = control_close(env, rq, now_ms, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_NOTE:
		err = control_note(env, rq, now_ms, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_ASSIGN:
		err = control_assign(env, rq, now_ms, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_MATCHES:
		err = control_matches(t, rq->matches, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_DISMISS_MATCH:
		err = control_dismiss_match(env, rq, now_ms, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_SHUTDOWN:
		log_info("control: shutdown requested%s%s", rq->operator_[0] ? " by " : "",
		         rq->operator_);
		reply.result_case = FFC__V1__CONTROL_REPLY__RESULT_SHUTDOWN;
		reply.shutdown = &shutdown_reply;
		action = CONTROL_SHUTDOWN;
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_RELOAD:
		err = control_reload(env, rq->operator_, now_ms, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_RULES_TEST:
		err = control_rules_test(env, t, rq->rules_test, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_CONFLICTS:
		err = control_conflicts(t, rq->conflicts, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_IDENTITIES:
		err = control_identities(t, rq->identities, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_LINK:
		err = control_link(env, rq->operator_, rq->link, now_ms, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_UNLINK:
		err = control_unlink(env, rq->operator_, rq->unlink, now_ms, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_PURGE:
		err = control_purge(env, rq, now_ms, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_WITHDRAW:
		err = control_withdraw(env, rq, now_ms, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_BACKUP:
		err = control_backup(env, rq, now_ms, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_AUDIT:
		err = control_audit_query(t, rq->audit, &ar, &reply);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND__NOT_SET:
	default:
		err = "request: no command (or one this ffcd does not know)";
		break;
	}
	if (!err && ar.failed)
		err = "out of memory";
	/* A read of children's records is in the audit trail before anyone
	 * sees the reply, or the reply is not sent. The reply is packed
	 * first: it may point into the read transaction, which must end
	 * before the audit's write transaction may grow the map. */
	if (!err && decision.reads_record) {
		if (control_audit_named(rq, &reply, &named, &n_named) < 0) {
			err = "out of memory";
		} else if (pack_reply(&reply, out, out_len) < 0) {
			err = "out of memory";
		} else {
			store_abort(&t);
			if (control_audit_reads(env, rq, &caller, decision.command, named, n_named,
			                        now_ms) == 0)
				goto packed;
			free(*out);
			*out = NULL;
			*out_len = 0;
			err = "audit: the read cannot be recorded, so it is refused";
		}
	}
done:
	if (err) {
		/* An error reply carries nothing else. */
		reply.result_case = FFC__V1__CONTROL_REPLY__RESULT__NOT_SET;
		reply.error = (char *)(uintptr_t)err;
	}
	if (pack_reply(&reply, out, out_len) < 0)
		log_error("control: out of memory packing a reply");
packed:
	free(named);
	if (t)
		store_abort(&t);
	if (rq)
		ffc__v1__control_request__free_unpacked(rq, NULL);
	arena_free(&ar);
	return action;
}
