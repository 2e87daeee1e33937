/*
 * control_refusals.h - which refusals of the control socket the audit
 * trail records one by one, and the count of the rest.
 *
 * A caller refused again and again (a viewer key asking for children's
 * records as fast as it can) must not make the store write an entry per
 * refusal: that is a write transaction each, and the audit trail would
 * grow without bound. So each caller's first REFUSALS_EACH refusals in a
 * window of REFUSALS_WINDOW_MS are written one by one, as they come; the
 * rest of that window are only counted here, and written as one entry
 * with its count (AuditEntry.count) when the window ends: at the caller's
 * next refusal after it, or at the control tick, or when ffcd stops.
 * Every refusal is in the trail (the counts add up), and a caller costs
 * at most REFUSALS_EACH + 1 entries per window.
 *
 * Pure bookkeeping over plain values: no store, no clock (now is passed
 * in). control_audit.c writes what it is told to.
 */
#ifndef FFC_CONTROL_REFUSALS_H
#define FFC_CONTROL_REFUSALS_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"

#define REFUSALS_WINDOW_MS 1000
#define REFUSALS_EACH      10
/* Callers followed at once. Callers no operator or key names (whatever
 * name they claim), and any caller beyond these, share one more. */
#define REFUSALS_CALLERS 64

struct refusal_caller {
	int used;
	char key[WIRE_BY_MAX];   /* the caller's name; "" for the shared one */
	int64_t window_ms;       /* when its window began */
	unsigned written;        /* entries written one by one in the window */
	uint64_t counted;        /* refusals counted in the window, not yet written */
	int64_t first_ms;        /* the first counted one */
	struct audit_entry last; /* the latest counted one: the entry's model */
	int names_differ, commands_differ, children_differ;
};

struct refusals {
	struct refusal_caller callers[REFUSALS_CALLERS + 1]; /* the last is shared */
};

enum refusal_verdict {
	REFUSAL_WRITE = 1, /* write this refusal now, alone */
	REFUSAL_COUNTED,   /* counted in its caller's window: nothing to write now */
};

/* Note one refusal e (its by, role, command, child and detail; known:
 * the caller is a configured operator or key, so its name is its own) at
 * now_ms. When the caller's previous window has ended with refusals
 * counted in it, its entry is put in *due and *has_due set to 1 (write it
 * before e). */
enum refusal_verdict refusals_note(struct refusals *r, const struct audit_entry *e, int known,
                                   int64_t now_ms, struct audit_entry *due, int *has_due);

/* How many entries refusals_due() would give now. */
size_t refusals_due_count(const struct refusals *r, int64_t now_ms, int all);
/* The entries of the windows ended by now_ms (every window when all, as
 * ffcd stops), at most max of them into due; those callers are forgotten.
 * Returns how many. */
size_t refusals_due(struct refusals *r, int64_t now_ms, int all, struct audit_entry *due,
                    size_t max);
/* Refusals counted and not yet written. */
uint64_t refusals_pending(const struct refusals *r);

#endif
