/*
 * control_reply.c - what every control handler and the dispatcher share,
 * beneath them all: packing a reply, checking a request's strings,
 * finding the child a request names, a stored alert as an Alert message,
 * text a caller sent made readable, and work handed over to run beside
 * the loop (control_defer()).
 *
 * Owns no command and calls no other control file: handlers
 * (control_<area>.c) and the dispatcher (control.c) call down into it.
 */
#include "control_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "ids.h"
#include "validate.h"
#include "wire.h"

/* ---- replies ---- */

int control_pack_reply(const Ffc__V1__ControlReply *reply, uint8_t **out, size_t *len)
{
	size_t n = ffc__v1__control_reply__get_packed_size(reply);
	*out = malloc(n ? n : 1);
	if (!*out)
		return -1;
	*len = ffc__v1__control_reply__pack(reply, *out);
	return 0;
}

const char *control_defer(struct control_call *call, void (*run)(void *arg),
                          const char *(*done)(struct control_call *call, void *arg),
                          void (*release)(void *arg), void *arg)
{
	call->later = (struct control_work){run, done, release, arg};
	return NULL;
}

int control_error_reply(const char *error, uint8_t **out, size_t *len)
{
	Ffc__V1__ControlReply reply = FFC__V1__CONTROL_REPLY__INIT;
	reply.error = (char *)(uintptr_t)error;
	*out = NULL;
	*len = 0;
	return control_pack_reply(&reply, out, len);
}

/* ---- a request's strings ---- */

static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* Walk the encoding of a message of type d (already known to parse). */
static int nul_walk(const ProtobufCMessageDescriptor *d, const uint8_t *p, const uint8_t *end,
                    char *path, size_t pathlen)
{
	while (p < end) {
		uint64_t key, n;
		if (varint(&p, end, &key) < 0)
			return 0;
		switch (key & 7) {
		case 0:
			if (varint(&p, end, &n) < 0)
				return 0;
			continue;
		case 1:
			p += end - p < 8 ? end - p : 8;
			continue;
		case 5:
			p += end - p < 4 ? end - p : 4;
			continue;
		case 2:
			break;
		default:
			return 0;
		}
		if (varint(&p, end, &n) < 0 || n > (uint64_t)(end - p))
			return 0;
		const ProtobufCFieldDescriptor *f =
		    key >> 3 <= UINT32_MAX
		        ? protobuf_c_message_descriptor_get_field(d, (unsigned)(key >> 3))
		        : NULL;
		size_t at = strlen(path);
		if (f && f->type == PROTOBUF_C_TYPE_STRING && memchr(p, 0, (size_t)n)) {
			snprintf(path + at, pathlen - at, "%s%s", at ? "." : "", f->name);
			return 1;
		}
		if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
			snprintf(path + at, pathlen - at, "%s%s", at ? "." : "", f->name);
			if (nul_walk(f->descriptor, p, p + n, path, pathlen))
				return 1;
			path[at] = '\0';
		}
		p += n;
	}
	return 0;
}

int control_nul_field(const uint8_t *req, size_t len, char *path, size_t pathlen)
{
	path[0] = '\0';
	return nul_walk(&ffc__v1__control_request__descriptor, req, req + len, path, pathlen);
}

/* ---- what requests name ---- */

const char *control_find_child(struct store_txn *t, const Ffc__V1__ChildRequest *req,
                               uint64_t *child)
{
	uint64_t found = 0;
	int rc;
	if (req->child_id[0]) {
		if (wire_child_id_parse(req->child_id, &found) < 0)
			return "child.child_id: not a child id (like C00000042)";
		rc = store_child_resolve(t, found, child);
	} else if (req->nhs_number[0] || req->upn[0]) {
		/* Looked up under the same normalised key the linking used. */
		char norm[14];
		const char *why;
		struct identity_keys keys;
		struct child_identity named = {"", "", "", "", "", "", ""};
		if (req->nhs_number[0]) {
			if (validate_nhs_number(req->nhs_number, norm, &why) < 0)
				return "child.nhs_number: not a valid NHS number";
			named.nhs_number = norm;
		} else {
			if (validate_upn(req->upn, norm, &why) < 0)
				return "child.upn: not a valid UPN";
			named.upn = norm;
		}
		identity_keys(&named, 0, &keys);
		rc = store_identity_get(t, keys.nhs[0] ? keys.nhs : keys.upn, &found);
		if (rc == STORE_OK)
			rc = store_child_resolve(t, found, child);
	} else {
		return "child: give child_id, nhs_number or upn";
	}
	if (rc == STORE_NOTFOUND)
		return "child: no such child";
	if (rc != STORE_OK)
		return "child: store error";
	return NULL;
}

Ffc__V1__Alert *control_alert_message(struct store_txn *t, struct arena *ar, uint64_t seq)
{
	/* Read as the daemon reads it (store_alert_get(): the evidence its
	 * history added joined to the record's, the state of alerts stored
	 * before they had one of their own taken from the record's), then
	 * given the reply's form. */
	struct alert *a = malloc(sizeof *a);
	uint8_t *buf = NULL;
	size_t len = 0;
	Ffc__Store__StoredAlert *sa = NULL;
	if (a && store_alert_get(t, seq, a) == STORE_OK &&
	    wire_stored_alert_pack(a, &buf, &len) == 0)
		sa = ffc__store__stored_alert__unpack(NULL, len, buf);
	free(buf);
	free(a);
	if (!sa || arena_keep(ar, &sa->base) < 0)
		return NULL;
	return sa->alert;
}

/* ---- text a caller sent ---- */

/* Whatever a caller sent (a name not listed, a purpose refused as not
 * UTF-8) is kept as readable text: an entry must be readable by every
 * client, and a log line must be one line. */
void control_clean_text(char *s)
{
	size_t n = strlen(s);
	int utf8 = validate_utf8(s, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		if (b < 0x20 || b == 0x7f || (!utf8 && b >= 0x80))
			s[i] = '?';
	}
}
