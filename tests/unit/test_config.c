/*
 * Unit tests for config.c: the shipped conf/ffcd.conf loads and equals the
 * built-in defaults; every setting applies; every kind of mistake is
 * reported as file:line: message at the right line, all of them at once and
 * in line order; files libconfig cannot read fail cleanly; a file with any
 * error changes nothing; config_check judges a finished config.
 */
/* cmocka needs these before its own header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

const char *__lsan_default_suppressions(void);

/* libconfig 1.5 leaks the token its parser discards on a syntax error
 * (test_value_without_equals_refused); the library's, not ours, and
 * reported as such by fuzz_config.c, which suppresses it the same way.
 * Our own leaks of a parse are allocated elsewhere and still reported. */
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

#define MIB (UINT64_C(1) << 20)

/* conf/ffcd.conf: under $FFC_SOURCE when set, else found from this file's
 * own compile-time path. */
static const char *shipped(void)
{
	static char path[2048];
	const char *src = getenv("FFC_SOURCE");
	if (src && src[0]) {
		snprintf(path, sizeof path, "%s/conf/ffcd.conf", src);
	} else {
		const char *here = __FILE__;
		const char *cut = strstr(here, "tests/unit/test_config.c");
		snprintf(path, sizeof path, "%.*sconf/ffcd.conf", cut ? (int)(cut - here) : 0,
		         here);
	}
	return path;
}

/* ---- scratch files ---- */

enum { FILES_MAX = 64 };
static char *files[FILES_MAX];
static size_t n_files;

/* Write bytes to a fresh file under $FFC_TEST_TMP (or /tmp); removed in
 * teardown. */
static const char *write_bytes(const char *bytes, size_t len)
{
	const char *base = getenv("FFC_TEST_TMP");
	if (!base || !base[0])
		base = "/tmp";
	mkdir(base, 0700);
	assert_true(n_files < FILES_MAX);
	char *path = malloc(strlen(base) + 32);
	assert_non_null(path);
	sprintf(path, "%s/ffcd-conf.XXXXXX", base);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
	files[n_files++] = path;
	return path;
}

static const char *write_conf(const char *text)
{
	return write_bytes(text, strlen(text));
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_files; i++) {
		unlink(files[i]);
		free(files[i]);
	}
	n_files = 0;
	return 0;
}

/* ---- loading and looking at errors ---- */

static struct config cfg, before;
static struct config_errors errs;

static void show_errors(void)
{
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "  got: %s\n", errs.msg[i]);
}

/* Load text that must fail: returns its path; cfg must come out untouched. */
static const char *load_bad(const char *text)
{
	const char *p = write_conf(text);
	config_defaults(&cfg);
	memcpy(&before, &cfg, sizeof cfg);
	if (config_load(p, &cfg, &errs) != -1) {
		show_errors();
		fail_msg("%s loaded, it should not have", text);
	}
	assert_true(errs.n > 0);
	assert_memory_equal(&cfg, &before, sizeof cfg);
	return p;
}

static void load_good(const char *text)
{
	const char *p = write_conf(text);
	config_defaults(&cfg);
	if (config_load(p, &cfg, &errs) != 0) {
		show_errors();
		fail_msg("%s did not load", text);
	}
	assert_int_equal(errs.n, 0);
}

/* There is an error "path:line: ..." containing text. */
static void expect(const char *path, int line, const char *text)
{
	char prefix[2100];
	if (line > 0)
		snprintf(prefix, sizeof prefix, "%s:%d: ", path, line);
	else
		snprintf(prefix, sizeof prefix, "%s: ", path);
	for (size_t i = 0; i < errs.n; i++)
		if (!strncmp(errs.msg[i], prefix, strlen(prefix)) && strstr(errs.msg[i], text))
			return;
	show_errors();
	fail_msg("no error %s...%s", prefix, text);
}

/* Exactly one error, at line, containing text. */
static void expect_only(const char *text_of_file, int line, const char *text)
{
	const char *p = load_bad(text_of_file);
	if (errs.n != 1) {
		show_errors();
		fail_msg("%zu errors for %s", errs.n, text_of_file);
	}
	expect(p, line, text);
}

static void assert_rule_equal(const struct rule *a, const struct rule *b)
{
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->scope, b->scope);
	assert_int_equal(a->window_ms, b->window_ms);
	assert_memory_equal(a->threshold, b->threshold, sizeof a->threshold);
	assert_int_equal(a->agencies, b->agencies);
	assert_int_equal(a->categories, b->categories);
	assert_int_equal(a->min_severity, b->min_severity);
	assert_memory_equal(a->weight, b->weight, sizeof a->weight);
	assert_int_equal(a->when_status, b->when_status);
	assert_int_equal(a->unless_status, b->unless_status);
}

/* ---- security.operators ---- */

static void test_operators(void **state)
{
	(void)state;
	load_good("security = { operators = (\n"
	          "  { name = \"j.doe\"; role = \"practitioner\"; unix_user = \"root\"; },\n"
	          "  { name = \"a.admin@la.gov.uk\"; role = \"Admin\"; unix_user = 1234; },\n"
	          "  { role = \"viewer\"; unix_user = \"nobody\"; name = \"v_1-x\"; }\n"
	          "); };\n");
	assert_int_equal(cfg.access.n_operators, 3);
	assert_string_equal(cfg.access.operators[0].name, "j.doe");
	assert_int_equal(cfg.access.operators[0].role, ACCESS_PRACTITIONER);
	assert_int_equal(cfg.access.operators[1].role, ACCESS_ADMIN);
	assert_int_equal(cfg.access.operators[2].role, ACCESS_VIEWER);
	assert_non_null(access_operator_named(&cfg.access, "v_1-x"));
	assert_true(cfg.access.operators[0].has_unix_uid);
	assert_int_equal(cfg.access.operators[0].unix_uid, 0);
	assert_int_equal(cfg.access.operators[1].unix_uid, 1234);
	assert_int_equal(cfg.access.operators[2].unix_uid, 65534);
	load_good("security = { operators = (); };\n");
	assert_int_equal(cfg.access.n_operators, 0);

	expect_only("security = { operators = (\n"
	            "  { name = \"j.doe\"; role = \"viewer\"; unix_user = 0; },\n"
	            "  { name = \"j.doe\"; role = \"admin\"; unix_user = 0; }\n"
	            "); };\n",
	            3, "security.operators[1].name: 'j.doe' is already listed at line 2");
	expect_only("security = { operators = (\n"
	            "  { name = \"j.doe\"; role = \"boss\"; }\n"
	            "); };\n",
	            2, "'boss' is not an operator's role (viewer, practitioner or admin)");
	/* Keys' roles are not operators' roles. */
	expect_only("security = { operators = ( { name = \"c\"; role = \"console\"; } ); };\n", 1,
	            "'console' is not an operator's role");
	expect_only(
	    "security = { operators = (\n  { name = \"j doe\"; role = \"viewer\"; }\n); };\n", 2,
	    "'j doe' may hold only letters, digits and . _ - @");
	expect_only("security = { operators = (\n  { name = \"\"; role = \"viewer\"; }\n); };\n", 2,
	            "must not be empty");
	expect_only("security = { operators = (\n  { name = \"x\"; unix_user = 0; }\n); };\n", 2,
	            "give name, role and unix_user");
	expect_only("security = { operators = (\n  { name = \"x\"; role = \"viewer\"; "
	            "unix_user = 0; team = \"a\"; }\n); };\n",
	            2,
	            "unknown setting 'security.operators[0].team' (known here: name, role, "
	            "unix_user, delegate)");
	/* A delegate (ffc-web) speaks for the people signed in to it. */
	load_good("security = { operators = (\n"
	          "  { name = \"ffc-web\"; role = \"practitioner\"; unix_user = 0; delegate = "
	          "true; },\n"
	          "  { name = \"j.doe\"; role = \"admin\"; unix_user = 0; delegate = false; }\n"
	          "); };\n");
	assert_true(cfg.access.operators[0].delegate);
	assert_false(cfg.access.operators[1].delegate);
	expect_only("security = { operators = (\n  { name = \"x\"; role = \"viewer\";\n"
	            "    unix_user = 0; delegate = \"yes\"; }\n); };\n",
	            3, "security.operators[0].delegate: expected true or false");
	/* An operator is a Unix user: the kernel says who calls on ipc. */
	expect_only("security = { operators = (\n  { name = \"x\"; role = \"viewer\"; }\n); };\n",
	            2, "security.operators[0]: give name, role and unix_user");
	expect_only("security = { operators = (\n  { name = \"x\"; role = \"viewer\";\n"
	            "    unix_user = \"no-such-user-here\"; }\n); };\n",
	            3,
	            "security.operators[0].unix_user: no user 'no-such-user-here' on this system");
	expect_only("security = { operators = (\n  { name = \"x\"; role = \"viewer\";\n"
	            "    unix_user = -1; }\n); };\n",
	            3, "security.operators[0].unix_user: -1 is out of range");
	expect_only("security = {\n  operators = \"j.doe\";\n};\n", 2, "expected a list");
	expect_only("security = {\n  operators = ( \"j.doe\" );\n};\n", 2, "expected a group");
	expect_only("security = {\n  operatorz = ();\n};\n", 2, "unknown setting");
}

/* ---- the shipped file and the settings ---- */

static void test_shipped_file_is_the_defaults(void **state)
{
	(void)state;
	struct config defaults;
	config_defaults(&defaults);
	/* Start from something else, so every value must come from the file
	 * or keep its default for a reason. */
	config_defaults(&cfg);
	assert_int_equal(config_load(shipped(), &cfg, &errs), 0);
	assert_int_equal(errs.n, 0);

	struct rule rules[RULES_MAX];
	size_t n = rules_defaults(rules, RULES_MAX);
	assert_int_equal(cfg.n_rules, n);
	for (size_t i = 0; i < n; i++)
		assert_rule_equal(&cfg.rules[i], &rules[i]);

	assert_string_equal(cfg.data_dir, FFC_DATA_DIR);
	assert_string_equal(cfg.ingest, "tcp://127.0.0.1:7401");
	assert_string_equal(cfg.alerts, "tcp://127.0.0.1:7402");
	assert_string_equal(cfg.control, "");
	assert_int_equal(cfg.map_size, 64 * MIB);
	assert_int_equal(cfg.map_size_max, 65536 * MIB);
	assert_int_equal(cfg.backup_rate, 96 * MIB);
	assert_int_equal(cfg.backup_commit_gap_ms, 10);
	assert_int_equal(cfg.max_message, 64 * 1024);
	assert_int_equal(cfg.batch_max, 1024);
	assert_int_equal(cfg.log_level, LOG_INFO);
	assert_int_equal(cfg.log_format, LOG_FORMAT_TEXT);
	assert_string_equal(cfg.data_dir, defaults.data_dir);
	assert_int_equal(cfg.n_rules, defaults.n_rules);
	assert_memory_equal(&cfg.labels, &defaults.labels, sizeof cfg.labels);
	errs.n = 0;
	assert_int_equal(config_check(&cfg, shipped(), &errs), 0);
}

static void test_every_setting_applies(void **state)
{
	(void)state;
	load_good(
	    "daemon: { data_dir = \"/srv/ffc\"; log_level = \"DEBUG\"; log_format = \"Json\"; };\n"
	    "ingest: { endpoint = \"tcp://[::1]:9401\"; max_message_kb = 1024; batch_max = 1; };\n"
	    "alerts: { endpoint = \"ipc:///run/ffc/alerts\"; };\n"
	    "control: { endpoint = \"inproc://control\"; };\n"
	    "store: { map_size_mb = 1L; map_size_max_mb = 1048576; backup_mb_per_s = 0;\n"
	    "         backup_commit_gap_ms = 1000; };\n"
	    "rules = (\n"
	    "  { name = \"wnb-and-absence\"; kind = \"Count\";\n"
	    "    agencies = [\"HEALTH\", \"education\"];\n"
	    "    categories = [\"was-not-brought\", \"Education_Absence\"];\n"
	    "    min_severity = \"moderate\"; window_hours = 36; amber = 3; red = 1000; },\n"
	    "  { name = \"any-missing\"; kind = \"any\"; categories = [\"missing\"];\n"
	    "    level = \"amber\"; },\n"
	    "  { name = \"weighted\"; kind = \"SEVERITY_SUM\"; window_days = 3650;\n"
	    "    weights = { low = 0; high = 100; }; red = 1; },\n"
	    "  { name = \"x\"; kind = \"distinct_categories\"; window_hours = 1; amber = 15; }\n"
	    ");\n");
	assert_string_equal(cfg.data_dir, "/srv/ffc");
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_int_equal(cfg.log_format, LOG_FORMAT_JSON);
	assert_string_equal(cfg.ingest, "tcp://[::1]:9401");
	assert_string_equal(cfg.alerts, "ipc:///run/ffc/alerts");
	assert_string_equal(cfg.control, "inproc://control");
	assert_int_equal(cfg.max_message, 1024 * 1024);
	assert_int_equal(cfg.batch_max, 1);
	assert_int_equal(cfg.map_size, MIB);
	assert_int_equal(cfg.map_size_max, MIB << 20);
	assert_int_equal(cfg.backup_rate, 0);
	assert_int_equal(cfg.backup_commit_gap_ms, 1000);

	/* The rules list replaced the built-in rules entirely. */
	assert_int_equal(cfg.n_rules, 4);
	const struct rule *r = &cfg.rules[0];
	assert_string_equal(r->name, "wnb-and-absence");
	assert_int_equal(r->kind, RULE_COUNT);
	assert_int_equal(r->window_ms, 36 * INT64_C(3600000));
	assert_int_equal(r->agencies, (1u << 2) | (1u << 3));
	assert_int_equal(r->categories, (1u << 12) | (1u << 11));
	assert_int_equal(r->min_severity, 2);
	assert_int_equal(r->threshold[LEVEL_AMBER], 3);
	assert_int_equal(r->threshold[LEVEL_RED], 1000);

	r = &cfg.rules[1];
	assert_int_equal(r->kind, RULE_ANY);
	assert_int_equal(r->window_ms, 0);
	assert_int_equal(r->categories, 1u << 10);
	assert_int_equal(r->threshold[LEVEL_AMBER], 1);
	assert_int_equal(r->threshold[LEVEL_RED], 0);

	r = &cfg.rules[2];
	assert_int_equal(r->kind, RULE_SEVERITY_SUM);
	assert_int_equal(r->window_ms, 3650 * MS_PER_DAY);
	const unsigned weights[SEVERITY_MAX + 1] = {0, 0, 0, 100, 0};
	assert_memory_equal(r->weight, weights, sizeof weights);
	assert_int_equal(r->threshold[LEVEL_RED], 1);

	r = &cfg.rules[3];
	assert_int_equal(r->kind, RULE_DISTINCT_CATEGORIES);
	assert_int_equal(r->window_ms, INT64_C(3600000));
}

static void test_empty_file_keeps_defaults(void **state)
{
	(void)state;
	struct config defaults;
	config_defaults(&defaults);
	load_good("");
	assert_memory_equal(&cfg, &defaults, sizeof cfg);
	load_good("# nothing but a comment\n// and another\n/* and a block */\n");
	assert_memory_equal(&cfg, &defaults, sizeof cfg);
	/* A file sets only what it names. */
	load_good("ingest: { batch_max = 7; };\n");
	assert_int_equal(cfg.batch_max, 7);
	assert_int_equal(cfg.n_rules, defaults.n_rules);
	assert_string_equal(cfg.ingest, defaults.ingest);
}

/* ---- files libconfig cannot read ---- */

static void test_unreadable_files(void **state)
{
	(void)state;
	config_defaults(&cfg);
	memcpy(&before, &cfg, sizeof cfg);
	assert_int_equal(config_load("/nonexistent/ffcd.conf", &cfg, &errs), -1);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msg[0],
	                    "/nonexistent/ffcd.conf: cannot read: No such file or directory");
	assert_int_equal(config_load("/", &cfg, &errs), -1);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msg[0], "/: cannot read: Is a directory");
	assert_int_equal(config_load("/dev/null", &cfg, &errs), -1);
	assert_string_equal(errs.msg[0], "/dev/null: cannot read: not a regular file");
	assert_memory_equal(&cfg, &before, sizeof cfg);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_only("daemon: {\n  log_level = \"info\"\n  data_dir = ;\n};\n", 3, "syntax error");
	expect_only("daemon: { data_dir = \"x\"\n", 2, "syntax error");
	expect_only("a = 1;\nrules = ( { name = \"x\" ;\n", 3, "syntax error");
	/* libconfig refuses a setting given twice. */
	expect_only("ingest: { batch_max = 1; };\n\ningest: { batch_max = 2; };\n", 3,
	            "duplicate setting name");
	/* Garbage, a NUL byte, invalid UTF-8: one clean error, no crash. */
	static const char garbage[] = "\x01\x02\xff\xfe rules = ((((\n\0\x80\x81";
	const char *p = write_bytes(garbage, sizeof garbage);
	config_defaults(&cfg);
	memcpy(&before, &cfg, sizeof cfg);
	assert_int_equal(config_load(p, &cfg, &errs), -1);
	assert_int_equal(errs.n, 1);
	expect(p, 1, "syntax error");
	assert_memory_equal(&cfg, &before, sizeof cfg);
	unsigned char noise[4096];
	for (size_t i = 0; i < sizeof noise; i++)
		noise[i] = (unsigned char)(i * 2654435761u >> 13);
	p = write_bytes((const char *)noise, sizeof noise);
	assert_int_equal(config_load(p, &cfg, &errs), -1);
	assert_int_equal(errs.n, 1);
	assert_memory_equal(&cfg, &before, sizeof cfg);
}

/* ---- each kind of mistake, at its line ---- */

static void test_unknown_settings(void **state)
{
	(void)state;
	expect_only("\n\ntypo = 1;\n", 3, "unknown setting 'typo'");
	expect_only("ingest:\n{\n  colour = 1;\n};\n", 3, "unknown setting 'ingest.colour'");
	expect_only("daemon: { datadir = \"x\"; };\n", 1, "unknown setting 'daemon.datadir'");
	expect_only("store: { map_size = 1; };\n", 1, "unknown setting 'store.map_size'");
	expect_only("alerts: { endpiont = \"tcp://a:1\"; };\n", 1,
	            "unknown setting 'alerts.endpiont'");
	expect_only("control: { path = \"x\"; };\n", 1, "unknown setting 'control.path'");
	expect_only("rules = (\n { name = \"a\"; kind = \"count\"; window_days = 1; amber = 1;\n"
	            "   windows_days = 2; }\n);\n",
	            3, "unknown setting 'rules[0].windows_days'");
	expect_only("rules = ( { name = \"a\"; kind = \"severity-sum\"; window_days = 1;\n"
	            "  amber = 1; weights = {\n low = 1;\n urgent = 2; }; } );\n",
	            4, "unknown setting 'rules[0].weights.urgent'");
	/* The message lists what is known there. */
	expect_only("ingest: { colour = 1; };\n", 1, "endpoint, max_message_kb, batch_max");
}

static void test_type_errors(void **state)
{
	(void)state;
	expect_only("daemon: { data_dir = 5; };\n", 1, "daemon.data_dir: expected a string");
	expect_only("daemon: { log_format = \"syslog\"; };\n", 1,
	            "daemon.log_format: 'syslog' is not a log format (text or json)");
	expect_only("ingest: { batch_max = \"512\"; };\n", 1,
	            "ingest.batch_max: expected a whole number");
	expect_only("ingest: { batch_max = 1.5; };\n", 1,
	            "ingest.batch_max: expected a whole number");
	expect_only("store: { map_size_mb = true; };\n", 1,
	            "store.map_size_mb: expected a whole number");
	expect_only("\ningest = 5;\n", 2, "ingest: expected a group");
	expect_only("rules = 5;\n", 1, "rules: expected a list");
	expect_only("rules = ( 5 );\n", 1, "rules[0]: expected a group");
	expect_only("rules = ( { name = \"a\"; kind = \"count\"; window_days = 1; amber = 1;\n"
	            "  categories = \"missing\"; } );\n",
	            2, "rules[0].categories: expected a list of names, e.g. [\"missing\"]");
	expect_only("rules = ( { name = \"a\"; kind = \"count\"; window_days = 1; amber = 1;\n"
	            "  agencies = [ 1 ]; } );\n",
	            2, "rules[0].agencies[0]: expected a name in double quotes");
	expect_only("rules = ( { name = \"a\"; kind = \"severity-sum\"; window_days = 1;\n"
	            "  amber = 1; weights = 4; } );\n",
	            2, "rules[0].weights: expected a group");
	expect_only("rules = ( { name = \"a\"; kind = \"count\"; window_days = \"30\";\n"
	            " amber = 1; } );\n",
	            1, "rules[0].window_days: expected a whole number");
}

static void test_ranges(void **state)
{
	(void)state;
	static const struct {
		const char *text, *error;
	} cases[] = {
	    {"store: { map_size_mb = 0; };", "store.map_size_mb: 0 is out of range (1 to 1048576)"},
	    {"store: { map_size_max_mb = 1048577; };",
	     "store.map_size_max_mb: 1048577 is out of range (1 to 1048576)"},
	    {"store: { map_size_max_mb = 9999999999999L; };", "out of range"},
	    {"store: { backup_mb_per_s = -1; };",
	     "store.backup_mb_per_s: -1 is out of range (0 to 1048576)"},
	    {"store: { backup_mb_per_s = 1048577; };", "1048577 is out of range"},
	    {"store: { backup_commit_gap_ms = -1; };",
	     "store.backup_commit_gap_ms: -1 is out of range (0 to 1000)"},
	    {"store: { backup_commit_gap_ms = 1001; };", "1001 is out of range"},
	    {"store: { backup_commit_gap_ms = \"10\"; };", "store.backup_commit_gap_ms"},
	    {"ingest: { max_message_kb = 0; };",
	     "ingest.max_message_kb: 0 is out of range (1 to 1024)"},
	    {"ingest: { max_message_kb = 1025; };", "1025 is out of range"},
	    {"ingest: { batch_max = 0; };", "ingest.batch_max: 0 is out of range (1 to 10000)"},
	    {"ingest: { batch_max = 10001; };", "10001 is out of range"},
	    {"ingest: { batch_max = -1; };", "-1 is out of range"},
	    {"rules = ({ name = \"a\"; kind = \"count\"; window_days = 0; amber = 1; });",
	     "rules[0].window_days: 0 is out of range (1 to 3650)"},
	    {"rules = ({ name = \"a\"; kind = \"count\"; window_days = 3651; amber = 1; });",
	     "3651 is out of range"},
	    {"rules = ({ name = \"a\"; kind = \"count\"; window_hours = 0; amber = 1; });",
	     "rules[0].window_hours: 0 is out of range (1 to 87600)"},
	    {"rules = ({ name = \"a\"; kind = \"count\"; window_hours = 87601; amber = 1; });",
	     "87601 is out of range"},
	    {"rules = ({ name = \"a\"; kind = \"count\"; window_days = 1; amber = 0; });",
	     "rules[0].amber: 0 is out of range (1 to 1000)"},
	    {"rules = ({ name = \"a\"; kind = \"count\"; window_days = 1; red = 1001; });",
	     "rules[0].red: 1001 is out of range"},
	    {"rules = ({ name = \"a\"; kind = \"severity-sum\"; window_days = 1; amber = 1;"
	     " weights = { low = 101; }; });",
	     "rules[0].weights.low: 101 is out of range (0 to 100)"},
	    {"rules = ({ name = \"a\"; kind = \"severity-sum\"; window_days = 1; amber = 1;"
	     " weights = { high = -1; }; });",
	     "rules[0].weights.high: -1 is out of range"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_only(cases[i].text, 1, cases[i].error);
	/* And the bounds themselves are fine. */
	load_good("store: { map_size_mb = 1048576; map_size_max_mb = 1048576; };\n"
	          "ingest: { max_message_kb = 1; batch_max = 10000; };\n"
	          "rules = ({ name = \"a\"; kind = \"count\"; window_hours = 87600; amber = 1;"
	          " red = 1000; });\n");
	assert_int_equal(cfg.rules[0].window_ms, 3650 * MS_PER_DAY);
}

static void test_bad_names(void **state)
{
	(void)state;
	expect_only("daemon: { log_level = \"loud\"; };\n", 1,
	            "daemon.log_level: 'loud' is not a log level (error, warn, info or debug)");
	expect_only("rules = (\n { name = \"a\";\n kind = \"sometimes\"; } );\n", 3,
	            "rules[0].kind: 'sometimes' is not a rule kind (any, distinct-agencies");
	expect_only("rules = ({ name = \"a\"; kind = \"count\"; window_days = 1; amber = 1;\n"
	            " agencies = [\"police\",\n \"fire-brigade\"]; });\n",
	            3, "rules[0].agencies[1]: 'fire-brigade' is not a known agency");
	expect_only("rules = ({ name = \"a\"; kind = \"count\"; window_days = 1; amber = 1;\n"
	            " categories = [\"trouble\"]; });\n",
	            2, "rules[0].categories[0]: 'trouble' is not a known category");
	/* "unspecified" is what a value must not be: never a filter. */
	expect_only("rules = ({ name = \"a\"; kind = \"count\"; window_days = 1; amber = 1;\n"
	            " categories = [\"unspecified\"]; });\n",
	            2, "'unspecified' is not a known category");
	expect_only("rules = ({ name = \"a\"; kind = \"count\"; window_days = 1; amber = 1;\n"
	            " min_severity = \"urgent\"; });\n",
	            2,
	            "rules[0].min_severity: 'urgent' is not a severity (low, moderate, high or "
	            "immediate-risk)");
	expect_only("rules = ({ name = \"a\"; kind = \"any\";\n level = \"purple\"; });\n", 2,
	            "rules[0].level: 'purple' is not a level (amber or red)");
	expect_only("rules = ({ name = \"a\"; kind = \"any\";\n scope = \"family\"; red = 1; });\n",
	            2, "rules[0].scope: 'family' is not a scope (child or household)");
	/* The shipped toxic trio judges the household; a rule says "child"
	 * (the default) or "household". */
	load_good("rules = ({ name = \"a\"; kind = \"any\"; scope = \"Household\"; red = 1; },\n"
	          " { name = \"b\"; kind = \"any\"; scope = \"child\"; red = 1; },\n"
	          " { name = \"c\"; kind = \"any\"; red = 1; });\n");
	assert_int_equal(cfg.rules[0].scope, RULE_SCOPE_HOUSEHOLD);
	assert_int_equal(cfg.rules[1].scope, RULE_SCOPE_CHILD);
	assert_int_equal(cfg.rules[2].scope, RULE_SCOPE_CHILD);
	expect_only("rules = ({\n name = \"Bad Name\"; kind = \"any\"; red = 1; });\n", 2,
	            "rules[0].name: 'Bad Name' must be lower-case letters, digits and '-'");
	expect_only("rules = ({\n name = \"\"; kind = \"any\"; red = 1; });\n", 2,
	            "rules[0].name: must not be empty");
	/* 47 characters is the longest name. */
	load_good("rules = ({ name = \"abcdefghijklmnopqrstuvwxyz-0123456789-abcdefghi\";"
	          " kind = \"any\"; red = 1; });\n");
	expect_only("rules = ({\n name = \"abcdefghijklmnopqrstuvwxyz-0123456789-abcdefghij\";"
	            " kind = \"any\"; red = 1; });\n",
	            2, "rules[0].name: longer than 47 bytes");
}

static void test_rule_consistency(void **state)
{
	(void)state;
	static const struct {
		const char *text, *error;
	} cases[] = {
	    {"rules = ( { kind = \"any\"; red = 1; } );", "rules[0]: missing name"},
	    {"rules = ( { name = \"a\"; red = 1; } );", "rules[0] (a): missing kind"},
	    {"rules = ( { name = \"a\"; kind = \"count\"; amber = 1; } );",
	     "rules[0] (a): needs window_days (1 to 3650) or window_hours (1 to 87600)"},
	    {"rules = ( { name = \"a\"; kind = \"count\"; window_days = 1; } );",
	     "rules[0] (a): give amber = N, red = N or both"},
	    {"rules = ( { name = \"a\"; kind = \"count\"; window_days = 1; window_hours = 3;"
	     " amber = 1; } );",
	     "rules[0] (a): give window_days or window_hours, not both"},
	    {"rules = ( { name = \"a\"; kind = \"count\"; window_days = 9; amber = 3; red = 2; } "
	     ");",
	     "rules[0] (a): red (2) must be above amber (3)"},
	    {"rules = ( { name = \"a\"; kind = \"count\"; window_days = 9; amber = 3; red = 3; } "
	     ");",
	     "red (3) must be above amber (3)"},
	    {"rules = ( { name = \"a\"; kind = \"any\"; window_days = 9; red = 1; } );",
	     "rules[0] (a): kind any judges one concern and takes no window"},
	    {"rules = ( { name = \"a\"; kind = \"any\"; red = 2; } );",
	     "rules[0] (a): kind any is met by one concern: its threshold must be 1, not 2"},
	    {"rules = ( { name = \"a\"; kind = \"any\"; amber = 1; red = 1; } );",
	     "kind any raises one level: give red = 1 or amber = 1"},
	    {"rules = ( { name = \"a\"; kind = \"any\"; } );",
	     "kind any needs red = 1 or amber = 1"},
	    {"rules = ( { name = \"a\"; kind = \"any\"; level = \"red\"; red = 1; } );",
	     "give level = \"...\" or amber/red = N, not both"},
	    {"rules = ( { name = \"a\"; kind = \"count\"; window_days = 1; level = \"red\"; } );",
	     "level = \"...\" is for kinds any and all-of"},
	    {"rules = ( { name = \"a\"; kind = \"count\"; window_days = 1; amber = 1;"
	     " weights = { low = 1; }; } );",
	     "rules[0] (a): weights only apply to kind severity-sum"},
	    {"rules = ( { name = \"a\"; kind = \"severity-sum\"; window_days = 1; amber = 1; } );",
	     "kind severity-sum needs weights"},
	    {"rules = ( { name = \"a\"; kind = \"severity-sum\"; window_days = 1; amber = 1;"
	     " weights = { low = 0; }; } );",
	     "kind severity-sum needs weights = { ... } with at least one above 0"},
	    {"rules = ( { name = \"a\"; kind = \"distinct-agencies\"; window_days = 1; red = 6; } "
	     ");",
	     "rules[0] (a): threshold 6 can never be reached: at most 5 distinct agencies"},
	    {"rules = ( { name = \"a\"; kind = \"distinct-categories\"; window_days = 1;"
	     " categories = [\"neglect\", \"missing\"]; amber = 2; red = 3; } );",
	     "threshold 3 can never be reached: at most 2 distinct categories"},
	    {"rules = ( { name = \"a\"; kind = \"count\"; window_days = 1; amber = 1;"
	     " categories = []; } );",
	     "rules[0].categories: empty list (leave the setting out to count every category)"},
	    {"rules = ( { name = \"a\"; kind = \"count\"; window_days = 1; amber = 1;"
	     " agencies = [\"police\", \"POLICE\"]; } );",
	     "rules[0].agencies[1]: 'POLICE' is listed twice"},
	    {"rules = ();", "rules: empty list; no alert would ever be raised"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_only(cases[i].text, 1, cases[i].error);
}

/* The example of the manual: two WAS_NOT_BROUGHT from health and an
 * EDUCATION_ABSENCE within 60 days; then every mistake an all-of rule can
 * hold, each at its own line. */
static void test_all_of(void **state)
{
	(void)state;
	load_good(
	    "rules = (\n"
	    "  { name = \"not-brought-and-absent\"; kind = \"all-of\"; window_days = 60;\n"
	    "    parts = (\n"
	    "      { agencies = [\"health\"]; categories = [\"was-not-brought\"]; count = 2; },\n"
	    "      { categories = [\"education-absence\"]; }\n"
	    "    );\n"
	    "    level = \"amber\"; },\n"
	    "  { name = \"b\"; kind = \"All_Of\"; window_hours = 12;\n"
	    "    parts = ( { min_severity = \"high\"; }, { agencies = [\"police\"]; },\n"
	    "              { categories = [\"missing\"]; count = 3; } );\n"
	    "    amber = 2; red = 3; }\n"
	    ");\n");
	assert_int_equal(cfg.n_rules, 2);
	const struct rule *r = &cfg.rules[0];
	assert_int_equal(r->kind, RULE_ALL_OF);
	assert_int_equal(r->window_ms, 60 * MS_PER_DAY);
	assert_int_equal(r->n_parts, 2);
	assert_int_equal(r->parts[0].agencies, 1u << 2);
	assert_int_equal(r->parts[0].categories, 1u << 12);
	assert_int_equal(r->parts[0].count, 2);
	assert_int_equal(r->parts[1].agencies, 0);
	assert_int_equal(r->parts[1].categories, 1u << 11);
	assert_int_equal(r->parts[1].count, 1);
	/* level = "amber": amber when every part is met. */
	assert_int_equal(r->threshold[LEVEL_AMBER], 2);
	assert_int_equal(r->threshold[LEVEL_RED], 0);
	r = &cfg.rules[1];
	assert_int_equal(r->n_parts, 3);
	assert_int_equal(r->parts[0].min_severity, 3);
	assert_int_equal(r->parts[2].count, 3);
	assert_int_equal(r->threshold[LEVEL_AMBER], 2);
	assert_int_equal(r->threshold[LEVEL_RED], 3);
	errs.n = 0;
	assert_int_equal(config_check(&cfg, "x", &errs), 0);

	static const struct {
		const char *text, *error;
	} cases[] = {
	    {"rules = ( { name = \"a\"; kind = \"all-of\"; window_days = 9; level = \"red\"; } );",
	     "rules[0] (a): kind all-of needs parts = ( { ... }, ... )"},
	    {"rules = ( { name = \"a\"; kind = \"all-of\"; window_days = 9;"
	     " parts = ( { count = 1; } ); } );",
	     "rules[0] (a): give level = \"amber\" or \"red\" (all parts met)"},
	    {"rules = ( { name = \"a\"; kind = \"all-of\"; window_days = 9; parts = (); red = 1; "
	     "} );",
	     "rules[0].parts: 0 parts; give 1 to 8"},
	    {"rules = ( { name = \"a\"; kind = \"all-of\"; window_days = 9; red = 1;"
	     " parts = ( {}, {}, {}, {}, {}, {}, {}, {}, {} ); } );",
	     "rules[0].parts: 9 parts; give 1 to 8"},
	    {"rules = ( { name = \"a\"; kind = \"all-of\"; window_days = 9; red = 1;"
	     " parts = [ 1, 2 ]; } );",
	     "rules[0].parts: expected a list of parts"},
	    {"rules = ( { name = \"a\"; kind = \"all-of\"; window_days = 9; red = 1;"
	     " parts = ( 1 ); } );",
	     "rules[0].parts[0]: expected a group"},
	    {"rules = ( { name = \"a\"; kind = \"all-of\"; window_days = 9; red = 1;"
	     " parts = ( { count = 0; } ); } );",
	     "rules[0].parts[0].count: 0 is out of range (1 to 1000)"},
	    {"rules = ( { name = \"a\"; kind = \"all-of\"; window_days = 9; red = 1;"
	     " parts = ( { colour = 1; } ); } );",
	     "unknown setting 'rules[0].parts[0].colour' (known here: agencies, categories, "
	     "min_severity, count)"},
	    {"rules = ( { name = \"a\"; kind = \"all-of\"; window_days = 9; red = 1;"
	     " parts = ( { categories = [\"truancy\"]; } ); } );",
	     "rules[0].parts[0].categories[0]: 'truancy' is not a known category"},
	    {"rules = ( { name = \"a\"; kind = \"all-of\"; window_days = 9; red = 3;"
	     " parts = ( { count = 1; }, { count = 2; } ); } );",
	     "rules[0] (a): threshold 3 can never be reached: only 2 parts"},
	    {"rules = ( { name = \"a\"; kind = \"all-of\"; red = 1; parts = ( {} ); } );",
	     "rules[0] (a): needs window_days"},
	    {"rules = ( { name = \"a\"; kind = \"count\"; window_days = 9; red = 1;"
	     " parts = ( {} ); } );",
	     "rules[0] (a): parts only apply to kind all-of"},
	    {"rules = ( { name = \"a\"; kind = \"all-of\"; window_days = 9; level = \"red\";"
	     " red = 1; parts = ( {} ); } );",
	     "give level = \"...\" or amber/red = N, not both"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_only(cases[i].text, 1, cases[i].error);

	/* Each error at its own line, in line order. */
	const char *p = load_bad("rules = (\n"
	                         "  { name = \"a\"; kind = \"all-of\"; window_days = 9; red = 2;\n"
	                         "    parts = (\n"
	                         "      { count = 2; },\n"
	                         "      { categories = [\"missing\", \"MISSING\"]; },\n"
	                         "      { count = -1; }\n"
	                         "    ); }\n"
	                         ");\n");
	assert_int_equal(errs.n, 2);
	expect(p, 5, "rules[0].parts[1].categories[1]: 'MISSING' is listed twice");
	expect(p, 6, "rules[0].parts[2].count: -1 is out of range");

	/* config_check judges parts set in code. */
	config_defaults(&cfg);
	struct rule *bad = &cfg.rules[cfg.n_rules++];
	*bad = (struct rule){.name = "x",
	                     .kind = RULE_ALL_OF,
	                     .window_ms = MS_PER_DAY,
	                     .n_parts = 1,
	                     .parts = {{.count = 0}},
	                     .threshold = {[LEVEL_RED] = 1}};
	errs.n = 0;
	assert_int_equal(config_check(&cfg, "code", &errs), -1);
	expect("code", 0, "rules[6] (x): parts[0]: count 0 is out of range");
	bad->n_parts = 9;
	errs.n = 0;
	assert_int_equal(config_check(&cfg, "code", &errs), -1);
	expect("code", 0, "kind all-of needs parts");
	bad->kind = RULE_COUNT;
	bad->n_parts = 1;
	bad->parts[0].count = 1;
	errs.n = 0;
	assert_int_equal(config_check(&cfg, "code", &errs), -1);
	expect("code", 0, "parts only apply to kind all-of");
}

/* The example in the shipped file's comments, uncommented, is a good rule:
 * the manual never shows one that would not load. */
/* labels = { ... }: a category's words, by the name a rule uses; the
 * others keep their built-in words; every mistake named at its line. */
static void test_labels(void **state)
{
	(void)state;
	struct labels builtin;
	labels_defaults(&builtin);
	load_good("labels = {\n  mental-health = \"a parent's mental health\";\n"
	          "  WAS_NOT_BROUGHT = \"missed health appointments\";\n};\n");
	assert_string_equal(cfg.labels.category[3], "a parent's mental health");
	assert_string_equal(cfg.labels.category[12], "missed health appointments");
	assert_string_equal(cfg.labels.category[1], "domestic abuse");
	assert_string_equal(builtin.category[3], "parental mental health");
	for (int i = 1; i <= CATEGORY_MAX; i++)
		assert_true(builtin.category[i][0] != '\0');

	expect_only("labels = {\n  mental_wealth = \"x\";\n};\n", 2,
	            "labels.mental_wealth: not a category");
	expect_only("labels = { neglect = \"\"; };\n", 1, "labels.neglect: must not be empty");
	expect_only("labels = { neglect = 3; };\n", 1, "labels.neglect: expected a string");
	expect_only("labels = { neglect = \"a\\tb\"; };\n", 1,
	            "labels.neglect: holds a control character");
	expect_only(
	    "labels = { neglect = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxx\"; };\n",
	    1, "labels.neglect: longer than");
	expect_only("labels = \"neglect\";\n", 1, "labels");
}

static void test_shipped_example_loads(void **state)
{
	(void)state;
	FILE *f = fopen(shipped(), "r");
	assert_non_null(f);
	static char text[8192];
	size_t at = (size_t)snprintf(text, sizeof text, "rules = (\n");
	char line[512];
	int in = 0, lines = 0;
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "#  {", 4))
			in = 1;
		/* The example ends with the comma that separates it from the
		 * next rule of a list; here it is the only one. */
		if (in && !strncmp(line, "#  },", 5)) {
			snprintf(text + at, sizeof text - at, "  }\n);\n");
			break;
		}
		if (in) {
			at += (size_t)snprintf(text + at, sizeof text - at, "%s", line + 1);
			lines++;
		}
	}
	fclose(f);
	assert_true(lines > 5);
	load_good(text);
	assert_int_equal(cfg.n_rules, 1);
	assert_string_equal(cfg.rules[0].name, "not-brought-and-absent");
	assert_int_equal(cfg.rules[0].kind, RULE_ALL_OF);
	assert_int_equal(cfg.rules[0].window_ms, 60 * MS_PER_DAY);
	assert_int_equal(cfg.rules[0].n_parts, 2);
	assert_int_equal(cfg.rules[0].threshold[LEVEL_AMBER], 2);
}

static void test_duplicate_rule_name(void **state)
{
	(void)state;
	const char *p = load_bad("rules = (\n"
	                         "  { name = \"dup\"; kind = \"any\"; red = 1; },\n"
	                         "  { name = \"other\"; kind = \"any\"; red = 1; },\n"
	                         "  { kind = \"any\";\n"
	                         "    name = \"dup\"; red = 1; }\n"
	                         ");\n");
	assert_int_equal(errs.n, 1);
	/* At the line of the second name, naming the first. */
	expect(p, 5, "rules[2]: the name 'dup' is already used by rules[0]");
	/* A duplicate is reported even when its rule has other errors. */
	p = load_bad("rules = (\n"
	             "  { name = \"dup\"; kind = \"any\"; red = 1; },\n"
	             "  { name = \"dup\"; kind = \"any\"; red = 7; }\n"
	             ");\n");
	assert_int_equal(errs.n, 2);
	expect(p, 3, "already used");
	expect(p, 3, "not 7");
}

static void test_whole_config_checks_at_their_line(void **state)
{
	(void)state;
	/* The larger of the two sizes is blamed where the file set it. */
	expect_only("store: {\n map_size_mb = 64;\n map_size_max_mb = 32;\n};\n", 3,
	            "store.map_size_mb (64) is above store.map_size_max_mb (32)");
	expect_only("store: {\n map_size_mb = 131072;\n};\n", 2,
	            "store.map_size_mb (131072) is above store.map_size_max_mb (65536)");
	expect_only("\ningest: { endpoint = \"http://127.0.0.1:7401\"; };\n", 2,
	            "ingest.endpoint 'http://127.0.0.1:7401': must start with tcp://, ipc:// or "
	            "inproc://");
	expect_only("alerts: { endpoint = \"tcp://127.0.0.1\"; };\n", 1,
	            "alerts.endpoint 'tcp://127.0.0.1': tcp:// needs host:port");
	expect_only("alerts: { endpoint = \"tcp://127.0.0.1:http\"; };\n", 1,
	            "tcp:// port must be a number or *");
	expect_only("control: { endpoint = \"ipc:///run/ffc/control sock\"; };\n", 1,
	            "control.endpoint 'ipc:///run/ffc/control sock': contains a space");
	expect_only("ingest: { endpoint = \"\"; };\n", 1, "ingest.endpoint: must not be empty");
	expect_only("alerts: { endpoint = \"inproc://\"; };\n", 1, "inproc:// needs a name");
	char text[600], dir[300];
	memset(dir, 'd', sizeof dir - 1);
	dir[0] = '/';
	dir[sizeof dir - 1] = '\0';
	snprintf(text, sizeof text, "control: { endpoint = \"ipc://%s\"; };\n", dir);
	expect_only(text, 1, "ipc:// path longer than 107 bytes");
	/* The control socket goes in the data directory unless placed. */
	snprintf(text, sizeof text, "daemon: {\n data_dir = \"%.100s\"; };\n", dir);
	expect_only(text, 2, "daemon.data_dir: too long for the control socket path (94 bytes");
	snprintf(text, sizeof text,
	         "daemon: { data_dir = \"%.100s\"; };\ncontrol: { endpoint = "
	         "\"tcp://localhost:1\"; };\n",
	         dir);
	load_good(text);
}

static void test_every_error_at_once_in_line_order(void **state)
{
	(void)state;
	const char *p =
	    load_bad("daemon: { data_dir = 5; log_level = \"loud\"; };\n"     /* 1 */
	             "ingest: { max_message_kb = 0; colour = 1; };\n"         /* 2 */
	             "store: { map_size_mb = 64; map_size_max_mb = 32; };\n"  /* 3 */
	             "rules = (\n"                                            /* 4 */
	             "  { name = \"Bad Name\"; kind = \"count\"; },\n"        /* 5 */
	             "  { name = \"a\"; kind = \"sometimes\"; },\n"           /* 6 */
	             "  { name = \"b\"; kind = \"count\"; window_days = 9;\n" /* 7 */
	             "    amber = 3; red = 2; },\n"                           /* 8 */
	             "  { name = \"c\"; kind = \"any\"; red = 1; categories = [\"trouble\"]; },\n"
	             "  { name = \"d\"; kind = \"severity-sum\"; window_days = 9; amber = 1; },\n"
	             "  { name = \"e\"; kind = \"count\"; window_days = 9; amber = 2; },\n"
	             "  { name = \"e\"; kind = \"count\"; window_days = 9; amber = 2; }\n"
	             ");\n"
	             "alerts: { endpoint = \"udp://x\"; };\n" /* 14 */
	             "typo = 1;\n");                          /* 15 */
	expect(p, 1, "daemon.data_dir: expected a string");
	expect(p, 1, "daemon.log_level: 'loud'");
	expect(p, 2, "ingest.max_message_kb: 0 is out of range");
	expect(p, 2, "unknown setting 'ingest.colour'");
	expect(p, 3, "store.map_size_mb (64) is above store.map_size_max_mb (32)");
	expect(p, 5, "rules[0].name: 'Bad Name'");
	expect(p, 6, "rules[1].kind: 'sometimes'");
	expect(p, 7, "rules[2] (b): red (2) must be above amber (3)");
	expect(p, 9, "rules[3].categories[0]: 'trouble' is not a known category");
	expect(p, 10, "rules[4] (d): kind severity-sum needs weights");
	expect(p, 12, "rules[6]: the name 'e' is already used by rules[5]");
	expect(p, 14, "alerts.endpoint 'udp://x'");
	expect(p, 15, "unknown setting 'typo'");
	assert_int_equal(errs.n, 13);
	/* Listed in line order, as a compiler would. */
	int last = 0;
	size_t plen = strlen(p);
	for (size_t i = 0; i < errs.n; i++) {
		assert_true(errs.msg[i][plen] == ':');
		int line = atoi(errs.msg[i] + plen + 1);
		assert_true(line >= last);
		last = line;
	}
}

static void test_too_many_errors(void **state)
{
	(void)state;
	char text[4096] = "";
	for (int i = 0; i < 40; i++) {
		char line[64];
		snprintf(line, sizeof line, "typo%d = %d;\n", i, i);
		strcat(text, line);
	}
	const char *p = load_bad(text);
	assert_int_equal(errs.n, CONFIG_ERRORS_MAX);
	expect(p, 1, "unknown setting 'typo0'");
	expect(p, 31, "unknown setting 'typo30'");
	/* The last slot says how many more there were: 40 - 31. */
	char want[1200];
	snprintf(want, sizeof want, "%s: 9 more errors not shown", p);
	assert_string_equal(errs.msg[CONFIG_ERRORS_MAX - 1], want);
}

static void test_included_file_is_named(void **state)
{
	(void)state;
	const char *inc = write_conf("ingest: {\n  batch_max = 0;\n};\n");
	char text[1200];
	snprintf(text, sizeof text, "daemon: { log_level = \"warn\"; };\n@include \"%s\"\n", inc);
	load_bad(text);
	assert_int_equal(errs.n, 1);
	expect(inc, 2, "ingest.batch_max: 0 is out of range");
	inc = write_conf("ingest: {\n  batch_max = 9;\n};\n");
	snprintf(text, sizeof text, "@include \"%s\"\n", inc);
	load_good(text);
	assert_int_equal(cfg.batch_max, 9);
}

/* ---- config_check on a finished config ---- */

static void test_config_check(void **state)
{
	(void)state;
	config_defaults(&cfg);
	errs.n = 0;
	assert_int_equal(config_check(&cfg, "(defaults)", &errs), 0);
	assert_int_equal(errs.n, 0);

	/* As after flags override the file: errors carry the origin. */
	strcpy(cfg.ingest, "http://127.0.0.1:7401");
	strcpy(cfg.control, "ipc:///run/ffc/control sock");
	strcpy(cfg.alerts, "");
	assert_int_equal(config_check(&cfg, "--flags", &errs), -1);
	assert_int_equal(errs.n, 3);
	assert_string_equal(errs.msg[0], "--flags: ingest.endpoint 'http://127.0.0.1:7401': must "
	                                 "start with tcp://, ipc:// or inproc://");
	assert_string_equal(errs.msg[1], "--flags: alerts.endpoint '': must not be empty");
	assert_non_null(strstr(errs.msg[2], "contains a space"));

	config_defaults(&cfg);
	errs.n = 0;
	cfg.map_size = 2 * cfg.map_size_max;
	cfg.batch_max = 0;
	cfg.max_message = 0;
	cfg.log_level = (enum log_level)9;
	cfg.data_dir[0] = '\0';
	assert_int_equal(config_check(&cfg, "x", &errs), -1);
	expect("x", 0, "store.map_size_mb (131072) is above store.map_size_max_mb (65536)");
	expect("x", 0, "ingest.batch_max: 0 is out of range");
	expect("x", 0, "ingest.max_message_kb");
	expect("x", 0, "daemon.log_level: 9 is not a log level");
	expect("x", 0, "daemon.data_dir: must not be empty");
	assert_int_equal(errs.n, 5);

	/* Rules made in code are held to the file's rules. */
	config_defaults(&cfg);
	errs.n = 0;
	strcpy(cfg.rules[1].name, "immediate-risk");
	cfg.rules[2].threshold[LEVEL_RED] = 1;
	cfg.rules[3].window_ms = 0;
	cfg.rules[0].window_ms = MS_PER_DAY;
	strcpy(cfg.rules[4].name, "Bad");
	assert_int_equal(config_check(&cfg, "x", &errs), -1);
	expect("x", 0,
	       "rules[0] (immediate-risk): kind any judges one concern and takes no window");
	expect("x", 0, "rules[1]: the name 'immediate-risk' is already used by rules[0]");
	expect("x", 0, "rules[2] (toxic-trio): red (1) must be above amber (2)");
	expect("x", 0, "rules[3] (cumulative-harm): needs window_days");
	expect("x", 0, "rules[4] (Bad): name must be 1 to 47 of a-z, 0-9 and '-'");
	assert_int_equal(errs.n, 5);

	config_defaults(&cfg);
	errs.n = 0;
	cfg.n_rules = 0;
	assert_int_equal(config_check(&cfg, "x", &errs), -1);
	assert_string_equal(errs.msg[0], "x: no rules: no alert would ever be raised");
}

/* alerts.response_minutes / response_seconds and alerts.outcomes: the
 * shipped file holds the defaults, values apply, mistakes are reported at
 * their line and change nothing. */
static void test_alert_lifecycle_settings(void **state)
{
	(void)state;
	struct alert_policy defaults;
	lifecycle_defaults(&defaults);
	config_defaults(&cfg);
	assert_int_equal(config_load(shipped(), &cfg, &errs), 0);
	assert_memory_equal(&cfg.lifecycle, &defaults, sizeof defaults);

	load_good("alerts: {\n response_minutes = { red = 30; AMBER = 90; };\n"
	          " outcomes = [ \"Strategy discussion\", \"NFA\" ];\n};\n");
	assert_int_equal(cfg.lifecycle.response_ms[LEVEL_RED], 30 * 60000);
	assert_int_equal(cfg.lifecycle.response_ms[LEVEL_AMBER], 90 * 60000);
	assert_int_equal(cfg.lifecycle.n_outcomes, 2);
	assert_string_equal(lifecycle_outcome(&cfg.lifecycle, "nfa"), "NFA");
	assert_null(lifecycle_outcome(&cfg.lifecycle, "no further action"));
	/* Seconds, for drills and tests; a level left out keeps its default. */
	load_good("alerts: { response_seconds = { red = 5; }; };\n");
	assert_int_equal(cfg.lifecycle.response_ms[LEVEL_RED], 5000);
	assert_int_equal(cfg.lifecycle.response_ms[LEVEL_AMBER], defaults.response_ms[LEVEL_AMBER]);
	/* reopen_on: a severity, or never; immediate-risk unless given. */
	assert_int_equal(cfg.lifecycle.reopen_severity, SEVERITY_IMMEDIATE);
	load_good("alerts: { reopen_on = \"high\"; };\n");
	assert_int_equal(cfg.lifecycle.reopen_severity, SEVERITY_HIGH);
	load_good("alerts: { reopen_on = \"Never\"; };\n");
	assert_int_equal(cfg.lifecycle.reopen_severity, 0);
	expect_only("alerts: {\n reopen_on = \"soon\";\n};\n", 2, "alerts.reopen_on: ");
	expect_only("alerts: { reopen_on = 3; };\n", 1, "alerts.reopen_on: ");

	expect_only("alerts: {\n response_minutes = { red = 0; };\n};\n", 2,
	            "alerts.response_minutes.red: 0 is out of range (1 to 43200)");
	expect_only("alerts: {\n\n response_seconds = { amber = 2592001; };\n};\n", 3,
	            "alerts.response_seconds.amber: 2592001 is out of range (1 to 2592000)");
	expect_only("alerts: { response_minutes = { red = \"2h\"; }; };\n", 1,
	            "alerts.response_minutes.red: expected a whole number");
	expect_only("alerts: {\n response_minutes = { green = 5; };\n};\n", 2,
	            "unknown setting 'alerts.response_minutes.green' (known here: red, amber)");
	expect_only("alerts: { response_minutes = 120; };\n", 1,
	            "alerts.response_minutes: expected a group");
	expect_only("alerts: {\n response_minutes = { red = 5; };\n"
	            " response_seconds = { red = 5; };\n};\n",
	            3,
	            "alerts.response_seconds: response times are already given at line 2 "
	            "(give response_minutes or response_seconds, not both)");
	expect_only("alerts: {\n outcomes = [];\n};\n", 2,
	            "alerts.outcomes: 0 outcomes, give 1 to 32");
	expect_only("alerts: { outcomes = \"nfa\"; };\n", 1,
	            "alerts.outcomes: expected a list of outcomes");
	expect_only("alerts: { outcomes = [ 1 ]; };\n", 1,
	            "alerts.outcomes[0]: expected a string in double quotes");
	expect_only("alerts: { outcomes = [ \"\" ]; };\n", 1,
	            "alerts.outcomes[0]: must not be empty");
	expect_only("alerts: { outcomes = ( \"a\",\n \"b\",\n \"A\" ); };\n", 3,
	            "alerts.outcomes[2]: 'A' is listed twice");
	expect_only("alerts: { outcomes = [ \"a\\tb\" ]; };\n", 1,
	            "alerts.outcomes[0]: holds a control character");
	expect_only("alerts: { outcomes = [\n \"12345678901234567890123456789012345678901234567890"
	            "123456789012345\" ]; };\n",
	            2, "alerts.outcomes[0]: longer than 64 bytes");
	char many[2048] = "alerts: { outcomes = [ \"o0\"";
	for (int i = 1; i <= LIFECYCLE_OUTCOMES_MAX; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), ", \"o%d\"", i);
	strcat(many, " ]; };\n");
	expect_only(many, 1, "alerts.outcomes: 33 outcomes, give 1 to 32");
	/* Several at once, in line order. */
	const char *p = load_bad("alerts: {\n outcomes = [ \"x\", \"X\" ];\n"
	                         " response_minutes = { red = -1; amber = 0; };\n};\n");
	assert_int_equal(errs.n, 3);
	expect(p, 2, "'X' is listed twice");
	expect(p, 3, "alerts.response_minutes.red: -1 is out of range");
	expect(p, 3, "alerts.response_minutes.amber: 0 is out of range");
}

static void test_retention_and_user(void **state)
{
	(void)state;
	config_defaults(&cfg);
	assert_int_equal(cfg.retention_years, 0);
	assert_string_equal(cfg.user, "");
	load_good("retention: { years = 25; };\ndaemon: { user = \"nobody\"; };\n");
	assert_int_equal(cfg.retention_years, 25);
	assert_string_equal(cfg.user, "nobody");
	expect_only("retention:\n{\n  years = 201;\n};\n", 3,
	            "retention.years: 201 is out of range (0 to 200)");
	expect_only("retention: { years = \"ten\"; };\n", 1,
	            "retention.years: expected a whole number");
	expect_only("\nretention: { days = 30; };\n", 2, "unknown setting 'retention.days'");
	expect_only("retention = 5;\n", 1, "retention: expected a group");
	expect_only("daemon:\n{\n  user = \"no-such-user-ffc\";\n};\n", 3,
	            "daemon.user: no user 'no-such-user-ffc' on this system");
	expect_only("daemon: { user = \"\"; };\n", 1, "daemon.user: must not be empty");
}

/* What the configuration fuzzer found: a name followed by a value without
 * `=` or `:`, which libconfig 1.5 refuses leaking the discarded token
 * (the library's; see fuzz_config.c). Refused at its line, with the
 * defaults kept, whichever the token. */
static void test_value_without_equals_refused(void **state)
{
	(void)state;
	static const char *const cases[] = {"b \"x\";\n", "a = 1;\nb \"\";\n",
	                                    "a = { b = 1; c \"x\"; };\n",
	                                    "rules = ( { name \"x\"; } );\n"};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *path = load_bad(cases[i]);
		expect(path, strchr(cases[i], '\n') < strrchr(cases[i], '\n') ? 2 : 1,
		       "syntax error");
	}
}

/* Nesting as deep as libconfig's parser goes, and deeper: refused at the
 * line with a message, nothing crashes or leaks (the parser's stack is
 * bounded; past it, "memory exhausted"). */
static void test_deep_nesting_refused(void **state)
{
	(void)state;
	static const struct {
		int depth;
		const char *open, *close, *want;
	} cases[] = {
	    {4000, "(", ")", "rules[0]: expected a group"},
	    {20000, "(", ")", "memory exhausted"},
	    {20000, "{", "}", "syntax error"},
	    {20000, "[", "]", "syntax error"},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		size_t n = (size_t)cases[k].depth;
		char *text = malloc(2 * n + 16);
		assert_non_null(text);
		char *p = text + sprintf(text, "rules = ");
		for (size_t i = 0; i < n; i++)
			*p++ = cases[k].open[0];
		for (size_t i = 0; i < n; i++)
			*p++ = cases[k].close[0];
		strcpy(p, ";\n");
		const char *path = load_bad(text);
		free(text);
		expect(path, 1, cases[k].want);
	}
}

/* ---- security ---- */

/* A certificate file (mode given) holding a fixed key pair. */
#define SERVER_PUBLIC "OWdE}y<]m5ay1Oij=+Vuu3j5R0MXkKZ%Jw6c%.Qq"
#define SERVER_SECRET "55Nt@ybO({{Lul2s)SB7&/epC)oZ1H^(xCmI>t1["
#define OTHER_PUBLIC  "KQL!xa-M(}cHn-Mhj6w#{TsF2tr]!C&7wa&ku7xC"
#define THIRD_PUBLIC  "n&[/&ka]wkLrkL9hRI6of:pYh1B>CSg!/8V8vQyH"
#define FOURTH_PUBLIC "+{K}6aaf[u:8Ua@l88Oi36?vrUIZWOj{OT3PMz2J"

static const char *cert_file(const char *secret, mode_t mode)
{
	char text[512];
	snprintf(text, sizeof text,
	         "# a certificate\nmetadata\n    name = \"ffcd\"\ncurve\n    public-key = "
	         "\"%s\"\n%s%s%s",
	         SERVER_PUBLIC, secret ? "    secret-key = \"" : "", secret ? secret : "",
	         secret ? "\"\n" : "");
	const char *p = write_conf(text);
	chmod(p, mode);
	return p;
}

static void test_security_mode_and_keys(void **state)
{
	(void)state;
	char text[2048];
	const char *secret = cert_file(SERVER_SECRET, 0600);
	const char *pub = cert_file(NULL, 0644);
	snprintf(text, sizeof text,
	         "security: {\n"
	         "  mode = \"curve\";\n"
	         "  secret_key_file = \"%s\";\n"
	         "  keys = (\n"
	         "    { name = \"police\"; role = \"adapter\"; agency = \"police\";\n"
	         "      public_key = \"%s\"; },\n"
	         "    { name = \"red\"; role = \"console\"; levels = [\"red\"];\n"
	         "      public_key_file = \"%s\"; },\n"
	         "    { name = \"op\"; role = \"admin\"; public_key = \"%s\"; delegate = true; }\n"
	         "  );\n"
	         "};\n"
	         "ingest: { endpoint = \"tcp://*:7401\"; };\n",
	         secret, OTHER_PUBLIC, pub, THIRD_PUBLIC);
	load_good(text);
	assert_int_equal(cfg.security_mode, SECURITY_CURVE);
	assert_string_equal(cfg.public_key, SERVER_PUBLIC);
	assert_int_equal(cfg.access.n_keys, 3);
	const struct access_key *k = access_key_named(&cfg.access, "police");
	assert_non_null(k);
	assert_int_equal(k->role, ACCESS_ADAPTER);
	assert_int_equal(k->agency, agency_parse("police"));
	k = access_key_named(&cfg.access, "red");
	assert_int_equal(k->role, ACCESS_CONSOLE);
	assert_int_equal(k->levels, 1u << LEVEL_RED);
	assert_int_equal(access_key_named(&cfg.access, "op")->role, ACCESS_ADMIN);
	assert_true(access_key_named(&cfg.access, "op")->delegate);
	assert_false(access_key_named(&cfg.access, "red")->delegate);
	/* Nothing of the secret is kept. */
	const char *bytes = (const char *)&cfg;
	for (size_t i = 0; i + 40 <= sizeof cfg; i++)
		assert_false(!memcmp(bytes + i, SERVER_SECRET, 40));
}

static void test_security_errors(void **state)
{
	(void)state;
	char text[4096];
	/* Curve without a key; insecure mode (the default) off loopback. */
	const char *p = load_bad("security: { mode = \"curve\"; };\n");
	expect(p, 1, "no security.secret_key_file");
	p = load_bad("ingest: { endpoint = \"tcp://10.0.0.1:7401\"; };\n");
	expect(p, 1, "security.mode is insecure");
	p = load_bad("security: {\n  mode = \"insecure\";\n};\n"
	             "control: { endpoint = \"tcp://0.0.0.0:7403\"; };\n");
	expect(p, 4, "control.endpoint 'tcp://0.0.0.0:7403': security.mode is insecure");
	p = load_bad("security: { mode = \"open\"; };\n");
	expect(p, 1, "'open' is not a security mode");
	/* A secret readable by others; a public certificate as the secret. */
	snprintf(text, sizeof text,
	         "security: {\n mode = \"curve\";\n secret_key_file = \"%s\";\n};\n",
	         cert_file(SERVER_SECRET, 0640));
	p = load_bad(text);
	expect(p, 3, "chmod 600");
	snprintf(text, sizeof text,
	         "security: {\n mode = \"curve\";\n secret_key_file = \"%s\";\n};\n",
	         cert_file(NULL, 0600));
	p = load_bad(text);
	expect(p, 3, "holds no secret-key");
	/* Keys: each error at its line. */
	snprintf(
	    text, sizeof text,
	    "security: {\n"
	    "  keys = (\n"
	    "    { name = \"a\"; role = \"adapter\"; agency = \"police\"; public_key = \"%s\"; },\n"
	    "    { name = \"a\"; role = \"console\"; levels = [\"red\"]; public_key = \"%s\"; },\n"
	    "    { name = \"b\"; role = \"console\"; levels = [\"red\"]; public_key = \"%s\"; },\n"
	    "    { name = \"c\"; role = \"adapter\"; public_key = \"%s\"; },\n"
	    "    { name = \"d\"; role = \"adapter\"; agency = [\"police\", \"health\"];\n"
	    "      public_key = \"%s\"; },\n"
	    "    { name = \"e\"; role = \"console\"; public_key = \"%s\"; },\n"
	    "    { name = \"f\"; role = \"viewer\"; agency = \"police\"; public_key = \"x\"; },\n"
	    "    { name = \"g h\"; role = \"admin\"; public_key = \"%s\"; public_key_file = "
	    "\"/x\"; },\n"
	    "    { role = \"admin\"; colour = \"blue\"; },\n"
	    "    { name = \"i\"; role = \"lookup\"; levels = [\"red\"]; agency = \"health\";\n"
	    "      public_key = \"x\"; },\n"
	    "    { name = \"j\"; role = \"lookups\"; public_key = \"x\"; },\n"
	    "    { name = \"w\"; role = \"console\"; levels = [\"red\"]; delegate = true;\n"
	    "      public_key = \"%s\"; }\n"
	    "  );\n"
	    "};\n",
	    OTHER_PUBLIC, SERVER_PUBLIC, OTHER_PUBLIC, THIRD_PUBLIC, THIRD_PUBLIC, THIRD_PUBLIC,
	    SERVER_PUBLIC, SERVER_PUBLIC);
	p = load_bad(text);
	expect(p, 4, "the name 'a' is already given");
	expect(p, 5, "the same public key is already listed as 'a'");
	expect(p, 6, "an adapter needs its one agency");
	expect(p, 7, "exactly one agency");
	expect(p, 9, "a console needs the levels");
	expect(p, 10, "only an adapter is bound to an agency");
	expect(p, 10, "not a CURVE public key");
	expect(p, 11, "may hold only letters");
	expect(p, 11, "not both");
	expect(p, 12, "unknown setting 'security.keys[8].colour'");
	expect(p, 12, "needs a name");
	expect(p, 12, "needs public_key or public_key_file");
	/* A lookup key is bound to nothing: no agency, no levels. */
	expect(p, 13, "only an adapter is bound to an agency");
	expect(p, 13, "only a console is given levels");
	expect(p, 15,
	       "'lookups' is not a role (adapter, console, school, lookup, viewer, "
	       "practitioner or admin)");
	expect(p, 16,
	       "security.keys[11].delegate: only an operator's role (viewer, practitioner or "
	       "admin) speaks for others");
}

/* ---- schools and feedback ---- */

static int32_t date(const char *s)
{
	int32_t d;
	const char *why;
	assert_int_equal(calendar_parse_date(s, &d, &why), 0);
	return d;
}

static void test_schools_settings(void **state)
{
	(void)state;
	char text[4096];
	snprintf(
	    text, sizeof text,
	    "schools: {\n"
	    "  timezone = \"GMT0BST,M3.5.0/1,M10.5.0\";\n"
	    "  day_starts = \"08:45\";\n"
	    "  remind_at = \"10:00:30\";\n"
	    "  school_days = [\"Mon\", \"tue\", \"wednesday\", \"thu\", \"fri\", \"sat\"];\n"
	    "  terms = ( [\"2026-01-05\", \"2026-02-13\"], [\"2025-11-03\", \"2025-12-19\"] );\n"
	    "  closed = [ \"2026-01-05\", \"2025-11-17\" ];\n"
	    "  notice_max_age_days = 0;\n"
	    "  list = ( { urn = \"100001\"; name = \"Hillside Primary\"; },\n"
	    "           { urn = \"999999\"; name = \"Beck Lane\"; } );\n"
	    "};\n"
	    "feedback: { contact = \"MACPT duty desk, 0113 496 0000\"; };\n"
	    "security: { keys = ( { name = \"dsl\"; role = \"school\"; urn = \"100001\";\n"
	    "                      public_key = \"%s\"; } ); };\n",
	    OTHER_PUBLIC);
	load_good(text);
	const struct calendar *c = &cfg.schools.cal;
	assert_string_equal(c->tz_name, "GMT0BST,M3.5.0/1,M10.5.0");
	assert_int_equal(c->tz.dst_s, 3600);
	assert_int_equal(c->day_starts_s, 8 * 3600 + 45 * 60);
	assert_int_equal(c->remind_s, 10 * 3600 + 30);
	assert_int_equal(c->weekdays, 0x3f);
	/* In date order, whatever the file's. */
	assert_int_equal(c->n_terms, 2);
	assert_int_equal(c->terms[0].from, date("2025-11-03"));
	assert_int_equal(c->terms[1].to, date("2026-02-13"));
	assert_int_equal(c->n_closed, 2);
	assert_int_equal(c->closed[0], date("2025-11-17"));
	assert_int_equal(cfg.schools.max_age_days, 0);
	assert_int_equal(cfg.schools.n, 2);
	assert_string_equal(school_find(&cfg.schools, "999999")->name, "Beck Lane");
	assert_string_equal(cfg.schools.feedback_contact, "MACPT duty desk, 0113 496 0000");
	const struct access_key *k = access_key_named(&cfg.access, "dsl");
	assert_non_null(k);
	assert_int_equal(k->role, ACCESS_SCHOOL);
	assert_string_equal(k->urn, "100001");
	assert_int_equal(config_check(&cfg, "flags", &errs), 0);
	/* The defaults: Europe/London, 08:30, 09:30, Monday to Friday. */
	load_good("schools: { list = (); };\n");
	assert_string_equal(cfg.schools.cal.tz_name, "Europe/London");
	assert_int_equal(cfg.schools.cal.day_starts_s, 8 * 3600 + 30 * 60);
	assert_int_equal(cfg.schools.cal.remind_s, 9 * 3600 + 30 * 60);
	assert_int_equal(cfg.schools.cal.weekdays, 0x1f);
	assert_int_equal(cfg.schools.max_age_days, 7);
}

static void test_schools_errors(void **state)
{
	(void)state;
	char text[4096];
	snprintf(
	    text, sizeof text,
	    "schools: {\n"                                                     /* 1 */
	    "  timezone = \"Mars/Olympus\";\n"                                 /* 2 */
	    "  day_starts = \"8:30\";\n"                                       /* 3 */
	    "  remind_at = \"25:00\";\n"                                       /* 4 */
	    "  school_days = [\"mon\", \"funday\", \"mon\"];\n"                /* 5 */
	    "  terms = ( [\"2025-09-03\", \"2025-07-01\"],\n"                  /* 6 */
	    "            [\"2025-09-01\"],\n"                                  /* 7 */
	    "            [\"2025-02-30\", \"2025-03-01\"] );\n"                /* 8 */
	    "  closed = [ \"2025-11-17\", \"2025-11-17\", \"17/11/2025\" ];\n" /* 9 */
	    "  notice_max_age_days = 4000;\n"                                  /* 10 */
	    "  list = ( { urn = \"12345\"; name = \"A\"; },\n"                 /* 11 */
	    "           { urn = \"100001\"; name = \"\"; },\n"                 /* 12 */
	    "           { urn = \"100002\"; name = \"B\"; },\n"                /* 13 */
	    "           { urn = \"100002\"; name = \"C\"; },\n"                /* 14 */
	    "           { name = \"D\"; } );\n"                                /* 15 */
	    "  colour = \"blue\";\n"                                           /* 16 */
	    "};\n"                                                             /* 17 */
	    "feedback: { contact = \"line\\tbreak\"; who = 1; };\n"            /* 18 */
	    "security: { keys = (\n"                                           /* 19 */
	    "  { name = \"dsl\"; role = \"school\"; public_key = \"%s\"; },\n" /* 20 */
	    "  { name = \"c\"; role = \"console\"; levels = [\"red\"]; urn = \"100002\";\n"
	    "    public_key = \"%s\"; },\n" /* 22 */
	    "  { name = \"far\"; role = \"school\"; urn = \"100009\"; public_key = \"%s\"; },\n"
	    "  { name = \"bad\"; role = \"school\"; urn = \"0001\"; public_key = \"%s\"; }\n"
	    ");};\n",
	    OTHER_PUBLIC, THIRD_PUBLIC, SERVER_PUBLIC, FOURTH_PUBLIC);
	const char *p = load_bad(text);
	expect(p, 2, "schools.timezone: 'Mars/Olympus': not Europe/London, UTC or a POSIX TZ rule");
	expect(p, 3, "schools.day_starts: '8:30' is not a time HH:MM or HH:MM:SS");
	expect(p, 4, "schools.remind_at: '25:00' is not a time of day");
	expect(p, 5, "schools.school_days[1]: not a day of the week");
	expect(p, 5, "schools.school_days[2]: 'mon' is listed twice");
	expect(p, 6, "schools.terms[0]: starts 2025-09-03, after it ends 2025-07-01");
	expect(p, 7, "schools.terms[1]: a term is its first and last day");
	expect(p, 8, "schools.terms[2][0]: '2025-02-30' is not a date YYYY-MM-DD");
	expect(p, 9, "schools.closed[1]: 2025-11-17 is listed twice");
	expect(p, 9, "schools.closed[2]: '17/11/2025' is not a date");
	expect(p, 10, "schools.notice_max_age_days: 4000 is out of range (0 to 3650)");
	expect(p, 11, "schools.list[0].urn: '12345' is not a URN");
	expect(p, 12, "schools.list[1].name: must not be empty");
	expect(p, 14, "schools.list[3].urn: 100002 is already listed");
	expect(p, 15, "schools.list[4]: give the school's urn and name");
	expect(p, 16, "unknown setting 'schools.colour'");
	expect(p, 18, "feedback.contact: holds a control character");
	expect(p, 18, "unknown setting 'feedback.who'");
	expect(p, 20, "a school's key needs its school's URN");
	expect(p, 21, "security.keys[1].urn: only a school's key is bound to a URN");
	expect(p, 24, "security.keys[3].urn: '0001' is not a URN");
	expect(p, 0,
	       "security.keys: 'far' is bound to school 100009, which schools.list does not "
	       "name");
	/* What only the settings together say, at the reminder's line. */
	p = load_bad("schools: {\n  day_starts = \"09:00\";\n  remind_at = \"08:00\";\n};\n");
	expect(p, 3, "schools.remind_at: before the school day starts (day_starts)");
	p = load_bad("schools: {\n  terms = ( [\"2025-01-05\", \"2025-02-01\"],\n"
	             "            [\"2025-12-01\", \"2025-12-19\"] );\n};\n");
	expect(p, 3, "schools.terms[1]: 302 days without school between 2025-02-01 and 2025-12-01");
	p = load_bad("schools: {\n  terms = ( [\"2025-01-05\", \"2025-03-01\"],\n"
	             "            [\"2025-02-01\", \"2025-04-01\"] );\n  school_days = [];\n};\n");
	expect(p, 3, "not after the term before it ends (2025-03-01)");
	expect(p, 4, "schools.school_days: no day");
	p = load_bad("schools = 3;\nfeedback = \"x\";\n");
	expect(p, 1, "schools: expected a group");
	expect(p, 2, "feedback: expected a group");
	/* A finished config's calendar is checked whole (after a loader). */
	config_defaults(&cfg);
	cfg.schools.cal.remind_s = 0;
	errs.n = 0;
	assert_int_equal(config_check(&cfg, "flags", &errs), -1);
	expect("flags", 0, "schools.remind_at: before the school day starts");
}

static void test_endpoint_local(void **state)
{
	(void)state;
	assert_true(config_endpoint_local("tcp://127.0.0.1:7401"));
	assert_true(config_endpoint_local("tcp://localhost:1"));
	assert_true(config_endpoint_local("tcp://[::1]:7401"));
	assert_true(config_endpoint_local("ipc:///run/ffc/x"));
	assert_true(config_endpoint_local("inproc://x"));
	assert_false(config_endpoint_local("tcp://*:7401"));
	assert_false(config_endpoint_local("tcp://0.0.0.0:7401"));
	assert_false(config_endpoint_local("tcp://127.0.0.10:7401"));
	assert_false(config_endpoint_local("tcp://localhost.example.org:7401"));
	assert_false(config_endpoint_local("tcp://eth0;127.0.0.1:7401"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_retention_and_user, teardown),
	    cmocka_unit_test(test_operators),
	    cmocka_unit_test_teardown(test_shipped_file_is_the_defaults, teardown),
	    cmocka_unit_test_teardown(test_every_setting_applies, teardown),
	    cmocka_unit_test_teardown(test_empty_file_keeps_defaults, teardown),
	    cmocka_unit_test_teardown(test_unreadable_files, teardown),
	    cmocka_unit_test_teardown(test_syntax_errors, teardown),
	    cmocka_unit_test_teardown(test_unknown_settings, teardown),
	    cmocka_unit_test_teardown(test_type_errors, teardown),
	    cmocka_unit_test_teardown(test_ranges, teardown),
	    cmocka_unit_test_teardown(test_bad_names, teardown),
	    cmocka_unit_test_teardown(test_rule_consistency, teardown),
	    cmocka_unit_test_teardown(test_all_of, teardown),
	    cmocka_unit_test_teardown(test_shipped_example_loads, teardown),
	    cmocka_unit_test_teardown(test_duplicate_rule_name, teardown),
	    cmocka_unit_test_teardown(test_whole_config_checks_at_their_line, teardown),
	    cmocka_unit_test_teardown(test_every_error_at_once_in_line_order, teardown),
	    cmocka_unit_test_teardown(test_too_many_errors, teardown),
	    cmocka_unit_test_teardown(test_included_file_is_named, teardown),
	    cmocka_unit_test_teardown(test_config_check, teardown),
	    cmocka_unit_test_teardown(test_alert_lifecycle_settings, teardown),
	    cmocka_unit_test_teardown(test_deep_nesting_refused, teardown),
	    cmocka_unit_test_teardown(test_value_without_equals_refused, teardown),
	    cmocka_unit_test_teardown(test_security_mode_and_keys, teardown),
	    cmocka_unit_test_teardown(test_security_errors, teardown),
	    cmocka_unit_test_teardown(test_endpoint_local, teardown),
	    cmocka_unit_test_teardown(test_schools_settings, teardown),
	    cmocka_unit_test_teardown(test_schools_errors, teardown),
	    cmocka_unit_test_teardown(test_labels, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
