/*
 * control.h - the operators' control socket: one ControlRequest frame in,
 * one ControlReply frame out (proto/ffc.proto).
 *
 * Requests are answered from read transactions; nothing here writes to
 * the store. The server owns the socket and the loop.
 */
#ifndef FFC_CONTROL_H
#define FFC_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"
#include "store.h"

/* A page of alerts when the request sets no limit, and the most one
 * request may ask for. */
#define CONTROL_ALERTS_PAGE 500
#define CONTROL_ALERTS_MAX  5000
/* Requests are small; anything larger is refused unread. */
#define CONTROL_REQUEST_MAX 4096

struct daemon_info {
	const char *version;
	int64_t started_at_ms;
	const char *ingest, *alerts, *control;
	long pid;
};

enum control_action { CONTROL_NONE = 0, CONTROL_SHUTDOWN = 1 };

/* Answer one request. *reply is malloc'd (caller frees). Returns what the
 * server must do after sending the reply. A reply is always produced,
 * unless memory runs out (then *reply is NULL). */
enum control_action control_handle(struct store *s, const struct daemon_info *info,
                                   const struct stats *st, const uint8_t *req, size_t len,
                                   int64_t now_ms, uint8_t **reply, size_t *reply_len);

#endif
