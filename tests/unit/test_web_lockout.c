/*
 * Unit tests for ffc-web's lockout (web_lockout.c): a name locked after
 * too many wrong passwords within the window, the right password refused
 * while locked, the count forgotten after a success, a window that passes
 * or a lock that ends; a full table never giving up a locked name while
 * an unlocked one can go.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "web_lockout.h"

#define MIN INT64_C(60000)
#define T   INT64_C(1767225600000)

static struct lockout l;

static void test_locked_after_max_failures(void **state)
{
	(void)state;
	lockout_init(&l, 5, 15 * MIN, 15 * MIN);
	int left = -1;
	for (int i = 1; i < 5; i++) {
		assert_int_equal(lockout_failed(&l, "sam", T + i, &left), 0);
		assert_int_equal(left, 5 - i);
		assert_int_equal(lockout_remaining(&l, "sam", T + i), 0);
	}
	assert_int_equal(lockout_failed(&l, "sam", T + 5, &left), 15 * MIN);
	assert_int_equal(left, 0);
	assert_int_equal(lockout_remaining(&l, "sam", T + 5), 15 * MIN);
	/* More failures while locked do not lengthen it. */
	assert_int_equal(lockout_failed(&l, "sam", T + 5 + MIN, NULL), 14 * MIN);
	/* Others are not affected. */
	assert_int_equal(lockout_remaining(&l, "pat", T + 6), 0);
	/* The lock ends; the count starts again. */
	assert_int_equal(lockout_remaining(&l, "sam", T + 5 + 15 * MIN), 0);
	assert_int_equal(lockout_failed(&l, "sam", T + 5 + 15 * MIN, &left), 0);
	assert_int_equal(left, 4);
}

static void test_success_and_window_forget(void **state)
{
	(void)state;
	lockout_init(&l, 3, 15 * MIN, 60 * MIN);
	lockout_failed(&l, "sam", T, NULL);
	lockout_failed(&l, "sam", T + 1, NULL);
	lockout_succeeded(&l, "sam");
	int left;
	assert_int_equal(lockout_failed(&l, "sam", T + 2, &left), 0);
	assert_int_equal(left, 2);
	/* Failures further apart than the window never lock. */
	lockout_init(&l, 3, 15 * MIN, 60 * MIN);
	for (int i = 0; i < 10; i++)
		assert_int_equal(lockout_failed(&l, "pat", T + i * 16 * MIN, NULL), 0);
	lockout_succeeded(&l, "nobody"); /* not in the table: nothing */
}

static void test_full_table_keeps_locked_names(void **state)
{
	(void)state;
	lockout_init(&l, 2, 15 * MIN, 15 * MIN);
	lockout_failed(&l, "victim", T, NULL);
	assert_true(lockout_failed(&l, "victim", T + 1, NULL) > 0);
	char name[32];
	/* A flood of other names, one failure each: they give up each
	 * other's slots, never the locked one's. */
	for (int i = 0; i < 3 * LOCKOUT_SLOTS; i++) {
		snprintf(name, sizeof name, "n%d", i);
		lockout_failed(&l, name, T + 2 + i, NULL);
	}
	assert_true(lockout_remaining(&l, "victim", T + 10000) > 0);
	/* The oldest unlocked names went first. */
	snprintf(name, sizeof name, "n%d", 3 * LOCKOUT_SLOTS - 1);
	int left;
	lockout_failed(&l, name, T + 20000, &left);
	assert_int_equal(left, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_locked_after_max_failures),
	    cmocka_unit_test(test_success_and_window_forget),
	    cmocka_unit_test(test_full_table_keeps_locked_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
