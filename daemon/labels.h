/*
 * labels.h - the words alert reasons are written in: agencies, categories
 * and severities as a practitioner writes them ("police", "parental mental
 * health", "high"), and dates ("12 Mar").
 *
 * Category labels can be worded locally (conf/ffcd.conf, `labels`); every
 * category has a built-in one. The wording in force is the one
 * process-wide setting this module holds: it is put in force with the
 * rules (reload.c, at start and at each reload), so the judge and
 * rule_reason() need no extra argument, and a reason never mixes two
 * wordings (the swap happens between batches).
 */
#ifndef FFC_LABELS_H
#define FFC_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"

#define LABEL_MAX 64 /* bytes of one label, with its NUL */

struct labels {
	char category[CATEGORY_MAX + 1][LABEL_MAX]; /* by category value; [0] unused */
};

/* Fill l with the built-in wording. Cannot fail. */
void labels_defaults(struct labels *l);

/* Put l's wording in force (copied); NULL puts the built-in one back. */
void labels_use(const struct labels *l);

/* The words in force for a category, an agency ("social care") or a
 * severity ("immediate risk"); "an unknown category" (agency, severity)
 * for a value out of range. Static or held until the next labels_use(). */
const char *label_category(int category);
const char *label_agency(int agency);
const char *label_severity(int severity);

/* "12 Mar": the UTC day and month of a time in ms since the epoch. */
void label_date(int64_t ms, char *buf, size_t len);

/* Is s good as a label: 1 to LABEL_MAX - 1 bytes of UTF-8 without control
 * characters? Returns NULL when it is, else what is wrong. */
const char *label_problem(const char *s);

#endif
