/*
 * ffc_watch_gap.h - when a console must catch up, as pure functions over
 * what it has seen: live alerts (seq), heartbeats and connection events,
 * and the clock passed in. ffc-watch does the fetching and printing; this
 * decides, so every case is unit-tested without sockets.
 *
 * The console's cursor, `last`, is the seq up to which every alert has
 * been handled (printed, or left out by a level filter). Alerts are stored
 * before they are published with seqs one apart, so anything beyond
 * last + 1 that the console hears of means alerts it did not get.
 */
#ifndef FFC_WATCH_GAP_H
#define FFC_WATCH_GAP_H

#include <stdint.h>

/* Heartbeats missed in a row before the console says it hears nothing. */
#define WATCH_SILENT_BEATS 3

enum watch_reason {
	WATCH_OK = 0,    /* nothing missed */
	WATCH_SEQ_JUMP,  /* a live alert's seq is more than one past the cursor */
	WATCH_HEARTBEAT, /* a heartbeat's last_seq is beyond the cursor */
	WATCH_RECONNECT, /* the connection came (back) up */
	WATCH_RESTART,   /* the daemon's start time changed */
	WATCH_NEW_STORE, /* the daemon's latest seq is below the cursor: a new store */
};

enum watch_verdict {
	WATCH_SHOW,     /* the next alert: print it */
	WATCH_DROP,     /* seen already (live and fetched alerts overlap) */
	WATCH_CATCH_UP, /* fetch what is missing first, then print it if still new */
};

struct watch_gap {
	uint64_t last;         /* every alert up to this seq was handled */
	int64_t beat_ms;       /* when the last heartbeat arrived, or when watching began */
	int64_t interval_ms;   /* the daemon's heartbeat interval (1000 until told) */
	int64_t started_at_ms; /* the daemon's start time (0: not heard yet) */
	int silent;            /* silence was reported and no heartbeat has come since */
};

void watch_gap_init(struct watch_gap *g, uint64_t last, int64_t now_ms);

/* A live alert with this seq arrived. */
enum watch_verdict watch_gap_alert(const struct watch_gap *g, uint64_t seq);

/* A heartbeat arrived at now_ms. Returns why the console must catch up
 * (WATCH_RESTART or WATCH_HEARTBEAT), or WATCH_OK. Sets *was_silent when
 * it ends a reported silence. */
enum watch_reason watch_gap_heartbeat(struct watch_gap *g, uint64_t last_seq, int64_t started_at_ms,
                                      int64_t interval_ms, int64_t now_ms, int *was_silent);

/* 1 once when no heartbeat has come for WATCH_SILENT_BEATS intervals (the
 * daemon or the network is down), then 0 until heartbeats resume. */
int watch_gap_silent(struct watch_gap *g, int64_t now_ms);

/* Every alert up to seq is handled: move the cursor (never backwards). */
void watch_gap_handled(struct watch_gap *g, uint64_t seq);

/* A few words for stderr: "missed while disconnected". */
const char *watch_reason_text(enum watch_reason r);

#endif
