/*
 * Unit tests for heartbeat.c: the first beat is due at once, then one per
 * interval; the poll wait never overshoots the next beat; a clock stepped
 * backwards does not hold beats up; the packed message parses as the
 * contract's ffc.v1.Heartbeat with every field.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ffc.pb-c.h"
#include "heartbeat.h"

#define START INT64_C(1767225600000)

static void test_timing(void **state)
{
	(void)state;
	struct heartbeat hb;
	heartbeat_init(&hb, START, 1000);
	assert_true(heartbeat_due(&hb, START));
	assert_int_equal(heartbeat_wait_ms(&hb, START), 0);
	heartbeat_sent(&hb, START);
	assert_false(heartbeat_due(&hb, START));
	assert_int_equal(heartbeat_wait_ms(&hb, START), 1000);
	assert_false(heartbeat_due(&hb, START + 999));
	assert_int_equal(heartbeat_wait_ms(&hb, START + 400), 600);
	assert_int_equal(heartbeat_wait_ms(&hb, START + 999), 1);
	assert_true(heartbeat_due(&hb, START + 1000));
	assert_int_equal(heartbeat_wait_ms(&hb, START + 1000), 0);
	/* Late (a long batch): due, and waits nothing. */
	assert_true(heartbeat_due(&hb, START + 5000));
	assert_int_equal(heartbeat_wait_ms(&hb, START + 5000), 0);
	heartbeat_sent(&hb, START + 5000);
	/* The clock stepped back: beat now rather than in a long while. */
	assert_true(heartbeat_due(&hb, START + 100));
	assert_int_equal(heartbeat_wait_ms(&hb, START + 100), 0);
	/* No interval given: the default. */
	heartbeat_init(&hb, START, 0);
	assert_int_equal(hb.interval_ms, HEARTBEAT_INTERVAL_MS);
}

static void test_pack(void **state)
{
	(void)state;
	struct heartbeat hb;
	heartbeat_init(&hb, START, 1000);
	uint8_t *buf = NULL;
	size_t len = 0;
	assert_int_equal(heartbeat_pack(&hb, 42, START + 7000, &buf, &len), 0);
	Ffc__V1__Heartbeat *m = ffc__v1__heartbeat__unpack(NULL, len, buf);
	assert_non_null(m);
	assert_int_equal(m->last_seq, 42);
	assert_int_equal(m->at_ms, START + 7000);
	assert_int_equal(m->started_at_ms, START);
	assert_int_equal(m->interval_ms, 1000);
	ffc__v1__heartbeat__free_unpacked(m, NULL);
	free(buf);
	/* No alert yet: last_seq 0 is a valid, empty message body. */
	assert_int_equal(heartbeat_pack(&hb, 0, START, &buf, &len), 0);
	m = ffc__v1__heartbeat__unpack(NULL, len, buf);
	assert_non_null(m);
	assert_int_equal(m->last_seq, 0);
	ffc__v1__heartbeat__free_unpacked(m, NULL);
	free(buf);
	/* A heartbeat is not an alert: a console that parses it as one gets
	 * an error, not a bogus alert. */
	assert_int_equal(heartbeat_pack(&hb, 3, START + 1, &buf, &len), 0);
	assert_null(ffc__v1__alert__unpack(NULL, len, buf));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timing),
	    cmocka_unit_test(test_pack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
