/*
 * Unit tests for the partnership's figures (web_figures.c): alerts counted
 * by rule and calendar month, those before the months asked for left
 * out, time to acknowledge against the response time (from a reopening
 * when there was one), open alerts overdue now, and outcomes.
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
/* 2026-01-01T00:00:00Z, 2026-03-15T12:00:00Z */
#define JAN1  INT64_C(1767225600000)
#define MAR15 INT64_C(1773576000000)

static Ffc__V1__Alert alert(const char *rule, int level, int64_t raised, int64_t due_after,
                            int state)
{
	Ffc__V1__Alert a = FFC__V1__ALERT__INIT;
	a.rule = (char *)(uintptr_t)rule;
	a.level = (Ffc__V1__Level)level;
	a.raised_at_ms = raised;
	a.due_at_ms = raised + due_after;
	a.state = (Ffc__V1__AlertState)state;
	return a;
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

static void test_figures(void **state)
{
	(void)state;
	enum { RED = FFC__V1__LEVEL__RED, AMBER = FFC__V1__LEVEL__AMBER };
	enum { OPEN = 1, ACK = 2, CLOSED = 3, SUPERSEDED = 4 };
	Ffc__V1__Alert a[8];
	a[0] = alert("multi-agency", RED, JAN1 + 10 * DAY, 120 * MIN, ACK);
	a[0].acknowledged_at_ms = a[0].raised_at_ms + 20 * MIN; /* a quarter or less */
	a[1] = alert("multi-agency", RED, JAN1 + 40 * DAY, 120 * MIN, CLOSED);
	a[1].acknowledged_at_ms = a[1].raised_at_ms + 200 * MIN; /* late, under twice */
	a[1].outcome = (char *)(uintptr_t) "strategy discussion";
	a[2] = alert("immediate-risk", RED, MAR15 - DAY, 120 * MIN, OPEN);    /* overdue now */
	a[3] = alert("toxic-trio", AMBER, MAR15 - 10 * MIN, 360 * MIN, OPEN); /* in time */
	a[4] = alert("toxic-trio", AMBER, JAN1 + 5 * DAY, 360 * MIN, CLOSED);
	a[4].outcome = (char *)(uintptr_t) "strategy discussion";
	a[5] = alert("toxic-trio", AMBER, JAN1 + 6 * DAY, 360 * MIN, SUPERSEDED);
	/* Reopened: acknowledged 30 min after the reopening, in time. */
	a[6] = alert("cumulative-harm", AMBER, JAN1 + 20 * DAY, 0, ACK);
	a[6].reopened_at_ms = JAN1 + 30 * DAY;
	a[6].due_at_ms = a[6].reopened_at_ms + 360 * MIN;
	a[6].acknowledged_at_ms = a[6].reopened_at_ms + 30 * MIN;
	/* Before the months asked for: left out of everything. */
	a[7] = alert("multi-agency", RED, JAN1 - 40 * DAY, 120 * MIN, CLOSED);
	a[7].outcome = (char *)(uintptr_t) "no further action";
	const Ffc__V1__Alert *all[8];
	for (int i = 0; i < 8; i++)
		all[i] = &a[i];
	json_t *f = web_figures(all, 8, 3, MAR15);
	assert_non_null(f);
	json_t *months = json_object_get(f, "months");
	assert_int_equal(json_array_size(months), 3);
	assert_string_equal(json_string_value(json_array_get(months, 0)), "2026-01");
	assert_string_equal(json_string_value(json_array_get(months, 2)), "2026-03");
	assert_int_equal(num(f, "alerts"), 7);
	assert_int_equal(num(f, "from_ms"), JAN1);
	assert_int_equal(web_figures_from_ms(3, MAR15), JAN1);
	json_t *by_rule = json_object_get(f, "by_rule");
	int seen = 0;
	for (size_t i = 0; i < json_array_size(by_rule); i++) {
		json_t *r = json_array_get(by_rule, i);
		const char *rule = json_string_value(json_object_get(r, "rule"));
		if (!strcmp(rule, "multi-agency")) {
			/* one in January, one in February */
			assert_int_equal(num(r, "counts.0"), 1);
			assert_int_equal(num(r, "counts.1"), 1);
			assert_int_equal(num(r, "counts.2"), 0);
			assert_int_equal(num(r, "total"), 2);
			seen++;
		} else if (!strcmp(rule, "toxic-trio")) {
			assert_int_equal(num(r, "counts.0"), 2);
			assert_int_equal(num(r, "counts.2"), 1);
			seen++;
		}
	}
	assert_int_equal(seen, 2);
	assert_int_equal(num(f, "by_level.RED"), 3);
	assert_int_equal(num(f, "by_level.AMBER"), 4);
	assert_int_equal(num(f, "states.OPEN"), 2);
	assert_int_equal(num(f, "states.SUPERSEDED"), 1);
	/* RED first: response time 120 min; two acknowledged, one in time
	 * (20 min: within a quarter), one late (200 min: up to twice). */
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(f, "response"), 0), "level")),
	                    "RED");
	assert_int_equal(num(f, "response.0.response_minutes"), 120);
	assert_int_equal(num(f, "response.0.acknowledged"), 2);
	assert_int_equal(num(f, "response.0.within"), 1);
	assert_int_equal(num(f, "response.0.late"), 1);
	assert_int_equal(num(f, "response.0.buckets.0.count"), 1);
	assert_int_equal(num(f, "response.0.buckets.3.count"), 1);
	assert_int_equal(num(f, "response.0.open_overdue"), 1);
	assert_int_equal(num(f, "response.0.median_minutes"), 200);
	/* AMBER: the reopened one counts from its reopening. */
	assert_int_equal(num(f, "response.1.response_minutes"), 360);
	assert_int_equal(num(f, "response.1.acknowledged"), 1);
	assert_int_equal(num(f, "response.1.within"), 1);
	assert_int_equal(num(f, "response.1.median_minutes"), 30);
	assert_int_equal(num(f, "response.1.open_in_time"), 1);
	json_t *out = json_object_get(f, "outcomes");
	assert_int_equal(json_array_size(out), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 0), "outcome")),
	                    "strategy discussion");
	assert_int_equal(num(f, "outcomes.0.count"), 2);
	json_decref(f);

	/* No alerts at all: every figure there, zero; months bounded. */
	f = web_figures(NULL, 0, 99, MAR15);
	assert_int_equal(json_array_size(json_object_get(f, "months")), FIGURES_MONTHS_MAX);
	assert_int_equal(num(f, "alerts"), 0);
	assert_true(json_is_null(
	    json_object_get(json_array_get(json_object_get(f, "response"), 0), "median_minutes")));
	json_decref(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_figures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
