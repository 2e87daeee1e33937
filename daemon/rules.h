/*
 * rules.h - correlation rules and their evaluation, as pure functions.
 *
 * A rule looks at one child's concerns (concern_ref, sorted by event time)
 * and says the highest level it reaches in any window that contains a given
 * concern, with the evidence. Judging only windows that contain the newest
 * concern is enough: every other window was judged when its own latest
 * arrival came in, so the set of alerts raised does not depend on arrival
 * order. The store, the clock and the raising of alerts live elsewhere
 * (ingest.c). rule_check() says whether a rule is well formed, with a
 * message per problem; the configuration file's reader (config_rules.c)
 * hands it each rule it reads.
 */
#ifndef FFC_RULES_H
#define FFC_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"

#define RULE_NAME_MAX     48
#define RULES_MAX         64
#define RULE_EVIDENCE_MAX 64
#define RULE_REASON_MAX   512
#define RULE_PARTS_MAX    8
/* Limits of a rule's settings: a threshold (or a part's count), a
 * severity weight, a window in days. */
#define RULE_THRESHOLD_MAX   1000
#define RULE_WEIGHT_MAX      100
#define RULE_WINDOW_DAYS_MAX 3650

enum rule_kind {
	RULE_ANY,                 /* any one concern matching the filter */
	RULE_DISTINCT_AGENCIES,   /* distinct agencies among matching concerns in the window */
	RULE_DISTINCT_CATEGORIES, /* distinct categories among matching concerns in the window */
	RULE_COUNT,               /* number of matching concerns in the window */
	RULE_SEVERITY_SUM,        /* sum of severity weights of matching concerns in the window */
	RULE_ALL_OF,              /* parts met together in the window (see struct rule_part) */
};
/* The kinds as a configuration file names them, for messages. */
#define RULE_KIND_CHOICES                                                                          \
	"any, distinct-agencies, distinct-categories, count, severity-sum or all-of"

/* Whose concerns a rule judges together: one child's, or those of every
 * child of the child's household, each concern once (household.h); a
 * household rule, when met, raises for every child of the household. */
enum rule_scope {
	RULE_SCOPE_CHILD = 0,
	RULE_SCOPE_HOUSEHOLD = 1,
};

/* One part of a RULE_ALL_OF rule: met in a window when at least `count`
 * concerns there pass its filter (and the rule's own). A concern may count
 * towards several parts. */
struct rule_part {
	uint32_t agencies;   /* bit (1u << agency); 0 = every agency */
	uint32_t categories; /* bit (1u << category); 0 = every category */
	int min_severity;    /* 0 = any */
	unsigned count;      /* at least 1 */
};

struct rule {
	char name[RULE_NAME_MAX];
	enum rule_kind kind;
	enum rule_scope scope;
	int64_t window_ms;                 /* inclusive; unused by RULE_ANY */
	unsigned threshold[LEVEL_MAX + 1]; /* per level; 0 = the rule never raises that level */
	/* Filter: a concern counts when it passes all three. */
	uint32_t agencies;                 /* bit (1u << agency); 0 = every agency */
	uint32_t categories;               /* bit (1u << category); 0 = every category */
	int min_severity;                  /* 0 = any */
	unsigned weight[SEVERITY_MAX + 1]; /* RULE_SEVERITY_SUM: weight by severity */
	/* RULE_ALL_OF: the measure is the number of parts met in one window,
	 * so "all of them" is a threshold of n_parts. */
	size_t n_parts;
	struct rule_part parts[RULE_PARTS_MAX];
	/* Social care status (status.h's bits, of concern_ref.status): a
	 * concern counts only when the child had one of when_status in force
	 * when it happened (0: whatever the status) and none of
	 * unless_status. */
	uint32_t when_status, unless_status;
};

struct rule_match {
	enum level level; /* LEVEL_NONE when the rule is not met */
	unsigned measure; /* agencies, categories, count or weight reached */
	int64_t window_from_ms, window_to_ms;
	size_t n_evidence; /* indices into the refs passed in, oldest first */
	size_t evidence[RULE_EVIDENCE_MAX];
};

/* Does ref pass the rule's filter (and, for RULE_ALL_OF, some part's)? */
int rule_counts(const struct rule *r, const struct concern_ref *ref);

/* Does ref pass one part's own filter? */
int rule_part_counts(const struct rule_part *p, const struct concern_ref *ref);

/* Judge rule r over refs[0..n) (sorted by occurred_at_ms, then seq) in the
 * windows that contain refs[focus]. Fills *m; returns m->level. */
enum level rule_eval(const struct rule *r, const struct concern_ref *refs, size_t n, size_t focus,
                     struct rule_match *m);

/* The highest level rule r reaches in any window of refs[0..n) (sorted as
 * for rule_eval), and that window's measure in *measure: what rule_eval
 * would give at its strongest focus, in one O(n) pass. What-if reports
 * judge whole histories with it. */
enum level rule_peak(const struct rule *r, const struct concern_ref *refs, size_t n,
                     unsigned *measure);

/* Do two rules judge alike (every field that affects judging, and the
 * name)? */
int rule_equal(const struct rule *a, const struct rule *b);

/* One sentence for a practitioner saying what was seen, in the words in
 * force (labels.h): agencies and categories in words, with dates, e.g.
 * "Domestic abuse (police, 12 Mar), parental mental health (health, 20
 * Mar) and parental substance misuse (police, 2 Apr) within 90 days", or
 * for a severity sum "6 concerns within 30 days, 2 of them high (weighted
 * 9, over the 8 this rule needs)". Returns the length. */
size_t rule_reason(const struct rule *r, const struct rule_match *m, const struct concern_ref *refs,
                   char *buf, size_t len);

/* The children of a household whose concerns a rule judged together:
 * their names ("Mia"), and for each ref which of them it was filed under
 * (bit k for names[k]). */
struct rule_people {
	size_t n; /* at most 64 */
	const char *const *names;
	const uint64_t *children; /* their ids, for the evidence (judge.c) */
	const uint64_t *filed;    /* one per ref */
};

/* rule_reason() naming, for a household, the children each concern was
 * recorded for: "Domestic abuse (police, 12 Mar, Mia and Jayden present),
 * parental mental health (health, 20 Mar, recorded for Jayden) and ...";
 * where the sentence lists no concern one by one, the children at its end
 * ("..., recorded for Mia and Jayden"). people NULL, or naming one child
 * or none, is rule_reason(). */
size_t rule_reason_people(const struct rule *r, const struct rule_match *m,
                          const struct concern_ref *refs, const struct rule_people *people,
                          char *buf, size_t len);

/* ---- checking a rule's settings ---- */

/* Where rule_check and rule_check_given report a problem: msg is one
 * line naming the rule ("rules[2] (toxic-trio): red (2) must be above
 * amber (3)"), at most RULE_PROBLEM_MAX bytes with its NUL, valid only
 * during the call. The caller says where it stands (config.c adds the
 * file and line). */
#define RULE_PROBLEM_MAX 512
typedef void (*rule_problem_fn)(void *arg, const char *msg);

/* 1 when s is a rule name: 1 to RULE_NAME_MAX - 1 of a-z, 0-9 and '-'. */
int rule_name_valid(const char *s);

/* What a rule's settings gave, beyond the values read into the rule: for
 * the checks of a rule as written (one given twice, a shorthand that does
 * not fit the kind). */
struct rule_given {
	int kind;                      /* kind = "..." */
	int window_days, window_hours; /* which window setting */
	int thresholds;                /* amber = N or red = N */
	int weights, parts;            /* weights = { ... }, parts = ( ... ) */
	int level;                     /* level = "...": LEVEL_AMBER or LEVEL_RED; 0 none */
};

/* Check rule r (rules[index]) as its settings gave it, every field
 * already well formed in itself: the settings that must be there, those
 * that exclude each other, and those that only fit some kinds. Applies
 * the shorthand level = "..." to r's thresholds; then checks r whole
 * (rule_check). Every problem is reported through `problem`. Returns 0
 * when the rule is good, -1 when any problem was reported. */
int rule_check_given(struct rule *r, size_t index, const struct rule_given *given,
                     rule_problem_fn problem, void *arg);

/* Check the consistency of rule r (rules[index]) whose every field is in
 * itself well formed or was set in code: its kind, filters, severities,
 * thresholds and their order, weights, parts and window, and thresholds
 * that could never be reached. Every problem is reported through
 * `problem`. Returns 0 when the rule is good, -1 when any problem was
 * reported. Only reads r. */
int rule_check(const struct rule *r, size_t index, rule_problem_fn problem, void *arg);

/* The default rules: the wire contract's five and on-plan-not-seen (a
 * was-not-brought or education-absence concern for a child on a child
 * protection plan), for tests and as the values conf/ffcd.conf ships.
 * Returns the number written (at most max). */
size_t rules_defaults(struct rule *out, size_t max);

#endif
