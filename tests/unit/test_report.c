/*
 * Unit tests for report.c: nearest-rank percentiles, shares, children
 * re-alerted within 12 months of a closed alert (and not otherwise), and
 * the response figures of one level (answered within or not, late when
 * past due unanswered, superseded left out).
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "report.h"

#define DAY  INT64_C(86400000)
#define HOUR INT64_C(3600000)

static void test_percentile_and_share(void **state)
{
	(void)state;
	int64_t v[] = {50, 10, 40, 20, 30, 100, 90, 80, 70, 60};
	assert_int_equal(report_percentile(v, 10, 50), 50);
	assert_int_equal(report_percentile(v, 10, 90), 90);
	assert_int_equal(report_percentile(v, 10, 100), 100);
	assert_int_equal(report_percentile(v, 10, 1), 10);
	int64_t one[] = {7};
	assert_int_equal(report_percentile(one, 1, 50), 7);
	assert_int_equal(report_percentile(one, 1, 90), 7);
	int64_t two[] = {9, 3};
	assert_int_equal(report_percentile(two, 2, 50), 3);
	assert_int_equal(report_percentile(two, 2, 90), 9);
	assert_int_equal(report_percentile(NULL, 0, 50), 0);
	assert_true(report_share(1, 2) == 0.5);
	assert_true(report_share(3, 0) == 0.0);
}

static void test_realerted(void **state)
{
	(void)state;
	const int64_t from = 1000 * DAY, to = 1090 * DAY;
	struct report_alert a[] = {
	    /* child 1: closed, then alerted again in the period 100 days on */
	    {1, 900 * DAY, 910 * DAY},
	    {1, 1010 * DAY, 0},
	    /* child 2: closed more than a year before its new alert */
	    {2, 600 * DAY, 620 * DAY},
	    {2, 1000 * DAY, 0},
	    /* child 3: two alerts in the period, neither closed first */
	    {3, 1020 * DAY, 1030 * DAY + HOUR},
	    {3, 1030 * DAY, 0},
	    /* child 4: closed inside the period, alerted again after it */
	    {4, 1001 * DAY, 1002 * DAY},
	    {4, 1003 * DAY, 0},
	    /* child 5: re-alerted, but before the period */
	    {5, 100 * DAY, 110 * DAY},
	    {5, 200 * DAY, 0},
	    /* child 6: its only alert closed, nothing after */
	    {6, 1050 * DAY, 1051 * DAY},
	};
	uint64_t alerted = 0;
	assert_int_equal(report_realerted(a, sizeof a / sizeof a[0], from, to, &alerted), 2);
	assert_int_equal(alerted, 5);
	/* Exactly 365 days after closing still counts; a day later not. */
	struct report_alert b[] = {{7, 0, 10 * DAY}, {7, 375 * DAY, 0}};
	assert_int_equal(report_realerted(b, 2, 0, 1000 * DAY, &alerted), 1);
	b[1].raised_at_ms += 1;
	assert_int_equal(report_realerted(b, 2, 0, 1000 * DAY, &alerted), 0);
	assert_int_equal(report_realerted(NULL, 0, 0, 1, &alerted), 0);
	assert_int_equal(alerted, 0);
}

static void test_responses(void **state)
{
	(void)state;
	const int64_t now = 100 * DAY, within = 2 * HOUR;
	struct report_response r[] = {
	    {now - DAY, now - DAY + HOUR, 0},       /* answered in an hour */
	    {now - DAY, now - DAY + 3 * HOUR, 0},   /* late */
	    {now - DAY, now - DAY + 2 * HOUR, 0},   /* exactly on time */
	    {now - DAY, 0, 0},                      /* never answered, past due: late */
	    {now - HOUR, 0, 0},                     /* not yet due: not judged */
	    {now - DAY, 0, 1},                      /* superseded unanswered: left out */
	    {now - DAY, now - DAY + 30 * 60000, 1}, /* superseded after an answer: in */
	};
	struct report_response_figures f;
	assert_int_equal(report_responses(r, sizeof r / sizeof r[0], within, now, &f), 0);
	assert_int_equal(f.alerts, 7);
	assert_int_equal(f.responded, 4);
	assert_int_equal(f.counted, 5);
	assert_int_equal(f.within, 3);
	assert_int_equal(f.median_ms, HOUR);
	assert_int_equal(f.p90_ms, 3 * HOUR);
	assert_int_equal(report_responses(NULL, 0, within, now, &f), 0);
	assert_int_equal(f.alerts + f.counted + f.responded + (uint64_t)f.median_ms, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_percentile_and_share),
	    cmocka_unit_test(test_realerted),
	    cmocka_unit_test(test_responses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
