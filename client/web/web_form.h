/*
 * web_form.h - a request body of type application/x-www-form-urlencoded
 * (what every form and every change in ffc-web sends), decoded into
 * named values.
 *
 * Pure and bounded: at most WEB_FORM_FIELDS fields, names of at most 31
 * bytes, the whole body at most WEB_FORM_MAX bytes. Values are decoded
 * ('+' a space, %XX a byte), must be valid UTF-8 without NUL, and have
 * "\r\n" made "\n" (a textarea's line breaks). A name given twice, a
 * broken %-escape or anything over a bound refuses the whole body, with a
 * message naming the field.
 */
#ifndef FFC_WEB_FORM_H
#define FFC_WEB_FORM_H

#include <stddef.h>

#define WEB_FORM_MAX    16384
#define WEB_FORM_FIELDS 16
#define WEB_FORM_NAME   32

struct web_form {
	size_t n;
	struct {
		char name[WEB_FORM_NAME];
		const char *value; /* into buf */
	} f[WEB_FORM_FIELDS];
	char buf[WEB_FORM_MAX + WEB_FORM_FIELDS]; /* the decoded values, each ended by a NUL */
};

/* Decode body[0..len). 0, or -1 with what is wrong in err. */
int web_form_parse(const char *body, size_t len, struct web_form *out, char *err, size_t errlen);

/* The value of name, or NULL when the form has none (borrowed from f). */
const char *web_form_get(const struct web_form *f, const char *name);

/* 1 when s[0..len) is valid UTF-8 (no overlong forms, no surrogates). */
int web_utf8_valid(const char *s, size_t len);

#endif
