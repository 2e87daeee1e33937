/*
 * conn.c - libffc's sockets: request/reply connections (DEALER) for
 * ingest and control, and alert subscriptions (SUB).
 *
 * Owns a ZeroMQ context per object, so that each is independent and a
 * program may use several. Does not own message content (the generated
 * protobuf-c code) or JSON (json.c).
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "ffc/cert.h"
#include "ffc/ffc.h"

const char *ffc_strerror(int err)
{
	switch (err) {
	case FFC_OK:
		return "success";
	case FFC_EINVAL:
		return "invalid argument";
	case FFC_ENOMEM:
		return "out of memory";
	case FFC_ETIMEOUT:
		return "no answer in time (is ffcd running?)";
	case FFC_EZMQ:
		return "ZeroMQ error";
	case FFC_EPROTO:
		return "unexpected message from the peer";
	case FFC_ENODAEMON:
		return "no daemon at that endpoint";
	case FFC_EJSON:
		return "JSON does not describe the message";
	case FFC_EPERM:
		return "permission denied on the socket file";
	default:
		return "unknown error";
	}
}

struct ffc_conn {
	void *ctx, *sock;
};

/* The keys set by ffc_curve_use(), for every tcp:// socket opened after. */
static struct {
	int on;
	char public_key[FFC_KEY_Z85_LEN + 1], secret_key[FFC_KEY_Z85_LEN + 1];
	char server_key[FFC_KEY_Z85_LEN + 1];
} curve;

int ffc_curve_use(const char *public_key, const char *secret_key, const char *server_key)
{
	if (!public_key && !secret_key && !server_key) {
		explicit_bzero(&curve, sizeof curve);
		return FFC_OK;
	}
	if (!ffc_key_valid(public_key) || !ffc_key_valid(secret_key) || !ffc_key_valid(server_key))
		return FFC_EINVAL;
	memcpy(curve.public_key, public_key, sizeof curve.public_key);
	memcpy(curve.secret_key, secret_key, sizeof curve.secret_key);
	memcpy(curve.server_key, server_key, sizeof curve.server_key);
	curve.on = 1;
	return FFC_OK;
}

/* A CURVE client of the daemon, when keys are set and the endpoint is
 * tcp:// (ipc:// is guarded by file permissions, and ffcd does not run
 * CURVE there). */
static int curve_client(void *s, const char *endpoint)
{
	if (!curve.on || strncmp(endpoint, "tcp://", 6) != 0)
		return 0;
	if (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, curve.server_key, FFC_KEY_Z85_LEN) < 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, curve.public_key, FFC_KEY_Z85_LEN) < 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, curve.secret_key, FFC_KEY_Z85_LEN) < 0)
		return -1;
	return 0;
}

static void *socket_new(void **ctx, int type, const char *endpoint)
{
	*ctx = zmq_ctx_new();
	if (!*ctx)
		return NULL;
	void *s = zmq_socket(*ctx, type);
	if (!s) {
		zmq_ctx_term(*ctx);
		*ctx = NULL;
		return NULL;
	}
	/* Never hang at exit on messages the daemon will not take. */
	int linger = 0;
	if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
	    curve_client(s, endpoint) < 0 || zmq_connect(s, endpoint) < 0) {
		zmq_close(s);
		zmq_ctx_term(*ctx);
		*ctx = NULL;
		return NULL;
	}
	return s;
}

ffc_conn_t *ffc_conn_new(const char *endpoint)
{
	if (!endpoint)
		return NULL;
	ffc_conn_t *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->sock = socket_new(&c->ctx, ZMQ_DEALER, endpoint);
	if (!c->sock) {
		free(c);
		return NULL;
	}
	/* Pipelining senders keep many concerns queued. */
	int hwm = 100000;
	if (zmq_setsockopt(c->sock, ZMQ_SNDHWM, &hwm, sizeof hwm) < 0 ||
	    zmq_setsockopt(c->sock, ZMQ_RCVHWM, &hwm, sizeof hwm) < 0) {
		ffc_conn_destroy(&c);
		return NULL;
	}
	return c;
}

void ffc_conn_destroy(ffc_conn_t **p)
{
	if (!p || !*p)
		return;
	zmq_close((*p)->sock);
	zmq_ctx_term((*p)->ctx);
	free(*p);
	*p = NULL;
}

void *ffc_conn_socket(ffc_conn_t *conn)
{
	return conn ? conn->sock : NULL;
}

static int wait_for(void *sock, short events, int timeout_ms)
{
	zmq_pollitem_t item = {sock, 0, events, 0};
	int rc = zmq_poll(&item, 1, timeout_ms);
	if (rc < 0)
		return zmq_errno() == EINTR ? FFC_ETIMEOUT : FFC_EZMQ;
	return rc == 0 ? FFC_ETIMEOUT : FFC_OK;
}

int ffc_conn_send(ffc_conn_t *conn, const void *data, size_t len, int timeout_ms)
{
	if (!conn || (!data && len))
		return FFC_EINVAL;
	int rc = wait_for(conn->sock, ZMQ_POLLOUT, timeout_ms);
	if (rc != FFC_OK)
		return rc;
	return zmq_send(conn->sock, data, len, ZMQ_DONTWAIT) < 0 ? FFC_EZMQ : FFC_OK;
}

/* Read one whole message; the payload is its last frame. */
static int recv_payload(void *sock, void **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	for (;;) {
		zmq_msg_t msg;
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&msg);
			free(*data);
			*data = NULL;
			return FFC_EZMQ;
		}
		free(*data);
		*len = zmq_msg_size(&msg);
		*data = malloc(*len ? *len : 1);
		if (*data)
			memcpy(*data, zmq_msg_data(&msg), *len);
		int more = zmq_msg_more(&msg);
		zmq_msg_close(&msg);
		if (!*data)
			return FFC_ENOMEM;
		if (!more)
			return FFC_OK;
	}
}

int ffc_conn_recv(ffc_conn_t *conn, void **data, size_t *len, int timeout_ms)
{
	if (!conn || !data || !len)
		return FFC_EINVAL;
	int rc = wait_for(conn->sock, ZMQ_POLLIN, timeout_ms);
	if (rc != FFC_OK)
		return rc;
	return recv_payload(conn->sock, data, len);
}

int ffc_send_concern(ffc_conn_t *conn, const Ffc__V1__Concern *concern, int timeout_ms)
{
	if (!concern)
		return FFC_EINVAL;
	size_t n = ffc__v1__concern__get_packed_size(concern);
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		return FFC_ENOMEM;
	ffc__v1__concern__pack(concern, buf);
	int rc = ffc_conn_send(conn, buf, n, timeout_ms);
	free(buf);
	return rc;
}

int ffc_recv_receipt(ffc_conn_t *conn, Ffc__V1__Receipt **out, int timeout_ms)
{
	if (!out)
		return FFC_EINVAL;
	*out = NULL;
	void *data;
	size_t len;
	int rc = ffc_conn_recv(conn, &data, &len, timeout_ms);
	if (rc != FFC_OK)
		return rc;
	*out = ffc__v1__receipt__unpack(NULL, len, data);
	free(data);
	return *out ? FFC_OK : FFC_EPROTO;
}

int ffc_control_call(const char *endpoint, const Ffc__V1__ControlRequest *req,
                     Ffc__V1__ControlReply **out, int timeout_ms)
{
	if (!endpoint || !req || !out)
		return FFC_EINVAL;
	*out = NULL;
	/* ZeroMQ queues a request for a peer that never comes; for a local
	 * socket file we can say at once that nobody is there, or that this
	 * user may not connect (a directory above it not searchable, or the
	 * file not writable: connecting to a Unix socket needs write). */
	if (strncmp(endpoint, "ipc://", 6) == 0) {
		struct stat st;
		if (stat(endpoint + 6, &st) < 0)
			return errno == EACCES ? FFC_EPERM : FFC_ENODAEMON;
		if (!S_ISSOCK(st.st_mode))
			return FFC_ENODAEMON;
		if (access(endpoint + 6, R_OK | W_OK) < 0 && errno == EACCES)
			return FFC_EPERM;
	}
	ffc_conn_t *c = ffc_conn_new(endpoint);
	if (!c)
		return FFC_EZMQ;
	size_t n = ffc__v1__control_request__get_packed_size(req);
	uint8_t *buf = malloc(n ? n : 1);
	int rc = FFC_ENOMEM;
	if (buf) {
		ffc__v1__control_request__pack(req, buf);
		rc = ffc_conn_send(c, buf, n, timeout_ms);
		free(buf);
	}
	void *data = NULL;
	size_t len = 0;
	if (rc == FFC_OK)
		rc = ffc_conn_recv(c, &data, &len, timeout_ms);
	if (rc == FFC_OK) {
		*out = ffc__v1__control_reply__unpack(NULL, len, data);
		rc = *out ? FFC_OK : FFC_EPROTO;
	}
	free(data);
	ffc_conn_destroy(&c);
	return rc;
}

struct ffc_sub {
	void *ctx, *sock;
	void *monitor; /* PAIR receiving sock's connection events, or NULL */
};

ffc_sub_t *ffc_sub_new(const char *endpoint, const char *prefix)
{
	if (!endpoint || !prefix)
		return NULL;
	ffc_sub_t *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->sock = socket_new(&s->ctx, ZMQ_SUB, endpoint);
	if (!s->sock || zmq_setsockopt(s->sock, ZMQ_SUBSCRIBE, prefix, strlen(prefix)) < 0) {
		ffc_sub_destroy(&s);
		return NULL;
	}
	return s;
}

void ffc_sub_destroy(ffc_sub_t **p)
{
	if (!p || !*p)
		return;
	if ((*p)->monitor) {
		zmq_socket_monitor((*p)->sock, NULL, 0);
		zmq_close((*p)->monitor);
	}
	if ((*p)->sock)
		zmq_close((*p)->sock);
	if ((*p)->ctx)
		zmq_ctx_term((*p)->ctx);
	free(*p);
	*p = NULL;
}

void *ffc_sub_socket(ffc_sub_t *sub)
{
	return sub ? sub->sock : NULL;
}

int ffc_sub_subscribe(ffc_sub_t *sub, const char *prefix)
{
	if (!sub || !prefix)
		return FFC_EINVAL;
	return zmq_setsockopt(sub->sock, ZMQ_SUBSCRIBE, prefix, strlen(prefix)) < 0 ? FFC_EZMQ
	                                                                            : FFC_OK;
}

/* The event that says the subscriptions are on their way: after the
 * handshake where libzmq has it, else the bare TCP connection. */
#ifdef ZMQ_EVENT_HANDSHAKE_SUCCEEDED
#define SUB_UP_EVENT ZMQ_EVENT_HANDSHAKE_SUCCEEDED
#else
#define SUB_UP_EVENT ZMQ_EVENT_CONNECTED
#endif

int ffc_sub_monitor(ffc_sub_t *sub)
{
	if (!sub)
		return FFC_EINVAL;
	if (sub->monitor)
		return FFC_OK;
	/* Each subscription has its own context, so the name is unique
	 * within it; the address only makes it readable in a debugger. */
	char ep[64];
	snprintf(ep, sizeof ep, "inproc://ffc-sub-monitor-%p", (void *)sub);
	if (zmq_socket_monitor(sub->sock, ep, SUB_UP_EVENT | ZMQ_EVENT_DISCONNECTED) < 0)
		return FFC_EZMQ;
	void *m = zmq_socket(sub->ctx, ZMQ_PAIR);
	int linger = 0;
	if (!m || zmq_setsockopt(m, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
	    zmq_connect(m, ep) < 0) {
		if (m)
			zmq_close(m);
		zmq_socket_monitor(sub->sock, NULL, 0);
		return FFC_EZMQ;
	}
	sub->monitor = m;
	return FFC_OK;
}

void ffc_sub_event_release(ffc_sub_event_t *ev)
{
	if (!ev)
		return;
	if (ev->alert)
		ffc__v1__alert__free_unpacked(ev->alert, NULL);
	if (ev->heartbeat)
		ffc__v1__heartbeat__free_unpacked(ev->heartbeat, NULL);
	if (ev->change)
		ffc__v1__alert_change__free_unpacked(ev->change, NULL);
	if (ev->access)
		ffc__v1__access_notice__free_unpacked(ev->access, NULL);
	if (ev->notice)
		ffc__v1__school_notice__free_unpacked(ev->notice, NULL);
	if (ev->feedback)
		ffc__v1__feedback__free_unpacked(ev->feedback, NULL);
	memset(ev, 0, sizeof *ev);
}

/* Returned by the readers below for something that is not an event for
 * the caller (a topic it does not know, a monitor event it did not ask
 * for): wait on. */
#define SKIP 1

static void copy_text(char *dst, size_t cap, const void *src, size_t len)
{
	if (len > cap - 1)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* One connection event from the monitor socket: two frames, the event
 * (16-bit id, 32-bit value) then the endpoint. */
static int monitor_event(void *mon, ffc_sub_event_t *ev)
{
	uint16_t id = 0;
	int more = 1, first = 1;
	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, mon, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return first ? FFC_EZMQ : SKIP;
		}
		if (first && zmq_msg_size(&m) >= sizeof id)
			memcpy(&id, zmq_msg_data(&m), sizeof id);
		else if (!first)
			copy_text(ev->topic, sizeof ev->topic, zmq_msg_data(&m), zmq_msg_size(&m));
		more = zmq_msg_more(&m);
		zmq_msg_close(&m);
		first = 0;
	}
	if (id == SUB_UP_EVENT)
		ev->kind = FFC_SUB_CONNECTED;
	else if (id == ZMQ_EVENT_DISCONNECTED)
		ev->kind = FFC_SUB_DISCONNECTED;
	else
		return SKIP;
	return FFC_OK;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* One published message: a topic frame, then the payload. */
static int sub_message(void *sock, ffc_sub_event_t *ev)
{
	zmq_msg_t first;
	zmq_msg_init(&first);
	if (zmq_msg_recv(&first, sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&first);
		return FFC_EZMQ;
	}
	int more = zmq_msg_more(&first);
	copy_text(ev->topic, sizeof ev->topic, zmq_msg_data(&first), zmq_msg_size(&first));
	zmq_msg_close(&first);
	if (!more)
		return FFC_EPROTO;
	void *data;
	size_t len;
	int rc = recv_payload(sock, &data, &len);
	if (rc != FFC_OK)
		return rc;
	rc = SKIP;
	if (starts_with(ev->topic, "alert.")) {
		ev->alert = ffc__v1__alert__unpack(NULL, len, data);
		ev->kind = FFC_SUB_ALERT;
		rc = ev->alert ? FFC_OK : FFC_EPROTO;
	} else if (starts_with(ev->topic, "overdue.")) {
		ev->alert = ffc__v1__alert__unpack(NULL, len, data);
		ev->kind = FFC_SUB_OVERDUE;
		rc = ev->alert ? FFC_OK : FFC_EPROTO;
	} else if (strcmp(ev->topic, FFC_ACCESS_TOPIC) == 0) {
		ev->access = ffc__v1__access_notice__unpack(NULL, len, data);
		ev->kind = FFC_SUB_ACCESS;
		rc = ev->access ? FFC_OK : FFC_EPROTO;
	} else if (starts_with(ev->topic, "event.")) {
		ev->change = ffc__v1__alert_change__unpack(NULL, len, data);
		ev->kind = FFC_SUB_CHANGE;
		rc = ev->change ? FFC_OK : FFC_EPROTO;
	} else if (starts_with(ev->topic, "notice.")) {
		ev->notice = ffc__v1__school_notice__unpack(NULL, len, data);
		ev->kind = FFC_SUB_NOTICE;
		rc = ev->notice ? FFC_OK : FFC_EPROTO;
	} else if (starts_with(ev->topic, "feedback.")) {
		ev->feedback = ffc__v1__feedback__unpack(NULL, len, data);
		ev->kind = FFC_SUB_FEEDBACK;
		rc = ev->feedback ? FFC_OK : FFC_EPROTO;
	} else if (strcmp(ev->topic, FFC_HEARTBEAT_TOPIC) == 0) {
		ev->heartbeat = ffc__v1__heartbeat__unpack(NULL, len, data);
		ev->kind = FFC_SUB_HEARTBEAT;
		rc = ev->heartbeat ? FFC_OK : FFC_EPROTO;
	}
	free(data);
	return rc;
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next event the caller wants; kinds other than those in `want` (a
 * bit per enum ffc_sub_kind) are skipped. */
static int sub_next(ffc_sub_t *sub, ffc_sub_event_t *ev, int timeout_ms, unsigned want)
{
	const int64_t deadline = timeout_ms < 0 ? 0 : monotonic_ms() + timeout_ms;
	memset(ev, 0, sizeof *ev);
	for (;;) {
		int wait = -1;
		if (timeout_ms >= 0) {
			int64_t left = deadline - monotonic_ms();
			wait = left > 0 ? (int)left : 0;
		}
		zmq_pollitem_t items[2] = {
		    {sub->sock, 0, ZMQ_POLLIN, 0},
		    {sub->monitor, 0, ZMQ_POLLIN, 0},
		};
		/* The monitor is read even by a caller that does not want its
		 * events: libzmq's monitor would stall on a queue left full. */
		int n = sub->monitor ? 2 : 1;
		int rc = zmq_poll(items, n, wait);
		if (rc < 0)
			return zmq_errno() == EINTR ? FFC_ETIMEOUT : FFC_EZMQ;
		if (rc == 0)
			return FFC_ETIMEOUT;
		/* Connection events first: a console catches up on a
		 * reconnect before it trusts what arrives after it. */
		if (n == 2 && (items[1].revents & ZMQ_POLLIN))
			rc = monitor_event(sub->monitor, ev);
		else
			rc = sub_message(sub->sock, ev);
		/* A kind the caller did not ask for is skipped, even when its
		 * payload is bad: that is not the caller's business. */
		if ((rc == FFC_OK || rc == FFC_EPROTO) && ev->kind && !(want & (1u << ev->kind)))
			rc = SKIP;
		if (rc != SKIP)
			return rc;
		ffc_sub_event_release(ev);
	}
}

int ffc_sub_next(ffc_sub_t *sub, ffc_sub_event_t *ev, int timeout_ms)
{
	if (!sub || !ev)
		return FFC_EINVAL;
	const unsigned all = 1u << FFC_SUB_ALERT | 1u << FFC_SUB_HEARTBEAT |
	                     1u << FFC_SUB_CONNECTED | 1u << FFC_SUB_DISCONNECTED |
	                     1u << FFC_SUB_CHANGE | 1u << FFC_SUB_OVERDUE | 1u << FFC_SUB_ACCESS |
	                     1u << FFC_SUB_NOTICE | 1u << FFC_SUB_FEEDBACK;
	return sub_next(sub, ev, timeout_ms, all);
}

int ffc_sub_recv(ffc_sub_t *sub, char *topic, size_t topic_len, Ffc__V1__Alert **out,
                 int timeout_ms)
{
	if (!sub || !out || (topic && !topic_len))
		return FFC_EINVAL;
	*out = NULL;
	ffc_sub_event_t ev;
	int rc = sub_next(sub, &ev, timeout_ms, 1u << FFC_SUB_ALERT);
	if (topic && rc != FFC_ETIMEOUT)
		copy_text(topic, topic_len, ev.topic, strlen(ev.topic));
	if (rc == FFC_OK) {
		*out = ev.alert;
		ev.alert = NULL;
	}
	ffc_sub_event_release(&ev);
	return rc;
}
