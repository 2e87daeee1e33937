/*
 * rules.c - correlation rules as pure functions: does a child's history
 * meet a rule in some window containing a given concern, how strongly, on
 * what evidence, and one sentence saying so.
 *
 * Owns the window arithmetic and the reason text. Does not read the store,
 * raise alerts or read configuration (ingest.c, config.c).
 */
#include "rules.h"

#include <stdio.h>
#include <string.h>

int rule_counts(const struct rule *r, const struct concern_ref *ref)
{
	if (r->agencies && !(r->agencies & (UINT32_C(1) << ref->agency)))
		return 0;
	if (r->categories && !(r->categories & (UINT32_C(1) << ref->category)))
		return 0;
	return ref->severity >= r->min_severity;
}

static enum level level_for(const struct rule *r, unsigned measure)
{
	for (int l = LEVEL_MAX; l > LEVEL_NONE; l--)
		if (r->threshold[l] && measure >= r->threshold[l])
			return (enum level)l;
	return LEVEL_NONE;
}

/* Running measure of the window [lo, hi] over counting concerns. */
struct window {
	unsigned per_agency[AGENCY_MAX + 1];
	unsigned per_category[CATEGORY_MAX + 1];
	unsigned distinct_agencies, distinct_categories, count, weight;
};

static void window_add(struct window *w, const struct rule *r, const struct concern_ref *ref,
                       int sign)
{
	unsigned a = ref->agency <= AGENCY_MAX ? ref->agency : 0;
	unsigned c = ref->category <= CATEGORY_MAX ? ref->category : 0;
	unsigned wt = ref->severity <= SEVERITY_MAX ? r->weight[ref->severity] : 0;
	if (sign > 0) {
		w->distinct_agencies += w->per_agency[a]++ == 0;
		w->distinct_categories += w->per_category[c]++ == 0;
		w->count++;
		w->weight += wt;
	} else {
		w->distinct_agencies -= --w->per_agency[a] == 0;
		w->distinct_categories -= --w->per_category[c] == 0;
		w->count--;
		w->weight -= wt;
	}
}

static unsigned window_measure(const struct window *w, enum rule_kind kind)
{
	switch (kind) {
	case RULE_DISTINCT_AGENCIES:
		return w->distinct_agencies;
	case RULE_DISTINCT_CATEGORIES:
		return w->distinct_categories;
	case RULE_COUNT:
		return w->count;
	case RULE_SEVERITY_SUM:
		return w->weight;
	case RULE_ANY:
	default:
		return w->count ? 1 : 0;
	}
}

/* Evidence: the counting concerns in [lo, hi]. Past the cap, keep one per
 * distinct agency or category first, so the evidence still shows why the
 * rule was met, then the latest others. */
static void collect(const struct rule *r, const struct concern_ref *refs, size_t lo, size_t hi,
                    struct rule_match *m)
{
	size_t total = 0;
	for (size_t i = lo; i <= hi; i++)
		total += rule_counts(r, &refs[i]) != 0;
	m->n_evidence = 0;
	if (total <= RULE_EVIDENCE_MAX) {
		for (size_t i = lo; i <= hi; i++)
			if (rule_counts(r, &refs[i]))
				m->evidence[m->n_evidence++] = i;
		return;
	}
	unsigned char keep_agency[AGENCY_MAX + 1] = {0}, keep_category[CATEGORY_MAX + 1] = {0};
	size_t chosen[RULE_EVIDENCE_MAX];
	size_t n = 0;
	/* First pass: one concern per distinct key. */
	for (size_t i = lo; i <= hi && n < RULE_EVIDENCE_MAX; i++) {
		const struct concern_ref *x = &refs[i];
		if (!rule_counts(r, x))
			continue;
		int fresh = 0;
		if (r->kind == RULE_DISTINCT_AGENCIES && x->agency <= AGENCY_MAX &&
		    !keep_agency[x->agency]) {
			keep_agency[x->agency] = 1;
			fresh = 1;
		}
		if (r->kind == RULE_DISTINCT_CATEGORIES && x->category <= CATEGORY_MAX &&
		    !keep_category[x->category]) {
			keep_category[x->category] = 1;
			fresh = 1;
		}
		if (fresh)
			chosen[n++] = i;
	}
	/* Then fill with the latest, newest first, skipping those taken. */
	for (size_t i = hi + 1; i-- > lo && n < RULE_EVIDENCE_MAX;) {
		if (!rule_counts(r, &refs[i]))
			continue;
		int taken = 0;
		for (size_t j = 0; j < n && !taken; j++)
			taken = chosen[j] == i;
		if (!taken)
			chosen[n++] = i;
	}
	/* Oldest first. */
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && chosen[b - 1] > chosen[b]; b--) {
			size_t t = chosen[b];
			chosen[b] = chosen[b - 1];
			chosen[b - 1] = t;
		}
	memcpy(m->evidence, chosen, n * sizeof chosen[0]);
	m->n_evidence = n;
}

enum level rule_eval(const struct rule *r, const struct concern_ref *refs, size_t n, size_t focus,
                     struct rule_match *m)
{
	memset(m, 0, sizeof *m);
	if (focus >= n || !rule_counts(r, &refs[focus]))
		return LEVEL_NONE;
	const int64_t t = refs[focus].occurred_at_ms;

	if (r->kind == RULE_ANY) {
		m->level = level_for(r, 1);
		m->measure = 1;
		m->window_from_ms = m->window_to_ms = t;
		m->n_evidence = 1;
		m->evidence[0] = focus;
		return m->level;
	}

	/* Windows [t0, t0 + W] containing t, each starting at a counting
	 * concern t0 in [t - W, t]. Slide the start forward and the end with
	 * it: two pointers, each concern added and removed once. */
	const int64_t w = r->window_ms;
	size_t lo = focus;
	while (lo > 0 && refs[lo - 1].occurred_at_ms >= t - w)
		lo--;
	struct window win;
	memset(&win, 0, sizeof win);
	size_t hi = lo; /* next to add */
	unsigned best = 0;
	size_t best_lo = 0, best_hi = 0;
	int found = 0;
	for (size_t start = lo; start <= focus; start++) {
		/* The window holds [start, hi): drop the old start if it was in. */
		if (start > lo && start - 1 < hi && rule_counts(r, &refs[start - 1]))
			window_add(&win, r, &refs[start - 1], -1);
		if (hi < start)
			hi = start;
		if (!rule_counts(r, &refs[start]))
			continue;
		const int64_t end = refs[start].occurred_at_ms + w;
		if (end < t)
			continue; /* this window does not reach the concern */
		while (hi < n && refs[hi].occurred_at_ms <= end) {
			if (rule_counts(r, &refs[hi]))
				window_add(&win, r, &refs[hi], +1);
			hi++;
		}
		unsigned measure = window_measure(&win, r->kind);
		if (!found || measure > best) {
			best = measure;
			best_lo = start;
			best_hi = hi - 1;
			found = 1;
		}
	}
	if (!found)
		return LEVEL_NONE;
	m->measure = best;
	m->level = level_for(r, best);
	m->window_from_ms = refs[best_lo].occurred_at_ms;
	m->window_to_ms = refs[best_lo].occurred_at_ms + w;
	if (m->level != LEVEL_NONE)
		collect(r, refs, best_lo, best_hi, m);
	return m->level;
}

/* "30 days", "36 hours". */
static void window_text(int64_t ms, char *buf, size_t len)
{
	const int64_t hour = INT64_C(3600000);
	if (ms % MS_PER_DAY == 0)
		snprintf(buf, len, "%lld day%s", (long long)(ms / MS_PER_DAY),
		         ms == MS_PER_DAY ? "" : "s");
	else
		snprintf(buf, len, "%lld hour%s", (long long)(ms / hour), ms == hour ? "" : "s");
}

/* Append "A, B and C" of the distinct names in the evidence. */
static size_t join_names(const struct rule *r, const struct rule_match *m,
                         const struct concern_ref *refs, int by_agency, char *buf, size_t len)
{
	const char *names[CATEGORY_MAX + 1];
	size_t n = 0;
	unsigned seen = 0;
	for (size_t i = 0; i < m->n_evidence; i++) {
		const struct concern_ref *x = &refs[m->evidence[i]];
		unsigned v = by_agency ? x->agency : x->category;
		if (v > CATEGORY_MAX || (seen & (1u << v)))
			continue;
		seen |= 1u << v;
		names[n++] = by_agency ? agency_name((int)v) : category_name((int)v);
	}
	(void)r;
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " and " : ", ";
		int k = snprintf(buf + o, len - o, "%s%s", sep, names[i]);
		if (k < 0)
			break;
		o += (size_t)k;
	}
	return o < len ? o : len - 1;
}

size_t rule_reason(const struct rule *r, const struct rule_match *m, const struct concern_ref *refs,
                   char *buf, size_t len)
{
	char window[32], names[RULE_REASON_MAX];
	window_text(r->window_ms, window, sizeof window);
	int k = 0;
	switch (r->kind) {
	case RULE_ANY: {
		const struct concern_ref *x = &refs[m->evidence[0]];
		k = snprintf(buf, len, "%s reported %s (%s)", agency_name(x->agency),
		             severity_name(x->severity), category_name(x->category));
		break;
	}
	case RULE_DISTINCT_AGENCIES:
		join_names(r, m, refs, 1, names, sizeof names);
		k = snprintf(buf, len, "concerns from %s within %s", names, window);
		break;
	case RULE_DISTINCT_CATEGORIES:
		join_names(r, m, refs, 0, names, sizeof names);
		k = snprintf(buf, len, "%s concerns within %s", names, window);
		break;
	case RULE_COUNT:
		join_names(r, m, refs, 0, names, sizeof names);
		k = snprintf(buf, len, "%u %s concerns within %s", m->measure, names, window);
		break;
	case RULE_SEVERITY_SUM:
		k = snprintf(buf, len,
		             "severity weight %u from %zu concerns within %s (threshold %u)",
		             m->measure, m->n_evidence, window, r->threshold[LEVEL_AMBER]);
		break;
	}
	if (k < 0)
		return 0;
	return (size_t)k < len ? (size_t)k : len - 1;
}

size_t rules_defaults(struct rule *out, size_t max)
{
	const uint32_t trio = (UINT32_C(1) << 1) | (UINT32_C(1) << 2) | (UINT32_C(1) << 3);
	const struct rule defaults[] = {
	    {.name = "immediate-risk",
	     .kind = RULE_ANY,
	     .min_severity = SEVERITY_IMMEDIATE,
	     .threshold = {[LEVEL_RED] = 1}},
	    {.name = "multi-agency",
	     .kind = RULE_DISTINCT_AGENCIES,
	     .window_ms = 30 * MS_PER_DAY,
	     .threshold = {[LEVEL_AMBER] = 2, [LEVEL_RED] = 3}},
	    {.name = "toxic-trio",
	     .kind = RULE_DISTINCT_CATEGORIES,
	     .window_ms = 90 * MS_PER_DAY,
	     .categories = trio,
	     .threshold = {[LEVEL_AMBER] = 2, [LEVEL_RED] = 3}},
	    {.name = "cumulative-harm",
	     .kind = RULE_SEVERITY_SUM,
	     .window_ms = 180 * MS_PER_DAY,
	     .weight = {[SEVERITY_LOW] = 1, [SEVERITY_MODERATE] = 2, [SEVERITY_HIGH] = 4},
	     .threshold = {[LEVEL_AMBER] = 8}},
	    {.name = "repeat-missing",
	     .kind = RULE_COUNT,
	     .window_ms = 90 * MS_PER_DAY,
	     .categories = UINT32_C(1) << CATEGORY_MISSING,
	     .threshold = {[LEVEL_AMBER] = 3}},
	};
	size_t n = sizeof defaults / sizeof defaults[0];
	if (n > max)
		n = max;
	memcpy(out, defaults, n * sizeof defaults[0]);
	return n;
}
