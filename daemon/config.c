/*
 * config.c - reads ffcd's configuration file (libconfig syntax) into one
 * validated struct config. The only file that includes libconfig.h.
 *
 * A file is checked whole: every unknown setting, wrong type, value out of
 * range and inconsistent rule is reported as "file:line: message", and
 * nothing of a file with any error is used. Owns the defaults, the file's
 * layout (conf/ffcd.conf is its manual) and the checks a finished config
 * must pass. Does not evaluate rules (rules.c) or apply the command line
 * (main.c).
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "config.h"
#include "retention.h"

#include <errno.h>
#include <libconfig.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "ffc/cert.h"
#include "log.h"

#define MIB         (UINT64_C(1) << 20)
#define KIB         1024u
#define MS_PER_HOUR INT64_C(3600000)

/* Limits of the file's settings, also checked on a finished config. */
#define MAP_MB_MAX      (1 << 20) /* 1 TiB */
#define MESSAGE_KB_MAX  1024
#define BATCH_MAX       10000
#define WINDOW_DAYS_MAX 3650
#define THRESHOLD_MAX   1000
#define WEIGHT_MAX      100

/* ZeroMQ binds an ipc:// endpoint to a Unix socket path, which must fit
 * sun_path with its terminating NUL. */
#define IPC_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)
#define CONTROL_SOCK "/control.sock"

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->data_dir, sizeof cfg->data_dir, "var");
	snprintf(cfg->ingest, sizeof cfg->ingest, "tcp://127.0.0.1:7401");
	snprintf(cfg->alerts, sizeof cfg->alerts, "tcp://127.0.0.1:7402");
	cfg->control[0] = '\0';
	cfg->map_size = 64 * MIB;
	cfg->map_size_max = 65536 * MIB;
	cfg->max_message = 64 * KIB;
	cfg->batch_max = 512;
	cfg->log_level = LOG_INFO;
	cfg->n_rules = rules_defaults(cfg->rules, RULES_MAX);
	lifecycle_defaults(&cfg->lifecycle);
}

/* ---- error reporting ---- */

struct ctx {
	const char *origin; /* the file, or config_check's origin */
	struct config_errors *errs;
	size_t total; /* errors found, including those past CONFIG_ERRORS_MAX */
	/* Where each kept error stands, to list them in file order. */
	const char *file[CONFIG_ERRORS_MAX];
	int line[CONFIG_ERRORS_MAX];
};

static FFC_PRINTF(4, 5) void fail_at(struct ctx *c, const char *file, int line, const char *fmt,
                                     ...)
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
static FFC_PRINTF(3, 4) void fail(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	const char *file =
	    s && config_setting_source_file(s) ? config_setting_source_file(s) : c->origin;
	int line = s ? (int)config_setting_source_line(s) : 0;
	char text[CONFIG_ERROR_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	fail_at(c, file, line, "%s", text);
}

/* Errors are found section by section and the cross-checks come last;
 * list them by file and line, as a compiler would. A stable insertion sort:
 * at most CONFIG_ERRORS_MAX rows. */
static void sort_errors(struct ctx *c)
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
static void finish(struct ctx *c)
{
	if (c->total <= CONFIG_ERRORS_MAX)
		return;
	snprintf(c->errs->msg[CONFIG_ERRORS_MAX - 1], CONFIG_ERROR_LEN,
	         "%s: %zu more errors not shown", c->origin, c->total - (CONFIG_ERRORS_MAX - 1));
}

/* The setting's full name for messages: "ingest.max_message_kb",
 * "rules[2].weights.low", "rules[1].categories[0]". */
static const char *path_of(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *parent = config_setting_parent(s);
	size_t at = 0;
	buf[0] = '\0';
	if (parent && !config_setting_is_root(parent)) {
		path_of(parent, buf, len);
		at = strlen(buf);
	}
	const char *name = config_setting_name(s);
	if (name)
		snprintf(buf + at, len - at, "%s%s", at ? "." : "", name);
	else
		snprintf(buf + at, len - at, "[%d]", config_setting_index(s));
	return buf;
}

#define PATH_LEN 160

static void unknown(struct ctx *c, const config_setting_t *s, const char *known)
{
	char path[PATH_LEN];
	fail(c, s, "unknown setting '%s' (known here: %s)", path_of(s, path, sizeof path), known);
}

/* Names in the file are compared like agency and category names: case
 * ignored, '-' and '_' alike ("distinct-agencies", "Distinct_Agencies"). */
static int same_name(const char *a, const char *b)
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

static int get_string(struct ctx *c, const config_setting_t *s, char *dst, size_t size,
                      int allow_empty)
{
	char path[PATH_LEN];
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		fail(c, s, "%s: expected a string in double quotes", path_of(s, path, sizeof path));
		return -1;
	}
	const char *v = config_setting_get_string(s);
	size_t n = strlen(v);
	if (!allow_empty && n == 0) {
		fail(c, s, "%s: must not be empty", path_of(s, path, sizeof path));
		return -1;
	}
	if (n >= size) {
		fail(c, s, "%s: longer than %zu bytes", path_of(s, path, sizeof path), size - 1);
		return -1;
	}
	memcpy(dst, v, n + 1);
	return 0;
}

static int get_int(struct ctx *c, const config_setting_t *s, long long min, long long max,
                   long long *out)
{
	char path[PATH_LEN];
	int type = config_setting_type(s);
	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
		fail(c, s, "%s: expected a whole number", path_of(s, path, sizeof path));
		return -1;
	}
	long long v = config_setting_get_int64(s);
	if (v < min || v > max) {
		fail(c, s, "%s: %lld is out of range (%lld to %lld)", path_of(s, path, sizeof path),
		     v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int expect_group(struct ctx *c, const config_setting_t *s)
{
	char path[PATH_LEN];
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		fail(c, s, "%s: expected a group { ... }", path_of(s, path, sizeof path));
		return -1;
	}
	return 0;
}

/* A string naming one of an enumeration's values; -1 (reported) if not. */
static int get_enum(struct ctx *c, const config_setting_t *s, int (*parse)(const char *),
                    const char *what, const char *choices)
{
	char path[PATH_LEN], v[64];
	if (get_string(c, s, v, sizeof v, 0) < 0)
		return -1;
	int value = parse(v);
	if (value <= 0) {
		fail(c, s, "%s: '%s' is not %s (%s)", path_of(s, path, sizeof path), v, what,
		     choices);
		return -1;
	}
	return value;
}

/* ---- where each setting stood, for the checks made once all is read ---- */

struct where {
	const config_setting_t *data_dir, *log_level, *ingest, *alerts, *control;
	const config_setting_t *max_message, *batch_max, *map_size, *map_size_max;
	const config_setting_t *security_mode, *secret_key_file;
};

/* ---- sections ---- */

static int log_level_parse(const char *s)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	for (int l = 0; l < 4; l++)
		if (same_name(s, names[l]))
			return l + 1; /* get_enum reserves 0 for "unknown" */
	return -1;
}

static void section_daemon(struct ctx *c, const config_setting_t *g, struct config *cfg,
                           struct where *w)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		if (!strcmp(name, "data_dir")) {
			w->data_dir = s;
			get_string(c, s, cfg->data_dir, sizeof cfg->data_dir, 0);
		} else if (!strcmp(name, "log_level")) {
			w->log_level = s;
			int l = get_enum(c, s, log_level_parse, "a log level",
			                 "error, warn, info or debug");
			if (l > 0)
				cfg->log_level = (enum log_level)(l - 1);
		} else if (!strcmp(name, "user")) {
			/* Checked here so that ffcd -n finds a user that does not
			 * exist on this machine. */
			if (get_string(c, s, cfg->user, sizeof cfg->user, 0) == 0 &&
			    !getpwnam(cfg->user)) {
				fail(c, s, "daemon.user: no user '%s' on this system", cfg->user);
				cfg->user[0] = '\0';
			}
		} else {
			unknown(c, s, "data_dir, log_level, user");
		}
	}
}

static void section_ingest(struct ctx *c, const config_setting_t *g, struct config *cfg,
                           struct where *w)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		long long v;
		if (!strcmp(name, "endpoint")) {
			w->ingest = s;
			get_string(c, s, cfg->ingest, sizeof cfg->ingest, 0);
		} else if (!strcmp(name, "max_message_kb")) {
			w->max_message = s;
			if (get_int(c, s, 1, MESSAGE_KB_MAX, &v) == 0)
				cfg->max_message = (size_t)v * KIB;
		} else if (!strcmp(name, "batch_max")) {
			w->batch_max = s;
			if (get_int(c, s, 1, BATCH_MAX, &v) == 0)
				cfg->batch_max = (unsigned)v;
		} else {
			unknown(c, s, "endpoint, max_message_kb, batch_max");
		}
	}
}

/* alerts and control hold one endpoint each. */
static void section_endpoint(struct ctx *c, const config_setting_t *g, char *dst, size_t size,
                             int allow_empty, const config_setting_t **where)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		if (!strcmp(config_setting_name(s), "endpoint")) {
			*where = s;
			get_string(c, s, dst, size, allow_empty);
		} else {
			unknown(c, s, "endpoint");
		}
	}
}

static void section_store(struct ctx *c, const config_setting_t *g, struct config *cfg,
                          struct where *w)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		long long v;
		if (!strcmp(name, "map_size_mb")) {
			w->map_size = s;
			if (get_int(c, s, 1, MAP_MB_MAX, &v) == 0)
				cfg->map_size = (uint64_t)v * MIB;
		} else if (!strcmp(name, "map_size_max_mb")) {
			w->map_size_max = s;
			if (get_int(c, s, 1, MAP_MB_MAX, &v) == 0)
				cfg->map_size_max = (uint64_t)v * MIB;
		} else {
			unknown(c, s, "map_size_mb, map_size_max_mb");
		}
	}
}

static void section_retention(struct ctx *c, const config_setting_t *g, struct config *cfg)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		long long v;
		if (!strcmp(config_setting_name(s), "years")) {
			if (get_int(c, s, 0, RETENTION_YEARS_MAX, &v) == 0)
				cfg->retention_years = (unsigned)v;
		} else {
			unknown(c, s, "years");
		}
	}
}

/* ---- alerts: the endpoint, response times and outcomes ---- */

#define RESPONSE_MINUTES_MAX (30 * 24 * 60)

/* response_minutes or response_seconds: { red = N; amber = N; } */
static void response_times(struct ctx *c, const config_setting_t *g, int64_t unit_ms, long long max,
                           struct alert_policy *p)
{
	if (expect_group(c, g) < 0)
		return;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		int level = same_name(name, "red")     ? LEVEL_RED
		            : same_name(name, "amber") ? LEVEL_AMBER
		                                       : 0;
		long long v;
		if (!level)
			unknown(c, s, "red, amber");
		else if (get_int(c, s, 1, max, &v) == 0)
			p->response_ms[level] = (int64_t)v * unit_ms;
	}
}

static void outcomes(struct ctx *c, const config_setting_t *s, struct alert_policy *p)
{
	char path[PATH_LEN];
	int type = config_setting_type(s);
	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		fail(c, s, "%s: expected a list of outcomes, e.g. [\"no further action\"]",
		     path_of(s, path, sizeof path));
		return;
	}
	int n = config_setting_length(s);
	if (n == 0 || n > LIFECYCLE_OUTCOMES_MAX) {
		fail(c, s, "%s: %d outcomes, give 1 to %d", path_of(s, path, sizeof path), n,
		     LIFECYCLE_OUTCOMES_MAX);
		return;
	}
	struct alert_policy next = *p;
	next.n_outcomes = 0;
	int bad = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		char *dst = next.outcomes[next.n_outcomes];
		char err[LIFECYCLE_ERR_MAX];
		if (get_string(c, e, dst, WIRE_OUTCOME_MAX, 0) < 0) {
			bad = 1;
			continue;
		}
		path_of(e, path, sizeof path);
		if (lifecycle_check_text(path, dst, WIRE_OUTCOME_MAX - 1, 1, 0, err, sizeof err) <
		    0) {
			fail(c, e, "%s", err);
			bad = 1;
			continue;
		}
		if (lifecycle_outcome(&next, dst)) {
			fail(c, e, "%s: '%s' is listed twice", path, dst);
			bad = 1;
			continue;
		}
		next.n_outcomes++;
	}
	if (!bad)
		*p = next;
}

static void section_alerts(struct ctx *c, const config_setting_t *g, struct config *cfg,
                           struct where *w)
{
	const config_setting_t *response = NULL;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		int minutes = !strcmp(name, "response_minutes");
		if (!strcmp(name, "endpoint")) {
			w->alerts = s;
			get_string(c, s, cfg->alerts, sizeof cfg->alerts, 0);
		} else if (minutes || !strcmp(name, "response_seconds")) {
			if (response) {
				fail(c, s,
				     "alerts.%s: response times are already given at line %d "
				     "(give response_minutes or response_seconds, not both)",
				     name, (int)config_setting_source_line(response));
				continue;
			}
			response = s;
			if (minutes)
				response_times(c, s, 60 * 1000, RESPONSE_MINUTES_MAX,
				               &cfg->lifecycle);
			else
				response_times(c, s, 1000, RESPONSE_MINUTES_MAX * 60LL,
				               &cfg->lifecycle);
		} else if (!strcmp(name, "outcomes")) {
			outcomes(c, s, &cfg->lifecycle);
		} else {
			unknown(c, s, "endpoint, response_minutes, response_seconds, outcomes");
		}
	}
}

/* ---- security ---- */

/* An operator's name as it is given on the command line and recorded in
 * the audit trail: letters, digits and . _ - @, nothing to misread. */
static int valid_operator_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-@", *s)))
			return 0;
	return 1;
}

static int operator_role_parse(const char *s)
{
	enum access_role r = access_role_parse(s);
	return r == ACCESS_VIEWER || r == ACCESS_PRACTITIONER || r == ACCESS_ADMIN ? (int)r : -1;
}

/* An operator's unix_user: a user name of this system, or a uid. Resolved
 * here, so that ffcd -n finds a user that does not exist. */
static int unix_user(struct ctx *c, const config_setting_t *e, struct access_key *k)
{
	char path[PATH_LEN], name[ACCESS_NAME_MAX];
	int type = config_setting_type(e);
	if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
		long long uid;
		if (get_int(c, e, 0, UINT32_MAX - 1, &uid) < 0)
			return -1;
		k->unix_uid = (unsigned)uid;
	} else {
		if (get_string(c, e, name, sizeof name, 0) < 0)
			return -1;
		struct passwd pw, *found = NULL;
		char buf[1024];
		if (getpwnam_r(name, &pw, buf, sizeof buf, &found) != 0 || !found) {
			fail(c, e, "%s: no user '%s' on this system", path_of(e, path, sizeof path),
			     name);
			return -1;
		}
		k->unix_uid = (unsigned)found->pw_uid;
	}
	k->has_unix_uid = 1;
	return 0;
}

/* security.operators = ( { name = "j.doe"; role = "practitioner";
 * unix_user = "jdoe"; }, ... ): who may use the ipc control socket, as
 * which Unix user (the kernel's word for the caller), with which role. */
static void operators(struct ctx *c, const config_setting_t *s, struct access_list *l)
{
	char path[PATH_LEN];
	const config_setting_t *line[ACCESS_KEYS_MAX];
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		fail(c, s,
		     "%s: expected a list ( { name = \"...\"; role = \"...\"; unix_user = "
		     "\"...\"; }, ... )",
		     path_of(s, path, sizeof path));
		return;
	}
	int n = config_setting_length(s);
	if (n > ACCESS_KEYS_MAX) {
		fail(c, s, "%s: %d operators, at most %d", path_of(s, path, sizeof path), n,
		     ACCESS_KEYS_MAX);
		return;
	}
	l->n_operators = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		if (expect_group(c, g) < 0)
			continue;
		struct access_key k;
		memset(&k, 0, sizeof k);
		const config_setting_t *name = NULL;
		int bad = 0;
		for (int j = 0; j < config_setting_length(g); j++) {
			const config_setting_t *e = config_setting_get_elem(g, (unsigned)j);
			if (!strcmp(config_setting_name(e), "name")) {
				name = e;
				if (get_string(c, e, k.name, sizeof k.name, 0) < 0) {
					bad = 1;
				} else if (!valid_operator_name(k.name)) {
					fail(c, e,
					     "%s: '%s' may hold only letters, digits and . _ - @",
					     path_of(e, path, sizeof path), k.name);
					bad = 1;
				}
			} else if (!strcmp(config_setting_name(e), "role")) {
				int r = get_enum(c, e, operator_role_parse, "an operator's role",
				                 "viewer, practitioner or admin");
				if (r > 0)
					k.role = (enum access_role)r;
				else
					bad = 1;
			} else if (!strcmp(config_setting_name(e), "unix_user")) {
				if (unix_user(c, e, &k) < 0)
					bad = 1;
			} else {
				unknown(c, e, "name, role, unix_user");
				bad = 1;
			}
		}
		if (!name || !k.role || (!k.has_unix_uid && !bad)) {
			if (!bad)
				fail(c, g,
				     "%s: give name, role and unix_user (the Unix user, by "
				     "name or uid, who acts as this operator on the ipc "
				     "control socket)",
				     path_of(g, path, sizeof path));
			continue;
		}
		if (bad)
			continue;
		const struct access_key *dup = access_operator_named(l, k.name);
		if (dup) {
			fail(c, name, "%s: '%s' is already listed at line %d",
			     path_of(name, path, sizeof path), k.name,
			     (int)config_setting_source_line(line[dup - l->operators]));
			continue;
		}
		line[l->n_operators] = name;
		l->operators[l->n_operators++] = k;
	}
}

/* ---- rules ---- */

static const struct {
	const char *name;
	enum rule_kind kind;
} kinds[] = {
    {"any", RULE_ANY},
    {"distinct-agencies", RULE_DISTINCT_AGENCIES},
    {"distinct-categories", RULE_DISTINCT_CATEGORIES},
    {"count", RULE_COUNT},
    {"severity-sum", RULE_SEVERITY_SUM},
    {"all-of", RULE_ALL_OF},
};
#define KIND_CHOICES "any, distinct-agencies, distinct-categories, count, severity-sum or all-of"

static int kind_parse(const char *s)
{
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (same_name(s, kinds[k].name))
			return (int)kinds[k].kind + 1; /* get_enum reserves 0 */
	return -1;
}

static int valid_rule_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= RULE_NAME_MAX)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	return 1;
}

static unsigned popcount(uint32_t v)
{
	unsigned n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

/* Every value of an enumeration 1..max as a mask: what a filter may hold. */
static uint32_t all_of(int max)
{
	return ((UINT32_C(1) << (max + 1)) - 1) & ~UINT32_C(1);
}

/* A list of names ("police", "domestic-abuse") into a bit set. `what` is
 * the singular noun, `example` a name to show. */
static int name_set(struct ctx *c, const config_setting_t *s, int (*parse)(const char *),
                    const char *what, const char *example, uint32_t *out)
{
	char path[PATH_LEN];
	int type = config_setting_type(s);
	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		fail(c, s, "%s: expected a list of names, e.g. [\"%s\"]",
		     path_of(s, path, sizeof path), example);
		return -1;
	}
	if (config_setting_length(s) == 0) {
		/* An empty filter would silently mean "every": say so. */
		fail(c, s, "%s: empty list (leave the setting out to count every %s)",
		     path_of(s, path, sizeof path), what);
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
			fail(c, e, "%s: expected a name in double quotes, e.g. \"%s\"",
			     path_of(e, path, sizeof path), example);
		else if (value <= 0)
			fail(c, e, "%s: '%s' is not a known %s", path_of(e, path, sizeof path), v,
			     what);
		else if (set & (UINT32_C(1) << value))
			fail(c, e, "%s: '%s' is listed twice", path_of(e, path, sizeof path), v);
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

/* weights = { low = 1; moderate = 2; high = 4; immediate_risk = 0; } */
static int rule_weights(struct ctx *c, const config_setting_t *g, struct rule *r)
{
	if (expect_group(c, g) < 0)
		return -1;
	int rc = 0;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		int sev = severity_parse(config_setting_name(s));
		long long v;
		if (sev <= 0) {
			unknown(c, s, "low, moderate, high, immediate_risk");
			rc = -1;
		} else if (get_int(c, s, 0, WEIGHT_MAX, &v) == 0) {
			r->weight[sev] = (unsigned)v;
		} else {
			rc = -1;
		}
	}
	return rc;
}

/* parts = ( { agencies = ["health"]; categories = ["was-not-brought"];
 * count = 2; }, { categories = ["education-absence"]; } ) */
static int rule_parts(struct ctx *c, const config_setting_t *s, struct rule *r)
{
	char path[PATH_LEN];
	int type = config_setting_type(s);
	if (type != CONFIG_TYPE_LIST) {
		fail(c, s, "%s: expected a list of parts ( { ... }, { ... } )",
		     path_of(s, path, sizeof path));
		return -1;
	}
	int n = config_setting_length(s);
	if (n == 0 || n > RULE_PARTS_MAX) {
		fail(c, s, "%s: %d parts; give 1 to %d", path_of(s, path, sizeof path), n,
		     RULE_PARTS_MAX);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		struct rule_part *part = &r->parts[i];
		memset(part, 0, sizeof *part);
		part->count = 1;
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			fail(c, g, "%s: expected a group { categories = [...]; count = N; }",
			     path_of(g, path, sizeof path));
			rc = -1;
			continue;
		}
		for (int k = 0; k < config_setting_length(g); k++) {
			const config_setting_t *e = config_setting_get_elem(g, (unsigned)k);
			const char *name = config_setting_name(e);
			long long v;
			if (!strcmp(name, "agencies")) {
				rc |= name_set(c, e, agency_parse, "agency", "health",
				               &part->agencies);
			} else if (!strcmp(name, "categories")) {
				rc |= name_set(c, e, category_parse, "category", "was-not-brought",
				               &part->categories);
			} else if (!strcmp(name, "min_severity")) {
				int sev = get_enum(c, e, severity_parse, "a severity",
				                   "low, moderate, high or immediate-risk");
				if (sev > 0)
					part->min_severity = sev;
				else
					rc = -1;
			} else if (!strcmp(name, "count")) {
				if (get_int(c, e, 1, THRESHOLD_MAX, &v) == 0)
					part->count = (unsigned)v;
				else
					rc = -1;
			} else {
				unknown(c, e, "agencies, categories, min_severity, count");
				rc = -1;
			}
		}
	}
	r->n_parts = (size_t)n;
	return rc ? -1 : 0;
}

/* "rules[2] (toxic-trio)" */
static const char *rule_label(const struct rule *r, size_t index, char *buf, size_t len)
{
	if (r->name[0])
		snprintf(buf, len, "rules[%zu] (%s)", index, r->name);
	else
		snprintf(buf, len, "rules[%zu]", index);
	return buf;
}

/* The consistency of one rule whose every field is in itself well formed or
 * was set in code: what config_load checks after reading a rule, and
 * config_check for every rule. */
static void check_rule(struct ctx *c, const struct rule *r, size_t index,
                       const config_setting_t *where)
{
	char label[RULE_NAME_MAX + 32];
	rule_label(r, index, label, sizeof label);
	const unsigned amber = r->threshold[LEVEL_AMBER], red = r->threshold[LEVEL_RED];

	if (!valid_rule_name(r->name))
		fail(c, where, "%s: name must be 1 to %d of a-z, 0-9 and '-'", label,
		     RULE_NAME_MAX - 1);
	if ((int)r->kind < (int)RULE_ANY || (int)r->kind > (int)RULE_ALL_OF) {
		fail(c, where, "%s: kind %d is unknown", label, (int)r->kind);
		return;
	}
	if ((r->agencies & ~all_of(AGENCY_MAX)) || (r->categories & ~all_of(CATEGORY_MAX)))
		fail(c, where, "%s: a filter names an unknown agency or category", label);
	if (r->min_severity < 0 || r->min_severity > SEVERITY_MAX)
		fail(c, where, "%s: min_severity %d is unknown", label, r->min_severity);
	for (int l = LEVEL_AMBER; l <= LEVEL_MAX; l++)
		if (r->threshold[l] > THRESHOLD_MAX)
			fail(c, where, "%s: %s threshold %u is above %d", label,
			     l == LEVEL_RED ? "red" : "amber", r->threshold[l], THRESHOLD_MAX);
	if (r->threshold[LEVEL_NONE])
		fail(c, where, "%s: a threshold for no level is meaningless", label);

	unsigned weight_sum = 0;
	for (int s = 0; s <= SEVERITY_MAX; s++) {
		weight_sum += r->weight[s];
		if (r->weight[s] > WEIGHT_MAX)
			fail(c, where, "%s: weight %u is above %d", label, r->weight[s],
			     WEIGHT_MAX);
	}
	if (r->kind == RULE_SEVERITY_SUM && weight_sum == 0)
		fail(c, where,
		     "%s: kind severity-sum needs weights = { ... } with at least one above 0",
		     label);
	if (r->kind != RULE_SEVERITY_SUM && weight_sum)
		fail(c, where, "%s: weights only apply to kind severity-sum", label);
	if (r->kind != RULE_ALL_OF && r->n_parts)
		fail(c, where, "%s: parts only apply to kind all-of", label);
	if (r->kind == RULE_ALL_OF) {
		if (r->n_parts == 0 || r->n_parts > RULE_PARTS_MAX) {
			fail(c, where, "%s: kind all-of needs parts = ( { ... }, ... ), 1 to %d",
			     label, RULE_PARTS_MAX);
			return;
		}
		for (size_t p = 0; p < r->n_parts; p++) {
			const struct rule_part *part = &r->parts[p];
			if ((part->agencies & ~all_of(AGENCY_MAX)) ||
			    (part->categories & ~all_of(CATEGORY_MAX)))
				fail(c, where, "%s: parts[%zu] names an unknown agency or category",
				     label, p);
			if (part->min_severity < 0 || part->min_severity > SEVERITY_MAX)
				fail(c, where, "%s: parts[%zu]: min_severity %d is unknown", label,
				     p, part->min_severity);
			if (part->count < 1 || part->count > THRESHOLD_MAX)
				fail(c, where, "%s: parts[%zu]: count %u is out of range (1 to %d)",
				     label, p, part->count, THRESHOLD_MAX);
		}
	}

	if (r->kind == RULE_ANY) {
		/* One concern is the whole measure: the only threshold is 1. */
		if (r->window_ms)
			fail(c, where, "%s: kind any judges one concern and takes no window",
			     label);
		if (!amber && !red)
			fail(c, where, "%s: kind any needs red = 1 or amber = 1", label);
		else if (amber && red)
			fail(c, where, "%s: kind any raises one level: give red = 1 or amber = 1",
			     label);
		else if ((amber ? amber : red) != 1)
			fail(c, where,
			     "%s: kind any is met by one concern: its threshold must be 1, not %u",
			     label, amber ? amber : red);
		return;
	}

	if (r->window_ms < MS_PER_HOUR || r->window_ms > WINDOW_DAYS_MAX * MS_PER_DAY)
		fail(c, where, "%s: needs window_days (1 to %d) or window_hours (1 to %d)", label,
		     WINDOW_DAYS_MAX, WINDOW_DAYS_MAX * 24);
	if (!amber && !red && r->kind == RULE_ALL_OF)
		fail(c, where,
		     "%s: give level = \"amber\" or \"red\" (all parts met), or amber = N "
		     "and/or red = N parts met",
		     label);
	else if (!amber && !red)
		fail(c, where, "%s: give amber = N, red = N or both", label);
	if (amber && red && red <= amber)
		fail(c, where, "%s: red (%u) must be above amber (%u)", label, red, amber);
	/* A threshold above what the filter lets the window hold would never
	 * raise: a typo worth catching before a child is missed. */
	unsigned most = 0;
	const char *of = NULL;
	if (r->kind == RULE_DISTINCT_AGENCIES) {
		most = r->agencies ? popcount(r->agencies) : AGENCY_MAX;
		of = "agencies";
	} else if (r->kind == RULE_DISTINCT_CATEGORIES) {
		most = r->categories ? popcount(r->categories) : CATEGORY_MAX;
		of = "categories";
	}
	if (of && (amber > most || red > most))
		fail(c, where, "%s: threshold %u can never be reached: at most %u distinct %s",
		     label, red > most ? red : amber, most, of);
	if (r->kind == RULE_ALL_OF && (amber > r->n_parts || red > r->n_parts))
		fail(c, where, "%s: threshold %u can never be reached: only %zu parts", label,
		     red > r->n_parts ? red : amber, r->n_parts);
}

/* Read one rule group. Each field's error is reported at its own line; the
 * rule as a whole is then checked at the line it starts on. Returns 0 when
 * the rule is good. */
static int one_rule(struct ctx *c, const config_setting_t *g, size_t index, struct rule *r)
{
	memset(r, 0, sizeof *r);
	const size_t before = c->total;
	int have_kind = 0, have_days = 0, have_hours = 0, have_weights = 0, have_threshold = 0;
	int have_parts = 0;
	int level = 0;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		fail(c, g, "rules[%zu]: expected a group { name = \"...\"; kind = \"...\"; ... }",
		     index);
		return -1;
	}
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		char path[PATH_LEN];
		long long v;
		if (!strcmp(name, "name")) {
			if (get_string(c, s, r->name, sizeof r->name, 0) == 0 &&
			    !valid_rule_name(r->name)) {
				fail(c, s, "%s: '%s' must be lower-case letters, digits and '-'",
				     path_of(s, path, sizeof path), r->name);
				r->name[0] = '\0';
			}
		} else if (!strcmp(name, "kind")) {
			int k = get_enum(c, s, kind_parse, "a rule kind", KIND_CHOICES);
			if (k > 0) {
				r->kind = (enum rule_kind)(k - 1);
				have_kind = 1;
			}
		} else if (!strcmp(name, "window_days")) {
			have_days = 1;
			if (get_int(c, s, 1, WINDOW_DAYS_MAX, &v) == 0)
				r->window_ms = v * MS_PER_DAY;
		} else if (!strcmp(name, "window_hours")) {
			have_hours = 1;
			if (get_int(c, s, 1, WINDOW_DAYS_MAX * 24, &v) == 0)
				r->window_ms = v * MS_PER_HOUR;
		} else if (!strcmp(name, "amber") || !strcmp(name, "red")) {
			have_threshold = 1;
			if (get_int(c, s, 1, THRESHOLD_MAX, &v) == 0)
				r->threshold[name[0] == 'a' ? LEVEL_AMBER : LEVEL_RED] =
				    (unsigned)v;
		} else if (!strcmp(name, "level")) {
			/* Shorthand for kind any: level = "red" is red = 1. */
			level = get_enum(c, s, level_parse, "a level", "amber or red");
		} else if (!strcmp(name, "agencies")) {
			name_set(c, s, agency_parse, "agency", "police", &r->agencies);
		} else if (!strcmp(name, "categories")) {
			name_set(c, s, category_parse, "category", "missing", &r->categories);
		} else if (!strcmp(name, "min_severity")) {
			int sev = get_enum(c, s, severity_parse, "a severity",
			                   "low, moderate, high or immediate-risk");
			if (sev > 0)
				r->min_severity = sev;
		} else if (!strcmp(name, "weights")) {
			have_weights = 1;
			rule_weights(c, s, r);
		} else if (!strcmp(name, "parts")) {
			have_parts = 1;
			rule_parts(c, s, r);
		} else {
			unknown(c, s,
			        "name, kind, window_days, window_hours, amber, red, level, "
			        "agencies, categories, min_severity, weights, parts");
		}
	}
	if (c->total != before)
		return -1; /* the checks below would only repeat the problem */

	char label[RULE_NAME_MAX + 32];
	rule_label(r, index, label, sizeof label);
	if (!r->name[0])
		fail(c, g, "%s: missing name = \"...\"", label);
	if (!have_kind) {
		fail(c, g, "%s: missing kind = \"...\" (" KIND_CHOICES ")", label);
		return -1;
	}
	if (have_days && have_hours)
		fail(c, g, "%s: give window_days or window_hours, not both", label);
	if (level && r->kind != RULE_ANY && r->kind != RULE_ALL_OF)
		fail(c, g,
		     "%s: level = \"...\" is for kinds any and all-of; use amber = N and/or "
		     "red = N",
		     label);
	else if (level && have_threshold)
		fail(c, g, "%s: give level = \"...\" or amber/red = N, not both", label);
	else if (level)
		/* All parts met, for all-of; the one concern, for any. */
		r->threshold[level] = r->kind == RULE_ALL_OF ? (unsigned)r->n_parts : 1;
	if (have_weights && r->kind != RULE_SEVERITY_SUM)
		fail(c, g, "%s: weights only apply to kind severity-sum", label);
	if (have_parts && r->kind != RULE_ALL_OF)
		fail(c, g, "%s: parts only apply to kind all-of", label);
	if (!have_parts && r->kind == RULE_ALL_OF)
		fail(c, g, "%s: kind all-of needs parts = ( { ... }, ... )", label);
	if (c->total != before)
		return -1;
	check_rule(c, r, index, g);
	return c->total == before ? 0 : -1;
}

static void section_rules(struct ctx *c, const config_setting_t *s, struct config *cfg)
{
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		fail(c, s, "rules: expected a list ( { ... }, { ... } )");
		return;
	}
	int n = config_setting_length(s);
	if (n == 0) {
		fail(c, s,
		     "rules: empty list; no alert would ever be raised (leave rules "
		     "out for the built-in ones)");
		return;
	}
	if (n > RULES_MAX) {
		fail(c, s, "rules: %d rules, at most %d", n, RULES_MAX);
		return;
	}
	/* A rules list replaces the built-in rules entirely: the file then
	 * says everything that can raise an alert. */
	cfg->n_rules = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		struct rule r;
		int ok = one_rule(c, g, (size_t)i, &r) == 0;
		/* A name is checked for duplicates even when its rule has
		 * other errors, so every problem shows in one pass. */
		for (size_t j = 0; r.name[0] && j < (size_t)i; j++) {
			const config_setting_t *h = config_setting_get_elem(s, (unsigned)j);
			const char *other = NULL;
			if (config_setting_type(h) == CONFIG_TYPE_GROUP &&
			    config_setting_lookup_string(h, "name", &other) &&
			    !strcmp(other, r.name)) {
				const config_setting_t *at = config_setting_get_member(g, "name");
				fail(c, at ? at : g,
				     "rules[%d]: the name '%s' is already used by rules[%zu]", i,
				     r.name, j);
				ok = 0;
				break;
			}
		}
		if (ok)
			cfg->rules[cfg->n_rules++] = r;
	}
}

/* ---- security: the mode, the daemon's key, the keys it accepts ---- */

static int mode_parse(const char *s)
{
	return same_name(s, "insecure") ? SECURITY_INSECURE + 1
	       : same_name(s, "curve")  ? SECURITY_CURVE + 1
	                                : -1;
}

static int role_parse(const char *s)
{
	int r = (int)access_role_parse(s);
	return r > 0 ? r : -1;
}

static int valid_key_name(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-' || *p == '@'))
			return 0;
	return s[0] != '\0';
}

/* One entry of security.keys. Each field's error at its own line; the
 * entry is only kept when all of it is good. */
static int one_key(struct ctx *c, const config_setting_t *g, struct access_key *k)
{
	char path[PATH_LEN];
	memset(k, 0, sizeof *k);
	if (expect_group(c, g) < 0)
		return -1;
	const config_setting_t *name = NULL, *role = NULL, *agency = NULL, *levels = NULL,
	                       *key = NULL, *key_file = NULL;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(s);
		if (!strcmp(n, "name"))
			name = s;
		else if (!strcmp(n, "role"))
			role = s;
		else if (!strcmp(n, "agency"))
			agency = s;
		else if (!strcmp(n, "levels"))
			levels = s;
		else if (!strcmp(n, "public_key"))
			key = s;
		else if (!strcmp(n, "public_key_file"))
			key_file = s;
		else
			unknown(c, s, "name, role, agency, levels, public_key, public_key_file");
	}
	const size_t before = c->total;
	path_of(g, path, sizeof path);
	if (!name)
		fail(c, g, "%s: needs a name", path);
	else if (get_string(c, name, k->name, sizeof k->name, 0) == 0 && !valid_key_name(k->name))
		fail(c, name, "%s.name: '%s' may hold only letters, digits, '.', '_', '-' and '@'",
		     path, k->name);
	int r = -1;
	if (!role)
		fail(c, g, "%s: needs a role (adapter or console, or an operator's)", path);
	else
		r = get_enum(c, role, role_parse, "a role",
		             "adapter, console, viewer, practitioner or admin");
	if (r > 0)
		k->role = (enum access_role)r;
	if (r == ACCESS_ADAPTER) {
		uint32_t set = 0;
		if (!agency)
			fail(c, g, "%s: an adapter needs its one agency, e.g. agency = \"police\"",
			     path);
		else if (config_setting_type(agency) == CONFIG_TYPE_STRING) {
			int a = get_enum(c, agency, agency_parse, "an agency",
			                 "police, health, education, social-care or other");
			if (a > 0)
				k->agency = a;
		} else if (name_set(c, agency, agency_parse, "agency", "police", &set) == 0) {
			if (popcount(set) != 1)
				fail(c, agency,
				     "%s.agency: an adapter sends for exactly one agency", path);
			for (int a = 1; a < 32; a++)
				if (set == (UINT32_C(1) << a))
					k->agency = a;
		}
	} else if (agency && r > 0) {
		fail(c, agency, "%s.agency: only an adapter is bound to an agency", path);
	}
	if (r == ACCESS_CONSOLE) {
		uint32_t set = 0;
		if (!levels)
			fail(c, g,
			     "%s: a console needs the levels it may receive, e.g. levels = "
			     "[\"red\"]",
			     path);
		else if (name_set(c, levels, level_parse, "level", "red", &set) == 0)
			k->levels = set;
	} else if (levels && r > 0) {
		fail(c, levels, "%s.levels: only a console is given levels", path);
	}
	char z85[CONFIG_KEY_Z85_LEN + 8] = "";
	if (key && key_file) {
		fail(c, key_file, "%s: give public_key or public_key_file, not both", path);
	} else if (key) {
		if (get_string(c, key, z85, sizeof z85, 0) == 0 && !ffc_key_valid(z85))
			fail(c, key, "%s.public_key: not a CURVE public key (40 characters of Z85)",
			     path);
	} else if (key_file) {
		char file[CONFIG_PATH_MAX], err[CONFIG_ERROR_LEN - 64];
		struct ffc_cert cert;
		if (get_string(c, key_file, file, sizeof file, 0) == 0) {
			if (ffc_cert_load(file, &cert, err, sizeof err) < 0)
				fail(c, key_file, "%s.public_key_file: %s", path, err);
			else if (cert.secret_key[0])
				fail(c, key_file,
				     "%s.public_key_file: %s holds a secret key; give the public "
				     "certificate (NAME.key)",
				     path, file);
			else
				memcpy(z85, cert.public_key, sizeof cert.public_key);
			explicit_bzero(&cert, sizeof cert); /* the secret: kept nowhere */
		}
	} else {
		fail(c, g, "%s: needs public_key or public_key_file", path);
	}
	if (c->total != before)
		return -1;
	return ffc_key_decode(z85, k->key);
}

static void security_keys(struct ctx *c, const config_setting_t *s, struct config *cfg)
{
	char path[PATH_LEN];
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		fail(c, s, "security.keys: expected a list ( { ... }, ... )");
		return;
	}
	struct access_list *l = &cfg->access;
	l->n_keys = 0;
	int n = config_setting_length(s);
	if (n > ACCESS_KEYS_MAX) {
		fail(c, s, "security.keys: %d keys, at most %d", n, ACCESS_KEYS_MAX);
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		struct access_key k;
		if (one_key(c, g, &k) < 0)
			continue;
		path_of(g, path, sizeof path);
		const struct access_key *same = access_key_named(l, k.name);
		if (same) {
			fail(c, g, "%s: the name '%s' is already given to another key", path,
			     k.name);
			continue;
		}
		if (access_key_find(l, k.key)) {
			fail(c, g, "%s (%s): the same public key is already listed as '%s'", path,
			     k.name, access_key_find(l, k.key)->name);
			continue;
		}
		l->keys[l->n_keys++] = k;
	}
}

static void section_security(struct ctx *c, const config_setting_t *g, struct config *cfg,
                             struct where *w)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		if (!strcmp(name, "mode")) {
			w->security_mode = s;
			int m = get_enum(c, s, mode_parse, "a security mode", "curve or insecure");
			if (m > 0)
				cfg->security_mode = (enum security_mode)(m - 1);
		} else if (!strcmp(name, "secret_key_file")) {
			w->secret_key_file = s;
			if (get_string(c, s, cfg->secret_key_file, sizeof cfg->secret_key_file, 0) <
			    0)
				continue;
			/* Read here for its public key and to refuse a bad file at
			 * its line; the secret itself is dropped at once. */
			char err[CONFIG_ERROR_LEN - 64];
			struct ffc_cert cert;
			if (ffc_cert_load(cfg->secret_key_file, &cert, err, sizeof err) < 0)
				fail(c, s, "security.secret_key_file: %s", err);
			else if (!cert.secret_key[0])
				fail(c, s,
				     "security.secret_key_file: %s holds no secret-key (give the "
				     "NAME.key_secret file)",
				     cfg->secret_key_file);
			else
				memcpy(cfg->public_key, cert.public_key, sizeof cfg->public_key);
			explicit_bzero(&cert, sizeof cert); /* the secret: kept nowhere */
		} else if (!strcmp(name, "keys")) {
			security_keys(c, s, cfg);
		} else if (!strcmp(name, "operators")) {
			operators(c, s, &cfg->access);
		} else {
			unknown(c, s, "mode, secret_key_file, keys, operators");
		}
	}
}

/* ---- checks on a whole config ---- */

int config_endpoint_local(const char *ep)
{
	static const char *const local[] = {"ipc://", "inproc://",
	                                    "tcp://127.0.0.1:", "tcp://localhost:", "tcp://[::1]:"};
	for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
		if (!strncmp(ep, local[i], strlen(local[i])))
			return 1;
	return 0;
}

/* NULL when the endpoint is usable, else what is wrong with it. */
static const char *endpoint_problem(const char *ep, char *buf, size_t len)
{
	const char *rest;
	if (!ep[0])
		return "must not be empty";
	for (const char *p = ep; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return "contains a space or control character";
	if (!strncmp(ep, "tcp://", 6)) {
		rest = ep + 6;
		const char *colon = strrchr(rest, ':');
		if (!colon || colon == rest || !colon[1])
			return "tcp:// needs host:port, e.g. tcp://127.0.0.1:7401";
		if (strcmp(colon + 1, "*") != 0)
			for (const char *p = colon + 1; *p; p++)
				if (*p < '0' || *p > '9')
					return "tcp:// port must be a number or *";
		return NULL;
	}
	if (!strncmp(ep, "ipc://", 6)) {
		rest = ep + 6;
		if (!rest[0])
			return "ipc:// needs a socket path";
		if (strlen(rest) > IPC_PATH_MAX) {
			snprintf(buf, len,
			         "ipc:// path longer than %zu bytes (a Unix socket limit)",
			         (size_t)IPC_PATH_MAX);
			return buf;
		}
		return NULL;
	}
	if (!strncmp(ep, "inproc://", 9))
		return ep[9] ? NULL : "inproc:// needs a name";
	return "must start with tcp://, ipc:// or inproc://";
}

/* Checks of the values that are not rules. In config_load `w` says where
 * each setting stood (NULL members: not in the file); config_check passes
 * an empty one and every error carries the origin alone. */
static void check_settings(struct ctx *c, const struct config *cfg, const struct where *w)
{
	char buf[96];
	const struct {
		const char *name, *value;
		const config_setting_t *where;
		int may_be_empty;
	} eps[] = {
	    {"ingest.endpoint", cfg->ingest, w->ingest, 0},
	    {"alerts.endpoint", cfg->alerts, w->alerts, 0},
	    {"control.endpoint", cfg->control, w->control, 1},
	};
	for (size_t i = 0; i < sizeof eps / sizeof eps[0]; i++) {
		if (!eps[i].value[0] && eps[i].may_be_empty)
			continue;
		const char *why = endpoint_problem(eps[i].value, buf, sizeof buf);
		if (why)
			fail(c, eps[i].where, "%s '%s': %s", eps[i].name, eps[i].value, why);
		else if (cfg->security_mode == SECURITY_INSECURE &&
		         !config_endpoint_local(eps[i].value))
			/* Without CURVE anyone who can reach the port reads and
			 * writes records about children: only this machine. */
			fail(c, eps[i].where ? eps[i].where : w->security_mode,
			     "%s '%s': security.mode is insecure, which allows only loopback "
			     "(tcp://127.0.0.1:, tcp://localhost:, tcp://[::1]:), ipc:// or "
			     "inproc:// endpoints; use security.mode = \"curve\" to listen on "
			     "a network",
			     eps[i].name, eps[i].value);
	}
	if (cfg->security_mode == SECURITY_CURVE && !cfg->public_key[0])
		fail(c, w->security_mode,
		     "security.mode is curve but no security.secret_key_file gives the daemon's "
		     "key (make one with: ffcctl keygen ffcd)");
	if (!cfg->data_dir[0])
		fail(c, w->data_dir, "daemon.data_dir: must not be empty");
	else if (!cfg->control[0] && strlen(cfg->data_dir) + strlen(CONTROL_SOCK) > IPC_PATH_MAX)
		fail(c, w->data_dir,
		     "daemon.data_dir: too long for the control socket path "
		     "(%zu bytes at most); set control.endpoint",
		     (size_t)IPC_PATH_MAX - strlen(CONTROL_SOCK));
	if (cfg->log_level < LOG_ERROR || cfg->log_level > LOG_DEBUG)
		fail(c, w->log_level, "daemon.log_level: %d is not a log level",
		     (int)cfg->log_level);
	if (cfg->max_message < KIB || cfg->max_message > MESSAGE_KB_MAX * KIB)
		fail(c, w->max_message,
		     "ingest.max_message_kb: %zu bytes is out of range (1 to %d KiB)",
		     cfg->max_message, MESSAGE_KB_MAX);
	if (cfg->batch_max < 1 || cfg->batch_max > BATCH_MAX)
		fail(c, w->batch_max, "ingest.batch_max: %u is out of range (1 to %d)",
		     cfg->batch_max, BATCH_MAX);
	if (cfg->map_size < MIB || cfg->map_size > MAP_MB_MAX * MIB)
		fail(c, w->map_size, "store.map_size_mb: out of range (1 to %d)", MAP_MB_MAX);
	else if (cfg->map_size_max < MIB || cfg->map_size_max > MAP_MB_MAX * MIB)
		fail(c, w->map_size_max, "store.map_size_max_mb: out of range (1 to %d)",
		     MAP_MB_MAX);
	else if (cfg->map_size > cfg->map_size_max)
		/* Blame whichever the file set; the later one if both. */
		fail(c, w->map_size_max ? w->map_size_max : w->map_size,
		     "store.map_size_mb (%llu) is above store.map_size_max_mb (%llu)",
		     (unsigned long long)(cfg->map_size / MIB),
		     (unsigned long long)(cfg->map_size_max / MIB));
}

/* ---- entry points ---- */

int config_load(const char *path, struct config *cfg, struct config_errors *errs)
{
	struct ctx c = {.origin = path, .errs = errs, .total = 0};
	errs->n = 0;

	/* Open it ourselves: libconfig reports any I/O failure as "file I/O
	 * error" and accepts a directory, we want the reason. */
	FILE *f = fopen(path, "r");
	if (!f) {
		fail_at(&c, path, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) < 0) {
		fail_at(&c, path, 0, "cannot read: %s", strerror(errno));
		fclose(f);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fail_at(&c, path, 0, "cannot read: %s",
		        S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
		fclose(f);
		return -1;
	}
	config_t lc;
	config_init(&lc);
	int ok = config_read(&lc, f) == CONFIG_TRUE;
	fclose(f);
	if (!ok) {
		/* An error inside an @include'd file names that file. */
		const char *file = config_error_file(&lc) ? config_error_file(&lc) : path;
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			fail_at(&c, file, config_error_line(&lc), "cannot read: %s",
			        config_error_text(&lc));
		else
			fail_at(&c, file, config_error_line(&lc), "%s", config_error_text(&lc));
		config_destroy(&lc);
		return -1;
	}

	/* Read into a copy: *cfg is only changed when the whole file is good. */
	struct config next = *cfg;
	struct where w;
	memset(&w, 0, sizeof w);
	const config_setting_t *root = config_root_setting(&lc);
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		if (!strcmp(name, "rules")) {
			section_rules(&c, s, &next);
			continue;
		}
		if (!strcmp(name, "retention")) {
			if (expect_group(&c, s) == 0)
				section_retention(&c, s, &next);
			continue;
		}
		if (strcmp(name, "daemon") && strcmp(name, "ingest") && strcmp(name, "alerts") &&
		    strcmp(name, "control") && strcmp(name, "store") && strcmp(name, "security")) {
			unknown(
			    &c, s,
			    "daemon, ingest, alerts, control, store, retention, security, rules");
			continue;
		}
		if (expect_group(&c, s) < 0)
			continue;
		if (!strcmp(name, "daemon"))
			section_daemon(&c, s, &next, &w);
		else if (!strcmp(name, "ingest"))
			section_ingest(&c, s, &next, &w);
		else if (!strcmp(name, "alerts"))
			section_alerts(&c, s, &next, &w);
		else if (!strcmp(name, "control"))
			section_endpoint(&c, s, next.control, sizeof next.control, 1, &w.control);
		else if (!strcmp(name, "security"))
			section_security(&c, s, &next, &w);
		else
			section_store(&c, s, &next, &w);
	}
	/* Values that failed their own checks kept the previous ones, so these
	 * find only new problems. Settings still point into lc: before
	 * config_destroy. */
	check_settings(&c, &next, &w);
	sort_errors(&c); /* file names may point into lc */
	config_destroy(&lc);
	finish(&c);
	if (c.total > 0)
		return -1;
	*cfg = next;
	return 0;
}

int config_check(const struct config *cfg, const char *origin, struct config_errors *errs)
{
	struct ctx c = {.origin = origin, .errs = errs, .total = 0};
	/* errs may already hold errors; they count towards the cap. */
	c.total = errs->n;
	const size_t before = c.total;
	struct where w;
	memset(&w, 0, sizeof w);
	check_settings(&c, cfg, &w);
	if (cfg->n_rules == 0)
		fail(&c, NULL, "no rules: no alert would ever be raised");
	else if (cfg->n_rules > RULES_MAX)
		fail(&c, NULL, "%zu rules, at most %d", cfg->n_rules, RULES_MAX);
	for (size_t i = 0; i < cfg->n_rules && i < RULES_MAX; i++) {
		check_rule(&c, &cfg->rules[i], i, NULL);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(cfg->rules[i].name, cfg->rules[j].name)) {
				fail(&c, NULL,
				     "rules[%zu]: the name '%s' is already used by rules[%zu]", i,
				     cfg->rules[i].name, j);
				break;
			}
	}
	finish(&c);
	return c.total == before ? 0 : -1;
}
