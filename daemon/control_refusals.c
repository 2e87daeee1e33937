/*
 * control_refusals.c - each caller's refusals in a window: written one by
 * one up to a few, then counted into one entry (see control_refusals.h).
 *
 * Owns the bookkeeping only; writing the entries is control_audit.c's.
 */
#include "control_refusals.h"

#include <stdio.h>
#include <string.h>

static int ended(const struct refusal_caller *c, int64_t now_ms)
{
	/* A clock set back ends the window too: it cannot last for ever. */
	return now_ms < c->window_ms || now_ms - c->window_ms >= REFUSALS_WINDOW_MS;
}

/* The entry standing for the refusals counted in c's window. */
static void burst_entry(const struct refusal_caller *c, struct audit_entry *e)
{
	/* The last refusal's reason, cut to leave room for the count. */
	char why[WIRE_REASON_MAX - 256];
	size_t n = strnlen(c->last.detail, sizeof why - 1);
	memcpy(why, c->last.detail, n);
	why[n] = '\0';
	*e = c->last;
	e->seq = 0;
	e->refused = 1;
	e->count = c->counted;
	if (c->names_differ)
		snprintf(e->by, sizeof e->by, "%s", "(several callers)");
	if (c->children_differ)
		e->child = 0;
	snprintf(e->detail, sizeof e->detail,
	         "refused %llu times in %lld ms, after %d written one by one%s; the last: %s",
	         (unsigned long long)c->counted, (long long)(c->last.at_ms - c->first_ms),
	         REFUSALS_EACH, c->commands_differ ? " (several commands)" : "", why);
}

static void forget(struct refusal_caller *c)
{
	memset(c, 0, sizeof *c);
}

static struct refusal_caller *find(struct refusals *r, const char *key)
{
	struct refusal_caller *c = &r->callers[REFUSALS_CALLERS];
	if (!key[0])
		return c;
	for (size_t i = 0; i < REFUSALS_CALLERS; i++)
		if (r->callers[i].used && !strcmp(r->callers[i].key, key))
			return &r->callers[i];
	for (size_t i = 0; i < REFUSALS_CALLERS; i++)
		if (!r->callers[i].used) {
			c = &r->callers[i];
			snprintf(c->key, sizeof c->key, "%s", key);
			return c;
		}
	return c; /* more callers at once than followed: they share */
}

enum refusal_verdict refusals_note(struct refusals *r, const struct audit_entry *e, int known,
                                   int64_t now_ms, struct audit_entry *due, int *has_due)
{
	*has_due = 0;
	struct refusal_caller *c = find(r, known ? e->by : "");
	if (c->used && ended(c, now_ms)) {
		if (c->counted) {
			burst_entry(c, due);
			*has_due = 1;
		}
		char key[WIRE_BY_MAX];
		memcpy(key, c->key, sizeof key);
		forget(c);
		memcpy(c->key, key, sizeof key);
	}
	if (!c->used) {
		c->used = 1;
		c->window_ms = now_ms;
	}
	if (c->written < REFUSALS_EACH) {
		c->written++;
		return REFUSAL_WRITE;
	}
	if (c->counted == 0) {
		c->first_ms = e->at_ms;
	} else {
		c->names_differ |= strcmp(c->last.by, e->by) != 0;
		c->commands_differ |= strcmp(c->last.command, e->command) != 0;
		c->children_differ |= c->last.child != e->child;
	}
	c->last = *e;
	c->counted++;
	return REFUSAL_COUNTED;
}

size_t refusals_due_count(const struct refusals *r, int64_t now_ms, int all)
{
	size_t n = 0;
	for (size_t i = 0; i <= REFUSALS_CALLERS; i++) {
		const struct refusal_caller *c = &r->callers[i];
		if (c->used && c->counted && (all || ended(c, now_ms)))
			n++;
	}
	return n;
}

size_t refusals_due(struct refusals *r, int64_t now_ms, int all, struct audit_entry *due,
                    size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i <= REFUSALS_CALLERS; i++) {
		struct refusal_caller *c = &r->callers[i];
		if (!c->used || !(all || ended(c, now_ms)))
			continue;
		if (c->counted) {
			if (n == max)
				break;
			burst_entry(c, &due[n++]);
		}
		forget(c);
	}
	return n;
}

uint64_t refusals_pending(const struct refusals *r)
{
	uint64_t n = 0;
	for (size_t i = 0; i <= REFUSALS_CALLERS; i++)
		n += r->callers[i].counted;
	return n;
}
