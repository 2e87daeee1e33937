/*
 * Fuzz target: a Concern frame from the network, through everything that
 * reads it before the store, in ingest's order: decode, the scan for a
 * string holding a NUL byte, validate, and the identity keys of every
 * child that passed; for a frame carrying a social care status
 * (Concern.child_status) the status's checks, its facts over time and the
 * statuses in force; a frame taken as its concern's own encoding holds no
 * NUL and is stored as the same concern. Nothing here may crash, leak or
 * read out of bounds, whatever the bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "ingest_status.h"
#include "validate.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_concern w;
	if (wire_concern_decode(data, size, &w) < 0)
		return 0;
	char err[VALIDATE_ERR_MAX];
	char field[128];
	/* 2026-11-01T00:00:00Z: a fixed clock keeps runs reproducible. */
	const int64_t now = INT64_C(1793491200000);
	if (wire_concern_nul_field(data, size, field, sizeof field)) {
		/* Refused as "<field>: contains a NUL byte": a path, never empty. */
		if (field[0] == '\0' || memchr(field, '\0', sizeof field) == NULL)
			__builtin_trap();
		/* A frame taken as its concern's own encoding (no scan made
		 * in ingest) holds no NUL. */
		if (w.encoded)
			__builtin_trap();
	} else if (w.status) {
		/* A status alone, from an unauthenticated sender or a police key. */
		int ok = ingest_status_check(w.status, &w.c, 0, now, err, sizeof err) == 0;
		if (!ok && (strlen(err) == 0 || strchr(err, ':') == NULL))
			__builtin_trap();
		if (ok && ingest_status_check(w.status, &w.c, 1, now, err, sizeof err) == 0)
			__builtin_trap(); /* only social care may send one */
		if (ok) {
			struct identity_keys keys;
			identity_keys(&w.status->child, STATUS_AGENCY, &keys);
			struct status_fact f;
			status_fact_of(w.status, 1, &f);
			if (f.from_ms > f.to_ms ||
			    (f.from_ms < f.to_ms && status_mask_at(&f, 1, f.from_ms) == 0) ||
			    (f.to_ms != INT64_MAX && status_mask_at(&f, 1, f.to_ms) != 0))
				__builtin_trap(); /* in force from its start to its end */
		}
		struct child_status same = *w.status;
		if (!status_equal(&same, w.status))
			__builtin_trap();
	} else if (validate_concern(&w.c, now, err, sizeof err) == 0) {
		for (size_t i = 0; i < w.c.n_children; i++) {
			struct identity_keys keys;
			identity_keys(&w.c.children[i], w.c.agency, &keys);
		}
	} else if (strlen(err) == 0 || strchr(err, ':') == NULL) {
		/* Every rejection names its field. */
		__builtin_trap();
	}
	struct concern copy = w.c;
	if (!concern_equal(&copy, &w.c))
		__builtin_trap();
	/* Those bytes, stored as they are, read back as the same concern. */
	if (w.encoded && w.c.n_children <= CONCERN_CHILDREN_MAX) {
		uint64_t ids[CONCERN_CHILDREN_MAX] = {0};
		uint8_t *rec;
		size_t len;
		struct stored_concern sc;
		if (wire_stored_concern_pack(&w.c, w.encoded, w.encoded_len, 1, now, ids,
		                             w.c.n_children, &rec, &len) < 0 ||
		    wire_stored_concern_decode(rec, len, &sc) < 0 || !concern_equal(&sc.w.c, &w.c))
			__builtin_trap();
		wire_stored_concern_release(&sc);
		free(rec);
	}
	wire_concern_release(&w);
	return 0;
}
