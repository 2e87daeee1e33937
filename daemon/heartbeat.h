/*
 * heartbeat.h - the alerts socket's heartbeat: when one is due, and the
 * ffc.v1.Heartbeat message it carries.
 *
 * A SUB socket says nothing about what it did not receive: an alert raised
 * before a console's subscription reached the daemon, dropped because the
 * console read too slowly, or raised while it was disconnected is simply
 * absent. About once a second tick.c has topic "heartbeat" published with
 * the latest alert seq, so even an idle console notices a gap (and catches
 * up through the control socket), a restart (started_at_ms changes) and
 * silence (the daemon or the network is down).
 *
 * The timing is a pure function of the clock passed in; the store and the
 * socket live in tick.c and server.c.
 */
#ifndef FFC_HEARTBEAT_H
#define FFC_HEARTBEAT_H

#include <stddef.h>
#include <stdint.h>

#define HEARTBEAT_TOPIC       "heartbeat"
#define HEARTBEAT_INTERVAL_MS 1000

struct heartbeat {
	int64_t interval_ms;
	int64_t started_at_ms;
	int64_t last_ms; /* when the last one was sent; 0: never */
};

/* Set *hb whole: none sent yet. Cannot fail. */
void heartbeat_init(struct heartbeat *hb, int64_t started_at_ms, int64_t interval_ms);

/* 1 when a heartbeat is due at now_ms (the first one at once), else 0. A
 * clock that stepped backwards makes one due, so a beat is never held up
 * for longer than the step. */
int heartbeat_due(const struct heartbeat *hb, int64_t now_ms);

/* How long a poll may wait at now_ms before the next heartbeat is due:
 * 0 .. interval_ms. */
int heartbeat_wait_ms(const struct heartbeat *hb, int64_t now_ms);

/* Note that a heartbeat was sent at now_ms. Cannot fail. */
void heartbeat_sent(struct heartbeat *hb, int64_t now_ms);

/* The ffc.v1.Heartbeat saying last_seq at now_ms, malloc'd into *out (the
 * caller frees it with free()). Returns 0, or -1 when out of memory (*out
 * is then NULL). */
int heartbeat_pack(const struct heartbeat *hb, uint64_t last_seq, int64_t now_ms, uint8_t **out,
                   size_t *len);

#endif
