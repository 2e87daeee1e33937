/*
 * log.h - leveled logging to stderr, in the form whoever reads it expects.
 *
 * One line per event, in one of three forms:
 *   text     "2026-11-22T16:30:00.123Z ffcd[1234] INFO: message" (a terminal,
 *            a file)
 *   journal  "<6>message": stderr is journald's stream (systemd says so in
 *            JOURNAL_STREAM), which takes the syslog priority from the
 *            prefix and stamps the time, program and pid itself
 *   json     one object a line for log shippers:
 *            {"ts":"2026-11-22T16:30:00.123Z","level":"info","msg":"message",
 *             "fields":{"program":"ffcd","pid":1234}}
 *            (with the journal's "<N>" prefix before it under journald)
 * Control characters in a message never reach the log as such: a peer's
 * bytes quoted in a message cannot start a line of their own.
 *
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

/* daemon.log_format and --log-format: lines for people or for machines. */
enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON = 1 };

/* The level in force for the whole process (LOG_INFO until set). Not
 * thread-safe: set it before starting anything that logs from another
 * thread (ffcd has one thread of its own). Cannot fail. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* The format in force (LOG_FORMAT_TEXT until set). Same rules as the
 * level. Cannot fail. */
void log_set_format(enum log_format format);

/* "text" or "json" (case ignored) into *out: 0, or -1 for anything else. */
int log_format_parse(const char *name, enum log_format *out);

/* 1 when journal_stream (the value of JOURNAL_STREAM, "DEVICE:INODE" in
 * decimal, may be NULL) names the file fd is open on: systemd connected
 * it to journald. 0 otherwise, also for a malformed value or a stream
 * inherited by a program whose stderr was since redirected elsewhere. */
int log_journal_stream(const char *journal_stream, int fd);

/* Whether lines go to journald (log_journal_stream): with the syslog
 * priority prefix and, in text, without the time, program and pid. 0
 * until set. Cannot fail. */
void log_set_journal(int on);

/* Where lines go: stderr's file descriptor (2) until set; tests point it
 * at a file. Cannot fail. */
void log_set_fd(int fd);

/* Between log_hold() and log_flush(), the calling thread's lines are
 * gathered and written together, whole lines only, at the flush or when
 * the next would not fit in PIPE_BUF bytes (so a pipe takes each write
 * whole, never interleaved with another writer's): one write for the
 * many lines a batch's alerts make, not one each. Other threads' lines
 * go out at once as ever. One thread holds at a time (the loop's). */
void log_hold(void);
void log_flush(void);

#if defined(__GNUC__)
#define FFC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FFC_PRINTF(a, b)
#endif

/* Write one line when level is at most the level set, in the format set:
 * the formatted message cut at 2 KiB. Errors writing are ignored (there is
 * nowhere to report them). fmt and its arguments are only read. */
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
 * (in text, after the message; in json, as the field "left_out"). Callers
 * count every one in stats all the same. The message is cut at 512
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
