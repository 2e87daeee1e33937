/*
 * Unit tests for ffc-watch's gap logic (client/tools/ffc_watch_gap.c):
 * which live alerts print, drop or call for a catch-up; which heartbeats
 * reveal missed alerts or a restart (and which stale ones do not); the
 * silence warning once per outage; a cursor that never goes backwards.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ffc_watch_gap.h"

#define T      INT64_C(1000000)
#define START  INT64_C(1767225600000)
#define START2 INT64_C(1767225900000)

static void test_live_alerts(void **state)
{
	(void)state;
	struct watch_gap g;
	watch_gap_init(&g, 0, T);
	assert_int_equal(watch_gap_alert(&g, 1), WATCH_SHOW);
	assert_int_equal(watch_gap_alert(&g, 2), WATCH_CATCH_UP);
	watch_gap_handled(&g, 1);
	assert_int_equal(watch_gap_alert(&g, 1), WATCH_DROP);
	assert_int_equal(watch_gap_alert(&g, 2), WATCH_SHOW);
	assert_int_equal(watch_gap_alert(&g, 5), WATCH_CATCH_UP);
	/* A catch-up that fetched up to 7: the live 5, 6 and 7 are
	 * duplicates, 8 is next. */
	watch_gap_handled(&g, 7);
	for (uint64_t s = 1; s <= 7; s++)
		assert_int_equal(watch_gap_alert(&g, s), WATCH_DROP);
	assert_int_equal(watch_gap_alert(&g, 8), WATCH_SHOW);
	/* Never backwards. */
	watch_gap_handled(&g, 3);
	assert_int_equal(g.last, 7);
	/* Resuming from a state file. */
	watch_gap_init(&g, 41, T);
	assert_int_equal(watch_gap_alert(&g, 41), WATCH_DROP);
	assert_int_equal(watch_gap_alert(&g, 42), WATCH_SHOW);
	assert_int_equal(watch_gap_alert(&g, 44), WATCH_CATCH_UP);
}

static void test_heartbeats(void **state)
{
	(void)state;
	struct watch_gap g;
	int was_silent = 1;
	watch_gap_init(&g, 3, T);
	/* Nothing missed. */
	assert_int_equal(watch_gap_heartbeat(&g, 3, START, 1000, T + 100, &was_silent), WATCH_OK);
	assert_false(was_silent);
	/* Idle console, alert 4 dropped or raised before the subscription
	 * reached the daemon: the heartbeat tells. */
	assert_int_equal(watch_gap_heartbeat(&g, 4, START, 1000, T + 1100, &was_silent),
	                 WATCH_HEARTBEAT);
	watch_gap_handled(&g, 9);
	/* A heartbeat that waited in the socket during that catch-up says
	 * less than the cursor: not a new store, nothing to do. */
	assert_int_equal(watch_gap_heartbeat(&g, 4, START, 1000, T + 1200, &was_silent), WATCH_OK);
	assert_int_equal(g.last, 9);
	/* The daemon restarted: catch up even when last_seq looks known
	 * (the control socket's answer decides whether the store is new). */
	assert_int_equal(watch_gap_heartbeat(&g, 9, START2, 1000, T + 2200, &was_silent),
	                 WATCH_RESTART);
	assert_int_equal(g.started_at_ms, START2);
	assert_int_equal(watch_gap_heartbeat(&g, 2, START2, 1000, T + 3200, &was_silent), WATCH_OK);
	assert_int_equal(watch_gap_heartbeat(&g, 10, START2, 1000, T + 4200, &was_silent),
	                 WATCH_HEARTBEAT);
	/* The interval comes from the daemon; 0 keeps the one known. */
	assert_int_equal(watch_gap_heartbeat(&g, 9, START2, 0, T + 4300, &was_silent), WATCH_OK);
	assert_int_equal(g.interval_ms, 1000);
	assert_int_equal(watch_gap_heartbeat(&g, 9, START2, 250, T + 4400, &was_silent), WATCH_OK);
	assert_int_equal(g.interval_ms, 250);
}

static void test_silence(void **state)
{
	(void)state;
	struct watch_gap g;
	int was_silent = 0;
	watch_gap_init(&g, 0, T);
	/* No daemon at all: reported WATCH_SILENT_BEATS intervals after
	 * starting, once. */
	assert_false(watch_gap_silent(&g, T + 2999));
	assert_true(watch_gap_silent(&g, T + 3000));
	assert_false(watch_gap_silent(&g, T + 9000));
	/* Heartbeats resume: the silence is over, and said to be. */
	assert_int_equal(watch_gap_heartbeat(&g, 0, START, 1000, T + 9500, &was_silent), WATCH_OK);
	assert_true(was_silent);
	assert_int_equal(watch_gap_heartbeat(&g, 0, START, 1000, T + 10500, &was_silent), WATCH_OK);
	assert_false(was_silent);
	assert_false(watch_gap_silent(&g, T + 13000));
	assert_true(watch_gap_silent(&g, T + 13500));
	/* A faster daemon is missed sooner. */
	watch_gap_heartbeat(&g, 0, START, 200, T + 20000, &was_silent);
	assert_false(watch_gap_silent(&g, T + 20599));
	assert_true(watch_gap_silent(&g, T + 20600));
}

static void test_reason_text(void **state)
{
	(void)state;
	assert_string_equal(watch_reason_text(WATCH_RECONNECT), "missed while disconnected");
	for (int r = WATCH_OK; r <= WATCH_NEW_STORE; r++)
		assert_true(watch_reason_text((enum watch_reason)r)[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_live_alerts),
	    cmocka_unit_test(test_heartbeats),
	    cmocka_unit_test(test_silence),
	    cmocka_unit_test(test_reason_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
