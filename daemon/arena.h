/*
 * arena.h - memory for building one control reply.
 *
 * A control reply is a tree of protobuf-c messages pointing into records
 * read from the store. Everything allocated for one reply, and every
 * record unpacked for it, is kept in an arena and freed in one call once
 * the reply is packed. An allocation that fails marks the arena failed
 * (the reply then says "out of memory") instead of each caller checking.
 */
#ifndef FFC_ARENA_H
#define FFC_ARENA_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

struct arena {
	void **blocks;
	size_t n, cap;
	ProtobufCMessage **unpacked; /* records read from the store */
	size_t n_unpacked, cap_unpacked;
	int failed;
};

/* Zeroed memory owned by the arena, or NULL (and a->failed set). */
void *arena_alloc(struct arena *a, size_t size);
/* A copy of s owned by the arena; "" when out of memory. */
char *arena_strdup(struct arena *a, const char *s);
/* Take ownership of an unpacked message (freed by arena_free). Returns 0,
 * or -1 when out of memory (m is then freed at once). */
int arena_keep(struct arena *a, ProtobufCMessage *m);
/* Free everything (blocks, strings and kept messages: every pointer the
 * arena gave is invalid after). The arena may be reused after memset to
 * 0. Safe on a zeroed arena. */
void arena_free(struct arena *a);

/* Grow a malloc'd pointer array *v of capacity *cap to hold need items.
 * Returns 0, or -1 when out of memory (*v unchanged). */
int arena_grow_ptrs(void ***v, size_t *cap, size_t need);

#endif
