/*
 * log.c - leveled logging to stderr, one line per event with a UTC
 * timestamp, and lines a peer can cause limited to one a second per kind.
 * Owns nothing but the current level (each kind's limit is its caller's).
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static enum log_level current = LOG_INFO;

static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

void log_set_level(enum log_level level)
{
	current = level;
}

enum log_level log_get_level(void)
{
	return current;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level > current)
		return;
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);

	/* Build the line first so concurrent writers (a test harness tailing
	 * stderr) never see half a line. */
	char line[2048];
	int n = snprintf(line, sizeof line, "%s.%03ldZ ffcd[%ld] %s: ", stamp, ts.tv_nsec / 1000000,
	                 (long)getpid(), names[level]);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof line)
		n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line - 1)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	fwrite(line, 1, (size_t)n, stderr);
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
	if (l->unlogged)
		log_msg(level, "%s (%llu more like it since the last one logged)", line,
		        (unsigned long long)l->unlogged);
	else
		log_msg(level, "%s", line);
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
