/*
 * validate.h - the contract's "what is REJECTED" list, as pure functions.
 *
 * No I/O and no clock: the caller passes `now_ms`. Every failure writes one
 * message of the form "field: rule" (e.g. "children[0].nhs_number: check
 * digit mismatch") that goes back to the adapter in its receipt.
 */
#ifndef FFC_VALIDATE_H
#define FFC_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "concern.h"

/* Longest message validate_concern() writes, with its terminator. */
#define VALIDATE_ERR_MAX 160

/* Check every rule of the contract except idempotency (which needs the
 * store). Returns 0 when the concern may be stored, -1 otherwise with the
 * first failure written to err. */
int validate_concern(const struct concern *c, int64_t now_ms, char *err, size_t errlen);

/* NHS number: 10 digits, spaces allowed as separators, modulus 11 check
 * digit (10 is invalid), not one digit repeated. On success writes the ten
 * digits to out (11 bytes) and returns 0; otherwise returns -1 and sets
 * *why to a static message ("check digit mismatch", ...). */
int validate_nhs_number(const char *s, char out[11], const char **why);

/* UPN: a check letter then 12 characters (11 digits and a digit or a
 * letter for a temporary UPN), case-insensitive. On success writes the
 * upper-case UPN to out (14 bytes) and returns 0; else -1 and *why. */
int validate_upn(const char *s, char out[14], const char **why);

/* A real calendar date YYYY-MM-DD, not after the UTC day of now_ms.
 * Returns 0 or -1 with *why. */
int validate_date(const char *s, int64_t now_ms, const char **why);

/* A school's URN as a concern names it: six digits from 100000 to 999999,
 * or "EHE" (any case: electively home educated). 0, or -1 with *why. */
int validate_school_urn(const char *s, const char **why);

/* Well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF). */
bool validate_utf8(const char *s, size_t len);

/* The rules validate_concern() applies, for other records that carry the
 * same kinds of field (a social care status, status.c). Each returns NULL
 * when the value is fine, else the rule it breaks (static, or written to
 * buf). validate_id_rule: an idempotency key (non-empty printable ASCII,
 * at most CONCERN_ID_MAX bytes); validate_text_rule: at most max bytes of
 * UTF-8; validate_time_rule: from 1900-01-01 to 5 minutes past now;
 * validate_child_rule: a child's identity, *field naming the failing
 * field (NULL for the child as a whole). */
const char *validate_id_rule(const char *id, char *buf, size_t buflen);
const char *validate_text_rule(const char *s, size_t max, char *buf, size_t buflen);
const char *validate_time_rule(int64_t ms, int64_t now_ms);
const char *validate_child_rule(const struct child_identity *id, int64_t now_ms, const char **field,
                                char *buf, size_t buflen);
/* Days from 1970-01-01 to a date validate_date() accepted. */
int64_t validate_date_day(const char *s);

#endif
