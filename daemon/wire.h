/*
 * wire.h - the codec: protobuf encoding of concerns, receipts, alerts and
 * the store's records, to and from the daemon's own types (concern.h,
 * receipt.h, child_record.h, audit.h, alert.h, which this header brings).
 *
 * wire.c (concerns, receipts, stored concerns), wire_child.c (children,
 * identity events, audit entries, matches), wire_household.c (households
 * and their events) and wire_alert.c (alerts, their changes, assignments,
 * the heartbeat) are where the generated protobuf-c
 * code is used; besides them only the control layer (control*.c, authz.c)
 * builds messages from the generated types, as its replies exist only for
 * that socket. A module that only reads or fills the model includes the
 * model's header, not this one.
 *
 * Ownership, for every function here:
 * - *_pack() allocates *out with malloc (the caller frees it) and sets
 *   *len; it returns 0, or -1 when memory runs out (then *out and *len are
 *   left untouched and nothing needs freeing). Its input is only read.
 * - *_decode() reads buf[0..len) and keeps no pointer into it. A decoded
 *   value that has a matching *_release() borrows its strings from the
 *   unpacked message it holds until that release; the others copy their
 *   strings (cut to fit) and need no release.
 * - No function here does I/O, keeps state, or validates beyond what
 *   parsing needs (validate.h decides what is acceptable).
 */
#ifndef FFC_WIRE_H
#define FFC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "audit.h"
#include "child_record.h"
#include "concern.h"
#include "household_record.h"
#include "ids.h"
#include "receipt.h"
#include "status.h"

/* Copy src (NULL reads as "") into dst of size bytes, cut to fit,
 * always NUL-terminated: a record's string into a fixed field. */
void wire_copy_str(char *dst, size_t size, const char *src);

/* ---- concerns ---- */

struct wire_concern {
	struct concern c;
	struct child_identity *children; /* c.children points here */
	void *pb;                        /* the unpacked Ffc__V1__Concern */
	/* A frame carrying Concern.child_status (a social care status):
	 * status points at status_view, whose strings borrow from pb; NULL
	 * for a concern. */
	struct child_status *status;
	struct child_status status_view;
	/* The frame itself (borrowed) when it is exactly c's encoding: no
	 * field this version does not know, no string holding a NUL byte,
	 * nothing encoded twice. The store keeps these bytes as they are,
	 * and no NUL scan is needed. NULL otherwise. */
	const uint8_t *encoded;
	size_t encoded_len;
};

/* Decode a Concern frame into out (a view: out->c's strings borrow from
 * out->pb, and out->encoded from buf). Returns 0, or -1 when the bytes do
 * not parse or memory runs out (out is then zeroed and needs no release).
 * A peer may send any number of children; they are all described
 * (validation refuses too many). */
int wire_concern_decode(const void *buf, size_t len, struct wire_concern *out);
/* Free what wire_concern_decode allocated and zero *w; NULL, a zeroed or
 * an already released value is fine. */
void wire_concern_release(struct wire_concern *w);

/* protobuf-c ends every decoded string at its first NUL byte, so a string
 * holding one would be stored, and compared, cut short. Scan the frame's
 * own bytes for such a string field of the Concern or of any message in it
 * (found from the generated descriptors, so every string field is
 * checked): 1 when one is found, with its path ("children[0].nhs_number")
 * in path (cut to pathlen), else 0. Bytes that do not parse end the scan
 * with 0: the decoder is what refuses them. Reads buf[0..len) only. */
int wire_concern_nul_field(const void *buf, size_t len, char *path, size_t pathlen);

/* ---- receipts ---- */

/* The ffc.v1.Receipt for r, its child ids in their text form (at most
 * CONCERN_CHILDREN_MAX are taken). */
int wire_receipt_pack(const struct receipt *r, uint8_t **out, size_t *len);

/* ---- stored concerns ---- */

struct stored_concern {
	uint64_t seq;
	int64_t received_at_ms;
	size_t n_child_ids;
	uint64_t child_ids[CONCERN_CHILDREN_MAX];
	struct wire_concern w;
	void *pb; /* the unpacked StoredConcern (owns w's strings) */
	/* Withdrawn by an operator (0: not); the strings borrow from pb. */
	int64_t withdrawn_at_ms;
	const char *withdrawn_by, *withdrawn_reason;
};

/* The ffc.store.StoredConcern record of c as filed under seq and the
 * children child_ids. encoded (encoded_len bytes), when not NULL, is c's
 * own ffc.v1.Concern encoding (wire_concern's `encoded`), kept in the
 * record as it is rather than encoded again. Returns -1 also when c has
 * more than CONCERN_CHILDREN_MAX children or n_child_ids is over it. */
int wire_stored_concern_pack(const struct concern *c, const void *encoded, size_t encoded_len,
                             uint64_t seq, int64_t received_at_ms, const uint64_t *child_ids,
                             size_t n_child_ids, uint8_t **out, size_t *len);
/* Decode a StoredConcern record into out (strings borrowed from out->pb
 * until wire_stored_concern_release). Returns 0, or -1 when the bytes do
 * not parse, hold no concern, name more than CONCERN_CHILDREN_MAX children,
 * or memory runs out (out is then zeroed and needs no release). */
int wire_stored_concern_decode(const void *buf, size_t len, struct stored_concern *out);
/* The StoredConcern record buf, everything kept, marked withdrawn at at_ms
 * by `by` for `reason` (each cut to fit). Returns 0, or -1 when buf does
 * not parse or memory runs out. */
int wire_stored_concern_withdraw(const void *buf, size_t len, int64_t at_ms, const char *by,
                                 const char *reason, uint8_t **out, size_t *out_len);
/* Free what wire_stored_concern_decode allocated and zero *s; NULL or a
 * zeroed value is fine. */
void wire_stored_concern_release(struct stored_concern *s);

/* ---- children ---- */

/* The ffc.store.Child record of ch (identities, aliases, kept apart). */
int wire_child_pack(const struct child_record *ch, uint8_t **out, size_t *len);
/* Decode a Child record into out: the identities' strings borrow from
 * out->pb, the arrays are malloc'd; release with wire_child_release.
 * Returns 0, or -1 when the bytes do not parse or memory runs out (out is
 * then zeroed and needs no release). */
int wire_child_decode(const void *buf, size_t len, struct child_record *out);
/* Only a Child record's merged_into (0: the child is live), read from its
 * encoding without decoding the rest: following a merge chain needs no
 * more, and every concern follows one for each child it names. Returns 0,
 * or -1 when the record's fields do not parse. */
int wire_child_merged_into(const void *buf, size_t len, uint64_t *merged_into);
/* Free a child record's arrays and its decoded message (if any) and zero
 * *ch; NULL or a zeroed record is fine. Strings borrowed from concerns by
 * wire_child_add_identity are not freed. */
void wire_child_release(struct child_record *ch);

/* ---- identity events ---- */

/* The ffc.v1.IdentityEvent for e (other_child_id left empty when e->other
 * is 0). */
int wire_identity_event_pack(const struct identity_event *e, uint8_t **out, size_t *len);
/* Decode an IdentityEvent into out (strings copied, cut to fit). Returns
 * 0, or -1 when the bytes do not parse (out zeroed) or a child id in them
 * does not parse (out filled as far as it could be). */
int wire_identity_event_decode(const void *buf, size_t len, struct identity_event *out);

/* ---- households ---- */

/* The ffc.store.StoredHousehold record of h. */
int wire_household_pack(const struct household_record *h, uint8_t **out, size_t *len);
/* Decode one into out (aliases malloc'd: household_record_release()).
 * Returns 0, or -1 when the bytes do not parse, hold more than
 * HOUSEHOLD_MEMBERS_MAX members or memory runs out (out zeroed). */
int wire_household_decode(const void *buf, size_t len, struct household_record *out);
/* The ffc.v1.HouseholdEvent of e (ids left empty where 0). */
int wire_household_event_pack(const struct household_event *e, uint8_t **out, size_t *len);
/* Decode one into out (strings copied, cut to fit). Returns 0, or -1 when
 * the bytes do not parse (out zeroed) or an id in them does not (out
 * filled as far as it could be). */
int wire_household_event_decode(const void *buf, size_t len, struct household_event *out);

/* ---- the audit trail ---- */

/* The ffc.v1.AuditEntry for e (child_id empty when e->child is 0). */
int wire_audit_pack(const struct audit_entry *e, uint8_t **out, size_t *len);
/* Decode an AuditEntry into out (strings copied, cut to fit). Returns 0,
 * or -1 when the bytes do not parse (out zeroed) or its child id does not
 * parse (out filled otherwise). */
int wire_audit_decode(const void *buf, size_t len, struct audit_entry *out);

/* ---- possible matches ---- */

/* The ffc.store.StoredMatch of the pair (child, other), with the identity
 * each was seen under (NULL: none shown), the match kind (enum match_kind,
 * as ffc.v1.PossibleMatch.Kind), the reason, the concern that found it
 * and when. The caller orders the pair. */
int wire_match_pack(uint64_t child, const struct child_identity *identity, uint64_t other,
                    const struct child_identity *other_identity, int kind, const char *reason,
                    uint64_t concern_seq, int64_t found_at_ms, uint8_t **out, size_t *len);

/* ---- alerts ---- */

/* The ffc.v1.Alert published to consoles, in its broadcast form
 * (wire_alert_broadcast). */
int wire_alert_pack(const struct alert *a, uint8_t **out, size_t *len);

/* What an alert carries on the broadcast channel, decided here and only
 * here: the alert itself (level, rule, reason, evidence references with
 * agency, category, severity and date, its state) and, of the child, its
 * child_id, names and date of birth. The NHS number, UPN, local id and
 * postcode are emptied in place (the message keeps its owner), so the
 * alerts socket, overdue reminders and the control socket's alerts
 * listing never carry them; the child's record (`child`, read one child at
 * a time) keeps everything. An Alert never holds a concern's summary. */
struct Ffc__V1__Alert;
void wire_alert_broadcast(struct Ffc__V1__Alert *pb);
/* The ffc.store.StoredAlert record of a: the Alert in full (nothing cut),
 * its state, child and successor; due_at_ms is not kept. */
int wire_stored_alert_pack(const struct alert *a, uint8_t **out, size_t *len);
/* Decode a StoredAlert into out (strings copied, cut to fit; due_at_ms
 * 0). Returns 0, or -1 when the bytes do not parse or hold no Alert (out
 * zeroed). */
int wire_stored_alert_decode(const void *buf, size_t len, struct alert *out);
/* Only a StoredAlert's level, read from its encoding without decoding the
 * rest (an alert record is kilobytes; judging a concern asks only the
 * level of each rule's open alert). Returns 0, or -1 as the decode would
 * for bytes that do not parse or hold no Alert. */
int wire_stored_alert_level(const void *buf, size_t len, enum level *level);
/* A StoredAlert's head, read from its encoding without decoding the rest:
 * seq, alert_id, child and child_id, level, rule, lead_practitioner, state
 * and acknowledged_at_ms; every other field of out zeroed (no reason,
 * names or evidence). What a change to the alert is published with
 * (wire_alert_change_pack()). Returns 0, or -1 as the decode would. */
int wire_stored_alert_head(const void *buf, size_t len, struct alert *out);

/* ---- working an alert ---- */

/* The ffc.v1.AlertEvent record of e, note text and operator included
 * (the stored form; never broadcast). */
int wire_alert_event_pack(const struct alert_event *e, uint8_t **out, size_t *len);
/* The concern an EVIDENCE entry of an alert's history added: 1 with *out,
 * 0 for any other entry (or one stored before entries held it), -1 when
 * the bytes do not parse. */
int wire_alert_event_evidence(const void *buf, size_t len, struct alert_evidence *out);

/* The ffc.v1.AlertChange published when alert a changed by e, with a's
 * lead practitioner and e's concern when it has one; e's text is left out
 * (notes are never broadcast). */
int wire_alert_change_pack(const struct alert *a, const struct alert_event *e, uint8_t **out,
                           size_t *len);

/* The ffc.v1.PractitionerAssignment record of as. */
int wire_assignment_pack(const struct assignment *as, uint8_t **out, size_t *len);
/* Decode one into out (strings copied, cut to fit). Returns 0, or -1 when
 * the bytes do not parse (out zeroed). */
int wire_assignment_decode(const void *buf, size_t len, struct assignment *out);

/* ---- the alerts socket's heartbeat ---- */

/* The ffc.v1.Heartbeat saying the latest seq, now, when the daemon
 * started and the interval consoles may expect. */
int wire_heartbeat_pack(uint64_t last_seq, int64_t at_ms, int64_t started_at_ms,
                        uint32_t interval_ms, uint8_t **out, size_t *len);

#endif
