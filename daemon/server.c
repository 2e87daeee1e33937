/*
 * server.c - the sockets and the single-threaded poll loop.
 *
 * One iteration: wait on ingest, control and the signal pipe; read every
 * concern frame that is ready (up to batch_max); hand them to
 * ingest_batch(), which commits them in one synced write transaction; only
 * then send the receipts and publish the alerts raised. Persist first,
 * answer after, in a group: one fsync serves the whole batch, and no
 * receipt or alert ever speaks of something not on disk. Every iteration,
 * busy or idle, ends with its housekeeping (tick.h): overdue reminders and
 * a heartbeat when one is due, so consoles notice alerts they missed.
 *
 * Nothing slow runs in the loop: a backup, a configuration file loaded
 * for a reload or a rules test, and a rules test's judging of the whole
 * history run beside it (beside.h); the loop keeps the request's frames,
 * goes on serving, and answers when the work is done.
 *
 * Owns the ZeroMQ context and sockets (which there are, with which
 * limits; sockopts.c sets them), framing (routing envelopes), receipts,
 * control requests' transport and publishing what an outbox holds. Does
 * not own what a concern means (ingest.c), how control requests are
 * answered (control.c), what consoles send on the alerts socket
 * (alerts_socket.c), the ZAP handler (zap_server.c), the signal handlers
 * (signals.c), the threads beside the loop (beside.c), the housekeeping's
 * timing (tick.c) or what systemd is told (notify.c).
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "server.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "alerts_socket.h"
#include "beside.h"
#include "clock.h"
#include "conns.h"
#include "console.h"
#include "control.h"
#include "ffc/cert.h"
#include "ingest.h"
#include "log.h"
#include "notify.h"
#include "outbox.h"
#include "reload.h"
#include "signals.h"
#include "sockopts.h"
#include "stats.h"
#include "tally.h"
#include "tick.h"
#include "wire.h"
#include "zap.h"
#include "zap_server.h"

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
/* Receipts queued for one adapter, in multiples of batch_max: enough for
 * an adapter pipelining several batches; past it the adapter is not
 * reading its receipts (see serve_ingest). The same bounds what one
 * adapter may have queued towards the daemon. */
#define INGEST_HWM_BATCHES 4
/* Ingest connections at once: with the per-adapter queue, this bounds the
 * memory held for receipts nobody reads. */
#define INGEST_CONNS_MAX 256

/* Log lines a peer can cause on the ingest and control sockets, each
 * kind at most once a second with a count of those left out (log.h). */
enum limited_kind {
	LIMITED_INGEST_PARTS,
	LIMITED_RECEIPT,
	LIMITED_INGEST_CONNS,
	LIMITED_CONTROL_PARTS,
	LIMITED_CONTROL_REPLY,
	LIMITED_KINDS
};

struct message {
	size_t n_frames;   /* envelope frames, then the payload */
	size_t n_read;     /* frames the message had (more than kept: dropped) */
	size_t n_envelope; /* frames a reply goes back on (message_shape) */
	zmq_msg_t frames[ENVELOPE_MAX + 1];
};

static void message_close(struct message *m);

/* A control request whose work runs beside the loop: its frames are kept
 * for the reply (and the peer's name, which the request's caller may
 * borrow). */
struct later {
	struct message m;
	struct control_pending *p; /* NULL: the slot is free */
};

struct server {
	const struct config *cfg;
	struct store *store;
	void *ctx, *ingest, *alerts, *control;
	struct zap_server *zap; /* NULL in insecure mode */
	/* Which sockets are CURVE servers: only there is a message's User-Id
	 * the key name the ZAP handler gave. Elsewhere it is whatever the
	 * peer put in its own handshake metadata, and names nobody. */
	int ingest_curve, control_curve;
	struct alerts_socket *subs; /* what consoles send on the alerts socket */
	struct conns *ingest_conns;
	struct log_limit limited[LIMITED_KINDS];
	char control_ep[CONFIG_ENDPOINT_MAX];
	char control_path[CONFIG_ENDPOINT_MAX]; /* ipc socket file, "" otherwise */
	struct daemon_info info;
	struct stats stats;
	struct message *batch;
	struct ingest_item *items;
	/* The rules in force: the server's own copy, swapped whole by a
	 * reload between batches. */
	struct rules_state *rules;
	struct tick tick;             /* reminders, heartbeat, memory: every iteration */
	struct tally_pending tallies; /* rejections counted, written every few seconds */
	struct beside *beside;
	struct later later[BESIDE_MAX];
	struct reload_job *sighup; /* a SIGHUP's reload under way beside the loop */
	/* Monotonic ns before which no ingest batch begins while a reader
	 * beside the loop holds its snapshot (ingest_held()). */
	int64_t ingest_after_ns;
	int stop;
};

/* Log a line a peer caused on the ingest or control socket: at most one
 * a second of each kind (log.h). */
static void log_limited(struct server *srv, enum limited_kind kind, enum log_level level,
                        const char *fmt, ...) FFC_PRINTF(4, 5);
static void log_limited(struct server *srv, enum limited_kind kind, enum log_level level,
                        const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_limit_vmsg(&srv->limited[kind], clock_wall_ms(), level, fmt, ap);
	va_end(ap);
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
	stats_init(&srv->stats);
	srv->batch = calloc(cfg->batch_max, sizeof *srv->batch);
	srv->items = calloc(cfg->batch_max, sizeof *srv->items);
	srv->rules = malloc(sizeof *srv->rules);
	srv->ctx = zmq_ctx_new();
	if (!srv->batch || !srv->items || !srv->rules || !srv->ctx) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	srv->beside = beside_new(err, errlen);
	if (!srv->beside)
		goto fail;
	/* A reload runs this very program as the loader of the file. */
	reload_init(srv->rules, cfg, "/proc/self/exe", clock_wall_ms());

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
		srv->zap = zap_server_new(srv->ctx, err, errlen);
		if (!srv->zap)
			goto fail;
	}
	const char *secret = cert.secret_key[0] ? cert.secret_key : NULL;
	srv->ingest_curve = secret && !strncmp(cfg->ingest, "tcp://", 6);
	int alerts_curve = secret && !strncmp(cfg->alerts, "tcp://", 6);
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
	    sockopts_bind(srv->ctx, ZMQ_ROUTER, cfg->ingest, "ingest", &ingest_opts, err, errlen);
	if (srv->ingest)
		srv->alerts = sockopts_bind(srv->ctx, ZMQ_XPUB, cfg->alerts, "alerts", &alerts_opts,
		                            err, errlen);
	if (srv->alerts)
		srv->control = sockopts_bind(srv->ctx, ZMQ_ROUTER, srv->control_ep, "control",
		                             &control_opts, err, errlen);
	explicit_bzero(&cert, sizeof cert);
	secret = NULL;
	if (!srv->control)
		goto fail;
	srv->ingest_conns =
	    conns_new(srv->ctx, srv->ingest, "ingest", INGEST_CONNS_MAX, err, errlen);
	if (srv->ingest_conns)
		srv->subs = alerts_socket_new(srv->ctx, srv->alerts, alerts_curve, err, errlen);
	if (!srv->subs)
		goto fail;
	if (srv->control_path[0] && chmod(srv->control_path, 0600) < 0) {
		snprintf(err, errlen, "control socket %s: chmod: %s", srv->control_path,
		         strerror(errno));
		goto fail;
	}
	srv->info = (struct daemon_info){
	    .version = FFC_VERSION,
	    .started_at_ms = clock_wall_ms(),
	    .ingest = cfg->ingest,
	    .alerts = cfg->alerts,
	    .control = srv->control_ep,
	    .pid = (long)getpid(),
	    .security_mode = cfg->security_mode == SECURITY_CURVE ? "curve" : "insecure",
	    .public_key = cfg->public_key,
	};
	tick_init(&srv->tick, srv->info.started_at_ms);
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
	/* Every job has finished (server_run waits for them); any not
	 * answered is forgotten with its frames. */
	beside_destroy(&srv->beside);
	for (size_t i = 0; i < BESIDE_MAX; i++) {
		if (!srv->later[i].p)
			continue;
		control_pending_discard(&srv->later[i].p);
		message_close(&srv->later[i].m);
	}
	reload_job_free(srv->sighup);
	zap_server_destroy(&srv->zap);
	conns_destroy(&srv->ingest_conns);
	alerts_socket_destroy(&srv->subs);
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
	log_hold();
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
			log_msg(m->note_level, "%s", m->note);
	}
	log_flush();
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
		srv->items[n].adapter = srv->ingest_curve ? zmq_msg_gets(payload, "User-Id") : NULL;
		n++;
	}
	if (n == 0)
		return 0;

	/* Alerts queued carry their due time, as every alert the socket
	 * publishes on raising. */
	struct outbox ob = {.policy = &srv->cfg->lifecycle};
	struct ingest_limits limits = {.max_message = srv->cfg->max_message,
	                               .schools = &srv->rules->schools};
	const int64_t began = clock_mono_ns();
	int stored = ingest_batch(srv->store, srv->rules->rules, srv->rules->n_rules, &limits,
	                          srv->items, n, clock_wall_ms(), &ob);
	if (stored >= 0)
		stats_batch(&srv->stats, n, (double)(clock_mono_ns() - began) / 1e9,
		            clock_wall_ms());
	log_debug("ingest: batch of %zu, %d stored, %zu alerts", n, stored, ob.n);

	/* Committed: now answer, then tell the consoles. */
	for (size_t i = 0; i < n; i++) {
		const struct receipt *r = &srv->items[i].receipt;
		stats_receipt(&srv->stats, r);
		if (r->status == RECEIPT_REJECTED &&
		    tally_rejected(&srv->tallies, ingest_adapter(&srv->items[i]), clock_wall_ms(),
		                   r->error))
			tally_flush(&srv->tallies, srv->store, clock_wall_ms(), 0);
		if (r->status == RECEIPT_REJECTED)
			log_debug("ingest: rejected '%.64s': %s", r->concern_id, r->error);
		receipt_send(srv, &srv->batch[i], r);
		message_close(&srv->batch[i]);
	}
	ingest_items_release(srv->items, n);
	publish(srv, &ob);
	return 0;
}

/* ---- control ---- */

/* What a control request is answered with, for the request in payload
 * (its peer) publishing into *ob. */
static struct control_env control_env_of(struct server *srv, zmq_msg_t *payload, struct outbox *ob,
                                         struct control_pending **later)
{
	return (struct control_env){
	    .store = srv->store,
	    .info = &srv->info,
	    .stats = &srv->stats,
	    .rules = srv->rules->rules,
	    .n_rules = srv->rules->n_rules,
	    .policy = &srv->cfg->lifecycle,
	    .out = ob,
	    .rules_state = srv->rules,
	    .peer = srv->control_curve ? zmq_msg_gets(payload, "User-Id") : NULL,
	    .peer_address = srv->control_curve ? NULL : zmq_msg_gets(payload, "Peer-Address"),
	    .access = &srv->rules->access,
	    .retention_years = srv->cfg->retention_years,
	    .backup_rate = srv->cfg->backup_rate,
	    .schools = &srv->rules->schools,
	    .tallies = &srv->tallies,
	    .later = later,
	};
}

/* Send a control reply on m's envelope, then what the request raised. */
static void control_reply(struct server *srv, struct message *m, uint8_t *reply, size_t len,
                          struct outbox *ob)
{
	if (reply && reply_send(srv->control, m, reply, len) < 0)
		log_limited(srv, LIMITED_CONTROL_REPLY, LOG_WARN, "control: reply not sent: %s",
		            zmq_strerror(zmq_errno()));
	free(reply);
	publish(srv, ob);
}

/* Answer a request whose work has finished beside the loop (or, with why,
 * could not be started) and free its slot. */
static void resume_later(struct server *srv, struct later *l, const char *why)
{
	struct outbox ob = {0};
	uint8_t *reply = NULL;
	size_t len = 0;
	zmq_msg_t *payload = &l->m.frames[l->m.n_frames - 1];
	const struct control_env env = control_env_of(srv, payload, &ob, NULL);
	if (control_resume(&l->p, &env, why, clock_wall_ms(), &reply, &len) == CONTROL_SHUTDOWN)
		srv->stop = 1;
	control_reply(srv, &l->m, reply, len, &ob);
	message_close(&l->m);
}

static void run_later(void *p)
{
	control_pending_run(p);
}

/* Keep the request in m for its work beside the loop, and start it. */
static void start_later(struct server *srv, struct message *m, struct control_pending *p)
{
	struct later *l = NULL;
	for (size_t i = 0; i < BESIDE_MAX && !l; i++)
		if (!srv->later[i].p)
			l = &srv->later[i];
	/* There are as many slots as jobs beside the loop: with none free,
	 * the start below is refused too, and says so. */
	struct later spare = {.p = NULL};
	if (!l)
		l = &spare;
	l->p = p;
	l->m = (struct message){
	    .n_frames = m->n_frames, .n_read = m->n_read, .n_envelope = m->n_envelope};
	for (size_t i = 0; i < m->n_frames; i++) {
		zmq_msg_init(&l->m.frames[i]);
		zmq_msg_move(&l->m.frames[i], &m->frames[i]);
	}
	message_close(m);
	if (l != &spare && beside_start(srv->beside, run_later, p) == 0)
		return;
	char why[128];
	snprintf(why, sizeof why, "busy: %s; try again when one is answered",
	         l == &spare || errno == EBUSY
	             ? "as many requests as can be are being answered beside the loop"
	             : "cannot start a thread for this request");
	resume_later(srv, l, why);
}

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
		struct control_pending *later = NULL;
		const struct control_env env = control_env_of(srv, payload, &ob, &later);
		enum control_action action =
		    control_handle(&env, zmq_msg_data(payload), zmq_msg_size(payload),
		                   clock_wall_ms(), &reply, &len);
		if (action == CONTROL_LATER) {
			start_later(srv, &m, later);
			continue;
		}
		control_reply(srv, &m, reply, len, &ob);
		message_close(&m);
		if (action == CONTROL_SHUTDOWN)
			srv->stop = 1;
	}
}

static void reload_finish_signal(struct server *srv);

/* SIGHUP: load the configuration file again beside the loop; its rules
 * are put in force when it is loaded, between batches. The outcome is
 * logged. A reload already under way is left to finish first. */
static void reload_on_signal(struct server *srv)
{
	if (srv->sighup)
		return;
	signals_reload_taken();
	notify_reloading();
	srv->sighup = reload_job_new(srv->rules, "SIGHUP");
	if (!srv->sighup) {
		log_error("reload (SIGHUP): out of memory");
		return;
	}
	if (beside_start(srv->beside, reload_job_run, srv->sighup) == 0)
		return;
	/* No thread to run it on: loaded here, holding the loop. */
	reload_job_run(srv->sighup);
	reload_finish_signal(srv);
}

/* A SIGHUP's file is loaded: put it in force (or log why not). */
static void reload_finish_signal(struct server *srv)
{
	struct reload_diff *d = malloc(sizeof *d);
	struct config_errors *e = malloc(sizeof *e);
	if (d && e)
		reload_job_finish(srv->rules, srv->sighup, clock_wall_ms(), d, e);
	else
		log_error("reload (SIGHUP): out of memory");
	free(d);
	free(e);
	notify_ready();
	reload_job_free(srv->sighup);
	srv->sighup = NULL;
}

/* Each job beside the loop that has finished, answered. */
static void serve_beside(struct server *srv)
{
	void *done;
	while ((done = beside_take(srv->beside))) {
		if (done == srv->sighup) {
			reload_finish_signal(srv);
			continue;
		}
		for (size_t i = 0; i < BESIDE_MAX; i++)
			if (srv->later[i].p == done)
				resume_later(srv, &srv->later[i], NULL);
	}
}

/* ---- connections ---- */

/* Connections accepted and gone on the ingest and alerts sockets: refuse
 * those past the caps, and note that memory may be given back. */
static void serve_conns(struct server *srv, struct conns *c, const char *what)
{
	struct conns_events ev;
	conns_serve(c, &ev);
	if (c == srv->ingest_conns)
		srv->stats.adapters = conns_count(c);
	else
		srv->stats.consoles = conns_count(c);
	if (ev.disconnected)
		tick_peers_left(&srv->tick);
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

/* The housekeeping of every iteration, after its batch and requests are
 * answered: overdue reminders, then the heartbeat (so every alert up to
 * the seq it names went out before it), then memory given back. */
static void tick_run(struct server *srv)
{
	struct outbox ob = {0};
	tick_remind(&srv->tick, srv->store, &srv->cfg->lifecycle, clock_wall_ms(), &ob);
	publish(srv, &ob);
	tick_beat(&srv->tick, srv->store, clock_wall_ms(), &ob);
	publish(srv, &ob);
	tick_give_back(&srv->tick, clock_wall_ms());
	tally_flush(&srv->tallies, srv->store, clock_wall_ms(), srv->stop);
}

/* While a reader beside the loop holds its snapshot (a backup, above
 * all), no page a commit replaces can be reused until the reader ends,
 * so the store file grows by every page the loop writes meanwhile. At
 * 2,000 concerns a second each commit holds two or three of them and
 * rewrites some thirty pages: a 9 s copy of a 900 MiB store grew it by
 * 1.1 GiB. So meanwhile an ingest batch begins at most every
 * store.backup_commit_gap_ms after the one before, and what arrives in
 * between is gathered into it: with 10 ms, 280 MiB. Says whether the
 * ingest socket is left alone this time round, *wait (ms, or -1 for no
 * limit) shortened to when it is not. */
static int ingest_held(struct server *srv, long *wait)
{
	const int64_t left = srv->ingest_after_ns - clock_mono_ns();
	if (left <= 0 || !store_readers(srv->store))
		return 0;
	const long ms = (long)((left + 999999) / 1000000);
	if (*wait < 0 || ms < *wait)
		*wait = ms;
	return 1;
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
	/* Sockets bound, store open, signals handled: systemd may go on. */
	notify_ready();
	int rc = 0;
	while (!srv->stop) {
		zmq_pollitem_t items[] = {
		    {srv->ingest, 0, ZMQ_POLLIN, 0},
		    {srv->control, 0, ZMQ_POLLIN, 0},
		    {NULL, signals_fd(), ZMQ_POLLIN, 0},
		    {srv->alerts, 0, ZMQ_POLLIN, 0},
		    {conns_socket(srv->ingest_conns), 0, ZMQ_POLLIN, 0},
		    {conns_socket(alerts_socket_conns(srv->subs)), 0, ZMQ_POLLIN, 0},
		    {NULL, beside_fd(srv->beside), ZMQ_POLLIN, 0},
		    /* last: absent in insecure mode */
		    {srv->zap ? zap_server_socket(srv->zap) : NULL, 0, ZMQ_POLLIN, 0},
		};
		int n_items = srv->zap ? 8 : 7;
		long wait = notify_wait_ms((long)tick_wait_ms(&srv->tick, clock_wall_ms()));
		if (ingest_held(srv, &wait))
			items[0].events = 0;
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
			serve_conns(srv, alerts_socket_conns(srv->subs), "alerts");
		if (srv->zap && (items[7].revents & ZMQ_POLLIN))
			zap_server_serve(srv->zap, &srv->rules->access, &srv->stats,
			                 clock_wall_ms());
		if (items[3].revents & ZMQ_POLLIN)
			alerts_socket_serve(srv->subs, &srv->rules->access, srv->zap, &srv->stats,
			                    clock_wall_ms());
		if (items[0].revents & ZMQ_POLLIN) {
			const int64_t began = clock_mono_ns();
			serve_ingest(srv);
			srv->ingest_after_ns =
			    began + (int64_t)srv->cfg->backup_commit_gap_ms * 1000000;
		}
		if (items[1].revents & ZMQ_POLLIN)
			serve_control(srv);
		if (items[6].revents & ZMQ_POLLIN)
			serve_beside(srv);
		if (signals_reload())
			reload_on_signal(srv);
		tick_run(srv);
		notify_watchdog();
		if (signals_stop()) {
			signals_drain();
			log_info("signal %d: stopping", signals_stop());
			srv->stop = 1;
		}
		control_tick(srv->store, clock_wall_ms(), srv->stop);
	}
	notify_stopping();
	/* The store must not close under a copy or a reader: what runs
	 * beside the loop finishes, and is answered, first. */
	if (beside_pending(srv->beside)) {
		log_info("waiting for %zu request%s being answered beside the loop",
		         beside_pending(srv->beside), beside_pending(srv->beside) == 1 ? "" : "s");
		beside_wait(srv->beside);
		serve_beside(srv);
	}
	tally_flush(&srv->tallies, srv->store, clock_wall_ms(), 1);
	signals_remove();
	log_info("stopped");
	return rc;
}
