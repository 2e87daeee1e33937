/*
 * status.c - social care's status of a child (see status.h): the
 * contract's rules for a ChildStatus, its facts over time, and the status
 * terms and words the rules use.
 *
 * Owns what makes a status acceptable (field by field, in the proto's
 * order, with the concern's own rules for ids, strings, times and the
 * child's identity from validate.c), which statuses are in force when,
 * and their names. Does not decode (wire_status.c), store
 * (store_status.c) or file one (ingest_status.c). Pure.
 */
#include "status.h"

#include <stdio.h>
#include <string.h>

#include "validate.h"

/* Indexed by value, as proto/ffc.proto numbers them. */
static const char *const kinds[STATUS_KIND_MAX + 1] = {
    "UNSPECIFIED", "CHILD_IN_NEED", "CHILD_PROTECTION_PLAN", "LOOKED_AFTER", "PRE_BIRTH_PLAN",
};

/* A plan's categories without the proto's PLAN_ prefix: the words a
 * rule's term uses ("child-protection-plan:neglect"). */
static const char *const categories[STATUS_CATEGORY_MAX + 1] = {
    "UNSPECIFIED", "NEGLECT", "PHYSICAL_ABUSE", "EMOTIONAL_ABUSE", "SEXUAL_ABUSE", "MULTIPLE",
};

static const char *const legal[STATUS_LEGAL_MAX + 1] = {
    "UNSPECIFIED",
    "INTERIM_CARE_ORDER",
    "CARE_ORDER",
    "PLACEMENT_ORDER",
    "ACCOMMODATED",
    "SHORT_BREAKS",
    "EMERGENCY_PROTECTION_ORDER",
    "POLICE_PROTECTION",
    "REMANDED",
};

static const char *name(const char *const *names, int max, int v)
{
	return v >= 0 && v <= max ? names[v] : "UNKNOWN";
}

const char *status_kind_name(int kind)
{
	return name(kinds, STATUS_KIND_MAX, kind);
}

const char *status_category_name(int category)
{
	return name(categories, STATUS_CATEGORY_MAX, category);
}

const char *status_legal_name(int legal_status)
{
	return name(legal, STATUS_LEGAL_MAX, legal_status);
}

/* ---- validation ---- */

static int fail(char *err, size_t errlen, const char *field, const char *rule)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", field, rule);
	return -1;
}

static const char *enum_rule(int v, int max, char *buf, size_t buflen)
{
	if (v < 0 || v > max) {
		snprintf(buf, buflen, "unknown value %d", v);
		return buf;
	}
	return NULL;
}

/* The rules of a kind's qualifiers: a plan's category, a looked-after
 * child's legal status, and neither where the kind has none. */
static int qualifiers(const struct child_status *s, char *buf, size_t buflen, char *err,
                      size_t errlen)
{
	const char *why;
	if ((why = enum_rule(s->category, STATUS_CATEGORY_MAX, buf, buflen)))
		return fail(err, errlen, "category", why);
	if (s->kind == STATUS_PROTECTION_PLAN && !s->category)
		return fail(err, errlen, "category",
		            "required for a child protection plan (neglect, physical abuse, "
		            "emotional abuse, sexual abuse or multiple)");
	if (s->category && s->kind != STATUS_PROTECTION_PLAN && s->kind != STATUS_PRE_BIRTH_PLAN)
		return fail(err, errlen, "category",
		            "only for a child protection or pre-birth plan");
	if ((why = enum_rule(s->legal_status, STATUS_LEGAL_MAX, buf, buflen)))
		return fail(err, errlen, "legal_status", why);
	if (s->kind == STATUS_LOOKED_AFTER && !s->legal_status)
		return fail(err, errlen, "legal_status", "required for a looked-after child");
	if (s->legal_status && s->kind != STATUS_LOOKED_AFTER)
		return fail(err, errlen, "legal_status", "only for a looked-after child");
	return 0;
}

/* start_date required, end_date optional; both real days, neither in the
 * future (an end is sent once it has happened), the end not before the
 * start. */
static int period(const struct child_status *s, int64_t now_ms, char *err, size_t errlen)
{
	const char *why;
	if (!s->start_date[0])
		return fail(err, errlen, "start_date", "missing");
	if (validate_date(s->start_date, now_ms, &why) < 0)
		return fail(err, errlen, "start_date", why);
	if (!s->end_date[0])
		return 0;
	if (validate_date(s->end_date, now_ms, &why) < 0)
		return fail(err, errlen, "end_date", why);
	if (validate_date_day(s->end_date) < validate_date_day(s->start_date))
		return fail(err, errlen, "end_date", "before start_date");
	return 0;
}

int status_validate(const struct child_status *s, int64_t now_ms, char *err, size_t errlen)
{
	char buf[48];
	const char *why, *field;
	if ((why = validate_id_rule(s->status_id, buf, sizeof buf)))
		return fail(err, errlen, "status_id", why);
	if ((why = validate_text_rule(s->source_system, CONCERN_FIELD_MAX, buf, sizeof buf)))
		return fail(err, errlen, "source_system", why);
	if ((why = validate_child_rule(&s->child, now_ms, &field, buf, sizeof buf))) {
		if (err && errlen)
			snprintf(err, errlen, "child%s%s: %s", field ? "." : "", field ? field : "",
			         why);
		return -1;
	}
	if (s->kind == 0)
		return fail(err, errlen, "kind", "unspecified");
	if ((why = enum_rule(s->kind, STATUS_KIND_MAX, buf, sizeof buf)))
		return fail(err, errlen, "kind", why);
	if (qualifiers(s, buf, sizeof buf, err, errlen) < 0 || period(s, now_ms, err, errlen) < 0)
		return -1;
	const struct {
		const char *name, *value;
	} text[] = {
	    {"local_authority", s->local_authority},
	    {"social_worker", s->social_worker},
	    {"social_worker_role", s->social_worker_role},
	    {"social_worker_contact", s->social_worker_contact},
	};
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		if ((why = validate_text_rule(text[i].value, CONCERN_FIELD_MAX, buf, sizeof buf)))
			return fail(err, errlen, text[i].name, why);
	if (!s->local_authority[0])
		return fail(err, errlen, "local_authority", "missing");
	if (s->recorded_at_ms == 0)
		return fail(err, errlen, "recorded_at_ms", "missing");
	if ((why = validate_time_rule(s->recorded_at_ms, now_ms)))
		return fail(err, errlen, "recorded_at_ms", why);
	return 0;
}

int status_equal(const struct child_status *a, const struct child_status *b)
{
	return !strcmp(a->status_id, b->status_id) && !strcmp(a->source_system, b->source_system) &&
	       child_identity_equal(&a->child, &b->child) && a->kind == b->kind &&
	       a->category == b->category && a->legal_status == b->legal_status &&
	       !strcmp(a->start_date, b->start_date) && !strcmp(a->end_date, b->end_date) &&
	       !strcmp(a->local_authority, b->local_authority) &&
	       !strcmp(a->social_worker, b->social_worker) &&
	       !strcmp(a->social_worker_role, b->social_worker_role) &&
	       !strcmp(a->social_worker_contact, b->social_worker_contact) &&
	       a->recorded_at_ms == b->recorded_at_ms;
}

/* ---- facts over time ---- */

void status_fact_of(const struct child_status *s, uint64_t seq, struct status_fact *out)
{
	memset(out, 0, sizeof *out);
	out->seq = seq;
	out->kind = (uint8_t)s->kind;
	out->category = (uint8_t)s->category;
	out->legal_status = (uint8_t)s->legal_status;
	out->from_ms = validate_date_day(s->start_date) * MS_PER_DAY;
	out->to_ms = s->end_date[0] ? validate_date_day(s->end_date) * MS_PER_DAY : INT64_MAX;
}

/* Kinds take bits 1 to 4, a plan's categories bits 9 to 13. */
#define CATEGORY_SHIFT 8

uint32_t status_bit(int kind, int category)
{
	if (kind < 1 || kind > STATUS_KIND_MAX || category < 0 || category > STATUS_CATEGORY_MAX)
		return 0;
	if (!category)
		return STATUS_KIND_BIT(kind);
	return kind == STATUS_PROTECTION_PLAN ? UINT32_C(1) << (CATEGORY_SHIFT + category) : 0;
}

uint32_t status_bits_all(void)
{
	uint32_t all = 0;
	for (int k = 1; k <= STATUS_KIND_MAX; k++)
		all |= status_bit(k, 0);
	for (int c = 1; c <= STATUS_CATEGORY_MAX; c++)
		all |= status_bit(STATUS_PROTECTION_PLAN, c);
	return all;
}

int status_in_force(const struct status_fact *f, int64_t at_ms)
{
	return !f->superseded && f->from_ms <= at_ms && at_ms < f->to_ms;
}

uint32_t status_mask_at(const struct status_fact *f, size_t n, int64_t at_ms)
{
	uint32_t mask = 0;
	for (size_t i = 0; i < n; i++) {
		if (!status_in_force(&f[i], at_ms))
			continue;
		mask |= status_bit(f[i].kind, 0);
		if (f[i].kind == STATUS_PROTECTION_PLAN)
			mask |= status_bit(f[i].kind, f[i].category);
	}
	return mask;
}

uint32_t status_term_parse(const char *s)
{
	char kind[40];
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	if (n >= sizeof kind)
		return 0;
	memcpy(kind, s, n);
	kind[n] = '\0';
	int k = enum_name_parse(kinds, STATUS_KIND_MAX, kind);
	if (k < 0)
		return 0;
	if (!colon)
		return status_bit(k, 0);
	int c = enum_name_parse(categories, STATUS_CATEGORY_MAX, colon + 1);
	return c > 0 ? status_bit(k, c) : 0;
}

/* ---- words ---- */

struct text {
	char *buf;
	size_t len, at;
};

static void put(struct text *t, const char *s)
{
	size_t n = strlen(s);
	if (t->at < t->len)
		snprintf(t->buf + t->at, t->len - t->at, "%s", s);
	t->at += n;
}

/* "physical abuse": a category in lower-case words. */
static void put_category(struct text *t, int category)
{
	char word[32];
	snprintf(word, sizeof word, "%s", status_category_name(category));
	for (char *p = word; *p; p++)
		*p = *p == '_' ? ' ' : (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	put(t, word);
}

size_t status_phrase(uint32_t mask, char *buf, size_t len)
{
	static const char *const words[STATUS_KIND_MAX + 1] = {
	    "",
	    "a child in need",
	    "on a child protection plan",
	    "looked after",
	    "on a pre-birth plan",
	};
	struct text t = {buf, len, 0};
	if (len)
		buf[0] = '\0';
	size_t parts = 0;
	for (int k = 1; k <= STATUS_KIND_MAX; k++) {
		uint32_t cats = 0;
		if (k == STATUS_PROTECTION_PLAN)
			for (int c = 1; c <= STATUS_CATEGORY_MAX; c++)
				cats |= mask & status_bit(k, c);
		if (!(mask & status_bit(k, 0)) && !cats)
			continue;
		put(&t, parts++ ? " or " : "");
		put(&t, words[k]);
		/* Any plan is wider than a plan of some categories. */
		if (!cats || (mask & status_bit(k, 0)))
			continue;
		put(&t, " (");
		size_t n = 0;
		for (int c = 1; c <= STATUS_CATEGORY_MAX; c++) {
			if (!(cats & status_bit(k, c)))
				continue;
			put(&t, n++ ? ", " : "");
			put_category(&t, c);
		}
		put(&t, ")");
	}
	return t.at;
}
