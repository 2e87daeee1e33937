/*
 * config_read.h - the config module's own header: what its files share to
 * read a file's settings, collect "file:line: message" errors and check
 * what was read. Included by config.c, config_rules.c,
 * config_security.c and config_schools.c only: with libconfig.h, which nothing outside the
 * config module includes (the rest of the daemon sees struct config).
 *
 * Every getter reports its own error at the setting's line and returns
 * -1; a setting's value is only written on success.
 */
#ifndef FFC_CONFIG_READ_H
#define FFC_CONFIG_READ_H

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The errors found in one load or check. */
struct conf_ctx {
	const char *origin; /* the file, or config_check's origin */
	struct config_errors *errs;
	size_t total; /* errors found, including those past CONFIG_ERRORS_MAX */
	/* Where each kept error stands, to list them in file order. */
	const char *file[CONFIG_ERRORS_MAX];
	int line[CONFIG_ERRORS_MAX];
};

/* Where each setting stood, for the checks made once all is read; NULL:
 * not in the file. */
struct conf_where {
	const config_setting_t *data_dir, *log_level, *ingest, *alerts, *control;
	const config_setting_t *max_message, *batch_max, *map_size, *map_size_max;
	const config_setting_t *security_mode, *secret_key_file;
};

/* Room for a setting's full name (conf_path_of). */
#define CONF_PATH_LEN 160

/* An error at file:line (line 0: the file alone), counted in c and kept
 * while there is room. */
FFC_PRINTF(4, 5)
void conf_fail_at(struct conf_ctx *c, const char *file, int line, const char *fmt, ...);
/* List the kept errors by file and line, as a compiler would. The file
 * names may point into the libconfig tree: call before destroying it. */
void conf_sort_errors(struct conf_ctx *c);
/* Past the cap, the last slot says how many more errors there were. */
void conf_finish(struct conf_ctx *c);

/* An error at a setting's line, in the file it came from (a setting can
 * come from an @include'd file); with no setting (s NULL), at the origin
 * alone. */
void conf_fail(struct conf_ctx *c, const config_setting_t *s, const char *fmt, ...)
    FFC_PRINTF(3, 4);

/* The setting's full name for messages, written into buf (len bytes) and
 * returned: "ingest.max_message_kb", "rules[2].weights.low". */
const char *conf_path_of(const config_setting_t *s, char *buf, size_t len);

/* Report s as an unknown setting, listing the `known` names there. */
void conf_unknown(struct conf_ctx *c, const config_setting_t *s, const char *known);

/* Names in the file are compared like agency and category names: case
 * ignored, '-' and '_' alike. 1 when a and b are the same name. */
int conf_same_name(const char *a, const char *b);

/* A string of at most size - 1 bytes (and not empty unless allow_empty)
 * copied into dst. 0, or -1 reported. */
int conf_get_string(struct conf_ctx *c, const config_setting_t *s, char *dst, size_t size,
                    int allow_empty);

/* A whole number in min..max into *out. 0, or -1 reported. */
int conf_get_int(struct conf_ctx *c, const config_setting_t *s, long long min, long long max,
                 long long *out);

/* 0 when s is a group { ... }, or -1 reported. */
int conf_expect_group(struct conf_ctx *c, const config_setting_t *s);

/* A string naming one of an enumeration's values: what parse returns for
 * it (above 0), or -1 reported naming `what` and the `choices`. */
int conf_get_enum(struct conf_ctx *c, const config_setting_t *s, int (*parse)(const char *),
                  const char *what, const char *choices);

/* A list of names ("police", "domestic-abuse") into a bit set (1 << the
 * value parse gives each) in *out. `what` is the singular noun, `example`
 * a name to show. 0, or -1 with every bad element reported. */
int conf_name_set(struct conf_ctx *c, const config_setting_t *s, int (*parse)(const char *),
                  const char *what, const char *example, uint32_t *out);

/* rules = ( { ... }, ... ): read each rule, have rules.c check it, and
 * put the good ones in cfg->rules, replacing the built-in ones
 * (config_rules.c). */
void conf_section_rules(struct conf_ctx *c, const config_setting_t *s, struct config *cfg);

/* labels = { parental-mental-health = "..."; ... }: a category's words in
 * alert reasons, by its name as a rule names it; a category not given
 * keeps its built-in words (config_rules.c). */
void conf_section_labels(struct conf_ctx *c, const config_setting_t *s, struct config *cfg);

/* The rules of a finished config, each checked by rules.c, and their
 * names unique; errors at the origin alone (config_rules.c). */
void conf_check_rules(struct conf_ctx *c, const struct config *cfg);

/* security = { mode; secret_key_file; keys; operators; }, noting where
 * the mode and key file stood in w (config_security.c). */
void conf_section_security(struct conf_ctx *c, const config_setting_t *g, struct config *cfg,
                           struct conf_where *w);

/* schools = { timezone; day_starts; remind_at; school_days; terms;
 * closed; notice_max_age_days; list; } and feedback = { contact; }
 * (config_schools.c). */
void conf_section_schools(struct conf_ctx *c, const config_setting_t *g, struct config *cfg);
void conf_section_feedback(struct conf_ctx *c, const config_setting_t *g, struct config *cfg);
/* Every school key bound to a school schools.list names; with whole, the
 * calendar checked too (a finished config; config_load checks it at its
 * lines). Errors at the origin alone. */
void conf_check_schools(struct conf_ctx *c, const struct config *cfg, int whole);

#endif
