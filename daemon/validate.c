/*
 * validate.c - the wire contract's "what is REJECTED" list.
 *
 * Owns every rule about a decoded concern's content: the concern_id, the
 * enumerations, the children and their identifiers (NHS number, UPN, date
 * of birth), the clock window, the string limits and UTF-8. Does not own
 * parse errors or the frame size (wire.c, ingest.c) nor idempotency, which
 * needs the store (ingest.c). Pure: no I/O, and the clock is an argument.
 */
#include "validate.h"

#include <stdio.h>
#include <string.h>

/* ---- identifiers ---- */

int validate_nhs_number(const char *s, char out[11], const char **why)
{
	char d[10];
	int n = 0;

	/* Spaces only, anywhere: adapters copy "943 476 5919" from letters
	 * and screens. Anything else (dashes, letters) is not a number we
	 * can be sure we read right. */
	for (const char *p = s; *p; p++) {
		if (*p == ' ')
			continue;
		if (*p < '0' || *p > '9' || n == 10) {
			*why = "not 10 digits";
			return -1;
		}
		d[n++] = *p;
	}
	if (n != 10) {
		*why = "not 10 digits";
		return -1;
	}

	int sum = 0;
	for (int i = 0; i < 9; i++)
		sum += (d[i] - '0') * (10 - i);
	int check = 11 - sum % 11;
	if (check == 11)
		check = 0;
	if (check == 10) {
		*why = "check digit comes out as 10";
		return -1;
	}
	if (check != d[9] - '0') {
		*why = "check digit mismatch";
		return -1;
	}
	/* Every repeated digit passes the modulus 11 check (the sum is
	 * 54 * d), but none is ever issued: they are placeholders typed into
	 * forms. */
	int repeated = 1;
	for (int i = 1; i < 10; i++)
		if (d[i] != d[0])
			repeated = 0;
	if (repeated) {
		*why = "one digit repeated, never issued";
		return -1;
	}
	memcpy(out, d, 10);
	out[10] = '\0';
	return 0;
}

/* The DfE check letter table: 23 letters, no I, O or S. A temporary UPN's
 * last character is a letter valued by its place here (A = 0, B = 1, ...,
 * Z = 22), which is what the contract's vectors L20130000100A and
 * X20130000100Z confirm (valuing A as 1 would give them other letters). */
static const char upn_letters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";

static int upn_letter_value(char c)
{
	const char *p = c ? strchr(upn_letters, c) : NULL;
	return p ? (int)(p - upn_letters) : -1;
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int validate_upn(const char *s, char out[14], const char **why)
{
	char u[14];
	size_t n = strlen(s);

	if (n != 13) {
		*why = "not 13 characters";
		return -1;
	}
	for (size_t i = 0; i < 13; i++)
		u[i] = upper(s[i]);
	u[13] = '\0';
	if (u[0] < 'A' || u[0] > 'Z') {
		*why = "first character not a letter";
		return -1;
	}
	for (int i = 1; i < 12; i++) {
		if (!is_digit(u[i])) {
			*why = "characters 2 to 12 not all digits";
			return -1;
		}
	}
	int last = is_digit(u[12]) ? u[12] - '0' : upn_letter_value(u[12]);
	if (last < 0) {
		*why = "last character not a digit or a letter of ABCDEFGHJKLMNPQRTUVWXYZ";
		return -1;
	}

	/* Characters 2 to 13 weighted by their position. */
	int sum = last * 13;
	for (int i = 1; i < 12; i++)
		sum += (u[i] - '0') * (i + 1);
	if (u[0] != upn_letters[sum % 23]) {
		*why = "check letter mismatch";
		return -1;
	}
	memcpy(out, u, 14);
	return 0;
}

/* ---- dates ---- */

static int is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). Pure arithmetic: timegm() is not in
 * POSIX and mktime() would drag in the local time zone. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int validate_date(const char *s, int64_t now_ms, const char **why)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	/* strlen first: the shape checks below may then index all ten. */
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
		*why = "not YYYY-MM-DD";
		return -1;
	}
	for (int i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !is_digit(s[i])) {
			*why = "not YYYY-MM-DD";
			return -1;
		}
	}
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	/* Year 0000 is no year of the Gregorian calendar (1 BC precedes 1 AD). */
	if (y < 1 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0)) {
		*why = "not a real date";
		return -1;
	}
	/* Born today (UTC) is fine; tomorrow is not. */
	if (days_from_civil(y, m, d) > floor_div(now_ms, MS_PER_DAY)) {
		*why = "in the future";
		return -1;
	}
	return 0;
}

/* ---- text ---- */

/* The Unicode standard's table 3-7 of well-formed byte sequences: no
 * overlong forms, no surrogates (U+D800..U+DFFF), nothing past U+10FFFF. */
bool validate_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t need;
		unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0; /* overlong below U+0800 */
			else if (c == 0xED)
				hi = 0x9F; /* surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90; /* overlong below U+10000 */
			else if (c == 0xF4)
				hi = 0x8F; /* past U+10FFFF */
		} else {
			return false; /* continuation byte, C0, C1, F5..FF */
		}
		if (len - i - 1 < need)
			return false;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= need; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xBF)
				return false;
		i += need + 1;
	}
	return true;
}

/* "over N bytes" into buf, cut to fit. Formatted into a local buffer
 * first: gcc's -O3 format checks see a null buf in snprintf here that no
 * caller passes. */
static const char *over_bytes(size_t max, char *buf, size_t buflen)
{
	char text[48];
	snprintf(text, sizeof text, "over %zu bytes", max);
	if (buflen) {
		size_t n = strnlen(text, buflen - 1);
		memcpy(buf, text, n);
		buf[n] = '\0';
	}
	return buf;
}

/* Length then encoding: the two rules every string field shares. `buf`
 * holds the "over N bytes" text when that is the rule broken. */
static const char *text_rule(const char *s, size_t max, char *buf, size_t buflen)
{
	size_t n = strlen(s);
	if (n > max)
		return over_bytes(max, buf, buflen);
	if (!validate_utf8(s, n))
		return "not valid UTF-8";
	return NULL;
}

static const char *enum_rule(int v, int max, char *buf, size_t buflen)
{
	if (v == 0)
		return "unspecified";
	if (v < 0 || v > max) {
		snprintf(buf, buflen, "unknown value %d", v);
		return buf;
	}
	return NULL;
}

static const char *concern_id_rule(const char *id, char *buf, size_t buflen)
{
	size_t n = strlen(id);
	if (n == 0)
		return "empty";
	if (n > CONCERN_ID_MAX) {
		snprintf(buf, buflen, "over %d bytes", CONCERN_ID_MAX);
		return buf;
	}
	/* It is the idempotency key and goes into logs and store keys:
	 * printable ASCII keeps it one unambiguous spelling. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] < 0x20 || (unsigned char)id[i] > 0x7E)
			return "not printable ASCII";
	return NULL;
}

/* A field of only white space names nobody: it is as absent as "". */
static int blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && (*s < '\t' || *s > '\r'))
			return 0;
	return 1;
}

/* The first rule a child breaks: *field is its field's name (NULL for the
 * child as a whole) and the return value the rule; NULL when it is fine.
 * Fields are checked in the proto's order so the first failure is
 * predictable. */
static const char *child_rule(const struct child_identity *id, int64_t now_ms, const char **field,
                              char *buf, size_t buflen)
{
	const struct {
		const char *name;
		const char *value;
	} fields[] = {
	    {"nhs_number", id->nhs_number},   {"upn", id->upn},
	    {"local_id", id->local_id},       {"given_name", id->given_name},
	    {"family_name", id->family_name}, {"date_of_birth", id->date_of_birth},
	    {"postcode", id->postcode},
	};
	const char *why;

	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		*field = fields[i].name;
		if ((why = text_rule(fields[i].value, CONCERN_FIELD_MAX, buf, buflen)))
			return why;
	}

	char nhs[11], upn[14];
	*field = "nhs_number";
	if (id->nhs_number[0] && validate_nhs_number(id->nhs_number, nhs, &why) < 0)
		return why;
	*field = "upn";
	if (id->upn[0] && validate_upn(id->upn, upn, &why) < 0)
		return why;
	*field = "date_of_birth";
	if (id->date_of_birth[0] && validate_date(id->date_of_birth, now_ms, &why) < 0)
		return why;
	/* The postcode is never a reason to reject: identity.c ignores one
	 * that is not the shape of a UK postcode, and the concern still
	 * reaches the child by its other identifiers. */

	*field = NULL;
	if (!id->nhs_number[0] && !id->upn[0] && blank(id->local_id) &&
	    (blank(id->family_name) || !id->date_of_birth[0]))
		return "no usable identity (need nhs_number, upn, local_id, or family_name and "
		       "date_of_birth)";
	return NULL;
}

/* A time a concern carries: from 1900-01-01T00:00:00Z to 5 minutes past
 * now (exactly 5 minutes ahead is still a clock skew we accept). Both
 * bounds are compared, never subtracted, so no value can overflow; and
 * the range leaves every window the rules add or subtract (at most years)
 * far from int64's ends. */
static const char *time_rule(int64_t ms, int64_t now_ms)
{
	if (ms < CONCERN_EARLIEST_MS)
		return "before 1900-01-01";
	if (ms > now_ms && (uint64_t)ms - (uint64_t)now_ms > (uint64_t)CONCERN_FUTURE_SLACK_MS)
		return "more than 5 minutes in the future";
	return NULL;
}

static int fail(char *err, size_t errlen, const char *field, const char *rule)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", field, rule);
	return -1;
}

static int fail_child(char *err, size_t errlen, size_t i, const char *field, const char *rule)
{
	if (err && errlen) {
		if (field)
			snprintf(err, errlen, "children[%zu].%s: %s", i, field, rule);
		else
			snprintf(err, errlen, "children[%zu]: %s", i, rule);
	}
	return -1;
}

/* Rules in the order the contract lists them, so the error an adapter
 * sees for a concern with several faults is the first of that list. */
int validate_concern(const struct concern *c, int64_t now_ms, char *err, size_t errlen)
{
	char buf[48];
	const char *why, *field;

	if ((why = concern_id_rule(c->concern_id, buf, sizeof buf)))
		return fail(err, errlen, "concern_id", why);
	if ((why = enum_rule(c->agency, AGENCY_MAX, buf, sizeof buf)))
		return fail(err, errlen, "agency", why);
	if ((why = enum_rule(c->category, CATEGORY_MAX, buf, sizeof buf)))
		return fail(err, errlen, "category", why);
	if ((why = enum_rule(c->severity, SEVERITY_MAX, buf, sizeof buf)))
		return fail(err, errlen, "severity", why);

	if (c->n_children == 0)
		return fail(err, errlen, "children", "none");
	if (c->n_children > CONCERN_CHILDREN_MAX) {
		snprintf(buf, sizeof buf, "more than %d", CONCERN_CHILDREN_MAX);
		return fail(err, errlen, "children", buf);
	}
	for (size_t i = 0; i < c->n_children; i++)
		if ((why = child_rule(&c->children[i], now_ms, &field, buf, sizeof buf)))
			return fail_child(err, errlen, i, field, why);

	/* 0 is what proto3 sends for a field the adapter never set. */
	if (c->occurred_at_ms == 0)
		return fail(err, errlen, "occurred_at_ms", "missing");
	if ((why = time_rule(c->occurred_at_ms, now_ms)))
		return fail(err, errlen, "occurred_at_ms", why);
	/* reported_at_ms is optional; when set it is a real time too, and
	 * nothing is recorded before it happened, give or take the same clock
	 * skew a time in the future is allowed. Both times are within the
	 * bounds above, so the difference cannot overflow. */
	if (c->reported_at_ms != 0) {
		if ((why = time_rule(c->reported_at_ms, now_ms)))
			return fail(err, errlen, "reported_at_ms", why);
		if (c->occurred_at_ms - c->reported_at_ms > CONCERN_FUTURE_SLACK_MS)
			return fail(err, errlen, "reported_at_ms",
			            "more than 5 minutes before occurred_at_ms");
	}

	if ((why = text_rule(c->summary, CONCERN_SUMMARY_MAX, buf, sizeof buf)))
		return fail(err, errlen, "summary", why);
	if ((why = text_rule(c->source_system, CONCERN_FIELD_MAX, buf, sizeof buf)))
		return fail(err, errlen, "source_system", why);
	if ((why = text_rule(c->reporter, CONCERN_FIELD_MAX, buf, sizeof buf)))
		return fail(err, errlen, "reporter", why);
	/* Only the school itself, or the local authority's education
	 * service, knows which school a child attends. */
	const char *urn = concern_school_urn(c);
	if (urn[0] && c->agency != AGENCY_EDUCATION)
		return fail(err, errlen, "school_urn", "only an education concern names a school");
	if (urn[0] && validate_school_urn(urn, &why) < 0)
		return fail(err, errlen, "school_urn", why);
	return 0;
}

int validate_school_urn(const char *s, const char **why)
{
	size_t n = strlen(s);
	if (n == 3 && (s[0] | 0x20) == 'e' && (s[1] | 0x20) == 'h' && (s[2] | 0x20) == 'e')
		return 0;
	if (n != 6 || s[0] < '1' || s[0] > '9' || strspn(s, "0123456789") != 6) {
		*why = "not a URN (six digits from 100000 to 999999) nor EHE";
		return -1;
	}
	return 0;
}

/* ---- the same rules for a social care status (status.c) ---- */

const char *validate_id_rule(const char *id, char *buf, size_t buflen)
{
	return concern_id_rule(id, buf, buflen);
}

const char *validate_text_rule(const char *s, size_t max, char *buf, size_t buflen)
{
	return text_rule(s, max, buf, buflen);
}

const char *validate_time_rule(int64_t ms, int64_t now_ms)
{
	return time_rule(ms, now_ms);
}

const char *validate_child_rule(const struct child_identity *id, int64_t now_ms, const char **field,
                                char *buf, size_t buflen)
{
	return child_rule(id, now_ms, field, buf, buflen);
}

int64_t validate_date_day(const char *s)
{
	return days_from_civil(digits(s, 4), digits(s + 5, 2), digits(s + 8, 2));
}
