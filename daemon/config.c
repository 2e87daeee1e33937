/*
 * config.c - reads ffcd's configuration file (libconfig syntax) into one
 * validated struct config. The config module is this file with
 * config_read.c, config_rules.c, config_security.c and config_schools.c
 * (sharing config_read.h): the only
 * files that include libconfig.h.
 *
 * A file is checked whole: every unknown setting, wrong type, value out of
 * range and inconsistent rule is reported as "file:line: message", and
 * nothing of a file with any error is used. Owns the defaults, the file's
 * layout (conf/ffcd.conf is its manual), the daemon, ingest, alerts,
 * control, store and retention
 * sections and the checks a finished config must pass. Does not collect
 * errors or read typed values (config_read.c), read the rules
 * (config_rules.c) or security (config_security.c) sections, check
 * a rule (rules.c) or apply the command line (main.c).
 */
#include "config_read.h"
#include "retention.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "log.h"

#define MIB (UINT64_C(1) << 20)
#define KIB 1024u

/* Limits of the file's settings, also checked on a finished config. */
#define MAP_MB_MAX     (1 << 20) /* 1 TiB */
#define BACKUP_MB_MAX  (1 << 20) /* MiB a second: beyond any disk */
#define COMMIT_GAP_MAX 1000      /* ms: a second's wait for a receipt */
#define MESSAGE_KB_MAX 1024
#define BATCH_MAX      10000

/* ZeroMQ binds an ipc:// endpoint to a Unix socket path, which must fit
 * sun_path with its terminating NUL. */
#define IPC_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)
#define CONTROL_SOCK "/control.sock"

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", FFC_DATA_DIR);
	snprintf(cfg->ingest, sizeof cfg->ingest, "tcp://127.0.0.1:7401");
	snprintf(cfg->alerts, sizeof cfg->alerts, "tcp://127.0.0.1:7402");
	cfg->control[0] = '\0';
	cfg->map_size = 64 * MIB;
	cfg->map_size_max = 65536 * MIB;
	cfg->backup_rate = 96 * MIB;
	cfg->backup_commit_gap_ms = 10;
	cfg->max_message = 64 * KIB;
	cfg->batch_max = 1024;
	cfg->log_level = LOG_INFO;
	cfg->n_rules = rules_defaults(cfg->rules, RULES_MAX);
	labels_defaults(&cfg->labels);
	lifecycle_defaults(&cfg->lifecycle);
	schools_defaults(&cfg->schools);
}

/* ---- sections ---- */

static int log_level_parse(const char *s)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	for (int l = 0; l < 4; l++)
		if (conf_same_name(s, names[l]))
			return l + 1; /* conf_get_enum reserves 0 for "unknown" */
	return -1;
}

static int log_format_index(const char *s)
{
	enum log_format f;
	return log_format_parse(s, &f) == 0 ? (int)f + 1 : -1;
}

static void section_daemon(struct conf_ctx *c, const config_setting_t *g, struct config *cfg,
                           struct conf_where *w)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		if (!strcmp(name, "data_dir")) {
			w->data_dir = s;
			conf_get_string(c, s, cfg->data_dir, sizeof cfg->data_dir, 0);
		} else if (!strcmp(name, "log_level")) {
			w->log_level = s;
			int l = conf_get_enum(c, s, log_level_parse, "a log level",
			                      "error, warn, info or debug");
			if (l > 0)
				cfg->log_level = (enum log_level)(l - 1);
		} else if (!strcmp(name, "log_format")) {
			int f =
			    conf_get_enum(c, s, log_format_index, "a log format", "text or json");
			if (f > 0)
				cfg->log_format = (enum log_format)(f - 1);
		} else if (!strcmp(name, "user")) {
			/* Checked here so that ffcd -n finds a user that does not
			 * exist on this machine. */
			if (conf_get_string(c, s, cfg->user, sizeof cfg->user, 0) == 0 &&
			    !getpwnam(cfg->user)) {
				conf_fail(c, s, "daemon.user: no user '%s' on this system",
				          cfg->user);
				cfg->user[0] = '\0';
			}
		} else {
			conf_unknown(c, s, "data_dir, log_level, log_format, user");
		}
	}
}

static void section_ingest(struct conf_ctx *c, const config_setting_t *g, struct config *cfg,
                           struct conf_where *w)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		long long v;
		if (!strcmp(name, "endpoint")) {
			w->ingest = s;
			conf_get_string(c, s, cfg->ingest, sizeof cfg->ingest, 0);
		} else if (!strcmp(name, "max_message_kb")) {
			w->max_message = s;
			if (conf_get_int(c, s, 1, MESSAGE_KB_MAX, &v) == 0)
				cfg->max_message = (size_t)v * KIB;
		} else if (!strcmp(name, "batch_max")) {
			w->batch_max = s;
			if (conf_get_int(c, s, 1, BATCH_MAX, &v) == 0)
				cfg->batch_max = (unsigned)v;
		} else {
			conf_unknown(c, s, "endpoint, max_message_kb, batch_max");
		}
	}
}

/* alerts and control hold one endpoint each. */
static void section_endpoint(struct conf_ctx *c, const config_setting_t *g, char *dst, size_t size,
                             int allow_empty, const config_setting_t **where)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		if (!strcmp(config_setting_name(s), "endpoint")) {
			*where = s;
			conf_get_string(c, s, dst, size, allow_empty);
		} else {
			conf_unknown(c, s, "endpoint");
		}
	}
}

static void section_store(struct conf_ctx *c, const config_setting_t *g, struct config *cfg,
                          struct conf_where *w)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		long long v;
		if (!strcmp(name, "map_size_mb")) {
			w->map_size = s;
			if (conf_get_int(c, s, 1, MAP_MB_MAX, &v) == 0)
				cfg->map_size = (uint64_t)v * MIB;
		} else if (!strcmp(name, "map_size_max_mb")) {
			w->map_size_max = s;
			if (conf_get_int(c, s, 1, MAP_MB_MAX, &v) == 0)
				cfg->map_size_max = (uint64_t)v * MIB;
		} else if (!strcmp(name, "backup_mb_per_s")) {
			if (conf_get_int(c, s, 0, BACKUP_MB_MAX, &v) == 0)
				cfg->backup_rate = (uint64_t)v * MIB;
		} else if (!strcmp(name, "backup_commit_gap_ms")) {
			if (conf_get_int(c, s, 0, COMMIT_GAP_MAX, &v) == 0)
				cfg->backup_commit_gap_ms = (unsigned)v;
		} else {
			conf_unknown(
			    c, s,
			    "map_size_mb, map_size_max_mb, backup_mb_per_s, backup_commit_gap_ms");
		}
	}
}

static void section_retention(struct conf_ctx *c, const config_setting_t *g, struct config *cfg)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		long long v;
		if (!strcmp(config_setting_name(s), "years")) {
			if (conf_get_int(c, s, 0, RETENTION_YEARS_MAX, &v) == 0)
				cfg->retention_years = (unsigned)v;
		} else {
			conf_unknown(c, s, "years");
		}
	}
}

/* ---- alerts: the endpoint, response times, outcomes, reopening ---- */

#define RESPONSE_MINUTES_MAX (30 * 24 * 60)

/* response_minutes or response_seconds: { red = N; amber = N; } */
static void response_times(struct conf_ctx *c, const config_setting_t *g, int64_t unit_ms,
                           long long max, struct alert_policy *p)
{
	if (conf_expect_group(c, g) < 0)
		return;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		int level = conf_same_name(name, "red")     ? LEVEL_RED
		            : conf_same_name(name, "amber") ? LEVEL_AMBER
		                                            : 0;
		long long v;
		if (!level)
			conf_unknown(c, s, "red, amber");
		else if (conf_get_int(c, s, 1, max, &v) == 0)
			p->response_ms[level] = (int64_t)v * unit_ms;
	}
}

static void outcomes(struct conf_ctx *c, const config_setting_t *s, struct alert_policy *p)
{
	char path[CONF_PATH_LEN];
	int type = config_setting_type(s);
	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		conf_fail(c, s, "%s: expected a list of outcomes, e.g. [\"no further action\"]",
		          conf_path_of(s, path, sizeof path));
		return;
	}
	int n = config_setting_length(s);
	if (n == 0 || n > LIFECYCLE_OUTCOMES_MAX) {
		conf_fail(c, s, "%s: %d outcomes, give 1 to %d", conf_path_of(s, path, sizeof path),
		          n, LIFECYCLE_OUTCOMES_MAX);
		return;
	}
	struct alert_policy next = *p;
	next.n_outcomes = 0;
	int bad = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		char *dst = next.outcomes[next.n_outcomes];
		char err[LIFECYCLE_ERR_MAX];
		if (conf_get_string(c, e, dst, WIRE_OUTCOME_MAX, 0) < 0) {
			bad = 1;
			continue;
		}
		conf_path_of(e, path, sizeof path);
		if (lifecycle_check_text(path, dst, WIRE_OUTCOME_MAX - 1, 1, 0, err, sizeof err) <
		    0) {
			conf_fail(c, e, "%s", err);
			bad = 1;
			continue;
		}
		if (lifecycle_outcome(&next, dst)) {
			conf_fail(c, e, "%s: '%s' is listed twice", path, dst);
			bad = 1;
			continue;
		}
		next.n_outcomes++;
	}
	if (!bad)
		*p = next;
}

static void section_alerts(struct conf_ctx *c, const config_setting_t *g, struct config *cfg,
                           struct conf_where *w)
{
	const config_setting_t *response = NULL;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		int minutes = !strcmp(name, "response_minutes");
		if (!strcmp(name, "endpoint")) {
			w->alerts = s;
			conf_get_string(c, s, cfg->alerts, sizeof cfg->alerts, 0);
		} else if (minutes || !strcmp(name, "response_seconds")) {
			if (response) {
				conf_fail(c, s,
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
		} else if (!strcmp(name, "reopen_on")) {
			/* "never", or the least severity that reopens. */
			const char *v = config_setting_get_string(s);
			if (v && conf_same_name(v, "never")) {
				cfg->lifecycle.reopen_severity = 0;
			} else {
				int sev =
				    conf_get_enum(c, s, severity_parse, "a severity or never",
				                  "low, moderate, high, immediate-risk or never");
				if (sev > 0)
					cfg->lifecycle.reopen_severity = sev;
			}
		} else {
			conf_unknown(c, s,
			             "endpoint, response_minutes, response_seconds, outcomes, "
			             "reopen_on");
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
static void check_settings(struct conf_ctx *c, const struct config *cfg, const struct conf_where *w)
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
			conf_fail(c, eps[i].where, "%s '%s': %s", eps[i].name, eps[i].value, why);
		else if (cfg->security_mode == SECURITY_INSECURE &&
		         !config_endpoint_local(eps[i].value))
			/* Without CURVE anyone who can reach the port reads and
			 * writes records about children: only this machine. */
			conf_fail(c, eps[i].where ? eps[i].where : w->security_mode,
			          "%s '%s': security.mode is insecure, which allows only loopback "
			          "(tcp://127.0.0.1:, tcp://localhost:, tcp://[::1]:), ipc:// or "
			          "inproc:// endpoints; use security.mode = \"curve\" to listen on "
			          "a network",
			          eps[i].name, eps[i].value);
	}
	if (cfg->security_mode == SECURITY_CURVE && !cfg->public_key[0])
		conf_fail(
		    c, w->security_mode,
		    "security.mode is curve but no security.secret_key_file gives the daemon's "
		    "key (make one with: ffcctl keygen ffcd)");
	if (!cfg->data_dir[0])
		conf_fail(c, w->data_dir, "daemon.data_dir: must not be empty");
	else if (!cfg->control[0] && strlen(cfg->data_dir) + strlen(CONTROL_SOCK) > IPC_PATH_MAX)
		conf_fail(c, w->data_dir,
		          "daemon.data_dir: too long for the control socket path "
		          "(%zu bytes at most); set control.endpoint",
		          (size_t)IPC_PATH_MAX - strlen(CONTROL_SOCK));
	if (cfg->log_level < LOG_ERROR || cfg->log_level > LOG_DEBUG)
		conf_fail(c, w->log_level, "daemon.log_level: %d is not a log level",
		          (int)cfg->log_level);
	if (cfg->max_message < KIB || cfg->max_message > MESSAGE_KB_MAX * KIB)
		conf_fail(c, w->max_message,
		          "ingest.max_message_kb: %zu bytes is out of range (1 to %d KiB)",
		          cfg->max_message, MESSAGE_KB_MAX);
	if (cfg->batch_max < 1 || cfg->batch_max > BATCH_MAX)
		conf_fail(c, w->batch_max, "ingest.batch_max: %u is out of range (1 to %d)",
		          cfg->batch_max, BATCH_MAX);
	if (cfg->map_size < MIB || cfg->map_size > MAP_MB_MAX * MIB)
		conf_fail(c, w->map_size, "store.map_size_mb: out of range (1 to %d)", MAP_MB_MAX);
	else if (cfg->map_size_max < MIB || cfg->map_size_max > MAP_MB_MAX * MIB)
		conf_fail(c, w->map_size_max, "store.map_size_max_mb: out of range (1 to %d)",
		          MAP_MB_MAX);
	else if (cfg->map_size > cfg->map_size_max)
		/* Blame whichever the file set; the later one if both. */
		conf_fail(c, w->map_size_max ? w->map_size_max : w->map_size,
		          "store.map_size_mb (%llu) is above store.map_size_max_mb (%llu)",
		          (unsigned long long)(cfg->map_size / MIB),
		          (unsigned long long)(cfg->map_size_max / MIB));
}

/* ---- entry points ---- */

int config_load(const char *path, struct config *cfg, struct config_errors *errs)
{
	struct conf_ctx c = {.origin = path, .errs = errs, .total = 0};
	errs->n = 0;

	/* Open it ourselves: libconfig reports any I/O failure as "file I/O
	 * error" and accepts a directory, we want the reason. */
	FILE *f = fopen(path, "r");
	if (!f) {
		conf_fail_at(&c, path, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) < 0) {
		conf_fail_at(&c, path, 0, "cannot read: %s", strerror(errno));
		fclose(f);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		conf_fail_at(&c, path, 0, "cannot read: %s",
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
			conf_fail_at(&c, file, config_error_line(&lc), "cannot read: %s",
			             config_error_text(&lc));
		else
			conf_fail_at(&c, file, config_error_line(&lc), "%s",
			             config_error_text(&lc));
		config_destroy(&lc);
		return -1;
	}

	/* Read into a copy: *cfg is only changed when the whole file is good. */
	struct config next = *cfg;
	struct conf_where w;
	memset(&w, 0, sizeof w);
	const config_setting_t *root = config_root_setting(&lc);
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		if (!strcmp(name, "rules")) {
			conf_section_rules(&c, s, &next);
			continue;
		}
		if (!strcmp(name, "labels")) {
			conf_section_labels(&c, s, &next);
			continue;
		}
		if (!strcmp(name, "retention")) {
			if (conf_expect_group(&c, s) == 0)
				section_retention(&c, s, &next);
			continue;
		}
		if (!strcmp(name, "schools") || !strcmp(name, "feedback")) {
			if (conf_expect_group(&c, s) == 0 && name[0] == 's')
				conf_section_schools(&c, s, &next);
			else if (config_setting_type(s) == CONFIG_TYPE_GROUP)
				conf_section_feedback(&c, s, &next);
			continue;
		}
		if (strcmp(name, "daemon") && strcmp(name, "ingest") && strcmp(name, "alerts") &&
		    strcmp(name, "control") && strcmp(name, "store") && strcmp(name, "security")) {
			conf_unknown(
			    &c, s,
			    "daemon, ingest, alerts, control, store, retention, security, schools, "
			    "feedback, rules, labels");
			continue;
		}
		if (conf_expect_group(&c, s) < 0)
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
			conf_section_security(&c, s, &next, &w);
		else
			section_store(&c, s, &next, &w);
	}
	/* Values that failed their own checks kept the previous ones, so these
	 * find only new problems. Settings still point into lc: before
	 * config_destroy. */
	check_settings(&c, &next, &w);
	conf_check_schools(&c, &next, 0);
	conf_sort_errors(&c); /* file names may point into lc */
	config_destroy(&lc);
	conf_finish(&c);
	if (c.total > 0)
		return -1;
	*cfg = next;
	return 0;
}

int config_check(const struct config *cfg, const char *origin, struct config_errors *errs)
{
	struct conf_ctx c = {.origin = origin, .errs = errs, .total = 0};
	/* errs may already hold errors; they count towards the cap. */
	c.total = errs->n;
	const size_t before = c.total;
	struct conf_where w;
	memset(&w, 0, sizeof w);
	check_settings(&c, cfg, &w);
	conf_check_rules(&c, cfg);
	conf_check_schools(&c, cfg, 1);
	conf_finish(&c);
	return c.total == before ? 0 : -1;
}
