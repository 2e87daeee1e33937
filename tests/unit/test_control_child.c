/*
 * Unit tests for control_child.c and control_matches.c through
 * control_handle(): a chronology's alert states, identity records and
 * events, --since, and a household and the possible matches read after
 * children have merged (members resolved, shown once; a pair that became
 * one child dropped, the lower id first).
 *
 * Merges are written here as the linking records them: the merged child's
 * record gets merged_into, and a MERGED identity event names both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "control.h"
#include "ffc.pb-c.h"
#include "household.h"
#include "ingest.h"
#include "lifecycle.h"
#include "testutil.h"

#define NOW (T0 + 400 * DAY)

struct fixture {
	char *dir;
	struct store *s;
	struct rule rules[RULES_MAX];
	size_t n_rules;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	f->dir = test_tmpdir("ffc-control-child");
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	if (!f->s)
		return -1;
	f->n_rules = rules_defaults(f->rules, RULES_MAX);
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

/* Ingest one concern naming up to four children, each as NHS number,
 * given name, family name, date of birth ("" for absent). Returns the
 * receipt. */
static struct receipt send(struct fixture *f, const char *id, int severity, int64_t at,
                           const char *(*kids)[4], size_t n)
{
	Ffc__V1__ChildIdentity k[4], *kp[4];
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	for (size_t i = 0; i < n; i++) {
		ffc__v1__child_identity__init(&k[i]);
		k[i].nhs_number = (char *)(uintptr_t)kids[i][0];
		k[i].given_name = (char *)(uintptr_t)kids[i][1];
		k[i].family_name = (char *)(uintptr_t)kids[i][2];
		k[i].date_of_birth = (char *)(uintptr_t)kids[i][3];
		kp[i] = &k[i];
	}
	c.concern_id = (char *)(uintptr_t)id;
	c.agency = FFC__V1__AGENCY__POLICE;
	c.category = FFC__V1__CATEGORY__NEGLECT;
	c.severity = (Ffc__V1__Severity)severity;
	c.occurred_at_ms = at;
	c.n_children = n;
	c.children = kp;
	struct outbox raised = {0};
	int stored;
	struct receipt r = test_ingest_one(f->s, f->rules, f->n_rules, &c, NOW, &raised, &stored);
	assert_int_equal(stored, 1);
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	outbox_clear(&raised);
	return r;
}

/* Record that `other` merged into `child`, as the linking does. */
static void merge(struct fixture *f, uint64_t child, uint64_t other)
{
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	struct child_record ch;
	assert_int_equal(store_child_get(t, other, &ch), STORE_OK);
	ch.merged_into = child;
	assert_int_equal(store_child_put(t, &ch), STORE_OK);
	wire_child_release(&ch);
	struct identity_event e = {
	    .at_ms = NOW, .kind = IDEV_MERGED, .child = child, .other = other};
	snprintf(e.by, sizeof e.by, "ffcd");
	assert_int_equal(store_identity_event_add(t, &e), STORE_OK);
	/* As merge_children() does: the survivor joins the other's household. */
	int changed;
	assert_int_equal(household_child_merged(t, child, other, NOW, &changed), STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
}

static Ffc__V1__ControlReply *call(struct fixture *f, Ffc__V1__ControlRequest *req)
{
	struct daemon_info info = {.version = "test"};
	struct stats st = {0};
	struct alert_policy policy;
	lifecycle_defaults(&policy);
	struct outbox ob = {0};
	struct control_env env = {
	    .store = f->s, .info = &info, .stats = &st, .policy = &policy, .out = &ob};
	uint8_t buf[1024], *out = NULL;
	size_t out_len = 0;
	if (!req->purpose[0]) /* reads of a child's record need one */
		req->purpose = (char *)(uintptr_t) "unit test";
	size_t len = ffc__v1__control_request__pack(req, buf);
	control_handle(&env, buf, len, NOW, &out, &out_len);
	outbox_clear(&ob);
	assert_non_null(out);
	Ffc__V1__ControlReply *r = ffc__v1__control_reply__unpack(NULL, out_len, out);
	free(out);
	assert_non_null(r);
	return r;
}

static Ffc__V1__ControlReply *child(struct fixture *f, uint64_t id, int64_t since_ms)
{
	char cid[WIRE_ID_MAX];
	wire_child_id(id, cid);
	Ffc__V1__ChildRequest cr = FFC__V1__CHILD_REQUEST__INIT;
	cr.child_id = cid;
	cr.since_ms = since_ms;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CHILD;
	req.child = &cr;
	Ffc__V1__ControlReply *r = call(f, &req);
	assert_string_equal(r->error, "");
	assert_non_null(r->child);
	return r;
}

static Ffc__V1__ControlReply *matches(struct fixture *f, uint32_t limit)
{
	Ffc__V1__MatchesRequest mr = FFC__V1__MATCHES_REQUEST__INIT;
	mr.limit = limit;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_MATCHES;
	req.matches = &mr;
	return call(f, &req);
}

/* The household's child ids, in order, as "C1 C2". */
static const char *members(const Ffc__V1__ChildReply *c)
{
	static char out[256];
	out[0] = '\0';
	for (size_t i = 0; i < c->n_household; i++) {
		size_t o = strlen(out);
		snprintf(out + o, sizeof out - o, "%s%s", o ? " " : "", c->household[i]->child_id);
	}
	return out;
}

static void test_chronology(void **state)
{
	struct fixture *f = *state;
	const char *ella[1][4] = {{"9434765919", "Ella", "Smith", "2016-04-12"}};
	send(f, "c-1", FFC__V1__SEVERITY__HIGH, T0, ella, 1);
	send(f, "c-2", FFC__V1__SEVERITY__HIGH, T0 + DAY, ella, 1);
	send(f, "c-3", FFC__V1__SEVERITY__IMMEDIATE_RISK, T0 + 2 * DAY, ella, 1);

	Ffc__V1__ControlReply *r = child(f, 1, 0);
	const Ffc__V1__ChildReply *c = r->child;
	assert_int_equal(c->n_chronology, 3);
	assert_int_equal(c->n_identity_records, 1);
	assert_int_equal(c->identity_records[0]->agency, FFC__V1__AGENCY__POLICE);
	assert_string_equal(c->identity_records[0]->identity->nhs_number, "9434765919");
	assert_int_equal(c->identity_records[0]->first_seq, 1);
	assert_int_equal(c->identity_records[0]->first_seen_ms, NOW);
	assert_int_equal(c->n_identities, 1);
	/* cumulative-harm needs 8 (HIGH weighs 4): AMBER at c-2; immediate
	 * risk RED at c-3. Each with its state. */
	assert_int_equal(c->n_alerts, 2);
	for (size_t i = 0; i < c->n_alerts; i++)
		assert_int_equal(c->alerts[i]->state, FFC__V1__ALERT_STATE__OPEN);
	assert_int_equal(c->n_identity_events, 0);
	assert_int_equal(c->n_household, 0);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* Since the second day: two concerns; alerts were raised NOW. */
	r = child(f, 1, T0 + DAY);
	assert_int_equal(r->child->n_chronology, 2);
	assert_string_equal(r->child->chronology[0]->concern_id, "c-2");
	assert_int_equal(r->child->n_alerts, 2);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = child(f, 1, NOW + 1);
	assert_int_equal(r->child->n_chronology, 0);
	assert_int_equal(r->child->n_alerts, 0);
	assert_int_equal(r->child->n_identity_records, 1); /* always whole */
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* An identity event shows in both children's chronologies. */
	const char *other[1][4] = {{"6716689966", "", "", ""}};
	send(f, "c-4", FFC__V1__SEVERITY__LOW, T0, other, 1);
	merge(f, 1, 2);
	r = child(f, 1, 0);
	assert_int_equal(r->child->n_identity_events, 1);
	assert_int_equal(r->child->identity_events[0]->kind, FFC__V1__IDENTITY_EVENT__KIND__MERGED);
	assert_string_equal(r->child->identity_events[0]->other_child_id, "C00000002");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = child(f, 1, NOW + 1);
	assert_int_equal(r->child->n_identity_events, 0);
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static void test_household_after_merges(void **state)
{
	struct fixture *f = *state;
	const char *ab[2][4] = {{"9434765919", "Ella", "Smith", "2016-04-12"},
	                        {"6716689966", "Noah", "Smith", "2019-10-30"}};
	const char *c_[1][4] = {{"4010232137", "Mia", "Jones", "2012-01-01"}};
	const char *cd[2][4] = {{"4010232137", "Mia", "Jones", "2012-01-01"},
	                        {"", "Zac", "Jones", "2013-02-02"}};
	struct receipt r1 = send(f, "h-1", FFC__V1__SEVERITY__IMMEDIATE_RISK, T0, ab, 2);
	send(f, "h-0", FFC__V1__SEVERITY__LOW, T0, c_, 1);
	struct receipt r2 = send(f, "h-2", FFC__V1__SEVERITY__LOW, T0, cd, 2);
	assert_int_equal(r1.child_ids[0], 1);
	assert_int_equal(r1.child_ids[1], 2);
	assert_int_equal(r2.child_ids[0], 3);
	assert_int_equal(r2.child_ids[1], 4);

	Ffc__V1__ControlReply *r = child(f, 1, 0);
	assert_string_equal(members(r->child), "C00000002");
	const Ffc__V1__HouseholdMember *m = r->child->household[0];
	assert_string_equal(m->child->given_name, "Noah");
	assert_int_equal(m->n_open_alerts, 1);
	assert_string_equal(m->open_alerts[0]->rule, "immediate-risk");
	char noah_alert[32];
	snprintf(noah_alert, sizeof noah_alert, "%s", m->open_alerts[0]->alert_id);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* Acknowledged is still open work; closed is not. */
	Ffc__V1__AckRequest ack = FFC__V1__ACK_REQUEST__INIT;
	ack.alert_id = noah_alert;
	ack.by = (char *)(uintptr_t) "Sam";
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ACK;
	req.ack = &ack;
	r = call(f, &req);
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = child(f, 1, 0);
	assert_int_equal(r->child->household[0]->n_open_alerts, 1);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	Ffc__V1__CloseRequest close = FFC__V1__CLOSE_REQUEST__INIT;
	close.alert_id = noah_alert;
	close.by = (char *)(uintptr_t) "Sam";
	close.outcome = (char *)(uintptr_t) "no further action";
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CLOSE;
	req.close = &close;
	r = call(f, &req);
	assert_string_equal(r->error, "");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = child(f, 1, 0);
	assert_int_equal(r->child->household[0]->n_open_alerts, 0);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* Zac (4) turns out to be Ella (1): Ella's household (with Noah) and
	 * Zac's (with Mia) are one household now. */
	merge(f, 1, 4);
	r = child(f, 1, 0);
	assert_string_equal(members(r->child), "C00000002 C00000003");
	assert_string_equal(r->child->household_id, "H00000001");
	assert_int_equal(r->child->household[1]->n_open_alerts, 0);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = child(f, 3, 0);
	assert_string_equal(members(r->child), "C00000001 C00000002");
	assert_string_equal(r->child->household_id, "H00000001");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	/* Looked up by the merged id, the child is the survivor. */
	r = child(f, 4, 0);
	assert_string_equal(r->child->child_id, "C00000001");
	assert_string_equal(members(r->child), "C00000002 C00000003");
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* Mia (3) merges into Noah (2): shown once; and Noah's household
	 * no longer holds himself. */
	merge(f, 2, 3);
	r = child(f, 1, 0);
	assert_string_equal(members(r->child), "C00000002");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = child(f, 2, 0);
	assert_string_equal(members(r->child), "C00000001");
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static void test_matches_after_merges(void **state)
{
	struct fixture *f = *state;
	const char *ella[1][4] = {{"", "Ella", "Brown", "2016-04-12"}};
	const char *ela[1][4] = {{"", "Ela", "Brown", "2016-04-12"}};
	const char *kai[1][4] = {{"", "Kai", "Patel", "2015-03-02"}};
	const char *kai2[1][4] = {{"", "Kai", "Patel", "2015-02-03"}};
	const char *other[1][4] = {{"9434765919", "", "", ""}};
	send(f, "m-1", FFC__V1__SEVERITY__LOW, T0, ella, 1);  /* 1 */
	send(f, "m-2", FFC__V1__SEVERITY__LOW, T0, ela, 1);   /* 2 */
	send(f, "m-3", FFC__V1__SEVERITY__LOW, T0, kai, 1);   /* 3 */
	send(f, "m-4", FFC__V1__SEVERITY__LOW, T0, kai2, 1);  /* 4 */
	send(f, "m-5", FFC__V1__SEVERITY__LOW, T0, other, 1); /* 5 */

	Ffc__V1__ControlReply *r = matches(f, 0);
	assert_string_equal(r->error, "");
	assert_int_equal(r->matches->n_matches, 2);
	assert_string_equal(r->matches->matches[0]->child_id, "C00000001");
	assert_string_equal(r->matches->matches[0]->other_child_id, "C00000002");
	assert_int_equal(r->matches->matches[0]->kind,
	                 FFC__V1__POSSIBLE_MATCH__KIND__GIVEN_NAME_ONE_EDIT);
	assert_string_equal(r->matches->matches[0]->identity->given_name, "Ella");
	assert_string_equal(r->matches->matches[0]->other_identity->given_name, "Ela");
	assert_false(r->matches->more);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	r = matches(f, 1);
	assert_int_equal(r->matches->n_matches, 1);
	assert_true(r->matches->more);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* Ela was Ella: no longer a question. Kai (3) merged into 5: the
	 * pair now reads 4 and 5, lower first, each side's evidence with it. */
	merge(f, 1, 2);
	merge(f, 5, 3);
	r = matches(f, 0);
	assert_int_equal(r->matches->n_matches, 1);
	const Ffc__V1__PossibleMatch *m = r->matches->matches[0];
	assert_string_equal(m->child_id, "C00000004");
	assert_string_equal(m->other_child_id, "C00000005");
	assert_string_equal(m->identity->date_of_birth, "2015-02-03");
	assert_string_equal(m->other_identity->date_of_birth, "2015-03-02");
	assert_int_equal(m->kind, FFC__V1__POSSIBLE_MATCH__KIND__DATE_OF_BIRTH_TRANSPOSED);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	r = matches(f, 5001);
	assert_string_equal(r->error,
	                    "matches.limit: over the most one request may ask for (5000)");
	assert_null(r->matches);
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

static Ffc__V1__ControlReply *dismiss(struct fixture *f, const char *a, const char *b,
                                      const char *by, const char *reason)
{
	Ffc__V1__MatchDismissRequest dr = FFC__V1__MATCH_DISMISS_REQUEST__INIT;
	dr.child_id = (char *)(uintptr_t)a;
	dr.other_child_id = (char *)(uintptr_t)b;
	dr.reason = (char *)(uintptr_t)reason;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.operator_ = (char *)(uintptr_t)by;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_DISMISS_MATCH;
	req.dismiss_match = &dr;
	return call(f, &req);
}

static Ffc__V1__ControlReply *dismissed(struct fixture *f)
{
	Ffc__V1__MatchesRequest mr = FFC__V1__MATCHES_REQUEST__INIT;
	mr.dismissed = 1;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_MATCHES;
	req.matches = &mr;
	return call(f, &req);
}

/* Two records that name one pair after a merge are listed once and
 * dismissed together; a dismissed pair is not raised again. */
static void test_dismiss_after_merges(void **state)
{
	struct fixture *f = *state;
	const char *ella[1][4] = {{"", "Ella", "Brown", "2016-04-12"}};
	const char *ela[1][4] = {{"", "Ela", "Brown", "2016-04-12"}};
	const char *elle[1][4] = {{"", "Elle", "Brown", "2016-04-12"}};
	send(f, "d-1", FFC__V1__SEVERITY__LOW, T0, ella, 1); /* 1 */
	send(f, "d-2", FFC__V1__SEVERITY__LOW, T0, ela, 1);  /* 2 */
	send(f, "d-3", FFC__V1__SEVERITY__LOW, T0, elle, 1); /* 3: ~1 (Elle, Ela: two edits) */
	Ffc__V1__ControlReply *r = matches(f, 0);
	assert_int_equal(r->matches->n_matches, 2);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	merge(f, 2, 3); /* (1,2) and (1,3) now name one pair */
	r = matches(f, 0);
	assert_int_equal(r->matches->n_matches, 1);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* Named by the merged id, in either order. */
	r = dismiss(f, "C00000003", "C00000001", "j.doe", "cousins");
	assert_string_equal(r->error, "");
	const Ffc__V1__PossibleMatch *m = r->dismiss_match->match;
	assert_string_equal(m->child_id, "C00000001");
	assert_string_equal(m->other_child_id, "C00000002");
	assert_string_equal(m->dismissed_by, "j.doe");
	assert_string_equal(m->dismissed_reason, "cousins");
	assert_int_equal(m->dismissed_at_ms, NOW);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	r = matches(f, 0);
	assert_int_equal(r->matches->n_matches, 0);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = dismissed(f);
	assert_int_equal(r->matches->n_matches, 1);
	assert_string_equal(r->matches->matches[0]->dismissed_reason, "cousins");
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* Named again: the pair exists, so it stays dismissed. */
	send(f, "d-4", FFC__V1__SEVERITY__LOW, T0, ela, 1);
	send(f, "d-5", FFC__V1__SEVERITY__LOW, T0, ella, 1);
	r = matches(f, 0);
	assert_int_equal(r->matches->n_matches, 0);
	ffc__v1__control_reply__free_unpacked(r, NULL);

	/* Errors name what is wrong; nothing changes. */
	static const struct {
		const char *a, *b, *by, *reason, *error;
	} bad[] = {
	    {"C00000001", "C00000002", "", "x", "operator: required"},
	    {"C00000001", "C00000002", "j", "", "dismiss_match.reason: required"},
	    {"C1x", "C00000002", "j", "x",
	     "dismiss_match.child_id: not a child id (like C00000042)"},
	    {"C00000001", "", "j", "x",
	     "dismiss_match.other_child_id: not a child id (like C00000042)"},
	    {"C00000001", "C1", "j", "x",
	     "dismiss_match: child_id and other_child_id are the same child"},
	    {"C00000002", "C00000003", "j", "x",
	     "dismiss_match: C00000002 and C00000003 are one "
	     "child now"},
	    {"C00000001", "C00000009", "j", "x", "dismiss_match: no such child"},
	    {"C00000001", "C00000002", "j\xff", "x", "operator: not valid UTF-8"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = dismiss(f, bad[i].a, bad[i].b, bad[i].by, bad[i].reason);
		assert_string_equal(r->error, bad[i].error);
		assert_null(r->dismiss_match);
		ffc__v1__control_reply__free_unpacked(r, NULL);
	}
	const char *other[1][4] = {{"9434765919", "", "", ""}};
	send(f, "d-6", FFC__V1__SEVERITY__LOW, T0, other, 1); /* 4 */
	r = dismiss(f, "C00000001", "C00000004", "j", "x");
	assert_string_equal(r->error, "dismiss_match: C00000001 and C00000004 are not a possible "
	                              "match (see ffcctl matches)");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	r = dismissed(f);
	assert_int_equal(r->matches->n_matches, 1);
	assert_string_equal(r->matches->matches[0]->dismissed_by, "j.doe");
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_chronology, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_household_after_merges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_matches_after_merges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dismiss_after_merges, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
