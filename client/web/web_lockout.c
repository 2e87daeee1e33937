/*
 * web_lockout.c - failed sign-ins and locked names (see web_lockout.h).
 *
 * Owns the counting only; checking a password is web_accounts.c's, and
 * telling the person is the server's.
 */
#include "web_lockout.h"

#include <stdio.h>
#include <string.h>

void lockout_init(struct lockout *l, int max_failures, int64_t window_ms, int64_t lock_ms)
{
	memset(l, 0, sizeof *l);
	l->max_failures = max_failures > 0 ? max_failures : 1;
	l->window_ms = window_ms;
	l->lock_ms = lock_ms;
}

/* The slot of name, or LOCKOUT_SLOTS. */
static size_t find(const struct lockout *l, const char *name)
{
	size_t i = 0;
	while (i < LOCKOUT_SLOTS && !(l->slot[i].name[0] && !strcmp(l->slot[i].name, name)))
		i++;
	return i;
}

int64_t lockout_remaining(const struct lockout *l, const char *name, int64_t now_ms)
{
	size_t i = find(l, name);
	return i < LOCKOUT_SLOTS && l->slot[i].locked_until_ms > now_ms
	           ? l->slot[i].locked_until_ms - now_ms
	           : 0;
}

/* A slot for a name not in the table: a free one, else one whose lock
 * and window are over, else the unlocked one failing longest ago, else
 * the lock ending first. */
static struct lockout_slot *take(struct lockout *l, int64_t now_ms)
{
	struct lockout_slot *best = NULL;
	int best_rank = 0;
	for (size_t i = 0; i < LOCKOUT_SLOTS; i++) {
		struct lockout_slot *s = &l->slot[i];
		int locked = s->locked_until_ms > now_ms;
		int stale = !locked && now_ms - s->first_ms >= l->window_ms;
		int rank = !s->name[0] ? 4 : stale ? 3 : !locked ? 2 : 1;
		if (rank > best_rank ||
		    (rank == best_rank && rank == 2 && s->first_ms < best->first_ms) ||
		    (rank == best_rank && rank == 1 &&
		     s->locked_until_ms < best->locked_until_ms)) {
			best = s;
			best_rank = rank;
		}
		if (rank == 4)
			break;
	}
	memset(best, 0, sizeof *best);
	return best;
}

int64_t lockout_failed(struct lockout *l, const char *name, int64_t now_ms, int *left)
{
	size_t i = find(l, name);
	struct lockout_slot *s = i < LOCKOUT_SLOTS ? &l->slot[i] : NULL;
	if (!s) {
		s = take(l, now_ms);
		snprintf(s->name, sizeof s->name, "%s", name);
	}
	if (s->locked_until_ms > now_ms) {
		if (left)
			*left = 0;
		return s->locked_until_ms - now_ms;
	}
	/* A lock that is over, or a window that has passed: start again. */
	if (s->locked_until_ms || now_ms - s->first_ms >= l->window_ms) {
		s->failures = 0;
		s->locked_until_ms = 0;
	}
	if (s->failures == 0)
		s->first_ms = now_ms;
	s->failures++;
	if (left)
		*left = s->failures < l->max_failures ? l->max_failures - s->failures : 0;
	if (s->failures < l->max_failures)
		return 0;
	s->locked_until_ms = now_ms + l->lock_ms;
	return l->lock_ms;
}

void lockout_succeeded(struct lockout *l, const char *name)
{
	size_t i = find(l, name);
	if (i < LOCKOUT_SLOTS)
		memset(&l->slot[i], 0, sizeof l->slot[i]);
}
