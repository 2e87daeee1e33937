/*
 * server.c - the sockets and the single-threaded poll loop.
 *
 * One iteration: wait on ingest, control and the signal pipe; read every
 * concern frame that is ready (up to batch_max); hand them to
 * ingest_batch(), which commits them in one synced write transaction; only
 * then send the receipts and publish the alerts raised. Persist first,
 * answer after, in a group: one fsync serves the whole batch, and no
 * receipt or alert ever speaks of something not on disk. Every iteration,
 * busy or idle, ends by publishing a heartbeat when one is due (about once
 * a second; heartbeat.h), so consoles notice alerts they missed.
 *
 * Owns the ZeroMQ context and sockets, framing (routing envelopes), topics
 * and signals. Does not own what a concern means (ingest.c) or how
 * control requests are answered (control.c).
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "conns.h"
#include "console.h"
#include "control.h"
#include "ffc/cert.h"
#include "heartbeat.h"
#include "ingest.h"
#include "log.h"
#include "outbox.h"
#include "overdue.h"
#include "reload.h"
#include "stats.h"
#include "zap.h"

/* A concern frame arrives behind its routing envelope: the peer's identity
 * (DEALER) or identity and an empty delimiter (REQ). A message with more
 * frames than this is not from a peer following the contract. */
#define ENVELOPE_MAX 8
/* Frames larger than max_message get a REJECTED receipt; frames larger
 * than this many times max_message make libzmq drop the peer instead of
 * reading megabytes for a rejection. */
#define OVERSIZE_FACTOR 16
/* Bytes of receipts the kernel may hold per adapter connection. */
#define INGEST_SNDBUF (128 * 1024)
/* Control requests served per loop iteration, so ingest is never starved. */
#define CONTROL_PER_ITERATION 16
/* Messages read from the alerts socket per iteration: reading one is a
 * copy of a few bytes, and a flood must be read to its end quickly so the
 * socket's queues come back in step (serve_subscriptions). */
#define SUBS_PER_ITERATION 1024
/* Receipts queued for one adapter, in multiples of batch_max: enough for
 * an adapter pipelining several batches; past it the adapter is not
 * reading its receipts (see serve_ingest). The same bounds what one
 * adapter may have queued towards the daemon. */
#define INGEST_HWM_BATCHES 4
/* Ingest connections at once: with the per-adapter queue, this bounds the
 * memory held for receipts nobody reads. */
#define INGEST_CONNS_MAX 256
/* Alerts connections at once. */
#define ALERTS_CONNS_MAX 1024
/* Bytes a console connection may send in its life: its handshake and its
 * subscriptions (CONSOLE_SUBS_MAX of CONSOLE_FRAME_MAX bytes) with room
 * to spare. A connection past it once a subscriber sent data is cut. */
#define CONSOLE_BYTES_MAX (64 * 1024)
/* How long a console key that sent data on the alerts socket is refused. */
#define CONSOLE_BAN_MS (60 * 1000)
#define BANS_MAX       16
/* Connections whose subscription counts are kept (console.h). */
#define SUB_COUNTS_MAX 256

/* Log lines a peer can cause, each kind at most once a second with a
 * count of those left out (log_limited). */
enum limited_kind {
	LIMITED_ZAP,
	LIMITED_INGEST_REJECT,
	LIMITED_INGEST_PARTS,
	LIMITED_RECEIPT,
	LIMITED_INGEST_CONNS,
	LIMITED_ALERTS_DATA,
	LIMITED_ALERTS_CUT,
	LIMITED_SUBS,
	LIMITED_SUBS_NOTHING,
	LIMITED_CONTROL_PARTS,
	LIMITED_CONTROL_REPLY,
	LIMITED_KINDS
};

struct limited {
	int64_t logged_at_ms;
	uint64_t unlogged;
};

/* One console connection's subscriptions held. A connection is known by
 * its messages' metadata (libzmq makes one per connection); `ref` is a
 * copy of one of its messages, which keeps that metadata alive so no
 * other connection can be mistaken for it while the entry stands. */
struct sub_count {
	zmq_msg_t ref;
	const char *meta;
	size_t held;
	uint64_t used; /* when last seen, in messages read: the oldest goes */
};

struct ban {
	char name[ACCESS_NAME_MAX];
	int64_t until_ms;
};

struct message {
	size_t n_frames;   /* envelope frames, then the payload */
	size_t n_read;     /* frames the message had (more than kept: dropped) */
	size_t n_envelope; /* frames a reply goes back on (message_shape) */
	zmq_msg_t frames[ENVELOPE_MAX + 1];
};

struct server {
	const struct config *cfg;
	struct store *store;
	void *ctx, *ingest, *alerts, *control;
	void *zap; /* the ZAP handler's REP socket; NULL in insecure mode */
	/* Which sockets are CURVE servers: only there is a message's User-Id
	 * the key name the ZAP handler gave. Elsewhere it is whatever the
	 * peer put in its own handshake metadata, and names nobody. */
	int ingest_curve, alerts_curve, control_curve;
	/* A subscriber sent data on the alerts socket: discard what is queued
	 * until the socket is empty, then cut the connections that sent
	 * anything meanwhile (see serve_subscriptions). */
	int subs_draining, subs_resync;
	struct conns *alerts_conns, *ingest_conns;
	struct sub_count sub_counts[SUB_COUNTS_MAX];
	size_t n_sub_counts;
	uint64_t subs_read;
	struct console_sub sub; /* scratch: what one subscription becomes */
	struct ban bans[BANS_MAX];
	struct limited limited[LIMITED_KINDS];
	int trim_due; /* peers left: give memory back (give_back) */
	int64_t trimmed_at_ms;
	char control_ep[CONFIG_ENDPOINT_MAX];
	char control_path[CONFIG_ENDPOINT_MAX]; /* ipc socket file, "" otherwise */
	struct daemon_info info;
	struct stats stats;
	struct message *batch;
	struct ingest_item *items;
	/* The rules in force: the server's own copy, swapped whole by a
	 * reload between batches. */
	struct rules_state *rules;
	struct heartbeat hb;
	int stop;
	int64_t reminded_at_ms; /* when overdue alerts were last looked for */
};

/* ---- signals: the handler only writes to a pipe the loop polls ---- */

static int signal_pipe[2] = {-1, -1};
static volatile sig_atomic_t signalled;
static volatile sig_atomic_t reload_requested; /* SIGHUP */

static void on_signal(int sig)
{
	int saved = errno;
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		signalled = sig;
	unsigned char b = (unsigned char)sig;
	if (write(signal_pipe[1], &b, 1) < 0) {
		/* The pipe is full: the loop will see `signalled` anyway. */
	}
	errno = saved;
}

static int signals_install(void)
{
	if (pipe(signal_pipe) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(signal_pipe[i], F_SETFL, fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

static void signals_remove(void)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	for (int i = 0; i < 2; i++) {
		if (signal_pipe[i] >= 0)
			close(signal_pipe[i]);
		signal_pipe[i] = -1;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Log a line a peer caused: at most one a second of each kind, saying
 * how many were left out since the last one (every one is counted in
 * stats all the same). A refused or hostile peer may try thousands of
 * times a second and must not flood the log. */
static void log_limited(struct server *srv, enum limited_kind kind, enum log_level level,
                        const char *fmt, ...) FFC_PRINTF(4, 5);
static void log_limited(struct server *srv, enum limited_kind kind, enum log_level level,
                        const char *fmt, ...)
{
	struct limited *l = &srv->limited[kind];
	int64_t now = now_ms();
	if (l->logged_at_ms && now >= l->logged_at_ms && now - l->logged_at_ms < 1000) {
		l->unlogged++;
		return;
	}
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (l->unlogged)
		log_msg(level, "%s (%llu more like it since the last one logged)", line,
		        (unsigned long long)l->unlogged);
	else
		log_msg(level, "%s", line);
	l->logged_at_ms = now;
	l->unlogged = 0;
}

/* ---- sockets ---- */

/* Socket options, set before zmq_bind: libzmq copies them into the
 * listener when it binds, so options set afterwards never reach the
 * connections it accepts. */
struct sockopts {
	int sndhwm, rcvhwm; /* high-water marks; 0: libzmq's */
	int sndbuf;         /* the kernel's send buffer per connection, bytes; 0: the kernel's */
	int64_t maxmsgsize; /* 0: no limit */
	int mandatory;      /* ROUTER: report a reply that cannot be delivered */
	int xpub_manual;    /* XPUB: the server decides what each subscriber gets */
	/* Curve mode: the ZAP domain naming the socket, and the daemon's
	 * secret key (Z85), set on tcp:// endpoints; NULL otherwise. */
	const char *zap_domain;
	const char *secret_key;
};

static void *open_socket(struct server *srv, int type, const char *endpoint, const char *what,
                         const struct sockopts *o, char *err, size_t errlen)
{
	void *s = zmq_socket(srv->ctx, type);
	if (!s) {
		snprintf(err, errlen, "%s socket: %s", what, zmq_strerror(zmq_errno()));
		return NULL;
	}
	/* Each option is a limit or the socket's contract (a manual XPUB
	 * that is not manual would give every console every level): one
	 * that does not take fails start-up. */
	int linger = 1000;
	const char *opt = NULL;
	if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) < 0)
		opt = "ZMQ_LINGER";
	else if (o->sndhwm && zmq_setsockopt(s, ZMQ_SNDHWM, &o->sndhwm, sizeof o->sndhwm) < 0)
		opt = "ZMQ_SNDHWM";
	else if (o->rcvhwm && zmq_setsockopt(s, ZMQ_RCVHWM, &o->rcvhwm, sizeof o->rcvhwm) < 0)
		opt = "ZMQ_RCVHWM";
	else if (o->sndbuf && zmq_setsockopt(s, ZMQ_SNDBUF, &o->sndbuf, sizeof o->sndbuf) < 0)
		opt = "ZMQ_SNDBUF";
	else if (o->maxmsgsize &&
	         zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &o->maxmsgsize, sizeof o->maxmsgsize) < 0)
		opt = "ZMQ_MAXMSGSIZE";
	else if (o->mandatory &&
	         zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &o->mandatory, sizeof o->mandatory) < 0)
		opt = "ZMQ_ROUTER_MANDATORY";
	else if (o->xpub_manual &&
	         zmq_setsockopt(s, ZMQ_XPUB_MANUAL, &o->xpub_manual, sizeof o->xpub_manual) < 0)
		opt = "ZMQ_XPUB_MANUAL";
	if (opt) {
		snprintf(err, errlen, "%s socket: %s: %s", what, opt, zmq_strerror(zmq_errno()));
		zmq_close(s);
		return NULL;
	}
	if (o->secret_key && !strncmp(endpoint, "tcp://", 6)) {
		/* A CURVE server whose every handshake goes to the ZAP handler:
		 * CURVE alone would let any key in. */
		int on = 1;
		if (zmq_setsockopt(s, ZMQ_CURVE_SERVER, &on, sizeof on) < 0 ||
		    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, o->secret_key, FFC_KEY_Z85_LEN) < 0 ||
		    zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, o->zap_domain, strlen(o->zap_domain)) < 0) {
			snprintf(err, errlen, "%s socket: CURVE: %s", what,
			         zmq_strerror(zmq_errno()));
			zmq_close(s);
			return NULL;
		}
	}
	if (zmq_bind(s, endpoint) < 0) {
		snprintf(err, errlen, "%s socket: cannot bind %s: %s", what, endpoint,
		         zmq_strerror(zmq_errno()));
		zmq_close(s);
		return NULL;
	}
	return s;
}

struct server *server_new(const struct config *cfg, struct store *store, char *err, size_t errlen)
{
	struct server *srv = calloc(1, sizeof *srv);
	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->cfg = cfg;
	srv->store = store;
	srv->batch = calloc(cfg->batch_max, sizeof *srv->batch);
	srv->items = calloc(cfg->batch_max, sizeof *srv->items);
	srv->rules = malloc(sizeof *srv->rules);
	srv->ctx = zmq_ctx_new();
	if (!srv->batch || !srv->items || !srv->rules || !srv->ctx) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* A reload runs this very program as the loader of the file. */
	reload_init(srv->rules, cfg, "/proc/self/exe", now_ms());

	if (cfg->control[0]) {
		snprintf(srv->control_ep, sizeof srv->control_ep, "%s", cfg->control);
	} else if ((size_t)snprintf(srv->control_ep, sizeof srv->control_ep,
	                            "ipc://%s/control.sock",
	                            cfg->data_dir) >= sizeof srv->control_ep) {
		snprintf(err, errlen, "control endpoint: data directory path too long");
		goto fail;
	}
	if (strncmp(srv->control_ep, "ipc://", 6) == 0)
		snprintf(srv->control_path, sizeof srv->control_path, "%s", srv->control_ep + 6);

	/* Curve mode: the daemon's secret key, held only for as long as the
	 * sockets take to copy it, and the ZAP handler, bound before any
	 * socket can accept a handshake. */
	struct ffc_cert cert;
	memset(&cert, 0, sizeof cert);
	if (cfg->security_mode == SECURITY_CURVE) {
		char why[512];
		if (!zmq_has("curve")) {
			snprintf(err, errlen,
			         "security.mode is curve but this libzmq has no CURVE support "
			         "(built without libsodium)");
			goto fail;
		}
		if (ffc_cert_load(cfg->secret_key_file, &cert, why, sizeof why) < 0 ||
		    !cert.secret_key[0]) {
			snprintf(err, errlen, "security.secret_key_file: %s",
			         cert.secret_key[0] || why[0] ? why : "no secret-key");
			goto fail;
		}
		srv->zap = zmq_socket(srv->ctx, ZMQ_REP);
		int linger = 0;
		if (srv->zap)
			zmq_setsockopt(srv->zap, ZMQ_LINGER, &linger, sizeof linger);
		if (!srv->zap || zmq_bind(srv->zap, ZAP_ENDPOINT) < 0) {
			snprintf(err, errlen, "ZAP handler: %s", zmq_strerror(zmq_errno()));
			goto fail;
		}
	}
	const char *secret = cert.secret_key[0] ? cert.secret_key : NULL;
	srv->ingest_curve = secret && !strncmp(cfg->ingest, "tcp://", 6);
	srv->alerts_curve = secret && !strncmp(cfg->alerts, "tcp://", 6);
	srv->control_curve = secret && !strncmp(srv->control_ep, "tcp://", 6);

	/* Pipelining adapters keep receipts in flight, a few batches' worth;
	 * an adapter with more waiting is not reading them and is cut
	 * (serve_ingest), so one never holds more than this. */
	int ingest_hwm = (int)(cfg->batch_max * INGEST_HWM_BATCHES);
	/* The kernel's own send buffer grows to megabytes for a peer that
	 * does not read, holding tens of thousands of receipts before the
	 * high-water mark is ever reached: bound it too, at a few thousand
	 * receipts, which a pipelining adapter on a fast link never fills. */
	const struct sockopts ingest_opts = {
	    .sndhwm = ingest_hwm,
	    .rcvhwm = ingest_hwm,
	    .sndbuf = INGEST_SNDBUF,
	    .maxmsgsize = (int64_t)cfg->max_message * OVERSIZE_FACTOR,
	    .mandatory = 1,
	    .zap_domain = ZAP_DOMAIN_INGEST,
	    .secret_key = secret,
	};
	/* A PUB socket drops for a slow subscriber rather than block ingest;
	 * consoles catch up by seq. */
	/* An XPUB in manual mode: a console key gets only the levels it is
	 * given (console.h). A console sends subscriptions only, each a few
	 * bytes: libzmq cuts one sending a larger frame. */
	const struct sockopts alerts_opts = {
	    .sndhwm = 10000,
	    .rcvhwm = 10000,
	    .maxmsgsize = CONSOLE_FRAME_MAX,
	    .xpub_manual = 1,
	    .zap_domain = ZAP_DOMAIN_ALERTS,
	    .secret_key = secret,
	};
	const struct sockopts control_opts = {
	    .maxmsgsize = 1 << 20,
	    .mandatory = 1,
	    .zap_domain = ZAP_DOMAIN_CONTROL,
	    .secret_key = secret,
	};
	srv->ingest =
	    open_socket(srv, ZMQ_ROUTER, cfg->ingest, "ingest", &ingest_opts, err, errlen);
	if (srv->ingest)
		srv->alerts =
		    open_socket(srv, ZMQ_XPUB, cfg->alerts, "alerts", &alerts_opts, err, errlen);
	if (srv->alerts)
		srv->control = open_socket(srv, ZMQ_ROUTER, srv->control_ep, "control",
		                           &control_opts, err, errlen);
	explicit_bzero(&cert, sizeof cert);
	secret = NULL;
	if (!srv->control)
		goto fail;
	srv->ingest_conns =
	    conns_new(srv->ctx, srv->ingest, "ingest", INGEST_CONNS_MAX, err, errlen);
	if (srv->ingest_conns)
		srv->alerts_conns =
		    conns_new(srv->ctx, srv->alerts, "alerts", ALERTS_CONNS_MAX, err, errlen);
	if (!srv->alerts_conns)
		goto fail;
	if (srv->control_path[0] && chmod(srv->control_path, 0600) < 0) {
		snprintf(err, errlen, "control socket %s: chmod: %s", srv->control_path,
		         strerror(errno));
		goto fail;
	}
	srv->info = (struct daemon_info){
	    .version = FFC_VERSION,
	    .started_at_ms = now_ms(),
	    .ingest = cfg->ingest,
	    .alerts = cfg->alerts,
	    .control = srv->control_ep,
	    .pid = (long)getpid(),
	    .security_mode = cfg->security_mode == SECURITY_CURVE ? "curve" : "insecure",
	    .public_key = cfg->public_key,
	};
	heartbeat_init(&srv->hb, srv->info.started_at_ms, HEARTBEAT_INTERVAL_MS);
	return srv;
fail:
	explicit_bzero(&cert, sizeof cert); /* the secret, if it was read */
	server_destroy(&srv);
	return NULL;
}

void server_destroy(struct server **p)
{
	struct server *srv = *p;
	if (!srv)
		return;
	if (srv->ingest)
		zmq_close(srv->ingest);
	if (srv->alerts)
		zmq_close(srv->alerts);
	if (srv->control)
		zmq_close(srv->control);
	if (srv->zap)
		zmq_close(srv->zap);
	conns_destroy(&srv->ingest_conns);
	conns_destroy(&srv->alerts_conns);
	for (size_t i = 0; i < srv->n_sub_counts; i++)
		zmq_msg_close(&srv->sub_counts[i].ref);
	if (srv->ctx)
		zmq_ctx_term(srv->ctx);
	if (srv->control_path[0])
		unlink(srv->control_path);
	free(srv->batch);
	free(srv->items);
	free(srv->rules);
	free(srv);
	*p = NULL;
}

void server_set_store(struct server *srv, struct store *store)
{
	srv->store = store;
}

const char *server_control_endpoint(const struct server *srv)
{
	return srv->control_ep;
}

void server_config_file(struct server *srv, const char *path, const struct config *file)
{
	reload_set_file(srv->rules, path, file);
}

/* ---- framing ---- */

static void message_close(struct message *m)
{
	for (size_t i = 0; i < m->n_frames; i++)
		zmq_msg_close(&m->frames[i]);
	m->n_frames = 0;
}

/* Receive one whole multipart message without blocking. Returns 1 when one
 * was read, 0 when none is waiting, -1 on error. A message with too many
 * frames is read to its end, keeping only the first ENVELOPE_MAX + 1 and
 * counting the rest in n_read (returns 2, see message_shape). */
static int message_recv(void *sock, struct message *m)
{
	m->n_frames = 0;
	m->n_read = 0;
	int dropped = 0;
	for (;;) {
		zmq_msg_t frame;
		zmq_msg_init(&frame);
		if (zmq_msg_recv(&frame, sock, ZMQ_DONTWAIT) < 0) {
			int e = zmq_errno();
			zmq_msg_close(&frame);
			message_close(m);
			return e == EAGAIN ? 0 : -1;
		}
		int more = zmq_msg_more(&frame);
		m->n_read++;
		if (m->n_frames < ENVELOPE_MAX + 1)
			m->frames[m->n_frames++] = frame;
		else {
			zmq_msg_close(&frame);
			dropped = 1;
		}
		if (!more)
			break;
	}
	if (m->n_frames < 2) {
		/* No envelope: impossible on a ROUTER. */
		message_close(m);
		return 2;
	}
	m->n_envelope = m->n_frames - 1;
	return dropped ? 2 : 1;
}

/* Where a message's envelope ends. A REQ peer's ends with its empty
 * delimiter (RFC 28): the frames after it are the request, and more than
 * one is a message of several parts (an empty last frame is a payload,
 * the empty concern, not a delimiter). A DEALER's is the routing frames
 * before the last. A message cut short (n_read over what was kept) is
 * answered on its first routing frame, and its delimiter if it has one.
 * Returns how many parts the request has (1 is the contract). */
static size_t message_shape(struct message *m)
{
	for (size_t i = 1; i < m->n_frames && i + 1 < m->n_read; i++) {
		if (zmq_msg_size(&m->frames[i]) == 0) {
			m->n_envelope = i + 1;
			return m->n_read - (i + 1);
		}
	}
	if (m->n_read == m->n_frames)
		return 1;
	m->n_envelope = 1; /* reply on the routing frame only */
	return m->n_read - 1;
}

/* Send payload back on the message's envelope. */
static int reply_send(void *sock, struct message *m, const void *data, size_t len)
{
	for (size_t i = 0; i < m->n_envelope; i++) {
		if (zmq_send(sock, zmq_msg_data(&m->frames[i]), zmq_msg_size(&m->frames[i]),
		             ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
			return -1;
	}
	return zmq_send(sock, data, len, ZMQ_DONTWAIT) < 0 ? -1 : 0;
}

/* ---- ingest ---- */

/* Send what the outbox holds, then empty it. Only ever called once the
 * transaction that filled it is committed. */
static void publish(struct server *srv, struct outbox *ob)
{
	for (size_t i = 0; i < ob->n; i++) {
		const struct outbox_msg *m = &ob->items[i];
		/* A PUB socket never blocks: a console that is slow or away
		 * drops messages and catches up by seq through the control
		 * socket. */
		if (zmq_send(srv->alerts, m->topic, strlen(m->topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) <
		        0 ||
		    zmq_send(srv->alerts, m->data, m->len, ZMQ_DONTWAIT) < 0)
			log_warn("alerts: publishing %s: %s", m->topic, zmq_strerror(zmq_errno()));
		if (m->note[0])
			log_info("%s", m->note);
	}
	outbox_clear(ob);
}

/* The agency the sending key is bound to: 0 on an unauthenticated
 * connection (insecure mode, ipc), -1 (no agency) for a key no longer
 * listed since a reload, so a removed key's open connection files
 * nothing. */
static int bound_agency(const struct server *srv, zmq_msg_t *frame)
{
	const char *user = srv->ingest_curve ? zmq_msg_gets(frame, "User-Id") : NULL;
	if (!user || !user[0])
		return 0;
	const struct access_key *k = access_key_named(&srv->rules->access, user);
	return k && k->role == ACCESS_ADAPTER ? k->agency : -1;
}

/* Send a receipt; one that cannot be sent is counted and, when the
 * peer's queue is full (ROUTER_MANDATORY says EAGAIN: the adapter is not
 * reading its receipts), the connections not reading are cut, so the
 * daemon neither waits for them nor holds their receipts. */
static void receipt_send(struct server *srv, struct message *m, const struct receipt *r)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	if (wire_receipt_pack(r, &buf, &len) < 0) {
		srv->stats.receipts_unsent++;
		log_limited(srv, LIMITED_RECEIPT, LOG_ERROR,
		            "ingest: receipt for '%.64s' not sent: out of memory", r->concern_id);
		return;
	}
	if (reply_send(srv->ingest, m, buf, len) < 0) {
		int e = zmq_errno();
		srv->stats.receipts_unsent++;
		size_t cut = e == EAGAIN ? conns_cut_stalled(srv->ingest_conns) : 0;
		log_limited(srv, LIMITED_RECEIPT, LOG_WARN,
		            "ingest: receipt for '%.64s' not sent: %s%s", r->concern_id,
		            e == EAGAIN ? "the adapter is not reading its receipts"
		                        : zmq_strerror(e),
		            cut ? "; cut the connections not reading" : "");
	}
	free(buf);
}

/* Answer a message of several parts with a REJECTED receipt saying so. */
static void reject_parts(struct server *srv, struct message *m, size_t parts)
{
	struct receipt r;
	memset(&r, 0, sizeof r);
	r.concern_id = "";
	r.status = RECEIPT_REJECTED;
	snprintf(r.error, sizeof r.error, "frame: %zu parts; a concern is one frame", parts);
	stats_receipt(&srv->stats, &r);
	srv->stats.ingest_parts++;
	log_limited(srv, LIMITED_INGEST_PARTS, LOG_WARN, "ingest: rejected a message: %s", r.error);
	receipt_send(srv, m, &r);
}

static int serve_ingest(struct server *srv)
{
	size_t n = 0;
	while (n < srv->cfg->batch_max) {
		int rc = message_recv(srv->ingest, &srv->batch[n]);
		if (rc == 0)
			break;
		if (rc < 0) {
			log_error("ingest: receive: %s", zmq_strerror(zmq_errno()));
			break;
		}
		struct message *m = &srv->batch[n];
		if (rc == 2 && m->n_frames == 0)
			continue; /* no envelope: nobody to answer */
		size_t parts = message_shape(m);
		if (parts != 1) {
			/* A concern is one frame: answer the peer that it is
			 * not, and go on (its frames are not read as one). */
			reject_parts(srv, m, parts);
			message_close(m);
			continue;
		}
		zmq_msg_t *payload = &m->frames[m->n_frames - 1];
		memset(&srv->items[n], 0, sizeof srv->items[n]);
		srv->items[n].data = zmq_msg_data(payload);
		srv->items[n].len = zmq_msg_size(payload);
		srv->items[n].agency_bound = bound_agency(srv, payload);
		n++;
	}
	if (n == 0)
		return 0;

	/* Alerts queued carry their due time, as every alert the socket
	 * publishes on raising. */
	struct outbox ob = {.policy = &srv->cfg->lifecycle};
	struct ingest_limits limits = {.max_message = srv->cfg->max_message};
	int stored = ingest_batch(srv->store, srv->rules->rules, srv->rules->n_rules, &limits,
	                          srv->items, n, now_ms(), &ob);
	if (stored >= 0)
		srv->stats.batches++;
	log_debug("ingest: batch of %zu, %d stored, %zu alerts", n, stored, ob.n);

	/* Committed: now answer, then tell the consoles. */
	for (size_t i = 0; i < n; i++) {
		const struct receipt *r = &srv->items[i].receipt;
		stats_receipt(&srv->stats, r);
		if (r->status == RECEIPT_REJECTED)
			log_debug("ingest: rejected '%.64s': %s", r->concern_id, r->error);
		receipt_send(srv, &srv->batch[i], r);
		message_close(&srv->batch[i]);
	}
	ingest_items_release(srv->items, n);
	publish(srv, &ob);
	return 0;
}

/* ---- ZAP: who may complete a CURVE handshake ---- */

static void zap_reply(void *sock, const struct zap_request *r, const char *code, const char *text,
                      const char *user)
{
	/* RFC 27: version, request id, status code, status text, user id,
	 * metadata. */
	if (zmq_send(sock, "1.0", 3, ZMQ_SNDMORE) < 0 ||
	    zmq_send(sock, r->request_id, r->request_id_len, ZMQ_SNDMORE) < 0 ||
	    zmq_send(sock, code, 3, ZMQ_SNDMORE) < 0 ||
	    zmq_send(sock, text, strlen(text), ZMQ_SNDMORE) < 0 ||
	    zmq_send(sock, user, strlen(user), ZMQ_SNDMORE) < 0 || zmq_send(sock, "", 0, 0) < 0)
		log_error("ZAP: reply not sent: %s", zmq_strerror(zmq_errno()));
}

/* Whether a key is refused for now for what it sent (ban). */
static int banned(struct server *srv, const char *name, int64_t now)
{
	for (size_t i = 0; i < BANS_MAX; i++)
		if (srv->bans[i].until_ms > now && !strcmp(srv->bans[i].name, name))
			return 1;
	return 0;
}

/* Refuse a key's handshakes on the alerts socket for CONSOLE_BAN_MS. The
 * table is small: a full one gives way to the ban ending soonest. */
static void ban(struct server *srv, const char *name, int64_t now)
{
	struct ban *slot = &srv->bans[0];
	for (size_t i = 0; i < BANS_MAX; i++) {
		struct ban *b = &srv->bans[i];
		if (!strcmp(b->name, name) || b->until_ms <= now) {
			slot = b;
			break;
		}
		if (b->until_ms < slot->until_ms)
			slot = b;
	}
	snprintf(slot->name, sizeof slot->name, "%s", name);
	slot->until_ms = now + CONSOLE_BAN_MS;
}

/* Answer every ZAP request waiting. The keys are those in force now, so a
 * key added or removed by a reload counts from the next handshake. */
static void serve_zap(struct server *srv)
{
	for (int i = 0; i < CONTROL_PER_ITERATION; i++) {
		zmq_msg_t frames[ZAP_FRAMES_MAX];
		struct zap_frame f[ZAP_FRAMES_MAX];
		size_t n = 0, total = 0;
		int more = 1;
		while (more) {
			/* Frames past the most kept are read into a scratch message
			 * and dropped. A small message keeps its bytes inside the
			 * zmq_msg_t: receive in place, never copy one. */
			zmq_msg_t extra;
			zmq_msg_t *m = n < ZAP_FRAMES_MAX ? &frames[n] : &extra;
			zmq_msg_init(m);
			if (zmq_msg_recv(m, srv->zap, total ? 0 : ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(m);
				for (size_t k = 0; k < n; k++)
					zmq_msg_close(&frames[k]);
				return;
			}
			more = zmq_msg_more(m);
			total++;
			if (m == &extra) {
				zmq_msg_close(m);
				continue;
			}
			f[n] = (struct zap_frame){zmq_msg_data(m), zmq_msg_size(m)};
			n++;
		}
		struct zap_request r;
		memset(&r, 0, sizeof r); /* a request cut short: a reply with no id */
		char why[ZAP_ERR_MAX] = "";
		const struct access_key *who = NULL;
		enum zap_verdict v = total > ZAP_FRAMES_MAX ? ZAP_MALFORMED
		                     : zap_parse(f, n, &r, why, sizeof why) < 0
		                         ? ZAP_MALFORMED
		                         : zap_decide(&r, &srv->rules->access, &who);
		if (total > ZAP_FRAMES_MAX)
			snprintf(why, sizeof why, "%zu frames", total);
		if (v == ZAP_ALLOW && !strcmp(r.domain, ZAP_DOMAIN_ALERTS) &&
		    banned(srv, who->name, now_ms()))
			v = ZAP_BANNED;
		if (v == ZAP_ALLOW) {
			log_debug("ZAP: %s key '%s' connected to %s", access_role_name(who->role),
			          who->name, r.domain);
			zap_reply(srv->zap, &r, "200", "OK", who->name);
		} else {
			char key[FFC_KEY_Z85_LEN + 1] = "?";
			if (v != ZAP_MALFORMED)
				zmq_z85_encode(key, r.key, sizeof r.key);
			if (v == ZAP_UNKNOWN_KEY)
				srv->stats.refused_unknown_key++;
			else if (v == ZAP_WRONG_ROLE)
				srv->stats.refused_role++;
			else if (v == ZAP_BANNED)
				srv->stats.refused_banned++;
			else
				srv->stats.refused_malformed++;
			/* A public key is no secret: it says which key to look into.
			 * A refused peer's libzmq tries again about ten times a
			 * second. */
			log_limited(srv, LIMITED_ZAP, LOG_WARN, "ZAP: refused %s on %s: %s%s%s",
			            v == ZAP_MALFORMED ? "a request" : key,
			            v == ZAP_MALFORMED ? "a socket" : r.domain, zap_verdict_text(v),
			            why[0] ? ": " : "", why);
			zap_reply(srv->zap, &r, "400", zap_verdict_text(v), "");
		}
		for (size_t k = 0; k < n; k++)
			zmq_msg_close(&frames[k]);
	}
}

/* ---- alerts: what each console subscribes to ---- */

/* The subscription count of the connection a message came from, made if
 * new; NULL for a message without metadata (the unsubscriptions libzmq
 * makes itself when a console leaves). When the table is full the entry
 * seen longest ago gives way: that connection starts counting again. */
static struct sub_count *sub_count_of(struct server *srv, zmq_msg_t *m)
{
	const char *meta = zmq_msg_gets(m, "Socket-Type");
	if (!meta)
		return NULL;
	struct sub_count *c = NULL;
	for (size_t i = 0; i < srv->n_sub_counts && !c; i++)
		if (srv->sub_counts[i].meta == meta)
			c = &srv->sub_counts[i];
	if (!c) {
		if (srv->n_sub_counts < SUB_COUNTS_MAX) {
			c = &srv->sub_counts[srv->n_sub_counts++];
		} else {
			c = &srv->sub_counts[0];
			for (size_t i = 1; i < SUB_COUNTS_MAX; i++)
				if (srv->sub_counts[i].used < c->used)
					c = &srv->sub_counts[i];
			zmq_msg_close(&c->ref);
		}
		zmq_msg_init(&c->ref);
		if (zmq_msg_copy(&c->ref, m) < 0) {
			c->meta = NULL; /* an empty slot: matches no connection */
			c->used = 0;
			return NULL;
		}
		c->meta = meta;
		c->held = 0;
	}
	c->used = ++srv->subs_read;
	return c;
}

/* A subscriber sent data. libzmq 4.3's XPUB in manual mode queues such a
 * message without the connection it came from, so every subscription read
 * after it until the socket's queue is empty would be applied to the
 * connection of the one queued after it: one console's levels to another.
 * So: apply nothing until the queue is empty (draining); then cut every
 * connection that sent anything meanwhile (resync), so those consoles
 * reconnect and subscribe again by themselves (libzmq resends their
 * subscriptions; ffc-watch catches up by seq) while a console that sent
 * nothing is untouched. The sender is refused further: in curve mode its
 * key for CONSOLE_BAN_MS, and any connection past CONSOLE_BYTES_MAX (a
 * flood) is cut at once. */
static void subs_data(struct server *srv, const char *user, int *checked)
{
	srv->stats.alerts_data++;
	if (user)
		ban(srv, user, now_ms());
	if (!*checked) {
		*checked = 1;
		srv->stats.alerts_cut += conns_cut_over(srv->alerts_conns, CONSOLE_BYTES_MAX);
	}
	log_limited(srv, LIMITED_ALERTS_DATA, LOG_WARN,
	            "alerts: %s%s%s sent data, which consoles may not; applying no "
	            "subscription until the socket is in step, then cutting the connections "
	            "that sent anything meanwhile",
	            user ? "console '" : "a subscriber", user ? user : "", user ? "'" : "");
	srv->subs_draining = 1;
	srv->subs_resync = 1;
}

/* The socket's queue is empty: its queues are in step again. */
static void subs_in_step(struct server *srv)
{
	if (srv->subs_resync) {
		size_t cut = conns_cut_changed(srv->alerts_conns);
		srv->stats.alerts_cut += cut;
		log_limited(srv, LIMITED_ALERTS_CUT, LOG_WARN,
		            "alerts: in step again; cut %zu connections that sent anything "
		            "meanwhile, to subscribe again",
		            cut);
		srv->subs_resync = 0;
	}
	srv->subs_draining = 0;
	conns_mark(srv->alerts_conns);
}

/* Apply one (un)subscription to the connection it came from. */
static void subs_apply(struct server *srv, enum console_verdict v, const char *user,
                       struct sub_count *c)
{
	int opt = v == CONSOLE_SUBSCRIBE ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE;
	for (size_t t = 0; t < srv->sub.n; t++)
		if (zmq_setsockopt(srv->alerts, opt, srv->sub.topics[t],
		                   strlen(srv->sub.topics[t])) < 0)
			log_limited(srv, LIMITED_SUBS, LOG_WARN,
			            "alerts: subscription not applied: %s",
			            zmq_strerror(zmq_errno()));
	if (c && v == CONSOLE_SUBSCRIBE)
		c->held++;
	else if (c && c->held)
		c->held--;
	if (user && v == CONSOLE_SUBSCRIBE && srv->sub.n == 0)
		log_limited(srv, LIMITED_SUBS_NOTHING, LOG_INFO,
		            "alerts: console '%s' may receive nothing of its subscription", user);
}

/* Read the alerts socket's (un)subscriptions and subscribe each console's
 * connection to what its key's levels allow (console.h). Without CURVE a
 * subscription is taken as it is. */
static void serve_subscriptions(struct server *srv)
{
	int checked = 0;
	for (int i = 0; i < SUBS_PER_ITERATION; i++) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, srv->alerts, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			subs_in_step(srv);
			return;
		}
		const char *user = srv->alerts_curve ? zmq_msg_gets(&m, "User-Id") : NULL;
		if (user && !user[0])
			user = NULL;
		const struct access_key *k =
		    user ? access_key_named(&srv->rules->access, user) : NULL;
		unsigned levels = k && k->role == ACCESS_CONSOLE ? k->levels : 0;
		struct sub_count *c = sub_count_of(srv, &m);
		enum console_verdict v =
		    console_parse(zmq_msg_data(&m), zmq_msg_size(&m), zmq_msg_more(&m),
		                  user != NULL, levels, c ? c->held : 0, &srv->sub);
		if (v == CONSOLE_DATA) {
			subs_data(srv, user, &checked);
		} else if (srv->subs_draining) {
			srv->stats.alerts_discarded++;
		} else if (v == CONSOLE_TOO_LONG || v == CONSOLE_TOO_MANY) {
			srv->stats.alerts_refused++;
			log_limited(srv, LIMITED_SUBS, LOG_WARN, "alerts: %s%s%s: %s ignored",
			            user ? "console '" : "a subscriber", user ? user : "",
			            user ? "'" : "", console_verdict_name(v));
		} else {
			subs_apply(srv, v, user, c);
		}
		zmq_msg_close(&m);
	}
}

/* ---- control ---- */

static void serve_control(struct server *srv)
{
	for (int i = 0; i < CONTROL_PER_ITERATION && !srv->stop; i++) {
		struct message m;
		int rc = message_recv(srv->control, &m);
		if (rc == 0)
			return;
		if (rc < 0) {
			log_error("control: receive: %s", zmq_strerror(zmq_errno()));
			return;
		}
		if (rc == 2 && m.n_frames == 0)
			continue; /* no envelope: nobody to answer */
		uint8_t *reply = NULL;
		size_t len = 0;
		size_t parts = message_shape(&m);
		if (parts != 1) {
			/* A request is one frame: say so rather than leave a REQ
			 * client waiting for a reply that never comes. */
			char why[96];
			snprintf(why, sizeof why, "request: %zu parts; a request is one frame",
			         parts);
			srv->stats.control_parts++;
			log_limited(srv, LIMITED_CONTROL_PARTS, LOG_WARN,
			            "control: refused a message: %s", why);
			if (control_error_reply(why, &reply, &len) == 0 &&
			    reply_send(srv->control, &m, reply, len) < 0)
				log_limited(srv, LIMITED_CONTROL_REPLY, LOG_WARN,
				            "control: reply not sent: %s",
				            zmq_strerror(zmq_errno()));
			free(reply);
			message_close(&m);
			continue;
		}
		zmq_msg_t *payload = &m.frames[m.n_frames - 1];
		struct outbox ob = {0};
		const struct control_env env = {
		    .store = srv->store,
		    .info = &srv->info,
		    .stats = &srv->stats,
		    .rules = srv->rules->rules,
		    .n_rules = srv->rules->n_rules,
		    .policy = &srv->cfg->lifecycle,
		    .out = &ob,
		    .rules_state = srv->rules,
		    .peer = srv->control_curve ? zmq_msg_gets(payload, "User-Id") : NULL,
		    .peer_address =
		        srv->control_curve ? NULL : zmq_msg_gets(payload, "Peer-Address"),
		    .access = &srv->rules->access,
		    .retention_years = srv->cfg->retention_years,
		};
		enum control_action action = control_handle(
		    &env, zmq_msg_data(payload), zmq_msg_size(payload), now_ms(), &reply, &len);
		if (reply && reply_send(srv->control, &m, reply, len) < 0)
			log_limited(srv, LIMITED_CONTROL_REPLY, LOG_WARN,
			            "control: reply not sent: %s", zmq_strerror(zmq_errno()));
		free(reply);
		message_close(&m);
		publish(srv, &ob);
		if (action == CONTROL_SHUTDOWN)
			srv->stop = 1;
	}
}

/* SIGHUP: load the configuration file again, between batches (the one in
 * hand is answered). The outcome is logged. */
static void reload_on_signal(struct server *srv)
{
	unsigned char b;
	while (read(signal_pipe[0], &b, 1) == 1)
		;
	reload_requested = 0;
	struct reload_diff *d = malloc(sizeof *d);
	struct config_errors *e = malloc(sizeof *e);
	if (d && e)
		reload_apply(srv->rules, now_ms(), "SIGHUP", d, e);
	else
		log_error("reload (SIGHUP): out of memory");
	free(d);
	free(e);
}

/* ---- response times ---- */

/* Remind of alerts nobody picked up in time: at most once a second (and
 * so also after a batch), whether or not anything else happens. */
static void remind_overdue(struct server *srv)
{
	int64_t now = now_ms();
	if (now >= srv->reminded_at_ms && now - srv->reminded_at_ms < 1000)
		return;
	srv->reminded_at_ms = now;
	struct outbox ob = {0};
	overdue_remind(srv->store, &srv->cfg->lifecycle, now, &ob);
	publish(srv, &ob);
}

/* ---- connections ---- */

/* Connections accepted and gone on the ingest and alerts sockets: refuse
 * those past the caps, and note that memory may be given back. */
static void serve_conns(struct server *srv, struct conns *c, const char *what)
{
	struct conns_events ev;
	conns_serve(c, &ev);
	if (ev.disconnected)
		srv->trim_due = 1;
	if (ev.refused) {
		if (c == srv->ingest_conns)
			srv->stats.ingest_conns_refused += ev.refused;
		else
			srv->stats.alerts_cut += ev.refused;
		log_limited(srv, LIMITED_INGEST_CONNS, LOG_WARN,
		            "%s: cut %zu new connections: %zu are open, the most allowed", what,
		            ev.refused, conns_count(c));
	}
}

/* Peers that left may have had megabytes queued: give the freed memory
 * back to the system, at most once a second (it walks the heap). */
static void give_back(struct server *srv)
{
	int64_t now = now_ms();
	if (!srv->trim_due || (now >= srv->trimmed_at_ms && now - srv->trimmed_at_ms < 1000))
		return;
	malloc_trim(0);
	srv->trim_due = 0;
	srv->trimmed_at_ms = now;
}

/* ---- heartbeat ---- */

/* Publish the latest alert seq when a heartbeat is due. Called once per
 * loop iteration, after the iteration's alerts are committed and
 * published, so every alert up to last_seq went out before the heartbeat
 * naming it, and a busy daemon beats as often as an idle one. */
static void beat(struct server *srv)
{
	int64_t now = now_ms();
	if (!heartbeat_due(&srv->hb, now))
		return;
	heartbeat_sent(&srv->hb, now);
	struct store_txn *t;
	if (store_begin(srv->store, 0, &t) != STORE_OK) {
		log_warn("heartbeat: cannot read the latest alert seq");
		return;
	}
	uint64_t last = store_last_alert_seq(t);
	store_abort(&t);
	uint8_t *buf = NULL;
	size_t len = 0;
	struct outbox ob = {0};
	if (heartbeat_pack(&srv->hb, last, now, &buf, &len) < 0 ||
	    outbox_add(&ob, HEARTBEAT_TOPIC, buf, len, NULL) < 0)
		log_error("heartbeat: out of memory");
	publish(srv, &ob);
}

int server_run(struct server *srv)
{
	if (signals_install() < 0) {
		log_error("signals: %s", strerror(errno));
		return -1;
	}
	log_info("ffcd %s serving: ingest %s, alerts %s, control %s, store %s", FFC_VERSION,
	         srv->cfg->ingest, srv->cfg->alerts, srv->control_ep, store_path(srv->store));
	if (srv->cfg->security_mode == SECURITY_CURVE)
		log_info("security: curve, %zu keys accepted, daemon public key %s",
		         srv->rules->access.n_keys, srv->cfg->public_key);
	else
		log_warn("security: INSECURE development mode: no CURVE, no keys; anyone on "
		         "this machine may send concerns and read alerts; listening on "
		         "loopback and local sockets only");
	int rc = 0;
	while (!srv->stop) {
		zmq_pollitem_t items[] = {
		    {srv->ingest, 0, ZMQ_POLLIN, 0},
		    {srv->control, 0, ZMQ_POLLIN, 0},
		    {NULL, signal_pipe[0], ZMQ_POLLIN, 0},
		    {srv->alerts, 0, ZMQ_POLLIN, 0},
		    {conns_socket(srv->ingest_conns), 0, ZMQ_POLLIN, 0},
		    {conns_socket(srv->alerts_conns), 0, ZMQ_POLLIN, 0},
		    {srv->zap, 0, ZMQ_POLLIN, 0}, /* last: absent in insecure mode */
		};
		int n_items = srv->zap ? 7 : 6;
		int64_t wait = heartbeat_wait_ms(&srv->hb, now_ms());
		if (srv->trim_due && (wait < 0 || wait > 1000))
			wait = 1000;
		if (zmq_poll(items, n_items, wait) < 0) {
			if (zmq_errno() == EINTR)
				continue;
			log_error("poll: %s", zmq_strerror(zmq_errno()));
			rc = -1;
			break;
		}
		if (items[4].revents & ZMQ_POLLIN)
			serve_conns(srv, srv->ingest_conns, "ingest");
		if (items[5].revents & ZMQ_POLLIN)
			serve_conns(srv, srv->alerts_conns, "alerts");
		if (srv->zap && (items[6].revents & ZMQ_POLLIN))
			serve_zap(srv);
		if (items[3].revents & ZMQ_POLLIN)
			serve_subscriptions(srv);
		if (items[0].revents & ZMQ_POLLIN)
			serve_ingest(srv);
		if (items[1].revents & ZMQ_POLLIN)
			serve_control(srv);
		if (reload_requested)
			reload_on_signal(srv);
		remind_overdue(srv);
		beat(srv);
		give_back(srv);
		if (signalled) {
			unsigned char b;
			while (read(signal_pipe[0], &b, 1) == 1)
				;
			log_info("signal %d: stopping", (int)signalled);
			srv->stop = 1;
		}
		control_tick(srv->store, now_ms(), srv->stop);
	}
	signals_remove();
	log_info("stopped");
	return rc;
}
