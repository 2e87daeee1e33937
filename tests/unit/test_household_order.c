/*
 * Property tests for household rules through ingest.c and the control
 * socket's household link: the set of (child, rule, level) raised depends
 * neither on the order concerns arrive in, nor on when an operator links
 * children's households, nor on how concerns are batched. Generated
 * scenarios (six children named by NHS number, concerns naming one child
 * or two, the parental factors frequent, a few operator links) run on a
 * fresh store in many orders, each link made as soon as both its children
 * are known at its place in the order; the set is compared with an oracle:
 * households as the components of children named together or linked, a
 * household rule's level the highest rule_eval finds over the household's
 * concerns together (each once), a child's own rule's over its own.
 *
 * And the arithmetic that makes it right: a concern filed under two
 * children of a household counts once for a household rule.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "control.h"
#include "ffc.pb-c.h"
#include "ingest.h"
#include "lifecycle.h"
#include "testutil.h"
#include "wire.h"

#define NOW          (T0 + 400 * DAY)
#define CHILDREN     6
#define CONCERNS_MAX 48
#define LINKS_MAX    3
#define KEYS_MAX     (CHILDREN * RULES_MAX * (LEVEL_MAX + 1))
#define SCENARIOS    8
#define ORDERS       16

enum { POLICE = 1, HEALTH = 2, EDUCATION = 3 };
enum { DOMESTIC_ABUSE = 1, SUBSTANCE_MISUSE = 2, MENTAL_HEALTH = 3, NEGLECT = 4 };

static void no_problem(void *arg, const char *msg)
{
	(void)arg;
	fail_msg("%s", msg);
}

/* The rules: the toxic trio and a count of police concerns judged for the
 * household (the second easily fooled by a concern counted twice), and
 * two of one child's own. */
static size_t make_rules(struct rule *r)
{
	memset(r, 0, 4 * sizeof *r);
	snprintf(r[0].name, sizeof r[0].name, "toxic-trio");
	r[0].kind = RULE_DISTINCT_CATEGORIES;
	r[0].scope = RULE_SCOPE_HOUSEHOLD;
	r[0].window_ms = 90 * DAY;
	r[0].categories = (1u << DOMESTIC_ABUSE) | (1u << SUBSTANCE_MISUSE) | (1u << MENTAL_HEALTH);
	r[0].threshold[LEVEL_AMBER] = 2;
	r[0].threshold[LEVEL_RED] = 3;
	snprintf(r[1].name, sizeof r[1].name, "household-police");
	r[1].kind = RULE_COUNT;
	r[1].scope = RULE_SCOPE_HOUSEHOLD;
	r[1].window_ms = 20 * DAY;
	r[1].agencies = 1u << POLICE;
	r[1].threshold[LEVEL_AMBER] = 2;
	r[1].threshold[LEVEL_RED] = 3;
	snprintf(r[2].name, sizeof r[2].name, "multi-agency");
	r[2].kind = RULE_DISTINCT_AGENCIES;
	r[2].window_ms = 30 * DAY;
	r[2].threshold[LEVEL_AMBER] = 2;
	r[2].threshold[LEVEL_RED] = 3;
	snprintf(r[3].name, sizeof r[3].name, "harm");
	r[3].kind = RULE_SEVERITY_SUM;
	r[3].window_ms = 45 * DAY;
	r[3].weight[SEVERITY_LOW] = 1;
	r[3].weight[SEVERITY_MODERATE] = 2;
	r[3].weight[SEVERITY_HIGH] = 4;
	r[3].threshold[LEVEL_AMBER] = 5;
	r[3].threshold[LEVEL_RED] = 9;
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(rule_check(&r[i], i, no_problem, NULL), 0);
	return 4;
}

/* ---- a small reproducible generator (xorshift64*) ---- */

static uint64_t rng_state;

static size_t below(size_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (size_t)((rng_state * UINT64_C(2685821657736338717)) % n);
}

static void nhs_number(unsigned n, char out[11])
{
	for (unsigned k = 0;; k++) {
		unsigned long base = 700000000UL + n * 17UL + k;
		char d[24];
		snprintf(d, sizeof d, "%09lu", base % 1000000000UL);
		unsigned sum = 0;
		for (int i = 0; i < 9; i++)
			sum += (unsigned)(d[i] - '0') * (unsigned)(10 - i);
		unsigned check = 11 - sum % 11;
		if (check == 11)
			check = 0;
		if (check == 10)
			continue;
		snprintf(out, 11, "%.9s%u", d, check);
		return;
	}
}

/* ---- scenarios ---- */

struct gen_concern {
	char id[24];
	int agency, category, severity;
	int64_t at;
	size_t n_kids;
	unsigned kids[2];
};

struct scenario {
	char nhs[CHILDREN][11];
	size_t n, n_links;
	struct gen_concern c[CONCERNS_MAX];
	unsigned links[LINKS_MAX][2];
};

static void scenario_make(struct scenario *sc, unsigned seed)
{
	static const int categories[] = {1, 1, 2, 2, 3, 3, 4, 10, 12};
	static const int agencies[] = {POLICE, POLICE, HEALTH, EDUCATION};
	memset(sc, 0, sizeof *sc);
	for (unsigned i = 0; i < CHILDREN; i++)
		nhs_number(seed * CHILDREN + i, sc->nhs[i]);
	sc->n = 16 + below(CONCERNS_MAX - 16);
	for (size_t i = 0; i < sc->n; i++) {
		struct gen_concern g = {0};
		snprintf(g.id, sizeof g.id, "c%u", (unsigned)i);
		g.agency = agencies[below(4)];
		g.category = categories[below(sizeof categories / sizeof categories[0])];
		g.severity = 1 + (int)below(3);
		g.at = T0 + (int64_t)below(150 * 24) * 3600000;
		/* Every child named at least once: the first concerns. */
		g.kids[0] = i < CHILDREN ? (unsigned)i : (unsigned)below(CHILDREN);
		g.n_kids = 1;
		if (below(4) == 0) {
			g.kids[1] = (g.kids[0] + 1 + (unsigned)below(CHILDREN - 1)) % CHILDREN;
			g.n_kids = 2;
		}
		sc->c[i] = g;
	}
	sc->n_links = below(LINKS_MAX + 1);
	for (size_t i = 0; i < sc->n_links; i++) {
		sc->links[i][0] = (unsigned)below(CHILDREN);
		sc->links[i][1] = (sc->links[i][0] + 1 + (unsigned)below(CHILDREN - 1)) % CHILDREN;
	}
}

/* ---- keys: (child, rule, level) ---- */

struct key {
	unsigned kid;
	char rule[RULE_NAME_MAX];
	int level;
};

struct keys {
	size_t n;
	struct key k[KEYS_MAX];
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->kid != y->kid)
		return x->kid < y->kid ? -1 : 1;
	int c = strcmp(x->rule, y->rule);
	return c ? c : x->level - y->level;
}

static void keys_add(struct keys *ks, unsigned kid, const char *rule, int level)
{
	for (size_t i = 0; i < ks->n; i++)
		if (ks->k[i].kid == kid && ks->k[i].level == level && !strcmp(ks->k[i].rule, rule))
			return;
	assert_true(ks->n < KEYS_MAX);
	struct key *k = &ks->k[ks->n++];
	k->kid = kid;
	wire_copy_str(k->rule, sizeof k->rule, rule);
	k->level = level;
}

static void assert_keys_equal(const struct keys *want, const struct keys *got, unsigned seed,
                              size_t round)
{
	int same = want->n == got->n;
	for (size_t i = 0; same && i < want->n; i++)
		same = key_cmp(&want->k[i], &got->k[i]) == 0;
	if (!same) {
		fprintf(stderr, "scenario %u, order %zu:\nwant:", seed, round);
		for (size_t i = 0; i < want->n; i++)
			fprintf(stderr, " (%u %s %d)", want->k[i].kid, want->k[i].rule,
			        want->k[i].level);
		fprintf(stderr, "\ngot: ");
		for (size_t i = 0; i < got->n; i++)
			fprintf(stderr, " (%u %s %d)", got->k[i].kid, got->k[i].rule,
			        got->k[i].level);
		fprintf(stderr, "\n");
	}
	assert_true(same);
}

/* ---- the oracle ---- */

static unsigned uf_find(unsigned *p, unsigned x)
{
	while (p[x] != x)
		x = p[x] = p[p[x]];
	return x;
}

/* Concerns of the children in `who` (a bit per child), each once, sorted
 * by time then seq. */
static size_t refs_of(const struct scenario *sc, unsigned who, struct concern_ref *refs)
{
	size_t n = 0;
	for (size_t i = 0; i < sc->n; i++) {
		const struct gen_concern *g = &sc->c[i];
		int named = 0;
		for (size_t k = 0; k < g->n_kids; k++)
			named |= (who >> g->kids[k]) & 1;
		if (!named)
			continue;
		struct concern_ref r = {.seq = i + 1,
		                        .occurred_at_ms = g->at,
		                        .agency = (uint8_t)g->agency,
		                        .category = (uint8_t)g->category,
		                        .severity = (uint8_t)g->severity};
		size_t at = n++;
		while (at > 0 && (refs[at - 1].occurred_at_ms > r.occurred_at_ms ||
		                  (refs[at - 1].occurred_at_ms == r.occurred_at_ms &&
		                   refs[at - 1].seq > r.seq))) {
			refs[at] = refs[at - 1];
			at--;
		}
		refs[at] = r;
	}
	return n;
}

static void oracle(const struct scenario *sc, const struct rule *rules, size_t n_rules,
                   struct keys *out)
{
	unsigned p[CHILDREN];
	for (unsigned i = 0; i < CHILDREN; i++)
		p[i] = i;
	for (size_t i = 0; i < sc->n; i++)
		if (sc->c[i].n_kids == 2)
			p[uf_find(p, sc->c[i].kids[0])] = uf_find(p, sc->c[i].kids[1]);
	for (size_t i = 0; i < sc->n_links; i++)
		p[uf_find(p, sc->links[i][0])] = uf_find(p, sc->links[i][1]);
	out->n = 0;
	struct concern_ref refs[CONCERNS_MAX];
	struct rule_match m;
	for (unsigned kid = 0; kid < CHILDREN; kid++) {
		unsigned household = 0;
		for (unsigned o = 0; o < CHILDREN; o++)
			household |= (uf_find(p, o) == uf_find(p, kid)) << o;
		for (size_t r = 0; r < n_rules; r++) {
			size_t n = refs_of(
			    sc, rules[r].scope == RULE_SCOPE_HOUSEHOLD ? household : 1u << kid,
			    refs);
			int top = LEVEL_NONE;
			for (size_t focus = 0; focus < n; focus++) {
				int level = (int)rule_eval(&rules[r], refs, n, focus, &m);
				top = level > top ? level : top;
			}
			for (int level = LEVEL_AMBER; level <= top; level++)
				if (rules[r].threshold[level])
					keys_add(out, kid, rules[r].name, level);
		}
	}
	qsort(out->k, out->n, sizeof out->k[0], key_cmp);
}

/* ---- running a scenario ---- */

struct run {
	struct store *s;
	const struct rule *rules;
	size_t n_rules;
	uint64_t child_of[CHILDREN];
};

static void send_batch(struct run *r, const struct scenario *sc, const size_t *idx, size_t n)
{
	struct ingest_item items[8];
	uint8_t *bufs[8];
	struct ingest_limits limits = {.max_message = 64 * 1024};
	memset(items, 0, sizeof items);
	for (size_t j = 0; j < n; j++) {
		const struct gen_concern *g = &sc->c[idx[j]];
		Ffc__V1__ChildIdentity kid[2] = {FFC__V1__CHILD_IDENTITY__INIT,
		                                 FFC__V1__CHILD_IDENTITY__INIT};
		Ffc__V1__ChildIdentity *kids[2] = {&kid[0], &kid[1]};
		Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
		for (size_t k = 0; k < g->n_kids; k++)
			kid[k].nhs_number = (char *)(uintptr_t)sc->nhs[g->kids[k]];
		c.concern_id = (char *)(uintptr_t)g->id;
		c.agency = (Ffc__V1__Agency)g->agency;
		c.category = (Ffc__V1__Category)g->category;
		c.severity = (Ffc__V1__Severity)g->severity;
		c.occurred_at_ms = g->at;
		c.n_children = g->n_kids;
		c.children = kids;
		items[j].len = ffc__v1__concern__get_packed_size(&c);
		bufs[j] = malloc(items[j].len);
		assert_non_null(bufs[j]);
		ffc__v1__concern__pack(&c, bufs[j]);
		items[j].data = bufs[j];
	}
	struct outbox raised = {0};
	assert_true(ingest_batch(r->s, r->rules, r->n_rules, &limits, items, n, NOW, &raised) >= 0);
	for (size_t j = 0; j < n; j++) {
		const struct gen_concern *g = &sc->c[idx[j]];
		assert_int_equal(items[j].receipt.status, RECEIPT_ACCEPTED);
		for (size_t k = 0; k < g->n_kids; k++)
			r->child_of[g->kids[k]] = items[j].receipt.child_ids[k];
		free(bufs[j]);
	}
	ingest_items_release(items, n);
	outbox_clear(&raised);
}

/* An operator links two children's households; "already one household"
 * is no failure. */
static void household_link(struct run *r, uint64_t a, uint64_t b)
{
	char ia[WIRE_ID_MAX], ib[WIRE_ID_MAX];
	wire_child_id(a, ia);
	wire_child_id(b, ib);
	Ffc__V1__HouseholdLinkRequest lr = FFC__V1__HOUSEHOLD_LINK_REQUEST__INIT;
	lr.child_a = ia;
	lr.child_b = ib;
	lr.reason = (char *)(uintptr_t) "one family";
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_HOUSEHOLD_LINK;
	req.household_link = &lr;
	req.operator_ = (char *)(uintptr_t) "alice";
	struct daemon_info info = {"test", T0, "", "", "", 1, "insecure", ""};
	struct stats st;
	memset(&st, 0, sizeof st);
	struct alert_policy policy;
	lifecycle_defaults(&policy);
	struct outbox ob = {0};
	struct control_env env = {.store = r->s,
	                          .info = &info,
	                          .stats = &st,
	                          .rules = r->rules,
	                          .n_rules = r->n_rules,
	                          .out = &ob,
	                          .policy = &policy};
	uint8_t buf[512], *out = NULL;
	size_t out_len = 0;
	size_t len = ffc__v1__control_request__pack(&req, buf);
	control_handle(&env, buf, len, NOW, &out, &out_len);
	assert_non_null(out);
	Ffc__V1__ControlReply *reply = ffc__v1__control_reply__unpack(NULL, out_len, out);
	assert_non_null(reply);
	if (reply->error[0] && !strstr(reply->error, "already one household"))
		fail_msg("household link %s %s: %s", ia, ib, reply->error);
	ffc__v1__control_reply__free_unpacked(reply, NULL);
	free(out);
	outbox_clear(&ob);
}

/* The scenario's concerns in `order`, in batches of random sizes; link i
 * made at position link_at[i] of the order, or as soon after as both its
 * children are known. The set of (child, rule, level) from the log. */
static void run(const struct scenario *sc, const size_t *order, const size_t *link_at,
                const struct rule *rules, size_t n_rules, struct keys *out)
{
	char err[256];
	char *dir = test_tmpdir("ffc-household-order");
	struct run r = {.rules = rules, .n_rules = n_rules};
	r.s = store_open(dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(r.s);
	int linked[LINKS_MAX] = {0};
	for (size_t i = 0; i <= sc->n;) {
		/* Links due here whose children are known. */
		for (size_t l = 0; l < sc->n_links; l++) {
			uint64_t a = r.child_of[sc->links[l][0]], b = r.child_of[sc->links[l][1]];
			if (!linked[l] && link_at[l] <= i && a && b) {
				household_link(&r, a, b);
				linked[l] = 1;
			}
		}
		if (i == sc->n)
			break;
		size_t n = 1 + below(8);
		if (n > sc->n - i)
			n = sc->n - i;
		/* A batch never runs past a link's place. */
		for (size_t l = 0; l < sc->n_links; l++)
			if (!linked[l] && link_at[l] > i && link_at[l] < i + n)
				n = link_at[l] - i;
		send_batch(&r, sc, order + i, n);
		i += n;
	}
	for (size_t l = 0; l < sc->n_links; l++)
		assert_true(linked[l]);

	struct store_txn *t;
	assert_int_equal(store_begin(r.s, 0, &t), STORE_OK);
	uint64_t last = store_last_alert_seq(t);
	struct alert *a = malloc(sizeof *a);
	assert_non_null(a);
	out->n = 0;
	for (uint64_t seq = 1; seq <= last; seq++) {
		assert_int_equal(store_alert_get(t, seq, a), STORE_OK);
		unsigned kid = CHILDREN;
		for (unsigned k = 0; k < CHILDREN; k++)
			if (r.child_of[k] == a->child)
				kid = k;
		assert_true(kid < CHILDREN);
		keys_add(out, kid, a->rule, (int)a->level);
		/* A household rule's alert says so, and names its household. */
		int household =
		    !strcmp(a->rule, "toxic-trio") || !strcmp(a->rule, "household-police");
		assert_int_equal(a->household_scope, household);
	}
	free(a);
	store_abort(&t);
	store_close(&r.s);
	test_rmdir(dir);
	qsort(out->k, out->n, sizeof out->k[0], key_cmp);
}

static void test_household_rules_order_independent(void **state)
{
	(void)state;
	struct rule rules[4];
	size_t n_rules = make_rules(rules);
	struct scenario *sc = malloc(sizeof *sc);
	struct keys *want = malloc(sizeof *want), *got = malloc(sizeof *got);
	assert_non_null(sc);
	assert_non_null(want);
	assert_non_null(got);
	size_t household_reds = 0, links = 0;
	for (unsigned seed = 1; seed <= SCENARIOS; seed++) {
		rng_state = UINT64_C(0xD1B54A32D192ED03) * seed;
		scenario_make(sc, seed);
		oracle(sc, rules, n_rules, want);
		for (size_t i = 0; i < want->n; i++)
			household_reds += want->k[i].level == LEVEL_RED &&
			                  (!strcmp(want->k[i].rule, "toxic-trio") ||
			                   !strcmp(want->k[i].rule, "household-police"));
		links += sc->n_links;
		size_t order[CONCERNS_MAX], link_at[LINKS_MAX];
		for (size_t round = 0; round < ORDERS; round++) {
			for (size_t i = 0; i < sc->n; i++)
				order[i] = i;
			if (round > 0)
				for (size_t i = sc->n - 1; i > 0; i--) {
					size_t j = below(i + 1), x = order[i];
					order[i] = order[j];
					order[j] = x;
				}
			/* The links before anything, after everything, anywhere. */
			for (size_t l = 0; l < sc->n_links; l++)
				link_at[l] = round == 0 ? 0 : round == 1 ? sc->n : below(sc->n + 1);
			run(sc, order, link_at, rules, n_rules, got);
			assert_keys_equal(want, got, seed, round);
		}
	}
	fprintf(stderr, "%zu household RED keys, %zu links in %d scenarios, %d orders each\n",
	        household_reds, links, SCENARIOS, ORDERS);
	assert_true(household_reds > 10);
	assert_true(links > 5);
	free(sc);
	free(want);
	free(got);
}

/* One police concern naming two children of a household is one concern:
 * the household's count of police concerns (AMBER at 2) is not met by it
 * alone, however many children it names; a second one meets it, for
 * both. */
static void test_concern_under_two_children_counts_once(void **state)
{
	(void)state;
	struct rule rules[4];
	make_rules(rules);
	struct scenario sc = {0};
	nhs_number(900, sc.nhs[0]);
	nhs_number(901, sc.nhs[1]);
	sc.n = 2;
	sc.c[0] = (struct gen_concern){"both", POLICE, NEGLECT, 1, T0, 2, {0, 1}};
	sc.c[1] = (struct gen_concern){"one", POLICE, NEGLECT, 1, T0 + DAY, 1, {0, 0}};
	char err[256];
	char *dir = test_tmpdir("ffc-household-once");
	struct run r = {.rules = &rules[1], .n_rules = 1};
	r.s = store_open(dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(r.s);
	size_t first = 0, second = 1;
	send_batch(&r, &sc, &first, 1);
	struct store_txn *t;
	assert_int_equal(store_begin(r.s, 0, &t), STORE_OK);
	assert_int_equal(store_last_alert_seq(t), 0);
	store_abort(&t);
	send_batch(&r, &sc, &second, 1);
	assert_int_equal(store_begin(r.s, 0, &t), STORE_OK);
	assert_int_equal(store_last_alert_seq(t), 2); /* AMBER for each child, no RED */
	struct alert *a = malloc(sizeof *a);
	assert_non_null(a);
	for (uint64_t seq = 1; seq <= 2; seq++) {
		assert_int_equal(store_alert_get(t, seq, a), STORE_OK);
		assert_int_equal(a->level, LEVEL_AMBER);
		assert_int_equal(a->n_evidence, 2);
		assert_int_equal(a->child, r.child_of[seq - 1]);
		assert_non_null(strstr(a->reason, "2 concerns"));
	}
	free(a);
	store_abort(&t);
	/* The oracle agrees. */
	struct keys *want = malloc(sizeof *want);
	assert_non_null(want);
	oracle(&sc, &rules[1], 1, want);
	assert_int_equal(want->n, 2);
	free(want);
	store_close(&r.s);
	test_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_concern_under_two_children_counts_once),
	    cmocka_unit_test(test_household_rules_order_independent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
