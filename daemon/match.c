/*
 * match.c - the possible-match policy: which pairs of named children an
 * operator should look at, and the sentence that says why.
 *
 * Pure: no store, no clock. Owns the kinds and their order of precedence;
 * finding candidates and recording pairs is match_index.c's, name folding
 * and postcode shape identity.c's.
 */
#include "match.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

/* Fold each part of a given name as written, split at spaces and
 * hyphens, and join them with one space ("Mia-Rose" -> "MIA ROSE"). A part
 * that folds to nothing ("Mia - Rose") is left out. Returns 0, or -1 when
 * the parts do not fit. */
static int given_parts(const char *given, char *out, size_t cap)
{
	size_t at = 0;
	out[0] = '\0';
	for (const char *p = given; *p;) {
		size_t n = strcspn(p, " \t-");
		char raw[CONCERN_FIELD_MAX + 1], folded[CONCERN_FIELD_MAX + 1];
		if (n >= sizeof raw)
			return -1;
		memcpy(raw, p, n);
		raw[n] = '\0';
		size_t flen = identity_fold_name(raw, folded, sizeof folded);
		if (flen >= sizeof folded || at + (at > 0) + flen >= cap)
			return -1;
		if (flen > 0) {
			if (at > 0)
				out[at++] = ' ';
			memcpy(out + at, folded, flen + 1);
			at += flen;
		}
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

int match_subject(const struct child_identity *id, struct match_subject *s)
{
	memset(s, 0, sizeof *s);
	size_t flen = identity_fold_name(id->family_name, s->family, sizeof s->family);
	size_t glen = identity_fold_name(id->given_name, s->given, sizeof s->given);
	const char *why;
	/* The date was validated on the way in; a stored identity read back
	 * is checked again rather than trusted to be ten bytes. */
	if (flen == 0 || flen >= sizeof s->family || glen == 0 || glen >= sizeof s->given ||
	    validate_date(id->date_of_birth, INT64_MAX, &why) < 0)
		return -1;
	memcpy(s->dob, id->date_of_birth, MATCH_DOB_LEN + 1);
	identity_postcode(id->postcode, s->postcode);
	return given_parts(id->given_name, s->parts, sizeof s->parts);
}

/* prefix name "|" dob into out: a key of every concern filed, so made
 * without printf. */
static int key_of(const char *prefix, const char *name, const char *dob, char out[MATCH_KEY_MAX])
{
	size_t p = strlen(prefix), n = strlen(name), d = strlen(dob);
	if (p + n + 1 + d >= MATCH_KEY_MAX)
		return -1;
	memcpy(out, prefix, p);
	memcpy(out + p, name, n);
	out[p + n] = '|';
	memcpy(out + p + n + 1, dob, d + 1);
	return 0;
}

int match_key(const char *family, const char *dob, char out[MATCH_KEY_MAX])
{
	return key_of("", family, dob, out);
}

int match_given_key(const char *given, const char *dob, char out[MATCH_KEY_MAX])
{
	return key_of(MATCH_GIVEN_PREFIX, given, dob, out);
}

/* 1 when `part` is one of the space-separated words of `parts`. */
static int has_part(const char *parts, const char *part)
{
	size_t n = strlen(part);
	for (const char *p = parts; *p;) {
		size_t len = strcspn(p, " ");
		if (len == n && memcmp(p, part, n) == 0)
			return 1;
		p += len;
		if (*p)
			p++;
	}
	return 0;
}

int match_given_part(const char *a_parts, const char *b_parts)
{
	int a_single = strchr(a_parts, ' ') == NULL, b_single = strchr(b_parts, ' ') == NULL;
	if (a_single == b_single || !a_parts[0] || !b_parts[0])
		return 0;
	return a_single ? has_part(b_parts, a_parts) : has_part(a_parts, b_parts);
}

int match_dob_transposed(const char *dob, char out[MATCH_DOB_LEN + 1])
{
	const char *why;
	out[0] = '\0';
	if (validate_date(dob, INT64_MAX, &why) < 0)
		return -1;
	/* YYYY-MM-DD: month at 5, day at 8. */
	if (dob[5] == dob[8] && dob[6] == dob[9])
		return -1; /* 2015-03-03: swapping changes nothing */
	char t[MATCH_DOB_LEN + 1];
	memcpy(t, dob, sizeof t);
	t[5] = dob[8];
	t[6] = dob[9];
	t[8] = dob[5];
	t[9] = dob[6];
	if (validate_date(t, INT64_MAX, &why) < 0)
		return -1;
	memcpy(out, t, sizeof t);
	return 0;
}

/* ---- names as characters ---- */

/* Folded names hold ASCII letters and digits and the UTF-8 of letters of
 * other scripts; a byte that is not UTF-8 stands for itself. Each
 * character becomes one number so an edit is counted per character. */
static size_t characters(const char *s, uint32_t *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (*p && n < cap) {
		size_t len = 1;
		if (p[0] >= 0xC2 && p[0] <= 0xDF)
			len = 2;
		else if (p[0] >= 0xE0 && p[0] <= 0xEF)
			len = 3;
		else if (p[0] >= 0xF0 && p[0] <= 0xF4)
			len = 4;
		for (size_t i = 1; i < len; i++)
			if ((p[i] & 0xC0) != 0x80)
				len = 1;
		uint32_t v = 0;
		for (size_t i = 0; i < len; i++)
			v = v << 8 | p[i];
		out[n++] = v;
		p += len;
	}
	return n;
}

static int same_run(const uint32_t *a, const uint32_t *b, size_t n)
{
	return n == 0 || memcmp(a, b, n * sizeof *a) == 0;
}

int match_one_edit(const char *a, const char *b)
{
	uint32_t x[CONCERN_FIELD_MAX + 1], y[CONCERN_FIELD_MAX + 1];
	size_t nx = characters(a, x, CONCERN_FIELD_MAX + 1);
	size_t ny = characters(b, y, CONCERN_FIELD_MAX + 1);
	if (nx < ny) {
		/* The longer one first: one deletion from it, or not at all. */
		return match_one_edit(b, a);
	}
	if (nx - ny > 1)
		return 0;
	size_t i = 0;
	while (i < ny && x[i] == y[i])
		i++;
	if (nx == ny) {
		if (i == nx)
			return 0; /* the same name: no edit */
		if (same_run(x + i + 1, y + i + 1, nx - i - 1))
			return 1; /* one character changed */
		return i + 1 < nx && x[i] == y[i + 1] && x[i + 1] == y[i] &&
		       same_run(x + i + 2, y + i + 2, nx - i - 2); /* neighbours swapped */
	}
	/* x is one longer: drop its character i. */
	return same_run(x + i + 1, y + i, ny - i);
}

static int characters_at_least(const char *s, size_t n)
{
	uint32_t x[CONCERN_FIELD_MAX + 1];
	return characters(s, x, CONCERN_FIELD_MAX + 1) >= n;
}

int match_initial(const char *a, const char *b)
{
	uint32_t x[CONCERN_FIELD_MAX + 1], y[CONCERN_FIELD_MAX + 1];
	size_t nx = characters(a, x, CONCERN_FIELD_MAX + 1);
	size_t ny = characters(b, y, CONCERN_FIELD_MAX + 1);
	if (nx > ny)
		return match_initial(b, a);
	return nx == 1 && ny > 1 && x[0] == y[0];
}

/* ---- the judgement ---- */

enum match_kind match_judge(const struct match_subject *a, const struct match_subject *b,
                            char *reason, size_t len)
{
	if (len)
		reason[0] = '\0';
	int same_given = strcmp(a->given, b->given) == 0;
	int same_dob = strcmp(a->dob, b->dob) == 0;
	int both_postcodes = a->postcode[0] && b->postcode[0];
	int postcode_differs = both_postcodes && strcmp(a->postcode, b->postcode) != 0;
	if (strcmp(a->family, b->family) != 0) {
		/* A family name alone changes when a child is known by either
		 * parent's: the postcode, on both sides, must vouch for the
		 * rest. */
		if (!same_given || !same_dob || !both_postcodes || postcode_differs)
			return MATCH_NONE;
		snprintf(reason, len,
		         "same given name %s, date of birth %s and postcode %s; family names %s "
		         "and %s differ",
		         a->given, a->dob, a->postcode, a->family, b->family);
		return MATCH_DIFFERENT_FAMILY_NAME;
	}
	/* "and postcode LS14AP" when both sides have the same one. */
	char where[POSTCODE_MAX + 16] = "";
	if (both_postcodes && !postcode_differs)
		snprintf(where, sizeof where, " and postcode %s", a->postcode);

	if (same_given && same_dob) {
		/* Without a postcode to disagree these would have been linked;
		 * with one they were not, and the child may have moved. */
		if (!postcode_differs)
			return MATCH_NONE;
		snprintf(reason, len,
		         "same names %s %s and date of birth %s; postcodes %s and %s differ",
		         a->given, a->family, a->dob, a->postcode, b->postcode);
		return MATCH_DIFFERENT_POSTCODE;
	}
	if (postcode_differs)
		return MATCH_NONE;
	if (same_dob) {
		if (match_initial(a->given, b->given)) {
			int a_short = strlen(a->given) < strlen(b->given);
			snprintf(reason, len,
			         "same family name %s, date of birth %s%s; given name %s is the "
			         "initial of %s",
			         a->family, a->dob, where, a_short ? a->given : b->given,
			         a_short ? b->given : a->given);
			return MATCH_GIVEN_NAME_INITIAL;
		}
		if (match_given_part(a->parts, b->parts)) {
			snprintf(reason, len,
			         "same family name %s, date of birth %s%s; given name %s is a part "
			         "of %s",
			         a->family, a->dob, where,
			         strchr(a->parts, ' ') ? b->parts : a->parts,
			         strchr(a->parts, ' ') ? a->parts : b->parts);
			return MATCH_GIVEN_NAME_PART;
		}
		/* Two different initials ("E" and "F") are one edit apart and
		 * say nothing: an edit counts between names of two or more. */
		if (match_one_edit(a->given, b->given) && characters_at_least(a->given, 2) &&
		    characters_at_least(b->given, 2)) {
			snprintf(
			    reason, len,
			    "same family name %s, date of birth %s%s; given names %s and %s are "
			    "one edit apart",
			    a->family, a->dob, where, a->given, b->given);
			return MATCH_GIVEN_NAME_ONE_EDIT;
		}
		return MATCH_NONE;
	}
	char swapped[MATCH_DOB_LEN + 1];
	if (same_given && match_dob_transposed(a->dob, swapped) == 0 &&
	    strcmp(swapped, b->dob) == 0) {
		snprintf(reason, len,
		         "same names %s %s%s; dates of birth %s and %s have day and month swapped",
		         a->given, a->family, where, a->dob, b->dob);
		return MATCH_DATE_OF_BIRTH_TRANSPOSED;
	}
	return MATCH_NONE;
}

const char *match_kind_name(enum match_kind k)
{
	switch (k) {
	case MATCH_DIFFERENT_POSTCODE:
		return "DIFFERENT_POSTCODE";
	case MATCH_GIVEN_NAME_ONE_EDIT:
		return "GIVEN_NAME_ONE_EDIT";
	case MATCH_GIVEN_NAME_INITIAL:
		return "GIVEN_NAME_INITIAL";
	case MATCH_DATE_OF_BIRTH_TRANSPOSED:
		return "DATE_OF_BIRTH_TRANSPOSED";
	case MATCH_GIVEN_NAME_PART:
		return "GIVEN_NAME_PART";
	case MATCH_DIFFERENT_FAMILY_NAME:
		return "DIFFERENT_FAMILY_NAME";
	case MATCH_NONE:
	default:
		return "?";
	}
}
