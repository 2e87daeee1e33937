/*
 * arena.c - memory for building one control reply (see arena.h).
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int arena_grow_ptrs(void ***v, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 32;
	while (c < need)
		c *= 2;
	void **p = realloc(*v, c * sizeof *p);
	if (!p)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

void *arena_alloc(struct arena *a, size_t size)
{
	if (a->failed || arena_grow_ptrs(&a->blocks, &a->cap, a->n + 1) < 0) {
		a->failed = 1;
		return NULL;
	}
	void *p = calloc(1, size ? size : 1);
	if (!p) {
		a->failed = 1;
		return NULL;
	}
	a->blocks[a->n++] = p;
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	char *p = arena_alloc(a, n + 1);
	if (p)
		memcpy(p, s, n + 1);
	return p ? p : (char *)(uintptr_t) "";
}

int arena_keep(struct arena *a, ProtobufCMessage *m)
{
	void **v = (void **)a->unpacked;
	if (arena_grow_ptrs(&v, &a->cap_unpacked, a->n_unpacked + 1) < 0) {
		protobuf_c_message_free_unpacked(m, NULL);
		a->failed = 1;
		return -1;
	}
	a->unpacked = (ProtobufCMessage **)v;
	a->unpacked[a->n_unpacked++] = m;
	return 0;
}

void arena_free(struct arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->blocks[i]);
	for (size_t i = 0; i < a->n_unpacked; i++)
		protobuf_c_message_free_unpacked(a->unpacked[i], NULL);
	free(a->blocks);
	free(a->unpacked);
}
