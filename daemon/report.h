/*
 * report.h - the partnership's figures: the arithmetic over facts already
 * gathered from the store (control_report.c gathers them). Pure: no store,
 * no clock.
 *
 * Counts, not children: nothing here sees a name, and what a report
 * returns is numbers and the words of rules, levels and outcomes.
 */
#ifndef FFC_REPORT_H
#define FFC_REPORT_H

#include <stddef.h>
#include <stdint.h>

/* The window a closed alert is followed for: a new alert within it is a
 * child re-alerted. */
#define REPORT_REALERT_MS (INT64_C(365) * 86400000)

/* The nearest-rank percentile pct (1..100) of v[0..n), which is sorted
 * in place; 0 when n is 0. */
int64_t report_percentile(int64_t *v, size_t n, int pct);

/* part / whole, 0 when whole is 0. */
double report_share(uint64_t part, uint64_t whole);

/* One alert as the re-alert count needs it: its child (as it resolves
 * now), when raised, and when closed (0: not closed). */
struct report_alert {
	uint64_t child;
	int64_t raised_at_ms;
	int64_t closed_at_ms;
};

/* Children with an alert raised in [from_ms, to_ms) (*alerted), and of
 * them those whose alert came within REPORT_REALERT_MS after another of
 * their alerts was closed, at or before it was raised (returned). a is
 * sorted in place. */
uint64_t report_realerted(struct report_alert *a, size_t n, int64_t from_ms, int64_t to_ms,
                          uint64_t *alerted);

/* How soon one alert was first answered, for the response figures. */
struct report_response {
	int64_t raised_at_ms;
	int64_t answered_at_ms; /* first acknowledged or closed; 0: never */
	int superseded;         /* replaced by a higher level */
};

struct report_response_figures {
	uint64_t alerts, responded, counted, within;
	int64_t median_ms, p90_ms;
};

/* Figures of r[0..n) (one level's alerts) against response time
 * response_ms at now_ms: answered ones count, within or not; unanswered
 * ones count as late once past due, unless superseded (their work went on
 * under the higher alert). Returns 0, or -1 when memory runs out. */
int report_responses(const struct report_response *r, size_t n, int64_t response_ms, int64_t now_ms,
                     struct report_response_figures *out);

#endif
