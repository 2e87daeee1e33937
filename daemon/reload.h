/*
 * reload.h - the rules in force, and loading a configuration file again
 * without risk to the running daemon.
 *
 * A file is loaded in a separate process: the daemon runs its own program
 * again (`helper RELOAD_HELPER_FLAG FILE`), which parses and checks the
 * file with config.c and writes the finished config or the error list to
 * its stdout, field by field (reload_answer_encode). A parser that crashes, exits, hangs or
 * writes nonsense cannot take the daemon down or leave it half-loaded: the
 * daemon waits a bounded time, reads a bounded answer, checks it again and
 * only then swaps the rules. The server calls reload_apply() from its loop,
 * between batches, so a batch of concerns or a control request always sees
 * one whole rule set.
 */
#ifndef FFC_RELOAD_H
#define FFC_RELOAD_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "rules.h"

/* The internal command line of the loader process. */
#define RELOAD_HELPER_FLAG "--load-config-for-reload"
/* How long the loader may take before it is killed. */
#define RELOAD_TIMEOUT_MS 10000
/* Settings that need a restart, reported one a line. */
#define RELOAD_RESTART_MAX 16
#define RELOAD_NOTE_MAX    160

struct rules_state {
	char path[CONFIG_PATH_MAX];   /* the configuration file; "" when started without one */
	char helper[CONFIG_PATH_MAX]; /* the program run as loader (the daemon itself) */
	int timeout_ms;
	/* What the file said when the daemon started: settings other than
	 * rules are compared with it, since only a restart applies them. */
	struct config file;
	size_t n_rules;
	struct rule rules[RULES_MAX]; /* in force */
	/* The keys and operators in force (security.keys, .operators):
	 * reloaded with the rules, so adding or removing a key needs no
	 * restart. The ZAP handler judges new connections against it. */
	struct access_list access;
	/* The schools and their calendar, and the feedback contact: reloaded
	 * with the keys that name them (term dates change every year). */
	struct schools schools;
	int64_t loaded_at_ms;
};

/* What a reload changed. */
struct reload_diff {
	size_t n_added, n_removed, n_changed, n_restart;
	char added[RULES_MAX][RULE_NAME_MAX];
	char removed[RULES_MAX][RULE_NAME_MAX];
	char changed[RULES_MAX][RULE_NAME_MAX];
	char restart[RELOAD_RESTART_MAX]
	            [RELOAD_NOTE_MAX];       /* "ingest.endpoint: needs a restart, ignored" */
	size_t n_keys_added, n_keys_removed; /* security.keys, by name */
	char keys_added[ACCESS_KEYS_MAX][ACCESS_NAME_MAX];
	char keys_removed[ACCESS_KEYS_MAX][ACCESS_NAME_MAX];
};

/* Rules in force from cfg (started without a file: path stays ""). cfg and
 * helper are copied: the caller keeps them. Cannot fail. */
void reload_init(struct rules_state *st, const struct config *cfg, const char *helper,
                 int64_t now_ms);

/* The file the daemon was started with and what it said before flags
 * overrode it. Both are copied (path cut at CONFIG_PATH_MAX - 1 bytes).
 * Cannot fail. */
void reload_set_file(struct rules_state *st, const char *path, const struct config *file);

/* Load and check `path` in a loader process (helper RELOAD_HELPER_FLAG
 * path), waiting at most timeout_ms. Returns 0 with *out filled and
 * checked, or -1 with every problem in errs ("file:line: message", or
 * "file: message" when the loader itself failed: could not start, was
 * killed, timed out, exited without an answer, or sent an answer that is
 * too long, too short or malformed). *out is changed only on success;
 * nothing but *out and *errs is ever changed. The loader is always reaped
 * before this returns. */
int reload_load(const char *helper, const char *path, int timeout_ms, struct config *out,
                struct config_errors *errs);

/* The loader's side, run by `helper RELOAD_HELPER_FLAG path`: load path on
 * top of the defaults and write the answer to stdout. Returns the exit
 * status: 0 when an answer (a config or its errors) was written, 1 when
 * writing failed, 2 when stdout is a terminal (the answer is binary). */
int reload_helper_main(const char *path);

/* The loader's answer, written by the loader and read by the daemon:
 * cfg (or, when cfg is NULL, errs) encoded field by field into buf[0..cap).
 * Returns the answer's length, or 0 when it does not fit in cap or a count
 * or number is out of its range (nothing past an array is read). Reads
 * only; buf is the caller's. */
size_t reload_answer_encode(const struct config *cfg, const struct config_errors *errs,
                            unsigned char *buf, size_t cap);

/* Read an answer of exactly len bytes. Returns 0 with *out filled (a
 * config, not yet checked with config_check), 1 with *errs filled (the
 * loader's list of errors), or -1 with a sentence in why (truncated to
 * whylen) naming the first field refused: an answer that ends early, goes
 * on past its last field, has a string too long for its array or holding
 * a NUL, a count above its array's size or a number out of range. On -1,
 * *out or *errs may hold part of an answer and must not be used. Never
 * reads outside buf[0..len). */
int reload_answer_decode(const unsigned char *buf, size_t len, struct config *out,
                         struct config_errors *errs, char *why, size_t whylen);

/* What putting next's rules in force changes, and which of its other
 * settings differ from was (each needs a restart). Fills *d whole (it is
 * cleared first). Cannot fail. */
void reload_compare(const struct config *was, const struct rule *rules, size_t n_rules,
                    const struct config *next, struct reload_diff *d);

/* Load st->path and, when it is good, put its rules and keys in force
 * (st->rules, st->access, loaded_at_ms = now_ms). Returns 0 with *d saying
 * what changed, or -1 with errs (no file to reload, out of memory, or
 * whatever reload_load reported), the rules in force untouched. Logs the
 * outcome; `by` says who asked ("SIGHUP", "ffcctl reload by alice") and is
 * only read. Not to be called while a batch or request is in hand: the
 * swap is whole only between them. */
int reload_apply(struct rules_state *st, int64_t now_ms, const char *by, struct reload_diff *d,
                 struct config_errors *errs);

/* reload_apply() in two halves, so that the loader runs beside the loop
 * (beside.h) and holds nothing up. reload_job_new() copies from st what
 * loading needs and `by` (NULL when out of memory); reload_job_run(job)
 * loads, in any thread, touching only the job; reload_job_finish(), in
 * the loop between batches, puts a good file's rules in force in st or
 * logs why not, with reload_apply()'s results; reload_job_free() frees
 * the job (run or not). */
struct reload_job;
struct reload_job *reload_job_new(const struct rules_state *st, const char *by);
void reload_job_run(void *job);
int reload_job_finish(struct rules_state *st, struct reload_job *job, int64_t now_ms,
                      struct reload_diff *d, struct config_errors *errs);
void reload_job_free(void *job);

#endif
