/*
 * Property tests for ingest.c: arrival order does not change the set of
 * (child, rule, level) alerts raised. Generated multi-agency scenarios
 * (several children, agencies, categories and severities, event times
 * spread over months, household concerns naming two children) are sent
 * through ingest_batch on a fresh store in many random orders and
 * batchings, with the default rules plus rules whose thresholds one
 * concern can jump, loaded from a configuration file. Children are
 * compared by NHS number (every concern carries it, so the daemon's ids
 * map one to one), and every set is also checked against an oracle: the
 * highest level rule_eval finds over the whole history, and every level
 * the rule defines up to it. Also the raise itself: a jump past AMBER
 * records AMBER first, superseded at once by the RED.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "config.h"
#include "ffc.pb-c.h"
#include "ingest.h"
#include "testutil.h"

#define NOW          (T0 + 400 * DAY)
#define CHILDREN     6
#define CONCERNS_MAX 64
#define KEYS_MAX     (CHILDREN * RULES_MAX * (LEVEL_MAX + 1))
#define SCENARIOS    12
#define ORDERS       25 /* as generated, by event time, newest first, then shuffles */

/* The default rules, plus two whose thresholds a single concern can pass
 * together: a severity sum where one HIGH goes from under AMBER to RED, and
 * a count of agencies' concerns with both levels. */
static const char CONF[] =
    "rules = (\n"
    "  { name = \"immediate-risk\"; kind = \"any\"; min_severity = \"immediate-risk\";"
    " red = 1; },\n"
    "  { name = \"multi-agency\"; kind = \"distinct-agencies\"; window_days = 30;"
    " amber = 2; red = 3; },\n"
    "  { name = \"toxic-trio\"; kind = \"distinct-categories\";"
    " categories = [\"domestic-abuse\", \"substance-misuse\", \"mental-health\"];"
    " window_days = 90; amber = 2; red = 3; },\n"
    "  { name = \"cumulative-harm\"; kind = \"severity-sum\"; window_days = 180;"
    " weights = { low = 1; moderate = 2; high = 4; immediate_risk = 0; }; amber = 8; },\n"
    "  { name = \"repeat-missing\"; kind = \"count\"; categories = [\"missing\"];"
    " window_days = 90; amber = 3; },\n"
    "  { name = \"harm-jump\"; kind = \"severity-sum\"; window_days = 45;"
    " weights = { low = 1; moderate = 2; high = 4; }; amber = 3; red = 6; },\n"
    "  { name = \"police-count\"; kind = \"count\"; agencies = [\"police\"];"
    " window_days = 20; amber = 2; red = 3; }\n"
    ");\n";

/* ---- a small reproducible generator (xorshift64*) ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static size_t below(size_t n)
{
	return (size_t)(rnd() % n);
}

/* The n-th valid NHS number of a sequence (modulus 11 check digit). */
static void nhs_number(unsigned n, char out[11])
{
	for (unsigned k = 0;; k++) {
		unsigned long base = 600000000UL + n * 13UL + k;
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
	unsigned kids[2]; /* indices into the scenario's children */
};

struct scenario {
	char nhs[CHILDREN][11];
	size_t n;
	struct gen_concern c[CONCERNS_MAX];
};

static void scenario_make(struct scenario *sc, unsigned seed)
{
	static const int categories[] = {1, 1, 2, 3, 4, 5, 10, 10, 10, 11, 12, 13, 14};
	static const int severities[] = {1, 1, 1, 2, 2, 3, 3, 4};
	memset(sc, 0, sizeof *sc);
	for (unsigned i = 0; i < CHILDREN; i++)
		nhs_number(seed * CHILDREN + i, sc->nhs[i]);
	sc->n = 20 + below(CONCERNS_MAX - 20);
	for (size_t i = 0; i < sc->n; i++) {
		struct gen_concern *g = &sc->c[i];
		snprintf(g->id, sizeof g->id, "c%u", (unsigned)i);
		g->agency = 1 + (int)below(AGENCY_MAX);
		g->category = categories[below(sizeof categories / sizeof categories[0])];
		g->severity = severities[below(sizeof severities / sizeof severities[0])];
		if (g->severity == SEVERITY_IMMEDIATE && below(3))
			g->severity = SEVERITY_HIGH; /* rarer than the others */
		/* Months of history, at minute resolution, some on the same
		 * minute as another. */
		g->at = T0 + (int64_t)below(240 * 24 * 60) * 60000;
		g->kids[0] = (unsigned)below(CHILDREN);
		g->n_kids = 1;
		if (below(6) == 0) { /* a household incident: a sibling too */
			g->kids[1] = (g->kids[0] + 1 + (unsigned)below(CHILDREN - 1)) % CHILDREN;
			g->n_kids = 2;
		}
	}
}

/* ---- running a scenario through ingest_batch ---- */

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
	snprintf(k->rule, sizeof k->rule, "%s", rule);
	k->level = level;
}

static void keys_sort(struct keys *ks)
{
	qsort(ks->k, ks->n, sizeof ks->k[0], key_cmp);
}

static void keys_print(const char *what, const struct keys *ks)
{
	fprintf(stderr, "%s:", what);
	for (size_t i = 0; i < ks->n; i++)
		fprintf(stderr, " (%u %s %s)", ks->k[i].kid, ks->k[i].rule,
		        level_name(ks->k[i].level));
	fprintf(stderr, "\n");
}

struct frame {
	uint8_t *data;
	size_t len;
};

/* A concern frame as an adapter would send it, naming each child by NHS
 * number only. */
static struct frame frame(const struct scenario *sc, const struct gen_concern *g)
{
	Ffc__V1__ChildIdentity kid[2] = {FFC__V1__CHILD_IDENTITY__INIT,
	                                 FFC__V1__CHILD_IDENTITY__INIT};
	Ffc__V1__ChildIdentity *kids[2] = {&kid[0], &kid[1]};
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	for (size_t i = 0; i < g->n_kids; i++)
		kid[i].nhs_number = (char *)(uintptr_t)sc->nhs[g->kids[i]];
	c.concern_id = (char *)(uintptr_t)g->id;
	c.agency = (Ffc__V1__Agency)g->agency;
	c.category = (Ffc__V1__Category)g->category;
	c.severity = (Ffc__V1__Severity)g->severity;
	c.occurred_at_ms = g->at;
	c.reported_at_ms = g->at;
	c.n_children = g->n_kids;
	c.children = kids;
	struct frame fr;
	fr.len = ffc__v1__concern__get_packed_size(&c);
	fr.data = malloc(fr.len);
	assert_non_null(fr.data);
	ffc__v1__concern__pack(&c, fr.data);
	return fr;
}

/* Send sc's concerns in the order `order`, cut into batches of random
 * sizes, to a fresh store; the set of (child, rule, level) raised, read
 * back from the alert log. Also checks the log's shape: seqs one by one,
 * every alert of a (child, rule) but the last superseded by the next. */
static void run(const struct scenario *sc, const size_t *order, const struct rule *rules,
                size_t n_rules, struct keys *out)
{
	char err[256];
	char *dir = test_tmpdir("ffc-order");
	struct store *s = store_open(dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(s);
	uint64_t child_of[CHILDREN] = {0};
	struct ingest_item items[16];
	struct frame frames[16];
	struct ingest_limits limits = {.max_message = 64 * 1024};
	for (size_t i = 0; i < sc->n;) {
		size_t n = 1 + below(16);
		if (n > sc->n - i)
			n = sc->n - i;
		memset(items, 0, sizeof items);
		for (size_t j = 0; j < n; j++) {
			frames[j] = frame(sc, &sc->c[order[i + j]]);
			items[j].data = frames[j].data;
			items[j].len = frames[j].len;
		}
		struct outbox raised = {0};
		assert_true(ingest_batch(s, rules, n_rules, &limits, items, n, NOW, &raised) >= 0);
		for (size_t j = 0; j < n; j++) {
			const struct gen_concern *g = &sc->c[order[i + j]];
			assert_int_equal(items[j].receipt.status, RECEIPT_ACCEPTED);
			assert_int_equal(items[j].receipt.n_child_ids, g->n_kids);
			for (size_t k = 0; k < g->n_kids; k++) {
				uint64_t id = items[j].receipt.child_ids[k];
				/* NHS numbers never fragment: one id per child. */
				if (child_of[g->kids[k]])
					assert_int_equal(child_of[g->kids[k]], id);
				child_of[g->kids[k]] = id;
			}
			free(frames[j].data);
		}
		ingest_items_release(items, n);
		outbox_clear(&raised);
		i += n;
	}

	struct store_txn *t;
	assert_int_equal(store_begin(s, 0, &t), STORE_OK);
	uint64_t last = store_last_alert_seq(t);
	struct alert *a = malloc(sizeof *a), *next = malloc(sizeof *next);
	assert_non_null(a);
	assert_non_null(next);
	out->n = 0;
	for (uint64_t seq = 1; seq <= last; seq++) {
		assert_int_equal(store_alert_get(t, seq, a), STORE_OK);
		assert_int_equal(a->seq, seq);
		unsigned kid = CHILDREN;
		for (unsigned k = 0; k < CHILDREN; k++)
			if (child_of[k] == a->child)
				kid = k;
		assert_true(kid < CHILDREN);
		keys_add(out, kid, a->rule, (int)a->level);
		if (a->state == ALERT_SUPERSEDED) {
			/* Superseded by a higher level of the same rule and child. */
			uint64_t by = strtoull(a->superseded_by + 1, NULL, 10);
			assert_true(by > seq && by <= last);
			assert_int_equal(store_alert_get(t, by, next), STORE_OK);
			assert_string_equal(next->supersedes, a->alert_id);
			assert_string_equal(next->rule, a->rule);
			assert_int_equal(next->child, a->child);
			assert_true(next->level > a->level);
		} else {
			assert_int_equal(a->state, ALERT_OPEN);
		}
	}
	free(a);
	free(next);
	store_abort(&t);
	store_close(&s);
	test_rmdir(dir);
	keys_sort(out);
}

/* What the rules must raise for sc, whatever the order: for each child and
 * rule, the highest level rule_eval finds in any window of the whole
 * history, and every level the rule defines up to it. */
static void oracle(const struct scenario *sc, const struct rule *rules, size_t n_rules,
                   struct keys *out)
{
	out->n = 0;
	for (unsigned kid = 0; kid < CHILDREN; kid++) {
		struct concern_ref refs[CONCERNS_MAX];
		size_t n = 0;
		for (size_t i = 0; i < sc->n; i++) {
			const struct gen_concern *g = &sc->c[i];
			if (g->kids[0] != kid && !(g->n_kids == 2 && g->kids[1] == kid))
				continue;
			struct concern_ref r = {.seq = i + 1,
			                        .occurred_at_ms = g->at,
			                        .agency = (uint8_t)g->agency,
			                        .category = (uint8_t)g->category,
			                        .severity = (uint8_t)g->severity};
			size_t at = n++;
			while (at > 0 && refs[at - 1].occurred_at_ms > r.occurred_at_ms) {
				refs[at] = refs[at - 1];
				at--;
			}
			refs[at] = r;
		}
		struct rule_match *m = malloc(sizeof *m);
		assert_non_null(m);
		for (size_t r = 0; r < n_rules; r++) {
			int top = LEVEL_NONE;
			for (size_t focus = 0; focus < n; focus++) {
				int level = (int)rule_eval(&rules[r], refs, n, focus, m);
				if (level > top)
					top = level;
			}
			for (int level = LEVEL_AMBER; level <= top; level++)
				if (rules[r].threshold[level])
					keys_add(out, kid, rules[r].name, level);
		}
		free(m);
	}
	keys_sort(out);
}

static void assert_keys_equal(const struct keys *want, const struct keys *got, unsigned seed,
                              size_t round)
{
	int same = want->n == got->n;
	for (size_t i = 0; same && i < want->n; i++)
		same = key_cmp(&want->k[i], &got->k[i]) == 0;
	if (!same) {
		fprintf(stderr, "scenario %u, order %zu:\n", seed, round);
		keys_print("want", want);
		keys_print("got ", got);
	}
	assert_true(same);
}

static void load_rules(struct config *cfg)
{
	char *dir = test_tmpdir("ffc-order-conf");
	char path[1200];
	snprintf(path, sizeof path, "%s/rules.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(CONF, f);
	fclose(f);
	struct config_errors errs = {0};
	config_defaults(cfg);
	int rc = config_load(path, cfg, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg->n_rules, 7);
	unlink(path);
	rmdir(dir);
	free(dir);
}

/* order[] (a permutation of 0..sc->n) sorted by event time, oldest or
 * newest first. */
static void sort_by_time(const struct scenario *sc, size_t *order, int newest_first)
{
	for (size_t i = 1; i < sc->n; i++)
		for (size_t j = i; j > 0; j--) {
			int64_t a = sc->c[order[j - 1]].at, b = sc->c[order[j]].at;
			if (newest_first ? a >= b : a <= b)
				break;
			size_t x = order[j];
			order[j] = order[j - 1];
			order[j - 1] = x;
		}
}

static void test_arrival_order_does_not_change_alerts(void **state)
{
	(void)state;
	struct config *cfg = malloc(sizeof *cfg);
	struct scenario *sc = malloc(sizeof *sc);
	struct keys *want = malloc(sizeof *want), *got = malloc(sizeof *got);
	assert_non_null(cfg);
	assert_non_null(sc);
	assert_non_null(want);
	assert_non_null(got);
	load_rules(cfg);
	size_t highs = 0, reds = 0;
	for (unsigned seed = 1; seed <= SCENARIOS; seed++) {
		rng_state = UINT64_C(0x9E3779B97F4A7C15) * seed;
		scenario_make(sc, seed);
		oracle(sc, cfg->rules, cfg->n_rules, want);
		for (size_t i = 0; i < want->n; i++)
			reds += want->k[i].level == LEVEL_RED;
		size_t order[CONCERNS_MAX];
		for (size_t round = 0; round < ORDERS; round++) {
			for (size_t i = 0; i < sc->n; i++)
				order[i] = i;
			if (round == 1 || round == 2) /* by event time, then newest first */
				sort_by_time(sc, order, round == 2);
			else if (round > 2) { /* Fisher-Yates */
				for (size_t i = sc->n - 1; i > 0; i--) {
					size_t j = below(i + 1), x = order[i];
					order[i] = order[j];
					order[j] = x;
				}
			}
			run(sc, order, cfg->rules, cfg->n_rules, got);
			assert_keys_equal(want, got, seed, round);
		}
		for (size_t i = 0; i < sc->n; i++)
			highs += sc->c[i].severity == SEVERITY_HIGH;
	}
	/* The scenarios exercise what the property is about: RED levels, and
	 * HIGH concerns that can take harm-jump past AMBER at once. */
	fprintf(stderr, "%zu RED keys, %zu HIGH concerns in %d scenarios, %d orders each\n", reds,
	        highs, SCENARIOS, ORDERS);
	assert_true(reds > 8);
	assert_true(highs > 8);
	free(cfg);
	free(sc);
	free(want);
	free(got);
}

/* ---- the raise itself ---- */

static void one(struct store *s, const struct rule *rules, size_t n_rules, const char *id,
                int agency, int severity, int64_t at, const char *nhs, struct outbox *raised)
{
	struct scenario sc = {0};
	snprintf(sc.nhs[0], sizeof sc.nhs[0], "%s", nhs);
	struct gen_concern g = {
	    .agency = agency, .category = 4, .severity = severity, .at = at, .n_kids = 1};
	snprintf(g.id, sizeof g.id, "%s", id);
	struct frame fr = frame(&sc, &g);
	struct ingest_item it = {.data = fr.data, .len = fr.len};
	struct ingest_limits limits = {.max_message = 64 * 1024};
	outbox_clear(raised);
	assert_int_equal(ingest_batch(s, rules, n_rules, &limits, &it, 1, NOW, raised), 1);
	ingest_items_release(&it, 1);
	free(fr.data);
}

static void test_jump_records_the_level_passed(void **state)
{
	(void)state;
	struct config *cfg = malloc(sizeof *cfg);
	assert_non_null(cfg);
	load_rules(cfg);
	/* Only harm-jump (sum within 45 days: AMBER at 3, RED at 6) and
	 * immediate-risk (RED only). */
	struct rule rules[2] = {cfg->rules[5], cfg->rules[0]};
	assert_string_equal(rules[0].name, "harm-jump");
	assert_string_equal(rules[1].name, "immediate-risk");
	char err[256];
	char *dir = test_tmpdir("ffc-jump");
	struct store *s = store_open(dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(s);
	struct outbox raised = {0};

	/* LOW (1), then HIGH (4): 5 passes AMBER's 3 but not RED. */
	one(s, rules, 2, "a1", 1, SEVERITY_LOW, T0, "9434765919", &raised);
	assert_int_equal(raised.n, 0);
	one(s, rules, 2, "a2", 2, SEVERITY_HIGH, T0 + DAY, "9434765919", &raised);
	assert_int_equal(raised.n, 1);
	assert_int_equal(raised.items[0].alert->level, LEVEL_AMBER);

	/* Another child: MODERATE (2), then HIGH (4) = 6 goes from nothing
	 * straight to RED. AMBER is raised first, then RED supersedes it. */
	one(s, rules, 2, "b1", 1, SEVERITY_MODERATE, T0, "9876543210", &raised);
	assert_int_equal(raised.n, 0);
	one(s, rules, 2, "b2", 3, SEVERITY_HIGH, T0 + DAY, "9876543210", &raised);
	assert_int_equal(raised.n, 2);
	const struct alert *amber = raised.items[0].alert, *red = raised.items[1].alert;
	assert_int_equal(amber->level, LEVEL_AMBER);
	assert_int_equal(red->level, LEVEL_RED);
	assert_int_equal(red->seq, amber->seq + 1);
	assert_string_equal(amber->rule, "harm-jump");
	assert_string_equal(red->rule, "harm-jump");
	assert_int_equal(amber->child, red->child);
	assert_string_equal(amber->supersedes, "");
	assert_string_equal(red->supersedes, amber->alert_id);
	assert_int_equal(amber->n_evidence, red->n_evidence);
	assert_true(amber->reason[0] != '\0');

	struct store_txn *t;
	struct alert *stored = malloc(sizeof *stored);
	assert_non_null(stored);
	assert_int_equal(store_begin(s, 0, &t), STORE_OK);
	assert_int_equal(store_alert_get(t, amber->seq, stored), STORE_OK);
	assert_int_equal(stored->state, ALERT_SUPERSEDED);
	assert_string_equal(stored->superseded_by, red->alert_id);
	assert_int_equal(store_alert_get(t, red->seq, stored), STORE_OK);
	assert_int_equal(stored->state, ALERT_OPEN);
	uint64_t open;
	assert_int_equal(store_open_alert(t, red->child, "harm-jump", &open), STORE_OK);
	assert_int_equal(open, red->seq);
	store_abort(&t);

	/* The first child's AMBER is open: reaching RED raises RED alone,
	 * superseding it. */
	uint64_t first_amber = 1;
	one(s, rules, 2, "a3", 2, SEVERITY_HIGH, T0 + 2 * DAY, "9434765919", &raised);
	assert_int_equal(raised.n, 1);
	assert_int_equal(raised.items[0].alert->level, LEVEL_RED);
	char id[WIRE_ID_MAX];
	wire_alert_id(first_amber, id);
	assert_string_equal(raised.items[0].alert->supersedes, id);

	/* A rule that defines no AMBER goes to RED alone. */
	one(s, rules, 2, "c1", 1, SEVERITY_IMMEDIATE, T0, "4010232137", &raised);
	assert_int_equal(raised.n, 1);
	assert_int_equal(raised.items[0].alert->level, LEVEL_RED);
	assert_string_equal(raised.items[0].alert->rule, "immediate-risk");
	assert_string_equal(raised.items[0].alert->supersedes, "");

	outbox_clear(&raised);
	free(stored);
	store_close(&s);
	test_rmdir(dir);
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jump_records_the_level_passed),
	    cmocka_unit_test(test_arrival_order_does_not_change_alerts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
