/*
 * store_notices.h - the store's tables for schools and the partnership:
 * Operation Encompass notices, feedback to referring agencies,
 * practitioners' contacts, and the daily tallies of what each adapter
 * sent. New tables, created empty when a store is opened (no change of
 * the store's format). Layout (integers big-endian):
 *
 *   notices          seq                          -> ffc.v1.SchoolNotice
 *   notice_dest      dest NUL seq                 -> (empty)   by URN or "front-door"
 *   notices_waiting  remind_at(biased) seq        -> (empty)   unacknowledged, not reminded
 *   feedback         seq                          -> ffc.v1.Feedback
 *   feedback_agency  agency(1) seq                -> (empty)
 *   contacts         practitioner                 -> ffc.v1.ContactReply
 *   tallies          day(4, biased) adapter NUL metric -> u64
 *
 * Records are packed and read by their callers (wire_notice.h); memory
 * returned through `const void **` stays valid until the transaction
 * ends. Results are the store's (STORE_OK, STORE_NOTFOUND, ...).
 */
#ifndef FFC_STORE_NOTICES_H
#define FFC_STORE_NOTICES_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The longest destination (a URN or "front-door") and tally name. */
#define STORE_DEST_MAX  16
#define STORE_TALLY_MAX 200

/* ---- notices ---- */

uint64_t store_last_notice_seq(struct store_txn *t);
/* Store notice seq (store_last_notice_seq() + 1) for dest, waiting for
 * its reminder at remind_at_ms, and count it ("notices"). */
int store_notice_add(struct store_txn *t, uint64_t seq, const char *dest, int64_t remind_at_ms,
                     const void *rec, size_t len);
/* Rewrite a stored notice's record. */
int store_notice_put(struct store_txn *t, uint64_t seq, const void *rec, size_t len);
int store_notice_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len);
/* Take notice seq, waiting since it was raised for remind_at_ms, off the
 * waiting list (acknowledged or reminded). Not there is not an error. */
int store_notice_done(struct store_txn *t, uint64_t seq, int64_t remind_at_ms);
/* Waiting notices to remind at or before by_ms, soonest first. */
int store_notice_waiting_each(struct store_txn *t, int64_t by_ms, store_seq_fn fn, void *arg);
/* Notices of dest with seq > after_seq, in seq order. */
int store_notice_dest_each(struct store_txn *t, const char *dest, uint64_t after_seq,
                           store_seq_fn fn, void *arg);

/* Each stored notice (its seq and record), in seq order, until fn
 * returns non-zero. */
int store_notice_each(struct store_txn *t, store_concern_fn fn, void *arg);
/* Remove notice seq, sent to dest and waiting since it was raised for
 * remind_at_ms, from every table (retention). Not there is not an error. */
int store_notice_remove(struct store_txn *t, uint64_t seq, const char *dest, int64_t remind_at_ms);

/* ---- feedback ---- */

uint64_t store_last_feedback_seq(struct store_txn *t);
/* Store feedback seq (store_last_feedback_seq() + 1) for agency; counted
 * ("feedback"). */
int store_feedback_add(struct store_txn *t, uint64_t seq, int agency, const void *rec, size_t len);
int store_feedback_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len);
/* The agency's feedback with seq > after_seq, in seq order. */
int store_feedback_agency_each(struct store_txn *t, int agency, uint64_t after_seq, store_seq_fn fn,
                               void *arg);

/* Each stored feedback (its seq and record), in seq order, until fn
 * returns non-zero. */
int store_feedback_each(struct store_txn *t, store_concern_fn fn, void *arg);
/* Remove feedback seq, sent to agency, from every table (retention). */
int store_feedback_remove(struct store_txn *t, uint64_t seq, int agency);

/* ---- practitioners' contacts ---- */

int store_contact_put(struct store_txn *t, const char *practitioner, const void *rec, size_t len);
int store_contact_get(struct store_txn *t, const char *practitioner, const void **data,
                      size_t *len);

/* ---- daily tallies per adapter ---- */

/* Add delta to (day, adapter, metric). adapter and metric together at
 * most STORE_TALLY_MAX bytes (longer ones are cut). */
int store_tally_add(struct store_txn *t, int32_t day, const char *adapter, const char *metric,
                    uint64_t delta);
/* Each tally of the days from_day to before to_day, by day then name. */
typedef int (*store_tally_fn)(int32_t day, const char *adapter, const char *metric, uint64_t value,
                              void *arg);
int store_tally_each(struct store_txn *t, int32_t from_day, int32_t to_day, store_tally_fn fn,
                     void *arg);

#endif
