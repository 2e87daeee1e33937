/*
 * Unit tests for control_refusals.c: a caller's first refusals in a
 * window written one by one, the rest counted into one entry whose count
 * makes the total exact; windows ended by the next refusal, by the tick,
 * or by stopping; callers followed apart, unknown ones and any beyond the
 * table sharing one count; the entries per caller and window bounded.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control_refusals.h"

#define T 1000000

static struct refusals *table(void)
{
	struct refusals *r = calloc(1, sizeof *r);
	assert_non_null(r);
	return r;
}

static struct audit_entry refusal(const char *by, const char *command, uint64_t child, int64_t at)
{
	struct audit_entry e;
	memset(&e, 0, sizeof e);
	snprintf(e.by, sizeof e.by, "%s", by);
	snprintf(e.role, sizeof e.role, "viewer");
	snprintf(e.command, sizeof e.command, "%s", command);
	snprintf(e.detail, sizeof e.detail, "%s: needs the practitioner role", command);
	e.child = child;
	e.refused = 1;
	e.at_ms = at;
	return e;
}

/* Note n refusals of by at at_ms..; written one by one and due entries
 * are added up in *written and *counted (sum of the due entries' counts). */
static void flood(struct refusals *r, const char *by, int known, int n, int64_t at,
                  uint64_t *written, uint64_t *counted, size_t *entries)
{
	for (int i = 0; i < n; i++) {
		struct audit_entry e = refusal(by, "child", 1, at + i / 100), due;
		int has_due;
		enum refusal_verdict v = refusals_note(r, &e, known, at + i / 100, &due, &has_due);
		if (has_due) {
			*counted += due.count;
			(*entries)++;
		}
		if (v == REFUSAL_WRITE) {
			(*written)++;
			(*entries)++;
		}
	}
}

static void test_first_written_rest_counted(void **state)
{
	(void)state;
	struct refusals *r = table();
	uint64_t written = 0, counted = 0;
	size_t entries = 0;
	flood(r, "v.iewer", 1, 5000, T, &written, &counted, &entries);
	/* 5000 refusals in 50 ms: one window. */
	assert_int_equal(written, REFUSALS_EACH);
	assert_int_equal(counted, 0);
	assert_int_equal(refusals_pending(r), 5000 - REFUSALS_EACH);
	/* Not due until the window ends. */
	assert_int_equal(refusals_due_count(r, T + REFUSALS_WINDOW_MS - 1, 0), 0);
	assert_int_equal(refusals_due_count(r, T + REFUSALS_WINDOW_MS, 0), 1);
	struct audit_entry due[2];
	assert_int_equal(refusals_due(r, T + REFUSALS_WINDOW_MS, 0, due, 2), 1);
	assert_int_equal(due[0].count, 5000 - REFUSALS_EACH);
	assert_true(due[0].refused);
	assert_string_equal(due[0].by, "v.iewer");
	assert_string_equal(due[0].command, "child");
	assert_int_equal(due[0].child, 1);
	assert_non_null(strstr(due[0].detail, "refused 4990 times in 49 ms"));
	assert_non_null(strstr(due[0].detail, "child: needs the practitioner role"));
	assert_int_equal(refusals_pending(r), 0);
	/* Forgotten: the next refusal is written again. */
	struct audit_entry e = refusal("v.iewer", "child", 1, T + 5000), d;
	int has_due;
	assert_int_equal(refusals_note(r, &e, 1, T + 5000, &d, &has_due), REFUSAL_WRITE);
	assert_int_equal(has_due, 0);
	free(r);
}

static void test_sustained_flood_bounded_and_exact(void **state)
{
	(void)state;
	struct refusals *r = table();
	uint64_t written = 0, counted = 0;
	size_t entries = 0;
	/* 100 refusals a millisecond for 10 s, no tick: each window is ended
	 * by the next refusal after it. */
	flood(r, "v.iewer", 1, 1000000, T, &written, &counted, &entries);
	struct audit_entry due[REFUSALS_CALLERS + 1];
	size_t n = refusals_due(r, T + 100000, 1, due, REFUSALS_CALLERS + 1);
	for (size_t i = 0; i < n; i++)
		counted += due[i].count;
	entries += n;
	assert_int_equal(written + counted, 1000000);
	/* 10 windows: at most REFUSALS_EACH + 1 entries each. */
	assert_true(entries <= 10 * (REFUSALS_EACH + 1));
	assert_true(entries >= 10 * REFUSALS_EACH);
	free(r);
}

static void test_callers_apart_unknown_shared(void **state)
{
	(void)state;
	struct refusals *r = table();
	uint64_t written = 0, counted = 0;
	size_t entries = 0;
	flood(r, "a", 1, 50, T, &written, &counted, &entries);
	flood(r, "b", 1, 50, T, &written, &counted, &entries);
	assert_int_equal(written, 2 * REFUSALS_EACH);
	/* Unknown callers share one count whatever name each claims. */
	char name[32];
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "mallory%d", i);
		flood(r, name, 0, 1, T, &written, &counted, &entries);
	}
	assert_int_equal(written, 3 * REFUSALS_EACH);
	/* Beyond the callers followed, known ones share it too. */
	for (int i = 0; i < 2 * REFUSALS_CALLERS; i++) {
		snprintf(name, sizeof name, "op%d", i);
		flood(r, name, 1, 1, T, &written, &counted, &entries);
	}
	assert_int_equal(written, 3 * REFUSALS_EACH + REFUSALS_CALLERS - 2);
	assert_int_equal(refusals_due_count(r, T, 1), 3);
	struct audit_entry due[REFUSALS_CALLERS + 1];
	size_t n = refusals_due(r, T, 1, due, REFUSALS_CALLERS + 1);
	assert_int_equal(n, 3);
	uint64_t total = written;
	for (size_t i = 0; i < n; i++)
		total += due[i].count;
	assert_int_equal(total, 50 + 50 + 100 + 2 * REFUSALS_CALLERS);
	/* The shared entry says it stands for several names. */
	assert_string_equal(due[2].by, "(several callers)");
	assert_int_equal(refusals_pending(r), 0);
	assert_int_equal(refusals_due_count(r, T, 1), 0);
	free(r);
}

static void test_commands_and_children_differ_clock_back(void **state)
{
	(void)state;
	struct refusals *r = table();
	struct audit_entry e, due;
	int has_due;
	for (int i = 0; i < REFUSALS_EACH; i++) {
		e = refusal("v", "child", 1, T);
		assert_int_equal(refusals_note(r, &e, 1, T, &due, &has_due), REFUSAL_WRITE);
	}
	e = refusal("v", "child", 1, T);
	assert_int_equal(refusals_note(r, &e, 1, T, &due, &has_due), REFUSAL_COUNTED);
	e = refusal("v", "audit", 2, T + 1);
	assert_int_equal(refusals_note(r, &e, 1, T + 1, &due, &has_due), REFUSAL_COUNTED);
	/* The clock set back ends the window: the count is due first. */
	e = refusal("v", "child", 1, T - 50);
	assert_int_equal(refusals_note(r, &e, 1, T - 50, &due, &has_due), REFUSAL_WRITE);
	assert_int_equal(has_due, 1);
	assert_int_equal(due.count, 2);
	assert_int_equal(due.child, 0);
	assert_string_equal(due.command, "audit");
	assert_non_null(strstr(due.detail, "(several commands)"));
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_written_rest_counted),
	    cmocka_unit_test(test_sustained_flood_bounded_and_exact),
	    cmocka_unit_test(test_callers_apart_unknown_shared),
	    cmocka_unit_test(test_commands_and_children_differ_clock_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
