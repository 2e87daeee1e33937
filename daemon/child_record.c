/*
 * child_record.c - growing a child record's lists (see child_record.h).
 *
 * Owns the in-memory record only: encoding it is wire_child.c's, storing
 * it store_children.c's, deciding what goes in it link.c's and merge.c's.
 */
#include "child_record.h"

#include <stdlib.h>

int wire_child_add_identity(struct child_record *ch, const struct seen_identity *si)
{
	if (ch->n_ids == ch->cap_ids) {
		size_t cap = ch->cap_ids ? ch->cap_ids * 2 : 4;
		struct seen_identity *ids = realloc(ch->ids, cap * sizeof *ids);
		if (!ids)
			return -1;
		ch->ids = ids;
		ch->cap_ids = cap;
	}
	ch->ids[ch->n_ids++] = *si;
	return 0;
}

int wire_id_list_add(uint64_t **v, size_t *n, uint64_t id)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == id)
			return 0;
	uint64_t *p = realloc(*v, (*n + 1) * sizeof *p);
	if (!p)
		return -1;
	p[(*n)++] = id;
	*v = p;
	return 0;
}
