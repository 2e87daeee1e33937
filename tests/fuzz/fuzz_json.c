/*
 * Fuzz target: one line of ffc-send's JSON Lines input (files other people
 * write) through ffc_message_from_json() as an ffc.v1.Concern. Whatever
 * the text, it either becomes a message or an error naming the field;
 * a message it accepts survives the way back: its JSON read again packs
 * to the same bytes. The same text also goes to ffc_parse_time(), which
 * reads the lines' "occurred_at" dates. Nothing may crash, leak or read
 * out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ffc/ffc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *pack(const ProtobufCMessage *m, size_t *len)
{
	*len = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(*len ? *len : 1);
	if (buf)
		protobuf_c_message_pack(m, buf);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The parser takes a C string, as ffc-send's line reader gives it. */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	int64_t ms;
	(void)ffc_parse_time(text, &ms);
	ProtobufCMessage *m = NULL;
	char err[256];
	int rc = ffc_message_from_json(&ffc__v1__concern__descriptor, text, &m, err, sizeof err);
	free(text);
	if (rc != 0) {
		if (m != NULL || err[0] == '\0')
			__builtin_trap(); /* an error leaves nothing behind and says why */
		return 0;
	}
	char *again = ffc_json_from_message(m);
	ProtobufCMessage *m2 = NULL;
	if (again &&
	    ffc_message_from_json(&ffc__v1__concern__descriptor, again, &m2, err, sizeof err) != 0)
		__builtin_trap(); /* what it writes, it reads */
	if (m2) {
		size_t n1, n2;
		uint8_t *b1 = pack(m, &n1), *b2 = pack(m2, &n2);
		if (b1 && b2 && (n1 != n2 || memcmp(b1, b2, n1) != 0))
			__builtin_trap();
		free(b1);
		free(b2);
		protobuf_c_message_free_unpacked(m2, NULL);
	}
	free(again);
	protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}
