/*
 * child_record.h - a child as the daemon keeps it: its id, every identity
 * it was seen under (by which agency, when first and last), the children
 * merged into it and those an operator keeps apart from it.
 *
 * A plain struct with growable arrays. Reading and writing it is the
 * store's (store_child_get / store_child_put), its encoding wire.h's; a
 * record read from the store is released with wire_child_release() (it
 * frees the decoded message that owns the strings as well as the arrays).
 */
#ifndef FFC_CHILD_RECORD_H
#define FFC_CHILD_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"

struct seen_identity {
	int agency;
	struct child_identity id; /* nhs_number and upn normalised */
	int64_t first_seen_ms;
	int64_t last_seen_ms;
	uint64_t first_seq;
};

struct child_record {
	uint64_t id;
	int64_t created_at_ms;
	uint64_t merged_into;
	size_t n_ids, cap_ids;
	struct seen_identity *ids;
	void *pb; /* unpacked Child when decoded: owns the strings of the ids
	           * read from disk; ids added since borrow from their concern */

	/* Owned arrays (malloc'd): children merged into this one, and
	 * children an operator split from this one. */
	size_t n_aliases;
	uint64_t *aliases;
	size_t n_apart;
	uint64_t *apart;
};

/* Append a copy of *si to ch->ids, growing the array. The identity's
 * strings are borrowed, not copied: they must outlive ch (or its next
 * store_child_put). Returns 0, or -1 when memory runs out (ch unchanged). */
int wire_child_add_identity(struct child_record *ch, const struct seen_identity *si);
/* Append id to the malloc'd list *v of *n ids (aliases or apart) unless
 * it is there already; *v may be NULL with *n 0. Returns 0 (added or
 * present), or -1 when memory runs out (*v and *n unchanged). */
int wire_id_list_add(uint64_t **v, size_t *n, uint64_t id);

#endif
