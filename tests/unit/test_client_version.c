/*
 * Unit tests for libffc's version: ffc_version() says the version the
 * library was built as, the header's macros agree with it and with each
 * other, and both are the project's version (FFC_VERSION, given by
 * CMakeLists.txt to every build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ffc/ffc.h"

static void test_version_string(void **state)
{
	(void)state;
	const char *v = ffc_version();
	assert_non_null(v);
	assert_string_equal(v, FFC_VERSION_STRING);
	assert_string_equal(v, FFC_VERSION);
	/* The same pointer each time: static, never freed. */
	assert_ptr_equal(ffc_version(), v);
}

static void test_version_macros(void **state)
{
	(void)state;
	char parts[32];
	snprintf(parts, sizeof parts, "%d.%d.%d", FFC_VERSION_MAJOR, FFC_VERSION_MINOR,
	         FFC_VERSION_PATCH);
	assert_string_equal(parts, FFC_VERSION_STRING);
	assert_int_equal(FFC_VERSION_NUMBER,
	                 FFC_VERSION_MAJOR * 10000 + FFC_VERSION_MINOR * 100 + FFC_VERSION_PATCH);
#if FFC_VERSION_NUMBER < FFC_MAKE_VERSION(0, 1, 0)
	fail_msg("FFC_VERSION_NUMBER does not compare in #if");
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_version_string),
	    cmocka_unit_test(test_version_macros),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
