/*
 * config_schools.c - the config module's reading of schools = { ... }
 * (the schools ffcd sends Operation Encompass notices to, and their term
 * calendar) and feedback = { ... } (the contact referrers are given when a
 * child's lead practitioner has none). Part of the config module, so it
 * includes libconfig.h (config_read.h).
 *
 * Owns the checks of each setting at its own line, and the cross-check
 * that every school key names a configured school. Does not own the
 * calendar's arithmetic and its parsers (calendar.c) or a URN's form
 * (school.c).
 */
#include <stdio.h>
#include <string.h>

#include "config_read.h"
#include "school.h"

/* ---- the calendar ---- */

/* A date setting into *day; 0, or -1 reported. */
static int date_setting(struct conf_ctx *c, const config_setting_t *s, int32_t *day)
{
	char path[CONF_PATH_LEN], text[16];
	const char *why;
	if (conf_get_string(c, s, text, sizeof text, 0) < 0)
		return -1;
	if (calendar_parse_date(text, day, &why) < 0) {
		conf_fail(c, s, "%s: '%s' is %s", conf_path_of(s, path, sizeof path), text,
		          !strcmp(why, "before 1900") ? "before 1900" : "not a date YYYY-MM-DD");
		return -1;
	}
	return 0;
}

static int clock_setting(struct conf_ctx *c, const config_setting_t *s, int32_t *secs)
{
	char path[CONF_PATH_LEN], text[16];
	const char *why;
	if (conf_get_string(c, s, text, sizeof text, 0) < 0)
		return -1;
	if (calendar_parse_clock(text, secs, &why) < 0) {
		conf_fail(c, s, "%s: '%s' is %s", conf_path_of(s, path, sizeof path), text, why);
		return -1;
	}
	return 0;
}

static int expect_list(struct conf_ctx *c, const config_setting_t *s, const char *example)
{
	char path[CONF_PATH_LEN];
	int type = config_setting_type(s);
	if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST)
		return 0;
	conf_fail(c, s, "%s: expected a list, e.g. %s", conf_path_of(s, path, sizeof path),
	          example);
	return -1;
}

static void school_days(struct conf_ctx *c, const config_setting_t *s, struct calendar *cal)
{
	char path[CONF_PATH_LEN];
	if (expect_list(c, s, "[\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]") < 0)
		return;
	if (config_setting_length(s) == 0) {
		conf_fail(c, s, "%s: no day: schools open on at least one",
		          conf_path_of(s, path, sizeof path));
		return;
	}
	unsigned days = 0;
	int bad = 0;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_type(e) == CONFIG_TYPE_STRING
		                    ? config_setting_get_string(e)
		                    : NULL;
		int d = v ? calendar_parse_weekday(v) : -1;
		conf_path_of(e, path, sizeof path);
		if (d < 0) {
			conf_fail(c, e, "%s: not a day of the week (mon, tue, ... sun)", path);
			bad = 1;
		} else if (days & (1u << d)) {
			conf_fail(c, e, "%s: '%s' is listed twice", path, v);
			bad = 1;
		}
		if (d >= 0)
			days |= 1u << d;
	}
	if (!bad)
		cal->weekdays = days;
}

/* A term with the setting it came from, so its errors stand at its line
 * once the terms are in date order. */
struct term_at {
	struct calendar_term t;
	const config_setting_t *s;
};

static void terms(struct conf_ctx *c, const config_setting_t *s, struct calendar *cal)
{
	char path[CONF_PATH_LEN], why[CALENDAR_WHY_MAX];
	if (expect_list(c, s, "( [\"2025-09-03\", \"2025-10-24\"], ... )") < 0)
		return;
	int n = config_setting_length(s);
	if (n > CALENDAR_TERMS_MAX) {
		conf_fail(c, s, "%s: %d terms, at most %d", conf_path_of(s, path, sizeof path), n,
		          CALENDAR_TERMS_MAX);
		return;
	}
	struct term_at at[CALENDAR_TERMS_MAX];
	size_t kept = 0;
	int bad = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		int type = config_setting_type(e);
		if ((type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) ||
		    config_setting_length(e) != 2) {
			conf_fail(c, e,
			          "%s: a term is its first and last day, e.g. [\"2025-09-03\", "
			          "\"2025-10-24\"]",
			          conf_path_of(e, path, sizeof path));
			bad = 1;
			continue;
		}
		struct term_at t = {.s = e};
		if (date_setting(c, config_setting_get_elem(e, 0), &t.t.from) < 0 ||
		    date_setting(c, config_setting_get_elem(e, 1), &t.t.to) < 0) {
			bad = 1;
			continue;
		}
		/* In date order as they come (a handful: insertion). */
		size_t j = kept++;
		while (j > 0 && at[j - 1].t.from > t.t.from) {
			at[j] = at[j - 1];
			j--;
		}
		at[j] = t;
	}
	for (size_t i = 0; i < kept; i++)
		if (calendar_term_problem(i ? &at[i - 1].t : NULL, &at[i].t, why, sizeof why) < 0) {
			conf_fail(c, at[i].s, "%s: %s", conf_path_of(at[i].s, path, sizeof path),
			          why);
			bad = 1;
		}
	if (bad)
		return;
	cal->n_terms = kept;
	for (size_t i = 0; i < kept; i++)
		cal->terms[i] = at[i].t;
}

static void closed(struct conf_ctx *c, const config_setting_t *s, struct calendar *cal)
{
	char path[CONF_PATH_LEN];
	if (expect_list(c, s, "[\"2025-09-02\", \"2025-11-17\"]") < 0)
		return;
	int n = config_setting_length(s);
	if (n > CALENDAR_CLOSED_MAX) {
		conf_fail(c, s, "%s: %d days, at most %d", conf_path_of(s, path, sizeof path), n,
		          CALENDAR_CLOSED_MAX);
		return;
	}
	struct calendar next = *cal;
	next.n_closed = 0;
	int bad = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		int32_t d;
		if (date_setting(c, e, &d) < 0) {
			bad = 1;
			continue;
		}
		int twice = 0;
		for (size_t j = 0; j < next.n_closed; j++)
			twice |= next.closed[j] == d;
		if (twice) {
			conf_fail(c, e, "%s: %s is listed twice",
			          conf_path_of(e, path, sizeof path), config_setting_get_string(e));
			bad = 1;
			continue;
		}
		next.closed[next.n_closed++] = d;
	}
	if (!bad) {
		calendar_sort(&next);
		memcpy(cal->closed, next.closed, sizeof cal->closed);
		cal->n_closed = next.n_closed;
	}
}

static void timezone_setting(struct conf_ctx *c, const config_setting_t *s, struct calendar *cal)
{
	char path[CONF_PATH_LEN], text[CALENDAR_TZ_MAX];
	const char *why;
	struct calendar_tz tz;
	if (conf_get_string(c, s, text, sizeof text, 0) < 0)
		return;
	if (calendar_parse_tz(text, &tz, &why) < 0) {
		conf_fail(c, s, "%s: '%s': %s", conf_path_of(s, path, sizeof path), text, why);
		return;
	}
	cal->tz = tz;
	memcpy(cal->tz_name, text, sizeof text);
}

/* ---- the schools ---- */

static void school_list(struct conf_ctx *c, const config_setting_t *s, struct schools *sch)
{
	char path[CONF_PATH_LEN], err[LIFECYCLE_ERR_MAX];
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_fail(c, s,
		          "%s: expected a list ( { urn = \"100001\"; name = \"...\"; }, ... )",
		          conf_path_of(s, path, sizeof path));
		return;
	}
	int n = config_setting_length(s);
	if (n > SCHOOLS_MAX) {
		conf_fail(c, s, "%s: %d schools, at most %d", conf_path_of(s, path, sizeof path), n,
		          SCHOOLS_MAX);
		return;
	}
	sch->n = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		if (conf_expect_group(c, g) < 0)
			continue;
		struct school one;
		memset(&one, 0, sizeof one);
		const config_setting_t *urn = NULL, *name = NULL;
		const size_t before = c->total;
		for (int j = 0; j < config_setting_length(g); j++) {
			const config_setting_t *e = config_setting_get_elem(g, (unsigned)j);
			if (!strcmp(config_setting_name(e), "urn"))
				urn = e;
			else if (!strcmp(config_setting_name(e), "name"))
				name = e;
			else
				conf_unknown(c, e, "urn, name");
		}
		conf_path_of(g, path, sizeof path);
		if (!urn || !name) {
			conf_fail(c, g, "%s: give the school's urn and name", path);
			continue;
		}
		if (conf_get_string(c, urn, one.urn, sizeof one.urn, 0) == 0 &&
		    !school_urn_valid(one.urn))
			conf_fail(c, urn,
			          "%s.urn: '%s' is not a URN (six digits, 100000 to 999999)", path,
			          one.urn);
		if (conf_get_string(c, name, one.name, sizeof one.name, 0) == 0) {
			char field[CONF_PATH_LEN + 8];
			snprintf(field, sizeof field, "%s.name", path);
			if (lifecycle_check_text(field, one.name, SCHOOL_NAME_MAX - 1, 1, 0, err,
			                         sizeof err) < 0)
				conf_fail(c, name, "%s", err);
		}
		if (c->total != before)
			continue;
		if (school_find(sch, one.urn)) {
			conf_fail(c, urn, "%s.urn: %s is already listed", path, one.urn);
			continue;
		}
		sch->list[sch->n++] = one;
	}
}

void conf_section_schools(struct conf_ctx *c, const config_setting_t *g, struct config *cfg)
{
	struct schools *sch = &cfg->schools;
	struct calendar *cal = &sch->cal;
	const size_t before = c->total;
	const config_setting_t *remind = NULL;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		long long v;
		if (!strcmp(name, "timezone"))
			timezone_setting(c, s, cal);
		else if (!strcmp(name, "day_starts"))
			clock_setting(c, s, &cal->day_starts_s);
		else if (!strcmp(name, "remind_at"))
			remind = clock_setting(c, s, &cal->remind_s) == 0 ? s : NULL;
		else if (!strcmp(name, "school_days"))
			school_days(c, s, cal);
		else if (!strcmp(name, "terms"))
			terms(c, s, cal);
		else if (!strcmp(name, "closed"))
			closed(c, s, cal);
		else if (!strcmp(name, "notice_max_age_days")) {
			if (conf_get_int(c, s, 0, SCHOOL_MAX_AGE_MAX, &v) == 0)
				sch->max_age_days = (unsigned)v;
		} else if (!strcmp(name, "list"))
			school_list(c, s, sch);
		else
			conf_unknown(c, s,
			             "timezone, day_starts, remind_at, school_days, terms, closed, "
			             "notice_max_age_days, list");
	}
	if (c->total != before)
		return;
	/* What only the settings together say. */
	char why[CALENDAR_WHY_MAX];
	if (calendar_check(cal, why, sizeof why) < 0)
		conf_fail(c, remind ? remind : g, "schools.%s", why);
}

void conf_section_feedback(struct conf_ctx *c, const config_setting_t *g, struct config *cfg)
{
	char err[LIFECYCLE_ERR_MAX];
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		char *dst = cfg->schools.feedback_contact;
		if (strcmp(config_setting_name(s), "contact")) {
			conf_unknown(c, s, "contact");
		} else if (conf_get_string(c, s, dst, SCHOOL_CONTACT_MAX, 1) == 0 &&
		           lifecycle_check_text("feedback.contact", dst, SCHOOL_CONTACT_MAX - 1, 0,
		                                0, err, sizeof err) < 0) {
			conf_fail(c, s, "%s", err);
			dst[0] = '\0';
		}
	}
}

void conf_check_schools(struct conf_ctx *c, const struct config *cfg, int whole)
{
	char why[CALENDAR_WHY_MAX];
	if (whole && calendar_check(&cfg->schools.cal, why, sizeof why) < 0)
		conf_fail(c, NULL, "schools.%s", why);
	for (size_t i = 0; i < cfg->access.n_keys; i++) {
		const struct access_key *k = &cfg->access.keys[i];
		if (k->role == ACCESS_SCHOOL && !school_find(&cfg->schools, k->urn))
			conf_fail(c, NULL,
			          "security.keys: '%s' is bound to school %s, which schools.list "
			          "does not name",
			          k->name, k->urn);
	}
}
