/*
 * status.h - social care's own status of a child (ffc.v1.ChildStatus):
 * child in need, on a child protection plan (by category), looked after
 * (by legal status), an unborn baby's pre-birth plan, each from a start
 * date to an end date. Pure: the record, its validation, the statuses in
 * force at a time, and what rules and lookups make of them.
 *
 * Nothing here touches protobuf, LMDB or the clock: decoding is
 * wire_status.c's, storing store_status.c's, filing ingest_status.c's.
 * Strings are borrowed from whoever decoded the status and are never
 * NULL ("" when absent).
 */
#ifndef FFC_STATUS_H
#define FFC_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"

/* Enumerations follow proto/ffc.proto's numbering exactly. */
enum status_kind {
	STATUS_CHILD_IN_NEED = 1,
	STATUS_PROTECTION_PLAN = 2,
	STATUS_LOOKED_AFTER = 3,
	STATUS_PRE_BIRTH_PLAN = 4,
};
enum { STATUS_KIND_MAX = 4, STATUS_CATEGORY_MAX = 5, STATUS_LEGAL_MAX = 8 };

/* The one agency whose adapters send a status: SOCIAL_CARE. */
#define STATUS_AGENCY 4

/* A status_id is the idempotency key, as a concern_id is. */
#define STATUS_ID_MAX 128
/* Versions one status_id may have: an update past it is rejected. */
#define STATUS_VERSIONS_MAX 100

struct child_status {
	const char *status_id;
	const char *source_system;
	struct child_identity child;
	int kind;
	int category;     /* PlanCategory; 0 none */
	int legal_status; /* LegalStatus; 0 none */
	const char *start_date, *end_date;
	const char *local_authority;
	const char *social_worker, *social_worker_role, *social_worker_contact;
	int64_t recorded_at_ms;
};

/* Check every rule of the contract's ChildStatus (all but idempotency,
 * which needs the store). Returns 0, or -1 with "field: rule" in err
 * ("child.nhs_number: check digit mismatch", "end_date: before
 * start_date"). */
int status_validate(const struct child_status *s, int64_t now_ms, char *err, size_t errlen);

/* The same content, field for field (DUPLICATE rather than a version). */
int status_equal(const struct child_status *a, const struct child_status *b);

/* ---- what the rules and lookups read: a status's facts ---- */

/* One stored version reduced to what matters for a time: kind, category,
 * legal status and the period [from_ms, to_ms) (to_ms INT64_MAX while in
 * force), UTC days. Superseded versions are not in force at any time. */
struct status_fact {
	uint64_t seq;
	uint8_t kind, category, legal_status;
	uint8_t superseded;
	int64_t from_ms, to_ms;
};

/* A validated status's facts (superseded 0). */
void status_fact_of(const struct child_status *s, uint64_t seq, struct status_fact *out);

/* The statuses in force at at_ms as a mask of status bits: a kind's bit
 * (status_bit()) for each kind in force and, for a child protection plan,
 * the bit of its category too. 0 when none is. */
uint32_t status_mask_at(const struct status_fact *f, size_t n, int64_t at_ms);

/* A kind's bit, for constants: what status_bit(kind, 0) gives. */
#define STATUS_KIND_BIT(kind) (UINT32_C(1) << (kind))

/* The bit of a kind (category 0), or of a child protection plan of one
 * category: 0 for a value out of range. */
uint32_t status_bit(int kind, int category);
/* Every bit a mask may hold. */
uint32_t status_bits_all(void);

/* A rule's status term as the configuration writes it: a kind
 * ("child-in-need", "child-protection-plan", "looked-after",
 * "pre-birth-plan"), or a plan with its category
 * ("child-protection-plan:neglect"). Returns its bit, or 0 when the term is
 * not one; '-' and '_' alike, case ignored. */
uint32_t status_term_parse(const char *s);
/* Every term, for messages. */
#define STATUS_TERMS                                                                               \
	"child-in-need, child-protection-plan, child-protection-plan:neglect (or "                 \
	":physical-abuse, "                                                                        \
	":emotional-abuse, :sexual-abuse, :multiple), looked-after or pre-birth-plan"

/* "the child was on a child protection plan (neglect) or looked after":
 * the statuses of mask in a practitioner's words, for an alert's reason.
 * Writes at most len bytes; returns the length it needed. */
size_t status_phrase(uint32_t mask, char *buf, size_t len);

/* Upper-case names as in the proto ("CHILD_PROTECTION_PLAN",
 * "PLAN_NEGLECT", "CARE_ORDER"), "UNKNOWN" out of range. */
const char *status_kind_name(int kind);
const char *status_category_name(int category);
const char *status_legal_name(int legal_status);

/* ---- in force today, for a lookup ---- */

/* Is version f in force at at_ms (the latest version, and at_ms within
 * its period)? */
int status_in_force(const struct status_fact *f, int64_t at_ms);

#endif
