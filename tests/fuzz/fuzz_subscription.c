/*
 * Fuzz target: a message as the alerts socket reads it from a console,
 * through console_parse(), the function server.c calls for every one.
 * Nothing may crash, leak or read out of bounds, and the invariants hold:
 * only a subscription or unsubscription yields prefixes, never more than
 * CONSOLE_TOPICS_MAX, each a string shorter than a topic; a console held
 * to some levels never gets a prefix of another level's family, a
 * school's or an adapter's key nothing but its own notices or feedback; a
 * subscription past the count is refused.
 *
 * The first byte of the input chooses the case: bit 0 the multipart flag,
 * bit 1 restricted, bits 2-4 the levels, bits 5-7 how many subscriptions
 * the connection holds (scaled to cross CONSOLE_SUBS_MAX). The rest is
 * the message, copied to its own heap buffer so reading past it is seen.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "concern.h"
#include "console.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int more = data[0] & 1;
	int restricted = (data[0] >> 1) & 1;
	unsigned levels = (unsigned)((data[0] >> 2) & 7) << 1; /* levels 1..3 */
	size_t held = (size_t)(data[0] >> 5) * (CONSOLE_SUBS_MAX / 4);
	size_t len = size - 1;
	uint8_t *msg = malloc(len ? len : 1);
	if (!msg)
		return 0;
	memcpy(msg, data + 1, len);
	struct console_sub *sub = malloc(sizeof *sub);
	if (!sub) {
		free(msg);
		return 0;
	}
	enum console_verdict v = console_parse(msg, len, more, restricted, levels, held, sub);
	if (sub->n > CONSOLE_TOPICS_MAX)
		__builtin_trap();
	if (v != CONSOLE_SUBSCRIBE && v != CONSOLE_UNSUBSCRIBE && sub->n != 0)
		__builtin_trap();
	if (v == CONSOLE_SUBSCRIBE && held >= CONSOLE_SUBS_MAX)
		__builtin_trap();
	if ((v == CONSOLE_SUBSCRIBE || v == CONSOLE_UNSUBSCRIBE) &&
	    (more || len == 0 || len - 1 > CONSOLE_SUB_MAX))
		__builtin_trap();
	for (size_t i = 0; i < sub->n; i++) {
		const char *t = sub->topics[i];
		if (!memchr(t, '\0', OUTBOX_TOPIC_MAX))
			__builtin_trap();
		if (!restricted)
			continue;
		/* A prefix names a level this console may not receive. */
		for (int level = 1; level <= LEVEL_MAX; level++) {
			if (levels & (1u << level))
				continue;
			char word[32];
			size_t w = 0;
			for (const char *p = level_name(level); *p && w + 2 < sizeof word; p++)
				word[w++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
			word[w] = '\0';
			char alert[48];
			memcpy(alert, "alert.", 6);
			memcpy(alert + 6, word, w + 1);
			if (!strncmp(t, alert, strlen(alert)))
				__builtin_trap();
		}
	}
	if (!strcmp(console_verdict_name(v), "?"))
		__builtin_trap();
	/* The same message from a school's key and an adapter's: the same
	 * verdict, and nothing outside their own topics but the heartbeat. */
	static const struct console_grant grants[] = {{.urn = "100001"}, {.agency = 1}};
	static const char *const roots[] = {"notice.school.100001", "feedback.police"};
	for (size_t g = 0; g < 2; g++) {
		if (console_parse_grant(msg, len, more, 1, &grants[g], held, sub) != v)
			__builtin_trap();
		for (size_t i = 0; i < sub->n; i++)
			if (strncmp(sub->topics[i], roots[g], strlen(roots[g])) &&
			    strncmp(sub->topics[i], "heartbeat", 9))
				__builtin_trap();
	}
	free(sub);
	free(msg);
	return 0;
}
