/*
 * Unit tests for ffc-web's form decoding (web_form.c) and stream
 * positions (web_ring.c's ring_pos_parse): what browsers send, decoded;
 * everything malformed or over a bound refused with a message naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web_form.h"
#include "web_ring.h"

static struct web_form f;

static int parse(const char *body, char *err)
{
	return web_form_parse(body, strlen(body), &f, err, 160);
}

static void test_decoded(void **state)
{
	(void)state;
	char err[160];
	assert_int_equal(parse("alert_id=A00000007&note=Calling+the+school%2C+then+GP"
	                       "&csrf=abc&&empty=&bare",
	                       err),
	                 0);
	assert_int_equal(f.n, 5);
	assert_string_equal(web_form_get(&f, "alert_id"), "A00000007");
	assert_string_equal(web_form_get(&f, "note"), "Calling the school, then GP");
	assert_string_equal(web_form_get(&f, "empty"), "");
	assert_string_equal(web_form_get(&f, "bare"), "");
	assert_null(web_form_get(&f, "missing"));
	/* UTF-8, line breaks as a textarea sends them. */
	assert_int_equal(parse("text=Zo%C3%AB%27s+school%0D%0Asaid+so%0Aok&n%61me=x", err), 0);
	assert_string_equal(web_form_get(&f, "text"), "Zo\xc3\xab's school\nsaid so\nok");
	assert_string_equal(web_form_get(&f, "name"), "x");
	assert_int_equal(parse("", err), 0);
	assert_int_equal(f.n, 0);
}

static void test_refused(void **state)
{
	(void)state;
	static const struct {
		const char *body, *why;
	} cases[] = {
	    {"a=1&a=2", "form: a: given twice"},
	    {"a=%zz", "form: a: a broken %-escape"},
	    {"a=%4", "form: a: a broken %-escape"},
	    {"a=%", "form: a: a broken %-escape"},
	    {"a=x%00y", "form: a: not UTF-8 text"},
	    {"a=%C3%28", "form: a: not UTF-8 text"},
	    {"a=%ED%A0%80", "form: a: not UTF-8 text"},    /* a surrogate */
	    {"a=%C0%AF", "form: a: not UTF-8 text"},       /* overlong */
	    {"a=%F4%90%80%80", "form: a: not UTF-8 text"}, /* past U+10FFFF */
	    {"=x", "form: a field name that is empty, too long or not text"},
	    {"%00=x", "form: a field name that is empty, too long or not text"},
	    {"abcdefghijklmnopqrstuvwxyz0123456=x",
	     "form: a field name that is empty, too long or not text"},
	};
	char err[160];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (parse(cases[i].body, err) != -1)
			fail_msg("accepted %s", cases[i].body);
		assert_string_equal(err, cases[i].why);
	}
	char body[200] = "";
	for (int i = 0; i < 17; i++) {
		char one[16];
		snprintf(one, sizeof one, "f%d=%d&", i, i);
		strcat(body, one);
	}
	assert_int_equal(parse(body, err), -1);
	assert_string_equal(err, "form: more than 16 fields");
	char *big = malloc(WEB_FORM_MAX + 2);
	memset(big, 'x', WEB_FORM_MAX + 1);
	big[0] = 'a';
	big[1] = '=';
	big[WEB_FORM_MAX + 1] = '\0';
	assert_int_equal(parse(big, err), -1);
	assert_string_equal(err, "form: 16385 bytes, more than 16384");
	big[WEB_FORM_MAX] = '\0'; /* exactly the limit: fine */
	assert_int_equal(parse(big, err), 0);
	assert_int_equal(strlen(web_form_get(&f, "a")), WEB_FORM_MAX - 2);
	free(big);
}

static void test_positions(void **state)
{
	(void)state;
	struct ring_pos p;
	assert_int_equal(ring_pos_parse("0123456789abcdef.42.7", &p), 0);
	assert_string_equal(p.boot, "0123456789abcdef");
	assert_int_equal(p.id, 42);
	assert_int_equal(p.seq, 7);
	char text[RING_POS_MAX];
	ring_pos_format(&p, text);
	assert_string_equal(text, "0123456789abcdef.42.7");
	assert_int_equal(ring_pos_parse("0123456789abcdef.9999999999999999999.0", &p), 0);
	static const char *const bad[] = {
	    "",
	    "0123456789abcdef",
	    "0123456789abcdef.1",
	    "0123456789abcdef.1.",
	    "0123456789ABCDEF.1.2",
	    "0123456789abcde.1.2",
	    "0123456789abcdef..2",
	    "0123456789abcdef.1.2.",
	    "0123456789abcdef.-1.2",
	    "0123456789abcdef.1.2x",
	    "0123456789abcdef.10000000000000000000.0",
	    "0123456789abcdef.1. 2",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (ring_pos_parse(bad[i], &p) != -1)
			fail_msg("accepted '%s'", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decoded),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_positions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
