/*
 * tally.h - what each adapter sent, day by day, kept for the partnership's
 * report: concerns accepted and the children they named (and how many of
 * those carried an NHS number or a UPN, the identifiers that link a child
 * for certain), and rejections by reason. Counts only: no concern, id or
 * name is kept by it.
 *
 * Written in the ingest batch's own transaction (ingest.c), read back by
 * control_report.c through the store's tallies (store_notices.h).
 */
#ifndef FFC_TALLY_H
#define FFC_TALLY_H

#include <stdint.h>

#include "concern.h"
#include "receipt.h"
#include "store.h"

/* Metric names in the tallies. */
#define TALLY_ACCEPTED   "accepted"
#define TALLY_CHILDREN   "children"
#define TALLY_IDENTIFIED "identified"
#define TALLY_REJECTED   "rejected:" /* then the reason, as stats_reason() words it */

/* Count receipt r, answered at now_ms to `adapter` (its key's name, or
 * its agency's word in insecure mode), for concern c (NULL when it did not
 * decode). A duplicate counts nothing: it was counted the first time.
 * Returns STORE_OK or the store's error. */
int tally_receipt(struct store_txn *t, const char *adapter, int64_t now_ms, const struct receipt *r,
                  const struct concern *c);

#endif
