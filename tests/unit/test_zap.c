/*
 * Unit tests for zap.c: a well-formed CURVE request is parsed; every
 * malformed frame (count, version, lengths, characters, mechanism,
 * credentials) is refused with the field named; the decision lets a known
 * key onto the socket its role fits and nowhere else.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "zap.h"

static uint8_t key_a[32], key_b[32], key_c[32], key_d[32], key_e[32], key_f[32];

/* A request as libzmq sends it: version, request id, domain, address,
 * routing id, mechanism, the client's public key. */
static size_t request(struct zap_frame *f, const char *domain, const uint8_t *key)
{
	f[0] = (struct zap_frame){(const uint8_t *)"1.0", 3};
	f[1] = (struct zap_frame){(const uint8_t *)"1", 1};
	f[2] = (struct zap_frame){(const uint8_t *)domain, strlen(domain)};
	f[3] = (struct zap_frame){(const uint8_t *)"127.0.0.1", 9};
	f[4] = (struct zap_frame){(const uint8_t *)"", 0};
	f[5] = (struct zap_frame){(const uint8_t *)"CURVE", 5};
	f[6] = (struct zap_frame){key, 32};
	return 7;
}

static void bad(const struct zap_frame *f, size_t n, const char *why)
{
	struct zap_request r;
	char err[ZAP_ERR_MAX] = "";
	assert_int_equal(zap_parse(f, n, &r, err, sizeof err), -1);
	if (!strstr(err, why))
		fail_msg("expected '%s', got '%s'", why, err);
}

static void test_parse_good(void **state)
{
	(void)state;
	struct zap_frame f[8];
	struct zap_request r;
	char err[ZAP_ERR_MAX];
	size_t n = request(f, "ingest", key_a);
	assert_int_equal(zap_parse(f, n, &r, err, sizeof err), 0);
	assert_string_equal(r.domain, "ingest");
	assert_string_equal(r.mechanism, "CURVE");
	assert_memory_equal(r.key, key_a, 32);
	assert_int_equal(r.request_id_len, 1);
	assert_memory_equal(r.request_id, "1", 1);
}

static void test_parse_malformed(void **state)
{
	(void)state;
	struct zap_frame f[8];
	uint8_t big[300];
	memset(big, 'x', sizeof big);
	size_t n = request(f, "ingest", key_a);
	bad(f, 0, "0 frames");
	bad(f, 6, "6 frames");
	f[7] = f[6];
	bad(f, 8, "8 frames");

	request(f, "ingest", key_a);
	f[0] = (struct zap_frame){(const uint8_t *)"2.0", 3};
	bad(f, n, "version");
	f[0] = (struct zap_frame){big, sizeof big};
	bad(f, n, "version");

	request(f, "ingest", key_a);
	f[1] = (struct zap_frame){big, 256};
	bad(f, n, "request id");

	request(f, "ingest", key_a);
	f[2] = (struct zap_frame){big, 256};
	bad(f, n, "domain");
	f[2] = (struct zap_frame){(const uint8_t *)"in\ngest", 7};
	bad(f, n, "domain: not printable");

	request(f, "ingest", key_a);
	f[3] = (struct zap_frame){big, 256};
	bad(f, n, "address");

	request(f, "ingest", key_a);
	f[4] = (struct zap_frame){big, 256};
	bad(f, n, "identity");

	request(f, "ingest", key_a);
	f[5] = (struct zap_frame){(const uint8_t *)"NULL", 4};
	bad(f, n, "mechanism");
	f[5] = (struct zap_frame){(const uint8_t *)"PLAIN", 5};
	bad(f, n, "mechanism");
	f[5] = (struct zap_frame){(const uint8_t *)"CURVE\0", 6};
	bad(f, n, "mechanism");

	request(f, "ingest", key_a);
	f[6] = (struct zap_frame){key_a, 31};
	bad(f, n, "credentials: 31 bytes");
	f[6] = (struct zap_frame){big, 33};
	bad(f, n, "credentials: 33 bytes");
	f[6] = (struct zap_frame){NULL, 0};
	bad(f, n, "credentials: 0 bytes");

	/* The request id is kept for the reply even when the rest is bad. */
	struct zap_request r;
	char err[ZAP_ERR_MAX];
	request(f, "ingest", key_a);
	f[1] = (struct zap_frame){(const uint8_t *)"42", 2};
	assert_int_equal(zap_parse(f, 3, &r, err, sizeof err), -1);
	assert_int_equal(r.request_id_len, 2);
	assert_memory_equal(r.request_id, "42", 2);
}

static void test_decide(void **state)
{
	(void)state;
	static struct access_list l;
	memset(&l, 0, sizeof l);
	l.keys[0] = (struct access_key){.name = "police", .role = ACCESS_ADAPTER, .agency = 1};
	memcpy(l.keys[0].key, key_a, 32);
	l.keys[1] = (struct access_key){.name = "red", .role = ACCESS_CONSOLE, .levels = 4};
	memcpy(l.keys[1].key, key_b, 32);
	l.keys[2] = (struct access_key){.name = "ops", .role = ACCESS_VIEWER};
	memcpy(l.keys[2].key, key_c, 32);
	l.keys[3] = (struct access_key){.name = "city-ed", .role = ACCESS_LOOKUP};
	memcpy(l.keys[3].key, key_e, 32);
	l.keys[4] = (struct access_key){.name = "dsl", .role = ACCESS_SCHOOL, .urn = "100001"};
	memcpy(l.keys[4].key, key_f, 32);
	l.n_keys = 5;

	struct zap_frame f[8];
	struct zap_request r;
	char err[ZAP_ERR_MAX];
	const struct access_key *who;
	static const struct {
		const char *domain;
		const uint8_t *key;
		enum zap_verdict v;
	} cases[] = {
	    {"ingest", key_a, ZAP_ALLOW},
	    {"alerts", key_a, ZAP_ALLOW},  /* an adapter receiving its agency's feedback */
	    {"control", key_a, ZAP_ALLOW}, /* and catching up on it */
	    {"alerts", key_b, ZAP_ALLOW},
	    {"control", key_b, ZAP_ALLOW}, /* a console catching up */
	    {"ingest", key_b, ZAP_WRONG_ROLE},
	    {"control", key_c, ZAP_ALLOW},
	    {"ingest", key_c, ZAP_WRONG_ROLE},
	    {"ingest", key_d, ZAP_UNKNOWN_KEY},
	    {"elsewhere", key_a, ZAP_WRONG_ROLE},
	    {"", key_b, ZAP_WRONG_ROLE},
	    /* A lookup key asks on the control socket only: no concern, no
	     * alert reaches or leaves it. */
	    {"control", key_e, ZAP_ALLOW},
	    {"ingest", key_e, ZAP_WRONG_ROLE},
	    {"alerts", key_e, ZAP_WRONG_ROLE},
	    /* a school's DSL: its notices, on both sockets, and no concerns */
	    {"alerts", key_f, ZAP_ALLOW},
	    {"control", key_f, ZAP_ALLOW},
	    {"ingest", key_f, ZAP_WRONG_ROLE},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = request(f, cases[i].domain, cases[i].key);
		assert_int_equal(zap_parse(f, n, &r, err, sizeof err), 0);
		assert_int_equal(zap_decide(&r, &l, &who), cases[i].v);
		if (cases[i].v == ZAP_ALLOW)
			assert_memory_equal(who->key, cases[i].key, 32);
		else
			assert_null(who);
	}
	/* A viewer key is not a console; made a delegate (ffc-web) it relays
	 * alerts to the people signed in to it, and still asks on control. */
	size_t n = request(f, "alerts", key_c);
	assert_int_equal(zap_parse(f, n, &r, err, sizeof err), 0);
	assert_int_equal(zap_decide(&r, &l, &who), ZAP_WRONG_ROLE);
	l.keys[2].delegate = 1;
	assert_int_equal(zap_decide(&r, &l, &who), ZAP_ALLOW);
	n = request(f, "control", key_c);
	assert_int_equal(zap_parse(f, n, &r, err, sizeof err), 0);
	assert_int_equal(zap_decide(&r, &l, &who), ZAP_ALLOW);
	n = request(f, "ingest", key_c);
	assert_int_equal(zap_parse(f, n, &r, err, sizeof err), 0);
	assert_int_equal(zap_decide(&r, &l, &who), ZAP_WRONG_ROLE);
	assert_string_equal(zap_verdict_text(ZAP_UNKNOWN_KEY), "unknown key");
	assert_string_equal(zap_verdict_text(ZAP_MALFORMED), "malformed request");
}

int main(void)
{
	for (int i = 0; i < 32; i++) {
		key_a[i] = (uint8_t)i;
		key_b[i] = (uint8_t)(i + 100);
		key_c[i] = (uint8_t)(i * 3 + 1);
		key_d[i] = (uint8_t)(255 - i);
		key_e[i] = (uint8_t)(i * 5 + 7);
		key_f[i] = (uint8_t)(i * 7 + 5);
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_good),
	    cmocka_unit_test(test_parse_malformed),
	    cmocka_unit_test(test_decide),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
