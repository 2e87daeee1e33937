/*
 * Unit tests for calendar.c: civil dates both ways, the parsers of dates,
 * clock times, days of the week and timezone rules (good and bad input),
 * UK summer time at its transitions (and US and southern rules), and the
 * next school day by weekends, terms, half terms, closures and the span
 * of the calendar.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"

#define HOUR  INT64_C(3600000)
#define MIN   INT64_C(60000)
#define DAYMS INT64_C(86400000)

static int32_t day(const char *s)
{
	int32_t d;
	const char *why;
	assert_int_equal(calendar_parse_date(s, &d, &why), 0);
	return d;
}

/* UTC ms of "YYYY-MM-DD" at hh:mm UTC. */
static int64_t utc(const char *date, int hh, int mm)
{
	return (int64_t)day(date) * DAYMS + hh * HOUR + mm * MIN;
}

static void test_civil_round_trip(void **state)
{
	(void)state;
	assert_int_equal(calendar_day_from_civil(1970, 1, 1), 0);
	assert_int_equal(calendar_day_from_civil(2026, 1, 1), 20454);
	assert_int_equal(calendar_day_from_civil(1900, 1, 1), CALENDAR_DAY_MIN);
	assert_int_equal(calendar_day_from_civil(9999, 12, 31), CALENDAR_DAY_MAX);
	for (int32_t d = CALENDAR_DAY_MIN; d <= CALENDAR_DAY_MAX; d += 17) {
		int y, m, dd;
		calendar_civil(d, &y, &m, &dd);
		assert_int_equal(calendar_day_from_civil(y, m, dd), d);
	}
	char out[11];
	calendar_format_date(day("2024-02-29"), out);
	assert_string_equal(out, "2024-02-29");
	calendar_format_date(-1, out);
	assert_string_equal(out, "1969-12-31");
	/* 2026-01-01 is a Thursday, 1970-01-01 too, 1969-12-29 a Monday. */
	assert_int_equal(calendar_weekday(20454), 3);
	assert_int_equal(calendar_weekday(0), 3);
	assert_int_equal(calendar_weekday(-3), 0);
	assert_int_equal(calendar_weekday(day("2025-11-08")), 5);
	assert_int_equal(calendar_day_of(-1), -1);
	assert_int_equal(calendar_day_of(DAYMS), 1);
	assert_int_equal(calendar_day_of(DAYMS - 1), 0);
}

static void test_parse_date(void **state)
{
	(void)state;
	int32_t d;
	const char *why;
	assert_int_equal(calendar_parse_date("2024-02-29", &d, &why), 0);
	const struct {
		const char *s, *why;
	} bad[] = {
	    {"2025-02-29", "not a real date"},
	    {"2025-13-01", "not a real date"},
	    {"2025-04-31", "not a real date"},
	    {"2025-00-10", "not a real date"},
	    {"1899-12-31", "before 1900"},
	    {"2025-1-01", "not a date YYYY-MM-DD"},
	    {"2025-01-01T", "not a date YYYY-MM-DD"},
	    {"", "not a date YYYY-MM-DD"},
	    {"20a5-01-01", "not a date YYYY-MM-DD"},
	    {"2025/01/01", "not a date YYYY-MM-DD"},
	    {"+025-01-01", "not a date YYYY-MM-DD"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		assert_int_equal(calendar_parse_date(bad[i].s, &d, &why), -1);
		assert_string_equal(why, bad[i].why);
	}
}

static void test_parse_clock_and_weekday(void **state)
{
	(void)state;
	int32_t s;
	const char *why;
	assert_int_equal(calendar_parse_clock("08:30", &s, &why), 0);
	assert_int_equal(s, 8 * 3600 + 30 * 60);
	assert_int_equal(calendar_parse_clock("23:59:59", &s, &why), 0);
	assert_int_equal(s, 86399);
	assert_int_equal(calendar_parse_clock("00:00", &s, &why), 0);
	assert_int_equal(s, 0);
	const char *bad[] = {"24:00", "8:30",   "08:60", "08:30:60", "08.30",
	                     "",      "08:30:", "0830",  "08:3a",    "-8:30"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(calendar_parse_clock(bad[i], &s, &why), -1);
	assert_int_equal(calendar_parse_weekday("mon"), 0);
	assert_int_equal(calendar_parse_weekday("Sunday"), 6);
	assert_int_equal(calendar_parse_weekday("SAT"), 5);
	assert_int_equal(calendar_parse_weekday("thurs"), -1);
	assert_int_equal(calendar_parse_weekday("mo"), -1);
	assert_int_equal(calendar_parse_weekday(""), -1);
}

static struct calendar_tz tz(const char *s)
{
	struct calendar_tz t;
	const char *why = NULL;
	if (calendar_parse_tz(s, &t, &why) < 0)
		fail_msg("%s: %s", s, why);
	return t;
}

static void test_london(void **state)
{
	(void)state;
	struct calendar_tz t = tz("Europe/London");
	assert_int_equal(calendar_offset(&t, utc("2026-01-15", 12, 0)), 0);
	assert_int_equal(calendar_offset(&t, utc("2025-07-07", 12, 0)), 3600);
	/* 2025: BST from 30 March 01:00 UTC to 26 October 01:00 UTC. */
	assert_int_equal(calendar_offset(&t, utc("2025-03-30", 1, 0) - 1), 0);
	assert_int_equal(calendar_offset(&t, utc("2025-03-30", 1, 0)), 3600);
	assert_int_equal(calendar_offset(&t, utc("2025-10-26", 1, 0) - 1), 3600);
	assert_int_equal(calendar_offset(&t, utc("2025-10-26", 1, 0)), 0);
	/* 2026: 29 March and 25 October. */
	assert_int_equal(calendar_offset(&t, utc("2026-03-29", 1, 0)), 3600);
	assert_int_equal(calendar_offset(&t, utc("2026-10-25", 0, 59)), 3600);
	assert_int_equal(calendar_offset(&t, utc("2026-10-25", 1, 0)), 0);
	/* 08:30 local. */
	assert_true(calendar_local_to_utc(&t, utc("2025-07-07", 8, 30)) ==
	            utc("2025-07-07", 7, 30));
	assert_true(calendar_local_to_utc(&t, utc("2026-01-05", 8, 30)) ==
	            utc("2026-01-05", 8, 30));
	/* 01:30 on the spring morning does not exist: an hour later. */
	assert_true(calendar_local_to_utc(&t, utc("2025-03-30", 1, 30)) ==
	            utc("2025-03-30", 1, 30));
	/* 01:30 on the autumn morning happens twice: the first. */
	assert_true(calendar_local_to_utc(&t, utc("2025-10-26", 1, 30)) ==
	            utc("2025-10-26", 0, 30));
	struct calendar_tz u = tz("UTC");
	assert_false(u.has_dst);
	assert_int_equal(u.std_s, 0);
	assert_true(calendar_local_to_utc(&u, 12345) == 12345);
}

static void test_other_rules(void **state)
{
	(void)state;
	/* New York: second Sunday of March 02:00 EST, first Sunday of
	 * November 02:00 EDT. */
	struct calendar_tz ny = tz("EST5EDT,M3.2.0,M11.1.0");
	assert_int_equal(ny.std_s, -5 * 3600);
	assert_int_equal(ny.dst_s, -4 * 3600);
	assert_int_equal(calendar_offset(&ny, utc("2025-03-09", 7, 0) - 1), -5 * 3600);
	assert_int_equal(calendar_offset(&ny, utc("2025-03-09", 7, 0)), -4 * 3600);
	assert_int_equal(calendar_offset(&ny, utc("2025-11-02", 6, 0) - 1), -4 * 3600);
	assert_int_equal(calendar_offset(&ny, utc("2025-11-02", 6, 0)), -5 * 3600);
	/* Sydney: summer time across the new year. */
	struct calendar_tz syd = tz("AEST-10AEDT,M10.1.0,M4.1.0/3");
	assert_int_equal(calendar_offset(&syd, utc("2026-01-15", 0, 0)), 11 * 3600);
	assert_int_equal(calendar_offset(&syd, utc("2026-07-15", 0, 0)), 10 * 3600);
	/* Quoted names, explicit offsets, times with minutes. */
	struct calendar_tz q = tz("<+0330>-3:30");
	assert_int_equal(q.std_s, 3 * 3600 + 1800);
	struct calendar_tz x = tz("IST-1GMT0,M10.5.0,M3.5.0/1");
	assert_int_equal(x.dst_s, 0);
	const char *bad[] = {"",
	                     "Europe/Paris",
	                     "GM0",
	                     "GMT",
	                     "XYZ",
	                     "GMT0BST",
	                     "GMT0BST,M3.5.0",
	                     "GMT0BST,M13.5.0,M10.5.0",
	                     "GMT0BST,M3.6.0,M10.5.0",
	                     "GMT0BST,M3.5.7,M10.5.0",
	                     "GMT0BST,J60,M10.5.0",
	                     "GMT0BST,60,M10.5.0",
	                     "GMT0x",
	                     "GMT25",
	                     "GMT0BST0,M3.5.0,M10.5.0",
	                     "GMT0BST,M3.5.0/168,M10.5.0",
	                     "GMT0BST,M3.5.0,M10.5.0,",
	                     "<GM>0",
	                     "GMT0:60"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct calendar_tz t;
		const char *why = NULL;
		if (!strcmp(bad[i], "GMT"))
			continue; /* an alias, good */
		if (calendar_parse_tz(bad[i], &t, &why) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(why);
	}
}

/* A calendar of 2025-26 as an English local authority publishes it. */
static void autumn(struct calendar *c)
{
	calendar_defaults(c);
	c->terms[c->n_terms++] = (struct calendar_term){day("2025-09-03"), day("2025-10-24")};
	c->terms[c->n_terms++] = (struct calendar_term){day("2025-11-03"), day("2025-12-19")};
	c->terms[c->n_terms++] = (struct calendar_term){day("2026-01-05"), day("2026-02-13")};
	c->closed[c->n_closed++] = day("2025-11-17");
	char why[CALENDAR_WHY_MAX];
	assert_int_equal(calendar_check(c, why, sizeof why), 0);
}

static void due(const struct calendar *c, int64_t at, int64_t want_due, int64_t want_remind)
{
	int64_t d = 0, r = 0;
	assert_int_equal(calendar_next_school_day(c, at, &d, &r), 0);
	if (d != want_due || r != want_remind)
		fail_msg("due %lld remind %lld, want %lld %lld", (long long)d, (long long)r,
		         (long long)want_due, (long long)want_remind);
}

static void test_next_school_day(void **state)
{
	(void)state;
	struct calendar c;
	autumn(&c);
	/* Saturday night in term: Monday 08:30 (GMT). */
	due(&c, utc("2025-11-08", 22, 40), utc("2025-11-10", 8, 30), utc("2025-11-10", 9, 30));
	/* Friday evening: Monday, but that Monday is an INSET day. */
	due(&c, utc("2025-11-14", 19, 0), utc("2025-11-18", 8, 30), utc("2025-11-18", 9, 30));
	/* Half term (25 October to 2 November): the first day back. */
	due(&c, utc("2025-10-25", 21, 0), utc("2025-11-03", 8, 30), utc("2025-11-03", 9, 30));
	due(&c, utc("2025-10-24", 16, 0), utc("2025-11-03", 8, 30), utc("2025-11-03", 9, 30));
	/* In summer time 08:30 is 07:30 UTC. */
	due(&c, utc("2025-10-22", 20, 0), utc("2025-10-23", 7, 30), utc("2025-10-23", 8, 30));
	/* Early on a school day: that same morning; at 08:30 or later the next. */
	due(&c, utc("2025-11-11", 6, 0), utc("2025-11-11", 8, 30), utc("2025-11-11", 9, 30));
	due(&c, utc("2025-11-11", 8, 30), utc("2025-11-12", 8, 30), utc("2025-11-12", 9, 30));
	/* An INSET day is skipped. */
	assert_false(calendar_is_school_day(&c, day("2025-11-17")));
	/* Christmas: the first day of the spring term. */
	due(&c, utc("2025-12-19", 23, 0), utc("2026-01-05", 8, 30), utc("2026-01-05", 9, 30));
	/* Past the last term and before the first: by the day of the week. */
	due(&c, utc("2026-02-20", 12, 0), utc("2026-02-23", 8, 30), utc("2026-02-23", 9, 30));
	due(&c, utc("2025-08-01", 12, 0), utc("2025-08-04", 7, 30), utc("2025-08-04", 8, 30));
	/* A school open every day. */
	c.weekdays = 0x7f;
	due(&c, utc("2025-11-08", 22, 0), utc("2025-11-09", 8, 30), utc("2025-11-09", 9, 30));
}

static void test_day_start_in_another_zone(void **state)
{
	(void)state;
	struct calendar c;
	calendar_defaults(&c);
	const char *why;
	assert_int_equal(calendar_parse_tz("EST5EDT,M3.2.0,M11.1.0", &c.tz, &why), 0);
	/* Friday 23:00 in New York is Saturday 04:00 UTC: due Monday 08:30
	 * EST, 13:30 UTC. */
	due(&c, utc("2025-11-15", 4, 0), utc("2025-11-17", 13, 30), utc("2025-11-17", 14, 30));
	/* Sunday 22:00 EST (Monday 03:00 UTC): Monday. */
	due(&c, utc("2025-11-17", 3, 0), utc("2025-11-17", 13, 30), utc("2025-11-17", 14, 30));
	/* Out of range. */
	int64_t d, r;
	assert_int_equal(calendar_next_school_day(&c, INT64_MAX, &d, &r), -1);
	assert_int_equal(calendar_next_school_day(&c, INT64_MIN, &d, &r), -1);
}

static void test_check(void **state)
{
	(void)state;
	struct calendar c;
	char why[CALENDAR_WHY_MAX];
	autumn(&c);
	c.remind_s = c.day_starts_s - 1;
	assert_int_equal(calendar_check(&c, why, sizeof why), -1);
	assert_string_equal(why, "remind_at: before the school day starts (day_starts)");
	autumn(&c);
	c.weekdays = 0;
	assert_int_equal(calendar_check(&c, why, sizeof why), -1);
	assert_string_equal(why, "school_days: no day of the week");
	autumn(&c);
	c.terms[1].from = day("2025-10-20");
	assert_int_equal(calendar_check(&c, why, sizeof why), -1);
	assert_string_equal(why, "terms[1]: starts 2025-10-20, not after the term before it ends "
	                         "(2025-10-24)");
	autumn(&c);
	c.terms[0].to = day("2025-09-01");
	assert_int_equal(calendar_check(&c, why, sizeof why), -1);
	assert_string_equal(why, "terms[0]: starts 2025-09-03, after it ends 2025-09-01");
	autumn(&c);
	c.terms[2] = (struct calendar_term){day("2026-09-01"), day("2026-10-01")};
	assert_int_equal(calendar_check(&c, why, sizeof why), -1);
	assert_non_null(strstr(why, "days without school between 2025-12-19 and 2026-09-01"));
	autumn(&c);
	c.closed[c.n_closed++] = day("2025-11-17");
	assert_int_equal(calendar_check(&c, why, sizeof why), -1);
	assert_string_equal(why, "closed[1]: 2025-11-17 is listed twice");
	/* Sorting puts a file's order right; it does not hide a twice. */
	autumn(&c);
	struct calendar_term t = c.terms[0];
	c.terms[0] = c.terms[2];
	c.terms[2] = t;
	c.closed[c.n_closed++] = day("2025-09-10");
	assert_int_equal(calendar_check(&c, why, sizeof why), -1);
	calendar_sort(&c);
	assert_int_equal(calendar_check(&c, why, sizeof why), 0);
	assert_int_equal(c.closed[0], day("2025-09-10"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_civil_round_trip),
	    cmocka_unit_test(test_parse_date),
	    cmocka_unit_test(test_parse_clock_and_weekday),
	    cmocka_unit_test(test_london),
	    cmocka_unit_test(test_other_rules),
	    cmocka_unit_test(test_next_school_day),
	    cmocka_unit_test(test_day_start_in_another_zone),
	    cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
