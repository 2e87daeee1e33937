/*
 * outbox.h - messages for the alerts socket, gathered while a batch of
 * concerns or a control request is handled, and published by server.c
 * only once the transaction that produced them is committed: no console
 * ever hears of something that is not on disk.
 *
 * A message is a topic frame and a payload frame. The outbox owns the
 * payloads; outbox_clear() frees them (after publishing, or when the
 * transaction that produced them was abandoned), outbox_truncate() those
 * of a savepoint rolled back. Alerts raised, reminders and lifecycle
 * changes all leave the write path here; only server.c sends.
 */
#ifndef FFC_OUTBOX_H
#define FFC_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "lifecycle.h"
#include "log.h"

#define OUTBOX_TOPIC_MAX 96
#define OUTBOX_NOTE_MAX  192

struct outbox_msg {
	char topic[OUTBOX_TOPIC_MAX];
	uint8_t *data; /* owned */
	size_t len;
	char note[OUTBOX_NOTE_MAX]; /* logged when published: ids only, never names */
	enum log_level note_level;  /* LOG_INFO, or LOG_DEBUG for what every concern may cause */
	/* The alert a raised-alert message announces (owned, a copy), for
	 * readers in the process (ingest's callers, tests); NULL for every
	 * other message. */
	struct alert *alert;
};

/* Zeroed is empty. Owns its items and their data until outbox_clear();
 * the server reads items[0..n) to publish them, then clears. */
struct outbox {
	size_t n, cap;
	struct outbox_msg *items;
	/* When set (borrowed), alerts queued by outbox_add_alert() carry
	 * their due time under it (lifecycle_due()); kept by outbox_clear(). */
	const struct alert_policy *policy;
};

/* Queue a payload under topic; takes ownership of data (freed even when
 * this fails). topic and note (may be NULL) are copied, cut to fit.
 * Returns 0, or -1 when out of memory (the outbox is as it was). */
int outbox_add(struct outbox *o, const char *topic, uint8_t *data, size_t len, const char *note);

/* Queue a raised alert as the contract publishes it: topic
 * "alert.<level>.<rule>" in lower case, payload an ffc.v1.Alert packed
 * from *a (copied into the message's `alert`, with due_at_ms set when
 * o->policy is). Returns 0, or -1 when out
 * of memory (the outbox is as it was). */
int outbox_add_alert(struct outbox *o, const struct alert *a);

/* Queue the reminder that alert *a (only read; due_at_ms already set) is
 * overdue at now_ms: topic "overdue.<level>.<rule>", payload the alert.
 * Returns 0, or -1 when out of memory. */
int outbox_add_reminder(struct outbox *o, const struct alert *a, int64_t now_ms);

/* Queue the change e made to alert *a: topic
 * "event.<action>.<level>.<rule>" (lifecycle_action_word()), payload an
 * ffc.v1.AlertChange (no note text). Returns 0, or -1 when out of memory. */
int outbox_add_change(struct outbox *o, const struct alert *a, const struct alert_event *e);

/* Move every message of from to the end of to, leaving from empty.
 * Returns 0, or -1 when out of memory (both are then as they were). */
int outbox_take(struct outbox *to, struct outbox *from);

/* Forget every message after the first n (those of work rolled back),
 * freeing them. Nothing when o holds n or fewer. */
void outbox_truncate(struct outbox *o, size_t n);

/* "alert.red.multi-agency": prefix, level and rule joined by dots, in
 * lower case, into topic (OUTBOX_TOPIC_MAX bytes). */
void outbox_topic(char *topic, const char *prefix, int level, const char *rule);

/* Free every item and their data, and leave o empty (reusable; its policy
 * kept). Safe on an empty outbox and twice. */
void outbox_clear(struct outbox *o);

#endif
