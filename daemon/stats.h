/*
 * stats.h - what this daemon has answered since it started: receipts by
 * status and rejections by reason. (Stored totals live in the store's
 * counters and survive restarts; these do not.)
 */
#ifndef FFC_STATS_H
#define FFC_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "receipt.h"

#define STATS_REASONS_MAX 64
#define STATS_REASON_LEN  96

/* A histogram with fixed bounds (Prometheus's shape): the observations at
 * or below each bound, counted where they fall (stats_histogram_at_most()
 * makes them cumulative), their number and their sum. */
#define STATS_BUCKETS_MAX 16
struct stats_histogram {
	const double *bounds; /* ascending; n of them */
	size_t n;
	uint64_t in_bucket[STATS_BUCKETS_MAX]; /* bounds[i-1] < x <= bounds[i] */
	uint64_t count;
	double sum;
};

struct stats {
	uint64_t receipts[RECEIPT_REJECTED + 1]; /* by receipt_status */
	uint64_t batches;                        /* write transactions committed */
	/* CURVE handshakes the ZAP handler refused, by reason. */
	uint64_t refused_unknown_key, refused_role, refused_malformed, refused_banned;
	/* What peers sent that the sockets refused (server.c,
	 * alerts_socket.c). Alerts:
	 * frames that were not subscriptions, subscriptions discarded while
	 * the socket's queues were out of step, subscriptions refused for
	 * their length or count, connections cut. Ingest: messages of more
	 * than one frame, receipts a peer did not take, connections over the
	 * cap. */
	uint64_t alerts_data, alerts_discarded, alerts_refused, alerts_cut;
	uint64_t ingest_parts, receipts_unsent, ingest_conns_refused;
	/* Control: messages of more than one frame. */
	uint64_t control_parts;
	/* Ingest batches committed: concerns per batch, seconds from a batch
	 * in hand to its synced commit, and when the last one committed
	 * (stats_batch()); connections open now (the server's monitors). */
	struct stats_histogram batch_sizes, batch_seconds;
	int64_t last_batch_at_ms;
	uint64_t consoles, adapters;
	size_t n_reasons;
	struct {
		char reason[STATS_REASON_LEN];
		uint64_t count;
	} rejects[STATS_REASONS_MAX];
};

/* Zero st and give its histograms their bounds. Cannot fail. */
void stats_init(struct stats *st);

/* One ingest batch of n concerns committed at now_ms, seconds after it
 * was taken in hand. Cannot fail. */
void stats_batch(struct stats *st, size_t n, double seconds, int64_t now_ms);

/* Count one observation. Cannot fail. */
void stats_observe(struct stats_histogram *h, double x);

/* The observations at or below bounds[i]. Cannot fail. */
uint64_t stats_histogram_at_most(const struct stats_histogram *h, size_t i);

/* Count one receipt sent (a rejected one also under its reason; once
 * STATS_REASONS_MAX - 1 reasons are known, new ones count as "other").
 * Cannot fail. */
void stats_receipt(struct stats *st, const struct receipt *r);

/* The reason a rejection is counted under: the error with child indexes
 * and numbers taken out ("children[3].nhs_number: check digit mismatch" ->
 * "children[].nhs_number: check digit mismatch"), so the table stays
 * small. out is cut to len and terminated. Cannot fail. */
void stats_reason(const char *error, char *out, size_t len);

#endif
