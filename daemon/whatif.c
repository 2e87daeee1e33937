/*
 * whatif.c - two rule sets over the same histories: counts by rule and
 * level, and the (child, rule, level) one set reaches and the other does
 * not. Owns the comparison; reads nothing (control_rules.c feeds it).
 */
#include "whatif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct rule *find(const struct rule *rules, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rules[i].name, name))
			return &rules[i];
	return NULL;
}

static void add_rows(struct whatif *w, const char *name)
{
	const struct rule *a = find(w->in_force, w->n_in_force, name);
	const struct rule *b = find(w->candidate, w->n_candidate, name);
	for (int l = LEVEL_AMBER; l <= LEVEL_MAX; l++) {
		int has_a = a && a->threshold[l], has_b = b && b->threshold[l];
		if (!has_a && !has_b)
			continue;
		struct whatif_row *row = &w->rows[w->n_rows];
		snprintf(row->rule, sizeof row->rule, "%s", name);
		row->level = (enum level)l;
		row->in_force_has = has_a;
		row->candidate_has = has_b;
		w->row_in_force[w->n_rows] = has_a ? a : NULL;
		w->row_candidate[w->n_rows] = has_b ? b : NULL;
		w->n_rows++;
	}
}

struct whatif *whatif_new(const struct rule *in_force, size_t n_in_force,
                          const struct rule *candidate, size_t n_candidate)
{
	struct whatif *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->in_force = in_force;
	w->candidate = candidate;
	w->n_in_force = n_in_force < RULES_MAX ? n_in_force : RULES_MAX;
	w->n_candidate = n_candidate < RULES_MAX ? n_candidate : RULES_MAX;
	w->gained = calloc(WHATIF_LIST_MAX, sizeof *w->gained);
	w->lost = calloc(WHATIF_LIST_MAX, sizeof *w->lost);
	if (!w->gained || !w->lost) {
		whatif_destroy(&w);
		return NULL;
	}
	for (size_t i = 0; i < w->n_in_force; i++)
		add_rows(w, in_force[i].name);
	for (size_t i = 0; i < w->n_candidate; i++)
		if (!find(in_force, w->n_in_force, candidate[i].name))
			add_rows(w, candidate[i].name);
	return w;
}

/* Does rule r, at its peak measure in a history, reach level l? */
static int reaches(const struct rule *r, enum level l, unsigned measure)
{
	return r && r->threshold[l] && measure >= r->threshold[l];
}

static void note(struct whatif_outcome *list, size_t *n, uint64_t *total, uint64_t child,
                 const struct whatif_row *row)
{
	(*total)++;
	if (*n >= WHATIF_LIST_MAX)
		return;
	struct whatif_outcome *o = &list[(*n)++];
	o->child = child;
	snprintf(o->rule, sizeof o->rule, "%s", row->rule);
	o->level = row->level;
}

/* The peak measure of rule r for a child: over its own timeline, or its
 * household's for a household rule. */
static void peak(const struct rule *r, const struct concern_ref *refs, size_t n,
                 const struct concern_ref *household, size_t hn, unsigned *measure)
{
	if (r->scope == RULE_SCOPE_HOUSEHOLD)
		rule_peak(r, household, hn, measure);
	else
		rule_peak(r, refs, n, measure);
}

int whatif_has_household_rules(const struct whatif *w)
{
	for (size_t i = 0; i < w->n_in_force; i++)
		if (w->in_force[i].scope == RULE_SCOPE_HOUSEHOLD)
			return 1;
	for (size_t i = 0; i < w->n_candidate; i++)
		if (w->candidate[i].scope == RULE_SCOPE_HOUSEHOLD)
			return 1;
	return 0;
}

void whatif_child(struct whatif *w, uint64_t child, const struct concern_ref *refs, size_t n,
                  const struct concern_ref *household, size_t hn)
{
	w->children++;
	w->concerns += n;
	/* The peak measure of each rule once; the rows of a rule share it. */
	unsigned peak_a[RULES_MAX], peak_b[RULES_MAX];
	for (size_t i = 0; i < w->n_in_force; i++)
		peak(&w->in_force[i], refs, n, household, hn, &peak_a[i]);
	for (size_t i = 0; i < w->n_candidate; i++)
		peak(&w->candidate[i], refs, n, household, hn, &peak_b[i]);
	for (size_t k = 0; k < w->n_rows; k++) {
		struct whatif_row *row = &w->rows[k];
		const struct rule *a = w->row_in_force[k], *b = w->row_candidate[k];
		int ra = a && reaches(a, row->level, peak_a[a - w->in_force]);
		int rb = b && reaches(b, row->level, peak_b[b - w->candidate]);
		row->in_force += (uint64_t)ra;
		row->candidate += (uint64_t)rb;
		if (rb && !ra)
			note(w->gained, &w->n_gained, &w->gained_total, child, row);
		else if (ra && !rb)
			note(w->lost, &w->n_lost, &w->lost_total, child, row);
	}
}

void whatif_destroy(struct whatif **p)
{
	struct whatif *w = *p;
	if (!w)
		return;
	free(w->gained);
	free(w->lost);
	free(w);
	*p = NULL;
}
