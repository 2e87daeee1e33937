/*
 * log.c - leveled logging to stderr, one line per event, as text with a
 * UTC timestamp, as the journal expects it or as JSON (log.h); and lines a
 * peer can cause limited to one a second per kind. Owns nothing but the
 * level, format and destination in force (each kind's limit is its
 * caller's).
 */
#include "log.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A message, before escaping; JSON may take six bytes for one of its
 * bytes, and the line adds its time, level and fields. */
#define MSG_MAX      2048
#define LOG_LINE_MAX (MSG_MAX * 6 + 256)

static enum log_level current = LOG_INFO;
static enum log_format format = LOG_FORMAT_TEXT;
static int journal;
static int out_fd = STDERR_FILENO;

/* Lines gathered by the thread that holds (log_hold). */
static _Thread_local int holding;
static char held[PIPE_BUF];
static size_t n_held;

static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
static const char *const json_names[] = {"error", "warn", "info", "debug"};
/* syslog(3) priorities: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG. */
static const int priorities[] = {3, 4, 6, 7};

void log_set_level(enum log_level level)
{
	current = level;
}

enum log_level log_get_level(void)
{
	return current;
}

void log_set_format(enum log_format f)
{
	format = f;
}

int log_format_parse(const char *name, enum log_format *out)
{
	if (!strcasecmp(name, "text"))
		*out = LOG_FORMAT_TEXT;
	else if (!strcasecmp(name, "json"))
		*out = LOG_FORMAT_JSON;
	else
		return -1;
	return 0;
}

void log_set_journal(int on)
{
	journal = on != 0;
}

void log_set_fd(int fd)
{
	out_fd = fd;
}

/* A decimal number running up to `end` ("" or anything else: -1). */
static int parse_number(const char *s, const char *end, unsigned long long *v)
{
	if (s == end || end - s > 20)
		return -1;
	*v = 0;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' || *v > (~0ULL - 9) / 10)
			return -1;
		*v = *v * 10 + (unsigned)(*s - '0');
	}
	return 0;
}

int log_journal_stream(const char *journal_stream, int fd)
{
	if (!journal_stream)
		return 0;
	const char *colon = strchr(journal_stream, ':');
	unsigned long long dev, ino;
	struct stat st;
	if (!colon || parse_number(journal_stream, colon, &dev) < 0 ||
	    parse_number(colon + 1, colon + strlen(colon), &ino) < 0 || fstat(fd, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* The length of the well-formed UTF-8 sequence at s[0..n), or 0 when it
 * is not one (RFC 3629: no overlong forms, surrogates or values past
 * U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* Append s as the inside of a JSON string to out[*n..cap): quotes,
 * backslashes and control characters escaped, bytes that are not UTF-8
 * as U+FFFD. Stops, whole characters only, when out is full. */
static void json_append(char *out, size_t *n, size_t cap, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	while (left) {
		char esc[8];
		const char *add = esc;
		size_t len = utf8_len(p, left), step = len ? len : 1;
		if (!len)
			add = "\\ufffd";
		else if (*p == '"' || *p == '\\')
			snprintf(esc, sizeof esc, "\\%c", *p);
		else if (*p == '\n')
			add = "\\n";
		else if (*p == '\t')
			add = "\\t";
		else if (*p < 0x20 || *p == 0x7f)
			snprintf(esc, sizeof esc, "\\u%04x", *p);
		else {
			memcpy(esc, p, len);
			esc[len] = '\0';
		}
		size_t alen = strlen(add);
		if (*n + alen >= cap)
			return;
		memcpy(out + *n, add, alen);
		*n += alen;
		p += step;
		left -= step;
	}
}

/* Append a formatted piece to out[*n..cap), cut at the end. */
FFC_PRINTF(4, 5)
static void append(char *out, size_t *n, size_t cap, const char *fmt, ...)
{
	if (*n >= cap - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(out + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n += (size_t)k < cap - *n ? (size_t)k : cap - *n - 1;
}

/* Write the lines held, whole. */
static void log_flush_held(void)
{
	if (n_held && write(out_fd, held, n_held) < 0) {
		/* Nowhere to say so. */
	}
	n_held = 0;
}

/* One line for msg, in the format in force, written with one write(2) so
 * that concurrent writers (a test harness tailing stderr, journald's
 * stream) never see half a line. left_out: lines of its kind left out
 * before it (log_limit). */
static void emit(enum log_level level, const char *msg, uint64_t left_out)
{
	struct timespec ts;
	struct tm tm;
	char stamp[40];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t k = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + k, sizeof stamp - k, ".%03ldZ", ts.tv_nsec / 1000000);

	char line[LOG_LINE_MAX];
	size_t n = 0;
	if (journal)
		append(line, &n, sizeof line, "<%d>", priorities[level]);
	if (format == LOG_FORMAT_JSON) {
		append(line, &n, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"", stamp,
		       json_names[level]);
		json_append(line, &n, sizeof line - 128, msg);
		append(line, &n, sizeof line, "\",\"fields\":{\"program\":\"ffcd\",\"pid\":%ld",
		       (long)getpid());
		if (left_out)
			append(line, &n, sizeof line, ",\"left_out\":%llu",
			       (unsigned long long)left_out);
		append(line, &n, sizeof line, "}}");
	} else {
		if (!journal)
			append(line, &n, sizeof line, "%s ffcd[%ld] %s: ", stamp, (long)getpid(),
			       names[level]);
		size_t start = n;
		append(line, &n, sizeof line, "%s", msg);
		for (size_t i = start; i < n; i++)
			if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
				line[i] = '?';
		if (left_out)
			append(line, &n, sizeof line,
			       " (%llu more like it since the last one logged)",
			       (unsigned long long)left_out);
	}
	if (n >= sizeof line - 1)
		n = sizeof line - 2;
	line[n++] = '\n';
	if (holding && n_held + n > sizeof held)
		log_flush_held();
	if (holding && n <= sizeof held) {
		memcpy(held + n_held, line, n);
		n_held += n;
		return;
	}
	if (write(out_fd, line, n) < 0) {
		/* Nowhere to say so. */
	}
}

void log_hold(void)
{
	holding = 1;
}

void log_flush(void)
{
	log_flush_held();
	holding = 0;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if ((unsigned)level > (unsigned)current)
		return;
	char msg[MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n >= 0)
		emit(level, msg, 0);
}

int log_limit_vmsg(struct log_limit *l, int64_t now_ms, enum log_level level, const char *fmt,
                   va_list ap)
{
	if (l->logged_at_ms && now_ms >= l->logged_at_ms && now_ms - l->logged_at_ms < 1000) {
		l->unlogged++;
		return 0;
	}
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	if ((unsigned)level <= (unsigned)current)
		emit(level, line, l->unlogged);
	l->logged_at_ms = now_ms;
	l->unlogged = 0;
	return 1;
}

int log_limit_msg(struct log_limit *l, int64_t now_ms, enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = log_limit_vmsg(l, now_ms, level, fmt, ap);
	va_end(ap);
	return rc;
}
