/*
 * Unit tests for status.c and lookup.c: every rule of a ChildStatus with
 * its exact receipt message, the statuses in force over time (a start
 * date counts, an end date no longer does, a superseded version never),
 * the rules' status terms and words, and a lookup request's checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first. */
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lookup.h"
#include "status.h"

/* 2026-01-01T00:00:00Z */
#define NOW INT64_C(1767225600000)
#define DAY MS_PER_DAY

static struct child_status good(void)
{
	struct child_status s = {
	    .status_id = "LCS-CP-1",
	    .source_system = "LCS",
	    .child = {"9434765919", "", "P-1", "Ella", "Brown", "2018-05-01", "LS1 4AP"},
	    .kind = STATUS_PROTECTION_PLAN,
	    .category = 1,
	    .legal_status = 0,
	    .start_date = "2025-11-03",
	    .end_date = "",
	    .local_authority = "Leeds City Council",
	    .social_worker = "Sam Patel",
	    .social_worker_role = "Social worker",
	    .social_worker_contact = "0113 000 0000",
	    .recorded_at_ms = NOW - DAY,
	};
	return s;
}

static char err[160];

/* The message for s, or "" when it passes. */
static const char *check(const struct child_status *s)
{
	err[0] = '\0';
	if (status_validate(s, NOW, err, sizeof err) == 0)
		return "";
	return err;
}

static void test_valid_statuses(void **state)
{
	(void)state;
	struct child_status s = good();
	assert_string_equal(check(&s), "");
	s.kind = STATUS_CHILD_IN_NEED;
	s.category = 0;
	assert_string_equal(check(&s), "");
	s.kind = STATUS_LOOKED_AFTER;
	s.legal_status = 2; /* a care order */
	s.end_date = "2025-12-31";
	assert_string_equal(check(&s), "");
	s = good();
	s.kind = STATUS_PRE_BIRTH_PLAN; /* category optional */
	assert_string_equal(check(&s), "");
	s.category = 0;
	s.child = (struct child_identity){"", "", "unborn-77", "", "", "", ""};
	assert_string_equal(check(&s), "");
	/* Started and ended today, and exactly 5 minutes ahead: the edges. */
	s = good();
	s.start_date = s.end_date = "2026-01-01";
	s.recorded_at_ms = NOW + 5 * 60 * 1000;
	assert_string_equal(check(&s), "");
}

static void test_every_rule_names_its_field(void **state)
{
	(void)state;
	struct child_status s;
#define EXPECT(edit, msg)                                                                          \
	do {                                                                                       \
		s = good();                                                                        \
		edit;                                                                              \
		assert_string_equal(check(&s), msg);                                               \
	} while (0)
	EXPECT(s.status_id = "", "status_id: empty");
	EXPECT(s.status_id = "a\tb", "status_id: not printable ASCII");
	EXPECT(s.source_system = "\xff", "source_system: not valid UTF-8");
	EXPECT(s.child.nhs_number = "9434765918", "child.nhs_number: check digit mismatch");
	EXPECT(s.child.upn = "A801200005001", "child.upn: check letter mismatch");
	EXPECT(s.child.date_of_birth = "2026-01-02", "child.date_of_birth: in the future");
	EXPECT(s.child = ((struct child_identity){"", "", "", "Ella", "", "", ""}),
	       "child: no usable identity (need nhs_number, upn, local_id, or family_name and "
	       "date_of_birth)");
	EXPECT(s.kind = 0, "kind: unspecified");
	EXPECT(s.kind = 5, "kind: unknown value 5");
	EXPECT(s.category = 0,
	       "category: required for a child protection plan (neglect, physical abuse, "
	       "emotional abuse, sexual abuse or multiple)");
	EXPECT(s.category = 6, "category: unknown value 6");
	EXPECT((s.kind = STATUS_CHILD_IN_NEED), "category: only for a child protection or "
	                                        "pre-birth plan");
	EXPECT((s.kind = STATUS_LOOKED_AFTER, s.category = 0),
	       "legal_status: required for a looked-after child");
	EXPECT((s.kind = STATUS_LOOKED_AFTER, s.category = 0, s.legal_status = 9),
	       "legal_status: unknown value 9");
	EXPECT(s.legal_status = 1, "legal_status: only for a looked-after child");
	EXPECT(s.legal_status = -1, "legal_status: unknown value -1");
	EXPECT(s.start_date = "", "start_date: missing");
	EXPECT(s.start_date = "2025-02-30", "start_date: not a real date");
	EXPECT(s.start_date = "03/11/2025", "start_date: not YYYY-MM-DD");
	EXPECT(s.start_date = "2026-01-02", "start_date: in the future");
	EXPECT(s.end_date = "2026-01-02", "end_date: in the future");
	EXPECT(s.end_date = "2025-11-02", "end_date: before start_date");
	EXPECT(s.end_date = "2025-13-01", "end_date: not a real date");
	EXPECT(s.local_authority = "", "local_authority: missing");
	EXPECT(s.social_worker = "\xc0\x80", "social_worker: not valid UTF-8");
	static char long_text[300];
	memset(long_text, 'x', sizeof long_text - 1);
	EXPECT(s.social_worker_role = long_text, "social_worker_role: over 256 bytes");
	EXPECT(s.social_worker_contact = long_text, "social_worker_contact: over 256 bytes");
	EXPECT(s.local_authority = long_text, "local_authority: over 256 bytes");
	EXPECT(s.recorded_at_ms = 0, "recorded_at_ms: missing");
	EXPECT(s.recorded_at_ms = NOW + 5 * 60 * 1000 + 1,
	       "recorded_at_ms: more than 5 minutes in the future");
	EXPECT(s.recorded_at_ms = INT64_MIN, "recorded_at_ms: before 1900-01-01");
#undef EXPECT
}

static void test_equal(void **state)
{
	(void)state;
	struct child_status a = good(), b = good();
	assert_true(status_equal(&a, &b));
	b.end_date = "2025-12-01";
	assert_false(status_equal(&a, &b));
	b = good();
	b.recorded_at_ms++;
	assert_false(status_equal(&a, &b));
	b = good();
	b.child.postcode = "LS14AP"; /* the bytes sent, not their meaning */
	assert_false(status_equal(&a, &b));
	b = good();
	b.social_worker_contact = "";
	assert_false(status_equal(&a, &b));
}

/* ---- in force over time ---- */

static void test_facts_over_time(void **state)
{
	(void)state;
	struct child_status s = good();
	s.start_date = "2025-11-03";
	s.end_date = "2025-12-01";
	struct status_fact f[3];
	status_fact_of(&s, 7, &f[0]);
	assert_int_equal(f[0].seq, 7);
	const int64_t start = NOW - 59 * DAY, end = NOW - 31 * DAY; /* 3 Nov, 1 Dec */
	assert_int_equal(f[0].from_ms, start);
	assert_int_equal(f[0].to_ms, end);
	const uint32_t plan = status_bit(STATUS_PROTECTION_PLAN, 0);
	const uint32_t neglect = status_bit(STATUS_PROTECTION_PLAN, 1);
	/* From the start day on, up to the end day (no longer from then). */
	assert_int_equal(status_mask_at(f, 1, start - 1), 0);
	assert_int_equal(status_mask_at(f, 1, start), plan | neglect);
	assert_int_equal(status_mask_at(f, 1, end - 1), plan | neglect);
	assert_int_equal(status_mask_at(f, 1, end), 0);
	assert_true(status_in_force(&f[0], start));
	assert_false(status_in_force(&f[0], end));

	/* A second status, open-ended; a superseded version never counts. */
	s = good();
	s.kind = STATUS_LOOKED_AFTER;
	s.category = 0;
	s.legal_status = 1;
	s.start_date = "2025-11-20";
	status_fact_of(&s, 8, &f[1]);
	assert_int_equal(f[1].to_ms, INT64_MAX);
	status_fact_of(&s, 9, &f[2]);
	f[2].from_ms = start - 100 * DAY;
	f[2].superseded = 1;
	const uint32_t lac = status_bit(STATUS_LOOKED_AFTER, 0);
	assert_int_equal(status_mask_at(f, 3, start), plan | neglect);
	assert_int_equal(status_mask_at(f, 3, start + 20 * DAY), plan | neglect | lac);
	assert_int_equal(status_mask_at(f, 3, NOW + 1000 * DAY), lac);
	assert_int_equal(status_mask_at(f, 3, start - 50 * DAY), 0);
	/* A pre-birth plan's category does not make it a child protection
	 * plan. */
	s = good();
	s.kind = STATUS_PRE_BIRTH_PLAN;
	status_fact_of(&s, 10, &f[0]);
	assert_int_equal(status_mask_at(f, 1, NOW), status_bit(STATUS_PRE_BIRTH_PLAN, 0));
}

static void test_terms_and_words(void **state)
{
	(void)state;
	assert_int_equal(status_term_parse("child-in-need"), 1u << 1);
	assert_int_equal(status_term_parse("child-protection-plan"), 1u << 2);
	assert_int_equal(status_term_parse("LOOKED_AFTER"), 1u << 3);
	assert_int_equal(status_term_parse("pre-birth-plan"), 1u << 4);
	assert_int_equal(status_term_parse("child-protection-plan:neglect"), 1u << 9);
	assert_int_equal(status_term_parse("child-protection-plan:Multiple"), 1u << 13);
	assert_int_equal(status_term_parse("child-protection-plan:"), 0);
	assert_int_equal(status_term_parse("looked-after:neglect"), 0);
	assert_int_equal(status_term_parse("child-protection-plan:care-order"), 0);
	assert_int_equal(status_term_parse("unspecified"), 0);
	assert_int_equal(status_term_parse(""), 0);
	assert_int_equal(status_term_parse("a-very-long-term-that-is-no-status-at-all-x:y"), 0);
	assert_int_equal(status_bit(0, 0), 0);
	assert_int_equal(status_bit(5, 0), 0);
	assert_int_equal(status_bit(STATUS_CHILD_IN_NEED, 1), 0);
	assert_int_equal(status_bits_all(), 0x3e1e);
	assert_int_equal(STATUS_KIND_BIT(STATUS_PROTECTION_PLAN), status_bit(2, 0));

	char buf[160];
	status_phrase(status_bit(STATUS_CHILD_IN_NEED, 0), buf, sizeof buf);
	assert_string_equal(buf, "a child in need");
	/* Any plan is wider than a plan of one category. */
	status_phrase(status_bit(2, 0) | status_bit(2, 3), buf, sizeof buf);
	assert_string_equal(buf, "on a child protection plan");
	status_phrase(status_bit(2, 3) | status_bit(4, 0), buf, sizeof buf);
	assert_string_equal(buf, "on a child protection plan (emotional abuse) or on a pre-birth "
	                         "plan");
	/* Cut to the buffer, the length it needed returned. */
	size_t need = status_phrase(status_bits_all(), buf, sizeof buf);
	char small[12];
	assert_int_equal(status_phrase(status_bits_all(), small, sizeof small), need);
	assert_int_equal(strlen(small), sizeof small - 1);
	assert_string_equal(status_kind_name(3), "LOOKED_AFTER");
	assert_string_equal(status_category_name(5), "MULTIPLE");
	assert_string_equal(status_legal_name(8), "REMANDED");
	assert_string_equal(status_legal_name(9), "UNKNOWN");
}

/* ---- a lookup's request ---- */

static const char *lookup(const char *nhs, const char *upn, const char *setting,
                          const char *asked_by, struct child_identity *named)
{
	static char norm[14];
	err[0] = '\0';
	if (lookup_check(nhs, upn, setting, asked_by, named, norm, err, sizeof err) == 0)
		return "";
	return err;
}

static void test_lookup_request(void **state)
{
	(void)state;
	struct child_identity named;
	assert_string_equal(lookup("943 476 5919", "", "City ED", "", &named), "");
	assert_string_equal(named.nhs_number, "9434765919");
	assert_string_equal(named.upn, "");
	assert_string_equal(lookup("", "b801200005001", "Urgent care", "Dr Khan", &named), "");
	assert_string_equal(named.upn, "B801200005001");
	assert_string_equal(named.nhs_number, "");
	assert_string_equal(named.family_name, "");

	assert_string_equal(lookup("9434765919", "B801200005001", "City ED", "", &named),
	                    "lookup: give nhs_number or upn, not both");
	assert_string_equal(lookup("", "", "City ED", "", &named),
	                    "lookup: give the child's nhs_number or upn");
	assert_string_equal(lookup("9434765918", "", "City ED", "", &named),
	                    "lookup.nhs_number: check digit mismatch");
	assert_string_equal(lookup("", "A801200005001", "City ED", "", &named),
	                    "lookup.upn: check letter mismatch");
	assert_string_equal(lookup("9434765919", "", "", "", &named),
	                    "lookup.setting: required (where the child is, e.g. \"City Hospital "
	                    "ED\")");
	assert_string_equal(lookup("9434765919", "", "City\nED", "", &named),
	                    "lookup.setting: contains a control character");
	assert_string_equal(lookup("9434765919", "", "\xe2\x82", "", &named),
	                    "lookup.setting: not valid UTF-8");
	char long_text[130];
	memset(long_text, 'x', sizeof long_text - 1);
	long_text[sizeof long_text - 1] = '\0';
	assert_string_equal(lookup("9434765919", "", "City ED", long_text, &named),
	                    "lookup.asked_by: longer than 128 bytes");
	long_text[128] = '\0'; /* exactly 128 */
	assert_string_equal(lookup("9434765919", "", long_text, long_text, &named), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_statuses),
	    cmocka_unit_test(test_every_rule_names_its_field),
	    cmocka_unit_test(test_equal),
	    cmocka_unit_test(test_facts_over_time),
	    cmocka_unit_test(test_terms_and_words),
	    cmocka_unit_test(test_lookup_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
