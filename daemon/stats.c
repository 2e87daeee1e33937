/*
 * stats.c - in-memory counters of receipts and rejection reasons, and the
 * histograms of ingest batches. Owns the reason table (bounded: past
 * STATS_REASONS_MAX distinct reasons, the rest are counted as "other") and
 * the histograms' bounds.
 */
#include "stats.h"

#include <stdio.h>
#include <string.h>

/* Concerns per batch: powers of two, past the largest batch_max (10000). */
static const double batch_size_bounds[] = {1,   2,   4,   8,    16,   32,   64,
                                           128, 256, 512, 1024, 2048, 4096, 8192};
/* Seconds to a synced commit: from a fast SSD's fsync to a stalled disk. */
static const double batch_seconds_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};

void stats_init(struct stats *st)
{
	memset(st, 0, sizeof *st);
	st->batch_sizes.bounds = batch_size_bounds;
	st->batch_sizes.n = sizeof batch_size_bounds / sizeof batch_size_bounds[0];
	st->batch_seconds.bounds = batch_seconds_bounds;
	st->batch_seconds.n = sizeof batch_seconds_bounds / sizeof batch_seconds_bounds[0];
}

void stats_observe(struct stats_histogram *h, double x)
{
	size_t i = 0;
	while (i < h->n && x > h->bounds[i])
		i++;
	if (i < h->n)
		h->in_bucket[i]++;
	h->count++;
	h->sum += x;
}

uint64_t stats_histogram_at_most(const struct stats_histogram *h, size_t i)
{
	uint64_t n = 0;
	for (size_t k = 0; k <= i && k < h->n; k++)
		n += h->in_bucket[k];
	return n;
}

void stats_batch(struct stats *st, size_t n, double seconds, int64_t now_ms)
{
	st->batches++;
	stats_observe(&st->batch_sizes, (double)n);
	stats_observe(&st->batch_seconds, seconds);
	st->last_batch_at_ms = now_ms;
}

void stats_reason(const char *error, char *out, size_t len)
{
	size_t o = 0;
	int in_index = 0;
	for (const char *p = error; *p && o + 1 < len; p++) {
		if (*p == '[') {
			in_index = 1;
			out[o++] = '[';
			continue;
		}
		if (in_index) {
			if (*p == ']') {
				in_index = 0;
				out[o++] = ']';
			}
			continue;
		}
		if (*p >= '0' && *p <= '9') {
			if (o == 0 || out[o - 1] != 'N')
				out[o++] = 'N';
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
}

void stats_receipt(struct stats *st, const struct receipt *r)
{
	if ((size_t)r->status < sizeof st->receipts / sizeof st->receipts[0])
		st->receipts[r->status]++;
	if (r->status != RECEIPT_REJECTED)
		return;
	char reason[STATS_REASON_LEN];
	stats_reason(r->error, reason, sizeof reason);
	for (size_t i = 0; i < st->n_reasons; i++) {
		if (strcmp(st->rejects[i].reason, reason) == 0) {
			st->rejects[i].count++;
			return;
		}
	}
	if (st->n_reasons == STATS_REASONS_MAX - 1)
		snprintf(reason, sizeof reason, "other");
	if (st->n_reasons < STATS_REASONS_MAX) {
		snprintf(st->rejects[st->n_reasons].reason, STATS_REASON_LEN, "%s", reason);
		st->rejects[st->n_reasons++].count = 1;
	} else {
		st->rejects[STATS_REASONS_MAX - 1].count++;
	}
}
