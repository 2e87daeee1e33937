/*
 * alerts_socket.h - what comes in on the alerts socket: each console's
 * subscriptions, narrowed to what its key may receive, and data no
 * console may send.
 *
 * The alerts socket is an XPUB in manual mode (server.c opens it and
 * publishes on it): nothing reaches a console unless this module
 * subscribed that console's connection to it. A subscription is applied
 * as console.c narrows it for the key's levels; a connection's count of
 * subscriptions held is bounded; a subscriber that sends data has its key
 * banned (zap_server.h) and, as libzmq then loses track of which
 * connection sent what, the socket is read to its end and every
 * connection that sent anything meanwhile is cut so it subscribes again.
 */
#ifndef FFC_ALERTS_SOCKET_H
#define FFC_ALERTS_SOCKET_H

#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "conns.h"
#include "stats.h"
#include "zap_server.h"

struct alerts_socket;

/* Take charge of what arrives on the XPUB socket `sock` (on context ctx):
 * monitor its connections (at most a fixed number at once; conns.h).
 * `curve`: sock is a CURVE server, so a message's User-Id is the console
 * key's name; otherwise every subscription is taken as it is. Borrows
 * ctx and sock, which must outlive it. NULL with the reason in err on
 * failure. */
struct alerts_socket *alerts_socket_new(void *ctx, void *sock, int curve, char *err, size_t errlen);

/* Free the connection table and the subscription counts; *p set to NULL.
 * Safe on NULL and twice. Before the context is terminated; does not
 * close sock. */
void alerts_socket_destroy(struct alerts_socket **p);

/* The socket's connections, for the loop to poll and serve (conns.h);
 * borrowed, valid until destroy. */
struct conns *alerts_socket_conns(struct alerts_socket *a);

/* Read what consoles sent (a bounded number of messages per call) and
 * apply each subscription for the key's levels in `access` (the keys in
 * force now). Data sent bans the sender's key in `bans` (may be NULL in
 * insecure mode, where no message names a key) from now_ms. Every message
 * refused, discarded or cut is counted in stats; the log says so at most
 * once a second per kind. Nothing is returned: there is no error the
 * loop could act on. */
void alerts_socket_serve(struct alerts_socket *a, const struct access_list *access,
                         struct zap_server *bans, struct stats *stats, int64_t now_ms);

#endif
