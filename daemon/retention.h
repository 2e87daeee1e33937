/*
 * retention.h - retention and correction: purging concerns older than the
 * configured retention, and withdrawing one concern sent in error.
 *
 * Both work on one write transaction the caller owns (the control socket
 * commits it); neither touches the network or the clock (now is passed
 * in). A purge never removes a concern that is evidence for an alert not
 * yet closed (open, acknowledged or superseded): practitioners still work
 * from it. A withdrawn concern stays stored and in the chronology, marked,
 * but rules no longer count it; alerts already raised on it are left to an
 * operator (each unfinished one gets a note in its history saying so),
 * and the Operation Encompass notices it raised are withdrawn.
 * Every change is written to the audit trail, one entry per child.
 */
#ifndef FFC_RETENTION_H
#define FFC_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "outbox.h"
#include "store.h"

/* Concerns one purge request examines: the transaction, and the time the
 * daemon spends away from its loop, stay bounded whatever the store's
 * size. The caller asks again from next_seq. */
#define RETENTION_BATCH 5000
/* Retention configurable from 1 to this many years (0: never purge). */
#define RETENTION_YEARS_MAX 200

/* The cutoff for a retention of `years` at now_ms: concerns that occurred
 * before it may go. Years of 365.25 days. INT64_MIN when years is 0. */
int64_t retention_cutoff(int64_t now_ms, unsigned years);

struct retention_child {
	uint64_t child; /* live child */
	uint64_t purged;
};

struct retention_result {
	int64_t cutoff_ms;
	uint64_t examined, purged, kept_as_evidence;
	uint64_t notices_purged, feedback_purged; /* raised / sent before the cutoff */
	uint64_t next_seq;                        /* 0: nothing left to examine */
	size_t n_children;
	struct retention_child *children; /* malloc'd, by child id */
};
/* Free r->children and clear it; safe on a zeroed result and twice. */
void retention_result_release(struct retention_result *r);

/* Who asks, for the audit trail. Both strings are borrowed for the call
 * and copied into the entries written. */
struct retention_actor {
	const char *by;   /* operator or key name */
	const char *role; /* "" when unknown */
};

/* Examine at most `max` concerns from from_seq on; purge (unless dry_run)
 * those that occurred before cutoff_ms and are not evidence for an
 * unfinished alert, with the Operation Encompass notices raised and the
 * feedback sent before cutoff_ms (at most max of each; when more may be
 * left, next_seq is past the last concern, so that the caller asks again).
 * With dry_run nothing is written; otherwise each child
 * affected gets an audit entry, and the purge one of its own. r is filled
 * (release it whatever the outcome). Returns STORE_OK or the store's
 * error (the caller aborts the transaction). */
int retention_purge(struct store_txn *t, int64_t cutoff_ms, uint64_t from_seq, size_t max,
                    int dry_run, const struct retention_actor *who, int64_t now_ms,
                    struct retention_result *r);

#define RETENTION_ALERTS_MAX 64
struct withdraw_result {
	uint64_t seq;
	size_t n_children;
	uint64_t children[CONCERN_CHILDREN_MAX]; /* live children it is filed under */
	size_t n_alerts;
	uint64_t alerts[RETENTION_ALERTS_MAX]; /* unfinished alerts citing it */
	size_t n_notices;
	uint64_t notices[CONCERN_CHILDREN_MAX]; /* the notices it raised, now withdrawn */
};

/* Withdraw (agency, concern_id) for `reason`; the withdrawal of its
 * notices is queued on out. Returns STORE_OK with *r
 * filled, STORE_NOTFOUND (no such concern), STORE_EXISTS (already
 * withdrawn) or the store's error (STORE_FULL: grow and retry; the caller
 * aborts the transaction on any error). Strings are only read. */
int retention_withdraw(struct store_txn *t, int agency, const char *concern_id, const char *reason,
                       const struct retention_actor *who, int64_t now_ms, struct outbox *out,
                       struct withdraw_result *r);

#endif
