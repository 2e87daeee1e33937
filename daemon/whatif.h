/*
 * whatif.h - judging whole histories with two rule sets, to say what a
 * change of rules would change: for every rule and level, how many children
 * reach it under each set, and which (child, rule, level) would be gained
 * or lost.
 *
 * Pure: the caller feeds each child's timeline, and for household rules its
 * household's (control_rules.c reads them
 * from the store in one read transaction). A (child, rule, level) is
 * reached when some window of the child's history meets the rule's
 * threshold for that level (rule_peak), whatever alerts were or were not
 * raised at the time. Cost: one pass per rule over each timeline, O(n) per
 * child and rule.
 */
#ifndef FFC_WHATIF_H
#define FFC_WHATIF_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"
#include "rules.h"

/* Differences listed one by one; past this only counted. */
#define WHATIF_LIST_MAX 1000

/* One row of the comparison: a rule name and a level. */
struct whatif_row {
	char rule[RULE_NAME_MAX];
	enum level level;
	int in_force_has, candidate_has; /* the set has the rule with a threshold at this level */
	uint64_t in_force, candidate;    /* children reaching it */
};

struct whatif_outcome {
	uint64_t child;
	char rule[RULE_NAME_MAX];
	enum level level;
};

struct whatif {
	const struct rule *in_force, *candidate;
	size_t n_in_force, n_candidate;
	size_t n_rows;
	struct whatif_row rows[2 * RULES_MAX * LEVEL_MAX];
	/* For each row, the rule of each set (NULL when absent). */
	const struct rule *row_in_force[2 * RULES_MAX * LEVEL_MAX];
	const struct rule *row_candidate[2 * RULES_MAX * LEVEL_MAX];
	uint64_t children, concerns;
	size_t n_gained, n_lost; /* listed */
	uint64_t gained_total, lost_total;
	struct whatif_outcome *gained, *lost; /* WHATIF_LIST_MAX each */
};

/* Rows for every rule of either set (in force first, in their order) at
 * every level either set has a threshold for. Both rule arrays are
 * borrowed and must outlive w. NULL when out of memory. */
struct whatif *whatif_new(const struct rule *in_force, size_t n_in_force,
                          const struct rule *candidate, size_t n_candidate);

/* Judge one child's whole timeline (sorted by time, then seq; borrowed
 * for the call) with the rules of scope "child", and its household's
 * (household[0..hn), each concern once, sorted alike; the child's own
 * timeline again when it is in no household) with the household rules: a
 * household rule reaches a level for every child of the household when the
 * household's concerns do. Cannot fail: outcomes past WHATIF_LIST_MAX are
 * counted, not listed. */
void whatif_child(struct whatif *w, uint64_t child, const struct concern_ref *refs, size_t n,
                  const struct concern_ref *household, size_t hn);
/* Does either rule set hold a household rule (so whatif_child() needs the
 * households' timelines)? */
int whatif_has_household_rules(const struct whatif *w);

/* Free *w and set it to NULL; safe with *w NULL and twice. */
void whatif_destroy(struct whatif **w);

#endif
