/*
 * calendar.h - school days: the term calendar Operation Encompass notices
 * are due by, and the local time a school day starts in.
 *
 * A school day is a day of the week schools open (Monday to Friday by
 * default) that falls in a term and is not a closure (an INSET day, a
 * bank holiday in term). Days outside the span of the configured terms
 * (before the first, after the last) count as school days on those days
 * of the week: a calendar not yet filled in for next year makes a notice
 * early, never late. Times on the wire are UTC milliseconds; the day
 * starts at a local time of the calendar's timezone, a POSIX TZ rule
 * ("GMT0BST,M3.5.0/1,M10.5.0", which "Europe/London" names).
 *
 * Pure: no clock, no files, no environment (no TZ, no tzdata). Days are
 * numbered from 1970-01-01 (day 0) in the proleptic Gregorian calendar.
 */
#ifndef FFC_CALENDAR_H
#define FFC_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#define CALENDAR_TERMS_MAX  64
#define CALENDAR_CLOSED_MAX 256
#define CALENDAR_TZ_MAX     64
/* The longest holiday between two terms, in days: a longer gap is taken
 * for a mistake in the dates. */
#define CALENDAR_GAP_MAX 183
/* Dates a calendar may name: 1900-01-01 to 9999-12-31. */
#define CALENDAR_DAY_MIN (-25567)
#define CALENDAR_DAY_MAX 2932896
#define CALENDAR_WHY_MAX 192

/* A DST transition: the week-th wday (0 Sunday .. 6) of month (1..12;
 * week 5 is the last), at time_s seconds past local midnight. */
struct calendar_when {
	int month, week, wday;
	int32_t time_s;
};

/* A timezone rule. Offsets are seconds east of UTC (local = UTC +
 * offset), the opposite sign of the POSIX text. */
struct calendar_tz {
	int32_t std_s;
	int has_dst;
	int32_t dst_s;
	struct calendar_when start, end; /* start in standard time, end in DST */
};

/* A term, both days included. */
struct calendar_term {
	int32_t from, to;
};

struct calendar {
	char tz_name[CALENDAR_TZ_MAX]; /* as configured, for messages */
	struct calendar_tz tz;
	int32_t day_starts_s; /* local seconds past midnight: a notice is due then */
	int32_t remind_s;     /* an unacknowledged notice is reminded then */
	unsigned weekdays;    /* bit (1u << wd) per day schools open, 0 Monday .. 6 Sunday */
	size_t n_terms;
	struct calendar_term terms[CALENDAR_TERMS_MAX]; /* in order, apart */
	size_t n_closed;
	int32_t closed[CALENDAR_CLOSED_MAX]; /* ascending, each once */
};

/* Europe/London, the day starting at 08:30 and reminders at 09:30,
 * Monday to Friday, no terms (every such day a school day), no closures.
 * Cannot fail. */
void calendar_defaults(struct calendar *c);

/* ---- days, dates and clocks ---- */

/* The day holding ms (floor division, so before 1970 too). */
int32_t calendar_day_of(int64_t ms);
/* 0 Monday .. 6 Sunday. */
int calendar_weekday(int32_t day);
/* The day of y-m-d (no range check beyond what fits). */
int32_t calendar_day_from_civil(int y, int m, int d);
void calendar_civil(int32_t day, int *y, int *m, int *d);

/* "YYYY-MM-DD", a real date from 1900-01-01 to 9999-12-31. 0 and *day,
 * or -1 with *why (static text). */
int calendar_parse_date(const char *s, int32_t *day, const char **why);
/* The day as "YYYY-MM-DD" into out (11 bytes). */
void calendar_format_date(int32_t day, char out[11]);
/* "HH:MM" or "HH:MM:SS", 00:00 to 23:59:59: seconds past midnight. */
int calendar_parse_clock(const char *s, int32_t *secs, const char **why);
/* "mon" .. "sun", or the whole name, case ignored: 0 .. 6, or -1. */
int calendar_parse_weekday(const char *s);

/* A timezone: "Europe/London", "UTC" (also "Etc/UTC", "GMT"), or a POSIX
 * TZ rule "STDoffset[DST[offset],Mm.w.d[/time],Mm.w.d[/time]]" (names of
 * 3 or more letters, or <...>; offsets [+-]hh[:mm[:ss]] west of UTC, hh
 * up to 24; times up to 167 hours either way). 0 and *tz, or -1 with *why
 * (static text). */
int calendar_parse_tz(const char *s, struct calendar_tz *tz, const char **why);

/* Seconds east of UTC in force at utc_ms. */
int32_t calendar_offset(const struct calendar_tz *tz, int64_t utc_ms);
/* The UTC time of a local wall-clock time: in the hour skipped when
 * clocks go forward, the time an hour later; in the hour repeated when
 * they go back, the first. */
int64_t calendar_local_to_utc(const struct calendar_tz *tz, int64_t local_ms);

/* ---- the calendar ---- */

/* What is wrong with term t after prev (NULL: the first): it ends before
 * it starts, does not start after prev ends, or leaves more than
 * CALENDAR_GAP_MAX days without school after it. 0, or -1 with a
 * sentence in why. */
int calendar_term_problem(const struct calendar_term *prev, const struct calendar_term *t,
                          char *why, size_t len);

/* Put the terms and closures in order (config files may list them in any
 * order). Cannot fail. */
void calendar_sort(struct calendar *c);

/* Is the whole calendar usable? Days and times in range, no day of the
 * week, the reminder before the day starts, terms out of order,
 * overlapping or far apart, closures out of order or twice are refused.
 * 0, or -1 with a sentence naming the setting in why. */
int calendar_check(const struct calendar *c, char *why, size_t len);

/* Is day a school day? */
int calendar_is_school_day(const struct calendar *c, int32_t day);

/* The next school day starting after after_ms (a day starting at exactly
 * after_ms does not count): when it starts (*due_ms) and when its
 * reminders go (*remind_ms), in UTC. 0, or -1 when no school day comes
 * in the next 1000 days (a calendar calendar_check() accepts always has
 * one). */
int calendar_next_school_day(const struct calendar *c, int64_t after_ms, int64_t *due_ms,
                             int64_t *remind_ms);

#endif
