/*
 * Unit tests for libffc's subscriptions (client/conn.c) against a PUB
 * socket of the test's own: ffc_sub_next returns alerts and heartbeats by
 * topic, skips topics it does not know, reports a bad payload without
 * losing the next message, and reports connections and disconnections
 * (a publisher that goes away and comes back); ffc_sub_recv still returns
 * alerts only, skipping heartbeats and connection events; bad arguments are
 * refused.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include <cmocka.h>

#include "ffc/ffc.h"

struct fixture {
	void *ctx, *pub;
	char dir[256];
	char ep[300];
};

static void pub_open(struct fixture *f)
{
	f->pub = zmq_socket(f->ctx, ZMQ_PUB);
	assert_non_null(f->pub);
	int linger = 0;
	zmq_setsockopt(f->pub, ZMQ_LINGER, &linger, sizeof linger);
	assert_int_equal(zmq_bind(f->pub, f->ep), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	const char *base = getenv("FFC_TEST_TMP");
	if (!f)
		return -1;
	if (!base || !base[0])
		base = "/tmp";
	/* The first test of a fresh build may run before any other made it. */
	mkdir(base, 0700);
	snprintf(f->dir, sizeof f->dir, "%s/ffc-sub.XXXXXX", base);
	if (!mkdtemp(f->dir)) {
		fprintf(stderr, "setup: %s: %s\n", f->dir, strerror(errno));
		free(f);
		return -1;
	}
	snprintf(f->ep, sizeof f->ep, "ipc://%s/alerts.sock", f->dir);
	f->ctx = zmq_ctx_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (f->pub)
		zmq_close(f->pub);
	zmq_ctx_term(f->ctx);
	char path[400];
	snprintf(path, sizeof path, "%s/alerts.sock", f->dir);
	unlink(path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void publish(void *pub, const char *topic, const void *data, size_t len)
{
	assert_int_equal(zmq_send(pub, topic, strlen(topic), ZMQ_SNDMORE), (int)strlen(topic));
	assert_int_equal(zmq_send(pub, data, len, 0), (int)len);
}

static void publish_alert(void *pub, uint64_t seq)
{
	Ffc__V1__Alert a = FFC__V1__ALERT__INIT;
	a.seq = seq;
	a.rule = (char *)(uintptr_t) "multi-agency";
	a.level = FFC__V1__LEVEL__RED;
	uint8_t buf[128];
	size_t len = ffc__v1__alert__pack(&a, buf);
	publish(pub, "alert.red.multi-agency", buf, len);
}

static void publish_heartbeat(void *pub, uint64_t last_seq)
{
	Ffc__V1__Heartbeat h = FFC__V1__HEARTBEAT__INIT;
	h.last_seq = last_seq;
	h.at_ms = 1767225600123;
	h.started_at_ms = 1767225600000;
	h.interval_ms = 1000;
	uint8_t buf[64];
	size_t len = ffc__v1__heartbeat__pack(&h, buf);
	publish(pub, FFC_HEARTBEAT_TOPIC, buf, len);
}

/* ZeroMQ gives no sign when a subscription reaches the publisher: publish
 * heartbeats until one arrives. */
static void until_subscribed(struct fixture *f, ffc_sub_t *sub)
{
	for (int i = 0; i < 100; i++) {
		publish_heartbeat(f->pub, 0);
		ffc_sub_event_t ev;
		int rc = ffc_sub_next(sub, &ev, 50);
		int kind = rc == FFC_OK ? (int)ev.kind : 0;
		ffc_sub_event_release(&ev);
		if (kind == FFC_SUB_HEARTBEAT)
			break;
		assert_true(rc == FFC_OK || rc == FFC_ETIMEOUT);
	}
	/* Drain the heartbeats still on their way. */
	ffc_sub_event_t ev;
	while (ffc_sub_next(sub, &ev, 100) == FFC_OK)
		ffc_sub_event_release(&ev);
}

static int next_kind(ffc_sub_t *sub, ffc_sub_event_t *ev, int timeout_ms)
{
	int rc = ffc_sub_next(sub, ev, timeout_ms);
	return rc == FFC_OK ? (int)ev->kind : rc;
}

static void test_events(void **state)
{
	struct fixture *f = *state;
	/* The subscriber and its monitor first, the publisher after: the
	 * connection is surely made while the monitor listens. */
	ffc_sub_t *sub = ffc_sub_new(f->ep, "alert.");
	assert_non_null(sub);
	assert_int_equal(ffc_sub_subscribe(sub, FFC_HEARTBEAT_TOPIC), FFC_OK);
	assert_int_equal(ffc_sub_monitor(sub), FFC_OK);
	assert_int_equal(ffc_sub_monitor(sub), FFC_OK); /* once is enough */
	pub_open(f);
	ffc_sub_event_t ev;
	assert_int_equal(next_kind(sub, &ev, 5000), FFC_SUB_CONNECTED);
	assert_non_null(strstr(ev.topic, "alerts.sock"));
	ffc_sub_event_release(&ev);
	until_subscribed(f, sub);

	publish_heartbeat(f->pub, 7);
	publish(f->pub, "overdue.red.x", "z", 1); /* a topic it does not know */
	publish(f->pub, "alert.red.bad", "\xff\xff\xff", 3);
	publish_alert(f->pub, 8);
	assert_int_equal(next_kind(sub, &ev, 2000), FFC_SUB_HEARTBEAT);
	assert_string_equal(ev.topic, "heartbeat");
	assert_int_equal(ev.heartbeat->last_seq, 7);
	assert_int_equal(ev.heartbeat->started_at_ms, 1767225600000);
	assert_int_equal(ev.heartbeat->interval_ms, 1000);
	assert_null(ev.alert);
	ffc_sub_event_release(&ev);
	assert_null(ev.heartbeat);
	assert_int_equal(ffc_sub_next(sub, &ev, 2000), FFC_EPROTO);
	assert_string_equal(ev.topic, "alert.red.bad");
	ffc_sub_event_release(&ev);
	assert_int_equal(next_kind(sub, &ev, 2000), FFC_SUB_ALERT);
	assert_int_equal(ev.alert->seq, 8);
	assert_string_equal(ev.topic, "alert.red.multi-agency");
	ffc_sub_event_release(&ev);
	assert_int_equal(ffc_sub_next(sub, &ev, 100), FFC_ETIMEOUT);

	/* The publisher goes away and comes back: both are reported. */
	zmq_close(f->pub);
	f->pub = NULL;
	assert_int_equal(next_kind(sub, &ev, 5000), FFC_SUB_DISCONNECTED);
	ffc_sub_event_release(&ev);
	pub_open(f);
	assert_int_equal(next_kind(sub, &ev, 5000), FFC_SUB_CONNECTED);
	ffc_sub_event_release(&ev);
	until_subscribed(f, sub);
	publish_alert(f->pub, 9);
	assert_int_equal(next_kind(sub, &ev, 2000), FFC_SUB_ALERT);
	assert_int_equal(ev.alert->seq, 9);
	ffc_sub_event_release(&ev);
	ffc_sub_destroy(&sub);
	assert_null(sub);
	ffc_sub_destroy(&sub);
}

/* Who has an alert (event.*) and the overdue reminders (overdue.*) come
 * as their own kinds; ffc_sub_recv still returns alerts only. */
static void test_changes_and_reminders(void **state)
{
	struct fixture *f = *state;
	pub_open(f);
	ffc_sub_t *sub = ffc_sub_new(f->ep, "alert.");
	assert_non_null(sub);
	assert_int_equal(ffc_sub_subscribe(sub, FFC_HEARTBEAT_TOPIC), FFC_OK);
	assert_int_equal(ffc_sub_subscribe(sub, "event."), FFC_OK);
	assert_int_equal(ffc_sub_subscribe(sub, "overdue."), FFC_OK);
	until_subscribed(f, sub);

	Ffc__V1__AlertEvent e = FFC__V1__ALERT_EVENT__INIT;
	e.action = FFC__V1__ALERT_EVENT__ACTION__ACKNOWLEDGED;
	e.by = (char *)(uintptr_t) "Sam Patel";
	Ffc__V1__AlertChange c = FFC__V1__ALERT_CHANGE__INIT;
	c.seq = 3;
	c.alert_id = (char *)(uintptr_t) "A00000003";
	c.level = FFC__V1__LEVEL__RED;
	c.event = &e;
	c.state = FFC__V1__ALERT_STATE__ACKNOWLEDGED;
	uint8_t buf[128];
	size_t len = ffc__v1__alert_change__pack(&c, buf);
	publish(f->pub, "event.ack.red.multi-agency", buf, len);
	publish(f->pub, "event.close.red.multi-agency", "\xff\xff", 2);
	Ffc__V1__Alert a = FFC__V1__ALERT__INIT;
	a.seq = 4;
	a.level = FFC__V1__LEVEL__AMBER;
	len = ffc__v1__alert__pack(&a, buf);
	publish(f->pub, "overdue.amber.repeat-missing", buf, len);

	ffc_sub_event_t ev;
	assert_int_equal(next_kind(sub, &ev, 2000), FFC_SUB_CHANGE);
	assert_string_equal(ev.topic, "event.ack.red.multi-agency");
	assert_int_equal(ev.change->seq, 3);
	assert_int_equal(ev.change->state, FFC__V1__ALERT_STATE__ACKNOWLEDGED);
	assert_string_equal(ev.change->event->by, "Sam Patel");
	assert_null(ev.alert);
	ffc_sub_event_release(&ev);
	assert_null(ev.change);
	assert_int_equal(ffc_sub_next(sub, &ev, 2000), FFC_EPROTO);
	assert_string_equal(ev.topic, "event.close.red.multi-agency");
	ffc_sub_event_release(&ev);
	assert_int_equal(next_kind(sub, &ev, 2000), FFC_SUB_OVERDUE);
	assert_int_equal(ev.alert->seq, 4);
	ffc_sub_event_release(&ev);

	/* A lookup of a known child: an event of its own kind, never taken
	 * for an alert's change. */
	Ffc__V1__AccessNotice n = FFC__V1__ACCESS_NOTICE__INIT;
	n.child_id = (char *)(uintptr_t) "C00000007";
	n.setting = (char *)(uintptr_t) "City Hospital ED";
	n.at_ms = 1767225600000;
	n.by = (char *)(uintptr_t) "city-ed";
	len = ffc__v1__access_notice__pack(&n, buf);
	publish(f->pub, FFC_ACCESS_TOPIC, buf, len);
	assert_int_equal(next_kind(sub, &ev, 2000), FFC_SUB_ACCESS);
	assert_string_equal(ev.topic, "event.access");
	assert_string_equal(ev.access->child_id, "C00000007");
	assert_string_equal(ev.access->setting, "City Hospital ED");
	assert_null(ev.change);
	ffc_sub_event_release(&ev);
	assert_null(ev.access);

	/* ffc_sub_recv passes over both. */
	publish(f->pub, "overdue.amber.repeat-missing", buf, len);
	publish_alert(f->pub, 5);
	Ffc__V1__Alert *got = NULL;
	assert_int_equal(ffc_sub_recv(sub, NULL, 0, &got, 2000), FFC_OK);
	assert_int_equal(got->seq, 5);
	ffc__v1__alert__free_unpacked(got, NULL);
	ffc_sub_destroy(&sub);
}

static void test_recv_skips_heartbeats(void **state)
{
	struct fixture *f = *state;
	pub_open(f);
	ffc_sub_t *sub = ffc_sub_new(f->ep, "alert.");
	assert_non_null(sub);
	assert_int_equal(ffc_sub_subscribe(sub, FFC_HEARTBEAT_TOPIC), FFC_OK);
	until_subscribed(f, sub);
	publish_heartbeat(f->pub, 1);
	publish_alert(f->pub, 2);
	Ffc__V1__Alert *a = NULL;
	char topic[64];
	assert_int_equal(ffc_sub_recv(sub, topic, sizeof topic, &a, 2000), FFC_OK);
	assert_int_equal(a->seq, 2);
	assert_string_equal(topic, "alert.red.multi-agency");
	ffc__v1__alert__free_unpacked(a, NULL);
	publish_heartbeat(f->pub, 2);
	assert_int_equal(ffc_sub_recv(sub, topic, sizeof topic, &a, 300), FFC_ETIMEOUT);
	assert_null(a);
	/* A short topic buffer is cut, and terminated. */
	publish_alert(f->pub, 3);
	char small[6];
	assert_int_equal(ffc_sub_recv(sub, small, sizeof small, &a, 2000), FFC_OK);
	assert_string_equal(small, "alert");
	ffc__v1__alert__free_unpacked(a, NULL);

	/* With connection events on, ffc_sub_recv discards them: the
	 * publisher goes and comes back, and what comes is alerts only. */
	assert_int_equal(ffc_sub_monitor(sub), FFC_OK);
	zmq_close(f->pub);
	f->pub = NULL;
	nanosleep(&(struct timespec){.tv_nsec = 200 * 1000 * 1000}, NULL);
	pub_open(f);
	int rc = FFC_ETIMEOUT;
	for (int i = 0; i < 100 && rc == FFC_ETIMEOUT; i++) {
		publish_alert(f->pub, 10);
		rc = ffc_sub_recv(sub, topic, sizeof topic, &a, 50);
	}
	assert_int_equal(rc, FFC_OK);
	assert_int_equal(a->seq, 10);
	ffc__v1__alert__free_unpacked(a, NULL);
	ffc_sub_event_t ev;
	while ((rc = ffc_sub_next(sub, &ev, 200)) == FFC_OK) {
		assert_int_equal(ev.kind, FFC_SUB_ALERT);
		ffc_sub_event_release(&ev);
	}
	assert_int_equal(rc, FFC_ETIMEOUT);
	ffc_sub_destroy(&sub);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	ffc_sub_event_t ev;
	Ffc__V1__Alert *a;
	char topic[8];
	assert_int_equal(ffc_sub_next(NULL, &ev, 0), FFC_EINVAL);
	assert_int_equal(ffc_sub_subscribe(NULL, "x"), FFC_EINVAL);
	assert_int_equal(ffc_sub_monitor(NULL), FFC_EINVAL);
	assert_int_equal(ffc_sub_recv(NULL, topic, sizeof topic, &a, 0), FFC_EINVAL);
	assert_null(ffc_sub_new(NULL, "alert."));
	ffc_sub_t *sub = ffc_sub_new("ipc:///nonexistent/ffc/alerts.sock", "alert.");
	assert_non_null(sub); /* ZeroMQ connects when the peer comes */
	assert_int_equal(ffc_sub_subscribe(sub, NULL), FFC_EINVAL);
	assert_int_equal(ffc_sub_next(sub, NULL, 0), FFC_EINVAL);
	assert_int_equal(ffc_sub_recv(sub, topic, 0, &a, 0), FFC_EINVAL);
	assert_int_equal(ffc_sub_next(sub, &ev, 0), FFC_ETIMEOUT);
	ffc_sub_destroy(&sub);
	ffc_sub_event_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_changes_and_reminders, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recv_skips_heartbeats, setup, teardown),
	    cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
