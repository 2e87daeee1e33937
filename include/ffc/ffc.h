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
 * matching ffc__v1__*__free_unpacked(msg, NULL). On any error *out is
 * NULL and there is nothing to free. Arguments passed in (endpoints,
 * prefixes, messages, buffers) are only read during the call and may be
 * freed when it returns; nothing keeps a pointer to them.
 *
 * Threads. Each ffc_conn_t and ffc_sub_t has its own ZeroMQ context and
 * socket, so different objects may be used by different threads at once.
 * One object must not be used by two threads at the same time (ZeroMQ
 * sockets are not thread-safe); handing it to another thread is safe when
 * the threads synchronise (a mutex or a join) at the hand-over. The
 * socket returned by ffc_conn_socket()/ffc_sub_socket() follows its
 * object. ffc_control_call() opens its own connection and may run in
 * several threads at once. ffc_curve_use() and ffc_cert_load() change or
 * use state shared by the whole process: call them before starting
 * threads that use libffc (or under a lock of your own). Everything else
 * (ffc_strerror, ffc_version, JSON, time) touches only its arguments.
 *
 * fork(). A ZeroMQ context does not survive fork(): its I/O threads exist
 * only in the parent. A child must neither use nor destroy the objects it
 * inherited (destroying would wait on threads that are not there); it
 * creates new ones, or calls exec. The parent goes on using its own. The
 * keys set with ffc_curve_use() are inherited like any memory.
 */
#ifndef FFC_FFC_H
#define FFC_FFC_H

#include <stddef.h>
#include <stdint.h>

#include "ffc.pb-c.h"
#include "ffc_version.h"

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

/* A short English description of an FFC_E* code ("unknown error" for any
 * other number). The string is static: never freed, valid for ever. */
const char *ffc_strerror(int err);

/* The version of the libffc the program runs with, "MAJOR.MINOR.PATCH";
 * FFC_VERSION_STRING is the version of the headers it was built with, so a
 * program can tell when the two differ. Static: never freed. Never
 * fails. */
const char *ffc_version(void);

/* ---- a request/reply connection (ingest or control) ------------------- */

/* A DEALER socket connected to endpoint: any number of requests may be in
 * flight; replies come back in the order the daemon answers them. */
typedef struct ffc_conn ffc_conn_t;

/* A new connection to endpoint ("tcp://host:port", "ipc:///path"), with
 * the CURVE keys set by ffc_curve_use() when endpoint is tcp://. ZeroMQ
 * connects in the background: a daemon that is not there yet is not an
 * error here (requests wait for it, up to their timeout). Returns NULL
 * when endpoint is NULL or malformed, or on out of memory or a ZeroMQ
 * error. The caller owns the result: ffc_conn_destroy() it. */
ffc_conn_t *ffc_conn_new(const char *endpoint);

/* Close the connection (messages not yet sent are dropped), free it and
 * set *conn to NULL. NULL or *conn NULL: nothing happens. */
void ffc_conn_destroy(ffc_conn_t **conn);

/* Send one frame, data[0..len), waiting up to timeout_ms (-1: for ever)
 * while the send queue is full. Returns FFC_OK (queued, not yet
 * delivered), FFC_EINVAL (conn NULL, or data NULL with len > 0),
 * FFC_ETIMEOUT (still full, or a signal interrupted the wait), FFC_EZMQ.
 * data is copied before the call returns. */
int ffc_conn_send(ffc_conn_t *conn, const void *data, size_t len, int timeout_ms);

/* Wait up to timeout_ms (-1: for ever) for one frame. Returns FFC_OK with
 * *data a malloc'd copy of *len bytes (the caller frees it, also when
 * *len is 0), FFC_ETIMEOUT when none came (or a signal interrupted the
 * wait), FFC_EINVAL (an argument NULL), FFC_ENOMEM, FFC_EZMQ; on every
 * error *data is NULL or untouched and needs no free. */
int ffc_conn_recv(ffc_conn_t *conn, void **data, size_t *len, int timeout_ms);

/* The ZeroMQ socket, for zmq_poll() beside the program's own sockets.
 * Borrowed: valid until ffc_conn_destroy(); do not close it, and read and
 * write it only through ffc_conn_*. NULL when conn is NULL. */
void *ffc_conn_socket(ffc_conn_t *conn);

/* ---- ingest ------------------------------------------------------------- */

/* Pack concern and send it: as ffc_conn_send(), and FFC_EINVAL when
 * concern is NULL, FFC_ENOMEM when packing cannot allocate. The concern
 * is only read. The daemon answers each with a receipt. */
int ffc_send_concern(ffc_conn_t *conn, const Ffc__V1__Concern *concern, int timeout_ms);

/* Wait for the next receipt: as ffc_conn_recv(), and FFC_EPROTO when the
 * frame is not a Receipt (it is consumed). On FFC_OK *out is the
 * caller's (ffc__v1__receipt__free_unpacked(*out, NULL)); otherwise
 * *out is NULL. FFC_EINVAL when out is NULL. */
int ffc_recv_receipt(ffc_conn_t *conn, Ffc__V1__Receipt **out, int timeout_ms);

/* ---- control ------------------------------------------------------------ */

/* One request, one reply, on a fresh connection to endpoint (opened and
 * closed inside the call). Returns FFC_OK with *out the reply, the
 * caller's (ffc__v1__control_reply__free_unpacked(*out, NULL)); a refusal
 * by the daemon is an FFC_OK whose reply says so. Errors, with *out NULL:
 * FFC_EINVAL (an argument NULL), FFC_ENODAEMON (an ipc:// endpoint whose
 * socket file is missing: at once), FFC_EPERM (an ipc:// socket file this
 * user may not open, or a directory above it: at once), FFC_ETIMEOUT (no
 * answer within timeout_ms), FFC_ENOMEM, FFC_EZMQ (endpoint malformed,
 * socket error), FFC_EPROTO (the answer is not a ControlReply). req is
 * only read. */
int ffc_control_call(const char *endpoint, const Ffc__V1__ControlRequest *req,
                     Ffc__V1__ControlReply **out, int timeout_ms);

/* ---- alerts ------------------------------------------------------------- */

typedef struct ffc_sub ffc_sub_t;

/* Subscribe to the alerts published at endpoint whose topic starts with
 * prefix ("alert." for all, "alert.red" for RED), with the CURVE keys set
 * by ffc_curve_use() when endpoint is tcp://. As for ffc_conn_new(), the
 * daemon need not be there yet. Returns NULL when an argument is NULL,
 * endpoint is malformed, or on out of memory or a ZeroMQ error. The
 * caller owns the result: ffc_sub_destroy() it. */
ffc_sub_t *ffc_sub_new(const char *endpoint, const char *prefix);

/* Close the subscription (and its monitor), free it and set *sub to NULL.
 * NULL or *sub NULL: nothing happens. */
void ffc_sub_destroy(ffc_sub_t **sub);

/* The SUB socket for zmq_poll(); borrowed, as ffc_conn_socket(). With
 * ffc_sub_monitor() on, connection events arrive on a second, internal
 * socket that this one does not show: poll with a timeout then. */
void *ffc_sub_socket(ffc_sub_t *sub);

/* Wait up to timeout_ms (-1: for ever) for one alert. topic (topic_len
 * bytes, always terminated, cut to fit; may be NULL) receives its topic.
 * Returns FFC_OK with *out the caller's
 * (ffc__v1__alert__free_unpacked(*out, NULL)); FFC_ETIMEOUT when none
 * came; FFC_EPROTO for a message that does not parse as an Alert (it is
 * consumed); FFC_EINVAL (sub or out NULL, or topic given with topic_len
 * 0); FFC_ENOMEM; FFC_EZMQ. On every error *out is NULL. Heartbeats,
 * changes and connection events are skipped: ffc_sub_next() returns
 * them. */
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
 * subscription is a prefix; a socket may hold several). Returns FFC_OK,
 * FFC_EINVAL (an argument NULL) or FFC_EZMQ. prefix is copied. */
int ffc_sub_subscribe(ffc_sub_t *sub, const char *prefix);

/* Report the socket's connections to the daemon as FFC_SUB_CONNECTED (the
 * connection is up and the subscriptions are being sent) and
 * FFC_SUB_DISCONNECTED events of ffc_sub_next() (ffc_sub_recv discards
 * them). Only connections made after the call are reported, so call it
 * right after ffc_sub_new, and catch up once anyway. Returns FFC_OK (also
 * when already on), FFC_EINVAL (sub NULL) or FFC_EZMQ (nothing changed). */
int ffc_sub_monitor(ffc_sub_t *sub);

enum ffc_sub_kind {
	FFC_SUB_ALERT = 1,        /* ev->alert */
	FFC_SUB_HEARTBEAT = 2,    /* ev->heartbeat */
	FFC_SUB_CONNECTED = 3,    /* (re)connected to the daemon: catch up */
	FFC_SUB_DISCONNECTED = 4, /* the connection dropped; ZeroMQ retries */
	FFC_SUB_CHANGE = 5,       /* ev->change: an alert was acknowledged, noted, closed, given new
	                             evidence or reopened */
	FFC_SUB_OVERDUE = 6,      /* ev->alert: the once-only reminder of an overdue alert */
	FFC_SUB_ACCESS = 7,       /* ev->access: a point-of-contact lookup of a known child */
	FFC_SUB_NOTICE = 8,       /* ev->notice: an Operation Encompass notice ("notice.*": raised,
	                             its reminder or its acknowledgement, as the topic says) */
	FFC_SUB_FEEDBACK = 9,     /* ev->feedback: feedback on a closed alert ("feedback.*") */
};

/* Where ffcd announces each lookup of a known child (every console may
 * hear it): an AccessNotice, never an AlertChange, though it is an event. */
#define FFC_ACCESS_TOPIC "event.access"

typedef struct ffc_sub_event {
	enum ffc_sub_kind kind;
	char topic[128];       /* the message's topic, or the endpoint of a connection event */
	Ffc__V1__Alert *alert; /* FFC_SUB_ALERT: owned, freed by ffc_sub_event_release */
	Ffc__V1__Heartbeat *heartbeat; /* FFC_SUB_HEARTBEAT: likewise */
	Ffc__V1__AlertChange *change;  /* FFC_SUB_CHANGE: likewise */
	Ffc__V1__AccessNotice *access; /* FFC_SUB_ACCESS: likewise */
	Ffc__V1__SchoolNotice *notice; /* FFC_SUB_NOTICE: likewise */
	Ffc__V1__Feedback *feedback;   /* FFC_SUB_FEEDBACK: likewise */
} ffc_sub_event_t;

/* Wait up to timeout_ms (-1: for ever) for the next alert, heartbeat or
 * connection event. Returns 0 with *ev filled: its message is the
 * caller's until ffc_sub_event_release(ev). FFC_ETIMEOUT when nothing
 * came (or a signal interrupted the wait), FFC_EPROTO for a message that
 * does not parse as its topic says (it is consumed; *ev holds its topic
 * and no message), FFC_EINVAL (an argument NULL), FFC_ENOMEM, FFC_EZMQ.
 * *ev is cleared first, so releasing it after any return is safe.
 * Messages under topics other than alert.*, event.* (FFC_SUB_CHANGE;
 * event.access is FFC_SUB_ACCESS), overdue.* (FFC_SUB_OVERDUE), notice.*
 * (FFC_SUB_NOTICE), feedback.* (FFC_SUB_FEEDBACK) and heartbeat are
 * skipped; a subscription decides which of them arrive at all (and the
 * daemon, which a key may receive). */
int ffc_sub_next(ffc_sub_t *sub, ffc_sub_event_t *ev, int timeout_ms);

/* Free the message an event holds and clear it; safe on a cleared event,
 * twice, and with NULL. */
void ffc_sub_event_release(ffc_sub_event_t *ev);

/* ---- JSON ---------------------------------------------------------------
 * Any message as JSON with the proto's field names, enums by name,
 * 64-bit integers as JSON numbers, repeated fields as arrays. */

/* A malloc'd JSON text (compact: one line), the caller's to free(); NULL
 * when out of memory or msg is NULL. msg is only read. */
char *ffc_json_from_message(const ProtobufCMessage *msg);

/* Build a message of type desc from a JSON object: the form above, or
 * the protobuf standard JSON mapping (lowerCamelCase names such as
 * "concernId", 64-bit integers as strings, null for unset). Field names as
 * in the proto or their lowerCamelCase JSON names; integers as JSON
 * numbers or decimal strings. Enum values may be given by name in any case
 * with '-' or '_' ("domestic-abuse"), or by number. Unknown fields, a
 * field given under both its names, and wrong types are errors naming the
 * field path ("children[0].nhs_number: expected a string"). Returns FFC_OK with *out
 * a message to free with protobuf_c_message_free_unpacked(*out, NULL);
 * FFC_EJSON with the reason in err (cut to errlen) when the text is not
 * JSON or does not describe the message; FFC_EINVAL (an argument NULL);
 * FFC_ENOMEM. On every error *out is NULL. */
int ffc_message_from_json(const ProtobufCMessageDescriptor *desc, const char *json,
                          ProtobufCMessage **out, char *err, size_t errlen);

/* ---- time ---------------------------------------------------------------- */

/* A date or time to Unix milliseconds: "2026-03-02", "2026-03-02T14:05",
 * "2026-03-02T14:05:30Z", or RFC 3339 with a fraction of a second and an
 * offset, "2026-03-02T14:05:30.123456+01:00" (to the millisecond, the rest
 * of the fraction dropped). Without an offset it is UTC. Returns 0, or
 * FFC_EINVAL. */
int ffc_parse_time(const char *s, int64_t *ms);

/* Unix milliseconds as "2026-03-02 14:05" (UTC) into buf, cut to len
 * bytes and terminated (as snprintf). Never fails. */
void ffc_format_time(int64_t ms, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
