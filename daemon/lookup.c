/*
 * lookup.c - a lookup request's fields checked (see lookup.h). Owns the
 * rules for what a point of contact sends; nothing else. Pure.
 */
#include "lookup.h"

#include <stdio.h>
#include <string.h>

#include "validate.h"

/* Text a person reads in an audit entry and on a console: UTF-8, no
 * control characters, not too long. NULL when fine. */
static const char *text_rule(const char *s)
{
	size_t n = strlen(s);
	if (n > LOOKUP_TEXT_MAX)
		return "longer than 128 bytes";
	if (!validate_utf8(s, n))
		return "not valid UTF-8";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "contains a control character";
	return NULL;
}

int lookup_check(const char *nhs_number, const char *upn, const char *setting, const char *asked_by,
                 struct child_identity *named, char norm[14], char *err, size_t errlen)
{
	static const struct child_identity none = {"", "", "", "", "", "", ""};
	const char *why;
	*named = none;
	if (nhs_number[0] && upn[0]) {
		snprintf(err, errlen, "lookup: give nhs_number or upn, not both");
		return -1;
	}
	if (!nhs_number[0] && !upn[0]) {
		snprintf(err, errlen, "lookup: give the child's nhs_number or upn");
		return -1;
	}
	if (nhs_number[0] && validate_nhs_number(nhs_number, norm, &why) < 0) {
		snprintf(err, errlen, "lookup.nhs_number: %s", why);
		return -1;
	}
	if (upn[0] && validate_upn(upn, norm, &why) < 0) {
		snprintf(err, errlen, "lookup.upn: %s", why);
		return -1;
	}
	if (!setting[0]) {
		snprintf(
		    err, errlen,
		    "lookup.setting: required (where the child is, e.g. \"City Hospital ED\")");
		return -1;
	}
	if ((why = text_rule(setting))) {
		snprintf(err, errlen, "lookup.setting: %s", why);
		return -1;
	}
	if ((why = text_rule(asked_by))) {
		snprintf(err, errlen, "lookup.asked_by: %s", why);
		return -1;
	}
	if (nhs_number[0])
		named->nhs_number = norm;
	else
		named->upn = norm;
	return 0;
}
