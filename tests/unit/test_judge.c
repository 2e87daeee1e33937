/*
 * Unit tests for judge.c, the pure decision, without a store: raise once
 * per episode, a higher level superseding the open lower one, each lower
 * level raised first when one judgement jumps levels (the rule's own
 * levels only), the whole history judged after a merge with the note in
 * the reason, evidence carried from the timeline, what a window around
 * the newest concern does not see, and a concern added to the evidence
 * of the alert already open for it. Household rules: judged apart from
 * one child's, their reasons and evidence naming the children each
 * concern was recorded for.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "judge.h"

#define DAY  INT64_C(86400000)
#define T0   INT64_C(1767225600000)
#define N(a) (sizeof(a) / sizeof((a)[0]))

enum { POLICE = 1, HEALTH = 2, EDUCATION = 3, DA = 4 };

static struct concern_ref ref(uint64_t seq, int64_t day, int agency, int severity, const char *id)
{
	return (struct concern_ref){seq, T0 + day * DAY, (uint8_t)agency, DA, (uint8_t)severity, id,
	                            0};
}

/* Two agencies AMBER, three RED, within 30 days. */
static struct rule multi(void)
{
	struct rule r = {.kind = RULE_DISTINCT_AGENCIES, .window_ms = 30 * DAY};
	snprintf(r.name, sizeof r.name, "multi-agency");
	r.threshold[LEVEL_AMBER] = 2;
	r.threshold[LEVEL_RED] = 3;
	return r;
}

/* Severity sum within 45 days: AMBER at 3, RED at 6 (LOW 1, MODERATE 2,
 * HIGH 4). */
static struct rule harm(void)
{
	struct rule r = {.kind = RULE_SEVERITY_SUM, .window_ms = 45 * DAY};
	snprintf(r.name, sizeof r.name, "harm-jump");
	r.threshold[LEVEL_AMBER] = 3;
	r.threshold[LEVEL_RED] = 6;
	r.weight[SEVERITY_LOW] = 1;
	r.weight[SEVERITY_MODERATE] = 2;
	r.weight[SEVERITY_HIGH] = 4;
	return r;
}

/* RED only: any IMMEDIATE concern. */
static struct rule immediate(void)
{
	struct rule r = {.kind = RULE_ANY, .min_severity = SEVERITY_IMMEDIATE};
	snprintf(r.name, sizeof r.name, "immediate-risk");
	r.threshold[LEVEL_RED] = 1;
	return r;
}

/* Measure and decide in one go, as judge_apply.c does. */
static void decide(const struct rule *rules, size_t n_rules, const struct concern_ref *refs,
                   size_t n, size_t focus, const enum level *open, const char *note,
                   struct judge_plan *plan)
{
	struct rule_match *m = calloc(n_rules, sizeof *m);
	assert_non_null(m);
	judge_measure(rules, n_rules, RULE_SCOPE_CHILD, refs, n, focus, m);
	assert_int_equal(
	    judge_decide(rules, n_rules, RULE_SCOPE_CHILD, refs, focus, m, open, note, NULL, plan),
	    0);
	free(m);
}

static void test_raise_once_per_episode(void **state)
{
	(void)state;
	struct rule rules[] = {multi()};
	struct concern_ref refs[] = {ref(1, 0, POLICE, 2, "p-1"), ref(2, 1, HEALTH, 2, "h-1")};
	struct judge_plan plan = {0};
	enum level none[] = {LEVEL_NONE}, amber[] = {LEVEL_AMBER}, red[] = {LEVEL_RED};

	decide(rules, 1, refs, 2, 1, none, NULL, &plan);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.items[0].rule, 0);
	assert_int_equal(plan.items[0].level, LEVEL_AMBER);
	assert_int_equal(plan.items[0].supersedes, 0);
	assert_string_equal(
	    plan.items[0].reason,
	    "Concerns from police (neglect, 1 Jan) and health (neglect, 2 Jan) within 30 days");
	judge_plan_clear(&plan);

	/* Already open at that level, or higher: nothing raised, the
	 * concern only joins the open alert's evidence. */
	decide(rules, 1, refs, 2, 1, amber, NULL, &plan);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.items[0].outcome, JUDGE_EVIDENCE);
	judge_plan_clear(&plan);
	decide(rules, 1, refs, 2, 1, red, NULL, &plan);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.items[0].outcome, JUDGE_EVIDENCE);
	judge_plan_clear(&plan);
	judge_plan_clear(&plan); /* safe twice */
}

static void test_higher_level_supersedes_open(void **state)
{
	(void)state;
	struct rule rules[] = {multi()};
	struct concern_ref refs[] = {ref(1, 0, POLICE, 2, "p-1"), ref(2, 1, HEALTH, 2, "h-1"),
	                             ref(3, 2, EDUCATION, 2, "e-1")};
	enum level amber[] = {LEVEL_AMBER};
	struct judge_plan plan = {0};
	decide(rules, 1, refs, 3, 2, amber, NULL, &plan);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.items[0].level, LEVEL_RED);
	assert_int_equal(plan.items[0].supersedes, 1);
	judge_plan_clear(&plan);
}

static void test_jump_raises_each_level_first(void **state)
{
	(void)state;
	/* MODERATE then HIGH: 6 goes from nothing straight to RED. */
	struct rule rules[] = {harm(), immediate()};
	struct concern_ref refs[] = {ref(1, 0, POLICE, SEVERITY_MODERATE, "b1"),
	                             ref(2, 1, EDUCATION, SEVERITY_HIGH, "b2")};
	enum level none[] = {LEVEL_NONE, LEVEL_NONE};
	struct judge_plan plan = {0};
	decide(rules, 2, refs, 2, 1, none, NULL, &plan);
	assert_int_equal(plan.n, 2);
	assert_int_equal(plan.items[0].level, LEVEL_AMBER);
	assert_int_equal(plan.items[0].supersedes, 0);
	assert_int_equal(plan.items[1].level, LEVEL_RED);
	assert_int_equal(plan.items[1].supersedes, 1);
	/* The same evidence for both. */
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(plan.items[i].rule, 0);
		assert_int_equal(plan.items[i].n_evidence, 2);
		assert_string_equal(plan.items[i].evidence[0].concern_id, "b1");
		assert_string_equal(plan.items[i].evidence[1].concern_id, "b2");
	}
	judge_plan_clear(&plan);

	/* A rule without AMBER raises RED alone, superseding nothing. */
	struct concern_ref now[] = {ref(1, 0, POLICE, SEVERITY_IMMEDIATE, "i1")};
	decide(rules, 2, now, 1, 0, none, NULL, &plan);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.items[0].rule, 1);
	assert_int_equal(plan.items[0].level, LEVEL_RED);
	assert_int_equal(plan.items[0].supersedes, 0);
	judge_plan_clear(&plan);

	/* AMBER already open: the jump gives RED only. */
	enum level amber[] = {LEVEL_AMBER, LEVEL_NONE};
	decide(rules, 2, refs, 2, 1, amber, NULL, &plan);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.items[0].level, LEVEL_RED);
	assert_int_equal(plan.items[0].supersedes, 1);
	judge_plan_clear(&plan);
}

static void test_evidence_from_timeline(void **state)
{
	(void)state;
	struct rule rules[] = {multi()};
	struct concern_ref refs[] = {ref(7, 0, POLICE, SEVERITY_LOW, "police/88"),
	                             ref(9, 3, HEALTH, SEVERITY_HIGH, "nhs-12")};
	enum level none[] = {LEVEL_NONE};
	struct judge_plan plan = {0};
	decide(rules, 1, refs, 2, 1, none, NULL, &plan);
	assert_int_equal(plan.n, 1);
	const struct alert_evidence *e = plan.items[0].evidence;
	assert_int_equal(plan.items[0].n_evidence, 2);
	assert_string_equal(e[0].concern_id, "police/88");
	assert_int_equal(e[0].agency, POLICE);
	assert_int_equal(e[0].category, DA);
	assert_int_equal(e[0].severity, SEVERITY_LOW);
	assert_int_equal(e[0].occurred_at_ms, T0);
	assert_string_equal(e[1].concern_id, "nhs-12");
	assert_int_equal(e[1].severity, SEVERITY_HIGH);
	assert_int_equal(e[1].occurred_at_ms, T0 + 3 * DAY);
	judge_plan_clear(&plan);
}

/* The windows around the newest concern miss an old episode; the whole
 * history (after a merge) finds it, with the note in the reason and the
 * first window to reach the level as evidence. */
static void test_whole_history_after_merge(void **state)
{
	(void)state;
	struct rule rules[] = {multi()};
	struct concern_ref refs[] = {ref(1, 0, POLICE, 2, "p-1"), ref(2, 1, HEALTH, 2, "h-1"),
	                             ref(3, 2, EDUCATION, 2, "e-1"), ref(4, 200, POLICE, 2, "p-2")};
	enum level none[] = {LEVEL_NONE};
	struct judge_plan plan = {0};
	decide(rules, 1, refs, 4, 3, none, NULL, &plan);
	assert_int_equal(plan.n, 0);

	const char *note = "after C00000002 was merged into C00000001";
	decide(rules, 1, refs, 4, JUDGE_ALL, none, note, &plan);
	assert_int_equal(plan.n, 2);
	assert_int_equal(plan.items[0].level, LEVEL_AMBER);
	assert_int_equal(plan.items[1].level, LEVEL_RED);
	assert_int_equal(plan.items[1].supersedes, 1);
	for (size_t i = 0; i < plan.n; i++) {
		assert_string_equal(
		    plan.items[i].reason,
		    "Concerns from police (neglect, 1 Jan), health (neglect, 2 Jan) "
		    "and education (neglect, 3 Jan) within 30 days (after C00000002 "
		    "was merged into C00000001)");
		assert_int_equal(plan.items[i].n_evidence, 3);
		assert_string_equal(plan.items[i].evidence[2].concern_id, "e-1");
	}
	judge_plan_clear(&plan);

	/* "" is no note. */
	decide(rules, 1, refs, 4, JUDGE_ALL, none, "", &plan);
	assert_string_equal(plan.items[0].reason,
	                    "Concerns from police (neglect, 1 Jan), health (neglect, 2 Jan) "
	                    "and education (neglect, 3 Jan) within 30 days");
	judge_plan_clear(&plan);
}

/* Several rules in one judgement: their raises in rule order; one not met
 * gives nothing, and its open level is not read. */
/* A concern the rule counts, for a child whose alert of the rule is open
 * (at its level or higher, acknowledged or not: the judge sees only the
 * level), raises nothing and joins that alert's evidence. */
static void test_evidence_for_open_alert(void **state)
{
	(void)state;
	struct rule rules[] = {immediate(), multi()};
	struct concern_ref refs[] = {ref(1, 0, POLICE, SEVERITY_HIGH, "p-1"),
	                             ref(2, 1, HEALTH, SEVERITY_HIGH, "h-1"),
	                             ref(3, 2, EDUCATION, SEVERITY_IMMEDIATE, "e-1")};
	struct judge_plan plan = {0};

	/* Both RED already: the IMMEDIATE concern is evidence for both. */
	enum level red[] = {LEVEL_RED, LEVEL_RED};
	decide(rules, 2, refs, 3, 2, red, NULL, &plan);
	assert_int_equal(plan.n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(plan.items[i].outcome, JUDGE_EVIDENCE);
		assert_int_equal(plan.items[i].rule, i);
		assert_int_equal(plan.items[i].level, LEVEL_RED);
		assert_int_equal(plan.items[i].n_evidence, 1);
		assert_string_equal(plan.items[i].evidence[0].concern_id, "e-1");
		assert_int_equal(plan.items[i].evidence[0].agency, EDUCATION);
		assert_int_equal(plan.items[i].evidence[0].severity, SEVERITY_IMMEDIATE);
	}
	judge_plan_clear(&plan);

	/* A concern the rule does not count (immediate-risk: HIGH) is not
	 * its evidence, even with its alert open; multi counts it. */
	decide(rules, 2, refs, 3, 1, red, NULL, &plan);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.items[0].rule, 1);
	assert_string_equal(plan.items[0].evidence[0].concern_id, "h-1");
	judge_plan_clear(&plan);

	/* A concern that does not meet the rule on its own (alone in its
	 * window) still joins the open alert. */
	struct concern_ref late[] = {ref(1, 0, POLICE, SEVERITY_LOW, "p-1"),
	                             ref(2, 200, POLICE, SEVERITY_LOW, "p-2")};
	enum level amber[] = {LEVEL_NONE, LEVEL_AMBER};
	decide(rules, 2, late, 2, 1, amber, NULL, &plan);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.items[0].outcome, JUDGE_EVIDENCE);
	assert_int_equal(plan.items[0].level, LEVEL_AMBER);
	judge_plan_clear(&plan);

	/* Escalating is not evidence: RED raised over the open AMBER. */
	enum level multi_amber[] = {LEVEL_NONE, LEVEL_AMBER};
	refs[2].severity = SEVERITY_HIGH;
	decide(rules, 2, refs, 3, 2, multi_amber, NULL, &plan);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.items[0].outcome, JUDGE_RAISE);
	assert_int_equal(plan.items[0].level, LEVEL_RED);
	assert_int_equal(plan.items[0].supersedes, 1);
	judge_plan_clear(&plan);

	/* A whole history judged again (after a merge) adds no evidence. */
	decide(rules, 2, refs, 3, JUDGE_ALL, red, NULL, &plan);
	assert_int_equal(plan.n, 0);
	judge_plan_clear(&plan);
}

static void test_rules_in_order(void **state)
{
	(void)state;
	struct rule rules[] = {immediate(), multi(), harm()};
	struct concern_ref refs[] = {ref(1, 0, POLICE, SEVERITY_HIGH, "p"),
	                             ref(2, 1, HEALTH, SEVERITY_IMMEDIATE, "h")};
	enum level open[] = {LEVEL_NONE, LEVEL_NONE, (enum level)99};
	struct judge_plan plan = {0};
	/* harm: 4 + 0 (IMMEDIATE weighs nothing here) = 4: AMBER. */
	rules[2].weight[SEVERITY_IMMEDIATE] = 0;
	open[2] = LEVEL_NONE;
	decide(rules, 3, refs, 2, 1, open, NULL, &plan);
	assert_int_equal(plan.n, 3);
	assert_int_equal(plan.items[0].rule, 0);
	assert_int_equal(plan.items[0].level, LEVEL_RED);
	assert_int_equal(plan.items[1].rule, 1);
	assert_int_equal(plan.items[1].level, LEVEL_AMBER);
	assert_int_equal(plan.items[2].rule, 2);
	assert_int_equal(plan.items[2].level, LEVEL_AMBER);
	judge_plan_clear(&plan);

	/* A concern out of every window: nothing, whatever is open for the
	 * rule that does not count it (multi and harm count it, and would
	 * add it to an open alert's evidence: none is open). */
	struct concern_ref lone[] = {ref(1, 0, EDUCATION, SEVERITY_LOW, "x")};
	enum level junk[] = {(enum level)99, LEVEL_NONE, LEVEL_NONE};
	decide(rules, 3, lone, 1, 0, junk, NULL, &plan);
	assert_int_equal(plan.n, 0);
	judge_plan_clear(&plan);
}

/* ---- household rules ---- */

/* The toxic trio, judged for a household. */
static struct rule trio(void)
{
	struct rule r = {.kind = RULE_DISTINCT_CATEGORIES,
	                 .scope = RULE_SCOPE_HOUSEHOLD,
	                 .window_ms = 90 * DAY,
	                 .categories = (1u << 1) | (1u << 2) | (1u << 3)};
	snprintf(r.name, sizeof r.name, "toxic-trio");
	r.threshold[LEVEL_AMBER] = 2;
	r.threshold[LEVEL_RED] = 3;
	return r;
}

static struct concern_ref cat(uint64_t seq, int64_t day, int agency, int category, const char *id)
{
	return (struct concern_ref){seq, T0 + day * DAY, (uint8_t)agency, (uint8_t)category, 2, id,
	                            0};
}

/* Mia and Jayden: domestic abuse with both present, their mother's mental
 * health recorded for Jayden, substance misuse for Mia. */
static void test_household_reason_names_the_children(void **state)
{
	(void)state;
	struct rule rules[] = {multi(), trio()};
	struct concern_ref refs[] = {cat(1, 70, POLICE, 1, "p-da"), cat(2, 78, HEALTH, 3, "hv-mh"),
	                             cat(3, 91, POLICE, 2, "p-sm")};
	const char *names[] = {"Mia", "Jayden"};
	const uint64_t children[] = {11, 12}, filed[] = {3, 2, 1};
	struct rule_people people = {2, names, children, filed};
	struct rule_match m[2];
	enum level none[] = {LEVEL_NONE, LEVEL_NONE};
	struct judge_plan plan = {0};

	/* Only the household's rules: multi-agency is one child's. */
	judge_measure(rules, 2, RULE_SCOPE_HOUSEHOLD, refs, 3, 2, m);
	assert_int_equal(m[0].level, LEVEL_NONE);
	assert_int_equal(m[1].level, LEVEL_RED);
	assert_int_equal(
	    judge_decide(rules, 2, RULE_SCOPE_HOUSEHOLD, refs, 2, m, none, NULL, &people, &plan),
	    0);
	assert_int_equal(plan.n, 2); /* AMBER, then RED superseding it */
	const struct judge_raise *red = &plan.items[1];
	assert_int_equal(red->level, LEVEL_RED);
	assert_string_equal(red->reason,
	                    "Domestic abuse (police, 12 Mar, Mia and Jayden present), parental "
	                    "mental health (health, 20 Mar, recorded for Jayden) and parental "
	                    "substance misuse (police, 2 Apr, recorded for Mia) within 90 days");
	/* Each evidence item names the children it was recorded for. */
	assert_int_equal(red->n_evidence, 3);
	assert_int_equal(red->evidence[0].n_children, 2);
	assert_int_equal(red->evidence[0].children[0], 11);
	assert_int_equal(red->evidence[0].children[1], 12);
	assert_int_equal(red->evidence[1].n_children, 1);
	assert_int_equal(red->evidence[1].children[0], 12);
	assert_int_equal(red->evidence[2].children[0], 11);
	judge_plan_clear(&plan);

	/* One child's rules leave the household's alone. */
	judge_measure(rules, 2, RULE_SCOPE_CHILD, refs, 3, 2, m);
	assert_int_equal(m[1].level, LEVEL_NONE);
	assert_int_equal(
	    judge_decide(rules, 2, RULE_SCOPE_CHILD, refs, 2, m, none, NULL, NULL, &plan), 0);
	for (size_t i = 0; i < plan.n; i++)
		assert_int_equal(plan.items[i].rule, 0);
	judge_plan_clear(&plan);

	/* Open at RED for this child: the household's new concern is its
	 * evidence, with whom it was for. */
	enum level red_open[] = {LEVEL_NONE, LEVEL_RED};
	judge_measure(rules, 2, RULE_SCOPE_HOUSEHOLD, refs, 3, 1, m);
	assert_int_equal(judge_decide(rules, 2, RULE_SCOPE_HOUSEHOLD, refs, 1, m, red_open, NULL,
	                              &people, &plan),
	                 0);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.items[0].outcome, JUDGE_EVIDENCE);
	assert_string_equal(plan.items[0].evidence[0].concern_id, "hv-mh");
	assert_int_equal(plan.items[0].evidence[0].children[0], 12);
	judge_plan_clear(&plan);
}

/* A rule that counts rather than lists names the children at the end; a
 * household of one names nobody. */
static void test_household_count_reason(void **state)
{
	(void)state;
	struct rule r = {.kind = RULE_COUNT, .scope = RULE_SCOPE_HOUSEHOLD, .window_ms = 90 * DAY};
	snprintf(r.name, sizeof r.name, "household-count");
	r.threshold[LEVEL_AMBER] = 3;
	struct concern_ref refs[] = {cat(1, 0, POLICE, 4, "a"), cat(2, 1, HEALTH, 4, "b"),
	                             cat(3, 2, POLICE, 4, "c")};
	const char *names[] = {"Mia", "Jayden"};
	const uint64_t children[] = {11, 12}, filed[] = {1, 3, 1};
	struct rule_people people = {2, names, children, filed};
	struct rule_match m;
	assert_int_equal(rule_eval(&r, refs, 3, 2, &m), LEVEL_AMBER);
	char buf[RULE_REASON_MAX];
	rule_reason_people(&r, &m, refs, &people, buf, sizeof buf);
	assert_string_equal(buf, "3 concerns within 90 days, 1 Jan to 3 Jan, recorded for Mia and "
	                         "Jayden");
	struct rule_people alone = {1, names, children, filed};
	rule_reason_people(&r, &m, refs, &alone, buf, sizeof buf);
	assert_string_equal(buf, "3 concerns within 90 days, 1 Jan to 3 Jan");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_raise_once_per_episode),
	    cmocka_unit_test(test_higher_level_supersedes_open),
	    cmocka_unit_test(test_jump_raises_each_level_first),
	    cmocka_unit_test(test_evidence_from_timeline),
	    cmocka_unit_test(test_whole_history_after_merge),
	    cmocka_unit_test(test_evidence_for_open_alert),
	    cmocka_unit_test(test_rules_in_order),
	    cmocka_unit_test(test_household_reason_names_the_children),
	    cmocka_unit_test(test_household_count_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
