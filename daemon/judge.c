/*
 * judge.c - the judge's decision (see judge.h).
 *
 * Owns the raise-once/escalate policy over rule matches. Does not own rule
 * arithmetic (rules.c), the store's reads and writes around a judgement
 * (judge_apply.c) or publishing (outbox.c, server.c).
 */
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void judge_measure(const struct rule *rules, size_t n_rules, enum rule_scope scope,
                   const struct concern_ref *refs, size_t n, size_t focus,
                   struct rule_match *matches)
{
	for (size_t i = 0; i < n_rules; i++) {
		struct rule_match *best = &matches[i];
		best->level = LEVEL_NONE;
		best->n_evidence = 0;
		if (rules[i].scope != scope)
			continue;
		if (focus != JUDGE_ALL) {
			rule_eval(&rules[i], refs, n, focus, best);
			continue;
		}
		struct rule_match m;
		for (size_t f = 0; f < n; f++)
			if (rule_eval(&rules[i], refs, n, f, &m) > best->level)
				*best = m;
	}
}

static struct judge_raise *append(struct judge_plan *plan)
{
	if (plan->n == plan->cap) {
		size_t cap = plan->cap ? plan->cap * 2 : 4;
		struct judge_raise *items = realloc(plan->items, cap * sizeof *items);
		if (!items)
			return NULL;
		plan->items = items;
		plan->cap = cap;
	}
	struct judge_raise *r = &plan->items[plan->n++];
	memset(r, 0, sizeof *r);
	return r;
}

/* refs[i] as evidence, with the household's children it was filed under. */
static void evidence_set(struct alert_evidence *e, const struct concern_ref *refs, size_t i,
                         const struct rule_people *people)
{
	const struct concern_ref *c = &refs[i];
	memset(e, 0, sizeof *e);
	snprintf(e->concern_id, sizeof e->concern_id, "%s", c->concern_id ? c->concern_id : "");
	e->agency = c->agency;
	e->category = c->category;
	e->severity = c->severity;
	e->occurred_at_ms = c->occurred_at_ms;
	for (size_t k = 0; people && k < people->n && k < 64; k++)
		if (((people->filed[i] >> k) & 1) && e->n_children < ALERT_EVIDENCE_CHILDREN)
			e->children[e->n_children++] = people->children[k];
}

/* One alert of rule r at `level` with m's evidence. */
static int raise_one(struct judge_plan *plan, size_t rule, const struct rule *r,
                     const struct concern_ref *refs, const struct rule_match *m, enum level level,
                     int supersedes, const char *note, const struct rule_people *people)
{
	struct judge_raise *out = append(plan);
	if (!out)
		return -1;
	out->rule = rule;
	out->level = level;
	out->supersedes = supersedes;
	/* The reason reads the level from the match: the one raised. */
	struct rule_match at = *m;
	at.level = level;
	rule_reason_people(r, &at, refs, people, out->reason, sizeof out->reason);
	if (note && note[0]) {
		size_t used = strlen(out->reason);
		snprintf(out->reason + used, sizeof out->reason - used, " (%s)", note);
	}
	for (size_t i = 0; i < m->n_evidence && i < RULE_EVIDENCE_MAX; i++)
		evidence_set(&out->evidence[out->n_evidence++], refs, m->evidence[i], people);
	return 0;
}

int judge_needs_open(const struct rule *rule, enum rule_scope scope, const struct concern_ref *refs,
                     size_t focus, const struct rule_match *match)
{
	if (rule->scope != scope)
		return 0;
	return match->level != LEVEL_NONE ||
	       (focus != JUDGE_ALL && rule_counts(rule, &refs[focus]));
}

int judge_decide(const struct rule *rules, size_t n_rules, enum rule_scope scope,
                 const struct concern_ref *refs, size_t focus, const struct rule_match *matches,
                 const enum level *open, const char *note, const struct rule_people *people,
                 struct judge_plan *plan)
{
	for (size_t i = 0; i < n_rules; i++) {
		const struct rule_match *m = &matches[i];
		if (!judge_needs_open(&rules[i], scope, refs, focus, m))
			continue;
		enum level now = open[i];
		/* Nothing higher to raise, and an alert of the rule is open:
		 * the concern the rule counts joins it, and is heard. */
		if (now != LEVEL_NONE && m->level <= now) {
			if (focus == JUDGE_ALL || !rule_counts(&rules[i], &refs[focus]))
				continue;
			struct judge_raise *out = append(plan);
			if (!out)
				return -1;
			out->outcome = JUDGE_EVIDENCE;
			out->rule = i;
			out->level = now;
			out->n_evidence = 1;
			evidence_set(&out->evidence[0], refs, focus, people);
			continue;
		}
		if (m->level == LEVEL_NONE)
			continue;
		/* Each level the rule defines up to the one reached, lowest
		 * first; those the open episode already reached give nothing. */
		for (int level = LEVEL_AMBER; level <= (int)m->level; level++) {
			if (level < (int)m->level && !rules[i].threshold[level])
				continue;
			if ((int)now >= level)
				continue;
			if (raise_one(plan, i, &rules[i], refs, m, (enum level)level,
			              now != LEVEL_NONE, note, people) < 0)
				return -1;
			now = (enum level)level;
		}
	}
	return 0;
}

void judge_plan_clear(struct judge_plan *plan)
{
	free(plan->items);
	memset(plan, 0, sizeof *plan);
}
