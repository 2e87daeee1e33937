/*
 * config_rules.c - the config module's reading of rules = ( ... ): each
 * rule's settings read at their own lines into a struct rule, then handed
 * to rules.c, which checks the rule (rule_check_given), and each problem
 * reported at the line the rule starts on. Part of the config module, so
 * it includes libconfig.h (config_read.h).
 *
 * Owns the file's words for a rule (kind names, scope, window_days,
 * level = "..." shorthand) and the uniqueness of rule names. Does not
 * own what makes a rule well formed (rules.c) or the rest of the file
 * (config.c, config_security.c).
 */
#include <stdio.h>
#include <string.h>

#include "config_read.h"
#include "labels.h"
#include "rules.h"
#include "status.h"

#define MS_PER_HOUR INT64_C(3600000)

/* Where a rule's problems are reported: at the rule's own line, or with
 * no setting (a config set in code) at the origin alone. */
struct at {
	struct conf_ctx *c;
	const config_setting_t *s;
};

static void problem_at(void *arg, const char *msg)
{
	struct at *at = arg;
	conf_fail(at->c, at->s, "%s", msg);
}

static const struct {
	const char *name;
	enum rule_kind kind;
} kinds[] = {
    {"any", RULE_ANY},
    {"distinct-agencies", RULE_DISTINCT_AGENCIES},
    {"distinct-categories", RULE_DISTINCT_CATEGORIES},
    {"count", RULE_COUNT},
    {"severity-sum", RULE_SEVERITY_SUM},
    {"all-of", RULE_ALL_OF},
};

static int kind_parse(const char *s)
{
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (conf_same_name(s, kinds[k].name))
			return (int)kinds[k].kind + 1; /* conf_get_enum reserves 0 */
	return -1;
}

/* scope = "child" (the default) or "household". */
static int scope_parse(const char *s)
{
	if (conf_same_name(s, "child"))
		return RULE_SCOPE_CHILD + 1; /* conf_get_enum reserves 0 */
	if (conf_same_name(s, "household"))
		return RULE_SCOPE_HOUSEHOLD + 1;
	return -1;
}

/* weights = { low = 1; moderate = 2; high = 4; immediate_risk = 0; } */
static int rule_weights(struct conf_ctx *c, const config_setting_t *g, struct rule *r)
{
	if (conf_expect_group(c, g) < 0)
		return -1;
	int rc = 0;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		int sev = severity_parse(config_setting_name(s));
		long long v;
		if (sev <= 0) {
			conf_unknown(c, s, "low, moderate, high, immediate_risk");
			rc = -1;
		} else if (conf_get_int(c, s, 0, RULE_WEIGHT_MAX, &v) == 0) {
			r->weight[sev] = (unsigned)v;
		} else {
			rc = -1;
		}
	}
	return rc;
}

/* when_status = ["child-protection-plan:neglect", ...]: each term as the
 * index of its bit, as conf_name_set() sets them. */
static int status_term(const char *s)
{
	uint32_t b = status_term_parse(s);
	int i = 0;
	while (b > 1) {
		b >>= 1;
		i++;
	}
	return i > 0 ? i : -1;
}

/* parts = ( { agencies = ["health"]; categories = ["was-not-brought"];
 * count = 2; }, { categories = ["education-absence"]; } ) */
static int rule_parts(struct conf_ctx *c, const config_setting_t *s, struct rule *r)
{
	char path[CONF_PATH_LEN];
	int type = config_setting_type(s);
	if (type != CONFIG_TYPE_LIST) {
		conf_fail(c, s, "%s: expected a list of parts ( { ... }, { ... } )",
		          conf_path_of(s, path, sizeof path));
		return -1;
	}
	int n = config_setting_length(s);
	if (n == 0 || n > RULE_PARTS_MAX) {
		conf_fail(c, s, "%s: %d parts; give 1 to %d", conf_path_of(s, path, sizeof path), n,
		          RULE_PARTS_MAX);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		struct rule_part *part = &r->parts[i];
		memset(part, 0, sizeof *part);
		part->count = 1;
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			conf_fail(c, g, "%s: expected a group { categories = [...]; count = N; }",
			          conf_path_of(g, path, sizeof path));
			rc = -1;
			continue;
		}
		for (int k = 0; k < config_setting_length(g); k++) {
			const config_setting_t *e = config_setting_get_elem(g, (unsigned)k);
			const char *name = config_setting_name(e);
			long long v;
			if (!strcmp(name, "agencies")) {
				rc |= conf_name_set(c, e, agency_parse, "agency", "health",
				                    &part->agencies);
			} else if (!strcmp(name, "categories")) {
				rc |= conf_name_set(c, e, category_parse, "category",
				                    "was-not-brought", &part->categories);
			} else if (!strcmp(name, "min_severity")) {
				int sev = conf_get_enum(c, e, severity_parse, "a severity",
				                        "low, moderate, high or immediate-risk");
				if (sev > 0)
					part->min_severity = sev;
				else
					rc = -1;
			} else if (!strcmp(name, "count")) {
				if (conf_get_int(c, e, 1, RULE_THRESHOLD_MAX, &v) == 0)
					part->count = (unsigned)v;
				else
					rc = -1;
			} else {
				conf_unknown(c, e, "agencies, categories, min_severity, count");
				rc = -1;
			}
		}
	}
	r->n_parts = (size_t)n;
	return rc ? -1 : 0;
}

/* Read one rule group. Each field's error is reported at its own line; the
 * rule as a whole is then checked at the line it starts on. Returns 0 when
 * the rule is good. */
static int one_rule(struct conf_ctx *c, const config_setting_t *g, size_t index, struct rule *r)
{
	memset(r, 0, sizeof *r);
	const size_t before = c->total;
	int have_kind = 0, have_days = 0, have_hours = 0, have_weights = 0, have_threshold = 0;
	int have_parts = 0;
	int level = 0;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		conf_fail(c, g,
		          "rules[%zu]: expected a group { name = \"...\"; kind = \"...\"; ... }",
		          index);
		return -1;
	}
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		char path[CONF_PATH_LEN];
		long long v;
		if (!strcmp(name, "name")) {
			if (conf_get_string(c, s, r->name, sizeof r->name, 0) == 0 &&
			    !rule_name_valid(r->name)) {
				conf_fail(c, s,
				          "%s: '%s' must be lower-case letters, digits and '-'",
				          conf_path_of(s, path, sizeof path), r->name);
				r->name[0] = '\0';
			}
		} else if (!strcmp(name, "kind")) {
			int k = conf_get_enum(c, s, kind_parse, "a rule kind", RULE_KIND_CHOICES);
			if (k > 0) {
				r->kind = (enum rule_kind)(k - 1);
				have_kind = 1;
			}
		} else if (!strcmp(name, "scope")) {
			int v_scope =
			    conf_get_enum(c, s, scope_parse, "a scope", "child or household");
			if (v_scope > 0)
				r->scope = (enum rule_scope)(v_scope - 1);
		} else if (!strcmp(name, "window_days")) {
			have_days = 1;
			if (conf_get_int(c, s, 1, RULE_WINDOW_DAYS_MAX, &v) == 0)
				r->window_ms = v * MS_PER_DAY;
		} else if (!strcmp(name, "window_hours")) {
			have_hours = 1;
			if (conf_get_int(c, s, 1, RULE_WINDOW_DAYS_MAX * 24, &v) == 0)
				r->window_ms = v * MS_PER_HOUR;
		} else if (!strcmp(name, "amber") || !strcmp(name, "red")) {
			have_threshold = 1;
			if (conf_get_int(c, s, 1, RULE_THRESHOLD_MAX, &v) == 0)
				r->threshold[name[0] == 'a' ? LEVEL_AMBER : LEVEL_RED] =
				    (unsigned)v;
		} else if (!strcmp(name, "level")) {
			/* Shorthand for kind any: level = "red" is red = 1. */
			level = conf_get_enum(c, s, level_parse, "a level", "amber or red");
		} else if (!strcmp(name, "agencies")) {
			conf_name_set(c, s, agency_parse, "agency", "police", &r->agencies);
		} else if (!strcmp(name, "categories")) {
			conf_name_set(c, s, category_parse, "category", "missing", &r->categories);
		} else if (!strcmp(name, "min_severity")) {
			int sev = conf_get_enum(c, s, severity_parse, "a severity",
			                        "low, moderate, high or immediate-risk");
			if (sev > 0)
				r->min_severity = sev;
		} else if (!strcmp(name, "weights")) {
			have_weights = 1;
			rule_weights(c, s, r);
		} else if (!strcmp(name, "parts")) {
			have_parts = 1;
			rule_parts(c, s, r);
		} else if (!strcmp(name, "when_status") || !strcmp(name, "unless_status")) {
			conf_name_set(c, s, status_term, "social care status (" STATUS_TERMS ")",
			              "child-protection-plan",
			              name[0] == 'w' ? &r->when_status : &r->unless_status);
		} else {
			conf_unknown(c, s,
			             "name, kind, scope, window_days, window_hours, amber, red, "
			             "level, agencies, categories, min_severity, weights, parts, "
			             "when_status, unless_status");
		}
	}
	if (c->total != before)
		return -1; /* the checks below would only repeat the problem */
	const struct rule_given given = {
	    .kind = have_kind,
	    .window_days = have_days,
	    .window_hours = have_hours,
	    .thresholds = have_threshold,
	    .weights = have_weights,
	    .parts = have_parts,
	    .level = level > 0 ? level : 0,
	};
	struct at at = {c, g};
	return rule_check_given(r, index, &given, problem_at, &at);
}

void conf_section_rules(struct conf_ctx *c, const config_setting_t *s, struct config *cfg)
{
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_fail(c, s, "rules: expected a list ( { ... }, { ... } )");
		return;
	}
	int n = config_setting_length(s);
	if (n == 0) {
		conf_fail(c, s,
		          "rules: empty list; no alert would ever be raised (leave rules "
		          "out for the built-in ones)");
		return;
	}
	if (n > RULES_MAX) {
		conf_fail(c, s, "rules: %d rules, at most %d", n, RULES_MAX);
		return;
	}
	/* A rules list replaces the built-in rules entirely: the file then
	 * says everything that can raise an alert. */
	cfg->n_rules = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		struct rule r;
		int ok = one_rule(c, g, (size_t)i, &r) == 0;
		/* A name is checked for duplicates even when its rule has
		 * other errors, so every problem shows in one pass. */
		for (size_t j = 0; r.name[0] && j < (size_t)i; j++) {
			const config_setting_t *h = config_setting_get_elem(s, (unsigned)j);
			const char *other = NULL;
			if (config_setting_type(h) == CONFIG_TYPE_GROUP &&
			    config_setting_lookup_string(h, "name", &other) &&
			    !strcmp(other, r.name)) {
				const config_setting_t *at = config_setting_get_member(g, "name");
				conf_fail(c, at ? at : g,
				          "rules[%d]: the name '%s' is already used by rules[%zu]",
				          i, r.name, j);
				ok = 0;
				break;
			}
		}
		if (ok)
			cfg->rules[cfg->n_rules++] = r;
	}
}

void conf_section_labels(struct conf_ctx *c, const config_setting_t *s, struct config *cfg)
{
	if (conf_expect_group(c, s) < 0)
		return;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(e);
		char path[CONF_PATH_LEN], text[LABEL_MAX + 1];
		conf_path_of(e, path, sizeof path);
		int category = category_parse(name);
		if (category < 1) {
			conf_fail(c, e,
			          "%s: not a category (a category's name, as a rule's categories "
			          "name it: domestic-abuse, mental-health, was-not-brought, ...)",
			          path);
			continue;
		}
		if (conf_get_string(c, e, text, sizeof text, 0) < 0)
			continue;
		const char *why = label_problem(text);
		if (why) {
			conf_fail(c, e, "%s: %s", path, why);
			continue;
		}
		/* label_problem() held it to LABEL_MAX - 1 bytes. */
		memcpy(cfg->labels.category[category], text, strlen(text) + 1);
	}
}

void conf_check_rules(struct conf_ctx *c, const struct config *cfg)
{
	struct at at = {c, NULL};
	if (cfg->n_rules == 0)
		conf_fail(c, NULL, "no rules: no alert would ever be raised");
	else if (cfg->n_rules > RULES_MAX)
		conf_fail(c, NULL, "%zu rules, at most %d", cfg->n_rules, RULES_MAX);
	for (size_t i = 0; i < cfg->n_rules && i < RULES_MAX; i++) {
		rule_check(&cfg->rules[i], i, problem_at, &at);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(cfg->rules[i].name, cfg->rules[j].name)) {
				conf_fail(c, NULL,
				          "rules[%zu]: the name '%s' is already used by rules[%zu]",
				          i, cfg->rules[i].name, j);
				break;
			}
	}
}
