/*
 * notify.h - telling the service manager how ffcd is (sd_notify(3)), for
 * a unit of Type=notify: ready once its sockets are bound and the store is
 * open, reloading and ready again around a reload, stopping, and alive
 * (the watchdog) from every iteration of its loop.
 *
 * Outside systemd (no NOTIFY_SOCKET) every call does nothing. Process-wide
 * state, called from the loop's thread only. Nothing here can fail in a
 * way the daemon should act on: a message the manager does not get is
 * the manager's to notice.
 */
#ifndef FFC_NOTIFY_H
#define FFC_NOTIFY_H

#include <stdint.h>

/* READY=1 with a STATUS line: serving. Also the first watchdog ping,
 * and the start of the watchdog's schedule when the manager asked for
 * one (WATCHDOG_USEC, and WATCHDOG_PID naming this process if set). */
void notify_ready(void);

/* RELOADING=1 with MONOTONIC_USEC (the time the reload began, as
 * Type=notify-reload wants it): call before loading the configuration,
 * then notify_ready() after, whatever the outcome. */
void notify_reloading(void);

/* STOPPING=1: the loop is ending (a signal or ffcctl shutdown). */
void notify_stopping(void);

/* WATCHDOG=1 when half the manager's watchdog interval has passed since
 * the last ping: called from every iteration of the loop, so a loop that
 * stops turning stops the pings and the manager restarts ffcd. */
void notify_watchdog(void);

/* How long the loop may wait in poll (ms, as for zmq_poll): wait, or
 * less when the next watchdog ping falls due sooner. */
long notify_wait_ms(long wait);

#endif
