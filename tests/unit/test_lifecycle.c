/*
 * Unit tests for lifecycle.c: every change an alert allows and every one
 * it refuses (with the field named and the alert left as it was), the
 * outcome list, text checks, due times and the overdue decision.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lifecycle.h"
#include "testutil.h"

#define MINUTE INT64_C(60000)
#define RAISED (T0 + 10 * DAY)

static struct alert *open_alert(enum level level)
{
	struct alert *a = calloc(1, sizeof *a);
	a->seq = 7;
	snprintf(a->alert_id, sizeof a->alert_id, "A00000007");
	snprintf(a->rule, sizeof a->rule, "multi-agency");
	a->level = level;
	a->raised_at_ms = RAISED;
	a->state = ALERT_OPEN;
	return a;
}

/* A refused change: err names the field, the alert is untouched. */
#define assert_refused(call, a, field)                                                             \
	do {                                                                                       \
		struct alert before = *(a);                                                        \
		err[0] = '\0';                                                                     \
		assert_int_equal((call), -1);                                                      \
		assert_memory_equal(&before, (a), sizeof before);                                  \
		if (strncmp(err, field, strlen(field)) != 0)                                       \
			fail_msg("error '%s' does not start with '%s'", err, field);               \
	} while (0)

static void test_defaults_and_due(void **state)
{
	(void)state;
	struct alert_policy p;
	lifecycle_defaults(&p);
	assert_int_equal(p.response_ms[LEVEL_RED], 120 * MINUTE);
	assert_int_equal(p.response_ms[LEVEL_AMBER], 360 * MINUTE);
	assert_non_null(lifecycle_outcome(&p, "strategy discussion"));
	assert_non_null(lifecycle_outcome(&p, "referred to family help"));
	assert_string_equal(lifecycle_outcome(&p, "No Further ACTION"), "no further action");
	assert_null(lifecycle_outcome(&p, "no further"));
	assert_null(lifecycle_outcome(&p, ""));

	struct alert *red = open_alert(LEVEL_RED), *amber = open_alert(LEVEL_AMBER);
	assert_int_equal(lifecycle_due(&p, red), RAISED + 120 * MINUTE);
	assert_int_equal(lifecycle_due(&p, amber), RAISED + 360 * MINUTE);
	free(red);
	free(amber);
}

static void test_ack(void **state)
{
	(void)state;
	char err[LIFECYCLE_ERR_MAX];
	struct alert_event e;
	struct alert *a = open_alert(LEVEL_RED);
	assert_int_equal(wire_alert_view(a), ALERT_VIEW_OPEN);
	assert_int_equal(lifecycle_ack(a, "Sam Jones", "calling the school\nthen police",
	                               RAISED + 5, &e, err, sizeof err),
	                 0);
	assert_int_equal(wire_alert_view(a), ALERT_VIEW_ACKNOWLEDGED);
	assert_int_equal(a->state, ALERT_OPEN); /* still open: raise-once holds */
	assert_string_equal(a->acknowledged_by, "Sam Jones");
	assert_int_equal(a->acknowledged_at_ms, RAISED + 5);
	assert_int_equal(e.action, ALERT_ACTION_ACKNOWLEDGED);
	assert_string_equal(e.by, "Sam Jones");
	assert_int_equal(e.at_ms, RAISED + 5);
	assert_string_equal(e.text, "calling the school\nthen police");
	assert_string_equal(e.outcome, "");

	/* Twice: refused, naming who has it. */
	assert_refused(lifecycle_ack(a, "Kim", "", RAISED + 6, &e, err, sizeof err), a,
	               "ack.alert_id:");
	assert_non_null(strstr(err, "already acknowledged by Sam Jones"));
	free(a);

	a = open_alert(LEVEL_RED);
	a->state = ALERT_CLOSED;
	assert_refused(lifecycle_ack(a, "Kim", "", RAISED, &e, err, sizeof err), a,
	               "ack.alert_id:");
	assert_non_null(strstr(err, "is closed"));

	a->state = ALERT_SUPERSEDED;
	snprintf(a->superseded_by, sizeof a->superseded_by, "A00000009");
	assert_refused(lifecycle_ack(a, "Kim", "", RAISED, &e, err, sizeof err), a,
	               "ack.alert_id:");
	assert_non_null(strstr(err, "A00000009"));
	free(a);
}

static void test_text_refusals(void **state)
{
	(void)state;
	char err[LIFECYCLE_ERR_MAX];
	struct alert_event e;
	struct alert *a = open_alert(LEVEL_AMBER);
	char long_name[WIRE_PERSON_MAX + 1], long_note[WIRE_TEXT_MAX + 1];
	memset(long_name, 'x', WIRE_PERSON_MAX);
	long_name[WIRE_PERSON_MAX] = '\0'; /* 129 bytes: one too many */
	memset(long_note, 'n', WIRE_TEXT_MAX);
	long_note[WIRE_TEXT_MAX] = '\0';

	assert_refused(lifecycle_ack(a, "", "", RAISED, &e, err, sizeof err), a,
	               "ack.by: required");
	assert_refused(lifecycle_ack(a, "   ", "", RAISED, &e, err, sizeof err), a,
	               "ack.by: blank");
	assert_refused(lifecycle_ack(a, long_name, "", RAISED, &e, err, sizeof err), a,
	               "ack.by: 129 bytes, at most 128");
	assert_refused(lifecycle_ack(a, "Sam\xff", "", RAISED, &e, err, sizeof err), a,
	               "ack.by: not valid UTF-8");
	assert_refused(lifecycle_ack(a, "Sam\xc0\xaf", "", RAISED, &e, err, sizeof err), a,
	               "ack.by: not valid UTF-8"); /* overlong */
	assert_refused(lifecycle_ack(a, "Sam\nJones", "", RAISED, &e, err, sizeof err), a,
	               "ack.by: holds a control character");
	assert_refused(lifecycle_ack(a, "Sam", long_note, RAISED, &e, err, sizeof err), a,
	               "ack.note: 2001 bytes, at most 2000");
	assert_refused(lifecycle_ack(a, "Sam", "bell\a", RAISED, &e, err, sizeof err), a,
	               "ack.note: holds a control character");
	assert_refused(lifecycle_note(a, "Sam", "", RAISED, &e, err, sizeof err), a,
	               "note.text: required");
	assert_refused(lifecycle_note(a, "", "text", RAISED, &e, err, sizeof err), a,
	               "note.by: required");
	assert_refused(lifecycle_note(a, "Sam", "\xe2\x82", RAISED, &e, err, sizeof err), a,
	               "note.text: not valid UTF-8");

	/* At the limits exactly: accepted. */
	long_name[WIRE_PERSON_MAX - 1] = '\0';
	long_note[WIRE_TEXT_MAX - 1] = '\0';
	assert_int_equal(lifecycle_note(a, long_name, long_note, RAISED, &e, err, sizeof err), 0);
	assert_int_equal(strlen(e.text), WIRE_TEXT_MAX - 1);
	assert_int_equal(lifecycle_ack(a, "Zoë O'Brien", "", RAISED, &e, err, sizeof err), 0);
	free(a);
}

static void test_close(void **state)
{
	(void)state;
	char err[LIFECYCLE_ERR_MAX];
	struct alert_event e;
	struct alert_policy p;
	lifecycle_defaults(&p);

	struct alert *a = open_alert(LEVEL_RED);
	assert_refused(lifecycle_close(&p, a, "Sam", "", "", RAISED, &e, err, sizeof err), a,
	               "close.outcome: required");
	assert_refused(lifecycle_close(&p, a, "Sam", "sorted", "", RAISED, &e, err, sizeof err), a,
	               "close.outcome: 'sorted' is not one of:");
	assert_non_null(strstr(err, "\"no further action\""));
	assert_refused(lifecycle_close(&p, a, "Sam", "sorted\x01", "", RAISED, &e, err, sizeof err),
	               a, "close.outcome: not one of:");
	assert_refused(
	    lifecycle_close(&p, a, "", "no further action", "", RAISED, &e, err, sizeof err), a,
	    "close.by: required");

	/* Closing an open alert nobody acknowledged is allowed. */
	assert_int_equal(lifecycle_close(&p, a, "Sam", "STRATEGY discussion", "booked for Monday",
	                                 RAISED + 9, &e, err, sizeof err),
	                 0);
	assert_int_equal(a->state, ALERT_CLOSED);
	assert_int_equal(wire_alert_view(a), ALERT_VIEW_CLOSED);
	assert_string_equal(a->outcome, "strategy discussion"); /* the configured spelling */
	assert_string_equal(a->closed_by, "Sam");
	assert_int_equal(a->closed_at_ms, RAISED + 9);
	assert_int_equal(e.action, ALERT_ACTION_CLOSED);
	assert_string_equal(e.outcome, "strategy discussion");
	assert_string_equal(e.text, "booked for Monday");

	assert_refused(
	    lifecycle_close(&p, a, "Kim", "no further action", "", RAISED, &e, err, sizeof err), a,
	    "close.alert_id:");
	assert_non_null(strstr(err, "already closed by Sam"));

	/* A note after closing is an addendum: allowed, changes nothing. */
	struct alert before = *a;
	assert_int_equal(
	    lifecycle_note(a, "Kim", "family moved away", RAISED + 20, &e, err, sizeof err), 0);
	assert_memory_equal(&before, a, sizeof before);
	assert_int_equal(e.action, ALERT_ACTION_NOTE);
	assert_string_equal(e.text, "family moved away");
	free(a);

	/* Acknowledged, then closed. */
	a = open_alert(LEVEL_AMBER);
	assert_int_equal(lifecycle_ack(a, "Sam", "", RAISED + 1, &e, err, sizeof err), 0);
	assert_int_equal(lifecycle_close(&p, a, "Sam", "referred to family help", "", RAISED + 2,
	                                 &e, err, sizeof err),
	                 0);
	assert_int_equal(wire_alert_view(a), ALERT_VIEW_CLOSED);
	assert_string_equal(a->acknowledged_by, "Sam");
	free(a);

	/* A superseded alert may be closed: its work went on under the
	 * higher one, and the team records how it ended. */
	a = open_alert(LEVEL_AMBER);
	a->state = ALERT_SUPERSEDED;
	assert_int_equal(
	    lifecycle_close(&p, a, "Sam", "no further action", "", RAISED, &e, err, sizeof err), 0);
	assert_int_equal(a->state, ALERT_CLOSED);
	free(a);
}

static void test_overdue_decision(void **state)
{
	(void)state;
	char err[LIFECYCLE_ERR_MAX];
	struct alert_event e;
	struct alert_policy p;
	lifecycle_defaults(&p);
	struct alert *a = open_alert(LEVEL_RED);
	int64_t due = RAISED + 120 * MINUTE;
	assert_false(lifecycle_is_due(&p, a, due - 1));
	assert_true(lifecycle_is_due(&p, a, due));
	lifecycle_overdue(a, due + 3, &e);
	assert_int_equal(a->overdue_at_ms, due + 3);
	assert_int_equal(e.action, ALERT_ACTION_OVERDUE);
	assert_string_equal(e.by, "ffcd");
	assert_false(lifecycle_is_due(&p, a, due + 10 * DAY)); /* reminded once */
	/* Overdue stays acknowledgeable; once acknowledged it is not waiting. */
	assert_int_equal(lifecycle_ack(a, "Sam", "", due + 4, &e, err, sizeof err), 0);
	free(a);

	a = open_alert(LEVEL_AMBER);
	assert_int_equal(lifecycle_ack(a, "Sam", "", RAISED + 1, &e, err, sizeof err), 0);
	assert_false(lifecycle_is_due(&p, a, RAISED + 10 * DAY));
	a->acknowledged_at_ms = 0;
	a->state = ALERT_CLOSED;
	assert_false(lifecycle_is_due(&p, a, RAISED + 10 * DAY));
	a->state = ALERT_SUPERSEDED;
	assert_false(lifecycle_is_due(&p, a, RAISED + 10 * DAY));
	free(a);

	assert_string_equal(lifecycle_action_word(ALERT_ACTION_ACKNOWLEDGED), "ack");
	assert_string_equal(lifecycle_action_word(ALERT_ACTION_NOTE), "note");
	assert_string_equal(lifecycle_action_word(ALERT_ACTION_CLOSED), "close");
	assert_string_equal(lifecycle_action_word(ALERT_ACTION_OVERDUE), "overdue");
}

/* Which response-time index the store files an alert under. */
/* New evidence: added once, bounded, always recorded; reopening only an
 * acknowledged alert, at or above the policy's severity. */
static void test_evidence_and_reopen(void **state)
{
	(void)state;
	struct alert_policy p;
	lifecycle_defaults(&p);
	assert_int_equal(p.reopen_severity, SEVERITY_IMMEDIATE);
	struct alert *a = open_alert(LEVEL_RED);
	struct alert_event e;
	struct alert_evidence c = {.concern_id = "ED-0042",
	                           .agency = 2,
	                           .category = 5,
	                           .severity = SEVERITY_HIGH,
	                           .occurred_at_ms = RAISED};
	lifecycle_evidence(&c, RAISED + MINUTE, &e);
	assert_int_equal(a->n_evidence, 0); /* the history entry adds it */
	assert_int_equal(e.action, ALERT_ACTION_EVIDENCE);
	assert_string_equal(e.by, "ffcd");
	assert_int_equal(e.at_ms, RAISED + MINUTE);
	assert_string_equal(e.text, "HEALTH ED-0042 (PHYSICAL_ABUSE, HIGH)");
	assert_string_equal(e.concern.concern_id, "ED-0042");
	assert_int_equal(e.concern.agency, 2);
	/* Cited as the alert is read. */
	assert_int_equal(lifecycle_cites(a, 2, "ED-0042"), 0);
	assert_int_equal(lifecycle_cite(a, &c), 1);
	assert_int_equal(a->n_evidence, 1);
	assert_string_equal(a->evidence[0].concern_id, "ED-0042");
	assert_int_equal(lifecycle_cites(a, 2, "ED-0042"), 1);
	assert_int_equal(lifecycle_cites(a, 1, "ED-0042"), 0);
	assert_int_equal(lifecycle_cites(a, 2, "ED-0043"), 0);
	/* The same concern again (filed under a merged twin): not listed
	 * twice. The same id from another agency is another concern. */
	assert_int_equal(lifecycle_cite(a, &c), 0);
	assert_int_equal(a->n_evidence, 1);
	c.agency = 1;
	assert_int_equal(lifecycle_cite(a, &c), 1);
	assert_int_equal(a->n_evidence, 2);
	c.agency = 2;
	/* Full: the list does not grow. */
	a->n_evidence = RULE_EVIDENCE_MAX;
	snprintf(c.concern_id, sizeof c.concern_id, "ED-0043");
	assert_int_equal(lifecycle_cite(a, &c), 0);
	assert_int_equal(a->n_evidence, RULE_EVIDENCE_MAX);

	/* Open and nobody has it: nothing to reopen. */
	c.severity = SEVERITY_IMMEDIATE;
	assert_int_equal(lifecycle_reopen(&p, a, &c, RAISED + 2 * MINUTE, &e), 0);
	char err[LIFECYCLE_ERR_MAX];
	assert_int_equal(lifecycle_ack(a, "Sam", "", RAISED + 3 * MINUTE, &e, err, sizeof err), 0);
	a->overdue_at_ms = RAISED + 121 * MINUTE;
	/* Acknowledged, below the policy's severity: stays with Sam. */
	c.severity = SEVERITY_HIGH;
	assert_int_equal(lifecycle_reopen(&p, a, &c, RAISED + 200 * MINUTE, &e), 0);
	assert_string_equal(a->acknowledged_by, "Sam");
	/* At it: open again, a new response clock, not reminded. */
	c.severity = SEVERITY_IMMEDIATE;
	assert_int_equal(lifecycle_reopen(&p, a, &c, RAISED + 200 * MINUTE, &e), 1);
	assert_int_equal(wire_alert_view(a), ALERT_VIEW_OPEN);
	assert_string_equal(a->acknowledged_by, "");
	assert_int_equal(a->overdue_at_ms, 0);
	assert_int_equal(lifecycle_clock(a), RAISED + 200 * MINUTE);
	assert_int_equal(lifecycle_due(&p, a), RAISED + 320 * MINUTE);
	assert_int_equal(lifecycle_wait(a), ALERT_WAIT_DUE);
	assert_false(lifecycle_is_due(&p, a, RAISED + 319 * MINUTE));
	assert_true(lifecycle_is_due(&p, a, RAISED + 320 * MINUTE));
	assert_int_equal(e.action, ALERT_ACTION_REOPENED);
	assert_string_equal(e.by, "ffcd");
	assert_string_equal(lifecycle_action_word(e.action), "reopen");
	assert_string_equal(lifecycle_action_word(ALERT_ACTION_EVIDENCE), "evidence");

	/* never (0): an acknowledged alert is never reopened. */
	assert_int_equal(lifecycle_ack(a, "Jo", "", RAISED + 201 * MINUTE, &e, err, sizeof err), 0);
	p.reopen_severity = 0;
	assert_int_equal(lifecycle_reopen(&p, a, &c, RAISED + 202 * MINUTE, &e), 0);
	/* Closed or superseded: never. */
	p.reopen_severity = SEVERITY_LOW;
	a->state = ALERT_SUPERSEDED;
	assert_int_equal(lifecycle_reopen(&p, a, &c, RAISED + 203 * MINUTE, &e), 0);
	a->state = ALERT_CLOSED;
	assert_int_equal(lifecycle_reopen(&p, a, &c, RAISED + 203 * MINUTE, &e), 0);
	free(a);
}

static void test_wait(void **state)
{
	(void)state;
	struct alert *a = open_alert(LEVEL_RED);
	assert_int_equal(lifecycle_wait(a), ALERT_WAIT_DUE);
	a->overdue_at_ms = RAISED + 121 * MINUTE;
	assert_int_equal(lifecycle_wait(a), ALERT_WAIT_OVERDUE);
	a->acknowledged_at_ms = RAISED + 122 * MINUTE;
	assert_int_equal(lifecycle_wait(a), ALERT_WAIT_NONE);
	a->acknowledged_at_ms = 0;
	a->state = ALERT_CLOSED;
	assert_int_equal(lifecycle_wait(a), ALERT_WAIT_NONE);
	a->state = ALERT_SUPERSEDED;
	a->overdue_at_ms = 0;
	assert_int_equal(lifecycle_wait(a), ALERT_WAIT_NONE);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_and_due),    cmocka_unit_test(test_ack),
	    cmocka_unit_test(test_text_refusals),       cmocka_unit_test(test_close),
	    cmocka_unit_test(test_overdue_decision),    cmocka_unit_test(test_wait),
	    cmocka_unit_test(test_evidence_and_reopen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
