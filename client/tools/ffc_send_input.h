/*
 * ffc_send_input.h - what ffc-send reads: a stream of JSON objects, one a
 * line (JSON Lines) or spread over several lines as json_format, jq and
 * most pretty-printers write them, each turned into an ffc.v1.Concern in
 * either JSON form libffc reads (proto field names or the protobuf
 * standard JSON mapping), with the date fields people write by hand.
 * Pure of the network: the fuzz target and the unit tests drive it with
 * text in memory.
 */
#ifndef FFC_TOOLS_SEND_INPUT_H
#define FFC_TOOLS_SEND_INPUT_H

#include <stddef.h>
#include <stdio.h>

#include "ffc/ffc.h"

/* The longest object taken: a concern is a few KiB at most. */
#define SEND_INPUT_MAX (1 << 20)

struct send_input {
	FILE *in;   /* borrowed */
	char *line; /* getline's buffer */
	size_t line_cap;
	long lineno; /* lines read so far */
	char *text;  /* the object being gathered */
	size_t len, cap;
	/* A line read that starts the next object: taken again first. */
	int pending;
	size_t pending_len;
};

/* What send_input_next() found. */
enum {
	SEND_INPUT_ERROR = -1,   /* a read error, or out of memory */
	SEND_INPUT_END = 0,      /* the end of the input */
	SEND_INPUT_OBJECT = 1,   /* an object's text */
	SEND_INPUT_TOO_LONG = 2, /* an object past SEND_INPUT_MAX bytes (skipped) */
	SEND_INPUT_UNCLOSED = 3, /* an object whose braces never close before the
	                            next one, or the end */
};

/* Read from in (not closed by send_input_release). */
void send_input_init(struct send_input *si, FILE *in);
void send_input_release(struct send_input *si);

/* The next object's text: blank lines, and lines starting with '#'
 * between objects, are skipped; an object ends where its braces close
 * (strings and escapes followed). Returns SEND_INPUT_OBJECT with *text
 * (valid until the next call) and *first_line (where it began), or one of
 * the others above (*first_line set for TOO_LONG and UNCLOSED). A line
 * starting with '{' in its first column starts a new object even inside
 * one (pretty-printers indent what is nested), so one broken line costs
 * only its own object. A line that is not an object ("[1]", "hello") is
 * returned whole, for the parser to say what is wrong. */
int send_input_next(struct send_input *si, const char **text, long *first_line);

/* One object's text as a Concern. Besides libffc's JSON forms,
 * "occurred_at" and "reported_at" (or "occurredAt", "reportedAt") may give
 * the time as text, ISO 8601 or RFC 3339 ("2026-03-02", "2026-03-02T14:05Z",
 * "2026-03-02T14:05:30.5+01:00"), in place of the *_ms field. Returns
 * FFC_OK with *out (free with ffc__v1__concern__free_unpacked), FFC_EJSON
 * with the reason in err, or FFC_ENOMEM. */
int send_concern_from_json(const char *text, Ffc__V1__Concern **out, char *err, size_t errlen);

#endif
