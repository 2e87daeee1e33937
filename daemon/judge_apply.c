/*
 * judge_apply.c - the store's reads and writes around a judgement (see
 * judge_apply.h).
 *
 * Owns reading a child's timeline and open alerts for the judge, and
 * storing what it decided: alert records, the open-alert index, the alert
 * superseded, a concern added to an open alert's evidence (its history
 * entry, reopening it as the policy says) and the change announced. Does
 * not own the decision (judge.c), rule arithmetic (rules.c) or publishing
 * (server.c sends what the outbox holds).
 */
#include "judge_apply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "household.h"
#include "judge.h"
#include "lifecycle.h"
#include "log.h"

/* An alert record is large (its evidence and names) and most concerns
 * raise nothing and find no alert open: the judge's scratch records are
 * allocated when first needed, not for every judgement. */
static int scratch_alert(struct alert **p)
{
	if (!*p)
		*p = malloc(sizeof **p);
	return *p ? STORE_OK : STORE_ERROR;
}

/* What open_levels() looks for, and finds, in the child's open alerts. */
struct open_walk {
	const struct rule *rules;
	size_t n_rules;
	const unsigned char *wanted; /* per rule: judge_needs_open() */
	uint64_t *seq;               /* per rule: its open alert, 0 for none */
};

static int open_visit(const char *rule, uint64_t seq, void *arg)
{
	struct open_walk *w = arg;
	for (size_t i = 0; i < w->n_rules; i++)
		if (w->wanted[i] && !strcmp(w->rules[i].name, rule))
			w->seq[i] = seq;
	return 0;
}

/* The level and seq of each rule's alert open for child now, where the
 * judge needs it (judge_needs_open()): the child's open alerts read in
 * one walk, the levels of those needed. */
static int open_levels(struct store_txn *t, uint64_t child, const struct rule *rules,
                       size_t n_rules, enum rule_scope scope, const struct concern_ref *refs,
                       size_t focus, const struct rule_match *matches, enum level *open,
                       uint64_t *open_seq, unsigned char *wanted)
{
	int any = 0;
	for (size_t i = 0; i < n_rules; i++) {
		open[i] = LEVEL_NONE;
		open_seq[i] = 0;
		wanted[i] =
		    (unsigned char)judge_needs_open(&rules[i], scope, refs, focus, &matches[i]);
		any |= wanted[i];
	}
	if (!any)
		return STORE_OK;
	struct open_walk w = {rules, n_rules, wanted, open_seq};
	int rc = store_open_alerts(t, child, open_visit, &w);
	for (size_t i = 0; i < n_rules && rc == STORE_OK; i++)
		if (open_seq[i])
			rc = store_alert_level(t, open_seq[i], &open[i]);
	return rc;
}

/* Store one alert the judge decided on, superseding the rule's open one
 * when it says so, and queue it for publishing. a and open are scratch. */
static int store_raise(struct store_txn *t, uint64_t child, const struct rule *r,
                       const struct judge_raise *j, uint64_t open_seq, int64_t now_ms,
                       struct alert *a, struct alert *open, struct outbox *out)
{
	memset(a, 0, sizeof *a);
	a->seq = store_last_alert_seq(t) + 1;
	wire_alert_id(a->seq, a->alert_id);
	a->child = child;
	wire_child_id(child, a->child_id);
	a->level = j->level;
	snprintf(a->rule, sizeof a->rule, "%s", r->name);
	snprintf(a->reason, sizeof a->reason, "%s", j->reason);
	a->n_evidence = j->n_evidence;
	memcpy(a->evidence, j->evidence, j->n_evidence * sizeof j->evidence[0]);
	a->raised_at_ms = now_ms;
	a->state = ALERT_OPEN;
	a->household_scope = r->scope == RULE_SCOPE_HOUSEHOLD;
	int rc;
	if ((rc = display_child(t, child, &a->display)) != STORE_OK ||
	    (rc = store_child_household(t, child, &a->household)) != STORE_OK ||
	    (rc = store_lead_practitioner(t, child, a->lead_practitioner,
	                                  sizeof a->lead_practitioner)) != STORE_OK)
		return rc;
	if (j->supersedes) {
		if (!open_seq || (rc = store_alert_get(t, open_seq, open)) != STORE_OK)
			return rc == STORE_OK || rc == STORE_NOTFOUND ? STORE_ERROR : rc;
		snprintf(a->supersedes, sizeof a->supersedes, "%s", open->alert_id);
		open->state = ALERT_SUPERSEDED;
		snprintf(open->superseded_by, sizeof open->superseded_by, "%s", a->alert_id);
		if ((rc = store_alert_update(t, open)) != STORE_OK)
			return rc;
	}
	if ((rc = store_alert_add(t, a)) != STORE_OK ||
	    (rc = store_open_alert_set(t, child, r->name, a->seq)) != STORE_OK)
		return rc;
	return outbox_add_alert(out, a) < 0 ? STORE_ERROR : STORE_OK;
}

/* Store one change to alert a made by ffcd (its history entry; a history
 * at its limit still gets the change published) and queue it. */
static int store_change(struct store_txn *t, const struct alert *a, const struct alert_event *e,
                        struct outbox *out)
{
	int rc = store_alert_event_add(t, a->seq, e);
	if (rc != STORE_OK && rc != STORE_EXISTS)
		return rc;
	return outbox_add_change(out, a, e) < 0 ? STORE_ERROR : STORE_OK;
}

/* A concern for the child joins the evidence of rule r's open alert
 * (acknowledged or not): recorded in its history and announced on
 * "event.evidence.<level>.<rule>" with the child's lead practitioner, so
 * no concern about a child whose alert is open goes unheard. The history
 * entry is what adds it to the alert's evidence (store_alert_get()): the
 * alert's record is read for its head alone and not rewritten, unless
 * the concern reopens it. At or above the policy's reopen severity an
 * acknowledged alert opens again ("event.reopen..."): its state, response
 * clock and indexes move. a is scratch. */
static int store_evidence(struct store_txn *t, uint64_t child, const struct judge_raise *j,
                          uint64_t seq, int64_t now_ms, struct alert *a, struct outbox *out)
{
	const struct alert_evidence *concern = &j->evidence[0];
	int rc = seq ? store_alert_head(t, seq, a) : STORE_ERROR;
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	struct alert_event e, reopened;
	lifecycle_evidence(concern, now_ms, &e);
	/* Decided on the head, made on the whole record. */
	int reopen = out->policy && lifecycle_reopen(out->policy, a, concern, now_ms, &reopened);
	if (reopen) {
		if ((rc = store_alert_get(t, seq, a)) != STORE_OK)
			return rc;
		if (!lifecycle_reopen(out->policy, a, concern, now_ms, &reopened))
			return STORE_ERROR; /* the head and the record disagree */
		if ((rc = store_alert_update(t, a)) != STORE_OK)
			return rc;
	}
	/* Published with the lead as assigned now, whom a console calls
	 * (the alert's record keeps the one named when it was raised);
	 * the alert's own when none is assigned now. */
	char lead[sizeof a->lead_practitioner];
	if ((rc = store_lead_practitioner(t, child, lead, sizeof lead)) != STORE_OK)
		return rc;
	if (lead[0])
		snprintf(a->lead_practitioner, sizeof a->lead_practitioner, "%s", lead);
	/* Published with the household the child is in now. */
	if ((rc = store_child_household(t, child, &a->household)) != STORE_OK)
		return rc;
	if ((rc = store_change(t, a, &e, out)) != STORE_OK)
		return rc;
	return reopen ? store_change(t, a, &reopened, out) : STORE_OK;
}

/* Judge refs (focus as judge_measure() takes it) for the rules of
 * `scope` and store the result for each of children[0..n_children): one
 * child and its own timeline, or every child of a household and the
 * household's timeline (people naming them). */
static int judge(struct store_txn *t, const uint64_t *children, size_t n_children,
                 enum rule_scope scope, const struct concern_ref *refs, size_t n, size_t focus,
                 const struct rule *rules, size_t n_rules, const char *note,
                 const struct rule_people *people, int64_t now_ms, struct outbox *out)
{
	size_t room = n_rules ? n_rules : 1;
	struct rule_match *matches = malloc(room * sizeof *matches);
	enum level *open = malloc(room * sizeof *open);
	uint64_t *open_seq = malloc(room * sizeof *open_seq);
	unsigned char *wanted = malloc(room);
	struct alert *a = NULL, *scratch = NULL;
	struct judge_plan plan = {0};
	int rc = matches && open && open_seq && wanted ? STORE_OK : STORE_ERROR;
	if (rc == STORE_OK)
		judge_measure(rules, n_rules, scope, refs, n, focus, matches);
	/* Measured once; decided for each child with its own open alerts. */
	for (size_t c = 0; c < n_children && rc == STORE_OK; c++) {
		uint64_t child = children[c];
		plan.n = 0;
		rc = open_levels(t, child, rules, n_rules, scope, refs, focus, matches, open,
		                 open_seq, wanted);
		if (rc == STORE_OK && judge_decide(rules, n_rules, scope, refs, focus, matches,
		                                   open, note, people, &plan) < 0)
			rc = STORE_ERROR;
		for (size_t i = 0; i < plan.n && rc == STORE_OK; i++) {
			const struct judge_raise *j = &plan.items[i];
			if ((rc = scratch_alert(&a)) != STORE_OK ||
			    (rc = scratch_alert(&scratch)) != STORE_OK)
				break;
			if (j->outcome == JUDGE_EVIDENCE) {
				rc = store_evidence(t, child, j, open_seq[j->rule], now_ms, a, out);
				continue;
			}
			rc = store_raise(t, child, &rules[j->rule], j, open_seq[j->rule], now_ms, a,
			                 scratch, out);
			/* A higher level raised next in the plan supersedes this one. */
			open_seq[j->rule] = a->seq;
		}
	}
	judge_plan_clear(&plan);
	free(scratch);
	free(a);
	free(wanted);
	free(open_seq);
	free(open);
	free(matches);
	return rc;
}

/* Times are bounded by validation, but a window around one must still not
 * overflow whatever reaches here (a stored record, a fuzzer): saturate. */
static int64_t time_plus(int64_t t, int64_t d)
{
	return d > 0 && t > INT64_MAX - d ? INT64_MAX : t + d;
}

static int64_t time_minus(int64_t t, int64_t d)
{
	return d > 0 && t < INT64_MIN + d ? INT64_MIN : t - d;
}

/* How far either side of a concern the rules of `scope` look. */
static int64_t reach_of(const struct rule *rules, size_t n_rules, enum rule_scope scope)
{
	int64_t reach = 0; /* never negative, so the saturation above holds */
	for (size_t i = 0; i < n_rules; i++)
		if (rules[i].scope == scope && rules[i].window_ms > reach)
			reach = rules[i].window_ms;
	return reach;
}

static int has_scope(const struct rule *rules, size_t n_rules, enum rule_scope scope)
{
	for (size_t i = 0; i < n_rules; i++)
		if (rules[i].scope == scope)
			return 1;
	return 0;
}

/* The index of concern seq in refs[0..n), or n (logged) when it is not
 * there. */
static size_t find_focus(const struct concern_ref *refs, size_t n, uint64_t seq)
{
	for (size_t i = 0; i < n; i++)
		if (refs[i].seq == seq)
			return i;
	log_error("judge: concern seq %llu missing from its timeline", (unsigned long long)seq);
	return n;
}

int judge_concern(struct store_txn *t, uint64_t child, uint64_t seq, int64_t at,
                  const struct rule *rules, size_t n_rules, int64_t now_ms, struct outbox *out)
{
	/* A child in no household is its own: its household rules read the
	 * same timeline, read once for both (most children, most concerns). */
	uint64_t household = 0;
	int rc = has_scope(rules, n_rules, RULE_SCOPE_HOUSEHOLD)
	             ? store_child_household(t, child, &household)
	             : STORE_OK;
	if (rc != STORE_OK)
		return rc;
	const int alone = !household && has_scope(rules, n_rules, RULE_SCOPE_HOUSEHOLD);
	int64_t reach = reach_of(rules, n_rules, RULE_SCOPE_CHILD);
	int64_t hreach = reach_of(rules, n_rules, RULE_SCOPE_HOUSEHOLD);
	if (alone && hreach > reach)
		reach = hreach;
	if (!has_scope(rules, n_rules, RULE_SCOPE_CHILD) && !alone)
		return STORE_OK;
	struct concern_ref *refs = NULL;
	size_t n = 0;
	rc = store_timeline(t, child, time_minus(at, reach), time_plus(at, reach), &refs, &n);
	if (rc != STORE_OK)
		return rc;
	size_t focus = find_focus(refs, n, seq);
	rc = focus == n ? STORE_ERROR
	                : judge(t, &child, 1, RULE_SCOPE_CHILD, refs, n, focus, rules, n_rules,
	                        NULL, NULL, now_ms, out);
	if (rc == STORE_OK && alone)
		rc = judge(t, &child, 1, RULE_SCOPE_HOUSEHOLD, refs, n, focus, rules, n_rules, NULL,
		           NULL, now_ms, out);
	free(refs);
	return rc;
}

int judge_child_history(struct store_txn *t, uint64_t child, const struct rule *rules,
                        size_t n_rules, const char *note, int64_t now_ms, struct outbox *out)
{
	if (!has_scope(rules, n_rules, RULE_SCOPE_CHILD))
		return STORE_OK;
	struct concern_ref *refs = NULL;
	size_t n = 0;
	int rc = store_timeline(t, child, INT64_MIN, INT64_MAX, &refs, &n);
	if (rc != STORE_OK || n == 0)
		return rc;
	rc = judge(t, &child, 1, RULE_SCOPE_CHILD, refs, n, JUDGE_ALL, rules, n_rules, note, NULL,
	           now_ms, out);
	free(refs);
	return rc;
}

/* A household's children and their names, for the reasons. */
struct people {
	uint64_t household;
	size_t n;
	uint64_t members[HOUSEHOLD_MEMBERS_MAX];
	char names[HOUSEHOLD_MEMBERS_MAX][64];
	const char *name_of[HOUSEHOLD_MEMBERS_MAX];
};

/* The names of p's children, for the reasons. */
static int people_names(struct store_txn *t, struct people *p)
{
	int rc = STORE_OK;
	/* A household of one names nobody (rule_reason_people()). */
	for (size_t k = 0; k < p->n && p->n > 1 && rc == STORE_OK; k++) {
		struct alert_child d;
		rc = display_child(t, p->members[k], &d);
		if (rc == STORE_OK)
			display_first_name(&d, p->members[k], p->names[k], sizeof p->names[k]);
		p->name_of[k] = p->names[k];
	}
	return rc;
}

/* Would judge() decide anything for refs: is a rule of `scope` met, or
 * does one count refs[focus]? Saves reading a household's names when
 * nothing is to be raised or added. */
static int anything_to_decide(const struct rule *rules, size_t n_rules, enum rule_scope scope,
                              const struct concern_ref *refs, size_t n, size_t focus)
{
	struct rule_match *m = malloc((n_rules ? n_rules : 1) * sizeof *m);
	if (!m)
		return 1; /* judge() will say it is out of memory */
	judge_measure(rules, n_rules, scope, refs, n, focus, m);
	int any = 0;
	for (size_t i = 0; i < n_rules && !any; i++)
		any = judge_needs_open(&rules[i], scope, refs, focus, &m[i]);
	free(m);
	return any;
}

/* Judge the household rules for child's household over [from, to]: the
 * windows holding the concern seq, or every window when seq is 0. */
static int judge_household(struct store_txn *t, uint64_t child, uint64_t seq, int64_t from,
                           int64_t to, const struct rule *rules, size_t n_rules, const char *note,
                           int64_t now_ms, struct outbox *out)
{
	if (!has_scope(rules, n_rules, RULE_SCOPE_HOUSEHOLD))
		return STORE_OK;
	struct people *p = malloc(sizeof *p);
	struct household_refs h = {0};
	int rc = p ? household_members(t, child, &p->household, p->members, &p->n) : STORE_ERROR;
	if (rc == STORE_OK)
		rc = household_refs(t, p->members, p->n, from, to, 0, &h);
	size_t focus = h.n && seq ? find_focus(h.refs, h.n, seq) : JUDGE_ALL;
	if (rc == STORE_OK && h.n && focus == h.n)
		rc = STORE_ERROR; /* the concern is not on its own timeline */
	/* The children's names are read only when something is to be said. */
	if (rc == STORE_OK && h.n &&
	    anything_to_decide(rules, n_rules, RULE_SCOPE_HOUSEHOLD, h.refs, h.n, focus) &&
	    (rc = people_names(t, p)) == STORE_OK) {
		struct rule_people people = {
		    .n = p->n, .names = p->name_of, .children = p->members, .filed = h.filed};
		rc = judge(t, p->members, p->n, RULE_SCOPE_HOUSEHOLD, h.refs, h.n, focus, rules,
		           n_rules, note, &people, now_ms, out);
	}
	household_refs_release(&h);
	free(p);
	return rc;
}

int judge_household_concern(struct store_txn *t, uint64_t child, uint64_t seq, int64_t at,
                            const struct rule *rules, size_t n_rules, int64_t now_ms,
                            struct outbox *out)
{
	int64_t reach = reach_of(rules, n_rules, RULE_SCOPE_HOUSEHOLD);
	return judge_household(t, child, seq, time_minus(at, reach), time_plus(at, reach), rules,
	                       n_rules, NULL, now_ms, out);
}

int judge_household_history(struct store_txn *t, uint64_t child, const struct rule *rules,
                            size_t n_rules, const char *note, int64_t now_ms, struct outbox *out)
{
	return judge_household(t, child, 0, INT64_MIN, INT64_MAX, rules, n_rules, note, now_ms,
	                       out);
}

int judge_history(struct store_txn *t, uint64_t child, const struct rule *rules, size_t n_rules,
                  const char *note, int64_t now_ms, struct outbox *out)
{
	int rc = judge_child_history(t, child, rules, n_rules, note, now_ms, out);
	return rc == STORE_OK ? judge_household_history(t, child, rules, n_rules, note, now_ms, out)
	                      : rc;
}

int judge_merge_note(struct store_txn *t, const struct merge_log *log, uint64_t child, char *buf,
                     size_t len)
{
	size_t n = 0, used = 0;
	char ids[4][WIRE_ID_MAX];
	for (size_t i = 0; i < log->n; i++) {
		uint64_t live;
		int rc = store_child_resolve(t, log->merged[i].survivor, &live);
		if (rc != STORE_OK)
			return rc;
		if (live != child)
			continue;
		if (n < 4)
			wire_child_id(log->merged[i].absorbed, ids[n]);
		n++;
	}
	buf[0] = '\0';
	if (n == 0)
		return STORE_OK;
	char into[WIRE_ID_MAX];
	wire_child_id(child, into);
	used += (size_t)snprintf(buf, len, "after %s", ids[0]);
	for (size_t i = 1; i < n && i < 4 && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		                         i + 1 == n ? " and " : ", ", ids[i]);
	if (n > 4 && used < len)
		used += (size_t)snprintf(buf + used, len - used, " and %zu more", n - 4);
	if (used < len)
		snprintf(buf + used, len - used, " %s merged into %s", n == 1 ? "was" : "were",
		         into);
	return STORE_OK;
}

/* ---- a social care status changed ---- */

/* Does an alert of rule r for child cite ref in its evidence? */
static int cited(struct store_txn *t, uint64_t child, const struct rule *r,
                 const struct concern_ref *ref, struct alert *a, int *yes)
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	*yes = 0;
	int rc = store_child_alerts(t, child, &seqs, &n);
	for (size_t i = 0; i < n && rc == STORE_OK && !*yes; i++) {
		if ((rc = store_alert_get(t, seqs[i], a)) != STORE_OK || strcmp(a->rule, r->name))
			continue;
		*yes = lifecycle_cites(a, ref->agency, ref->concern_id);
	}
	free(seqs);
	return rc;
}

int judge_status_change(struct store_txn *t, uint64_t child, const struct concern_ref *before,
                        size_t n_before, const struct rule *rules, size_t n_rules, int64_t now_ms,
                        struct outbox *out)
{
	struct concern_ref *refs = NULL;
	size_t n = 0;
	struct alert *a = malloc(sizeof *a);
	int rc = a ? store_timeline(t, child, INT64_MIN, INT64_MAX, &refs, &n) : STORE_ERROR;
	if (rc == STORE_OK && n != n_before) {
		char cid[WIRE_ID_MAX];
		wire_child_id(child, cid);
		log_error("judge: %s's timeline changed while its status was filed", cid);
		rc = STORE_ERROR;
	}
	for (size_t i = 0; i < n_rules && rc == STORE_OK; i++) {
		const struct rule *r = &rules[i];
		if ((!r->when_status && !r->unless_status) || r->scope != RULE_SCOPE_CHILD)
			continue;
		for (size_t f = 0; f < n && rc == STORE_OK; f++) {
			int yes;
			if (rule_counts(r, &before[f]) || !rule_counts(r, &refs[f]))
				continue;
			if ((rc = cited(t, child, r, &refs[f], a, &yes)) == STORE_OK && !yes)
				rc = judge(t, &child, 1, RULE_SCOPE_CHILD, refs, n, f, r, 1,
				           "after social care's status of the child was received",
				           NULL, now_ms, out);
		}
	}
	free(refs);
	free(a);
	return rc;
}
