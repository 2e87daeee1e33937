/*
 * Unit tests for ingest.c (with link.c, store.c and the default rules):
 * a batch gets the right receipts, a concern is stored once, children are
 * linked across agencies, alerts are raised once per level, escalate with
 * `supersedes`, judge back-filled concerns on event time, and a full map
 * grows without losing the batch.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ffc.pb-c.h"
#include "household.h"
#include "ingest.h"
#include "testutil.h"
#include "wire.h"

#define NOW (T0 + 400 * DAY)

struct fixture {
	char *dir;
	struct store *s;
	struct rule rules[RULES_MAX];
	size_t n_rules;
	struct outbox raised;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	f->dir = test_tmpdir("ffc-ingest");
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
	outbox_clear(&f->raised);
	store_close(&f->s);
	test_rmdir(f->dir);
	free(f);
	return 0;
}

/* A concern frame as an adapter would send it. */
struct frame {
	uint8_t *data;
	size_t len;
};

static struct frame frame(const char *id, int agency, int category, int severity, int64_t at,
                          const char *nhs, const char *upn, const char *local, const char *family)
{
	Ffc__V1__ChildIdentity kid = FFC__V1__CHILD_IDENTITY__INIT;
	Ffc__V1__ChildIdentity *kids[1] = {&kid};
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	kid.nhs_number = (char *)(uintptr_t)nhs;
	kid.upn = (char *)(uintptr_t)upn;
	kid.local_id = (char *)(uintptr_t)local;
	if (family[0]) {
		kid.family_name = (char *)(uintptr_t)family;
		kid.given_name = (char *)(uintptr_t) "Ella";
		kid.date_of_birth = (char *)(uintptr_t) "2015-03-02";
	}
	c.concern_id = (char *)(uintptr_t)id;
	c.agency = (Ffc__V1__Agency)agency;
	c.category = (Ffc__V1__Category)category;
	c.severity = (Ffc__V1__Severity)severity;
	c.occurred_at_ms = at;
	c.n_children = 1;
	c.children = kids;
	struct frame fr;
	fr.len = ffc__v1__concern__get_packed_size(&c);
	fr.data = malloc(fr.len + 1);
	ffc__v1__concern__pack(&c, fr.data);
	return fr;
}

/* Ingest frames as one batch; returns what ingest_batch returned and
 * copies the receipts out. */
static int batch_at(struct fixture *f, struct frame *frames, size_t n, struct receipt *out,
                    int64_t now_ms)
{
	struct ingest_item *items = calloc(n, sizeof *items);
	for (size_t i = 0; i < n; i++) {
		items[i].data = frames[i].data;
		items[i].len = frames[i].len;
	}
	struct ingest_limits limits = {.max_message = 64 * 1024};
	outbox_clear(&f->raised);
	int rc = ingest_batch(f->s, f->rules, f->n_rules, &limits, items, n, now_ms, &f->raised);
	for (size_t i = 0; i < n; i++) {
		out[i] = items[i].receipt;
		out[i].concern_id = ""; /* borrowed from the frame: do not keep */
	}
	ingest_items_release(items, n);
	free(items);
	for (size_t i = 0; i < n; i++)
		free(frames[i].data);
	return rc;
}

static int batch(struct fixture *f, struct frame *frames, size_t n, struct receipt *out)
{
	return batch_at(f, frames, n, out, NOW);
}

static struct receipt one(struct fixture *f, struct frame fr)
{
	struct receipt r;
	batch(f, &fr, 1, &r);
	return r;
}

static void test_accept_duplicate_reuse(void **state)
{
	struct fixture *f = *state;
	struct receipt r = one(f, frame("p1", 1, 1, 2, T0, "9434765919", "", "", ""));
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	assert_int_equal(r.seq, 1);
	assert_int_equal(r.n_child_ids, 1);
	uint64_t child = r.child_ids[0];

	r = one(f, frame("p1", 1, 1, 2, T0, "9434765919", "", "", ""));
	assert_int_equal(r.status, RECEIPT_DUPLICATE);
	assert_int_equal(r.seq, 1);
	assert_int_equal(r.child_ids[0], child);

	r = one(f, frame("p1", 1, 1, 3, T0, "9434765919", "", "", ""));
	assert_int_equal(r.status, RECEIPT_REJECTED);
	assert_string_equal(r.error, "concern_id: reused with different content");

	/* The same id from another agency is another concern. */
	r = one(f, frame("p1", 2, 1, 2, T0, "9434765919", "", "", ""));
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	assert_int_equal(r.seq, 2);
}

static void test_rejections_before_store(void **state)
{
	struct fixture *f = *state;
	struct frame frames[4];
	frames[0] = frame("bad-nhs", 1, 1, 2, T0, "9434765918", "", "", "");
	frames[1] = frame("ok", 1, 1, 2, T0, "9434765919", "", "", "");
	frames[2].data = malloc(4);
	memcpy(frames[2].data, "\xff\xff\xff\xff", 4);
	frames[2].len = 4;
	frames[3].len = 70000;
	frames[3].data = calloc(1, frames[3].len);
	struct receipt r[4];
	assert_int_equal(batch(f, frames, 4, r), 1);
	assert_int_equal(r[0].status, RECEIPT_REJECTED);
	assert_non_null(strstr(r[0].error, "children[0].nhs_number"));
	assert_int_equal(r[1].status, RECEIPT_ACCEPTED);
	assert_int_equal(r[1].seq, 1); /* rejected ones take no seq */
	assert_int_equal(r[2].status, RECEIPT_REJECTED);
	assert_string_equal(r[2].error, "frame: not a serialized ffc.v1.Concern");
	assert_int_equal(r[3].status, RECEIPT_REJECTED);
	assert_string_equal(r[3].error, "frame: 70000 bytes over the limit of 65536");
}

static void test_duplicate_within_one_batch(void **state)
{
	struct fixture *f = *state;
	struct frame frames[2] = {
	    frame("twice", 3, 11, 1, T0, "", "B801200005001", "", ""),
	    frame("twice", 3, 11, 1, T0, "", "B801200005001", "", ""),
	};
	struct receipt r[2];
	assert_int_equal(batch(f, frames, 2, r), 1);
	assert_int_equal(r[0].status, RECEIPT_ACCEPTED);
	assert_int_equal(r[1].status, RECEIPT_DUPLICATE);
	assert_int_equal(r[1].seq, r[0].seq);
}

static void test_linking_across_agencies(void **state)
{
	struct fixture *f = *state;
	/* Health knows the NHS number, the school the UPN; one concern names
	 * both; police know a local id and the name. */
	struct receipt h = one(f, frame("h1", 2, 12, 1, T0, "9434765919", "", "", ""));
	struct receipt e = one(f, frame("e1", 3, 11, 1, T0, "", "B801200005001", "", ""));
	assert_int_not_equal(h.child_ids[0], e.child_ids[0]);
	struct receipt both =
	    one(f, frame("h2", 2, 12, 1, T0, "943 476 5919", "b801200005001", "", ""));
	assert_int_equal(both.child_ids[0], h.child_ids[0]);
	struct receipt p1 = one(f, frame("p1", 1, 1, 2, T0, "", "", "PER-1", "Smith"));
	struct receipt p2 = one(f, frame("p2", 1, 1, 2, T0, "", "", "PER-1", ""));
	assert_int_equal(p1.child_ids[0], p2.child_ids[0]);
	/* Same local id from another agency is not the same child. */
	struct receipt o = one(f, frame("o1", 5, 15, 1, T0, "", "", "PER-1", ""));
	assert_int_not_equal(o.child_ids[0], p1.child_ids[0]);
	/* Demographics alone link to the police child (names fold). */
	struct receipt d = one(f, frame("e2", 3, 11, 1, T0, "", "", "", "SMITH"));
	assert_int_equal(d.child_ids[0], p1.child_ids[0]);
	/* A different NHS number is never put under a child that has one. */
	struct receipt x = one(f, frame("h3", 2, 12, 1, T0, "9876543210", "B801200005001", "", ""));
	assert_int_not_equal(x.child_ids[0], h.child_ids[0]);
}

static const struct alert *find_alert(const struct fixture *f, const char *rule, int level)
{
	/* Evidence on an open alert is published too, with no alert. */
	for (size_t i = 0; i < f->raised.n; i++)
		if (f->raised.items[i].alert && !strcmp(f->raised.items[i].alert->rule, rule) &&
		    (int)f->raised.items[i].alert->level == level)
			return f->raised.items[i].alert;
	return NULL;
}

/* The alert find_alert() finds, which the test needs: failing when none. */
static const struct alert *raised(const struct fixture *f, const char *rule, int level)
{
	const struct alert *a = find_alert(f, rule, level);
	if (!a) {
		fail_msg("no %s alert at level %d raised", rule, level);
		abort();
	}
	return a;
}

static void test_multi_agency_escalates(void **state)
{
	struct fixture *f = *state;
	const char *nhs = "9434765919";
	struct receipt r = one(f, frame("p", 1, 1, 1, T0, nhs, "", "", ""));
	assert_int_equal(f->raised.n, 0);
	r = one(f, frame("e", 3, 11, 1, T0 + 10 * DAY, nhs, "", "", ""));
	const struct alert *amber = raised(f, "multi-agency", LEVEL_AMBER);
	assert_int_equal(amber->seq, 1);
	assert_string_equal(amber->supersedes, "");
	assert_int_equal(amber->n_evidence, 2);
	char amber_id[WIRE_ID_MAX];
	strcpy(amber_id, amber->alert_id);

	/* More evidence at the same level raises nothing new. */
	r = one(f, frame("e2", 3, 11, 1, T0 + 11 * DAY, nhs, "", "", ""));
	assert_null(find_alert(f, "multi-agency", LEVEL_AMBER));

	r = one(f, frame("h", 2, 12, 1, T0 + 30 * DAY, nhs, "", "", ""));
	const struct alert *red = raised(f, "multi-agency", LEVEL_RED);
	assert_string_equal(red->supersedes, amber_id);
	assert_int_equal(red->seq, 2);
	assert_non_null(strstr(red->reason, "police"));
	assert_non_null(strstr(red->reason, "health"));
	assert_non_null(strstr(red->reason, "education"));
	assert_string_equal(red->display.nhs_number, nhs);
	(void)r;

	/* The superseded alert is stored as such. */
	struct store_txn *t;
	struct alert *a = calloc(1, sizeof *a);
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_alert_get(t, 1, a), STORE_OK);
	assert_int_equal(a->state, ALERT_SUPERSEDED);
	assert_string_equal(a->superseded_by, "A00000002");
	store_abort(&t);
	free(a);
}

static int count_cited(const void *data, size_t len, void *arg)
{
	struct alert_evidence e;
	int rc = wire_alert_event_evidence(data, len, &e);
	assert_true(rc >= 0);
	*(int *)arg += rc;
	return 0;
}

/* A concern that joins an open alert is published and kept in the
 * alert's history, which adds it to the evidence the alert is read with;
 * the alert's record is not rewritten for it. */
static void test_evidence_kept_in_history(void **state)
{
	struct fixture *f = *state;
	const char *nhs = "9434765919";
	one(f, frame("p", 1, 1, 1, T0, nhs, "", "", ""));
	one(f, frame("e", 3, 11, 1, T0 + 10 * DAY, nhs, "", "", ""));
	assert_int_equal(raised(f, "multi-agency", LEVEL_AMBER)->seq, 1);
	struct store_txn *t;
	const void *data;
	size_t len, before_len;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_alert_raw(t, 1, &data, &len), STORE_OK);
	uint8_t *before = malloc(len);
	memcpy(before, data, len);
	before_len = len;
	store_abort(&t);

	struct receipt r = one(f, frame("e2", 3, 11, 1, T0 + 11 * DAY, nhs, "", "", ""));
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	assert_int_equal(f->raised.n, 1);
	assert_string_equal(f->raised.items[0].topic, "event.evidence.amber.multi-agency");
	Ffc__V1__AlertChange *ch =
	    ffc__v1__alert_change__unpack(NULL, f->raised.items[0].len, f->raised.items[0].data);
	assert_non_null(ch);
	assert_int_equal(ch->seq, 1);
	assert_string_equal(ch->alert_id, "A00000001");
	assert_int_equal(ch->state, FFC__V1__ALERT_STATE__OPEN);
	assert_int_equal(ch->event->action, FFC__V1__ALERT_EVENT__ACTION__EVIDENCE);
	assert_non_null(ch->concern);
	assert_string_equal(ch->concern->concern_id, "e2");
	assert_int_equal(ch->concern->agency, FFC__V1__AGENCY__EDUCATION);
	ffc__v1__alert_change__free_unpacked(ch, NULL);

	struct alert *a = calloc(1, sizeof *a);
	int cited = 0;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_alert_raw(t, 1, &data, &len), STORE_OK);
	assert_int_equal(len, before_len);
	assert_memory_equal(data, before, len);
	assert_int_equal(store_alert_get(t, 1, a), STORE_OK);
	assert_int_equal(a->n_evidence, 3);
	assert_string_equal(a->evidence[2].concern_id, "e2");
	assert_int_equal(a->evidence[2].agency, 3);
	assert_int_equal(store_alert_events(t, 1, count_cited, &cited), STORE_OK);
	assert_int_equal(cited, 1);
	store_abort(&t);

	/* Sent again: a duplicate, heard once. */
	r = one(f, frame("e2", 3, 11, 1, T0 + 11 * DAY, nhs, "", "", ""));
	assert_int_equal(r.status, RECEIPT_DUPLICATE);
	assert_int_equal(f->raised.n, 0);
	free(a);
	free(before);
}

static void test_window_edge_and_backfill(void **state)
{
	struct fixture *f = *state;
	const char *nhs = "4010232137";
	one(f, frame("p", 1, 1, 1, T0, nhs, "", "", ""));
	/* 30 days and 1 ms later: outside the window. */
	one(f, frame("h", 2, 12, 1, T0 + 30 * DAY + 1, nhs, "", "", ""));
	assert_null(find_alert(f, "multi-agency", LEVEL_AMBER));
	/* A back-filled concern between them joins both windows. */
	one(f, frame("e", 3, 11, 1, T0 + 15 * DAY, nhs, "", "", ""));
	const struct alert *a = raised(f, "multi-agency", LEVEL_AMBER);
	assert_int_equal(a->n_evidence, 2);
}

/* A concern naming several children, each given as NHS number (may be
 * ""), given name, family name, date of birth and postcode. */
static struct frame named(const char *id, int agency, int64_t at, const char *(*kids)[5], size_t n)
{
	Ffc__V1__ChildIdentity k[4], *kp[4];
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	assert_true(n <= 4);
	for (size_t i = 0; i < n; i++) {
		ffc__v1__child_identity__init(&k[i]);
		k[i].nhs_number = (char *)(uintptr_t)kids[i][0];
		k[i].given_name = (char *)(uintptr_t)kids[i][1];
		k[i].family_name = (char *)(uintptr_t)kids[i][2];
		k[i].date_of_birth = (char *)(uintptr_t)kids[i][3];
		k[i].postcode = (char *)(uintptr_t)kids[i][4];
		kp[i] = &k[i];
	}
	c.concern_id = (char *)(uintptr_t)id;
	c.agency = (Ffc__V1__Agency)agency;
	c.category = FFC__V1__CATEGORY__NEGLECT;
	c.severity = FFC__V1__SEVERITY__LOW;
	c.occurred_at_ms = at;
	c.n_children = n;
	c.children = kp;
	struct frame fr;
	fr.len = ffc__v1__concern__get_packed_size(&c);
	fr.data = malloc(fr.len + 1);
	ffc__v1__concern__pack(&c, fr.data);
	return fr;
}

struct members {
	size_t n;
	uint64_t v[8];
};

/* The other children of child's household. */
static struct members household_of(struct fixture *f, uint64_t child)
{
	struct members l = {0};
	struct store_txn *t;
	uint64_t all[HOUSEHOLD_MEMBERS_MAX], household;
	size_t n;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(household_members(t, child, &household, all, &n), STORE_OK);
	store_abort(&t);
	for (size_t i = 0; i < n; i++)
		if (all[i] != child) {
			assert_true(l.n < 8);
			l.v[l.n++] = all[i];
		}
	return l;
}

static int count_match(uint64_t child, uint64_t other, const void *rec, size_t len, void *arg)
{
	(void)rec;
	assert_true(child < other);
	assert_true(len > 0);
	(*(size_t *)arg)++;
	return 0;
}

static size_t matches(struct fixture *f)
{
	size_t n = 0;
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_match_each(t, count_match, &n), STORE_OK);
	store_abort(&t);
	return n;
}

/* Children named in one concern are each other's household, and never
 * each other's possible match; none is a member of its own household. */
static void test_household_edges(void **state)
{
	struct fixture *f = *state;
	const char *three[3][5] = {
	    {"9434765919", "Jon", "Rees", "2018-08-08", "LS1 4AP"},
	    {"", "Jan", "Rees", "2018-08-08", "LS1 4AP"},
	    {"6716689966", "Mia", "Rees", "2012-01-01", ""},
	};
	struct receipt r = one(f, named("house-2", FFC__V1__AGENCY__POLICE, T0, three, 3));
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	assert_int_equal(r.n_child_ids, 3);
	for (size_t i = 0; i < 3; i++) {
		struct members m = household_of(f, r.child_ids[i]);
		assert_int_equal(m.n, 2);
		for (size_t j = 0; j < m.n; j++)
			assert_int_not_equal(m.v[j], r.child_ids[i]);
	}
	/* Twins one edit apart, named together: two children, no match. */
	assert_int_equal(matches(f), 0);

	/* A child named alone has no household; naming the same child twice
	 * in one concern makes no edge to itself. */
	const char *alone[2][5] = {
	    {"4010232137", "Kai", "Lee", "2015-05-05", ""},
	    {"4010232137", "Kai", "Lee", "2015-05-05", ""},
	};
	r = one(f, named("alone", FFC__V1__AGENCY__HEALTH, T0, alone, 1));
	assert_int_equal(household_of(f, r.child_ids[0]).n, 0);
	r = one(f, named("twice", FFC__V1__AGENCY__HEALTH, T0 + DAY, alone, 2));
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	assert_int_equal(r.child_ids[0], r.child_ids[1]);
	assert_int_equal(household_of(f, r.child_ids[0]).n, 0);

	/* The same household again adds no edge twice. */
	r = one(f, named("house-3", FFC__V1__AGENCY__HEALTH, T0 + DAY, three, 3));
	assert_int_equal(household_of(f, r.child_ids[0]).n, 2);
}

/* A child is searched for possible matches when it is named with names,
 * a date of birth or a postcode its record does not hold yet; named
 * again so, by any agency, it is not searched again (the children filed
 * since searched for it). Twins named together are no match; named
 * alone as before, by the same agency or another, still none; named
 * without the postcode, the search finds the other twin. */
static void test_possible_matches_searched_for_new_identities(void **state)
{
	struct fixture *f = *state;
	const char *twins[2][5] = {
	    {"", "Jon", "Rees", "2018-08-08", "LS1 4AP"},
	    {"", "Jan", "Rees", "2018-08-08", "LS1 4AP"},
	};
	const char *no_postcode[1][5] = {{"", "Jon", "Rees", "2018-08-08", ""}};
	struct receipt r = one(f, named("tw-1", FFC__V1__AGENCY__POLICE, T0, twins, 2));
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	assert_int_equal(matches(f), 0);
	r = one(f, named("tw-2", FFC__V1__AGENCY__POLICE, T0 + DAY, twins, 1));
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	assert_int_equal(matches(f), 0);
	r = one(f, named("tw-3", FFC__V1__AGENCY__HEALTH, T0 + DAY, twins, 1));
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	assert_int_equal(matches(f), 0);
	struct receipt jon =
	    one(f, named("tw-4", FFC__V1__AGENCY__HEALTH, T0 + DAY, no_postcode, 1));
	assert_int_equal(jon.status, RECEIPT_ACCEPTED);
	assert_int_equal(jon.child_ids[0], r.child_ids[0]);
	assert_int_equal(matches(f), 1);
}

/* Two children alike but for their NHS numbers stay two. Named again as
 * before, each is its own child at once: no new conflict and nothing
 * merged, however alike the other. */
static void test_held_identity_links_at_once(void **state)
{
	struct fixture *f = *state;
	const char *x[1][5] = {{"9434765919", "Jon", "Rees", "2018-08-08", "LS1 4AP"}};
	const char *z[1][5] = {{"4010232137", "Jon", "Rees", "2018-08-08", "LS1 4AP"}};
	struct receipt rx = one(f, named("h-1", FFC__V1__AGENCY__POLICE, T0, x, 1));
	struct receipt rz = one(f, named("h-2", FFC__V1__AGENCY__POLICE, T0, z, 1));
	assert_int_equal(rz.status, RECEIPT_ACCEPTED);
	assert_int_not_equal(rx.child_ids[0], rz.child_ids[0]);
	uint64_t conflicts = test_counter(f->s, "identity.conflict");
	struct receipt again = one(f, named("h-3", FFC__V1__AGENCY__POLICE, T0 + DAY, x, 1));
	assert_int_equal(again.status, RECEIPT_ACCEPTED);
	assert_int_equal(again.child_ids[0], rx.child_ids[0]);
	again = one(f, named("h-4", FFC__V1__AGENCY__POLICE, T0 + DAY, z, 1));
	assert_int_equal(again.child_ids[0], rz.child_ids[0]);
	assert_int_equal(test_counter(f->s, "identity.conflict"), conflicts);
	/* Another agency naming either as before: its own child, as ever. */
	again = one(f, named("h-5", FFC__V1__AGENCY__HEALTH, T0 + DAY, x, 1));
	assert_int_equal(again.child_ids[0], rx.child_ids[0]);
	again = one(f, named("h-6", FFC__V1__AGENCY__EDUCATION, T0 + DAY, z, 1));
	assert_int_equal(again.child_ids[0], rz.child_ids[0]);
	assert_int_equal(test_counter(f->s, "identity.conflict"), conflicts);
	/* Named without an NHS number, the names alone fit both: linked to
	 * neither, as before. */
	const char *either[1][5] = {{"", "Jon", "Rees", "2018-08-08", "LS1 4AP"}};
	again = one(f, named("h-7", FFC__V1__AGENCY__HEALTH, T0 + DAY, either, 1));
	assert_int_equal(again.status, RECEIPT_ACCEPTED);
	assert_int_not_equal(again.child_ids[0], rx.child_ids[0]);
	assert_int_not_equal(again.child_ids[0], rz.child_ids[0]);
}

/* Possible matches are found as children are filed, recorded once per
 * pair, and never linked. */
static void test_possible_matches_recorded_once(void **state)
{
	struct fixture *f = *state;
	const char *ella[1][5] = {{"", "Ella", "Brown", "2016-04-12", "LS1 4AP"}};
	const char *ela[1][5] = {{"", "Ela", "Brown", "2016-04-12", "LS14AP"}};
	const char *moved[1][5] = {{"", "Ella", "Brown", "2016-04-12", "M1 1AA"}};
	const char *swapped[1][5] = {{"", "Ella", "Brown", "2016-12-04", ""}};
	const char *far[1][5] = {{"", "Elena", "Brown", "2016-04-12", ""}};
	struct receipt a = one(f, named("m-1", FFC__V1__AGENCY__POLICE, T0, ella, 1));
	struct receipt b = one(f, named("m-2", FFC__V1__AGENCY__HEALTH, T0, ela, 1));
	assert_int_not_equal(a.child_ids[0], b.child_ids[0]);
	assert_int_equal(matches(f), 1);
	/* The same child named again: still one pair. */
	one(f, named("m-3", FFC__V1__AGENCY__EDUCATION, T0, ela, 1));
	assert_int_equal(matches(f), 1);
	/* Moved: a match of the first Ella (postcode) and of Ela (none: two
	 * differences). */
	struct receipt c = one(f, named("m-4", FFC__V1__AGENCY__HEALTH, T0, moved, 1));
	assert_int_not_equal(c.child_ids[0], a.child_ids[0]);
	assert_int_equal(matches(f), 2);
	/* Day and month swapped: found through the swapped probe. */
	struct receipt d = one(f, named("m-5", FFC__V1__AGENCY__HEALTH, T0, swapped, 1));
	assert_int_not_equal(d.child_ids[0], a.child_ids[0]);
	assert_int_equal(matches(f), 4); /* with Ella at LS14AP and at M11AA */
	one(f, named("m-6", FFC__V1__AGENCY__HEALTH, T0, far, 1));
	assert_int_equal(matches(f), 4);

	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_counter_get(t, "matches"), 4);
	assert_int_equal(store_counter_get(t, "match.DIFFERENT_POSTCODE"), 1);
	assert_int_equal(store_counter_get(t, "match.GIVEN_NAME_ONE_EDIT"), 1);
	assert_int_equal(store_counter_get(t, "match.DATE_OF_BIRTH_TRANSPOSED"), 2);
	store_abort(&t);
}

static void test_immediate_risk_and_household(void **state)
{
	struct fixture *f = *state;
	Ffc__V1__ChildIdentity k1 = FFC__V1__CHILD_IDENTITY__INIT,
	                       k2 = FFC__V1__CHILD_IDENTITY__INIT;
	Ffc__V1__ChildIdentity *kids[2] = {&k1, &k2};
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	k1.nhs_number = (char *)(uintptr_t) "9434765919";
	k2.nhs_number = (char *)(uintptr_t) "6716689966";
	c.concern_id = (char *)(uintptr_t) "house-1";
	c.agency = FFC__V1__AGENCY__POLICE;
	c.category = FFC__V1__CATEGORY__PHYSICAL_ABUSE;
	c.severity = FFC__V1__SEVERITY__IMMEDIATE_RISK;
	c.occurred_at_ms = T0;
	c.n_children = 2;
	c.children = kids;
	struct frame fr;
	fr.len = ffc__v1__concern__get_packed_size(&c);
	fr.data = malloc(fr.len);
	ffc__v1__concern__pack(&c, fr.data);
	struct receipt r = one(f, fr);
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	assert_int_equal(r.n_child_ids, 2);
	assert_int_not_equal(r.child_ids[0], r.child_ids[1]);
	/* One RED immediate-risk alert for each child. */
	assert_int_equal(f->raised.n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(f->raised.items[i].alert->rule, "immediate-risk");
		assert_int_equal(f->raised.items[i].alert->level, LEVEL_RED);
		assert_int_equal(f->raised.items[i].alert->child, r.child_ids[i]);
	}
}

static void test_grows_full_map(void **state)
{
	struct fixture *f = *state;
	char err[256];
	store_close(&f->s);
	f->s = store_open(f->dir, 64 << 10, 64 << 20, err, sizeof err);
	assert_non_null(f->s);
	uint64_t start = store_map_size(f->s);
	enum { N = 200 };
	struct frame frames[N];
	char ids[N][16];
	for (int i = 0; i < N; i++) {
		snprintf(ids[i], sizeof ids[i], "g%d", i);
		frames[i] = frame(ids[i], 1 + i % 3, 1 + i % 15, 1 + i % 3, T0 + i * DAY,
		                  i % 2 ? "9434765919" : "", i % 2 ? "" : "B801200005001", "", "");
	}
	struct receipt r[N];
	assert_int_equal(batch(f, frames, N, r), N);
	for (int i = 0; i < N; i++)
		assert_int_equal(r[i].status, RECEIPT_ACCEPTED);
	assert_true(store_map_size(f->s) > start);
}

/* A concern for another agency than the sending key's is refused before
 * the store sees it; its own agency passes; a key removed since (bound to
 * no agency) files nothing. */
static void test_agency_binding(void **state)
{
	struct fixture *f = *state;
	struct frame fr[3] = {
	    frame("b1", 2, 12, 2, T0, "9434765919", "", "", ""),
	    frame("b2", 1, 1, 2, T0, "9434765919", "", "", ""),
	    frame("b3", 1, 1, 2, T0, "9434765919", "", "", ""),
	};
	struct ingest_item items[3];
	memset(items, 0, sizeof items);
	const int bound[3] = {1, 1, -1};
	for (size_t i = 0; i < 3; i++) {
		items[i].data = fr[i].data;
		items[i].len = fr[i].len;
		items[i].agency_bound = bound[i];
	}
	struct ingest_limits limits = {.max_message = 64 * 1024};
	assert_int_equal(
	    ingest_batch(f->s, f->rules, f->n_rules, &limits, items, 3, NOW, &f->raised), 1);
	assert_int_equal(items[0].receipt.status, RECEIPT_REJECTED);
	assert_string_equal(items[0].receipt.error, "agency: not permitted for this adapter");
	assert_int_equal(items[1].receipt.status, RECEIPT_ACCEPTED);
	assert_int_equal(items[2].receipt.status, RECEIPT_REJECTED);
	assert_string_equal(items[2].receipt.error, "agency: not permitted for this adapter");
	ingest_items_release(items, 3);
	for (size_t i = 0; i < 3; i++)
		free(fr[i].data);
}

/* The test hook: concern_id "poison" fails inside its savepoint, after it
 * was stored and judged (so it had writes and alerts to undo). */
static int poison_hook(const struct concern *c, void *arg)
{
	int *calls = arg;
	(*calls)++;
	return strcmp(c->concern_id, "poison") == 0;
}

/* One concern failing inside the write transaction is rejected alone: the
 * others of its batch are stored with consecutive seqs, its alert (an
 * IMMEDIATE_RISK, which raises RED at once) is neither stored nor
 * published, and its child never existed. */
static void test_poison_rejected_alone(void **state)
{
	struct fixture *f = *state;
	int calls = 0;
	ingest_set_fault_hook(poison_hook, &calls);
	struct frame fr[4] = {
	    frame("v1", 1, 1, 2, T0, "9434765919", "", "", ""),
	    frame("poison", 2, 1, 4, T0, "", "B801200005001", "", ""),
	    frame("v2", 2, 1, 2, T0 + DAY, "9434765919", "", "", ""),
	    frame("v3", 3, 1, 2, T0 + 2 * DAY, "9434765919", "", "", ""),
	};
	struct receipt r[4];
	assert_int_equal(batch(f, fr, 4, r), 3);
	ingest_set_fault_hook(NULL, NULL);
	assert_true(calls >= 4);
	assert_int_equal(r[0].status, RECEIPT_ACCEPTED);
	assert_int_equal(r[1].status, RECEIPT_REJECTED);
	assert_string_equal(r[1].error, "test fault failed; this concern not stored");
	assert_int_equal(r[1].seq, 0);
	assert_int_equal(r[2].status, RECEIPT_ACCEPTED);
	assert_int_equal(r[3].status, RECEIPT_ACCEPTED);
	assert_int_equal(r[0].seq, 1);
	assert_int_equal(r[2].seq, 2);
	assert_int_equal(r[3].seq, 3);
	/* multi-agency AMBER then RED for the valid child; nothing RED from
	 * immediate-risk, which only the poison one met. */
	assert_int_equal(f->raised.n, 2);
	for (size_t i = 0; i < f->raised.n; i++) {
		assert_string_equal(f->raised.items[i].alert->rule, "multi-agency");
		assert_int_equal(f->raised.items[i].alert->seq, i + 1);
		assert_int_equal(f->raised.items[i].alert->child, r[0].child_ids[0]);
	}
	struct store_txn *t;
	uint64_t seq;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_concern_find(t, 2, "poison", &seq), STORE_NOTFOUND);
	assert_int_equal(store_counter_get(t, "concerns"), 3);
	assert_int_equal(store_counter_get(t, "children"), 1);
	assert_int_equal(store_last_alert_seq(t), 2);
	store_abort(&t);

	/* Without the fault it is an ordinary concern. */
	struct receipt again = one(f, frame("poison", 2, 1, 4, T0, "", "B801200005001", "", ""));
	assert_int_equal(again.status, RECEIPT_ACCEPTED);
	assert_int_equal(again.seq, 4);
	assert_int_equal(f->raised.n, 1);
	assert_string_equal(f->raised.items[0].alert->rule, "immediate-risk");
	assert_int_equal(f->raised.items[0].alert->seq, 3);
}

/* Impossible times are refused before the store, naming the field, and
 * the valid concerns of the batch are stored. (Before times were bounded,
 * occurred_at_ms near INT64_MIN overflowed the rules' window arithmetic
 * and failed every concern batched with it.) */
static void test_impossible_times_alone(void **state)
{
	struct fixture *f = *state;
	const int64_t bad[] = {INT64_MIN, INT64_MIN + 1, -INT64_C(3000000) * 365 * DAY, INT64_MAX,
	                       NOW + 5 * 60 * 1000 + 1};
	const char *why[] = {"occurred_at_ms: before 1900-01-01",
	                     "occurred_at_ms: before 1900-01-01",
	                     "occurred_at_ms: before 1900-01-01",
	                     "occurred_at_ms: more than 5 minutes in the future",
	                     "occurred_at_ms: more than 5 minutes in the future"};
	enum { N = sizeof bad / sizeof bad[0] };
	struct frame fr[2 * N + 1];
	char ids[2 * N + 1][16];
	for (size_t i = 0; i < 2 * N + 1; i++) {
		snprintf(ids[i], sizeof ids[i], "%s%zu", i % 2 ? "bad" : "ok", i);
		fr[i] = frame(ids[i], 1 + i % 3, 1, 2, i % 2 ? bad[i / 2] : T0 + (int64_t)i * DAY,
		              "9434765919", "", "", "");
	}
	struct receipt r[2 * N + 1];
	assert_int_equal(batch(f, fr, 2 * N + 1, r), N + 1);
	for (size_t i = 0; i < 2 * N + 1; i++) {
		if (i % 2) {
			assert_int_equal(r[i].status, RECEIPT_REJECTED);
			assert_string_equal(r[i].error, why[i / 2]);
		} else {
			assert_int_equal(r[i].status, RECEIPT_ACCEPTED);
		}
	}
}

/* A full disk rejects the whole batch, saying so with the directory, and
 * nothing of it is stored; with space again the batch goes in. */
static void test_disk_full_receipt(void **state)
{
	struct fixture *f = *state;
	struct frame fr[2] = {
	    frame("d1", 1, 1, 4, T0, "9434765919", "", "", ""),
	    frame("d2", 2, 1, 2, T0, "9434765919", "", "", ""),
	};
	struct receipt r[2];
	store_inject_error(f->s, ENOSPC, 1);
	assert_int_equal(batch(f, fr, 2, r), -1);
	char want[VALIDATE_ERR_MAX];
	snprintf(want, sizeof want, "store: disk full in %s; not stored, send again", f->dir);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(r[i].status, RECEIPT_REJECTED);
		assert_string_equal(r[i].error, want);
	}
	assert_int_equal(f->raised.n, 0);
	assert_int_equal(store_fault(f->s)->disk_full, 1);

	store_inject_error(f->s, EIO, 1);
	fr[0] = frame("d1", 1, 1, 4, T0, "9434765919", "", "", "");
	fr[1] = frame("d2", 2, 1, 2, T0, "9434765919", "", "", "");
	assert_int_equal(batch(f, fr, 2, r), -1);
	assert_string_equal(r[0].error, "store: I/O error; not stored, send again");

	fr[0] = frame("d1", 1, 1, 4, T0, "9434765919", "", "", "");
	fr[1] = frame("d2", 2, 1, 2, T0, "9434765919", "", "", "");
	assert_int_equal(batch(f, fr, 2, r), 2);
	assert_int_equal(r[0].seq, 1);
	assert_int_equal(r[1].seq, 2);
	assert_int_equal(store_fault(f->s)->last, STORE_OK);
}

/* The child's record is rewritten for a known identity only when its last
 * sighting moves on by a day: what was seen, and when to within a day, is
 * kept without a write per concern. */
static void test_last_seen_to_the_day(void **state)
{
	struct fixture *f = *state;
	const int64_t hour = 3600 * 1000LL;
	struct receipt r;
	struct frame fr = frame("h1", 2, 1, 1, T0, "9434765919", "", "", "Smith");
	batch_at(f, &fr, 1, &r, NOW);
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	uint64_t child = r.child_ids[0];
	const int64_t sent[] = {NOW + hour, NOW + 23 * hour, NOW + 25 * hour, NOW + 26 * hour};
	const int64_t seen[] = {NOW, NOW, NOW + 25 * hour, NOW + 25 * hour};
	for (size_t i = 0; i < 4; i++) {
		char id[8];
		snprintf(id, sizeof id, "h%zu", i + 2);
		fr = frame(id, 2, 1, 1, T0, "943 476 5919", "", "", "Smith");
		batch_at(f, &fr, 1, &r, sent[i]);
		assert_int_equal(r.status, RECEIPT_ACCEPTED);
		assert_int_equal(r.child_ids[0], child);
		struct store_txn *t;
		struct child_record ch;
		assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
		assert_int_equal(store_child_get(t, child, &ch), STORE_OK);
		assert_int_equal(ch.n_ids, 1);
		assert_int_equal(ch.ids[0].first_seen_ms, NOW);
		assert_int_equal(ch.ids[0].last_seen_ms, seen[i]);
		wire_child_release(&ch);
		store_abort(&t);
	}
	/* Another agency's identity is new: recorded at once. */
	fr = frame("p1", 1, 1, 1, T0, "9434765919", "", "", "Smith");
	batch_at(f, &fr, 1, &r, NOW + 26 * hour);
	struct store_txn *t;
	struct child_record ch;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_child_get(t, child, &ch), STORE_OK);
	assert_int_equal(ch.n_ids, 2);
	assert_int_equal(ch.ids[1].first_seen_ms, NOW + 26 * hour);
	wire_child_release(&ch);
	store_abort(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_accept_duplicate_reuse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rejections_before_store, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_within_one_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_linking_across_agencies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_multi_agency_escalates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_evidence_kept_in_history, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_window_edge_and_backfill, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_immediate_risk_and_household, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_grows_full_map, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_household_edges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_possible_matches_recorded_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_possible_matches_searched_for_new_identities,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_held_identity_links_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_agency_binding, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_poison_rejected_alone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_impossible_times_alone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disk_full_receipt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_last_seen_to_the_day, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
