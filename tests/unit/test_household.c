/*
 * Unit tests for households (household.c, store_households.c) on a real
 * store: forming, joining and merging households (the lower id staying,
 * aliases pointing straight at it), the cap on children, taking a child
 * out, a merged child's household going to the survivor, the events each
 * change records (indexed under the children they name), a household's
 * concerns gathered once each however many children they name, and a
 * format-2 store's pairs of children becoming households when it opens.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <lmdb.h>

#include "household.h"
#include "store.h"
#include "testutil.h"
#include "wire.h"

struct fixture {
	char *dir;
	struct store *s;
	struct store_txn *t;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	f->dir = test_tmpdir("ffc-household");
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	if (!f->s || store_begin(f->s, 1, &f->t) != STORE_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_abort(&f->t);
	store_close(&f->s);
	test_rmdir(f->dir);
	free(f);
	return 0;
}

static const struct household_why BY_CONCERN = {"ffcd", "named together", 7};

/* The members of child's household as "1 2 3" ("" for none), and its id. */
static const char *members(struct fixture *f, uint64_t child, uint64_t *household)
{
	static char out[256];
	uint64_t m[HOUSEHOLD_MEMBERS_MAX], h = 0;
	size_t n;
	assert_int_equal(household_members(f->t, child, &h, m, &n), STORE_OK);
	out[0] = '\0';
	for (size_t i = 0; h && i < n; i++)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%llu", i ? " " : "",
		         (unsigned long long)m[i]);
	if (household)
		*household = h;
	return out;
}

static struct household_union join(struct fixture *f, uint64_t a, uint64_t b)
{
	struct household_union u;
	assert_int_equal(household_join(f->t, a, b, &BY_CONCERN, T0, &u), STORE_OK);
	return u;
}

/* The household events under child, their kinds as "FORMED JOINED". */
static const char *events(struct fixture *f, uint64_t child)
{
	static char out[256];
	static const char *const names[] = {"?", "FORMED", "JOINED", "MERGED", "LEFT"};
	uint64_t *seqs = NULL;
	size_t n;
	out[0] = '\0';
	assert_int_equal(store_child_household_events(f->t, child, &seqs, &n), STORE_OK);
	for (size_t i = 0; i < n; i++) {
		const void *data;
		size_t len;
		struct household_event e;
		assert_int_equal(store_household_event_raw(f->t, seqs[i], &data, &len), STORE_OK);
		assert_int_equal(wire_household_event_decode(data, len, &e), 0);
		assert_true(e.kind >= HHEV_FORMED && e.kind <= HHEV_LEFT);
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "",
		         names[e.kind]);
	}
	free(seqs);
	return out;
}

static void test_form_join_merge(void **state)
{
	struct fixture *f = *state;
	uint64_t h;
	/* Alone: a household of one, with no id. */
	assert_string_equal(members(f, 1, &h), "");
	assert_int_equal(h, 0);

	struct household_union u = join(f, 2, 1);
	assert_int_equal(u.change, HOUSEHOLD_FORMED);
	assert_int_equal(u.household, 1);
	assert_string_equal(members(f, 1, &h), "1 2");
	assert_int_equal(h, 1);
	/* Again, either way round: nothing. */
	assert_int_equal(join(f, 1, 2).change, HOUSEHOLD_SAME);
	assert_int_equal(join(f, 1, 1).change, HOUSEHOLD_SAME);
	/* A third child joins; another pair forms a second household. */
	u = join(f, 3, 2);
	assert_int_equal(u.change, HOUSEHOLD_JOINED);
	assert_int_equal(u.child, 3);
	assert_int_equal(u.other, 2);
	assert_int_equal(join(f, 5, 4).household, 2);
	assert_int_equal(join(f, 7, 6).household, 3);
	/* Household 3 becomes part of 2, then 2 of 1: aliases straight to 1. */
	u = join(f, 4, 7);
	assert_int_equal(u.change, HOUSEHOLD_MERGED);
	assert_int_equal(u.household, 2);
	assert_int_equal(u.other_household, 3);
	u = join(f, 6, 1);
	assert_int_equal(u.change, HOUSEHOLD_MERGED);
	assert_int_equal(u.household, 1);
	assert_int_equal(u.other_household, 2);
	assert_string_equal(members(f, 7, &h), "1 2 3 4 5 6 7");
	assert_int_equal(h, 1);
	struct household_record r;
	assert_int_equal(store_household_get(f->t, 3, &r), STORE_OK);
	assert_int_equal(r.merged_into, 1);
	assert_int_equal(r.n_members, 0);
	household_record_release(&r);
	assert_int_equal(store_household_get(f->t, 1, &r), STORE_OK);
	assert_int_equal(r.n_aliases, 2);
	household_record_release(&r);
	uint64_t live, m[HOUSEHOLD_MEMBERS_MAX];
	size_t n;
	assert_int_equal(household_of_id(f->t, 3, &live, m, &n), STORE_OK);
	assert_int_equal(live, 1);
	assert_int_equal(n, 7);
	assert_int_equal(household_of_id(f->t, 9, &live, m, &n), STORE_NOTFOUND);

	/* Each change is an event under the children it names. */
	assert_string_equal(events(f, 1), "FORMED MERGED");
	assert_string_equal(events(f, 3), "JOINED");
	assert_string_equal(events(f, 4), "FORMED MERGED");
	assert_string_equal(events(f, 6), "FORMED MERGED");
}

static void test_leave_and_cap(void **state)
{
	struct fixture *f = *state;
	uint64_t was, h;
	join(f, 1, 2);
	join(f, 1, 3);
	struct household_why op = {"a.smith", "moved to her father's", 0};
	assert_int_equal(household_leave(f->t, 2, &op, T0, &was), STORE_OK);
	assert_int_equal(was, 1);
	assert_string_equal(members(f, 1, NULL), "1 3");
	assert_string_equal(members(f, 2, &h), "");
	assert_int_equal(h, 0);
	assert_string_equal(events(f, 2), "FORMED LEFT");
	assert_int_equal(household_leave(f->t, 2, &op, T0, &was), STORE_OK);
	assert_int_equal(was, 0); /* in none: nothing */
	/* Back again by a concern. */
	assert_int_equal(join(f, 2, 3).change, HOUSEHOLD_JOINED);
	assert_string_equal(members(f, 2, NULL), "1 2 3");

	/* Up to HOUSEHOLD_MEMBERS_MAX children; past it nothing changes. */
	for (uint64_t c = 4; c <= HOUSEHOLD_MEMBERS_MAX; c++)
		assert_int_equal(join(f, 1, c).change, HOUSEHOLD_JOINED);
	assert_int_equal(join(f, 1, 100).change, HOUSEHOLD_FULL);
	assert_string_equal(members(f, 100, &h), "");
	join(f, 100, 101);
	assert_int_equal(join(f, 101, 1).change, HOUSEHOLD_FULL);
	assert_string_equal(members(f, 101, NULL), "100 101");
}

static void test_merged_child(void **state)
{
	struct fixture *f = *state;
	int changed;
	uint64_t h;
	/* 1 with 2, 3 with 4; 4 turns out to be 1. */
	join(f, 1, 2);
	join(f, 3, 4);
	assert_int_equal(household_child_merged(f->t, 1, 4, T0, &changed), STORE_OK);
	assert_true(changed);
	assert_string_equal(members(f, 1, &h), "1 2 3");
	assert_int_equal(h, 1);
	assert_string_equal(members(f, 4, NULL), "");
	/* The survivor already in the household: no change. */
	join(f, 5, 1);
	assert_int_equal(household_child_merged(f->t, 1, 5, T0, &changed), STORE_OK);
	assert_false(changed);
	assert_string_equal(members(f, 1, NULL), "1 2 3");
	/* A child alone in its household (the others left): the survivor,
	 * in none, takes its place. */
	join(f, 6, 7);
	struct household_why op = {"a.smith", "x", 0};
	uint64_t was;
	assert_int_equal(household_leave(f->t, 7, &op, T0, &was), STORE_OK);
	assert_int_equal(household_child_merged(f->t, 8, 6, T0, &changed), STORE_OK);
	assert_true(changed);
	assert_string_equal(members(f, 8, &h), "8");
	assert_int_equal(h, was);
	/* Neither in a household: nothing. */
	assert_int_equal(household_child_merged(f->t, 9, 10, T0, &changed), STORE_OK);
	assert_false(changed);
}

static void add(struct fixture *f, const char *id, int category, int64_t at,
                const uint64_t *children, size_t n)
{
	struct child_identity kid[2] = {test_child_nhs("9434765919"), test_child_nhs("9434765919")};
	struct concern c = test_concern(id, 1, category, 2, at, kid, n);
	uint64_t seq;
	assert_int_equal(store_concern_add(f->t, &c, NULL, 0, at, children, n, &seq), STORE_OK);
}

static void test_refs_each_concern_once(void **state)
{
	struct fixture *f = *state;
	const uint64_t both[2] = {1, 2}, mia[1] = {1}, jay[1] = {2}, other[1] = {3};
	add(f, "da", 1, T0, both, 2);
	add(f, "mh", 3, T0 + 8 * DAY, jay, 1);
	add(f, "sm", 2, T0 + 20 * DAY, mia, 1);
	add(f, "x", 4, T0 + 5 * DAY, other, 1);
	const uint64_t family[2] = {1, 2};
	struct household_refs h;
	assert_int_equal(household_refs(f->t, family, 2, INT64_MIN, INT64_MAX, 0, &h), STORE_OK);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.refs[0].concern_id, "da");
	assert_int_equal(h.filed[0], 3); /* both children */
	assert_string_equal(h.refs[1].concern_id, "mh");
	assert_int_equal(h.filed[1], 2);
	assert_string_equal(h.refs[2].concern_id, "sm");
	assert_int_equal(h.filed[2], 1);
	household_refs_release(&h);
	household_refs_release(&h); /* safe twice */
	/* A window. */
	assert_int_equal(household_refs(f->t, family, 2, T0 + DAY, T0 + 10 * DAY, 0, &h), STORE_OK);
	assert_int_equal(h.n, 1);
	household_refs_release(&h);
}

/* A store of format 2, its households kept as pairs: they become
 * households when it is opened, ids as filed resolved. */
static void test_format_2_pairs_migrated(void **state)
{
	struct fixture *f = *state;
	/* Children 1..6; 6 merged into 5. */
	for (uint64_t id = 1; id <= 6; id++) {
		struct child_record ch = {.id = id, .merged_into = id == 6 ? 5 : 0};
		assert_int_equal(store_child_put(f->t, &ch), STORE_OK);
	}
	assert_int_equal(store_commit(&f->t), STORE_OK);
	store_close(&f->s);

	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi meta, pairs;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 64), 0);
	assert_int_equal(mdb_env_open(env, f->dir, MDB_NOTLS, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
	assert_int_equal(mdb_dbi_open(txn, "households", MDB_CREATE | MDB_DUPSORT, &pairs), 0);
	char format_key[] = "format", two[] = "2";
	MDB_val k = {6, format_key}, v = {1, two};
	assert_int_equal(mdb_put(txn, meta, &k, &v, 0), 0);
	/* 1-2, 2-3 (a chain), 4-6 (6 now 5), each both ways. */
	const uint64_t edges[][2] = {{1, 2}, {2, 3}, {4, 6}};
	for (size_t i = 0; i < 3; i++)
		for (int way = 0; way < 2; way++) {
			uint8_t a[8], b[8];
			for (int j = 0; j < 8; j++) {
				a[j] = (uint8_t)(edges[i][way] >> (56 - 8 * j));
				b[j] = (uint8_t)(edges[i][!way] >> (56 - 8 * j));
			}
			MDB_val pk = {8, a}, pv = {8, b};
			assert_int_equal(mdb_put(txn, pairs, &pk, &pv, 0), 0);
		}
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);

	char err[256];
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(f->s);
	assert_int_equal(store_begin(f->s, 1, &f->t), STORE_OK);
	uint64_t h1, h2;
	assert_string_equal(members(f, 3, &h1), "1 2 3");
	assert_string_equal(members(f, 5, &h2), "4 5");
	assert_int_not_equal(h1, h2);
	/* The old table is gone; a household is formed as before. */
	assert_int_equal(join(f, 3, 4).change, HOUSEHOLD_MERGED);
	assert_string_equal(members(f, 5, NULL), "1 2 3 4 5");
	store_abort(&f->t);
	store_close(&f->s);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 64), 0);
	assert_int_equal(mdb_env_open(env, f->dir, MDB_NOTLS | MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "households", 0, &pairs), MDB_NOTFOUND);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
	assert_int_equal(mdb_get(txn, meta, &k, &v), 0);
	assert_int_equal(v.mv_size, 1);
	assert_memory_equal(v.mv_data, "4", 1);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(f->s);
	assert_int_equal(store_begin(f->s, 1, &f->t), STORE_OK);
}

/* Records and events survive the codec; a damaged record is refused. */
static void test_records_round_trip(void **state)
{
	(void)state;
	struct household_record h = {
	    .id = 4, .created_at_ms = T0, .n_members = 2, .members = {3, 9}};
	uint64_t aliases[2] = {5, 6};
	h.aliases = aliases;
	h.n_aliases = 2;
	uint8_t *buf = NULL;
	size_t len = 0;
	assert_int_equal(wire_household_pack(&h, &buf, &len), 0);
	struct household_record back;
	assert_int_equal(wire_household_decode(buf, len, &back), 0);
	assert_int_equal(back.id, 4);
	assert_int_equal(back.n_members, 2);
	assert_int_equal(back.members[1], 9);
	assert_int_equal(back.n_aliases, 2);
	assert_int_equal(back.aliases[1], 6);
	household_record_release(&back);
	free(buf);
	assert_int_equal(wire_household_decode("\xff\xff", 2, &back), -1);

	struct household_event e = {.kind = HHEV_MERGED,
	                            .household = 1,
	                            .other_household = 2,
	                            .child = 3,
	                            .other = 4,
	                            .concern_seq = 9,
	                            .at_ms = T0};
	snprintf(e.by, sizeof e.by, "ffcd");
	assert_int_equal(wire_household_event_pack(&e, &buf, &len), 0);
	struct household_event eb;
	assert_int_equal(wire_household_event_decode(buf, len, &eb), 0);
	assert_int_equal(eb.kind, HHEV_MERGED);
	assert_int_equal(eb.other_household, 2);
	assert_int_equal(eb.other, 4);
	assert_string_equal(eb.by, "ffcd");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_form_join_merge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_leave_and_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_merged_child, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refs_each_concern_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_format_2_pairs_migrated, setup, teardown),
	    cmocka_unit_test(test_records_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
