/*
 * web_relay.c - ffc-web's one subscriber of ffcd's alerts socket: alerts,
 * their changes, overdue reminders and heartbeats, put in the ring
 * (web_ring.c) for every browser's stream. Never missing one, as
 * ffc-watch does: a jump in seq, a heartbeat announcing a later seq, a
 * restarted daemon or a reconnection is caught up through the control
 * socket by seq (the cursor and when to catch up: ffc_watch_gap.c), and
 * what cannot be caught up by seq (changes to alerts while the relay was
 * away) makes the browsers reload ("resync").
 *
 * It asks ffcd for itself, naming nobody: as a delegate it is then a
 * console of every level, which may fetch the alerts listing and nothing
 * else. Whether a person may see the alerts is decided when their stream
 * starts (web_stream.c).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffc_watch_gap.h"
#include "web.h"

/* Between attempts to reach the control socket after one failed. */
#define RETRY_MS 2000

struct web_relay {
	pthread_t thread;
	struct web *w;
	atomic_int stop;
	struct watch_gap gap;
	int synced;  /* gap.last is ffcd's latest seq, or caught up to */
	int pending; /* a catch-up failed: retry at retry_ms */
	int64_t retry_ms;
	int live; /* the status last pushed */
	char last_error[256];
};

static void status(struct web_relay *r, int live, const char *why)
{
	json_t *o = json_pack("{s:b,s:s}", "live", live, "why", why);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (s)
		ring_push(&r->w->ring, RING_STATUS, 0, s);
	if (live != r->live)
		web_log(live ? "INFO" : "WARN", "alerts: %s", why);
	r->live = live;
}

static void push_message(struct web_relay *r, enum ring_kind kind, uint64_t seq,
                         const ProtobufCMessage *m)
{
	char *json = ffc_json_from_message(m);
	if (json)
		ring_push(&r->w->ring, kind, seq, json);
	else
		web_log("ERROR", "alerts: out of memory relaying seq %llu",
		        (unsigned long long)seq);
}

/* One alerts listing after since (the delegate naming nobody). */
static Ffc__V1__ControlReply *listing(struct web_relay *r, uint64_t since, uint32_t limit)
{
	const struct web_config *cfg = &r->w->cfg;
	Ffc__V1__AlertsRequest ar = FFC__V1__ALERTS_REQUEST__INIT;
	ar.since_seq = since;
	ar.limit = limit;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS;
	req.alerts = &ar;
	req.operator_ = (char *)(uintptr_t)cfg->operator_name;
	Ffc__V1__ControlReply *reply = NULL;
	char err[256];
	int rc = ffc_control_call(cfg->control, &req, &reply, cfg->timeout_ms);
	if (rc == FFC_OK && !reply->error[0] && reply->alerts) {
		r->last_error[0] = '\0';
		return reply;
	}
	snprintf(err, sizeof err, "%s", rc != FFC_OK ? ffc_strerror(rc) : reply->error);
	if (strcmp(err, r->last_error)) /* once per kind of failure, not per retry */
		web_log("ERROR", "alerts: cannot catch up through %s: %s", cfg->control, err);
	snprintf(r->last_error, sizeof r->last_error, "%s", err);
	if (reply)
		ffc__v1__control_reply__free_unpacked(reply, NULL);
	return NULL;
}

/* Relay every stored alert after the cursor, in seq order. 0, or -1 when
 * ffcd did not answer (retried later: nothing is lost). */
static int catch_up(struct web_relay *r)
{
	if (r->pending && web_monotonic_ms() < r->retry_ms)
		return -1;
	for (;;) {
		Ffc__V1__ControlReply *reply = listing(r, r->gap.last, 500);
		if (!reply) {
			r->pending = 1;
			r->retry_ms = web_monotonic_ms() + RETRY_MS;
			return -1;
		}
		const Ffc__V1__AlertsReply *a = reply->alerts;
		if (r->gap.last > a->last_seq) {
			/* A new store: its seqs start again. Every browser reloads. */
			web_log("WARN", "alerts: ffcd's latest seq %llu is below %llu: a new store",
			        (unsigned long long)a->last_seq, (unsigned long long)r->gap.last);
			r->gap.last = a->last_seq;
			ring_push(&r->w->ring, RING_RESYNC, 0, strdup("{}"));
			ffc__v1__control_reply__free_unpacked(reply, NULL);
			break;
		}
		for (size_t i = 0; i < a->n_alerts; i++) {
			if (a->alerts[i]->seq <= r->gap.last)
				continue;
			push_message(r, RING_ALERT, a->alerts[i]->seq, &a->alerts[i]->base);
			watch_gap_handled(&r->gap, a->alerts[i]->seq);
		}
		int more = a->more && a->n_alerts > 0;
		if (!a->more)
			watch_gap_handled(&r->gap, a->last_seq);
		ffc__v1__control_reply__free_unpacked(reply, NULL);
		if (!more)
			break;
	}
	r->pending = 0;
	r->synced = 1;
	return 0;
}

/* Learn ffcd's latest seq without relaying history: browsers load what
 * they show themselves; the relay carries what happens from now. */
static int sync_cursor(struct web_relay *r)
{
	Ffc__V1__ControlReply *reply = listing(r, UINT64_MAX - 1, 1);
	if (!reply)
		return -1;
	watch_gap_init(&r->gap, reply->alerts->last_seq, web_monotonic_ms());
	ffc__v1__control_reply__free_unpacked(reply, NULL);
	r->synced = 1;
	return 0;
}

static void handle(struct web_relay *r, const ffc_sub_event_t *ev, int *connected_before)
{
	int was_silent = 0;
	if (!r->synced && ev->kind != FFC_SUB_HEARTBEAT)
		sync_cursor(r);
	switch (ev->kind) {
	case FFC_SUB_ALERT:
		if (!r->synced) {
			push_message(r, RING_ALERT, ev->alert->seq, &ev->alert->base);
			return;
		}
		switch (watch_gap_alert(&r->gap, ev->alert->seq)) {
		case WATCH_DROP:
			return;
		case WATCH_CATCH_UP:
			/* The gap first, so everything goes out in seq order;
			 * the fetch holds this alert too. */
			if (catch_up(r) == 0 && ev->alert->seq <= r->gap.last)
				return;
			break;
		case WATCH_SHOW:
			break;
		}
		push_message(r, RING_ALERT, ev->alert->seq, &ev->alert->base);
		watch_gap_handled(&r->gap, ev->alert->seq);
		return;
	case FFC_SUB_HEARTBEAT: {
		const Ffc__V1__Heartbeat *h = ev->heartbeat;
		if (!r->synced) {
			watch_gap_init(&r->gap, h->last_seq, web_monotonic_ms());
			r->synced = 1;
		}
		enum watch_reason why =
		    watch_gap_heartbeat(&r->gap, h->last_seq, h->started_at_ms,
		                        (int64_t)h->interval_ms, web_monotonic_ms(), &was_silent);
		if (!r->live || was_silent)
			status(r, 1, "ffcd is heard");
		if (why == WATCH_RESTART)
			ring_push(&r->w->ring, RING_RESYNC, 0, strdup("{}"));
		if (why != WATCH_OK)
			catch_up(r);
		return;
	}
	case FFC_SUB_CONNECTED:
		if (*connected_before) {
			/* Changes published while away are not caught up by seq:
			 * every browser reloads. */
			catch_up(r);
			ring_push(&r->w->ring, RING_RESYNC, 0, strdup("{}"));
		}
		*connected_before = 1;
		return;
	case FFC_SUB_DISCONNECTED:
		status(r, 0, "lost the connection to ffcd's alerts socket; reconnecting");
		return;
	case FFC_SUB_CHANGE:
		push_message(r, RING_CHANGE, ev->change->seq, &ev->change->base);
		return;
	case FFC_SUB_OVERDUE:
		push_message(r, RING_OVERDUE, ev->alert->seq, &ev->alert->base);
		return;
	case FFC_SUB_ACCESS:
	case FFC_SUB_NOTICE:
	case FFC_SUB_FEEDBACK:
		/* A point-of-contact lookup, an Operation Encompass notice,
		 * feedback: shown in the child's record, to schools and to
		 * agencies, not on the alerts page (ffc-web subscribes to none
		 * but event.access, which comes with event.*). */
		return;
	}
}

static void *run(void *arg)
{
	struct web_relay *r = arg;
	const struct web_config *cfg = &r->w->cfg;
	ffc_sub_t *sub = ffc_sub_new(cfg->alerts, "alert.");
	if (!sub || ffc_sub_subscribe(sub, "event.") != FFC_OK ||
	    ffc_sub_subscribe(sub, "overdue.") != FFC_OK ||
	    ffc_sub_subscribe(sub, FFC_HEARTBEAT_TOPIC) != FFC_OK ||
	    ffc_sub_monitor(sub) != FFC_OK) {
		web_log("ERROR", "alerts: cannot subscribe to %s", cfg->alerts);
		status(r, 0, "cannot subscribe to ffcd's alerts socket");
		ffc_sub_destroy(&sub);
		return NULL;
	}
	status(r, 0, "waiting for ffcd");
	sync_cursor(r);
	int connected_before = 0;
	while (!atomic_load(&r->stop)) {
		ffc_sub_event_t ev;
		int rc = ffc_sub_next(sub, &ev, 500);
		if (rc == FFC_OK)
			handle(r, &ev, &connected_before);
		else if (rc == FFC_EPROTO)
			web_log("WARN",
			        "alerts: a message that does not parse as its topic says (%s)",
			        ev.topic);
		ffc_sub_event_release(&ev);
		if (r->synced && watch_gap_silent(&r->gap, web_monotonic_ms()))
			status(r, 0, "no heartbeat from ffcd for 3 seconds");
		if (r->pending)
			catch_up(r);
	}
	ffc_sub_destroy(&sub);
	return NULL;
}

int web_relay_start(struct web *w)
{
	struct web_relay *r = calloc(1, sizeof *r);
	if (!r)
		return -1;
	r->w = w;
	r->live = -1;
	if (pthread_create(&r->thread, NULL, run, r) != 0) {
		free(r);
		return -1;
	}
	w->relay = r;
	return 0;
}

void web_relay_stop(struct web *w)
{
	struct web_relay *r = w->relay;
	if (!r)
		return;
	atomic_store(&r->stop, 1);
	pthread_join(r->thread, NULL);
	free(r);
	w->relay = NULL;
}
