/*
 * Unit tests for access.c: finding keys by name and by public key,
 * operators by name, and role names both ways.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "access.h"

static struct access_list *list(void)
{
	static struct access_list l;
	memset(&l, 0, sizeof l);
	l.n_keys = 2;
	snprintf(l.keys[0].name, sizeof l.keys[0].name, "police-niche");
	l.keys[0].role = ACCESS_ADAPTER;
	l.keys[0].agency = 1;
	memset(l.keys[0].key, 0x11, 32);
	snprintf(l.keys[1].name, sizeof l.keys[1].name, "console-1");
	l.keys[1].role = ACCESS_CONSOLE;
	l.keys[1].levels = 1u << 2;
	memset(l.keys[1].key, 0x22, 32);
	l.n_operators = 1;
	snprintf(l.operators[0].name, sizeof l.operators[0].name, "j.doe");
	l.operators[0].role = ACCESS_PRACTITIONER;
	return &l;
}

static void test_lookups(void **state)
{
	(void)state;
	const struct access_list *l = list();
	assert_ptr_equal(access_key_named(l, "police-niche"), &l->keys[0]);
	assert_ptr_equal(access_key_named(l, "console-1"), &l->keys[1]);
	assert_null(access_key_named(l, "Police-Niche")); /* names are exact */
	assert_null(access_key_named(l, "j.doe"));        /* an operator, not a key */
	assert_null(access_key_named(l, NULL));
	uint8_t k[32];
	memset(k, 0x22, 32);
	assert_ptr_equal(access_key_find(l, k), &l->keys[1]);
	k[31] = 0x23;
	assert_null(access_key_find(l, k));
	assert_ptr_equal(access_operator_named(l, "j.doe"), &l->operators[0]);
	assert_null(access_operator_named(l, "police-niche"));
}

static void test_role_names(void **state)
{
	(void)state;
	for (int r = ACCESS_ADAPTER; r <= ACCESS_ADMIN; r++)
		assert_int_equal(access_role_parse(access_role_name((enum access_role)r)), r);
	assert_int_equal(access_role_parse("ADMIN"), ACCESS_ADMIN);
	assert_int_equal(access_role_parse("none"), ACCESS_NONE);
	assert_int_equal(access_role_parse("root"), ACCESS_NONE);
	assert_int_equal(access_role_parse(""), ACCESS_NONE);
	assert_string_equal(access_role_name(ACCESS_NONE), "none");
	assert_string_equal(access_role_name((enum access_role)99), "none");
}

static void test_names(void **state)
{
	(void)state;
	assert_true(access_name_valid("j.doe"));
	assert_true(access_name_valid("a.admin@la.gov.uk"));
	assert_true(access_name_valid("v_1-X"));
	assert_false(access_name_valid(""));
	assert_false(access_name_valid("j doe"));
	assert_false(access_name_valid("j:doe"));
	assert_false(access_name_valid("z\xc3\xab"));
	char n[ACCESS_NAME_MAX + 1];
	memset(n, 'a', sizeof n);
	n[ACCESS_NAME_MAX - 1] = '\0';
	assert_true(access_name_valid(n)); /* 63 bytes */
	n[ACCESS_NAME_MAX - 1] = 'a';
	n[ACCESS_NAME_MAX] = '\0';
	assert_false(access_name_valid(n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lookups),
	    cmocka_unit_test(test_role_names),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
