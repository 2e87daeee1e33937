/*
 * Unit tests for ffc-send's input (client/tools/ffc_send_input.c): objects
 * split out of JSON Lines and pretty-printed JSON with the line each
 * began on, comments and blanks between them skipped, braces inside
 * strings ignored, a broken object costing only itself, one too long
 * refused; and the date fields people write turned into *_ms.
 */
/* cmocka needs these before its own header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffc_send_input.h"

struct got {
	int rc;
	long line;
	char text[512];
};

/* Every result of send_input_next() over text, up to max. */
static size_t split(const char *text, struct got *out, size_t max)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	assert_non_null(f);
	struct send_input si;
	send_input_init(&si, f);
	size_t n = 0;
	const char *t;
	long line = 0;
	int rc;
	while (n < max && (rc = send_input_next(&si, &t, &line)) != SEND_INPUT_END) {
		out[n].rc = rc;
		out[n].line = line;
		snprintf(out[n].text, sizeof out[n].text, "%s", rc == SEND_INPUT_OBJECT ? t : "");
		n++;
	}
	send_input_release(&si);
	fclose(f);
	return n;
}

static void test_split(void **state)
{
	(void)state;
	struct got g[8];
	size_t n = split("# a comment\n"
	                 "\n"
	                 "{\"concern_id\":\"a\"}\n"
	                 "  {\"concern_id\":\"b{\\\"}\"}\r\n"
	                 "{\n"
	                 "  \"concernId\": \"c\",\n"
	                 "  \"children\": [\n"
	                 "    {\n"
	                 "      \"nhsNumber\": \"}\"\n"
	                 "    }\n"
	                 "  ]\n"
	                 "}\n"
	                 "[1, 2]\n"
	                 "hello\n",
	                 g, 8);
	assert_int_equal(n, 5);
	assert_int_equal(g[0].rc, SEND_INPUT_OBJECT);
	assert_int_equal(g[0].line, 3);
	assert_string_equal(g[0].text, "{\"concern_id\":\"a\"}\n");
	assert_int_equal(g[1].line, 4);
	assert_string_equal(g[1].text, "{\"concern_id\":\"b{\\\"}\"}\n");
	assert_int_equal(g[2].line, 5);
	assert_non_null(strstr(g[2].text, "\"nhsNumber\": \"}\"\n    }\n  ]\n}\n"));
	assert_int_equal(g[3].line, 13);
	assert_string_equal(g[3].text, "[1, 2]\n");
	assert_int_equal(g[4].line, 14);
	assert_string_equal(g[4].text, "hello\n");
}

static void test_broken_object_alone(void **state)
{
	(void)state;
	struct got g[8];
	/* An object never closed: the next one at the margin still counts. */
	size_t n = split("{\"concern_id\": \"broken\"\n"
	                 "{\"concern_id\": \"next\"}\n"
	                 "{\n"
	                 "  \"concern_id\": \"open at the end\"\n",
	                 g, 8);
	assert_int_equal(n, 3);
	assert_int_equal(g[0].rc, SEND_INPUT_UNCLOSED);
	assert_int_equal(g[0].line, 1);
	assert_int_equal(g[1].rc, SEND_INPUT_OBJECT);
	assert_int_equal(g[1].line, 2);
	assert_string_equal(g[1].text, "{\"concern_id\": \"next\"}\n");
	assert_int_equal(g[2].rc, SEND_INPUT_UNCLOSED);
	assert_int_equal(g[2].line, 3);
}

static void test_too_long(void **state)
{
	(void)state;
	size_t big = SEND_INPUT_MAX + 100;
	char *text = malloc(big + 64);
	assert_non_null(text);
	strcpy(text, "{\"summary\": \"");
	size_t o = strlen(text);
	memset(text + o, 'x', big);
	strcpy(text + o + big, "\"}\n{\"concern_id\":\"after\"}\n");
	struct got g[4];
	size_t n = split(text, g, 4);
	free(text);
	assert_int_equal(n, 2);
	assert_int_equal(g[0].rc, SEND_INPUT_TOO_LONG);
	assert_int_equal(g[0].line, 1);
	assert_int_equal(g[1].rc, SEND_INPUT_OBJECT);
	assert_int_equal(g[1].line, 2);
}

static void test_dates(void **state)
{
	(void)state;
	char err[256];
	Ffc__V1__Concern *c = NULL;
	assert_int_equal(send_concern_from_json("{\"concernId\":\"d\",\"occurredAt\":"
	                                        "\"2026-01-01T01:00:00.5+01:00\",\"reported_at\":"
	                                        "\"2026-01-01\"}",
	                                        &c, err, sizeof err),
	                 FFC_OK);
	assert_int_equal(c->occurred_at_ms, 1767225600500LL);
	assert_int_equal(c->reported_at_ms, 1767225600000LL);
	ffc__v1__concern__free_unpacked(c, NULL);

	assert_int_equal(
	    send_concern_from_json("{\"occurred_at\":\"yesterday\"}", &c, err, sizeof err),
	    FFC_EJSON);
	assert_null(c);
	assert_non_null(strstr(err, "occurred_at: expected a date like 2026-03-02"));
	assert_int_equal(send_concern_from_json("{\"occurredAt\":\"2026-01-01\","
	                                        "\"occurredAtMs\":\"1\"}",
	                                        &c, err, sizeof err),
	                 FFC_EJSON);
	assert_string_equal(err, "occurredAt: give one of occurredAt and occurredAtMs, not both");
	assert_int_equal(send_concern_from_json("{\"occurred_at\":\"2026-01-01\","
	                                        "\"occurredAt\":\"2026-01-01\"}",
	                                        &c, err, sizeof err),
	                 FFC_EJSON);
	assert_string_equal(err, "occurred_at: give one of occurred_at and occurredAt, not both");
	assert_int_equal(send_concern_from_json("{\"concern_id\":", &c, err, sizeof err),
	                 FFC_EJSON);
	assert_non_null(strstr(err, "not JSON: "));
	assert_int_equal(send_concern_from_json("[1]", &c, err, sizeof err), FFC_EJSON);
	assert_string_equal(err, "not a JSON object");
	assert_int_equal(send_concern_from_json("{\"severity\":\"dire\"}", &c, err, sizeof err),
	                 FFC_EJSON);
	assert_string_equal(err, "severity: 'dire' is not a value of Severity");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_broken_object_alone),
	    cmocka_unit_test(test_too_long),
	    cmocka_unit_test(test_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
