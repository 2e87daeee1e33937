/*
 * web_figures.h - the partnership's figures, worked out from the alert
 * listing (the same alerts every console is sent, no child's record):
 * alerts by rule and month, time to acknowledge against each level's
 * response time, and how closed alerts ended.
 *
 * Pure: alerts in, one JSON object out (jansson); the clock passed in.
 * The page draws it (figures.js) as SVG charts, each with its table.
 */
#ifndef FFC_WEB_FIGURES_H
#define FFC_WEB_FIGURES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ffc/ffc.h"

#define FIGURES_MONTHS_MAX 36

/* The figures of the alerts raised in the `months` calendar months (UTC)
 * up to and with now_ms's, from the n alerts a (any order; others are
 * left out):
 *   {"months": ["2026-01", ...], "alerts": N, "from_ms": .., "now_ms": ..,
 *    "by_rule": [{"rule": "...", "counts": [per month], "total": N}, ...],
 *    "by_level": {"RED": N, "AMBER": N}, "states": {"OPEN": N, ...},
 *    "response": [{"level": "RED", "response_minutes": M, "acknowledged": N,
 *       "within": N, "late": N, "median_minutes": M, "p90_minutes": M,
 *       "open_overdue": N, "open_in_time": N,
 *       "buckets": [{"label": "...", "count": N}, ...]}, ...],
 *    "outcomes": [{"outcome": "...", "count": N}, ...]}
 * Rules and outcomes by name; a time to acknowledge counts from when the
 * alert was raised, or last reopened. NULL when out of memory. */
json_t *web_figures(const Ffc__V1__Alert *const *a, size_t n, int months, int64_t now_ms);

/* The first millisecond of the month `months - 1` months before now_ms's
 * (UTC): the earliest an alert may be raised to count. */
int64_t web_figures_from_ms(int months, int64_t now_ms);

#endif
