/*
 * ffc_metrics_text.h - what ffc-metrics serves, made from the daemon's
 * status and stats replies: the Prometheus text exposition (format 0.0.4)
 * and the health answer. Pure: no sockets, no clock (ages are measured on
 * the daemon's clock, StatusReply.now_ms), so the unit tests feed it
 * replies built by hand.
 */
#ifndef FFC_TOOLS_METRICS_TEXT_H
#define FFC_TOOLS_METRICS_TEXT_H

#include <stddef.h>

#include "ffc/ffc.h"

/* A growing text buffer; `failed` once memory ran out (the text is then
 * incomplete and must not be served). */
struct metrics_buf {
	char *text;
	size_t len, cap;
	int failed;
};

/* Free the buffer's text and clear it; safe twice. */
void metrics_buf_release(struct metrics_buf *b);

/* Append the exposition to b. status and stats are the daemon's answers;
 * either NULL means it did not answer (error says why, for the log), and
 * only ffc_up 0 is written. Label values are escaped as the format says
 * (backslash, double quote, line feed). */
void metrics_render(struct metrics_buf *b, const Ffc__V1__StatusReply *status,
                    const Ffc__V1__StatsReply *stats);

/* The health answer: 200 when the daemon answered (status not NULL) and
 * its store has no fault, else 503. reason gets one line saying which
 * ("ok: ffcd 0.1.0 up 42 s", "store: disk full since 2026-03-02 14:05 UTC",
 * or error when the daemon did not answer), cut to len. */
int metrics_health(const Ffc__V1__StatusReply *status, const char *error, char *reason, size_t len);

#endif
