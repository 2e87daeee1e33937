/*
 * wire_notice.h - the codec of schools and the partnership: Operation
 * Encompass notices, feedback and practitioners' contacts, between the
 * daemon's structs (school.h, feedback.h) and ffc.v1 messages.
 *
 * Ownership as wire.h says for every codec function: *_pack() mallocs
 * *out (the caller frees) and returns 0 or -1 when memory runs out;
 * *_decode() keeps no pointer into buf and copies strings, cut to fit.
 */
#ifndef FFC_WIRE_NOTICE_H
#define FFC_WIRE_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "feedback.h"
#include "school.h"

/* The ffc.v1.SchoolNotice of n, its id "N%08u". with_child 0 leaves the
 * daemon's child id out: a school's copy carries what the school needs
 * and nothing else. */
int wire_notice_pack(const struct school_notice *n, int with_child, uint8_t **out, size_t *len);
/* Decode a stored notice into out. 0, or -1 when the bytes do not parse
 * (out zeroed) or its child id does not. */
int wire_notice_decode(const void *buf, size_t len, struct school_notice *out);

/* The ffc.v1.Feedback of f. */
int wire_feedback_pack(const struct feedback *f, uint8_t **out, size_t *len);
/* A stored feedback's agency and closing time: 0, or -1 when the bytes do
 * not parse. */
int wire_feedback_head(const void *buf, size_t len, int *agency, int64_t *closed_at_ms);

/* The ffc.v1.ContactReply record of a practitioner's contact, and its
 * contact read back into contact (size bytes): 0, or -1. */
int wire_contact_pack(const char *practitioner, const char *contact, const char *by, int64_t at_ms,
                      uint8_t **out, size_t *len);
int wire_contact_decode(const void *buf, size_t len, char *contact, size_t size);

#endif
