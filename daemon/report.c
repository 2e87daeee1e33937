/*
 * report.c - the partnership's figures (see report.h): percentiles,
 * shares, children re-alerted, response times.
 *
 * Owns the definitions of those figures. Does not read the store or build
 * the reply (control_report.c).
 */
#include "report.h"

#include <stdlib.h>

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

int64_t report_percentile(int64_t *v, size_t n, int pct)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, by_value);
	if (pct < 1)
		pct = 1;
	if (pct > 100)
		pct = 100;
	/* Nearest rank: the smallest value with at least pct% at or below. */
	size_t rank = (n * (size_t)pct + 99) / 100;
	return v[rank ? rank - 1 : 0];
}

double report_share(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole : 0.0;
}

static int by_child(const void *a, const void *b)
{
	const struct report_alert *x = a, *y = b;
	if (x->child != y->child)
		return x->child < y->child ? -1 : 1;
	return x->raised_at_ms < y->raised_at_ms ? -1 : x->raised_at_ms > y->raised_at_ms;
}

uint64_t report_realerted(struct report_alert *a, size_t n, int64_t from_ms, int64_t to_ms,
                          uint64_t *alerted)
{
	if (n)
		qsort(a, n, sizeof *a, by_child);
	uint64_t again = 0;
	*alerted = 0;
	for (size_t i = 0; i < n;) {
		size_t end = i;
		while (end < n && a[end].child == a[i].child)
			end++;
		int in_period = 0, realerted = 0;
		for (size_t y = i; y < end; y++) {
			if (a[y].raised_at_ms < from_ms || a[y].raised_at_ms >= to_ms)
				continue;
			in_period = 1;
			for (size_t x = i; x < end && !realerted; x++)
				realerted =
				    x != y && a[x].closed_at_ms &&
				    a[x].closed_at_ms <= a[y].raised_at_ms &&
				    a[y].raised_at_ms - a[x].closed_at_ms <= REPORT_REALERT_MS;
		}
		*alerted += (uint64_t)in_period;
		again += (uint64_t)realerted;
		i = end;
	}
	return again;
}

int report_responses(const struct report_response *r, size_t n, int64_t response_ms, int64_t now_ms,
                     struct report_response_figures *out)
{
	*out = (struct report_response_figures){.alerts = n};
	int64_t *times = malloc((n ? n : 1) * sizeof *times);
	if (!times)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int64_t took = r[i].answered_at_ms - r[i].raised_at_ms;
		if (r[i].answered_at_ms) {
			times[out->responded++] = took < 0 ? 0 : took;
			out->counted++;
			out->within += took <= response_ms;
		} else if (!r[i].superseded && now_ms - r[i].raised_at_ms > response_ms) {
			out->counted++; /* past due, unanswered: late */
		}
	}
	out->median_ms = report_percentile(times, out->responded, 50);
	out->p90_ms = report_percentile(times, out->responded, 90);
	free(times);
	return 0;
}
