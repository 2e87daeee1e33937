/*
 * Unit tests for match.c: each kind of possible match with its reason,
 * the near misses that must not match (two edits apart, another family
 * name, another date of birth, a second difference), parts of double
 * given names, another family name with the postcode, one edit counted in
 * characters, initials, and dates with day and month swapped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first. */
#include <cmocka.h>

#include <string.h>

#include "match.h"

static struct match_subject subject(const char *given, const char *family, const char *dob,
                                    const char *postcode)
{
	struct child_identity id = {"", "", "", given, family, dob, postcode};
	struct match_subject s;
	assert_int_equal(match_subject(&id, &s), 0);
	return s;
}

static enum match_kind judge(struct match_subject a, struct match_subject b)
{
	char reason[MATCH_REASON_MAX], back[MATCH_REASON_MAX];
	enum match_kind k = match_judge(&a, &b, reason, sizeof reason);
	/* Symmetric: the kind does not depend on which side comes first. */
	assert_int_equal(match_judge(&b, &a, back, sizeof back), k);
	if (k == MATCH_NONE)
		assert_string_equal(reason, "");
	else
		assert_true(strlen(reason) > 0);
	return k;
}

static void test_subject(void **state)
{
	(void)state;
	struct match_subject s = subject("Zo\xc3\xab", "O'Brien-Smith", "2015-03-02", "ls1 4ap");
	assert_string_equal(s.given, "ZOE");
	assert_string_equal(s.family, "OBRIENSMITH");
	assert_string_equal(s.dob, "2015-03-02");
	assert_string_equal(s.postcode, "LS14AP");
	/* A postcode that is not UK-shaped is no postcode to compare. */
	s = subject("Zoe", "Smith", "2015-03-02", "not known");
	assert_string_equal(s.postcode, "");

	struct child_identity id = {"", "", "", "Ella", "Smith", "2015-03-02", ""};
	id.given_name = "";
	assert_int_equal(match_subject(&id, &s), -1); /* no given name */
	id.given_name = "-";
	assert_int_equal(match_subject(&id, &s), -1); /* folds to nothing */
	id.given_name = "Ella";
	id.family_name = "";
	assert_int_equal(match_subject(&id, &s), -1);
	id.family_name = "Smith";
	id.date_of_birth = "";
	assert_int_equal(match_subject(&id, &s), -1);
	id.date_of_birth = "2015-02-30";
	assert_int_equal(match_subject(&id, &s), -1);

	char key[MATCH_KEY_MAX];
	assert_int_equal(match_key("SMITH", "2015-03-02", key), 0);
	assert_string_equal(key, "SMITH|2015-03-02");
	/* The longest folded name fits, with the given-name prefix too; a
	 * longer one does not. */
	char name[CONCERN_FIELD_MAX + 2];
	memset(name, 'A', CONCERN_FIELD_MAX);
	name[CONCERN_FIELD_MAX] = '\0';
	assert_int_equal(match_given_key(name, "2015-03-02", key), 0);
	assert_int_equal(strlen(key), sizeof MATCH_GIVEN_PREFIX - 1 + CONCERN_FIELD_MAX + 11);
	name[CONCERN_FIELD_MAX] = 'A';
	name[CONCERN_FIELD_MAX + 1] = '\0';
	assert_int_equal(match_key(name, "2015-03-02", key), 0);
	assert_int_equal(match_given_key(name, "2015-03-02", key), -1);
}

static void test_different_postcode(void **state)
{
	(void)state;
	struct match_subject a = subject("Amy", "Jones", "2015-01-01", "LS6 2AB");
	struct match_subject b = subject("AMY", "jones", "2015-01-01", "m1 1aa");
	char reason[MATCH_REASON_MAX];
	assert_int_equal(match_judge(&a, &b, reason, sizeof reason), MATCH_DIFFERENT_POSTCODE);
	assert_string_equal(reason, "same names AMY JONES and date of birth 2015-01-01; postcodes "
	                            "LS62AB and M11AA differ");
	/* Same postcode, or one side without: a link, not a possible match. */
	assert_int_equal(judge(a, subject("Amy", "Jones", "2015-01-01", "LS62AB")), MATCH_NONE);
	assert_int_equal(judge(a, subject("Amy", "Jones", "2015-01-01", "")), MATCH_NONE);
	assert_int_equal(judge(a, subject("Amy", "Jones", "2015-01-01", "nowhere")), MATCH_NONE);
}

static void test_given_name_one_edit(void **state)
{
	(void)state;
	struct match_subject ella = subject("Ella", "Brown", "2016-04-12", "LS1 4AP");
	char reason[MATCH_REASON_MAX];
	struct match_subject ela = subject("Ela", "Brown", "2016-04-12", "LS14AP");
	assert_int_equal(match_judge(&ella, &ela, reason, sizeof reason),
	                 MATCH_GIVEN_NAME_ONE_EDIT);
	assert_string_equal(reason, "same family name BROWN, date of birth 2016-04-12 and postcode "
	                            "LS14AP; given names ELLA and ELA are one edit apart");
	assert_int_equal(judge(ella, subject("Elle", "Brown", "2016-04-12", "LS14AP")),
	                 MATCH_GIVEN_NAME_ONE_EDIT); /* changed */
	assert_int_equal(judge(ella, subject("Ellla", "Brown", "2016-04-12", "")),
	                 MATCH_GIVEN_NAME_ONE_EDIT); /* inserted; no postcode to disagree */
	assert_int_equal(judge(ella, subject("Elal", "Brown", "2016-04-12", "LS14AP")),
	                 MATCH_GIVEN_NAME_ONE_EDIT); /* neighbours swapped */
	assert_int_equal(judge(ella, subject("\xc3\x89lla", "Brown", "2016-04-12", "")),
	                 MATCH_NONE);
	/* Near misses: two edits, another family name, another date, and
	 * one edit with a second difference (the postcode). */
	assert_int_equal(judge(ella, subject("Elena", "Brown", "2016-04-12", "LS14AP")),
	                 MATCH_NONE);
	assert_int_equal(judge(ella, subject("Al", "Brown", "2016-04-12", "LS14AP")), MATCH_NONE);
	assert_int_equal(judge(ella, subject("Ela", "Browne", "2016-04-12", "LS14AP")), MATCH_NONE);
	assert_int_equal(judge(ella, subject("Ela", "Brown", "2016-04-13", "LS14AP")), MATCH_NONE);
	assert_int_equal(judge(ella, subject("Ela", "Brown", "2016-04-12", "M1 1AA")), MATCH_NONE);
	/* Two different initials say nothing. */
	assert_int_equal(
	    judge(subject("E", "Brown", "2016-04-12", ""), subject("F", "Brown", "2016-04-12", "")),
	    MATCH_NONE);
}

static void test_given_name_initial(void **state)
{
	(void)state;
	struct match_subject zoe = subject("Zo\xc3\xab", "O'Brien", "2014-01-05", "");
	struct match_subject z = subject("Z.", "OBRIEN", "2014-01-05", "LS2 9JT");
	char reason[MATCH_REASON_MAX];
	assert_int_equal(match_judge(&z, &zoe, reason, sizeof reason), MATCH_GIVEN_NAME_INITIAL);
	assert_string_equal(reason, "same family name OBRIEN, date of birth 2014-01-05; given name "
	                            "Z is the initial of ZOE");
	assert_int_equal(judge(zoe, z), MATCH_GIVEN_NAME_INITIAL);
	/* "Z" and "ZO" are one edit apart too: the initial says more. */
	assert_int_equal(judge(z, subject("Zo", "OBrien", "2014-01-05", "")),
	                 MATCH_GIVEN_NAME_INITIAL);
	assert_int_equal(judge(z, subject("Amy", "OBrien", "2014-01-05", "")), MATCH_NONE);
	assert_int_equal(judge(z, subject("Zoe", "OBrien", "2014-01-06", "")), MATCH_NONE);
	assert_int_equal(judge(z, subject("Zoe", "OBrien", "2014-01-05", "M1 1AA")), MATCH_NONE);
	assert_true(match_initial("E", "ELLA"));
	assert_true(match_initial("ELLA", "E"));
	assert_false(match_initial("E", "E"));
	assert_false(match_initial("EL", "ELLA"));
	assert_false(match_initial("F", "ELLA"));
	/* A letter of another script is one character, not two bytes. */
	assert_true(match_initial("\xd0\x98", "\xd0\x98\xd0\x92\xd0\x90\xd0\x9d"));
}

static void test_date_of_birth_transposed(void **state)
{
	(void)state;
	struct match_subject a = subject("Kai", "Patel", "2015-03-02", "");
	struct match_subject b = subject("KAI", "patel", "2015-02-03", "");
	char reason[MATCH_REASON_MAX];
	assert_int_equal(match_judge(&a, &b, reason, sizeof reason),
	                 MATCH_DATE_OF_BIRTH_TRANSPOSED);
	assert_string_equal(reason, "same names KAI PATEL; dates of birth 2015-03-02 and "
	                            "2015-02-03 have day and month swapped");
	assert_int_equal(judge(a, subject("Kai", "Patel", "2015-02-04", "")), MATCH_NONE);
	assert_int_equal(judge(a, subject("Kay", "Patel", "2015-02-03", "")), MATCH_NONE);
	assert_int_equal(judge(a, subject("Kai", "Patil", "2015-02-03", "")), MATCH_NONE);
	assert_int_equal(judge(subject("Kai", "Patel", "2015-03-02", "LS1 4AP"),
	                       subject("Kai", "Patel", "2015-02-03", "M1 1AA")),
	                 MATCH_NONE);

	char out[MATCH_DOB_LEN + 1];
	assert_int_equal(match_dob_transposed("2015-03-02", out), 0);
	assert_string_equal(out, "2015-02-03");
	assert_int_equal(match_dob_transposed("2015-12-11", out), 0);
	assert_string_equal(out, "2015-11-12");
	assert_int_equal(match_dob_transposed("2015-03-03", out), -1); /* no change */
	assert_string_equal(out, "");
	assert_int_equal(match_dob_transposed("2015-03-13", out), -1); /* no month 13 */
	assert_int_equal(match_dob_transposed("2015-02-30", out), -1); /* not a date */
	assert_int_equal(match_dob_transposed("2015-04-31", out), -1);
	assert_int_equal(match_dob_transposed("2016-01-30", out), -1); /* 30 February */
	assert_int_equal(match_dob_transposed("201", out), -1);
}

static void test_one_edit(void **state)
{
	(void)state;
	assert_true(match_one_edit("ELLA", "ELA"));
	assert_true(match_one_edit("ELA", "ELLA"));
	assert_true(match_one_edit("ELLA", "ELLE"));
	assert_true(match_one_edit("ELLA", "XELLA"));
	assert_true(match_one_edit("ELLA", "ELLAX"));
	assert_true(match_one_edit("JOHN", "JHON"));
	assert_true(match_one_edit("JOHN", "JOHM"));
	assert_true(match_one_edit("A", ""));
	assert_false(match_one_edit("ELLA", "ELLA"));
	assert_false(match_one_edit("", ""));
	assert_false(match_one_edit("ELLA", "ELENA"));
	assert_false(match_one_edit("ELLA", "AELL"));
	assert_false(match_one_edit("JOHN", "HOJN"));
	assert_false(match_one_edit("ELLA", "EL"));
	assert_false(match_one_edit("ABCD", "BADC")); /* two swaps */
	/* Counted in characters: one Cyrillic letter changed is one edit
	 * (ИВАН ~ ИВОН), though it changes two bytes. */
	assert_true(
	    match_one_edit("\xd0\x98\xd0\x92\xd0\x90\xd0\x9d", "\xd0\x98\xd0\x92\xd0\x9e\xd0\x9d"));
	assert_true(match_one_edit("\xd0\x98\xd0\x92\xd0\x90\xd0\x9d", "\xd0\x98\xd0\x92\xd0\x9d"));
	assert_false(match_one_edit("\xd0\x98\xd0\x92\xd0\x90\xd0\x9d", "\xd0\x98\xd0\x9d"));
	/* A byte that is not UTF-8 stands for itself. */
	assert_true(match_one_edit("ZO\xeb", "ZOE"));
}

/* Optimal string alignment distance (edits: insert, delete, change, swap
 * neighbours), by the textbook table: the oracle for match_one_edit. */
static size_t osa(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), d[9][9];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[n][m];
}

/* A name of 0 to 6 letters from A, B and C (so that edits collide often). */
static void random_name(uint32_t *seed, char s[9])
{
	*seed = *seed * 1103515245u + 12345u;
	size_t len = (*seed >> 16) % 7;
	for (size_t i = 0; i < len; i++) {
		*seed = *seed * 1103515245u + 12345u;
		s[i] = (char)('A' + (*seed >> 16) % 3);
	}
	s[len] = '\0';
}

/* Many pairs of short names: one edit exactly when the oracle says the
 * distance is 1. */
static void test_one_edit_against_oracle(void **state)
{
	(void)state;
	uint32_t seed = 20261124;
	for (int k = 0; k < 200000; k++) {
		char a[9], b[9];
		random_name(&seed, a);
		random_name(&seed, b);
		/* Half the time, b is a one-letter change of a (or a itself). */
		if (k % 2 && strlen(a) > 0) {
			memcpy(b, a, sizeof a);
			b[(seed >> 8) % strlen(a)] = (char)('A' + (seed >> 4) % 3);
		}
		assert_int_equal(match_one_edit(a, b), osa(a, b) == 1);
	}
}

/* "Mia" and "Mia-Rose", "Mary" and "Mary Jane": one given name a part of
 * the other's double name. */
static void test_given_name_part(void **state)
{
	(void)state;
	struct match_subject mia = subject("Mia", "Carter", "2017-05-09", "LS6 2AB");
	struct match_subject rose = subject("Mia-Rose", "Carter", "2017-05-09", "LS62AB");
	assert_string_equal(rose.given, "MIAROSE");
	assert_string_equal(rose.parts, "MIA ROSE");
	assert_string_equal(mia.parts, "MIA");
	assert_int_equal(judge(mia, rose), MATCH_GIVEN_NAME_PART);
	char reason[MATCH_REASON_MAX];
	match_judge(&rose, &mia, reason, sizeof reason);
	assert_string_equal(reason,
	                    "same family name CARTER, date of birth 2017-05-09 and postcode "
	                    "LS62AB; given name MIA is a part of MIA ROSE");
	/* The second part, a space, several separators, no postcode. */
	assert_int_equal(judge(subject("Rose", "Carter", "2017-05-09", ""), rose),
	                 MATCH_GIVEN_NAME_PART);
	assert_int_equal(judge(subject("Mary Jane", "Smith", "2012-01-30", ""),
	                       subject("Mary", "Smith", "2012-01-30", "")),
	                 MATCH_GIVEN_NAME_PART);
	struct match_subject spaced = subject(" Mary -  Jane ", "Smith", "2012-01-30", "");
	assert_string_equal(spaced.parts, "MARY JANE");
	assert_int_equal(judge(spaced, subject("Jane", "Smith", "2012-01-30", "")),
	                 MATCH_GIVEN_NAME_PART);
	/* Near misses: another family name, another date, another postcode,
	 * a part that is only the start of a part, two double names sharing a
	 * part, and the same name written with and without its hyphen. */
	assert_int_equal(judge(subject("Mia", "Reid", "2017-05-09", "LS62AB"), rose), MATCH_NONE);
	assert_int_equal(judge(subject("Mia", "Carter", "2017-05-10", "LS62AB"), rose), MATCH_NONE);
	assert_int_equal(judge(subject("Mia", "Carter", "2017-05-09", "M1 1AA"), rose), MATCH_NONE);
	assert_int_equal(judge(subject("Ros", "Carter", "2017-05-09", "LS62AB"), rose), MATCH_NONE);
	assert_int_equal(judge(subject("Mia-Jane", "Carter", "2017-05-09", "LS62AB"), rose),
	                 MATCH_NONE);
	assert_int_equal(judge(subject("Miarose", "Carter", "2017-05-09", "LS62AB"), rose),
	                 MATCH_NONE);
	assert_int_equal(match_given_part("MIA", "MIA"), 0);
	assert_int_equal(match_given_part("", "MIA ROSE"), 0);
}

/* "Jayden Reid" and "Jayden Carter": a child known by another surname. */
static void test_different_family_name(void **state)
{
	(void)state;
	struct match_subject reid = subject("Jayden", "Reid", "2023-02-14", "LS6 2AB");
	struct match_subject carter = subject("Jayden", "Carter", "2023-02-14", "ls62ab");
	assert_int_equal(judge(reid, carter), MATCH_DIFFERENT_FAMILY_NAME);
	char reason[MATCH_REASON_MAX];
	match_judge(&reid, &carter, reason, sizeof reason);
	assert_string_equal(reason, "same given name JAYDEN, date of birth 2023-02-14 and postcode "
	                            "LS62AB; family names REID and CARTER differ");
	/* Near misses: the postcode absent on either side or different,
	 * another date, another given name (even one edit away). */
	assert_int_equal(judge(subject("Jayden", "Reid", "2023-02-14", ""), carter), MATCH_NONE);
	assert_int_equal(judge(reid, subject("Jayden", "Carter", "2023-02-14", "")), MATCH_NONE);
	assert_int_equal(judge(reid, subject("Jayden", "Carter", "2023-02-14", "M1 1AA")),
	                 MATCH_NONE);
	assert_int_equal(judge(reid, subject("Jayden", "Carter", "2023-02-15", "LS62AB")),
	                 MATCH_NONE);
	assert_int_equal(judge(reid, subject("Jaden", "Carter", "2023-02-14", "LS62AB")),
	                 MATCH_NONE);
	assert_int_equal(judge(reid, subject("Jayden-Lee", "Carter", "2023-02-14", "LS62AB")),
	                 MATCH_NONE);

	char key[MATCH_KEY_MAX];
	assert_int_equal(match_given_key("JAYDEN", "2023-02-14", key), 0);
	assert_string_equal(key, "given:JAYDEN|2023-02-14");
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(match_kind_name(MATCH_DIFFERENT_POSTCODE), "DIFFERENT_POSTCODE");
	assert_string_equal(match_kind_name(MATCH_GIVEN_NAME_ONE_EDIT), "GIVEN_NAME_ONE_EDIT");
	assert_string_equal(match_kind_name(MATCH_GIVEN_NAME_INITIAL), "GIVEN_NAME_INITIAL");
	assert_string_equal(match_kind_name(MATCH_DATE_OF_BIRTH_TRANSPOSED),
	                    "DATE_OF_BIRTH_TRANSPOSED");
	assert_string_equal(match_kind_name(MATCH_GIVEN_NAME_PART), "GIVEN_NAME_PART");
	assert_string_equal(match_kind_name(MATCH_DIFFERENT_FAMILY_NAME), "DIFFERENT_FAMILY_NAME");
	assert_string_equal(match_kind_name(MATCH_NONE), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_subject),
	    cmocka_unit_test(test_different_postcode),
	    cmocka_unit_test(test_given_name_one_edit),
	    cmocka_unit_test(test_given_name_initial),
	    cmocka_unit_test(test_date_of_birth_transposed),
	    cmocka_unit_test(test_given_name_part),
	    cmocka_unit_test(test_different_family_name),
	    cmocka_unit_test(test_one_edit),
	    cmocka_unit_test(test_one_edit_against_oracle),
	    cmocka_unit_test(test_kind_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
