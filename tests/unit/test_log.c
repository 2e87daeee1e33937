/*
 * Unit tests for log.c's limit on lines a peer can cause: at most one a
 * second per kind, the next one saying how many were left out, each kind
 * on its own, and a clock that stepped back never silences a kind.
 */
/* cmocka needs these before its own header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "log.h"

static void test_once_a_second(void **state)
{
	(void)state;
	log_set_level(LOG_ERROR); /* the lines themselves are not looked at */
	struct log_limit l = {0};
	assert_int_equal(log_limit_msg(&l, 5000, LOG_WARN, "refused %d", 1), 1);
	assert_int_equal(log_limit_msg(&l, 5001, LOG_WARN, "refused %d", 2), 0);
	assert_int_equal(log_limit_msg(&l, 5999, LOG_WARN, "refused %d", 3), 0);
	assert_int_equal(l.unlogged, 2);
	assert_int_equal(log_limit_msg(&l, 6000, LOG_WARN, "refused %d", 4), 1);
	assert_int_equal(l.unlogged, 0);
	assert_int_equal(l.logged_at_ms, 6000);

	/* Another kind is counted on its own. */
	struct log_limit other = {0};
	assert_int_equal(log_limit_msg(&other, 6001, LOG_WARN, "cut"), 1);

	/* The clock stepped back: log at once rather than wait for it. */
	assert_int_equal(log_limit_msg(&l, 100, LOG_WARN, "refused"), 1);
	assert_int_equal(l.logged_at_ms, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_once_a_second),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
