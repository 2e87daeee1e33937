/*
 * console.c - narrowing a console's subscriptions to its levels (see
 * console.h). Owns the list of topic families and where the level stands
 * in each, and what a message a console sends is allowed to be; the
 * topics themselves are made by outbox.c, overdue.c and control_alerts.c,
 * and the socket is read by alerts_socket.c.
 */
#include "console.h"

#include <stdio.h>
#include <string.h>

#include "concern.h"
#include "heartbeat.h"
#include "lookup.h"
#include "school.h"

/* Topic families with the level as their next word, and the actions that
 * stand before the level in event topics (lifecycle_action_word). */
static const char *const families[] = {"alert.", "overdue."};
static const char *const actions[] = {"ack",      "note",   "close", "overdue",
                                      "evidence", "reopen", "change"};

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Add the prefix that `root` and sub share, if one is inside the other. */
static void narrow(const char *root, const char *sub, size_t len, char out[][OUTBOX_TOPIC_MAX],
                   size_t max, size_t *n)
{
	size_t rlen = strlen(root);
	const char *pick = NULL;
	size_t plen = 0;
	if (len <= rlen && !memcmp(sub, root, len)) {
		pick = root; /* sub is wider: only this root of it */
		plen = rlen;
	} else if (len > rlen && !memcmp(sub, root, rlen)) {
		pick = sub; /* sub is already inside the root */
		plen = len;
	}
	if (!pick || plen >= OUTBOX_TOPIC_MAX || *n >= max)
		return;
	memcpy(out[*n], pick, plen);
	out[*n][plen] = '\0';
	(*n)++;
}

size_t console_topics(const char *sub, size_t len, unsigned levels, char out[][OUTBOX_TOPIC_MAX],
                      size_t max)
{
	size_t n = 0;
	char root[OUTBOX_TOPIC_MAX];
	if (memchr(sub, '\0', len))
		return 0; /* topics never hold a NUL: nothing would match */
	narrow(HEARTBEAT_TOPIC, sub, len, out, max, &n);
	/* Lookups of known children: for consoles (of any level), never a
	 * school's or an adapter's key. */
	if (levels)
		narrow(LOOKUP_ACCESS_TOPIC, sub, len, out, max, &n);
	for (int level = 1; level <= LEVEL_MAX; level++) {
		if (!(levels & (1u << level)))
			continue;
		for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
			snprintf(root, sizeof root, "%s%s.", families[f], level_name(level));
			lower(root);
			narrow(root, sub, len, out, max, &n);
		}
		for (size_t a = 0; a < sizeof actions / sizeof actions[0]; a++) {
			snprintf(root, sizeof root, "event.%s.%s.", actions[a], level_name(level));
			lower(root);
			narrow(root, sub, len, out, max, &n);
		}
	}
	return n;
}

size_t console_grant_topics(const char *sub, size_t len, const struct console_grant *g,
                            char out[][OUTBOX_TOPIC_MAX], size_t max)
{
	size_t n = console_topics(sub, len, g->levels, out, max);
	char root[OUTBOX_TOPIC_MAX];
	if (memchr(sub, '\0', len))
		return 0;
	if (g->notices) {
		school_console_topic(root, sizeof root, NULL, SCHOOL_FRONT_DOOR);
		narrow(root, sub, len, out, max, &n);
		narrow("notice.reminder.", sub, len, out, max, &n);
		narrow("notice.ack.", sub, len, out, max, &n);
		narrow("notice.withdrawn.", sub, len, out, max, &n);
	}
	/* A URN is six digits: no other school's topic extends this one. */
	if (g->urn && g->urn[0]) {
		school_topic(root, sizeof root, g->urn, NULL);
		narrow(root, sub, len, out, max, &n);
	}
	if (g->agency) {
		school_feedback_topic(root, sizeof root, g->agency);
		narrow(root, sub, len, out, max, &n);
	}
	return n;
}

enum console_verdict console_parse(const uint8_t *msg, size_t len, int more, int restricted,
                                   unsigned levels, size_t held, struct console_sub *out)
{
	const struct console_grant g = {.levels = levels};
	return console_parse_grant(msg, len, more, restricted, &g, held, out);
}

enum console_verdict console_parse_grant(const uint8_t *msg, size_t len, int more, int restricted,
                                         const struct console_grant *g, size_t held,
                                         struct console_sub *out)
{
	out->n = 0;
	/* A subscription is one frame: 1 (subscribe) or 0 (unsubscribe), then
	 * the prefix. Anything else is data, which libzmq 4.3's manual XPUB
	 * queues out of step with the connections (alerts_socket.c). */
	if (more || len == 0 || (msg[0] != 0 && msg[0] != 1))
		return CONSOLE_DATA;
	enum console_verdict v = msg[0] ? CONSOLE_SUBSCRIBE : CONSOLE_UNSUBSCRIBE;
	const char *sub = (const char *)msg + 1;
	size_t sub_len = len - 1;
	if (sub_len > CONSOLE_SUB_MAX)
		return CONSOLE_TOO_LONG;
	if (v == CONSOLE_SUBSCRIBE && held >= CONSOLE_SUBS_MAX)
		return CONSOLE_TOO_MANY;
	if (restricted) {
		out->n = console_grant_topics(sub, sub_len, g, out->topics, CONSOLE_TOPICS_MAX);
	} else if (!memchr(sub, '\0', sub_len)) {
		memcpy(out->topics[0], sub, sub_len);
		out->topics[0][sub_len] = '\0';
		out->n = 1;
	}
	return v;
}

const char *console_verdict_name(enum console_verdict v)
{
	switch (v) {
	case CONSOLE_SUBSCRIBE:
		return "subscribe";
	case CONSOLE_UNSUBSCRIBE:
		return "unsubscribe";
	case CONSOLE_DATA:
		return "data";
	case CONSOLE_TOO_LONG:
		return "subscription too long";
	case CONSOLE_TOO_MANY:
		return "too many subscriptions";
	}
	return "?";
}
