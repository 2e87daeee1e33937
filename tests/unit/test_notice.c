/*
 * Unit tests for notice.c (through ingest.c, with the store's notice
 * tables): a child's current school is the latest education concern by
 * when it happened, whatever the order they arrived in; a police domestic
 * incident raises one notice per child, to its school or the front door,
 * on the right topics, with a school's copy carrying no child id; a
 * resent concern raises none again; reminders go once, at their time,
 * only for notices nobody acknowledged; acknowledging keeps a school to
 * its own notices and operators to the front door's. And tally.c: the
 * rejections counted in memory, written when due, not while the store
 * has a fault.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "feedback.h"
#include "ffc.pb-c.h"
#include "ingest.h"
#include "notice.h"
#include "retention.h"
#include "store_notices.h"
#include "tally.h"
#include "testutil.h"
#include "wire_notice.h"

#define NOW (T0 + 30 * DAY)

struct fixture {
	char *dir;
	struct store *s;
	struct rule rules[RULES_MAX];
	size_t n_rules;
	struct schools schools;
	struct outbox out;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	f->dir = test_tmpdir("ffc-notice");
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	if (!f->s)
		return -1;
	f->n_rules = rules_defaults(f->rules, RULES_MAX);
	schools_defaults(&f->schools);
	f->schools.n = 1;
	snprintf(f->schools.list[0].urn, sizeof f->schools.list[0].urn, "100001");
	snprintf(f->schools.list[0].name, sizeof f->schools.list[0].name, "Hillside Primary");
	f->schools.max_age_days = 0;
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

/* One concern about one child (by NHS number) as a batch of its own. */
static struct receipt send(struct fixture *f, const char *id, int agency, int category, int64_t at,
                           const char *nhs, const char *urn, int flag)
{
	Ffc__V1__ChildIdentity kid = FFC__V1__CHILD_IDENTITY__INIT;
	Ffc__V1__ChildIdentity *kids[1] = {&kid};
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	kid.nhs_number = (char *)(uintptr_t)nhs;
	kid.given_name = (char *)(uintptr_t) "Ella";
	kid.family_name = (char *)(uintptr_t) "Smith";
	c.concern_id = (char *)(uintptr_t)id;
	c.agency = (Ffc__V1__Agency)agency;
	c.category = (Ffc__V1__Category)category;
	c.severity = FFC__V1__SEVERITY__LOW;
	c.occurred_at_ms = at;
	c.school_urn = (char *)(uintptr_t)urn;
	c.domestic_incident = flag;
	c.child_present = 1;
	c.n_children = 1;
	c.children = kids;
	size_t len = ffc__v1__concern__get_packed_size(&c);
	uint8_t *buf = malloc(len + 1);
	ffc__v1__concern__pack(&c, buf);
	struct ingest_item item = {.data = buf, .len = len};
	struct ingest_limits limits = {.max_message = 64 * 1024, .schools = &f->schools};
	outbox_clear(&f->out);
	ingest_batch(f->s, f->rules, f->n_rules, &limits, &item, 1, NOW, &f->out);
	struct receipt r = item.receipt;
	r.concern_id = "";
	ingest_items_release(&item, 1);
	free(buf);
	return r;
}

static const char *current(struct fixture *f, uint64_t child)
{
	static char urn[SCHOOL_URN_LEN];
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(notice_current_school(t, child, urn), STORE_OK);
	store_abort(&t);
	return urn;
}

/* The outbox's notices, topic by topic. */
static Ffc__V1__SchoolNotice *published(struct fixture *f, size_t i, const char *topic)
{
	assert_true(i < f->out.n);
	assert_string_equal(f->out.items[i].topic, topic);
	Ffc__V1__SchoolNotice *n =
	    ffc__v1__school_notice__unpack(NULL, f->out.items[i].len, f->out.items[i].data);
	assert_non_null(n);
	return n;
}

/* How many of the outbox's messages are notices (alerts go there too). */
static size_t notices_out(const struct fixture *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->out.n; i++)
		n += !strncmp(f->out.items[i].topic, "notice.", 7);
	return n;
}

static void test_current_school_by_time_not_arrival(void **state)
{
	struct fixture *f = *state;
	const char *nhs = "9434765919";
	struct receipt r = send(f, "e-new", 3, 11, NOW - 5 * DAY, nhs, "100002", 0);
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	uint64_t child = r.child_ids[0];
	assert_string_equal(current(f, child), "100002");
	/* An older record arriving later does not move the child back. */
	assert_int_equal(send(f, "e-old", 3, 11, NOW - 20 * DAY, nhs, "100001", 0).status,
	                 RECEIPT_ACCEPTED);
	assert_string_equal(current(f, child), "100002");
	/* An education concern naming no school changes nothing; a newer one
	 * naming another does. */
	assert_int_equal(send(f, "e-none", 3, 11, NOW - DAY, nhs, "", 0).status, RECEIPT_ACCEPTED);
	assert_string_equal(current(f, child), "100002");
	assert_int_equal(send(f, "e-ehe", 3, 11, NOW - 2 * DAY, nhs, "ehe", 0).status,
	                 RECEIPT_ACCEPTED);
	assert_string_equal(current(f, child), "EHE");
	/* Another child, and one with nothing. */
	r = send(f, "h-1", 2, 12, NOW - DAY, "9876543210", "", 0);
	assert_string_equal(current(f, r.child_ids[0]), "");
}

static void test_raised_to_the_school_and_the_front_door(void **state)
{
	struct fixture *f = *state;
	struct receipt r = send(f, "e-1", 3, 11, NOW - 60 * DAY, "9434765919", "100001", 0);
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	/* Police domestic abuse: the school's notice, on its topic, without
	 * the child's id. */
	r = send(f, "P-1", 1, CATEGORY_DOMESTIC_ABUSE, NOW - DAY, "9434765919", "", 0);
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	assert_int_equal(f->out.n, 1);
	Ffc__V1__SchoolNotice *n = published(f, 0, "notice.school.100001");
	assert_string_equal(n->notice_id, "N00000001");
	assert_string_equal(n->school_name, "Hillside Primary");
	assert_string_equal(n->given_name, "Ella");
	assert_string_equal(n->police_reference, "P-1");
	assert_int_equal(n->incident_at_ms, NOW - DAY);
	assert_true(n->child_present);
	assert_string_equal(n->child_id, "");
	assert_true(n->due_at_ms > n->incident_at_ms);
	assert_true(n->remind_at_ms == n->due_at_ms + 3600 * 1000);
	ffc__v1__school_notice__free_unpacked(n, NULL);
	/* The same concern again: a duplicate, no second notice. */
	r = send(f, "P-1", 1, CATEGORY_DOMESTIC_ABUSE, NOW - DAY, "9434765919", "", 0);
	assert_int_equal(r.status, RECEIPT_DUPLICATE);
	assert_int_equal(f->out.n, 0);
	/* A child nobody named a school for: the front door, with its id. */
	r = send(f, "P-2", 1, 5, NOW - DAY, "9876543210", "", 1);
	assert_int_equal(f->out.n, 1);
	n = published(f, 0, "notice.front-door");
	assert_int_equal(n->front_door, FFC__V1__FRONT_DOOR_REASON__NO_KNOWN_SCHOOL);
	assert_string_equal(n->child_id, "C00000002");
	ffc__v1__school_notice__free_unpacked(n, NULL);
	/* Not flagged and not domestic abuse; not police: none. */
	send(f, "P-3", 1, 5, NOW - DAY, "9434765919", "", 0);
	assert_int_equal(notices_out(f), 0);
	send(f, "H-3", 2, CATEGORY_DOMESTIC_ABUSE, NOW - DAY, "9434765919", "", 1);
	assert_int_equal(notices_out(f), 0);
	/* Older than the schools' limit: none. */
	f->schools.max_age_days = 7;
	send(f, "P-4", 1, CATEGORY_DOMESTIC_ABUSE, NOW - 8 * DAY, "9434765919", "", 0);
	assert_int_equal(notices_out(f), 0);
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_last_notice_seq(t), 2);
	assert_int_equal(store_counter_get(t, "notices"), 2);
	store_abort(&t);
}

static int remind(struct fixture *f, int64_t now)
{
	outbox_clear(&f->out);
	return notice_remind(f->s, now, &f->out);
}

struct ack {
	uint64_t seq;
	const char *urn, *by;
	int64_t now;
	struct school_notice n;
	char err[256];
	struct outbox *out;
};

static int ack_work(struct store_txn *t, void *arg)
{
	struct ack *a = arg;
	return notice_ack(t, a->seq, a->urn, a->by, a->now, &a->n, a->err, sizeof a->err, a->out);
}

static int ack(struct fixture *f, uint64_t seq, const char *urn, const char *by, char *err)
{
	struct ack a = {.seq = seq, .urn = urn, .by = by, .now = NOW, .out = &f->out};
	outbox_clear(&f->out);
	int rc = store_write(f->s, ack_work, NULL, &a);
	snprintf(err, 256, "%s", a.err);
	return rc;
}

static void test_reminders_and_acknowledgements(void **state)
{
	struct fixture *f = *state;
	char err[256];
	send(f, "e-1", 3, 11, NOW - 60 * DAY, "9434765919", "100001", 0);
	send(f, "P-1", 1, CATEGORY_DOMESTIC_ABUSE, NOW - DAY, "9434765919", "", 0);
	Ffc__V1__SchoolNotice *n = published(f, 0, "notice.school.100001");
	const int64_t due = n->due_at_ms, remind_at = n->remind_at_ms;
	ffc__v1__school_notice__free_unpacked(n, NULL);
	send(f, "P-2", 1, CATEGORY_DOMESTIC_ABUSE, NOW - DAY, "9876543210", "", 0);
	/* Before the time: nothing. */
	assert_int_equal(remind(f, remind_at - 1), 0);
	/* A school acknowledges its own only; an operator the front door's. */
	assert_int_equal(ack(f, 1, "100002", "Mr Hope", err), NOTICE_REFUSED);
	assert_string_equal(err, "notice_ack.notice_id: no notice N00000001 for school 100002");
	assert_int_equal(ack(f, 2, "100001", "Ms Khan", err), NOTICE_REFUSED);
	assert_int_equal(ack(f, 1, NULL, "Duty SW", err), NOTICE_REFUSED);
	assert_non_null(strstr(err, "is school 100001's"));
	assert_int_equal(ack(f, 9, NULL, "Duty SW", err), NOTICE_REFUSED);
	assert_string_equal(err, "notice_ack.notice_id: no notice N00000009");
	assert_int_equal(ack(f, 1, "100001", "", err), NOTICE_REFUSED);
	assert_string_equal(err, "notice_ack.by: required (who did it, or what was noted)");
	assert_int_equal(f->out.n, 0);
	assert_int_equal(ack(f, 1, "100001", "Ms Khan", err), STORE_OK);
	assert_int_equal(f->out.n, 2);
	assert_string_equal(f->out.items[0].topic, "notice.school.100001.ack");
	assert_string_equal(f->out.items[1].topic, "notice.ack.100001");
	assert_int_equal(ack(f, 1, "100001", "Ms Khan", err), NOTICE_REFUSED);
	assert_string_equal(err,
	                    "notice_ack.notice_id: N00000001 is already acknowledged by Ms Khan");
	/* At the time: only the one nobody acknowledged, to consoles. */
	assert_int_equal(remind(f, remind_at), 1);
	n = published(f, 0, "notice.reminder.front-door");
	assert_int_equal(n->seq, 2);
	assert_int_equal(n->reminded_at_ms, remind_at);
	assert_true(n->due_at_ms == due);
	ffc__v1__school_notice__free_unpacked(n, NULL);
	/* Once. */
	assert_int_equal(remind(f, remind_at + DAY), 0);
	assert_int_equal(ack(f, 2, NULL, "Duty SW", err), STORE_OK);
	assert_int_equal(remind(f, remind_at + 2 * DAY), 0);
}

struct withdraw_call {
	const char *concern_id;
	struct outbox *out;
	struct withdraw_result r;
};

static int withdraw_work(struct store_txn *t, void *arg)
{
	static const struct retention_actor who = {"olivia", "admin"};
	struct withdraw_call *w = arg;
	return retention_withdraw(t, 1, w->concern_id, "wrong child", &who, NOW, w->out, &w->r);
}

static int notice_get(struct fixture *f, uint64_t seq, struct school_notice *n)
{
	struct store_txn *t;
	const void *data;
	size_t len;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	int rc = store_notice_raw(t, seq, &data, &len);
	if (rc == STORE_OK)
		assert_int_equal(wire_notice_decode(data, len, n), 0);
	store_abort(&t);
	return rc;
}

static int count_seq(uint64_t seq, void *arg)
{
	(void)seq;
	(*(size_t *)arg)++;
	return 0;
}

/* A police concern withdrawn (sent in error): its notice is withdrawn
 * too, keeps no name, is told to the school and consoles, is neither
 * reminded nor acknowledged; the other child's notice is untouched. */
static void test_withdrawn_with_its_concern(void **state)
{
	struct fixture *f = *state;
	char err[256];
	send(f, "e-1", 3, 11, NOW - 60 * DAY, "9434765919", "100001", 0);
	send(f, "P-1", 1, CATEGORY_DOMESTIC_ABUSE, NOW - DAY, "9434765919", "", 0);
	Ffc__V1__SchoolNotice *n = published(f, 0, "notice.school.100001");
	const int64_t remind_at = n->remind_at_ms;
	ffc__v1__school_notice__free_unpacked(n, NULL);
	send(f, "P-2", 1, CATEGORY_DOMESTIC_ABUSE, NOW - DAY, "9876543210", "", 0);

	outbox_clear(&f->out);
	struct withdraw_call w = {.concern_id = "P-1", .out = &f->out};
	assert_int_equal(store_write(f->s, withdraw_work, NULL, &w), STORE_OK);
	assert_int_equal(w.r.n_notices, 1);
	assert_int_equal(w.r.notices[0], 1);
	assert_int_equal(f->out.n, 2);
	n = published(f, 0, "notice.school.100001.withdrawn");
	assert_string_equal(n->given_name, "");
	assert_string_equal(n->family_name, "");
	assert_string_equal(n->child_id, "");
	assert_string_equal(n->police_reference, "P-1");
	assert_int_equal(n->withdrawn_at_ms, NOW);
	ffc__v1__school_notice__free_unpacked(n, NULL);
	n = published(f, 1, "notice.withdrawn.100001");
	assert_string_equal(n->child_id, "C00000001");
	ffc__v1__school_notice__free_unpacked(n, NULL);

	struct school_notice stored;
	assert_int_equal(notice_get(f, 1, &stored), STORE_OK);
	assert_string_equal(stored.given_name, "");
	assert_string_equal(stored.date_of_birth, "");
	assert_int_equal(stored.withdrawn_at_ms, NOW);
	assert_int_equal(notice_get(f, 2, &stored), STORE_OK);
	assert_string_equal(stored.given_name, "Ella");
	assert_int_equal(stored.withdrawn_at_ms, 0);

	assert_int_equal(ack(f, 1, "100001", "Ms Khan", err), NOTICE_REFUSED);
	assert_string_equal(err, "notice_ack.notice_id: N00000001 was withdrawn: the police "
	                         "withdrew the concern that raised it");
	/* Only the front door's is reminded. */
	assert_int_equal(remind(f, remind_at), 1);
	n = published(f, 0, "notice.reminder.front-door");
	assert_int_equal(n->seq, 2);
	ffc__v1__school_notice__free_unpacked(n, NULL);
	/* A health concern withdrawn touches no notice. */
	send(f, "H-1", 2, 5, NOW - DAY, "9876543210", "", 0);
	outbox_clear(&f->out);
	struct withdraw_call h = {.concern_id = "H-1", .out = &f->out};
	assert_int_equal(store_write(f->s, withdraw_work, NULL, &h), STORE_NOTFOUND);
	/* ... as police: no such police concern. Withdrawn twice: refused. */
	struct withdraw_call again = {.concern_id = "P-1", .out = &f->out};
	assert_int_equal(store_write(f->s, withdraw_work, NULL, &again), STORE_EXISTS);
	/* P-2 withdrawn: the front door's notice, told to consoles only. */
	struct withdraw_call door = {.concern_id = "P-2", .out = &f->out};
	assert_int_equal(store_write(f->s, withdraw_work, NULL, &door), STORE_OK);
	assert_int_equal(door.r.n_notices, 1);
	assert_int_equal(f->out.n, 1);
	assert_string_equal(f->out.items[0].topic, "notice.withdrawn.front-door");
}

/* Retention: notices raised and feedback sent before the cutoff go,
 * oldest first and at most max a call; a dry run only counts. */
static void test_purged_by_age(void **state)
{
	struct fixture *f = *state;
	send(f, "e-1", 3, 11, NOW - 60 * DAY, "9434765919", "100001", 0);
	send(f, "P-1", 1, CATEGORY_DOMESTIC_ABUSE, NOW - DAY, "9434765919", "", 0);
	send(f, "P-2", 1, CATEGORY_DOMESTIC_ABUSE, NOW - DAY, "9876543210", "", 0);
	send(f, "P-3", 1, CATEGORY_DOMESTIC_ABUSE, NOW - DAY, "9434765919", "", 0);
	struct feedback fb;
	memset(&fb, 0, sizeof fb);
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	for (uint64_t i = 1; i <= 3; i++) {
		uint8_t *buf;
		size_t len;
		fb.seq = i;
		fb.agency = (int)i % 2 + 1;
		fb.closed_at_ms = NOW - 10 * DAY + (int64_t)i * DAY;
		assert_int_equal(wire_feedback_pack(&fb, &buf, &len), 0);
		assert_int_equal(store_feedback_add(t, i, fb.agency, buf, len), STORE_OK);
		free(buf);
	}
	/* Raised at NOW: a cutoff at NOW keeps them all. */
	uint64_t notices, feedback;
	assert_int_equal(notice_purge(t, NOW, 10, 0, &notices), STORE_OK);
	assert_int_equal(notices, 0);
	assert_int_equal(notice_purge(t, NOW + 1, 10, 1, &notices), STORE_OK);
	assert_int_equal(notices, 3);
	assert_int_equal(notice_purge(t, NOW + 1, 2, 0, &notices), STORE_OK);
	assert_int_equal(notices, 2);
	const void *data;
	size_t len;
	assert_int_equal(store_notice_raw(t, 1, &data, &len), STORE_NOTFOUND);
	assert_int_equal(store_notice_raw(t, 2, &data, &len), STORE_NOTFOUND);
	assert_int_equal(store_notice_raw(t, 3, &data, &len), STORE_OK);
	size_t at_school = 0, at_door = 0, waiting = 0;
	assert_int_equal(store_notice_dest_each(t, "100001", 0, count_seq, &at_school), STORE_OK);
	assert_int_equal(store_notice_dest_each(t, "front-door", 0, count_seq, &at_door), STORE_OK);
	assert_int_equal(store_notice_waiting_each(t, INT64_MAX, count_seq, &waiting), STORE_OK);
	assert_int_equal(at_school, 1);
	assert_int_equal(at_door, 0);
	assert_int_equal(waiting, 1);
	assert_int_equal(notice_purge(t, NOW + 1, 2, 0, &notices), STORE_OK);
	assert_int_equal(notices, 1);
	assert_int_equal(store_last_notice_seq(t), 0);

	/* Feedback sent 9, 8 and 7 days ago: a cutoff 7.5 days ago takes two. */
	assert_int_equal(feedback_purge(t, NOW - 15 * DAY / 2, 10, 1, &feedback), STORE_OK);
	assert_int_equal(feedback, 2);
	assert_int_equal(feedback_purge(t, NOW - 15 * DAY / 2, 10, 0, &feedback), STORE_OK);
	assert_int_equal(feedback, 2);
	assert_int_equal(store_feedback_raw(t, 2, &data, &len), STORE_NOTFOUND);
	assert_int_equal(store_feedback_raw(t, 3, &data, &len), STORE_OK);
	size_t police = 0, health = 0;
	assert_int_equal(store_feedback_agency_each(t, 1, 0, count_seq, &police), STORE_OK);
	assert_int_equal(store_feedback_agency_each(t, 2, 0, count_seq, &health), STORE_OK);
	assert_int_equal(police, 0);
	assert_int_equal(health, 1); /* seq 3: agency 3 % 2 + 1 */
	store_abort(&t);
}

/* What counted() may write into its buffer. */
#define COUNTED_MAX 4096

static int counted(int32_t day, const char *adapter, const char *metric, uint64_t value, void *arg)
{
	char *out = arg;
	size_t n = strlen(out);
	snprintf(out + n, COUNTED_MAX - n, "%d %s %s %llu;", (int)(day - (int32_t)(NOW / DAY)),
	         adapter, metric, (unsigned long long)value);
	return 0;
}

/* Every tally of NOW's day, as counted() writes them. */
static const char *tallies_today(struct fixture *f)
{
	static char got[COUNTED_MAX];
	got[0] = '\0';
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(
	    store_tally_each(t, (int32_t)(NOW / DAY), (int32_t)(NOW / DAY) + 1, counted, got),
	    STORE_OK);
	store_abort(&t);
	return got;
}

static void test_tallies(void **state)
{
	struct fixture *f = *state;
	static struct tally_pending p;
	memset(&p, 0, sizeof p);
	assert_int_equal(tally_rejected(&p, "police", NOW,
	                                "children[3].nhs_number: check digit "
	                                "mismatch"),
	                 0);
	assert_int_equal(
	    tally_rejected(&p, "police", NOW + 1, "children[0].nhs_number: check digit mismatch"),
	    0);
	assert_int_equal(tally_rejected(&p, "health", NOW + 2, "summary: not valid UTF-8"), 0);
	assert_int_equal(p.n, 2); /* the same reason, whichever child */
	/* Not due yet: kept. Due: written. */
	assert_int_equal(tally_flush(&p, f->s, NOW + 10, 0), 0);
	assert_int_equal(p.n, 2);
	/* While the store's last write failed, not even when due. */
	store_inject_error(f->s, EIO, 1);
	struct receipt r = send(f, "x-1", 2, 12, NOW - DAY, "9434765919", "", 0);
	assert_int_equal(r.status, RECEIPT_REJECTED);
	assert_int_equal(tally_flush(&p, f->s, NOW + TALLY_FLUSH_MS, 0), 0);
	assert_int_equal(p.n, 2);
	/* A write that succeeds clears the fault; then they are written. */
	assert_int_equal(send(f, "x-2", 2, 12, NOW - DAY, "9434765919", "", 0).status,
	                 RECEIPT_ACCEPTED);
	assert_int_equal(tally_flush(&p, f->s, NOW + TALLY_FLUSH_MS, 0), 0);
	assert_int_equal(p.n, 0);
	const char *got = tallies_today(f);
	/* The accepted concern from the batch, the rejections from memory;
	 * in insecure mode an adapter is its agency. */
	assert_string_equal(got,
	                    "0 health accepted 1;0 health children 1;0 health identified 1;"
	                    "0 health rejected:summary: not valid UTF-N 1;"
	                    "0 police rejected:children[].nhs_number: check digit mismatch 2;");
	/* A full table says so. */
	for (int i = 0; i < TALLY_PENDING_MAX - 1; i++) {
		char name[32];
		snprintf(name, sizeof name, "adapter-%d", i);
		assert_int_equal(tally_rejected(&p, name, NOW, "x: y"), 0);
	}
	assert_int_equal(tally_rejected(&p, "last", NOW, "x: y"), 1);
	assert_int_equal(tally_rejected(&p, "one too many", NOW, "x: y"), 1);
	assert_int_equal(tally_flush(&p, f->s, NOW, 0), 0);
	assert_int_equal(p.n, 0);
}

/* Accepted concerns are summed by adapter over a transaction and each
 * row written once: more adapters than a sum holds are written as it
 * fills, none lost, each counted once. */
static int accept_many(struct store_txn *t, void *arg)
{
	(void)arg;
	const struct child_identity kids[2] = {{.nhs_number = "9434765919", .upn = ""},
	                                       {.nhs_number = "", .upn = ""}};
	static char names[TALLY_SUM_ADAPTERS + 4][16];
	struct tally_sum sum = {0};
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < TALLY_SUM_ADAPTERS + 4; i++) {
			snprintf(names[i], sizeof names[i], "a%02d", i);
			struct concern c = {.n_children = round ? 2 : 1, .children = kids};
			int rc = tally_accepted(t, &sum, names[i], NOW, &c);
			if (rc != STORE_OK)
				return rc;
		}
	return tally_accepted_write(t, &sum, NOW);
}

static void test_tallies_summed(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_write(f->s, accept_many, NULL, NULL), STORE_OK);
	const char *got = tallies_today(f);
	/* Each adapter: two concerns naming three children, two of them
	 * with an NHS number, whether it was summed with the first sixteen
	 * or after. */
	for (int i = 0; i < TALLY_SUM_ADAPTERS + 4; i++) {
		char want[96];
		snprintf(want, sizeof want,
		         "0 a%02d accepted 2;0 a%02d children 3;0 a%02d identified 2;", i, i, i);
		assert_non_null(strstr(got, want));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_current_school_by_time_not_arrival, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_raised_to_the_school_and_the_front_door, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_reminders_and_acknowledgements, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_withdrawn_with_its_concern, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_purged_by_age, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tallies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tallies_summed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
