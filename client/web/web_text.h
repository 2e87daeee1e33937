/*
 * web_text.h - text built piece by piece (a reply's JSON, a stream's
 * events): grown as needed; once memory runs out it says so and takes
 * nothing more.
 */
#ifndef FFC_WEB_TEXT_H
#define FFC_WEB_TEXT_H

#include <stddef.h>

struct web_text {
	char *s; /* NUL-terminated once anything was added; malloc'd, the owner frees */
	size_t n, cap;
	int failed; /* out of memory: what was added since is missing */
};

/* Append s. */
void web_text_add(struct web_text *t, const char *s);

#endif
