/*
 * household.h - households: children held as one family, with an id.
 *
 * Children named together in one concern join one household; so do two
 * children an operator links; a child an operator unlinks leaves its
 * household. When two children of different households are named or
 * linked together the households become one (the lower id stays, the
 * other finds it). When two children merge (one child after all) the
 * merged child is in both their households, now one; a child split off
 * joins the households of the children named with it in the concerns it
 * took (merge.c calls here for both). Each change is recorded as a
 * household event saying who and why, indexed under the children it
 * names, so their chronologies show it.
 *
 * A child named with no other child and linked into none is in no
 * household; household rules judge it alone, as a household of one
 * (household_members()).
 *
 * Judging a household's rules is judge_apply.c's; this module gathers
 * what it judges: the members, and their concerns together, each once.
 */
#ifndef FFC_HOUSEHOLD_H
#define FFC_HOUSEHOLD_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"
#include "store.h"

/* Who joined or parted children, and why: recorded on the event. */
struct household_why {
	const char *by;       /* the operator, or "ffcd" */
	const char *reason;   /* the operator's reason, or what the daemon saw */
	uint64_t concern_seq; /* the concern that named them together, or 0 */
};

/* Put live children a and b in one household and record the event (none
 * when they already are). *u says what changed; a join that would pass
 * HOUSEHOLD_MEMBERS_MAX children changes nothing (u->change
 * HOUSEHOLD_FULL, logged). Returns STORE_OK or the store's error. */
int household_join(struct store_txn *t, uint64_t a, uint64_t b, const struct household_why *w,
                   int64_t now_ms, struct household_union *u);

/* Take live child out of its household and record the event; *was is the
 * household it left (0 when it was in none: nothing recorded). */
int household_leave(struct store_txn *t, uint64_t child, const struct household_why *w,
                    int64_t now_ms, uint64_t *was);

/* Two children became one: `absorbed` (now an alias) leaves its household
 * and `survivor` joins it, so the survivor is in both households, now one.
 * *changed is 1 when the survivor's household changed. */
int household_child_merged(struct store_txn *t, uint64_t survivor, uint64_t absorbed,
                           int64_t now_ms, int *changed);

/* The children of live child's household, ascending, child included, and
 * its id in *household; a child in no household is its own household of
 * one (*household 0). members holds HOUSEHOLD_MEMBERS_MAX. */
int household_members(struct store_txn *t, uint64_t child, uint64_t *household, uint64_t *members,
                      size_t *n);

/* The members of household id (an alias followed to the household it is
 * part of, whose id goes in *live): as household_members(). STORE_NOTFOUND
 * for an unknown household. */
int household_of_id(struct store_txn *t, uint64_t id, uint64_t *live, uint64_t *members, size_t *n);

/* The concerns of several children together, each once however many of
 * them it was filed under, sorted by time then seq, as store_timeline()
 * gives one child's; filed[i] has bit k set when refs[i] was filed under
 * members[k]. Owns what it points to: household_refs_release(). */
struct household_refs {
	size_t n;
	struct concern_ref *refs;
	uint64_t *filed;
	size_t n_parts;
	struct concern_ref *parts[HOUSEHOLD_MEMBERS_MAX]; /* own the concern ids */
};

/* Gather members[0..n) (at most 64) concerns occurred in [from_ms, to_ms]
 * into *out (zeroed first): the rules' view, or with withdrawn_too the
 * chronology's (withdrawn concerns included). */
int household_refs(struct store_txn *t, const uint64_t *members, size_t n, int64_t from_ms,
                   int64_t to_ms, int withdrawn_too, struct household_refs *out);
/* Free what *h holds and zero it; a zeroed value is fine. */
void household_refs_release(struct household_refs *h);

#endif
