/*
 * Unit tests for retention.c (with ingest.c, store.c and the default
 * rules): a purge takes exactly the concerns older than the cutoff that no
 * unfinished alert cites, from every index and under merged children, in
 * bounded batches, writing nothing on a dry run; a withdrawn concern leaves
 * the rules' timeline but not the chronology, is audited, and a resend
 * keeps it withdrawn; a backup opens as a store with the same content.
 */

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cmocka.h>

#include <lmdb.h>

#include "ffc.pb-c.h"
#include "ingest.h"
#include "merge.h"
#include "retention.h"
#include "testutil.h"

#define NOW    (T0 + 400 * DAY)
#define OLD    (T0 - 3 * 366 * DAY)
#define NHS_A  "9434765919"
#define NHS_B  "9876543210"
#define UPN_A  "B801200005001"
#define POLICE 1
#define HEALTH 2
#define EDUC   3

static const struct retention_actor who = {"olivia", "admin"};

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
	f->dir = test_tmpdir("ffc-retention");
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

/* Ingest one concern about a child named by NHS number and/or UPN. */
static struct receipt send(struct fixture *f, const char *id, int agency, int64_t at,
                           const char *nhs, const char *upn)
{
	Ffc__V1__ChildIdentity kid = FFC__V1__CHILD_IDENTITY__INIT;
	Ffc__V1__ChildIdentity *kids[1] = {&kid};
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	kid.nhs_number = (char *)(uintptr_t)nhs;
	kid.upn = (char *)(uintptr_t)upn;
	c.concern_id = (char *)(uintptr_t)id;
	c.agency = (Ffc__V1__Agency)agency;
	c.category = (Ffc__V1__Category)1;
	c.severity = (Ffc__V1__Severity)2;
	c.occurred_at_ms = at;
	c.n_children = 1;
	c.children = kids;
	outbox_clear(&f->raised);
	int stored;
	struct receipt r =
	    test_ingest_one(f->s, f->rules, f->n_rules, &c, NOW, &f->raised, &stored);
	/* 1 stored, or 0 for a duplicate; never the store's -1. */
	assert_true(stored >= 0);
	return r;
}

static size_t timeline_len(struct fixture *f, uint64_t child, int withdrawn_too)
{
	struct store_txn *t;
	struct concern_ref *refs = NULL;
	size_t n = 0;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	uint64_t live;
	assert_int_equal(store_child_resolve(t, child, &live), STORE_OK);
	int rc = withdrawn_too ? store_chronology(t, live, INT64_MIN, INT64_MAX, &refs, &n)
	                       : store_timeline(t, live, INT64_MIN, INT64_MAX, &refs, &n);
	assert_int_equal(rc, STORE_OK);
	free(refs);
	store_abort(&t);
	return n;
}

static uint64_t counter(struct fixture *f, const char *name)
{
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	uint64_t v = store_counter_get(t, name);
	store_abort(&t);
	return v;
}

static int purge(struct fixture *f, int dry_run, uint64_t from, size_t max,
                 struct retention_result *r)
{
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, !dry_run, &t), STORE_OK);
	int rc = retention_purge(t, retention_cutoff(NOW, 1), from, max, dry_run, &who, NOW, r);
	if (rc == STORE_OK && !dry_run)
		rc = store_commit(&t);
	else
		store_abort(&t);
	return rc;
}

static void close_alert(struct fixture *f, uint64_t seq)
{
	struct store_txn *t;
	struct alert *a = calloc(1, sizeof *a);
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_alert_get(t, seq, a), STORE_OK);
	a->state = ALERT_CLOSED;
	a->closed_at_ms = NOW;
	assert_int_equal(store_alert_update(t, a), STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
	free(a);
}

static void test_cutoff(void **state)
{
	(void)state;
	assert_true(retention_cutoff(NOW, 0) == INT64_MIN);
	assert_true(retention_cutoff(NOW, 1) == NOW - 36525 * DAY / 100);
	assert_true(retention_cutoff(NOW, 25) == NOW - 25 * 36525 * DAY / 100);
}

static void test_purge_selection(void **state)
{
	struct fixture *f = *state;
	/* Child A: two old concerns, no rule met, and a recent one. */
	struct receipt a1 = send(f, "a1", POLICE, OLD, NHS_A, "");
	send(f, "a2", POLICE, OLD + DAY, NHS_A, "");
	send(f, "a3", POLICE, NOW - DAY, NHS_A, "");
	/* Child B: two old concerns of two agencies: an open alert cites both. */
	struct receipt b1 = send(f, "b1", POLICE, OLD, NHS_B, "");
	send(f, "b2", HEALTH, OLD + DAY, NHS_B, "");
	assert_int_equal(f->raised.n, 1);
	uint64_t alert = f->raised.items[0].alert->seq;
	assert_int_equal(counter(f, "concerns"), 5);

	/* Dry run: what would go, nothing written. */
	struct retention_result r;
	assert_int_equal(purge(f, 1, 0, RETENTION_BATCH, &r), STORE_OK);
	assert_int_equal(r.examined, 5);
	assert_int_equal(r.purged, 2);
	assert_int_equal(r.kept_as_evidence, 2);
	assert_int_equal(r.next_seq, 0);
	assert_int_equal(r.n_children, 1);
	assert_int_equal(r.children[0].child, a1.child_ids[0]);
	assert_int_equal(r.children[0].purged, 2);
	retention_result_release(&r);
	assert_int_equal(counter(f, "concerns"), 5);
	assert_int_equal(timeline_len(f, a1.child_ids[0], 0), 3);

	/* An open alert (acknowledged or not) is unfinished: its evidence stays. */
	assert_int_equal(purge(f, 0, 0, RETENTION_BATCH, &r), STORE_OK);
	assert_int_equal(r.purged, 2);
	assert_int_equal(r.kept_as_evidence, 2);
	retention_result_release(&r);
	assert_int_equal(counter(f, "concerns"), 3);
	assert_int_equal(counter(f, "agency.POLICE"), 2);
	assert_int_equal(counter(f, "purged"), 2);
	assert_int_equal(timeline_len(f, a1.child_ids[0], 1), 1);
	assert_int_equal(timeline_len(f, b1.child_ids[0], 0), 2);

	struct store_txn *t;
	uint64_t seq;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_concern_find(t, POLICE, "a1", &seq), STORE_NOTFOUND);
	assert_int_equal(store_concern_raw(t, a1.seq, &(const void *){NULL}, &(size_t){0}),
	                 STORE_NOTFOUND);
	/* Audited: one entry for the child, one for the purge. */
	uint64_t *seqs = NULL;
	size_t n = 0;
	assert_int_equal(store_child_audit(t, a1.child_ids[0], &seqs, &n), STORE_OK);
	assert_int_equal(n, 1);
	struct audit_entry e;
	const void *data;
	size_t len;
	assert_int_equal(store_audit_raw(t, seqs[0], &data, &len), STORE_OK);
	assert_int_equal(wire_audit_decode(data, len, &e), 0);
	assert_string_equal(e.command, "purge");
	assert_string_equal(e.by, "olivia");
	assert_non_null(strstr(e.detail, "purged 2 concern(s)"));
	free(seqs);
	assert_int_equal(store_last_audit_seq(t), 2);
	store_abort(&t);

	/* Closed: its evidence goes too. */
	close_alert(f, alert);
	assert_int_equal(purge(f, 0, 0, RETENTION_BATCH, &r), STORE_OK);
	assert_int_equal(r.purged, 2);
	assert_int_equal(r.kept_as_evidence, 0);
	retention_result_release(&r);
	assert_int_equal(counter(f, "concerns"), 1);
	assert_int_equal(timeline_len(f, b1.child_ids[0], 1), 0);

	/* A purged id is a new concern when sent again. */
	struct receipt again = send(f, "a1", POLICE, OLD, NHS_A, "");
	assert_int_equal(again.status, RECEIPT_ACCEPTED);
	assert_true(again.seq > a1.seq);
}

/* Overwrite an alert record with bytes that are no StoredAlert, straight
 * through LMDB (the store never writes such a record itself). */
static void corrupt_alert(struct fixture *f, uint64_t seq)
{
	store_close(&f->s);
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 64), 0);
	assert_int_equal(mdb_env_set_mapsize(env, (size_t)1 << 30), 0);
	assert_int_equal(mdb_env_open(env, f->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "alerts", 0, &dbi), 0);
	uint8_t key[8];
	for (int i = 7; i >= 0; i--, seq >>= 8)
		key[i] = (uint8_t)(seq & 0xff);
	MDB_val k = {sizeof key, key}, v = {3, (void *)(uintptr_t) "\xff\xff\xff"};
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	char err[256];
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(f->s);
}

/* An alert that cannot be read may cite any concern: purge nothing. */
static void test_purge_refused_on_unreadable_alert(void **state)
{
	struct fixture *f = *state;
	struct receipt b1 = send(f, "b1", POLICE, OLD, NHS_B, "");
	send(f, "b2", HEALTH, OLD + DAY, NHS_B, "");
	assert_int_equal(f->raised.n, 1);
	corrupt_alert(f, f->raised.items[0].alert->seq);
	struct retention_result r;
	assert_int_equal(purge(f, 1, 0, RETENTION_BATCH, &r), STORE_ERROR);
	retention_result_release(&r);
	assert_int_equal(purge(f, 0, 0, RETENTION_BATCH, &r), STORE_ERROR);
	retention_result_release(&r);
	assert_int_equal(counter(f, "concerns"), 2);
	assert_int_equal(counter(f, "purged"), 0);
	assert_int_equal(timeline_len(f, b1.child_ids[0], 0), 2);
}

static void test_purge_in_batches_and_merged(void **state)
{
	struct fixture *f = *state;
	/* Two children, old concerns each, then merged by a recent concern
	 * naming both identities: the old entries now live under one id. */
	struct receipt h = send(f, "h1", HEALTH, OLD, NHS_A, "");
	struct receipt e = send(f, "e1", EDUC, OLD + DAY, "", UPN_A);
	assert_int_not_equal(h.child_ids[0], e.child_ids[0]);
	send(f, "e2", EDUC, OLD + 2 * DAY, "", UPN_A);
	struct receipt both = send(f, "h2", HEALTH, NOW - DAY, NHS_A, UPN_A);
	uint64_t live = both.child_ids[0];
	assert_int_equal(timeline_len(f, e.child_ids[0], 0), 4);
	/* Any alert raised on the old ones is closed, so only age decides. */
	for (uint64_t seq = 1; seq <= 16; seq++) {
		struct store_txn *t;
		struct alert *a = calloc(1, sizeof *a);
		assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
		int found = store_alert_get(t, seq, a) == STORE_OK;
		store_abort(&t);
		free(a);
		if (found)
			close_alert(f, seq);
	}

	/* Two concerns a request: three requests, each going on from the
	 * last. */
	struct retention_result r;
	uint64_t from = 0, purged = 0, examined = 0, requests = 0;
	do {
		assert_int_equal(purge(f, 0, from, 2, &r), STORE_OK);
		assert_true(r.examined <= 2);
		purged += r.purged;
		examined += r.examined;
		for (size_t i = 0; i < r.n_children; i++)
			assert_int_equal(r.children[i].child, live);
		from = r.next_seq;
		requests++;
		retention_result_release(&r);
	} while (from);
	assert_int_equal(purged, 3);
	assert_int_equal(examined, 4);
	assert_int_equal(requests, 2);
	assert_int_equal(timeline_len(f, live, 1), 1);
	assert_int_equal(timeline_len(f, h.child_ids[0], 1), 1);
	assert_int_equal(counter(f, "concerns"), 1);
}

/* A purge that takes the newest concern leaves its seq used: the next
 * concern gets a new one, not the purged one's (receipts, identity events
 * and matches name concerns by seq). */
static void test_purge_newest_seq_not_reused(void **state)
{
	struct fixture *f = *state;
	struct receipt a1 = send(f, "a1", POLICE, NOW - DAY, NHS_A, "");
	struct receipt a2 = send(f, "a2", POLICE, OLD, NHS_A, "");
	assert_int_equal(a1.status, RECEIPT_ACCEPTED);
	assert_int_equal(a2.seq, a1.seq + 1);
	struct retention_result r;
	assert_int_equal(purge(f, 0, 0, RETENTION_BATCH, &r), STORE_OK);
	assert_int_equal(r.purged, 1);
	retention_result_release(&r);
	struct receipt a3 = send(f, "a3", POLICE, NOW - DAY, NHS_A, "");
	assert_int_equal(a3.status, RECEIPT_ACCEPTED);
	assert_int_equal(a3.seq, a2.seq + 1);
	/* The same after a restart. */
	char err[256];
	store_close(&f->s);
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(f->s);
	assert_int_equal(purge(f, 0, 0, RETENTION_BATCH, &r), STORE_OK);
	retention_result_release(&r);
	struct receipt a4 = send(f, "a4", POLICE, OLD, NHS_A, "");
	assert_int_equal(a4.seq, a3.seq + 1);
	assert_int_equal(purge(f, 0, 0, RETENTION_BATCH, &r), STORE_OK);
	assert_int_equal(r.purged, 1);
	retention_result_release(&r);
	store_close(&f->s);
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(f->s);
	struct receipt a5 = send(f, "a5", POLICE, NOW - DAY, NHS_A, "");
	assert_int_equal(a5.seq, a4.seq + 1);
}

static void test_withdraw(void **state)
{
	struct fixture *f = *state;
	struct receipt p = send(f, "p1", POLICE, NOW - 2 * DAY, NHS_A, "");
	uint64_t child = p.child_ids[0];
	struct store_txn *t;
	struct withdraw_result w;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(retention_withdraw(t, POLICE, "p1", "wrong child", &who, NOW, NULL, &w),
	                 STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
	assert_int_equal(w.seq, p.seq);
	assert_int_equal(w.n_children, 1);
	assert_int_equal(w.children[0], child);
	assert_int_equal(w.n_alerts, 0);
	/* Off the rules' timeline, still in the chronology. */
	assert_int_equal(timeline_len(f, child, 0), 0);
	assert_int_equal(timeline_len(f, child, 1), 1);
	/* The second agency alone meets no rule now. */
	send(f, "h1", HEALTH, NOW - DAY, NHS_A, "");
	assert_int_equal(f->raised.n, 0);

	/* The record carries who, when and why. */
	const void *data;
	size_t len;
	struct stored_concern sc;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_concern_raw(t, p.seq, &data, &len), STORE_OK);
	assert_int_equal(wire_stored_concern_decode(data, len, &sc), 0);
	assert_true(sc.withdrawn_at_ms == NOW);
	assert_string_equal(sc.withdrawn_by, "olivia");
	assert_string_equal(sc.withdrawn_reason, "wrong child");
	wire_stored_concern_release(&sc);
	uint64_t *seqs = NULL;
	size_t n = 0;
	assert_int_equal(store_child_audit(t, child, &seqs, &n), STORE_OK);
	assert_int_equal(n, 1);
	struct audit_entry e;
	assert_int_equal(store_audit_raw(t, seqs[0], &data, &len), STORE_OK);
	assert_int_equal(wire_audit_decode(data, len, &e), 0);
	assert_string_equal(e.command, "withdraw");
	assert_string_equal(e.purpose, "wrong child");
	assert_int_equal(e.child, child);
	free(seqs);
	store_abort(&t);

	/* Sent again unchanged: a duplicate, still withdrawn, nothing raised. */
	struct receipt again = send(f, "p1", POLICE, NOW - 2 * DAY, NHS_A, "");
	assert_int_equal(again.status, RECEIPT_DUPLICATE);
	assert_int_equal(f->raised.n, 0);
	assert_int_equal(timeline_len(f, child, 0), 1);

	/* Twice, or unknown. */
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(retention_withdraw(t, POLICE, "p1", "again", &who, NOW, NULL, &w),
	                 STORE_EXISTS);
	assert_int_equal(retention_withdraw(t, HEALTH, "p1", "x", &who, NOW, NULL, &w),
	                 STORE_NOTFOUND);
	store_abort(&t);
	assert_int_equal(counter(f, "withdrawn"), 1);
}

static void test_withdraw_cited_by_open_alert(void **state)
{
	struct fixture *f = *state;
	send(f, "p1", POLICE, NOW - 2 * DAY, NHS_B, "");
	send(f, "h1", HEALTH, NOW - DAY, NHS_B, "");
	assert_int_equal(f->raised.n, 1);
	uint64_t alert = f->raised.items[0].alert->seq;
	struct store_txn *t;
	struct withdraw_result w;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(retention_withdraw(t, HEALTH, "h1", "test record", &who, NOW, NULL, &w),
	                 STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
	assert_int_equal(w.n_alerts, 1);
	assert_int_equal(w.alerts[0], alert);
	/* The alert stands, open, with a note. */
	struct alert *a = calloc(1, sizeof *a);
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_alert_get(t, alert, a), STORE_OK);
	assert_int_equal(a->state, ALERT_OPEN);
	store_abort(&t);
	free(a);
}

/* A concern that joined an open alert after it was raised is cited by
 * the alert's history alone: kept by a purge, and its withdrawal noted on
 * the alert, as those the alert was raised with. */
static void test_later_evidence_cited(void **state)
{
	struct fixture *f = *state;
	send(f, "b1", POLICE, OLD, NHS_B, "");
	send(f, "b2", HEALTH, OLD + DAY, NHS_B, "");
	assert_int_equal(f->raised.n, 1);
	uint64_t alert = f->raised.items[0].alert->seq;
	send(f, "b3", POLICE, OLD + 2 * DAY, NHS_B, "");
	assert_int_equal(f->raised.n, 1);
	assert_null(f->raised.items[0].alert); /* evidence, not a new alert */
	struct retention_result r;
	assert_int_equal(purge(f, 0, 0, RETENTION_BATCH, &r), STORE_OK);
	assert_int_equal(r.purged, 0);
	assert_int_equal(r.kept_as_evidence, 3);
	retention_result_release(&r);
	struct store_txn *t;
	uint64_t seq;
	struct withdraw_result w;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_concern_find(t, POLICE, "b3", &seq), STORE_OK);
	assert_int_equal(retention_withdraw(t, POLICE, "b3", "test record", &who, NOW, NULL, &w),
	                 STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
	assert_int_equal(w.n_alerts, 1);
	assert_int_equal(w.alerts[0], alert);
}

static void test_withdraw_after_merge(void **state)
{
	struct fixture *f = *state;
	struct receipt e = send(f, "e1", EDUC, NOW - 3 * DAY, "", UPN_A);
	struct receipt h = send(f, "h1", HEALTH, NOW - 2 * DAY, NHS_A, "");
	assert_int_not_equal(h.child_ids[0], e.child_ids[0]);
	struct receipt both = send(f, "h2", HEALTH, NOW - DAY, NHS_A, UPN_A);
	uint64_t live = both.child_ids[0];
	assert_int_equal(timeline_len(f, live, 0), 3);
	/* Filed under the child since merged away: found under the survivor. */
	struct store_txn *t;
	struct withdraw_result w;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(retention_withdraw(t, EDUC, "e1", "wrong school", &who, NOW, NULL, &w),
	                 STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
	assert_int_equal(w.n_children, 1);
	assert_int_equal(w.children[0], live);
	assert_int_equal(timeline_len(f, live, 0), 2);
	assert_int_equal(timeline_len(f, live, 1), 3);
}

/* After an unlink the concern is filed under the new child while the
 * alert that cites it stays with the old one: it is still found, noted. */
static void test_withdraw_after_split(void **state)
{
	struct fixture *f = *state;
	struct receipt p = send(f, "p1", POLICE, NOW - 2 * DAY, NHS_A, "");
	send(f, "h1", HEALTH, NOW - DAY, NHS_A, UPN_A);
	assert_int_equal(f->raised.n, 1);
	uint64_t alert = f->raised.items[0].alert->seq, old = p.child_ids[0];
	struct store_txn *t;
	struct split_selector sel = {"", 2};
	struct split_result res;
	char err[256];
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(
	    merge_split(t, old, &sel, "bob", "wrong link", "upn", NOW, &res, err, sizeof err),
	    STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
	assert_int_equal(res.moved_concerns, 1);
	struct withdraw_result w;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(retention_withdraw(t, HEALTH, "h1", "test record", &who, NOW, NULL, &w),
	                 STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
	assert_int_equal(w.n_children, 1);
	assert_int_equal(w.children[0], res.new_child);
	assert_int_equal(w.n_alerts, 1);
	assert_int_equal(w.alerts[0], alert);
}

/* rate: 0 for LMDB's own copy, else the paced one (store_backup). */
static void check_backup(struct fixture *f, uint64_t rate)
{
	send(f, "p1", POLICE, NOW - 2 * DAY, NHS_A, "");
	send(f, "h1", HEALTH, NOW - DAY, NHS_A, "");
	char *dir = test_tmpdir("ffc-backup");
	char path[1100], err[256], file[1200];
	snprintf(path, sizeof path, "%s/copy", dir);
	uint64_t bytes = 0;
	assert_int_equal(store_backup(f->s, path, rate, &bytes, err, sizeof err), 0);
	assert_true(bytes > 0);
	struct stat st;
	snprintf(file, sizeof file, "%s/data.mdb", path);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Never over an existing path. */
	assert_int_equal(store_backup(f->s, path, rate, &bytes, err, sizeof err), -1);
	assert_non_null(strstr(err, "already exists"));

	struct store *copy = store_open(path, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(copy);
	struct store_txn *t;
	uint64_t seq;
	assert_int_equal(store_begin(copy, 0, &t), STORE_OK);
	assert_int_equal(store_counter_get(t, "concerns"), 2);
	assert_int_equal(store_concern_find(t, HEALTH, "h1", &seq), STORE_OK);
	assert_int_equal(store_last_alert_seq(t), 1);
	store_abort(&t);
	store_close(&copy);
	test_rmdir(strdup(path));
	rmdir(dir);
	free(dir);
}

/* A copy whose file cannot be written (here: past the process's file size
 * limit, partway) fails whole, says why, leaves nothing behind, and the
 * store goes on as it was. */
static void check_backup_write_fails(struct fixture *f, uint64_t rate)
{
	send(f, "p1", POLICE, NOW - 2 * DAY, NHS_A, "");
	char *dir = test_tmpdir("ffc-backup");
	char path[1100], err[256];
	snprintf(path, sizeof path, "%s/copy", dir);
	struct rlimit was, small = {16384, 16384};
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
	small.rlim_max = was.rlim_max;
	void (*xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	uint64_t bytes = 0;
	int rc = store_backup(f->s, path, rate, &bytes, err, sizeof err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, xfsz);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, strerror(EFBIG)));
	struct stat st;
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);

	send(f, "h1", HEALTH, NOW - DAY, NHS_A, "");
	assert_int_equal(store_backup(f->s, path, rate, &bytes, err, sizeof err), 0);
	struct store *copy = store_open(path, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(copy);
	struct store_txn *t;
	assert_int_equal(store_begin(copy, 0, &t), STORE_OK);
	assert_int_equal(store_counter_get(t, "concerns"), 2);
	store_abort(&t);
	store_close(&copy);
	test_rmdir(strdup(path));
	rmdir(dir);
	free(dir);
}

static void test_backup(void **state)
{
	check_backup(*state, 0);
}

static void test_backup_paced(void **state)
{
	check_backup(*state, 64 << 20);
}

static void test_backup_write_fails(void **state)
{
	check_backup_write_fails(*state, 0);
}

static void test_backup_paced_write_fails(void **state)
{
	check_backup_write_fails(*state, 64 << 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cutoff),
	    cmocka_unit_test_setup_teardown(test_purge_selection, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_purge_in_batches_and_merged, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_purge_refused_on_unreadable_alert, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_purge_newest_seq_not_reused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_withdraw, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_withdraw_cited_by_open_alert, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_later_evidence_cited, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_withdraw_after_merge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_withdraw_after_split, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_write_fails, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_paced, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_paced_write_fails, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
