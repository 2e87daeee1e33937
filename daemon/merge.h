/*
 * merge.h - one child becoming two, or two becoming one: merging children
 * the same identifiers name, splitting off a wrong link, and the marks
 * that keep split children apart.
 *
 * A merge keeps the lower child id (deterministic whatever the arrival
 * order). The other child keeps its record with merged_into set and is
 * listed among the survivor's aliases, so its id still finds the merged
 * child; its identity records, concerns, alerts and identity events move
 * to the survivor, which joins its household (household.h). Where both had an open alert of
 * one rule, the higher level stays open (equal: the older) and the other
 * is marked superseded by it. Re-judging the joined history is the
 * caller's (ingest_rejudge()): this module knows nothing of rules.
 *
 * Two children may be merged only when together they hold at most one
 * NHS number and one UPN, and no operator has split them apart.
 */
#ifndef FFC_MERGE_H
#define FFC_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "identity.h"
#include "link_decide.h"
#include "store.h"

/* The merges done in one transaction (by linking a concern's children or
 * by an operator), for re-judging the survivors and naming the merges in
 * alert reasons. */
#define MERGE_LOG_MAX 64

struct merge_log {
	size_t n;
	int overflow; /* more merges than fit: the survivors are still right */
	struct {
		uint64_t survivor, absorbed;
	} merged[MERGE_LOG_MAX];
};

/* Who merged, why, and which identifier or concern led to it; recorded on
 * the MERGED identity event. */
struct merge_why {
	const char *by;       /* the operator, or "ffcd" */
	const char *reason;   /* the operator's reason, or what the daemon saw */
	const char *identity; /* the identifier that linked them, "" when none */
	uint64_t concern_seq; /* the concern that did, 0 for an operator */
};

/* Why `a` and `b` (live children; b may be 0 for none) together with the
 * strong identifiers in `keys` (may be NULL) cannot be one child: writes a
 * sentence to why and sets *clash to 1 ("NHS numbers 9434765919 (C00000001)
 * and 9876543210 (C00000002) disagree"), else *clash is 0. The records are
 * the store's; the judgement is link_clash()'s. */
int merge_clash(struct store_txn *t, uint64_t a, uint64_t b, const struct identity_keys *keys,
                int *clash, char *why, size_t whylen);

/* Has an operator split a from b (or their merged predecessors)? */
int merge_kept_apart(struct store_txn *t, uint64_t a, uint64_t b, int *apart);

/* Live children loaded for link_decide(): each record once, with its
 * kept-apart marks resolved to live ids. k[i].rec points into rec[], so
 * the set is not to be copied. Allocate it (about 3 KB). */
struct merge_known {
	size_t n;
	struct child_record rec[LINK_KNOWN_MAX];
	struct link_known k[LINK_KNOWN_MAX];
};

/* Load live child `live` into m unless it is there. Returns STORE_OK, a
 * store error, or STORE_ERROR when m is full or the child has no record. */
int merge_known_add(struct store_txn *t, struct merge_known *m, uint64_t live);
/* Free what m holds (m itself is the caller's); NULL is ignored. */
void merge_known_release(struct merge_known *m);

/* Merge two live, compatible children (the caller checked merge_clash and
 * merge_kept_apart). Records a MERGED event; *survivor is the lower id. */
int merge_children(struct store_txn *t, uint64_t a, uint64_t b, const struct merge_why *w,
                   int64_t now_ms, struct merge_log *log, uint64_t *survivor);

/* After `child` grew by a merge: children sharing one of its demographic
 * keys, left apart only because their names and date of birth matched
 * several children equally, are merged into it when it is now their one
 * compatible match. *child follows the survivor. */
int merge_reexamine(struct store_txn *t, uint64_t *child, int64_t now_ms, struct merge_log *log);

/* Forget that a and b were kept apart (an operator linked them). */
int merge_apart_clear(struct store_txn *t, uint64_t a, uint64_t b);

/* Which identity records a split takes. */
struct split_selector {
	char key[IDENTITY_KEY_MAX]; /* "N...", "U..." or "L..." as identity_keys makes them */
	size_t index;               /* 1-based record number when key is "" */
};

struct split_result {
	uint64_t new_child;
	unsigned moved_identities, moved_concerns;
	struct identity_event event;
};

enum { SPLIT_OK = 0, SPLIT_REFUSED = 1 };

/* Move every identity record of live `child` the selector picks, with
 * every concern and social care status that came through them (the
 * concern's named child, normalised, from the same agency), to a new
 * child; re-point strong keys and demographics; keep the two apart;
 * record a SPLIT event. A moved
 * record that also carries a strong identifier the child keeps on other
 * records moves without it, so no identifier names two children. Returns
 * STORE_OK, a store error, or SPLIT_REFUSED with the reason in err (the
 * identity is not the child's, or is all the child has). */
int merge_split(struct store_txn *t, uint64_t child, const struct split_selector *sel,
                const char *by, const char *reason, const char *identity, int64_t now_ms,
                struct split_result *out, char *err, size_t errlen);

/* Are two identity records the same identity: one agency, every field
 * equal? (Such records are kept once, first and last seen widened.) */
int merge_same_identity(const struct seen_identity *a, const struct seen_identity *b);

#endif
