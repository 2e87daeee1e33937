/*
 * config_read.c - what the config module's files share to read a file:
 * errors collected at their "file:line" and listed in file order, a
 * setting's full name, and the typed getters that report their own errors
 * (config_read.h).
 *
 * Owns the collecting of errors and the reading of one value. Does not
 * know any section's settings (config.c, config_rules.c,
 * config_security.c).
 */
#include "config_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- error reporting ---- */

FFC_PRINTF(4, 5)
void conf_fail_at(struct conf_ctx *c, const char *file, int line, const char *fmt, ...)
{
	c->total++;
	if (c->errs->n >= CONFIG_ERRORS_MAX)
		return;
	c->file[c->errs->n] = file;
	c->line[c->errs->n] = line;
	char *msg = c->errs->msg[c->errs->n++];
	int k = line > 0 ? snprintf(msg, CONFIG_ERROR_LEN, "%s:%d: ", file, line)
	                 : snprintf(msg, CONFIG_ERROR_LEN, "%s: ", file);
	if (k < 0 || k >= CONFIG_ERROR_LEN)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + k, CONFIG_ERROR_LEN - (size_t)k, fmt, ap);
	va_end(ap);
}

/* An error at a setting's line, in the file it came from (a setting can
 * come from an @include'd file); with no setting, at the origin alone. */
void conf_fail(struct conf_ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	const char *file =
	    s && config_setting_source_file(s) ? config_setting_source_file(s) : c->origin;
	int line = s ? (int)config_setting_source_line(s) : 0;
	char text[CONFIG_ERROR_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	conf_fail_at(c, file, line, "%s", text);
}

/* Errors are found section by section and the cross-checks come last;
 * list them by file and line, as a compiler would. A stable insertion sort:
 * at most CONFIG_ERRORS_MAX rows. */
void conf_sort_errors(struct conf_ctx *c)
{
	struct config_errors *e = c->errs;
	for (size_t a = 1; a < e->n; a++)
		for (size_t b = a; b > 0; b--) {
			int order = strcmp(c->file[b - 1], c->file[b]);
			if (order < 0 || (order == 0 && c->line[b - 1] <= c->line[b]))
				break;
			char msg[CONFIG_ERROR_LEN];
			memcpy(msg, e->msg[b], sizeof msg);
			memcpy(e->msg[b], e->msg[b - 1], sizeof msg);
			memcpy(e->msg[b - 1], msg, sizeof msg);
			const char *f = c->file[b];
			c->file[b] = c->file[b - 1];
			c->file[b - 1] = f;
			int l = c->line[b];
			c->line[b] = c->line[b - 1];
			c->line[b - 1] = l;
		}
}

/* Past the cap, the last slot says how many more there were, so a reader
 * never takes a truncated list for the whole story. */
void conf_finish(struct conf_ctx *c)
{
	if (c->total <= CONFIG_ERRORS_MAX)
		return;
	snprintf(c->errs->msg[CONFIG_ERRORS_MAX - 1], CONFIG_ERROR_LEN,
	         "%s: %zu more errors not shown", c->origin, c->total - (CONFIG_ERRORS_MAX - 1));
}

/* The setting's full name for messages: "ingest.max_message_kb",
 * "rules[2].weights.low", "rules[1].categories[0]". */
const char *conf_path_of(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *parent = config_setting_parent(s);
	size_t at = 0;
	buf[0] = '\0';
	if (parent && !config_setting_is_root(parent)) {
		conf_path_of(parent, buf, len);
		at = strlen(buf);
	}
	const char *name = config_setting_name(s);
	if (name)
		snprintf(buf + at, len - at, "%s%s", at ? "." : "", name);
	else
		snprintf(buf + at, len - at, "[%d]", config_setting_index(s));
	return buf;
}

void conf_unknown(struct conf_ctx *c, const config_setting_t *s, const char *known)
{
	char path[CONF_PATH_LEN];
	conf_fail(c, s, "unknown setting '%s' (known here: %s)", conf_path_of(s, path, sizeof path),
	          known);
}

/* Names in the file are compared like agency and category names: case
 * ignored, '-' and '_' alike ("distinct-agencies", "Distinct_Agencies"). */
int conf_same_name(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		x = x == '-' ? '_' : x >= 'A' && x <= 'Z' ? (unsigned char)(x - 'A' + 'a') : x;
		y = y == '-' ? '_' : y >= 'A' && y <= 'Z' ? (unsigned char)(y - 'A' + 'a') : y;
		if (x != y)
			return 0;
		if (!x)
			return 1;
	}
}

/* ---- typed getters: each reports its own error and returns -1 ---- */

int conf_get_string(struct conf_ctx *c, const config_setting_t *s, char *dst, size_t size,
                    int allow_empty)
{
	char path[CONF_PATH_LEN];
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_fail(c, s, "%s: expected a string in double quotes",
		          conf_path_of(s, path, sizeof path));
		return -1;
	}
	const char *v = config_setting_get_string(s);
	size_t n = strlen(v);
	if (!allow_empty && n == 0) {
		conf_fail(c, s, "%s: must not be empty", conf_path_of(s, path, sizeof path));
		return -1;
	}
	if (n >= size) {
		conf_fail(c, s, "%s: longer than %zu bytes", conf_path_of(s, path, sizeof path),
		          size - 1);
		return -1;
	}
	memcpy(dst, v, n + 1);
	return 0;
}

int conf_get_int(struct conf_ctx *c, const config_setting_t *s, long long min, long long max,
                 long long *out)
{
	char path[CONF_PATH_LEN];
	int type = config_setting_type(s);
	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
		conf_fail(c, s, "%s: expected a whole number", conf_path_of(s, path, sizeof path));
		return -1;
	}
	long long v = config_setting_get_int64(s);
	if (v < min || v > max) {
		conf_fail(c, s, "%s: %lld is out of range (%lld to %lld)",
		          conf_path_of(s, path, sizeof path), v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int conf_expect_group(struct conf_ctx *c, const config_setting_t *s)
{
	char path[CONF_PATH_LEN];
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		conf_fail(c, s, "%s: expected a group { ... }", conf_path_of(s, path, sizeof path));
		return -1;
	}
	return 0;
}

/* A string naming one of an enumeration's values; -1 (reported) if not. */
int conf_get_enum(struct conf_ctx *c, const config_setting_t *s, int (*parse)(const char *),
                  const char *what, const char *choices)
{
	char path[CONF_PATH_LEN], v[64];
	if (conf_get_string(c, s, v, sizeof v, 0) < 0)
		return -1;
	int value = parse(v);
	if (value <= 0) {
		conf_fail(c, s, "%s: '%s' is not %s (%s)", conf_path_of(s, path, sizeof path), v,
		          what, choices);
		return -1;
	}
	return value;
}

/* A list of names ("police", "domestic-abuse") into a bit set. `what` is
 * the singular noun, `example` a name to show. */
int conf_name_set(struct conf_ctx *c, const config_setting_t *s, int (*parse)(const char *),
                  const char *what, const char *example, uint32_t *out)
{
	char path[CONF_PATH_LEN];
	int type = config_setting_type(s);
	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		conf_fail(c, s, "%s: expected a list of names, e.g. [\"%s\"]",
		          conf_path_of(s, path, sizeof path), example);
		return -1;
	}
	if (config_setting_length(s) == 0) {
		/* An empty filter would silently mean "every": say so. */
		conf_fail(c, s, "%s: empty list (leave the setting out to count every %s)",
		          conf_path_of(s, path, sizeof path), what);
		return -1;
	}
	uint32_t set = 0;
	int rc = 0;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_type(e) == CONFIG_TYPE_STRING
		                    ? config_setting_get_string(e)
		                    : NULL;
		int value = v ? parse(v) : -1;
		if (!v)
			conf_fail(c, e, "%s: expected a name in double quotes, e.g. \"%s\"",
			          conf_path_of(e, path, sizeof path), example);
		else if (value <= 0)
			conf_fail(c, e, "%s: '%s' is not a known %s",
			          conf_path_of(e, path, sizeof path), v, what);
		else if (set & (UINT32_C(1) << value))
			conf_fail(c, e, "%s: '%s' is listed twice",
			          conf_path_of(e, path, sizeof path), v);
		else {
			set |= UINT32_C(1) << value;
			continue;
		}
		rc = -1;
	}
	if (rc == 0)
		*out = set;
	return rc;
}
