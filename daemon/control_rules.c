/*
 * control_rules.c - the control commands about rules: reload (load the
 * configuration file again and put its rules in force), rules test (what
 * a candidate file's rules would reach on the stored history, compared
 * with the rules in force), and the configuration fields of status.
 *
 * Owns those replies. Loading and swapping live in reload.c, the
 * comparison in whatif.c; nothing here writes to the store or publishes.
 * Loading a file (both commands) and judging the history (rules test) run
 * beside the loop (control_defer()): the loader may take seconds, and the
 * history is the whole store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "control_int.h"
#include "household.h"
#include "log.h"
#include "reload.h"
#include "whatif.h"

/* Rows of a fixed-width char array as arena strings. */
static char **strings(struct arena *ar, const char *first, size_t stride, size_t n, size_t *out_n)
{
	char **v = arena_alloc(ar, (n ? n : 1) * sizeof *v);
	*out_n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = arena_strdup(ar, first + i * stride);
	*out_n = n;
	return v;
}

void control_rules_status(const struct control_env *env, Ffc__V1__StatusReply *r)
{
	const struct rules_state *st = env->rules_state;
	if (!st)
		return;
	r->config_path = (char *)(uintptr_t)st->path;
	r->rules_loaded_at_ms = st->loaded_at_ms;
	r->rules = (uint32_t)st->n_rules;
	r->keys = (uint32_t)st->access.n_keys;
}

/* The file is loaded beside the loop; its rules are put in force back in
 * it, between batches. */
static const char *reload_done(struct control_call *call, void *arg)
{
	struct rules_state *st = call->env->rules_state;
	struct arena *ar = call->ar;
	struct reload_diff *d = malloc(sizeof *d);
	struct config_errors *errs = malloc(sizeof *errs);
	Ffc__V1__ReloadReply *r = arena_alloc(ar, sizeof *r);
	if (!d || !errs || !r) {
		free(d);
		free(errs);
		return "out of memory";
	}
	ffc__v1__reload_reply__init(r);
	r->loaded = reload_job_finish(st, arg, call->now_ms, d, errs) == 0;
	r->config_path = arena_strdup(ar, st->path);
	r->errors = strings(ar, errs->msg[0], sizeof errs->msg[0], errs->n, &r->n_errors);
	r->added = strings(ar, d->added[0], sizeof d->added[0], d->n_added, &r->n_added);
	r->removed = strings(ar, d->removed[0], sizeof d->removed[0], d->n_removed, &r->n_removed);
	r->changed = strings(ar, d->changed[0], sizeof d->changed[0], d->n_changed, &r->n_changed);
	r->restart = strings(ar, d->restart[0], sizeof d->restart[0], d->n_restart, &r->n_restart);
	r->keys_added = strings(ar, d->keys_added[0], sizeof d->keys_added[0], d->n_keys_added,
	                        &r->n_keys_added);
	r->keys_removed = strings(ar, d->keys_removed[0], sizeof d->keys_removed[0],
	                          d->n_keys_removed, &r->n_keys_removed);
	r->rules = (uint32_t)st->n_rules;
	r->rules_loaded_at_ms = st->loaded_at_ms;
	free(d);
	free(errs);
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_RELOAD;
	call->reply->reload = r;
	return NULL;
}

const char *control_reload(struct control_call *call)
{
	const char *by = call->rq->operator_;
	struct rules_state *st = call->env->rules_state;
	if (!st)
		return "reload: not available";
	/* The operator's name is free text from a peer: printable ASCII only
	 * into the log. */
	char who[96];
	int k = snprintf(who, sizeof who, "ffcctl reload%s%.64s", by && by[0] ? " by " : "",
	                 by ? by : "");
	for (int i = 0; i < k && i < (int)sizeof who - 1; i++)
		if ((unsigned char)who[i] < 0x20 || (unsigned char)who[i] > 0x7e)
			who[i] = '?';
	struct reload_job *j = reload_job_new(st, who);
	if (!j)
		return "out of memory";
	return control_defer(call, reload_job_run, reload_done, reload_job_free, j);
}

/* ---- rules test ---- */

/* Judging the stored history with the rules in force and a candidate
 * file's, beside the loop: the file is loaded in its loader process, the
 * history read in one read transaction of the job's own, and the rules
 * in force are the job's copy, so a reload meanwhile changes nothing
 * here. */
struct rules_test {
	struct store *store;
	char helper[CONFIG_PATH_MAX], path[CONFIG_PATH_MAX];
	int timeout_ms;
	size_t n_rules;
	struct rule rules[RULES_MAX];
	struct config *cand;
	struct config_errors *errs;
	struct whatif *w;
	const char *failed; /* why the judging failed, NULL when it did not */
	int loaded;
	int64_t elapsed_ms;
};

struct judge {
	struct store_txn *t;
	struct whatif *w;
	int failed;
};

static int judge_child(uint64_t child, uint64_t merged_into, void *arg)
{
	struct judge *j = arg;
	if (merged_into)
		return 0; /* its history is judged under the child it joined */
	struct concern_ref *refs = NULL;
	size_t n = 0;
	if (store_timeline(j->t, child, INT64_MIN, INT64_MAX, &refs, &n) != STORE_OK) {
		j->failed = 1;
		return 1;
	}
	/* Household rules read the household's concerns together; a child
	 * in no household is its own. */
	struct household_refs h = {0};
	uint64_t members[HOUSEHOLD_MEMBERS_MAX], household = 0;
	size_t k = 0;
	if (whatif_has_household_rules(j->w) &&
	    (household_members(j->t, child, &household, members, &k) != STORE_OK ||
	     (household &&
	      household_refs(j->t, members, k, INT64_MIN, INT64_MAX, 0, &h) != STORE_OK))) {
		free(refs);
		j->failed = 1;
		return 1;
	}
	if (household)
		whatif_child(j->w, child, refs, n, h.refs, h.n);
	else
		whatif_child(j->w, child, refs, n, refs, n);
	household_refs_release(&h);
	free(refs);
	return 0;
}

static Ffc__V1__RuleOutcome **outcomes(struct arena *ar, const struct whatif_outcome *list,
                                       size_t n, size_t *out_n)
{
	Ffc__V1__RuleOutcome **v = arena_alloc(ar, (n ? n : 1) * sizeof *v);
	*out_n = 0;
	for (size_t i = 0; v && i < n; i++) {
		Ffc__V1__RuleOutcome *o = arena_alloc(ar, sizeof *o);
		if (!o)
			return v;
		ffc__v1__rule_outcome__init(o);
		char id[WIRE_ID_MAX];
		wire_child_id(list[i].child, id);
		o->child_id = arena_strdup(ar, id);
		o->rule = arena_strdup(ar, list[i].rule);
		o->level = (Ffc__V1__Level)list[i].level;
		v[(*out_n)++] = o;
	}
	return v;
}

static void rules_test_run(void *arg)
{
	struct rules_test *rt = arg;
	const int64_t start = clock_mono_ms();
	rt->loaded = reload_load(rt->helper, rt->path, rt->timeout_ms, rt->cand, rt->errs) == 0;
	if (!rt->loaded)
		return;
	rt->w = whatif_new(rt->rules, rt->n_rules, rt->cand->rules, rt->cand->n_rules);
	if (!rt->w) {
		rt->failed = "out of memory";
		return;
	}
	/* One read transaction: every child is judged on the same history. */
	struct judge j = {.w = rt->w};
	if (store_begin(rt->store, 0, &j.t) != STORE_OK ||
	    store_child_each(j.t, judge_child, &j) != STORE_OK || j.failed)
		rt->failed = "rules_test: store error reading the children";
	store_abort(&j.t);
	rt->elapsed_ms = clock_mono_ms() - start;
}

static const char *rules_test_done(struct control_call *call, void *arg)
{
	struct rules_test *rt = arg;
	struct arena *ar = call->ar;
	Ffc__V1__RulesTestReply *r = arena_alloc(ar, sizeof *r);
	if (!r)
		return "out of memory";
	ffc__v1__rules_test_reply__init(r);
	r->path = arena_strdup(ar, rt->path);
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_RULES_TEST;
	call->reply->rules_test = r;
	if (!rt->loaded) {
		r->errors = strings(ar, rt->errs->msg[0], sizeof rt->errs->msg[0], rt->errs->n,
		                    &r->n_errors);
		log_info("rules test: %s has %zu error%s", rt->path, rt->errs->n,
		         rt->errs->n == 1 ? "" : "s");
		return NULL;
	}
	if (rt->failed)
		return rt->failed;
	const struct whatif *w = rt->w;
	r->children = w->children;
	r->concerns = w->concerns;
	r->counts = arena_alloc(ar, (w->n_rows ? w->n_rows : 1) * sizeof *r->counts);
	for (size_t i = 0; r->counts && i < w->n_rows; i++) {
		Ffc__V1__RuleLevelCount *c = arena_alloc(ar, sizeof *c);
		if (!c)
			break;
		ffc__v1__rule_level_count__init(c);
		c->rule = arena_strdup(ar, w->rows[i].rule);
		c->level = (Ffc__V1__Level)w->rows[i].level;
		c->in_force = w->rows[i].in_force;
		c->candidate = w->rows[i].candidate;
		c->in_force_has = w->rows[i].in_force_has;
		c->candidate_has = w->rows[i].candidate_has;
		r->counts[r->n_counts++] = c;
	}
	r->gained = outcomes(ar, w->gained, w->n_gained, &r->n_gained);
	r->lost = outcomes(ar, w->lost, w->n_lost, &r->n_lost);
	r->gained_total = w->gained_total;
	r->lost_total = w->lost_total;
	r->elapsed_ms = (uint64_t)rt->elapsed_ms;
	log_info("rules test: %s: %llu children, %llu concerns judged in %llu ms: %llu "
	         "gained, %llu lost",
	         rt->path, (unsigned long long)r->children, (unsigned long long)r->concerns,
	         (unsigned long long)r->elapsed_ms, (unsigned long long)r->gained_total,
	         (unsigned long long)r->lost_total);
	return NULL;
}

static void rules_test_free(void *arg)
{
	struct rules_test *rt = arg;
	whatif_destroy(&rt->w);
	free(rt->cand);
	free(rt->errs);
	free(rt);
}

const char *control_rules_test(struct control_call *call)
{
	const Ffc__V1__RulesTestRequest *req = call->rq->rules_test;
	const struct rules_state *st = call->env->rules_state;
	if (!st)
		return "rules_test: not available";
	if (!req->path[0])
		return "rules_test.path: give the candidate file";
	if (req->path[0] != '/')
		return "rules_test.path: must be absolute (the daemon reads it)";
	if (strlen(req->path) >= CONFIG_PATH_MAX)
		return "rules_test.path: longer than 1023 bytes";
	struct rules_test *rt = calloc(1, sizeof *rt);
	if (rt) {
		rt->cand = malloc(sizeof *rt->cand);
		rt->errs = calloc(1, sizeof *rt->errs);
	}
	if (!rt || !rt->cand || !rt->errs) {
		if (rt)
			rules_test_free(rt);
		return "out of memory";
	}
	rt->store = call->env->store;
	snprintf(rt->helper, sizeof rt->helper, "%s", st->helper);
	snprintf(rt->path, sizeof rt->path, "%s", req->path);
	rt->timeout_ms = st->timeout_ms;
	rt->n_rules = st->n_rules;
	memcpy(rt->rules, st->rules, st->n_rules * sizeof st->rules[0]);
	return control_defer(call, rules_test_run, rules_test_done, rules_test_free, rt);
}
