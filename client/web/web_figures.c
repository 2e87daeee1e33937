/*
 * web_figures.c - the partnership's figures from alerts (see
 * web_figures.h).
 *
 * Owns the arithmetic only: fetching the alerts is web_api.c's, drawing
 * them figures.js's.
 */
#define _DEFAULT_SOURCE /* timegm */
#include "web_figures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Calendar months since year 0 of a time (UTC). */
static long month_index(int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	return (long)(tm.tm_year + 1900) * 12 + tm.tm_mon;
}

static int64_t month_start_ms(long index)
{
	struct tm tm = {0};
	tm.tm_year = (int)(index / 12) - 1900;
	tm.tm_mon = (int)(index % 12);
	tm.tm_mday = 1;
	return (int64_t)timegm(&tm) * 1000;
}

static int clamp_months(int months)
{
	return months < 1 ? 1 : months > FIGURES_MONTHS_MAX ? FIGURES_MONTHS_MAX : months;
}

int64_t web_figures_from_ms(int months, int64_t now_ms)
{
	return month_start_ms(month_index(now_ms) - clamp_months(months) + 1);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The count under key in obj, plus one. */
static void bump(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	json_object_set_new(obj, key, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static const char *level_name(int level)
{
	return level == FFC__V1__LEVEL__RED ? "RED" : level == FFC__V1__LEVEL__AMBER ? "AMBER" : "";
}

static const char *state_name(int s)
{
	const ProtobufCEnumValue *v =
	    protobuf_c_enum_descriptor_get_value(&ffc__v1__alert_state__descriptor, s);
	return v ? v->name : "ALERT_STATE_UNSPECIFIED";
}

/* Time to acknowledge, as a share of the response time. */
static const char *const bucket_labels[] = {"within a quarter of the time", "within half the time",
                                            "within the time", "up to twice the time",
                                            "more than twice the time"};
#define N_BUCKETS 5

struct level_figures {
	int64_t response_ms; /* due - start (0: unknown) */
	int64_t *minutes;    /* time to acknowledge of each acknowledged alert */
	size_t n_ack, within, late, open_overdue, open_in_time;
	size_t buckets[N_BUCKETS];
};

static json_t *level_json(const char *name, struct level_figures *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "level", json_string(name));
	json_object_set_new(o, "response_minutes", json_integer(f->response_ms / 60000));
	json_object_set_new(o, "acknowledged", json_integer((json_int_t)f->n_ack));
	json_object_set_new(o, "within", json_integer((json_int_t)f->within));
	json_object_set_new(o, "late", json_integer((json_int_t)f->late));
	json_object_set_new(o, "open_overdue", json_integer((json_int_t)f->open_overdue));
	json_object_set_new(o, "open_in_time", json_integer((json_int_t)f->open_in_time));
	if (f->n_ack) {
		qsort(f->minutes, f->n_ack, sizeof f->minutes[0], cmp_i64);
		json_object_set_new(o, "median_minutes", json_integer(f->minutes[f->n_ack / 2]));
		json_object_set_new(
		    o, "p90_minutes",
		    json_integer(f->minutes[(f->n_ack * 9) / 10 < f->n_ack ? (f->n_ack * 9) / 10
		                                                           : f->n_ack - 1]));
	} else {
		json_object_set_new(o, "median_minutes", json_null());
		json_object_set_new(o, "p90_minutes", json_null());
	}
	json_t *b = json_array();
	for (int i = 0; i < N_BUCKETS; i++) {
		json_t *one = json_object();
		json_object_set_new(one, "label", json_string(bucket_labels[i]));
		json_object_set_new(one, "count", json_integer((json_int_t)f->buckets[i]));
		json_array_append_new(b, one);
	}
	json_object_set_new(o, "buckets", b);
	return o;
}

/* A level's response time. ffcd gives every alert its due time under
 * the response times in force now, so any alert of the level tells. */
static int64_t response_time(const Ffc__V1__Alert *const *a, size_t n, int level)
{
	for (size_t i = 0; i < n; i++) {
		int64_t start = a[i]->reopened_at_ms ? a[i]->reopened_at_ms : a[i]->raised_at_ms;
		if ((int)a[i]->level == level && a[i]->due_at_ms > start)
			return a[i]->due_at_ms - start;
	}
	return 0;
}

static void count_response(struct level_figures *f, const Ffc__V1__Alert *a, int64_t now_ms)
{
	int64_t start = a->reopened_at_ms ? a->reopened_at_ms : a->raised_at_ms;
	int64_t r = a->due_at_ms - start;
	if (a->acknowledged_at_ms >= start && a->acknowledged_at_ms > 0) {
		int64_t took = a->acknowledged_at_ms - start;
		f->minutes[f->n_ack++] = took / 60000;
		if (r > 0) {
			f->within += took <= r;
			f->late += took > r;
			int bucket = took * 4 <= r   ? 0
			             : took * 2 <= r ? 1
			             : took <= r     ? 2
			             : took <= 2 * r ? 3
			                             : 4;
			f->buckets[bucket]++;
		}
	} else if (a->state == FFC__V1__ALERT_STATE__OPEN) {
		if (a->due_at_ms > 0 && a->due_at_ms < now_ms)
			f->open_overdue++;
		else
			f->open_in_time++;
	}
}

json_t *web_figures(const Ffc__V1__Alert *const *a, size_t n, int months, int64_t now_ms)
{
	months = clamp_months(months);
	long last = month_index(now_ms), first = last - months + 1;
	int64_t from = month_start_ms(first);
	json_t *root = json_object(), *month_names = json_array(), *rules = json_object(),
	       *by_level = json_object(), *states = json_object(), *outcomes = json_object();
	struct level_figures lv[2] = {{0}, {0}};
	int ok = root && month_names && rules && by_level && states && outcomes;
	for (int i = 0; ok && i < 2; i++) {
		lv[i].minutes = malloc((n ? n : 1) * sizeof *lv[i].minutes);
		lv[i].response_ms =
		    response_time(a, n, i ? FFC__V1__LEVEL__RED : FFC__V1__LEVEL__AMBER);
		ok = lv[i].minutes != NULL;
	}
	for (long m = first; ok && m <= last; m++) {
		char name[48];
		snprintf(name, sizeof name, "%04ld-%02ld", m / 12, m % 12 + 1);
		json_array_append_new(month_names, json_string(name));
	}
	size_t counted = 0;
	for (size_t i = 0; ok && i < n; i++) {
		const Ffc__V1__Alert *x = a[i];
		if (x->raised_at_ms < from || x->raised_at_ms > now_ms + 60000 || !x->rule[0])
			continue;
		counted++;
		json_t *counts = json_object_get(rules, x->rule);
		if (!counts) {
			counts = json_array();
			for (int m = 0; m < months; m++)
				json_array_append_new(counts, json_integer(0));
			json_object_set_new(rules, x->rule, counts);
		}
		size_t m = (size_t)(month_index(x->raised_at_ms) - first);
		json_t *c = json_array_get(counts, m);
		if (c)
			json_integer_set(c, json_integer_value(c) + 1);
		if (level_name((int)x->level)[0]) {
			bump(by_level, level_name((int)x->level));
			count_response(&lv[x->level == FFC__V1__LEVEL__RED], x, now_ms);
		}
		bump(states, state_name((int)x->state));
		if (x->state == FFC__V1__ALERT_STATE__CLOSED && x->outcome[0])
			bump(outcomes, x->outcome);
	}
	if (ok) {
		json_object_set_new(root, "months", month_names);
		json_object_set_new(root, "alerts", json_integer((json_int_t)counted));
		json_object_set_new(root, "from_ms", json_integer(from));
		json_object_set_new(root, "now_ms", json_integer(now_ms));
		json_t *by_rule = json_array();
		const char *rule;
		json_t *counts;
		json_object_foreach(rules, rule, counts)
		{
			json_t *one = json_object();
			json_int_t total = 0;
			size_t k;
			json_t *v;
			json_array_foreach(counts, k, v) total += json_integer_value(v);
			json_object_set_new(one, "rule", json_string(rule));
			json_object_set(one, "counts", counts);
			json_object_set_new(one, "total", json_integer(total));
			json_array_append_new(by_rule, one);
		}
		json_object_set_new(root, "by_rule", by_rule);
		json_object_set(root, "by_level", by_level);
		json_object_set(root, "states", states);
		json_t *resp = json_array();
		json_array_append_new(resp, level_json("RED", &lv[1]));
		json_array_append_new(resp, level_json("AMBER", &lv[0]));
		json_object_set_new(root, "response", resp);
		json_t *out = json_array();
		const char *name;
		json_t *v;
		json_object_foreach(outcomes, name, v)
		{
			json_t *one = json_object();
			json_object_set_new(one, "outcome", json_string(name));
			json_object_set(one, "count", v);
			json_array_append_new(out, one);
		}
		json_object_set_new(root, "outcomes", out);
	} else {
		json_decref(month_names);
	}
	json_decref(rules);
	json_decref(by_level);
	json_decref(states);
	json_decref(outcomes);
	free(lv[0].minutes);
	free(lv[1].minutes);
	if (!ok) {
		json_decref(root);
		return NULL;
	}
	return root;
}
