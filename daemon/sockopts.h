/*
 * sockopts.h - making one of the daemon's ZeroMQ sockets: its limits and
 * contract set, CURVE on tcp://, then bound.
 *
 * server.c says which sockets there are and with which options; this
 * module sets them in the one order that works and says which one did
 * not take. Every option is checked: one that does not take (a manual
 * XPUB that is not manual would give every console every level) fails
 * start-up.
 */
#ifndef FFC_SOCKOPTS_H
#define FFC_SOCKOPTS_H

#include <stddef.h>
#include <stdint.h>

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

/* A socket of ZeroMQ type `type` (ZMQ_ROUTER, ZMQ_XPUB) on context ctx,
 * with o's options (and ZMQ_LINGER 1 s), bound to endpoint. Returns the
 * socket (the caller closes it with zmq_close), or NULL with "WHAT
 * socket: ..." in err (cut to errlen) naming the option, CURVE or the
 * bind that failed. o and its strings are only read; the secret key is
 * copied by libzmq. */
void *sockopts_bind(void *ctx, int type, const char *endpoint, const char *what,
                    const struct sockopts *o, char *err, size_t errlen);

#endif
