/*
 * Unit tests for libffc's JSON conversion and time helpers: round trips
 * through JSON, enum names both ways, oneofs, and errors that name the
 * field path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ffc/ffc.h"

static Ffc__V1__Concern *from_json(const char *text, char *err, size_t errlen, int *rc)
{
	ProtobufCMessage *m = NULL;
	*rc = ffc_message_from_json(&ffc__v1__concern__descriptor, text, &m, err, errlen);
	return (Ffc__V1__Concern *)m;
}

static void test_concern_from_json(void **state)
{
	(void)state;
	char err[256];
	int rc;
	Ffc__V1__Concern *c = from_json(
	    "{\"concern_id\":\"p-1\",\"agency\":\"police\",\"category\":\"domestic-abuse\","
	    "\"severity\":\"IMMEDIATE_RISK\",\"occurred_at_ms\":1767225600000,"
	    "\"children\":[{\"nhs_number\":\"9434765919\",\"given_name\":\"Zo\\u00eb\"},"
	    "{\"upn\":\"B801200005001\"}]}",
	    err, sizeof err, &rc);
	assert_int_equal(rc, FFC_OK);
	assert_non_null(c);
	assert_string_equal(c->concern_id, "p-1");
	assert_int_equal(c->agency, FFC__V1__AGENCY__POLICE);
	assert_int_equal(c->category, FFC__V1__CATEGORY__DOMESTIC_ABUSE);
	assert_int_equal(c->severity, FFC__V1__SEVERITY__IMMEDIATE_RISK);
	assert_int_equal(c->occurred_at_ms, 1767225600000LL);
	assert_int_equal(c->n_children, 2);
	assert_string_equal(c->children[0]->given_name, "Zo\xc3\xab");
	assert_string_equal(c->children[1]->upn, "B801200005001");
	assert_string_equal(c->summary, "");

	/* And back: proto field names, enums by name, 64-bit integers whole. */
	char *json = ffc_json_from_message(&c->base);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"agency\":\"POLICE\""));
	assert_non_null(strstr(json, "\"category\":\"DOMESTIC_ABUSE\""));
	assert_non_null(strstr(json, "\"occurred_at_ms\":1767225600000"));
	assert_non_null(strstr(json, "\"nhs_number\":\"9434765919\""));
	Ffc__V1__Concern *back = from_json(json, err, sizeof err, &rc);
	assert_int_equal(rc, FFC_OK);
	size_t n1 = ffc__v1__concern__get_packed_size(c);
	size_t n2 = ffc__v1__concern__get_packed_size(back);
	assert_int_equal(n1, n2);
	uint8_t *b1 = malloc(n1), *b2 = malloc(n2);
	ffc__v1__concern__pack(c, b1);
	ffc__v1__concern__pack(back, b2);
	assert_memory_equal(b1, b2, n1);
	free(b1);
	free(b2);
	free(json);
	ffc__v1__concern__free_unpacked(back, NULL);
	ffc__v1__concern__free_unpacked(c, NULL);
}

static void test_errors_name_the_field(void **state)
{
	(void)state;
	char err[256];
	int rc;
	assert_null(from_json("{\"children\":[{\"nhs_number\":12}]}", err, sizeof err, &rc));
	assert_int_equal(rc, FFC_EJSON);
	assert_string_equal(err, "children[0].nhs_number: expected a string");

	assert_null(from_json("{\"agency\":\"fire-brigade\"}", err, sizeof err, &rc));
	assert_string_equal(err, "agency: 'fire-brigade' is not a value of Agency");

	assert_null(from_json("{\"colour\":\"red\"}", err, sizeof err, &rc));
	assert_string_equal(err, "colour: unknown field");

	assert_null(from_json("{\"children\":{}}", err, sizeof err, &rc));
	assert_string_equal(err, "children: expected an array");

	assert_null(from_json("{\"occurred_at_ms\":\"today\"}", err, sizeof err, &rc));
	assert_string_equal(err, "occurred_at_ms: 'today' is not a whole number");
	assert_null(from_json("{\"occurred_at_ms\":true}", err, sizeof err, &rc));
	assert_string_equal(err, "occurred_at_ms: expected a whole number");
	assert_null(from_json("{\"occurred_at_ms\":1.5}", err, sizeof err, &rc));
	assert_string_equal(err, "occurred_at_ms: expected a whole number");
	assert_null(
	    from_json("{\"occurred_at_ms\":\"9223372036854775808\"}", err, sizeof err, &rc));
	assert_string_equal(err, "occurred_at_ms: out of range");
	assert_null(
	    from_json("{\"occurred_at_ms\":\"99999999999999999999999\"}", err, sizeof err, &rc));
	assert_string_equal(err, "occurred_at_ms: '99999999999999999999999' is not a whole number");
	assert_null(from_json("{\"occurred_at_ms\":\" 12\"}", err, sizeof err, &rc));
	assert_string_equal(err, "occurred_at_ms: ' 12' is not a whole number");
	assert_null(from_json("{\"agency\":\"2\"}", err, sizeof err, &rc));
	assert_string_equal(err, "agency: '2' is not a value of Agency");
	/* One field under both its names. */
	assert_null(from_json("{\"concern_id\":\"a\",\"concernId\":\"a\"}", err, sizeof err, &rc));
	assert_true(!strcmp(err, "concernId: given twice (as concern_id and as its JSON name)") ||
	            !strcmp(err, "concern_id: given twice (as concern_id and as its JSON name)"));
	/* Names that are neither. */
	assert_null(from_json("{\"ConcernId\":\"a\"}", err, sizeof err, &rc));
	assert_string_equal(err, "ConcernId: unknown field");
	assert_null(from_json("{\"concernid\":\"a\"}", err, sizeof err, &rc));
	assert_string_equal(err, "concernid: unknown field");

	assert_null(from_json("[1,2]", err, sizeof err, &rc));
	assert_int_equal(rc, FFC_EJSON);
	assert_null(from_json("{\"concern_id\":", err, sizeof err, &rc));
	assert_int_equal(rc, FFC_EJSON);
	assert_null(from_json("{\"a\":1,\"a\":2}", err, sizeof err, &rc));
	assert_int_equal(rc, FFC_EJSON);
	/* An enum by number is accepted as sent (the daemon judges it). */
	Ffc__V1__Concern *c = from_json("{\"agency\":2}", err, sizeof err, &rc);
	assert_non_null(c);
	assert_int_equal(c->agency, FFC__V1__AGENCY__HEALTH);
	ffc__v1__concern__free_unpacked(c, NULL);
}

/* The protobuf standard JSON mapping, as json_format.MessageToJson writes
 * a Concern: camelCase names, int64 as strings, enums by name. */
static void test_standard_mapping(void **state)
{
	(void)state;
	char err[256];
	int rc;
	Ffc__V1__Concern *c =
	    from_json("{\"concernId\": \"h-1\", \"agency\": \"HEALTH\", \"category\": 4,"
	              " \"severity\": \"HIGH\", \"occurredAtMs\": \"1767225600000\","
	              " \"reportedAtMs\": 1767225660000.0, \"sourceSystem\": \"SystmOne\","
	              " \"children\": [{\"nhsNumber\": \"9434765919\", \"givenName\": \"Ella\","
	              " \"dateOfBirth\": \"2015-03-02\"}], \"summary\": null, \"reporter\": null}",
	              err, sizeof err, &rc);
	assert_int_equal(rc, FFC_OK);
	assert_string_equal(c->concern_id, "h-1");
	assert_int_equal(c->agency, FFC__V1__AGENCY__HEALTH);
	assert_int_equal(c->category, 4);
	assert_int_equal(c->occurred_at_ms, 1767225600000LL);
	assert_int_equal(c->reported_at_ms, 1767225660000LL);
	assert_string_equal(c->source_system, "SystmOne");
	assert_string_equal(c->children[0]->nhs_number, "9434765919");
	assert_string_equal(c->children[0]->given_name, "Ella");
	assert_string_equal(c->children[0]->date_of_birth, "2015-03-02");
	assert_string_equal(c->summary, "");
	ffc__v1__concern__free_unpacked(c, NULL);

	/* Negative int64 strings, repeated null, and the 32-bit range. */
	c = from_json("{\"occurredAtMs\":\"-2208988800000\",\"children\":null}", err, sizeof err,
	              &rc);
	assert_int_equal(rc, FFC_OK);
	assert_int_equal(c->occurred_at_ms, -2208988800000LL);
	assert_int_equal(c->n_children, 0);
	ffc__v1__concern__free_unpacked(c, NULL);
	ProtobufCMessage *m = NULL;
	assert_int_equal(ffc_message_from_json(&ffc__v1__alerts_request__descriptor,
	                                       "{\"sinceSeq\":\"18446744073709551615\","
	                                       "\"limit\":\"4294967295\"}",
	                                       &m, err, sizeof err),
	                 FFC_OK);
	assert_true(((Ffc__V1__AlertsRequest *)m)->since_seq == UINT64_MAX);
	assert_int_equal(((Ffc__V1__AlertsRequest *)m)->limit, UINT32_MAX);
	protobuf_c_message_free_unpacked(m, NULL);
	assert_int_equal(ffc_message_from_json(&ffc__v1__alerts_request__descriptor,
	                                       "{\"limit\":\"4294967296\"}", &m, err, sizeof err),
	                 FFC_EJSON);
	assert_string_equal(err, "limit: out of range");
	assert_int_equal(ffc_message_from_json(&ffc__v1__alerts_request__descriptor,
	                                       "{\"sinceSeq\":\"-1\"}", &m, err, sizeof err),
	                 FFC_EJSON);
	assert_string_equal(err, "sinceSeq: must not be negative");
	assert_null(m);
}

static void test_oneof_and_nested(void **state)
{
	(void)state;
	char err[256];
	ProtobufCMessage *m = NULL;
	assert_int_equal(ffc_message_from_json(&ffc__v1__control_request__descriptor,
	                                       "{\"operator\":\"sam\",\"alerts\":{\"since_seq\":4,"
	                                       "\"level\":\"red\"}}",
	                                       &m, err, sizeof err),
	                 FFC_OK);
	Ffc__V1__ControlRequest *r = (Ffc__V1__ControlRequest *)m;
	assert_int_equal(r->command_case, FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS);
	assert_int_equal(r->alerts->since_seq, 4);
	assert_int_equal(r->alerts->level, FFC__V1__LEVEL__RED);
	char *json = ffc_json_from_message(m);
	assert_string_equal(json, "{\"operator\":\"sam\",\"purpose\":\"\",\"on_behalf_of\":\"\","
	                          "\"on_behalf_role\":\"\",\"alerts\":{\"since_seq\":4,"
	                          "\"level\":\"RED\",\"limit\":0,\"overdue\":false,"
	                          "\"state\":\"ALERT_STATE_UNSPECIFIED\",\"history\":false}}");
	free(json);
	protobuf_c_message_free_unpacked(m, NULL);
}

static void test_time(void **state)
{
	(void)state;
	int64_t ms;
	char buf[32];
	assert_int_equal(ffc_parse_time("2026-01-01", &ms), FFC_OK);
	assert_int_equal(ms, 1767225600000LL);
	assert_int_equal(ffc_parse_time("2026-01-01T10:30Z", &ms), FFC_OK);
	assert_int_equal(ms, 1767225600000LL + 10 * 3600000LL + 30 * 60000LL);
	assert_int_equal(ffc_parse_time("2024-02-29T23:59:59Z", &ms), FFC_OK);
	ffc_format_time(ms, buf, sizeof buf);
	assert_string_equal(buf, "2024-02-29 23:59");
	ffc_format_time(0, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01 00:00");
	ffc_format_time(-60000, buf, sizeof buf);
	assert_string_equal(buf, "1969-12-31 23:59");
	assert_int_equal(ffc_parse_time("2023-02-29", &ms), FFC_EINVAL);
	assert_int_equal(ffc_parse_time("2026-13-01", &ms), FFC_EINVAL);
	assert_int_equal(ffc_parse_time("2026-01-01T24:00", &ms), FFC_EINVAL);
	/* RFC 3339: fractions to the millisecond, offsets either way. */
	assert_int_equal(ffc_parse_time("2026-01-01T10:30:00.123456789+01:00", &ms), FFC_OK);
	assert_int_equal(ms, 1767225600000LL + 9 * 3600000LL + 30 * 60000LL + 123);
	assert_int_equal(ffc_parse_time("2026-01-01t10:30:05.5z", &ms), FFC_OK);
	assert_int_equal(ms, 1767225600000LL + 10 * 3600000LL + 30 * 60000LL + 5500);
	assert_int_equal(ffc_parse_time("2025-12-31T19:00:00-05:00", &ms), FFC_OK);
	assert_int_equal(ms, 1767225600000LL);
	assert_int_equal(ffc_parse_time("2026-01-01T10:30+01:00", &ms), FFC_OK);
	assert_int_equal(ms, 1767225600000LL + 9 * 3600000LL + 30 * 60000LL);
	assert_int_equal(ffc_parse_time("2026-01-01T10:30:00.Z", &ms), FFC_EINVAL);
	assert_int_equal(ffc_parse_time("2026-01-01T10:30:00.1234567890Z", &ms), FFC_EINVAL);
	assert_int_equal(ffc_parse_time("2026-01-01T10:30:00+01", &ms), FFC_EINVAL);
	assert_int_equal(ffc_parse_time("2026-01-01T10:30:00+24:00", &ms), FFC_EINVAL);
	assert_int_equal(ffc_parse_time("2026-01-01T10:30:00+01:60", &ms), FFC_EINVAL);
	assert_int_equal(ffc_parse_time("2026-01-01T10:30:00Z+01:00", &ms), FFC_EINVAL);
	assert_int_equal(ffc_parse_time("2026-01-01+01:00", &ms), FFC_EINVAL);
	assert_int_equal(ffc_parse_time("01/02/2026", &ms), FFC_EINVAL);
	assert_int_equal(ffc_parse_time("", &ms), FFC_EINVAL);
}

static void test_strerror_and_bad_arguments(void **state)
{
	(void)state;
	assert_string_equal(ffc_strerror(FFC_OK), "success");
	assert_non_null(strstr(ffc_strerror(FFC_ETIMEOUT), "ffcd"));
	assert_string_equal(ffc_strerror(-999), "unknown error");
	assert_null(ffc_conn_new(NULL));
	assert_null(ffc_sub_new("tcp://127.0.0.1:1", NULL));
	ffc_conn_t *c = NULL;
	ffc_conn_destroy(&c); /* safe on NULL */
	Ffc__V1__ControlReply *reply = NULL;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	assert_int_equal(ffc_control_call("ipc:///nonexistent/ffc/control.sock", &req, &reply, 100),
	                 FFC_ENODAEMON);
	assert_null(reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_concern_from_json),
	    cmocka_unit_test(test_errors_name_the_field),
	    cmocka_unit_test(test_oneof_and_nested),
	    cmocka_unit_test(test_standard_mapping),
	    cmocka_unit_test(test_time),
	    cmocka_unit_test(test_strerror_and_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
