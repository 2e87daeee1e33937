/*
 * judge.h - the judge's decision: given a child's timeline, the rules and
 * the level of each rule's alert already open for that child, which
 * alerts to raise. Pure: no store, no clock (the caller stores what is
 * decided, judge_apply.h).
 *
 * The policy, whatever order the concerns arrived in:
 * - raise once per episode: a rule's alert is raised for a level only when
 *   no alert of that rule at that level or higher is open for the child;
 * - evidence never goes silent: a concern just filed that a rule counts,
 *   for a child with that rule's alert open (acknowledged or not) and
 *   raising nothing higher, is added to that alert's evidence (and
 *   published as such), whatever level the alert is and whether or not
 *   the concern meets the rule on its own;
 * - a higher level supersedes the open lower one;
 * - when one judgement passes several levels at once, each lower level the
 *   rule defines is raised first, with the same evidence, and superseded at
 *   once by the next: the supersedes chain climbs one level at a time, as
 *   it would had the concerns arrived one by one.
 *
 * A judgement covers the rules of one scope (rules.h): a child's own rules
 * over its own timeline, or a household's rules over the concerns of every
 * child of the household together (each once). A household's matches are
 * measured once and decided for each child of the household in turn, with
 * that child's open levels: every child reaches the level the household
 * reaches, whatever order its concerns and its members arrived in.
 */
#ifndef FFC_JUDGE_H
#define FFC_JUDGE_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "concern.h"
#include "rules.h"

/* judge_measure()'s focus for judging every window of the history. */
#define JUDGE_ALL SIZE_MAX

/* What the judge decided for one rule. */
enum judge_outcome {
	JUDGE_RAISE,   /* raise an alert at `level` */
	JUDGE_EVIDENCE /* add evidence[0] to the rule's open alert (at `level`) */
};

/* One alert to raise, or one concern to add to an open alert, in the order
 * they are to be stored and published. */
struct judge_raise {
	enum judge_outcome outcome;
	size_t rule; /* index into the rules judged */
	enum level level;
	/* 1 when an alert of this rule is open when this one is raised (the
	 * one open before, or the one raised just before in this plan): this
	 * one supersedes it. */
	int supersedes;
	char reason[RULE_REASON_MAX];
	size_t n_evidence;
	struct alert_evidence evidence[RULE_EVIDENCE_MAX];
};

/* Zeroed is empty; owns items until judge_plan_clear(). */
struct judge_plan {
	size_t n, cap;
	struct judge_raise *items;
};

/* What each rule of `scope` reaches for one child (or household):
 * matches[i] for rules[i], level LEVEL_NONE when the rule is not met or is
 * of the other scope. refs[0..n) is the child's timeline (or the
 * household's, each concern once; the rules' view, time order). focus is the index in refs of the
 * concern just filed: only the windows holding it are judged. JUDGE_ALL
 * judges every window (after a merge or split): the highest level each
 * rule reaches anywhere, the first window to reach it as its evidence.
 * matches must hold n_rules entries. */
void judge_measure(const struct rule *rules, size_t n_rules, enum rule_scope scope,
                   const struct concern_ref *refs, size_t n, size_t focus,
                   struct rule_match *matches);

/* The alerts to raise for matches (from judge_measure() over the same
 * refs, whose concern_id must be set), appended to *plan. open[i] is the
 * level of rules[i]'s alert open for the child now (LEVEL_NONE when none);
 * it is read where matches[i] is met or rules[i] counts refs[focus].
 * focus is the concern just filed (as judge_measure() took it): where it
 * raises nothing for a rule with an open alert that counts it, the plan
 * holds a JUDGE_EVIDENCE item for it. JUDGE_ALL (a whole history judged
 * again) adds no evidence. note (NULL or "" for none) is
 * appended to each reason in parentheses ("after C00000002 was merged
 * into C00000001"). Only rules of `scope` are decided (judge_measure()
 * left the others unmet). people (NULL for one child's rules) names the
 * household's children and whom each ref was filed under: the reasons name
 * them (rule_reason_people()) and each evidence item lists its children.
 * Returns 0, or -1 when out of memory (*plan then holds what was appended
 * before). */
int judge_decide(const struct rule *rules, size_t n_rules, enum rule_scope scope,
                 const struct concern_ref *refs, size_t focus, const struct rule_match *matches,
                 const enum level *open, const char *note, const struct rule_people *people,
                 struct judge_plan *plan);

/* Does judge_decide() need open[i]: is rules[i] of `scope` and matches[i]
 * met, or does it count refs[focus] (focus not JUDGE_ALL)? */
int judge_needs_open(const struct rule *rule, enum rule_scope scope, const struct concern_ref *refs,
                     size_t focus, const struct rule_match *match);

/* Free the items and leave plan empty (reusable). Safe twice. */
void judge_plan_clear(struct judge_plan *plan);

#endif
