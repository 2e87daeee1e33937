/*
 * Unit tests for concern.c: enumeration names both ways, and content
 * equality down to every field of every child.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first. */
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "concern.h"

static void test_names(void **state)
{
	(void)state;
	static const char *const agencies[] = {"UNSPECIFIED", "POLICE",      "HEALTH",
	                                       "EDUCATION",   "SOCIAL_CARE", "OTHER"};
	static const char *const categories[] = {
	    "UNSPECIFIED",         "DOMESTIC_ABUSE",  "SUBSTANCE_MISUSE",
	    "MENTAL_HEALTH",       "NEGLECT",         "PHYSICAL_ABUSE",
	    "SEXUAL_ABUSE",        "EMOTIONAL_ABUSE", "CRIMINAL_EXPLOITATION",
	    "SEXUAL_EXPLOITATION", "MISSING",         "EDUCATION_ABSENCE",
	    "WAS_NOT_BROUGHT",     "SELF_HARM",       "INJURY",
	    "OTHER_CONCERN"};
	static const char *const severities[] = {"UNSPECIFIED", "LOW", "MODERATE", "HIGH",
	                                         "IMMEDIATE_RISK"};
	static const char *const levels[] = {"UNSPECIFIED", "AMBER", "RED"};

	assert_int_equal(sizeof agencies / sizeof *agencies, AGENCY_MAX + 1);
	assert_int_equal(sizeof categories / sizeof *categories, CATEGORY_MAX + 1);
	assert_int_equal(sizeof severities / sizeof *severities, SEVERITY_MAX + 1);
	assert_int_equal(sizeof levels / sizeof *levels, LEVEL_MAX + 1);

	for (int v = 0; v <= AGENCY_MAX; v++)
		assert_string_equal(agency_name(v), agencies[v]);
	for (int v = 0; v <= CATEGORY_MAX; v++)
		assert_string_equal(category_name(v), categories[v]);
	for (int v = 0; v <= SEVERITY_MAX; v++)
		assert_string_equal(severity_name(v), severities[v]);
	for (int v = 0; v <= LEVEL_MAX; v++)
		assert_string_equal(level_name(v), levels[v]);

	/* The constants the rest of the daemon names match the proto. */
	assert_string_equal(category_name(CATEGORY_MISSING), "MISSING");
	assert_string_equal(severity_name(SEVERITY_IMMEDIATE), "IMMEDIATE_RISK");
	assert_string_equal(severity_name(SEVERITY_HIGH), "HIGH");
	assert_string_equal(level_name(LEVEL_AMBER), "AMBER");
	assert_string_equal(level_name(LEVEL_RED), "RED");
	assert_string_equal(level_name(LEVEL_NONE), "UNSPECIFIED");
}

static void test_names_out_of_range(void **state)
{
	(void)state;
	assert_string_equal(agency_name(-1), "UNKNOWN");
	assert_string_equal(agency_name(AGENCY_MAX + 1), "UNKNOWN");
	assert_string_equal(agency_name(9), "UNKNOWN");
	assert_string_equal(category_name(-1), "UNKNOWN");
	assert_string_equal(category_name(CATEGORY_MAX + 1), "UNKNOWN");
	assert_string_equal(severity_name(SEVERITY_MAX + 1), "UNKNOWN");
	assert_string_equal(severity_name(INT32_MIN), "UNKNOWN");
	assert_string_equal(level_name(LEVEL_MAX + 1), "UNKNOWN");
	assert_string_equal(level_name(INT32_MAX), "UNKNOWN");
}

static void test_parse_round_trip(void **state)
{
	(void)state;
	for (int v = 1; v <= AGENCY_MAX; v++)
		assert_int_equal(agency_parse(agency_name(v)), v);
	for (int v = 1; v <= CATEGORY_MAX; v++)
		assert_int_equal(category_parse(category_name(v)), v);
	for (int v = 1; v <= SEVERITY_MAX; v++)
		assert_int_equal(severity_parse(severity_name(v)), v);
	for (int v = 1; v <= LEVEL_MAX; v++)
		assert_int_equal(level_parse(level_name(v)), v);
}

static void test_parse_spellings(void **state)
{
	(void)state;
	assert_int_equal(agency_parse("police"), 1);
	assert_int_equal(agency_parse("Health"), 2);
	assert_int_equal(agency_parse("social-care"), 4);
	assert_int_equal(agency_parse("Social_Care"), 4);
	assert_int_equal(category_parse("domestic-abuse"), 1);
	assert_int_equal(category_parse("DOMESTIC_ABUSE"), 1);
	assert_int_equal(category_parse("Was-Not-Brought"), 12);
	assert_int_equal(category_parse("other_concern"), 15);
	assert_int_equal(severity_parse("immediate-risk"), 4);
	assert_int_equal(severity_parse("low"), 1);
	assert_int_equal(level_parse("amber"), 1);
	assert_int_equal(level_parse("Red"), 2);
}

static void test_parse_unknown(void **state)
{
	(void)state;
	assert_int_equal(agency_parse(NULL), -1);
	assert_int_equal(agency_parse(""), -1);
	assert_int_equal(agency_parse("polic"), -1);
	assert_int_equal(agency_parse("policex"), -1);
	assert_int_equal(agency_parse("police "), -1);
	assert_int_equal(agency_parse("social care"), -1);
	assert_int_equal(agency_parse("1"), -1);
	assert_int_equal(agency_parse("UNKNOWN"), -1);
	/* Unspecified is never a value to ask for. */
	assert_int_equal(agency_parse("UNSPECIFIED"), -1);
	assert_int_equal(agency_parse("unspecified"), -1);
	assert_int_equal(agency_parse("AGENCY_UNSPECIFIED"), -1);
	assert_int_equal(category_parse("unspecified"), -1);
	assert_int_equal(category_parse("domestic abuse"), -1);
	assert_int_equal(category_parse("domestic"), -1);
	assert_int_equal(severity_parse("UNSPECIFIED"), -1);
	assert_int_equal(severity_parse("immediate"), -1);
	assert_int_equal(level_parse("unspecified"), -1);
	assert_int_equal(level_parse("green"), -1);
	/* A name of another enum is not this one's. */
	assert_int_equal(level_parse("HIGH"), -1);
	assert_int_equal(severity_parse("RED"), -1);
	assert_int_equal(category_parse("POLICE"), -1);
	/* OTHER is an agency; OTHER_CONCERN the category. */
	assert_int_equal(agency_parse("OTHER"), 5);
	assert_int_equal(category_parse("OTHER"), -1);
	assert_int_equal(agency_parse("OTHER_CONCERN"), -1);
}

/* ---- equality ---- */

static struct child_identity kids_a[2] = {
    {"9434765919", "", "P-77", "Ella", "Smith", "2015-03-02", "LS1 4AP"},
    {"", "B801200005001", "", "Tom", "Smith", "2017-06-30", ""},
};

static struct concern sample(const struct child_identity *kids)
{
	struct concern c = {
	    .concern_id = "pol-1",
	    .agency = 1,
	    .source_system = "Niche RMS",
	    .n_children = 2,
	    .children = kids,
	    .category = 1,
	    .severity = 3,
	    .occurred_at_ms = INT64_C(1767225600000),
	    .reported_at_ms = INT64_C(1767225660000),
	    .summary = "Call-out; children present.",
	    .reporter = "PC 1234",
	};
	return c;
}

static void test_equal_same_content(void **state)
{
	(void)state;
	struct concern a = sample(kids_a);
	assert_true(concern_equal(&a, &a));

	/* Copies in other memory: equality is about content, not pointers. */
	char text[2][7][32], id[32], summary[64];
	struct child_identity kids_b[2];
	for (int i = 0; i < 2; i++) {
		const char *src[7] = {kids_a[i].nhs_number,  kids_a[i].upn,
		                      kids_a[i].local_id,    kids_a[i].given_name,
		                      kids_a[i].family_name, kids_a[i].date_of_birth,
		                      kids_a[i].postcode};
		for (int f = 0; f < 7; f++)
			snprintf(text[i][f], sizeof text[i][f], "%s", src[f]);
		struct child_identity k = {text[i][0], text[i][1], text[i][2], text[i][3],
		                           text[i][4], text[i][5], text[i][6]};
		kids_b[i] = k;
	}
	struct concern b = sample(kids_b);
	snprintf(id, sizeof id, "%s", a.concern_id);
	snprintf(summary, sizeof summary, "%s", a.summary);
	b.concern_id = id;
	b.summary = summary;
	assert_ptr_not_equal(a.children[0].nhs_number, b.children[0].nhs_number);
	assert_true(concern_equal(&a, &b));
	assert_true(concern_equal(&b, &a));

	/* No children on either side. */
	a.n_children = 0;
	a.children = NULL;
	b = a;
	assert_true(concern_equal(&a, &b));
}

static void test_equal_each_concern_field(void **state)
{
	(void)state;
	const struct concern a = sample(kids_a);
	struct concern b;

	b = a, b.concern_id = "pol-2";
	assert_false(concern_equal(&a, &b));
	b = a, b.agency = 2;
	assert_false(concern_equal(&a, &b));
	b = a, b.source_system = "Niche";
	assert_false(concern_equal(&a, &b));
	b = a, b.category = 2;
	assert_false(concern_equal(&a, &b));
	b = a, b.severity = 4;
	assert_false(concern_equal(&a, &b));
	b = a, b.occurred_at_ms++;
	assert_false(concern_equal(&a, &b));
	b = a, b.reported_at_ms++;
	assert_false(concern_equal(&a, &b));
	b = a, b.summary = "Call-out; children present";
	assert_false(concern_equal(&a, &b));
	b = a, b.reporter = "";
	assert_false(concern_equal(&a, &b));
	b = a, b.n_children = 1;
	assert_false(concern_equal(&a, &b));
	assert_false(concern_equal(&b, &a));
}

static void test_equal_each_child_field(void **state)
{
	(void)state;
	const struct concern a = sample(kids_a);
	for (int child = 0; child < 2; child++) {
		for (int field = 0; field < 7; field++) {
			struct child_identity kids_b[2] = {kids_a[0], kids_a[1]};
			struct child_identity *k = &kids_b[child];
			const char **f[] = {&k->nhs_number, &k->upn,         &k->local_id,
			                    &k->given_name, &k->family_name, &k->date_of_birth,
			                    &k->postcode};
			/* Differ by one character, or by absence. */
			*f[field] = (*f[field])[0] ? "" : "x";
			struct concern b = sample(kids_b);
			assert_false(concern_equal(&a, &b));
			assert_false(concern_equal(&b, &a));
		}
	}
	/* Same children in another order is other content. */
	struct child_identity swapped[2] = {kids_a[1], kids_a[0]};
	struct concern b = sample(swapped);
	assert_false(concern_equal(&a, &b));
	/* Normalisation is not equality: a resend carries the same bytes. */
	struct child_identity spaced[2] = {kids_a[0], kids_a[1]};
	spaced[0].nhs_number = "943 476 5919";
	b = sample(spaced);
	assert_false(concern_equal(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_names_out_of_range),
	    cmocka_unit_test(test_parse_round_trip),
	    cmocka_unit_test(test_parse_spellings),
	    cmocka_unit_test(test_parse_unknown),
	    cmocka_unit_test(test_equal_same_content),
	    cmocka_unit_test(test_equal_each_concern_field),
	    cmocka_unit_test(test_equal_each_child_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
