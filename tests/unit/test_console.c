/*
 * Unit tests for console.c: a console's subscription narrowed to its
 * levels, for alerts, reminders, alert events and the heartbeat; what a
 * message from a console is, and the length and count limits.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "concern.h"
#include "console.h"

#define RED   (1u << LEVEL_RED)
#define AMBER (1u << LEVEL_AMBER)

static char out[CONSOLE_TOPICS_MAX][OUTBOX_TOPIC_MAX];

static size_t topics(const char *sub, unsigned levels)
{
	memset(out, 0, sizeof out);
	return console_topics(sub, strlen(sub), levels, out, CONSOLE_TOPICS_MAX);
}

static int has(size_t n, const char *topic)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(out[i], topic))
			return 1;
	return 0;
}

static void test_alert_prefix(void **state)
{
	(void)state;
	size_t n = topics("alert.", RED);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "alert.red.");
	n = topics("alert.", RED | AMBER);
	assert_int_equal(n, 2);
	assert_true(has(n, "alert.red.") && has(n, "alert.amber."));
	/* Already narrower than a level: kept as it is. */
	n = topics("alert.red.multi-agency", RED);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "alert.red.multi-agency");
	assert_int_equal(topics("alert.amber.", RED), 0);
	assert_int_equal(topics("alert.amber.multi-agency", RED), 0);
	assert_int_equal(topics("alert.", 0), 0);
}

static void test_everything(void **state)
{
	(void)state;
	/* "" subscribes to everything: each family at the allowed level. */
	size_t n = topics("", RED);
	assert_true(has(n, "heartbeat"));
	assert_true(has(n, "alert.red."));
	assert_true(has(n, "overdue.red."));
	assert_true(has(n, "event.ack.red."));
	assert_true(has(n, "event.close.red."));
	assert_true(has(n, "event.note.red."));
	for (size_t i = 0; i < n; i++)
		assert_null(strstr(out[i], "amber"));
	n = topics("event.", AMBER);
	assert_true(has(n, "event.ack.amber."));
	assert_true(has(n, "event.access"));
	assert_false(has(n, "heartbeat"));
	assert_false(has(n, "alert.amber."));
	n = topics("event.ack.red.x", AMBER);
	assert_int_equal(n, 0);
}

static void test_heartbeat(void **state)
{
	(void)state;
	size_t n = topics("heartbeat", RED);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "heartbeat");
	n = topics("heart", 0);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "heartbeat");
	assert_int_equal(topics("x", RED | AMBER), 0);
	/* Lookups of known children reach every console, whatever its
	 * levels. */
	assert_true(has(topics("", AMBER), "event.access"));
	n = topics("event.", RED);
	assert_true(has(n, "event.access") && has(n, "event.ack.red."));
	n = topics("event.access", AMBER);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "event.access");
	/* Not to a key with no levels (a school's, an adapter's). */
	assert_int_equal(topics("event.access", 0), 0);
	/* A NUL in a subscription matches no topic. */
	assert_int_equal(console_topics("alert.\0", 7, RED, out, CONSOLE_TOPICS_MAX), 0);
	/* Longer than any topic: nothing, no overflow. */
	char lng[OUTBOX_TOPIC_MAX + 20];
	memset(lng, 'a', sizeof lng);
	memcpy(lng, "alert.red.", 10);
	assert_int_equal(console_topics(lng, sizeof lng, RED, out, CONSOLE_TOPICS_MAX), 0);
	/* Fewer slots than prefixes: never more than max. */
	assert_int_equal(console_topics("", 0, RED | AMBER, out, 3), 3);
}

static enum console_verdict parse(const char *msg, size_t len, int restricted, size_t held,
                                  struct console_sub *sub)
{
	return console_parse((const uint8_t *)msg, len, 0, restricted, RED, held, sub);
}

static void test_parse_kinds(void **state)
{
	(void)state;
	struct console_sub sub;
	/* Insecure: the prefix as it is. */
	assert_int_equal(parse("\001alert.", 7, 0, 0, &sub), CONSOLE_SUBSCRIBE);
	assert_int_equal(sub.n, 1);
	assert_string_equal(sub.topics[0], "alert.");
	assert_int_equal(parse("\000alert.", 7, 0, 0, &sub), CONSOLE_UNSUBSCRIBE);
	assert_string_equal(sub.topics[0], "alert.");
	assert_int_equal(parse("\001", 1, 0, 0, &sub), CONSOLE_SUBSCRIBE);
	assert_int_equal(sub.n, 1);
	assert_string_equal(sub.topics[0], "");
	/* A key's levels narrow it. */
	assert_int_equal(parse("\001alert.", 7, 1, 0, &sub), CONSOLE_SUBSCRIBE);
	assert_int_equal(sub.n, 1);
	assert_string_equal(sub.topics[0], "alert.red.");
	assert_int_equal(parse("\001alert.amber.", 13, 1, 0, &sub), CONSOLE_SUBSCRIBE);
	assert_int_equal(sub.n, 0);
	/* Anything else is data, whatever it holds. */
	assert_int_equal(parse("", 0, 0, 0, &sub), CONSOLE_DATA);
	assert_int_equal(parse("xalert.", 7, 0, 0, &sub), CONSOLE_DATA);
	assert_int_equal(parse("\002", 1, 0, 0, &sub), CONSOLE_DATA);
	assert_int_equal(sub.n, 0);
	assert_int_equal(console_parse((const uint8_t *)"\001alert.", 7, 1, 0, RED, 0, &sub),
	                 CONSOLE_DATA);
	/* A NUL never matches a topic: nothing, even unrestricted. */
	assert_int_equal(parse("\001al\0rt", 6, 0, 0, &sub), CONSOLE_SUBSCRIBE);
	assert_int_equal(sub.n, 0);
	assert_string_equal(console_verdict_name(CONSOLE_DATA), "data");
}

static void test_parse_limits(void **state)
{
	(void)state;
	struct console_sub sub;
	char msg[CONSOLE_SUB_MAX + 2];
	msg[0] = 1;
	memset(msg + 1, 'a', sizeof msg - 1);
	assert_int_equal(parse(msg, CONSOLE_SUB_MAX + 1, 0, 0, &sub), CONSOLE_SUBSCRIBE);
	assert_int_equal(sub.n, 1);
	assert_int_equal(strlen(sub.topics[0]), CONSOLE_SUB_MAX);
	assert_int_equal(parse(msg, sizeof msg, 0, 0, &sub), CONSOLE_TOO_LONG);
	assert_int_equal(sub.n, 0);
	/* The count: the last one allowed, then none; unsubscribing always. */
	assert_int_equal(parse("\001alert.", 7, 0, CONSOLE_SUBS_MAX - 1, &sub), CONSOLE_SUBSCRIBE);
	assert_int_equal(parse("\001alert.", 7, 0, CONSOLE_SUBS_MAX, &sub), CONSOLE_TOO_MANY);
	assert_int_equal(sub.n, 0);
	assert_int_equal(parse("\000alert.", 7, 0, CONSOLE_SUBS_MAX, &sub), CONSOLE_UNSUBSCRIBE);
	assert_int_equal(sub.n, 1);
}

static size_t granted(const char *sub, const struct console_grant *g)
{
	memset(out, 0, sizeof out);
	return console_grant_topics(sub, strlen(sub), g, out, CONSOLE_TOPICS_MAX);
}

/* A school's key: its own school's notices only, whatever it asks. */
static void test_school_key(void **state)
{
	(void)state;
	const struct console_grant school = {.urn = "100001"};
	size_t n = granted("notice.", &school);
	assert_int_equal(n, 1);
	assert_true(has(n, "notice.school.100001"));
	n = granted("", &school);
	assert_int_equal(n, 2);
	assert_true(has(n, "notice.school.100001") && has(n, "heartbeat"));
	n = granted("notice.school.100001.reminder", &school);
	assert_int_equal(n, 1);
	assert_true(has(n, "notice.school.100001.reminder"));
	assert_int_equal(granted("notice.school.100002", &school), 0);
	assert_int_equal(granted("notice.school.1", &school), 1); /* wider: its own only */
	assert_true(has(1, "notice.school.100001"));
	assert_int_equal(granted("alert.", &school), 0);
	assert_int_equal(granted("notice.front-door", &school), 0);
	assert_int_equal(granted("notice.reminder.", &school), 0);
	assert_int_equal(granted("feedback.", &school), 0);
}

/* An adapter's key: its agency's feedback only. */
static void test_adapter_key(void **state)
{
	(void)state;
	const struct console_grant police = {.agency = 1};
	size_t n = granted("feedback.", &police);
	assert_int_equal(n, 1);
	assert_true(has(n, "feedback.police"));
	assert_int_equal(granted("feedback.health", &police), 0);
	assert_int_equal(granted("alert.", &police), 0);
	assert_int_equal(granted("notice.", &police), 0);
	const struct console_grant social = {.agency = 4};
	assert_true(has(granted("f", &social), "feedback.social-care"));
}

/* A console: its levels, and the notices for consoles, never a school's. */
static void test_console_notices(void **state)
{
	(void)state;
	const struct console_grant red = {.levels = RED, .notices = 1};
	size_t n = granted("notice.", &red);
	assert_int_equal(n, 4);
	assert_true(has(n, "notice.front-door") && has(n, "notice.reminder.") &&
	            has(n, "notice.ack.") && has(n, "notice.withdrawn."));
	assert_int_equal(granted("notice.school.", &red), 0);
	assert_int_equal(granted("feedback.", &red), 0);
	n = granted("notice.reminder.100001", &red);
	assert_int_equal(n, 1);
	assert_true(has(n, "notice.reminder.100001"));
	/* console_parse() as before: levels only. */
	struct console_sub sub;
	assert_int_equal(console_parse((const uint8_t *)"\001notice.", 8, 0, 1, RED, 0, &sub),
	                 CONSOLE_SUBSCRIBE);
	assert_int_equal(sub.n, 0);
	assert_int_equal(
	    console_parse_grant((const uint8_t *)"\001notice.", 8, 0, 1, &red, 0, &sub),
	    CONSOLE_SUBSCRIBE);
	assert_int_equal(sub.n, 4);
	/* A NUL in it matches no topic. */
	assert_int_equal(console_grant_topics("notice.\0", 8, &red, out, CONSOLE_TOPICS_MAX), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alert_prefix), cmocka_unit_test(test_everything),
	    cmocka_unit_test(test_heartbeat),    cmocka_unit_test(test_parse_kinds),
	    cmocka_unit_test(test_parse_limits), cmocka_unit_test(test_school_key),
	    cmocka_unit_test(test_adapter_key),  cmocka_unit_test(test_console_notices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
