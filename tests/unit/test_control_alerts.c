/*
 * Unit tests for control_alerts.c through control_handle(): ack, note and
 * close an alert raised by ingest, each stored with who and when, queued
 * for the alerts socket on its own topic without the note's text, and
 * shown in the alert log; refusals change nothing and queue nothing;
 * closing lets the rule raise again; a lead practitioner is carried by
 * later alerts; the overdue and state filters and the stats counts.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "control.h"
#include "ffc.pb-c.h"
#include "ingest.h"
#include "overdue.h"
#include "testutil.h"

#define NOW (T0 + 400 * DAY)

struct fixture {
	char *dir;
	struct store *s;
	struct rule rules[RULES_MAX];
	size_t n_rules;
	struct alert_policy policy;
	struct stats stats;
	struct daemon_info info;
	struct outbox out;
	struct control_env env;
	const char *operator_; /* the account acks are sent as */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	f->dir = test_tmpdir("ffc-control-alerts");
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	if (!f->s)
		return -1;
	f->n_rules = rules_defaults(f->rules, RULES_MAX);
	lifecycle_defaults(&f->policy);
	f->operator_ = "sjones";
	f->info =
	    (struct daemon_info){.version = "test", .ingest = "", .alerts = "", .control = ""};
	f->env = (struct control_env){.store = f->s,
	                              .info = &f->info,
	                              .stats = &f->stats,
	                              .rules = f->rules,
	                              .n_rules = f->n_rules,
	                              .out = &f->out,
	                              .policy = &f->policy};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	outbox_clear(&f->out);
	store_close(&f->s);
	test_rmdir(f->dir);
	free(f);
	return 0;
}

/* Send one IMMEDIATE_RISK concern about the child with this NHS number;
 * returns the number of alerts it raised. */
static size_t send_risk(struct fixture *f, const char *id, const char *nhs, int64_t now)
{
	Ffc__V1__ChildIdentity kid = FFC__V1__CHILD_IDENTITY__INIT;
	Ffc__V1__ChildIdentity *kids[1] = {&kid};
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	kid.nhs_number = (char *)(uintptr_t)nhs;
	c.concern_id = (char *)(uintptr_t)id;
	c.agency = FFC__V1__AGENCY__POLICE;
	c.category = FFC__V1__CATEGORY__PHYSICAL_ABUSE;
	c.severity = FFC__V1__SEVERITY__IMMEDIATE_RISK;
	c.occurred_at_ms = T0;
	c.n_children = 1;
	c.children = kids;
	struct outbox raised = {0};
	int stored;
	struct receipt r = test_ingest_one(f->s, f->rules, f->n_rules, &c, now, &raised, &stored);
	assert_int_equal(stored, 1);
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	size_t n = raised.n;
	outbox_clear(&raised);
	return n;
}

/* One request through control_handle; the reply (caller frees). The
 * outbox keeps what the request queued. */
static Ffc__V1__ControlReply *call(struct fixture *f, Ffc__V1__ControlRequest *req, int64_t now)
{
	outbox_clear(&f->out);
	uint8_t buf[8192], *out = NULL;
	if (!req->purpose[0]) /* reads of a child's record need one */
		req->purpose = (char *)(uintptr_t) "unit test";
	size_t len = ffc__v1__control_request__pack(req, buf), out_len = 0;
	control_handle(&f->env, buf, len, now, &out, &out_len);
	assert_non_null(out);
	Ffc__V1__ControlReply *r = ffc__v1__control_reply__unpack(NULL, out_len, out);
	free(out);
	assert_non_null(r);
	return r;
}

static char *s(const char *v)
{
	return (char *)(uintptr_t)v;
}

static Ffc__V1__ControlReply *ack(struct fixture *f, const char *id, const char *by,
                                  const char *note)
{
	Ffc__V1__AckRequest a = FFC__V1__ACK_REQUEST__INIT;
	a.alert_id = s(id);
	a.by = s(by);
	a.note = s(note);
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.operator_ = s(f->operator_);
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ACK;
	req.ack = &a;
	return call(f, &req, NOW + 1000);
}

static Ffc__V1__ControlReply *note(struct fixture *f, const char *id, const char *by,
                                   const char *text)
{
	Ffc__V1__NoteRequest a = FFC__V1__NOTE_REQUEST__INIT;
	a.alert_id = s(id);
	a.by = s(by);
	a.text = s(text);
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_NOTE;
	req.note = &a;
	return call(f, &req, NOW + 2000);
}

static Ffc__V1__ControlReply *close_alert(struct fixture *f, const char *id, const char *by,
                                          const char *outcome, const char *text)
{
	Ffc__V1__CloseRequest a = FFC__V1__CLOSE_REQUEST__INIT;
	a.alert_id = s(id);
	a.by = s(by);
	a.outcome = s(outcome);
	a.note = s(text);
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CLOSE;
	req.close = &a;
	return call(f, &req, NOW + 3000);
}

static Ffc__V1__ControlReply *assign(struct fixture *f, const char *child, const char *nhs,
                                     const char *practitioner, const char *by)
{
	Ffc__V1__ChildRequest cr = FFC__V1__CHILD_REQUEST__INIT;
	cr.child_id = s(child);
	cr.nhs_number = s(nhs);
	Ffc__V1__AssignRequest a = FFC__V1__ASSIGN_REQUEST__INIT;
	a.child = &cr;
	a.practitioner = s(practitioner);
	a.by = s(by);
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ASSIGN;
	req.assign = &a;
	return call(f, &req, NOW + 4000);
}

static Ffc__V1__ControlReply *alerts(struct fixture *f, int overdue, int state, int64_t now)
{
	Ffc__V1__AlertsRequest a = FFC__V1__ALERTS_REQUEST__INIT;
	a.history = 1;
	a.overdue = overdue;
	a.state = (Ffc__V1__AlertState)state;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS;
	req.alerts = &a;
	return call(f, &req, now);
}

/* The one alert stored under seq, as the alert log shows it. */
static Ffc__V1__ControlReply *log_of(struct fixture *f, Ffc__V1__Alert **a)
{
	Ffc__V1__ControlReply *r = alerts(f, 0, 0, NOW);
	assert_non_null(r->alerts);
	assert_true(r->alerts->n_alerts >= 1);
	*a = r->alerts->alerts[0];
	return r;
}

static void refused(Ffc__V1__ControlReply *r, const char *prefix)
{
	if (strncmp(r->error, prefix, strlen(prefix)) != 0)
		fail_msg("error '%s' does not start with '%s'", r->error, prefix);
	assert_int_equal(r->result_case, FFC__V1__CONTROL_REPLY__RESULT__NOT_SET);
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

/* The outbox holds one AlertChange on topic; returns it (caller frees). */
static Ffc__V1__AlertChange *published(struct fixture *f, const char *topic)
{
	assert_int_equal(f->out.n, 1);
	assert_string_equal(f->out.items[0].topic, topic);
	Ffc__V1__AlertChange *c =
	    ffc__v1__alert_change__unpack(NULL, f->out.items[0].len, f->out.items[0].data);
	assert_non_null(c);
	assert_int_equal(c->seq, 1);
	assert_string_equal(c->alert_id, "A00000001");
	assert_string_equal(c->child_id, "C00000001");
	assert_int_equal(c->level, FFC__V1__LEVEL__RED);
	assert_string_equal(c->rule, "immediate-risk");
	assert_non_null(c->event);
	assert_string_equal(c->event->text, ""); /* notes are never broadcast */
	return c;
}

static void test_ack_note_close(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(send_risk(f, "r1", "9434765919", NOW), 1);

	Ffc__V1__ControlReply *r = ack(f, "A00000001", "Sam Jones", "ringing the school");
	assert_string_equal(r->error, "");
	assert_int_equal(r->result_case, FFC__V1__CONTROL_REPLY__RESULT_ACK);
	Ffc__V1__Alert *a = r->ack->alert;
	assert_int_equal(a->state, FFC__V1__ALERT_STATE__ACKNOWLEDGED);
	assert_string_equal(a->acknowledged_by, "Sam Jones");
	assert_int_equal(a->acknowledged_at_ms, NOW + 1000);
	assert_int_equal(a->due_at_ms, NOW + 120 * 60000);
	assert_int_equal(a->n_history, 1);
	assert_int_equal(a->history[0]->action, FFC__V1__ALERT_EVENT__ACTION__ACKNOWLEDGED);
	assert_string_equal(a->history[0]->text, "ringing the school");
	assert_string_equal(a->history[0]->operator_, "sjones"); /* who really asked */
	ffc__v1__control_reply__free_unpacked(r, NULL);
	Ffc__V1__AlertChange *c = published(f, "event.ack.red.immediate-risk");
	assert_int_equal(c->state, FFC__V1__ALERT_STATE__ACKNOWLEDGED);
	assert_int_equal(c->event->action, FFC__V1__ALERT_EVENT__ACTION__ACKNOWLEDGED);
	assert_string_equal(c->event->by, "Sam Jones");
	assert_int_equal(c->event->at_ms, NOW + 1000);
	assert_string_equal(c->event->operator_, "");
	ffc__v1__alert_change__free_unpacked(c, NULL);

	/* Refusals: nothing queued, nothing stored. */
	refused(ack(f, "A00000001", "Kim", ""), "ack.alert_id: A00000001 is already acknowledged");
	assert_int_equal(f->out.n, 0);
	refused(ack(f, "A00000009", "Kim", ""), "ack.alert_id: no such alert");
	f->operator_ = "bad\xff";
	refused(ack(f, "A00000009", "Kim", ""), "operator: not valid UTF-8");
	f->operator_ = "sjones";
	refused(ack(f, "C00000001", "Kim", ""), "ack.alert_id: not an alert id");
	refused(ack(f, "", "Kim", ""), "ack.alert_id: not an alert id");
	refused(note(f, "A00000001", "", "x"), "note.by: required");
	refused(note(f, "A00000001", "Sam", ""), "note.text: required");
	refused(note(f, "A00000001", "Sam", "\xff\xfe"), "note.text: not valid UTF-8");
	refused(close_alert(f, "A00000001", "Sam", "done", ""),
	        "close.outcome: 'done' is not one of");
	assert_int_equal(f->out.n, 0);

	r = note(f, "A00000001", "Sam Jones", "school says absent all week");
	assert_string_equal(r->error, "");
	assert_int_equal(r->note->alert->n_history, 2);
	assert_string_equal(r->note->alert->history[1]->text, "school says absent all week");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	c = published(f, "event.note.red.immediate-risk");
	assert_int_equal(c->event->action, FFC__V1__ALERT_EVENT__ACTION__NOTE);
	ffc__v1__alert_change__free_unpacked(c, NULL);

	/* While acknowledged the alert is still open: no second RED, the
	 * concern joins its evidence (one change published, one history
	 * entry; no policy here, so no reopening). */
	assert_int_equal(send_risk(f, "r2", "9434765919", NOW + 5000), 1);

	r = close_alert(f, "A00000001", "Sam Jones", "Strategy Discussion", "held today");
	assert_string_equal(r->error, "");
	a = r->close->alert;
	assert_int_equal(a->state, FFC__V1__ALERT_STATE__CLOSED);
	assert_string_equal(a->outcome, "strategy discussion");
	assert_string_equal(a->closed_by, "Sam Jones");
	assert_int_equal(a->n_history, 4);
	assert_int_equal(a->history[2]->action, FFC__V1__ALERT_EVENT__ACTION__EVIDENCE);
	assert_string_equal(a->history[2]->by, "ffcd");
	assert_string_equal(a->history[2]->text, "POLICE r2 (PHYSICAL_ABUSE, IMMEDIATE_RISK)");
	assert_string_equal(a->history[3]->outcome, "strategy discussion");
	assert_string_equal(a->history[3]->text, "held today");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* The police, whose concerns were its evidence, hear how it ended,
	 * after the change. */
	assert_int_equal(f->out.n, 2);
	assert_string_equal(f->out.items[1].topic, "feedback.police");
	Ffc__V1__Feedback *fb =
	    ffc__v1__feedback__unpack(NULL, f->out.items[1].len, f->out.items[1].data);
	assert_non_null(fb);
	assert_string_equal(fb->feedback_id, "F00000001");
	assert_int_equal(fb->agency, FFC__V1__AGENCY__POLICE);
	assert_int_equal(fb->n_concern_ids, 2);
	assert_string_equal(fb->concern_ids[0], "r1");
	assert_string_equal(fb->concern_ids[1], "r2");
	assert_string_equal(fb->alert_id, "A00000001");
	assert_string_equal(fb->outcome, "strategy discussion");
	assert_int_equal(fb->closed_at_ms, NOW + 3000);
	ffc__v1__feedback__free_unpacked(fb, NULL);
	outbox_truncate(&f->out, 1);
	c = published(f, "event.close.red.immediate-risk");
	assert_int_equal(c->state, FFC__V1__ALERT_STATE__CLOSED);
	assert_string_equal(c->event->outcome, "strategy discussion");
	ffc__v1__alert_change__free_unpacked(c, NULL);

	refused(close_alert(f, "A00000001", "Kim", "no further action", ""),
	        "close.alert_id: A00000001 is already closed");
	refused(ack(f, "A00000001", "Kim", ""), "ack.alert_id: A00000001 is closed");

	/* The log shows it as it stands, history included. */
	r = log_of(f, &a);
	assert_int_equal(a->state, FFC__V1__ALERT_STATE__CLOSED);
	assert_int_equal(a->n_history, 4);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* Closed: new evidence raises a new alert. */
	assert_int_equal(send_risk(f, "r3", "9434765919", NOW + 6000), 1);
	r = alerts(f, 0, FFC__V1__ALERT_STATE__OPEN, NOW);
	assert_int_equal(r->alerts->n_alerts, 1);
	assert_int_equal(r->alerts->alerts[0]->seq, 2);
	assert_int_equal(r->alerts->alerts[0]->n_history, 0);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = alerts(f, 0, FFC__V1__ALERT_STATE__CLOSED, NOW);
	assert_int_equal(r->alerts->n_alerts, 1);
	assert_int_equal(r->alerts->alerts[0]->seq, 1);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	refused(alerts(f, 0, 9, NOW), "alerts.state: unknown value");

	/* A note on a closed alert is an addendum. */
	r = note(f, "A00000001", "Kim", "family moved");
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static void test_lead_practitioner(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(send_risk(f, "r1", "9434765919", NOW), 1);
	refused(assign(f, "C00000001", "", "", "Kim"), "assign.practitioner: required");
	refused(assign(f, "C00000001", "", "Pat Lee", ""), "assign.by: required");
	refused(assign(f, "C00000009", "", "Pat Lee", "Kim"), "assign.child: no such child");
	refused(assign(f, "X1", "", "Pat Lee", "Kim"), "assign.child.child_id: not a child id");
	refused(assign(f, "", "", "Pat Lee", "Kim"), "assign.child: give child_id");

	Ffc__V1__ControlReply *r = assign(f, "", "943 476 5919", "Pat Lee", "Kim");
	assert_string_equal(r->error, "");
	assert_int_equal(r->result_case, FFC__V1__CONTROL_REPLY__RESULT_ASSIGN);
	assert_string_equal(r->assign->child_id, "C00000001");
	assert_string_equal(r->assign->lead_practitioner, "Pat Lee");
	assert_int_equal(r->assign->n_practitioners, 1);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	refused(assign(f, "C00000001", "", "Pat Lee", "Kim"),
	        "assign.practitioner: already the lead practitioner of C00000001");
	r = assign(f, "C00000001", "", "Jo Obi", "Kim");
	assert_string_equal(r->assign->lead_practitioner, "Jo Obi");
	assert_int_equal(r->assign->n_practitioners, 2);
	assert_string_equal(r->assign->practitioners[0]->practitioner, "Pat Lee");
	assert_int_equal(r->assign->practitioners[1]->at_ms, NOW + 4000);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* The alert raised before keeps what it had; a later one carries it. */
	r = close_alert(f, "A00000001", "Kim", "no further action", "");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	assert_int_equal(send_risk(f, "r2", "9434765919", NOW + 10), 1);
	r = alerts(f, 0, 0, NOW);
	assert_int_equal(r->alerts->n_alerts, 2);
	assert_string_equal(r->alerts->alerts[0]->lead_practitioner, "");
	assert_string_equal(r->alerts->alerts[1]->lead_practitioner, "Jo Obi");
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* The child's record shows the lead and every assignment. */
	Ffc__V1__ChildRequest cr = FFC__V1__CHILD_REQUEST__INIT;
	cr.child_id = s("C00000001");
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CHILD;
	req.child = &cr;
	r = call(f, &req, NOW);
	assert_string_equal(r->child->lead_practitioner, "Jo Obi");
	assert_int_equal(r->child->n_practitioners, 2);
	assert_int_equal(r->child->n_alerts, 2);
	assert_int_equal(r->child->alerts[0]->n_history, 1); /* closed */
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

/* Bytes no protobuf library writes from a C string: a NUL inside a name. */
static void test_nul_in_a_string_refused(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(send_risk(f, "r1", "9434765919", NOW), 1);
	/* ControlRequest{ack=20: AckRequest{alert_id="A00000001", by="Sam\0Evil"}} */
	static const char req[] = "\xa2\x01\x15" /* field 20, 21 bytes */
	                          "\x0a\x09"
	                          "A00000001" /* alert_id */
	                          "\x12\x08"
	                          "Sam\0Evil"; /* by */
	uint8_t *out = NULL;
	size_t out_len = 0;
	control_handle(&f->env, (const uint8_t *)req, sizeof req - 1, NOW, &out, &out_len);
	Ffc__V1__ControlReply *r = ffc__v1__control_reply__unpack(NULL, out_len, out);
	free(out);
	assert_non_null(r);
	refused(r, "ack.by: contains a NUL byte");
	assert_int_equal(f->out.n, 0);
	r = alerts(f, 0, 0, NOW);
	assert_int_equal(r->alerts->alerts[0]->state, FFC__V1__ALERT_STATE__OPEN);
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static void test_overdue_listed_and_counted(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(send_risk(f, "r1", "9434765919", NOW), 1);
	assert_int_equal(send_risk(f, "r2", "4010232137", NOW), 1);
	struct outbox out = {0};
	assert_int_equal(overdue_remind(f->s, &f->policy, NOW + 2 * 3600000, &out), 2);
	outbox_clear(&out);

	Ffc__V1__ControlReply *r = alerts(f, 1, 0, NOW);
	assert_int_equal(r->alerts->n_alerts, 2);
	assert_int_equal(r->alerts->alerts[0]->overdue_at_ms, NOW + 2 * 3600000);
	assert_int_equal(r->alerts->alerts[0]->n_history, 1);
	assert_int_equal(r->alerts->alerts[0]->history[0]->action,
	                 FFC__V1__ALERT_EVENT__ACTION__OVERDUE);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	r = ack(f, "A00000002", "Sam", "");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = alerts(f, 1, 0, NOW);
	assert_int_equal(r->alerts->n_alerts, 1);
	assert_int_equal(r->alerts->alerts[0]->seq, 1);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	refused(alerts(f, 1, 7, NOW), "alerts.state: unknown value");

	Ffc__V1__StatsRequest sr = FFC__V1__STATS_REQUEST__INIT;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_STATS;
	req.stats = &sr;
	r = call(f, &req, NOW);
	assert_int_equal(r->stats->overdue, 1);
	assert_int_equal(r->stats->reminders, 2);
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

/* The alerts listing, plain and overdue, carries the broadcast's least
 * identity (no NHS number); the overdue reminder published too; the
 * child's record keeps it. */
static void test_listing_least_identity(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(send_risk(f, "r1", "9434765919", NOW), 1);
	struct outbox out = {0};
	assert_int_equal(overdue_remind(f->s, &f->policy, NOW + 2 * 3600000, &out), 1);
	assert_int_equal(out.n, 1);
	Ffc__V1__Alert *o = ffc__v1__alert__unpack(NULL, out.items[0].len, out.items[0].data);
	assert_non_null(o);
	assert_string_equal(o->child->nhs_number, "");
	ffc__v1__alert__free_unpacked(o, NULL);
	outbox_clear(&out);
	for (int overdue = 0; overdue <= 1; overdue++) {
		Ffc__V1__ControlReply *r = alerts(f, overdue, 0, NOW);
		assert_int_equal(r->alerts->n_alerts, 1);
		assert_non_null(r->alerts->alerts[0]->child);
		assert_string_equal(r->alerts->alerts[0]->child->nhs_number, "");
		assert_string_equal(r->alerts->alerts[0]->child_id, "C00000001");
		ffc__v1__control_reply__free_unpacked(r, NULL);
	}
	Ffc__V1__ChildRequest cr = FFC__V1__CHILD_REQUEST__INIT;
	cr.child_id = s("C00000001");
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CHILD;
	req.child = &cr;
	Ffc__V1__ControlReply *r = call(f, &req, NOW);
	assert_non_null(r->child);
	assert_int_equal(r->child->n_alerts, 1);
	assert_string_equal(r->child->alerts[0]->child->nhs_number, "9434765919");
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ack_note_close, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lead_practitioner, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overdue_listed_and_counted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nul_in_a_string_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_listing_least_identity, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
