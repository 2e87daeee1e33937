/*
 * calendar.c - school days and local time (see calendar.h).
 *
 * Owns the civil calendar arithmetic, the POSIX TZ rule (parsed here,
 * without the C library's TZ machinery, which reads the environment and
 * files), the term calendar's checks and the search for the next school
 * day. Does not read the configuration file (config_schools.c) or decide
 * what a notice is (school.c, notice.c).
 */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MS_DAY      INT64_C(86400000)
#define SEARCH_DAYS 1000

/* ---- days ---- */

int32_t calendar_day_of(int64_t ms)
{
	int64_t d = ms / MS_DAY;
	if (ms % MS_DAY < 0)
		d--;
	return (int32_t)d;
}

int calendar_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (3 with Monday 0). */
	int w = (int)(((int64_t)day + 3) % 7);
	return w < 0 ? w + 7 : w;
}

/* Howard Hinnant's days_from_civil and civil_from_days. */
int32_t calendar_day_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + (int)doe - 719468);
}

void calendar_civil(int32_t day, int *y, int *m, int *d)
{
	const int64_t z = (int64_t)day + 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + (unsigned)(era * 400)) + (*m <= 2);
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* n digits exactly at s, as a number; -1 when they are not digits. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int calendar_parse_date(const char *s, int32_t *day, const char **why)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
		*why = "not a date YYYY-MM-DD";
		return -1;
	}
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0) {
		*why = "not a date YYYY-MM-DD";
		return -1;
	}
	if (y < 1900) {
		*why = "before 1900";
		return -1;
	}
	if (m < 1 || m > 12 || d < 1 || d > month_days(y, m)) {
		*why = "not a real date";
		return -1;
	}
	*day = calendar_day_from_civil(y, m, d);
	return 0;
}

void calendar_format_date(int32_t day, char out[11])
{
	int y, m, d;
	calendar_civil(day, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	/* Through a wider buffer: calendar_civil() gives a month of 1-12 and
	 * a day of 1-31, which gcc's format checks cannot know. */
	char text[40];
	snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
	memcpy(out, text, 10);
	out[10] = '\0';
}

int calendar_parse_clock(const char *s, int32_t *secs, const char **why)
{
	size_t n = strlen(s);
	int h, m, sec = 0;
	if ((n != 5 && n != 8) || s[2] != ':' || (n == 8 && s[5] != ':') ||
	    (h = digits(s, 2)) < 0 || (m = digits(s + 3, 2)) < 0 ||
	    (n == 8 && (sec = digits(s + 6, 2)) < 0)) {
		*why = "not a time HH:MM or HH:MM:SS";
		return -1;
	}
	if (h > 23 || m > 59 || sec > 59) {
		*why = "not a time of day (00:00 to 23:59:59)";
		return -1;
	}
	*secs = h * 3600 + m * 60 + sec;
	return 0;
}

int calendar_parse_weekday(const char *s)
{
	static const char *const names[] = {"monday", "tuesday",  "wednesday", "thursday",
	                                    "friday", "saturday", "sunday"};
	size_t n = strlen(s);
	for (int i = 0; i < 7; i++)
		if ((n == 3 || n == strlen(names[i])) && !strncasecmp(s, names[i], n))
			return i;
	return -1;
}

/* ---- timezone rules ---- */

/* A zone name: 3 or more letters, or <3 or more of letters, digits, + and
 * ->. Moves *p past it. */
static int tz_name(const char **p)
{
	const char *s = *p;
	size_t n = 0;
	if (*s == '<') {
		s++;
		while ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
		       (s[n] >= '0' && s[n] <= '9') || s[n] == '+' || s[n] == '-')
			n++;
		if (n < 3 || s[n] != '>')
			return -1;
		*p = s + n + 1;
		return 0;
	}
	while ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z'))
		n++;
	if (n < 3)
		return -1;
	*p = s + n;
	return 0;
}

/* 1 to 3 digits, at most max. */
static int tz_number(const char **p, int max, int *out)
{
	int v = 0, n = 0;
	while (**p >= '0' && **p <= '9' && n < 3) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n == 0 || (**p >= '0' && **p <= '9') || v > max)
		return -1;
	*out = v;
	return 0;
}

/* [+-]hh[:mm[:ss]] in seconds, hh at most hmax. */
static int tz_hms(const char **p, int hmax, int32_t *out)
{
	int sign = 1, h, m = 0, s = 0;
	if (**p == '+' || **p == '-')
		sign = *(*p)++ == '-' ? -1 : 1;
	if (tz_number(p, hmax, &h) < 0)
		return -1;
	if (**p == ':') {
		(*p)++;
		if (tz_number(p, 59, &m) < 0)
			return -1;
		if (**p == ':') {
			(*p)++;
			if (tz_number(p, 59, &s) < 0)
				return -1;
		}
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return 0;
}

/* ",Mm.w.d[/time]" */
static int tz_when(const char **p, struct calendar_when *w)
{
	if (**p != ',')
		return -1;
	(*p)++;
	if (**p != 'M')
		return -1;
	(*p)++;
	if (tz_number(p, 12, &w->month) < 0 || w->month < 1 || **p != '.')
		return -1;
	(*p)++;
	if (tz_number(p, 5, &w->week) < 0 || w->week < 1 || **p != '.')
		return -1;
	(*p)++;
	if (tz_number(p, 6, &w->wday) < 0)
		return -1;
	w->time_s = 7200; /* 02:00 unless given */
	if (**p == '/') {
		(*p)++;
		if (tz_hms(p, 167, &w->time_s) < 0)
			return -1;
	}
	return 0;
}

int calendar_parse_tz(const char *s, struct calendar_tz *tz, const char **why)
{
	static const struct {
		const char *name, *rule;
	} aliases[] = {
	    {"Europe/London", "GMT0BST,M3.5.0/1,M10.5.0"},
	    {"UTC", "UTC0"},
	    {"Etc/UTC", "UTC0"},
	    {"GMT", "GMT0"},
	};
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (!strcmp(s, aliases[i].name))
			s = aliases[i].rule;
	struct calendar_tz t;
	memset(&t, 0, sizeof t);
	const char *p = s;
	int32_t off;
	*why = "not Europe/London, UTC or a POSIX TZ rule such as GMT0BST,M3.5.0/1,M10.5.0";
	if (tz_name(&p) < 0 || tz_hms(&p, 24, &off) < 0)
		return -1;
	t.std_s = -off;
	if (*p) {
		if (tz_name(&p) < 0)
			return -1;
		t.has_dst = 1;
		t.dst_s = t.std_s + 3600;
		if (*p && *p != ',') {
			if (tz_hms(&p, 24, &off) < 0)
				return -1;
			t.dst_s = -off;
		}
		if (*p != ',') {
			*why = "a summer time rule needs its dates (,Mm.w.d[/time],Mm.w.d[/time])";
			return -1;
		}
		if (tz_when(&p, &t.start) < 0 || tz_when(&p, &t.end) < 0) {
			*why = "summer time dates are Mm.w.d[/time] (month, week 1-5, day 0-6)";
			return -1;
		}
		if (t.dst_s == t.std_s) {
			*why = "summer time has the same offset as standard time";
			return -1;
		}
	}
	if (*p) {
		*why = "unexpected text after the rule";
		return -1;
	}
	*tz = t;
	return 0;
}

/* The UTC time of transition w in year y, its time given in a local time
 * offset_s east of UTC. */
static int64_t transition(const struct calendar_when *w, int y, int32_t offset_s)
{
	int32_t first = calendar_day_from_civil(y, w->month, 1);
	int wd_first = (calendar_weekday(first) + 1) % 7; /* 0 Sunday */
	int d = (w->wday - wd_first + 7) % 7 + (w->week - 1) * 7;
	while (d >= month_days(y, w->month))
		d -= 7;
	return ((int64_t)first + d) * MS_DAY + (int64_t)w->time_s * 1000 - (int64_t)offset_s * 1000;
}

static int in_dst(const struct calendar_tz *tz, int64_t utc_ms)
{
	if (!tz->has_dst)
		return 0;
	int y, m, d;
	calendar_civil(calendar_day_of(utc_ms + (int64_t)tz->std_s * 1000), &y, &m, &d);
	int64_t start = transition(&tz->start, y, tz->std_s);
	int64_t end = transition(&tz->end, y, tz->dst_s);
	if (start < end)
		return utc_ms >= start && utc_ms < end;
	/* The southern hemisphere: summer time spans the new year. */
	return !(utc_ms >= end && utc_ms < start);
}

int32_t calendar_offset(const struct calendar_tz *tz, int64_t utc_ms)
{
	return in_dst(tz, utc_ms) ? tz->dst_s : tz->std_s;
}

int64_t calendar_local_to_utc(const struct calendar_tz *tz, int64_t local_ms)
{
	int64_t as_std = local_ms - (int64_t)tz->std_s * 1000;
	if (!tz->has_dst)
		return as_std;
	int64_t as_dst = local_ms - (int64_t)tz->dst_s * 1000;
	int std_ok = !in_dst(tz, as_std), dst_ok = in_dst(tz, as_dst);
	if (std_ok && dst_ok)
		return as_std < as_dst ? as_std : as_dst; /* repeated: the first */
	if (dst_ok)
		return as_dst;
	return as_std; /* valid, or skipped: counted on from standard time */
}

/* ---- the calendar ---- */

void calendar_defaults(struct calendar *c)
{
	const char *why;
	memset(c, 0, sizeof *c);
	snprintf(c->tz_name, sizeof c->tz_name, "Europe/London");
	calendar_parse_tz(c->tz_name, &c->tz, &why);
	c->day_starts_s = 8 * 3600 + 30 * 60;
	c->remind_s = 9 * 3600 + 30 * 60;
	c->weekdays = 0x1f; /* Monday to Friday */
}

int calendar_term_problem(const struct calendar_term *prev, const struct calendar_term *t,
                          char *why, size_t len)
{
	char a[11], b[11];
	if (t->from < CALENDAR_DAY_MIN || t->to > CALENDAR_DAY_MAX) {
		snprintf(why, len, "a date out of range (1900-01-01 to 9999-12-31)");
		return -1;
	}
	if (t->from > t->to) {
		calendar_format_date(t->from, a);
		calendar_format_date(t->to, b);
		snprintf(why, len, "starts %s, after it ends %s", a, b);
		return -1;
	}
	if (!prev)
		return 0;
	if (t->from <= prev->to) {
		calendar_format_date(t->from, a);
		calendar_format_date(prev->to, b);
		snprintf(why, len, "starts %s, not after the term before it ends (%s)", a, b);
		return -1;
	}
	if (t->from - prev->to - 1 > CALENDAR_GAP_MAX) {
		calendar_format_date(prev->to, a);
		calendar_format_date(t->from, b);
		snprintf(why, len,
		         "%d days without school between %s and %s: a holiday is at most %d "
		         "(is a term missing?)",
		         (int)(t->from - prev->to - 1), a, b, CALENDAR_GAP_MAX);
		return -1;
	}
	return 0;
}

static int by_from(const void *a, const void *b)
{
	const struct calendar_term *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

static int by_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return x < y ? -1 : x > y;
}

void calendar_sort(struct calendar *c)
{
	if (c->n_terms > CALENDAR_TERMS_MAX)
		c->n_terms = CALENDAR_TERMS_MAX;
	if (c->n_closed > CALENDAR_CLOSED_MAX)
		c->n_closed = CALENDAR_CLOSED_MAX;
	qsort(c->terms, c->n_terms, sizeof c->terms[0], by_from);
	qsort(c->closed, c->n_closed, sizeof c->closed[0], by_day);
}

static int when_ok(const struct calendar_when *w)
{
	return w->month >= 1 && w->month <= 12 && w->week >= 1 && w->week <= 5 && w->wday >= 0 &&
	       w->wday <= 6 && w->time_s >= -167 * 3600 && w->time_s <= 167 * 3600;
}

int calendar_check(const struct calendar *c, char *why, size_t len)
{
	const struct calendar_tz *tz = &c->tz;
	if (tz->std_s < -25 * 3600 || tz->std_s > 25 * 3600 ||
	    (tz->has_dst && (tz->dst_s < -25 * 3600 || tz->dst_s > 25 * 3600 ||
	                     !when_ok(&tz->start) || !when_ok(&tz->end)))) {
		snprintf(why, len, "timezone: out of range");
		return -1;
	}
	if (c->day_starts_s < 0 || c->day_starts_s >= 86400 || c->remind_s < 0 ||
	    c->remind_s >= 86400) {
		snprintf(why, len, "day_starts, remind_at: not a time of day");
		return -1;
	}
	if (c->remind_s < c->day_starts_s) {
		snprintf(why, len, "remind_at: before the school day starts (day_starts)");
		return -1;
	}
	if (!(c->weekdays & 0x7f) || (c->weekdays & ~0x7fu)) {
		snprintf(why, len, "school_days: no day of the week");
		return -1;
	}
	if (c->n_terms > CALENDAR_TERMS_MAX || c->n_closed > CALENDAR_CLOSED_MAX) {
		snprintf(why, len, "terms, closed: too many");
		return -1;
	}
	char what[CALENDAR_WHY_MAX];
	for (size_t i = 0; i < c->n_terms; i++)
		if (calendar_term_problem(i ? &c->terms[i - 1] : NULL, &c->terms[i], what,
		                          sizeof what) < 0) {
			snprintf(why, len, "terms[%zu]: %s", i, what);
			return -1;
		}
	for (size_t i = 0; i < c->n_closed; i++) {
		if (c->closed[i] < CALENDAR_DAY_MIN || c->closed[i] > CALENDAR_DAY_MAX) {
			snprintf(why, len, "closed[%zu]: a date out of range", i);
			return -1;
		}
		if (i && c->closed[i] <= c->closed[i - 1]) {
			calendar_format_date(c->closed[i], what);
			snprintf(why, len, "closed[%zu]: %s %s", i, what,
			         c->closed[i] == c->closed[i - 1] ? "is listed twice"
			                                          : "is out of order");
			return -1;
		}
	}
	return 0;
}

static int is_closed(const struct calendar *c, int32_t day)
{
	size_t lo = 0, hi = c->n_closed < CALENDAR_CLOSED_MAX ? c->n_closed : CALENDAR_CLOSED_MAX;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->closed[mid] == day)
			return 1;
		if (c->closed[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int in_term(const struct calendar *c, int32_t day)
{
	size_t n = c->n_terms < CALENDAR_TERMS_MAX ? c->n_terms : CALENDAR_TERMS_MAX;
	if (n == 0 || day < c->terms[0].from || day > c->terms[n - 1].to)
		return 1; /* outside the calendar's span: by the day of the week */
	for (size_t i = 0; i < n; i++)
		if (day >= c->terms[i].from && day <= c->terms[i].to)
			return 1;
	return 0;
}

int calendar_is_school_day(const struct calendar *c, int32_t day)
{
	return (c->weekdays & (1u << calendar_weekday(day))) && in_term(c, day) &&
	       !is_closed(c, day);
}

int calendar_next_school_day(const struct calendar *c, int64_t after_ms, int64_t *due_ms,
                             int64_t *remind_ms)
{
	if (after_ms < (int64_t)CALENDAR_DAY_MIN * MS_DAY ||
	    after_ms > (int64_t)CALENDAR_DAY_MAX * MS_DAY)
		return -1;
	/* The local day of after_ms, and from the day before it: a local
	 * day's start may fall before after_ms's UTC day begins. */
	int32_t day = calendar_day_of(after_ms + (int64_t)calendar_offset(&c->tz, after_ms) * 1000);
	for (int i = -1; i < SEARCH_DAYS; i++) {
		int32_t d = day + i;
		if (d < CALENDAR_DAY_MIN || d > CALENDAR_DAY_MAX || !calendar_is_school_day(c, d))
			continue;
		int64_t midnight = (int64_t)d * MS_DAY;
		int64_t starts =
		    calendar_local_to_utc(&c->tz, midnight + (int64_t)c->day_starts_s * 1000);
		if (starts <= after_ms)
			continue;
		*due_ms = starts;
		*remind_ms = calendar_local_to_utc(&c->tz, midnight + (int64_t)c->remind_s * 1000);
		if (*remind_ms < starts)
			*remind_ms = starts;
		return 0;
	}
	return -1;
}
