/*
 * Unit tests for the partnership's figures (web_figures.c): the report's
 * counts by rule, level and outcome as ffcd gave them, its alerts by rule
 * and calendar month (months outside the period left out), the response
 * figures in minutes, and a period too long refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "web_figures.h"

#define MIN INT64_C(60000)
#define DAY (1440 * MIN)
/* 2026-01-01T00:00:00Z, 2026-03-15T12:00:00Z, 2026-04-01T00:00:00Z */
#define JAN1  INT64_C(1767225600000)
#define MAR15 INT64_C(1773576000000)
#define APR1  INT64_C(1775001600000)

static Ffc__V1__MonthCount month(const char *m, const char *rule, int level, uint64_t n)
{
	Ffc__V1__MonthCount c = FFC__V1__MONTH_COUNT__INIT;
	c.month = (char *)(uintptr_t)m;
	c.rule = (char *)(uintptr_t)rule;
	c.level = (Ffc__V1__Level)level;
	c.count = n;
	return c;
}

static Ffc__V1__AlertCount count(const char *rule, int level, const char *outcome, uint64_t n)
{
	Ffc__V1__AlertCount c = FFC__V1__ALERT_COUNT__INIT;
	c.rule = (char *)(uintptr_t)rule;
	c.level = (Ffc__V1__Level)level;
	c.outcome = (char *)(uintptr_t)outcome;
	c.count = n;
	return c;
}

static json_int_t num(json_t *o, const char *path)
{
	/* "by_level.RED", "response.0.within" */
	char key[64];
	const char *p = path;
	while (o && *p) {
		size_t n = strcspn(p, ".");
		memcpy(key, p, n);
		key[n] = '\0';
		o = json_is_array(o) ? json_array_get(o, (size_t)(key[0] - '0'))
		                     : json_object_get(o, key);
		p += n + (p[n] == '.');
	}
	if (!json_is_integer(o))
		fail_msg("%s: not a number", path);
	return json_integer_value(o);
}

static const char *str(json_t *o, size_t i, const char *list, const char *key)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(o, list), i), key));
}

static void test_figures(void **state)
{
	(void)state;
	Ffc__V1__AlertCount c[] = {
	    count("toxic-trio", FFC__V1__LEVEL__AMBER, "superseded", 2),
	    count("toxic-trio", FFC__V1__LEVEL__RED, "strategy discussion", 1),
	    count("multi-agency", FFC__V1__LEVEL__AMBER, "open", 1),
	    count("multi-agency", FFC__V1__LEVEL__RED, "strategy discussion", 1),
	};
	Ffc__V1__AlertCount *cs[] = {&c[0], &c[1], &c[2], &c[3]};
	Ffc__V1__ResponseFigures red = FFC__V1__RESPONSE_FIGURES__INIT, amber = red;
	red.level = FFC__V1__LEVEL__RED;
	red.alerts = 2;
	red.responded = 2;
	red.median_ms = 20 * MIN;
	red.p90_ms = 200 * MIN;
	red.response_ms = 120 * MIN;
	red.counted = 2;
	red.within = 1;
	red.within_share = 0.5;
	amber.level = FFC__V1__LEVEL__AMBER;
	amber.alerts = 3;
	amber.response_ms = 360 * MIN;
	Ffc__V1__ResponseFigures *rs[] = {&red, &amber};
	Ffc__V1__ReportReply r = FFC__V1__REPORT_REPLY__INIT;
	r.from_ms = JAN1;
	r.to_ms = APR1;
	r.made_at_ms = MAR15;
	r.concerns = 9;
	r.alerts = 5;
	r.n_alerts_by = 4;
	r.alerts_by = cs;
	r.n_response = 2;
	r.response = rs;
	/* As ffcd counts them; a month outside the period, and one that is
	 * not a month, are left out. */
	Ffc__V1__MonthCount m[] = {
	    month("2026-01", "multi-agency", FFC__V1__LEVEL__RED, 1),
	    month("2026-02", "multi-agency", FFC__V1__LEVEL__AMBER, 1),
	    month("2026-01", "toxic-trio", FFC__V1__LEVEL__AMBER, 1),
	    month("2026-01", "toxic-trio", FFC__V1__LEVEL__RED, 1),
	    month("2026-03", "toxic-trio", FFC__V1__LEVEL__AMBER, 1),
	    month("2025-12", "multi-agency", FFC__V1__LEVEL__RED, 4),
	    month("2026-04", "immediate-risk", FFC__V1__LEVEL__RED, 1),
	    month("2026-13", "toxic-trio", FFC__V1__LEVEL__RED, 1),
	};
	Ffc__V1__MonthCount *ms[] = {&m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &m[6], &m[7]};
	r.n_alerts_by_month = 8;
	r.alerts_by_month = ms;

	assert_int_equal(web_figures_months(JAN1, APR1), 3);
	assert_int_equal(web_figures_months(JAN1, JAN1 + 1), 1);
	assert_int_equal(web_figures_months(APR1, JAN1), 0);
	json_t *f = web_figures(&r);
	assert_non_null(f);
	assert_int_equal(json_array_size(json_object_get(f, "months")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(f, "months"), 0)),
	                    "2026-01");
	/* Rules by name; each month the report's, levels together. */
	assert_int_equal(json_array_size(json_object_get(f, "by_rule")), 2);
	assert_string_equal(str(f, 0, "by_rule", "rule"), "multi-agency");
	assert_int_equal(num(f, "by_rule.0.counts.0"), 1);
	assert_int_equal(num(f, "by_rule.0.counts.1"), 1);
	assert_int_equal(num(f, "by_rule.0.counts.2"), 0);
	assert_int_equal(num(f, "by_rule.0.total"), 2);
	assert_string_equal(str(f, 1, "by_rule", "rule"), "toxic-trio");
	assert_int_equal(num(f, "by_rule.1.counts.0"), 2);
	assert_int_equal(num(f, "by_rule.1.counts.2"), 1);
	assert_int_equal(num(f, "by_rule.1.total"), 3);
	assert_int_equal(num(f, "by_level.RED"), 2);
	assert_int_equal(num(f, "by_level.AMBER"), 3);
	assert_int_equal(num(f, "alerts"), 5);
	assert_int_equal(num(f, "concerns"), 9);
	/* RED first, as ffcd gave them, in minutes. */
	assert_string_equal(str(f, 0, "response", "level"), "RED");
	assert_int_equal(num(f, "response.0.response_minutes"), 120);
	assert_int_equal(num(f, "response.0.median_minutes"), 20);
	assert_int_equal(num(f, "response.0.p90_minutes"), 200);
	assert_int_equal(num(f, "response.0.within"), 1);
	assert_int_equal(num(f, "response.0.late"), 1);
	assert_int_equal(num(f, "response.1.response_minutes"), 360);
	assert_true(json_is_null(
	    json_object_get(json_array_get(json_object_get(f, "response"), 1), "median_minutes")));
	/* Outcomes most first, states marked as not closed. */
	assert_string_equal(str(f, 0, "outcomes", "outcome"), "strategy discussion");
	assert_int_equal(num(f, "outcomes.0.count"), 2);
	assert_true(json_is_true(
	    json_object_get(json_array_get(json_object_get(f, "outcomes"), 0), "closed")));
	assert_int_equal(num(f, "outcomes.1.count"), 2);
	assert_string_equal(str(f, 2, "outcomes", "outcome"), "open");
	assert_true(json_is_false(
	    json_object_get(json_array_get(json_object_get(f, "outcomes"), 2), "closed")));
	assert_int_equal(num(f, "notices.notices"), 0);
	json_decref(f);

	/* Nothing at all: every figure there, zero. */
	Ffc__V1__ReportReply empty = FFC__V1__REPORT_REPLY__INIT;
	empty.from_ms = JAN1;
	empty.to_ms = JAN1 + DAY;
	f = web_figures(&empty);
	assert_int_equal(json_array_size(json_object_get(f, "months")), 1);
	assert_int_equal(json_array_size(json_object_get(f, "by_rule")), 0);
	assert_int_equal(num(f, "alerts"), 0);
	json_decref(f);
	/* A period of more months than a page draws, or none: refused. */
	empty.to_ms = JAN1 + 4000 * DAY;
	assert_null(web_figures(&empty));
	empty.to_ms = JAN1;
	assert_null(web_figures(&empty));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_figures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
