/*
 * ffc_watch_gap.c - ffc-watch's decisions about missed alerts (see
 * ffc_watch_gap.h). Pure: no sockets, no clock of its own.
 */
#include "ffc_watch_gap.h"

void watch_gap_init(struct watch_gap *g, uint64_t last, int64_t now_ms)
{
	g->last = last;
	/* Silence counts from the start: a daemon that is not there is
	 * reported as soon as one that never beats. */
	g->beat_ms = now_ms;
	g->interval_ms = 1000;
	g->started_at_ms = 0;
	g->silent = 0;
}

enum watch_verdict watch_gap_alert(const struct watch_gap *g, uint64_t seq)
{
	if (seq <= g->last)
		return WATCH_DROP;
	return seq == g->last + 1 ? WATCH_SHOW : WATCH_CATCH_UP;
}

enum watch_reason watch_gap_heartbeat(struct watch_gap *g, uint64_t last_seq, int64_t started_at_ms,
                                      int64_t interval_ms, int64_t now_ms, int *was_silent)
{
	*was_silent = g->silent;
	g->silent = 0;
	g->beat_ms = now_ms;
	if (interval_ms > 0)
		g->interval_ms = interval_ms;
	int restarted = g->started_at_ms != 0 && started_at_ms != g->started_at_ms;
	g->started_at_ms = started_at_ms;
	/* A heartbeat's last_seq below the cursor is no sign of anything on
	 * its own: it may have waited in the socket while a catch-up moved the
	 * cursor on. Only the control socket's answer says a store is new. */
	if (restarted)
		return WATCH_RESTART;
	return last_seq > g->last ? WATCH_HEARTBEAT : WATCH_OK;
}

int watch_gap_silent(struct watch_gap *g, int64_t now_ms)
{
	if (g->silent || now_ms - g->beat_ms < WATCH_SILENT_BEATS * g->interval_ms)
		return 0;
	g->silent = 1;
	return 1;
}

void watch_gap_handled(struct watch_gap *g, uint64_t seq)
{
	if (seq > g->last)
		g->last = seq;
}

const char *watch_reason_text(enum watch_reason r)
{
	switch (r) {
	case WATCH_SEQ_JUMP:
		return "missed on the way (a jump in seq)";
	case WATCH_HEARTBEAT:
		return "missed, announced by a heartbeat";
	case WATCH_RECONNECT:
		return "missed while disconnected";
	case WATCH_RESTART:
		return "missed while ffcd restarted";
	case WATCH_NEW_STORE:
		return "in a new store";
	case WATCH_OK:
		break;
	}
	return "since the last one seen";
}
