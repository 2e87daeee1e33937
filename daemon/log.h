/*
 * log.h - leveled logging to stderr.
 *
 * One line per event: "2026-11-22T16:30:00.123Z ffcd[1234] INFO: message".
 * Never logs concern content beyond ids: summaries and names are personal
 * data and stay in the store.
 */
#ifndef FFC_LOG_H
#define FFC_LOG_H

#include <stdarg.h>
#include <stdint.h>

/* How much is logged: a message is written when its level is at most the
 * level set (daemon.log_level, or LOG_DEBUG with -v). */
enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* The level in force for the whole process (LOG_INFO until set). Not
 * thread-safe: set it before starting anything that logs from another
 * thread (ffcd has one thread of its own). Cannot fail. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

#if defined(__GNUC__)
#define FFC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FFC_PRINTF(a, b)
#endif

/* Write one line to stderr, when level is at most the level set: the time,
 * the program and pid, the level and the formatted message, cut at 2 KiB.
 * Errors writing are ignored (there is nowhere to report
 * them). fmt and its arguments are only read. */
void log_msg(enum log_level level, const char *fmt, ...) FFC_PRINTF(2, 3);

/* A kind of line a peer can cause (a refused handshake, a receipt not
 * sent), logged at most once a second: a refused or hostile peer may try
 * thousands of times a second and must not flood the log. Zeroed is
 * ready; one per kind, owned by whoever logs that kind. */
struct log_limit {
	int64_t logged_at_ms; /* when the last line of this kind was written; 0 never */
	uint64_t unlogged;    /* lines left out since */
};

/* Log a line of l's kind unless one was logged less than a second before
 * now_ms; the line written says how many were left out since the last one
 * (callers count every one in stats all the same). The line is cut at 512
 * bytes. Returns 1 when written (or when level is above the level set),
 * 0 when left out. Cannot fail; fmt and its arguments are only read. */
int log_limit_msg(struct log_limit *l, int64_t now_ms, enum log_level level, const char *fmt, ...)
    FFC_PRINTF(4, 5);
/* log_limit_msg with a va_list (ap is consumed). */
int log_limit_vmsg(struct log_limit *l, int64_t now_ms, enum log_level level, const char *fmt,
                   va_list ap) FFC_PRINTF(4, 0);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
