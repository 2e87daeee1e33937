/*
 * web_figures.h - the partnership's figures as the figures page draws
 * them: ffcd's report (ReportRequest, admin only, audited) for a period,
 * its alerts by rule and calendar month as the report counts them.
 *
 * Pure: the report in, one JSON object out (jansson). The
 * page draws it (figures.js) as SVG charts, each with its table.
 */
#ifndef FFC_WEB_FIGURES_H
#define FFC_WEB_FIGURES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ffc/ffc.h"

/* Calendar months one figures page spans at most: the report's longest
 * period (3,660 days) touches 122. */
#define FIGURES_MONTHS_MAX 124

/* Calendar months (UTC) that [from_ms, to_ms) touches; 0 when to_ms is
 * not after from_ms. */
long web_figures_months(int64_t from_ms, int64_t to_ms);

/* The figures of report r (its months outside [r->from_ms, r->to_ms)
 * left out):
 *   {"from_ms", "to_ms", "made_at_ms", "concerns", "alerts",
 *    "children_alerted", "children_realerted",
 *    "months": ["2026-01", ...],
 *    "by_rule": [{"rule", "counts": [per month], "total": N}],
 *    "by_level": {"RED": N, "AMBER": N},
 *    "response": [{"level", "alerts", "responded", "counted", "within", "late",
 *       "within_share", "response_minutes", "median_minutes", "p90_minutes"}],
 *    "outcomes": [{"outcome", "closed": true|false, "count"}],
 *    "notices": {"notices", "to_schools", "to_front_door", "acknowledged",
 *       "judged", "acknowledged_by_due", "reminded"}}
 * by_rule's total is the report's alerts of the rule; rules by name,
 * outcomes most first. NULL when out of memory or the period spans
 * more than FIGURES_MONTHS_MAX months. */
json_t *web_figures(const Ffc__V1__ReportReply *r);

#endif
