/*
 * stats.c - in-memory counters of receipts and rejection reasons. Owns the
 * reason table (bounded: past STATS_REASONS_MAX distinct reasons, the rest
 * are counted as "other").
 */
#include "stats.h"

#include <stdio.h>
#include <string.h>

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
