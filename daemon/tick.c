/*
 * tick.c - the loop's housekeeping every iteration: overdue reminders,
 * the heartbeat, memory given back.
 *
 * Owns when each is due. Does not own which alerts are overdue
 * (overdue.c), the heartbeat's message (heartbeat.c) or the socket they
 * are published on (server.c).
 */
#include "tick.h"

#include <malloc.h>

#include "log.h"
#include "notice.h"
#include "overdue.h"

/* Free memory malloc keeps at the top of its heap before it gives any
 * back by itself. Its default (128 KiB, raised as large blocks are
 * freed) is crossed by every batch, whose alert records and scratch are
 * tens of KiB each: the heap was trimmed and grown again many times a
 * batch, each time a system call, a TLB shootdown and fresh pages
 * faulted in. Past this much, or when peers leave (tick_give_back), it
 * is still given back. */
#define TRIM_THRESHOLD (8 << 20)

void tick_init(struct tick *t, int64_t started_at_ms)
{
	*t = (struct tick){0};
	mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
	heartbeat_init(&t->hb, started_at_ms, HEARTBEAT_INTERVAL_MS);
}

void tick_peers_left(struct tick *t)
{
	t->trim_due = 1;
}

int64_t tick_wait_ms(const struct tick *t, int64_t now)
{
	int64_t wait = heartbeat_wait_ms(&t->hb, now);
	if (t->trim_due && (wait < 0 || wait > 1000))
		wait = 1000;
	return wait;
}

/* At most once a second (and so also after a batch), whether or not
 * anything else happens. */
void tick_remind(struct tick *t, struct store *store, const struct alert_policy *policy,
                 int64_t now, struct outbox *ob)
{
	if (now >= t->reminded_at_ms && now - t->reminded_at_ms < 1000)
		return;
	t->reminded_at_ms = now;
	overdue_remind(store, policy, now, ob);
	notice_remind(store, now, ob);
}

void tick_beat(struct tick *t, struct store *store, int64_t now, struct outbox *ob)
{
	if (!heartbeat_due(&t->hb, now))
		return;
	heartbeat_sent(&t->hb, now);
	struct store_txn *txn;
	if (store_begin(store, 0, &txn) != STORE_OK) {
		log_warn("heartbeat: cannot read the latest alert seq");
		return;
	}
	uint64_t last = store_last_alert_seq(txn);
	store_abort(&txn);
	uint8_t *buf = NULL;
	size_t len = 0;
	if (heartbeat_pack(&t->hb, last, now, &buf, &len) < 0 ||
	    outbox_add(ob, HEARTBEAT_TOPIC, buf, len, NULL) < 0)
		log_error("heartbeat: out of memory");
}

void tick_give_back(struct tick *t, int64_t now)
{
	if (!t->trim_due || (now >= t->trimmed_at_ms && now - t->trimmed_at_ms < 1000))
		return;
	malloc_trim(0);
	t->trim_due = 0;
	t->trimmed_at_ms = now;
}
