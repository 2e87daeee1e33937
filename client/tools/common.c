/*
 * common.c - helpers shared by ffcctl, ffc-send and ffc-watch: messages
 * and exit codes, flag values, and the human form of an alert.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ffc/cert.h"

_Noreturn void tool_exit(int code, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "%s: ", tool_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

const char *tool_env(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && v[0] ? v : fallback;
}

long long tool_number(const char *flag, const char *value, long long min, long long max)
{
	char *end;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (errno || end == value || *end || v < min || v > max)
		tool_exit(EXIT_USAGE, "%s: '%s' is not a whole number from %lld to %lld", flag,
		          value, min, max);
	return v;
}

int64_t tool_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tool_time(int64_t ms, char *buf, size_t len)
{
	static int zone_read;
	if (!zone_read) {
		tzset(); /* localtime_r() need not read $TZ itself */
		zone_read = 1;
	}
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
	struct tm tm;
	if (len && localtime_r(&t, &tm) && strftime(buf, len, "%Y-%m-%d %H:%M %Z", &tm) > 0)
		return;
	/* "YYYY-MM-DD HH:MM", years of up to nine digits (all of int64 ms) */
	char utc[24];
	ffc_format_time(ms, utc, sizeof utc);
	snprintf(buf, len, "%s UTC", utc);
}

const char *tool_enum_name(const ProtobufCEnumDescriptor *d, int value)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(d, value);
	return v ? v->name : "?";
}

int tool_enum_parse(const ProtobufCEnumDescriptor *d, const char *s)
{
	/* Index 0 is *_UNSPECIFIED: never a value to ask for. */
	for (unsigned i = 1; i < d->n_values; i++) {
		const char *name = d->values[i].name;
		size_t k = 0;
		while (s[k] && name[k] &&
		       ((s[k] | 0x20) == (name[k] | 0x20) || (s[k] == '-' && name[k] == '_')))
			k++;
		if (!s[k] && !name[k])
			return d->values[i].value;
	}
	return -1;
}

void tool_curve(const char *key_file, const char *server_key_file)
{
	int have_key = key_file && key_file[0], have_server = server_key_file && server_key_file[0];
	if (!have_key && !have_server)
		return;
	if (!have_key || !have_server)
		tool_exit(EXIT_USAGE,
		          "CURVE needs both --key FILE (this tool's NAME.key_secret) and "
		          "--server-key FILE (the daemon's public ffcd.key)");
	struct ffc_cert mine, server;
	char err[512];
	if (ffc_cert_load(key_file, &mine, err, sizeof err) < 0)
		tool_exit(EXIT_FAIL, "--key: %s", err);
	if (!mine.secret_key[0])
		tool_exit(EXIT_FAIL, "--key: %s holds no secret-key (give NAME.key_secret)",
		          key_file);
	if (ffc_cert_load(server_key_file, &server, err, sizeof err) < 0)
		tool_exit(EXIT_FAIL, "--server-key: %s", err);
	int rc = ffc_curve_use(mine.public_key, mine.secret_key, server.public_key);
	explicit_bzero(&mine, sizeof mine);
	explicit_bzero(&server, sizeof server);
	if (rc != FFC_OK)
		tool_exit(EXIT_FAIL, "CURVE keys: %s", ffc_strerror(rc));
}

void tool_print_json(const ProtobufCMessage *msg)
{
	char *s = ffc_json_from_message(msg);
	if (!s)
		tool_exit(EXIT_FAIL, "out of memory");
	puts(s);
	free(s);
}

/* Append ", <label><value>" (no comma first). */
static void add(char *buf, size_t len, size_t *o, const char *label, const char *value)
{
	if (!value[0] || *o >= len)
		return;
	int n = snprintf(buf + *o, len - *o, "%s%s%s", *o ? ", " : "", label, value);
	if (n > 0)
		*o += (size_t)n;
}

void tool_describe_child(const Ffc__V1__ChildIdentity *id, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	if (!id)
		return;
	if (id->given_name[0] || id->family_name[0]) {
		int n =
		    snprintf(buf, len, "%s%s%s", id->given_name,
		             id->given_name[0] && id->family_name[0] ? " " : "", id->family_name);
		o = n > 0 ? (size_t)n : 0;
	}
	add(buf, len, &o, "born ", id->date_of_birth);
	add(buf, len, &o, "NHS ", id->nhs_number);
	add(buf, len, &o, "UPN ", id->upn);
	add(buf, len, &o, "local id ", id->local_id);
	add(buf, len, &o, "", id->postcode);
}

void tool_print_alert(FILE *f, const Ffc__V1__Alert *a)
{
	char when[32], child[512];
	tool_time(a->raised_at_ms, when, sizeof when);
	tool_describe_child(a->child, child, sizeof child);
	fprintf(f, "[%s] %s  seq %llu  %s  child %s%s%s%s  %s%s%s%s\n",
	        tool_enum_name(&ffc__v1__level__descriptor, (int)a->level), a->alert_id,
	        (unsigned long long)a->seq, when, a->child_id, child[0] ? " (" : "", child,
	        child[0] ? ")" : "", a->rule, a->scope[0] ? " (for the household)" : "",
	        a->household_id[0] ? "  household " : "", a->household_id);
	fprintf(f, "    %s", a->reason);
	if (a->supersedes[0])
		fprintf(f, "  (escalates %s)", a->supersedes);
	if (a->lead_practitioner[0])
		fprintf(f, "  lead practitioner: %s", a->lead_practitioner);
	fputc('\n', f);
	for (size_t i = 0; i < a->n_evidence; i++) {
		const Ffc__V1__ConcernRef *e = a->evidence[i];
		tool_time(e->occurred_at_ms, when, sizeof when);
		fprintf(f, "    - %s  %-11s %-22s %-14s %s", when,
		        tool_enum_name(&ffc__v1__agency__descriptor, (int)e->agency),
		        tool_enum_name(&ffc__v1__category__descriptor, (int)e->category),
		        tool_enum_name(&ffc__v1__severity__descriptor, (int)e->severity),
		        e->concern_id);
		/* A household alert's evidence: whom each concern was for. */
		for (size_t k = 0; k < e->n_child_ids; k++)
			fprintf(f, "%s%s", k ? ", " : "  for ", e->child_ids[k]);
		fputc('\n', f);
	}
	fflush(f);
}
