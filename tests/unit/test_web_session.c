/*
 * Unit tests for ffc-web's sessions (web_session.c): fresh random tokens,
 * a session found by its token only, ending after its lifetime or when
 * idle (a live stream not keeping it open), on sign-out and when its
 * account goes, a full table giving up the least recently seen, and
 * tokens compared whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "web_session.h"

#define MIN  INT64_C(60000)
#define HOUR (60 * MIN)
#define T    INT64_C(1767225600000)

static struct web_sessions ss;

static void test_tokens(void **state)
{
	(void)state;
	char a[WEB_TOKEN_LEN + 1], b[WEB_TOKEN_LEN + 1];
	web_token_new(a);
	web_token_new(b);
	assert_int_equal(strlen(a), WEB_TOKEN_LEN);
	assert_true(web_token_valid(a));
	assert_string_not_equal(a, b);
	assert_true(web_token_same(a, a));
	assert_false(web_token_same(a, b));
	/* Anything not a token's form is never the same, even as itself. */
	assert_false(web_token_same("", ""));
	assert_false(web_token_same("abc", "abc"));
	char longer[WEB_TOKEN_LEN + 2];
	snprintf(longer, sizeof longer, "%sA", a);
	assert_false(web_token_valid(longer));
	assert_false(web_token_same(longer, longer));
	char bad[WEB_TOKEN_LEN + 1];
	memcpy(bad, a, sizeof bad);
	bad[5] = '+';
	assert_false(web_token_valid(bad));
	bad[5] = '=';
	assert_false(web_token_valid(bad));
}

static void test_lifetime_and_idle(void **state)
{
	(void)state;
	sessions_init(&ss, 10 * HOUR, 30 * MIN);
	const struct web_session *s = sessions_begin(&ss, "sam.jones", WEB_PRACTITIONER, T);
	char token[WEB_TOKEN_LEN + 1], csrf[WEB_TOKEN_LEN + 1];
	memcpy(token, s->token, sizeof token);
	memcpy(csrf, s->csrf, sizeof csrf);
	assert_string_not_equal(token, csrf);
	assert_true(web_token_valid(csrf));
	assert_int_equal(sessions_expires_ms(&ss, s), T + 30 * MIN);
	struct web_session *f = sessions_find(&ss, token, T + 29 * MIN, 1);
	assert_non_null(f);
	assert_string_equal(f->name, "sam.jones");
	assert_int_equal(f->role, WEB_PRACTITIONER);
	/* A stream's checks do not keep it open: only the person's requests. */
	assert_non_null(sessions_find(&ss, token, T + 58 * MIN, 0));
	assert_null(sessions_find(&ss, token, T + 59 * MIN, 0)); /* idle since T + 29 min */
	assert_null(sessions_find(&ss, token, T + 10, 1));       /* ended for good */
	/* Kept busy, it still ends at its lifetime. */
	s = sessions_begin(&ss, "sam.jones", WEB_PRACTITIONER, T);
	memcpy(token, s->token, sizeof token);
	for (int64_t t = T; t < T + 10 * HOUR; t += 20 * MIN)
		assert_non_null(sessions_find(&ss, token, t, 1));
	assert_null(sessions_find(&ss, token, T + 10 * HOUR, 1));
	/* Not a token, or nothing. */
	assert_null(sessions_find(&ss, "nope", T, 1));
	assert_null(sessions_find(&ss, NULL, T, 1));
}

static void test_end_and_end_named(void **state)
{
	(void)state;
	sessions_init(&ss, 10 * HOUR, 30 * MIN);
	char t1[WEB_TOKEN_LEN + 1], t2[WEB_TOKEN_LEN + 1], t3[WEB_TOKEN_LEN + 1];
	memcpy(t1, sessions_begin(&ss, "sam", WEB_ADMIN, T)->token, sizeof t1);
	memcpy(t2, sessions_begin(&ss, "sam", WEB_ADMIN, T)->token, sizeof t2);
	memcpy(t3, sessions_begin(&ss, "pat", WEB_VIEWER, T)->token, sizeof t3);
	sessions_end(&ss, t1);
	assert_null(sessions_find(&ss, t1, T, 1));
	assert_non_null(sessions_find(&ss, t2, T, 1));
	assert_int_equal(sessions_end_named(&ss, "sam"), 1);
	assert_null(sessions_find(&ss, t2, T, 1));
	assert_non_null(sessions_find(&ss, t3, T, 1));
	sessions_end(&ss, NULL);
	sessions_end(&ss, "not a token");
}

static void test_full_table_gives_up_the_least_recently_seen(void **state)
{
	(void)state;
	sessions_init(&ss, 10 * HOUR, 30 * MIN);
	char first[WEB_TOKEN_LEN + 1], second[WEB_TOKEN_LEN + 1];
	memcpy(first, sessions_begin(&ss, "a", WEB_VIEWER, T)->token, sizeof first);
	memcpy(second, sessions_begin(&ss, "b", WEB_VIEWER, T + 1)->token, sizeof second);
	for (int i = 2; i < SESSIONS_MAX; i++)
		sessions_begin(&ss, "c", WEB_VIEWER, T + 2 + i);
	/* The first is used again: the second is now the least recent. */
	assert_non_null(sessions_find(&ss, first, T + 5000, 1));
	sessions_begin(&ss, "d", WEB_VIEWER, T + 6000);
	assert_non_null(sessions_find(&ss, first, T + 6000, 1));
	assert_null(sessions_find(&ss, second, T + 6000, 1));
	/* An expired one is reused before any live one. */
	sessions_init(&ss, 10 * HOUR, 30 * MIN);
	memcpy(first, sessions_begin(&ss, "a", WEB_VIEWER, T)->token, sizeof first);
	const struct web_session *s = sessions_begin(&ss, "b", WEB_VIEWER, T + HOUR);
	assert_ptr_equal(s, &ss.s[0]);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tokens),
	    cmocka_unit_test(test_lifetime_and_idle),
	    cmocka_unit_test(test_end_and_end_named),
	    cmocka_unit_test(test_full_table_gives_up_the_least_recently_seen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
