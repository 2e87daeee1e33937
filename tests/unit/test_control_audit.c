/*
 * Unit tests for control_audit.c through control_handle(): who is asking
 * (ipc operators, keys, no operators configured), refusals recorded and
 * counted, reads recorded with their purpose before the reply, changes
 * recorded in their own transaction, `audit` and its filters (itself
 * audited), the chronology's "viewed by", consoles held to their levels.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control.h"
#include "ffc.pb-c.h"
#include "ingest.h"
#include "testutil.h"

#define NOW (T0 + 400 * DAY)
#define NHS "9434765919"

struct fixture {
	char *dir;
	struct store *s;
	struct rule rules[RULES_MAX];
	size_t n_rules;
	struct alert_policy policy;
	struct stats stats;
	struct daemon_info info;
	struct outbox out;
	struct access_list access;
	struct control_env env;
};

static void add_operator(struct access_list *l, const char *name, enum access_role role)
{
	struct access_key *k = &l->operators[l->n_operators++];
	memset(k, 0, sizeof *k);
	snprintf(k->name, sizeof k->name, "%s", name);
	k->role = role;
	/* Every one of them the test's Unix user's: the name chooses. */
	k->has_unix_uid = 1;
	k->unix_uid = 0;
}

static char *s(const char *v)
{
	return (char *)(uintptr_t)v;
}

/* One RED alert (IMMEDIATE_RISK) for the child with this NHS number, or
 * with no NHS number the child named Ella Smith, born 2016-04-12. */
static void send_risk(struct fixture *f, const char *id, const char *nhs)
{
	Ffc__V1__ChildIdentity kid = FFC__V1__CHILD_IDENTITY__INIT;
	Ffc__V1__ChildIdentity *kids[1] = {&kid};
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	kid.nhs_number = s(nhs);
	if (!nhs[0]) {
		kid.given_name = s("Ella");
		kid.family_name = s("Smith");
		kid.date_of_birth = s("2016-04-12");
	}
	c.concern_id = s(id);
	c.agency = FFC__V1__AGENCY__POLICE;
	c.category = FFC__V1__CATEGORY__PHYSICAL_ABUSE;
	c.severity = FFC__V1__SEVERITY__IMMEDIATE_RISK;
	c.occurred_at_ms = T0;
	c.n_children = 1;
	c.children = kids;
	struct outbox raised = {0};
	int stored;
	test_ingest_one(f->s, f->rules, f->n_rules, &c, NOW, &raised, &stored);
	assert_int_equal(stored, 1);
	outbox_clear(&raised);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	f->dir = test_tmpdir("ffc-control-audit");
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	if (!f->s)
		return -1;
	f->n_rules = rules_defaults(f->rules, RULES_MAX);
	lifecycle_defaults(&f->policy);
	f->info = (struct daemon_info){
	    .version = "test", .ingest = "", .alerts = "", .control = "ipc:///x/control.sock"};
	add_operator(&f->access, "v.iewer", ACCESS_VIEWER);
	add_operator(&f->access, "j.doe", ACCESS_PRACTITIONER);
	add_operator(&f->access, "a.dmin", ACCESS_ADMIN);
	struct access_key *k = &f->access.keys[f->access.n_keys++];
	snprintf(k->name, sizeof k->name, "macpt-red");
	k->role = ACCESS_CONSOLE;
	k->levels = 1u << FFC__V1__LEVEL__RED;
	f->env = (struct control_env){.store = f->s,
	                              .info = &f->info,
	                              .stats = &f->stats,
	                              .rules = f->rules,
	                              .n_rules = f->n_rules,
	                              .out = &f->out,
	                              .access = &f->access,
	                              .policy = &f->policy,
	                              /* as libzmq gives it for uid 0 */
	                              .peer_address = "localhost:0:0:4242"};
	send_risk(f, "c-1", NHS);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	control_tick(f->s, NOW, 1); /* nothing counted is carried to the next test */
	outbox_clear(&f->out);
	store_close(&f->s);
	test_rmdir(f->dir);
	free(f);
	return 0;
}

static Ffc__V1__ControlReply *call(struct fixture *f, const char *op, const char *purpose,
                                   Ffc__V1__ControlRequest *req, int64_t now)
{
	outbox_clear(&f->out);
	req->operator_ = s(op);
	req->purpose = s(purpose);
	uint8_t buf[4096], *out = NULL;
	size_t len = ffc__v1__control_request__pack(req, buf), out_len = 0;
	control_handle(&f->env, buf, len, now, &out, &out_len);
	assert_non_null(out);
	Ffc__V1__ControlReply *r = ffc__v1__control_reply__unpack(NULL, out_len, out);
	free(out);
	assert_non_null(r);
	return r;
}

static Ffc__V1__ControlReply *child(struct fixture *f, const char *op, const char *purpose,
                                    int64_t now)
{
	Ffc__V1__ChildRequest cr = FFC__V1__CHILD_REQUEST__INIT;
	cr.child_id = s("C00000001");
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CHILD;
	req.child = &cr;
	return call(f, op, purpose, &req, now);
}

static Ffc__V1__ControlReply *audit(struct fixture *f, const char *op, const char *child_id,
                                    const char *by, int64_t since, uint32_t limit)
{
	Ffc__V1__AuditRequest a = FFC__V1__AUDIT_REQUEST__INIT;
	a.child_id = s(child_id);
	a.by = s(by);
	a.since_ms = since;
	a.limit = limit;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_AUDIT;
	req.audit = &a;
	return call(f, op, "quarterly audit review", &req, NOW + 100000);
}

static uint64_t stat_refused(struct fixture *f)
{
	Ffc__V1__StatsRequest sr = FFC__V1__STATS_REQUEST__INIT;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_STATS;
	req.stats = &sr;
	Ffc__V1__ControlReply *r = call(f, "v.iewer", "", &req, NOW);
	assert_non_null(r->stats);
	uint64_t n = r->stats->control_refused;
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return n;
}

/* The whole audit trail, as the admin reads it (that read recorded). */
static Ffc__V1__ControlReply *trail(struct fixture *f)
{
	Ffc__V1__ControlReply *r = audit(f, "a.dmin", "", "", 0, 0);
	assert_string_equal(r->error, "");
	assert_non_null(r->audit);
	return r;
}

/* A change that queues a message for the consoles, then ends with *rc. */
static int queue_then(struct store_txn *t, void *arg)
{
	const struct fixture *f = ((void **)arg)[0];
	const int *rc = ((void **)arg)[1];
	uint8_t *data = malloc(1);
	assert_non_null(data);
	data[0] = 'x';
	assert_int_equal(outbox_add(f->env.out, "event.note.red.test", data, 1, NULL), 0);
	assert_int_equal(store_counter_add(t, "test_changes", 1), STORE_OK);
	return *rc;
}

static void test_nothing_published_of_a_change_not_stored(void **state)
{
	struct fixture *f = *state;
	int ok = STORE_OK, failed = STORE_ERROR;
	void *committed[2] = {f, &ok}, *aborted[2] = {f, &failed};
	assert_int_equal(control_write(&f->env, queue_then, committed), STORE_OK);
	assert_int_equal(f->out.n, 1);
	/* A later change of the same request fails: its message goes, the
	 * committed one's stays. */
	assert_int_equal(control_write(&f->env, queue_then, aborted), STORE_ERROR);
	assert_int_equal(f->out.n, 1);
	outbox_clear(&f->out);
}

static void test_viewer_refused_a_child_recorded_and_counted(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(stat_refused(f), 0);
	Ffc__V1__ControlReply *r = child(f, "v.iewer", "curious", NOW);
	assert_string_equal(r->error, "child: needs the practitioner role; v.iewer is a viewer");
	assert_int_equal(r->result_case, FFC__V1__CONTROL_REPLY__RESULT__NOT_SET);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	assert_int_equal(stat_refused(f), 1);

	r = trail(f);
	assert_int_equal(r->audit->n_entries, 1);
	const Ffc__V1__AuditEntry *e = r->audit->entries[0];
	assert_string_equal(e->by, "v.iewer");
	assert_string_equal(e->role, "viewer");
	assert_string_equal(e->command, "child");
	assert_string_equal(e->child_id, "C00000001");
	assert_string_equal(e->purpose, "curious");
	assert_true(e->refused);
	assert_string_equal(e->detail, "child: needs the practitioner role; v.iewer is a viewer");
	assert_int_equal(e->at_ms, NOW);
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static void test_unknown_and_unnamed_operators_refused(void **state)
{
	struct fixture *f = *state;
	Ffc__V1__ControlReply *r = child(f, "mallory", "x", NOW);
	assert_string_equal(r->error, "child: mallory is not a known operator or key");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = child(f, "", "x", NOW);
	assert_string_equal(r->error,
	                    "child: an operator giving no name is not a known operator or key");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	assert_int_equal(stat_refused(f), 2);

	/* What a caller sends is kept readable: one line, valid UTF-8. */
	r = child(f, "m\xff\nx", "why\x01\xfe", NOW);
	assert_string_equal(r->error, "child: m??x is not a known operator or key");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = audit(f, "a.dmin", "", "", 0, 1);
	assert_int_equal(r->audit->n_entries, 1);
	assert_string_equal(r->audit->entries[0]->by, "m??x");
	assert_string_equal(r->audit->entries[0]->purpose, "why??");
	assert_string_equal(r->audit->entries[0]->detail,
	                    "child: m??x is not a known operator or key");
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static void test_read_recorded_with_purpose_and_shown_as_viewed(void **state)
{
	struct fixture *f = *state;
	/* No purpose: refused, nothing returned, recorded as refused. */
	Ffc__V1__ControlReply *r = child(f, "j.doe", "", NOW);
	assert_non_null(strstr(r->error, "child: purpose: required"));
	assert_null(r->child);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	r = child(f, "j.doe", "section 47 enquiry", NOW + 10);
	assert_string_equal(r->error, "");
	assert_non_null(r->child);
	assert_int_equal(r->child->n_viewed_by, 0); /* before this read: nobody */
	ffc__v1__control_reply__free_unpacked(r, NULL);

	r = child(f, "a.dmin", "strategy meeting", NOW + 20);
	assert_int_equal(r->child->n_viewed_by, 1);
	const Ffc__V1__AuditEntry *v = r->child->viewed_by[0];
	assert_string_equal(v->by, "j.doe");
	assert_string_equal(v->command, "child");
	assert_string_equal(v->purpose, "section 47 enquiry");
	assert_int_equal(v->at_ms, NOW + 10);
	assert_false(v->refused);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	r = audit(f, "a.dmin", "C00000001", "", 0, 0);
	assert_int_equal(r->audit->n_entries, 3); /* refused, read, read */
	assert_true(r->audit->entries[0]->refused);
	assert_string_equal(r->audit->entries[1]->by, "j.doe");
	assert_string_equal(r->audit->entries[2]->by, "a.dmin");
	assert_true(r->audit->entries[1]->seq < r->audit->entries[2]->seq);
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static void test_changes_recorded_in_their_transaction(void **state)
{
	struct fixture *f = *state;
	Ffc__V1__AckRequest a = FFC__V1__ACK_REQUEST__INIT;
	a.alert_id = s("A00000001");
	a.by = s("Jo Doe");
	a.note = s("on it");
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ACK;
	req.ack = &a;
	Ffc__V1__ControlReply *r = call(f, "j.doe", "", &req, NOW + 5);
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* Refused on its merits (already acknowledged): nothing changed,
	 * nothing recorded. */
	r = call(f, "j.doe", "", &req, NOW + 6);
	assert_string_not_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);

	Ffc__V1__CloseRequest c = FFC__V1__CLOSE_REQUEST__INIT;
	c.alert_id = s("A00000001");
	c.by = s("Jo Doe");
	c.outcome = s(f->policy.outcomes[0]);
	req = (Ffc__V1__ControlRequest)FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CLOSE;
	req.close = &c;
	r = call(f, "j.doe", "", &req, NOW + 7);
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);

	r = audit(f, "a.dmin", "", "j.doe", 0, 0);
	assert_int_equal(r->audit->n_entries, 2);
	assert_string_equal(r->audit->entries[0]->command, "ack");
	assert_string_equal(r->audit->entries[0]->child_id, "C00000001");
	assert_string_equal(r->audit->entries[0]->detail, "A00000001 by Jo Doe: on it");
	assert_string_equal(r->audit->entries[1]->command, "close");
	assert_false(r->audit->entries[1]->refused);
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

/* A child's record shows its household: the other children's identifiers
 * and open alerts are read too, and each such child has its entry. */
static void test_household_read_recorded_for_each_child(void **state)
{
	struct fixture *f = *state;
	Ffc__V1__ChildIdentity a = FFC__V1__CHILD_IDENTITY__INIT;
	Ffc__V1__ChildIdentity b = FFC__V1__CHILD_IDENTITY__INIT;
	Ffc__V1__ChildIdentity *kids[2] = {&a, &b};
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	a.nhs_number = s(NHS);
	b.nhs_number = s("4857773457"); /* a sibling, C00000002 */
	c.concern_id = s("c-house");
	c.agency = FFC__V1__AGENCY__POLICE;
	c.category = FFC__V1__CATEGORY__PHYSICAL_ABUSE;
	c.severity = FFC__V1__SEVERITY__IMMEDIATE_RISK;
	c.occurred_at_ms = T0;
	c.n_children = 2;
	c.children = kids;
	struct outbox raised = {0};
	int stored;
	test_ingest_one(f->s, f->rules, f->n_rules, &c, NOW, &raised, &stored);
	assert_int_equal(stored, 1);
	outbox_clear(&raised);

	Ffc__V1__ControlReply *r = child(f, "j.doe", "visit", NOW + 1);
	assert_string_equal(r->error, "");
	assert_int_equal(r->child->n_household, 1);
	assert_string_equal(r->child->household[0]->child_id, "C00000002");
	assert_string_equal(r->child->household[0]->child->nhs_number, "4857773457");
	ffc__v1__control_reply__free_unpacked(r, NULL);

	r = audit(f, "a.dmin", "C00000002", "", 0, 0);
	assert_int_equal(r->audit->n_entries, 1);
	assert_string_equal(r->audit->entries[0]->by, "j.doe");
	assert_string_equal(r->audit->entries[0]->command, "child");
	assert_string_equal(r->audit->entries[0]->purpose, "visit");
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static void test_audit_filters_and_its_own_read(void **state)
{
	struct fixture *f = *state;
	send_risk(f, "c-2", "4857773457"); /* a second child, C00000002 */
	Ffc__V1__ControlReply *r = child(f, "j.doe", "visit", NOW + 1);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	Ffc__V1__ChildRequest cr = FFC__V1__CHILD_REQUEST__INIT;
	cr.child_id = s("C00000002");
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CHILD;
	req.child = &cr;
	r = call(f, "a.dmin", "review", &req, NOW + 2);
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* by */
	r = audit(f, "a.dmin", "", "j.doe", 0, 0);
	assert_int_equal(r->audit->n_entries, 1);
	assert_string_equal(r->audit->entries[0]->purpose, "visit");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* child: the read of C00000002 only (the audit reads named no child) */
	r = audit(f, "a.dmin", "C00000002", "", 0, 0);
	assert_int_equal(r->audit->n_entries, 1);
	assert_string_equal(r->audit->entries[0]->by, "a.dmin");
	assert_string_equal(r->audit->entries[0]->command, "child");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* since: from NOW + 2 on, the second read and the two audit reads
	 * before this one (recorded once its reply is packed) */
	r = audit(f, "a.dmin", "", "", NOW + 2, 0);
	assert_int_equal(r->audit->n_entries, 3);
	assert_string_equal(r->audit->entries[0]->child_id, "C00000002");
	for (size_t i = 1; i < 3; i++)
		assert_string_equal(r->audit->entries[i]->command, "audit");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* limit: the latest N, oldest first, more set */
	r = audit(f, "a.dmin", "", "", 0, 2);
	assert_int_equal(r->audit->n_entries, 2);
	assert_true(r->audit->more);
	assert_true(r->audit->entries[0]->seq < r->audit->entries[1]->seq);
	assert_string_equal(r->audit->entries[1]->command, "audit");
	assert_string_equal(r->audit->entries[1]->purpose, "quarterly audit review");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* a reading of one child's audit is a look at that child */
	r = audit(f, "a.dmin", "C00000002", "", 0, 0);
	assert_int_equal(r->audit->n_entries, 2);
	assert_string_equal(r->audit->entries[1]->command, "audit");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* bad filters name the field */
	r = audit(f, "a.dmin", "nope", "", 0, 0);
	assert_string_equal(r->error, "audit.child_id: not a child id (like C00000042)");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* a practitioner may not read it, and that is recorded too */
	r = audit(f, "j.doe", "", "", 0, 0);
	assert_string_equal(r->error, "audit: needs the admin role; j.doe is a practitioner");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = audit(f, "a.dmin", "", "j.doe", 0, 1);
	assert_true(r->audit->entries[0]->refused);
	assert_string_equal(r->audit->entries[0]->command, "audit");
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static void test_viewed_by_survives_a_merge(void **state)
{
	struct fixture *f = *state;
	send_risk(f, "c-2", ""); /* C00000002, by name and date of birth */
	Ffc__V1__ChildRequest cr = FFC__V1__CHILD_REQUEST__INIT;
	cr.child_id = s("C00000002");
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CHILD;
	req.child = &cr;
	Ffc__V1__ControlReply *r = call(f, "j.doe", "before the merge", &req, NOW + 1);
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);

	Ffc__V1__LinkRequest l = FFC__V1__LINK_REQUEST__INIT;
	l.child_a = s("C00000001");
	l.child_b = s("C00000002");
	l.reason = s("same child, school confirmed");
	req = (Ffc__V1__ControlRequest)FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_LINK;
	req.link = &l;
	r = call(f, "j.doe", "", &req, NOW + 2);
	assert_string_equal(r->error, "link: needs the admin role; j.doe is a practitioner");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = call(f, "a.dmin", "", &req, NOW + 3);
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* The survivor shows the read of the child merged into it. */
	r = child(f, "j.doe", "after the merge", NOW + 4);
	assert_int_equal(r->child->n_viewed_by, 1);
	assert_string_equal(r->child->viewed_by[0]->purpose, "before the merge");
	assert_string_equal(r->child->viewed_by[0]->child_id, "C00000002");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* The link is recorded under both children, with its reason. */
	r = audit(f, "a.dmin", "C00000002", "a.dmin", 0, 0);
	assert_int_equal(r->audit->n_entries, 1);
	assert_string_equal(r->audit->entries[0]->command, "link");
	assert_string_equal(r->audit->entries[0]->detail,
	                    "C00000001 and C00000002: same child, school confirmed");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = audit(f, "a.dmin", "C00000001", "a.dmin", 0, 0);
	assert_int_equal(r->audit->n_entries, 1);
	assert_string_equal(r->audit->entries[0]->command, "link");
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static void test_no_operators_every_caller_admin(void **state)
{
	struct fixture *f = *state;
	f->access.n_operators = 0;
	Ffc__V1__ControlReply *r = child(f, "", "dev", NOW);
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = audit(f, "sam", "", "", 0, 0);
	assert_int_equal(r->audit->n_entries, 1);
	/* Named after its Unix user, as the kernel gives it (uid 0). */
	assert_string_equal(r->audit->entries[0]->by, "root");
	assert_string_equal(r->audit->entries[0]->role, "admin");
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static void test_console_key_alerts_of_its_levels_only(void **state)
{
	struct fixture *f = *state;
	f->env.peer = "macpt-red";
	Ffc__V1__AlertsRequest a = FFC__V1__ALERTS_REQUEST__INIT;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS;
	req.alerts = &a;
	Ffc__V1__ControlReply *r = call(f, "a.dmin", "", &req, NOW);
	assert_string_equal(r->error, "");
	assert_int_equal(r->alerts->n_alerts, 1);
	assert_int_equal(r->alerts->alerts[0]->level, FFC__V1__LEVEL__RED);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* Given AMBER only, it sees none of them. */
	f->access.keys[0].levels = 1u << FFC__V1__LEVEL__AMBER;
	r = call(f, "a.dmin", "", &req, NOW);
	assert_int_equal(r->alerts->n_alerts, 0);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	a.overdue = 1;
	r = call(f, "a.dmin", "", &req, NOW + 400 * DAY);
	assert_string_equal(r->error, "");
	assert_int_equal(r->alerts->n_alerts, 0);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* The key is the caller: the operator name it gives changes nothing. */
	r = child(f, "a.dmin", "x", NOW);
	assert_string_equal(
	    r->error, "child: a console may only fetch alerts and notices; macpt-red is a console");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* A key no longer listed (removed by a reload) is refused. */
	f->env.peer = "gone";
	r = call(f, "a.dmin", "", &req, NOW);
	assert_string_equal(r->error, "alerts: gone is not a known operator or key");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	f->env.peer = NULL;
}

/* ---- refusals counted ---- */

static void test_refusal_flood_counted_exactly(void **state)
{
	struct fixture *f = *state;
	/* 2,000 refusals in 200 ms: the first few written one by one, the
	 * rest counted with no store work, written at the tick. */
	for (int i = 0; i < 2000; i++) {
		Ffc__V1__ControlReply *r = child(f, "v.iewer", "curious", NOW + i / 10);
		assert_string_equal(r->error,
		                    "child: needs the practitioner role; v.iewer is a viewer");
		ffc__v1__control_reply__free_unpacked(r, NULL);
	}
	assert_int_equal(stat_refused(f), 2000); /* counted ones included */
	Ffc__V1__ControlReply *r = trail(f);
	assert_int_equal(r->audit->n_entries, 10);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	control_tick(f->s, NOW + 500, 0); /* the window has not ended */
	r = trail(f);
	assert_int_equal(r->audit->n_entries, 10 + 1); /* + the read of the trail */
	ffc__v1__control_reply__free_unpacked(r, NULL);
	control_tick(f->s, NOW + 1000, 0);
	assert_int_equal(stat_refused(f), 2000);
	r = trail(f);
	uint64_t total = 0;
	size_t refused = 0;
	for (size_t i = 0; i < r->audit->n_entries; i++) {
		const Ffc__V1__AuditEntry *e = r->audit->entries[i];
		if (!e->refused)
			continue;
		refused++;
		total += e->count ? e->count : 1;
	}
	assert_int_equal(refused, 11);
	assert_int_equal(total, 2000);
	/* After the ten and the two reads of the trail: the one counted. */
	const Ffc__V1__AuditEntry *last = r->audit->entries[r->audit->n_entries - 1];
	assert_true(last->refused);
	assert_int_equal(last->count, 1990);
	assert_string_equal(last->by, "v.iewer");
	assert_string_equal(last->child_id, "C00000001");
	assert_non_null(strstr(last->detail, "refused 1990 times in 198 ms"));
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static void test_stop_writes_what_is_counted(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < 15; i++) {
		Ffc__V1__ControlReply *r = child(f, "v.iewer", "", NOW);
		ffc__v1__control_reply__free_unpacked(r, NULL);
	}
	control_tick(f->s, NOW, 1);
	Ffc__V1__ControlReply *r = trail(f);
	assert_int_equal(r->audit->n_entries, 11);
	assert_int_equal(r->audit->entries[10]->count, 5);
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

/* ---- who an ipc caller is ---- */

static void test_ipc_caller_is_its_unix_users_operator(void **state)
{
	struct fixture *f = *state;
	/* uid 0 is v.iewer only; a.dmin and j.doe are another user's. */
	f->access.operators[1].unix_uid = 1000;
	f->access.operators[2].unix_uid = 1000;
	Ffc__V1__ControlReply *r = child(f, "a.dmin", "x", NOW);
	assert_string_equal(r->error, "child: needs the practitioner role; v.iewer is a viewer");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* The other user is a.dmin when it says so, j.doe when it names
	 * v.iewer, uid 0's. */
	f->env.peer_address = "localhost:1000:1000:77";
	r = child(f, "a.dmin", "x", NOW);
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = audit(f, "v.iewer", "", "", 0, 0);
	assert_string_equal(r->error, "audit: needs the admin role; j.doe is a practitioner");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* A Unix user with no operator is refused, named by its uid. */
	f->env.peer_address = "localhost:4242:4242:77";
	r = child(f, "a.dmin", "x", NOW);
	assert_non_null(strstr(r->error, "uid 4242"));
	assert_non_null(strstr(r->error, "is not a known operator or key"));
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* No peer credentials (not ipc): no operator. */
	f->env.peer_address = "localhost:1000:1000:77";
	f->info.control = "tcp://127.0.0.1:5557";
	r = child(f, "a.dmin", "x", NOW);
	assert_string_equal(r->error, "child: a.dmin is not a known operator or key");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	f->info.control = "ipc:///x/control.sock";
	f->env.peer_address = NULL;
	r = child(f, "a.dmin", "x", NOW);
	assert_string_equal(r->error, "child: a.dmin is not a known operator or key");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	f->env.peer_address = "localhost:0:0:4242";
}

/* ---- a delegate (ffc-web) speaking for the people signed in to it ---- */

/* A request from op speaking for person with role. */
static Ffc__V1__ControlReply *as_person(struct fixture *f, const char *op, const char *person,
                                        const char *role, const char *purpose,
                                        Ffc__V1__ControlRequest *req)
{
	req->on_behalf_of = s(person);
	req->on_behalf_role = s(role);
	return call(f, op, purpose, req, NOW);
}

static void child_request(Ffc__V1__ControlRequest *req, Ffc__V1__ChildRequest *cr)
{
	*cr = (Ffc__V1__ChildRequest)FFC__V1__CHILD_REQUEST__INIT;
	cr->child_id = s("C00000001");
	*req = (Ffc__V1__ControlRequest)FFC__V1__CONTROL_REQUEST__INIT;
	req->command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CHILD;
	req->child = cr;
}

static void test_delegate_reads_and_changes_under_the_persons_name(void **state)
{
	struct fixture *f = *state;
	add_operator(&f->access, "ffc-web", ACCESS_PRACTITIONER);
	f->access.operators[f->access.n_operators - 1].delegate = 1;
	Ffc__V1__ChildRequest cr;
	Ffc__V1__ControlRequest req;
	child_request(&req, &cr);
	Ffc__V1__ControlReply *r =
	    as_person(f, "ffc-web", "sam.jones", "practitioner", "strategy meeting", &req);
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* The delegate's role is the ceiling: an admin it speaks for is a
	 * practitioner here. */
	Ffc__V1__AuditRequest ar = FFC__V1__AUDIT_REQUEST__INIT;
	Ffc__V1__ControlRequest aq = FFC__V1__CONTROL_REQUEST__INIT;
	aq.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_AUDIT;
	aq.audit = &ar;
	r = as_person(f, "ffc-web", "boss", "admin", "review", &aq);
	assert_string_equal(r->error, "audit: needs the admin role; boss is a practitioner");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* A viewer it speaks for is refused a child's record. */
	child_request(&req, &cr);
	r = as_person(f, "ffc-web", "pat.v", "viewer", "curious", &req);
	assert_string_equal(r->error, "child: needs the practitioner role; pat.v is a viewer");
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* A change: recorded under the person, via the delegate. */
	Ffc__V1__AckRequest a = FFC__V1__ACK_REQUEST__INIT;
	a.alert_id = s("A00000001");
	a.by = s("sam.jones");
	Ffc__V1__ControlRequest ack = FFC__V1__CONTROL_REQUEST__INIT;
	ack.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ACK;
	ack.ack = &a;
	r = as_person(f, "ffc-web", "sam.jones", "practitioner", "", &ack);
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);

	r = audit(f, "a.dmin", "", "", 0, 0);
	assert_int_equal(r->audit->n_entries, 4); /* this read is recorded after it */
	static const struct {
		const char *by, *role, *command;
		int refused;
	} want[] = {{"sam.jones", "practitioner", "child", 0},
	            {"boss", "practitioner", "audit", 1},
	            {"pat.v", "viewer", "child", 1},
	            {"sam.jones", "practitioner", "ack", 0}};
	for (size_t i = 0; i < 4; i++) {
		const Ffc__V1__AuditEntry *e = r->audit->entries[i];
		assert_string_equal(e->by, want[i].by);
		assert_string_equal(e->role, want[i].role);
		assert_string_equal(e->command, want[i].command);
		assert_int_equal(e->refused, want[i].refused);
		assert_string_equal(e->via, "ffc-web");
	}
	assert_string_equal(r->audit->entries[0]->purpose, "strategy meeting");
	assert_string_equal(r->audit->entries[0]->child_id, "C00000001");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* And the child's record says who looked, through what. */
	child_request(&req, &cr);
	r = as_person(f, "ffc-web", "sam.jones", "practitioner", "follow-up", &req);
	assert_string_equal(r->child->viewed_by[0]->by, "sam.jones");
	assert_string_equal(r->child->viewed_by[0]->via, "ffc-web");
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static void test_delegation_only_for_a_delegate(void **state)
{
	struct fixture *f = *state;
	add_operator(&f->access, "ffc-web", ACCESS_ADMIN);
	f->access.operators[f->access.n_operators - 1].delegate = 1;
	Ffc__V1__ChildRequest cr;
	Ffc__V1__ControlRequest req;
	/* An operator that is not a delegate may not speak for anyone. */
	child_request(&req, &cr);
	Ffc__V1__ControlReply *r = as_person(f, "a.dmin", "sam.jones", "practitioner", "x", &req);
	assert_string_equal(
	    r->error, "child: on_behalf_of: a.dmin may not speak for anyone (not a delegate)");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* A bad name or role is refused, not passed on. */
	r = as_person(f, "ffc-web", "sam jones", "practitioner", "x", &req);
	assert_string_equal(r->error, "child: on_behalf_of: 1 to 63 letters, digits and . _ - @");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = as_person(f, "ffc-web", "sam.jones", "root", "x", &req);
	assert_string_equal(r->error,
	                    "child: on_behalf_role: 'root' is not viewer, practitioner or admin");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* Speaking for nobody, a delegate relays alerts: a console of every
	 * level, nothing else. */
	r = as_person(f, "ffc-web", "", "", "x", &req);
	assert_string_equal(
	    r->error, "child: a console may only fetch alerts and notices; ffc-web is a console");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	Ffc__V1__AlertsRequest al = FFC__V1__ALERTS_REQUEST__INIT;
	Ffc__V1__ControlRequest lq = FFC__V1__CONTROL_REQUEST__INIT;
	lq.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS;
	lq.alerts = &al;
	r = as_person(f, "ffc-web", "", "", "", &lq);
	assert_string_equal(r->error, "");
	assert_int_equal(r->alerts->n_alerts, 1);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* A delegate's CURVE key likewise, whatever operator name it gives. */
	struct access_key *k = &f->access.keys[f->access.n_keys++];
	snprintf(k->name, sizeof k->name, "web-key");
	k->role = ACCESS_PRACTITIONER;
	k->delegate = 1;
	f->env.peer = "web-key";
	child_request(&req, &cr);
	r = as_person(f, "a.dmin", "sam.jones", "admin", "key", &req);
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	k->delegate = 0;
	r = as_person(f, "a.dmin", "sam.jones", "admin", "key", &req);
	assert_string_equal(
	    r->error, "child: on_behalf_of: web-key may not speak for anyone (not a delegate)");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	f->env.peer = NULL;
	/* With no operators configured, every ipc caller may (development). */
	f->access.n_operators = 0;
	r = as_person(f, "ffc-web", "sam.jones", "viewer", "x", &req);
	assert_string_equal(r->error, "child: needs the practitioner role; sam.jones is a viewer");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = as_person(f, "ffc-web", "sam.jones", "practitioner", "dev", &req);
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = audit(f, "x", "", "sam.jones", 0, 0);
	const Ffc__V1__AuditEntry *e = r->audit->entries[r->audit->n_entries - 1];
	assert_string_equal(e->by, "sam.jones");
	assert_string_equal(e->via, "ffc-web");
	assert_string_equal(e->purpose, "dev");
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_delegate_reads_and_changes_under_the_persons_name,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delegation_only_for_a_delegate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nothing_published_of_a_change_not_stored, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_viewer_refused_a_child_recorded_and_counted, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_and_unnamed_operators_refused, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_read_recorded_with_purpose_and_shown_as_viewed,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_changes_recorded_in_their_transaction, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_household_read_recorded_for_each_child, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_audit_filters_and_its_own_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_viewed_by_survives_a_merge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_operators_every_caller_admin, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_console_key_alerts_of_its_levels_only, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_refusal_flood_counted_exactly, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop_writes_what_is_counted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ipc_caller_is_its_unix_users_operator, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
