/*
 * lookup.h - "is this child known?" from a point of contact (an
 * emergency department, urgent care, an out-of-hours GP, police
 * custody): what a lookup must give, and the record each lookup of a
 * known child leaves (ffc.v1.AccessRecord).
 *
 * Pure: checking a request's fields. Answering and recording it is
 * control_lookup.c's, storing the record store_status.c's.
 */
#ifndef FFC_LOOKUP_H
#define FFC_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "concern.h"

/* Where a lookup of a known child is announced: every console may hear
 * it, whatever its levels (an AccessNotice holds no alert). */
#define LOOKUP_ACCESS_TOPIC "event.access"

/* A setting's and an asker's longest text, in bytes. */
#define LOOKUP_TEXT_MAX 128
/* The lookups ffcctl accesses lists by default, and the most it may ask. */
#define LOOKUP_ACCESSES_PAGE 25
#define LOOKUP_ACCESSES_MAX  500

/* One lookup of a known child, as stored. Strings owned, cut to fit. */
struct access_record {
	uint64_t seq;
	int64_t at_ms;
	uint64_t child; /* as looked up (readers resolve it) */
	char by[WIRE_BY_MAX];
	char setting[LOOKUP_TEXT_MAX + 1];
	char purpose[WIRE_REASON_MAX];
	char asked_by[LOOKUP_TEXT_MAX + 1];
};

/* Check a LookupRequest's fields: exactly one of nhs_number and upn, a
 * valid one; setting required; both setting and asked_by UTF-8 without
 * control characters, at most LOOKUP_TEXT_MAX bytes. On success fills
 * *named with the identifier, normalised into norm (14 bytes), and
 * returns 0; else -1 with "lookup.<field>: rule" in err. */
int lookup_check(const char *nhs_number, const char *upn, const char *setting, const char *asked_by,
                 struct child_identity *named, char norm[14], char *err, size_t errlen);

#endif
