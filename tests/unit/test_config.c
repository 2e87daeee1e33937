/*
 * Unit tests for config.c: the shipped conf/ffcd.conf loads and equals the
 * built-in defaults; every kind of mistake is reported as file:line:
 * message, all of them at once; a file with any error changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"

/* conf/ffcd.conf, found from this file's own path. */
static const char *shipped(void)
{
	static char path[1024];
	const char *here = __FILE__;
	const char *cut = strstr(here, "tests/unit/test_config.c");
	snprintf(path, sizeof path, "%.*sconf/ffcd.conf", cut ? (int)(cut - here) : 0, here);
	return path;
}

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = test_tmpdir("ffc-config");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char path[1200];
	snprintf(path, sizeof path, "%s/ffcd.conf", dir);
	unlink(path);
	rmdir(dir);
	free(dir);
	return 0;
}

/* Write text to a config file in the scratch directory. */
static const char *write_conf(const char *text)
{
	static char path[1200];
	snprintf(path, sizeof path, "%s/ffcd.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static struct config cfg, before;
static struct config_errors errs;

/* Is there an error starting "file:line: " and containing text? */
static int has_error(const char *path, int line, const char *text)
{
	char prefix[1300];
	snprintf(prefix, sizeof prefix, "%s:%d: ", path, line);
	for (size_t i = 0; i < errs.n; i++)
		if (!strncmp(errs.msg[i], prefix, strlen(prefix)) && strstr(errs.msg[i], text))
			return 1;
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "  got: %s\n", errs.msg[i]);
	return 0;
}

static void test_shipped_file_is_the_defaults(void **state)
{
	(void)state;
	struct config defaults;
	config_defaults(&defaults);
	config_defaults(&cfg);
	assert_int_equal(config_load(shipped(), &cfg, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(cfg.n_rules, defaults.n_rules);
	for (size_t i = 0; i < cfg.n_rules; i++) {
		const struct rule *a = &cfg.rules[i], *b = &defaults.rules[i];
		assert_string_equal(a->name, b->name);
		assert_int_equal(a->kind, b->kind);
		assert_int_equal(a->window_ms, b->window_ms);
		assert_memory_equal(a->threshold, b->threshold, sizeof a->threshold);
		assert_int_equal(a->agencies, b->agencies);
		assert_int_equal(a->categories, b->categories);
		assert_int_equal(a->min_severity, b->min_severity);
		assert_memory_equal(a->weight, b->weight, sizeof a->weight);
	}
	assert_string_equal(cfg.data_dir, defaults.data_dir);
	assert_string_equal(cfg.ingest, "tcp://127.0.0.1:7401");
	assert_string_equal(cfg.alerts, "tcp://127.0.0.1:7402");
	assert_string_equal(cfg.control, "");
	assert_int_equal(cfg.max_message, 64 * 1024);
	assert_int_equal(cfg.batch_max, defaults.batch_max);
	assert_int_equal(cfg.map_size, defaults.map_size);
	assert_int_equal(cfg.map_size_max, defaults.map_size_max);
}

static void test_settings_and_a_new_rule(void **state)
{
	(void)state;
	const char *p =
	    write_conf("daemon: { data_dir = \"/srv/ffc\"; log_level = \"debug\"; };\n"
	               "ingest: { max_message_kb = 128; batch_max = 64; };\n"
	               "store: { map_size_mb = 16; map_size_max_mb = 32; };\n"
	               "rules = (\n"
	               "  { name = \"wnb-and-absence\"; kind = \"count\";\n"
	               "    agencies = [\"health\", \"education\"];\n"
	               "    categories = [\"was-not-brought\", \"education_absence\"];\n"
	               "    min_severity = \"moderate\"; window_hours = 36; amber = 3; }\n"
	               ");\n");
	config_defaults(&cfg);
	assert_int_equal(config_load(p, &cfg, &errs), 0);
	assert_string_equal(cfg.data_dir, "/srv/ffc");
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_int_equal(cfg.max_message, 128 * 1024);
	assert_int_equal(cfg.batch_max, 64);
	assert_int_equal(cfg.map_size, 16u << 20);
	/* A rules list replaces the built-in rules. */
	assert_int_equal(cfg.n_rules, 1);
	const struct rule *r = &cfg.rules[0];
	assert_int_equal(r->kind, RULE_COUNT);
	assert_int_equal(r->window_ms, 36 * 3600000LL);
	assert_int_equal(r->agencies, (1u << 2) | (1u << 3));
	assert_int_equal(r->categories, (1u << 12) | (1u << 11));
	assert_int_equal(r->min_severity, 2);
	assert_int_equal(r->threshold[LEVEL_AMBER], 3);
	assert_int_equal(r->threshold[LEVEL_RED], 0);
}

static void test_every_error_with_its_line(void **state)
{
	(void)state;
	const char *p =
	    write_conf("daemon: { data_dir = 5; log_level = \"loud\"; };\n"     /* 1 */
	               "ingest: { max_message_kb = 0; colour = 1; };\n"         /* 2 */
	               "store: { map_size_mb = 64; map_size_max_mb = 32; };\n"  /* 3 */
	               "rules = (\n"                                            /* 4 */
	               "  { name = \"Bad Name\"; kind = \"count\"; },\n"        /* 5 */
	               "  { name = \"a\"; kind = \"sometimes\"; },\n"           /* 6 */
	               "  { name = \"b\"; kind = \"count\"; window_days = 9;\n" /* 7 */
	               "    amber = 3; red = 2; },\n"                           /* 8 */
	               "  { name = \"c\"; kind = \"any\"; level = \"red\"; categories = "
	               "[\"trouble\"]; },\n" /* 9 */
	               "  { name = \"d\"; kind = \"severity-sum\"; window_days = 9; amber = 1; "
	               "},\n" /* 10 */
	               "  { name = \"e\"; kind = \"count\"; window_days = 9; amber = 2; },\n"
	               "  { name = \"e\"; kind = \"count\"; window_days = 9; amber = 2; }\n"
	               ");\n"
	               "typo = 1;\n"); /* 14 */
	config_defaults(&cfg);
	before = cfg;
	assert_int_equal(config_load(p, &cfg, &errs), -1);
	assert_true(has_error(p, 1, "daemon.data_dir: expected a string"));
	assert_true(has_error(p, 1, "log_level"));
	assert_true(has_error(p, 2, "max_message_kb: 0 is out of range"));
	assert_true(has_error(p, 2, "unknown setting 'ingest.colour'"));
	assert_true(has_error(p, 5, "rules[0].name"));
	assert_true(has_error(p, 6, "rules[1].kind: 'sometimes'"));
	assert_true(has_error(p, 7, "red (2) must be above amber (3)"));
	assert_true(has_error(p, 9, "'trouble' is not a category"));
	assert_true(has_error(p, 10, "needs weights"));
	assert_true(has_error(p, 12, "'e' is already defined"));
	assert_true(has_error(p, 14, "unknown setting 'typo'"));
	/* Nothing of a bad file is used. */
	assert_memory_equal(&cfg, &before, sizeof cfg);
}

static void test_checks_after_the_file(void **state)
{
	(void)state;
	const char *p = write_conf("store: { map_size_mb = 64; map_size_max_mb = 32; };\n");
	config_defaults(&cfg);
	assert_int_equal(config_load(p, &cfg, &errs), -1);
	assert_int_equal(errs.n, 1);
	assert_non_null(
	    strstr(errs.msg[0], "map_size_mb (64) is above store.map_size_max_mb (32)"));

	config_defaults(&cfg);
	strcpy(cfg.ingest, "http://127.0.0.1:7401");
	strcpy(cfg.control, "ipc:///run/ffc/control sock");
	errs.n = 0;
	assert_int_equal(config_check(&cfg, "--flags", &errs), -1);
	assert_int_equal(errs.n, 2);
	assert_non_null(strstr(errs.msg[0], "--flags: ingest endpoint 'http://127.0.0.1:7401'"));
	assert_non_null(strstr(errs.msg[1], "contains a space"));
	config_defaults(&cfg);
	errs.n = 0;
	assert_int_equal(config_check(&cfg, "(defaults)", &errs), 0);
}

static void test_unreadable_and_garbage(void **state)
{
	(void)state;
	config_defaults(&cfg);
	before = cfg;
	assert_int_equal(config_load("/nonexistent/ffcd.conf", &cfg, &errs), -1);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msg[0],
	                    "/nonexistent/ffcd.conf: cannot read: No such file or directory");

	const char *p = write_conf("daemon: { data_dir = \"x\"\n");
	assert_int_equal(config_load(p, &cfg, &errs), -1);
	assert_true(has_error(p, 2, "syntax error"));

	p = write_conf("\x01\x02\xff\xfe rules = ((((\n\0");
	assert_int_equal(config_load(p, &cfg, &errs), -1);
	assert_int_equal(errs.n, 1);
	p = write_conf("rules = ();\n");
	assert_int_equal(config_load(p, &cfg, &errs), -1);
	assert_non_null(strstr(errs.msg[0], "no rules"));
	p = write_conf("rules = 5;\n");
	assert_int_equal(config_load(p, &cfg, &errs), -1);
	assert_true(has_error(p, 1, "rules: expected a list"));
	assert_memory_equal(&cfg, &before, sizeof cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_shipped_file_is_the_defaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_settings_and_a_new_rule, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_every_error_with_its_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_checks_after_the_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unreadable_and_garbage, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
