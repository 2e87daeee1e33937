/*
 * zap.h - the ZeroMQ Authentication Protocol (RFC 27) as ffcd answers it:
 * parse one request, decide against the access list, say why not.
 *
 * Pure functions over frames already received: zap_server.c owns the ZAP
 * socket (a REP bound to inproc://zeromq.zap.01 on the daemon's context,
 * served from the poll loop) and sends the reply. Every TCP socket is a
 * CURVE server whose ZMQ_ZAP_DOMAIN names it ("ingest", "alerts",
 * "control"), so the handler knows which socket asks and which role fits:
 * adapters on ingest, consoles on alerts, operators (viewer, practitioner,
 * admin) on control; consoles, schools and adapters also on alerts and
 * control, for what they receive and catch up on (console.h, authz.c); lookup keys on control.
 */
#ifndef FFC_ZAP_H
#define FFC_ZAP_H

#include <stddef.h>
#include <stdint.h>

#include "access.h"

#define ZAP_ENDPOINT       "inproc://zeromq.zap.01"
#define ZAP_DOMAIN_INGEST  "ingest"
#define ZAP_DOMAIN_ALERTS  "alerts"
#define ZAP_DOMAIN_CONTROL "control"

/* A request is exactly 7 frames (CURVE: one credential); more is never
 * read into memory. Limits from RFC 27: each field is a short string. */
#define ZAP_FRAMES     7
#define ZAP_FRAMES_MAX 8 /* frames kept; more marks the request malformed */
#define ZAP_FIELD_MAX  255
#define ZAP_ERR_MAX    96

struct zap_frame {
	const uint8_t *data;
	size_t len;
};

struct zap_request {
	uint8_t request_id[ZAP_FIELD_MAX]; /* echoed in the reply */
	size_t request_id_len;
	char domain[ZAP_FIELD_MAX + 1];
	char mechanism[ZAP_FIELD_MAX + 1];
	uint8_t key[32]; /* the client's CURVE public key */
};

enum zap_verdict {
	ZAP_ALLOW = 0,
	ZAP_UNKNOWN_KEY, /* a well-formed CURVE request with a key not listed */
	ZAP_WRONG_ROLE,  /* a listed key whose role does not fit the socket */
	ZAP_MALFORMED,   /* not a ZAP 1.0 CURVE request as libzmq sends them */
	ZAP_BANNED,      /* a listed key refused for a while for what it sent */
};

/* Parse frames[0..n) (version, request id, domain, address, identity,
 * mechanism, credentials). Returns 0, or -1 with the reason in err
 * ("version: ...", cut to errlen); out->request_id is filled whenever
 * frame 1 exists and fits ZAP_FIELD_MAX bytes, so even a refusal of a
 * malformed request can be addressed. The frames are only read during
 * the call: *out holds copies. */
int zap_parse(const struct zap_frame *frames, size_t n, struct zap_request *out, char *err,
              size_t errlen);

/* Whether the key of a parsed request may connect to the socket its
 * domain names. *who is the key's entry when ZAP_ALLOW (its name becomes
 * the connection's User-Id), else NULL; it points into l, valid while l
 * is unchanged (a reload replaces l: copy the name). */
enum zap_verdict zap_decide(const struct zap_request *r, const struct access_list *l,
                            const struct access_key **who);

/* The reply's status text for a verdict ("OK", "unknown key", ...).
 * Static. */
const char *zap_verdict_text(enum zap_verdict v);

#endif
