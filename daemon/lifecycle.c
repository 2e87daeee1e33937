/*
 * lifecycle.c - which changes an alert allows, and applying them (see
 * lifecycle.h). Pure: no store, no sockets, the time passed in.
 */
#include "lifecycle.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "validate.h"

static const char *const default_outcomes[] = {
    "strategy discussion",    "child protection enquiry", "referred to family help",
    "single agency response", "no further action",
};

void lifecycle_defaults(struct alert_policy *p)
{
	memset(p, 0, sizeof *p);
	p->response_ms[LEVEL_RED] = INT64_C(120) * 60 * 1000;
	p->response_ms[LEVEL_AMBER] = INT64_C(360) * 60 * 1000;
	for (size_t i = 0; i < sizeof default_outcomes / sizeof default_outcomes[0]; i++)
		snprintf(p->outcomes[p->n_outcomes++], WIRE_OUTCOME_MAX, "%s", default_outcomes[i]);
	/* An immediate risk to a child someone already has still calls for
	 * someone to pick it up now. */
	p->reopen_severity = SEVERITY_IMMEDIATE;
}

int64_t lifecycle_clock(const struct alert *a)
{
	return a->reopened_at_ms ? a->reopened_at_ms : a->raised_at_ms;
}

int64_t lifecycle_due(const struct alert_policy *p, const struct alert *a)
{
	int level = (int)a->level;
	if (level < LEVEL_AMBER || level > LEVEL_MAX)
		level = LEVEL_RED; /* never stored; the shorter time is the safe one */
	return lifecycle_clock(a) + p->response_ms[level];
}

int lifecycle_check_text(const char *field, const char *text, size_t max_bytes, int required,
                         int multiline, char *err, size_t errlen)
{
	size_t n = strlen(text);
	if (n == 0 && required) {
		snprintf(err, errlen, "%s: required (who did it, or what was noted)", field);
		return -1;
	}
	if (n > max_bytes) {
		snprintf(err, errlen, "%s: %zu bytes, at most %zu", field, n, max_bytes);
		return -1;
	}
	if (!validate_utf8(text, n)) {
		snprintf(err, errlen, "%s: not valid UTF-8", field);
		return -1;
	}
	for (const unsigned char *c = (const unsigned char *)text; *c; c++)
		if ((*c < 0x20 && !(multiline && (*c == '\n' || *c == '\t'))) || *c == 0x7f) {
			snprintf(err, errlen, "%s: holds a control character", field);
			return -1;
		}
	/* A name of spaces alone names nobody. */
	if (required && strspn(text, " \t\n") == n) {
		snprintf(err, errlen, "%s: blank", field);
		return -1;
	}
	return 0;
}

const char *lifecycle_outcome(const struct alert_policy *p, const char *outcome)
{
	for (size_t i = 0; i < p->n_outcomes; i++)
		if (!strcasecmp(p->outcomes[i], outcome))
			return p->outcomes[i];
	return NULL;
}

static void event(struct alert_event *e, enum alert_action action, const char *by, int64_t now_ms,
                  const char *text, const char *outcome)
{
	memset(e, 0, sizeof *e);
	e->action = action;
	snprintf(e->by, sizeof e->by, "%s", by);
	e->at_ms = now_ms;
	snprintf(e->text, sizeof e->text, "%s", text ? text : "");
	snprintf(e->outcome, sizeof e->outcome, "%s", outcome ? outcome : "");
}

int lifecycle_ack(struct alert *a, const char *by, const char *note, int64_t now_ms,
                  struct alert_event *e, char *err, size_t errlen)
{
	if (lifecycle_check_text("ack.by", by, WIRE_PERSON_MAX - 1, 1, 0, err, errlen) < 0 ||
	    lifecycle_check_text("ack.note", note, WIRE_TEXT_MAX - 1, 0, 1, err, errlen) < 0)
		return -1;
	switch (wire_alert_view(a)) {
	case ALERT_VIEW_OPEN:
		break;
	case ALERT_VIEW_ACKNOWLEDGED:
		snprintf(err, errlen, "ack.alert_id: %s is already acknowledged by %s", a->alert_id,
		         a->acknowledged_by);
		return -1;
	case ALERT_VIEW_CLOSED:
		snprintf(err, errlen, "ack.alert_id: %s is closed", a->alert_id);
		return -1;
	case ALERT_VIEW_SUPERSEDED:
		snprintf(err, errlen, "ack.alert_id: %s is superseded by %s: acknowledge that one",
		         a->alert_id, a->superseded_by);
		return -1;
	}
	snprintf(a->acknowledged_by, sizeof a->acknowledged_by, "%s", by);
	a->acknowledged_at_ms = now_ms;
	event(e, ALERT_ACTION_ACKNOWLEDGED, by, now_ms, note, NULL);
	return 0;
}

int lifecycle_close(const struct alert_policy *p, struct alert *a, const char *by,
                    const char *outcome, const char *note, int64_t now_ms, struct alert_event *e,
                    char *err, size_t errlen)
{
	if (lifecycle_check_text("close.by", by, WIRE_PERSON_MAX - 1, 1, 0, err, errlen) < 0 ||
	    lifecycle_check_text("close.note", note, WIRE_TEXT_MAX - 1, 0, 1, err, errlen) < 0)
		return -1;
	const char *named = lifecycle_outcome(p, outcome);
	if (!named) {
		int k;
		if (!outcome[0])
			k = snprintf(err, errlen, "close.outcome: required, one of: ");
		else if (lifecycle_check_text("", outcome, WIRE_OUTCOME_MAX - 1, 0, 0, NULL, 0) ==
		         0)
			k = snprintf(err, errlen, "close.outcome: '%s' is not one of: ", outcome);
		else
			k = snprintf(err, errlen, "close.outcome: not one of: ");
		for (size_t i = 0; i < p->n_outcomes && k > 0 && (size_t)k < errlen; i++)
			k += snprintf(err + k, errlen - (size_t)k, "%s\"%s\"", i ? ", " : "",
			              p->outcomes[i]);
		return -1;
	}
	if (a->state == ALERT_CLOSED) {
		snprintf(err, errlen, "close.alert_id: %s is already closed by %s (%s)",
		         a->alert_id, a->closed_by, a->outcome);
		return -1;
	}
	a->state = ALERT_CLOSED;
	snprintf(a->closed_by, sizeof a->closed_by, "%s", by);
	a->closed_at_ms = now_ms;
	snprintf(a->outcome, sizeof a->outcome, "%s", named);
	event(e, ALERT_ACTION_CLOSED, by, now_ms, note, named);
	return 0;
}

int lifecycle_note(struct alert *a, const char *by, const char *text, int64_t now_ms,
                   struct alert_event *e, char *err, size_t errlen)
{
	if (lifecycle_check_text("note.by", by, WIRE_PERSON_MAX - 1, 1, 0, err, errlen) < 0 ||
	    lifecycle_check_text("note.text", text, WIRE_TEXT_MAX - 1, 1, 1, err, errlen) < 0)
		return -1;
	(void)a; /* a note is allowed in every state and changes no field */
	event(e, ALERT_ACTION_NOTE, by, now_ms, text, NULL);
	return 0;
}

/* The history's words for a concern: its reference, never its summary. */
static void concern_text(char *buf, size_t len, const struct alert_evidence *c)
{
	snprintf(buf, len, "%s %s (%s, %s)", agency_name(c->agency), c->concern_id,
	         category_name(c->category), severity_name(c->severity));
}

void lifecycle_evidence(const struct alert_evidence *concern, int64_t now_ms, struct alert_event *e)
{
	char text[WIRE_TEXT_MAX];
	concern_text(text, sizeof text, concern);
	event(e, ALERT_ACTION_EVIDENCE, "ffcd", now_ms, text, NULL);
	e->concern = *concern;
}

int lifecycle_cites(const struct alert *a, int agency, const char *concern_id)
{
	for (size_t i = 0; i < a->n_evidence; i++)
		if (a->evidence[i].agency == agency &&
		    !strcmp(a->evidence[i].concern_id, concern_id))
			return 1;
	return 0;
}

int lifecycle_cite(struct alert *a, const struct alert_evidence *concern)
{
	if (lifecycle_cites(a, concern->agency, concern->concern_id))
		return 0;
	/* Bounded: a child with hundreds of concerns keeps the first
	 * RULE_EVIDENCE_MAX on the alert; the history holds every one. */
	if (a->n_evidence >= RULE_EVIDENCE_MAX)
		return 0;
	a->evidence[a->n_evidence++] = *concern;
	return 1;
}

int lifecycle_reopen(const struct alert_policy *p, struct alert *a,
                     const struct alert_evidence *concern, int64_t now_ms, struct alert_event *e)
{
	if (!p->reopen_severity || concern->severity < p->reopen_severity ||
	    wire_alert_view(a) != ALERT_VIEW_ACKNOWLEDGED)
		return 0;
	a->acknowledged_by[0] = '\0';
	a->acknowledged_at_ms = 0;
	a->overdue_at_ms = 0;
	a->reopened_at_ms = now_ms;
	char text[WIRE_TEXT_MAX];
	concern_text(text, sizeof text, concern);
	event(e, ALERT_ACTION_REOPENED, "ffcd", now_ms, text, NULL);
	e->concern = *concern;
	return 1;
}

int lifecycle_is_due(const struct alert_policy *p, const struct alert *a, int64_t now_ms)
{
	return wire_alert_view(a) == ALERT_VIEW_OPEN && a->overdue_at_ms == 0 &&
	       lifecycle_due(p, a) <= now_ms;
}

enum alert_wait lifecycle_wait(const struct alert *a)
{
	if (a->state != ALERT_OPEN || a->acknowledged_at_ms != 0)
		return ALERT_WAIT_NONE;
	return a->overdue_at_ms == 0 ? ALERT_WAIT_DUE : ALERT_WAIT_OVERDUE;
}

void lifecycle_overdue(struct alert *a, int64_t now_ms, struct alert_event *e)
{
	a->overdue_at_ms = now_ms;
	event(e, ALERT_ACTION_OVERDUE, "ffcd", now_ms, NULL, NULL);
}

const char *lifecycle_action_word(enum alert_action action)
{
	switch (action) {
	case ALERT_ACTION_ACKNOWLEDGED:
		return "ack";
	case ALERT_ACTION_NOTE:
		return "note";
	case ALERT_ACTION_CLOSED:
		return "close";
	case ALERT_ACTION_OVERDUE:
		return "overdue";
	case ALERT_ACTION_EVIDENCE:
		return "evidence";
	case ALERT_ACTION_REOPENED:
		return "reopen";
	}
	return "change";
}
