/*
 * Unit tests for merge.c with link.c, ingest.c, control_identity.c and a
 * real store: merging children two identifiers name, the lower id
 * surviving and the other resolving; conflicts (two NHS numbers, an
 * operator's split) recorded and never merged; ambiguous demographics
 * linked to neither and settled by a later merge; open alerts reconciled;
 * histories judged again with the merge named; link and unlink through
 * the control socket's handler.
 *
 * And three properties, each over many random scenarios and orders, with
 * a consistency check of the whole store after each (every concern under
 * exactly one live child for each child it names, every alias resolving
 * in one hop, no child with two NHS numbers or two UPNs, every strong key
 * leading to the child whose records carry it):
 *   - without conflicts, the grouping of concerns into children does not
 *     depend on arrival order, and is the connected components of shared
 *     identifiers;
 *   - no sequence of concerns puts two NHS numbers or two UPNs under one
 *     child;
 *   - link then unlink of the same identity restores the grouping.
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
#include "link.h"
#include "log.h"
#include "testutil.h"

#define NOW (T0 + 400 * DAY)

struct fixture {
	char *dir;
	struct store *s;
	struct rule rules[RULES_MAX];
	size_t n_rules;
	struct outbox raised;
};

static int open_store(struct fixture *f)
{
	char err[256];
	f->dir = test_tmpdir("ffc-merge");
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	return f->s ? 0 : -1;
}

static void close_store(struct fixture *f)
{
	outbox_clear(&f->raised);
	store_close(&f->s);
	test_rmdir(f->dir);
	f->dir = NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	f->n_rules = rules_defaults(f->rules, RULES_MAX);
	*state = f;
	return open_store(f);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	close_store(f);
	free(f);
	return 0;
}

/* ---- identifiers and concerns ---- */

/* The n-th valid NHS number of a fixed sequence. */
static void nhs_make(int n, char out[11])
{
	for (long k = 400000000L + n * 7L;; k++) {
		char nine[24];
		snprintf(nine, sizeof nine, "%09ld", k % 1000000000L);
		int sum = 0;
		for (int i = 0; i < 9; i++)
			sum += (nine[i] - '0') * (10 - i);
		int check = 11 - sum % 11;
		if (check == 11)
			check = 0;
		if (check == 10)
			continue;
		memcpy(out, nine, 9);
		out[9] = (char)('0' + check);
		out[10] = '\0';
		return;
	}
}

/* The n-th valid UPN. */
static void upn_make(int n, char out[14])
{
	static const char letters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
	char rest[13];
	snprintf(rest, sizeof rest, "8012%08d", n);
	int sum = 0;
	for (int i = 0; i < 12; i++)
		sum += (rest[i] - '0') * (i + 2);
	snprintf(out, 14, "%c%s", letters[sum % 23], rest);
}

/* One named child: empty strings for what is absent. */
struct kid {
	char nhs[11], upn[14], local[16], given[16], family[16], dob[11], postcode[9];
};

struct frame {
	uint8_t *data;
	size_t len;
};

static struct frame frame_of(const char *id, int agency, int category, int severity, int64_t at,
                             const struct kid *kids, size_t n)
{
	Ffc__V1__ChildIdentity pk[4], *pp[4];
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	assert_true(n <= 4);
	for (size_t i = 0; i < n; i++) {
		ffc__v1__child_identity__init(&pk[i]);
		pk[i].nhs_number = (char *)(uintptr_t)kids[i].nhs;
		pk[i].upn = (char *)(uintptr_t)kids[i].upn;
		pk[i].local_id = (char *)(uintptr_t)kids[i].local;
		pk[i].given_name = (char *)(uintptr_t)kids[i].given;
		pk[i].family_name = (char *)(uintptr_t)kids[i].family;
		pk[i].date_of_birth = (char *)(uintptr_t)kids[i].dob;
		pk[i].postcode = (char *)(uintptr_t)kids[i].postcode;
		pp[i] = &pk[i];
	}
	c.concern_id = (char *)(uintptr_t)id;
	c.agency = (Ffc__V1__Agency)agency;
	c.category = (Ffc__V1__Category)category;
	c.severity = (Ffc__V1__Severity)severity;
	c.occurred_at_ms = at;
	c.n_children = n;
	c.children = pp;
	struct frame fr;
	fr.len = ffc__v1__concern__get_packed_size(&c);
	fr.data = malloc(fr.len + 1);
	ffc__v1__concern__pack(&c, fr.data);
	return fr;
}

/* Ingest frames (freed here) as one batch; receipts copied out. */
static void batch(struct fixture *f, struct frame *frames, size_t n, struct receipt *out)
{
	struct ingest_item *items = calloc(n, sizeof *items);
	for (size_t i = 0; i < n; i++) {
		items[i].data = frames[i].data;
		items[i].len = frames[i].len;
	}
	struct ingest_limits limits = {.max_message = 64 * 1024};
	outbox_clear(&f->raised);
	assert_true(ingest_batch(f->s, f->rules, f->n_rules, &limits, items, n, NOW, &f->raised) >=
	            0);
	for (size_t i = 0; i < n; i++) {
		if (out) {
			out[i] = items[i].receipt;
			out[i].concern_id = "";
		}
		assert_int_not_equal(items[i].receipt.status, RECEIPT_REJECTED);
	}
	ingest_items_release(items, n);
	free(items);
	for (size_t i = 0; i < n; i++)
		free(frames[i].data);
}

/* One concern about one child; the child it was filed under. */
static uint64_t file_sev(struct fixture *f, const char *id, int agency, int severity, int64_t at,
                         const struct kid *k)
{
	struct frame fr = frame_of(id, agency, 1, severity, at, k, 1);
	struct receipt r;
	batch(f, &fr, 1, &r);
	assert_int_equal(r.status, RECEIPT_ACCEPTED);
	return r.child_ids[0];
}

static uint64_t file1(struct fixture *f, const char *id, int agency, int64_t at,
                      const struct kid *k)
{
	return file_sev(f, id, agency, 2, at, k);
}

static struct kid kid_nhs(int n)
{
	struct kid k;
	memset(&k, 0, sizeof k);
	nhs_make(n, k.nhs);
	return k;
}

static struct kid kid_upn(int n)
{
	struct kid k;
	memset(&k, 0, sizeof k);
	upn_make(n, k.upn);
	return k;
}

static uint64_t resolve(struct fixture *f, uint64_t id)
{
	struct store_txn *t;
	uint64_t live = 0;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_child_resolve(t, id, &live), STORE_OK);
	store_abort(&t);
	return live;
}

static const struct alert *find_alert(const struct fixture *f, const char *rule, int level)
{
	for (size_t i = 0; i < f->raised.n; i++)
		if (!strcmp(f->raised.items[i].alert->rule, rule) &&
		    (int)f->raised.items[i].alert->level == level)
			return f->raised.items[i].alert;
	return NULL;
}

/* Identity events under a child, of one kind. */
static size_t events_of(struct fixture *f, uint64_t child, int kind, struct identity_event *last)
{
	struct store_txn *t;
	uint64_t *seqs = NULL;
	size_t n = 0, count = 0;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_child_events(t, child, &seqs, &n), STORE_OK);
	for (size_t i = 0; i < n; i++) {
		struct identity_event e;
		assert_int_equal(store_identity_event_get(t, seqs[i], &e), STORE_OK);
		if ((int)e.kind == kind) {
			count++;
			if (last)
				*last = e;
		}
	}
	free(seqs);
	store_abort(&t);
	return count;
}

/* ---- the whole store's consistency ---- */

static int has_seq(const struct concern_ref *refs, size_t n, uint64_t seq)
{
	for (size_t i = 0; i < n; i++)
		if (refs[i].seq == seq)
			return 1;
	return 0;
}

static void check_consistent(struct fixture *f)
{
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	uint64_t next;
	store_child_next(t, &next);
	for (uint64_t id = 1; id < next; id++) {
		struct child_record ch;
		assert_int_equal(store_child_get(t, id, &ch), STORE_OK);
		if (ch.merged_into) {
			/* An alias resolves in one hop to a live child that
			 * lists it, and holds nothing of its own. */
			struct child_record live;
			assert_int_equal(store_child_get(t, ch.merged_into, &live), STORE_OK);
			assert_int_equal(live.merged_into, 0);
			int listed = 0;
			for (size_t i = 0; i < live.n_aliases; i++)
				listed |= live.aliases[i] == id;
			assert_true(listed);
			assert_int_equal(ch.n_ids, 0);
			struct concern_ref *refs = NULL;
			size_t n = 0;
			assert_int_equal(store_timeline(t, id, INT64_MIN, INT64_MAX, &refs, &n),
			                 STORE_OK);
			assert_int_equal(n, 0);
			free(refs);
			wire_child_release(&live);
			wire_child_release(&ch);
			continue;
		}
		const char *nhs = "", *upn = "";
		for (size_t i = 0; i < ch.n_ids; i++) {
			const struct child_identity *x = &ch.ids[i].id;
			if (x->nhs_number[0]) {
				assert_true(!nhs[0] || !strcmp(nhs, x->nhs_number));
				nhs = x->nhs_number;
			}
			if (x->upn[0]) {
				assert_true(!upn[0] || !strcmp(upn, x->upn));
				upn = x->upn;
			}
			/* Each strong identifier a record carries leads here. */
			struct identity_keys k;
			identity_keys(x, ch.ids[i].agency, &k);
			const char *strong[3] = {k.nhs, k.upn, k.local};
			for (int j = 0; j < 3; j++) {
				if (!strong[j][0])
					continue;
				uint64_t c, live;
				assert_int_equal(store_identity_get(t, strong[j], &c), STORE_OK);
				assert_int_equal(store_child_resolve(t, c, &live), STORE_OK);
				assert_int_equal(live, id);
			}
		}
		/* Everything on its timeline is filed under it. */
		struct concern_ref *refs = NULL;
		size_t n = 0;
		assert_int_equal(store_timeline(t, id, INT64_MIN, INT64_MAX, &refs, &n), STORE_OK);
		for (size_t r = 0; r < n; r++) {
			const void *data;
			size_t len;
			struct stored_concern sc;
			assert_int_equal(store_concern_raw(t, refs[r].seq, &data, &len), STORE_OK);
			assert_int_equal(wire_stored_concern_decode(data, len, &sc), 0);
			int named = 0;
			for (size_t i = 0; i < sc.n_child_ids; i++) {
				uint64_t live;
				assert_int_equal(store_child_resolve(t, sc.child_ids[i], &live),
				                 STORE_OK);
				named |= live == id;
			}
			assert_true(named);
			wire_stored_concern_release(&sc);
		}
		free(refs);
		wire_child_release(&ch);
	}
	/* Every concern is on the timeline of each live child it names. */
	uint64_t last = store_last_concern_seq(t);
	for (uint64_t seq = 1; seq <= last; seq++) {
		const void *data;
		size_t len;
		struct stored_concern sc;
		assert_int_equal(store_concern_raw(t, seq, &data, &len), STORE_OK);
		assert_int_equal(wire_stored_concern_decode(data, len, &sc), 0);
		for (size_t i = 0; i < sc.n_child_ids; i++) {
			uint64_t live;
			assert_int_equal(store_child_resolve(t, sc.child_ids[i], &live), STORE_OK);
			struct concern_ref *refs = NULL;
			size_t n = 0;
			assert_int_equal(store_timeline(t, live, sc.w.c.occurred_at_ms,
			                                sc.w.c.occurred_at_ms, &refs, &n),
			                 STORE_OK);
			assert_true(has_seq(refs, n, seq));
			free(refs);
		}
		wire_stored_concern_release(&sc);
	}
	store_abort(&t);
}

/* ---- merging through concerns ---- */

static void assign(struct fixture *f, uint64_t child, const char *practitioner)
{
	struct store_txn *t;
	struct assignment as;
	memset(&as, 0, sizeof as);
	snprintf(as.practitioner, sizeof as.practitioner, "%s", practitioner);
	snprintf(as.by, sizeof as.by, "team lead");
	as.at_ms = T0;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(store_assignment_add(t, child, &as), STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
}

static void lead(struct fixture *f, uint64_t child, char *out, size_t size)
{
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_lead_practitioner(t, child, out, size), STORE_OK);
	store_abort(&t);
}

/* A merged child keeps one lead practitioner: the survivor's own, or the
 * one the absorbed child had when the survivor had none. */
static void test_merge_keeps_lead_practitioner(void **state)
{
	struct fixture *f = *state;
	char who[WIRE_PERSON_MAX];
	/* The survivor has none: it takes the absorbed child's. */
	struct kid h = kid_nhs(1), e = kid_upn(1), both = kid_nhs(1);
	memcpy(both.upn, e.upn, sizeof both.upn);
	uint64_t ch = file1(f, "h1", 2, T0, &h);
	uint64_t ce = file1(f, "e1", 3, T0 + DAY, &e);
	assert_true(ch < ce);
	assign(f, ce, "Sam Patel");
	assert_int_equal(file1(f, "p1", 1, T0 + 2 * DAY, &both), ch);
	lead(f, ch, who, sizeof who);
	assert_string_equal(who, "Sam Patel");

	/* Both have one: the survivor's stands. */
	struct kid h2 = kid_nhs(2), e2 = kid_upn(2), both2 = kid_nhs(2);
	memcpy(both2.upn, e2.upn, sizeof both2.upn);
	uint64_t c2h = file1(f, "h2", 2, T0, &h2);
	uint64_t c2e = file1(f, "e2", 3, T0 + DAY, &e2);
	assign(f, c2h, "Jo Okafor");
	assign(f, c2e, "Sam Patel");
	assert_int_equal(file1(f, "p2", 1, T0 + 2 * DAY, &both2), c2h);
	lead(f, c2h, who, sizeof who);
	assert_string_equal(who, "Jo Okafor");
	check_consistent(f);
}

static void test_merge_joins_histories(void **state)
{
	struct fixture *f = *state;
	struct kid h = kid_nhs(1), e = kid_upn(1), both = kid_nhs(1);
	memcpy(both.upn, e.upn, sizeof both.upn);
	uint64_t ch = file1(f, "h1", 2, T0, &h);
	uint64_t ce = file1(f, "e1", 3, T0 + DAY, &e);
	assert_int_not_equal(ch, ce);
	assert_int_equal(f->raised.n, 0);
	/* Police name both identifiers: one child, lowest id, and the
	 * joined history meets multi-agency RED at once: AMBER, the level
	 * passed, is raised first and superseded by RED in the same breath. */
	uint64_t cp = file1(f, "p1", 1, T0 + 2 * DAY, &both);
	assert_int_equal(cp, ch < ce ? ch : ce);
	assert_int_equal(resolve(f, ce), cp);
	assert_int_equal(resolve(f, ch), cp);
	const struct alert *red = find_alert(f, "multi-agency", LEVEL_RED);
	assert_non_null(red);
	const struct alert *amber = find_alert(f, "multi-agency", LEVEL_AMBER);
	assert_non_null(amber);
	assert_string_equal(red->supersedes, amber->alert_id);
	assert_non_null(strstr(red->reason, "(after C00000002 was merged into C00000001)"));
	assert_non_null(strstr(amber->reason, "(after C00000002 was merged into C00000001)"));
	assert_int_equal(red->n_evidence, 3);

	struct identity_event ev;
	assert_int_equal(events_of(f, cp, IDEV_MERGED, &ev), 1);
	assert_int_equal(ev.child, 1);
	assert_int_equal(ev.other, 2);
	assert_string_equal(ev.by, "ffcd");
	assert_int_equal(ev.concern_seq, 3);
	/* Later concerns by either identifier find the one child. */
	assert_int_equal(file1(f, "e2", 3, T0 + 3 * DAY, &e), cp);
	check_consistent(f);
}

static void test_demographics_join_known_children(void **state)
{
	struct fixture *f = *state;
	struct kid p = {.local = "P-1", .given = "Amy", .family = "Jones", .dob = "2015-01-01"};
	struct kid h = kid_nhs(2), hn = p;
	memset(hn.local, 0, sizeof hn.local);
	nhs_make(2, hn.nhs);
	uint64_t cp = file1(f, "p", 1, T0, &p);
	uint64_t chh = file1(f, "h", 2, T0, &h);
	assert_int_not_equal(cp, chh);
	uint64_t both = file1(f, "h2", 2, T0, &hn);
	assert_int_equal(resolve(f, cp), both);
	assert_int_equal(resolve(f, chh), both);
	check_consistent(f);
}

static void test_two_nhs_numbers_conflict(void **state)
{
	struct fixture *f = *state;
	struct kid a = kid_nhs(3), b = kid_nhs(4), x = kid_nhs(4);
	upn_make(3, a.upn);
	memcpy(x.upn, a.upn, sizeof x.upn);
	uint64_t ca = file1(f, "a", 2, T0, &a);
	uint64_t cb = file1(f, "b", 2, T0, &b);
	/* b's NHS number with a's UPN: filed under b, nothing merged. */
	uint64_t cx = file1(f, "x", 4, T0, &x);
	assert_int_equal(cx, cb);
	assert_int_not_equal(resolve(f, ca), resolve(f, cb));
	struct identity_event ev;
	assert_int_equal(events_of(f, cb, IDEV_CONFLICT, &ev), 1);
	assert_int_equal(ev.child, cb);
	assert_int_equal(ev.other, ca);
	assert_string_equal(ev.by, "ffcd");
	assert_int_equal(ev.concern_seq, 3);
	assert_non_null(strstr(ev.identity, a.upn));
	assert_non_null(strstr(ev.reason, "NHS numbers"));
	assert_int_equal(events_of(f, ca, IDEV_CONFLICT, NULL), 1);
	assert_int_equal(events_of(f, cb, IDEV_MERGED, NULL), 0);

	/* An unknown NHS number with a UPN whose child has another: a new
	 * child for the NHS number, the UPN left where it is. */
	struct kid y = kid_nhs(5);
	memcpy(y.upn, a.upn, sizeof y.upn);
	uint64_t cy = file1(f, "y", 4, T0, &y);
	assert_int_not_equal(cy, ca);
	assert_int_not_equal(cy, cb);
	assert_int_equal(events_of(f, cy, IDEV_CONFLICT, NULL), 1);
	/* The child's own NHS number disagreeing with an unknown one. */
	struct kid z = kid_nhs(3);
	upn_make(9, z.upn);
	assert_int_equal(file1(f, "z", 4, T0, &z), ca);
	check_consistent(f);
}

static void test_alerts_reconciled_on_merge(void **state)
{
	struct fixture *f = *state;
	struct kid a = kid_nhs(6), b = kid_upn(6), both = kid_nhs(6);
	memcpy(both.upn, b.upn, sizeof both.upn);
	/* Each child has multi-agency AMBER open on its own. */
	uint64_t ca = file1(f, "a1", 1, T0, &a);
	file1(f, "a2", 2, T0 + DAY, &a);
	assert_non_null(find_alert(f, "multi-agency", LEVEL_AMBER));
	uint64_t cb = file1(f, "b1", 3, T0, &b);
	file1(f, "b2", 3, T0 + DAY, &b);
	file1(f, "b3", 2, T0 + DAY, &b);
	assert_non_null(find_alert(f, "multi-agency", LEVEL_AMBER));
	assert_int_not_equal(ca, cb);
	/* Joined: the older AMBER stays open, the other is superseded by it;
	 * three agencies then raise RED over it. */
	file1(f, "s1", 4, T0 + 200 * DAY, &both);
	struct store_txn *t;
	struct alert *x = calloc(1, sizeof *x);
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_alert_get(t, 2, x), STORE_OK);
	assert_int_equal(x->state, ALERT_SUPERSEDED);
	assert_string_equal(x->superseded_by, "A00000001");
	assert_int_equal(store_alert_get(t, 1, x), STORE_OK);
	assert_int_equal(x->state, ALERT_SUPERSEDED);
	assert_string_equal(x->superseded_by, "A00000003");
	assert_int_equal(store_alert_get(t, 3, x), STORE_OK);
	assert_int_equal(x->level, LEVEL_RED);
	assert_string_equal(x->supersedes, "A00000001");
	uint64_t open = 0;
	assert_int_equal(store_open_alert(t, 1, "multi-agency", &open), STORE_OK);
	assert_int_equal(open, 3);
	assert_int_equal(store_open_alert(t, 2, "multi-agency", &open), STORE_NOTFOUND);
	store_abort(&t);
	free(x);
	check_consistent(f);
}

/* C1 and C2 share names but not postcodes; names alone match both and
 * link to neither, until a concern joins C1 and C2: then the names-only
 * child follows. The other order reaches the same grouping. */
static void test_ambiguous_demographics_settled_by_merge(void **state)
{
	struct fixture *f = *state;
	struct kid c1 = {
	    .given = "Leo", .family = "Ward", .dob = "2015-05-05", .postcode = "LS11AA"};
	struct kid c2 = c1, p = c1, join;
	nhs_make(7, c1.nhs);
	upn_make(7, c2.upn);
	strcpy(c2.postcode, "M11AA");
	memset(p.postcode, 0, sizeof p.postcode);
	join = kid_nhs(7);
	memcpy(join.upn, c2.upn, sizeof join.upn);
	uint64_t a = file1(f, "c1", 2, T0, &c1);
	uint64_t b = file1(f, "c2", 3, T0, &c2);
	assert_int_not_equal(a, b);
	uint64_t q = file1(f, "p", 1, T0, &p);
	assert_int_not_equal(q, a);
	assert_int_not_equal(q, b);
	assert_int_equal(events_of(f, q, IDEV_CONFLICT, NULL), 2);
	file1(f, "j", 4, T0, &join);
	assert_int_equal(resolve(f, b), a);
	assert_int_equal(resolve(f, q), a);
	check_consistent(f);

	/* The other order. */
	close_store(f);
	assert_int_equal(open_store(f), 0);
	uint64_t j = file1(f, "j", 4, T0, &join);
	assert_int_equal(file1(f, "c1", 2, T0, &c1), j);
	assert_int_equal(file1(f, "c2", 3, T0, &c2), j);
	assert_int_equal(file1(f, "p", 1, T0, &p), j);
	check_consistent(f);
}

/* One concern names two children; naming the second merges the first's
 * child away: both are filed under the survivor, once. */
static void test_merge_within_one_concern(void **state)
{
	struct fixture *f = *state;
	struct kid a = kid_nhs(10), b = kid_upn(10), kids[2];
	uint64_t ca = file1(f, "a", 2, T0, &a);
	uint64_t cb = file1(f, "b", 3, T0, &b);
	kids[0] = kid_upn(10);
	kids[1] = kid_nhs(10);
	memcpy(kids[1].upn, b.upn, sizeof kids[1].upn);
	struct frame fr = frame_of("both", 1, 1, 2, T0, kids, 2);
	struct receipt r;
	batch(f, &fr, 1, &r);
	assert_int_equal(r.n_child_ids, 2);
	assert_int_equal(r.child_ids[0], ca);
	assert_int_equal(r.child_ids[1], ca);
	assert_int_equal(resolve(f, cb), ca);
	check_consistent(f);
}

/* Household members, identity events and alerts follow a merge. */
static void test_merge_moves_indexes(void **state)
{
	struct fixture *f = *state;
	struct kid a = kid_nhs(11), b = kid_upn(11), sib = kid_nhs(12), both = kid_nhs(11);
	memcpy(both.upn, b.upn, sizeof both.upn);
	uint64_t ca = file1(f, "a", 2, T0, &a);
	uint64_t cb = file_sev(f, "b", 3, SEVERITY_IMMEDIATE, T0, &b);
	uint64_t cs = file1(f, "s", 3, T0, &sib);
	struct store_txn *t;
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	struct household_union u;
	assert_int_equal(store_household_union(t, cb, cs, T0, &u), STORE_OK);
	assert_int_equal(u.change, HOUSEHOLD_FORMED);
	assert_int_equal(store_commit(&t), STORE_OK);
	file1(f, "j", 4, T0, &both);
	assert_int_equal(resolve(f, cb), ca);

	uint64_t *seqs = NULL;
	size_t n = 0;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_child_alerts(t, ca, &seqs, &n), STORE_OK);
	assert_true(n >= 1); /* b's immediate-risk alert, now under a */
	free(seqs);
	assert_int_equal(store_child_alerts(t, cb, &seqs, &n), STORE_OK);
	assert_int_equal(n, 0);
	free(seqs);
	uint64_t open = 0;
	assert_int_equal(store_open_alert(t, ca, "immediate-risk", &open), STORE_OK);
	assert_int_equal(store_open_alert(t, cb, "immediate-risk", &open), STORE_NOTFOUND);
	/* a is in the household b was in, with the sibling; b in none. */
	uint64_t members[HOUSEHOLD_MEMBERS_MAX], household, hb;
	size_t nm;
	assert_int_equal(household_members(t, ca, &household, members, &nm), STORE_OK);
	assert_int_equal(household, u.household);
	assert_int_equal(nm, 2);
	assert_int_equal(members[0], ca);
	assert_int_equal(members[1], cs);
	assert_int_equal(store_child_household(t, cb, &hb), STORE_OK);
	assert_int_equal(hb, 0);
	store_abort(&t);
	check_consistent(f);
}

/* ---- link and unlink through the control handler ---- */

static int control(struct fixture *f, const char *op, Ffc__V1__ControlRequest *req,
                   Ffc__V1__ControlReply **reply, struct outbox *ob)
{
	struct daemon_info info = {"test", T0, "", "", "", 1, "insecure", ""};
	struct stats st;
	memset(&st, 0, sizeof st);
	struct alert_policy policy;
	lifecycle_defaults(&policy);
	struct control_env env = {.store = f->s,
	                          .info = &info,
	                          .stats = &st,
	                          .rules = f->rules,
	                          .n_rules = f->n_rules,
	                          .out = ob,
	                          .policy = &policy};
	req->operator_ = (char *)(uintptr_t)op;
	size_t len = ffc__v1__control_request__get_packed_size(req);
	uint8_t *buf = malloc(len + 1), *out = NULL;
	size_t out_len = 0;
	ffc__v1__control_request__pack(req, buf);
	control_handle(&env, buf, len, NOW, &out, &out_len);
	free(buf);
	assert_non_null(out);
	*reply = ffc__v1__control_reply__unpack(NULL, out_len, out);
	free(out);
	assert_non_null(*reply);
	return (*reply)->error[0] ? -1 : 0;
}

static void link_ids(struct fixture *f, uint64_t a, uint64_t b, struct outbox *ob)
{
	char ia[WIRE_ID_MAX], ib[WIRE_ID_MAX];
	wire_child_id(a, ia);
	wire_child_id(b, ib);
	Ffc__V1__LinkRequest lr = FFC__V1__LINK_REQUEST__INIT;
	lr.child_a = ia;
	lr.child_b = ib;
	lr.reason = (char *)(uintptr_t) "reviewed";
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_LINK;
	req.link = &lr;
	Ffc__V1__ControlReply *r;
	if (control(f, "alice", &req, &r, ob) < 0)
		fail_msg("link %s %s: %s", ia, ib, r->error);
	ffc__v1__control_reply__free_unpacked(r, NULL);
}

/* Link when the daemon agrees; 1 when it did. */
static int try_link(struct fixture *f, uint64_t a, uint64_t b)
{
	char ia[WIRE_ID_MAX], ib[WIRE_ID_MAX];
	struct outbox ob = {0};
	wire_child_id(a, ia);
	wire_child_id(b, ib);
	Ffc__V1__LinkRequest lr = FFC__V1__LINK_REQUEST__INIT;
	lr.child_a = ia;
	lr.child_b = ib;
	lr.reason = (char *)(uintptr_t) "reviewed";
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_LINK;
	req.link = &lr;
	Ffc__V1__ControlReply *r;
	int ok = control(f, "alice", &req, &r, &ob) == 0;
	if (!ok)
		assert_true(strstr(r->error, "cannot be one child") ||
		            strstr(r->error, "already one child"));
	ffc__v1__control_reply__free_unpacked(r, NULL);
	outbox_clear(&ob);
	return ok;
}

/* Unlink; returns the new child, or 0 with the error in err. */
static uint64_t unlink_id(struct fixture *f, uint64_t child, const char *identity, char *err,
                          size_t errlen, struct outbox *ob)
{
	char ic[WIRE_ID_MAX];
	wire_child_id(child, ic);
	Ffc__V1__UnlinkRequest ur = FFC__V1__UNLINK_REQUEST__INIT;
	ur.child_id = ic;
	ur.identity = (char *)(uintptr_t)identity;
	ur.reason = (char *)(uintptr_t) "wrong link";
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_UNLINK;
	req.unlink = &ur;
	Ffc__V1__ControlReply *r;
	uint64_t out = 0;
	if (control(f, "bob", &req, &r, ob) < 0)
		snprintf(err, errlen, "%s", r->error);
	else
		assert_int_equal(wire_child_id_parse(r->unlink->new_child_id, &out), 0);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return out;
}

static void test_link_unlink_and_kept_apart(void **state)
{
	struct fixture *f = *state;
	struct outbox ob = {0};
	struct kid a = kid_nhs(8), b = kid_upn(8), both = kid_nhs(8);
	memcpy(both.upn, b.upn, sizeof both.upn);
	uint64_t ca = file1(f, "a", 2, T0, &a);
	uint64_t cb = file1(f, "b", 3, T0 + DAY, &b);
	link_ids(f, cb, ca, &ob);
	assert_int_equal(resolve(f, cb), ca);
	/* The joined history raised AMBER, published through the outbox. */
	assert_int_equal(ob.n, 1);
	assert_string_equal(ob.items[0].topic, "alert.amber.multi-agency");
	outbox_clear(&ob);
	struct identity_event ev;
	assert_int_equal(events_of(f, ca, IDEV_MERGED, &ev), 1);
	assert_string_equal(ev.by, "alice");
	assert_string_equal(ev.reason, "reviewed");

	char err[256] = "", upn[20];
	snprintf(upn, sizeof upn, "upn:%s", b.upn);
	assert_int_equal(unlink_id(f, ca, "nhs:9434765918", err, sizeof err, &ob), 0);
	assert_string_equal(err, "unlink.identity: not a valid NHS number");
	uint64_t cn = unlink_id(f, ca, upn, err, sizeof err, &ob);
	assert_true(cn > cb);
	assert_int_equal(events_of(f, ca, IDEV_SPLIT, &ev), 1);
	assert_string_equal(ev.by, "bob");
	assert_int_equal(ev.other, cn);
	check_consistent(f);
	/* Each side has its own concern again. */
	assert_int_equal(file1(f, "b2", 3, T0 + 2 * DAY, &b), cn);
	assert_int_equal(file1(f, "a2", 2, T0 + 2 * DAY, &a), ca);
	/* Kept apart: a concern naming both is a conflict. */
	uint64_t cx = file1(f, "x", 4, T0, &both);
	assert_int_equal(cx, ca);
	assert_int_not_equal(resolve(f, cn), ca);
	assert_int_equal(events_of(f, cn, IDEV_CONFLICT, &ev), 1);
	assert_non_null(strstr(ev.reason, "kept apart"));
	/* Unlinking what is all a child has, or not its own, is refused. */
	assert_int_equal(unlink_id(f, cn, upn, err, sizeof err, &ob), 0);
	assert_non_null(strstr(err, "is every identity"));
	assert_int_equal(unlink_id(f, cn, "#5", err, sizeof err, &ob), 0);
	assert_non_null(strstr(err, "is not an identity of"));
	/* The operator's link overrides the split. */
	link_ids(f, ca, cn, &ob);
	assert_int_equal(resolve(f, cn), ca);
	outbox_clear(&ob);
	check_consistent(f);
}

/* A concern whose local id was left out (it named another child) is
 * brought by the record kept without it: an unlink of that record moves
 * the concern too. */
static void test_split_moves_concern_local_left_out(void **state)
{
	struct fixture *f = *state;
	struct kid x = kid_nhs(21), y = kid_nhs(22), yh = kid_nhs(22);
	snprintf(x.local, sizeof x.local, "P-1");
	snprintf(y.local, sizeof y.local, "P-1");
	uint64_t cx = file1(f, "l1", 1, T0, &x);
	uint64_t cy = file1(f, "l2", 1, T0 + DAY, &y);
	assert_int_not_equal(cx, cy);
	assert_int_equal(file1(f, "l3", 2, T0 + 2 * DAY, &yh), cy);
	struct store_txn *t;
	struct split_selector sel = {"", 1};
	struct split_result res;
	char err[256];
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(
	    merge_split(t, cy, &sel, "bob", "wrong link", "record 1", NOW, &res, err, sizeof err),
	    STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
	assert_int_equal(res.moved_concerns, 1);
	struct concern_ref *refs = NULL;
	size_t n = 0;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_timeline(t, res.new_child, INT64_MIN, INT64_MAX, &refs, &n),
	                 STORE_OK);
	assert_int_equal(n, 1);
	free(refs);
	assert_int_equal(store_timeline(t, cy, INT64_MIN, INT64_MAX, &refs, &n), STORE_OK);
	assert_int_equal(n, 1);
	free(refs);
	store_abort(&t);
	check_consistent(f);
}

/* A postcode that is not UK-shaped is recorded as sent: the concern that
 * brought it is still found to come through that record. */
static void test_split_moves_concern_odd_postcode(void **state)
{
	struct fixture *f = *state;
	struct kid p = kid_nhs(31), h = kid_nhs(31);
	snprintf(p.postcode, sizeof p.postcode, "unknown");
	uint64_t c = file1(f, "o1", 1, T0, &p);
	assert_int_equal(file1(f, "o2", 2, T0 + DAY, &h), c);
	struct store_txn *t;
	struct split_selector sel = {"", 1};
	struct split_result res;
	char err[256];
	assert_int_equal(store_begin(f->s, 1, &t), STORE_OK);
	assert_int_equal(
	    merge_split(t, c, &sel, "bob", "wrong link", "record 1", NOW, &res, err, sizeof err),
	    STORE_OK);
	assert_int_equal(store_commit(&t), STORE_OK);
	assert_int_equal(res.moved_concerns, 1);
	check_consistent(f);
}

static void test_rejudge_after_split(void **state)
{
	struct fixture *f = *state;
	struct outbox ob = {0};
	/* A wrong link put another child's immediate risk under this one,
	 * whose RED alert then covered it. Split off, that child has no
	 * alert of its own: judged again, it gets one, naming the split. */
	struct kid a = kid_nhs(9), b = kid_upn(9);
	uint64_t ca = file_sev(f, "m1", 1, SEVERITY_IMMEDIATE, T0, &a);
	file1(f, "m2", 1, T0 + DAY, &a);
	uint64_t cb = file_sev(f, "m3", 1, SEVERITY_IMMEDIATE, T0 + 2 * DAY, &b);
	link_ids(f, ca, cb, &ob);
	outbox_clear(&ob);
	struct store_txn *t;
	struct alert *x = calloc(1, sizeof *x);
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_alert_get(t, 2, x), STORE_OK);
	assert_int_equal(x->state, ALERT_SUPERSEDED); /* the older RED stays open */
	store_abort(&t);
	char err[128], upn[20];
	snprintf(upn, sizeof upn, "upn:%s", b.upn);
	uint64_t cn = unlink_id(f, ca, upn, err, sizeof err, &ob);
	assert_true(cn > 0);
	assert_int_equal(ob.n, 1);
	assert_string_equal(ob.items[0].topic, "alert.red.immediate-risk");
	struct concern_ref *refs = NULL;
	size_t n = 0;
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	assert_int_equal(store_timeline(t, ca, INT64_MIN, INT64_MAX, &refs, &n), STORE_OK);
	assert_int_equal(n, 2);
	free(refs);
	assert_int_equal(store_timeline(t, cn, INT64_MIN, INT64_MAX, &refs, &n), STORE_OK);
	assert_int_equal(n, 1);
	free(refs);
	uint64_t open = 0;
	assert_int_equal(store_open_alert(t, cn, "immediate-risk", &open), STORE_OK);
	assert_int_equal(store_alert_get(t, open, x), STORE_OK);
	assert_int_equal(x->child, cn);
	assert_non_null(strstr(x->reason, "was split from C00000001)"));
	store_abort(&t);
	free(x);
	outbox_clear(&ob);
	check_consistent(f);
}

/* ---- properties ---- */

/* A small deterministic generator (xorshift), so a failure repeats. */
static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

#define TRUE_KIDS 8
#define CONCERNS  36

struct truth {
	int has_nhs, has_upn, has_postcode, strong_only;
	struct kid full;
	char local[AGENCY_MAX + 1][16];
};

/* A concern names one child, or two (a household): node c * 2 + slot
 * stands for the slot-th child named by concern c. */
#define NODES (CONCERNS * 2)

struct scenario {
	struct truth kids[TRUE_KIDS];
	struct kid named[CONCERNS][2];
	size_t n_named[CONCERNS];
	int agency[CONCERNS];
	int who[CONCERNS]; /* the true child of slot 0 */
	char id[CONCERNS][16];
};

/* How one agency names true child tk in one concern: a random non-empty
 * part of what is known of it (a child known only by NHS number always
 * by that). */
static void name_kid(const struct truth *tk, int agency, struct kid *n)
{
	memset(n, 0, sizeof *n);
	if (tk->strong_only) {
		memcpy(n->nhs, tk->full.nhs, sizeof n->nhs);
		return;
	}
	int any = 0;
	while (!any) {
		if (tk->has_nhs && rnd(3) == 0) {
			memcpy(n->nhs, tk->full.nhs, sizeof n->nhs);
			any = 1;
		}
		if (tk->has_upn && rnd(3) == 0) {
			memcpy(n->upn, tk->full.upn, sizeof n->upn);
			any = 1;
		}
		if (rnd(4) == 0) {
			memcpy(n->local, tk->local[agency], sizeof n->local);
			any = 1;
		}
		if (rnd(2) == 0) {
			memcpy(n->given, tk->full.given, sizeof n->given);
			memcpy(n->family, tk->full.family, sizeof n->family);
			memcpy(n->dob, tk->full.dob, sizeof n->dob);
			if (tk->has_postcode && rnd(2))
				memcpy(n->postcode, tk->full.postcode, sizeof n->postcode);
			any = 1;
		}
	}
}

static void make_scenario(struct scenario *sc, int base)
{
	static const char *const given[] = {"Ava", "Ben", "Cal", "Dee", "Eli", "Fay", "Gus", "Hal"};
	memset(sc, 0, sizeof *sc);
	for (int k = 0; k < TRUE_KIDS; k++) {
		struct truth *tk = &sc->kids[k];
		tk->has_nhs = rnd(10) < 7;
		tk->has_upn = rnd(10) < 6;
		tk->has_postcode = rnd(2);
		nhs_make(base + k, tk->full.nhs);
		upn_make(base + k, tk->full.upn);
		snprintf(tk->full.given, sizeof tk->full.given, "%s", given[k]);
		snprintf(tk->full.family, sizeof tk->full.family, "Fam%d", base + k);
		snprintf(tk->full.dob, sizeof tk->full.dob, "201%d-0%d-1%d", k % 10, 1 + k % 9,
		         k % 10);
		snprintf(tk->full.postcode, sizeof tk->full.postcode, "LS%d1AA", 1 + k % 9);
		for (int a = 1; a <= AGENCY_MAX; a++)
			snprintf(tk->local[a], sizeof tk->local[a], "L%d-%d", a, base + k);
	}
	/* The first child is known only by an NHS number in every concern:
	 * the one the link/unlink property links and splits. */
	sc->kids[0].has_nhs = 1;
	sc->kids[0].strong_only = 1;
	for (int c = 0; c < CONCERNS; c++) {
		int k = c < TRUE_KIDS ? c : (int)rnd(TRUE_KIDS);
		int agency = 1 + (int)rnd(AGENCY_MAX);
		sc->who[c] = k;
		sc->agency[c] = agency;
		snprintf(sc->id[c], sizeof sc->id[c], "c%d", c);
		name_kid(&sc->kids[k], agency, &sc->named[c][0]);
		sc->n_named[c] = 1;
		/* Now and then a household incident names a sibling too. */
		if (c >= TRUE_KIDS && rnd(5) == 0) {
			int k2 = (k + 1 + (int)rnd(TRUE_KIDS - 1)) % TRUE_KIDS;
			name_kid(&sc->kids[k2], agency, &sc->named[c][1]);
			sc->n_named[c] = 2;
		}
	}
}

/* Ingest the scenario's concerns in `order`, one transaction per few. */
static void ingest_order(struct fixture *f, const struct scenario *sc, const int *order)
{
	for (int c = 0; c < CONCERNS;) {
		struct frame frames[4];
		size_t n = 0;
		for (; n < 4 && c < CONCERNS; n++, c++) {
			int i = order[c];
			frames[n] = frame_of(sc->id[i], sc->agency[i], 1 + i % 15, 1 + i % 3,
			                     T0 + (i % 20) * DAY, sc->named[i], sc->n_named[i]);
		}
		batch(f, frames, n, NULL);
	}
}

/* Number the groups of nodes: for each node, the lowest node in its
 * group (-1 for a slot the concern does not have). */
static void number_groups(const struct scenario *sc, const uint64_t *key, int *group)
{
	for (int x = 0; x < NODES; x++) {
		group[x] = -1;
		if ((size_t)(x % 2) >= sc->n_named[x / 2])
			continue;
		group[x] = x;
		for (int y = 0; y < x; y++)
			if (group[y] >= 0 && key[y] == key[x]) {
				group[x] = group[y];
				break;
			}
	}
}

/* The grouping the store holds: nodes filed under the same live child. */
static void grouping(struct fixture *f, const struct scenario *sc, int *group)
{
	uint64_t child[NODES];
	struct store_txn *t;
	memset(child, 0, sizeof child);
	assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
	for (int c = 0; c < CONCERNS; c++) {
		uint64_t seq;
		const void *data;
		size_t len;
		struct stored_concern s;
		assert_int_equal(store_concern_find(t, sc->agency[c], sc->id[c], &seq), STORE_OK);
		assert_int_equal(store_concern_raw(t, seq, &data, &len), STORE_OK);
		assert_int_equal(wire_stored_concern_decode(data, len, &s), 0);
		assert_int_equal(s.n_child_ids, sc->n_named[c]);
		for (size_t i = 0; i < s.n_child_ids; i++)
			assert_int_equal(store_child_resolve(t, s.child_ids[i], &child[c * 2 + i]),
			                 STORE_OK);
		wire_stored_concern_release(&s);
	}
	store_abort(&t);
	number_groups(sc, child, group);
}

/* The grouping the identifiers imply: named children sharing an NHS
 * number, a UPN, an agency's local id or names and date of birth are one
 * child. */
static int uf_find(int *p, int x)
{
	while (p[x] != x)
		x = p[x] = p[p[x]];
	return x;
}

static void expected_grouping(const struct scenario *sc, int *group)
{
	int p[NODES];
	uint64_t root[NODES];
	for (int x = 0; x < NODES; x++)
		p[x] = x;
	for (int x = 0; x < NODES; x++)
		for (int y = 0; y < x; y++) {
			if ((size_t)(x % 2) >= sc->n_named[x / 2] ||
			    (size_t)(y % 2) >= sc->n_named[y / 2])
				continue;
			const struct kid *a = &sc->named[x / 2][x % 2],
			                 *b = &sc->named[y / 2][y % 2];
			int same = (a->nhs[0] && !strcmp(a->nhs, b->nhs)) ||
			           (a->upn[0] && !strcmp(a->upn, b->upn)) ||
			           (a->local[0] && sc->agency[x / 2] == sc->agency[y / 2] &&
			            !strcmp(a->local, b->local)) ||
			           (a->family[0] && !strcmp(a->family, b->family) &&
			            !strcmp(a->given, b->given) && !strcmp(a->dob, b->dob));
			if (same)
				p[uf_find(p, x)] = uf_find(p, y);
		}
	for (int x = 0; x < NODES; x++)
		root[x] = (uint64_t)uf_find(p, x);
	number_groups(sc, root, group);
}

static void shuffle(int *order)
{
	for (int i = CONCERNS - 1; i > 0; i--) {
		int j = (int)rnd((uint32_t)i + 1), x = order[i];
		order[i] = order[j];
		order[j] = x;
	}
}

static void test_property_order_independent(void **state)
{
	struct fixture *f = *state;
	struct scenario *sc = calloc(1, sizeof *sc);
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (int s = 0; s < 6; s++) {
		make_scenario(sc, 100 + s * 10);
		int want[NODES], got[NODES], order[CONCERNS];
		expected_grouping(sc, want);
		for (int c = 0; c < CONCERNS; c++)
			order[c] = c;
		for (int run = 0; run < 25; run++) {
			close_store(f);
			assert_int_equal(open_store(f), 0);
			shuffle(order);
			ingest_order(f, sc, order);
			grouping(f, sc, got);
			for (int x = 0; x < NODES; x++)
				if (got[x] != want[x])
					fail_msg(
					    "scenario %d run %d: child %d of concern %d grouped "
					    "with %d, expected %d",
					    s, run, x % 2, x / 2, got[x], want[x]);
			check_consistent(f);
		}
	}
	free(sc);
}

static void test_property_link_unlink_restores(void **state)
{
	struct fixture *f = *state;
	struct scenario *sc = calloc(1, sizeof *sc);
	struct outbox ob = {0};
	rng_state = 0x2545f4914f6cdd1dULL;
	for (int s = 0; s < 8; s++) {
		make_scenario(sc, 300 + s * 10);
		int before[NODES], after[NODES], order[CONCERNS];
		for (int c = 0; c < CONCERNS; c++)
			order[c] = c;
		shuffle(order);
		close_store(f);
		assert_int_equal(open_store(f), 0);
		ingest_order(f, sc, order);
		grouping(f, sc, before);
		/* Child 0 is known by its NHS number alone; link it with the
		 * child of another concern it could be, then split it off. */
		uint64_t c0 = 0, other = 0;
		struct store_txn *t;
		assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
		for (int c = 0; c < CONCERNS && !other; c++) {
			uint64_t seq, live;
			const void *data;
			size_t len;
			struct stored_concern st;
			assert_int_equal(store_concern_find(t, sc->agency[c], sc->id[c], &seq),
			                 STORE_OK);
			assert_int_equal(store_concern_raw(t, seq, &data, &len), STORE_OK);
			assert_int_equal(wire_stored_concern_decode(data, len, &st), 0);
			assert_int_equal(store_child_resolve(t, st.child_ids[0], &live), STORE_OK);
			wire_stored_concern_release(&st);
			if (sc->who[c] == 0)
				c0 = live;
			else if (c0 && !sc->kids[sc->who[c]].has_nhs && live != c0)
				other = live;
		}
		store_abort(&t);
		if (!c0 || !other)
			continue;
		link_ids(f, other, c0, &ob);
		check_consistent(f);
		char err[256] = "", nhs[20];
		snprintf(nhs, sizeof nhs, "nhs:%s", sc->kids[0].full.nhs);
		uint64_t survivor = resolve(f, c0);
		if (!unlink_id(f, survivor, nhs, err, sizeof err, &ob))
			fail_msg("scenario %d: unlink: %s", s, err);
		outbox_clear(&ob);
		grouping(f, sc, after);
		for (int x = 0; x < NODES; x++)
			if (after[x] != before[x])
				fail_msg(
				    "scenario %d: child %d of concern %d grouped with %d after "
				    "link and unlink, %d before",
				    s, x % 2, x / 2, after[x], before[x]);
		check_consistent(f);
	}
	free(sc);
}

/* Any sequence, conflicts and all: identifiers drawn from small pools so
 * that concerns disagree often. */
static void test_property_never_two_strong_ids(void **state)
{
	struct fixture *f = *state;
	rng_state = 0xdeadbeefcafef00dULL;
	static const char *const names[] = {"Ann", "Bo", "Cy"};
	struct outbox ob = {0};
	for (int run = 0; run < 12; run++) {
		close_store(f);
		assert_int_equal(open_store(f), 0);
		for (int c = 0; c < 40; c++) {
			struct kid k;
			memset(&k, 0, sizeof k);
			if (rnd(3))
				nhs_make((int)rnd(4), k.nhs);
			if (rnd(2))
				upn_make((int)rnd(4), k.upn);
			if (rnd(3) == 0)
				snprintf(k.local, sizeof k.local, "L%u", rnd(4));
			if (rnd(2) || (!k.nhs[0] && !k.upn[0] && !k.local[0])) {
				snprintf(k.given, sizeof k.given, "%s", names[rnd(3)]);
				snprintf(k.family, sizeof k.family, "Fam");
				snprintf(k.dob, sizeof k.dob, "2015-01-0%u", 1 + rnd(2));
				if (rnd(2))
					snprintf(k.postcode, sizeof k.postcode, "LS%u1AA",
					         1 + rnd(2));
			}
			char id[16];
			snprintf(id, sizeof id, "r%d", c);
			struct frame fr = frame_of(id, 1 + (int)rnd(AGENCY_MAX), 1, 2, T0, &k, 1);
			batch(f, &fr, 1, NULL);
			/* Now and then an operator links two children or splits
			 * a record off: refused when identifiers disagree. */
			if (c % 5 == 4) {
				struct store_txn *t;
				uint64_t next, a, b;
				assert_int_equal(store_begin(f->s, 0, &t), STORE_OK);
				store_child_next(t, &next);
				assert_int_equal(
				    store_child_resolve(t, 1 + rnd((uint32_t)next - 1), &a),
				    STORE_OK);
				assert_int_equal(
				    store_child_resolve(t, 1 + rnd((uint32_t)next - 1), &b),
				    STORE_OK);
				store_abort(&t);
				char err[512], which[8];
				if (rnd(2)) {
					try_link(f, a, b);
				} else {
					snprintf(which, sizeof which, "#%u", 1 + rnd(3));
					unlink_id(f, a, which, err, sizeof err, &ob);
					outbox_clear(&ob);
				}
				check_consistent(f);
			}
		}
		check_consistent(f);
	}
}

int main(void)
{
	log_set_level(LOG_ERROR); /* merges and conflicts are logged as they happen */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_merge_joins_histories, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_merge_keeps_lead_practitioner, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_demographics_join_known_children, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_two_nhs_numbers_conflict, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alerts_reconciled_on_merge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ambiguous_demographics_settled_by_merge, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_merge_within_one_concern, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_merge_moves_indexes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_link_unlink_and_kept_apart, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rejudge_after_split, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_split_moves_concern_odd_postcode, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_split_moves_concern_local_left_out, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_property_order_independent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_property_never_two_strong_ids, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_property_link_unlink_restores, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
