/*
 * Unit tests for school.c: which police concerns call for an Operation
 * Encompass notice (category, flag, agency, age), where a notice goes
 * (the school, or the front door and why), the configured schools'
 * lookups and URNs, and the topics of notices and feedback.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "school.h"

#define NOW INT64_C(1767225600000)

static struct concern police(int category, int flag, int64_t at)
{
	struct concern c = {.concern_id = "P-1",
	                    .agency = AGENCY_POLICE,
	                    .category = category,
	                    .severity = 2,
	                    .occurred_at_ms = at,
	                    .domestic_incident = flag};
	return c;
}

static void test_which_concerns(void **state)
{
	(void)state;
	struct concern c = police(CATEGORY_DOMESTIC_ABUSE, 0, NOW - MS_PER_DAY);
	assert_true(school_encompass(&c, NOW, 7));
	c = police(5, 1, NOW - MS_PER_DAY); /* physical abuse, flagged */
	assert_true(school_encompass(&c, NOW, 7));
	c = police(5, 0, NOW - MS_PER_DAY);
	assert_false(school_encompass(&c, NOW, 7));
	c = police(CATEGORY_DOMESTIC_ABUSE, 1, NOW);
	c.agency = 2; /* health: not Operation Encompass */
	assert_false(school_encompass(&c, NOW, 7));
	/* Older than the limit (exactly at it still counts); 0: any age. */
	c = police(CATEGORY_DOMESTIC_ABUSE, 0, NOW - 7 * MS_PER_DAY);
	assert_true(school_encompass(&c, NOW, 7));
	c.occurred_at_ms--;
	assert_false(school_encompass(&c, NOW, 7));
	assert_true(school_encompass(&c, NOW, 0));
	c.occurred_at_ms = CONCERN_EARLIEST_MS;
	assert_true(school_encompass(&c, NOW, 0));
	assert_false(school_encompass(&c, NOW, SCHOOL_MAX_AGE_MAX));
}

static void test_where_it_goes(void **state)
{
	(void)state;
	static struct schools s;
	schools_defaults(&s);
	s.n = 2;
	strcpy(s.list[0].urn, "100001");
	strcpy(s.list[0].name, "Hillside Primary");
	strcpy(s.list[1].urn, "999999");
	strcpy(s.list[1].name, "Beck Lane");
	const struct school *to;
	assert_int_equal(school_route(&s, "100001", &to), FRONT_DOOR_NONE);
	assert_string_equal(to->name, "Hillside Primary");
	assert_int_equal(school_route(&s, "999999", &to), FRONT_DOOR_NONE);
	assert_int_equal(school_route(&s, "", &to), FRONT_DOOR_NO_SCHOOL);
	assert_null(to);
	assert_int_equal(school_route(&s, NULL, &to), FRONT_DOOR_NO_SCHOOL);
	assert_int_equal(school_route(&s, "EHE", &to), FRONT_DOOR_HOME_EDUCATED);
	assert_int_equal(school_route(&s, "ehe", &to), FRONT_DOOR_HOME_EDUCATED);
	assert_int_equal(school_route(&s, "123456", &to), FRONT_DOOR_NOT_CONFIGURED);
	assert_null(to);
	assert_null(school_find(&s, ""));
	assert_null(school_find(&s, "10000"));
	/* A count past the array is not believed. */
	s.n = SCHOOLS_MAX + 5;
	assert_null(school_find(&s, "555555"));
}

static void test_urns(void **state)
{
	(void)state;
	assert_true(school_urn_valid("100000"));
	assert_true(school_urn_valid("999999"));
	const char *bad[] = {"", "012345", "12345", "1234567", "12345a", "EHE", " 10000", "10000 "};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(school_urn_valid(bad[i]));
}

static void test_topics(void **state)
{
	(void)state;
	char t[96];
	school_topic(t, sizeof t, "100001", NULL);
	assert_string_equal(t, "notice.school.100001");
	school_topic(t, sizeof t, "100001", "reminder");
	assert_string_equal(t, "notice.school.100001.reminder");
	school_console_topic(t, sizeof t, NULL, SCHOOL_FRONT_DOOR);
	assert_string_equal(t, "notice.front-door");
	school_console_topic(t, sizeof t, "ack", "100001");
	assert_string_equal(t, "notice.ack.100001");
	school_feedback_topic(t, sizeof t, 4);
	assert_string_equal(t, "feedback.social-care");
	school_feedback_topic(t, sizeof t, 1);
	assert_string_equal(t, "feedback.police");
	assert_string_equal(school_agency_word(0), "unknown");
	assert_string_equal(school_agency_word(6), "unknown");
	struct school_notice n = {.front_door = FRONT_DOOR_NONE};
	strcpy(n.urn, "100001");
	assert_string_equal(school_notice_dest(&n), "100001");
	n.front_door = FRONT_DOOR_NOT_CONFIGURED; /* its URN kept, but the front door's */
	assert_string_equal(school_notice_dest(&n), SCHOOL_FRONT_DOOR);
	n.front_door = FRONT_DOOR_NONE;
	n.urn[0] = '\0';
	assert_string_equal(school_notice_dest(&n), SCHOOL_FRONT_DOOR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_which_concerns),
	    cmocka_unit_test(test_where_it_goes),
	    cmocka_unit_test(test_urns),
	    cmocka_unit_test(test_topics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
