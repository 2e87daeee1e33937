/*
 * ffc_send_input.c - ffc-send's input: objects out of a stream of JSON
 * Lines or pretty-printed JSON, and each object as a Concern (the date
 * fields written by hand turned into their *_ms twins, the rest libffc's
 * JSON). Owns the splitting and the date fields; the JSON mapping itself
 * is libffc's (client/json.c).
 */
#define _GNU_SOURCE /* getline */
#include "ffc_send_input.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void send_input_init(struct send_input *si, FILE *in)
{
	memset(si, 0, sizeof *si);
	si->in = in;
}

void send_input_release(struct send_input *si)
{
	free(si->line);
	free(si->text);
	memset(si, 0, sizeof *si);
}

/* Follow the braces of one line: depth is the object nesting, in_string
 * and escaped say where inside a string the line left off. */
struct scan {
	long depth;
	int in_string, escaped;
};

static void scan_line(struct scan *sc, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = p[i];
		if (sc->in_string) {
			if (sc->escaped)
				sc->escaped = 0;
			else if (ch == '\\')
				sc->escaped = 1;
			else if (ch == '"')
				sc->in_string = 0;
		} else if (ch == '"') {
			sc->in_string = 1;
		} else if (ch == '{' || ch == '[') {
			sc->depth++;
		} else if (ch == '}' || ch == ']') {
			sc->depth--;
		}
	}
}

static int append(struct send_input *si, const char *p, size_t n)
{
	if (si->len + n + 2 > si->cap) {
		size_t cap = si->cap ? si->cap : 1024;
		while (cap < si->len + n + 2)
			cap *= 2;
		char *t = realloc(si->text, cap);
		if (!t)
			return -1;
		si->text = t;
		si->cap = cap;
	}
	memcpy(si->text + si->len, p, n);
	si->len += n;
	si->text[si->len++] = '\n';
	si->text[si->len] = '\0';
	return 0;
}

/* The next line, the one left pending first. */
static ssize_t next_line(struct send_input *si)
{
	if (si->pending) {
		si->pending = 0;
		return (ssize_t)si->pending_len;
	}
	ssize_t n = getline(&si->line, &si->line_cap, si->in);
	if (n >= 0)
		si->lineno++;
	return n;
}

int send_input_next(struct send_input *si, const char **text, long *first_line)
{
	struct scan sc = {0};
	int too_long = 0, gathering = 0;
	si->len = 0;
	ssize_t n;
	while ((n = next_line(si)) >= 0) {
		const char *p = si->line;
		size_t len = (size_t)n;
		if (memchr(p, '\0', len))
			len = strlen(p); /* a NUL ends the text, as the parser sees it */
		while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
			len--;
		if (gathering && p[0] == '{') {
			/* A new object at the margin: the one gathered is cut
			 * short. Keep this line for the next call. */
			si->pending = 1;
			si->pending_len = (size_t)n;
			return too_long ? SEND_INPUT_TOO_LONG : SEND_INPUT_UNCLOSED;
		}
		if (!gathering) {
			/* Between objects: skip blanks, comments and indentation. */
			while (len > 0 && (*p == ' ' || *p == '\t')) {
				p++;
				len--;
			}
			if (len == 0 || *p == '#')
				continue;
			*first_line = si->lineno;
			gathering = 1;
		}
		scan_line(&sc, p, len);
		if (!too_long && si->len + len > SEND_INPUT_MAX)
			too_long = 1;
		if (!too_long && append(si, p, len) < 0)
			return SEND_INPUT_ERROR;
		/* An object ends where its braces close; a line that opens
		 * none is one value whatever it holds. */
		if (sc.depth <= 0 && !sc.in_string) {
			if (too_long)
				return SEND_INPUT_TOO_LONG;
			*text = si->text;
			return SEND_INPUT_OBJECT;
		}
	}
	if (ferror(si->in))
		return SEND_INPUT_ERROR;
	if (gathering)
		return too_long ? SEND_INPUT_TOO_LONG : SEND_INPUT_UNCLOSED;
	return SEND_INPUT_END;
}

/* Replace a date field by its *_ms twin. Returns 0, or -1 with err set. */
static int date_field(json_t *obj, const char *name, const char *twin, const char *ms,
                      const char *ms_twin, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, name);
	if (!v)
		return 0;
	int64_t t;
	if (!json_is_string(v) || ffc_parse_time(json_string_value(v), &t) != FFC_OK) {
		snprintf(err, errlen,
		         "%s: expected a date like 2026-03-02, 2026-03-02T14:05:00Z or "
		         "2026-03-02T14:05:00.123+01:00",
		         name);
		return -1;
	}
	const char *other = json_object_get(obj, twin)      ? twin
	                    : json_object_get(obj, ms)      ? ms
	                    : json_object_get(obj, ms_twin) ? ms_twin
	                                                    : NULL;
	if (other) {
		snprintf(err, errlen, "%s: give one of %s and %s, not both", name, name, other);
		return -1;
	}
	if (json_object_set_new(obj, ms, json_integer(t)) < 0 || json_object_del(obj, name) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int send_concern_from_json(const char *text, Ffc__V1__Concern **out, char *err, size_t errlen)
{
	*out = NULL;
	json_error_t je;
	json_t *obj = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!obj) {
		snprintf(err, errlen, "not JSON: %s (line %d, column %d)", je.text, je.line,
		         je.column);
		return FFC_EJSON;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		snprintf(err, errlen, "not a JSON object");
		return FFC_EJSON;
	}
	if (date_field(obj, "occurred_at", "occurredAt", "occurred_at_ms", "occurredAtMs", err,
	               errlen) < 0 ||
	    date_field(obj, "occurredAt", "occurred_at", "occurred_at_ms", "occurredAtMs", err,
	               errlen) < 0 ||
	    date_field(obj, "reported_at", "reportedAt", "reported_at_ms", "reportedAtMs", err,
	               errlen) < 0 ||
	    date_field(obj, "reportedAt", "reported_at", "reported_at_ms", "reportedAtMs", err,
	               errlen) < 0) {
		json_decref(obj);
		return FFC_EJSON;
	}
	/* A social care status (Concern.child_status) may give its recorded_at
	 * as a date too. */
	json_t *status = json_object_get(obj, "child_status");
	if (!status)
		status = json_object_get(obj, "childStatus");
	if (json_is_object(status) &&
	    (date_field(status, "recorded_at", "recordedAt", "recorded_at_ms", "recordedAtMs", err,
	                errlen) < 0 ||
	     date_field(status, "recordedAt", "recorded_at", "recorded_at_ms", "recordedAtMs", err,
	                errlen) < 0)) {
		json_decref(obj);
		return FFC_EJSON;
	}
	char *compact = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (!compact)
		return FFC_ENOMEM;
	ProtobufCMessage *m = NULL;
	int rc = ffc_message_from_json(&ffc__v1__concern__descriptor, compact, &m, err, errlen);
	free(compact);
	*out = (Ffc__V1__Concern *)m;
	return rc;
}
