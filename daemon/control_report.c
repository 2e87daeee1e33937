/*
 * control_report.c - `ffcctl report`: the local safeguarding partnership's
 * figures for a period, gathered from the store in one read transaction.
 *
 * Concerns received by agency and category; alerts raised by rule, level
 * and outcome; how soon RED and AMBER alerts were answered; children
 * alerted again within a year of a closed alert; Operation Encompass
 * notices and how many were acknowledged by their due time; per adapter,
 * rejections by reason and how many of the children it named carried an
 * NHS number or a UPN; possible matches nobody has reviewed. Counts only:
 * no child is named, so the reply names none and the read is audited as
 * one entry with the admin's purpose (authz.c: it "reads").
 *
 * Owns the gathering and the reply. The figures' definitions are
 * report.c's. The gathering is a full pass over concerns, alerts and
 * notices (seconds on a large store), so it runs beside the loop in a
 * read transaction of its own (control_defer()): receipts, alerts and
 * heartbeats go on meanwhile, and the reply is built back in the loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "control_int.h"
#include "report.h"
#include "store_notices.h"
#include "tally.h"
#include "wire.h"

/* The longest period one report covers. */
#define PERIOD_MAX_MS (INT64_C(3660) * 86400000)
#define ADAPTERS_MAX  512
#define REASONS_MAX   64

struct alert_row {
	char rule[RULE_NAME_MAX];
	int level;
	char outcome[WIRE_OUTCOME_MAX];
	uint64_t count;
};

struct month_row {
	int32_t month; /* months since 1970-01, UTC */
	char rule[RULE_NAME_MAX];
	int level;
	uint64_t count;
};

struct reason_row {
	char reason[STATS_REASON_LEN];
	uint64_t count;
};

struct adapter_row {
	char name[ACCESS_NAME_MAX];
	uint64_t accepted, rejected, children, identified;
	size_t n_reasons;
	struct reason_row reasons[REASONS_MAX];
};

struct match_row {
	uint64_t a, b;
	int kind;
};

/* Everything gathered, before the reply is built. */
struct gather {
	struct store *store;
	struct store_txn *t; /* while gathering, beside the loop */
	const char *err;     /* a static message, or NULL */
	int64_t from, to, now;
	int failed;
	uint64_t concerns;
	uint64_t by[AGENCY_MAX + 1][CATEGORY_MAX + 1];
	uint64_t alerts;
	size_t n_rows, cap_rows;
	struct alert_row *rows;
	size_t n_months, cap_months;
	struct month_row *months;
	size_t n_all, cap_all;
	struct report_alert *all; /* every alert, for children re-alerted */
	size_t n_resp[LEVEL_MAX + 1], cap_resp[LEVEL_MAX + 1];
	struct report_response *resp[LEVEL_MAX + 1];
	Ffc__V1__NoticeFigures notices;
	size_t n_adapters;
	struct adapter_row *adapters; /* ADAPTERS_MAX */
	size_t n_matches, cap_matches;
	struct match_row *matches;
};

static void *grow(void *v, size_t *cap, size_t n, size_t size, int *failed)
{
	if (n < *cap)
		return v;
	size_t next = *cap ? *cap * 2 : 64;
	void *p = realloc(v, next * size);
	if (!p) {
		*failed = 1;
		return NULL;
	}
	*cap = next;
	return p;
}

/* ---- concerns ---- */

static int concern_visit(uint64_t seq, const void *data, size_t len, void *arg)
{
	struct gather *g = arg;
	(void)seq;
	Ffc__Store__StoredConcern *sc = ffc__store__stored_concern__unpack(NULL, len, data);
	if (!sc)
		return 0;
	const Ffc__V1__Concern *c = sc->concern;
	if (c && sc->received_at_ms >= g->from && sc->received_at_ms < g->to &&
	    (int)c->agency >= 0 && (int)c->agency <= AGENCY_MAX && (int)c->category >= 0 &&
	    (int)c->category <= CATEGORY_MAX) {
		g->concerns++;
		g->by[c->agency][c->category]++;
	}
	ffc__store__stored_concern__free_unpacked(sc, NULL);
	return 0;
}

/* ---- alerts ---- */

static void count_alert(struct gather *g, const Ffc__V1__Alert *a, const char *outcome)
{
	for (size_t i = 0; i < g->n_rows; i++) {
		struct alert_row *r = &g->rows[i];
		if (r->level == (int)a->level && !strcmp(r->rule, a->rule) &&
		    !strcmp(r->outcome, outcome)) {
			r->count++;
			return;
		}
	}
	struct alert_row *rows = grow(g->rows, &g->cap_rows, g->n_rows, sizeof *rows, &g->failed);
	if (!rows)
		return;
	g->rows = rows;
	struct alert_row *r = &rows[g->n_rows++];
	snprintf(r->rule, sizeof r->rule, "%s", a->rule);
	r->level = (int)a->level;
	snprintf(r->outcome, sizeof r->outcome, "%s", outcome);
	r->count = 1;
}

/* Months since 1970-01 of a UTC time. */
static int32_t month_of(int64_t ms)
{
	int y, m, d;
	calendar_civil(calendar_day_of(ms), &y, &m, &d);
	return (int32_t)((y - 1970) * 12 + m - 1);
}

static void count_month(struct gather *g, const Ffc__V1__Alert *a)
{
	int32_t month = month_of(a->raised_at_ms);
	for (size_t i = 0; i < g->n_months; i++) {
		struct month_row *m = &g->months[i];
		if (m->month == month && m->level == (int)a->level && !strcmp(m->rule, a->rule)) {
			m->count++;
			return;
		}
	}
	struct month_row *months =
	    grow(g->months, &g->cap_months, g->n_months, sizeof *months, &g->failed);
	if (!months)
		return;
	g->months = months;
	struct month_row *m = &months[g->n_months++];
	m->month = month;
	snprintf(m->rule, sizeof m->rule, "%s", a->rule);
	m->level = (int)a->level;
	m->count = 1;
}

/* The first acknowledgement or closing in an alert's history. */
static int first_answer(const void *data, size_t len, void *arg)
{
	int64_t *at = arg;
	Ffc__V1__AlertEvent *e = ffc__v1__alert_event__unpack(NULL, len, data);
	if (!e)
		return 0;
	int answer = e->action == FFC__V1__ALERT_EVENT__ACTION__ACKNOWLEDGED ||
	             e->action == FFC__V1__ALERT_EVENT__ACTION__CLOSED;
	if (answer)
		*at = e->at_ms;
	ffc__v1__alert_event__free_unpacked(e, NULL);
	return answer;
}

static void response(struct gather *g, const Ffc__V1__Alert *a, int superseded)
{
	int level = (int)a->level;
	if (level < LEVEL_AMBER || level > LEVEL_MAX)
		return;
	struct report_response *v =
	    grow(g->resp[level], &g->cap_resp[level], g->n_resp[level], sizeof *v, &g->failed);
	if (!v)
		return;
	g->resp[level] = v;
	struct report_response *r = &v[g->n_resp[level]++];
	*r = (struct report_response){.raised_at_ms = a->raised_at_ms, .superseded = superseded};
	if (store_alert_events(g->t, a->seq, first_answer, &r->answered_at_ms) != STORE_OK)
		g->failed = 1;
}

static int alert_visit(const void *data, size_t len, void *arg)
{
	struct gather *g = arg;
	Ffc__Store__StoredAlert *sa = ffc__store__stored_alert__unpack(NULL, len, data);
	if (!sa)
		return 0;
	const Ffc__V1__Alert *a = sa->alert;
	uint64_t child = sa->child;
	if (a && store_child_resolve(g->t, sa->child, &child) == STORE_OK) {
		struct report_alert *all =
		    grow(g->all, &g->cap_all, g->n_all, sizeof *all, &g->failed);
		if (all) {
			g->all = all;
			int closed = sa->state == FFC__STORE__ALERT_STATE__CLOSED;
			all[g->n_all++] = (struct report_alert){child, a->raised_at_ms,
			                                        closed ? a->closed_at_ms : 0};
		}
	}
	if (a && a->raised_at_ms >= g->from && a->raised_at_ms < g->to) {
		int superseded = sa->state == FFC__STORE__ALERT_STATE__SUPERSEDED;
		const char *outcome = sa->state == FFC__STORE__ALERT_STATE__CLOSED ? a->outcome
		                      : superseded                                 ? "superseded"
		                      : a->acknowledged_at_ms                      ? "acknowledged"
		                                                                   : "open";
		g->alerts++;
		count_alert(g, a, outcome);
		count_month(g, a);
		response(g, a, superseded);
	}
	ffc__store__stored_alert__free_unpacked(sa, NULL);
	return g->failed;
}

/* ---- notices ---- */

static void notices(struct gather *g)
{
	Ffc__V1__NoticeFigures *f = &g->notices;
	uint64_t last = store_last_notice_seq(g->t);
	for (uint64_t seq = 1; seq <= last; seq++) {
		const void *data;
		size_t len;
		if (store_notice_raw(g->t, seq, &data, &len) != STORE_OK)
			continue;
		Ffc__V1__SchoolNotice *n = ffc__v1__school_notice__unpack(NULL, len, data);
		if (!n)
			continue;
		if (n->raised_at_ms >= g->from && n->raised_at_ms < g->to) {
			f->notices++;
			if (n->front_door ==
			    FFC__V1__FRONT_DOOR_REASON__FRONT_DOOR_REASON_UNSPECIFIED)
				f->to_schools++;
			else
				f->to_front_door++;
			f->acknowledged += n->acknowledged_at_ms != 0;
			f->reminded += n->reminded_at_ms != 0;
			/* Judged: its time came, or it was answered; not one the
			 * police withdrew. */
			if (!n->withdrawn_at_ms &&
			    (n->due_at_ms <= g->now || n->acknowledged_at_ms)) {
				f->judged++;
				f->acknowledged_by_due +=
				    n->acknowledged_at_ms && n->acknowledged_at_ms <= n->due_at_ms;
			}
		}
		ffc__v1__school_notice__free_unpacked(n, NULL);
	}
	f->share_by_due = report_share(f->acknowledged_by_due, f->judged);
}

/* ---- adapters ---- */

static struct adapter_row *adapter(struct gather *g, const char *name)
{
	for (size_t i = 0; i < g->n_adapters; i++)
		if (!strcmp(g->adapters[i].name, name))
			return &g->adapters[i];
	if (g->n_adapters == ADAPTERS_MAX)
		return NULL;
	struct adapter_row *a = &g->adapters[g->n_adapters++];
	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, "%s", name);
	return a;
}

static size_t reason_index(const struct adapter_row *a, const char *why)
{
	size_t i = 0;
	while (i < a->n_reasons && strcmp(a->reasons[i].reason, why))
		i++;
	return i;
}

static int tally_visit(int32_t day, const char *name, const char *metric, uint64_t value, void *arg)
{
	(void)day;
	struct adapter_row *a = adapter(arg, name);
	size_t rejected = strlen(TALLY_REJECTED);
	if (!a)
		return 0;
	if (!strcmp(metric, TALLY_ACCEPTED)) {
		a->accepted += value;
	} else if (!strcmp(metric, TALLY_CHILDREN)) {
		a->children += value;
	} else if (!strcmp(metric, TALLY_IDENTIFIED)) {
		a->identified += value;
	} else if (!strncmp(metric, TALLY_REJECTED, rejected)) {
		const char *why = metric + rejected;
		a->rejected += value;
		size_t i = reason_index(a, why);
		if (i == a->n_reasons && i >= REASONS_MAX - 1)
			i = reason_index(a, why = "other"); /* the last row gathers the rest */
		if (i == a->n_reasons) {
			snprintf(a->reasons[i].reason, sizeof a->reasons[i].reason, "%s", why);
			a->n_reasons++;
		}
		a->reasons[i].count += value;
	}
	return 0;
}

/* ---- possible matches ---- */

static int match_visit(uint64_t child, uint64_t other, const void *rec, size_t len, void *arg)
{
	struct gather *g = arg;
	Ffc__Store__StoredMatch *sm = ffc__store__stored_match__unpack(NULL, len, rec);
	if (!sm)
		return 0;
	const Ffc__V1__PossibleMatch *m = sm->match;
	uint64_t a = child, b = other;
	if (m && !m->dismissed_at_ms && m->found_at_ms >= g->from && m->found_at_ms < g->to &&
	    store_child_resolve(g->t, child, &a) == STORE_OK &&
	    store_child_resolve(g->t, other, &b) == STORE_OK && a != b) {
		struct match_row *v =
		    grow(g->matches, &g->cap_matches, g->n_matches, sizeof *v, &g->failed);
		if (v) {
			g->matches = v;
			v[g->n_matches++] =
			    (struct match_row){a < b ? a : b, a < b ? b : a, (int)m->kind};
		}
	}
	ffc__store__stored_match__free_unpacked(sm, NULL);
	return g->failed;
}

static int by_pair(const void *x, const void *y)
{
	const struct match_row *a = x, *b = y;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

/* ---- the reply ---- */

static Ffc__V1__Counter *counter(struct arena *ar, const char *name, uint64_t count)
{
	Ffc__V1__Counter *c = arena_alloc(ar, sizeof *c);
	if (c) {
		ffc__v1__counter__init(c);
		c->name = arena_strdup(ar, name);
		c->count = count;
	}
	return c;
}

static void reply_concerns(const struct gather *g, struct arena *ar, Ffc__V1__ReportReply *r)
{
	size_t n = 0;
	r->concerns_by = arena_alloc(ar, (AGENCY_MAX + 1) * (CATEGORY_MAX + 1) * sizeof(void *));
	for (int a = 0; r->concerns_by && a <= AGENCY_MAX; a++)
		for (int c = 0; c <= CATEGORY_MAX; c++) {
			if (!g->by[a][c])
				continue;
			Ffc__V1__ConcernCount *k = arena_alloc(ar, sizeof *k);
			if (!k)
				return;
			ffc__v1__concern_count__init(k);
			k->agency = (Ffc__V1__Agency)a;
			k->category = (Ffc__V1__Category)c;
			k->count = g->by[a][c];
			r->concerns_by[n++] = k;
		}
	r->n_concerns_by = n;
	r->concerns = g->concerns;
}

static int by_rule(const void *x, const void *y)
{
	const struct alert_row *a = x, *b = y;
	int c = strcmp(a->rule, b->rule);
	if (c)
		return c;
	if (a->level != b->level)
		return a->level > b->level ? -1 : 1; /* RED first */
	return strcmp(a->outcome, b->outcome);
}

static int by_month(const void *x, const void *y)
{
	const struct month_row *a = x, *b = y;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	int c = strcmp(a->rule, b->rule);
	if (c)
		return c;
	return a->level == b->level ? 0 : a->level > b->level ? -1 : 1; /* RED first */
}

static void reply_months(struct gather *g, struct arena *ar, Ffc__V1__ReportReply *r)
{
	if (g->n_months)
		qsort(g->months, g->n_months, sizeof *g->months, by_month);
	r->alerts_by_month = arena_alloc(ar, (g->n_months + 1) * sizeof *r->alerts_by_month);
	for (size_t i = 0; r->alerts_by_month && i < g->n_months; i++) {
		const struct month_row *m = &g->months[i];
		Ffc__V1__MonthCount *k = arena_alloc(ar, sizeof *k);
		char month[16];
		if (!k)
			return;
		ffc__v1__month_count__init(k);
		snprintf(month, sizeof month, "%04d-%02d", 1970 + m->month / 12, m->month % 12 + 1);
		k->month = arena_strdup(ar, month);
		k->rule = arena_strdup(ar, m->rule);
		k->level = (Ffc__V1__Level)m->level;
		k->count = m->count;
		r->alerts_by_month[r->n_alerts_by_month++] = k;
	}
}

static void reply_alerts(struct gather *g, const struct control_env *env, struct arena *ar,
                         Ffc__V1__ReportReply *r)
{
	if (g->n_rows)
		qsort(g->rows, g->n_rows, sizeof *g->rows, by_rule);
	r->alerts = g->alerts;
	r->alerts_by = arena_alloc(ar, (g->n_rows + 1) * sizeof *r->alerts_by);
	for (size_t i = 0; r->alerts_by && i < g->n_rows; i++) {
		Ffc__V1__AlertCount *k = arena_alloc(ar, sizeof *k);
		if (!k)
			return;
		ffc__v1__alert_count__init(k);
		k->rule = arena_strdup(ar, g->rows[i].rule);
		k->level = (Ffc__V1__Level)g->rows[i].level;
		k->outcome = arena_strdup(ar, g->rows[i].outcome);
		k->count = g->rows[i].count;
		r->alerts_by[r->n_alerts_by++] = k;
	}
	r->response = arena_alloc(ar, 2 * sizeof *r->response);
	for (int level = LEVEL_MAX; r->response && level >= LEVEL_AMBER; level--) {
		Ffc__V1__ResponseFigures *f = arena_alloc(ar, sizeof *f);
		struct report_response_figures fig;
		int64_t within_ms = env->policy ? env->policy->response_ms[level] : 0;
		if (!f || report_responses(g->resp[level], g->n_resp[level], within_ms, g->now,
		                           &fig) < 0) {
			g->failed = 1;
			return;
		}
		ffc__v1__response_figures__init(f);
		f->level = (Ffc__V1__Level)level;
		f->alerts = fig.alerts;
		f->responded = fig.responded;
		f->median_ms = fig.median_ms;
		f->p90_ms = fig.p90_ms;
		f->response_ms = within_ms;
		f->counted = fig.counted;
		f->within = fig.within;
		f->within_share = report_share(fig.within, fig.counted);
		r->response[r->n_response++] = f;
	}
	r->children_realerted =
	    report_realerted(g->all, g->n_all, g->from, g->to, &r->children_alerted);
}

static int by_name(const void *x, const void *y)
{
	return strcmp(((const struct adapter_row *)x)->name, ((const struct adapter_row *)y)->name);
}

static void reply_adapters(struct gather *g, struct arena *ar, Ffc__V1__ReportReply *r)
{
	if (g->n_adapters)
		qsort(g->adapters, g->n_adapters, sizeof *g->adapters, by_name);
	r->adapters = arena_alloc(ar, (g->n_adapters + 1) * sizeof *r->adapters);
	for (size_t i = 0; r->adapters && i < g->n_adapters; i++) {
		const struct adapter_row *a = &g->adapters[i];
		Ffc__V1__AdapterFigures *f = arena_alloc(ar, sizeof *f);
		Ffc__V1__Counter **reasons = arena_alloc(ar, (a->n_reasons + 1) * sizeof *reasons);
		if (!f || !reasons)
			return;
		ffc__v1__adapter_figures__init(f);
		f->adapter = arena_strdup(ar, a->name);
		f->accepted = a->accepted;
		f->rejected = a->rejected;
		f->children = a->children;
		f->children_identified = a->identified;
		f->identified_share = report_share(a->identified, a->children);
		for (size_t k = 0; k < a->n_reasons; k++)
			if ((reasons[f->n_rejections] =
			         counter(ar, a->reasons[k].reason, a->reasons[k].count)))
				f->n_rejections++;
		f->rejections = reasons;
		r->adapters[r->n_adapters++] = f;
	}
}

static void reply_matches(struct gather *g, struct arena *ar, Ffc__V1__ReportReply *r)
{
	if (g->n_matches)
		qsort(g->matches, g->n_matches, sizeof *g->matches, by_pair);
	uint64_t kinds[32] = {0};
	for (size_t i = 0; i < g->n_matches; i++) {
		if (i && !by_pair(&g->matches[i - 1], &g->matches[i]))
			continue; /* two records now naming one pair: one question */
		r->matches_unreviewed++;
		int k = g->matches[i].kind;
		kinds[k >= 0 && k < 32 ? k : 0]++;
	}
	r->matches_unreviewed_by_kind = arena_alloc(ar, 32 * sizeof(void *));
	for (int k = 0; r->matches_unreviewed_by_kind && k < 32; k++) {
		if (!kinds[k])
			continue;
		const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
		    &ffc__v1__possible_match__kind__descriptor, k);
		Ffc__V1__Counter *c = counter(ar, v ? v->name : "KIND_UNSPECIFIED", kinds[k]);
		if (c)
			r->matches_unreviewed_by_kind[r->n_matches_unreviewed_by_kind++] = c;
	}
}

static void gather_free(struct gather *g)
{
	free(g->rows);
	free(g->months);
	free(g->all);
	for (int l = 0; l <= LEVEL_MAX; l++)
		free(g->resp[l]);
	free(g->adapters);
	free(g->matches);
	free(g);
}

/* Beside the loop: every pass, in one read transaction of its own. */
static void report_run(void *arg)
{
	struct gather *g = arg;
	if (store_begin(g->store, 0, &g->t) != STORE_OK) {
		g->err = "report: store error";
		return;
	}
	if (store_concern_each(g->t, 1, concern_visit, g) != STORE_OK ||
	    store_alert_each(g->t, alert_visit, g) != STORE_OK ||
	    store_tally_each(g->t, calendar_day_of(g->from), calendar_day_of(g->to - 1) + 1,
	                     tally_visit, g) != STORE_OK ||
	    store_match_each(g->t, match_visit, g) != STORE_OK)
		g->err = "report: store error";
	else
		notices(g);
	store_abort(&g->t);
}

/* Back in the loop: the reply. */
static const char *report_done(struct control_call *call, void *arg)
{
	struct gather *g = arg;
	if (g->err)
		return g->err;
	if (g->failed)
		return "out of memory";
	struct arena *ar = call->ar;
	Ffc__V1__ReportReply *r = arena_alloc(ar, sizeof *r);
	Ffc__V1__NoticeFigures *nf = arena_alloc(ar, sizeof *nf);
	if (!r || !nf)
		return NULL; /* the arena says: out of memory */
	ffc__v1__report_reply__init(r);
	r->from_ms = g->from;
	r->to_ms = g->to;
	r->made_at_ms = g->now;
	*nf = g->notices;
	r->notices = nf;
	reply_concerns(g, ar, r);
	reply_alerts(g, call->env, ar, r);
	reply_months(g, ar, r);
	reply_adapters(g, ar, r);
	reply_matches(g, ar, r);
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_REPORT;
	call->reply->report = r;
	return NULL;
}

static void report_free(void *arg)
{
	gather_free(arg);
}

const char *control_report(struct control_call *call)
{
	const Ffc__V1__ReportRequest *req = call->rq->report;
	if (req->from_ms < CONCERN_EARLIEST_MS)
		return "report.from_ms: before 1900";
	if (req->to_ms <= req->from_ms)
		return "report.to_ms: not after from_ms";
	if (req->to_ms - req->from_ms > PERIOD_MAX_MS)
		return "report.to_ms: a report covers at most 10 years";
	struct gather *g = calloc(1, sizeof *g);
	if (g)
		g->adapters = calloc(ADAPTERS_MAX, sizeof *g->adapters);
	if (!g || !g->adapters) {
		free(g);
		return "out of memory";
	}
	g->store = call->env->store;
	g->from = req->from_ms;
	g->to = req->to_ms;
	g->now = call->now_ms;
	ffc__v1__notice_figures__init(&g->notices);
	/* Rejections counted and not written yet: the loop's, taken now. */
	const struct tally_pending *held = call->env->tallies;
	for (size_t i = 0; held && i < held->n && i < TALLY_PENDING_MAX; i++) {
		char metric[STATS_REASON_LEN + 16];
		int32_t day = held->rows[i].day;
		snprintf(metric, sizeof metric, TALLY_REJECTED "%s", held->rows[i].reason);
		if (day >= calendar_day_of(g->from) && day <= calendar_day_of(g->to - 1))
			tally_visit(day, held->rows[i].adapter, metric, held->rows[i].count, g);
	}
	return control_defer(call, report_run, report_done, report_free, g);
}
