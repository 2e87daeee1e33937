/*
 * web_figures.c - the partnership's figures from ffcd's report (see
 * web_figures.h).
 *
 * Owns the shaping only: the figures themselves are ffcd's (report.c),
 * asking for them web_api.c's, drawing them figures.js's.
 */
#include "web_figures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Calendar months since year 0 of a time (UTC). */
static long month_index(int64_t ms)
{
	time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
	struct tm tm;
	gmtime_r(&t, &tm);
	return (long)(tm.tm_year + 1900) * 12 + tm.tm_mon;
}

/* Calendar months since year 0 of "YYYY-MM"; -1 when it is not one. */
static long month_parse(const char *s)
{
	if (strlen(s) != 7 || s[4] != '-')
		return -1;
	long v = 0;
	for (int i = 0; i < 7; i++) {
		if (i == 4)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	long year = v / 100, month = v % 100;
	return month >= 1 && month <= 12 ? year * 12 + month - 1 : -1;
}

long web_figures_months(int64_t from_ms, int64_t to_ms)
{
	return to_ms > from_ms ? month_index(to_ms - 1) - month_index(from_ms) + 1 : 0;
}

static const char *level_name(int level)
{
	return level == FFC__V1__LEVEL__RED ? "RED" : level == FFC__V1__LEVEL__AMBER ? "AMBER" : "";
}

/* The count under key in obj, plus by. */
static void add(json_t *obj, const char *key, json_int_t by)
{
	json_t *v = json_object_get(obj, key);
	json_object_set_new(obj, key, json_integer(v ? json_integer_value(v) + by : by));
}

/* The rule's row in rules (by name), made with months zeros. */
static json_t *rule_row(json_t *rules, const char *rule, long months)
{
	json_t *row = json_object_get(rules, rule);
	if (row)
		return row;
	row = json_object();
	json_t *counts = json_array();
	for (long m = 0; m < months; m++)
		json_array_append_new(counts, json_integer(0));
	json_object_set_new(row, "rule", json_string(rule));
	json_object_set_new(row, "counts", counts);
	json_object_set_new(row, "total", json_integer(0));
	json_object_set_new(rules, rule, row);
	return row;
}

/* Rows ordered by the name under key, or by "count", most first. */
static int by_name(const void *a, const void *b, const char *key)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, key)),
	              json_string_value(json_object_get(*(json_t *const *)b, key)));
}

static int by_rule_name(const void *a, const void *b)
{
	return by_name(a, b, "rule");
}

static int by_count(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "count"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "count"));
	return (x < y) - (x > y) ? (x < y) - (x > y) : by_name(a, b, "outcome");
}

/* An object's values (rows) as an array, ordered by cmp. */
static json_t *values(json_t *obj, int (*cmp)(const void *, const void *))
{
	size_t n = json_object_size(obj), k = 0;
	json_t **v = malloc((n ? n : 1) * sizeof *v), *out = json_array();
	const char *key;
	json_t *one;
	if (!v || !out) {
		free(v);
		json_decref(out);
		return NULL;
	}
	json_object_foreach(obj, key, one) v[k++] = one;
	qsort(v, n, sizeof *v, cmp);
	for (k = 0; k < n; k++)
		json_array_append(out, v[k]);
	free(v);
	return out;
}

static json_t *minutes_or_null(int64_t ms, int have)
{
	return have ? json_integer(ms / 60000) : json_null();
}

static json_t *response_json(const Ffc__V1__ResponseFigures *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "level", json_string(level_name((int)f->level)));
	json_object_set_new(o, "alerts", json_integer((json_int_t)f->alerts));
	json_object_set_new(o, "responded", json_integer((json_int_t)f->responded));
	json_object_set_new(o, "counted", json_integer((json_int_t)f->counted));
	json_object_set_new(o, "within", json_integer((json_int_t)f->within));
	json_object_set_new(
	    o, "late",
	    json_integer((json_int_t)(f->counted > f->within ? f->counted - f->within : 0)));
	json_object_set_new(o, "within_share", json_real(f->within_share));
	json_object_set_new(o, "response_minutes", minutes_or_null(f->response_ms, 1));
	json_object_set_new(o, "median_minutes", minutes_or_null(f->median_ms, f->responded > 0));
	json_object_set_new(o, "p90_minutes", minutes_or_null(f->p90_ms, f->responded > 0));
	return o;
}

static json_t *notices_json(const Ffc__V1__NoticeFigures *f)
{
	Ffc__V1__NoticeFigures none = FFC__V1__NOTICE_FIGURES__INIT;
	if (!f)
		f = &none;
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "notices", (json_int_t)f->notices,
	                 "to_schools", (json_int_t)f->to_schools, "to_front_door",
	                 (json_int_t)f->to_front_door, "acknowledged", (json_int_t)f->acknowledged,
	                 "judged", (json_int_t)f->judged, "acknowledged_by_due",
	                 (json_int_t)f->acknowledged_by_due, "reminded", (json_int_t)f->reminded);
}

/* Outcomes that are states, not how an alert was closed. */
static int is_state(const char *outcome)
{
	return !strcmp(outcome, "open") || !strcmp(outcome, "acknowledged") ||
	       !strcmp(outcome, "superseded");
}

json_t *web_figures(const Ffc__V1__ReportReply *r)
{
	long months = web_figures_months(r->from_ms, r->to_ms);
	if (months < 1 || months > FIGURES_MONTHS_MAX)
		return NULL;
	long first = month_index(r->from_ms);
	json_t *root = json_object(), *names = json_array(), *rules = json_object(),
	       *by_level = json_object(), *outcomes = json_object(), *response = json_array();
	int ok = root && names && rules && by_level && outcomes && response;
	for (long m = first; ok && m < first + months; m++) {
		char name[48];
		snprintf(name, sizeof name, "%04ld-%02ld", m / 12, m % 12 + 1);
		json_array_append_new(names, json_string(name));
	}
	for (size_t i = 0; ok && i < r->n_alerts_by; i++) {
		const Ffc__V1__AlertCount *c = r->alerts_by[i];
		json_t *row = rule_row(rules, c->rule, months);
		add(row, "total", (json_int_t)c->count);
		if (level_name((int)c->level)[0])
			add(by_level, level_name((int)c->level), (json_int_t)c->count);
		json_t *o = json_object_get(outcomes, c->outcome);
		if (!o) {
			o = json_pack("{s:s,s:b,s:I}", "outcome", c->outcome, "closed",
			              !is_state(c->outcome), "count", (json_int_t)0);
			json_object_set_new(outcomes, c->outcome, o);
		}
		add(o, "count", (json_int_t)c->count);
	}
	for (size_t i = 0; ok && i < r->n_alerts_by_month; i++) {
		const Ffc__V1__MonthCount *c = r->alerts_by_month[i];
		long m = month_parse(c->month);
		if (m < first || m >= first + months || !c->rule[0])
			continue; /* not a month of the period: not ffcd's */
		json_t *row = rule_row(rules, c->rule, months);
		json_t *v = json_array_get(json_object_get(row, "counts"), (size_t)(m - first));
		if (v)
			json_integer_set(v, json_integer_value(v) + (json_int_t)c->count);
	}
	for (size_t i = 0; ok && i < r->n_response; i++)
		json_array_append_new(response, response_json(r->response[i]));
	json_t *by_rule = ok ? values(rules, by_rule_name) : NULL;
	json_t *out = ok ? values(outcomes, by_count) : NULL;
	ok = ok && by_rule && out;
	if (ok) {
		json_object_set_new(root, "from_ms", json_integer(r->from_ms));
		json_object_set_new(root, "to_ms", json_integer(r->to_ms));
		json_object_set_new(root, "made_at_ms", json_integer(r->made_at_ms));
		json_object_set_new(root, "concerns", json_integer((json_int_t)r->concerns));
		json_object_set_new(root, "alerts", json_integer((json_int_t)r->alerts));
		json_object_set_new(root, "children_alerted",
		                    json_integer((json_int_t)r->children_alerted));
		json_object_set_new(root, "children_realerted",
		                    json_integer((json_int_t)r->children_realerted));
		json_object_set(root, "months", names);
		json_object_set(root, "by_rule", by_rule);
		json_object_set(root, "by_level", by_level);
		json_object_set(root, "response", response);
		json_object_set(root, "outcomes", out);
		json_object_set_new(root, "notices", notices_json(r->notices));
	}
	json_decref(names);
	json_decref(rules);
	json_decref(by_level);
	json_decref(outcomes);
	json_decref(response);
	json_decref(by_rule);
	json_decref(out);
	if (!ok) {
		json_decref(root);
		return NULL;
	}
	return root;
}
