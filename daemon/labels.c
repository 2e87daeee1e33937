/*
 * labels.c - the wording of alert reasons (see labels.h).
 *
 * Owns the built-in words and the wording in force. Does not read the
 * configuration file (config_rules.c) nor compose a reason (rules.c).
 */
#include "labels.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "validate.h"

static const char *const builtin[CATEGORY_MAX + 1] = {
    "an unknown category",
    "domestic abuse",
    "parental substance misuse",
    "parental mental health",
    "neglect",
    "physical abuse",
    "sexual abuse",
    "emotional abuse",
    "criminal exploitation",
    "sexual exploitation",
    "missing from home or care",
    "absence from school",
    "was not brought to health appointments",
    "self-harm",
    "unexplained injury",
    "other concern",
};

static const char *const agencies[AGENCY_MAX + 1] = {
    "an unknown agency", "police", "health", "education", "social care", "another agency",
};

static const char *const severities[SEVERITY_MAX + 1] = {
    "unknown severity", "low", "moderate", "high", "immediate risk",
};

static struct labels in_force;
static int in_force_set;

void labels_defaults(struct labels *l)
{
	memset(l, 0, sizeof *l);
	for (int i = 0; i <= CATEGORY_MAX; i++)
		snprintf(l->category[i], sizeof l->category[i], "%s", builtin[i]);
}

void labels_use(const struct labels *l)
{
	in_force_set = l != NULL;
	if (l)
		in_force = *l;
}

const char *label_category(int category)
{
	if (category < 1 || category > CATEGORY_MAX)
		return builtin[0];
	/* A label left empty (a config that never set it) reads as built in. */
	if (in_force_set && in_force.category[category][0])
		return in_force.category[category];
	return builtin[category];
}

const char *label_agency(int agency)
{
	return agency >= 1 && agency <= AGENCY_MAX ? agencies[agency] : agencies[0];
}

const char *label_severity(int severity)
{
	return severity >= 1 && severity <= SEVERITY_MAX ? severities[severity] : severities[0];
}

void label_date(int64_t ms, char *buf, size_t len)
{
	static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t s = (time_t)(ms / 1000 - (ms % 1000 < 0));
	struct tm tm;
	if (!gmtime_r(&s, &tm) || tm.tm_mon < 0 || tm.tm_mon > 11) {
		snprintf(buf, len, "an unknown date");
		return;
	}
	snprintf(buf, len, "%d %s", tm.tm_mday, months[tm.tm_mon]);
}

const char *label_problem(const char *s)
{
	size_t n = strlen(s);
	if (n == 0)
		return "must not be empty";
	if (n >= LABEL_MAX)
		return "longer than 63 bytes";
	if (!validate_utf8(s, n))
		return "not UTF-8";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "holds a control character";
	return NULL;
}
