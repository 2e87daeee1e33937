/*
 * tally.h - what each adapter sent, day by day, kept for the partnership's
 * report: concerns accepted and the children they named (and how many of
 * those carried an NHS number or a UPN, the identifiers that link a child
 * for certain), and rejections by reason. Counts only: no concern, id or
 * name is kept by it.
 *
 * An accepted concern is counted in the ingest batch's own transaction
 * (ingest.c): it is stored with its count or not at all. Rejections store
 * nothing, so a batch of them alone must not cost a write: they are
 * counted in memory (struct tally_pending, the server's) and written
 * every few seconds, not while the store has a fault (a small write that
 * succeeds would hide a full disk the concerns still meet), and when the
 * daemon stops (tally_flush()); a report counts those held too. Read back
 * by control_report.c through the store's tallies (store_notices.h).
 */
#ifndef FFC_TALLY_H
#define FFC_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"
#include "stats.h"
#include "store.h"

/* Metric names in the tallies. */
#define TALLY_ACCEPTED   "accepted"
#define TALLY_CHILDREN   "children"
#define TALLY_IDENTIFIED "identified"
#define TALLY_REJECTED   "rejected:" /* then the reason, as stats_reason() words it */

/* How often counted rejections are written, and how many distinct
 * (day, adapter, reason) are held meanwhile (more: written at once). */
#define TALLY_FLUSH_MS    5000
#define TALLY_PENDING_MAX 256

/* The concerns a transaction accepted, summed by adapter, so that each
 * of an adapter's rows is read and written once a batch rather than
 * three times a concern. Zeroed is empty; the adapters' names are
 * borrowed until it is written. */
#define TALLY_SUM_ADAPTERS 16
struct tally_sum {
	size_t n;
	struct {
		const char *adapter;
		uint64_t accepted, children, identified;
	} rows[TALLY_SUM_ADAPTERS];
};

/* Count concern c, accepted at now_ms from `adapter` (its key's name, or
 * its agency's word in insecure mode), into s; a sum holding as many
 * adapters as it can is written to t first (tally_accepted_write).
 * Returns STORE_OK or the store's error. */
int tally_accepted(struct store_txn *t, struct tally_sum *s, const char *adapter, int64_t now_ms,
                   const struct concern *c);
/* Write what s holds, accepted at now_ms, into t, and empty it.
 * Returns STORE_OK or the store's error. */
int tally_accepted_write(struct store_txn *t, struct tally_sum *s, int64_t now_ms);

/* Rejections counted and not yet written. Zeroed is empty. */
struct tally_pending {
	size_t n;
	struct {
		int32_t day;
		char adapter[64];
		char reason[STATS_REASON_LEN];
		uint64_t count;
	} rows[TALLY_PENDING_MAX];
	int64_t since_ms; /* when the oldest row was counted */
};

/* Count one rejection (its receipt's error) of `adapter` at now_ms.
 * Returns 1 when the table is full and must be written now, else 0 (a
 * table still full because writing it failed counts nothing more). */
int tally_rejected(struct tally_pending *p, const char *adapter, int64_t now_ms, const char *error);

/* Write what is counted when it has waited TALLY_FLUSH_MS or the table
 * is full, unless the store's last write failed; or, with `force` (the
 * daemon stops), whatever it holds. One write transaction. Returns 0
 * (written, or nothing due), or -1 (logged; the counts are kept for the
 * next try). */
int tally_flush(struct tally_pending *p, struct store *s, int64_t now_ms, int force);

#endif
