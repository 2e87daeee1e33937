/*
 * log.h - leveled logging to stderr.
 *
 * One line per event: "2026-11-22T16:30:00.123Z ffcd[1234] INFO: message".
 * Never logs concern content beyond ids: summaries and names are personal
 * data and stay in the store.
 */
#ifndef FFC_LOG_H
#define FFC_LOG_H

#include "config.h"

void log_set_level(enum log_level level);
enum log_level log_get_level(void);

#if defined(__GNUC__)
#define FFC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FFC_PRINTF(a, b)
#endif

void log_msg(enum log_level level, const char *fmt, ...) FFC_PRINTF(2, 3);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
