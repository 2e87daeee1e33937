/*
 * school.h - schools and Operation Encompass, the pure part: the schools
 * ffcd knows (by URN, with their term calendar), which police concerns
 * call for a notice, where each notice goes, what a notice holds, and
 * the topics notices and feedback are published on.
 *
 * Plain structs and decisions: no store, no sockets, no clock. The store's
 * side (a child's current school, raising and reminding notices) is
 * notice.c's; the configuration is read by config_schools.c.
 */
#ifndef FFC_SCHOOL_H
#define FFC_SCHOOL_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "calendar.h"
#include "concern.h"

#define SCHOOLS_MAX        1024
#define SCHOOL_URN_LEN     7   /* six digits and the NUL */
#define SCHOOL_NAME_MAX    97  /* 96 bytes */
#define SCHOOL_CONTACT_MAX 257 /* 256 bytes */
/* The default age past which a police concern raises no notice. */
#define SCHOOL_MAX_AGE_DAYS 7
#define SCHOOL_MAX_AGE_MAX  3650

/* The destination word of front-door notices in topics and requests. */
#define SCHOOL_FRONT_DOOR "front-door"

struct school {
	char urn[SCHOOL_URN_LEN];
	char name[SCHOOL_NAME_MAX];
};

/* The schools ffcd sends notices to, their calendar, and the contact
 * feedback gives when a child's lead practitioner has none
 * (configuration: schools, feedback). */
struct schools {
	size_t n;
	struct school list[SCHOOLS_MAX]; /* each URN once */
	struct calendar cal;
	/* A police concern that happened longer ago than this when it
	 * arrives raises no notice (a back-filled history is no news for a
	 * school); 0: any age. */
	unsigned max_age_days;
	char feedback_contact[SCHOOL_CONTACT_MAX];
};

/* No schools, the default calendar (calendar_defaults), notices up to
 * SCHOOL_MAX_AGE_DAYS old, no feedback contact. Cannot fail. */
void schools_defaults(struct schools *s);

/* The school with this URN, or NULL. */
const struct school *school_find(const struct schools *s, const char *urn);

/* A URN as configured: six digits, 100000 to 999999. */
int school_urn_valid(const char *urn);

/* Why a notice went to the front door (ffc.v1.FrontDoorReason). */
enum front_door {
	FRONT_DOOR_NONE = 0, /* it went to its school */
	FRONT_DOOR_NO_SCHOOL = 1,
	FRONT_DOOR_HOME_EDUCATED = 2,
	FRONT_DOOR_NOT_CONFIGURED = 3,
};

/* Does c call for Operation Encompass notices at now_ms? A police concern
 * of category DOMESTIC_ABUSE or flagged domestic_incident, that happened
 * at most max_age_days before now_ms (0: any age). */
int school_encompass(const struct concern *c, int64_t now_ms, unsigned max_age_days);

/* Where a notice about a child whose current school is `urn` ("" none
 * known, "EHE" home educated, any case) goes: FRONT_DOOR_NONE with *to
 * the school, or why it goes to the front door (*to NULL). */
enum front_door school_route(const struct schools *s, const char *urn, const struct school **to);

/* ---- notices ---- */

/* One Operation Encompass notice (ffc.v1.SchoolNotice), owning its
 * strings. */
struct school_notice {
	uint64_t seq;
	char urn[SCHOOL_URN_LEN]; /* "" for the front door, unless not configured */
	char school_name[SCHOOL_NAME_MAX];
	char given_name[CONCERN_FIELD_MAX + 1];
	char family_name[CONCERN_FIELD_MAX + 1];
	char date_of_birth[16];
	int64_t incident_at_ms;
	int child_present;
	char police_reference[CONCERN_ID_MAX + 1];
	int64_t raised_at_ms, due_at_ms, remind_at_ms;
	char acknowledged_by[WIRE_PERSON_MAX];
	int64_t acknowledged_at_ms; /* 0: not acknowledged */
	int64_t reminded_at_ms;     /* 0: not reminded */
	enum front_door front_door;
	uint64_t child;          /* the daemon's child id (as filed) */
	int64_t withdrawn_at_ms; /* 0: in force; else no name, not due, not acknowledged */
};

/* The notice's destination as topics and requests name it: its URN, or
 * SCHOOL_FRONT_DOOR. Borrowed from n. */
const char *school_notice_dest(const struct school_notice *n);

/* Topics (at most len bytes with the NUL, cut to fit):
 *   school_topic(.., urn, NULL)       "notice.school.<URN>"
 *   school_topic(.., urn, "reminder") "notice.school.<URN>.reminder"
 *   console_notice_topic(.., NULL, d)       "notice.front-door" (d must be it)
 *   console_notice_topic(.., "reminder", d) "notice.reminder.<d>"
 *   feedback_topic(.., agency)        "feedback.police", "feedback.social-care" */
void school_topic(char *out, size_t len, const char *urn, const char *suffix);
void school_console_topic(char *out, size_t len, const char *word, const char *dest);
void school_feedback_topic(char *out, size_t len, int agency);

/* The agency's word in feedback topics ("social-care"); "unknown" out of
 * range. Static. */
const char *school_agency_word(int agency);

#endif
