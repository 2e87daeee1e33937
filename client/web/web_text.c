/*
 * web_text.c - text built piece by piece (see web_text.h).
 */
#include "web_text.h"

#include <stdlib.h>
#include <string.h>

void web_text_add(struct web_text *t, const char *s)
{
	size_t len = strlen(s);
	if (t->failed)
		return;
	if (t->n + len + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		while (cap < t->n + len + 1)
			cap *= 2;
		char *p = realloc(t->s, cap);
		if (!p) {
			t->failed = 1;
			return;
		}
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->n, s, len + 1);
	t->n += len;
}
