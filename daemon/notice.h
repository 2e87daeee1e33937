/*
 * notice.h - Operation Encompass notices in the store: a child's current
 * school, raising notices for a police domestic incident (inside ingest's
 * write transaction, so a notice is stored with the concern that raised
 * it or not at all), reminding those nobody acknowledged by their
 * reminder time (from the loop's tick, like overdue alerts), and a DSL's
 * acknowledgement (control_notices.c).
 *
 * What is published goes into an outbox the server sends after the
 * commit:
 *   raised    school: "notice.school.<URN>"  front door: "notice.front-door"
 *   reminded  school: "notice.school.<URN>.reminder" and, to consoles,
 *             "notice.reminder.<URN>" (front door: "notice.reminder.front-door")
 *   acknowledged  the same with "ack"
 *   withdrawn     the same with "withdrawn" (the police withdrew the
 *                 concern that raised it)
 * A school's copy never carries the daemon's child id (school.h).
 */
#ifndef FFC_NOTICE_H
#define FFC_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "outbox.h"
#include "school.h"
#include "store.h"

/* The most notices reminded in one call; the rest wait for the next. */
#define NOTICE_STEP_MAX 256
/* What notice_ack() returns when it refuses, having said why. */
#define NOTICE_REFUSED 200

/* The child's current school: the school_urn of the latest education
 * concern naming one on its timeline (by when it happened, then by seq),
 * into urn ("" when none; "EHE" upper case). STORE_OK, or the store's
 * error. */
int notice_current_school(struct store_txn *t, uint64_t child, char urn[SCHOOL_URN_LEN]);

/* Concern c was stored at now_ms, filed under ids (one per child of c):
 * when it calls for notices (school_encompass), store one per child,
 * sent to its current school or the front door, due at the start of the
 * next school day after the incident by sch's calendar, and queue it on
 * out. A child named twice gets one. sch NULL: none. Returns STORE_OK or
 * the store's error. */
int notice_raise(struct store_txn *t, const struct concern *c, const uint64_t *ids, int64_t now_ms,
                 const struct schools *sch, struct outbox *out);

/* Remind every notice whose reminder time has come by now_ms and that
 * nobody acknowledged (up to NOTICE_STEP_MAX), marking it reminded in one
 * write transaction (so a restart never reminds twice), and queue the
 * reminders on out. Finding nothing due costs one read transaction.
 * Returns the number reminded, or -1 when the store failed (nothing
 * queued, nothing written). */
int notice_remind(struct store *s, int64_t now_ms, struct outbox *out);

/* Acknowledge notice seq in t at now_ms on behalf of `by`: a school's
 * notice only by that school's key (key_urn its URN), a front-door
 * notice only by an operator (key_urn NULL). Fills *n with the notice as
 * it now stands and queues the acknowledgement on out. Returns STORE_OK;
 * NOTICE_REFUSED with the reason in err (no such notice for this caller,
 * already acknowledged, `by` not a name); or the store's error. */
int notice_ack(struct store_txn *t, uint64_t seq, const char *key_urn, const char *by,
               int64_t now_ms, struct school_notice *n, char *err, size_t errlen,
               struct outbox *out);

/* The police withdrew concern `reference` (sent in error): withdraw the
 * notices it raised. Each loses the child's name and date of birth, is no
 * longer due or reminded, and its withdrawal is queued on out ("withdrawn"
 * as for "reminder" above). Their seqs into seqs (room for max: one a
 * child of the concern), their number into *count. Returns STORE_OK or the
 * store's error. */
int notice_withdraw(struct store_txn *t, const char *reference, int64_t now_ms, struct outbox *out,
                    uint64_t *seqs, size_t max, size_t *count);

/* Retention: remove the notices raised before cutoff_ms, oldest first, at
 * most max (the rest at the next call; *purged == max says there may be
 * more); with dry_run only count them. Returns STORE_OK or the store's
 * error. */
int notice_purge(struct store_txn *t, int64_t cutoff_ms, size_t max, int dry_run, uint64_t *purged);

#endif
