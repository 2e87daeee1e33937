/*
 * alerts_socket.c - the alerts socket's incoming side: each console
 * connection's subscriptions, what its key may receive, and a subscriber
 * that sends data.
 *
 * Owns the subscription counts per connection, the drain-and-resync state
 * and the alerts socket's connection table (conns.c). Does not own the
 * socket or what is published on it (server.c), what a subscription
 * becomes (console.c) or the bans (zap_server.c). One of the socket edges
 * that include zmq.h.
 */
#include "alerts_socket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "console.h"
#include "log.h"

/* Alerts connections at once. */
#define CONNS_MAX 1024
/* Messages read per call: reading one is a copy of a few bytes, and a
 * flood must be read to its end quickly so the socket's queues come back
 * in step (alerts_socket_serve). */
#define MESSAGES_PER_CALL 1024
/* Bytes a console connection may send in its life: its handshake and its
 * subscriptions (CONSOLE_SUBS_MAX of CONSOLE_FRAME_MAX bytes) with room
 * to spare. A connection past it once a subscriber sent data is cut. */
#define CONSOLE_BYTES_MAX (64 * 1024)
/* Connections whose subscription counts are kept (console.h). */
#define SUB_COUNTS_MAX 256

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

struct alerts_socket {
	void *sock;
	/* Only on a CURVE server is a message's User-Id the key name the ZAP
	 * handler gave; elsewhere it is whatever the peer put in its own
	 * handshake metadata, and names nobody. */
	int curve;
	/* A subscriber sent data: discard what is queued until the socket is
	 * empty, then cut the connections that sent anything meanwhile (see
	 * subs_data). */
	int draining, resync;
	struct conns *conns;
	struct sub_count counts[SUB_COUNTS_MAX];
	size_t n_counts;
	uint64_t read;          /* messages read, to age the counts */
	struct console_sub sub; /* scratch: what one subscription becomes */
	struct log_limit data_log, cut_log, subs_log, nothing_log;
};

struct alerts_socket *alerts_socket_new(void *ctx, void *sock, int curve, char *err, size_t errlen)
{
	struct alerts_socket *a = calloc(1, sizeof *a);
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->sock = sock;
	a->curve = curve;
	a->conns = conns_new(ctx, sock, "alerts", CONNS_MAX, err, errlen);
	if (!a->conns) {
		free(a);
		return NULL;
	}
	return a;
}

void alerts_socket_destroy(struct alerts_socket **p)
{
	struct alerts_socket *a = *p;
	if (!a)
		return;
	conns_destroy(&a->conns);
	for (size_t i = 0; i < a->n_counts; i++)
		zmq_msg_close(&a->counts[i].ref);
	free(a);
	*p = NULL;
}

struct conns *alerts_socket_conns(struct alerts_socket *a)
{
	return a->conns;
}

/* The subscription count of the connection a message came from, made if
 * new; NULL for a message without metadata (the unsubscriptions libzmq
 * makes itself when a console leaves). When the table is full the entry
 * seen longest ago gives way: that connection starts counting again. */
static struct sub_count *sub_count_of(struct alerts_socket *a, zmq_msg_t *m)
{
	const char *meta = zmq_msg_gets(m, "Socket-Type");
	if (!meta)
		return NULL;
	struct sub_count *c = NULL;
	for (size_t i = 0; i < a->n_counts && !c; i++)
		if (a->counts[i].meta == meta)
			c = &a->counts[i];
	if (!c) {
		if (a->n_counts < SUB_COUNTS_MAX) {
			c = &a->counts[a->n_counts++];
		} else {
			c = &a->counts[0];
			for (size_t i = 1; i < SUB_COUNTS_MAX; i++)
				if (a->counts[i].used < c->used)
					c = &a->counts[i];
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
	c->used = ++a->read;
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
 * key for ZAP_BAN_MS, and any connection past CONSOLE_BYTES_MAX (a
 * flood) is cut at once. */
static void subs_data(struct alerts_socket *a, const char *user, int *checked,
                      struct zap_server *bans, struct stats *stats, int64_t now)
{
	stats->alerts_data++;
	if (user && bans)
		zap_server_ban(bans, user, now);
	if (!*checked) {
		*checked = 1;
		stats->alerts_cut += conns_cut_over(a->conns, CONSOLE_BYTES_MAX);
	}
	log_limit_msg(&a->data_log, now, LOG_WARN,
	              "alerts: %s%s%s sent data, which consoles may not; applying no "
	              "subscription until the socket is in step, then cutting the connections "
	              "that sent anything meanwhile",
	              user ? "console '" : "a subscriber", user ? user : "", user ? "'" : "");
	a->draining = 1;
	a->resync = 1;
}

/* The socket's queue is empty: its queues are in step again. */
static void subs_in_step(struct alerts_socket *a, struct stats *stats, int64_t now)
{
	if (a->resync) {
		size_t cut = conns_cut_changed(a->conns);
		stats->alerts_cut += cut;
		log_limit_msg(&a->cut_log, now, LOG_WARN,
		              "alerts: in step again; cut %zu connections that sent anything "
		              "meanwhile, to subscribe again",
		              cut);
		a->resync = 0;
	}
	a->draining = 0;
	conns_mark(a->conns);
}

/* Apply one (un)subscription to the connection it came from. */
static void subs_apply(struct alerts_socket *a, enum console_verdict v, const char *user,
                       struct sub_count *c, int64_t now)
{
	int opt = v == CONSOLE_SUBSCRIBE ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE;
	for (size_t t = 0; t < a->sub.n; t++)
		if (zmq_setsockopt(a->sock, opt, a->sub.topics[t], strlen(a->sub.topics[t])) < 0)
			log_limit_msg(&a->subs_log, now, LOG_WARN,
			              "alerts: subscription not applied: %s",
			              zmq_strerror(zmq_errno()));
	if (c && v == CONSOLE_SUBSCRIBE)
		c->held++;
	else if (c && c->held)
		c->held--;
	if (user && v == CONSOLE_SUBSCRIBE && a->sub.n == 0)
		log_limit_msg(&a->nothing_log, now, LOG_INFO,
		              "alerts: console '%s' may receive nothing of its subscription", user);
}

/* Read the alerts socket's (un)subscriptions and subscribe each console's
 * connection to what its key's levels allow (console.h). Without CURVE a
 * subscription is taken as it is. */
void alerts_socket_serve(struct alerts_socket *a, const struct access_list *access,
                         struct zap_server *bans, struct stats *stats, int64_t now)
{
	int checked = 0;
	for (int i = 0; i < MESSAGES_PER_CALL; i++) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, a->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			subs_in_step(a, stats, now);
			return;
		}
		const char *user = a->curve ? zmq_msg_gets(&m, "User-Id") : NULL;
		if (user && !user[0])
			user = NULL;
		const struct access_key *k = user ? access_key_named(access, user) : NULL;
		struct console_grant g = {0};
		if (k && k->role == ACCESS_CONSOLE)
			g = (struct console_grant){.levels = k->levels, .notices = 1};
		else if (k && k->delegate) /* ffc-web: every level */
			g = (struct console_grant){.levels = ~0u, .notices = 1};
		else if (k && k->role == ACCESS_SCHOOL)
			g.urn = k->urn;
		else if (k && k->role == ACCESS_ADAPTER)
			g.agency = k->agency;
		struct sub_count *c = sub_count_of(a, &m);
		enum console_verdict v =
		    console_parse_grant(zmq_msg_data(&m), zmq_msg_size(&m), zmq_msg_more(&m),
		                        user != NULL, &g, c ? c->held : 0, &a->sub);
		if (v == CONSOLE_DATA) {
			subs_data(a, user, &checked, bans, stats, now);
		} else if (a->draining) {
			stats->alerts_discarded++;
		} else if (v == CONSOLE_TOO_LONG || v == CONSOLE_TOO_MANY) {
			stats->alerts_refused++;
			log_limit_msg(&a->subs_log, now, LOG_WARN, "alerts: %s%s%s: %s ignored",
			              user ? "console '" : "a subscriber", user ? user : "",
			              user ? "'" : "", console_verdict_name(v));
		} else {
			subs_apply(a, v, user, c, now);
		}
		zmq_msg_close(&m);
	}
}
