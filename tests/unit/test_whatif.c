/*
 * Unit tests for whatif.c: the same rules judge alike (no differences);
 * a lowered threshold gains children; a removed rule loses them; a new
 * rule and a new level get rows of their own; counts are by child, and
 * lists past their cap are still counted; a household rule judges the
 * household's concerns.
 */
/* cmocka needs these before its own header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "whatif.h"

#define DAY MS_PER_DAY

enum { POLICE = 1, HEALTH = 2, EDUCATION = 3 };
enum { DA = 1, NEGLECT = 4, MISSING = 10, ABSENCE = 11, WNB = 12 };
enum { LOW = 1, MODERATE = 2, HIGH = 3, IMMEDIATE = 4 };

static struct concern_ref ref(uint64_t seq, int64_t day, int agency, int category, int severity)
{
	return (struct concern_ref){
	    seq, day * DAY, (uint8_t)agency, (uint8_t)category, (uint8_t)severity, NULL, 0};
}

/* Three children: 1 with two agencies in 30 days (multi-agency AMBER),
 * 2 with three missing episodes (repeat-missing AMBER), 3 with two
 * missing episodes and an immediate risk. */
static void feed(struct whatif *w)
{
	const struct concern_ref c1[] = {ref(1, 0, POLICE, DA, LOW),
	                                 ref(2, 10, HEALTH, NEGLECT, LOW)};
	const struct concern_ref c2[] = {ref(3, 0, POLICE, MISSING, LOW),
	                                 ref(4, 20, POLICE, MISSING, LOW),
	                                 ref(5, 40, POLICE, MISSING, LOW)};
	const struct concern_ref c3[] = {ref(6, 0, POLICE, MISSING, LOW),
	                                 ref(7, 50, POLICE, MISSING, IMMEDIATE)};
	whatif_child(w, 1, c1, 2, c1, 2);
	whatif_child(w, 2, c2, 3, c2, 3);
	whatif_child(w, 3, c3, 2, c3, 2);
}

static const struct whatif_row *row(const struct whatif *w, const char *rule, enum level l)
{
	for (size_t i = 0; i < w->n_rows; i++)
		if (!strcmp(w->rows[i].rule, rule) && w->rows[i].level == l)
			return &w->rows[i];
	fail_msg("no row %s %d", rule, (int)l);
	abort();
}

static struct rule a[RULES_MAX], b[RULES_MAX];
static size_t na, nb;

static struct rule *find(struct rule *rules, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rules[i].name, name))
			return &rules[i];
	fail_msg("no rule %s", name);
	abort();
}

static void test_identical_rules_no_differences(void **state)
{
	(void)state;
	na = rules_defaults(a, RULES_MAX);
	nb = rules_defaults(b, RULES_MAX);
	struct whatif *w = whatif_new(a, na, b, nb);
	assert_non_null(w);
	feed(w);
	assert_int_equal(w->children, 3);
	assert_int_equal(w->concerns, 7);
	assert_int_equal(w->gained_total + w->lost_total, 0);
	/* One row per rule and level, in the rules' order. */
	assert_int_equal(w->n_rows, 8);
	assert_string_equal(w->rows[0].rule, "immediate-risk");
	assert_int_equal(w->rows[0].level, LEVEL_RED);
	for (size_t i = 0; i < w->n_rows; i++) {
		assert_int_equal(w->rows[i].in_force, w->rows[i].candidate);
		assert_true(w->rows[i].in_force_has && w->rows[i].candidate_has);
	}
	assert_int_equal(row(w, "immediate-risk", LEVEL_RED)->in_force, 1);
	assert_int_equal(row(w, "multi-agency", LEVEL_AMBER)->in_force, 1);
	assert_int_equal(row(w, "multi-agency", LEVEL_RED)->in_force, 0);
	assert_int_equal(row(w, "repeat-missing", LEVEL_AMBER)->in_force, 1);
	whatif_destroy(&w);
	assert_null(w);
	whatif_destroy(&w);
}

static void test_lowered_threshold_gains(void **state)
{
	(void)state;
	na = rules_defaults(a, RULES_MAX);
	nb = rules_defaults(b, RULES_MAX);
	find(b, nb, "repeat-missing")->threshold[LEVEL_AMBER] = 2;
	struct whatif *w = whatif_new(a, na, b, nb);
	assert_non_null(w);
	feed(w);
	const struct whatif_row *r = row(w, "repeat-missing", LEVEL_AMBER);
	assert_int_equal(r->in_force, 1);
	assert_int_equal(r->candidate, 2);
	assert_int_equal(w->gained_total, 1);
	assert_int_equal(w->lost_total, 0);
	assert_int_equal(w->gained[0].child, 3);
	assert_string_equal(w->gained[0].rule, "repeat-missing");
	assert_int_equal(w->gained[0].level, LEVEL_AMBER);
	whatif_destroy(&w);
}

static void test_removed_rule_loses_and_new_rule_gains(void **state)
{
	(void)state;
	na = rules_defaults(a, RULES_MAX);
	nb = rules_defaults(b, RULES_MAX);
	/* The candidate drops immediate-risk and adds an all-of rule with a
	 * RED the rules in force never had. */
	memmove(&b[0], &b[1], (nb - 1) * sizeof b[0]);
	nb--;
	b[nb++] = (struct rule){.name = "police-and-health",
	                        .kind = RULE_ALL_OF,
	                        .window_ms = 30 * DAY,
	                        .n_parts = 2,
	                        .parts = {{.agencies = 1u << POLICE, .count = 1},
	                                  {.agencies = 1u << HEALTH, .count = 1}},
	                        .threshold = {[LEVEL_RED] = 2}};
	struct whatif *w = whatif_new(a, na, b, nb);
	assert_non_null(w);
	feed(w);
	const struct whatif_row *r = row(w, "immediate-risk", LEVEL_RED);
	assert_true(r->in_force_has);
	assert_false(r->candidate_has);
	assert_int_equal(r->in_force, 1);
	assert_int_equal(r->candidate, 0);
	r = row(w, "police-and-health", LEVEL_RED);
	assert_false(r->in_force_has);
	assert_true(r->candidate_has);
	assert_int_equal(r->candidate, 1);
	/* The new rule's row comes after every rule in force. */
	assert_string_equal(w->rows[w->n_rows - 1].rule, "police-and-health");
	assert_int_equal(w->lost_total, 1);
	assert_int_equal(w->lost[0].child, 3);
	assert_string_equal(w->lost[0].rule, "immediate-risk");
	assert_int_equal(w->gained_total, 1);
	assert_int_equal(w->gained[0].child, 1);
	whatif_destroy(&w);
}

static void test_lists_are_capped_counts_are_not(void **state)
{
	(void)state;
	na = rules_defaults(a, RULES_MAX);
	nb = rules_defaults(b, RULES_MAX);
	find(b, nb, "multi-agency")->threshold[LEVEL_AMBER] = 1;
	struct whatif *w = whatif_new(a, na, b, nb);
	assert_non_null(w);
	const struct concern_ref one[] = {ref(1, 0, POLICE, DA, LOW)};
	for (uint64_t child = 1; child <= WHATIF_LIST_MAX + 5; child++)
		whatif_child(w, child, one, 1, one, 1);
	assert_int_equal(w->gained_total, WHATIF_LIST_MAX + 5);
	assert_int_equal(w->n_gained, WHATIF_LIST_MAX);
	assert_int_equal(row(w, "multi-agency", LEVEL_AMBER)->candidate, WHATIF_LIST_MAX + 5);
	/* A child with no concerns reaches nothing. */
	whatif_child(w, 9999, NULL, 0, NULL, 0);
	assert_int_equal(w->gained_total, WHATIF_LIST_MAX + 5);
	whatif_destroy(&w);
}

/* The concerns' statuses decide status rules: a plan's category asked
 * for loses the child whose plan is of another. */
static void test_status_rules(void **state)
{
	(void)state;
	na = rules_defaults(a, RULES_MAX);
	nb = rules_defaults(b, RULES_MAX);
	find(b, nb, "on-plan-not-seen")->when_status =
	    status_term_parse("child-protection-plan:physical-abuse");
	struct whatif *w = whatif_new(a, na, b, nb);
	assert_non_null(w);
	const uint32_t neglect_plan = status_term_parse("child-protection-plan") |
	                              status_term_parse("child-protection-plan:neglect");
	struct concern_ref on_plan = ref(1, 0, HEALTH, WNB, LOW),
	                   off_plan = ref(2, 0, HEALTH, WNB, LOW);
	on_plan.status = neglect_plan;
	whatif_child(w, 1, &on_plan, 1, &on_plan, 1);
	whatif_child(w, 2, &off_plan, 1, &off_plan, 1);
	const struct whatif_row *r = row(w, "on-plan-not-seen", LEVEL_AMBER);
	assert_int_equal(r->in_force, 1);
	assert_int_equal(r->candidate, 0);
	assert_int_equal(w->lost_total, 1);
	assert_int_equal(w->lost[0].child, 1);
	assert_int_equal(w->gained_total, 0);
	whatif_destroy(&w);
}

/* A household rule judges the household's concerns: a candidate that
 * makes the toxic trio a household's gains the sibling whose own concerns
 * hold one factor, and the whatif knows it needs the households. */
static void test_household_rule_judges_the_household(void **state)
{
	(void)state;
	struct rule in_force[1], cand[1];
	rules_defaults(in_force, 1); /* immediate-risk only: no household rule */
	struct whatif *w = whatif_new(in_force, 1, in_force, 1);
	assert_non_null(w);
	assert_false(whatif_has_household_rules(w));
	whatif_destroy(&w);
	struct rule d[RULES_MAX];
	rules_defaults(d, RULES_MAX);
	cand[0] = d[2]; /* toxic-trio, for the household */
	in_force[0] = d[2];
	in_force[0].scope = RULE_SCOPE_CHILD;
	w = whatif_new(in_force, 1, cand, 1);
	assert_non_null(w);
	assert_true(whatif_has_household_rules(w));
	enum { SM = 2, MH = 3 };
	/* Mia: domestic abuse and substance misuse; Jayden: domestic abuse
	 * (the same concern) and mental health. Together, all three. */
	const struct concern_ref mia[] = {ref(1, 0, POLICE, DA, LOW), ref(3, 20, POLICE, SM, LOW)};
	const struct concern_ref jay[] = {ref(1, 0, POLICE, DA, LOW), ref(2, 8, HEALTH, MH, LOW)};
	const struct concern_ref both[] = {ref(1, 0, POLICE, DA, LOW), ref(2, 8, HEALTH, MH, LOW),
	                                   ref(3, 20, POLICE, SM, LOW)};
	whatif_child(w, 1, mia, 2, both, 3);
	whatif_child(w, 2, jay, 2, both, 3);
	assert_int_equal(row(w, "toxic-trio", LEVEL_AMBER)->in_force, 2);
	assert_int_equal(row(w, "toxic-trio", LEVEL_AMBER)->candidate, 2);
	assert_int_equal(row(w, "toxic-trio", LEVEL_RED)->in_force, 0);
	assert_int_equal(row(w, "toxic-trio", LEVEL_RED)->candidate, 2);
	assert_int_equal(w->gained_total, 2);
	assert_int_equal(w->lost_total, 0);
	whatif_destroy(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_identical_rules_no_differences),
	    cmocka_unit_test(test_lowered_threshold_gains),
	    cmocka_unit_test(test_removed_rule_loses_and_new_rule_gains),
	    cmocka_unit_test(test_lists_are_capped_counts_are_not),
	    cmocka_unit_test(test_status_rules),
	    cmocka_unit_test(test_household_rule_judges_the_household),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
