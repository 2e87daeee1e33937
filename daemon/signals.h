/*
 * signals.h - SIGTERM, SIGINT and SIGHUP as the poll loop sees them.
 *
 * The handlers only set a flag and write a byte to a pipe whose read end
 * the loop polls, so a signal wakes the loop and everything it causes
 * happens between batches, in the loop's own thread. SIGPIPE is ignored.
 * Process-wide state: one set of handlers at a time.
 */
#ifndef FFC_SIGNALS_H
#define FFC_SIGNALS_H

/* Make the pipe and install the handlers. Returns 0, or -1 with errno
 * set (the pipe or a sigaction failed). */
int signals_install(void);

/* Restore the default handlers and close the pipe. Safe to call twice. */
void signals_remove(void);

/* The pipe's read end, for zmq_poll; -1 when not installed. */
int signals_fd(void);

/* The signal number of a SIGTERM or SIGINT received, 0 if none. */
int signals_stop(void);

/* 1 when a SIGHUP came since the last signals_reload_taken(), else 0. */
int signals_reload(void);

/* Empty the pipe and clear the SIGHUP flag: the reload asked for is now
 * in hand. */
void signals_reload_taken(void);

/* Empty the pipe (a stop is being acted on). */
void signals_drain(void);

#endif
