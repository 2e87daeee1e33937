/*
 * reload.c - the rules in force and how a configuration file is loaded
 * again: in a loader process, bounded in time and size, checked twice,
 * then swapped whole.
 *
 * Owns the loader's protocol (a header and the config's fields, one by
 * one, through a pipe), the comparison of two configurations and the
 * swap. Does not parse
 * the file (config.c) or decide when to reload (server.c, control_rules.c).
 */
#define _GNU_SOURCE /* close_range */
#include "reload.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

/* The loader's answer: a header, then the fields of one struct config
 * (status OK) or of one struct config_errors (status ERRORS), each written
 * on its own by one field list (config_fields, errors_fields) that both
 * sides walk. Never the struct's bytes: a string arrives as a length and
 * its bytes and is refused when it does not fit its array or holds a NUL,
 * a count is refused above its array's size, a number outside its range,
 * and an answer that ends early or goes on past its last field is
 * refused whole. So a field added to struct config is either in the list
 * (and checked) or absent (and zero), never read past its end. */
#define ANSWER_MAGIC UINT32_C(0x46464353) /* "FFCS" */
enum { ANSWER_OK = 0, ANSWER_ERRORS = 1 };

struct answer_header {
	uint32_t magic;
	uint32_t status;
	uint64_t size;
};

/* The most an answer may hold after its header: each field takes at most
 * 8 bytes of length or value more than its place in the struct. */
#define ANSWER_MAX                                                                                 \
	(4 * (sizeof(struct config) > sizeof(struct config_errors)                                 \
	          ? sizeof(struct config)                                                          \
	          : sizeof(struct config_errors)))

/* ---- errors ---- */

static FFC_PRINTF(2, 3) void add_error(struct config_errors *errs, const char *fmt, ...)
{
	if (errs->n >= CONFIG_ERRORS_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errs->msg[errs->n++], CONFIG_ERROR_LEN, fmt, ap);
	va_end(ap);
}

/* ---- the answer's codec ---- */

/* One walk over the fields, encoding (from the struct into out) or
 * decoding (from in into the struct). A decoding walk stops taking values
 * at the first fault and names the field in `bad`. */
struct codec {
	int decoding;
	unsigned char *out;
	size_t out_len, out_cap;
	int out_full;
	const unsigned char *in;
	size_t in_len, in_at;
	char bad[96]; /* the first field refused, "" while all is well */
};

static FFC_PRINTF(2, 3) void refuse(struct codec *c, const char *fmt, ...)
{
	if (c->bad[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->bad, sizeof c->bad, fmt, ap);
	va_end(ap);
}

static void put_raw(struct codec *c, const void *p, size_t n)
{
	if (c->out_full || c->out_cap - c->out_len < n) {
		c->out_full = 1;
		return;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
}

static int take_raw(struct codec *c, const char *what, void *p, size_t n)
{
	if (c->bad[0])
		return -1;
	if (c->in_len - c->in_at < n) {
		refuse(c, "%s: the answer ends early", what);
		return -1;
	}
	memcpy(p, c->in + c->in_at, n);
	c->in_at += n;
	return 0;
}

/* An integer field in [lo, hi]: 8 bytes, little-endian. Returns the value
 * to store (decoding), or v (encoding); 0 after a fault. */
static int64_t num(struct codec *c, const char *what, int64_t v, int64_t lo, int64_t hi)
{
	unsigned char b[8];
	if (!c->decoding) {
		/* The loader's own config was checked; a value out of range
		 * here is refused all the same, since the loops that follow a
		 * count trust it. */
		if (v < lo || v > hi) {
			refuse(c, "%s: %lld is out of range", what, (long long)v);
			return lo;
		}
		uint64_t u = (uint64_t)v;
		for (int i = 0; i < 8; i++)
			b[i] = (unsigned char)(u >> (8 * i));
		put_raw(c, b, sizeof b);
		return v;
	}
	if (take_raw(c, what, b, sizeof b) < 0)
		return 0;
	uint64_t u = 0;
	for (int i = 0; i < 8; i++)
		u |= (uint64_t)b[i] << (8 * i);
	int64_t got = (int64_t)u;
	if (got < lo || got > hi) {
		refuse(c, "%s: %lld is out of range", what, (long long)got);
		return 0;
	}
	return got;
}

/* Encode or decode `field` (any integer or enum type) in [lo, hi]. */
#define NUM(c, what, field, lo, hi)                                                                \
	do {                                                                                       \
		int64_t v_ = num((c), (what), (int64_t)(field), (lo), (hi));                       \
		if ((c)->decoding)                                                                 \
			(field) = v_;                                                              \
	} while (0)

/* A string held in char s[size]: its length, then its bytes. */
static void str(struct codec *c, const char *what, char *s, size_t size)
{
	if (!c->decoding) {
		size_t n = strnlen(s, size - 1);
		num(c, what, (int64_t)n, 0, (int64_t)size - 1);
		put_raw(c, s, n);
		return;
	}
	size_t n = (size_t)num(c, what, 0, 0, (int64_t)size - 1);
	if (take_raw(c, what, s, n) < 0)
		return;
	s[n] = '\0';
	if (memchr(s, '\0', n))
		refuse(c, "%s: holds a NUL byte", what);
}

/* A byte array of fixed size. */
static void bytes(struct codec *c, const char *what, void *p, size_t n)
{
	if (c->decoding)
		take_raw(c, what, p, n);
	else
		put_raw(c, p, n);
}

static void rule_fields(struct codec *c, struct rule *r)
{
	str(c, "rule name", r->name, sizeof r->name);
	NUM(c, "rule kind", r->kind, RULE_ANY, RULE_ALL_OF);
	NUM(c, "rule scope", r->scope, RULE_SCOPE_CHILD, RULE_SCOPE_HOUSEHOLD);
	NUM(c, "rule window", r->window_ms, INT64_MIN, INT64_MAX);
	for (size_t i = 0; i < sizeof r->threshold / sizeof r->threshold[0]; i++)
		NUM(c, "rule threshold", r->threshold[i], 0, UINT32_MAX);
	NUM(c, "rule agencies", r->agencies, 0, UINT32_MAX);
	NUM(c, "rule categories", r->categories, 0, UINT32_MAX);
	NUM(c, "rule min_severity", r->min_severity, INT32_MIN, INT32_MAX);
	for (size_t i = 0; i < sizeof r->weight / sizeof r->weight[0]; i++)
		NUM(c, "rule weight", r->weight[i], 0, UINT32_MAX);
	NUM(c, "rule when_status", r->when_status, 0, UINT32_MAX);
	NUM(c, "rule unless_status", r->unless_status, 0, UINT32_MAX);
	NUM(c, "rule parts", r->n_parts, 0, RULE_PARTS_MAX);
	for (size_t i = 0; i < r->n_parts && !c->bad[0]; i++) {
		struct rule_part *p = &r->parts[i];
		NUM(c, "rule part agencies", p->agencies, 0, UINT32_MAX);
		NUM(c, "rule part categories", p->categories, 0, UINT32_MAX);
		NUM(c, "rule part min_severity", p->min_severity, INT32_MIN, INT32_MAX);
		NUM(c, "rule part count", p->count, 0, UINT32_MAX);
	}
}

static void key_fields(struct codec *c, struct access_key *k)
{
	str(c, "key name", k->name, sizeof k->name);
	NUM(c, "key role", k->role, ACCESS_NONE, ACCESS_LOOKUP);
	NUM(c, "key agency", k->agency, INT32_MIN, INT32_MAX);
	NUM(c, "key levels", k->levels, 0, UINT32_MAX);
	str(c, "key urn", k->urn, sizeof k->urn);
	bytes(c, "key", k->key, sizeof k->key);
	NUM(c, "operator has unix_user", k->has_unix_uid, 0, 1);
	NUM(c, "operator unix_user", k->unix_uid, 0, UINT32_MAX);
	NUM(c, "key delegate", k->delegate, 0, 1);
}

static void when_fields(struct codec *c, struct calendar_when *w)
{
	NUM(c, "schools.timezone month", w->month, 0, 12);
	NUM(c, "schools.timezone week", w->week, 0, 5);
	NUM(c, "schools.timezone day", w->wday, 0, 6);
	NUM(c, "schools.timezone time", w->time_s, INT32_MIN, INT32_MAX);
}

/* schools and feedback; config_check() checks the calendar whole. */
static void schools_fields(struct codec *c, struct schools *s)
{
	NUM(c, "schools.list", s->n, 0, SCHOOLS_MAX);
	for (size_t i = 0; i < s->n && !c->bad[0]; i++) {
		str(c, "schools.list urn", s->list[i].urn, sizeof s->list[i].urn);
		str(c, "schools.list name", s->list[i].name, sizeof s->list[i].name);
	}
	struct calendar *cal = &s->cal;
	str(c, "schools.timezone", cal->tz_name, sizeof cal->tz_name);
	NUM(c, "schools.timezone offset", cal->tz.std_s, INT32_MIN, INT32_MAX);
	NUM(c, "schools.timezone summer", cal->tz.has_dst, 0, 1);
	NUM(c, "schools.timezone summer offset", cal->tz.dst_s, INT32_MIN, INT32_MAX);
	when_fields(c, &cal->tz.start); /* all zero without summer time */
	when_fields(c, &cal->tz.end);
	NUM(c, "schools.day_starts", cal->day_starts_s, 0, 86399);
	NUM(c, "schools.remind_at", cal->remind_s, 0, 86399);
	NUM(c, "schools.school_days", cal->weekdays, 1, 0x7f);
	NUM(c, "schools.terms", cal->n_terms, 0, CALENDAR_TERMS_MAX);
	for (size_t i = 0; i < cal->n_terms && !c->bad[0]; i++) {
		NUM(c, "schools.terms", cal->terms[i].from, CALENDAR_DAY_MIN, CALENDAR_DAY_MAX);
		NUM(c, "schools.terms", cal->terms[i].to, CALENDAR_DAY_MIN, CALENDAR_DAY_MAX);
	}
	NUM(c, "schools.closed", cal->n_closed, 0, CALENDAR_CLOSED_MAX);
	for (size_t i = 0; i < cal->n_closed && !c->bad[0]; i++)
		NUM(c, "schools.closed", cal->closed[i], CALENDAR_DAY_MIN, CALENDAR_DAY_MAX);
	NUM(c, "schools.notice_max_age_days", s->max_age_days, 0, SCHOOL_MAX_AGE_MAX);
	str(c, "feedback.contact", s->feedback_contact, sizeof s->feedback_contact);
}

/* Every field of struct config, in one list: a field added there is added
 * here (test_reload's round trip fails until it is). */
static void config_fields(struct codec *c, struct config *cfg)
{
	str(c, "daemon.data_dir", cfg->data_dir, sizeof cfg->data_dir);
	str(c, "ingest.endpoint", cfg->ingest, sizeof cfg->ingest);
	str(c, "alerts.endpoint", cfg->alerts, sizeof cfg->alerts);
	str(c, "control.endpoint", cfg->control, sizeof cfg->control);
	NUM(c, "store.map_size_mb", cfg->map_size, 0, INT64_MAX);
	NUM(c, "store.map_size_max_mb", cfg->map_size_max, 0, INT64_MAX);
	NUM(c, "ingest.max_message_kb", cfg->max_message, 0, INT64_MAX);
	NUM(c, "ingest.batch_max", cfg->batch_max, 0, UINT32_MAX);
	NUM(c, "daemon.log_level", cfg->log_level, LOG_ERROR, LOG_DEBUG);
	NUM(c, "daemon.log_format", cfg->log_format, LOG_FORMAT_TEXT, LOG_FORMAT_JSON);
	NUM(c, "rules", cfg->n_rules, 0, RULES_MAX);
	for (size_t i = 0; i < cfg->n_rules && !c->bad[0]; i++)
		rule_fields(c, &cfg->rules[i]);
	struct alert_policy *p = &cfg->lifecycle;
	for (size_t i = 0; i < sizeof p->response_ms / sizeof p->response_ms[0]; i++)
		NUM(c, "alerts.response_minutes", p->response_ms[i], INT64_MIN, INT64_MAX);
	NUM(c, "alerts.outcomes", p->n_outcomes, 0, LIFECYCLE_OUTCOMES_MAX);
	for (size_t i = 0; i < p->n_outcomes && !c->bad[0]; i++)
		str(c, "alerts.outcomes", p->outcomes[i], sizeof p->outcomes[i]);
	NUM(c, "alerts.reopen_on", p->reopen_severity, 0, SEVERITY_MAX);
	struct access_list *a = &cfg->access;
	NUM(c, "security.keys", a->n_keys, 0, ACCESS_KEYS_MAX);
	for (size_t i = 0; i < a->n_keys && !c->bad[0]; i++)
		key_fields(c, &a->keys[i]);
	NUM(c, "security.operators", a->n_operators, 0, ACCESS_KEYS_MAX);
	for (size_t i = 0; i < a->n_operators && !c->bad[0]; i++)
		key_fields(c, &a->operators[i]);
	NUM(c, "security.mode", cfg->security_mode, SECURITY_INSECURE, SECURITY_CURVE);
	str(c, "security.secret_key_file", cfg->secret_key_file, sizeof cfg->secret_key_file);
	str(c, "security.public_key", cfg->public_key, sizeof cfg->public_key);
	str(c, "daemon.user", cfg->user, sizeof cfg->user);
	NUM(c, "retention.years", cfg->retention_years, 0, UINT32_MAX);
	NUM(c, "store.backup_mb_per_s", cfg->backup_rate, 0, INT64_MAX);
	NUM(c, "store.backup_commit_gap_ms", cfg->backup_commit_gap_ms, 0, UINT32_MAX);
	for (size_t i = 0; i <= CATEGORY_MAX; i++)
		str(c, "labels", cfg->labels.category[i], sizeof cfg->labels.category[i]);
	schools_fields(c, &cfg->schools);
}

static void errors_fields(struct codec *c, struct config_errors *e)
{
	NUM(c, "errors", e->n, 0, CONFIG_ERRORS_MAX);
	for (size_t i = 0; i < e->n && !c->bad[0]; i++)
		str(c, "error", e->msg[i], sizeof e->msg[i]);
}

size_t reload_answer_encode(const struct config *cfg, const struct config_errors *errs,
                            unsigned char *buf, size_t cap)
{
	struct codec c = {.out = buf, .out_cap = cap};
	struct answer_header h = {.magic = ANSWER_MAGIC};
	put_raw(&c, &h, sizeof h); /* its size is known at the end */
	/* The walk only reads when encoding; it takes a mutable pointer
	 * because decoding walks the same list. */
	if (cfg) {
		h.status = ANSWER_OK;
		config_fields(&c, (struct config *)(uintptr_t)cfg);
	} else {
		h.status = ANSWER_ERRORS;
		errors_fields(&c, (struct config_errors *)(uintptr_t)errs);
	}
	if (c.out_full || c.bad[0])
		return 0;
	h.size = c.out_len - sizeof h;
	memcpy(buf, &h, sizeof h);
	return c.out_len;
}

int reload_answer_decode(const unsigned char *buf, size_t len, struct config *out,
                         struct config_errors *errs, char *why, size_t whylen)
{
	struct answer_header h;
	if (len < sizeof h) {
		snprintf(why, whylen, "the answer ends early (%zu bytes)", len);
		return -1;
	}
	memcpy(&h, buf, sizeof h);
	if (h.magic != ANSWER_MAGIC || (h.status != ANSWER_OK && h.status != ANSWER_ERRORS)) {
		snprintf(why, whylen, "the answer's header is not one");
		return -1;
	}
	if (h.size != len - sizeof h) {
		snprintf(why, whylen, "the answer says %llu bytes but holds %zu",
		         (unsigned long long)h.size, len - sizeof h);
		return -1;
	}
	struct codec c = {.decoding = 1, .in = buf + sizeof h, .in_len = len - sizeof h};
	if (h.status == ANSWER_OK) {
		memset(out, 0, sizeof *out);
		config_fields(&c, out);
	} else {
		memset(errs, 0, sizeof *errs);
		errors_fields(&c, errs);
	}
	if (!c.bad[0] && c.in_at != c.in_len)
		refuse(&c, "%zu bytes follow the last field", c.in_len - c.in_at);
	if (c.bad[0]) {
		snprintf(why, whylen, "%s", c.bad);
		return -1;
	}
	return h.status == ANSWER_OK ? 0 : 1;
}

/* ---- the loader's side ---- */

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t k = write(fd, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

int reload_helper_main(const char *path)
{
	/* The answer is binary, for the daemon only. */
	if (isatty(STDOUT_FILENO)) {
		fprintf(stderr,
		        "ffcd: %s is for ffcd's own use; check a file with ffcd -n -c FILE\n",
		        RELOAD_HELPER_FLAG);
		return 2;
	}
	static struct config cfg;
	static struct config_errors errs;
	static unsigned char answer[sizeof(struct answer_header) + ANSWER_MAX];
	config_defaults(&cfg);
	int ok = config_load(path, &cfg, &errs) == 0;
	size_t len = reload_answer_encode(ok ? &cfg : NULL, &errs, answer, sizeof answer);
	if (len == 0 || write_all(STDOUT_FILENO, answer, len) < 0)
		return 1;
	return 0;
}

/* ---- the daemon's side ---- */

/* Run the loader with its stdout on a pipe; its pid, and the pipe's read
 * end in *fd. Between fork and exec only async-signal-safe calls: the
 * daemon has other threads (ZeroMQ's), whose locks a child must not touch. */
static pid_t start_loader(const char *helper, const char *path, int *fd)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	char *const argv[] = {(char *)(uintptr_t)helper, (char *)(uintptr_t)RELOAD_HELPER_FLAG,
	                      (char *)(uintptr_t)path, NULL};
	pid_t pid = fork();
	if (pid == 0) {
		/* Started from a thread beside the loop, which blocks every
		 * signal: the loader gets none blocked, as a program should. */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* stdin from /dev/null, stdout to the pipe, stderr shared (the
		 * loader says nothing there unless it breaks), and no other of
		 * the daemon's descriptors (store, lock, sockets). */
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		if (dup2(p[1], STDOUT_FILENO) < 0)
			_exit(127);
		if (close_range(3, ~0U, 0) < 0)
			for (int i = 3; i < 1024; i++)
				close(i);
		execv(helper, argv);
		_exit(127);
	}
	int saved = errno;
	close(p[1]);
	if (devnull >= 0)
		close(devnull);
	if (pid < 0) {
		close(p[0]);
		errno = saved;
		return -1;
	}
	*fd = p[0];
	return pid;
}

/* Reap the loader, killing it when it has not finished by deadline.
 * Returns its wait status. */
static int reap(pid_t pid, int64_t deadline)
{
	int status = 0;
	int killed = 0;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return 0;
		if (clock_mono_ms() >= deadline && !killed) {
			kill(pid, SIGKILL);
			killed = 1;
		}
		if (killed) {
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return status;
		}
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

int reload_load(const char *helper, const char *path, int timeout_ms, struct config *out,
                struct config_errors *errs)
{
	errs->n = 0;
	const size_t cap = sizeof(struct answer_header) + ANSWER_MAX;
	/* One byte more than any answer, to see an answer that is too long. */
	unsigned char *buf = malloc(cap + 1);
	/* Decoded here, checked, and only then copied to the caller's. */
	struct config *next = malloc(sizeof *next);
	struct config_errors *reported = malloc(sizeof *reported);
	if (!buf || !next || !reported) {
		free(buf);
		free(next);
		free(reported);
		add_error(errs, "%s: out of memory", path);
		return -1;
	}
	int fd = -1;
	pid_t pid = start_loader(helper, path, &fd);
	if (pid < 0) {
		add_error(errs, "%s: cannot start the configuration loader: %s", path,
		          strerror(errno));
		free(buf);
		free(next);
		free(reported);
		return -1;
	}
	const int64_t deadline = clock_mono_ms() + timeout_ms;
	size_t got = 0;
	int timed_out = 0, too_long = 0, read_error = 0;
	for (;;) {
		int64_t left = deadline - clock_mono_ms();
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		struct pollfd pfd = {fd, POLLIN, 0};
		int r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			read_error = errno;
			break;
		}
		if (r == 0)
			continue;
		ssize_t k = read(fd, buf + got, cap + 1 - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			read_error = errno;
			break;
		}
		if (k == 0)
			break;
		got += (size_t)k;
		if (got > cap) {
			too_long = 1;
			break;
		}
	}
	close(fd);
	/* A loader that answered in full exits at once; one that did not is
	 * stopped now. */
	int status = reap(pid, timed_out || too_long || read_error ? 0 : deadline);

	char why[160] = "";
	int decoded = -1; /* 0 a config, 1 errors, -1 none */
	if (!timed_out && !too_long && !read_error)
		decoded = reload_answer_decode(buf, got, next, reported, why, sizeof why);
	const int complete = decoded >= 0;
	int rc = -1;
	if (timed_out)
		add_error(errs,
		          "%s: the configuration loader took longer than %d ms and was stopped",
		          path, timeout_ms);
	else if (too_long)
		add_error(errs, "%s: the configuration loader sent more than %zu bytes", path, cap);
	else if (read_error)
		add_error(errs, "%s: reading the configuration loader: %s", path,
		          strerror(read_error));
	else if (!complete && WIFSIGNALED(status))
		add_error(errs, "%s: the configuration loader was killed by signal %d (%s)", path,
		          WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (!complete && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		add_error(errs,
		          "%s: the configuration loader %s could not be run (exit status 127)",
		          path, helper);
	else if (!complete && WIFEXITED(status) && WEXITSTATUS(status) != 0)
		add_error(errs,
		          "%s: the configuration loader exited with status %d without an answer",
		          path, WEXITSTATUS(status));
	else if (!complete && got == 0)
		add_error(errs, "%s: the configuration loader sent no answer or a malformed one",
		          path);
	else if (!complete)
		add_error(errs,
		          "%s: the configuration loader sent no answer or a malformed one (%s)",
		          path, why);
	else if (decoded == 1) {
		for (size_t i = 0; i < reported->n; i++)
			add_error(errs, "%s", reported->msg[i]);
		if (errs->n == 0)
			add_error(errs,
			          "%s: the configuration loader reported errors but named none",
			          path);
	} else if (config_check(next, path, errs) == 0) {
		/* Checked again here: only a config that passes in this
		 * process is ever used. */
		memcpy(out, next, sizeof *out);
		rc = 0;
	}
	free(buf);
	free(next);
	free(reported);
	return rc;
}

/* ---- comparing ---- */

static const struct rule *find(const struct rule *rules, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rules[i].name, name))
			return &rules[i];
	return NULL;
}

static void restart(struct reload_diff *d, const char *setting)
{
	if (d->n_restart < RELOAD_RESTART_MAX)
		snprintf(d->restart[d->n_restart++], RELOAD_NOTE_MAX,
		         "%s: needs a restart, ignored", setting);
}

void reload_compare(const struct config *was, const struct rule *rules, size_t n_rules,
                    const struct config *next, struct reload_diff *d)
{
	memset(d, 0, sizeof *d);
	for (size_t i = 0; i < next->n_rules; i++) {
		const struct rule *old = find(rules, n_rules, next->rules[i].name);
		if (!old)
			snprintf(d->added[d->n_added++], RULE_NAME_MAX, "%s", next->rules[i].name);
		else if (!rule_equal(old, &next->rules[i]))
			snprintf(d->changed[d->n_changed++], RULE_NAME_MAX, "%s",
			         next->rules[i].name);
	}
	for (size_t i = 0; i < n_rules; i++)
		if (!find(next->rules, next->n_rules, rules[i].name))
			snprintf(d->removed[d->n_removed++], RULE_NAME_MAX, "%s", rules[i].name);

	if (strcmp(was->data_dir, next->data_dir))
		restart(d, "daemon.data_dir");
	if (was->log_level != next->log_level)
		restart(d, "daemon.log_level");
	if (was->log_format != next->log_format)
		restart(d, "daemon.log_format");
	if (strcmp(was->ingest, next->ingest))
		restart(d, "ingest.endpoint");
	if (was->max_message != next->max_message)
		restart(d, "ingest.max_message_kb");
	if (was->batch_max != next->batch_max)
		restart(d, "ingest.batch_max");
	if (strcmp(was->alerts, next->alerts))
		restart(d, "alerts.endpoint");
	if (strcmp(was->control, next->control))
		restart(d, "control.endpoint");
	if (was->map_size != next->map_size)
		restart(d, "store.map_size_mb");
	if (was->map_size_max != next->map_size_max)
		restart(d, "store.map_size_max_mb");
	if (was->backup_rate != next->backup_rate)
		restart(d, "store.backup_mb_per_s");
	if (was->backup_commit_gap_ms != next->backup_commit_gap_ms)
		restart(d, "store.backup_commit_gap_ms");
	if (strcmp(was->user, next->user))
		restart(d, "daemon.user");
	if (was->retention_years != next->retention_years)
		restart(d, "retention.years");
	if (was->security_mode != next->security_mode)
		restart(d, "security.mode");
	if (strcmp(was->secret_key_file, next->secret_key_file) ||
	    strcmp(was->public_key, next->public_key))
		restart(d, "security.secret_key_file");
}

/* Keys new in next and keys gone from it, by name; a key whose public key
 * or binding changed counts as removed and added. */
static void compare_keys(const struct access_list *was, const struct access_list *next,
                         struct reload_diff *d)
{
	for (size_t i = 0; i < next->n_keys; i++) {
		const struct access_key *k = &next->keys[i];
		const struct access_key *old = access_key_named(was, k->name);
		if (!old || memcmp(old, k, sizeof *k))
			snprintf(d->keys_added[d->n_keys_added++], ACCESS_NAME_MAX, "%s", k->name);
	}
	for (size_t i = 0; i < was->n_keys; i++) {
		const struct access_key *k = &was->keys[i];
		const struct access_key *now = access_key_named(next, k->name);
		if (!now || memcmp(now, k, sizeof *k))
			snprintf(d->keys_removed[d->n_keys_removed++], ACCESS_NAME_MAX, "%s",
			         k->name);
	}
}

/* ---- the rules in force ---- */

void reload_init(struct rules_state *st, const struct config *cfg, const char *helper,
                 int64_t now_ms)
{
	memset(st, 0, sizeof *st);
	snprintf(st->helper, sizeof st->helper, "%s", helper);
	st->timeout_ms = RELOAD_TIMEOUT_MS;
	st->file = *cfg;
	st->n_rules = cfg->n_rules <= RULES_MAX ? cfg->n_rules : RULES_MAX;
	memcpy(st->rules, cfg->rules, st->n_rules * sizeof st->rules[0]);
	st->access = cfg->access;
	st->schools = cfg->schools;
	/* The words of reasons are put in force with the rules that use them. */
	labels_use(&cfg->labels);
	st->loaded_at_ms = now_ms;
}

void reload_set_file(struct rules_state *st, const char *path, const struct config *file)
{
	snprintf(st->path, sizeof st->path, "%s", path);
	st->file = *file;
}

/* Loading in two halves (reload.h): what the loader needs, copied from
 * the state in force, and what it answered. */
struct reload_job {
	char by[128];
	char path[CONFIG_PATH_MAX], helper[CONFIG_PATH_MAX];
	int timeout_ms;
	int loaded;
	struct config next;
	struct config_errors errs;
};

struct reload_job *reload_job_new(const struct rules_state *st, const char *by)
{
	struct reload_job *j = malloc(sizeof *j);
	if (!j)
		return NULL;
	snprintf(j->by, sizeof j->by, "%s", by);
	memcpy(j->path, st->path, sizeof j->path);
	memcpy(j->helper, st->helper, sizeof j->helper);
	j->timeout_ms = st->timeout_ms;
	j->loaded = 0;
	j->errs.n = 0;
	return j;
}

void reload_job_run(void *arg)
{
	struct reload_job *j = arg;
	if (j->path[0])
		j->loaded = reload_load(j->helper, j->path, j->timeout_ms, &j->next, &j->errs) == 0;
}

int reload_job_finish(struct rules_state *st, struct reload_job *j, int64_t now_ms,
                      struct reload_diff *d, struct config_errors *errs)
{
	const char *by = j->by;
	memset(d, 0, sizeof *d);
	errs->n = 0;
	if (!j->path[0]) {
		add_error(errs,
		          "ffcd was started without a configuration file (-c FILE): nothing to "
		          "reload; the built-in rules stay in force");
		log_warn("reload (%s): %s", by, errs->msg[0]);
		return -1;
	}
	if (!j->loaded) {
		*errs = j->errs;
		log_warn("reload (%s): %s has %zu error%s; the %zu rules in force are unchanged",
		         by, j->path, errs->n, errs->n == 1 ? "" : "s", st->n_rules);
		for (size_t i = 0; i < errs->n; i++)
			log_warn("reload: %s", errs->msg[i]);
		return -1;
	}
	const struct config *next = &j->next;
	reload_compare(&st->file, st->rules, st->n_rules, next, d);
	compare_keys(&st->access, &next->access, d);
	/* The swap: whole, and between batches (the server's loop calls this
	 * only when no batch or request is in hand). */
	st->n_rules = next->n_rules;
	memcpy(st->rules, next->rules, next->n_rules * sizeof st->rules[0]);
	st->access = next->access;
	st->schools = next->schools;
	labels_use(&next->labels);
	st->loaded_at_ms = now_ms;
	log_info("reload (%s): %s: %zu rules in force (%zu added, %zu changed, %zu removed)", by,
	         j->path, st->n_rules, d->n_added, d->n_changed, d->n_removed);
	if (d->n_keys_added || d->n_keys_removed)
		log_info("reload (%s): %zu keys accepted (%zu added, %zu removed)", by,
		         st->access.n_keys, d->n_keys_added, d->n_keys_removed);
	for (size_t i = 0; i < d->n_restart; i++)
		log_warn("reload: %s", d->restart[i]);
	return 0;
}

void reload_job_free(void *job)
{
	free(job);
}

int reload_apply(struct rules_state *st, int64_t now_ms, const char *by, struct reload_diff *d,
                 struct config_errors *errs)
{
	struct reload_job *j = reload_job_new(st, by);
	if (!j) {
		memset(d, 0, sizeof *d);
		errs->n = 0;
		add_error(errs, "%s: out of memory", st->path);
		return -1;
	}
	reload_job_run(j);
	int rc = reload_job_finish(st, j, now_ms, d, errs);
	reload_job_free(j);
	return rc;
}
