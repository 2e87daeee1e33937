/*
 * web_ring.h - what ffc-web relays from ffcd's alerts socket to every
 * browser: the last RING_SIZE events (alerts, their changes, overdue
 * reminders, "resync" and the relay's own status), each with an id one
 * higher than the one before, kept as the JSON a browser is sent.
 *
 * A browser's place in the stream is a position, "BOOT.ID.SEQ": this
 * ffc-web process (a random BOOT, so a position from before a restart is
 * known as such), the last event it was sent and the highest alert seq it
 * has. It comes back as the Server-Sent Events Last-Event-ID when the
 * browser reconnects: from a position still in the ring the stream goes
 * on exactly where it left off; from any other, the browser catches up on
 * the alerts after SEQ through ffcd and reloads the rest.
 *
 * One writer (the relay thread, web_relay.c), any number of readers (one
 * thread per stream); a mutex and a condition variable between them.
 */
#ifndef FFC_WEB_RING_H
#define FFC_WEB_RING_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define RING_SIZE    2048
#define RING_BOOT    16 /* hex digits */
#define RING_POS_MAX 64 /* a position's text, with the NUL */

enum ring_kind {
	RING_ALERT = 1, /* an Alert as JSON: raised, or fetched in a catch-up */
	RING_CHANGE,    /* an AlertChange: acknowledged, noted, closed, evidence, reopened */
	RING_OVERDUE,   /* an Alert: the once-only reminder */
	RING_RESYNC,    /* changes may have been missed (ffcd restarted, the relay reconnected) */
	RING_STATUS,    /* {"live":bool,"why":text}: whether ffcd is heard */
};

struct ring_pos {
	char boot[RING_BOOT + 1];
	uint64_t id;  /* the last event sent (0: none) */
	uint64_t seq; /* the highest alert seq sent */
};

struct ring_event {
	uint64_t id;
	uint64_t seq; /* the highest alert seq up to and with this event */
	enum ring_kind kind;
	char *json; /* owned by the ring; a copy's by whoever asked */
};

struct ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char boot[RING_BOOT + 1];
	uint64_t next_id;  /* of the next event pushed (from 1) */
	uint64_t last_seq; /* the highest alert seq pushed */
	int stopping;
	struct ring_event ev[RING_SIZE]; /* event id i at ev[i % RING_SIZE] */
	char *status;                    /* the last RING_STATUS JSON, for new streams */
};

/* 0, or -1 (pthread failed). The boot is random (libsodium). */
int ring_init(struct ring *r);
void ring_destroy(struct ring *r);

/* Append an event; json is the ring's from now (freed when it falls out).
 * seq: an alert's seq (RING_ALERT, RING_OVERDUE, RING_CHANGE), else 0.
 * Wakes every reader. */
void ring_push(struct ring *r, enum ring_kind kind, uint64_t seq, char *json);

/* Where the stream is now: the last event and the highest alert seq. */
void ring_position(struct ring *r, struct ring_pos *p);

/* 1 when p was made by this ring and the events after it are all still
 * held (its stream can go on from p.id exactly). */
int ring_holds(struct ring *r, const struct ring_pos *p);

/* The event after id `after`, waiting up to timeout_ms for it. 1 with
 * *copy filled (copy->json malloc'd: the caller frees it), 0 when none
 * came in time, RING_STOPPING, RING_GONE (the event after `after` has
 * fallen out, or never was), RING_NOMEM. */
enum { RING_STOPPING = -1, RING_NOMEM = -2, RING_GONE = -3 };
int ring_next(struct ring *r, uint64_t after, int timeout_ms, struct ring_event *copy);

/* Wake every reader for good: ring_next returns RING_STOPPING from now on. */
void ring_stop(struct ring *r);

/* The last status pushed (malloc'd copy), or NULL. */
char *ring_status(struct ring *r);

/* "BOOT.ID.SEQ" into buf (RING_POS_MAX bytes). */
void ring_pos_format(const struct ring_pos *p, char *buf);
/* Parse a position as a browser sends it back (Last-Event-ID, or ?from=).
 * 0, or -1 when s is not one. Pure: no ring needed. */
int ring_pos_parse(const char *s, struct ring_pos *p);

#endif
