/*
 * lifecycle.h - working an alert: open -> acknowledged -> closed, notes,
 * response times, outcomes, as pure functions over struct alert.
 *
 * An alert is the start of a team's work. Each change names who made it
 * and when; this module says whether a change is allowed and applies it
 * to the alert, or says why not, naming the field, and leaves the alert
 * as it was. Storing the change, its history entry and publishing it are
 * the callers' (control_alerts.c, overdue.c).
 *
 * The rules:
 *   - acknowledge: an open alert nobody has acknowledged. A superseded
 *     alert is not acknowledged: the higher one that replaced it is.
 *   - close: any alert not already closed, superseded ones included (their
 *     work may have gone on under the higher one, and the team records how
 *     it ended), with an outcome from the configured list.
 *   - note: any alert, closed ones included (an addendum to the record).
 *   - overdue: an open alert nobody has acknowledged, past raised_at_ms
 *     (or reopened_at_ms) + the response time of its level, is reminded
 *     once.
 *   - evidence: a new concern its rule counts is added to an open or
 *     acknowledged alert (by ffcd); at or above the policy's reopen
 *     severity it puts an acknowledged alert back to open, with a new
 *     response time from then (reopen).
 * `by` is required on every change: it is who did it.
 */
#ifndef FFC_LIFECYCLE_H
#define FFC_LIFECYCLE_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "concern.h"

#define LIFECYCLE_OUTCOMES_MAX 32
#define LIFECYCLE_ERR_MAX      512

/* How alerts are worked here: from the configuration, read-only. */
struct alert_policy {
	int64_t response_ms[LEVEL_MAX + 1]; /* by level: RED 2 h, AMBER 6 h by default */
	size_t n_outcomes;
	char outcomes[LIFECYCLE_OUTCOMES_MAX][WIRE_OUTCOME_MAX];
	/* alerts.reopen_on: new evidence of this severity or above reopens
	 * an acknowledged alert; 0 never. */
	int reopen_severity;
};

/* RED 120 minutes, AMBER 360, the default outcomes, and reopening on
 * IMMEDIATE_RISK evidence. */
void lifecycle_defaults(struct alert_policy *p);

/* When a's response clock started: reopened_at_ms if it was reopened,
 * else raised_at_ms. */
int64_t lifecycle_clock(const struct alert *a);

/* When a is due to be picked up: lifecycle_clock() + its level's
 * response time. */
int64_t lifecycle_due(const struct alert_policy *p, const struct alert *a);

/* Is `text` acceptable as the field `field` (e.g. "ack.by")? Valid UTF-8,
 * no control characters (a note may hold newlines and tabs), at most
 * max_bytes, and not empty when required. 0, or -1 with err set. */
int lifecycle_check_text(const char *field, const char *text, size_t max_bytes, int required,
                         int multiline, char *err, size_t errlen);

/* The configured outcome `outcome` names (case ignored), or NULL. */
const char *lifecycle_outcome(const struct alert_policy *p, const char *outcome);

/* Apply a change at now_ms, filling *e with the history entry to store.
 * Returns 0, or -1 with err naming the field (nothing changed). */
int lifecycle_ack(struct alert *a, const char *by, const char *note, int64_t now_ms,
                  struct alert_event *e, char *err, size_t errlen);
int lifecycle_close(const struct alert_policy *p, struct alert *a, const char *by,
                    const char *outcome, const char *note, int64_t now_ms, struct alert_event *e,
                    char *err, size_t errlen);
int lifecycle_note(struct alert *a, const char *by, const char *text, int64_t now_ms,
                   struct alert_event *e, char *err, size_t errlen);

/* A concern the alert's rule counts arrived for its child at now_ms: fill
 * *e, by ffcd, text the concern's reference (agency and concern id,
 * category and severity; never its summary), the concern itself kept
 * with it. Stored in the alert's history, the entry is what adds the
 * concern to the alert's evidence (lifecycle_cite() as the alert is
 * read): the record is not rewritten for it. */
void lifecycle_evidence(const struct alert_evidence *concern, int64_t now_ms,
                        struct alert_event *e);

/* 1 when a's evidence lists agency's concern concern_id. */
int lifecycle_cites(const struct alert *a, int agency, const char *concern_id);

/* Add concern to a's evidence unless it is there already or the list is
 * full at RULE_EVIDENCE_MAX (the history still records it). Returns 1
 * when the evidence list grew, 0 when not. */
int lifecycle_cite(struct alert *a, const struct alert_evidence *concern);

/* Should that concern put a back to open? a is acknowledged (and open)
 * and the concern's severity is at or above p->reopen_severity (never
 * when 0). When so, reopen a at now_ms: nobody has it, a new response
 * clock from now_ms, not reminded; fill *e (by ffcd, text as
 * lifecycle_evidence()'s) and return 1. Else 0, a untouched. */
int lifecycle_reopen(const struct alert_policy *p, struct alert *a,
                     const struct alert_evidence *concern, int64_t now_ms, struct alert_event *e);

/* Is a waiting and past due at now_ms (and not yet reminded)? */
int lifecycle_is_due(const struct alert_policy *p, const struct alert *a, int64_t now_ms);
/* Mark a reminded at now_ms (the daemon is `by`); *e is the entry. */
void lifecycle_overdue(struct alert *a, int64_t now_ms, struct alert_event *e);

/* Where an alert stands for the response-time indexes the store keeps:
 * waiting (open, nobody has acknowledged it) and not yet reminded (DUE),
 * waiting and reminded (OVERDUE), or not waiting at all (NONE: acknowledged,
 * closed or superseded). The store files every alert it writes by this. */
enum alert_wait { ALERT_WAIT_NONE, ALERT_WAIT_DUE, ALERT_WAIT_OVERDUE };
enum alert_wait lifecycle_wait(const struct alert *a);

/* "ack", "note", "close", "overdue", "evidence", "reopen": the action's
 * word in topics. */
const char *lifecycle_action_word(enum alert_action action);

#endif
