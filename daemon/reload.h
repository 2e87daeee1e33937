/*
 * reload.h - the rules in force, and loading a configuration file again
 * without risk to the running daemon.
 *
 * A file is loaded in a separate process: the daemon runs its own program
 * again (`helper RELOAD_HELPER_FLAG FILE`), which parses and checks the
 * file with config.c and writes the finished struct config (plain data) or
 * the error list to its stdout. A parser that crashes, exits, hangs or
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

/* Rules in force from cfg (started without a file: path stays ""). */
void reload_init(struct rules_state *st, const struct config *cfg, const char *helper,
                 int64_t now_ms);

/* The file the daemon was started with and what it said before flags
 * overrode it. */
void reload_set_file(struct rules_state *st, const char *path, const struct config *file);

/* Load and check `path` in a loader process (helper RELOAD_HELPER_FLAG
 * path), waiting at most timeout_ms. Returns 0 with *out filled and
 * checked, or -1 with every problem in errs ("file:line: message", or
 * "file: message" when the loader itself failed). Never changes anything
 * but *out and *errs. */
int reload_load(const char *helper, const char *path, int timeout_ms, struct config *out,
                struct config_errors *errs);

/* The loader's side, run by `helper RELOAD_HELPER_FLAG path`: load path on
 * top of the defaults and write the result to stdout. Returns the exit
 * status. */
int reload_helper_main(const char *path);

/* What putting next's rules in force changes, and which of its other
 * settings differ from was (each needs a restart). */
void reload_compare(const struct config *was, const struct rule *rules, size_t n_rules,
                    const struct config *next, struct reload_diff *d);

/* Load st->path and, when it is good, put its rules in force (st->rules,
 * loaded_at_ms = now_ms). Returns 0 with *d saying what changed, or -1
 * with errs, the rules in force untouched. Logs the outcome; `by` says who
 * asked ("SIGHUP", "ffcctl reload by alice"). */
int reload_apply(struct rules_state *st, int64_t now_ms, const char *by, struct reload_diff *d,
                 struct config_errors *errs);

#endif
