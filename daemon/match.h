/*
 * match.h - possible matches: could two named children be one child, of
 * which kind, and why. Pure functions over folded names, dates and
 * postcodes; finding the candidates in the store and recording a pair is
 * match_index.c's.
 *
 * A possible match is never linked: children move, clerks misspell names
 * and write dates the American way, and each of those is exactly when a
 * child's history is split between two records, but only an operator can
 * tell a misspelling from a twin. The kinds (PossibleMatch.Kind):
 *
 *   DIFFERENT_POSTCODE        same names and date of birth; both sides
 *                             have a postcode and they differ
 *   GIVEN_NAME_ONE_EDIT       same family name and date of birth, given
 *                             names one edit apart (a letter inserted,
 *                             removed, changed, or two neighbours swapped)
 *   GIVEN_NAME_INITIAL        same family name and date of birth, one given
 *                             name is the other's initial
 *   DATE_OF_BIRTH_TRANSPOSED  same names, day and month of the date of
 *                             birth swapped
 *   GIVEN_NAME_PART           same family name and date of birth, one
 *                             given name is a part of the other's double
 *                             or hyphenated name ("Mia" and "Mia-Rose",
 *                             "Mary" and "Mary Jane")
 *   DIFFERENT_FAMILY_NAME     same given name, date of birth and postcode
 *                             (both sides must have one), different family
 *                             names: a child known by a parent's surname
 *                             to one agency and another's to the next
 *
 * Every kind but the first also needs the postcodes to agree where both
 * sides have one: two differences at once are too far apart to list.
 * Names are compared folded (identity_fold_name), postcodes normalised.
 */
#ifndef FFC_MATCH_H
#define FFC_MATCH_H

#include <stddef.h>

#include "concern.h"
#include "identity.h"

/* The values of ffc.v1.PossibleMatch.Kind. */
enum match_kind {
	MATCH_NONE = 0,
	MATCH_DIFFERENT_POSTCODE = 1,
	MATCH_GIVEN_NAME_ONE_EDIT = 2,
	MATCH_GIVEN_NAME_INITIAL = 3,
	MATCH_DATE_OF_BIRTH_TRANSPOSED = 4,
	MATCH_GIVEN_NAME_PART = 5,
	MATCH_DIFFERENT_FAMILY_NAME = 6,
};

#define MATCH_DOB_LEN    10 /* YYYY-MM-DD */
#define MATCH_REASON_MAX (4 * CONCERN_FIELD_MAX + 160)
/* "FAMILY|YYYY-MM-DD" or "given:GIVEN|YYYY-MM-DD", the index keys of a
 * subject. */
#define MATCH_GIVEN_PREFIX "given:"
#define MATCH_KEY_MAX      (sizeof MATCH_GIVEN_PREFIX - 1 + CONCERN_FIELD_MAX + 1 + MATCH_DOB_LEN + 1)

/* What matching compares of one named child. */
struct match_subject {
	char family[CONCERN_FIELD_MAX + 1]; /* folded */
	char given[CONCERN_FIELD_MAX + 1];  /* folded */
	/* The parts of the given name as written ("Mia-Rose", "Mary Jane"),
	 * each folded, joined by one space: "MIA ROSE"; the same as given
	 * when the name has one part. given is parts without the spaces. */
	char parts[CONCERN_FIELD_MAX + 1];
	char dob[MATCH_DOB_LEN + 1];
	char postcode[POSTCODE_MAX]; /* normalised; "" when absent or malformed */
};

/* Fill s from an identity. Returns 0, or -1 when the identity lacks what
 * matching needs (a family name, a given name and a date of birth), or a
 * name folds to nothing or to more than fits. */
int match_subject(const struct child_identity *id, struct match_subject *s);

/* The index key of a family name (folded) and a date of birth. Returns 0,
 * or -1 when it does not fit. */
int match_key(const char *family, const char *dob, char out[MATCH_KEY_MAX]);

/* The key of the second index, by folded given name and date of birth
 * ("given:MIA|2015-03-02"), which finds the same child under another
 * family name. Folded names hold no lower-case ASCII and no '|', so it
 * never equals a family key. Returns 0, or -1 when it does not fit. */
int match_given_key(const char *given, const char *dob, char out[MATCH_KEY_MAX]);

/* 1 when one of the folded given names has a single part and it is a
 * part of the other's, which has two or more (parts as in struct
 * match_subject: "MIA" and "MIA ROSE"). */
int match_given_part(const char *a_parts, const char *b_parts);

/* The date with day and month swapped when that is another real date
 * ("2015-03-02" -> "2015-02-03"): 0, else -1 ("2015-03-03", "2015-03-13"). */
int match_dob_transposed(const char *dob, char out[MATCH_DOB_LEN + 1]);

/* 1 when folded names a and b are exactly one edit apart, counted in
 * characters, not bytes: one inserted, removed or changed, or two
 * neighbours swapped ("ELLA" ~ "ELA", "ELLA" ~ "ELLE", "JOHN" ~ "JHON"). */
int match_one_edit(const char *a, const char *b);

/* 1 when one folded given name is a single character and the other starts
 * with it and is longer ("E" and "ELLA"). */
int match_initial(const char *a, const char *b);

/* Could a and b be one child? The kind (MATCH_NONE when not), with one
 * sentence for an operator in reason (cut to len, terminated; not
 * meaningful for MATCH_NONE) saying what is alike and what differs.
 * Cannot fail. */
enum match_kind match_judge(const struct match_subject *a, const struct match_subject *b,
                            char *reason, size_t len);

/* "DIFFERENT_POSTCODE", ... as in the proto; "?" for others. Static. */
const char *match_kind_name(enum match_kind k);

#endif
