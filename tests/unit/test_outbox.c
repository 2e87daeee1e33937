/*
 * Unit tests for outbox.c: the topics and payloads of what is published,
 * the notes logged for it and at which level, and truncating what was
 * rolled back.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ffc.pb-c.h"
#include "log.h"
#include "outbox.h"
#include "testutil.h"

static struct alert *amber(void)
{
	struct alert *a = calloc(1, sizeof *a);
	a->seq = 7;
	snprintf(a->alert_id, sizeof a->alert_id, "A00000007");
	snprintf(a->child_id, sizeof a->child_id, "C00000003");
	snprintf(a->rule, sizeof a->rule, "Multi-Agency");
	a->level = LEVEL_AMBER;
	a->raised_at_ms = T0;
	a->state = ALERT_OPEN;
	return a;
}

static void change(struct outbox *o, const struct alert *a, enum alert_action action)
{
	struct alert_event e;
	memset(&e, 0, sizeof e);
	e.action = action;
	e.at_ms = T0 + DAY;
	snprintf(e.by, sizeof e.by, "ffcd");
	assert_int_equal(outbox_add_change(o, a, &e), 0);
}

/* A raised alert and the changes to it: topics in lower case, payloads
 * the contract's messages, notes naming ids. Evidence, which most
 * concerns about a child with an open alert add, is noted at debug; the
 * rest at info. */
static void test_topics_and_notes(void **state)
{
	(void)state;
	struct alert *a = amber();
	struct outbox o = {0};
	log_set_level(LOG_DEBUG);
	assert_int_equal(outbox_add_alert(&o, a), 0);
	change(&o, a, ALERT_ACTION_EVIDENCE);
	change(&o, a, ALERT_ACTION_ACKNOWLEDGED);
	assert_int_equal(o.n, 3);

	assert_string_equal(o.items[0].topic, "alert.amber.multi-agency");
	assert_int_equal(o.items[0].note_level, LOG_INFO);
	assert_string_equal(o.items[0].note,
	                    "alert A00000007 AMBER Multi-Agency for C00000003 (seq 7)");
	assert_non_null(o.items[0].alert);
	Ffc__V1__Alert *pa = ffc__v1__alert__unpack(NULL, o.items[0].len, o.items[0].data);
	assert_non_null(pa);
	assert_string_equal(pa->alert_id, "A00000007");
	ffc__v1__alert__free_unpacked(pa, NULL);

	assert_string_equal(o.items[1].topic, "event.evidence.amber.multi-agency");
	assert_int_equal(o.items[1].note_level, LOG_DEBUG);
	assert_string_equal(o.items[1].note, "evidence A00000007 AMBER Multi-Agency for C00000003");
	assert_null(o.items[1].alert);
	Ffc__V1__AlertChange *pc =
	    ffc__v1__alert_change__unpack(NULL, o.items[1].len, o.items[1].data);
	assert_non_null(pc);
	assert_string_equal(pc->alert_id, "A00000007");
	ffc__v1__alert_change__free_unpacked(pc, NULL);

	assert_string_equal(o.items[2].topic, "event.ack.amber.multi-agency");
	assert_int_equal(o.items[2].note_level, LOG_INFO);

	/* Below debug, the evidence note is not written at all. */
	log_set_level(LOG_INFO);
	change(&o, a, ALERT_ACTION_EVIDENCE);
	assert_int_equal(o.n, 4);
	assert_string_equal(o.items[3].note, "");
	assert_int_equal(o.items[3].note_level, LOG_DEBUG);

	/* What a rolled-back write queued goes; what came before stays. */
	outbox_truncate(&o, 1);
	assert_int_equal(o.n, 1);
	assert_string_equal(o.items[0].topic, "alert.amber.multi-agency");
	outbox_clear(&o);
	assert_int_equal(o.n, 0);
	assert_null(o.items);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_topics_and_notes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
