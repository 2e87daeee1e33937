/*
 * overdue.h - response times: reminding a team, once, of an alert nobody
 * has picked up in time.
 *
 * An open alert that nobody has acknowledged by raised_at_ms + its level's
 * response time (alerts.response_minutes) is overdue. The server calls
 * overdue_remind() from its loop, about once a second; each overdue alert
 * is marked reminded in the store (overdue_at_ms, an OVERDUE history
 * entry, the "reminders" counter) in one write transaction, so a restart
 * never reminds twice, and its reminder is queued for the alerts socket on
 * "overdue.<level>.<rule>" carrying the Alert.
 */
#ifndef FFC_OVERDUE_H
#define FFC_OVERDUE_H

#include <stdint.h>

#include "lifecycle.h"
#include "outbox.h"
#include "store.h"

/* The most alerts reminded in one call; the rest wait for the next. */
#define OVERDUE_STEP_MAX 256

/* Remind every alert due at now_ms (up to OVERDUE_STEP_MAX), queueing the
 * reminders in out, to publish once this returns. Finding nothing due
 * costs one read transaction and an index lookup per level. Returns the
 * number reminded, or -1 when the store failed (nothing is then queued
 * and nothing written: the transaction is aborted). p is only read; out
 * stays the caller's, and owns what was queued. */
int overdue_remind(struct store *s, const struct alert_policy *p, int64_t now_ms,
                   struct outbox *out);

#endif
