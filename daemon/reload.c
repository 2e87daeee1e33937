/*
 * reload.c - the rules in force and how a configuration file is loaded
 * again: in a loader process, bounded in time and size, checked twice,
 * then swapped whole.
 *
 * Owns the loader's protocol (a header and one plain struct through a
 * pipe), the comparison of two configurations and the swap. Does not parse
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

#include "log.h"

/* The loader's answer: a header, then exactly one struct config (status
 * OK) or struct config_errors (status ERRORS). Both sides are the same
 * program, so the structs have the same layout; the size is checked all
 * the same, and anything else is refused. */
#define ANSWER_MAGIC UINT32_C(0x46464352) /* "FFCR" */
enum { ANSWER_OK = 0, ANSWER_ERRORS = 1 };

struct answer_header {
	uint32_t magic;
	uint32_t status;
	uint64_t size;
};

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

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
	config_defaults(&cfg);
	struct answer_header h = {.magic = ANSWER_MAGIC};
	const void *payload;
	if (config_load(path, &cfg, &errs) == 0) {
		h.status = ANSWER_OK;
		h.size = sizeof cfg;
		payload = &cfg;
	} else {
		h.status = ANSWER_ERRORS;
		h.size = sizeof errs;
		payload = &errs;
	}
	if (write_all(STDOUT_FILENO, &h, sizeof h) < 0 ||
	    write_all(STDOUT_FILENO, payload, (size_t)h.size) < 0)
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
		if (mono_ms() >= deadline && !killed) {
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

/* Force every string of a received config to end inside its array: the
 * checks that follow read them with strlen. */
static void terminate_strings(struct config *c)
{
	c->data_dir[sizeof c->data_dir - 1] = '\0';
	c->ingest[sizeof c->ingest - 1] = '\0';
	c->alerts[sizeof c->alerts - 1] = '\0';
	c->control[sizeof c->control - 1] = '\0';
	for (size_t i = 0; i < RULES_MAX; i++)
		c->rules[i].name[RULE_NAME_MAX - 1] = '\0';
}

int reload_load(const char *helper, const char *path, int timeout_ms, struct config *out,
                struct config_errors *errs)
{
	errs->n = 0;
	const size_t most = sizeof(struct config) > sizeof(struct config_errors)
	                        ? sizeof(struct config)
	                        : sizeof(struct config_errors);
	const size_t cap = sizeof(struct answer_header) + most;
	/* One byte more than any answer, to see an answer that is too long. */
	unsigned char *buf = malloc(cap + 1);
	if (!buf) {
		add_error(errs, "%s: out of memory", path);
		return -1;
	}
	int fd = -1;
	pid_t pid = start_loader(helper, path, &fd);
	if (pid < 0) {
		add_error(errs, "%s: cannot start the configuration loader: %s", path,
		          strerror(errno));
		free(buf);
		return -1;
	}
	const int64_t deadline = mono_ms() + timeout_ms;
	size_t got = 0;
	int timed_out = 0, too_long = 0, read_error = 0;
	for (;;) {
		int64_t left = deadline - mono_ms();
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

	struct answer_header h;
	memset(&h, 0, sizeof h);
	if (got >= sizeof h)
		memcpy(&h, buf, sizeof h);
	const int complete =
	    !timed_out && !too_long && !read_error && got >= sizeof h && h.magic == ANSWER_MAGIC &&
	    ((h.status == ANSWER_OK && h.size == sizeof(struct config)) ||
	     (h.status == ANSWER_ERRORS && h.size == sizeof(struct config_errors))) &&
	    got == sizeof h + h.size;
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
	else if (!complete)
		add_error(errs, "%s: the configuration loader sent no answer or a malformed one",
		          path);
	else if (h.status == ANSWER_ERRORS) {
		struct config_errors *e = (struct config_errors *)(void *)(buf + sizeof h);
		size_t n = e->n < CONFIG_ERRORS_MAX ? e->n : CONFIG_ERRORS_MAX;
		for (size_t i = 0; i < n; i++) {
			e->msg[i][CONFIG_ERROR_LEN - 1] = '\0';
			add_error(errs, "%s", e->msg[i]);
		}
		if (errs->n == 0)
			add_error(errs,
			          "%s: the configuration loader reported errors but named none",
			          path);
	} else {
		memcpy(out, buf + sizeof h, sizeof *out);
		terminate_strings(out);
		/* Checked again here: only a config that passes in this
		 * process is ever used. */
		if (config_check(out, path, errs) == 0)
			rc = 0;
	}
	free(buf);
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
	if (was->access.n_operators != next->access.n_operators ||
	    memcmp(was->access.operators, next->access.operators,
	           was->access.n_operators * sizeof was->access.operators[0]))
		restart(d, "security.operators");
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
	st->loaded_at_ms = now_ms;
}

void reload_set_file(struct rules_state *st, const char *path, const struct config *file)
{
	snprintf(st->path, sizeof st->path, "%s", path);
	st->file = *file;
}

int reload_apply(struct rules_state *st, int64_t now_ms, const char *by, struct reload_diff *d,
                 struct config_errors *errs)
{
	memset(d, 0, sizeof *d);
	errs->n = 0;
	if (!st->path[0]) {
		add_error(errs,
		          "ffcd was started without a configuration file (-c FILE): nothing to "
		          "reload; the built-in rules stay in force");
		log_warn("reload (%s): %s", by, errs->msg[0]);
		return -1;
	}
	struct config *next = malloc(sizeof *next);
	if (!next) {
		add_error(errs, "%s: out of memory", st->path);
		return -1;
	}
	if (reload_load(st->helper, st->path, st->timeout_ms, next, errs) < 0) {
		log_warn("reload (%s): %s has %zu error%s; the %zu rules in force are unchanged",
		         by, st->path, errs->n, errs->n == 1 ? "" : "s", st->n_rules);
		for (size_t i = 0; i < errs->n; i++)
			log_warn("reload: %s", errs->msg[i]);
		free(next);
		return -1;
	}
	reload_compare(&st->file, st->rules, st->n_rules, next, d);
	/* The swap: whole, and between batches (the server's loop calls this
	 * only when no batch or request is in hand). */
	st->n_rules = next->n_rules;
	memcpy(st->rules, next->rules, next->n_rules * sizeof st->rules[0]);
	st->loaded_at_ms = now_ms;
	free(next);
	log_info("reload (%s): %s: %zu rules in force (%zu added, %zu changed, %zu removed)", by,
	         st->path, st->n_rules, d->n_added, d->n_changed, d->n_removed);
	for (size_t i = 0; i < d->n_restart; i++)
		log_warn("reload: %s", d->restart[i]);
	return 0;
}
