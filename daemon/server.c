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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

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
/* Control requests served per loop iteration, so ingest is never starved. */
#define CONTROL_PER_ITERATION 16

struct message {
	size_t n_frames; /* envelope frames, then the payload */
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
	 * until the socket is empty (see serve_subscriptions). */
	int subs_draining;
	/* Refusals are logged at most once a second: a refused peer's libzmq
	 * tries again about ten times a second, and must not flood the log
	 * (every refusal is counted in stats all the same). */
	int64_t zap_logged_at_ms;
	uint64_t zap_unlogged;
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
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
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

/* ---- sockets ---- */

/* Socket options, set before zmq_bind: libzmq copies them into the
 * listener when it binds, so options set afterwards never reach the
 * connections it accepts. */
struct sockopts {
	int hwm;            /* send and receive high-water marks; 0: libzmq's */
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
	int linger = 1000;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	if (o->hwm) {
		zmq_setsockopt(s, ZMQ_SNDHWM, &o->hwm, sizeof o->hwm);
		zmq_setsockopt(s, ZMQ_RCVHWM, &o->hwm, sizeof o->hwm);
	}
	if (o->maxmsgsize)
		zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &o->maxmsgsize, sizeof o->maxmsgsize);
	if (o->mandatory)
		zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &o->mandatory, sizeof o->mandatory);
	if (o->xpub_manual)
		zmq_setsockopt(s, ZMQ_XPUB_MANUAL, &o->xpub_manual, sizeof o->xpub_manual);
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

	/* Pipelining adapters keep many receipts in flight: the high-water
	 * mark must not drop them while an adapter is still sending. */
	const struct sockopts ingest_opts = {
	    .hwm = 100000,
	    .maxmsgsize = (int64_t)cfg->max_message * OVERSIZE_FACTOR,
	    .mandatory = 1,
	    .zap_domain = ZAP_DOMAIN_INGEST,
	    .secret_key = secret,
	};
	/* A PUB socket drops for a slow subscriber rather than block ingest;
	 * consoles catch up by seq. */
	/* An XPUB in manual mode: a console key gets only the levels it is
	 * given (console.h). */
	const struct sockopts alerts_opts = {
	    .hwm = 10000,
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
 * frames is read to its end and dropped (returns 2). */
static int message_recv(void *sock, struct message *m)
{
	m->n_frames = 0;
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
		if (m->n_frames < ENVELOPE_MAX + 1)
			m->frames[m->n_frames++] = frame;
		else {
			zmq_msg_close(&frame);
			dropped = 1;
		}
		if (!more)
			break;
	}
	if (dropped || m->n_frames < 2) {
		/* No envelope (impossible on a ROUTER) or too many frames. */
		message_close(m);
		return 2;
	}
	return 1;
}

/* Send payload back on the message's envelope. */
static int reply_send(void *sock, struct message *m, const void *data, size_t len)
{
	for (size_t i = 0; i + 1 < m->n_frames; i++) {
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
		if (rc == 2) {
			log_warn("ingest: dropped a message that is not envelope + one frame");
			continue;
		}
		struct message *m = &srv->batch[n];
		zmq_msg_t *payload = &m->frames[m->n_frames - 1];
		memset(&srv->items[n], 0, sizeof srv->items[n]);
		srv->items[n].data = zmq_msg_data(payload);
		srv->items[n].len = zmq_msg_size(payload);
		srv->items[n].agency_bound = bound_agency(srv, payload);
		n++;
	}
	if (n == 0)
		return 0;

	struct alert_list raised = {0};
	struct ingest_limits limits = {.max_message = srv->cfg->max_message};
	int stored = ingest_batch(srv->store, srv->rules->rules, srv->rules->n_rules, &limits,
	                          srv->items, n, now_ms(), &raised);
	if (stored >= 0)
		srv->stats.batches++;
	log_debug("ingest: batch of %zu, %d stored, %zu alerts", n, stored, raised.n);

	/* Committed: now answer, then tell the consoles. */
	for (size_t i = 0; i < n; i++) {
		uint8_t *buf = NULL;
		size_t len = 0;
		const struct receipt *r = &srv->items[i].receipt;
		stats_receipt(&srv->stats, r);
		if (r->status == RECEIPT_REJECTED)
			log_debug("ingest: rejected '%.64s': %s", r->concern_id, r->error);
		if (wire_receipt_pack(r, &buf, &len) < 0 ||
		    reply_send(srv->ingest, &srv->batch[i], buf, len) < 0)
			log_warn("ingest: receipt for '%.64s' not sent: %s", r->concern_id,
			         buf ? zmq_strerror(zmq_errno()) : "out of memory");
		free(buf);
		message_close(&srv->batch[i]);
	}
	ingest_items_release(srv->items, n);
	struct outbox ob = {0};
	for (size_t i = 0; i < raised.n; i++)
		raised.items[i]->due_at_ms = lifecycle_due(&srv->cfg->lifecycle, raised.items[i]);
	for (size_t i = 0; i < raised.n; i++)
		if (outbox_add_alert(&ob, raised.items[i]) < 0)
			log_error("alerts: out of memory packing %s", raised.items[i]->alert_id);
	alert_list_clear(&raised);
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
			else
				srv->stats.refused_malformed++;
			/* A public key is no secret: it says which key to look into. */
			int64_t now = now_ms();
			if (now - srv->zap_logged_at_ms >= 1000) {
				log_warn("ZAP: refused %s on %s: %s%s%s (%llu more refused since "
				         "the last one logged)",
				         v == ZAP_MALFORMED ? "a request" : key,
				         v == ZAP_MALFORMED ? "a socket" : r.domain,
				         zap_verdict_text(v), why[0] ? ": " : "", why,
				         (unsigned long long)srv->zap_unlogged);
				srv->zap_logged_at_ms = now;
				srv->zap_unlogged = 0;
			} else {
				srv->zap_unlogged++;
			}
			zap_reply(srv->zap, &r, "400", zap_verdict_text(v), "");
		}
		for (size_t k = 0; k < n; k++)
			zmq_msg_close(&frames[k]);
	}
}

/* ---- alerts: what each console subscribes to ---- */

/* Read the alerts socket's (un)subscriptions and subscribe each console's
 * connection to what its key's levels allow (console.h). Without CURVE a
 * subscription is taken as it is. */
static void serve_subscriptions(struct server *srv)
{
	for (int i = 0; i < CONTROL_PER_ITERATION; i++) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, srv->alerts, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			srv->subs_draining = 0; /* empty: the queues are in step */
			return;
		}
		const uint8_t *d = zmq_msg_data(&m);
		size_t len = zmq_msg_size(&m);
		if (len == 0 || (d[0] != 0 && d[0] != 1) || zmq_msg_more(&m)) {
			/* Not a subscription: consoles send no data. libzmq 4.3's
			 * XPUB in manual mode queues such a message without the
			 * connection it came from, so from here on each
			 * subscription read would be applied to the connection of
			 * the one queued after it: one console's levels to another.
			 * Apply nothing until the queues are empty and in step
			 * again; subscriptions discarded meanwhile are lost until
			 * those consoles reconnect (they notice: no heartbeat). */
			if (!srv->subs_draining)
				log_warn("alerts: a subscriber sent data; discarding the queued "
				         "subscriptions");
			srv->subs_draining = 1;
			zmq_msg_close(&m);
			continue;
		}
		if (srv->subs_draining) {
			zmq_msg_close(&m);
			continue;
		}
		int opt = d[0] ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE;
		const char *user = srv->alerts_curve ? zmq_msg_gets(&m, "User-Id") : NULL;
		if (!user || !user[0]) {
			zmq_setsockopt(srv->alerts, opt, d + 1, len - 1);
		} else {
			const struct access_key *k = access_key_named(&srv->rules->access, user);
			char topics[CONSOLE_TOPICS_MAX][OUTBOX_TOPIC_MAX];
			size_t n = k && k->role == ACCESS_CONSOLE
			               ? console_topics((const char *)d + 1, len - 1, k->levels,
			                                topics, CONSOLE_TOPICS_MAX)
			               : 0;
			for (size_t t = 0; t < n; t++)
				zmq_setsockopt(srv->alerts, opt, topics[t], strlen(topics[t]));
			if (d[0] && n == 0)
				log_info("alerts: console '%s' may receive nothing of its "
				         "subscription",
				         user);
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
		if (rc == 2)
			continue;
		zmq_msg_t *payload = &m.frames[m.n_frames - 1];
		uint8_t *reply = NULL;
		size_t len = 0;
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
			log_warn("control: reply not sent: %s", zmq_strerror(zmq_errno()));
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
		    {srv->ingest, 0, ZMQ_POLLIN, 0},       {srv->control, 0, ZMQ_POLLIN, 0},
		    {NULL, signal_pipe[0], ZMQ_POLLIN, 0}, {srv->alerts, 0, ZMQ_POLLIN, 0},
		    {srv->zap, 0, ZMQ_POLLIN, 0}, /* last: absent in insecure mode */
		};
		int n_items = srv->zap ? 5 : 4;
		if (zmq_poll(items, n_items, heartbeat_wait_ms(&srv->hb, now_ms())) < 0) {
			if (zmq_errno() == EINTR)
				continue;
			log_error("poll: %s", zmq_strerror(zmq_errno()));
			rc = -1;
			break;
		}
		if (srv->zap && (items[4].revents & ZMQ_POLLIN))
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
