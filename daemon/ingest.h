/*
 * ingest.h - a batch of concern frames: decode, validate, deduplicate,
 * file under children, store, correlate, all in one write transaction.
 *
 * The caller (server.c) collects every frame readable in one loop
 * iteration, calls ingest_batch(), and only then sends the receipts and
 * publishes the alerts: nothing is promised before it is on disk.
 */
#ifndef FFC_INGEST_H
#define FFC_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "merge.h"
#include "rules.h"
#include "store.h"
#include "wire.h"

struct ingest_item {
	const uint8_t *data; /* the Concern frame (borrowed) */
	size_t len;
	/* The one agency the sending adapter's key is bound to (security.keys);
	 * 0 when the connection is not authenticated (insecure mode). */
	int agency_bound;
	struct wire_concern w; /* decoded (owned; released by ingest_items_release) */
	int decoded;
	struct receipt receipt; /* the answer, final when ingest_batch returns */
};

struct alert_list {
	size_t n, cap;
	struct alert **items; /* owned */
};

struct ingest_limits {
	size_t max_message; /* a larger frame is rejected */
};

/* Process items[0..n) at time now_ms with `rules`. Every item gets a
 * receipt; accepted ones are committed and raised alerts appended to
 * *raised (stored, in seq order) before this returns.
 *
 * Isolation: a concern that fails inside the write transaction (its own
 * link, store or judging step) is REJECTED alone, naming the step; its
 * writes and alerts are undone and the rest of the batch is stored.
 * Returns the number of concerns newly stored, or -1 when the store as a
 * whole failed (map full at map_size_max, disk full, I/O error): every
 * item not rejected on its own merits is then REJECTED with the store's
 * error ("store: disk full in DIR; not stored, send again"), and nothing
 * of the batch is stored. */
int ingest_batch(struct store *s, const struct rule *rules, size_t n_rules,
                 const struct ingest_limits *limits, struct ingest_item *items, size_t n,
                 int64_t now_ms, struct alert_list *raised);

void ingest_items_release(struct ingest_item *items, size_t n);

/* Judge every rule over the whole stored history of `child` (every
 * window, not only those holding the newest concern), raising what is met
 * and not already open with the same raise-once/escalate policy as a
 * concern's arrival. Used after a merge joins two histories and after a
 * split, so alerts neither part raised alone are raised now; `note` (may
 * be NULL or "") is appended to each reason in parentheses, e.g. "after
 * C00000002 was merged into C00000001". Raised alerts are stored and
 * appended to *raised. */
int ingest_rejudge(struct store_txn *t, uint64_t child, const struct rule *rules, size_t n_rules,
                   const char *note, int64_t now_ms, struct alert_list *raised);

/* "after C00000002 was merged into C00000001" (or "after C2 and C3 were
 * merged into C1") for the merges in log that `child` survived; "" when
 * none. */
int ingest_merge_note(struct store_txn *t, const struct merge_log *log, uint64_t child, char *buf,
                      size_t len);
void alert_list_clear(struct alert_list *l);

/* For tests only: called after each concern is filed and judged inside its
 * savepoint; non-zero makes that concern fail there, as a fault of its own
 * would. NULL (the default) removes it. */
void ingest_set_fault_hook(int (*hook)(const struct concern *c, void *arg), void *arg);

#endif
