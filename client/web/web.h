/*
 * web.h - ffc-web, the MACPT console in a browser: what its parts share.
 *
 * ffc-web is a client of ffcd like ffcctl and ffc-watch. It serves HTTP
 * (libmicrohttpd, one thread per connection) on a configured address,
 * signs people in from its own accounts file, and speaks for each of them
 * on ffcd's control socket as a delegate (ControlRequest.on_behalf_of):
 * ffcd decides every request by the person's role, bounded by ffc-web's
 * own, and records the person in its audit trail. It relays the alerts
 * socket to the browsers (web_relay.c, web_ring.c, web_stream.c). It
 * never reads the store.
 *
 *   web_server.c   HTTP: listening, routing, security headers, static
 *                  assets, sign-in and sign-out, sessions by cookie, CSRF
 *   web_api.c      the JSON API: each request to ffcd on behalf of the
 *                  person signed in
 *   web_stream.c   the live stream of alerts (Server-Sent Events)
 *   web_relay.c    the alerts socket, caught up by seq, into the ring
 *   web_ring.c     the events relayed, and positions in them
 *   web_accounts.c web_session.c web_lockout.c web_form.c web_figures.c
 *                  the pure parts, unit-tested and fuzzed
 */
#ifndef FFC_WEB_H
#define FFC_WEB_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>

#include "ffc/ffc.h"
#include "web_accounts.h"
#include "web_form.h"
#include "web_lockout.h"
#include "web_ring.h"
#include "web_session.h"

/* How browsers reach ffc-web, and so whether its cookies are Secure. */
enum web_transport {
	WEB_TLS = 1,  /* HTTPS here, with the configured certificate */
	WEB_PROXY,    /* plain HTTP on loopback behind a TLS reverse proxy */
	WEB_DEV_HTTP, /* plain HTTP on loopback, cookies not Secure: development */
};

struct web_config {
	const char *listen;   /* "127.0.0.1:7480", "[::1]:7480", "0.0.0.0:443" */
	const char *accounts; /* the accounts file */
	const char *control, *alerts;
	const char *operator_name; /* ffc-web's own name on the control socket */
	enum web_transport transport;
	const char *tls_cert, *tls_key; /* WEB_TLS: PEM files */
	int64_t session_ms, idle_ms;    /* a session's lifetime, and idle time */
	int lockout_after;              /* wrong passwords before a lock */
	int64_t lockout_ms;             /* for how long, and the window they count in */
	int timeout_ms;                 /* one request to ffcd */
	int verbose;
};

#define WEB_STREAMS_MAX     64  /* live alert streams at once */
#define WEB_CONNECTIONS_MAX 256 /* HTTP connections at once */
#define WEB_VERIFY_SLOTS    2   /* password checks at once (64 MiB each) */

struct web_relay;

struct web {
	struct web_config cfg;
	pthread_mutex_t mu; /* sessions, lockout, accounts */
	struct web_sessions sessions;
	struct lockout lockout;
	struct web_accounts accounts;  /* as last read well */
	struct stat accounts_stat;     /* of that read: a change is read again */
	char dummy_hash[WEB_HASH_MAX]; /* checked for a name with no account: same time */
	sem_t verify_slots;
	struct ring ring;
	struct web_relay *relay;
	atomic_int streams;
	void *mhd;                /* struct MHD_Daemon */
	char *tls_key, *tls_cert; /* PEM, while the daemon runs */
};

/* ---- log (stderr; never a child's details) ---- */
void web_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Milliseconds since the epoch; on the monotonic clock. */
int64_t web_now_ms(void);
int64_t web_monotonic_ms(void);

/* ---- what a request handler is given and returns (web_server.c) ---- */

struct web_request {
	struct web *w;
	void *conn;             /* struct MHD_Connection */
	const char *path;       /* without the query */
	int post;               /* POST (with its form and CSRF token checked), else GET */
	struct web_session who; /* a copy of the caller's session */
	const struct web_form *form;
};

struct web_reply {
	int status;
	char *body;       /* malloc'd */
	const char *type; /* Content-Type; NULL: application/json */
	void *response;   /* a ready struct MHD_Response (the stream), instead of body */
};

/* A JSON reply {"error": message} with status. Always returns 0. */
int web_error(struct web_reply *out, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A query argument of the request, or NULL. */
const char *web_query(const struct web_request *rq, const char *name);
/* A request header, or NULL. */
const char *web_header(const struct web_request *rq, const char *name);

/* The account's current role (the accounts file read again when it
 * changed), or 0 when the account is gone: the caller's session ends.
 * Takes w->mu. */
enum web_role web_current_role(struct web *w, const char *name);

/* ---- the JSON API (web_api.c) ---- */

/* Answer rq if its path is an API's; 0 handled (out filled), -1 not an
 * API path. */
int web_api(struct web_request *rq, struct web_reply *out);

/* One request to ffcd on behalf of rq's person (purpose: why a record is
 * read, "" when none). The reply, or NULL with out filled: 502 when ffcd
 * does not answer, 403 with ffcd's words when it refuses. */
Ffc__V1__ControlReply *web_call(struct web_request *rq, Ffc__V1__ControlRequest *req,
                                const char *purpose, struct web_reply *out);

/* ---- the live stream (web_stream.c) ---- */

/* GET /api/events: a Server-Sent Events response for rq's person. */
int web_stream(struct web_request *rq, struct web_reply *out);

/* ---- the relay (web_relay.c) ---- */

/* Start the thread relaying ffcd's alerts socket into w->ring. 0, or -1. */
int web_relay_start(struct web *w);
/* Stop it and wait for it. */
void web_relay_stop(struct web *w);

/* ---- the server (web_server.c) ---- */

/* Validate the configuration, read the accounts, listen. 0, or -1 with
 * the reason in err. */
int web_server_start(struct web *w, char *err, size_t errlen);
void web_server_stop(struct web *w);

#endif
