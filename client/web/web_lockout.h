/*
 * web_lockout.h - failed sign-ins counted per account name, and accounts
 * locked after too many: after `max_failures` wrong passwords within
 * `window_ms`, the name is refused for `lock_ms`, the right password
 * included. Names that are no account count alike, so a refusal never
 * tells whether an account exists.
 *
 * Pure: a fixed table, the clock passed in, no locking (the caller holds
 * its lock). A full table gives up the slot of the name whose failures
 * are oldest, never one that is locked while another is not.
 */
#ifndef FFC_WEB_LOCKOUT_H
#define FFC_WEB_LOCKOUT_H

#include <stdint.h>

#include "web_accounts.h"

#define LOCKOUT_SLOTS 1024

struct lockout_slot {
	char name[WEB_NAME_MAX]; /* "" : free */
	int failures;            /* within the window that began at first_ms */
	int64_t first_ms;
	int64_t locked_until_ms; /* 0: not locked */
};

struct lockout {
	int max_failures;
	int64_t window_ms, lock_ms;
	struct lockout_slot slot[LOCKOUT_SLOTS];
};

void lockout_init(struct lockout *l, int max_failures, int64_t window_ms, int64_t lock_ms);

/* How long name stays locked from now_ms (0: it is not). */
int64_t lockout_remaining(const struct lockout *l, const char *name, int64_t now_ms);

/* A wrong password for name at now_ms. Returns how long name is now
 * locked (0: not yet); *left, when not NULL, the attempts left before it
 * is. */
int64_t lockout_failed(struct lockout *l, const char *name, int64_t now_ms, int *left);

/* A successful sign-in: name's failures are forgotten. */
void lockout_succeeded(struct lockout *l, const char *name);

#endif
