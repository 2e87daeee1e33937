/*
 * concern.c - names of the contract's enumerations, and content equality
 * of two concerns.
 *
 * Owns the mapping between enum values and the upper-case names of
 * proto/ffc.proto (what logs, stats keys, alert topics and ffcctl show),
 * and the field-for-field comparison that tells a resent concern from a
 * reused concern_id. Does not validate (validate.c) or decode (wire.c).
 */
#include "concern.h"

#include <string.h>

/* Indexed by value; index 0 is each enum's *_UNSPECIFIED, shown without
 * its prefix so that logs and stats read "UNSPECIFIED" whatever the enum. */
static const char *const agencies[AGENCY_MAX + 1] = {
    "UNSPECIFIED", "POLICE", "HEALTH", "EDUCATION", "SOCIAL_CARE", "OTHER",
};

static const char *const categories[CATEGORY_MAX + 1] = {
    "UNSPECIFIED",         "DOMESTIC_ABUSE",  "SUBSTANCE_MISUSE",
    "MENTAL_HEALTH",       "NEGLECT",         "PHYSICAL_ABUSE",
    "SEXUAL_ABUSE",        "EMOTIONAL_ABUSE", "CRIMINAL_EXPLOITATION",
    "SEXUAL_EXPLOITATION", "MISSING",         "EDUCATION_ABSENCE",
    "WAS_NOT_BROUGHT",     "SELF_HARM",       "INJURY",
    "OTHER_CONCERN",
};

static const char *const severities[SEVERITY_MAX + 1] = {
    "UNSPECIFIED", "LOW", "MODERATE", "HIGH", "IMMEDIATE_RISK",
};

static const char *const levels[LEVEL_MAX + 1] = {
    "UNSPECIFIED",
    "AMBER",
    "RED",
};

static const char *name(const char *const *names, int max, int v)
{
	return v >= 0 && v <= max ? names[v] : "UNKNOWN";
}

const char *agency_name(int agency)
{
	return name(agencies, AGENCY_MAX, agency);
}

const char *category_name(int category)
{
	return name(categories, CATEGORY_MAX, category);
}

const char *severity_name(int severity)
{
	return name(severities, SEVERITY_MAX, severity);
}

const char *level_name(int level)
{
	return name(levels, LEVEL_MAX, level);
}

/* ASCII only on purpose: toupper() would depend on the locale. */
static int fold(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 'A';
	if (c == '-')
		return '_';
	return c;
}

static int same_name(const char *s, const char *name)
{
	while (*s && *name && fold((unsigned char)*s) == (unsigned char)*name) {
		s++;
		name++;
	}
	return *s == '\0' && *name == '\0';
}

/* Index 0 is never matched: "unspecified" is what a value must not be,
 * so an operator or a config file cannot ask for it by name. */
int enum_name_parse(const char *const *names, int max, const char *s)
{
	if (!s)
		return -1;
	for (int v = 1; v <= max; v++)
		if (same_name(s, names[v]))
			return v;
	return -1;
}

int agency_parse(const char *s)
{
	return enum_name_parse(agencies, AGENCY_MAX, s);
}

int category_parse(const char *s)
{
	return enum_name_parse(categories, CATEGORY_MAX, s);
}

int severity_parse(const char *s)
{
	return enum_name_parse(severities, SEVERITY_MAX, s);
}

int level_parse(const char *s)
{
	return enum_name_parse(levels, LEVEL_MAX, s);
}

int child_identity_equal(const struct child_identity *a, const struct child_identity *b)
{
	return !strcmp(a->nhs_number, b->nhs_number) && !strcmp(a->upn, b->upn) &&
	       !strcmp(a->local_id, b->local_id) && !strcmp(a->given_name, b->given_name) &&
	       !strcmp(a->family_name, b->family_name) &&
	       !strcmp(a->date_of_birth, b->date_of_birth) && !strcmp(a->postcode, b->postcode);
}

const char *concern_school_urn(const struct concern *c)
{
	return c->school_urn ? c->school_urn : "";
}

/* Exact, byte for byte: a resend carries the bytes it carried the first
 * time, and anything else under the same id (even "943 476 5919" for
 * "9434765919") is a different concern that the adapter must give its own
 * id. reported_at_ms counts too: a corrected record is new content. */
int concern_equal(const struct concern *a, const struct concern *b)
{
	if (a == b)
		return 1;
	if (strcmp(a->concern_id, b->concern_id) || a->agency != b->agency ||
	    strcmp(a->source_system, b->source_system) || a->category != b->category ||
	    a->severity != b->severity || a->occurred_at_ms != b->occurred_at_ms ||
	    a->reported_at_ms != b->reported_at_ms || strcmp(a->summary, b->summary) ||
	    strcmp(a->reporter, b->reporter) || a->n_children != b->n_children ||
	    strcmp(concern_school_urn(a), concern_school_urn(b)) ||
	    a->domestic_incident != b->domestic_incident || a->child_present != b->child_present)
		return 0;
	for (size_t i = 0; i < a->n_children; i++)
		if (!child_identity_equal(&a->children[i], &b->children[i]))
			return 0;
	return 1;
}
