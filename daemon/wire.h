/*
 * wire.h - protobuf encoding of concerns, receipts, alerts and the store's
 * records, in the daemon's own types.
 *
 * wire.c is where the generated protobuf-c code for concerns, receipts,
 * alerts and stored records is used; the rest of the daemon speaks
 * concern.h's structs. (control.c also builds the control replies from the
 * generated types: those messages exist only for that socket.)
 *
 * Decoded values borrow their strings from the unpacked message they own;
 * release them with the matching *_release(). Packing allocates with
 * malloc; the caller frees *out.
 */
#ifndef FFC_WIRE_H
#define FFC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"
#include "rules.h"
#include "validate.h"

/* How daemon ids look outside: "C00000042" for children, "A00000007" for
 * alerts. */
#define WIRE_ID_MAX 24
void wire_child_id(uint64_t id, char out[WIRE_ID_MAX]);
void wire_alert_id(uint64_t seq, char out[WIRE_ID_MAX]);
/* Parse "C00000042" (or "c42"); returns 0 and *id, or -1. */
int wire_child_id_parse(const char *s, uint64_t *id);

/* ---- concerns ---- */

struct wire_concern {
	struct concern c;
	struct child_identity *children; /* c.children points here */
	void *pb;                        /* the unpacked Ffc__V1__Concern */
};

/* Decode a Concern frame. Returns 0, or -1 when the bytes do not parse
 * (out is then zeroed and needs no release). */
int wire_concern_decode(const void *buf, size_t len, struct wire_concern *out);
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

enum receipt_status {
	RECEIPT_UNSPECIFIED = 0,
	RECEIPT_ACCEPTED = 1,
	RECEIPT_DUPLICATE = 2,
	RECEIPT_REJECTED = 3
};

struct receipt {
	const char *concern_id; /* borrowed: echoed as received ("" if unparsed) */
	enum receipt_status status;
	char error[VALIDATE_ERR_MAX];
	uint64_t seq;
	size_t n_child_ids;
	uint64_t child_ids[CONCERN_CHILDREN_MAX];
};

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

int wire_stored_concern_pack(const struct concern *c, uint64_t seq, int64_t received_at_ms,
                             const uint64_t *child_ids, size_t n_child_ids, uint8_t **out,
                             size_t *len);
int wire_stored_concern_decode(const void *buf, size_t len, struct stored_concern *out);
/* The StoredConcern record buf, everything kept, marked withdrawn at at_ms
 * by `by` for `reason` (each cut to fit). Returns 0, or -1 when buf does
 * not parse or memory runs out. */
int wire_stored_concern_withdraw(const void *buf, size_t len, int64_t at_ms, const char *by,
                                 const char *reason, uint8_t **out, size_t *out_len);
void wire_stored_concern_release(struct stored_concern *s);

/* ---- children ---- */

struct seen_identity {
	int agency;
	struct child_identity id; /* nhs_number and upn normalised */
	int64_t first_seen_ms;
	int64_t last_seen_ms;
	uint64_t first_seq;
};

struct child_record {
	uint64_t id;
	int64_t created_at_ms;
	uint64_t merged_into;
	size_t n_ids, cap_ids;
	struct seen_identity *ids;
	void *pb; /* unpacked Child when decoded: owns the strings of the ids
	           * read from disk; ids added since borrow from their concern */

	/* Owned arrays (malloc'd): children merged into this one, and
	 * children an operator split from this one. */
	size_t n_aliases;
	uint64_t *aliases;
	size_t n_apart;
	uint64_t *apart;
};

int wire_child_pack(const struct child_record *ch, uint8_t **out, size_t *len);
int wire_child_decode(const void *buf, size_t len, struct child_record *out);
/* Append one identity (strings borrowed). Returns 0 or -1 on no memory. */
int wire_child_add_identity(struct child_record *ch, const struct seen_identity *si);
/* Append v to an owned id list (aliases or apart) unless it is there.
 * Returns 0 or -1 on no memory. */
int wire_id_list_add(uint64_t **v, size_t *n, uint64_t id);
void wire_child_release(struct child_record *ch);

/* ---- identity events ---- */

enum identity_event_kind { IDEV_MERGED = 1, IDEV_SPLIT = 2, IDEV_CONFLICT = 3 };

#define WIRE_BY_MAX     (CONCERN_FIELD_MAX + 1)
#define WIRE_REASON_MAX 1024

/* What a merge, split or identity conflict did, by whom and why (stored as
 * an ffc.v1.IdentityEvent). Strings are owned copies, cut to fit. */
struct identity_event {
	uint64_t seq;
	int64_t at_ms;
	enum identity_event_kind kind;
	uint64_t child, other;
	char by[WIRE_BY_MAX];
	char reason[WIRE_REASON_MAX];
	char identity[2 * CONCERN_FIELD_MAX + 32];
	uint64_t concern_seq;
};

int wire_identity_event_pack(const struct identity_event *e, uint8_t **out, size_t *len);
int wire_identity_event_decode(const void *buf, size_t len, struct identity_event *out);

/* ---- the audit trail ---- */

/* One audit entry (stored as an ffc.v1.AuditEntry). Strings are owned
 * copies, cut to fit. */
struct audit_entry {
	uint64_t seq;
	int64_t at_ms;
	char by[WIRE_BY_MAX];
	char role[32];
	char command[32];
	uint64_t child; /* 0: none */
	char purpose[WIRE_REASON_MAX];
	int refused;
	char detail[WIRE_REASON_MAX];
	uint64_t count; /* a refusal: how many it stands for (0 or 1: one) */
};

int wire_audit_pack(const struct audit_entry *e, uint8_t **out, size_t *len);
int wire_audit_decode(const void *buf, size_t len, struct audit_entry *out);

/* ---- alerts ---- */

enum alert_state { ALERT_OPEN = 1, ALERT_SUPERSEDED = 2, ALERT_CLOSED = 3 };

/* Where an alert stands as the contract says it (ffc.v1.AlertState):
 * the stored state, with an open alert someone acknowledged shown as
 * ACKNOWLEDGED. */
enum alert_view {
	ALERT_VIEW_OPEN = 1,
	ALERT_VIEW_ACKNOWLEDGED = 2,
	ALERT_VIEW_CLOSED = 3,
	ALERT_VIEW_SUPERSEDED = 4
};

/* Limits of what operators write about an alert (with the NUL). */
#define WIRE_PERSON_MAX  129  /* a practitioner's name: 128 bytes */
#define WIRE_TEXT_MAX    2001 /* a note: 2000 bytes */
#define WIRE_OUTCOME_MAX 65   /* a configured outcome: 64 bytes */

struct alert_evidence {
	char concern_id[CONCERN_ID_MAX + 1];
	int agency, category, severity;
	int64_t occurred_at_ms;
};

/* A copy of the identity shown with an alert, owning its strings. */
struct alert_child {
	char nhs_number[16];
	char upn[16];
	char local_id[CONCERN_FIELD_MAX + 1];
	char given_name[CONCERN_FIELD_MAX + 1];
	char family_name[CONCERN_FIELD_MAX + 1];
	char date_of_birth[16];
	char postcode[16];
};

struct alert {
	uint64_t seq;
	char alert_id[WIRE_ID_MAX];
	uint64_t child;
	char child_id[WIRE_ID_MAX];
	enum level level;
	char rule[RULE_NAME_MAX];
	char reason[RULE_REASON_MAX];
	size_t n_evidence;
	struct alert_evidence evidence[RULE_EVIDENCE_MAX];
	int64_t raised_at_ms;
	struct alert_child display;
	char supersedes[WIRE_ID_MAX];
	char lead_practitioner[CONCERN_FIELD_MAX + 1];
	enum alert_state state;
	char superseded_by[WIRE_ID_MAX];
	/* Working the alert (its history is stored apart: store_alert_event_*) */
	char acknowledged_by[WIRE_PERSON_MAX];
	int64_t acknowledged_at_ms; /* 0: not acknowledged */
	char closed_by[WIRE_PERSON_MAX];
	int64_t closed_at_ms;
	char outcome[WIRE_OUTCOME_MAX];
	int64_t overdue_at_ms; /* when the overdue reminder was published; 0: none */
	int64_t due_at_ms;     /* filled from the response times in force; not stored */
};

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
/* The stored record (the Alert plus its state). */
int wire_stored_alert_pack(const struct alert *a, uint8_t **out, size_t *len);
int wire_stored_alert_decode(const void *buf, size_t len, struct alert *out);

/* Copy an identity into an alert's display copy (truncating safely). */
void wire_alert_child_set(struct alert_child *dst, const struct child_identity *src);

/* Parse "A00000007" (or "a7"); returns 0 and *seq, or -1. */
int wire_alert_id_parse(const char *s, uint64_t *seq);

enum alert_view wire_alert_view(const struct alert *a);

/* ---- working an alert ---- */

/* ffc.v1.AlertEvent.Action */
enum alert_action {
	ALERT_ACTION_ACKNOWLEDGED = 1,
	ALERT_ACTION_NOTE = 2,
	ALERT_ACTION_CLOSED = 3,
	ALERT_ACTION_OVERDUE = 4
};

/* One change to an alert (stored as an ffc.v1.AlertEvent). */
struct alert_event {
	enum alert_action action;
	char by[WIRE_PERSON_MAX];
	int64_t at_ms;
	char text[WIRE_TEXT_MAX];
	char outcome[WIRE_OUTCOME_MAX];
	char operator_[WIRE_PERSON_MAX]; /* the account that asked; not published */
};

int wire_alert_event_pack(const struct alert_event *e, uint8_t **out, size_t *len);

/* The ffc.v1.AlertChange published when alert a changed by e; e's text is
 * left out (notes are never broadcast). */
int wire_alert_change_pack(const struct alert *a, const struct alert_event *e, uint8_t **out,
                           size_t *len);

/* A child's lead practitioner, as assigned (ffc.v1.PractitionerAssignment). */
struct assignment {
	char practitioner[WIRE_PERSON_MAX];
	char by[WIRE_PERSON_MAX];
	int64_t at_ms;
	char note[WIRE_TEXT_MAX];
	char operator_[WIRE_PERSON_MAX];
};

int wire_assignment_pack(const struct assignment *as, uint8_t **out, size_t *len);
int wire_assignment_decode(const void *buf, size_t len, struct assignment *out);

#endif
