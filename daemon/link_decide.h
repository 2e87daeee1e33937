/*
 * link_decide.h - which child a set of identities belongs to, decided from
 * facts the store gathered: no store, no clock, no I/O.
 *
 * The linking policy in one function. link.c gathers, for a named child of
 * a concern, the live children its strong identifiers name and those
 * recorded under its demographic key; link_decide() says which child it
 * is filed under (or a new one), which children are merged on the way,
 * which of its identifiers are left out and which conflicts are recorded.
 * merge.c asks the same function again after a merge (merge_reexamine):
 * is a child that demographics once left apart now down to one match?
 *
 * The rules (the contract's, as link.h states them):
 *   - strongest first: the NHS number names the child, then the UPN, then
 *     the agency's own id; each child a weaker one names joins the chosen
 *     child unless their NHS numbers or UPNs disagree or an operator split
 *     them, and then it is a conflict and that identifier stays with the
 *     child it names;
 *   - an NHS number or UPN nobody holds that disagrees with the chosen
 *     child's is left out (a conflict);
 *   - names and date of birth (and the postcode where both sides have one)
 *     link where they name one compatible child only; two or more is a
 *     conflict and links to none.
 * Merges are simulated as merge.c does them (the lower id survives with
 * the records of both), so each step sees what the store would hold.
 */
#ifndef FFC_LINK_DECIDE_H
#define FFC_LINK_DECIDE_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "child_record.h"
#include "identity.h"

/* Children recorded under one demographic key that a decision considers;
 * more is too common a name to link on. */
#define LINK_DEMO_MAX 16
/* Postcodes kept for one demographic entry. */
#define LINK_POSTCODES_MAX 4
/* Every child one decision may name: three strong keys, the demographic
 * entries, and the child it starts from. */
#define LINK_KNOWN_MAX     (3 + LINK_DEMO_MAX + 1)
#define LINK_MERGES_MAX    3
#define LINK_CONFLICTS_MAX 6
#define LINK_LABEL_MAX     (2 * CONCERN_FIELD_MAX + 32) /* as identity_event.identity */

/* A live child as the store holds it. */
struct link_known {
	const struct child_record *rec; /* borrowed; rec->id is the live id */
	const uint64_t *apart;          /* the children an operator split from it, */
	size_t n_apart;                 /* resolved to live ids (gone ones left out) */
};

/* One entry of the demographic search: a live child recorded under the
 * key, with the postcodes it was recorded with. No postcode agrees with
 * any. */
struct link_demo {
	uint64_t child;
	size_t n_post;
	char post[LINK_POSTCODES_MAX][POSTCODE_MAX];
};

struct link_facts {
	/* The named child's keys (identity_keys()); for re-examining a
	 * child, only the demographic key is set. */
	const struct identity_keys *keys;
	uint64_t seq; /* the concern's, named in reasons; 0 for none (a social care status) */
	/* The child already decided on before any identifier is looked at:
	 * 0 for a concern; the child being re-examined after a merge. */
	uint64_t start;
	/* The live child the NHS number, UPN and local key name, 0 none. */
	uint64_t bound[3];
	/* The postcodes the named child has: the concern's one, or the
	 * re-examined child's. */
	size_t n_post;
	char post[LINK_POSTCODES_MAX][POSTCODE_MAX];
	/* The demographic search, in the store's order. With demo_overflow
	 * set, demographics link nothing. */
	const struct link_demo *demo;
	size_t n_demo;
	int demo_overflow;
	/* Every child named above (bound, start, demo): what their records
	 * hold. A child missing here is taken to hold nothing. */
	const struct link_known *known;
	size_t n_known;
};

/* Two children to merge, in this order (the survivor is the lower id). */
struct link_merge {
	uint64_t a, b;
	char identity[LINK_LABEL_MAX]; /* what linked them: "nhs:...", "demographics" */
	char reason[WIRE_REASON_MAX];
};

/* A conflict to record on the chosen child. */
struct link_conflict {
	uint64_t other; /* the child the disagreeing identifier names, 0 none */
	char identity[LINK_LABEL_MAX];
	char reason[WIRE_REASON_MAX];
};

struct link_decision {
	uint64_t child; /* filed under this live child; 0: a new child */
	int keep[3];    /* record the NHS number, UPN, local key? (left out: 0) */
	/* The one child the demographics named (merged or chosen), 0 none. */
	uint64_t by_demographics;
	size_t n_merges;
	struct link_merge merges[LINK_MERGES_MAX];
	size_t n_conflicts; /* at most LINK_CONFLICTS_MAX; more are not kept */
	struct link_conflict conflicts[LINK_CONFLICTS_MAX];
};

/* Decide. Fills *d (about 10 KB: allocate it). Merges are to be applied in
 * order, before filing. Cannot fail. */
void link_decide(const struct link_facts *f, struct link_decision *d);

/* Does the demographic entry's postcode agree with the named child's?
 * Where both sides have one they must be the same: children move, and a
 * different address is for an operator to judge. An entry that does not
 * agree is never looked at further, so a gatherer need not load its
 * child. */
int link_postcodes_agree(const struct link_facts *f, const struct link_demo *e);

/* Why a and b (either may be NULL) together with the NHS number and UPN in
 * keys (may be NULL) cannot be one child: 1 and a sentence in why ("NHS
 * numbers 9434765919 (C00000001) and 9876543210 (C00000002) disagree"),
 * else 0 and why "". */
int link_clash(const struct child_record *a, const struct child_record *b,
               const struct identity_keys *keys, char *why, size_t whylen);

/* Has an operator split a from b (either way)? 0 when a and b are one. */
int link_kept_apart(const struct link_known *a, const struct link_known *b);

/* An identity key as operators write it: "nhs:9434765919", "upn:...",
 * "local:POLICE:P-1" (unlink takes these), or "demographics". */
void link_key_label(const char *key, char *out, size_t len);

#endif
