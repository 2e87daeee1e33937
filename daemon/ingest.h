/*
 * ingest.h - a batch of concern frames: decode, validate, deduplicate,
 * file under children, store, judge, all in one write transaction.
 *
 * The caller (server.c) collects every frame readable in one loop
 * iteration, calls ingest_batch(), and only then sends the receipts and
 * publishes the alerts: nothing is promised before it is on disk.
 */
#ifndef FFC_INGEST_H
#define FFC_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "outbox.h"
#include "rules.h"
#include "school.h"
#include "store.h"
#include "wire.h"

struct ingest_item {
	const uint8_t *data; /* the Concern frame (borrowed) */
	size_t len;
	/* The one agency the sending adapter's key is bound to (security.keys);
	 * 0 when the connection is not authenticated (insecure mode). */
	int agency_bound;
	/* The sending adapter's key name (borrowed), or NULL when the
	 * connection is not authenticated: its concerns are tallied under
	 * their agency (tally.h). */
	const char *adapter;
	struct wire_concern w; /* decoded (owned; released by ingest_items_release) */
	int decoded;
	struct receipt receipt; /* the answer, final when ingest_batch returns */
};

struct ingest_limits {
	size_t max_message; /* a larger frame is rejected */
	/* The schools in force: a police domestic incident raises Operation
	 * Encompass notices for them (notice.h) in the concern's own part of
	 * the transaction. NULL: none. */
	const struct schools *schools;
};

/* Process items[0..n) at time now_ms with `rules`. Every item gets a
 * receipt; accepted ones are committed and the alerts they raised queued
 * on *out (stored, in seq order; each message's `alert` is the alert)
 * before this returns. What *out held before is left as it was.
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
                 int64_t now_ms, struct outbox *out);

/* Who sent it, for the partnership's tallies (tally.h): its key's name,
 * else (insecure mode) its concern's agency ("police"), "unknown" for one
 * that did not decode. Borrowed from it. */
const char *ingest_adapter(const struct ingest_item *it);

/* Release the decoded concern of each of items[0..n) (their receipts
 * borrow its concern_id: send them first). Safe on items never decoded or
 * already released; the array itself stays the caller's. */
void ingest_items_release(struct ingest_item *items, size_t n);

/* For tests only: called after each concern is filed and judged inside its
 * savepoint; non-zero makes that concern fail there, as a fault of its own
 * would. NULL (the default) removes it. */
void ingest_set_fault_hook(int (*hook)(const struct concern *c, void *arg), void *arg);

#endif
