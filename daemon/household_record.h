/*
 * household_record.h - a household as the daemon keeps it (its id, its
 * children, the households merged into it) and a household event (a
 * household formed, a child joining or leaving, two households becoming
 * one). Plain structs: the record's members are a fixed array, its
 * aliases a malloc'd one (released with household_record_release());
 * an event owns its strings, cut to fit.
 *
 * Reading and writing them is the store's (store_household_*), encoding
 * them wire.h's, deciding when children join household.c's.
 */
#ifndef FFC_HOUSEHOLD_RECORD_H
#define FFC_HOUSEHOLD_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"

/* The most children one household holds. Households only grow by children
 * named or linked together; past this a join is refused (logged, and said
 * to an operator) rather than letting one adapter's concerns make a
 * household every judgement of it must read whole. */
#define HOUSEHOLD_MEMBERS_MAX 64

struct household_record {
	uint64_t id;
	int64_t created_at_ms;
	uint64_t merged_into; /* non-zero: an alias of that household */
	size_t n_members;
	uint64_t members[HOUSEHOLD_MEMBERS_MAX]; /* live children, ascending */
	size_t n_aliases;
	uint64_t *aliases; /* malloc'd: households merged into this one */
};

/* Free the aliases and zero *h; a zeroed record is fine. */
void household_record_release(struct household_record *h);

/* ffc.v1.HouseholdEvent.Kind */
enum household_event_kind {
	HHEV_FORMED = 1, /* child and other formed household */
	HHEV_JOINED = 2, /* child joined household (named or linked with other) */
	HHEV_MERGED = 3, /* other_household became part of household */
	HHEV_LEFT = 4    /* an operator took child out of household */
};

/* A change to a household (stored as an ffc.v1.HouseholdEvent). */
struct household_event {
	uint64_t seq;
	int64_t at_ms;
	enum household_event_kind kind;
	uint64_t household, other_household; /* 0: none */
	uint64_t child, other;               /* 0: none */
	char by[WIRE_BY_MAX];
	char reason[WIRE_REASON_MAX];
	uint64_t concern_seq;
};

#endif
