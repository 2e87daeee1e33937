/*
 * console.c - narrowing a console's subscriptions to its levels (see
 * console.h). Owns the list of topic families and where the level stands
 * in each; the topics themselves are made by outbox.c, overdue.c and
 * control_alerts.c.
 */
#include "console.h"

#include <stdio.h>
#include <string.h>

#include "concern.h"
#include "heartbeat.h"

/* Topic families with the level as their next word, and the actions that
 * stand before the level in event topics (lifecycle_action_word). */
static const char *const families[] = {"alert.", "overdue."};
static const char *const actions[] = {"ack", "note", "close", "overdue", "change"};

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
