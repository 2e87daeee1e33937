/*
 * ids.h - how the daemon's own ids look outside: "C00000042" for a child,
 * "A00000007" for an alert, "H00000003" for a household. Pure string work, used wherever an id is
 * shown or read back (replies, alerts, audit entries, stored records).
 *
 * The numbers themselves are allocated by the store (store.h); the
 * encoding of the messages that carry these strings is wire.h's.
 */
#ifndef FFC_IDS_H
#define FFC_IDS_H

#include <stdint.h>

/* Room for any id's text form, with its NUL. */
#define WIRE_ID_MAX 24

/* Write child id (or alert seq) as "C%08u" ("A%08u") into out, always
 * NUL-terminated. Cannot fail. */
void wire_child_id(uint64_t id, char out[WIRE_ID_MAX]);
void wire_alert_id(uint64_t seq, char out[WIRE_ID_MAX]);

/* Parse "C00000042" (or "c42"): 0 and the number in *id, or -1 (leaving
 * *id untouched) when s is NULL, has another letter, no digits, anything
 * but digits after the letter, overflows 64 bits, or is 0. */
int wire_child_id_parse(const char *s, uint64_t *id);
/* Parse "A00000007" (or "a7") into *seq; errors as wire_child_id_parse. */
int wire_alert_id_parse(const char *s, uint64_t *seq);
/* A household: "H%08u"; parsed as wire_child_id_parse ("H3", "h00000003"). */
void wire_household_id(uint64_t id, char out[WIRE_ID_MAX]);
int wire_household_id_parse(const char *s, uint64_t *id);

/* "N00000003" for an Operation Encompass notice, "F00000004" for a
 * feedback message; a notice id parsed as wire_alert_id_parse. */
void wire_notice_id(uint64_t seq, char out[WIRE_ID_MAX]);
int wire_notice_id_parse(const char *s, uint64_t *seq);
void wire_feedback_id(uint64_t seq, char out[WIRE_ID_MAX]);

#endif
