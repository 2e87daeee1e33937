/*
 * config.c - reads ffcd's configuration file (libconfig syntax) into one
 * validated struct config. The only file that includes libconfig.h.
 *
 * A file is checked whole: every unknown setting, wrong type, value out of
 * range and bad rule is reported as "file:line: message", and nothing of a
 * file with any error is used. Owns the defaults and the file's layout;
 * does not evaluate rules (rules.c).
 */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

#define MIB (UINT64_C(1) << 20)

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->data_dir, sizeof cfg->data_dir, "var");
	snprintf(cfg->ingest, sizeof cfg->ingest, "tcp://127.0.0.1:7401");
	snprintf(cfg->alerts, sizeof cfg->alerts, "tcp://127.0.0.1:7402");
	cfg->control[0] = '\0';
	cfg->map_size = 64 * MIB;
	cfg->map_size_max = 65536 * MIB;
	cfg->max_message = 64 * 1024;
	cfg->batch_max = 512;
	cfg->log_level = LOG_INFO;
	cfg->n_rules = rules_defaults(cfg->rules, RULES_MAX);
}

/* ---- error reporting ---- */

struct ctx {
	const char *file;
	struct config_errors *errs;
};

static void FFC_PRINTF(3, 4) fail(struct ctx *c, int line, const char *fmt, ...)
{
	if (c->errs->n >= CONFIG_ERRORS_MAX)
		return;
	char *msg = c->errs->msg[c->errs->n++];
	int n = line > 0 ? snprintf(msg, CONFIG_ERROR_LEN, "%s:%d: ", c->file, line)
	                 : snprintf(msg, CONFIG_ERROR_LEN, "%s: ", c->file);
	if (n < 0 || n >= CONFIG_ERROR_LEN)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, CONFIG_ERROR_LEN - (size_t)n, fmt, ap);
	va_end(ap);
}

static int line_of(const config_setting_t *s)
{
	return (int)config_setting_source_line(s);
}

/* "ingest.max_message_kb" for messages. */
static const char *path_of(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *parent = config_setting_parent(s);
	const char *name = config_setting_name(s);
	if (parent && config_setting_name(parent) && name)
		snprintf(buf, len, "%s.%s", config_setting_name(parent), name);
	else
		snprintf(buf, len, "%s", name ? name : "(element)");
	return buf;
}

/* ---- typed getters: each reports its own error ---- */

static int get_string(struct ctx *c, const config_setting_t *s, char *dst, size_t size,
                      int allow_empty)
{
	char path[128];
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		fail(c, line_of(s), "%s: expected a string", path_of(s, path, sizeof path));
		return -1;
	}
	const char *v = config_setting_get_string(s);
	if (!allow_empty && !v[0]) {
		fail(c, line_of(s), "%s: must not be empty", path_of(s, path, sizeof path));
		return -1;
	}
	if (strlen(v) >= size) {
		fail(c, line_of(s), "%s: longer than %zu bytes", path_of(s, path, sizeof path),
		     size - 1);
		return -1;
	}
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int get_int(struct ctx *c, const config_setting_t *s, long long min, long long max,
                   long long *out)
{
	char path[128];
	int type = config_setting_type(s);
	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
		fail(c, line_of(s), "%s: expected a whole number", path_of(s, path, sizeof path));
		return -1;
	}
	long long v = config_setting_get_int64(s);
	if (v < min || v > max) {
		fail(c, line_of(s), "%s: %lld is out of range (%lld to %lld)",
		     path_of(s, path, sizeof path), v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int expect_group(struct ctx *c, const config_setting_t *s)
{
	char path[128];
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		fail(c, line_of(s), "%s: expected a group { ... }", path_of(s, path, sizeof path));
		return -1;
	}
	return 0;
}

static void unknown(struct ctx *c, const config_setting_t *s)
{
	char path[128];
	fail(c, line_of(s), "unknown setting '%s'", path_of(s, path, sizeof path));
}

/* ---- sections ---- */

static void section_daemon(struct ctx *c, const config_setting_t *g, struct config *cfg)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		if (!strcmp(name, "data_dir")) {
			get_string(c, s, cfg->data_dir, sizeof cfg->data_dir, 0);
		} else if (!strcmp(name, "log_level")) {
			static const char *const levels[] = {"error", "warn", "info", "debug"};
			char v[16];
			if (get_string(c, s, v, sizeof v, 0) < 0)
				continue;
			int found = -1;
			for (int l = 0; l < 4; l++)
				if (!strcmp(v, levels[l]))
					found = l;
			if (found < 0)
				fail(
				    c, line_of(s),
				    "daemon.log_level: '%s' is not one of error, warn, info, debug",
				    v);
			else
				cfg->log_level = (enum log_level)found;
		} else {
			unknown(c, s);
		}
	}
}

static void section_endpoint(struct ctx *c, const config_setting_t *g, char *dst, size_t size,
                             int allow_empty)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		if (!strcmp(config_setting_name(s), "endpoint"))
			get_string(c, s, dst, size, allow_empty);
		else
			unknown(c, s);
	}
}

static void section_ingest(struct ctx *c, const config_setting_t *g, struct config *cfg)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		long long v;
		if (!strcmp(name, "endpoint"))
			get_string(c, s, cfg->ingest, sizeof cfg->ingest, 0);
		else if (!strcmp(name, "max_message_kb")) {
			if (get_int(c, s, 1, 1024, &v) == 0)
				cfg->max_message = (size_t)v * 1024;
		} else if (!strcmp(name, "batch_max")) {
			if (get_int(c, s, 1, 10000, &v) == 0)
				cfg->batch_max = (unsigned)v;
		} else
			unknown(c, s);
	}
}

static void section_store(struct ctx *c, const config_setting_t *g, struct config *cfg)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		long long v;
		if (!strcmp(name, "map_size_mb")) {
			if (get_int(c, s, 1, 1 << 20, &v) == 0)
				cfg->map_size = (uint64_t)v * MIB;
		} else if (!strcmp(name, "map_size_max_mb")) {
			if (get_int(c, s, 1, 1 << 20, &v) == 0)
				cfg->map_size_max = (uint64_t)v * MIB;
		} else
			unknown(c, s);
	}
}

/* ---- rules ---- */

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

/* A list of names ("police", "domestic-abuse") into a bit set. */
static int name_set(struct ctx *c, const config_setting_t *s, int (*parse)(const char *),
                    const char *what, uint32_t *out)
{
	char path[128];
	int type = config_setting_type(s);
	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		fail(c, line_of(s), "%s: expected a list of %s names [\"...\", ...]",
		     path_of(s, path, sizeof path), what);
		return -1;
	}
	uint32_t set = 0;
	int rc = 0;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		int value = v ? parse(v) : -1;
		if (value <= 0) {
			fail(c, line_of(s), "%s: '%s' is not a %s", path_of(s, path, sizeof path),
			     v ? v : "(not a string)", what);
			rc = -1;
			continue;
		}
		set |= UINT32_C(1) << value;
	}
	if (rc == 0 && set == 0) {
		fail(c, line_of(s), "%s: empty list", path_of(s, path, sizeof path));
		rc = -1;
	}
	*out = set;
	return rc;
}

static const struct {
	const char *name;
	enum rule_kind kind;
} kinds[] = {
    {"any", RULE_ANY},
    {"distinct-agencies", RULE_DISTINCT_AGENCIES},
    {"distinct-categories", RULE_DISTINCT_CATEGORIES},
    {"count", RULE_COUNT},
    {"severity-sum", RULE_SEVERITY_SUM},
};

static void rule_weights(struct ctx *c, const config_setting_t *g, struct rule *r)
{
	if (expect_group(c, g) < 0)
		return;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		int sev = severity_parse(config_setting_name(s));
		long long v;
		if (sev <= 0) {
			fail(c, line_of(s), "weights: '%s' is not a severity",
			     config_setting_name(s));
			continue;
		}
		if (get_int(c, s, 0, 100, &v) == 0)
			r->weight[sev] = (unsigned)v;
	}
}

static void one_rule(struct ctx *c, const config_setting_t *g, struct config *cfg, size_t index)
{
	struct rule r;
	memset(&r, 0, sizeof r);
	const int line = line_of(g);
	const size_t before = c->errs->n;
	int have_kind = 0, have_window = 0, have_weights = 0, have_level = 0;
	long long v;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		fail(c, line, "rules[%zu]: expected a group { name = ...; kind = ...; }", index);
		return;
	}
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		char buf[64];
		if (!strcmp(name, "name")) {
			if (get_string(c, s, r.name, sizeof r.name, 0) == 0 &&
			    !valid_rule_name(r.name))
				fail(c, line_of(s),
				     "rules[%zu].name: '%s' must be lower-case letters, digits and "
				     "'-'",
				     index, r.name);
		} else if (!strcmp(name, "kind")) {
			if (get_string(c, s, buf, sizeof buf, 0) < 0)
				continue;
			for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
				if (!strcmp(buf, kinds[k].name)) {
					r.kind = kinds[k].kind;
					have_kind = 1;
				}
			if (!have_kind)
				fail(c, line_of(s),
				     "rules[%zu].kind: '%s' is not one of any, distinct-agencies, "
				     "distinct-categories, count, severity-sum",
				     index, buf);
		} else if (!strcmp(name, "window_days")) {
			if (get_int(c, s, 1, 3650, &v) == 0)
				r.window_ms = v * MS_PER_DAY;
			have_window++;
		} else if (!strcmp(name, "window_hours")) {
			if (get_int(c, s, 1, 3650 * 24, &v) == 0)
				r.window_ms = v * (MS_PER_DAY / 24);
			have_window++;
		} else if (!strcmp(name, "amber") || !strcmp(name, "red")) {
			int level = name[0] == 'a' ? LEVEL_AMBER : LEVEL_RED;
			if (get_int(c, s, 1, 1000, &v) == 0)
				r.threshold[level] = (unsigned)v;
		} else if (!strcmp(name, "level")) {
			if (get_string(c, s, buf, sizeof buf, 0) < 0)
				continue;
			int level = level_parse(buf);
			if (level <= 0)
				fail(c, line_of(s), "rules[%zu].level: '%s' is not amber or red",
				     index, buf);
			else
				r.threshold[level] = 1;
			have_level = 1;
		} else if (!strcmp(name, "agencies")) {
			name_set(c, s, agency_parse, "agency", &r.agencies);
		} else if (!strcmp(name, "categories")) {
			name_set(c, s, category_parse, "category", &r.categories);
		} else if (!strcmp(name, "min_severity")) {
			if (get_string(c, s, buf, sizeof buf, 0) < 0)
				continue;
			r.min_severity = severity_parse(buf);
			if (r.min_severity <= 0)
				fail(c, line_of(s),
				     "rules[%zu].min_severity: '%s' is not a severity", index, buf);
		} else if (!strcmp(name, "weights")) {
			rule_weights(c, s, &r);
			have_weights = 1;
		} else {
			fail(c, line_of(s), "rules[%zu]: unknown setting '%s'", index, name);
		}
	}
	if (c->errs->n != before)
		return; /* the checks below would only repeat the problem */
	if (!r.name[0])
		fail(c, line, "rules[%zu]: missing name", index);
	if (!have_kind)
		fail(c, line, "rules[%zu]: missing kind", index);
	if (have_window > 1)
		fail(c, line, "rules[%zu]: give window_days or window_hours, not both", index);
	if (have_kind && r.kind == RULE_ANY) {
		if (!have_level)
			fail(c, line, "rules[%zu]: kind any needs level = \"amber\" or \"red\"",
			     index);
		if (have_window)
			fail(c, line, "rules[%zu]: kind any judges one concern: no window", index);
	} else if (have_kind) {
		if (have_level)
			fail(c, line, "rules[%zu]: use amber = N and/or red = N, not level", index);
		if (!have_window)
			fail(c, line, "rules[%zu]: missing window_days (or window_hours)", index);
		if (!r.threshold[LEVEL_AMBER] && !r.threshold[LEVEL_RED])
			fail(c, line, "rules[%zu]: give amber = N, red = N or both", index);
		if (r.threshold[LEVEL_AMBER] && r.threshold[LEVEL_RED] &&
		    r.threshold[LEVEL_RED] <= r.threshold[LEVEL_AMBER])
			fail(c, line, "rules[%zu]: red (%u) must be above amber (%u)", index,
			     r.threshold[LEVEL_RED], r.threshold[LEVEL_AMBER]);
		if (r.kind == RULE_SEVERITY_SUM && !have_weights)
			fail(c, line, "rules[%zu]: kind severity-sum needs weights = { ... }",
			     index);
		if (r.kind != RULE_SEVERITY_SUM && have_weights)
			fail(c, line, "rules[%zu]: weights only apply to kind severity-sum", index);
	}
	for (size_t i = 0; i < cfg->n_rules && r.name[0]; i++)
		if (!strcmp(cfg->rules[i].name, r.name))
			fail(c, line, "rules[%zu]: a rule named '%s' is already defined", index,
			     r.name);
	if (c->errs->n == before)
		cfg->rules[cfg->n_rules++] = r;
}

static void section_rules(struct ctx *c, const config_setting_t *s, struct config *cfg)
{
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		fail(c, line_of(s), "rules: expected a list ( { ... }, { ... } )");
		return;
	}
	/* A rules list replaces the built-in rules entirely. */
	cfg->n_rules = 0;
	int n = config_setting_length(s);
	if (n > RULES_MAX) {
		fail(c, line_of(s), "rules: %d rules, at most %d", n, RULES_MAX);
		return;
	}
	for (int i = 0; i < n; i++)
		one_rule(c, config_setting_get_elem(s, (unsigned)i), cfg, (size_t)i);
}

/* ---- the file ---- */

int config_load(const char *path, struct config *cfg, struct config_errors *errs)
{
	struct ctx c = {.file = path, .errs = errs};
	static struct config next; /* large: keep it off the stack */
	next = *cfg;
	errs->n = 0;

	config_t lc;
	config_init(&lc);
	if (config_read_file(&lc, path) != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			fail(&c, 0, "cannot read: %s", errno ? strerror(errno) : "I/O error");
		else
			fail(&c, config_error_line(&lc), "%s", config_error_text(&lc));
		config_destroy(&lc);
		return -1;
	}
	const config_setting_t *root = config_root_setting(&lc);
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		if (!strcmp(name, "rules")) {
			section_rules(&c, s, &next);
			continue;
		}
		if (strcmp(name, "daemon") && strcmp(name, "ingest") && strcmp(name, "alerts") &&
		    strcmp(name, "control") && strcmp(name, "store")) {
			unknown(&c, s);
			continue;
		}
		if (expect_group(&c, s) < 0)
			continue;
		if (!strcmp(name, "daemon"))
			section_daemon(&c, s, &next);
		else if (!strcmp(name, "ingest"))
			section_ingest(&c, s, &next);
		else if (!strcmp(name, "alerts"))
			section_endpoint(&c, s, next.alerts, sizeof next.alerts, 0);
		else if (!strcmp(name, "control"))
			section_endpoint(&c, s, next.control, sizeof next.control, 1);
		else
			section_store(&c, s, &next);
	}
	config_destroy(&lc);
	if (errs->n == 0)
		config_check(&next, path, errs);
	if (errs->n > 0)
		return -1;
	*cfg = next;
	return 0;
}

static int endpoint_ok(const char *ep)
{
	return !strncmp(ep, "tcp://", 6) || !strncmp(ep, "ipc://", 6) ||
	       !strncmp(ep, "inproc://", 9);
}

int config_check(const struct config *cfg, const char *origin, struct config_errors *errs)
{
	struct ctx c = {.file = origin, .errs = errs};
	const size_t before = errs->n;
	const struct {
		const char *what, *value;
		int may_be_empty;
	} eps[] = {
	    {"ingest endpoint", cfg->ingest, 0},
	    {"alerts endpoint", cfg->alerts, 0},
	    {"control endpoint", cfg->control, 1},
	};
	for (size_t i = 0; i < sizeof eps / sizeof eps[0]; i++) {
		if (!eps[i].value[0] && eps[i].may_be_empty)
			continue;
		if (!endpoint_ok(eps[i].value))
			fail(&c, 0, "%s '%s': must start with tcp://, ipc:// or inproc://",
			     eps[i].what, eps[i].value);
		else if (strchr(eps[i].value, ' '))
			fail(&c, 0, "%s '%s': contains a space", eps[i].what, eps[i].value);
	}
	if (!cfg->data_dir[0])
		fail(&c, 0, "data directory is empty");
	if (!cfg->control[0] && strlen(cfg->data_dir) + sizeof "ipc:///control.sock" > 100)
		fail(&c, 0,
		     "data directory '%s' is too long for the control socket path; set "
		     "control.endpoint",
		     cfg->data_dir);
	if (cfg->map_size > cfg->map_size_max)
		fail(&c, 0, "store.map_size_mb (%llu) is above store.map_size_max_mb (%llu)",
		     (unsigned long long)(cfg->map_size / MIB),
		     (unsigned long long)(cfg->map_size_max / MIB));
	if (cfg->n_rules == 0)
		fail(&c, 0, "no rules: an empty rules list would never raise an alert");
	return errs->n == before ? 0 : -1;
}
