/*
 * Unit tests for rules.c: every default rule at and around its thresholds,
 * window edges (inclusive), windows that must contain the judged concern,
 * back-filled concerns, filters, severity weights, evidence, the reason
 * sentences, and a long history.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define DAY MS_PER_DAY

enum { POLICE = 1, HEALTH = 2, EDUCATION = 3, SOCIAL_CARE = 4 };
enum { DA = 1, SUBSTANCE = 2, MENTAL = 3, NEGLECT = 4, MISSING = 10, ABSENCE = 11, WNB = 12 };
enum { LOW = 1, MODERATE = 2, HIGH = 3, IMMEDIATE = 4 };

static struct rule rules[RULES_MAX];

static const struct rule *rule(const char *name)
{
	static size_t n;
	if (!n)
		n = rules_defaults(rules, RULES_MAX);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rules[i].name, name))
			return &rules[i];
	fail_msg("no default rule %s", name);
	return NULL;
}

static struct concern_ref ref(uint64_t seq, int64_t day, int agency, int category, int severity)
{
	struct concern_ref r = {seq, day * DAY, (uint8_t)agency, (uint8_t)category,
	                        (uint8_t)severity};
	return r;
}

static struct rule_match m;

static void test_defaults(void **state)
{
	(void)state;
	struct rule r[RULES_MAX];
	assert_int_equal(rules_defaults(r, RULES_MAX), 5);
	assert_string_equal(r[0].name, "immediate-risk");
	assert_string_equal(r[4].name, "repeat-missing");
	assert_int_equal(rules_defaults(r, 2), 2);
	assert_int_equal(rule("multi-agency")->window_ms, 30 * DAY);
	assert_int_equal(rule("toxic-trio")->threshold[LEVEL_RED], 3);
	assert_int_equal(rule("cumulative-harm")->weight[IMMEDIATE], 0);
}

static void test_immediate_risk(void **state)
{
	(void)state;
	struct concern_ref refs[] = {ref(1, 0, POLICE, DA, HIGH), ref(2, 1, POLICE, 5, IMMEDIATE)};
	assert_int_equal(rule_eval(rule("immediate-risk"), refs, 2, 0, &m), LEVEL_NONE);
	assert_int_equal(rule_eval(rule("immediate-risk"), refs, 2, 1, &m), LEVEL_RED);
	assert_int_equal(m.n_evidence, 1);
	assert_int_equal(m.evidence[0], 1);
	char reason[RULE_REASON_MAX];
	rule_reason(rule("immediate-risk"), &m, refs, reason, sizeof reason);
	assert_string_equal(reason, "POLICE reported IMMEDIATE_RISK (PHYSICAL_ABUSE)");
}

static void test_multi_agency_levels_and_reason(void **state)
{
	(void)state;
	const struct rule *r = rule("multi-agency");
	struct concern_ref refs[] = {
	    ref(1, 0, POLICE, DA, HIGH),
	    ref(2, 5, EDUCATION, ABSENCE, LOW),
	    ref(3, 9, POLICE, DA, LOW),
	    ref(4, 20, HEALTH, WNB, LOW),
	};
	assert_int_equal(rule_eval(r, refs, 1, 0, &m), LEVEL_NONE);
	assert_int_equal(rule_eval(r, refs, 2, 1, &m), LEVEL_AMBER);
	assert_int_equal(m.measure, 2);
	assert_int_equal(rule_eval(r, refs, 4, 3, &m), LEVEL_RED);
	assert_int_equal(m.measure, 3);
	/* Evidence: every counting concern of the window, oldest first. */
	assert_int_equal(m.n_evidence, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(m.evidence[i], i);
	char reason[RULE_REASON_MAX];
	rule_reason(r, &m, refs, reason, sizeof reason);
	assert_string_equal(reason, "concerns from POLICE, EDUCATION and HEALTH within 30 days");
}

static void test_window_edges(void **state)
{
	(void)state;
	const struct rule *r = rule("multi-agency");
	struct concern_ref refs[2] = {ref(1, 0, POLICE, DA, LOW), ref(2, 30, HEALTH, WNB, LOW)};
	/* Exactly 30 days apart: within the window. */
	assert_int_equal(rule_eval(r, refs, 2, 1, &m), LEVEL_AMBER);
	assert_int_equal(rule_eval(r, refs, 2, 0, &m), LEVEL_AMBER);
	/* One millisecond more: not. */
	refs[1].occurred_at_ms += 1;
	assert_int_equal(rule_eval(r, refs, 2, 1, &m), LEVEL_NONE);
	assert_int_equal(rule_eval(r, refs, 2, 0, &m), LEVEL_NONE);
}

static void test_window_must_contain_focus(void **state)
{
	(void)state;
	const struct rule *r = rule("multi-agency");
	/* Three agencies long ago; the judged concern is alone in its window. */
	struct concern_ref refs[] = {
	    ref(1, 0, POLICE, DA, LOW),
	    ref(2, 1, HEALTH, WNB, LOW),
	    ref(3, 2, EDUCATION, ABSENCE, LOW),
	    ref(4, 100, POLICE, DA, LOW),
	};
	assert_int_equal(rule_eval(r, refs, 4, 3, &m), LEVEL_NONE);
	assert_int_equal(m.measure, 1);
	assert_int_equal(rule_eval(r, refs, 4, 2, &m), LEVEL_RED);
}

static void test_backfilled_bridges_windows(void **state)
{
	(void)state;
	const struct rule *r = rule("multi-agency");
	/* Police on day 0, health on day 40: apart. Education on day 20
	 * arrives late and meets each, but never all three. */
	struct concern_ref refs[] = {
	    ref(1, 0, POLICE, DA, LOW),
	    ref(3, 20, EDUCATION, ABSENCE, LOW),
	    ref(2, 40, HEALTH, WNB, LOW),
	};
	assert_int_equal(rule_eval(r, refs, 3, 1, &m), LEVEL_AMBER);
	assert_int_equal(m.measure, 2);
	assert_int_equal(m.n_evidence, 2);
	/* Ties go to the earliest window. */
	assert_int_equal(m.evidence[0], 0);
	assert_int_equal(m.evidence[1], 1);
}

static void test_toxic_trio_counts_only_its_categories(void **state)
{
	(void)state;
	const struct rule *r = rule("toxic-trio");
	struct concern_ref refs[] = {
	    ref(1, 0, POLICE, DA, LOW),       ref(2, 10, HEALTH, NEGLECT, HIGH),
	    ref(3, 50, HEALTH, MENTAL, LOW),  ref(4, 90, POLICE, SUBSTANCE, LOW),
	    ref(5, 91, HEALTH, NEGLECT, LOW),
	};
	assert_int_equal(rule_eval(r, refs, 5, 1, &m), LEVEL_NONE); /* not a trio category */
	assert_int_equal(rule_eval(r, refs, 3, 2, &m), LEVEL_AMBER);
	assert_int_equal(rule_eval(r, refs, 5, 3, &m), LEVEL_RED);
	assert_int_equal(m.n_evidence, 3);
	char reason[RULE_REASON_MAX];
	rule_reason(r, &m, refs, reason, sizeof reason);
	assert_string_equal(
	    reason, "DOMESTIC_ABUSE, MENTAL_HEALTH and SUBSTANCE_MISUSE concerns within 90 days");
}

static void test_cumulative_harm_weights(void **state)
{
	(void)state;
	const struct rule *r = rule("cumulative-harm");
	struct concern_ref refs[] = {
	    ref(1, 0, HEALTH, NEGLECT, LOW),       /* 1 */
	    ref(2, 30, HEALTH, NEGLECT, MODERATE), /* 2 */
	    ref(3, 60, POLICE, DA, HIGH),          /* 4: 7 */
	    ref(4, 90, HEALTH, 14, IMMEDIATE),     /* 0 */
	    ref(5, 180, EDUCATION, ABSENCE, LOW),  /* 1: 8 with day 0, inclusive */
	    ref(6, 181, EDUCATION, ABSENCE, LOW),  /* the window has moved past day 0 */
	};
	assert_int_equal(rule_eval(r, refs, 4, 3, &m), LEVEL_NONE);
	assert_int_equal(m.measure, 7);
	assert_int_equal(rule_eval(r, refs, 5, 4, &m), LEVEL_AMBER);
	assert_int_equal(m.measure, 8);
	char reason[RULE_REASON_MAX];
	rule_reason(r, &m, refs, reason, sizeof reason);
	assert_string_equal(reason,
	                    "severity weight 8 from 5 concerns within 180 days (threshold 8)");
	assert_int_equal(rule_eval(r, refs, 6, 5, &m), LEVEL_AMBER);
	assert_int_equal(m.measure, 8); /* days 30..181: 2 + 4 + 0 + 1 + 1 */
}

static void test_repeat_missing(void **state)
{
	(void)state;
	const struct rule *r = rule("repeat-missing");
	struct concern_ref refs[] = {
	    ref(1, 0, POLICE, MISSING, LOW),       ref(2, 40, POLICE, DA, LOW),
	    ref(3, 45, POLICE, MISSING, LOW),      ref(4, 91, POLICE, MISSING, LOW),
	    ref(5, 92, SOCIAL_CARE, MISSING, LOW),
	};
	assert_int_equal(rule_eval(r, refs, 4, 3, &m), LEVEL_NONE); /* day 0 is 91 days back */
	assert_int_equal(m.measure, 2);
	assert_int_equal(rule_eval(r, refs, 5, 4, &m), LEVEL_AMBER);
	char reason[RULE_REASON_MAX];
	rule_reason(r, &m, refs, reason, sizeof reason);
	assert_string_equal(reason, "3 MISSING concerns within 90 days");
}

static void test_filters(void **state)
{
	(void)state;
	struct rule r = {
	    .name = "health-then-school",
	    .kind = RULE_COUNT,
	    .window_ms = 60 * DAY,
	    .threshold = {[LEVEL_AMBER] = 2},
	    .agencies = (1u << HEALTH) | (1u << EDUCATION),
	    .categories = (1u << WNB) | (1u << ABSENCE),
	    .min_severity = MODERATE,
	};
	struct concern_ref police = ref(1, 0, POLICE, WNB, HIGH);
	struct concern_ref low = ref(2, 1, HEALTH, WNB, LOW);
	struct concern_ref ok = ref(3, 2, HEALTH, WNB, MODERATE);
	struct concern_ref cat = ref(4, 3, EDUCATION, DA, HIGH);
	assert_false(rule_counts(&r, &police));
	assert_false(rule_counts(&r, &low));
	assert_true(rule_counts(&r, &ok));
	assert_false(rule_counts(&r, &cat));
	struct concern_ref refs[] = {police, low, ok, cat, ref(5, 20, EDUCATION, ABSENCE, HIGH)};
	assert_int_equal(rule_eval(&r, refs, 5, 3, &m), LEVEL_NONE); /* focus does not count */
	assert_int_equal(rule_eval(&r, refs, 5, 4, &m), LEVEL_AMBER);
	assert_int_equal(m.n_evidence, 2);
	assert_int_equal(m.evidence[0], 2);
	assert_int_equal(m.evidence[1], 4);
}

static void test_window_in_hours_reason(void **state)
{
	(void)state;
	struct rule r = {.name = "x",
	                 .kind = RULE_DISTINCT_AGENCIES,
	                 .window_ms = 36 * 3600000LL,
	                 .threshold = {[LEVEL_AMBER] = 2}};
	struct concern_ref refs[] = {ref(1, 0, POLICE, DA, LOW), ref(2, 1, HEALTH, WNB, LOW)};
	assert_int_equal(rule_eval(&r, refs, 2, 1, &m), LEVEL_AMBER);
	char reason[RULE_REASON_MAX];
	rule_reason(&r, &m, refs, reason, sizeof reason);
	assert_string_equal(reason, "concerns from POLICE and HEALTH within 36 hours");
}

static void test_long_history(void **state)
{
	(void)state;
	/* 20,000 concerns, one an hour, cycling through four agencies;
	 * any 30-day window holds all four. */
	enum { N = 20000 };
	struct concern_ref *refs = calloc(N, sizeof *refs);
	assert_non_null(refs);
	for (size_t i = 0; i < N; i++) {
		refs[i].seq = i + 1;
		refs[i].occurred_at_ms = (int64_t)i * 3600000;
		refs[i].agency = (uint8_t)(1 + i % 4);
		refs[i].category = NEGLECT;
		refs[i].severity = LOW;
	}
	assert_int_equal(rule_eval(rule("multi-agency"), refs, N, N / 2, &m), LEVEL_RED);
	assert_int_equal(m.measure, 4);
	/* Evidence is capped, and still shows every agency. */
	assert_int_equal(m.n_evidence, RULE_EVIDENCE_MAX);
	unsigned seen = 0;
	for (size_t i = 0; i < m.n_evidence; i++) {
		seen |= 1u << refs[m.evidence[i]].agency;
		if (i)
			assert_true(m.evidence[i] > m.evidence[i - 1]);
	}
	assert_int_equal(seen, 0x1e);
	assert_int_equal(rule_eval(rule("repeat-missing"), refs, N, 0, &m), LEVEL_NONE);
	/* cumulative-harm: 721 LOW concerns in 30 days, far over 8. */
	assert_int_equal(rule_eval(rule("cumulative-harm"), refs, N, N - 1, &m), LEVEL_AMBER);
	assert_int_equal(m.measure, 180 * 24 + 1);
	free(refs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_immediate_risk),
	    cmocka_unit_test(test_multi_agency_levels_and_reason),
	    cmocka_unit_test(test_window_edges),
	    cmocka_unit_test(test_window_must_contain_focus),
	    cmocka_unit_test(test_backfilled_bridges_windows),
	    cmocka_unit_test(test_toxic_trio_counts_only_its_categories),
	    cmocka_unit_test(test_cumulative_harm_weights),
	    cmocka_unit_test(test_repeat_missing),
	    cmocka_unit_test(test_filters),
	    cmocka_unit_test(test_window_in_hours_reason),
	    cmocka_unit_test(test_long_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
