/*
 * zap.c - parsing and judging ZAP requests (see zap.h).
 *
 * Owns the request's layout and the rule "which role on which socket".
 * Does not own sockets (server.c) or the keys (config.c fills the access
 * list). Nothing in a request is trusted: every frame count, length and
 * value is checked before use, and anything unexpected is a refusal.
 */
#include "zap.h"

#include <stdio.h>
#include <string.h>

static int field(const struct zap_frame *f, char *dst, size_t size, const char *what, char *err,
                 size_t errlen)
{
	if (f->len >= size || (f->len && !f->data)) {
		snprintf(err, errlen, "%s: longer than %zu bytes", what, size - 1);
		return -1;
	}
	for (size_t i = 0; i < f->len; i++)
		if (f->data[i] < 0x20 || f->data[i] > 0x7e) {
			snprintf(err, errlen, "%s: not printable ASCII", what);
			return -1;
		}
	if (f->len)
		memcpy(dst, f->data, f->len);
	dst[f->len] = '\0';
	return 0;
}

int zap_parse(const struct zap_frame *frames, size_t n, struct zap_request *out, char *err,
              size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (n >= 2 && frames[1].len <= sizeof out->request_id &&
	    (frames[1].data || !frames[1].len)) {
		if (frames[1].len)
			memcpy(out->request_id, frames[1].data, frames[1].len);
		out->request_id_len = frames[1].len;
	}
	if (n != ZAP_FRAMES) {
		snprintf(err, errlen, "%zu frames, a CURVE request has %d", n, ZAP_FRAMES);
		return -1;
	}
	char version[8], address[ZAP_FIELD_MAX + 1];
	if (field(&frames[0], version, sizeof version, "version", err, errlen) < 0)
		return -1;
	if (strcmp(version, "1.0")) {
		snprintf(err, errlen, "version: not 1.0");
		return -1;
	}
	if (frames[1].len > sizeof out->request_id) {
		snprintf(err, errlen, "request id: longer than %d bytes", ZAP_FIELD_MAX);
		return -1;
	}
	if (field(&frames[2], out->domain, sizeof out->domain, "domain", err, errlen) < 0 ||
	    field(&frames[3], address, sizeof address, "address", err, errlen) < 0)
		return -1;
	/* Frame 4 is the peer's routing identity: binary, only its length
	 * is checked. */
	if (frames[4].len > ZAP_FIELD_MAX) {
		snprintf(err, errlen, "identity: longer than %d bytes", ZAP_FIELD_MAX);
		return -1;
	}
	if (field(&frames[5], out->mechanism, sizeof out->mechanism, "mechanism", err, errlen) < 0)
		return -1;
	if (strcmp(out->mechanism, "CURVE")) {
		snprintf(err, errlen, "mechanism: '%.16s', only CURVE is accepted", out->mechanism);
		return -1;
	}
	if (frames[6].len != sizeof out->key || !frames[6].data) {
		snprintf(err, errlen, "credentials: %zu bytes, a CURVE key has 32", frames[6].len);
		return -1;
	}
	memcpy(out->key, frames[6].data, sizeof out->key);
	return 0;
}

static int role_fits(const char *domain, const struct access_key *k)
{
	enum access_role role = k->role;
	if (!strcmp(domain, ZAP_DOMAIN_INGEST))
		return role == ACCESS_ADAPTER;
	/* A school key receives its notices, an adapter key its agency's
	 * feedback (console.h narrows what each may subscribe to); a delegate
	 * (ffc-web) relays every level to the people signed in to it, as a
	 * console of every level. */
	if (!strcmp(domain, ZAP_DOMAIN_ALERTS))
		return role == ACCESS_CONSOLE || role == ACCESS_SCHOOL || role == ACCESS_ADAPTER ||
		       k->delegate;
	/* A console, school or adapter catches up on the control socket too:
	 * the role table (authz.c) then lets it fetch what it receives, and a
	 * school acknowledge its notices, nothing else; a lookup key asks
	 * there, and may only look children up. */
	if (!strcmp(domain, ZAP_DOMAIN_CONTROL))
		return role == ACCESS_CONSOLE || role == ACCESS_SCHOOL || role == ACCESS_ADAPTER ||
		       role == ACCESS_VIEWER || role == ACCESS_PRACTITIONER ||
		       role == ACCESS_ADMIN || role == ACCESS_LOOKUP;
	return 0; /* a socket ffcd does not know: nobody */
}

enum zap_verdict zap_decide(const struct zap_request *r, const struct access_list *l,
                            const struct access_key **who)
{
	*who = NULL;
	const struct access_key *k = access_key_find(l, r->key);
	if (!k)
		return ZAP_UNKNOWN_KEY;
	if (!role_fits(r->domain, k))
		return ZAP_WRONG_ROLE;
	*who = k;
	return ZAP_ALLOW;
}

const char *zap_verdict_text(enum zap_verdict v)
{
	switch (v) {
	case ZAP_ALLOW:
		return "OK";
	case ZAP_UNKNOWN_KEY:
		return "unknown key";
	case ZAP_WRONG_ROLE:
		return "key not allowed on this socket";
	case ZAP_BANNED:
		return "key refused for a while: it sent what its role may not";
	case ZAP_MALFORMED:
		break;
	}
	return "malformed request";
}
