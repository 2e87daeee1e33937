/*
 * zap_server.c - serves the ZAP handler's socket: receives each request,
 * asks zap.c for the verdict, refuses a banned console key, answers.
 *
 * Owns the ZAP REP socket and the ban table. Does not own the decision
 * (zap.c), the access list (reload.c keeps the one in force) or why a key
 * is banned (alerts_socket.c). One of the socket edges that include zmq.h.
 */
#include "zap_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "ffc/cert.h"
#include "log.h"
#include "zap.h"

/* Requests answered per call, so the loop goes on to its other sockets. */
#define REQUESTS_PER_CALL 16
#define BANS_MAX          16

struct ban {
	char name[ACCESS_NAME_MAX];
	int64_t until_ms;
};

struct zap_server {
	void *sock;
	struct ban bans[BANS_MAX];
	struct log_limit refused_log; /* a refused peer's libzmq retries fast */
};

struct zap_server *zap_server_new(void *ctx, char *err, size_t errlen)
{
	struct zap_server *z = calloc(1, sizeof *z);
	if (!z) {
		snprintf(err, errlen, "ZAP handler: out of memory");
		return NULL;
	}
	z->sock = zmq_socket(ctx, ZMQ_REP);
	int linger = 0;
	if (!z->sock || zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
	    zmq_bind(z->sock, ZAP_ENDPOINT) < 0) {
		snprintf(err, errlen, "ZAP handler: %s", zmq_strerror(zmq_errno()));
		zap_server_destroy(&z);
		return NULL;
	}
	return z;
}

void zap_server_destroy(struct zap_server **p)
{
	struct zap_server *z = *p;
	if (!z)
		return;
	if (z->sock)
		zmq_close(z->sock);
	free(z);
	*p = NULL;
}

void *zap_server_socket(struct zap_server *z)
{
	return z->sock;
}

/* Whether a key is refused for now for what it sent (ban). */
static int banned(const struct zap_server *z, const char *name, int64_t now)
{
	for (size_t i = 0; i < BANS_MAX; i++)
		if (z->bans[i].until_ms > now && !strcmp(z->bans[i].name, name))
			return 1;
	return 0;
}

void zap_server_ban(struct zap_server *z, const char *name, int64_t now)
{
	struct ban *slot = &z->bans[0];
	for (size_t i = 0; i < BANS_MAX; i++) {
		struct ban *b = &z->bans[i];
		if (!strcmp(b->name, name) || b->until_ms <= now) {
			slot = b;
			break;
		}
		if (b->until_ms < slot->until_ms)
			slot = b;
	}
	snprintf(slot->name, sizeof slot->name, "%s", name);
	slot->until_ms = now + ZAP_BAN_MS;
}

static void reply(void *sock, const struct zap_request *r, const char *code, const char *text,
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

void zap_server_serve(struct zap_server *z, const struct access_list *access, struct stats *stats,
                      int64_t now)
{
	for (int i = 0; i < REQUESTS_PER_CALL; i++) {
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
			if (zmq_msg_recv(m, z->sock, total ? 0 : ZMQ_DONTWAIT) < 0) {
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
		                         : zap_decide(&r, access, &who);
		if (total > ZAP_FRAMES_MAX)
			snprintf(why, sizeof why, "%zu frames", total);
		if (v == ZAP_ALLOW && !strcmp(r.domain, ZAP_DOMAIN_ALERTS) &&
		    banned(z, who->name, now))
			v = ZAP_BANNED;
		if (v == ZAP_ALLOW) {
			log_debug("ZAP: %s key '%s' connected to %s", access_role_name(who->role),
			          who->name, r.domain);
			reply(z->sock, &r, "200", "OK", who->name);
		} else {
			char key[FFC_KEY_Z85_LEN + 1] = "?";
			if (v != ZAP_MALFORMED)
				zmq_z85_encode(key, r.key, sizeof r.key);
			if (v == ZAP_UNKNOWN_KEY)
				stats->refused_unknown_key++;
			else if (v == ZAP_WRONG_ROLE)
				stats->refused_role++;
			else if (v == ZAP_BANNED)
				stats->refused_banned++;
			else
				stats->refused_malformed++;
			/* A public key is no secret: it says which key to look into.
			 * A refused peer's libzmq tries again about ten times a
			 * second. */
			log_limit_msg(&z->refused_log, now, LOG_WARN,
			              "ZAP: refused %s on %s: %s%s%s",
			              v == ZAP_MALFORMED ? "a request" : key,
			              v == ZAP_MALFORMED ? "a socket" : r.domain,
			              zap_verdict_text(v), why[0] ? ": " : "", why);
			reply(z->sock, &r, "400", zap_verdict_text(v), "");
		}
		for (size_t k = 0; k < n; k++)
			zmq_msg_close(&frames[k]);
	}
}
