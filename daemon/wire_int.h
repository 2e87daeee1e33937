/*
 * wire_int.h - what wire.c, wire_child.c, wire_household.c and wire_alert.c share: the
 * generated protobuf-c types and the few conversions every message family
 * needs. Included by those files only; the rest of the daemon sees
 * wire.h.
 */
#ifndef FFC_WIRE_INT_H
#define FFC_WIRE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"
#include "ffc.pb-c.h"
#include "ffc_store.pb-c.h"
#include "status.h"

/* s, or "" for NULL, as the char * protobuf-c's fields are typed with
 * (never written through when packing: the daemon's strings are const). */
char *wire_unconst(const char *s);
/* s, or "" for NULL. */
const char *wire_str(const char *s);
/* Copy src (NULL reads as "") into dst of size bytes, cut to fit,
 * always NUL-terminated. */
void wire_copy_str(char *dst, size_t size, const char *src);

/* Point dst's strings at src's (borrowed: valid while src is; all "" when
 * src is NULL). */
void wire_identity_from_pb(struct child_identity *dst, const Ffc__V1__ChildIdentity *src);
/* Initialise dst and point its strings at src's (borrowed while dst is
 * packed). */
void wire_identity_to_pb(Ffc__V1__ChildIdentity *dst, const struct child_identity *src);

/* Point dst's strings at src's ChildStatus (borrowed: valid while src
 * is) (wire.c, with the Concern frame that carries it). */
void wire_status_from_pb(struct child_status *dst, const Ffc__V1__ChildStatus *src);

/* One field of a message, found in its encoding without decoding the
 * rest (wire_field_find): its last varint, or its last length-delimited
 * value (bytes, borrowed from the encoding). */
struct wire_field {
	int found;
	uint64_t value;
	const uint8_t *bytes; /* NULL: a varint (value) */
	size_t len;
};
/* Look for `field` among the top-level fields of the encoding buf[len].
 * Returns 0 (out->found says whether it is there), or -1 when the fields
 * do not parse. */
int wire_field_find(const void *buf, size_t len, unsigned field, struct wire_field *out);

/* Pack m into a fresh malloc'd buffer: 0 with *out (the caller frees) and
 * *len, or -1 when memory runs out (*out and *len untouched). */
int wire_pack_message(const ProtobufCMessage *m, uint8_t **out, size_t *len);

#endif
