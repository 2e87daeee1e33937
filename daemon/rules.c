/*
 * rules.c - correlation rules as pure functions: does a child's history
 * meet a rule in some window containing a given concern, how strongly, on
 * what evidence, and one sentence saying so for a practitioner.
 *
 * Owns the window arithmetic, the choice of evidence and the reason text,
 * the checks of a rule's settings (what makes a rule well formed, and
 * every message saying it is not), and the default rules (the wire
 * contract's five and on-plan-not-seen). Does not read the store, the
 * clock or the configuration file (config_rules.c reads a rule's settings
 * and hands them here), and does not decide whether an alert is raised
 * again (ingest.c).
 */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "labels.h"
#include "status.h"

#define MS_PER_HOUR INT64_C(3600000)

#if defined(__GNUC__)
#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))
#else
#define PRINTF_LIKE(a, b)
#endif

/* A mask bit for a value, or 0 for one that no mask can hold: refs come from
 * the store, but a corrupt or future value must not shift out of range. */
static uint32_t bit(unsigned v)
{
	return v < 32 ? UINT32_C(1) << v : 0;
}

static int passes(uint32_t agencies, uint32_t categories, int min_severity,
                  const struct concern_ref *ref)
{
	if (agencies && !(agencies & bit(ref->agency)))
		return 0;
	if (categories && !(categories & bit(ref->category)))
		return 0;
	return (int)ref->severity >= min_severity;
}

int rule_part_counts(const struct rule_part *p, const struct concern_ref *ref)
{
	return passes(p->agencies, p->categories, p->min_severity, ref);
}

/* Parts beyond RULE_PARTS_MAX cannot exist in a checked rule; the bound
 * keeps a corrupt one from reading past the array. */
static size_t n_parts(const struct rule *r)
{
	return r->n_parts < RULE_PARTS_MAX ? r->n_parts : RULE_PARTS_MAX;
}

int rule_counts(const struct rule *r, const struct concern_ref *ref)
{
	if (!passes(r->agencies, r->categories, r->min_severity, ref))
		return 0;
	if ((r->when_status && !(r->when_status & ref->status)) || (r->unless_status & ref->status))
		return 0;
	if (r->kind != RULE_ALL_OF)
		return 1;
	for (size_t p = 0; p < n_parts(r); p++)
		if (rule_part_counts(&r->parts[p], ref))
			return 1;
	return 0;
}

/* The highest level whose threshold the measure reaches. */
static enum level level_for(const struct rule *r, unsigned measure)
{
	for (int l = LEVEL_MAX; l > LEVEL_NONE; l--)
		if (r->threshold[l] && measure >= r->threshold[l])
			return (enum level)l;
	return LEVEL_NONE;
}

/* Event times are validated at the edge, but a window must not overflow
 * even on the fuzzers' values: clamp instead. */
static int64_t plus(int64_t t, int64_t w)
{
	return t > INT64_MAX - w ? INT64_MAX : t + w;
}

static int64_t minus(int64_t t, int64_t w)
{
	return t < INT64_MIN + w ? INT64_MIN : t - w;
}

/* First index in refs[0..n) whose time is >= t (refs sorted by time). */
static size_t first_at_or_after(const struct concern_ref *refs, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (refs[mid].occurred_at_ms < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Running measure of the counting concerns in a window. Values out of the
 * enumerations share slot 0 so a bad ref can only ever count as itself. */
struct window {
	unsigned per_agency[AGENCY_MAX + 1];
	unsigned per_category[CATEGORY_MAX + 1];
	unsigned per_part[RULE_PARTS_MAX];
	unsigned distinct_agencies, distinct_categories, count, weight, parts_met;
};

static void window_add(struct window *w, const struct rule *r, const struct concern_ref *ref)
{
	unsigned a = ref->agency <= AGENCY_MAX ? ref->agency : 0;
	unsigned c = ref->category <= CATEGORY_MAX ? ref->category : 0;
	w->distinct_agencies += w->per_agency[a]++ == 0;
	w->distinct_categories += w->per_category[c]++ == 0;
	w->count++;
	w->weight += ref->severity <= SEVERITY_MAX ? r->weight[ref->severity] : 0;
	if (r->kind == RULE_ALL_OF)
		for (size_t p = 0; p < n_parts(r); p++)
			if (rule_part_counts(&r->parts[p], ref))
				w->parts_met += ++w->per_part[p] == r->parts[p].count;
}

static void window_remove(struct window *w, const struct rule *r, const struct concern_ref *ref)
{
	unsigned a = ref->agency <= AGENCY_MAX ? ref->agency : 0;
	unsigned c = ref->category <= CATEGORY_MAX ? ref->category : 0;
	w->distinct_agencies -= --w->per_agency[a] == 0;
	w->distinct_categories -= --w->per_category[c] == 0;
	w->count--;
	w->weight -= ref->severity <= SEVERITY_MAX ? r->weight[ref->severity] : 0;
	if (r->kind == RULE_ALL_OF)
		for (size_t p = 0; p < n_parts(r); p++)
			if (rule_part_counts(&r->parts[p], ref))
				w->parts_met -= w->per_part[p]-- == r->parts[p].count;
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
	case RULE_ALL_OF:
		return w->parts_met;
	case RULE_ANY:
		break;
	}
	return w->count ? 1 : 0;
}

/* The evidence under construction when the window holds more counting
 * concerns than RULE_EVIDENCE_MAX. */
struct pick {
	size_t idx[RULE_EVIDENCE_MAX];
	size_t n;
};

static void pick(struct pick *p, size_t i)
{
	if (p->n >= RULE_EVIDENCE_MAX)
		return;
	for (size_t k = 0; k < p->n; k++)
		if (p->idx[k] == i)
			return;
	p->idx[p->n++] = i;
}

/* Evidence: the counting concerns of refs[lo..hi), oldest first. Past the
 * cap, keep a set that still shows why the rule was met: the first and last
 * of the window (so the window's extent stays visible, and rule_reason can
 * count the window from the evidence alone), the judged concern, the first
 * concern of each agency or category the rule counts, then those nearest the
 * judged concern in time. */
static void collect(const struct rule *r, const struct concern_ref *refs, size_t lo, size_t hi,
                    size_t focus, struct rule_match *m)
{
	size_t total = 0, first = hi, last = hi;
	for (size_t i = lo; i < hi; i++)
		if (rule_counts(r, &refs[i])) {
			total++;
			if (first == hi)
				first = i;
			last = i;
		}
	m->n_evidence = 0;
	if (total <= RULE_EVIDENCE_MAX) {
		for (size_t i = lo; i < hi; i++)
			if (rule_counts(r, &refs[i]))
				m->evidence[m->n_evidence++] = i;
		return;
	}

	struct pick p = {.n = 0};
	pick(&p, first);
	pick(&p, last);
	pick(&p, focus);
	uint32_t seen = 0;
	for (size_t i = lo; i < hi; i++) {
		const struct concern_ref *x = &refs[i];
		if (!rule_counts(r, x))
			continue;
		uint32_t b = 0;
		if (r->kind == RULE_ALL_OF) {
			/* The first concern of each part shows every part met. */
			for (size_t k = 0; k < n_parts(r); k++)
				if (rule_part_counts(&r->parts[k], x))
					b |= bit((unsigned)k);
			b &= ~seen;
		} else {
			b = r->kind == RULE_DISTINCT_AGENCIES ? bit(x->agency) : bit(x->category);
		}
		if (b && !(seen & b)) {
			seen |= b;
			pick(&p, i);
		}
	}
	/* Fill outwards from the judged concern, the nearer in time first. */
	size_t below = focus, above = focus + 1;
	while (p.n < RULE_EVIDENCE_MAX && (below > lo || above < hi)) {
		while (below > lo && !rule_counts(r, &refs[below - 1]))
			below--;
		while (above < hi && !rule_counts(r, &refs[above]))
			above++;
		/* Distances in unsigned arithmetic: exact, and no overflow
		 * whatever the times. */
		const uint64_t t = (uint64_t)refs[focus].occurred_at_ms;
		if (below > lo && (above >= hi || t - (uint64_t)refs[below - 1].occurred_at_ms <=
		                                      (uint64_t)refs[above].occurred_at_ms - t))
			pick(&p, --below);
		else if (above < hi)
			pick(&p, above++);
	}
	/* Oldest first: index order is time order. */
	for (size_t a = 1; a < p.n; a++)
		for (size_t b = a; b > 0 && p.idx[b - 1] > p.idx[b]; b--) {
			size_t t = p.idx[b];
			p.idx[b] = p.idx[b - 1];
			p.idx[b - 1] = t;
		}
	memcpy(m->evidence, p.idx, p.n * sizeof p.idx[0]);
	m->n_evidence = p.n;
}

static unsigned strongest(const struct rule *r, const struct concern_ref *refs, size_t n, size_t lo,
                          size_t last, size_t *best_lo, size_t *best_hi);

enum level rule_eval(const struct rule *r, const struct concern_ref *refs, size_t n, size_t focus,
                     struct rule_match *m)
{
	memset(m, 0, sizeof *m);
	if (focus >= n || !rule_counts(r, &refs[focus]))
		return LEVEL_NONE;
	const int64_t t = refs[focus].occurred_at_ms;

	if (r->kind == RULE_ANY) {
		m->measure = 1;
		m->level = level_for(r, 1);
		m->window_from_ms = m->window_to_ms = t;
		m->n_evidence = 1;
		m->evidence[0] = focus;
		return m->level;
	}

	/* Every window [t0, t0 + w] that contains t and starts at a counting
	 * concern: t0 runs over the counting concerns in [t - w, t]. */
	const int64_t w = r->window_ms > 0 ? r->window_ms : 0;
	const size_t lo = first_at_or_after(refs, focus, minus(t, w));
	size_t best_lo, best_hi;
	const unsigned best = strongest(r, refs, n, lo, focus, &best_lo, &best_hi);
	m->measure = best;
	m->level = level_for(r, best);
	m->window_from_ms = refs[best_lo].occurred_at_ms;
	m->window_to_ms = plus(m->window_from_ms, w);
	collect(r, refs, best_lo, best_hi, focus, m);
	return m->level;
}

/* The strongest window [t0, t0 + w] whose start t0 is a counting concern of
 * refs[lo..last]: its measure, and in [*best_lo, *best_hi) the concerns it
 * holds. refs[last] must count. Both ends only move forward, so each
 * concern enters and leaves the running measure once: O(k) in the concerns
 * within w of the starts, however long the history. On a tie the earliest
 * window stays. */
static unsigned strongest(const struct rule *r, const struct concern_ref *refs, size_t n, size_t lo,
                          size_t last, size_t *best_lo, size_t *best_hi)
{
	const int64_t w = r->window_ms > 0 ? r->window_ms : 0;
	struct window win;
	memset(&win, 0, sizeof win);
	size_t head = lo, tail = lo; /* win holds the counting concerns of [head, tail) */
	unsigned best = 0;
	int found = 0;
	*best_lo = *best_hi = last;
	for (size_t start = lo; start <= last; start++) {
		if (!rule_counts(r, &refs[start]))
			continue;
		for (; head < start; head++)
			if (head < tail && rule_counts(r, &refs[head]))
				window_remove(&win, r, &refs[head]);
		if (tail < head)
			tail = head;
		const int64_t end = plus(refs[start].occurred_at_ms, w);
		for (; tail < n && refs[tail].occurred_at_ms <= end; tail++)
			if (rule_counts(r, &refs[tail]))
				window_add(&win, r, &refs[tail]);
		/* Strictly greater: on a tie the earliest window stays. */
		unsigned measure = window_measure(&win, r->kind);
		if (!found || measure > best) {
			best = measure;
			*best_lo = start;
			*best_hi = tail;
			found = 1;
		}
	}
	return best;
}

enum level rule_peak(const struct rule *r, const struct concern_ref *refs, size_t n,
                     unsigned *measure)
{
	*measure = 0;
	size_t last = n;
	while (last > 0 && !rule_counts(r, &refs[last - 1]))
		last--;
	if (last == 0)
		return LEVEL_NONE;
	if (r->kind == RULE_ANY) {
		*measure = 1;
		return level_for(r, 1);
	}
	size_t from, to;
	*measure = strongest(r, refs, n, 0, last - 1, &from, &to);
	return level_for(r, *measure);
}

int rule_equal(const struct rule *a, const struct rule *b)
{
	if (strcmp(a->name, b->name) || a->kind != b->kind || a->scope != b->scope ||
	    a->window_ms != b->window_ms || a->agencies != b->agencies ||
	    a->categories != b->categories || a->min_severity != b->min_severity ||
	    a->n_parts != b->n_parts || a->when_status != b->when_status ||
	    a->unless_status != b->unless_status)
		return 0;
	for (int l = 0; l <= LEVEL_MAX; l++)
		if (a->threshold[l] != b->threshold[l])
			return 0;
	for (int s = 0; s <= SEVERITY_MAX; s++)
		if (a->weight[s] != b->weight[s])
			return 0;
	for (size_t p = 0; p < n_parts(a); p++) {
		const struct rule_part *x = &a->parts[p], *y = &b->parts[p];
		if (x->agencies != y->agencies || x->categories != y->categories ||
		    x->min_severity != y->min_severity || x->count != y->count)
			return 0;
	}
	return 1;
}

/* "30 days", "1 day", "36 hours": the unit a rule was written in. */
static void window_text(int64_t ms, char *buf, size_t len)
{
	static const struct {
		int64_t ms;
		const char *unit;
	} units[] = {
	    {MS_PER_DAY, "day"}, {MS_PER_HOUR, "hour"}, {60000, "minute"}, {1000, "second"}};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (ms > 0 && ms % units[i].ms == 0) {
			long long v = (long long)(ms / units[i].ms);
			snprintf(buf, len, "%lld %s%s", v, units[i].unit, v == 1 ? "" : "s");
			return;
		}
	snprintf(buf, len, "%lld ms", (long long)ms);
}

/* Appends to a fixed buffer without ever overrunning it. */
struct text {
	char *buf;
	size_t len, at;
};

static PRINTF_LIKE(2, 3) void put(struct text *t, const char *fmt, ...)
{
	if (t->at + 1 >= t->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(t->buf + t->at, t->len - t->at, fmt, ap);
	va_end(ap);
	if (k > 0)
		t->at = (size_t)k < t->len - t->at ? t->at + (size_t)k : t->len - 1;
}

/* ", " or " and " before item i of n (nothing before the first). */
static const char *joiner(size_t i, size_t n, const char *last)
{
	return i == 0 ? "" : i + 1 == n ? last : ", ";
}

/* The counting concerns of refs[from..to] that bring a new agency (or
 * category), in the order first seen: their indexes in first[] (at most
 * 32). Returns how many. */
static size_t first_seen(const struct rule *r, const struct concern_ref *refs, size_t from,
                         size_t to, int agencies, size_t first[32])
{
	size_t n = 0;
	uint32_t seen = 0;
	for (size_t i = from; i <= to && n < 32; i++) {
		const struct concern_ref *x = &refs[i];
		unsigned v = agencies ? x->agency : x->category;
		if (!rule_counts(r, x) || (seen & bit(v)) || !bit(v))
			continue;
		seen |= bit(v);
		first[n++] = i;
	}
	return n;
}

/* ", Mia and Jayden present" (a concern filed under several children of
 * the household) or ", recorded for Jayden": the children of `filed`, in
 * the household's order; nothing without people. `all` says of several
 * concerns ", recorded for Mia and Jayden". */
static void put_people(struct text *t, const struct rule_people *people, uint64_t filed, int all)
{
	if (!people)
		return;
	size_t total = 0, k = 0;
	for (size_t i = 0; i < people->n && i < 64; i++)
		total += (filed >> i) & 1;
	if (!total)
		return;
	int present = total > 1 && !all;
	put(t, present ? ", " : ", recorded for ");
	for (size_t i = 0; i < people->n && i < 64; i++)
		if ((filed >> i) & 1)
			put(t, "%s%s", joiner(k++, total, " and "), people->names[i]);
	if (present)
		put(t, " present");
}

/* "domestic abuse (police, 12 Mar), parental mental health (health, 20
 * Mar) and ...": the distinct categories (or agencies) among the counting
 * concerns of refs[from..to], in the order first seen, each with the
 * agency (or category) and date of the first concern that brought it (and
 * for a household, whom it was recorded for). */
static void put_distinct(struct text *t, const struct rule *r, const struct concern_ref *refs,
                         size_t from, size_t to, int agencies, const struct rule_people *people)
{
	size_t first[32];
	size_t n = first_seen(r, refs, from, to, agencies, first);
	for (size_t i = 0; i < n; i++) {
		const struct concern_ref *x = &refs[first[i]];
		char date[32];
		label_date(x->occurred_at_ms, date, sizeof date);
		put(t, "%s%s (%s, %s", joiner(i, n, " and "),
		    agencies ? label_agency(x->agency) : label_category(x->category),
		    agencies ? label_category(x->category) : label_agency(x->agency), date);
		put_people(t, people, people ? people->filed[first[i]] : 0, 0);
		put(t, ")");
	}
}

/* "police and health": the distinct agencies (or categories) among the
 * counting concerns of refs[from..to], in the order first seen. */
static void put_names(struct text *t, const struct rule *r, const struct concern_ref *refs,
                      size_t from, size_t to, int agencies)
{
	size_t first[32];
	size_t n = first_seen(r, refs, from, to, agencies, first);
	for (size_t i = 0; i < n; i++) {
		const struct concern_ref *x = &refs[first[i]];
		put(t, "%s%s", joiner(i, n, " and "),
		    agencies ? label_agency(x->agency) : label_category(x->category));
	}
}

/* "police, health or education": the words of a filter mask. */
static void put_mask(struct text *t, uint32_t mask, const char *(*label)(int), int max)
{
	size_t n = 0, total = 0;
	for (int v = 1; v <= max; v++)
		total += (mask & bit((unsigned)v)) != 0;
	for (int v = 1; v <= max; v++)
		if (mask & bit((unsigned)v))
			put(t, "%s%s", joiner(n++, total, " or "), label(v));
}

/* "was not brought to health appointments (2 concerns from health) and
 * absence from school (1 concern)": each part met in the window, with how
 * many concerns met it there. */
static void put_parts(struct text *t, const struct rule *r, const struct concern_ref *refs,
                      size_t from, size_t to)
{
	size_t shown = 0;
	for (size_t p = 0; p < n_parts(r); p++) {
		const struct rule_part *part = &r->parts[p];
		unsigned count = 0;
		for (size_t i = from; i <= to; i++)
			count += rule_counts(r, &refs[i]) && rule_part_counts(part, &refs[i]);
		if (count < part->count)
			continue;
		/* "absence from school (1 concern)", or without categories
		 * "1 concern from police, high or above". */
		put(t, "%s", shown++ ? " and " : "");
		if (part->categories) {
			put_mask(t, part->categories, label_category, CATEGORY_MAX);
			put(t, " (");
		}
		put(t, "%u concern%s", count, count == 1 ? "" : "s");
		if (part->agencies) {
			put(t, " from ");
			put_mask(t, part->agencies, label_agency, AGENCY_MAX);
		}
		if (part->min_severity > SEVERITY_LOW)
			put(t, ", %s or above", label_severity(part->min_severity));
		if (part->categories)
			put(t, ")");
	}
}

/* ", 12 Mar to 2 Apr" (", 12 Mar" when both are one day). */
static void put_span(struct text *t, int64_t first_ms, int64_t last_ms)
{
	char a[32], b[32];
	label_date(first_ms, a, sizeof a);
	label_date(last_ms, b, sizeof b);
	if (strcmp(a, b) == 0)
		put(t, ", %s", a);
	else
		put(t, ", %s to %s", a, b);
}

static size_t reason(const struct rule *r, const struct rule_match *m,
                     const struct concern_ref *refs, const struct rule_people *people, char *buf,
                     size_t len)
{
	if (!len)
		return 0;
	struct text t = {buf, len, 0};
	buf[0] = '\0';
	if (m->n_evidence == 0) {
		put(&t, "%s: no concern meets the rule", r->name);
		return t.at;
	}
	/* Evidence always holds the first and last counting concern of the
	 * window (see collect), so [from, to] spans the whole window. */
	const size_t from = m->evidence[0], to = m->evidence[m->n_evidence - 1];
	unsigned count = 0, high = 0;
	uint64_t everyone = 0; /* the children the counting concerns were recorded for */
	for (size_t i = from; i <= to; i++)
		if (rule_counts(r, &refs[i])) {
			count++;
			high += refs[i].severity >= SEVERITY_HIGH;
			everyone |= people ? people->filed[i] : 0;
		}
	char window[48];
	window_text(r->window_ms, window, sizeof window);

	switch (r->kind) {
	case RULE_ANY: {
		const struct concern_ref *x = &refs[from];
		char date[32];
		label_date(x->occurred_at_ms, date, sizeof date);
		put(&t, "%s (%s, %s", label_category(x->category), label_agency(x->agency), date);
		put_people(&t, people, people ? people->filed[from] : 0, 0);
		put(&t, "), %s", label_severity(x->severity));
		break;
	}
	case RULE_DISTINCT_AGENCIES:
		put(&t, "concerns from ");
		put_distinct(&t, r, refs, from, to, 1, people);
		put(&t, " within %s", window);
		break;
	case RULE_DISTINCT_CATEGORIES:
		put_distinct(&t, r, refs, from, to, 0, people);
		put(&t, " within %s", window);
		break;
	case RULE_COUNT:
		/* Name what was counted only when the rule narrows it: "3
		 * concerns (missing from home or care)", but "40 concerns"
		 * rather than a list of every category seen. */
		put(&t, "%u concern%s", m->measure, m->measure == 1 ? "" : "s");
		if (r->categories) {
			put(&t, " (");
			put_names(&t, r, refs, from, to, 0);
			put(&t, ")");
		}
		if (r->agencies) {
			put(&t, " from ");
			put_names(&t, r, refs, from, to, 1);
		}
		put(&t, " within %s", window);
		put_span(&t, refs[from].occurred_at_ms, refs[to].occurred_at_ms);
		break;
	case RULE_SEVERITY_SUM: {
		unsigned threshold = r->threshold[m->level];
		for (int l = LEVEL_AMBER; !threshold && l <= LEVEL_MAX; l++)
			threshold = r->threshold[l];
		put(&t, "%u concern%s within %s", count, count == 1 ? "" : "s", window);
		if (high && count == 1)
			put(&t, ", high");
		else if (high && high == count)
			put(&t, ", all of them high");
		else if (high)
			put(&t, ", %u of them high", high);
		put(&t, " (weighted %u, %s the %u this rule needs)", m->measure,
		    m->measure > threshold ? "over" : "reaching", threshold);
		break;
	}
	case RULE_ALL_OF:
		put_parts(&t, r, refs, from, to);
		put(&t, " within %s", window);
		if (m->measure < r->n_parts)
			put(&t, " (%u of the %zu parts this rule needs)", m->measure, r->n_parts);
		break;
	}
	if (r->when_status) {
		char status[160];
		status_phrase(r->when_status, status, sizeof status);
		put(&t, "; the child was %s", status);
	}
	/* Kinds that count concerns rather than list them name the children
	 * at the end. */
	if (r->kind == RULE_COUNT || r->kind == RULE_SEVERITY_SUM || r->kind == RULE_ALL_OF)
		put_people(&t, people, everyone, 1);
	/* A sentence: its first letter a capital (labels are written in
	 * lower case to stand inside one). */
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
	return t.at;
}

size_t rule_reason(const struct rule *r, const struct rule_match *m, const struct concern_ref *refs,
                   char *buf, size_t len)
{
	return reason(r, m, refs, NULL, buf, len);
}

size_t rule_reason_people(const struct rule *r, const struct rule_match *m,
                          const struct concern_ref *refs, const struct rule_people *people,
                          char *buf, size_t len)
{
	return reason(r, m, refs, people && people->n > 1 ? people : NULL, buf, len);
}

size_t rules_defaults(struct rule *out, size_t max)
{
	enum { DOMESTIC_ABUSE = 1, SUBSTANCE_MISUSE = 2, MENTAL_HEALTH = 3 };
	const struct rule defaults[] = {
	    {.name = "immediate-risk",
	     .kind = RULE_ANY,
	     .min_severity = SEVERITY_IMMEDIATE,
	     .threshold = {[LEVEL_RED] = 1}},
	    {.name = "multi-agency",
	     .kind = RULE_DISTINCT_AGENCIES,
	     .window_ms = 30 * MS_PER_DAY,
	     .threshold = {[LEVEL_AMBER] = 2, [LEVEL_RED] = 3}},
	    /* Parental factors by definition: judged for the household. */
	    {.name = "toxic-trio",
	     .kind = RULE_DISTINCT_CATEGORIES,
	     .scope = RULE_SCOPE_HOUSEHOLD,
	     .window_ms = 90 * MS_PER_DAY,
	     .categories = (UINT32_C(1) << DOMESTIC_ABUSE) | (UINT32_C(1) << SUBSTANCE_MISUSE) |
	                   (UINT32_C(1) << MENTAL_HEALTH),
	     .threshold = {[LEVEL_AMBER] = 2, [LEVEL_RED] = 3}},
	    /* IMMEDIATE_RISK weighs 0: it has its own rule, and counting it
	     * here too would raise two alerts for one concern. */
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
	    /* One missed appointment or absence is routine for most children
	     * and a warning sign for a child on a child protection plan. */
	    {.name = "on-plan-not-seen",
	     .kind = RULE_ANY,
	     .categories = (UINT32_C(1) << CATEGORY_EDUCATION_ABSENCE) |
	                   (UINT32_C(1) << CATEGORY_WAS_NOT_BROUGHT),
	     .when_status = STATUS_KIND_BIT(STATUS_PROTECTION_PLAN),
	     .threshold = {[LEVEL_AMBER] = 1}},
	};
	size_t n = sizeof defaults / sizeof defaults[0];
	if (n > max)
		n = max;
	memcpy(out, defaults, n * sizeof defaults[0]);
	return n;
}

/* ---- checking a rule's settings ---- */

/* Where problems go, and how many there were. */
struct checker {
	rule_problem_fn fn;
	void *arg;
	size_t n;
};

static PRINTF_LIKE(2, 3) void problem(struct checker *k, const char *fmt, ...)
{
	char msg[RULE_PROBLEM_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	k->n++;
	k->fn(k->arg, msg);
}

int rule_name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= RULE_NAME_MAX)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	return 1;
}

static unsigned popcount(uint32_t v)
{
	unsigned n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

/* Every value of an enumeration 1..max as a mask: what a filter may hold. */
static uint32_t all_of(int max)
{
	return ((UINT32_C(1) << (max + 1)) - 1) & ~UINT32_C(1);
}

/* "rules[2] (toxic-trio)" */
static const char *rule_label(const struct rule *r, size_t index, char *buf, size_t len)
{
	if (r->name[0])
		snprintf(buf, len, "rules[%zu] (%s)", index, r->name);
	else
		snprintf(buf, len, "rules[%zu]", index);
	return buf;
}

int rule_check(const struct rule *r, size_t index, rule_problem_fn fn, void *arg)
{
	struct checker k = {fn, arg, 0};
	char label[RULE_NAME_MAX + 32];
	rule_label(r, index, label, sizeof label);
	const unsigned amber = r->threshold[LEVEL_AMBER], red = r->threshold[LEVEL_RED];

	if (!rule_name_valid(r->name))
		problem(&k, "%s: name must be 1 to %d of a-z, 0-9 and '-'", label,
		        RULE_NAME_MAX - 1);
	if ((int)r->kind < (int)RULE_ANY || (int)r->kind > (int)RULE_ALL_OF) {
		problem(&k, "%s: kind %d is unknown", label, (int)r->kind);
		return k.n ? -1 : 0;
	}
	if ((r->agencies & ~all_of(AGENCY_MAX)) || (r->categories & ~all_of(CATEGORY_MAX)))
		problem(&k, "%s: a filter names an unknown agency or category", label);
	if (r->min_severity < 0 || r->min_severity > SEVERITY_MAX)
		problem(&k, "%s: min_severity %d is unknown", label, r->min_severity);
	if ((int)r->scope != RULE_SCOPE_CHILD && (int)r->scope != RULE_SCOPE_HOUSEHOLD)
		problem(&k, "%s: scope %d is unknown", label, (int)r->scope);
	if ((r->when_status | r->unless_status) & ~status_bits_all())
		problem(&k, "%s: a status filter names an unknown social care status", label);
	if (r->when_status & r->unless_status)
		problem(&k, "%s: when_status and unless_status name the same status", label);
	if ((r->when_status | r->unless_status) && r->scope == RULE_SCOPE_HOUSEHOLD)
		problem(&k,
		        "%s: a status filter is a child's, not a household's (scope = \"child\")",
		        label);
	for (int l = LEVEL_AMBER; l <= LEVEL_MAX; l++)
		if (r->threshold[l] > RULE_THRESHOLD_MAX)
			problem(&k, "%s: %s threshold %u is above %d", label,
			        l == LEVEL_RED ? "red" : "amber", r->threshold[l],
			        RULE_THRESHOLD_MAX);
	if (r->threshold[LEVEL_NONE])
		problem(&k, "%s: a threshold for no level is meaningless", label);

	unsigned weight_sum = 0;
	for (int s = 0; s <= SEVERITY_MAX; s++) {
		weight_sum += r->weight[s];
		if (r->weight[s] > RULE_WEIGHT_MAX)
			problem(&k, "%s: weight %u is above %d", label, r->weight[s],
			        RULE_WEIGHT_MAX);
	}
	if (r->kind == RULE_SEVERITY_SUM && weight_sum == 0)
		problem(&k,
		        "%s: kind severity-sum needs weights = { ... } with at least one above 0",
		        label);
	if (r->kind != RULE_SEVERITY_SUM && weight_sum)
		problem(&k, "%s: weights only apply to kind severity-sum", label);
	if (r->kind != RULE_ALL_OF && r->n_parts)
		problem(&k, "%s: parts only apply to kind all-of", label);
	if (r->kind == RULE_ALL_OF) {
		if (r->n_parts == 0 || r->n_parts > RULE_PARTS_MAX) {
			problem(&k, "%s: kind all-of needs parts = ( { ... }, ... ), 1 to %d",
			        label, RULE_PARTS_MAX);
			return k.n ? -1 : 0;
		}
		for (size_t p = 0; p < r->n_parts; p++) {
			const struct rule_part *part = &r->parts[p];
			if ((part->agencies & ~all_of(AGENCY_MAX)) ||
			    (part->categories & ~all_of(CATEGORY_MAX)))
				problem(&k, "%s: parts[%zu] names an unknown agency or category",
				        label, p);
			if (part->min_severity < 0 || part->min_severity > SEVERITY_MAX)
				problem(&k, "%s: parts[%zu]: min_severity %d is unknown", label, p,
				        part->min_severity);
			if (part->count < 1 || part->count > RULE_THRESHOLD_MAX)
				problem(&k, "%s: parts[%zu]: count %u is out of range (1 to %d)",
				        label, p, part->count, RULE_THRESHOLD_MAX);
		}
	}

	if (r->kind == RULE_ANY) {
		/* One concern is the whole measure: the only threshold is 1. */
		if (r->window_ms)
			problem(&k, "%s: kind any judges one concern and takes no window", label);
		if (!amber && !red)
			problem(&k, "%s: kind any needs red = 1 or amber = 1", label);
		else if (amber && red)
			problem(&k, "%s: kind any raises one level: give red = 1 or amber = 1",
			        label);
		else if ((amber ? amber : red) != 1)
			problem(
			    &k,
			    "%s: kind any is met by one concern: its threshold must be 1, not %u",
			    label, amber ? amber : red);
		return k.n ? -1 : 0;
	}

	if (r->window_ms < MS_PER_HOUR || r->window_ms > RULE_WINDOW_DAYS_MAX * MS_PER_DAY)
		problem(&k, "%s: needs window_days (1 to %d) or window_hours (1 to %d)", label,
		        RULE_WINDOW_DAYS_MAX, RULE_WINDOW_DAYS_MAX * 24);
	if (!amber && !red && r->kind == RULE_ALL_OF)
		problem(&k,
		        "%s: give level = \"amber\" or \"red\" (all parts met), or amber = N "
		        "and/or red = N parts met",
		        label);
	else if (!amber && !red)
		problem(&k, "%s: give amber = N, red = N or both", label);
	if (amber && red && red <= amber)
		problem(&k, "%s: red (%u) must be above amber (%u)", label, red, amber);
	/* A threshold above what the filter lets the window hold would never
	 * raise: a typo worth catching before a child is missed. */
	unsigned most = 0;
	const char *of = NULL;
	if (r->kind == RULE_DISTINCT_AGENCIES) {
		most = r->agencies ? popcount(r->agencies) : AGENCY_MAX;
		of = "agencies";
	} else if (r->kind == RULE_DISTINCT_CATEGORIES) {
		most = r->categories ? popcount(r->categories) : CATEGORY_MAX;
		of = "categories";
	}
	if (of && (amber > most || red > most))
		problem(&k, "%s: threshold %u can never be reached: at most %u distinct %s", label,
		        red > most ? red : amber, most, of);
	if (r->kind == RULE_ALL_OF && (amber > r->n_parts || red > r->n_parts))
		problem(&k, "%s: threshold %u can never be reached: only %zu parts", label,
		        red > r->n_parts ? red : amber, r->n_parts);
	return k.n ? -1 : 0;
}

int rule_check_given(struct rule *r, size_t index, const struct rule_given *given,
                     rule_problem_fn fn, void *arg)
{
	struct checker k = {fn, arg, 0};
	char label[RULE_NAME_MAX + 32];
	rule_label(r, index, label, sizeof label);
	if (!r->name[0])
		problem(&k, "%s: missing name = \"...\"", label);
	if (!given->kind) {
		problem(&k, "%s: missing kind = \"...\" (" RULE_KIND_CHOICES ")", label);
		return -1;
	}
	if (given->window_days && given->window_hours)
		problem(&k, "%s: give window_days or window_hours, not both", label);
	if (given->level && r->kind != RULE_ANY && r->kind != RULE_ALL_OF)
		problem(&k,
		        "%s: level = \"...\" is for kinds any and all-of; use amber = N and/or "
		        "red = N",
		        label);
	else if (given->level && given->thresholds)
		problem(&k, "%s: give level = \"...\" or amber/red = N, not both", label);
	else if (given->level > 0 && given->level <= LEVEL_MAX)
		/* All parts met, for all-of; the one concern, for any. */
		r->threshold[given->level] = r->kind == RULE_ALL_OF ? (unsigned)r->n_parts : 1;
	if (given->weights && r->kind != RULE_SEVERITY_SUM)
		problem(&k, "%s: weights only apply to kind severity-sum", label);
	if (given->parts && r->kind != RULE_ALL_OF)
		problem(&k, "%s: parts only apply to kind all-of", label);
	if (!given->parts && r->kind == RULE_ALL_OF)
		problem(&k, "%s: kind all-of needs parts = ( { ... }, ... )", label);
	if (k.n)
		return -1;
	return rule_check(r, index, fn, arg);
}
