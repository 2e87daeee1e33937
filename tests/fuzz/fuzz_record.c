/*
 * Fuzz target: the store's records read without decoding them whole. A
 * child record's merged_into (every merge chain followed), an alert
 * record's level (every judgement of an open alert) and its head (every
 * concern added to one) are read from the encoding by walking its fields
 * (wire_child_merged_into, wire_stored_alert_level,
 * wire_stored_alert_head). A record is the store's own, but a damaged
 * store must not crash the daemon: nothing may read out of bounds, and
 * whenever protobuf-c decodes the bytes, the walk must read them too and
 * find the same values.
 *
 * The input: one byte choosing the record (bit 0: an alert, else a
 * child), then the record's bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Does the head read what the whole decode read? */
static int same_head(const struct alert *a, const struct alert *h)
{
	return a->seq == h->seq && !strcmp(a->alert_id, h->alert_id) && a->child == h->child &&
	       !strcmp(a->child_id, h->child_id) && a->level == h->level &&
	       !strcmp(a->rule, h->rule) && !strcmp(a->lead_practitioner, h->lead_practitioner) &&
	       a->state == h->state && a->acknowledged_at_ms == h->acknowledged_at_ms &&
	       h->n_evidence == 0 && !h->reason[0];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *rec = data + 1;
	size_t len = size - 1;
	if (data[0] & 1) {
		enum level level;
		int walked = wire_stored_alert_level(rec, len, &level);
		struct alert *a = malloc(sizeof *a), *h = malloc(sizeof *h);
		if (!a || !h) {
			free(a);
			free(h);
			return 0;
		}
		int head = wire_stored_alert_head(rec, len, h);
		if (wire_stored_alert_decode(rec, len, a) == 0 &&
		    (walked != 0 || level != a->level || head != 0 || !same_head(a, h)))
			abort();
		free(a);
		free(h);
		return 0;
	}
	uint64_t merged;
	int walked = wire_child_merged_into(rec, len, &merged);
	struct child_record ch;
	if (wire_child_decode(rec, len, &ch) == 0) {
		if (walked != 0 || merged != ch.merged_into)
			abort();
		wire_child_release(&ch);
	}
	return 0;
}
