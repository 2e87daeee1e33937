/*
 * web_form.c - decoding an urlencoded request body (see web_form.h).
 *
 * Owns the decoding only: which fields a request needs, and what their
 * values may be, is its handler's and then ffcd's.
 */
#include "web_form.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int web_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p++;
		int more;
		uint32_t cp, min;
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return 0;
		}
		if (end - p < more)
			return 0;
		for (int i = 0; i < more; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		p += more;
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
	}
	return 1;
}

static int hex(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

/* Decode s[0..len) into out (room for len bytes and a NUL); the decoded
 * length, or -1 for a broken escape. */
static long decode(const char *s, size_t len, char *out)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			out[n++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= len)
				return -1;
			int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			out[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
	return (long)n;
}

int web_form_parse(const char *body, size_t len, struct web_form *out, char *err, size_t errlen)
{
	out->n = 0;
	if (len > WEB_FORM_MAX) {
		snprintf(err, errlen, "form: %zu bytes, more than %d", len, WEB_FORM_MAX);
		return -1;
	}
	char *at = out->buf;
	size_t i = 0;
	while (i < len) {
		const char *amp = memchr(body + i, '&', len - i);
		size_t plen = amp ? (size_t)(amp - (body + i)) : len - i;
		const char *pair = body + i;
		i += plen + 1;
		if (plen == 0)
			continue; /* "a=1&&b=2" */
		const char *eq = memchr(pair, '=', plen);
		size_t nlen = eq ? (size_t)(eq - pair) : plen;
		const char *value = eq ? eq + 1 : pair + plen;
		size_t vlen = eq ? plen - nlen - 1 : 0;
		char name[WEB_FORM_NAME * 3 + 1];
		long dn = nlen < sizeof name ? decode(pair, nlen, name) : -1;
		if (dn <= 0 || dn >= WEB_FORM_NAME || memchr(name, '\0', (size_t)dn) ||
		    !web_utf8_valid(name, (size_t)dn)) {
			snprintf(err, errlen,
			         "form: a field name that is empty, too long or not text");
			return -1;
		}
		if (web_form_get(out, name)) {
			snprintf(err, errlen, "form: %s: given twice", name);
			return -1;
		}
		if (out->n == WEB_FORM_FIELDS) {
			snprintf(err, errlen, "form: more than %d fields", WEB_FORM_FIELDS);
			return -1;
		}
		long dv = decode(value, vlen, at);
		if (dv < 0) {
			snprintf(err, errlen, "form: %s: a broken %%-escape", name);
			return -1;
		}
		if (memchr(at, '\0', (size_t)dv) || !web_utf8_valid(at, (size_t)dv)) {
			snprintf(err, errlen, "form: %s: not UTF-8 text", name);
			return -1;
		}
		/* A textarea's "\r\n" is a line break: "\n". */
		char *w = at;
		for (const char *r = at; *r; r++)
			if (!(r[0] == '\r' && r[1] == '\n'))
				*w++ = *r;
		*w = '\0';
		memcpy(out->f[out->n].name, name, (size_t)dn + 1); /* dn < WEB_FORM_NAME */
		out->f[out->n++].value = at;
		at = w + 1;
	}
	return 0;
}

const char *web_form_get(const struct web_form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->f[i].name, name))
			return f->f[i].value;
	return NULL;
}
