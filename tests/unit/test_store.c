/*
 * Unit tests for the store (store*.c): concerns by seq and by id, a
 * child's timeline as a range scan, identities, demographics, alerts and
 * the evidence their history adds, counters, persistence, the data
 * directory lock, growing a full map, store_write()'s retries, and the
 * store format: format 1 migrated on open, a newer one refused.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>
#include <lmdb.h>

#include "lifecycle.h"
#include "store.h"
#include "testutil.h"

struct fixture {
	char *dir;
	struct store *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	f->dir = test_tmpdir("ffc-store");
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	if (!f->s) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(&f->s);
	store_close(&f->s); /* safe twice */
	test_rmdir(f->dir);
	free(f);
	return 0;
}

/* The store closed and opened again with these map sizes. */
static void reopen(struct fixture *f, uint64_t map_size, uint64_t map_size_max)
{
	char err[256];
	store_close(&f->s);
	f->s = store_open(f->dir, map_size, map_size_max, err, sizeof err);
	if (!f->s)
		fail_msg("store_open: %s", err);
}

static void add(struct store_txn *t, const char *id, int agency, int64_t at, uint64_t child,
                uint64_t *seq)
{
	struct child_identity kid = test_child_nhs("9434765919");
	struct concern c = test_concern(id, agency, 4, 1, at, &kid, 1);
	assert_int_equal(store_concern_add(t, &c, NULL, 0, at, &child, 1, seq), STORE_OK);
}

static void test_concerns(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	uint64_t seq, found;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_last_concern_seq(t), 0);
	add(t, "a", 1, T0, 1, &seq);
	assert_int_equal(seq, 1);
	add(t, "b", 1, T0, 1, &seq);
	assert_int_equal(seq, 2);
	add(t, "a", 2, T0, 1, &seq); /* same id, other agency: another concern */
	assert_int_equal(seq, 3);
	assert_int_equal(store_commit(&t), STORE_OK);
	assert_null(t);

	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_concern_find(t, 1, "a", &found), STORE_OK);
	assert_int_equal(found, 1);
	assert_int_equal(store_concern_find(t, 2, "a", &found), STORE_OK);
	assert_int_equal(found, 3);
	assert_int_equal(store_concern_find(t, 3, "a", &found), STORE_NOTFOUND);
	const void *data;
	size_t len;
	assert_int_equal(store_concern_raw(t, 2, &data, &len), STORE_OK);
	struct stored_concern sc;
	assert_int_equal(wire_stored_concern_decode(data, len, &sc), 0);
	assert_string_equal(sc.w.c.concern_id, "b");
	wire_stored_concern_release(&sc);
	assert_int_equal(store_counter_get(t, "concerns"), 3);
	assert_int_equal(store_counter_get(t, "agency.POLICE"), 2);
	assert_int_equal(store_counter_get(t, "agency.HEALTH"), 1);
	store_abort(&t);
}

static void test_abort_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	uint64_t seq;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	add(t, "gone", 1, T0, 1, &seq);
	store_abort(&t);
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_concern_find(t, 1, "gone", &seq), STORE_NOTFOUND);
	assert_int_equal(store_counter_get(t, "concerns"), 0);
	store_abort(&t);
}

static void test_timeline(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	uint64_t seq;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	/* Out of time order, two children, one before 1970. */
	add(t, "c3", 1, T0 + 3 * DAY, 7, &seq);
	add(t, "c1", 2, T0 + 1 * DAY, 7, &seq);
	add(t, "other", 3, T0 + 2 * DAY, 8, &seq);
	add(t, "c2", 3, T0 + 2 * DAY, 7, &seq);
	add(t, "old", 1, -5 * DAY, 7, &seq);
	assert_int_equal(store_commit(&t), STORE_OK);

	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	struct concern_ref *refs;
	size_t n;
	assert_int_equal(store_timeline(t, 7, INT64_MIN, INT64_MAX, &refs, &n), STORE_OK);
	assert_int_equal(n, 4);
	assert_int_equal(refs[0].occurred_at_ms, -5 * DAY);
	assert_int_equal(refs[1].agency, 2);
	assert_int_equal(refs[2].agency, 3);
	assert_int_equal(refs[2].seq, 4);
	assert_int_equal(refs[3].occurred_at_ms, T0 + 3 * DAY);
	assert_int_equal(refs[3].category, 4);
	/* Each entry carries its concern's id. */
	assert_string_equal(refs[0].concern_id, "old");
	assert_string_equal(refs[1].concern_id, "c1");
	assert_string_equal(refs[2].concern_id, "c2");
	assert_string_equal(refs[3].concern_id, "c3");
	free(refs);
	/* Inclusive bounds. */
	assert_int_equal(store_timeline(t, 7, T0 + DAY, T0 + 2 * DAY, &refs, &n), STORE_OK);
	assert_int_equal(n, 2);
	free(refs);
	assert_int_equal(store_timeline(t, 8, T0, T0 + 10 * DAY, &refs, &n), STORE_OK);
	assert_int_equal(n, 1);
	free(refs);
	assert_int_equal(store_timeline(t, 9, INT64_MIN, INT64_MAX, &refs, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_null(refs);
	store_abort(&t);
}

static void test_children_and_identities(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	uint64_t id, got;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_child_next(t, &id), STORE_OK);
	assert_int_equal(id, 1);
	struct child_record ch = {.id = 1, .created_at_ms = T0};
	assert_int_equal(store_child_put(t, &ch), STORE_OK);
	struct child_record ch2 = {.id = 2, .created_at_ms = T0, .merged_into = 1};
	assert_int_equal(store_child_put(t, &ch2), STORE_OK);
	assert_int_equal(store_child_put(t, &ch2), STORE_OK); /* rewrite: not a new child */
	assert_int_equal(store_child_next(t, &id), STORE_OK);
	assert_int_equal(id, 3);
	assert_int_equal(store_child_resolve(t, 2, &got), STORE_OK);
	assert_int_equal(got, 1);
	assert_int_equal(store_child_resolve(t, 5, &got), STORE_NOTFOUND);
	assert_int_equal(store_counter_get(t, "children"), 2);

	assert_int_equal(store_identity_put(t, "N9434765919", 1), STORE_OK);
	assert_int_equal(store_identity_get(t, "N9434765919", &got), STORE_OK);
	assert_int_equal(got, 1);
	assert_int_equal(store_identity_get(t, "N9876543210", &got), STORE_NOTFOUND);
	assert_int_equal(store_commit(&t), STORE_OK);
}

/* Children seen by store_child_each: id * 10 + (merged ? 1 : 0). */
struct seen_children {
	size_t n, stop_after;
	uint64_t v[8];
};

static int seen_child(uint64_t child, uint64_t merged_into, void *arg)
{
	struct seen_children *s = arg;
	if (s->n < 8)
		s->v[s->n++] = child * 10 + (merged_into != 0);
	return s->stop_after && s->n >= s->stop_after;
}

static void test_child_each(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	struct seen_children none = {0};
	assert_int_equal(store_child_each(t, seen_child, &none), STORE_OK);
	assert_int_equal(none.n, 0);
	for (uint64_t id = 3; id >= 1; id--) {
		struct child_record ch = {.id = id, .created_at_ms = T0, .merged_into = id == 2};
		assert_int_equal(store_child_put(t, &ch), STORE_OK);
	}
	struct seen_children all = {0};
	assert_int_equal(store_child_each(t, seen_child, &all), STORE_OK);
	assert_int_equal(all.n, 3);
	/* In id order, merged ones marked. */
	assert_int_equal(all.v[0], 10);
	assert_int_equal(all.v[1], 21);
	assert_int_equal(all.v[2], 30);
	struct seen_children first = {.stop_after = 1};
	assert_int_equal(store_child_each(t, seen_child, &first), STORE_OK);
	assert_int_equal(first.n, 1);
	store_abort(&t);
}

static int collect(uint64_t child, const char *postcode, void *arg)
{
	char *out = arg;
	char item[64];
	snprintf(item, sizeof item, "%llu:%s;", (unsigned long long)child, postcode);
	strcat(out, item);
	return 0;
}

static void test_demographics(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_demographic_put(t, "DSMITH|ELLA|2015-03-02", 1, "LS14AP"), 0);
	assert_int_equal(store_demographic_put(t, "DSMITH|ELLA|2015-03-02", 1, "LS14AP"), 0);
	assert_int_equal(store_demographic_put(t, "DSMITH|ELLA|2015-03-02", 2, ""), 0);
	assert_int_equal(store_demographic_put(t, "DJONES|ELLA|2015-03-02", 3, ""), 0);
	char seen[256] = "";
	assert_int_equal(store_demographic_each(t, "DSMITH|ELLA|2015-03-02", collect, seen), 0);
	assert_string_equal(seen, "1:LS14AP;2:;");
	seen[0] = '\0';
	assert_int_equal(store_demographic_each(t, "DNOBODY|X|2015-03-02", collect, seen), 0);
	assert_string_equal(seen, "");
	store_abort(&t);
}

struct open_seen {
	size_t n;
	char rule[4][32];
	uint64_t seq[4];
};

static int open_seen(const char *rule, uint64_t seq, void *arg)
{
	struct open_seen *o = arg;
	if (o->n == 4)
		return 1;
	snprintf(o->rule[o->n], sizeof o->rule[0], "%s", rule);
	o->seq[o->n++] = seq;
	return 0;
}

static void test_alerts(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct alert *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	uint64_t seq;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_last_alert_seq(t), 0);
	a->seq = 1;
	a->child = 4;
	a->level = LEVEL_AMBER;
	strcpy(a->rule, "multi-agency");
	a->state = ALERT_OPEN;
	assert_int_equal(store_alert_add(t, a), STORE_OK);
	assert_int_equal(store_open_alert_set(t, 4, "multi-agency", 1), STORE_OK);
	a->seq = 3; /* not the next seq */
	assert_int_equal(store_alert_add(t, a), STORE_ERROR);
	a->seq = 2;
	a->level = LEVEL_RED;
	assert_int_equal(store_alert_add(t, a), STORE_OK);
	assert_int_equal(store_open_alert(t, 4, "multi-agency", &seq), STORE_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(store_open_alert(t, 4, "toxic-trio", &seq), STORE_NOTFOUND);
	assert_int_equal(store_open_alert(t, 5, "multi-agency", &seq), STORE_NOTFOUND);
	/* A child's open alerts: its own, never its neighbours', in rule
	 * order. */
	assert_int_equal(store_open_alert_set(t, 4, "cumulative-harm", 2), STORE_OK);
	assert_int_equal(store_open_alert_set(t, 5, "a-rule", 9), STORE_OK);
	struct open_seen o = {0};
	assert_int_equal(store_open_alerts(t, 4, open_seen, &o), STORE_OK);
	assert_int_equal(o.n, 2);
	assert_string_equal(o.rule[0], "cumulative-harm");
	assert_int_equal(o.seq[0], 2);
	assert_string_equal(o.rule[1], "multi-agency");
	assert_int_equal(o.seq[1], 1);
	o.n = 0;
	assert_int_equal(store_open_alerts(t, 3, open_seen, &o), STORE_OK);
	assert_int_equal(o.n, 0);
	assert_int_equal(store_open_alert_set(t, 4, "multi-agency", 0), STORE_OK);
	assert_int_equal(store_open_alert_set(t, 4, "cumulative-harm", 0), STORE_OK);
	assert_int_equal(store_open_alert(t, 4, "multi-agency", &seq), STORE_NOTFOUND);
	assert_int_equal(store_open_alerts(t, 4, open_seen, &o), STORE_OK);
	assert_int_equal(o.n, 0);
	assert_int_equal(store_open_alerts(t, 5, open_seen, &o), STORE_OK);
	assert_int_equal(o.n, 1);
	assert_int_equal(store_open_alert_set(t, 5, "a-rule", 0), STORE_OK);

	assert_int_equal(store_alert_get(t, 1, b), STORE_OK);
	assert_int_equal(b->level, LEVEL_AMBER);
	b->state = ALERT_SUPERSEDED;
	assert_int_equal(store_alert_update(t, b), STORE_OK);
	assert_int_equal(store_alert_get(t, 1, b), STORE_OK);
	assert_int_equal(b->state, ALERT_SUPERSEDED);
	assert_int_equal(store_last_alert_seq(t), 2);

	uint64_t *seqs;
	size_t n;
	assert_int_equal(store_child_alerts(t, 4, &seqs, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(seqs[0], 1);
	assert_int_equal(seqs[1], 2);
	free(seqs);
	assert_int_equal(store_counter_get(t, "level.AMBER"), 1);
	assert_int_equal(store_counter_get(t, "level.RED"), 1);
	assert_int_equal(store_counter_get(t, "rule.multi-agency"), 2);
	store_abort(&t);
	free(a);
	free(b);
}

static struct alert_evidence evidence_ref(int agency, const char *concern_id)
{
	struct alert_evidence e = {.agency = agency, .category = 1, .severity = 2};
	snprintf(e.concern_id, sizeof e.concern_id, "%s", concern_id);
	return e;
}

static void history_evidence(struct store_txn *t, uint64_t seq, struct alert_evidence c,
                             int with_concern)
{
	struct alert_event e;
	lifecycle_evidence(&c, T0, &e);
	if (!with_concern) /* as entries were stored before they held it */
		e.concern.concern_id[0] = '\0';
	assert_int_equal(store_alert_event_add(t, seq, &e), STORE_OK);
}

/* A write transaction on the closed store in dir, straight through
 * LMDB (the caller commits it and closes *env). */
static MDB_txn *raw_begin(const char *dir, MDB_env **env)
{
	MDB_txn *txn;
	assert_int_equal(mdb_env_create(env), 0);
	assert_int_equal(mdb_env_set_maxdbs(*env, 64), 0);
	assert_int_equal(mdb_env_open(*env, dir, MDB_NOTLS, 0600), 0);
	assert_int_equal(mdb_txn_begin(*env, NULL, 0, &txn), 0);
	return txn;
}

/* An entry put into alert seq's history as n, bypassing the store. */
static void put_history(const char *dir, uint64_t seq, uint32_t n, const void *rec, size_t len)
{
	MDB_env *env;
	MDB_txn *txn = raw_begin(dir, &env);
	MDB_dbi db;
	assert_int_equal(mdb_dbi_open(txn, "alert_events", 0, &db), 0);
	uint8_t key[12];
	for (int i = 0; i < 8; i++)
		key[i] = (uint8_t)(seq >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		key[8 + i] = (uint8_t)(n >> (24 - 8 * i));
	MDB_val k = {sizeof key, key}, v = {len, (void *)(uintptr_t)rec};
	assert_int_equal(mdb_put(txn, db, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* An alert's evidence as read: the record's, then what its history's
 * EVIDENCE entries added, each concern once, at most RULE_EVIDENCE_MAX;
 * entries stored before they held the concern add nothing (the record
 * lists theirs). The head leaves the evidence out. */
static void test_alert_evidence_from_history(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct alert *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	char err[256];
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	a->seq = 1;
	snprintf(a->alert_id, sizeof a->alert_id, "A00000001");
	a->child = 4;
	snprintf(a->child_id, sizeof a->child_id, "C00000004");
	a->level = LEVEL_AMBER;
	strcpy(a->rule, "multi-agency");
	strcpy(a->reason, "concerns from POLICE and EDUCATION within 30 days");
	strcpy(a->lead_practitioner, "Sam");
	a->state = ALERT_OPEN;
	a->n_evidence = 2;
	a->evidence[0] = evidence_ref(1, "P-1");
	a->evidence[1] = evidence_ref(3, "E-1");
	assert_int_equal(store_alert_add(t, a), STORE_OK);

	history_evidence(t, 1, evidence_ref(3, "E-1"), 0);
	history_evidence(t, 1, evidence_ref(3, "E-1"), 1);
	history_evidence(t, 1, evidence_ref(2, "H-1"), 1);
	struct alert_event note = {.action = ALERT_ACTION_NOTE, .by = "Sam", .at_ms = T0};
	strcpy(note.text, "rang the school");
	assert_int_equal(store_alert_event_add(t, 1, &note), STORE_OK);
	history_evidence(t, 1, evidence_ref(1, "H-1"), 1);
	history_evidence(t, 1, evidence_ref(2, "H-2"), 0);
	assert_int_equal(store_alert_get(t, 1, b), STORE_OK);
	assert_int_equal(b->n_evidence, 4);
	const char *want[] = {"P-1", "E-1", "H-1", "H-1"};
	const int agency[] = {1, 3, 2, 1};
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(b->evidence[i].concern_id, want[i]);
		assert_int_equal(b->evidence[i].agency, agency[i]);
	}
	assert_string_equal(b->reason, a->reason);

	assert_int_equal(store_alert_head(t, 1, b), STORE_OK);
	assert_int_equal(b->seq, 1);
	assert_string_equal(b->alert_id, "A00000001");
	assert_int_equal(b->child, 4);
	assert_string_equal(b->child_id, "C00000004");
	assert_int_equal(b->level, LEVEL_AMBER);
	assert_string_equal(b->rule, "multi-agency");
	assert_string_equal(b->lead_practitioner, "Sam");
	assert_int_equal(b->state, ALERT_OPEN);
	assert_int_equal(b->acknowledged_at_ms, 0);
	assert_int_equal(b->n_evidence, 0);
	assert_string_equal(b->reason, "");

	for (int i = 0; i < 70; i++) {
		char id[16];
		snprintf(id, sizeof id, "O-%d", i);
		history_evidence(t, 1, evidence_ref(5, id), 1);
	}
	assert_int_equal(store_alert_get(t, 1, b), STORE_OK);
	assert_int_equal(b->n_evidence, RULE_EVIDENCE_MAX);
	assert_string_equal(b->evidence[4].concern_id, "O-0");
	assert_string_equal(b->evidence[RULE_EVIDENCE_MAX - 1].concern_id, "O-59");
	assert_int_equal(store_commit(&t), STORE_OK);

	/* A history entry that does not parse: the alert cannot be read in
	 * full, and says so; its head still can. */
	store_close(&f->s);
	put_history(f->dir, 1, 1000, "\xff\xff", 2);
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(f->s);
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_alert_get(t, 1, b), STORE_ERROR);
	assert_int_equal(store_alert_head(t, 1, b), STORE_OK);
	assert_int_equal(b->level, LEVEL_AMBER);
	assert_int_equal(store_alert_head(t, 2, b), STORE_NOTFOUND);
	store_abort(&t);
	free(a);
	free(b);
}

static void test_identity_events(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	struct identity_event e = {
	    .at_ms = T0, .kind = IDEV_MERGED, .child = 1, .other = 2, .concern_seq = 7};
	snprintf(e.by, sizeof e.by, "ffcd");
	snprintf(e.reason, sizeof e.reason, "a concern named both");
	snprintf(e.identity, sizeof e.identity, "upn:A123456789012");
	assert_int_equal(store_identity_event_add(t, &e), STORE_OK);
	assert_int_equal(e.seq, 1);
	struct identity_event split = {.at_ms = T0 + 1, .kind = IDEV_SPLIT, .child = 1, .other = 3};
	assert_int_equal(store_identity_event_add(t, &split), STORE_OK);
	assert_int_equal(split.seq, 2);
	assert_int_equal(store_commit(&t), STORE_OK);

	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	struct identity_event got;
	assert_int_equal(store_identity_event_get(t, 1, &got), STORE_OK);
	assert_int_equal(got.kind, IDEV_MERGED);
	assert_int_equal(got.child, 1);
	assert_int_equal(got.other, 2);
	assert_int_equal(got.concern_seq, 7);
	assert_string_equal(got.by, "ffcd");
	assert_string_equal(got.reason, "a concern named both");
	assert_string_equal(got.identity, "upn:A123456789012");
	assert_int_equal(store_identity_event_get(t, 3, &got), STORE_NOTFOUND);

	uint64_t *seqs;
	size_t n;
	assert_int_equal(store_child_events(t, 1, &seqs, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(seqs[0], 1);
	assert_int_equal(seqs[1], 2);
	free(seqs);
	assert_int_equal(store_child_events(t, 2, &seqs, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(seqs[0], 1);
	free(seqs);
	assert_int_equal(store_child_events(t, 9, &seqs, &n), STORE_OK);
	assert_int_equal(n, 0);
	store_abort(&t);
}

static void test_audit(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_last_audit_seq(t), 0);
	struct audit_entry read = {.at_ms = T0, .child = 3};
	snprintf(read.by, sizeof read.by, "j.doe");
	snprintf(read.role, sizeof read.role, "practitioner");
	snprintf(read.command, sizeof read.command, "child");
	snprintf(read.purpose, sizeof read.purpose, "strategy discussion");
	snprintf(read.via, sizeof read.via, "ffc-web");
	assert_int_equal(store_audit_add(t, &read), STORE_OK);
	assert_int_equal(read.seq, 1);
	struct audit_entry refused = {.at_ms = T0 + 1, .refused = 1};
	snprintf(refused.by, sizeof refused.by, "visitor");
	snprintf(refused.command, sizeof refused.command, "purge");
	snprintf(refused.detail, sizeof refused.detail, "needs the admin role");
	assert_int_equal(store_audit_add(t, &refused), STORE_OK);
	assert_int_equal(refused.seq, 2);
	assert_int_equal(store_commit(&t), STORE_OK);

	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_last_audit_seq(t), 2);
	const void *data;
	size_t len;
	struct audit_entry got;
	assert_int_equal(store_audit_raw(t, 1, &data, &len), STORE_OK);
	assert_int_equal(wire_audit_decode(data, len, &got), 0);
	assert_int_equal(got.child, 3);
	assert_int_equal(got.at_ms, T0);
	assert_string_equal(got.by, "j.doe");
	assert_string_equal(got.role, "practitioner");
	assert_string_equal(got.command, "child");
	assert_string_equal(got.purpose, "strategy discussion");
	assert_string_equal(got.via, "ffc-web");
	assert_false(got.refused);
	assert_int_equal(store_audit_raw(t, 2, &data, &len), STORE_OK);
	assert_int_equal(wire_audit_decode(data, len, &got), 0);
	assert_int_equal(got.child, 0);
	assert_true(got.refused);
	assert_string_equal(got.detail, "needs the admin role");
	assert_string_equal(got.via, "");
	uint64_t *seqs;
	size_t n;
	assert_int_equal(store_child_audit(t, 3, &seqs, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(seqs[0], 1);
	free(seqs);
	store_abort(&t);
}

static void test_reopen_and_lock(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	uint64_t seq;
	char err[256];
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	add(t, "kept", 1, T0, 1, &seq);
	assert_int_equal(store_commit(&t), STORE_OK);

	/* A second daemon on the same directory is refused. */
	struct store *other = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_null(other);
	assert_non_null(strstr(err, "another ffcd"));

	/* Deleting ffcd.lock does not let one in: the lock is the
	 * directory's own. */
	char lock[1200];
	snprintf(lock, sizeof lock, "%s/ffcd.lock", f->dir);
	assert_int_equal(unlink(lock), 0);
	other = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_null(other);
	assert_non_null(strstr(err, "another ffcd is using this data directory"));
	assert_int_equal(store_lock(f->dir, -1, -1, err, sizeof err), -1);
	assert_non_null(strstr(err, "another ffcd"));

	store_close(&f->s);
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(f->s);
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_concern_find(t, 1, "kept", &seq), STORE_OK);
	store_abort(&t);
}

/* The ids stay readable after the transaction writes again: they are the
 * refs' own, not LMDB's pages. */
static void test_timeline_ids_outlive_writes(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	uint64_t seq;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	add(t, "first-concern", 1, T0, 7, &seq);
	struct concern_ref *refs;
	size_t n;
	assert_int_equal(store_timeline(t, 7, INT64_MIN, INT64_MAX, &refs, &n), STORE_OK);
	assert_int_equal(n, 1);
	char id[32];
	for (int i = 0; i < 200; i++) {
		snprintf(id, sizeof id, "later-%d", i);
		add(t, id, 2, T0 + i, 7, &seq);
	}
	assert_string_equal(refs[0].concern_id, "first-concern");
	free(refs);
	store_abort(&t);
}

/* Write a key of the meta table or rewrite every timeline entry as
 * format 1 had them, with LMDB itself: what an older ffcd left. */
static void rewrite(const char *dir, const char *format, int to_format_1)
{
	MDB_env *env;
	MDB_txn *txn = raw_begin(dir, &env);
	MDB_dbi meta, tl;
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
	assert_int_equal(mdb_dbi_open(txn, "timeline", 0, &tl), 0);
	char name[] = "format", value[16];
	snprintf(value, sizeof value, "%s", format);
	MDB_val k = {6, name}, v = {strlen(value), value};
	assert_int_equal(mdb_put(txn, meta, &k, &v, 0), 0);
	/* Keys first, then the rewrites: a cursor is not trusted to step on
	 * past a value that changed size. */
	MDB_cursor *c;
	uint8_t keys[400][24];
	size_t n = 0;
	assert_int_equal(mdb_cursor_open(txn, tl, &c), 0);
	for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); to_format_1 && rc == 0 && n < 400;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		memcpy(keys[n++], k.mv_data, 24);
	mdb_cursor_close(c);
	for (size_t i = 0; i < n; i++) {
		MDB_val tk = {24, keys[i]}, tv;
		assert_int_equal(mdb_get(txn, tl, &tk, &tv), 0);
		uint8_t old[4];
		memcpy(old, tv.mv_data, 4);
		MDB_val ov = {(old[3] & 1) ? 4 : 3, old};
		old[3] = 1;
		assert_int_equal(mdb_put(txn, tl, &tk, &ov, 0), 0);
	}
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void test_format_1_migrated(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	uint64_t seq, gone = 0;
	char err[256];
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	for (int i = 0; i < 300; i++) {
		char id[32];
		snprintf(id, sizeof id, "concern-%03d", i);
		add(t, id, 1 + i % 3, T0 + i * DAY, 1 + (uint64_t)i % 4, &seq);
		if (i == 5)
			gone = seq;
	}
	assert_int_equal(store_concern_withdraw(t, gone, T0, "olivia", "wrong child"), STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
	store_close(&f->s);
	rewrite(f->dir, "1", 1);

	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(f->s);
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	for (uint64_t child = 1; child <= 4; child++) {
		struct concern_ref *refs;
		size_t n;
		assert_int_equal(store_chronology(t, child, INT64_MIN, INT64_MAX, &refs, &n),
		                 STORE_OK);
		assert_int_equal(n, 75);
		for (size_t i = 0; i < n; i++) {
			char id[32];
			snprintf(id, sizeof id, "concern-%03d", (int)(child - 1 + 4 * i));
			assert_string_equal(refs[i].concern_id, id);
			assert_int_equal(refs[i].agency, 1 + (child - 1 + 4 * i) % 3);
		}
		free(refs);
		/* The withdrawn mark survives: the rules' view leaves it out. */
		assert_int_equal(store_timeline(t, child, INT64_MIN, INT64_MAX, &refs, &n),
		                 STORE_OK);
		assert_int_equal(n, child == 2 ? 74 : 75);
		free(refs);
	}
	store_abort(&t);
}

static void test_newer_format_refused(void **state)
{
	struct fixture *f = *state;
	char err[256];
	store_close(&f->s);
	rewrite(f->dir, "5", 0);
	assert_null(store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err));
	assert_non_null(strstr(err, "store format 5 is newer than this ffcd (4); upgrade ffcd"));
	rewrite(f->dir, "two", 0);
	assert_null(store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err));
	assert_non_null(strstr(err, "store format 'two' is not one this ffcd reads"));
	rewrite(f->dir, "3", 0);
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(f->s);
}

/* A savepoint's writes are kept by release, forgotten by rollback, and
 * the transaction around it goes on either way. */
static void test_savepoints(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	uint64_t seq;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	add(t, "before", 1, T0, 1, &seq);
	assert_int_equal(store_savepoint(t), STORE_OK);
	assert_int_equal(store_savepoint(t), STORE_ERROR); /* one at a time */
	add(t, "kept", 1, T0, 1, &seq);
	assert_int_equal(store_release(t), STORE_OK);
	assert_int_equal(store_savepoint(t), STORE_OK);
	add(t, "dropped", 1, T0, 1, &seq);
	assert_int_equal(store_concern_find(t, 1, "dropped", &seq), STORE_OK);
	store_rollback(t);
	assert_int_equal(store_concern_find(t, 1, "dropped", &seq), STORE_NOTFOUND);
	add(t, "after", 1, T0, 1, &seq);
	assert_int_equal(seq, 3); /* the dropped one's seq is free again */
	/* A savepoint left open goes with the commit. */
	assert_int_equal(store_savepoint(t), STORE_OK);
	add(t, "open", 1, T0, 1, &seq);
	assert_int_equal(store_commit(&t), STORE_OK);

	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_savepoint(t), STORE_ERROR); /* read-only */
	const char *ids[] = {"before", "kept", "after", "open"};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(store_concern_find(t, 1, ids[i], &seq), STORE_OK);
	assert_int_equal(store_concern_find(t, 1, "dropped", &seq), STORE_NOTFOUND);
	assert_int_equal(store_counter_get(t, "concerns"), 4);
	store_abort(&t);

	/* Aborting with a savepoint open drops both. */
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_savepoint(t), STORE_OK);
	add(t, "gone", 1, T0, 1, &seq);
	store_abort(&t);
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_concern_find(t, 1, "gone", &seq), STORE_NOTFOUND);
	store_abort(&t);
}

/* ENOSPC is "disk full", told apart from EIO, counted and timed. */
static void test_disk_full_said_apart(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	uint64_t seq;
	assert_int_equal(store_fault(f->s)->last, STORE_OK);
	assert_int_equal(store_fault(f->s)->disk_full, 0);

	store_inject_error(f->s, ENOSPC, 1);
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_identity_put(t, "N1", 1), STORE_DISK_FULL);
	store_abort(&t);
	assert_int_equal(store_fault(f->s)->last, STORE_DISK_FULL);
	assert_int_equal(store_fault(f->s)->disk_full, 1);
	assert_true(store_fault(f->s)->disk_full_at_ms > 0);

	/* EIO is a failing disk, not a full one. */
	store_inject_error(f->s, EIO, 1);
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_identity_put(t, "N1", 1), STORE_IO_ERROR);
	store_abort(&t);
	assert_int_equal(store_fault(f->s)->last, STORE_IO_ERROR);
	assert_int_equal(store_fault(f->s)->disk_full, 1);

	/* At commit too: nothing of the transaction stays. */
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	add(t, "c1", 1, T0, 1, &seq);
	store_inject_error(f->s, ENOSPC, 1);
	assert_int_equal(store_commit(&t), STORE_DISK_FULL);
	assert_int_equal(store_fault(f->s)->disk_full, 2);

	/* Space again: the next write succeeds and the fault clears. */
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	add(t, "c2", 1, T0, 1, &seq);
	assert_int_equal(seq, 1);
	assert_int_equal(store_commit(&t), STORE_OK);
	assert_int_equal(store_fault(f->s)->last, STORE_OK);
	assert_int_equal(store_fault(f->s)->disk_full, 2);
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_concern_find(t, 1, "c1", &seq), STORE_NOTFOUND);
	store_abort(&t);
}

static void test_creates_missing_parents(void **state)
{
	struct fixture *f = *state;
	char nested[1200], err[256];
	snprintf(nested, sizeof nested, "%s/a/b", f->dir);
	struct store *s = store_open(nested, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(s);
	struct stat st;
	assert_int_equal(stat(nested, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	store_close(&s);
	char file[1300];
	const char *files[] = {"data.mdb", "lock.mdb", "ffcd.lock"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(file, sizeof file, "%s/%s", nested, files[i]);
		assert_int_equal(unlink(file), 0);
	}
	assert_int_equal(rmdir(nested), 0);
	snprintf(nested, sizeof nested, "%s/a", f->dir);
	assert_int_equal(rmdir(nested), 0);
}

static void test_grow_when_full(void **state)
{
	struct fixture *f = *state;
	/* A tiny map that fills quickly; the maximum allows two doublings. */
	reopen(f, 256 << 10, 1 << 20);
	uint64_t start = store_map_size(f->s);
	int full = 0, grown = 0;
	char id[32];
	char summary[4001];
	memset(summary, 'x', sizeof summary - 1);
	summary[sizeof summary - 1] = '\0';
	for (int i = 0; i < 2000 && grown < 3; i++) {
		struct store_txn *t;
		uint64_t seq, child = 1;
		struct child_identity kid = test_child_nhs("9434765919");
		snprintf(id, sizeof id, "big-%d", i);
		struct concern c = test_concern(id, 1, 4, 1, T0, &kid, 1);
		c.summary = summary;
		assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
		int rc = store_concern_add(t, &c, NULL, 0, T0, &child, 1, &seq);
		if (rc == STORE_FULL) {
			store_abort(&t);
			full++;
			if (store_grow(f->s) < 0)
				break;
			grown++;
			continue;
		}
		assert_int_equal(rc, STORE_OK);
		rc = store_commit(&t);
		assert_true(rc == STORE_OK || rc == STORE_FULL);
		if (rc == STORE_FULL) {
			full++;
			if (store_grow(f->s) < 0)
				break;
			grown++;
		}
	}
	assert_true(full > 0);
	assert_true(store_map_size(f->s) > start);
	assert_int_equal(store_map_size(f->s), 1 << 20);
	/* At the maximum: growing is refused, and what was stored is intact. */
	assert_int_equal(store_grow(f->s), -1);
	struct store_txn *t;
	uint64_t seq;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_concern_find(t, 1, "big-0", &seq), STORE_OK);
	assert_int_equal(seq, 1);
	store_abort(&t);
}

/* What store_write() runs: n concerns of 4000 bytes each. */
struct big_write {
	const char *prefix;
	int n, runs, aborts, fail_first;
	int last_abort;
};

static int write_big(struct store_txn *t, void *arg)
{
	struct big_write *w = arg;
	static char summary[4001];
	memset(summary, 'x', sizeof summary - 1);
	w->runs++;
	if (w->fail_first && w->runs == 1)
		return w->fail_first;
	for (int i = 0; i < w->n; i++) {
		char id[32];
		uint64_t seq, child = 1;
		struct child_identity kid = test_child_nhs("9434765919");
		snprintf(id, sizeof id, "%s-%d", w->prefix ? w->prefix : "w", i);
		struct concern c = test_concern(id, 1, 4, 1, T0, &kid, 1);
		c.summary = summary;
		int rc = store_concern_add(t, &c, NULL, 0, T0, &child, 1, &seq);
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

static int write_big_aborted(int rc, void *arg)
{
	struct big_write *w = arg;
	w->aborts++;
	w->last_abort = rc;
	return rc == -100; /* "run again at once" */
}

static uint64_t concerns_stored(struct store *s)
{
	struct store_txn *t;
	assert_int_equal(store_begin(s, 0, &t), STORE_OK);
	uint64_t n = store_counter_get(t, "concerns");
	store_abort(&t);
	return n;
}

/* A write too large for the map: aborted, told, the map grown and the
 * whole work run again until it commits, or refused at the maximum. */
static void test_write_grows_and_retries(void **state)
{
	struct fixture *f = *state;
	reopen(f, 256 << 10, 1 << 20);
	struct big_write w = {.n = 150};
	assert_int_equal(store_write(f->s, write_big, write_big_aborted, &w), STORE_OK);
	assert_true(w.aborts >= 1);
	assert_int_equal(w.last_abort, STORE_FULL);
	assert_int_equal(w.runs, w.aborts + 1);
	assert_true(store_map_size(f->s) > 256 << 10);
	assert_int_equal(concerns_stored(f->s), 150);

	/* More than the maximum map holds: STORE_FULL, nothing stored. */
	struct big_write huge = {.prefix = "huge", .n = 3000};
	assert_int_equal(store_write(f->s, write_big, NULL, &huge), STORE_FULL);
	assert_int_equal(store_map_size(f->s), 1 << 20);
	assert_int_equal(concerns_stored(f->s), 150);
}

/* The daemon opens the map at map_size_max when the address space holds
 * it: a size the process can map is said to fit, one past any address
 * space (2^62 bytes) not, and a try that failed leaves the next one as
 * before. */
static void test_map_fits(void **state)
{
	(void)state;
	assert_true(store_map_fits(UINT64_C(64) << 30));
	assert_false(store_map_fits(UINT64_C(1) << 62));
	assert_true(store_map_fits(UINT64_C(64) << 30));
}

/* Before a read beside the loop the map is made as large as it may be,
 * so the writes meanwhile never need it grown: growing waits until no
 * reader is open, and here the reader is this thread's own, so a write
 * that needed the map grown would wait for ever. */
static void test_room_ahead_of_a_reader(void **state)
{
	struct fixture *f = *state;
	reopen(f, 256 << 10, 4 << 20);

	/* A reader open: not grown now, nothing changed. */
	struct store_txn *r;
	assert_int_equal(store_begin(f->s, 0, &r), STORE_OK);
	assert_int_equal(store_room_ahead(f->s), -1);
	assert_int_equal(store_map_size(f->s), 256 << 10);
	store_abort(&r);

	assert_int_equal(store_room_ahead(f->s), 0);
	assert_int_equal(store_map_size(f->s), 4 << 20);
	assert_int_equal(store_begin(f->s, 0, &r), STORE_OK);
	struct big_write w = {.n = 300};
	assert_int_equal(store_write(f->s, write_big, write_big_aborted, &w), STORE_OK);
	assert_int_equal(w.aborts, 0);
	store_abort(&r);
	assert_int_equal(concerns_stored(f->s), 300);
	/* At the maximum: nothing more to do. */
	assert_int_equal(store_room_ahead(f->s), 0);
	assert_int_equal(store_map_size(f->s), 4 << 20);
}

/* A paced copy is written no faster than its rate: one MiB at a time,
 * each due when the rate says. So it takes at least as long as its whole
 * MiBs at that rate (a bound below, which a busy machine only lengthens),
 * and the copy holds everything. */
static void test_backup_paced_rate(void **state)
{
	struct fixture *f = *state;
	struct big_write w = {.n = 700};
	assert_int_equal(store_write(f->s, write_big, write_big_aborted, &w), STORE_OK);
	char path[1100], err[256];
	snprintf(path, sizeof path, "%s/copy", f->dir);
	const uint64_t rate = 4 << 20;
	uint64_t bytes = 0;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(store_backup(f->s, path, rate, &bytes, err, sizeof err), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(bytes > 2 << 20);
	const double took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	const double least = (double)(bytes >> 20 << 20) / (double)rate;
	if (took < least * 0.999)
		fail_msg("%llu bytes at %llu a second took %.3f s, under %.3f s",
		         (unsigned long long)bytes, (unsigned long long)rate, took, least);
	struct store *copy = store_open(path, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(copy);
	assert_int_equal(concerns_stored(copy), 700);
	store_close(&copy);
}

/* The abort callback may ask for the work at once; any other failure is
 * returned, nothing of it stored. */
static void test_write_abort_callback(void **state)
{
	struct fixture *f = *state;
	struct big_write w = {.n = 1, .fail_first = -100};
	assert_int_equal(store_write(f->s, write_big, write_big_aborted, &w), STORE_OK);
	assert_int_equal(w.runs, 2);
	assert_int_equal(w.aborts, 1);
	assert_int_equal(w.last_abort, -100);
	assert_int_equal(concerns_stored(f->s), 1);

	struct big_write bad = {.n = 1, .fail_first = STORE_ERROR};
	assert_int_equal(store_write(f->s, write_big, write_big_aborted, &bad), STORE_ERROR);
	assert_int_equal(bad.runs, 1);
	assert_int_equal(bad.aborts, 1);
	assert_int_equal(concerns_stored(f->s), 1);
}

/* Counters go down exactly; below zero is logged and stops at 0, the
 * write going on. */
struct counted {
	uint64_t sum;
	int n;
};

static void sum_counter(const char *name, uint64_t value, void *arg)
{
	struct counted *got = arg;
	(void)name;
	got->sum += value;
	got->n++;
}

static void test_counter_sub(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_counter_add(t, "x", 3), STORE_OK);
	assert_int_equal(store_counter_sub(t, "x", 2), STORE_OK);
	assert_int_equal(store_counter_get(t, "x"), 1);
	assert_int_equal(store_counter_sub(t, "x", 1), STORE_OK);
	assert_int_equal(store_counter_get(t, "x"), 0);
	assert_int_equal(store_counter_sub(t, "x", 1), STORE_OK);
	assert_int_equal(store_counter_get(t, "x"), 0);
	assert_int_equal(store_counter_sub(t, "never", 1), STORE_OK);
	assert_int_equal(store_counter_get(t, "never"), 0);
	assert_int_equal(store_commit(&t), STORE_OK);
}

/* Counter changes are kept until the commit, each counter read and
 * written once: seen by the transaction making them, gone with a
 * savepoint rolled back, kept with one released, written at the commit,
 * listed after being written. */
static void test_counters_kept_until_commit(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t, *r;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	for (int i = 0; i < 500; i++)
		assert_int_equal(store_counter_add(t, "batched", 1), STORE_OK);
	assert_int_equal(store_counter_get(t, "batched"), 500);
	assert_int_equal(store_savepoint(t), STORE_OK);
	assert_int_equal(store_counter_add(t, "batched", 7), STORE_OK);
	assert_int_equal(store_counter_add(t, "only.rolled.back", 1), STORE_OK);
	assert_int_equal(store_counter_get(t, "batched"), 507);
	store_rollback(t);
	assert_int_equal(store_counter_get(t, "batched"), 500);
	assert_int_equal(store_counter_get(t, "only.rolled.back"), 0);
	assert_int_equal(store_savepoint(t), STORE_OK);
	assert_int_equal(store_counter_add(t, "batched", 2), STORE_OK);
	assert_int_equal(store_release(t), STORE_OK);
	assert_int_equal(store_counter_sub(t, "batched", 1), STORE_OK);
	/* More names than are kept at once: the first are written early. */
	char name[32];
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "many.%03d", i);
		assert_int_equal(store_counter_add(t, name, (uint64_t)i + 1), STORE_OK);
	}
	/* A name too long to keep is written at once. */
	char long_name[100];
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	assert_int_equal(store_counter_add(t, long_name, 3), STORE_OK);
	/* Nothing kept is visible to another transaction before the commit. */
	assert_int_equal(store_commit(&t), STORE_OK);
	assert_int_equal(store_begin(f->s, 0, &r), STORE_OK);
	assert_int_equal(store_counter_get(r, "batched"), 501);
	assert_int_equal(store_counter_get(r, "only.rolled.back"), 0);
	assert_int_equal(store_counter_get(r, "many.000"), 1);
	assert_int_equal(store_counter_get(r, "many.099"), 100);
	assert_int_equal(store_counter_get(r, long_name), 3);
	store_abort(&r);

	/* Listing in a write transaction sees what it changed. */
	struct counted got = {0, 0};
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_counter_add(t, "many.000", 1000), STORE_OK);
	assert_int_equal(store_counter_each(t, "many.", sum_counter, &got), STORE_OK);
	assert_int_equal(got.n, 100);
	assert_int_equal(got.sum, 5050 + 1000);
	store_abort(&t);
	assert_int_equal(store_begin(f->s, 0, &r), STORE_OK);
	assert_int_equal(store_counter_get(r, "many.000"), 1); /* aborted: not written */
	store_abort(&r);
}

/* A write that would change nothing is not made: the commit of a
 * transaction making only such writes adds no page to the store. */
static void test_unchanged_writes_skipped(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_identity_put(t, "N9434765919", 7), STORE_OK);
	assert_int_equal(store_demographic_put(t, "DSMITH|ELLA|2015-03-02", 7, "LS14AP"), STORE_OK);
	assert_int_equal(store_match_name_put(t, "SMITH|2015-03-02", 7, "ELLA", "LS14AP"),
	                 STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
	uint64_t used = store_used_bytes(f->s);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
		assert_int_equal(store_identity_put(t, "N9434765919", 7), STORE_OK);
		assert_int_equal(store_demographic_put(t, "DSMITH|ELLA|2015-03-02", 7, "LS14AP"),
		                 STORE_OK);
		assert_int_equal(store_match_name_put(t, "SMITH|2015-03-02", 7, "ELLA", "LS14AP"),
		                 STORE_OK);
		assert_int_equal(store_commit(&t), STORE_OK);
		assert_int_equal(store_used_bytes(f->s), used);
	}
	/* A changed value is written. */
	uint64_t child = 0;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_identity_put(t, "N9434765919", 9), STORE_OK);
	assert_int_equal(store_identity_get(t, "N9434765919", &child), STORE_OK);
	assert_int_equal(child, 9);
	assert_int_equal(store_commit(&t), STORE_OK);
	assert_true(store_used_bytes(f->s) > used);
}

/* The last concern seq is looked up once a transaction and follows what
 * it adds, rolls back and purges. */
static void test_concern_seq_followed(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	uint64_t seq;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_last_concern_seq(t), 0);
	add(t, "s1", 1, T0, 1, &seq);
	assert_int_equal(seq, 1);
	assert_int_equal(store_last_concern_seq(t), 1);
	assert_int_equal(store_savepoint(t), STORE_OK);
	add(t, "s2", 1, T0, 1, &seq);
	assert_int_equal(store_last_concern_seq(t), 2);
	store_rollback(t);
	assert_int_equal(store_last_concern_seq(t), 1);
	add(t, "s2", 1, T0, 1, &seq);
	add(t, "s3", 1, T0, 1, &seq);
	assert_int_equal(seq, 3);
	assert_int_equal(store_concern_purge(t, 3), STORE_OK);
	/* A purged seq is never given again. */
	assert_int_equal(store_last_concern_seq(t), 3);
	add(t, "s4", 1, T0, 1, &seq);
	assert_int_equal(seq, 4);
	assert_int_equal(store_commit(&t), STORE_OK);
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_last_concern_seq(t), 4);
	store_abort(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_concerns, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeline_ids_outlive_writes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_format_1_migrated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newer_format_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_child_each, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_children_and_identities, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_demographics, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alerts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alert_evidence_from_history, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_identity_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_and_lock, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_savepoints, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disk_full_said_apart, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_creates_missing_parents, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_grow_when_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_grows_and_retries, setup, teardown),
	    cmocka_unit_test(test_map_fits),
	    cmocka_unit_test_setup_teardown(test_room_ahead_of_a_reader, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_paced_rate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_abort_callback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_counter_sub, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_counters_kept_until_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unchanged_writes_skipped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_concern_seq_followed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
