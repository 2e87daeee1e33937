/*
 * sockopts.c - sets a daemon socket's options and binds it (sockopts.h).
 *
 * Owns the order options are set in and the message naming the one that
 * failed. Does not own which sockets there are or their limits
 * (server.c). One of the socket edges that include zmq.h.
 */
#include "sockopts.h"

#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "ffc/cert.h"

void *sockopts_bind(void *ctx, int type, const char *endpoint, const char *what,
                    const struct sockopts *o, char *err, size_t errlen)
{
	void *s = zmq_socket(ctx, type);
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
