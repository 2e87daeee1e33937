/*
 * Unit tests for overdue.c and the store's part in working alerts: the
 * index of waiting alerts (by level and raise time, so the scan visits
 * only what is due), the overdue index following every state change, a
 * reminder sent once and never again (also after the store is reopened),
 * history entries and their limit, and lead practitioners.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ffc.pb-c.h"
#include "overdue.h"
#include "testutil.h"

#define MINUTE INT64_C(60000)

struct fixture {
	char *dir;
	struct store *s;
	struct alert_policy p;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	f->dir = test_tmpdir("ffc-overdue");
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	if (!f->s)
		return -1;
	lifecycle_defaults(&f->p);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(&f->s);
	test_rmdir(f->dir);
	free(f);
	return 0;
}

static void reopen(struct fixture *f)
{
	char err[256];
	store_close(&f->s);
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(f->s);
}

/* Store a new open alert (the next seq) of level for child, raised at. */
static uint64_t add_alert(struct fixture *f, enum level level, uint64_t child, int64_t at)
{
	struct alert *a = calloc(1, sizeof *a);
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	a->seq = store_last_alert_seq(t) + 1;
	wire_alert_id(a->seq, a->alert_id);
	a->child = child;
	wire_child_id(child, a->child_id);
	a->level = level;
	snprintf(a->rule, sizeof a->rule, "multi-agency");
	a->raised_at_ms = at;
	a->state = ALERT_OPEN;
	assert_int_equal(store_alert_add(t, a), STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
	uint64_t seq = a->seq;
	free(a);
	return seq;
}

/* Change alert seq with fn and store it. */
static void update(struct fixture *f, uint64_t seq, void (*fn)(struct alert *))
{
	struct alert *a = calloc(1, sizeof *a);
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_alert_get(t, seq, a), STORE_OK);
	fn(a);
	assert_int_equal(store_alert_update(t, a), STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
	free(a);
}

static void acknowledge(struct alert *a)
{
	snprintf(a->acknowledged_by, sizeof a->acknowledged_by, "Sam");
	a->acknowledged_at_ms = T0;
}

static void supersede(struct alert *a)
{
	a->state = ALERT_SUPERSEDED;
}

static void close_it(struct alert *a)
{
	a->state = ALERT_CLOSED;
}

struct visits {
	size_t n;
	uint64_t seqs[64];
};

static int visit(uint64_t seq, void *arg)
{
	struct visits *v = arg;
	if (v->n < 64)
		v->seqs[v->n] = seq;
	v->n++;
	return 0;
}

static struct visits due(struct fixture *f, int level, int64_t raised_by)
{
	struct visits v = {0};
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_alert_due_each(t, level, raised_by, visit, &v), STORE_OK);
	store_abort(&t);
	return v;
}

static uint64_t overdue_count(struct fixture *f)
{
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	uint64_t n = store_alert_overdue_count(t);
	store_abort(&t);
	return n;
}

static void test_due_index(void **state)
{
	struct fixture *f = *state;
	/* Raised out of time order, two levels, many not yet due. */
	uint64_t r1 = add_alert(f, LEVEL_RED, 1, T0 + 30);
	uint64_t r2 = add_alert(f, LEVEL_RED, 2, T0 + 10);
	uint64_t a1 = add_alert(f, LEVEL_AMBER, 3, T0 + 20);
	for (int i = 0; i < 200; i++)
		add_alert(f, LEVEL_RED, 10 + (uint64_t)i, T0 + DAY + i);

	/* Only what was raised by the cut-off is visited, oldest first. */
	struct visits v = due(f, LEVEL_RED, T0 + 30);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.seqs[0], r2);
	assert_int_equal(v.seqs[1], r1);
	v = due(f, LEVEL_RED, T0 + 29);
	assert_int_equal(v.n, 1);
	v = due(f, LEVEL_AMBER, T0 + DAY * 10);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.seqs[0], a1);
	v = due(f, LEVEL_RED, T0 - 1);
	assert_int_equal(v.n, 0);

	/* Acknowledged, superseded or closed: no longer waiting. */
	update(f, r2, acknowledge);
	update(f, r1, supersede);
	update(f, a1, close_it);
	assert_int_equal(due(f, LEVEL_RED, T0 + 30).n, 0);
	assert_int_equal(due(f, LEVEL_AMBER, T0 + DAY).n, 0);
	assert_int_equal(due(f, LEVEL_RED, T0 + 2 * DAY).n, 200);
}

static void test_remind_once(void **state)
{
	struct fixture *f = *state;
	const int64_t red = 120 * MINUTE, amber = 360 * MINUTE;
	uint64_t r1 = add_alert(f, LEVEL_RED, 1, T0);
	uint64_t a1 = add_alert(f, LEVEL_AMBER, 2, T0);
	uint64_t r2 = add_alert(f, LEVEL_RED, 3, T0 + 1000);
	uint64_t acked = add_alert(f, LEVEL_RED, 4, T0);
	update(f, acked, acknowledge);

	struct outbox out = {0};
	assert_int_equal(overdue_remind(f->s, &f->p, T0 + red - 1, &out), 0);
	assert_int_equal(out.n, 0);

	assert_int_equal(overdue_remind(f->s, &f->p, T0 + red, &out), 1);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.items[0].topic, "overdue.red.multi-agency");
	Ffc__V1__Alert *pb = ffc__v1__alert__unpack(NULL, out.items[0].len, out.items[0].data);
	assert_non_null(pb);
	assert_int_equal(pb->seq, r1);
	assert_int_equal(pb->state, FFC__V1__ALERT_STATE__OPEN);
	assert_int_equal(pb->due_at_ms, T0 + red);
	assert_int_equal(pb->overdue_at_ms, T0 + red);
	assert_int_equal(pb->n_history, 0); /* never published */
	ffc__v1__alert__free_unpacked(pb, NULL);
	outbox_clear(&out);

	/* Once only, also after a restart. */
	assert_int_equal(overdue_remind(f->s, &f->p, T0 + red + 500, &out), 0);
	reopen(f);
	assert_int_equal(overdue_remind(f->s, &f->p, T0 + red + 999, &out), 0);
	assert_int_equal(overdue_remind(f->s, &f->p, T0 + amber, &out), 2);
	assert_int_equal(out.n, 2);
	/* RED first: the more urgent level is looked at first. */
	assert_string_equal(out.items[0].topic, "overdue.red.multi-agency");
	assert_string_equal(out.items[1].topic, "overdue.amber.multi-agency");
	outbox_clear(&out);
	assert_int_equal(overdue_remind(f->s, &f->p, T0 + 30 * DAY, &out), 0);

	assert_int_equal(test_counter(f->s, "reminders"), 3);
	assert_int_equal(overdue_count(f), 3);

	/* The history says so, and the stored alert carries the time. */
	struct alert *a = calloc(1, sizeof *a);
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_alert_get(t, r2, a), STORE_OK);
	assert_int_equal(a->overdue_at_ms, T0 + amber);
	assert_int_equal(a->due_at_ms, 0); /* not stored: follows the configuration */
	store_abort(&t);
	free(a);

	/* Acknowledging or closing an overdue alert takes it off the list. */
	update(f, r1, acknowledge);
	update(f, a1, close_it);
	assert_int_equal(overdue_count(f), 1);
	struct visits v = {0};
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_alert_overdue_each(t, 0, visit, &v), STORE_OK);
	store_abort(&t);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.seqs[0], r2);
}

static void test_shorter_response_applies_to_open_alerts(void **state)
{
	struct fixture *f = *state;
	add_alert(f, LEVEL_AMBER, 1, T0);
	struct outbox out = {0};
	assert_int_equal(overdue_remind(f->s, &f->p, T0 + 60 * MINUTE, &out), 0);
	f->p.response_ms[LEVEL_AMBER] = 30 * MINUTE;
	assert_int_equal(overdue_remind(f->s, &f->p, T0 + 60 * MINUTE, &out), 1);
	outbox_clear(&out);
}

static void test_many_due_in_steps(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < OVERDUE_STEP_MAX + 10; i++)
		add_alert(f, LEVEL_RED, 1 + (uint64_t)i, T0 + i);
	struct outbox out = {0};
	assert_int_equal(overdue_remind(f->s, &f->p, T0 + DAY, &out), OVERDUE_STEP_MAX);
	assert_int_equal(overdue_remind(f->s, &f->p, T0 + DAY, &out), 10);
	assert_int_equal(overdue_remind(f->s, &f->p, T0 + DAY, &out), 0);
	assert_int_equal(out.n, OVERDUE_STEP_MAX + 10);
	outbox_clear(&out);
}

struct events {
	size_t n;
	int last_action;
};

static int count_event(const void *data, size_t len, void *arg)
{
	struct events *ev = arg;
	Ffc__V1__AlertEvent *e = ffc__v1__alert_event__unpack(NULL, len, data);
	assert_non_null(e);
	ev->n++;
	ev->last_action = e->action;
	ffc__v1__alert_event__free_unpacked(e, NULL);
	return 0;
}

static void test_history_limit(void **state)
{
	struct fixture *f = *state;
	uint64_t one = add_alert(f, LEVEL_RED, 1, T0);
	uint64_t two = add_alert(f, LEVEL_RED, 2, T0);
	struct alert_event e = {.action = ALERT_ACTION_NOTE, .by = "Sam", .at_ms = T0};
	snprintf(e.text, sizeof e.text, "note");
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_alert_event_add(t, two, &e), STORE_OK);
	for (int i = 0; i < STORE_ALERT_EVENTS_MAX; i++)
		assert_int_equal(store_alert_event_add(t, one, &e), STORE_OK);
	assert_int_equal(store_alert_event_add(t, one, &e), STORE_EXISTS);
	/* Closing finds room whatever the notes. */
	e.action = ALERT_ACTION_CLOSED;
	assert_int_equal(store_alert_event_add(t, one, &e), STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);

	struct events ev = {0};
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_alert_events(t, one, count_event, &ev), STORE_OK);
	assert_int_equal(ev.n, STORE_ALERT_EVENTS_MAX + 1);
	assert_int_equal(ev.last_action, ALERT_ACTION_CLOSED);
	ev = (struct events){0};
	assert_int_equal(store_alert_events(t, two, count_event, &ev), STORE_OK);
	assert_int_equal(ev.n, 1);
	ev = (struct events){0};
	assert_int_equal(store_alert_events(t, 99, count_event, &ev), STORE_OK);
	assert_int_equal(ev.n, 0);
	store_abort(&t);
}

static int count_assignment(const void *data, size_t len, void *arg)
{
	struct events *ev = arg;
	struct assignment as;
	assert_int_equal(wire_assignment_decode(data, len, &as), 0);
	assert_string_equal(as.by, "Kim");
	ev->n++;
	return 0;
}

static void test_lead_practitioner(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	char lead[WIRE_PERSON_MAX];
	struct assignment as = {.by = "Kim", .at_ms = T0};
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_lead_practitioner(t, 5, lead, sizeof lead), STORE_OK);
	assert_string_equal(lead, "");
	snprintf(as.practitioner, sizeof as.practitioner, "Pat Lee");
	assert_int_equal(store_assignment_add(t, 5, &as), STORE_OK);
	snprintf(as.practitioner, sizeof as.practitioner, "Jo Obi");
	assert_int_equal(store_assignment_add(t, 5, &as), STORE_OK);
	snprintf(as.practitioner, sizeof as.practitioner, "Other Child's");
	assert_int_equal(store_assignment_add(t, 6, &as), STORE_OK);
	assert_int_equal(store_assignment_add(t, 4, &as), STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);

	reopen(f);
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_lead_practitioner(t, 5, lead, sizeof lead), STORE_OK);
	assert_string_equal(lead, "Jo Obi");
	struct events ev = {0};
	assert_int_equal(store_assignments(t, 5, count_assignment, &ev), STORE_OK);
	assert_int_equal(ev.n, 2); /* history kept */
	store_abort(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_due_index, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remind_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shorter_response_applies_to_open_alerts, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_many_due_in_steps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_history_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lead_practitioner, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
