/*
 * config.h - ffcd's configuration: one validated, read-only struct.
 *
 * config.c is the only file that includes libconfig.h. A file is loaded
 * whole and checked whole: every problem is reported as "file:line:
 * message", and a config with any error is never used.
 */
#ifndef FFC_CONFIG_H
#define FFC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "labels.h"
#include "lifecycle.h"
#include "log.h"
#include "rules.h"
#include "school.h"

#define CONFIG_PATH_MAX     1024
#define CONFIG_ENDPOINT_MAX 1024
#define CONFIG_ERRORS_MAX   32
#define CONFIG_ERROR_LEN    512

/* security.mode: "insecure" (no CURVE; only loopback, ipc:// and inproc://
 * endpoints) or "curve" (every tcp:// socket a CURVE server with ZAP). */
enum security_mode { SECURITY_INSECURE = 0, SECURITY_CURVE = 1 };
#define CONFIG_KEY_Z85_LEN 40

struct config {
	char data_dir[CONFIG_PATH_MAX];    /* default FFC_DATA_DIR, /var/lib/ffc */
	char ingest[CONFIG_ENDPOINT_MAX];  /* default tcp://127.0.0.1:7401 */
	char alerts[CONFIG_ENDPOINT_MAX];  /* default tcp://127.0.0.1:7402 */
	char control[CONFIG_ENDPOINT_MAX]; /* default "" = ipc://<data_dir>/control.sock */
	uint64_t map_size;                 /* bytes; store.map_size_mb, default 64 MiB */
	uint64_t map_size_max;             /* bytes; store.map_size_max_mb, default 64 GiB */
	uint64_t backup_rate;              /* bytes/s; store.backup_mb_per_s, 96 MiB; 0: unpaced */
	unsigned backup_commit_gap_ms;     /* store.backup_commit_gap_ms, default 10; 0: none */
	size_t max_message;                /* bytes; ingest.max_message_kb, default 64 KiB */
	unsigned batch_max;                /* concerns per write transaction, default 1024 */
	enum log_level log_level;          /* default LOG_INFO */
	enum log_format log_format;        /* daemon.log_format, default LOG_FORMAT_TEXT */
	size_t n_rules;
	struct rule rules[RULES_MAX];
	struct labels labels;             /* labels = { ... }: the words of categories in reasons */
	struct alert_policy lifecycle;    /* alerts.response_minutes, alerts.outcomes */
	struct access_list access;        /* security: the keys and operators known */
	enum security_mode security_mode; /* default SECURITY_INSECURE */
	/* security.secret_key_file: the daemon's secret certificate (curve
	 * mode). Only its path and public key are held here: the secret is
	 * read by the server when it opens its sockets, never copied around. */
	char secret_key_file[CONFIG_PATH_MAX];
	char public_key[CONFIG_KEY_Z85_LEN + 1]; /* the daemon's, Z85; "" in insecure mode */
	char user[64];            /* daemon.user: drop to it when started as root; "" none */
	unsigned retention_years; /* retention.years: 0 (default) never purge */
	struct schools schools;   /* schools, feedback: Operation Encompass and referrers */
};

struct config_errors {
	size_t n;
	char msg[CONFIG_ERRORS_MAX][CONFIG_ERROR_LEN];
};

/* Fill cfg with the built-in defaults (and the default rules). Every
 * field is set; cannot fail. */
void config_defaults(struct config *cfg);

/* Load and check `path` on top of what cfg holds (the defaults, from
 * config_defaults). Returns 0 on success; -1 with every problem found in
 * errs (file:line: message, at most CONFIG_ERRORS_MAX), including a file
 * that cannot be read ("file: cannot read: reason"). cfg is only changed
 * on success; errs is cleared first. path is only read. */
int config_load(const char *path, struct config *cfg, struct config_errors *errs);

/* Check a finished config (after flags override the file): endpoints
 * non-empty and well-formed (and loopback or local in insecure mode),
 * limits in range. Returns 0, or -1 with every problem appended to errs,
 * each starting with `origin` in place of file:line. Only reads cfg. */
int config_check(const struct config *cfg, const char *origin, struct config_errors *errs);

/* 1 when ep may be used without CURVE: ipc://, inproc://, or tcp:// on
 * 127.0.0.1, localhost or [::1]; else 0 (also for a malformed endpoint). */
int config_endpoint_local(const char *ep);

#endif
