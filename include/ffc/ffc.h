/*
 * ffc.h - libffc, the client library for ffc: what an agency adapter, a
 * MACPT console or an operator tool written in C links to talk to ffcd.
 *
 * The messages are the protobuf-c types generated from proto/ffc.proto
 * (ffc.pb-c.h, installed beside this header): build a Ffc__V1__Concern,
 * send it, read the Ffc__V1__Receipt. Everything here returns 0 or a
 * negative FFC_E* code (ffc_strerror() says what it means) and never
 * aborts. Objects follow one pattern: x_new() returns NULL on failure,
 * x_destroy(&x) frees, sets x to NULL and is safe to call twice.
 *
 * Messages returned through `**out` are the caller's: free them with the
 * matching ffc__v1__*__free_unpacked(msg, NULL).
 */
#ifndef FFC_FFC_H
#define FFC_FFC_H

#include <stddef.h>
#include <stdint.h>

#include "ffc.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
	FFC_OK = 0,
	FFC_EINVAL = -1,    /* an argument is not valid */
	FFC_ENOMEM = -2,    /* out of memory */
	FFC_ETIMEOUT = -3,  /* no answer in time (is the daemon running?) */
	FFC_EZMQ = -4,      /* ZeroMQ refused (bad endpoint, socket error) */
	FFC_EPROTO = -5,    /* the peer sent something that is not the expected message */
	FFC_ENODAEMON = -6, /* no daemon at that endpoint (ipc socket file missing) */
	FFC_EJSON = -7,     /* JSON that does not describe the message */
	FFC_EPERM = -8,     /* the ipc socket file is there, but this user may not open it */
};

/* A short English description of an FFC_E* code. */
const char *ffc_strerror(int err);

/* ---- a request/reply connection (ingest or control) ------------------- */

/* A DEALER socket connected to endpoint: any number of requests may be in
 * flight; replies come back in the order the daemon answers them. */
typedef struct ffc_conn ffc_conn_t;

ffc_conn_t *ffc_conn_new(const char *endpoint);
void ffc_conn_destroy(ffc_conn_t **conn);

/* Send one frame without blocking for long (a full queue waits up to
 * timeout_ms, then FFC_ETIMEOUT). */
int ffc_conn_send(ffc_conn_t *conn, const void *data, size_t len, int timeout_ms);

/* Wait up to timeout_ms (-1: for ever) for one frame. *data is malloc'd
 * (caller frees). FFC_ETIMEOUT when none came. */
int ffc_conn_recv(ffc_conn_t *conn, void **data, size_t *len, int timeout_ms);

/* The socket's file descriptor-like handle for zmq_poll (borrowed). */
void *ffc_conn_socket(ffc_conn_t *conn);

/* ---- ingest ------------------------------------------------------------- */

int ffc_send_concern(ffc_conn_t *conn, const Ffc__V1__Concern *concern, int timeout_ms);
int ffc_recv_receipt(ffc_conn_t *conn, Ffc__V1__Receipt **out, int timeout_ms);

/* ---- control ------------------------------------------------------------ */

/* One request, one reply, on a fresh connection to endpoint. A daemon that
 * does not answer within timeout_ms gives FFC_ETIMEOUT; an ipc:// endpoint
 * whose socket file is missing gives FFC_ENODAEMON at once, one this user
 * may not open (the file or a directory above it) FFC_EPERM. */
int ffc_control_call(const char *endpoint, const Ffc__V1__ControlRequest *req,
                     Ffc__V1__ControlReply **out, int timeout_ms);

/* ---- alerts ------------------------------------------------------------- */

typedef struct ffc_sub ffc_sub_t;

/* Subscribe to the alerts published at endpoint whose topic starts with
 * prefix ("alert." for all, "alert.red" for RED). */
ffc_sub_t *ffc_sub_new(const char *endpoint, const char *prefix);
void ffc_sub_destroy(ffc_sub_t **sub);
void *ffc_sub_socket(ffc_sub_t *sub);

/* Wait up to timeout_ms for one alert. topic (topic_len bytes, terminated)
 * receives its topic. FFC_ETIMEOUT when none came. Heartbeats, when
 * subscribed to, are skipped: ffc_sub_next() returns them. */
int ffc_sub_recv(ffc_sub_t *sub, char *topic, size_t topic_len, Ffc__V1__Alert **out,
                 int timeout_ms);

/* A console that must never miss an alert.
 *
 * A SUB socket is silent about what it did not receive: alerts raised
 * before its subscription reached the daemon, dropped because it read too
 * slowly, or raised while it was disconnected (ZeroMQ reconnects on its
 * own, and says nothing). So a console
 *   1. subscribes to its alerts and to FFC_HEARTBEAT_TOPIC (the daemon
 *      publishes an ffc.v1.Heartbeat with the latest alert seq about once a
 *      second), and turns on connection events with ffc_sub_monitor();
 *   2. then fetches the alerts since the last seq it saw through the control
 *      socket (ControlRequest.alerts), and does so again whenever an alert's
 *      seq is more than one past the last seen, a heartbeat's last_seq is
 *      beyond it, or FFC_SUB_CONNECTED arrives (a reconnect);
 *   3. drops duplicates by seq (live and fetched alerts overlap).
 * A heartbeat that does not come for a few intervals means the daemon or the
 * network is down. ffc-watch does all of this. */

#define FFC_HEARTBEAT_TOPIC "heartbeat"

/* Also receive what is published under topics starting with prefix (a
 * subscription is a prefix; a socket may hold several). */
int ffc_sub_subscribe(ffc_sub_t *sub, const char *prefix);

/* Report the socket's connections to the daemon as FFC_SUB_CONNECTED (the
 * connection is up and the subscriptions are being sent) and
 * FFC_SUB_DISCONNECTED events of ffc_sub_next() (ffc_sub_recv discards
 * them). Only connections made after the call are reported, so call it
 * right after ffc_sub_new, and catch up once anyway. */
int ffc_sub_monitor(ffc_sub_t *sub);

enum ffc_sub_kind {
	FFC_SUB_ALERT = 1,        /* ev->alert */
	FFC_SUB_HEARTBEAT = 2,    /* ev->heartbeat */
	FFC_SUB_CONNECTED = 3,    /* (re)connected to the daemon: catch up */
	FFC_SUB_DISCONNECTED = 4, /* the connection dropped; ZeroMQ retries */
	FFC_SUB_CHANGE = 5,       /* ev->change: an alert was acknowledged, noted or closed */
	FFC_SUB_OVERDUE = 6,      /* ev->alert: the once-only reminder of an overdue alert */
};

typedef struct ffc_sub_event {
	enum ffc_sub_kind kind;
	char topic[128];       /* the message's topic, or the endpoint of a connection event */
	Ffc__V1__Alert *alert; /* FFC_SUB_ALERT: owned, freed by ffc_sub_event_release */
	Ffc__V1__Heartbeat *heartbeat; /* FFC_SUB_HEARTBEAT: likewise */
	Ffc__V1__AlertChange *change;  /* FFC_SUB_CHANGE: likewise */
} ffc_sub_event_t;

/* Wait up to timeout_ms for the next alert, heartbeat or connection event.
 * Returns 0 with *ev filled (release it with ffc_sub_event_release),
 * FFC_ETIMEOUT when nothing came, FFC_EPROTO for a message that does not
 * parse as its topic says (it is consumed; *ev holds its topic). Messages
 * under topics other than alert.*, event.* (FFC_SUB_CHANGE), overdue.*
 * (FFC_SUB_OVERDUE) and heartbeat are skipped; a subscription decides
 * which of them arrive at all. */
int ffc_sub_next(ffc_sub_t *sub, ffc_sub_event_t *ev, int timeout_ms);
void ffc_sub_event_release(ffc_sub_event_t *ev);

/* ---- JSON ---------------------------------------------------------------
 * Any message as JSON with the proto's field names, enums by name,
 * 64-bit integers as JSON numbers, repeated fields as arrays. */

/* A malloc'd JSON text (compact: one line), or NULL when out of memory. */
char *ffc_json_from_message(const ProtobufCMessage *msg);

/* Build a message of type desc from a JSON object. Enum values may be
 * given by name in any case with '-' or '_' ("domestic-abuse"), or by
 * number. Unknown fields and wrong types are errors naming the field path
 * ("children[0].nhs_number: expected a string"). On success *out is a
 * message to free with protobuf_c_message_free_unpacked(*out, NULL). */
int ffc_message_from_json(const ProtobufCMessageDescriptor *desc, const char *json,
                          ProtobufCMessage **out, char *err, size_t errlen);

/* ---- time ---------------------------------------------------------------- */

/* "2026-03-02", "2026-03-02T14:05", "2026-03-02T14:05:30Z" (UTC) to Unix
 * milliseconds. Returns 0, or FFC_EINVAL. */
int ffc_parse_time(const char *s, int64_t *ms);

/* Unix milliseconds as "2026-03-02 14:05" (UTC) into buf. */
void ffc_format_time(int64_t ms, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
