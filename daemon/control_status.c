/*
 * control_status.c - the control commands about the daemon itself: status
 * (what runs where, the store's size and faults), stats (the counters
 * stored and those kept in memory) and shutdown.
 *
 * Owns those replies. The counters are kept by the store and stats.c; the
 * configuration's part of status is control_rules.c's; stopping the loop
 * is the server's, told through the call's action.
 */
#include "control_int.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

const char *control_status(struct control_call *call)
{
	struct store *s = call->env->store;
	struct store_txn *t = call->t;
	const struct daemon_info *info = call->env->info;
	const int64_t now_ms = call->now_ms;
	Ffc__V1__StatusReply *r = arena_alloc(call->ar, sizeof *r);
	if (!r)
		return NULL;
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
	r->store_map_max_bytes = store_map_size_max(s);
	r->store_format = store_format(s);
	r->now_ms = now_ms;
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
	control_rules_status(call->env, r);
	/* What a console offers when an alert is closed. */
	const struct alert_policy *p = call->env->policy;
	if (p && p->n_outcomes) {
		r->outcomes = arena_alloc(call->ar, p->n_outcomes * sizeof *r->outcomes);
		for (size_t i = 0; r->outcomes && i < p->n_outcomes; i++)
			r->outcomes[r->n_outcomes++] = (char *)(uintptr_t)p->outcomes[i];
	}
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_STATUS;
	call->reply->status = r;
	return NULL;
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

/* A histogram as the reply carries it, in the arena. NULL when out of
 * memory (the arena says so). */
static Ffc__V1__Histogram *histogram(struct arena *ar, const struct stats_histogram *h)
{
	Ffc__V1__Histogram *m = arena_alloc(ar, sizeof *m);
	double *bounds = arena_alloc(ar, (h->n ? h->n : 1) * sizeof *bounds);
	uint64_t *at_most = arena_alloc(ar, (h->n ? h->n : 1) * sizeof *at_most);
	if (!m || !bounds || !at_most)
		return NULL;
	ffc__v1__histogram__init(m);
	for (size_t i = 0; i < h->n; i++) {
		bounds[i] = h->bounds[i];
		at_most[i] = stats_histogram_at_most(h, i);
	}
	m->n_bounds = m->n_at_most = h->n;
	m->bounds = bounds;
	m->at_most = at_most;
	m->count = h->count;
	m->sum = h->sum;
	return m;
}

const char *control_stats(struct control_call *call)
{
	struct store_txn *t = call->t;
	const struct stats *st = call->env->stats;
	struct arena *ar = call->ar;
	static const char *const status_names[] = {"UNSPECIFIED", "ACCEPTED", "DUPLICATE",
	                                           "REJECTED"};
	Ffc__V1__StatsReply *r = arena_alloc(ar, sizeof *r);
	if (!r)
		return NULL;
	ffc__v1__stats_reply__init(r);
	r->concerns_by_agency = counters(t, ar, "agency.", &r->n_concerns_by_agency);
	r->alerts_by_level = counters(t, ar, "level.", &r->n_alerts_by_level);
	r->alerts_by_rule = counters(t, ar, "rule.", &r->n_alerts_by_rule);
	r->children = store_counter_get(t, "children");
	r->concerns = store_counter_get(t, "concerns");
	r->alerts = store_counter_get(t, "alerts");
	r->batches = st->batches;
	r->batch_sizes = histogram(ar, &st->batch_sizes);
	r->batch_seconds = histogram(ar, &st->batch_seconds);
	r->last_batch_at_ms = st->last_batch_at_ms;
	r->consoles = st->consoles;
	r->adapters = st->adapters;
	r->possible_matches = store_counter_get(t, "matches");
	r->matches_by_kind = counters(t, ar, "match.", &r->n_matches_by_kind);
	r->merges = store_counter_get(t, "identity.merged");
	r->splits = store_counter_get(t, "identity.split");
	r->identity_conflicts = store_counter_get(t, "identity.conflict");
	r->overdue = store_alert_overdue_count(t);
	r->reminders = store_counter_get(t, "reminders");
	r->notices = store_counter_get(t, "notices");
	r->feedback = store_counter_get(t, "feedback");
	r->withdrawn = store_counter_get(t, "withdrawn");
	r->purged = store_counter_get(t, "purged");
	r->child_statuses = store_counter_get(t, "statuses");
	r->lookups = store_counter_get(t, "lookups") + store_counter_get(t, "lookups.unknown");
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
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_STATS;
	call->reply->stats = r;
	return NULL;
}

const char *control_shutdown(struct control_call *call)
{
	static Ffc__V1__ShutdownReply shutdown_reply = FFC__V1__SHUTDOWN_REPLY__INIT;
	const char *by = call->rq->operator_;
	log_info("control: shutdown requested%s%s", by[0] ? " by " : "", by);
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_SHUTDOWN;
	call->reply->shutdown = &shutdown_reply;
	call->action = CONTROL_SHUTDOWN;
	return NULL;
}
