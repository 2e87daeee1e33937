/*
 * Unit tests for rules.c: every default rule at and around its thresholds,
 * window edges (inclusive), windows that must contain the judged concern,
 * back-filled concerns, filters, severity weights, evidence and its cap,
 * the reason sentences word for word, long histories, and a brute-force
 * oracle over random histories.
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

#include "labels.h"
#include "rules.h"
#include "status.h"

#define DAY  MS_PER_DAY
#define HOUR INT64_C(3600000)

enum { POLICE = 1, HEALTH = 2, EDUCATION = 3, SOCIAL_CARE = 4, OTHER = 5 };
enum {
	DA = 1,
	SUBSTANCE = 2,
	MENTAL = 3,
	NEGLECT = 4,
	PHYSICAL = 5,
	MISSING = 10,
	ABSENCE = 11,
	WNB = 12,
	INJURY = 14
};
enum { LOW = 1, MODERATE = 2, HIGH = 3, IMMEDIATE = 4 };

static const struct rule *rule(const char *name)
{
	static struct rule defaults[RULES_MAX];
	static size_t n;
	if (!n)
		n = rules_defaults(defaults, RULES_MAX);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(defaults[i].name, name))
			return &defaults[i];
	fail_msg("no default rule %s", name);
	abort();
}

static struct concern_ref ref(uint64_t seq, int64_t day, int agency, int category, int severity)
{
	struct concern_ref r = {
	    seq, day * DAY, (uint8_t)agency, (uint8_t)category, (uint8_t)severity, NULL, 0};
	return r;
}

static struct rule_match m;
static char reason[RULE_REASON_MAX];

static const char *say(const struct rule *r, const struct concern_ref *refs)
{
	rule_reason(r, &m, refs, reason, sizeof reason);
	return reason;
}

static void assert_evidence(const size_t *want, size_t n)
{
	assert_int_equal(m.n_evidence, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(m.evidence[i], want[i]);
}

/* ---- the defaults, field by field, as the contract gives them ---- */

static void test_defaults(void **state)
{
	(void)state;
	struct rule r[RULES_MAX];
	assert_int_equal(rules_defaults(r, RULES_MAX), 6);
	assert_int_equal(rules_defaults(r, 2), 2);
	assert_int_equal(rules_defaults(r, RULES_MAX), 6);
	const char *names[] = {"immediate-risk",  "multi-agency",   "toxic-trio",
	                       "cumulative-harm", "repeat-missing", "on-plan-not-seen"};
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(r[i].name, names[i]);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(r[i].when_status | r[i].unless_status, 0);

	/* A missed appointment or an absence, for a child on a plan. */
	const struct rule *np = rule("on-plan-not-seen");
	assert_int_equal(np->kind, RULE_ANY);
	assert_int_equal(np->threshold[LEVEL_AMBER], 1);
	assert_int_equal(np->threshold[LEVEL_RED], 0);
	assert_int_equal(np->categories, (1u << 11) | (1u << 12));
	assert_int_equal(np->when_status, status_term_parse("child-protection-plan"));
	assert_int_equal(np->unless_status, 0);

	const struct rule *ir = rule("immediate-risk");
	assert_int_equal(ir->kind, RULE_ANY);
	assert_int_equal(ir->min_severity, IMMEDIATE);
	assert_int_equal(ir->threshold[LEVEL_RED], 1);
	assert_int_equal(ir->threshold[LEVEL_AMBER], 0);
	assert_int_equal(ir->agencies | ir->categories, 0);

	const struct rule *ma = rule("multi-agency");
	assert_int_equal(ma->kind, RULE_DISTINCT_AGENCIES);
	assert_int_equal(ma->window_ms, 30 * DAY);
	assert_int_equal(ma->threshold[LEVEL_AMBER], 2);
	assert_int_equal(ma->threshold[LEVEL_RED], 3);
	assert_int_equal(ma->agencies | ma->categories | (uint32_t)ma->min_severity, 0);

	const struct rule *tt = rule("toxic-trio");
	assert_int_equal(tt->kind, RULE_DISTINCT_CATEGORIES);
	assert_int_equal(tt->window_ms, 90 * DAY);
	assert_int_equal(tt->categories, (1u << DA) | (1u << SUBSTANCE) | (1u << MENTAL));
	assert_int_equal(tt->threshold[LEVEL_AMBER], 2);
	assert_int_equal(tt->threshold[LEVEL_RED], 3);

	const struct rule *ch = rule("cumulative-harm");
	assert_int_equal(ch->kind, RULE_SEVERITY_SUM);
	assert_int_equal(ch->window_ms, 180 * DAY);
	assert_int_equal(ch->weight[LOW], 1);
	assert_int_equal(ch->weight[MODERATE], 2);
	assert_int_equal(ch->weight[HIGH], 4);
	assert_int_equal(ch->weight[IMMEDIATE], 0);
	assert_int_equal(ch->threshold[LEVEL_AMBER], 8);
	assert_int_equal(ch->threshold[LEVEL_RED], 0);

	const struct rule *rm = rule("repeat-missing");
	assert_int_equal(rm->kind, RULE_COUNT);
	assert_int_equal(rm->window_ms, 90 * DAY);
	assert_int_equal(rm->categories, 1u << MISSING);
	assert_int_equal(rm->threshold[LEVEL_AMBER], 3);
	assert_int_equal(rm->threshold[LEVEL_RED], 0);
}

/* ---- immediate-risk ---- */

static void test_immediate_risk(void **state)
{
	(void)state;
	const struct rule *r = rule("immediate-risk");
	struct concern_ref refs[] = {ref(1, 0, POLICE, DA, HIGH),
	                             ref(2, 1, POLICE, PHYSICAL, IMMEDIATE),
	                             ref(3, 2, HEALTH, INJURY, IMMEDIATE)};
	assert_int_equal(rule_eval(r, refs, 3, 0, &m), LEVEL_NONE);
	assert_int_equal(m.n_evidence, 0);
	assert_int_equal(rule_eval(r, refs, 3, 1, &m), LEVEL_RED);
	assert_evidence((size_t[]){1}, 1);
	assert_int_equal(m.window_from_ms, 1 * DAY);
	assert_string_equal(say(r, refs), "Physical abuse (police, 2 Jan), immediate risk");
	/* Each immediate risk is its own evidence, not the history's. */
	assert_int_equal(rule_eval(r, refs, 3, 2, &m), LEVEL_RED);
	assert_evidence((size_t[]){2}, 1);
	assert_string_equal(say(r, refs), "Unexplained injury (health, 3 Jan), immediate risk");

	/* Kind any raises whichever level has its threshold. */
	struct rule amber = *r;
	amber.threshold[LEVEL_RED] = 0;
	amber.threshold[LEVEL_AMBER] = 1;
	assert_int_equal(rule_eval(&amber, refs, 3, 1, &m), LEVEL_AMBER);
}

/* ---- multi-agency ---- */

static void test_multi_agency_escalates(void **state)
{
	(void)state;
	const struct rule *r = rule("multi-agency");
	struct concern_ref refs[] = {
	    ref(1, 0, POLICE, DA, HIGH),
	    ref(2, 3, POLICE, DA, LOW),
	    ref(3, 5, HEALTH, WNB, LOW),
	    ref(4, 20, EDUCATION, ABSENCE, LOW),
	};
	/* One agency, however many concerns: nothing. */
	assert_int_equal(rule_eval(r, refs, 2, 1, &m), LEVEL_NONE);
	assert_int_equal(m.measure, 1);
	/* A second agency: AMBER; a third: RED. */
	assert_int_equal(rule_eval(r, refs, 3, 2, &m), LEVEL_AMBER);
	assert_int_equal(m.measure, 2);
	assert_evidence((size_t[]){0, 1, 2}, 3);
	assert_string_equal(say(r, refs),
	                    "Concerns from police (domestic abuse, 1 Jan) and health (was not "
	                    "brought to health appointments, 6 Jan) within 30 days");
	assert_int_equal(rule_eval(r, refs, 4, 3, &m), LEVEL_RED);
	assert_int_equal(m.measure, 3);
	assert_evidence((size_t[]){0, 1, 2, 3}, 4);
	assert_int_equal(m.window_from_ms, 0);
	assert_int_equal(m.window_to_ms, 30 * DAY);
	assert_string_equal(
	    say(r, refs),
	    "Concerns from police (domestic abuse, 1 Jan), health (was not brought to health "
	    "appointments, 6 Jan) and education (absence from school, 21 Jan) within 30 days");
}

static void test_window_edges_inclusive(void **state)
{
	(void)state;
	struct {
		const char *rule;
		int64_t days;
		struct concern_ref a, b, c;
	} cases[] = {
	    {"multi-agency", 30, ref(1, 0, POLICE, DA, LOW), ref(2, 10, HEALTH, WNB, LOW),
	     ref(3, 30, EDUCATION, ABSENCE, LOW)},
	    {"toxic-trio", 90, ref(1, 0, POLICE, DA, LOW), ref(2, 10, HEALTH, MENTAL, LOW),
	     ref(3, 90, POLICE, SUBSTANCE, LOW)},
	    {"repeat-missing", 90, ref(1, 0, POLICE, MISSING, LOW),
	     ref(2, 10, POLICE, MISSING, LOW), ref(3, 90, POLICE, MISSING, LOW)},
	    {"cumulative-harm", 180, ref(1, 0, POLICE, DA, MODERATE),
	     ref(2, 10, HEALTH, NEGLECT, HIGH), ref(3, 180, HEALTH, NEGLECT, MODERATE)},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct rule *r = rule(cases[i].rule);
		enum level top = r->threshold[LEVEL_RED] ? LEVEL_RED : LEVEL_AMBER;
		struct concern_ref refs[] = {cases[i].a, cases[i].b, cases[i].c};
		/* Exactly the window apart: within it, judged from either end. */
		assert_int_equal(rule_eval(r, refs, 3, 2, &m), top);
		assert_int_equal(m.window_from_ms, 0);
		assert_int_equal(m.window_to_ms, cases[i].days * DAY);
		assert_int_equal(rule_eval(r, refs, 3, 0, &m), top);
		/* One millisecond more: not. */
		refs[2].occurred_at_ms += 1;
		assert_true(rule_eval(r, refs, 3, 2, &m) < top);
		assert_true(rule_eval(r, refs, 3, 0, &m) < top);
		/* The middle one meets each end in turn, never both. */
		assert_true(rule_eval(r, refs, 3, 1, &m) < top);
	}
}

static void test_focus_outside_every_qualifying_window(void **state)
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
	assert_evidence((size_t[]){3}, 1);
	assert_int_equal(rule_eval(r, refs, 4, 2, &m), LEVEL_RED);
	/* A focus that does not pass the filter is never judged. */
	assert_int_equal(rule_eval(rule("repeat-missing"), refs, 4, 0, &m), LEVEL_NONE);
	assert_int_equal(m.measure, 0);
	assert_int_equal(m.n_evidence, 0);
	/* Out of range focus: nothing, and no read past the end. */
	assert_int_equal(rule_eval(r, refs, 4, 4, &m), LEVEL_NONE);
	assert_int_equal(rule_eval(r, refs, 0, 0, &m), LEVEL_NONE);
}

static void test_backfilled_in_the_middle(void **state)
{
	(void)state;
	const struct rule *r = rule("multi-agency");
	/* Police on day 0 and health on day 40 are apart. Education on day 20
	 * arrives late, is sorted between them, and meets each, never both. */
	struct concern_ref refs[] = {
	    ref(1, 0, POLICE, DA, LOW),
	    ref(3, 20, EDUCATION, ABSENCE, LOW),
	    ref(2, 40, HEALTH, WNB, LOW),
	};
	assert_int_equal(rule_eval(r, refs, 3, 1, &m), LEVEL_AMBER);
	assert_int_equal(m.measure, 2);
	/* Ties go to the earliest window. */
	assert_evidence((size_t[]){0, 1}, 2);
	assert_int_equal(m.window_from_ms, 0);

	/* Back-filled between two agencies 25 days apart: the window with
	 * all three wins over the earlier one with two. */
	struct concern_ref three[] = {
	    ref(1, 0, POLICE, DA, LOW),
	    ref(2, 10, POLICE, DA, LOW),
	    ref(4, 12, EDUCATION, ABSENCE, LOW),
	    ref(3, 35, HEALTH, WNB, LOW),
	};
	assert_int_equal(rule_eval(r, three, 4, 2, &m), LEVEL_RED);
	assert_evidence((size_t[]){1, 2, 3}, 3);
	assert_int_equal(m.window_from_ms, 10 * DAY);
	assert_string_equal(
	    say(r, three),
	    "Concerns from police (domestic abuse, 11 Jan), education (absence from school, 13 "
	    "Jan) and health (was not brought to health appointments, 5 Feb) within 30 days");
}

static void test_same_instant(void **state)
{
	(void)state;
	/* A household incident: several concerns at the same millisecond. */
	const struct rule *r = rule("multi-agency");
	struct concern_ref refs[] = {
	    ref(1, 5, POLICE, DA, LOW),
	    ref(2, 5, HEALTH, INJURY, LOW),
	    ref(3, 5, EDUCATION, ABSENCE, LOW),
	};
	for (size_t f = 0; f < 3; f++) {
		assert_int_equal(rule_eval(r, refs, 3, f, &m), LEVEL_RED);
		assert_evidence((size_t[]){0, 1, 2}, 3);
	}
}

/* ---- toxic-trio ---- */

static void test_toxic_trio(void **state)
{
	(void)state;
	const struct rule *r = rule("toxic-trio");
	struct concern_ref refs[] = {
	    ref(1, 0, POLICE, DA, LOW),         ref(2, 10, HEALTH, NEGLECT, HIGH),
	    ref(3, 20, POLICE, DA, HIGH),       ref(4, 50, HEALTH, MENTAL, LOW),
	    ref(5, 90, POLICE, SUBSTANCE, LOW), ref(6, 91, HEALTH, NEGLECT, LOW),
	};
	/* Neglect is not one of the trio: never judged, never counted. */
	assert_int_equal(rule_eval(r, refs, 6, 1, &m), LEVEL_NONE);
	/* The same category twice is one category. */
	assert_int_equal(rule_eval(r, refs, 3, 2, &m), LEVEL_NONE);
	assert_int_equal(m.measure, 1);
	assert_int_equal(rule_eval(r, refs, 4, 3, &m), LEVEL_AMBER);
	assert_string_equal(say(r, refs), "Domestic abuse (police, 1 Jan) and parental mental "
	                                  "health (health, 20 Feb) within 90 days");
	assert_int_equal(rule_eval(r, refs, 6, 4, &m), LEVEL_RED);
	assert_int_equal(m.measure, 3);
	assert_evidence((size_t[]){0, 2, 3, 4}, 4);
	assert_string_equal(say(r, refs),
	                    "Domestic abuse (police, 1 Jan), parental mental health (health, 20 "
	                    "Feb) and parental substance misuse (police, 1 Apr) within 90 days");
	/* Whichever agency reported them. */
	for (size_t i = 0; i < 6; i++)
		refs[i].agency = OTHER;
	assert_int_equal(rule_eval(r, refs, 6, 4, &m), LEVEL_RED);
}

/* ---- cumulative-harm ---- */

static void test_cumulative_harm(void **state)
{
	(void)state;
	const struct rule *r = rule("cumulative-harm");
	struct concern_ref refs[] = {
	    ref(1, 0, HEALTH, NEGLECT, LOW),       /* 1 */
	    ref(2, 30, HEALTH, NEGLECT, MODERATE), /* 2: 3 */
	    ref(3, 60, POLICE, DA, HIGH),          /* 4: 7 */
	    ref(4, 90, HEALTH, INJURY, IMMEDIATE), /* 0: still 7 */
	    ref(5, 180, EDUCATION, ABSENCE, LOW),  /* 1: 8 with day 0, inclusive */
	    ref(6, 181, EDUCATION, ABSENCE, LOW),  /* day 0 has left; 8 again */
	    ref(7, 182, EDUCATION, ABSENCE, LOW),  /* 9 */
	};
	assert_int_equal(rule_eval(r, refs, 3, 2, &m), LEVEL_NONE);
	assert_int_equal(m.measure, 7);
	/* IMMEDIATE_RISK weighs 0 here: it has its own rule. It still passes
	 * the filter, so it is judged, and shows in the evidence. */
	assert_int_equal(rule_eval(r, refs, 4, 3, &m), LEVEL_NONE);
	assert_int_equal(m.measure, 7);
	assert_int_equal(m.n_evidence, 4);
	assert_int_equal(rule_eval(r, refs, 5, 4, &m), LEVEL_AMBER);
	assert_int_equal(m.measure, 8);
	assert_string_equal(say(r, refs), "5 concerns within 180 days, 2 of them high (weighted 8, "
	                                  "reaching the 8 this rule needs)");
	assert_int_equal(rule_eval(r, refs, 6, 5, &m), LEVEL_AMBER);
	assert_int_equal(m.measure, 8); /* days 30..181: 2 + 4 + 0 + 1 + 1 */
	assert_int_equal(m.window_from_ms, 30 * DAY);
	assert_int_equal(rule_eval(r, refs, 7, 6, &m), LEVEL_AMBER);
	assert_int_equal(m.measure, 9);
	assert_string_equal(
	    say(r, refs),
	    "6 concerns within 180 days, 2 of them high (weighted 9, over the 8 this rule needs)");

	/* Heavier weights, and a red level: the reason names the threshold
	 * of the level reached. */
	struct rule two = *r;
	two.threshold[LEVEL_RED] = 12;
	struct concern_ref high[] = {ref(1, 0, POLICE, DA, HIGH), ref(2, 1, POLICE, DA, HIGH),
	                             ref(3, 2, POLICE, DA, HIGH)};
	assert_int_equal(rule_eval(&two, high, 2, 1, &m), LEVEL_AMBER);
	assert_string_equal(say(&two, high), "2 concerns within 180 days, all of them high "
	                                     "(weighted 8, reaching the 8 this rule needs)");
	assert_int_equal(rule_eval(&two, high, 3, 2, &m), LEVEL_RED);
	assert_string_equal(say(&two, high), "3 concerns within 180 days, all of them high "
	                                     "(weighted 12, reaching the 12 this rule needs)");
}

/* ---- repeat-missing ---- */

static void test_repeat_missing(void **state)
{
	(void)state;
	const struct rule *r = rule("repeat-missing");
	struct concern_ref refs[] = {
	    ref(1, 0, POLICE, MISSING, LOW),       ref(2, 40, POLICE, DA, HIGH),
	    ref(3, 45, POLICE, MISSING, LOW),      ref(4, 91, POLICE, MISSING, LOW),
	    ref(5, 92, SOCIAL_CARE, MISSING, LOW),
	};
	assert_int_equal(rule_eval(r, refs, 4, 3, &m), LEVEL_NONE); /* day 0 is 91 days back */
	assert_int_equal(m.measure, 2);
	assert_int_equal(rule_eval(r, refs, 5, 1, &m), LEVEL_NONE); /* not a MISSING concern */
	assert_int_equal(rule_eval(r, refs, 5, 4, &m), LEVEL_AMBER);
	assert_evidence((size_t[]){2, 3, 4}, 3);
	assert_string_equal(
	    say(r, refs), "3 concerns (missing from home or care) within 90 days, 15 Feb to 3 Apr");
	/* Judged from the earliest of the three too (back-filled). */
	assert_int_equal(rule_eval(r, refs, 5, 2, &m), LEVEL_AMBER);
}

/* ---- filters ---- */

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
	struct concern_ref top = ref(5, 20, EDUCATION, ABSENCE, IMMEDIATE);
	assert_false(rule_counts(&r, &police));
	assert_false(rule_counts(&r, &low));
	assert_true(rule_counts(&r, &ok));
	assert_false(rule_counts(&r, &cat));
	assert_true(rule_counts(&r, &top)); /* min_severity is a floor */
	struct concern_ref refs[] = {police, low, ok, cat, top};
	assert_int_equal(rule_eval(&r, refs, 5, 3, &m), LEVEL_NONE); /* focus does not count */
	assert_int_equal(rule_eval(&r, refs, 5, 4, &m), LEVEL_AMBER);
	assert_evidence((size_t[]){2, 4}, 2);
	assert_string_equal(say(&r, refs),
	                    "2 concerns (was not brought to health appointments and absence "
	                    "from school) from health and education within 60 days, 3 Jan "
	                    "to 21 Jan");

	/* Values no mask can hold never count, and never shift out of range. */
	struct concern_ref odd = ref(6, 0, 200, 99, LOW);
	assert_false(rule_counts(&r, &odd));
	struct rule every = {
	    .kind = RULE_COUNT, .window_ms = DAY, .threshold = {[LEVEL_AMBER] = 1}};
	assert_true(rule_counts(&every, &odd));
	assert_int_equal(rule_eval(&every, &odd, 1, 0, &m), LEVEL_AMBER);
}

/* ---- reasons ---- */

static void test_reason_units_and_plurals(void **state)
{
	(void)state;
	struct rule r = {.name = "x",
	                 .kind = RULE_DISTINCT_AGENCIES,
	                 .window_ms = 36 * HOUR,
	                 .threshold = {[LEVEL_AMBER] = 2}};
	struct concern_ref refs[] = {ref(1, 0, POLICE, DA, LOW), ref(2, 1, HEALTH, WNB, LOW)};
	assert_int_equal(rule_eval(&r, refs, 2, 1, &m), LEVEL_AMBER);
	assert_string_equal(say(&r, refs),
	                    "Concerns from police (domestic abuse, 1 Jan) and health (was not "
	                    "brought to health appointments, 2 Jan) within 36 hours");
	r.window_ms = DAY;
	assert_int_equal(rule_eval(&r, refs, 2, 1, &m), LEVEL_AMBER);
	assert_string_equal(say(&r, refs),
	                    "Concerns from police (domestic abuse, 1 Jan) and health (was not "
	                    "brought to health appointments, 2 Jan) within 1 day");
	r.window_ms = HOUR * 48;
	assert_string_equal(say(&r, refs),
	                    "Concerns from police (domestic abuse, 1 Jan) and health (was not "
	                    "brought to health appointments, 2 Jan) within 2 days");
	r.window_ms = HOUR;
	assert_string_equal(say(&r, refs),
	                    "Concerns from police (domestic abuse, 1 Jan) and health (was not "
	                    "brought to health appointments, 2 Jan) within 1 hour");

	/* A count with no category filter does not list every category. */
	struct rule any_count = {.name = "busy",
	                         .kind = RULE_COUNT,
	                         .window_ms = 7 * DAY,
	                         .threshold = {[LEVEL_AMBER] = 1}};
	assert_int_equal(rule_eval(&any_count, refs, 2, 1, &m), LEVEL_AMBER);
	assert_string_equal(say(&any_count, refs), "2 concerns within 7 days, 1 Jan to 2 Jan");
	assert_int_equal(rule_eval(&any_count, refs, 1, 0, &m), LEVEL_AMBER);
	assert_string_equal(say(&any_count, refs), "1 concern within 7 days, 1 Jan");

	struct rule sum = *rule("cumulative-harm");
	sum.threshold[LEVEL_AMBER] = 1;
	assert_int_equal(rule_eval(&sum, refs, 1, 0, &m), LEVEL_AMBER);
	assert_string_equal(
	    say(&sum, refs),
	    "1 concern within 180 days (weighted 1, reaching the 1 this rule needs)");
}

static void test_reason_fits_any_buffer(void **state)
{
	(void)state;
	const struct rule *r = rule("multi-agency");
	struct concern_ref refs[] = {ref(1, 0, POLICE, DA, LOW), ref(2, 1, HEALTH, WNB, LOW),
	                             ref(3, 2, EDUCATION, ABSENCE, LOW)};
	assert_int_equal(rule_eval(r, refs, 3, 2, &m), LEVEL_RED);
	char small[12];
	memset(small, 'x', sizeof small);
	size_t n = rule_reason(r, &m, refs, small, sizeof small);
	assert_int_equal(n, sizeof small - 1);
	assert_string_equal(small, "Concerns fr");
	assert_int_equal(rule_reason(r, &m, refs, small, 0), 0);
	char full[RULE_REASON_MAX];
	n = rule_reason(r, &m, refs, full, sizeof full);
	assert_int_equal(n, strlen(full));
	/* No match, no evidence: a sentence all the same, no read of refs. */
	memset(&m, 0, sizeof m);
	rule_reason(r, &m, NULL, full, sizeof full);
	assert_string_equal(full, "multi-agency: no concern meets the rule");
}

/* ---- window choice ---- */

static void test_strongest_window_wins(void **state)
{
	(void)state;
	/* Judged on day 30: the window from day 0 holds 2 agencies, the one
	 * from day 20 holds 3 (day 50 included). The stronger one is reported
	 * even though it starts later. */
	const struct rule *r = rule("multi-agency");
	struct concern_ref refs[] = {
	    ref(1, 0, POLICE, DA, LOW),
	    ref(2, 20, POLICE, DA, LOW),
	    ref(3, 30, HEALTH, WNB, LOW),
	    ref(4, 50, EDUCATION, ABSENCE, LOW),
	};
	assert_int_equal(rule_eval(r, refs, 4, 2, &m), LEVEL_RED);
	assert_int_equal(m.window_from_ms, 20 * DAY);
	assert_evidence((size_t[]){1, 2, 3}, 3);
}

/* ---- long histories ---- */

static struct concern_ref *hourly(size_t n)
{
	struct concern_ref *refs = calloc(n, sizeof *refs);
	assert_non_null(refs);
	for (size_t i = 0; i < n; i++) {
		refs[i].seq = i + 1;
		refs[i].occurred_at_ms = (int64_t)i * HOUR;
		refs[i].agency = (uint8_t)(1 + i % 4);
		refs[i].category = i % 97 == 0 ? MISSING : NEGLECT;
		refs[i].severity = LOW;
	}
	return refs;
}

static void test_long_history_and_evidence_cap(void **state)
{
	(void)state;
	/* 20,000 concerns, one an hour, cycling through four agencies. */
	enum { N = 20000 };
	struct concern_ref *refs = hourly(N);
	const size_t focus = N / 2;

	assert_int_equal(rule_eval(rule("multi-agency"), refs, N, focus, &m), LEVEL_RED);
	assert_int_equal(m.measure, 4);
	/* 721 concerns in the window: evidence is capped, oldest first, and
	 * still shows every agency, the judged concern and both ends. */
	assert_int_equal(m.n_evidence, RULE_EVIDENCE_MAX);
	unsigned seen = 0;
	int has_focus = 0;
	for (size_t i = 0; i < m.n_evidence; i++) {
		seen |= 1u << refs[m.evidence[i]].agency;
		has_focus |= m.evidence[i] == focus;
		if (i)
			assert_true(m.evidence[i] > m.evidence[i - 1]);
	}
	assert_int_equal(seen, 0x1e);
	assert_true(has_focus);
	assert_int_equal(m.window_from_ms, refs[focus - 720].occurred_at_ms);
	assert_int_equal(m.evidence[0], focus - 720);
	assert_int_equal(m.evidence[m.n_evidence - 1], focus);
	assert_string_equal(
	    say(rule("multi-agency"), refs),
	    "Concerns from police (neglect, 22 Jan), health (neglect, 22 Jan), education (neglect, "
	    "22 Jan) and social care (neglect, 22 Jan) within 30 days");

	/* cumulative-harm: every LOW concern in 180 days, the reason counts
	 * the window, not the capped evidence. */
	assert_int_equal(rule_eval(rule("cumulative-harm"), refs, N, N - 1, &m), LEVEL_AMBER);
	assert_int_equal(m.measure, 180 * 24 + 1);
	assert_int_equal(m.n_evidence, RULE_EVIDENCE_MAX);
	assert_string_equal(
	    say(rule("cumulative-harm"), refs),
	    "4321 concerns within 180 days (weighted 4321, over the 8 this rule needs)");

	/* Every 97th is MISSING: 23 within 90 days of one another. */
	assert_int_equal(rule_eval(rule("repeat-missing"), refs, N, 97 * 100, &m), LEVEL_AMBER);
	assert_int_equal(m.measure, 23);
	assert_int_equal(m.n_evidence, 23);
	assert_int_equal(rule_eval(rule("repeat-missing"), refs, N, 1, &m), LEVEL_NONE);
	assert_int_equal(rule_eval(rule("toxic-trio"), refs, N, focus, &m), LEVEL_NONE);
	free(refs);
}

/* ---- a brute-force oracle ---- */

/* The definition, the slow way: every window [t0, t0 + w] starting at a
 * counting concern with t0 in [t - w, t], measured from scratch. */
static enum level oracle(const struct rule *r, const struct concern_ref *refs, size_t n,
                         size_t focus, struct rule_match *o)
{
	memset(o, 0, sizeof *o);
	if (!rule_counts(r, &refs[focus]))
		return LEVEL_NONE;
	const int64_t t = refs[focus].occurred_at_ms, w = r->window_ms;
	if (r->kind == RULE_ANY) {
		o->measure = 1;
		o->level = r->threshold[LEVEL_RED] == 1 ? LEVEL_RED : LEVEL_AMBER;
		return o->level;
	}
	int found = 0;
	for (size_t s = 0; s < n; s++) {
		int64_t t0 = refs[s].occurred_at_ms;
		if (!rule_counts(r, &refs[s]) || t0 < t - w || t0 > t)
			continue;
		unsigned agencies = 0, categories = 0, count = 0, weight = 0;
		unsigned per_part[RULE_PARTS_MAX] = {0};
		for (size_t i = 0; i < n; i++) {
			const struct concern_ref *x = &refs[i];
			if (!rule_counts(r, x) || x->occurred_at_ms < t0 ||
			    x->occurred_at_ms > t0 + w)
				continue;
			agencies |= 1u << x->agency;
			categories |= 1u << x->category;
			count++;
			weight += r->weight[x->severity];
			for (size_t p = 0; p < r->n_parts; p++)
				per_part[p] += rule_part_counts(&r->parts[p], x);
		}
		unsigned parts_met = 0;
		for (size_t p = 0; p < r->n_parts; p++)
			parts_met += per_part[p] >= r->parts[p].count;
		unsigned measure =
		    r->kind == RULE_ALL_OF                ? parts_met
		    : r->kind == RULE_DISTINCT_AGENCIES   ? (unsigned)__builtin_popcount(agencies)
		    : r->kind == RULE_DISTINCT_CATEGORIES ? (unsigned)__builtin_popcount(categories)
		    : r->kind == RULE_COUNT               ? count
		                                          : weight;
		if (!found || measure > o->measure) {
			found = 1;
			o->measure = measure;
			o->window_from_ms = t0;
		}
	}
	o->level = LEVEL_NONE;
	for (int l = LEVEL_AMBER; l <= LEVEL_MAX; l++)
		if (r->threshold[l] && o->measure >= r->threshold[l])
			o->level = (enum level)l;
	for (size_t i = 0; i < n; i++) {
		const struct concern_ref *x = &refs[i];
		if (rule_counts(r, x) && x->occurred_at_ms >= o->window_from_ms &&
		    x->occurred_at_ms <= o->window_from_ms + w && o->n_evidence < RULE_EVIDENCE_MAX)
			o->evidence[o->n_evidence++] = i;
	}
	return o->level;
}

static unsigned rnd_state = 12345;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) % n;
}

static int by_time(const void *a, const void *b)
{
	const struct concern_ref *x = a, *y = b;
	if (x->occurred_at_ms != y->occurred_at_ms)
		return x->occurred_at_ms < y->occurred_at_ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void test_matches_brute_force(void **state)
{
	(void)state;
	struct rule rules[RULES_MAX + 1];
	size_t n_rules = rules_defaults(rules, RULES_MAX);
	/* And one with every filter, in hours. */
	rules[n_rules++] =
	    (struct rule){.name = "filtered",
	                  .kind = RULE_SEVERITY_SUM,
	                  .window_ms = 200 * HOUR,
	                  .agencies = (1u << POLICE) | (1u << HEALTH),
	                  .categories = (1u << DA) | (1u << NEGLECT) | (1u << MISSING),
	                  .min_severity = MODERATE,
	                  .weight = {0, 1, 2, 3, 5},
	                  .threshold = {[LEVEL_AMBER] = 5, [LEVEL_RED] = 9}};
	/* Parts that overlap (a concern may meet two), one with a severity
	 * floor, amber at two of three parts. */
	rules[n_rules++] =
	    (struct rule){.name = "all-of",
	                  .kind = RULE_ALL_OF,
	                  .window_ms = 60 * DAY,
	                  .n_parts = 3,
	                  .parts = {{.agencies = 1u << HEALTH, .categories = 1u << DA, .count = 2},
	                            {.categories = (1u << SUBSTANCE) | (1u << DA), .count = 1},
	                            {.agencies = 1u << POLICE, .min_severity = HIGH, .count = 2}},
	                  .threshold = {[LEVEL_AMBER] = 2, [LEVEL_RED] = 3}};
	struct rule_match o;
	size_t checked = 0, raised = 0;
	for (int round = 0; round < 1500; round++) {
		struct concern_ref refs[40];
		size_t n = 1 + rnd(40);
		/* Times on a coarse grid (half days) over a year, so that ties
		 * and concerns exactly a window apart are common. */
		for (size_t i = 0; i < n; i++) {
			refs[i].seq = i + 1;
			refs[i].occurred_at_ms = (int64_t)rnd(730) * (DAY / 2) + (rnd(8) == 0);
			refs[i].agency = (uint8_t)(1 + rnd(5));
			refs[i].category = (uint8_t)(rnd(2) ? 1 + rnd(4) : 1 + rnd(15));
			refs[i].severity = (uint8_t)(1 + rnd(4));
		}
		qsort(refs, n, sizeof refs[0], by_time);
		for (size_t k = 0; k < n_rules; k++)
			for (size_t f = 0; f < n; f++) {
				enum level want = oracle(&rules[k], refs, n, f, &o);
				enum level got = rule_eval(&rules[k], refs, n, f, &m);
				if (got != want || m.measure != o.measure ||
				    (rules[k].kind != RULE_ANY &&
				     (m.window_from_ms != o.window_from_ms ||
				      m.n_evidence != o.n_evidence ||
				      memcmp(m.evidence, o.evidence,
				             o.n_evidence * sizeof o.evidence[0]))))
					fail_msg(
					    "round %d rule %s focus %zu: level %d/%d measure %u/%u "
					    "from %lld/%lld evidence %zu/%zu",
					    round, rules[k].name, f, (int)got, (int)want, m.measure,
					    o.measure, (long long)m.window_from_ms,
					    (long long)o.window_from_ms, m.n_evidence,
					    o.n_evidence);
				checked++;
				raised += got != LEVEL_NONE;
			}
	}
	/* The random histories did exercise the rules. */
	assert_true(raised > checked / 20);
}

/* rule_peak is rule_eval at its strongest focus, for every rule kind. */
static void test_peak_matches_every_focus(void **state)
{
	(void)state;
	struct rule rules[RULES_MAX];
	size_t n_rules = rules_defaults(rules, RULES_MAX);
	rules[n_rules++] =
	    (struct rule){.name = "all-of",
	                  .kind = RULE_ALL_OF,
	                  .window_ms = 45 * DAY,
	                  .n_parts = 2,
	                  .parts = {{.agencies = 1u << HEALTH, .categories = 1u << WNB, .count = 2},
	                            {.categories = 1u << ABSENCE, .count = 1}},
	                  .threshold = {[LEVEL_AMBER] = 1, [LEVEL_RED] = 2}};
	size_t reached[LEVEL_MAX + 1] = {0};
	for (int round = 0; round < 800; round++) {
		struct concern_ref refs[30];
		size_t n = rnd(30);
		for (size_t i = 0; i < n; i++) {
			refs[i].seq = i + 1;
			refs[i].occurred_at_ms = (int64_t)rnd(400) * DAY;
			refs[i].agency = (uint8_t)(1 + rnd(5));
			refs[i].category = (uint8_t)(rnd(2) ? 10 + rnd(3) : 1 + rnd(15));
			refs[i].severity = (uint8_t)(1 + rnd(4));
		}
		qsort(refs, n, sizeof refs[0], by_time);
		for (size_t k = 0; k < n_rules; k++) {
			enum level want = LEVEL_NONE;
			unsigned want_measure = 0;
			for (size_t f = 0; f < n; f++) {
				rule_eval(&rules[k], refs, n, f, &m);
				if (m.level > want)
					want = m.level;
				if (m.measure > want_measure)
					want_measure = m.measure;
			}
			unsigned measure;
			assert_int_equal(rule_peak(&rules[k], refs, n, &measure), want);
			assert_int_equal(measure, want_measure);
			reached[want]++;
		}
	}
	assert_true(reached[LEVEL_AMBER] > 0 && reached[LEVEL_RED] > 0);
}

/* The rule of the configuration manual's example: two WAS_NOT_BROUGHT
 * from health and an EDUCATION_ABSENCE within 60 days, both ends of the
 * window included. */
static const struct rule not_brought = {
    .name = "not-brought-and-absent",
    .kind = RULE_ALL_OF,
    .window_ms = 60 * DAY,
    .n_parts = 2,
    .parts = {{.agencies = 1u << HEALTH, .categories = 1u << WNB, .count = 2},
              {.categories = 1u << ABSENCE, .count = 1}},
    .threshold = {[LEVEL_AMBER] = 2}};

static void test_all_of(void **state)
{
	(void)state;
	const struct rule *r = &not_brought;
	struct concern_ref refs[] = {
	    ref(1, 0, HEALTH, WNB, LOW),
	    ref(2, 10, POLICE, WNB, LOW), /* not from health: not counted */
	    ref(3, 30, HEALTH, WNB, MODERATE),
	    ref(4, 60, EDUCATION, ABSENCE, LOW), /* exactly 60 days after the first */
	};
	/* Two WAS_NOT_BROUGHT alone meet one part of two. */
	assert_int_equal(rule_eval(r, refs, 3, 2, &m), LEVEL_NONE);
	assert_int_equal(m.measure, 1);
	assert_int_equal(rule_eval(r, refs, 4, 3, &m), LEVEL_AMBER);
	assert_int_equal(m.measure, 2);
	assert_int_equal(m.window_from_ms, 0);
	assert_int_equal(m.window_to_ms, 60 * DAY);
	const size_t want[] = {0, 2, 3};
	assert_evidence(want, 3);
	rule_reason(r, &m, refs, reason, sizeof reason);
	assert_string_equal(reason, "Was not brought to health appointments (2 concerns from "
	                            "health) and absence from school (1 concern) within 60 days");
	/* The police concern does not count, so judged on its own it raises
	 * nothing. */
	assert_int_equal(rule_eval(r, refs, 4, 1, &m), LEVEL_NONE);
	assert_int_equal(m.n_evidence, 0);

	/* One millisecond more and the first WAS_NOT_BROUGHT has left the
	 * window. */
	refs[3].occurred_at_ms = 60 * DAY + 1;
	assert_int_equal(rule_eval(r, refs, 4, 3, &m), LEVEL_NONE);
	assert_int_equal(m.measure, 1);
	unsigned measure;
	assert_int_equal(rule_peak(r, refs, 4, &measure), LEVEL_NONE);
	assert_int_equal(measure, 1);
	/* Back-filled: a third WAS_NOT_BROUGHT later on closes the gap. */
	struct concern_ref more[] = {refs[0], refs[1], refs[2], ref(5, 40, HEALTH, WNB, LOW),
	                             refs[3]};
	assert_int_equal(rule_eval(r, more, 5, 3, &m), LEVEL_AMBER);
	assert_int_equal(rule_peak(r, more, 5, &measure), LEVEL_AMBER);

	/* Levels by parts met: amber at one part, red at both, and the
	 * reason says how many parts a lower level met. */
	struct rule two = not_brought;
	two.threshold[LEVEL_AMBER] = 1;
	two.threshold[LEVEL_RED] = 2;
	assert_int_equal(rule_eval(&two, refs, 3, 0, &m), LEVEL_AMBER);
	rule_reason(&two, &m, refs, reason, sizeof reason);
	assert_string_equal(reason, "Was not brought to health appointments (2 concerns from "
	                            "health) within 60 days (1 of the 2 parts this rule needs)");
	struct concern_ref absent[] = {ref(1, 5, EDUCATION, ABSENCE, HIGH)};
	assert_int_equal(rule_eval(&two, absent, 1, 0, &m), LEVEL_AMBER);
	rule_reason(&two, &m, absent, reason, sizeof reason);
	assert_string_equal(
	    reason,
	    "Absence from school (1 concern) within 60 days (1 of the 2 parts this rule needs)");

	/* A part with no category names concerns, and its severity floor. */
	struct rule any = {.name = "x",
	                   .kind = RULE_ALL_OF,
	                   .window_ms = 7 * DAY,
	                   .n_parts = 2,
	                   .parts = {{.agencies = (1u << POLICE) | (1u << HEALTH),
	                              .min_severity = HIGH,
	                              .count = 1},
	                             {.categories = (1u << MISSING) | (1u << ABSENCE), .count = 2}},
	                   .threshold = {[LEVEL_RED] = 2}};
	struct concern_ref mixed[] = {ref(1, 0, POLICE, DA, HIGH),
	                              ref(2, 1, EDUCATION, ABSENCE, LOW),
	                              ref(3, 2, POLICE, MISSING, LOW)};
	assert_int_equal(rule_eval(&any, mixed, 3, 2, &m), LEVEL_RED);
	rule_reason(&any, &m, mixed, reason, sizeof reason);
	assert_string_equal(reason,
	                    "1 concern from police or health, high or above and missing from "
	                    "home or care or absence from school (2 concerns) within 7 days");
}

/* Eight parts of every category: a reason longer than any alert holds is
 * cut, never overrun. */
static void test_all_of_long_reason_is_cut(void **state)
{
	(void)state;
	struct rule r = {.name = "long",
	                 .kind = RULE_ALL_OF,
	                 .window_ms = 7 * DAY,
	                 .n_parts = RULE_PARTS_MAX,
	                 .threshold = {[LEVEL_RED] = 1}};
	for (size_t p = 0; p < RULE_PARTS_MAX; p++)
		r.parts[p] = (struct rule_part){
		    .categories = 0xfffeu, .agencies = 0x3eu, .min_severity = HIGH, .count = 1};
	struct concern_ref refs[] = {ref(1, 0, POLICE, DA, HIGH)};
	assert_int_equal(rule_eval(&r, refs, 1, 0, &m), LEVEL_RED);
	assert_int_equal(m.measure, RULE_PARTS_MAX);
	char full[RULE_REASON_MAX];
	size_t n = rule_reason(&r, &m, refs, full, sizeof full);
	assert_int_equal(n, sizeof full - 1);
	assert_int_equal(strlen(full), sizeof full - 1);
	assert_true(!strncmp(full, "Domestic abuse, parental substance misuse, ", 43));
}

/* Reasons in the words in force: a category worded locally, the others
 * as built in, and the built-in words back with NULL; dates as "12 Mar". */
static void test_reason_in_local_words(void **state)
{
	(void)state;
	const struct rule *r = rule("toxic-trio");
	struct concern_ref refs[] = {ref(1, 70, POLICE, DA, LOW), ref(2, 78, HEALTH, MENTAL, LOW),
	                             ref(3, 91, POLICE, SUBSTANCE, LOW)};
	assert_int_equal(rule_eval(r, refs, 3, 2, &m), LEVEL_RED);
	struct labels local;
	labels_defaults(&local);
	snprintf(local.category[MENTAL], sizeof local.category[MENTAL], "%s",
	         "a parent's low mood");
	labels_use(&local);
	assert_string_equal(say(r, refs), "Domestic abuse (police, 12 Mar), a parent's low mood "
	                                  "(health, 20 Mar) and parental substance misuse "
	                                  "(police, 2 Apr) within 90 days");
	labels_use(NULL);
	assert_string_equal(say(r, refs), "Domestic abuse (police, 12 Mar), parental mental health "
	                                  "(health, 20 Mar) and parental substance misuse "
	                                  "(police, 2 Apr) within 90 days");

	char date[32];
	label_date(0, date, sizeof date);
	assert_string_equal(date, "1 Jan");
	label_date(-1, date, sizeof date);
	assert_string_equal(date, "31 Dec");
	assert_string_equal(label_agency(4), "social care");
	assert_string_equal(label_agency(99), "an unknown agency");
	assert_string_equal(label_category(0), "an unknown category");
	assert_string_equal(label_severity(4), "immediate risk");
}

static void test_rule_equal(void **state)
{
	(void)state;
	struct rule a = not_brought, b = not_brought;
	assert_true(rule_equal(&a, &b));
	b.parts[1].count = 2;
	assert_false(rule_equal(&a, &b));
	b = a;
	b.threshold[LEVEL_RED] = 2;
	assert_false(rule_equal(&a, &b));
	b = a;
	b.window_ms++;
	assert_false(rule_equal(&a, &b));
	b = a;
	snprintf(b.name, sizeof b.name, "other");
	assert_false(rule_equal(&a, &b));
	/* Judged for the household rather than the child: another rule. */
	b = a;
	b.scope = RULE_SCOPE_HOUSEHOLD;
	assert_false(rule_equal(&a, &b));
	struct rule d[RULES_MAX], e[RULES_MAX];
	size_t n = rules_defaults(d, RULES_MAX);
	rules_defaults(e, RULES_MAX);
	for (size_t i = 0; i < n; i++)
		assert_true(rule_equal(&d[i], &e[i]));
	assert_false(rule_equal(&d[0], &d[1]));
}

/* The same oracle on a long sparse history, at a sample of concerns. */
static void test_long_history_matches_brute_force(void **state)
{
	(void)state;
	enum { N = 20000 };
	struct concern_ref *refs = calloc(N, sizeof *refs);
	assert_non_null(refs);
	int64_t t = 0;
	for (size_t i = 0; i < N; i++) {
		t += (int64_t)rnd(16) * HOUR; /* about 3 a day, some at one instant */
		refs[i] = (struct concern_ref){
		    i + 1, t, (uint8_t)(1 + rnd(5)), (uint8_t)(1 + rnd(15)), (uint8_t)(1 + rnd(4)),
		    NULL,  0};
	}
	struct rule rules[RULES_MAX];
	size_t n_rules = rules_defaults(rules, RULES_MAX);
	static struct rule_match o;
	for (size_t f = 0; f < N; f += 997)
		for (size_t k = 0; k < n_rules; k++) {
			enum level want = oracle(&rules[k], refs, N, f, &o);
			assert_int_equal(rule_eval(&rules[k], refs, N, f, &m), want);
			assert_int_equal(m.measure, o.measure);
			if (rules[k].kind != RULE_ANY)
				assert_int_equal(m.window_from_ms, o.window_from_ms);
		}
	free(refs);
}

static void test_extreme_times(void **state)
{
	(void)state;
	/* Near the ends of int64: windows clamp rather than overflow (the
	 * sanitizers would catch it). */
	const struct rule *r = rule("multi-agency");
	struct concern_ref lo[] = {{1, INT64_MIN, POLICE, DA, LOW, NULL, 0},
	                           {2, INT64_MIN + 1, HEALTH, DA, LOW, NULL, 0}};
	assert_int_equal(rule_eval(r, lo, 2, 1, &m), LEVEL_AMBER);
	assert_int_equal(rule_eval(r, lo, 2, 0, &m), LEVEL_AMBER);
	struct concern_ref hi[] = {{1, INT64_MAX - 1, POLICE, DA, LOW, NULL, 0},
	                           {2, INT64_MAX, HEALTH, DA, LOW, NULL, 0}};
	assert_int_equal(rule_eval(r, hi, 2, 0, &m), LEVEL_AMBER);
	assert_int_equal(m.window_to_ms, INT64_MAX);
	assert_int_equal(rule_eval(r, hi, 2, 1, &m), LEVEL_AMBER);
}

/* ---- checking a rule's settings, without a file ---- */

struct problems {
	size_t n;
	char msg[8][RULE_PROBLEM_MAX];
};

static void collect_problem(void *arg, const char *msg)
{
	struct problems *p = arg;
	if (p->n < 8)
		snprintf(p->msg[p->n], sizeof p->msg[0], "%s", msg);
	p->n++;
}

static void test_rule_check(void **state)
{
	(void)state;
	struct rule rules[RULES_MAX];
	size_t n = rules_defaults(rules, RULES_MAX);
	struct problems p = {0};
	for (size_t i = 0; i < n; i++)
		assert_int_equal(rule_check(&rules[i], i, collect_problem, &p), 0);
	assert_int_equal(p.n, 0);

	/* Each problem is one message naming the rule, word for word. */
	struct rule r = rules[1]; /* multi-agency: amber 2, red 3 */
	r.threshold[LEVEL_RED] = 2;
	r.threshold[LEVEL_AMBER] = 7;
	assert_int_equal(rule_check(&r, 4, collect_problem, &p), -1);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.msg[0], "rules[4] (multi-agency): red (2) must be above amber (7)");
	assert_string_equal(p.msg[1], "rules[4] (multi-agency): threshold 7 can never be reached: "
	                              "at most 5 distinct agencies");

	memset(&p, 0, sizeof p);
	r = rules[0];
	r.name[0] = '\0';
	r.window_ms = DAY;
	assert_int_equal(rule_check(&r, 0, collect_problem, &p), -1);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.msg[0], "rules[0]: name must be 1 to 47 of a-z, 0-9 and '-'");
	assert_string_equal(p.msg[1], "rules[0]: kind any judges one concern and takes no window");

	/* A scope neither child nor household (a corrupt rule). */
	memset(&p, 0, sizeof p);
	r = rules[2];
	assert_int_equal(r.scope, RULE_SCOPE_HOUSEHOLD); /* the shipped toxic trio */
	r.scope = (enum rule_scope)7;
	assert_int_equal(rule_check(&r, 2, collect_problem, &p), -1);
	assert_string_equal(p.msg[0], "rules[2] (toxic-trio): scope 7 is unknown");

	assert_true(rule_name_valid("toxic-trio"));
	assert_false(rule_name_valid("Toxic"));
	assert_false(rule_name_valid(""));
}

/* ---- social care status (when_status, unless_status) ---- */

static struct concern_ref with_status(struct concern_ref r, uint32_t status)
{
	r.status = status;
	return r;
}

static void test_status_filters(void **state)
{
	(void)state;
	const uint32_t plan = status_term_parse("child-protection-plan");
	const uint32_t neglect = status_term_parse("child-protection-plan:neglect");
	const uint32_t physical = status_term_parse("child-protection-plan:physical-abuse");
	const uint32_t lac = status_term_parse("looked-after");
	const struct rule *np = rule("on-plan-not-seen");

	/* One missed appointment: nothing for a child on no plan, AMBER for
	 * a child on one (of any category), whatever the agency. */
	struct concern_ref bare = ref(1, 0, HEALTH, WNB, LOW);
	struct concern_ref on_plan = with_status(bare, plan | neglect);
	assert_false(rule_counts(np, &bare));
	assert_int_equal(rule_eval(np, &bare, 1, 0, &m), LEVEL_NONE);
	assert_true(rule_counts(np, &on_plan));
	assert_int_equal(rule_eval(np, &on_plan, 1, 0, &m), LEVEL_AMBER);
	assert_string_equal(say(np, &on_plan),
	                    "Was not brought to health appointments (health, 1 Jan), low; the "
	                    "child was on a child protection plan");
	struct concern_ref absent = with_status(ref(2, 0, EDUCATION, ABSENCE, LOW), plan);
	assert_true(rule_counts(np, &absent));
	/* Another status, or another category of concern, is not the rule. */
	struct concern_ref looked_after = with_status(bare, lac);
	struct concern_ref abuse = with_status(ref(3, 0, HEALTH, DA, LOW), plan);
	assert_false(rule_counts(np, &looked_after));
	assert_false(rule_counts(np, &abuse));

	/* By category: a neglect plan only. */
	struct rule cat = *np;
	cat.when_status = neglect;
	assert_true(rule_counts(&cat, &on_plan));
	struct concern_ref other_plan = with_status(bare, plan | physical);
	assert_false(rule_counts(&cat, &other_plan));
	assert_string_equal(say(&cat, &on_plan),
	                    "Was not brought to health appointments (health, 1 Jan), low; the "
	                    "child was on a child protection plan (neglect)");
	cat.when_status = neglect | physical | lac;
	char words[160];
	status_phrase(cat.when_status, words, sizeof words);
	assert_string_equal(words, "on a child protection plan (neglect, physical abuse) or looked "
	                           "after");

	/* The exclusion: every missing episode counts, but not while looked
	 * after. */
	struct rule unless = *rule("repeat-missing");
	unless.unless_status = lac;
	struct concern_ref home[] = {ref(1, 0, POLICE, MISSING, LOW),
	                             ref(2, 1, POLICE, MISSING, LOW),
	                             ref(3, 2, POLICE, MISSING, LOW)};
	assert_int_equal(rule_eval(&unless, home, 3, 2, &m), LEVEL_AMBER);
	home[1].status = lac;
	assert_int_equal(rule_eval(&unless, home, 3, 2, &m), LEVEL_NONE);
	home[1].status = plan; /* not excluded */
	assert_int_equal(rule_eval(&unless, home, 3, 2, &m), LEVEL_AMBER);
	unsigned measure;
	assert_int_equal(rule_peak(&unless, home, 3, &measure), LEVEL_AMBER);
	assert_int_equal(measure, 3);

	/* Two rules differing only in status judge differently. */
	struct rule a = *np, b = *np;
	assert_true(rule_equal(&a, &b));
	b.when_status = neglect;
	assert_false(rule_equal(&a, &b));
	b = *np;
	b.unless_status = lac;
	assert_false(rule_equal(&a, &b));

	/* Checked: bits no status has, and one status both asked and
	 * excluded. */
	struct problems p = {0};
	assert_int_equal(rule_check(np, 5, collect_problem, &p), 0);
	b = *np;
	b.when_status |= 1u << 30;
	b.unless_status = plan;
	assert_int_equal(rule_check(&b, 5, collect_problem, &p), -1);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.msg[0], "rules[5] (on-plan-not-seen): a status filter names an "
	                              "unknown social care status");
	assert_string_equal(p.msg[1], "rules[5] (on-plan-not-seen): when_status and unless_status "
	                              "name the same status");
}

static void test_rule_check_given(void **state)
{
	(void)state;
	struct problems p = {0};
	struct rule r;
	memset(&r, 0, sizeof r);
	snprintf(r.name, sizeof r.name, "red-flag");
	struct rule_given g = {.level = LEVEL_RED};
	assert_int_equal(rule_check_given(&r, 3, &g, collect_problem, &p), -1);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.msg[0], "rules[3] (red-flag): missing kind = \"...\" "
	                              "(" RULE_KIND_CHOICES ")");

	/* level = "red" on kind any is red = 1, and the rule is good. */
	memset(&p, 0, sizeof p);
	g.kind = 1;
	assert_int_equal(rule_check_given(&r, 3, &g, collect_problem, &p), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(r.threshold[LEVEL_RED], 1);

	memset(&p, 0, sizeof p);
	g.thresholds = 1;
	g.weights = 1;
	assert_int_equal(rule_check_given(&r, 3, &g, collect_problem, &p), -1);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.msg[0],
	                    "rules[3] (red-flag): give level = \"...\" or amber/red = N, not both");
	assert_string_equal(p.msg[1],
	                    "rules[3] (red-flag): weights only apply to kind severity-sum");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_immediate_risk),
	    cmocka_unit_test(test_multi_agency_escalates),
	    cmocka_unit_test(test_window_edges_inclusive),
	    cmocka_unit_test(test_focus_outside_every_qualifying_window),
	    cmocka_unit_test(test_backfilled_in_the_middle),
	    cmocka_unit_test(test_same_instant),
	    cmocka_unit_test(test_toxic_trio),
	    cmocka_unit_test(test_cumulative_harm),
	    cmocka_unit_test(test_repeat_missing),
	    cmocka_unit_test(test_filters),
	    cmocka_unit_test(test_reason_units_and_plurals),
	    cmocka_unit_test(test_reason_fits_any_buffer),
	    cmocka_unit_test(test_strongest_window_wins),
	    cmocka_unit_test(test_long_history_and_evidence_cap),
	    cmocka_unit_test(test_matches_brute_force),
	    cmocka_unit_test(test_peak_matches_every_focus),
	    cmocka_unit_test(test_all_of),
	    cmocka_unit_test(test_all_of_long_reason_is_cut),
	    cmocka_unit_test(test_reason_in_local_words),
	    cmocka_unit_test(test_rule_equal),
	    cmocka_unit_test(test_long_history_matches_brute_force),
	    cmocka_unit_test(test_extreme_times),
	    cmocka_unit_test(test_rule_check),
	    cmocka_unit_test(test_rule_check_given),
	    cmocka_unit_test(test_status_filters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
