/*
 * tick.h - what the poll loop does every iteration, whatever arrived:
 * remind of overdue alerts, publish the heartbeat, give memory back.
 *
 * Each is bounded in time by the clock passed in (reminders and memory
 * at most once a second, the heartbeat when heartbeat.h says one is
 * due), so a busy daemon does them as often as an idle one and never
 * more. What they publish goes into an outbox the caller sends; no
 * sockets here.
 */
#ifndef FFC_TICK_H
#define FFC_TICK_H

#include <stdint.h>

#include "heartbeat.h"
#include "lifecycle.h"
#include "outbox.h"
#include "store.h"

struct tick {
	struct heartbeat hb;
	int64_t reminded_at_ms; /* when overdue alerts were last looked for */
	int trim_due;           /* peers left: give memory back */
	int64_t trimmed_at_ms;
};

/* Set *t whole for a daemon started at started_at_ms. Cannot fail. */
void tick_init(struct tick *t, int64_t started_at_ms);

/* Peers left, which may have had megabytes queued: memory may be given
 * back at the next tick_give_back(). */
void tick_peers_left(struct tick *t);

/* How long the loop may wait at now_ms before something here is due:
 * 0 .. HEARTBEAT_INTERVAL_MS (at most a second while memory is to be
 * given back). */
int64_t tick_wait_ms(const struct tick *t, int64_t now_ms);

/* Remind of alerts nobody picked up in time (overdue.h) and of Operation
 * Encompass notices nobody acknowledged by their reminder time
 * (notice.h), at most once a second, into ob. Errors are logged there. */
void tick_remind(struct tick *t, struct store *store, const struct alert_policy *policy,
                 int64_t now_ms, struct outbox *ob);

/* When a heartbeat is due, add it to ob, naming the latest alert seq in
 * the store. Called after the iteration's alerts are committed and
 * published, so every alert up to that seq went out before the heartbeat
 * naming it. A store that cannot be read or memory running out is logged
 * and the beat skipped. */
void tick_beat(struct tick *t, struct store *store, int64_t now_ms, struct outbox *ob);

/* Give freed memory back to the system (malloc_trim) when peers left,
 * at most once a second: it walks the heap. */
void tick_give_back(struct tick *t, int64_t now_ms);

#endif
