/*
 * outbox.c - messages waiting for the alerts socket (see outbox.h).
 *
 * Owns topics and payload packing for what is published. Does not own the
 * socket (server.c) or deciding what is raised (judge.c), reminded
 * (overdue.c) or changed (control_alerts.c).
 */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int outbox_add(struct outbox *o, const char *topic, uint8_t *data, size_t len, const char *note)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 8;
		struct outbox_msg *items = realloc(o->items, cap * sizeof *items);
		if (!items) {
			free(data);
			return -1;
		}
		o->items = items;
		o->cap = cap;
	}
	struct outbox_msg *m = &o->items[o->n++];
	snprintf(m->topic, sizeof m->topic, "%s", topic);
	m->data = data;
	m->len = len;
	snprintf(m->note, sizeof m->note, "%s", note ? note : "");
	m->note_level = LOG_INFO;
	m->alert = NULL;
	return 0;
}

void outbox_topic(char *topic, const char *prefix, int level, const char *rule)
{
	int n = snprintf(topic, OUTBOX_TOPIC_MAX, "%s.%s.%s", prefix, level_name(level), rule);
	if (n >= OUTBOX_TOPIC_MAX)
		n = OUTBOX_TOPIC_MAX - 1;
	for (int i = 0; i < n; i++)
		if (topic[i] >= 'A' && topic[i] <= 'Z')
			topic[i] = (char)(topic[i] - 'A' + 'a');
}

int outbox_add_alert(struct outbox *o, const struct alert *a)
{
	char topic[OUTBOX_TOPIC_MAX], note[OUTBOX_NOTE_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	struct alert *copy = malloc(sizeof *copy);
	if (!copy)
		return -1;
	*copy = *a;
	if (o->policy)
		copy->due_at_ms = lifecycle_due(o->policy, copy);
	if (wire_alert_pack(copy, &buf, &len) < 0) {
		free(copy);
		return -1;
	}
	outbox_topic(topic, "alert", a->level, a->rule);
	snprintf(note, sizeof note, "alert %s %s %s for %s (seq %llu%s%s)", a->alert_id,
	         level_name(a->level), a->rule, a->child_id, (unsigned long long)a->seq,
	         a->supersedes[0] ? ", supersedes " : "", a->supersedes);
	if (outbox_add(o, topic, buf, len, note) < 0) {
		free(copy);
		return -1;
	}
	o->items[o->n - 1].alert = copy;
	return 0;
}

int outbox_add_reminder(struct outbox *o, const struct alert *a, int64_t now_ms)
{
	char topic[OUTBOX_TOPIC_MAX], note[OUTBOX_NOTE_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	if (wire_alert_pack(a, &buf, &len) < 0)
		return -1;
	outbox_topic(topic, "overdue", a->level, a->rule);
	snprintf(note, sizeof note, "overdue %s %s %s for %s: not acknowledged %lld s after raised",
	         a->alert_id, level_name(a->level), a->rule, a->child_id,
	         (long long)((now_ms - a->raised_at_ms) / 1000));
	return outbox_add(o, topic, buf, len, note);
}

int outbox_add_change(struct outbox *o, const struct alert *a, const struct alert_event *e)
{
	char topic[OUTBOX_TOPIC_MAX], prefix[32], note[OUTBOX_NOTE_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	if (wire_alert_change_pack(a, e, &buf, &len) < 0)
		return -1;
	snprintf(prefix, sizeof prefix, "event.%s", lifecycle_action_word(e->action));
	outbox_topic(topic, prefix, a->level, a->rule);
	/* Ids only in the log: names and notes stay in the store. Evidence
	 * joins an open alert with most concerns about its child: logged
	 * only at debug, where the rest is said once per alert. */
	enum log_level at = e->action == ALERT_ACTION_EVIDENCE ? LOG_DEBUG : LOG_INFO;
	note[0] = '\0';
	if (log_get_level() >= at)
		snprintf(note, sizeof note, "%s %s %s %s for %s", lifecycle_action_word(e->action),
		         a->alert_id, level_name(a->level), a->rule, a->child_id);
	if (outbox_add(o, topic, buf, len, note) < 0)
		return -1;
	o->items[o->n - 1].note_level = at;
	return 0;
}

int outbox_take(struct outbox *to, struct outbox *from)
{
	if (to->cap - to->n < from->n) {
		size_t cap = to->n + from->n;
		struct outbox_msg *items = realloc(to->items, cap * sizeof *items);
		if (!items)
			return -1;
		to->items = items;
		to->cap = cap;
	}
	if (from->n)
		memcpy(to->items + to->n, from->items, from->n * sizeof *from->items);
	to->n += from->n;
	from->n = 0;
	return 0;
}

void outbox_truncate(struct outbox *o, size_t n)
{
	while (o->n > n) {
		struct outbox_msg *m = &o->items[--o->n];
		free(m->data);
		free(m->alert);
	}
}

void outbox_clear(struct outbox *o)
{
	const struct alert_policy *policy = o->policy;
	outbox_truncate(o, 0);
	free(o->items);
	memset(o, 0, sizeof *o);
	o->policy = policy;
}
