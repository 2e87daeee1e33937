/*
 * school.c - schools and Operation Encompass, the pure part (see
 * school.h): lookups in the configured schools, which concerns call for a
 * notice and where it goes, and the topics notices and feedback are
 * published under.
 *
 * Owns those decisions and names. Does not read the store or the clock
 * (notice.c), the configuration file (config_schools.c) or the calendar's
 * arithmetic (calendar.c).
 */
#include "school.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void schools_defaults(struct schools *s)
{
	memset(s, 0, sizeof *s);
	calendar_defaults(&s->cal);
	s->max_age_days = SCHOOL_MAX_AGE_DAYS;
}

const struct school *school_find(const struct schools *s, const char *urn)
{
	size_t n = s->n < SCHOOLS_MAX ? s->n : SCHOOLS_MAX;
	for (size_t i = 0; urn && urn[0] && i < n; i++)
		if (!strcmp(s->list[i].urn, urn))
			return &s->list[i];
	return NULL;
}

int school_urn_valid(const char *urn)
{
	return strlen(urn) == 6 && urn[0] >= '1' && urn[0] <= '9' && strspn(urn, "0123456789") == 6;
}

int school_encompass(const struct concern *c, int64_t now_ms, unsigned max_age_days)
{
	if (c->agency != AGENCY_POLICE ||
	    (c->category != CATEGORY_DOMESTIC_ABUSE && !c->domestic_incident))
		return 0;
	/* Both times are bounded by validation: no overflow. */
	return max_age_days == 0 ||
	       now_ms - c->occurred_at_ms <= (int64_t)max_age_days * MS_PER_DAY;
}

enum front_door school_route(const struct schools *s, const char *urn, const struct school **to)
{
	*to = NULL;
	if (!urn || !urn[0])
		return FRONT_DOOR_NO_SCHOOL;
	if (!strcasecmp(urn, "EHE"))
		return FRONT_DOOR_HOME_EDUCATED;
	*to = school_find(s, urn);
	return *to ? FRONT_DOOR_NONE : FRONT_DOOR_NOT_CONFIGURED;
}

const char *school_notice_dest(const struct school_notice *n)
{
	return n->front_door == FRONT_DOOR_NONE && n->urn[0] ? n->urn : SCHOOL_FRONT_DOOR;
}

void school_topic(char *out, size_t len, const char *urn, const char *suffix)
{
	snprintf(out, len, "notice.school.%s%s%s", urn, suffix ? "." : "", suffix ? suffix : "");
}

void school_console_topic(char *out, size_t len, const char *word, const char *dest)
{
	if (word)
		snprintf(out, len, "notice.%s.%s", word, dest);
	else
		snprintf(out, len, "notice.%s", dest);
}

const char *school_agency_word(int agency)
{
	static const char *const words[] = {"unknown",   "police",      "health",
	                                    "education", "social-care", "other"};
	return agency >= 1 && agency <= AGENCY_MAX ? words[agency] : words[0];
}

void school_feedback_topic(char *out, size_t len, int agency)
{
	snprintf(out, len, "feedback.%s", school_agency_word(agency));
}
