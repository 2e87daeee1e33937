/*
 * wire_status.h - the codec of social care statuses and lookups: the
 * stored versions of a ChildStatus (ffc.store.StoredChildStatus), the
 * record of a lookup (ffc.v1.AccessRecord) and the notice consoles get
 * (ffc.v1.AccessNotice). A ChildStatus arriving in a Concern frame is
 * decoded with the concern (wire_concern_decode, wire.h).
 *
 * Ownership as in wire.h: *_pack() mallocs *out (the caller frees) and
 * returns 0 or -1 when memory runs out; a decoded value with a release
 * borrows its strings from the unpacked message it holds.
 */
#ifndef FFC_WIRE_STATUS_H
#define FFC_WIRE_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "lookup.h"
#include "status.h"

/* One stored version of a status. */
struct stored_status {
	uint64_t seq;
	int64_t received_at_ms;
	uint64_t child;         /* as filed */
	uint64_t prev_seq;      /* the version before (0: first) */
	uint64_t superseded_by; /* the version after (0: latest) */
	struct child_status s;  /* strings borrowed from pb */
	void *pb;
};

/* The StoredChildStatus record of r (r->pb unused). */
int wire_stored_status_pack(const struct stored_status *r, uint8_t **out, size_t *len);
/* Decode a record into out. Returns 0, or -1 when the bytes do not parse
 * or hold no status (out zeroed, nothing to release). */
int wire_stored_status_decode(const void *buf, size_t len, struct stored_status *out);
/* Free what a decode holds and zero *r; a zeroed value is fine. */
void wire_stored_status_release(struct stored_status *r);

/* The AccessRecord of a (stored, and sent by the control socket). */
int wire_access_pack(const struct access_record *a, uint8_t **out, size_t *len);
/* Decode one into out (strings copied, cut to fit). 0, or -1 when the
 * bytes do not parse or its child id does not (out zeroed). */
int wire_access_decode(const void *buf, size_t len, struct access_record *out);

/* The AccessNotice published on "event.access" for a: the child id, the
 * setting, the time and who asked; never the purpose. */
int wire_access_notice_pack(const struct access_record *a, uint8_t **out, size_t *len);

#endif
