/*
 * Unit tests for validate.c: the contract's reference vectors, every rule
 * of "what is REJECTED" with its exact receipt message, and the edges of
 * every limit (one byte, one millisecond, one day either side).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first. */
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "validate.h"

/* 2026-01-01T00:00:00Z */
#define NOW INT64_C(1767225600000)
#define DAY MS_PER_DAY

static const char *nhs_ok(const char *s)
{
	static char out[11];
	const char *why = NULL;
	memset(out, 'x', sizeof out);
	if (validate_nhs_number(s, out, &why) != 0)
		return why;
	return out;
}

static const char *nhs_why(const char *s)
{
	char out[11];
	const char *why = NULL;
	assert_int_equal(validate_nhs_number(s, out, &why), -1);
	assert_non_null(why);
	return why;
}

static const char *upn_ok(const char *s)
{
	static char out[14];
	const char *why = NULL;
	memset(out, 'x', sizeof out);
	if (validate_upn(s, out, &why) != 0)
		return why;
	return out;
}

static const char *upn_why(const char *s)
{
	char out[14];
	const char *why = NULL;
	assert_int_equal(validate_upn(s, out, &why), -1);
	assert_non_null(why);
	return why;
}

static const char *date_why(const char *s, int64_t now)
{
	const char *why = NULL;
	if (validate_date(s, now, &why) == 0)
		return "ok";
	assert_non_null(why);
	return why;
}

/* ---- NHS numbers ---- */

static void test_nhs_reference_vectors(void **state)
{
	(void)state;
	assert_string_equal(nhs_ok("9434765919"), "9434765919");
	assert_string_equal(nhs_ok("9876543210"), "9876543210"); /* check 11 -> 0 */
	assert_string_equal(nhs_ok("4010232137"), "4010232137");
	assert_string_equal(nhs_ok("6716689966"), "6716689966");

	assert_string_equal(nhs_why("9434765918"), "check digit mismatch");
	assert_string_equal(nhs_why("9990000000"), "check digit comes out as 10");
	assert_string_equal(nhs_why("0000000000"), "one digit repeated, never issued");
}

static void test_nhs_spaces_and_shape(void **state)
{
	(void)state;
	assert_string_equal(nhs_ok("943 476 5919"), "9434765919");
	assert_string_equal(nhs_ok(" 943 476 5919 "), "9434765919");
	assert_string_equal(nhs_ok("9 4 3 4 7 6 5 9 1 9"), "9434765919");

	assert_string_equal(nhs_why(""), "not 10 digits");
	assert_string_equal(nhs_why("   "), "not 10 digits");
	assert_string_equal(nhs_why("943476591"), "not 10 digits");
	assert_string_equal(nhs_why("94347659190"), "not 10 digits");
	assert_string_equal(nhs_why("943-476-5919"), "not 10 digits");
	assert_string_equal(nhs_why("943\t476\t5919"), "not 10 digits");
	assert_string_equal(nhs_why("943476591X"), "not 10 digits");
	/* Arabic-Indic or full-width digits are not ASCII digits. */
	assert_string_equal(nhs_why("943476591\xef\xbc\x99"), "not 10 digits");
}

static void test_nhs_repeated_digits(void **state)
{
	(void)state;
	/* Every one of them passes the modulus 11 check. */
	char s[11];
	for (char d = '0'; d <= '9'; d++) {
		memset(s, d, 10);
		s[10] = '\0';
		assert_string_equal(nhs_why(s), "one digit repeated, never issued");
	}
}

static void test_nhs_exactly_one_check_digit(void **state)
{
	(void)state;
	/* For a body whose check is not 10, exactly one last digit passes. */
	char s[11] = "943476591?";
	int valid = 0;
	for (char d = '0'; d <= '9'; d++) {
		s[9] = d;
		const char *why;
		char out[11];
		if (validate_nhs_number(s, out, &why) == 0) {
			valid++;
			assert_int_equal(d, '9');
		} else {
			assert_string_equal(why, "check digit mismatch");
		}
	}
	assert_int_equal(valid, 1);
}

/* ---- UPNs ---- */

static void test_upn_reference_vectors(void **state)
{
	(void)state;
	assert_string_equal(upn_ok("B801200005001"), "B801200005001");
	assert_string_equal(upn_ok("A123456789012"), "A123456789012");
	assert_string_equal(upn_ok("L20130000100A"), "L20130000100A"); /* temporary */
	assert_string_equal(upn_ok("X20130000100Z"), "X20130000100Z"); /* temporary */

	assert_string_equal(upn_why("A801200005001"), "check letter mismatch");
	assert_string_equal(upn_why("B123456789012"), "check letter mismatch");
}

static void test_upn_case_insensitive(void **state)
{
	(void)state;
	assert_string_equal(upn_ok("b801200005001"), "B801200005001");
	assert_string_equal(upn_ok("l20130000100a"), "L20130000100A");
	assert_string_equal(upn_ok("x20130000100z"), "X20130000100Z");
}

static void test_upn_shape(void **state)
{
	(void)state;
	assert_string_equal(upn_why(""), "not 13 characters");
	assert_string_equal(upn_why("B80120000500"), "not 13 characters");
	assert_string_equal(upn_why("B8012000050011"), "not 13 characters");
	assert_string_equal(upn_why("B801 20000 5001"), "not 13 characters");
	assert_string_equal(upn_why("1801200005001"), "first character not a letter");
	assert_string_equal(upn_why("#801200005001"), "first character not a letter");
	assert_string_equal(upn_why("B8012000050A1"), "characters 2 to 12 not all digits");
	assert_string_equal(upn_why("BB01200005001"), "characters 2 to 12 not all digits");
	/* I, O and S are not in the table, so cannot value a temporary UPN. */
	assert_string_equal(upn_why("L20130000100I"),
	                    "last character not a digit or a letter of ABCDEFGHJKLMNPQRTUVWXYZ");
	assert_string_equal(upn_why("L20130000100O"),
	                    "last character not a digit or a letter of ABCDEFGHJKLMNPQRTUVWXYZ");
	assert_string_equal(upn_why("L20130000100S"),
	                    "last character not a digit or a letter of ABCDEFGHJKLMNPQRTUVWXYZ");
	assert_string_equal(upn_why("L20130000100-"),
	                    "last character not a digit or a letter of ABCDEFGHJKLMNPQRTUVWXYZ");
	/* Nor can they be a check letter. */
	assert_string_equal(upn_why("I801200005001"), "check letter mismatch");
}

static void test_upn_exactly_one_check_letter(void **state)
{
	(void)state;
	const char *bodies[] = {"801200005001", "123456789012", "20130000100A",
	                        "20130000100Z", "000000000000", "999999999999"};
	for (size_t b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
		char s[14];
		int valid = 0;
		for (char l = 'A'; l <= 'Z'; l++) {
			snprintf(s, sizeof s, "%c%s", l, bodies[b]);
			char out[14];
			const char *why;
			if (validate_upn(s, out, &why) == 0)
				valid++;
			else
				assert_string_equal(why, "check letter mismatch");
		}
		assert_int_equal(valid, 1);
	}
}

/* ---- dates ---- */

static void test_date_shape(void **state)
{
	(void)state;
	assert_string_equal(date_why("2015-03-02", NOW), "ok");
	assert_string_equal(date_why("", NOW), "not YYYY-MM-DD");
	assert_string_equal(date_why("2015-3-02", NOW), "not YYYY-MM-DD");
	assert_string_equal(date_why("2015-03-2", NOW), "not YYYY-MM-DD");
	assert_string_equal(date_why("2015/03/02", NOW), "not YYYY-MM-DD");
	assert_string_equal(date_why("02-03-2015", NOW), "not YYYY-MM-DD");
	assert_string_equal(date_why("15-03-02", NOW), "not YYYY-MM-DD");
	assert_string_equal(date_why(" 2015-03-02", NOW), "not YYYY-MM-DD");
	assert_string_equal(date_why("2015-03-02 ", NOW), "not YYYY-MM-DD");
	assert_string_equal(date_why("2015-03-02T00:00", NOW), "not YYYY-MM-DD");
	assert_string_equal(date_why("2015-03-0a", NOW), "not YYYY-MM-DD");
	assert_string_equal(date_why("+015-03-02", NOW), "not YYYY-MM-DD");
	assert_string_equal(date_why("2015-+3-02", NOW), "not YYYY-MM-DD");
}

static void test_date_real(void **state)
{
	(void)state;
	assert_string_equal(date_why("2015-00-10", NOW), "not a real date");
	assert_string_equal(date_why("2015-13-01", NOW), "not a real date");
	assert_string_equal(date_why("2015-01-00", NOW), "not a real date");
	assert_string_equal(date_why("2015-01-31", NOW), "ok");
	assert_string_equal(date_why("2015-01-32", NOW), "not a real date");
	assert_string_equal(date_why("2015-04-30", NOW), "ok");
	assert_string_equal(date_why("2015-04-31", NOW), "not a real date");
	assert_string_equal(date_why("2015-06-31", NOW), "not a real date");
	assert_string_equal(date_why("2015-09-31", NOW), "not a real date");
	assert_string_equal(date_why("2015-11-31", NOW), "not a real date");
	assert_string_equal(date_why("2015-12-31", NOW), "ok");
	assert_string_equal(date_why("0000-01-01", NOW), "not a real date");
	assert_string_equal(date_why("0001-01-01", NOW), "ok");
}

static void test_date_leap_years(void **state)
{
	(void)state;
	assert_string_equal(date_why("2024-02-29", NOW), "ok");
	assert_string_equal(date_why("2024-02-30", NOW), "not a real date");
	assert_string_equal(date_why("2023-02-28", NOW), "ok");
	assert_string_equal(date_why("2023-02-29", NOW), "not a real date");
	assert_string_equal(date_why("2000-02-29", NOW), "ok");              /* divisible by 400 */
	assert_string_equal(date_why("1900-02-29", NOW), "not a real date"); /* by 100 only */
	assert_string_equal(date_why("2100-02-29", NOW), "not a real date");
	assert_string_equal(date_why("2016-02-29", NOW), "ok");
	assert_string_equal(date_why("2018-02-29", NOW), "not a real date");
}

static void test_date_future(void **state)
{
	(void)state;
	/* At midnight UTC: today is allowed, tomorrow is not. */
	assert_string_equal(date_why("2026-01-01", NOW), "ok");
	assert_string_equal(date_why("2026-01-02", NOW), "in the future");
	assert_string_equal(date_why("2025-12-31", NOW), "ok");
	/* One millisecond before midnight it is still yesterday. */
	assert_string_equal(date_why("2026-01-01", NOW - 1), "in the future");
	assert_string_equal(date_why("2025-12-31", NOW - 1), "ok");
	/* Last millisecond of the day. */
	assert_string_equal(date_why("2026-01-01", NOW + DAY - 1), "ok");
	assert_string_equal(date_why("2026-01-02", NOW + DAY - 1), "in the future");
	/* A leap day as "today": 2024-02-29T12:00Z. */
	int64_t leap_noon = INT64_C(1709164800000) + DAY / 2;
	assert_string_equal(date_why("2024-02-29", leap_noon), "ok");
	assert_string_equal(date_why("2024-03-01", leap_noon), "in the future");
	assert_string_equal(date_why("9999-12-31", NOW), "in the future");
	/* A clock before 1970 (floor, not truncation, of the day). */
	assert_string_equal(date_why("1969-12-31", -1), "ok");
	assert_string_equal(date_why("1970-01-01", -1), "in the future");
	assert_string_equal(date_why("1970-01-01", 0), "ok");
	/* Not being a date is reported before being in the future. */
	assert_string_equal(date_why("2100-02-29", NOW), "not a real date");
}

/* ---- UTF-8 ---- */

static bool utf8(const char *s)
{
	return validate_utf8(s, strlen(s));
}

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(utf8(""));
	assert_true(utf8("plain ASCII ~"));
	assert_true(utf8("Zo\xc3\xab"));       /* U+00EB */
	assert_true(utf8("\xc2\x80"));         /* U+0080, smallest 2-byte */
	assert_true(utf8("\xdf\xbf"));         /* U+07FF */
	assert_true(utf8("\xe0\xa0\x80"));     /* U+0800, smallest 3-byte */
	assert_true(utf8("\xe2\x82\xac"));     /* euro sign */
	assert_true(utf8("\xed\x9f\xbf"));     /* U+D7FF, just below the surrogates */
	assert_true(utf8("\xee\x80\x80"));     /* U+E000, just above */
	assert_true(utf8("\xef\xbf\xbf"));     /* U+FFFF */
	assert_true(utf8("\xf0\x90\x80\x80")); /* U+10000, smallest 4-byte */
	assert_true(utf8("\xf0\x9f\x98\x80")); /* emoji */
	assert_true(utf8("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the last code point */
	/* The length is what counts, not a terminator. */
	assert_true(validate_utf8("a\0b", 3));
	assert_true(validate_utf8("\xff", 0));
}

static void test_utf8_invalid(void **state)
{
	(void)state;
	/* overlong forms */
	assert_false(utf8("\xc0\xaf"));
	assert_false(utf8("\xc1\xbf"));
	assert_false(utf8("\xc0\x80")); /* "modified UTF-8" NUL */
	assert_false(utf8("\xe0\x80\xaf"));
	assert_false(utf8("\xe0\x9f\xbf"));
	assert_false(utf8("\xf0\x80\x80\xaf"));
	assert_false(utf8("\xf0\x8f\xbf\xbf"));
	/* surrogates, alone or paired (CESU-8) */
	assert_false(utf8("\xed\xa0\x80"));
	assert_false(utf8("\xed\xbf\xbf"));
	assert_false(utf8("\xed\xa0\xbd\xed\xb8\x80"));
	/* past U+10FFFF, and bytes that never occur */
	assert_false(utf8("\xf4\x90\x80\x80"));
	assert_false(utf8("\xf5\x80\x80\x80"));
	assert_false(utf8("\xf8\x88\x80\x80\x80"));
	assert_false(utf8("\xfe"));
	assert_false(utf8("\xff"));
	/* stray continuation, truncated and interrupted sequences */
	assert_false(utf8("\x80"));
	assert_false(utf8("a\xbf"));
	assert_false(utf8("\xc3"));
	assert_false(utf8("\xe2\x82"));
	assert_false(utf8("\xf0\x9f\x98"));
	assert_false(utf8("\xc3\x28"));
	assert_false(utf8("\xe2\x28\xac"));
	assert_false(utf8("\xf0\x9f\x28\x80"));
	/* Latin-1 sent as is */
	assert_false(utf8("Zo\xeb"));
	/* cut in the middle of a sequence by the length */
	assert_false(validate_utf8("Zo\xc3\xab", 3));
}

/* ---- whole concerns ---- */

static struct child_identity kids[40];

static struct concern good(size_t n)
{
	for (size_t i = 0; i < sizeof kids / sizeof kids[0]; i++) {
		struct child_identity k = {"943 476 5919", "B801200005001", "P-77",   "Zo\xc3\xab",
		                           "O'Brien",      "2015-03-02",    "LS1 4AP"};
		kids[i] = k;
	}
	struct concern c = {
	    .concern_id = "pol-2026-0001",
	    .agency = 1,
	    .source_system = "Niche RMS",
	    .n_children = n,
	    .children = kids,
	    .category = 1,
	    .severity = 3,
	    .occurred_at_ms = NOW - DAY,
	    .reported_at_ms = NOW - 1000,
	    .summary = "Domestic abuse call-out; children present.",
	    .reporter = "PC 1234, Leeds District",
	};
	return c;
}

static const char *reject(const struct concern *c)
{
	static char err[VALIDATE_ERR_MAX];
	memset(err, 0, sizeof err);
	assert_int_equal(validate_concern(c, NOW, err, sizeof err), -1);
	return err;
}

static void accept(const struct concern *c)
{
	char err[VALIDATE_ERR_MAX] = "";
	int rc = validate_concern(c, NOW, err, sizeof err);
	if (rc != 0)
		fail_msg("rejected: %s", err);
}

/* A string of n copies of ch, from a pool that outlives the test. */
static const char *repeat(char ch, size_t n)
{
	static char pool[8][CONCERN_SUMMARY_MAX + 8];
	static int next;
	char *s = pool[next++ % 8];
	assert_true(n < sizeof pool[0]);
	memset(s, ch, n);
	s[n] = '\0';
	return s;
}

static void test_concern_valid(void **state)
{
	(void)state;
	struct concern c = good(1);
	accept(&c);
	c.n_children = 3;
	accept(&c);
	/* Only the identifiers needed; the rest absent. */
	struct child_identity only = {"", "", "", "", "", "", ""};
	only.nhs_number = "9876543210";
	c.children = &only;
	c.n_children = 1;
	c.summary = "";
	c.source_system = "";
	c.reporter = "";
	c.reported_at_ms = 0;
	accept(&c);
}

static void test_concern_id(void **state)
{
	(void)state;
	struct concern c = good(1);
	c.concern_id = "";
	assert_string_equal(reject(&c), "concern_id: empty");
	c.concern_id = repeat('a', 128);
	accept(&c);
	c.concern_id = repeat('a', 129);
	assert_string_equal(reject(&c), "concern_id: over 128 bytes");
	c.concern_id = "pol 1 ~!";
	accept(&c);
	c.concern_id = "pol\t1";
	assert_string_equal(reject(&c), "concern_id: not printable ASCII");
	c.concern_id = "pol\n1";
	assert_string_equal(reject(&c), "concern_id: not printable ASCII");
	c.concern_id = "pol\x7f";
	assert_string_equal(reject(&c), "concern_id: not printable ASCII");
	c.concern_id = "pol-\xc3\xa9";
	assert_string_equal(reject(&c), "concern_id: not printable ASCII");
	c.concern_id = "pol-\xff";
	assert_string_equal(reject(&c), "concern_id: not printable ASCII");
}

static void test_enums(void **state)
{
	(void)state;
	struct concern c = good(1);
	c.agency = 0;
	assert_string_equal(reject(&c), "agency: unspecified");
	c.agency = 9;
	assert_string_equal(reject(&c), "agency: unknown value 9");
	c.agency = 6;
	assert_string_equal(reject(&c), "agency: unknown value 6");
	c.agency = -1;
	assert_string_equal(reject(&c), "agency: unknown value -1");
	for (c.agency = 1; c.agency <= AGENCY_MAX; c.agency++)
		accept(&c);

	c = good(1);
	c.category = 0;
	assert_string_equal(reject(&c), "category: unspecified");
	c.category = 16;
	assert_string_equal(reject(&c), "category: unknown value 16");
	for (c.category = 1; c.category <= CATEGORY_MAX; c.category++)
		accept(&c);

	c = good(1);
	c.severity = 0;
	assert_string_equal(reject(&c), "severity: unspecified");
	c.severity = 5;
	assert_string_equal(reject(&c), "severity: unknown value 5");
	for (c.severity = 1; c.severity <= SEVERITY_MAX; c.severity++)
		accept(&c);
}

static void test_children_count(void **state)
{
	(void)state;
	struct concern c = good(0);
	assert_string_equal(reject(&c), "children: none");
	c = good(32);
	accept(&c);
	c = good(33);
	assert_string_equal(reject(&c), "children: more than 32");
}

#define NO_IDENTITY                                                                                \
	"no usable identity (need nhs_number, upn, local_id, or family_name and date_of_birth)"

static void test_child_usable_identity(void **state)
{
	(void)state;
	struct concern c = good(3);
	struct child_identity none = {"", "", "", "Zo\xc3\xab", "", "", "LS1 4AP"};
	kids[2] = none;
	assert_string_equal(reject(&c), "children[2]: " NO_IDENTITY);

	/* Any one of these is enough on its own. */
	struct child_identity id = none;
	id.nhs_number = "4010232137";
	kids[2] = id;
	accept(&c);
	id = none;
	id.upn = "A123456789012";
	kids[2] = id;
	accept(&c);
	id = none;
	id.local_id = "P-77";
	kids[2] = id;
	accept(&c);
	id = none;
	id.family_name = "Smith";
	id.date_of_birth = "2015-03-02";
	kids[2] = id;
	accept(&c);
	id.given_name = "";
	kids[2] = id;
	accept(&c);

	/* Half of the demographic pair is not. */
	id = none;
	id.family_name = "Smith";
	kids[2] = id;
	assert_string_equal(reject(&c), "children[2]: " NO_IDENTITY);
	id = none;
	id.date_of_birth = "2015-03-02";
	kids[2] = id;
	assert_string_equal(reject(&c), "children[2]: " NO_IDENTITY);
	/* Blank is absent. */
	id = none;
	id.local_id = "   ";
	kids[2] = id;
	assert_string_equal(reject(&c), "children[2]: " NO_IDENTITY);
	id = none;
	id.family_name = " \t";
	id.date_of_birth = "2015-03-02";
	kids[2] = id;
	assert_string_equal(reject(&c), "children[2]: " NO_IDENTITY);
}

static void test_child_identifiers(void **state)
{
	(void)state;
	struct concern c = good(2);

	kids[0].nhs_number = "9434765918";
	assert_string_equal(reject(&c), "children[0].nhs_number: check digit mismatch");
	kids[0].nhs_number = "9990000000";
	assert_string_equal(reject(&c), "children[0].nhs_number: check digit comes out as 10");
	kids[0].nhs_number = "0000000000";
	assert_string_equal(reject(&c), "children[0].nhs_number: one digit repeated, never issued");
	kids[0].nhs_number = "943-476-5919";
	assert_string_equal(reject(&c), "children[0].nhs_number: not 10 digits");
	kids[0].nhs_number = "";
	accept(&c);

	kids[1].upn = "A801200005001";
	assert_string_equal(reject(&c), "children[1].upn: check letter mismatch");
	kids[1].upn = "B123456789012";
	assert_string_equal(reject(&c), "children[1].upn: check letter mismatch");
	kids[1].upn = "B80120000500";
	assert_string_equal(reject(&c), "children[1].upn: not 13 characters");
	kids[1].upn = "x20130000100z";
	accept(&c);

	kids[1].date_of_birth = "2015-02-29";
	assert_string_equal(reject(&c), "children[1].date_of_birth: not a real date");
	kids[1].date_of_birth = "2016-02-29";
	accept(&c);
	kids[1].date_of_birth = "2026-01-01"; /* born today */
	accept(&c);
	kids[1].date_of_birth = "2026-01-02";
	assert_string_equal(reject(&c), "children[1].date_of_birth: in the future");
	kids[1].date_of_birth = "02/03/2015";
	assert_string_equal(reject(&c), "children[1].date_of_birth: not YYYY-MM-DD");
	kids[1].date_of_birth = "";
	accept(&c);

	/* A postcode is never a reason to reject. */
	kids[1].postcode = "not a postcode";
	accept(&c);
}

static void test_child_text_fields(void **state)
{
	(void)state;
	static const char *const names[] = {"nhs_number", "upn",         "local_id",
	                                    "given_name", "family_name", "date_of_birth",
	                                    "postcode"};
	for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
		struct concern c = good(2);
		const char **fields[] = {&kids[1].nhs_number,  &kids[1].upn,
		                         &kids[1].local_id,    &kids[1].given_name,
		                         &kids[1].family_name, &kids[1].date_of_birth,
		                         &kids[1].postcode};
		const char **field = fields[f];
		char want[VALIDATE_ERR_MAX];

		*field = repeat('A', 257);
		snprintf(want, sizeof want, "children[1].%s: over 256 bytes", names[f]);
		assert_string_equal(reject(&c), want);

		*field = "Zo\xeb";
		snprintf(want, sizeof want, "children[1].%s: not valid UTF-8", names[f]);
		assert_string_equal(reject(&c), want);
	}

	/* 256 bytes is within the limit for free-text fields. */
	struct concern c = good(1);
	kids[0].given_name = repeat('A', 256);
	kids[0].family_name = repeat('B', 256);
	kids[0].local_id = repeat('C', 256);
	kids[0].postcode = repeat('D', 256);
	accept(&c);
	/* Overlongs and surrogates in a name. */
	kids[0].family_name = "O\xc0\xa7"
	                      "Brien";
	assert_string_equal(reject(&c), "children[0].family_name: not valid UTF-8");
	kids[0].family_name = "Smith\xed\xa0\x80";
	assert_string_equal(reject(&c), "children[0].family_name: not valid UTF-8");
	kids[0].family_name = "Sm\xc3\xafth"; /* valid UTF-8 is fine */
	accept(&c);
}

static void test_occurred_at(void **state)
{
	(void)state;
	struct concern c = good(1);
	c.reported_at_ms = 0; /* this test is about occurred_at_ms alone */
	c.occurred_at_ms = 0;
	assert_string_equal(reject(&c), "occurred_at_ms: missing");
	c.occurred_at_ms = NOW;
	accept(&c);
	c.occurred_at_ms = NOW + 5 * 60 * 1000;
	accept(&c);
	c.occurred_at_ms = NOW + 5 * 60 * 1000 + 1;
	assert_string_equal(reject(&c), "occurred_at_ms: more than 5 minutes in the future");
	c.occurred_at_ms = INT64_MAX;
	assert_string_equal(reject(&c), "occurred_at_ms: more than 5 minutes in the future");
	/* Back-filled history is fine, back to 1900 (1 and -1 are instants
	 * of 1970: real times, so within the range). */
	c.occurred_at_ms = 1;
	accept(&c);
	c.occurred_at_ms = -1;
	accept(&c);
	c.occurred_at_ms = -DAY;
	accept(&c);
	c.occurred_at_ms = INT64_C(-2208988800000); /* 1900-01-01T00:00:00Z */
	accept(&c);
	c.occurred_at_ms = INT64_C(-2208988800001);
	assert_string_equal(reject(&c), "occurred_at_ms: before 1900-01-01");
	c.occurred_at_ms = -INT64_C(3000000) * 365 * DAY; /* 3 million years ago */
	assert_string_equal(reject(&c), "occurred_at_ms: before 1900-01-01");
	c.occurred_at_ms = INT64_MIN;
	assert_string_equal(reject(&c), "occurred_at_ms: before 1900-01-01");
	c.occurred_at_ms = INT64_MIN + 1;
	assert_string_equal(reject(&c), "occurred_at_ms: before 1900-01-01");

	/* No overflow with an extreme clock either. */
	char err[VALIDATE_ERR_MAX];
	c.reported_at_ms = 0;
	c.occurred_at_ms = INT64_MAX;
	c.children = &(struct child_identity){"", "", "P-1", "", "", "", ""};
	assert_int_equal(validate_concern(&c, INT64_MIN, err, sizeof err), -1);
	assert_string_equal(err, "occurred_at_ms: more than 5 minutes in the future");
	assert_int_equal(validate_concern(&c, INT64_MAX, err, sizeof err), 0);
}

static void test_reported_at(void **state)
{
	(void)state;
	struct concern c = good(1);
	c.reported_at_ms = 0; /* optional */
	accept(&c);
	c.reported_at_ms = c.occurred_at_ms; /* recorded as it happened */
	accept(&c);
	c.reported_at_ms = NOW + 5 * 60 * 1000;
	accept(&c);
	c.reported_at_ms = NOW + 5 * 60 * 1000 + 1;
	assert_string_equal(reject(&c), "reported_at_ms: more than 5 minutes in the future");
	c.reported_at_ms = INT64_MAX;
	assert_string_equal(reject(&c), "reported_at_ms: more than 5 minutes in the future");
	c.reported_at_ms = INT64_MIN;
	assert_string_equal(reject(&c), "reported_at_ms: before 1900-01-01");
	c.reported_at_ms = -1;
	c.occurred_at_ms = -DAY;
	accept(&c);
	c.reported_at_ms = 1;
	accept(&c);
	/* Recorded before it happened. */
	c.occurred_at_ms = NOW - DAY;
	c.reported_at_ms = NOW - DAY - 5 * 60 * 1000 - 1;
	assert_string_equal(reject(&c),
	                    "reported_at_ms: more than 5 minutes before occurred_at_ms");
	/* Within the clock skew allowed, and exactly at its edge. */
	c.reported_at_ms = NOW - DAY - 1;
	accept(&c);
	c.reported_at_ms = NOW - DAY - 5 * 60 * 1000;
	accept(&c);
	c.occurred_at_ms = 5 * 60 * 1000 + 1;
	c.reported_at_ms = -1;
	assert_string_equal(reject(&c),
	                    "reported_at_ms: more than 5 minutes before occurred_at_ms");
	/* The occurred time is judged first. */
	c.occurred_at_ms = INT64_MIN;
	c.reported_at_ms = INT64_MAX;
	assert_string_equal(reject(&c), "occurred_at_ms: before 1900-01-01");
}

static void test_strings(void **state)
{
	(void)state;
	struct concern c = good(1);
	c.summary = repeat('s', 4096);
	accept(&c);
	c.summary = repeat('s', 4097);
	assert_string_equal(reject(&c), "summary: over 4096 bytes");
	c.summary = "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80";
	accept(&c);
	c.summary = "overlong \xc0\xaf slash";
	assert_string_equal(reject(&c), "summary: not valid UTF-8");
	c.summary = "surrogate \xed\xa0\x80";
	assert_string_equal(reject(&c), "summary: not valid UTF-8");

	c = good(1);
	c.source_system = repeat('x', 256);
	accept(&c);
	c.source_system = repeat('x', 257);
	assert_string_equal(reject(&c), "source_system: over 256 bytes");
	c.source_system = "Niche\xff";
	assert_string_equal(reject(&c), "source_system: not valid UTF-8");

	c = good(1);
	c.reporter = repeat('r', 256);
	accept(&c);
	c.reporter = repeat('r', 257);
	assert_string_equal(reject(&c), "reporter: over 256 bytes");
	c.reporter = "PC \xed\xbf\xbf";
	assert_string_equal(reject(&c), "reporter: not valid UTF-8");
}

static void test_first_failure_wins(void **state)
{
	(void)state;
	/* Faults everywhere: the first in the contract's order is named. */
	struct concern c = good(2);
	c.concern_id = "";
	c.agency = 0;
	c.occurred_at_ms = 0;
	kids[1].nhs_number = "1";
	assert_string_equal(reject(&c), "concern_id: empty");
	c.concern_id = "x";
	assert_string_equal(reject(&c), "agency: unspecified");
	c.agency = 2;
	assert_string_equal(reject(&c), "children[1].nhs_number: not 10 digits");
	kids[1].nhs_number = "";
	assert_string_equal(reject(&c), "occurred_at_ms: missing");
}

static void test_error_buffer(void **state)
{
	(void)state;
	struct concern c = good(1);
	c.agency = 0;
	/* Cut, terminated, nothing written past the end. */
	char err[8];
	memset(err, '#', sizeof err);
	assert_int_equal(validate_concern(&c, NOW, err, 6), -1);
	assert_string_equal(err, "agenc");
	assert_int_equal(err[6], '#');
	/* No buffer at all still gives the answer. */
	assert_int_equal(validate_concern(&c, NOW, NULL, 0), -1);
	c.agency = 1;
	assert_int_equal(validate_concern(&c, NOW, NULL, 0), 0);

	/* The longest message fits VALIDATE_ERR_MAX. */
	char big[VALIDATE_ERR_MAX];
	c = good(32);
	struct child_identity none = {"", "", "", "", "", "", ""};
	kids[31] = none;
	assert_int_equal(validate_concern(&c, NOW, big, sizeof big), -1);
	assert_string_equal(big, "children[31]: " NO_IDENTITY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nhs_reference_vectors),
	    cmocka_unit_test(test_nhs_spaces_and_shape),
	    cmocka_unit_test(test_nhs_repeated_digits),
	    cmocka_unit_test(test_nhs_exactly_one_check_digit),
	    cmocka_unit_test(test_upn_reference_vectors),
	    cmocka_unit_test(test_upn_case_insensitive),
	    cmocka_unit_test(test_upn_shape),
	    cmocka_unit_test(test_upn_exactly_one_check_letter),
	    cmocka_unit_test(test_date_shape),
	    cmocka_unit_test(test_date_real),
	    cmocka_unit_test(test_date_leap_years),
	    cmocka_unit_test(test_date_future),
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_utf8_invalid),
	    cmocka_unit_test(test_concern_valid),
	    cmocka_unit_test(test_concern_id),
	    cmocka_unit_test(test_enums),
	    cmocka_unit_test(test_children_count),
	    cmocka_unit_test(test_child_usable_identity),
	    cmocka_unit_test(test_child_identifiers),
	    cmocka_unit_test(test_child_text_fields),
	    cmocka_unit_test(test_occurred_at),
	    cmocka_unit_test(test_reported_at),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_first_failure_wins),
	    cmocka_unit_test(test_error_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
