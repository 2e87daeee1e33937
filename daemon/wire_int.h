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
#include "wire.h"

/* s, or "" for NULL, as the char * protobuf-c's fields are typed with
 * (never written through when packing: the daemon's strings are const). */
char *wire_unconst(const char *s);
/* s, or "" for NULL. */
const char *wire_str(const char *s);

/* Point dst's strings at src's (borrowed: valid while src is; all "" when
 * src is NULL). */
void wire_identity_from_pb(struct child_identity *dst, const Ffc__V1__ChildIdentity *src);
/* Initialise dst and point its strings at src's (borrowed while dst is
 * packed). */
void wire_identity_to_pb(Ffc__V1__ChildIdentity *dst, const struct child_identity *src);

/* Point dst's strings at src's ChildStatus (borrowed: valid while src
 * is) (wire.c, with the Concern frame that carries it). */
void wire_status_from_pb(struct child_status *dst, const Ffc__V1__ChildStatus *src);

/* One field of a message, read from its encoding (wire_field_next). */
struct wire_field {
	uint64_t number;
	int varint; /* a varint: its value in value */
	uint64_t value;
	const uint8_t *bytes; /* length-delimited: its bytes, borrowed from the encoding */
	size_t len;
};
/* Read the field at *p (before end) into out and move *p past it, without
 * decoding anything else: 1, or 0 at the end, or -1 when it does not
 * parse. Reading a record's one field this way spares decoding the
 * whole record. */
int wire_field_next(const uint8_t **p, const uint8_t *end, struct wire_field *out);

/* Pack m into a fresh malloc'd buffer: 0 with *out (the caller frees) and
 * *len, or -1 when memory runs out (*out and *len untouched). */
int wire_pack_message(const ProtobufCMessage *m, uint8_t **out, size_t *len);

#endif
