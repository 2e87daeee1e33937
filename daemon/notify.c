/*
 * notify.c - sd_notify(3) for a unit of Type=notify (see notify.h). The
 * only file that includes systemd's header. Owns the watchdog's schedule;
 * does not decide when the daemon is ready, reloads or stops (server.c).
 */
#include "notify.h"

#include <stdio.h>

#include <systemd/sd-daemon.h>

#include "clock.h"
#include "log.h"

/* Watchdog: ping every interval_ms (half what the manager allows); 0 when
 * the manager wants no pings. */
static int64_t interval_ms;
static int64_t pinged_at_ms;

static void say(const char *state)
{
	/* < 0: the socket named is not there or refused the datagram. 0: not
	 * under a manager. Neither stops the daemon. */
	int rc = sd_notify(0, state);
	if (rc < 0)
		log_debug("notify: could not tell the service manager: error %d", -rc);
}

void notify_ready(void)
{
	if (!interval_ms) {
		uint64_t usec = 0;
		if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000) {
			interval_ms = (int64_t)(usec / 2000);
			log_info("notify: watchdog every %lld ms (the manager allows %llu ms)",
			         (long long)interval_ms, (unsigned long long)(usec / 1000));
		}
	}
	say("READY=1\nSTATUS=serving");
	if (interval_ms) {
		say("WATCHDOG=1");
		pinged_at_ms = clock_mono_ms();
	}
}

void notify_reloading(void)
{
	char msg[96];
	snprintf(msg, sizeof msg, "RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=%lld",
	         (long long)(clock_mono_ns() / 1000));
	say(msg);
}

void notify_stopping(void)
{
	say("STOPPING=1\nSTATUS=stopping");
}

void notify_watchdog(void)
{
	if (!interval_ms)
		return;
	int64_t now = clock_mono_ms();
	if (now - pinged_at_ms < interval_ms)
		return;
	say("WATCHDOG=1");
	pinged_at_ms = now;
}

long notify_wait_ms(long wait)
{
	if (!interval_ms)
		return wait;
	int64_t due = pinged_at_ms + interval_ms - clock_mono_ms();
	if (due < 0)
		due = 0;
	return wait < 0 || due < wait ? (long)due : wait;
}
