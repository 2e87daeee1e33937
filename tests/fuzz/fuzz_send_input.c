/*
 * Fuzz target: a file as ffc-send reads it (files other people write, and
 * what their JSON printers make of them): split into objects by
 * send_input_next(), each turned into a Concern by
 * send_concern_from_json() (date fields, both JSON forms of libffc).
 * Whatever the bytes, every object begins on a line that exists, after
 * the one before, its text is bounded, an error says why, and nothing
 * crashes, leaks or reads out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ffc_send_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	FILE *f = fmemopen((void *)(uintptr_t)data, size, "r");
	if (!f)
		return 0;
	long lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	struct send_input si;
	send_input_init(&si, f);
	const char *text;
	long line = 0, last = 0;
	int rc;
	while ((rc = send_input_next(&si, &text, &line)) != SEND_INPUT_END) {
		if (rc == SEND_INPUT_ERROR)
			break;
		if (line < 1 || line > lines || line <= last)
			__builtin_trap(); /* each object starts on a line of its own, in order */
		last = line;
		if (rc != SEND_INPUT_OBJECT)
			continue;
		if (strlen(text) > SEND_INPUT_MAX + 1)
			__builtin_trap();
		Ffc__V1__Concern *c = NULL;
		char err[256] = "";
		int crc = send_concern_from_json(text, &c, err, sizeof err);
		if (crc == FFC_OK && c)
			ffc__v1__concern__free_unpacked(c, NULL);
		else if (c || (crc == FFC_EJSON && !err[0]))
			__builtin_trap(); /* an error leaves nothing behind and says why */
	}
	send_input_release(&si);
	fclose(f);
	return 0;
}
