/*
 * zap_server.h - the ZAP handler's socket, served from the poll loop, and
 * the keys refused for a while (bans).
 *
 * In curve mode every CURVE handshake on the daemon's sockets asks this
 * handler (RFC 27) whether the key may in; zap.h decides from the request
 * and the access list, this module receives the request and sends the
 * answer. A console key that sent data on the alerts socket is banned
 * from that socket for a minute (alerts_socket.c asks for it).
 */
#ifndef FFC_ZAP_SERVER_H
#define FFC_ZAP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "stats.h"

struct zap_server;

/* Bind the ZAP handler (a REP socket on ZAP_ENDPOINT) on the ZeroMQ
 * context ctx, before any socket can accept a handshake. Returns NULL
 * with "ZAP handler: reason" in err (cut to errlen) on failure. The
 * server borrows ctx, which must outlive it. */
struct zap_server *zap_server_new(void *ctx, char *err, size_t errlen);

/* Close the socket and free; *p set to NULL. Safe on NULL and twice.
 * Before the context is terminated. */
void zap_server_destroy(struct zap_server **p);

/* The handler's socket, for zmq_poll; borrowed, valid until destroy. */
void *zap_server_socket(struct zap_server *z);

/* Answer every request waiting (at most a few per call, so the loop goes
 * on), against the keys in `access` now (a key added or removed by a
 * reload counts from the next handshake) and the bans in force at now_ms.
 * Each refusal is counted in stats and logged at most once a second.
 * Errors receiving or sending are logged; nothing is returned. */
void zap_server_serve(struct zap_server *z, const struct access_list *access, struct stats *stats,
                      int64_t now_ms);

/* How long a console key that sent data on the alerts socket is refused. */
#define ZAP_BAN_MS (60 * 1000)

/* Refuse key `name`'s handshakes on the alerts socket from now_ms for
 * ZAP_BAN_MS. The table is small: a full one gives way to the ban
 * ending soonest. name is copied. Cannot fail. */
void zap_server_ban(struct zap_server *z, const char *name, int64_t now_ms);

#endif
