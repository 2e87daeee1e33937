/*
 * ids.c - the text form of child, alert and household ids (see ids.h).
 *
 * Owns formatting and parsing only; allocating ids is the store's.
 */
#include "ids.h"

#include <stddef.h>

/* The letter, then the number in at least eight digits: "C00000042". Every
 * receipt and alert carries ids, so they are made without printf. */
static void id_format(char letter, uint64_t v, char out[WIRE_ID_MAX])
{
	char digits[20];
	size_t n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < 8)
		digits[n++] = '0';
	out[0] = letter;
	for (size_t i = 0; i < n; i++)
		out[1 + i] = digits[n - 1 - i];
	out[1 + n] = '\0';
}

void wire_child_id(uint64_t id, char out[WIRE_ID_MAX])
{
	id_format('C', id, out);
}

void wire_alert_id(uint64_t seq, char out[WIRE_ID_MAX])
{
	id_format('A', seq, out);
}

/* "X00000042" (or "x42") with the given letter: the number, not 0. */
static int id_parse(const char *s, char letter, uint64_t *out)
{
	if (!s || (s[0] != letter && s[0] != letter - 'A' + 'a') || s[1] == '\0')
		return -1;
	uint64_t v = 0;
	for (const char *p = s + 1; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v == 0)
		return -1;
	*out = v;
	return 0;
}

int wire_child_id_parse(const char *s, uint64_t *id)
{
	return id_parse(s, 'C', id);
}

int wire_alert_id_parse(const char *s, uint64_t *seq)
{
	return id_parse(s, 'A', seq);
}

void wire_household_id(uint64_t id, char out[WIRE_ID_MAX])
{
	id_format('H', id, out);
}

int wire_household_id_parse(const char *s, uint64_t *id)
{
	return id_parse(s, 'H', id);
}

void wire_notice_id(uint64_t seq, char out[WIRE_ID_MAX])
{
	id_format('N', seq, out);
}

int wire_notice_id_parse(const char *s, uint64_t *seq)
{
	return id_parse(s, 'N', seq);
}

void wire_feedback_id(uint64_t seq, char out[WIRE_ID_MAX])
{
	id_format('F', seq, out);
}
