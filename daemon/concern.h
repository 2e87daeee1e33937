/*
 * concern.h - the daemon's own view of a concern and its limits.
 *
 * Plain structs shared by the pure core (validate, identity, rules) and the
 * edges (wire, store, ingest). Nothing here touches protobuf, LMDB or ZeroMQ.
 * Strings are borrowed from whoever decoded the concern (wire.c) and are
 * never NULL: an absent field is "".
 */
#ifndef FFC_CONCERN_H
#define FFC_CONCERN_H

#include <stddef.h>
#include <stdint.h>

/* Enumerations follow proto/ffc.proto's numbering exactly. */
enum { AGENCY_MAX = 5, CATEGORY_MAX = 15, SEVERITY_MAX = 4 };
enum level { LEVEL_NONE = 0, LEVEL_AMBER = 1, LEVEL_RED = 2 };
enum { LEVEL_MAX = LEVEL_RED };

enum { SEVERITY_LOW = 1, SEVERITY_MODERATE = 2, SEVERITY_HIGH = 3, SEVERITY_IMMEDIATE = 4 };
enum {
	CATEGORY_DOMESTIC_ABUSE = 1,
	CATEGORY_MISSING = 10,
	CATEGORY_EDUCATION_ABSENCE = 11,
	CATEGORY_WAS_NOT_BROUGHT = 12
};
enum { AGENCY_POLICE = 1, AGENCY_EDUCATION = 3 };

/* Limits from the wire contract ("what is REJECTED"). */
#define CONCERN_ID_MAX          128
#define CONCERN_CHILDREN_MAX    32
#define CONCERN_SUMMARY_MAX     4096
#define CONCERN_FUTURE_SLACK_MS (5 * 60 * 1000)
/* 1900-01-01T00:00:00Z: no concern about a child living now happened
 * before it, and the bound keeps every time far from int64's ends. */
#define CONCERN_EARLIEST_MS INT64_C(-2208988800000)
/* Our own bound on every other string field, so a peer cannot make us store
 * megabytes of names. */
#define CONCERN_FIELD_MAX 256

#define MS_PER_DAY INT64_C(86400000)

struct child_identity {
	const char *nhs_number;
	const char *upn;
	const char *local_id;
	const char *given_name;
	const char *family_name;
	const char *date_of_birth;
	const char *postcode;
};

struct concern {
	const char *concern_id;
	int agency;
	const char *source_system;
	size_t n_children;
	const struct child_identity *children;
	int category;
	int severity;
	int64_t occurred_at_ms;
	int64_t reported_at_ms;
	const char *summary;
	const char *reporter;
	/* Schools (Operation Encompass): the URN an education concern names
	 * ("" none, "EHE" home educated), and a police concern's flags. */
	const char *school_urn;
	int domestic_incident;
	int child_present;
};

/* The few facts of a stored concern that rules and an alert's evidence
 * need: kept in the per-child time index so a window is judged and an
 * alert raised without reading whole concerns. */
struct concern_ref {
	uint64_t seq;
	int64_t occurred_at_ms;
	uint8_t agency;
	uint8_t category;
	uint8_t severity;
	/* The concern's id, borrowed: from the store, it lives in the same
	 * block as the array it came in (store_timeline()) and is freed with
	 * it. NULL where a caller builds refs only for rules to count. */
	const char *concern_id;
	/* The child's social care statuses in force when it happened
	 * (status.h's bits), for rules that ask (when_status); 0 for none. */
	uint32_t status;
};

/* Upper-case names as in the proto ("POLICE", "DOMESTIC_ABUSE", "RED").
 * Return "UNKNOWN" for a value out of range. */
const char *agency_name(int agency);
const char *category_name(int category);
const char *severity_name(int severity);
const char *level_name(int level);

/* Parse a name case-insensitively, '-' and '_' alike ("domestic-abuse").
 * Return the value, or -1 when the name is unknown. */
int agency_parse(const char *s);
int category_parse(const char *s);
int severity_parse(const char *s);
int level_parse(const char *s);

/* The value of s among names[1..max] (upper-case names, compared as the
 * *_parse functions above compare), or -1. For other enumerations of the
 * contract (status.c). */
int enum_name_parse(const char *const *names, int max, const char *s);

/* True when both identities carry the same strings, field for field. */
int child_identity_equal(const struct child_identity *a, const struct child_identity *b);
/* c->school_urn, or "" when a caller building a concern left it NULL. */
const char *concern_school_urn(const struct concern *c);

/* True when both concerns carry the same content, field for field. This is
 * what tells a resent concern (DUPLICATE) from a reused id (REJECTED). */
int concern_equal(const struct concern *a, const struct concern *b);

#endif
