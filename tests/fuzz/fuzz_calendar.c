/*
 * Fuzz target: a school term calendar as its settings are written, through
 * calendar.c's parsers (timezone, clock times, days of the week, dates),
 * calendar_sort() and calendar_check(), then, for a calendar accepted,
 * the next school day after times taken from the input. Nothing may
 * crash, leak or read out of bounds, and the invariants hold: a date
 * parsed formats back to itself; a notice is due after the incident, on
 * a school day, at the day's start (but in the hour clocks skip), with
 * its reminder no earlier; no school day starts between the incident and
 * it.
 *
 * The input is lines: the timezone, the day's start, the reminder time,
 * the days of the week (names separated by spaces), then any number of
 * "FROM TO" terms, "DATE" closures and "@MS" incident times (decimal Unix
 * milliseconds).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DAY_MS    INT64_C(86400000)
#define TIMES_MAX 8

/* The next line of text[*at..len) into line (cut to fit), or 0 at the end. */
static int next_line(const char *text, size_t len, size_t *at, char *line, size_t cap)
{
	if (*at >= len)
		return 0;
	size_t n = 0;
	while (*at < len && text[*at] != '\n') {
		if (n + 1 < cap)
			line[n++] = text[*at];
		(*at)++;
	}
	(*at)++;
	line[n] = '\0';
	return 1;
}

static void check_date(const char *s)
{
	int32_t day;
	const char *why;
	if (calendar_parse_date(s, &day, &why) < 0)
		return;
	char back[11];
	calendar_format_date(day, back);
	int32_t again;
	if (calendar_parse_date(back, &again, &why) < 0 || again != day || strcmp(back, s))
		__builtin_trap();
}

static void check_due(const struct calendar *c, int64_t after)
{
	int64_t due, remind;
	if (calendar_next_school_day(c, after, &due, &remind) < 0)
		return; /* out of range, or no school day for 1000 days */
	if (due <= after || remind < due)
		__builtin_trap();
	int64_t local = due + (int64_t)calendar_offset(&c->tz, due) * 1000;
	int32_t day = calendar_day_of(local);
	if (!calendar_is_school_day(c, day))
		__builtin_trap();
	int64_t of_day = local - (int64_t)day * DAY_MS;
	if (!c->tz.has_dst && of_day != (int64_t)c->day_starts_s * 1000)
		__builtin_trap();
	/* No school day starts between the incident and the due time. */
	int32_t first = calendar_day_of(after) - 2;
	for (int32_t d = first; d < day; d++) {
		if (!calendar_is_school_day(c, d))
			continue;
		int64_t starts = calendar_local_to_utc(&c->tz, (int64_t)d * DAY_MS +
		                                                   (int64_t)c->day_starts_s * 1000);
		if (starts > after && starts < due)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16384)
		return 0;
	const char *text = (const char *)data;
	char line[256];
	size_t at = 0;
	const char *why;
	struct calendar *c = malloc(sizeof *c);
	if (!c)
		return 0;
	calendar_defaults(c);
	/* A setting that does not parse keeps its default, as config_schools.c
	 * reports it and leaves it. */
	if (next_line(text, size, &at, line, sizeof line) &&
	    calendar_parse_tz(line, &c->tz, &why) == 0)
		snprintf(c->tz_name, sizeof c->tz_name, "%.*s", (int)sizeof c->tz_name - 1, line);
	if (next_line(text, size, &at, line, sizeof line))
		calendar_parse_clock(line, &c->day_starts_s, &why);
	if (next_line(text, size, &at, line, sizeof line))
		calendar_parse_clock(line, &c->remind_s, &why);
	if (next_line(text, size, &at, line, sizeof line)) {
		c->weekdays = 0;
		for (char *w = strtok(line, " "); w; w = strtok(NULL, " ")) {
			int d = calendar_parse_weekday(w);
			if (d >= 0)
				c->weekdays |= 1u << d;
		}
	}
	int64_t times[TIMES_MAX];
	size_t n_times = 0;
	while (next_line(text, size, &at, line, sizeof line)) {
		char from[16], to[16];
		if (line[0] == '@' && n_times < TIMES_MAX) {
			times[n_times++] = strtoll(line + 1, NULL, 10);
			continue;
		}
		check_date(line);
		if (sscanf(line, "%15s %15s", from, to) == 2 && c->n_terms < CALENDAR_TERMS_MAX) {
			struct calendar_term t;
			if (calendar_parse_date(from, &t.from, &why) == 0 &&
			    calendar_parse_date(to, &t.to, &why) == 0)
				c->terms[c->n_terms++] = t;
		} else if (c->n_closed < CALENDAR_CLOSED_MAX &&
		           calendar_parse_date(line, &c->closed[c->n_closed], &why) == 0) {
			c->n_closed++;
		}
	}
	calendar_sort(c);
	char reason[CALENDAR_WHY_MAX];
	if (calendar_check(c, reason, sizeof reason) == 0) {
		for (size_t i = 0; i < n_times; i++)
			check_due(c, times[i]);
		/* And around each term's edges. */
		for (size_t i = 0; i < c->n_terms && i < 4; i++) {
			check_due(c, (int64_t)c->terms[i].from * DAY_MS - 1);
			check_due(c, (int64_t)c->terms[i].to * DAY_MS + DAY_MS / 2);
		}
	} else if (!memchr(reason, '\0', sizeof reason)) {
		__builtin_trap();
	}
	free(c);
	return 0;
}
