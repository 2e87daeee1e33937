/*
 * overdue.c - the response-time reminders (see overdue.h).
 *
 * Owns finding what is due (through the store's index of waiting alerts,
 * ordered by level and raise time, so the cost is what is due and not
 * every open alert) and the reminder's transaction. Does not own the rules
 * of the lifecycle (lifecycle.c) or the socket (server.c).
 */
#include "overdue.h"

#include <stdio.h>
#include <stdlib.h>

#include "log.h"

struct due {
	uint64_t seqs[OVERDUE_STEP_MAX];
	size_t n;
};

static int collect(uint64_t seq, void *arg)
{
	struct due *d = arg;
	d->seqs[d->n++] = seq;
	return d->n == OVERDUE_STEP_MAX;
}

/* Within a level every alert has the same response time, so the alerts
 * raised at or before now - that time are exactly the due ones. */
static int find_due(struct store_txn *t, const struct alert_policy *p, int64_t now_ms,
                    struct due *d)
{
	d->n = 0;
	for (int level = LEVEL_MAX; level >= LEVEL_AMBER && d->n < OVERDUE_STEP_MAX; level--) {
		int rc = store_alert_due_each(t, level, now_ms - p->response_ms[level], collect, d);
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

static int remind_one(struct store_txn *t, const struct alert_policy *p, uint64_t seq,
                      int64_t now_ms, struct alert *a, struct alert_event *e, struct outbox *out)
{
	int rc = store_alert_get(t, seq, a);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	if (!lifecycle_is_due(p, a, now_ms))
		return STORE_OK; /* the index says waiting; the record decides */
	lifecycle_overdue(a, now_ms, e);
	if ((rc = store_alert_update(t, a)) != STORE_OK)
		return rc;
	/* A history already at its limit still gets the reminder. */
	rc = store_alert_event_add(t, seq, e);
	if (rc != STORE_OK && rc != STORE_EXISTS)
		return rc;
	if ((rc = store_counter_add(t, "reminders", 1)) != STORE_OK)
		return rc;

	a->due_at_ms = lifecycle_due(p, a);
	return outbox_add_reminder(out, a, now_ms) < 0 ? STORE_ERROR : STORE_OK;
}

/* One round of reminders: what store_write() runs, and what its aborts
 * undo. */
struct reminders {
	const struct alert_policy *p;
	int64_t now_ms;
	struct due *d;
	struct alert *a;
	struct alert_event *e;
	struct outbox *out;
	size_t before; /* out->n before the round */
};

static int remind_due(struct store_txn *t, void *arg)
{
	struct reminders *r = arg;
	int rc = find_due(t, r->p, r->now_ms, r->d);
	for (size_t i = 0; i < r->d->n && rc == STORE_OK; i++)
		rc = remind_one(t, r->p, r->d->seqs[i], r->now_ms, r->a, r->e, r->out);
	return rc;
}

/* Nothing of the attempt stands: neither do its reminders. */
static int unremind(int rc, void *arg)
{
	struct reminders *r = arg;
	(void)rc;
	outbox_truncate(r->out, r->before);
	return 0;
}

int overdue_remind(struct store *s, const struct alert_policy *p, int64_t now_ms,
                   struct outbox *out)
{
	struct due *d = malloc(sizeof *d);
	struct alert *a = malloc(sizeof *a);
	struct alert_event *e = malloc(sizeof *e);
	struct store_txn *t = NULL;
	int rc = !d || !a || !e ? STORE_ERROR : store_begin(s, 0, &t);
	/* Look first in a read transaction: most seconds nothing is due, and
	 * a write transaction costs a disk sync. */
	if (rc == STORE_OK) {
		rc = find_due(t, p, now_ms, d);
		store_abort(&t);
	}
	struct reminders r = {
	    .p = p, .now_ms = now_ms, .d = d, .a = a, .e = e, .out = out, .before = out->n};
	if (rc == STORE_OK && d->n > 0)
		rc = store_write(s, remind_due, unremind, &r);
	int n = rc == STORE_OK ? (int)(out->n - r.before) : -1;
	if (rc != STORE_OK)
		log_error("overdue: reminders not recorded (store error); trying again");
	free(d);
	free(a);
	free(e);
	return n;
}
