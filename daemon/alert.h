/*
 * alert.h - an alert as the daemon keeps it, the changes made while
 * operators work it, and a child's lead practitioner. Plain structs owning
 * their strings (cut to fit), plus the two pure questions asked of them
 * everywhere: how an alert's state reads outside, and its display copy of
 * the child's identity.
 *
 * Deciding to raise one is judge.c's, its state changes lifecycle.c's,
 * storing it store_alerts.c's, encoding it wire.h's.
 */
#ifndef FFC_ALERT_H
#define FFC_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"
#include "ids.h"
#include "rules.h"

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

/* The children one evidence concern of a household alert names. */
#define ALERT_EVIDENCE_CHILDREN 8

struct alert_evidence {
	char concern_id[CONCERN_ID_MAX + 1];
	int agency, category, severity;
	int64_t occurred_at_ms;
	/* A household alert's evidence: the children of the household the
	 * concern was recorded for (n_children 0 otherwise). */
	size_t n_children;
	uint64_t children[ALERT_EVIDENCE_CHILDREN];
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
	int64_t overdue_at_ms;  /* when the overdue reminder was published; 0: none */
	int64_t reopened_at_ms; /* when new evidence last reopened it; 0: never */
	uint64_t household;     /* the child's household when raised; 0: none */
	int household_scope;    /* raised by a household rule (Alert.scope "household") */
	int64_t due_at_ms;      /* filled from the response times in force; not stored */
};

/* Copy src's strings into dst, each cut to its field's size (a NULL
 * string reads as ""). Cannot fail; src is not kept. */
void wire_alert_child_set(struct alert_child *dst, const struct child_identity *src);

/* How a's state reads outside (an unknown stored state reads as open). */
enum alert_view wire_alert_view(const struct alert *a);

/* ---- working an alert ---- */

/* ffc.v1.AlertEvent.Action */
enum alert_action {
	ALERT_ACTION_ACKNOWLEDGED = 1,
	ALERT_ACTION_NOTE = 2,
	ALERT_ACTION_CLOSED = 3,
	ALERT_ACTION_OVERDUE = 4,
	ALERT_ACTION_EVIDENCE = 5, /* by ffcd: a concern added to the evidence */
	ALERT_ACTION_REOPENED = 6  /* by ffcd: that concern put it back to open */
};

/* One change to an alert (stored as an ffc.v1.AlertEvent). */
struct alert_event {
	enum alert_action action;
	char by[WIRE_PERSON_MAX];
	int64_t at_ms;
	char text[WIRE_TEXT_MAX];
	char outcome[WIRE_OUTCOME_MAX];
	char operator_[WIRE_PERSON_MAX]; /* the account that asked; not published */
	/* EVIDENCE and REOPENED: the concern added, published with the
	 * change (concern_id "" otherwise); the history keeps its reference
	 * in text. */
	struct alert_evidence concern;
};

/* A child's lead practitioner, as assigned (ffc.v1.PractitionerAssignment). */
struct assignment {
	char practitioner[WIRE_PERSON_MAX];
	char by[WIRE_PERSON_MAX];
	int64_t at_ms;
	char note[WIRE_TEXT_MAX];
	char operator_[WIRE_PERSON_MAX];
};

#endif
