/*
 * Unit tests for identity.c: name folding (case, accents, spaces,
 * punctuation), postcode normalisation and shape, and the store keys a
 * child yields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first. */
#include <cmocka.h>

#include <string.h>

#include "identity.h"

static const char *fold(const char *in)
{
	static char out[IDENTITY_KEY_MAX];
	size_t n = identity_fold_name(in, out, sizeof out);
	assert_int_equal(n, strlen(out));
	return out;
}

static void test_fold_case_space_punctuation(void **state)
{
	(void)state;
	assert_string_equal(fold("Smith"), "SMITH");
	assert_string_equal(fold("smith"), "SMITH");
	assert_string_equal(fold("O'Brien"), "OBRIEN");
	assert_string_equal(fold("Smith-Jones"), "SMITHJONES");
	assert_string_equal(fold("Smith Jones"), "SMITHJONES");
	assert_string_equal(fold("  smith   jones  "), "SMITHJONES");
	assert_string_equal(fold("St. John-Smythe, Jr."), "STJOHNSMYTHEJR");
	assert_string_equal(fold("Mary\tAnn"), "MARYANN");
	assert_string_equal(fold("Henry 8th"), "HENRY8TH");
	assert_string_equal(fold(""), "");
	assert_string_equal(fold("'- ."), "");
	/* Every ASCII punctuation character goes. */
	assert_string_equal(fold("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"), "");
}

static void test_fold_unicode_punctuation(void **state)
{
	(void)state;
	assert_string_equal(fold("O\xe2\x80\x99"
	                         "Brien"),
	                    "OBRIEN"); /* U+2019 right single quote */
	assert_string_equal(fold("O\xca\xbc"
	                         "Brien"),
	                    "OBRIEN"); /* U+02BC modifier apostrophe */
	assert_string_equal(fold("Smith\xe2\x80\x90Jones"), "SMITHJONES"); /* U+2010 hyphen */
	assert_string_equal(fold("Smith\xe2\x80\x93Jones"), "SMITHJONES"); /* U+2013 en dash */
	assert_string_equal(fold("Smith\xe2\x80\x94Jones"), "SMITHJONES"); /* U+2014 em dash */
	assert_string_equal(fold("Mary\xc2\xa0"
	                         "Ann"),
	                    "MARYANN");                          /* U+00A0 no-break space */
	assert_string_equal(fold("\xef\xbb\xbfSmith"), "SMITH"); /* BOM */
	assert_string_equal(fold("Smith\xe3\x80\x80Jones"), "SMITHJONES"); /* U+3000 */
}

static void test_fold_accents(void **state)
{
	(void)state;
	assert_string_equal(fold("Zo\xc3\xab"), "ZOE");           /* precomposed e-diaeresis */
	assert_string_equal(fold("Zoe\xcc\x88"), "ZOE");          /* e + combining diaeresis */
	assert_string_equal(fold("ZO\xc3\x8b"), "ZOE");           /* capital E-diaeresis */
	assert_string_equal(fold("Ren\xc3\xa9"), "RENE");         /* e-acute */
	assert_string_equal(fold("Fran\xc3\xa7ois"), "FRANCOIS"); /* c-cedilla */
	assert_string_equal(fold("Stra\xc3\x9f"
	                         "e"),
	                    "STRASSE");                              /* sharp s */
	assert_string_equal(fold("\xc3\x86sa"), "AESA");             /* AE ligature */
	assert_string_equal(fold("\xc3\x98yvind"), "OYVIND");        /* O-stroke */
	assert_string_equal(fold("\xc3\xb8"), "O");                  /* o-stroke */
	assert_string_equal(fold("\xc5\x81ukasz"), "LUKASZ");        /* L-stroke */
	assert_string_equal(fold("Dvo\xc5\x99\xc3\xa1k"), "DVORAK"); /* r-caron, a-acute */
	assert_string_equal(fold("\xc5\x92uvre"), "OEUVRE");         /* OE ligature */
	assert_string_equal(fold("\xc3\x9eor"), "THOR");             /* thorn */
	assert_string_equal(fold("Gu\xc3\xb0r\xc3\xban"), "GUDRUN"); /* eth, u-acute */
	assert_string_equal(fold("\xc4\xb0stanbul"), "ISTANBUL");    /* I-dot */
	assert_string_equal(fold("Y\xc4\xb1lmaz"), "YILMAZ");        /* dotless i */
	assert_string_equal(fold("\xc3\xbf"), "Y");                  /* y-diaeresis */
	assert_string_equal(fold("\xc5\xbd\xc5\xbe"), "ZZ");         /* Z-caron */
	assert_string_equal(fold("Bront\xc3\xab"), "BRONTE");
	/* The header's own example. */
	assert_string_equal(fold("Zo\xc3\xab O'Brien-Smith"), "ZOEOBRIENSMITH");
}

static void test_fold_other_scripts(void **state)
{
	(void)state;
	/* Cyrillic and Greek compare case-insensitively: upper case. */
	assert_string_equal(fold("\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd"), /* Иван */
	                    "\xd0\x98\xd0\x92\xd0\x90\xd0\x9d");      /* ИВАН */
	assert_string_equal(fold("\xd1\x91"), "\xd0\x81");            /* ё -> Ё */
	assert_string_equal(fold("\xce\xac\xce\xbb\xcf\x82"),         /* άλς */
	                    "\xce\x91\xce\x9b\xce\xa3");              /* ΑΛΣ */
	/* Latin Extended Additional and -B fold to their base letters. */
	assert_string_equal(fold("Nguy\xe1\xbb\x85n"), "NGUYEN");
	assert_string_equal(fold("\xe1\xba\x9e\xc6\x80"), "SSB"); /* capital sharp s, b stroke */
	assert_string_equal(fold("\xc2\xb5"), "\xc2\xb5");        /* micro sign is a letter */
	/* DZ, LJ and NJ as one code point, in every case, are two letters. */
	assert_string_equal(fold("\xc7\x84\xc7\x85\xc7\x86"), "DZDZDZ");
	assert_string_equal(fold("\xc7\x88ubica \xc7\x8b"
	                         "ego\xc5\xa1"),
	                    "LJUBICANJEGOS");
	assert_string_equal(fold("\xc7\xb2"), "DZ");
	/* Cyrillic beyond Russian: the U+04C1 block and the Supplement. */
	assert_string_equal(fold("\xd3\x82"), "\xd3\x81"); /* zhe with breve */
	assert_string_equal(fold("\xd3\x8f"), "\xd3\x80"); /* palochka */
	assert_string_equal(fold("\xd4\x81"), "\xd4\x80"); /* Komi de */
	assert_string_equal(fold("\xd2\x91"), "\xd2\x90"); /* ghe with upturn */
	/* Archaic Greek and Armenian. */
	assert_string_equal(fold("\xcf\x9d"), "\xcf\x9c");                 /* digamma */
	assert_string_equal(fold("\xcf\xbb"), "\xcf\xba");                 /* san */
	assert_string_equal(fold("\xd5\xa1\xd6\x80"), "\xd4\xb1\xd5\x90"); /* ar -> AR */
	/* Upper case stays as it is. */
	assert_string_equal(fold("\xd3\x81\xce\xa3\xd4\xb1"), "\xd3\x81\xce\xa3\xd4\xb1");
	/* Multiplication and division signs are not letters. */
	assert_string_equal(fold("A\xc3\x97"
	                         "B\xc3\xb7"
	                         "C"),
	                    "ABC");
	/* A byte that is not UTF-8 is kept rather than lost. */
	assert_string_equal(fold("Zo\xeb"), "ZO\xeb");
}

static void test_fold_bounded(void **state)
{
	(void)state;
	char out[8];
	memset(out, '#', sizeof out);
	/* Cut at the buffer, returning the whole length (as snprintf). */
	assert_int_equal(identity_fold_name("Zo\xc3\xab Smith", out, 4), 8);
	assert_string_equal(out, "ZOE");
	assert_int_equal(out[4], '#');
	/* Never inside a character: the Cyrillic letter would need 2 bytes. */
	assert_int_equal(identity_fold_name("AB\xd0\x98Z", out, 4), 5);
	assert_string_equal(out, "AB");
	/* Nor past a piece that did not fit, even if a later one would. */
	assert_int_equal(identity_fold_name("A\xc3\x86Z", out, 3), 4);
	assert_string_equal(out, "A");
	/* Room for the terminator only. */
	assert_int_equal(identity_fold_name("Smith", out, 1), 5);
	assert_string_equal(out, "");
	/* No room at all: nothing written. */
	memset(out, '#', sizeof out);
	assert_int_equal(identity_fold_name("Smith", out, 0), 5);
	assert_int_equal(out[0], '#');
	/* Exactly fits. */
	assert_int_equal(identity_fold_name("Smith-Jo", out, sizeof out), 7);
	assert_string_equal(out, "SMITHJO");
}

static const char *postcode(const char *in)
{
	static char out[POSTCODE_MAX];
	memset(out, '#', sizeof out);
	if (identity_postcode(in, out) != 0) {
		assert_string_equal(out, "");
		return "-";
	}
	return out;
}

static void test_postcode(void **state)
{
	(void)state;
	/* The six outward shapes. */
	assert_string_equal(postcode("M1 1AE"), "M11AE");     /* A9 */
	assert_string_equal(postcode("B33 8TH"), "B338TH");   /* A99 */
	assert_string_equal(postcode("CR2 6XH"), "CR26XH");   /* AA9 */
	assert_string_equal(postcode("DN55 1PT"), "DN551PT"); /* AA99 */
	assert_string_equal(postcode("W1A 0AX"), "W1A0AX");   /* A9A */
	assert_string_equal(postcode("EC1A 1BB"), "EC1A1BB"); /* AA9A */
	assert_string_equal(postcode("SW1A 1AA"), "SW1A1AA"); /* AA9A */
	/* Case and spaces are ignored. */
	assert_string_equal(postcode("ls1 4ap"), "LS14AP");
	assert_string_equal(postcode("LS14AP"), "LS14AP");
	assert_string_equal(postcode("  l s 1  4 a p "), "LS14AP");
	assert_string_equal(postcode("sw1a\t1aa"), "SW1A1AA");

	/* Not the shape of a UK postcode. */
	assert_string_equal(postcode(""), "-");
	assert_string_equal(postcode("   "), "-");
	assert_string_equal(postcode("LS1"), "-");
	assert_string_equal(postcode("LS1 4A"), "-");
	assert_string_equal(postcode("LS1 44P"), "-");
	assert_string_equal(postcode("LS1 AAP"), "-");
	assert_string_equal(postcode("1LS 4AP"), "-");
	assert_string_equal(postcode("LS1-4AP"), "-");
	assert_string_equal(postcode("ABC1 1AA"), "-");  /* AAA9 */
	assert_string_equal(postcode("A1B2 1AA"), "-");  /* A9A9 */
	assert_string_equal(postcode("AB123 1AA"), "-"); /* too long */
	assert_string_equal(postcode("SW1A 1AAA"), "-");
	assert_string_equal(postcode("not a postcode at all"), "-");
	assert_string_equal(postcode("L\xc3\x89"
	                             "1 4AP"),
	                    "-");
}

static const struct child_identity empty = {"", "", "", "", "", "", ""};

static void test_keys_all(void **state)
{
	(void)state;
	struct child_identity id = {"943 476 5919",  "l20130000100a", " P-77 ", "Zo\xc3\xab",
	                            "O'Brien-Smith", "2015-03-02",    "ls1 4ap"};
	struct identity_keys k;
	assert_int_equal(identity_keys(&id, 1, &k), 4);
	assert_string_equal(k.nhs, "N9434765919");
	assert_string_equal(k.upn, "UL20130000100A");
	assert_string_equal(k.local, "L1:P-77");
	assert_string_equal(k.demographic, "DOBRIENSMITH|ZOE|2015-03-02");
	assert_string_equal(k.postcode, "LS14AP");

	/* The agency is part of the local key: ids are the agency's own. */
	assert_int_equal(identity_keys(&id, 3, &k), 4);
	assert_string_equal(k.local, "L3:P-77");
}

static void test_keys_some(void **state)
{
	(void)state;
	struct identity_keys k;
	memset(&k, '#', sizeof k);
	assert_int_equal(identity_keys(&empty, 2, &k), 0);
	assert_string_equal(k.nhs, "");
	assert_string_equal(k.upn, "");
	assert_string_equal(k.local, "");
	assert_string_equal(k.demographic, "");
	assert_string_equal(k.postcode, "");

	struct child_identity id = empty;
	id.upn = "B801200005001";
	assert_int_equal(identity_keys(&id, 3, &k), 1);
	assert_string_equal(k.upn, "UB801200005001");
	assert_string_equal(k.nhs, "");

	/* Family name and date of birth identify a child for validation,
	 * but without a given name they make no demographic key. */
	id = empty;
	id.family_name = "Smith";
	id.date_of_birth = "2015-03-02";
	assert_int_equal(identity_keys(&id, 1, &k), 0);
	assert_string_equal(k.demographic, "");
	id.given_name = "Ella";
	assert_int_equal(identity_keys(&id, 1, &k), 1);
	assert_string_equal(k.demographic, "DSMITH|ELLA|2015-03-02");
	/* A name that folds to nothing is no name. */
	id.given_name = "-";
	assert_int_equal(identity_keys(&id, 1, &k), 0);
	assert_string_equal(k.demographic, "");
	id.given_name = "Ella";
	id.date_of_birth = "";
	assert_int_equal(identity_keys(&id, 1, &k), 0);

	/* Blank local ids and malformed postcodes are simply absent. */
	id = empty;
	id.local_id = "   ";
	id.postcode = "nowhere";
	assert_int_equal(identity_keys(&id, 1, &k), 0);
	assert_string_equal(k.local, "");
	assert_string_equal(k.postcode, "");
	/* Inner spaces and case of a local id are the agency's business. */
	id.local_id = "\tab 12 ";
	assert_int_equal(identity_keys(&id, 5, &k), 1);
	assert_string_equal(k.local, "L5:ab 12");
}

static void test_keys_same_child(void **state)
{
	(void)state;
	/* Two agencies' spellings of one child give the same keys. */
	struct child_identity a = {"9434765919",  "b801200005001", "",       "Zo\xc3\xab",
	                           "Smith-Jones", "2015-03-02",    "LS1 4AP"};
	struct child_identity b = {"943 476 5919", "B801200005001", "",      "ZOE",
	                           "smith jones",  "2015-03-02",    "ls14ap"};
	struct identity_keys ka, kb;
	assert_int_equal(identity_keys(&a, 1, &ka), 3);
	assert_int_equal(identity_keys(&b, 2, &kb), 3);
	assert_string_equal(ka.nhs, kb.nhs);
	assert_string_equal(ka.upn, kb.upn);
	assert_string_equal(ka.demographic, kb.demographic);
	assert_string_equal(ka.demographic, "DSMITHJONES|ZOE|2015-03-02");
	assert_string_equal(ka.postcode, kb.postcode);

	/* A different date of birth is a different key. */
	b.date_of_birth = "2015-03-03";
	identity_keys(&b, 2, &kb);
	assert_string_not_equal(ka.demographic, kb.demographic);
}

static void test_keys_invalid_identifiers_ignored(void **state)
{
	(void)state;
	/* validate_concern() runs first; should something slip through,
	 * an identifier that does not check is no key rather than a wrong one. */
	struct child_identity id = empty;
	id.nhs_number = "9434765918";
	id.upn = "A801200005001";
	struct identity_keys k;
	assert_int_equal(identity_keys(&id, 1, &k), 0);
	assert_string_equal(k.nhs, "");
	assert_string_equal(k.upn, "");
}

static void test_keys_longest_fields(void **state)
{
	(void)state;
	/* The longest names validation lets through fit the key buffer. */
	char family[CONCERN_FIELD_MAX + 1], given[CONCERN_FIELD_MAX + 1];
	char local[CONCERN_FIELD_MAX + 1];
	memset(family, 'f', CONCERN_FIELD_MAX);
	family[CONCERN_FIELD_MAX] = '\0';
	memset(given, 'g', CONCERN_FIELD_MAX);
	given[CONCERN_FIELD_MAX] = '\0';
	memset(local, 'l', CONCERN_FIELD_MAX);
	local[CONCERN_FIELD_MAX] = '\0';
	struct child_identity id = {"", "", local, given, family, "2015-03-02", ""};
	struct identity_keys k;
	assert_int_equal(identity_keys(&id, 4, &k), 2);
	assert_int_equal(strlen(k.demographic), 1 + 256 + 1 + 256 + 1 + 10);
	assert_int_equal(strlen(k.local), 3 + 256);
	assert_memory_equal(k.demographic, "DFFF", 4);
	assert_string_equal(k.demographic + strlen(k.demographic) - 11, "|2015-03-02");
}

/* The normalisations the contract promises, each spelled out: NHS numbers
 * to digits, UPNs upper case, names case-, accent-, space- and
 * punctuation-insensitive, postcodes without spaces in upper case and of
 * UK shape. Two spellings of one child must give the same keys. */
static void test_contract_normalisation(void **state)
{
	(void)state;
	struct identity_keys a, b;
	struct child_identity x = empty, y = empty;

	x.nhs_number = "943 476 5919";
	y.nhs_number = "9434765919";
	identity_keys(&x, 1, &a);
	identity_keys(&y, 2, &b);
	assert_string_equal(a.nhs, "N9434765919");
	assert_string_equal(a.nhs, b.nhs);

	x = y = empty;
	x.upn = "b801200005001";
	y.upn = "B801200005001";
	identity_keys(&x, 3, &a);
	identity_keys(&y, 3, &b);
	assert_string_equal(a.upn, "UB801200005001");
	assert_string_equal(a.upn, b.upn);

	static const char *const same[][2] = {
	    {"Zo\xc3\xab", "ZOE"}, /* accents */
	    {"zoe", "ZOE"},        /* case */
	    {"O'Brien", "OBRIEN"}, /* punctuation */
	    {"O\xe2\x80\x99"
	     "Brien",
	     "OBRIEN"},                     /* typographic apostrophe */
	    {"Smith-Jones", "SMITH JONES"}, /* hyphen and space */
	    {"Smith-Jones", "smithjones"},
	};
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		char f1[64], f2[64];
		identity_fold_name(same[i][0], f1, sizeof f1);
		identity_fold_name(same[i][1], f2, sizeof f2);
		assert_string_equal(f1, f2);
	}
	x = y = empty;
	x.given_name = "Zo\xc3\xab";
	x.family_name = "O'Brien";
	y.given_name = "ZOE";
	y.family_name = "OBRIEN";
	x.date_of_birth = y.date_of_birth = "2014-01-05";
	x.postcode = "ls1 4ap";
	y.postcode = "LS14AP";
	identity_keys(&x, 1, &a);
	identity_keys(&y, 2, &b);
	assert_string_equal(a.demographic, b.demographic);
	assert_string_equal(a.postcode, "LS14AP");
	assert_string_equal(a.postcode, b.postcode);

	/* A postcode that is not of UK shape is not one: "" here, so
	 * linking treats it as absent (link.c keeps the text as sent on the
	 * child's record for the chronology). */
	x.postcode = "LS1 4A";
	identity_keys(&x, 1, &a);
	assert_string_equal(a.postcode, "");
	assert_string_equal(a.demographic, b.demographic);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fold_case_space_punctuation),
	    cmocka_unit_test(test_fold_unicode_punctuation),
	    cmocka_unit_test(test_fold_accents),
	    cmocka_unit_test(test_fold_other_scripts),
	    cmocka_unit_test(test_fold_bounded),
	    cmocka_unit_test(test_postcode),
	    cmocka_unit_test(test_keys_all),
	    cmocka_unit_test(test_keys_some),
	    cmocka_unit_test(test_keys_same_child),
	    cmocka_unit_test(test_keys_invalid_identifiers_ignored),
	    cmocka_unit_test(test_keys_longest_fields),
	    cmocka_unit_test(test_contract_normalisation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
