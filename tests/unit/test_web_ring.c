/*
 * Unit tests for ffc-web's ring of relayed events (web_ring.c): ids one
 * apart, positions held or fallen out, a position from another process
 * not held, readers woken by a push and by stopping, the highest alert seq
 * carried along.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sodium.h>

#include "web_ring.h"

static struct ring r;

static char *json(const char *s)
{
	return strdup(s);
}

static void test_positions_and_events(void **state)
{
	(void)state;
	assert_int_equal(ring_init(&r), 0);
	struct ring_pos p;
	ring_position(&r, &p);
	assert_int_equal(strlen(p.boot), RING_BOOT);
	assert_int_equal(p.id, 0);
	assert_int_equal(p.seq, 0);
	assert_true(ring_holds(&r, &p));
	ring_push(&r, RING_ALERT, 7, json("{\"seq\":7}"));
	ring_push(&r, RING_CHANGE, 3, json("{\"seq\":3}")); /* a change: seq not raised */
	ring_push(&r, RING_STATUS, 0, json("{\"live\":true}"));
	struct ring_event e;
	assert_int_equal(ring_next(&r, 0, 0, &e), 1);
	assert_int_equal(e.id, 1);
	assert_int_equal(e.kind, RING_ALERT);
	assert_int_equal(e.seq, 7);
	assert_string_equal(e.json, "{\"seq\":7}");
	free(e.json);
	assert_int_equal(ring_next(&r, 1, 0, &e), 1);
	assert_int_equal(e.kind, RING_CHANGE);
	assert_int_equal(e.seq, 7);
	free(e.json);
	assert_int_equal(ring_next(&r, 3, 10, &e), 0); /* none yet: a timeout */
	ring_position(&r, &p);
	assert_int_equal(p.id, 3);
	assert_int_equal(p.seq, 7);
	char *s = ring_status(&r);
	assert_string_equal(s, "{\"live\":true}");
	free(s);
	/* Another process's position is not held; nor one from the future. */
	struct ring_pos other = p;
	other.boot[0] = other.boot[0] == 'a' ? 'b' : 'a';
	assert_false(ring_holds(&r, &other));
	other = p;
	other.id = 4;
	assert_false(ring_holds(&r, &other));
	assert_int_equal(ring_next(&r, 4, 0, &e), RING_GONE);
	/* Past RING_SIZE events the oldest fall out. */
	for (int i = 0; i < RING_SIZE; i++)
		ring_push(&r, RING_ALERT, 100 + (uint64_t)i, json("{}"));
	struct ring_pos old = {.id = 2};
	memcpy(old.boot, p.boot, sizeof old.boot);
	assert_false(ring_holds(&r, &old));
	assert_int_equal(ring_next(&r, 2, 0, &e), RING_GONE);
	old.id = 3; /* the event after it, 4, is the oldest held */
	assert_true(ring_holds(&r, &old));
	assert_int_equal(ring_next(&r, 3, 0, &e), 1);
	assert_int_equal(e.id, 4);
	free(e.json);
	ring_destroy(&r);
}

static void *pusher(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 50000000};
	nanosleep(&ts, NULL);
	ring_push(&r, RING_ALERT, 1, strdup("{\"late\":1}"));
	nanosleep(&ts, NULL);
	ring_stop(&r);
	return NULL;
}

static void test_readers_woken(void **state)
{
	(void)state;
	assert_int_equal(ring_init(&r), 0);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, pusher, NULL), 0);
	struct ring_event e;
	assert_int_equal(ring_next(&r, 0, 5000, &e), 1);
	assert_string_equal(e.json, "{\"late\":1}");
	free(e.json);
	assert_int_equal(ring_next(&r, 1, 5000, &e), RING_STOPPING);
	pthread_join(t, NULL);
	ring_destroy(&r);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_positions_and_events),
	    cmocka_unit_test(test_readers_woken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
