/*
 * Fuzz target: what ffc-web reads from outside, the same bytes through
 * each of its parsers: a request body (web_form_parse: every value it
 * accepts is UTF-8 without NUL, each field found by its name), a stream
 * position as a browser sends it back (ring_pos_parse: what it accepts
 * formats back to the same text), and an accounts file
 * (web_accounts_parse: what it accepts formats and reads back to the same
 * accounts). Nothing may crash, leak or read out of bounds.
 */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web_accounts.h"
#include "web_form.h"
#include "web_ring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct web_form form;

static void check_form(const uint8_t *data, size_t size)
{
	char err[160];
	if (web_form_parse((const char *)data, size, &form, err, sizeof err) != 0) {
		if (!err[0])
			__builtin_trap(); /* a refusal says why */
		return;
	}
	if (form.n > WEB_FORM_FIELDS)
		__builtin_trap();
	for (size_t i = 0; i < form.n; i++) {
		const char *v = form.f[i].value;
		if (!web_utf8_valid(v, strlen(v)) || web_form_get(&form, form.f[i].name) != v)
			__builtin_trap();
	}
}

static void check_position(const char *text)
{
	struct ring_pos p, q;
	char again[RING_POS_MAX];
	if (ring_pos_parse(text, &p) != 0)
		return;
	ring_pos_format(&p, again);
	if (strcmp(again, text) != 0 && (ring_pos_parse(again, &q) != 0 || q.id != p.id ||
	                                 q.seq != p.seq || strcmp(q.boot, p.boot)))
		__builtin_trap();
}

static void check_accounts(const uint8_t *data, size_t size)
{
	struct web_accounts a = {0}, b = {0};
	char err[256];
	if (web_accounts_parse((const char *)data, size, "fuzz", &a, err, sizeof err) != 0) {
		if (!err[0] || a.n)
			__builtin_trap();
		return;
	}
	char *text = web_accounts_format(&a);
	if (text) {
		if (web_accounts_parse(text, strlen(text), "again", &b, err, sizeof err) != 0 ||
		    b.n != a.n)
			__builtin_trap(); /* what it writes, it reads */
		for (size_t i = 0; i < a.n; i++)
			if (strcmp(a.v[i].name, b.v[i].name) || a.v[i].role != b.v[i].role ||
			    strcmp(a.v[i].hash, b.v[i].hash))
				__builtin_trap();
	}
	free(text);
	web_accounts_free(&a);
	web_accounts_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready && sodium_init() < 0)
		return 0;
	ready = 1;
	check_form(data, size);
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_position(text);
	free(text);
	check_accounts(data, size);
	return 0;
}
