/*
 * Unit tests for reload.c: the loader process answers with a checked
 * config or every error at its line; a missing file, a directory, a file
 * that makes the loader hang (an @include of a FIFO nobody writes), a
 * loader that crashes, exits without an answer, answers nonsense or too
 * much are each reported and never change anything; reload_apply swaps the
 * rules whole or leaves them untouched; settings that need a restart are
 * named. The answer is read field by field: a config survives the round
 * trip whole, and an answer cut short, run long, or with a field that does
 * not fit is refused, by reload_answer_decode and through a real loader.
 *
 * This program is its own loader: run with RELOAD_HELPER_FLAG it does what
 * ffcd does, except for paths naming a simulated failure.
 */
/* cmocka needs these before its own header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reload.h"

#define HELPER "/proc/self/exe"

/* ---- the loader's side, with failures on demand ---- */

static int helper(const char *path)
{
	if (strstr(path, "simulate-crash")) {
		/* As a parser would die: without the sanitizers' report. */
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
	}
	if (strstr(path, "simulate-exit"))
		_exit(3);
	if (strstr(path, "simulate-garbage")) {
		static const char junk[] = "this is not an answer";
		return write(STDOUT_FILENO, junk, sizeof junk) == (ssize_t)sizeof junk ? 0 : 1;
	}
	if (strstr(path, "simulate-short") || strstr(path, "simulate-long-string")) {
		/* A well-formed answer for the defaults, then spoiled: cut in
		 * half, or its first string's length made one more than its
		 * array holds. */
		static struct config c;
		static unsigned char a[1 << 20];
		config_defaults(&c);
		size_t n = reload_answer_encode(&c, NULL, a, sizeof a);
		if (n == 0)
			return 1;
		if (strstr(path, "simulate-short")) {
			n /= 2;
		} else {
			/* After the 16-byte header: data_dir's length, 8 bytes
			 * little-endian. */
			uint64_t too_long = sizeof c.data_dir;
			for (int i = 0; i < 8; i++)
				a[16 + i] = (unsigned char)(too_long >> (8 * i));
		}
		return write(STDOUT_FILENO, a, n) == (ssize_t)n ? 0 : 1;
	}
	if (strstr(path, "simulate-flood")) {
		static char block[65536];
		memset(block, 'x', sizeof block);
		for (int i = 0; i < 64; i++)
			if (write(STDOUT_FILENO, block, sizeof block) < 0)
				return 0; /* the daemon stopped reading: as expected */
		return 0;
	}
	return reload_helper_main(path);
}

/* ---- scratch files ---- */

static char dir[1024];

static const char *file(const char *name, const char *text)
{
	static char paths[16][1200];
	static int next;
	char *p = paths[next++ % 16];
	snprintf(p, sizeof paths[0], "%s/%s", dir, name);
	if (text) {
		FILE *f = fopen(p, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	}
	return p;
}

static int setup(void **state)
{
	(void)state;
	const char *base = getenv("FFC_TEST_TMP");
	if (!base || !base[0])
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(dir, sizeof dir, "%s/ffc-reload.XXXXXX", base);
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct config cfg;
static struct config_errors errs;

static void show_errors(void)
{
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "  got: %s\n", errs.msg[i]);
}

static void expect_error(const char *text)
{
	for (size_t i = 0; i < errs.n; i++)
		if (strstr(errs.msg[i], text))
			return;
	show_errors();
	fail_msg("no error containing '%s'", text);
}

static const char *good_text =
    "ingest: { batch_max = 7; };\n"
    "rules = (\n"
    "  { name = \"immediate-risk\"; kind = \"any\"; min_severity = \"immediate-risk\"; red = 1; "
    "},\n"
    "  { name = \"not-brought-and-absent\"; kind = \"all-of\"; window_days = 60;\n"
    "    parts = ( { agencies = [\"health\"]; categories = [\"was-not-brought\"]; count = 2; },\n"
    "              { categories = [\"education-absence\"]; } );\n"
    "    level = \"amber\"; }\n"
    ");\n";

/* ---- the loader ---- */

static void test_good_file(void **state)
{
	(void)state;
	const char *p = file("good.conf", good_text);
	memset(&cfg, 0, sizeof cfg);
	if (reload_load(HELPER, p, 10000, &cfg, &errs) != 0) {
		show_errors();
		fail_msg("good file did not load");
	}
	assert_int_equal(errs.n, 0);
	assert_int_equal(cfg.batch_max, 7);
	assert_string_equal(cfg.data_dir, FFC_DATA_DIR); /* the default, as at start */
	assert_int_equal(cfg.n_rules, 2);
	assert_string_equal(cfg.rules[1].name, "not-brought-and-absent");
	assert_int_equal(cfg.rules[1].kind, RULE_ALL_OF);
	assert_int_equal(cfg.rules[1].n_parts, 2);
	assert_int_equal(cfg.rules[1].parts[0].count, 2);
	assert_int_equal(cfg.rules[1].threshold[LEVEL_AMBER], 2);
}

static void test_bad_file_every_error_at_its_line(void **state)
{
	(void)state;
	const char *p = file("bad.conf", "rules = (\n"
	                                 "  { name = \"a\"; kind = \"any\"; red = 2; },\n"
	                                 "  { name = \"b\"; kind = \"count\"; window_days = 0; "
	                                 "amber = 1; }\n"
	                                 ");\n");
	assert_int_equal(reload_load(HELPER, p, 10000, &cfg, &errs), -1);
	assert_int_equal(errs.n, 2);
	char want[1300];
	snprintf(want, sizeof want, "%s:2: rules[0] (a): kind any is met by one concern", p);
	assert_true(strstr(errs.msg[0], want) == errs.msg[0]);
	snprintf(want, sizeof want, "%s:3: rules[1].window_days: 0 is out of range", p);
	assert_true(strstr(errs.msg[1], want) == errs.msg[1]);

	p = file("syntax.conf", "rules = ( { name = \"a\"; kind = ; } );\n");
	assert_int_equal(reload_load(HELPER, p, 10000, &cfg, &errs), -1);
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof want, "%s:1: syntax error", p);
	assert_true(strstr(errs.msg[0], want) == errs.msg[0]);
}

static void test_missing_file_and_directory(void **state)
{
	(void)state;
	assert_int_equal(reload_load(HELPER, file("nothing-here.conf", NULL), 10000, &cfg, &errs),
	                 -1);
	expect_error("nothing-here.conf: cannot read: No such file or directory");
	assert_int_equal(reload_load(HELPER, dir, 10000, &cfg, &errs), -1);
	expect_error(": cannot read: Is a directory");
}

static void test_loader_that_hangs_is_stopped(void **state)
{
	(void)state;
	/* libconfig opens an @include'd FIFO and waits for a writer that
	 * never comes. */
	const char *fifo = file("fifo", NULL);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	char text[1300];
	snprintf(text, sizeof text, "@include \"%s\"\n", fifo);
	const char *p = file("hangs.conf", text);
	assert_int_equal(reload_load(HELPER, p, 400, &cfg, &errs), -1);
	assert_int_equal(errs.n, 1);
	expect_error(
	    "hangs.conf: the configuration loader took longer than 400 ms and was stopped");
}

static void test_loader_failures(void **state)
{
	(void)state;
	static const struct {
		const char *name, *error;
	} cases[] = {
	    {"simulate-crash.conf", "the configuration loader was killed by signal 11"},
	    {"simulate-exit.conf",
	     "the configuration loader exited with status 3 without an answer"},
	    {"simulate-garbage.conf", "the configuration loader sent no answer or a malformed one"},
	    {"simulate-flood.conf", "the configuration loader sent more than"},
	    {"simulate-short.conf", "the configuration loader sent no answer or a malformed one "
	                            "(the answer says"},
	    {"simulate-long-string.conf",
	     "the configuration loader sent no answer or a malformed one (daemon.data_dir: 1024 "
	     "is out of range)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *p = file(cases[i].name, good_text);
		assert_int_equal(reload_load(HELPER, p, 10000, &cfg, &errs), -1);
		assert_int_equal(errs.n, 1);
		expect_error(cases[i].name);
		expect_error(cases[i].error);
	}
	assert_int_equal(
	    reload_load("/nonexistent/loader", file("x.conf", good_text), 10000, &cfg, &errs), -1);
	expect_error("the configuration loader /nonexistent/loader could not be run (exit status "
	             "127)");
}

/* ---- the answer, field by field ---- */

/* s[0..size) holds v and zeros: a decoded string has nothing after its
 * terminator. */
static void set(char *s, size_t size, const char *v)
{
	memset(s, 0, size);
	snprintf(s, size, "%s", v);
}

/* A config with every field away from zero and its defaults. */
static void rich_config(struct config *c)
{
	memset(c, 0, sizeof *c);
	config_defaults(c);
	set(c->data_dir, sizeof c->data_dir, "/srv/ffc");
	set(c->ingest, sizeof c->ingest, "tcp://127.0.0.1:9");
	set(c->alerts, sizeof c->alerts, "tcp://127.0.0.1:10");
	set(c->control, sizeof c->control, "ipc:///run/ffc/control.sock");
	c->map_size = UINT64_C(1) << 33;
	c->map_size_max = UINT64_C(1) << 40;
	c->backup_rate = UINT64_C(7) << 20;
	c->backup_commit_gap_ms = 250;
	c->max_message = 12345;
	c->batch_max = 99;
	c->log_level = LOG_DEBUG;
	c->log_format = LOG_FORMAT_JSON;
	c->rules[0].window_ms = -1; /* out of range for the checks, not for the codec */
	c->rules[0].parts[0].count = 3;
	c->rules[0].n_parts = 1;
	c->rules[0].scope = RULE_SCOPE_HOUSEHOLD;
	c->rules[0].when_status = 1u << 2; /* a child protection plan */
	c->rules[0].unless_status = 1u << 3;
	c->lifecycle.response_ms[LEVEL_RED] = 42;
	set(c->lifecycle.outcomes[0], sizeof c->lifecycle.outcomes[0], "moved away");
	c->lifecycle.reopen_severity = SEVERITY_MODERATE; /* not the default */
	set(c->access.keys[0].name, sizeof c->access.keys[0].name, "health-adapter");
	c->access.keys[0].role = ACCESS_ADAPTER;
	c->access.keys[0].agency = 2;
	memset(c->access.keys[0].key, 0xa5, sizeof c->access.keys[0].key);
	set(c->access.keys[1].name, sizeof c->access.keys[1].name, "console");
	c->access.keys[1].role = ACCESS_CONSOLE;
	c->access.keys[1].levels = 6;
	c->access.keys[1].key[31] = 1;
	c->access.n_keys = 4;
	set(c->access.keys[2].name, sizeof c->access.keys[2].name, "city-ed");
	c->access.keys[2].role = ACCESS_LOOKUP;
	set(c->access.keys[3].name, sizeof c->access.keys[3].name, "hillside-dsl");
	c->access.keys[3].role = ACCESS_SCHOOL;
	set(c->access.keys[3].urn, sizeof c->access.keys[3].urn, "100001");
	c->access.keys[3].key[0] = 8;
	c->access.keys[2].key[0] = 7;
	c->access.n_operators = 1;
	set(c->access.operators[0].name, sizeof c->access.operators[0].name, "alice");
	c->access.operators[0].role = ACCESS_ADMIN;
	c->access.operators[0].has_unix_uid = 1;
	c->access.operators[0].unix_uid = 4242;
	c->access.operators[0].delegate = 1;
	c->security_mode = SECURITY_CURVE;
	set(c->secret_key_file, sizeof c->secret_key_file, "/etc/ffc/ffcd.key_secret");
	memset(c->public_key, 'Z', CONFIG_KEY_Z85_LEN);
	c->public_key[CONFIG_KEY_Z85_LEN] = '\0';
	set(c->user, sizeof c->user, "ffc");
	c->retention_years = 7;
	set(c->labels.category[3], sizeof c->labels.category[3], "a parent's mental health");
	struct schools *s = &c->schools;
	s->n = 2;
	set(s->list[0].urn, sizeof s->list[0].urn, "100001");
	set(s->list[0].name, sizeof s->list[0].name, "Hillside Primary");
	set(s->list[1].urn, sizeof s->list[1].urn, "100002");
	set(s->list[1].name, sizeof s->list[1].name, "Beck Lane Academy");
	set(s->cal.tz_name, sizeof s->cal.tz_name, "EST5EDT,M3.2.0,M11.1.0");
	s->cal.tz =
	    (struct calendar_tz){-5 * 3600, 1, -4 * 3600, {3, 2, 0, 7200}, {11, 1, 0, 7200}};
	s->cal.day_starts_s = 8 * 3600;
	s->cal.remind_s = 10 * 3600 + 15;
	s->cal.weekdays = 0x3f;
	s->cal.n_terms = 2;
	s->cal.terms[0] = (struct calendar_term){20300, 20350};
	s->cal.terms[1] = (struct calendar_term){20360, 20400};
	s->cal.n_closed = 1;
	s->cal.closed[0] = 20310;
	s->max_age_days = 30;
	set(s->feedback_contact, sizeof s->feedback_contact, "MACPT duty desk");
	/* Nothing past a count is sent: clear it, as a decoded config has
	 * it. */
	memset(&c->rules[c->n_rules], 0, (RULES_MAX - c->n_rules) * sizeof c->rules[0]);
	memset(&c->rules[0].parts[1], 0, (RULE_PARTS_MAX - 1) * sizeof c->rules[0].parts[0]);
	for (size_t i = 0; i < c->n_rules; i++)
		memset(&c->rules[i].parts[c->rules[i].n_parts], 0,
		       (RULE_PARTS_MAX - c->rules[i].n_parts) * sizeof c->rules[i].parts[0]);
	struct alert_policy *p = &c->lifecycle;
	memset(p->outcomes[p->n_outcomes], 0,
	       (LIFECYCLE_OUTCOMES_MAX - p->n_outcomes) * sizeof p->outcomes[0]);
}

static unsigned char answer[1 << 20];

static void test_answer_round_trip_is_whole(void **state)
{
	(void)state;
	static struct config a, b;
	rich_config(&a);
	size_t n = reload_answer_encode(&a, NULL, answer, sizeof answer);
	assert_true(n > 16);
	char why[160];
	memset(&b, 0, sizeof b);
	assert_int_equal(reload_answer_decode(answer, n, &b, &errs, why, sizeof why), 0);
	/* Byte for byte: a field missing from the codec's list shows here. */
	assert_memory_equal(&a, &b, sizeof a);

	/* The error list too. */
	static struct config_errors e, f;
	memset(&e, 0, sizeof e);
	e.n = 2;
	snprintf(e.msg[0], sizeof e.msg[0], "x.conf:1: first");
	snprintf(e.msg[1], sizeof e.msg[1], "x.conf:2: second");
	n = reload_answer_encode(NULL, &e, answer, sizeof answer);
	assert_true(n > 16);
	memset(&f, 0, sizeof f);
	assert_int_equal(reload_answer_decode(answer, n, &cfg, &f, why, sizeof why), 1);
	assert_memory_equal(&e, &f, sizeof e);

	/* Too small a buffer: nothing, not a part. */
	assert_int_equal(reload_answer_encode(&a, NULL, answer, 100), 0);
}

static void test_answer_short_long_or_garbled_is_refused(void **state)
{
	(void)state;
	static struct config a;
	rich_config(&a);
	const size_t n = reload_answer_encode(&a, NULL, answer, sizeof answer);
	assert_true(n > 16);
	char why[160];
	/* Every length short of the whole, its header saying the whole or
	 * saying what it holds: refused, nothing read past the end (ASan). */
	static unsigned char cut[1 << 20];
	for (size_t len = 0; len < n; len++) {
		memcpy(cut, answer, len);
		assert_int_equal(reload_answer_decode(cut, len, &cfg, &errs, why, sizeof why), -1);
		if (len >= 16) {
			uint64_t body = len - 16;
			memcpy(cut + 8, &body, sizeof body);
			assert_int_equal(
			    reload_answer_decode(cut, len, &cfg, &errs, why, sizeof why), -1);
			assert_non_null(strstr(why, "ends early"));
		}
	}
	/* One byte more than the last field. */
	memcpy(cut, answer, n);
	cut[n] = 0;
	uint64_t body = n + 1 - 16;
	memcpy(cut + 8, &body, sizeof body);
	assert_int_equal(reload_answer_decode(cut, n + 1, &cfg, &errs, why, sizeof why), -1);
	assert_string_equal(why, "1 bytes follow the last field");
	/* Each byte of the body flipped: decoded or refused, never a crash
	 * nor a string past its array. */
	for (size_t i = 16; i < n; i++) {
		memcpy(cut, answer, n);
		cut[i] ^= 0xff;
		if (reload_answer_decode(cut, n, &cfg, &errs, why, sizeof why) == 0) {
			assert_true(strnlen(cfg.data_dir, sizeof cfg.data_dir) <
			            sizeof cfg.data_dir);
			assert_true(cfg.n_rules <= RULES_MAX);
			assert_true(cfg.access.n_keys <= ACCESS_KEYS_MAX);
		}
	}
	/* A NUL inside a string, and a count above its array. */
	memcpy(cut, answer, n);
	cut[16 + 8 + 1] = '\0'; /* inside data_dir, "/srv/ffc" */
	assert_int_equal(reload_answer_decode(cut, n, &cfg, &errs, why, sizeof why), -1);
	assert_string_equal(why, "daemon.data_dir: holds a NUL byte");
	/* A count above its array: the rules' count follows four strings
	 * and six numbers. */
	size_t at = 16 + (8 + strlen(a.data_dir)) + (8 + strlen(a.ingest)) +
	            (8 + strlen(a.alerts)) + (8 + strlen(a.control)) + 6 * 8;
	memcpy(cut, answer, n);
	assert_int_equal(cut[at], a.n_rules);
	cut[at] = RULES_MAX + 1;
	assert_int_equal(reload_answer_decode(cut, n, &cfg, &errs, why, sizeof why), -1);
	char want[160];
	snprintf(want, sizeof want, "rules: %d is out of range", RULES_MAX + 1);
	assert_string_equal(why, want);
	/* Nor does the loader's side send one. */
	static struct config big;
	rich_config(&big);
	big.n_rules = RULES_MAX + 1;
	assert_int_equal(reload_answer_encode(&big, NULL, answer, sizeof answer), 0);
	/* The header: not one, or a status that is neither. */
	memcpy(cut, answer, 16);
	cut[0] ^= 1;
	assert_int_equal(reload_answer_decode(cut, n, &cfg, &errs, why, sizeof why), -1);
	assert_string_equal(why, "the answer's header is not one");
}

/* ---- the rules in force ---- */

static struct rules_state st;

static void start_with_defaults(const char *path)
{
	struct config start;
	config_defaults(&start);
	reload_init(&st, &start, HELPER, 1000);
	if (path)
		reload_set_file(&st, path, &start);
}

static void assert_untouched(void)
{
	struct config start;
	config_defaults(&start);
	assert_int_equal(st.n_rules, start.n_rules);
	for (size_t i = 0; i < st.n_rules; i++)
		assert_true(rule_equal(&st.rules[i], &start.rules[i]));
	assert_int_equal(st.loaded_at_ms, 1000);
}

static void test_apply_swaps_whole_or_not_at_all(void **state)
{
	(void)state;
	struct reload_diff d;
	/* Every kind of failure leaves the defaults in force. */
	const char *bad[] = {
	    file("bad-rule.conf", "rules = ( { name = \"a\"; kind = \"any\"; red = 2; } );\n"),
	    file("simulate-crash-2.conf", good_text),
	    file("missing.conf", NULL),
	    dir,
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		start_with_defaults(bad[i]);
		assert_int_equal(reload_apply(&st, 2000, "test", &d, &errs), -1);
		assert_true(errs.n > 0);
		assert_untouched();
	}
	/* Started without a file: said clearly, nothing changes. */
	start_with_defaults(NULL);
	assert_int_equal(reload_apply(&st, 2000, "test", &d, &errs), -1);
	expect_error("ffcd was started without a configuration file");
	assert_untouched();

	/* A good file: its rules, all of them, and what changed. */
	const char *p = file("apply.conf", good_text);
	start_with_defaults(p);
	st.rules[0].threshold[LEVEL_RED] = 1; /* immediate-risk as in the file */
	assert_int_equal(reload_apply(&st, 2000, "test", &d, &errs), 0);
	assert_int_equal(st.n_rules, 2);
	assert_string_equal(st.rules[1].name, "not-brought-and-absent");
	assert_int_equal(st.loaded_at_ms, 2000);
	assert_int_equal(d.n_added, 1);
	assert_string_equal(d.added[0], "not-brought-and-absent");
	assert_int_equal(d.n_changed, 0);
	assert_int_equal(d.n_removed, 5);
	assert_string_equal(d.removed[0], "multi-agency");
	assert_string_equal(d.removed[3], "repeat-missing");
	assert_string_equal(d.removed[4], "on-plan-not-seen");
	assert_int_equal(d.n_restart, 1);
	assert_string_equal(d.restart[0], "ingest.batch_max: needs a restart, ignored");
	/* The settings stay as at start: asked again, the same answer. */
	assert_int_equal(st.file.batch_max, 1024);

	/* The same file again: nothing added, changed or removed. */
	assert_int_equal(reload_apply(&st, 3000, "test", &d, &errs), 0);
	assert_int_equal(d.n_added + d.n_changed + d.n_removed, 0);
	assert_int_equal(d.n_restart, 1);
	/* A changed threshold is a changed rule. */
	file("apply.conf",
	     "ingest: { batch_max = 7; };\n"
	     "rules = ( { name = \"immediate-risk\"; kind = \"any\"; amber = 1; } );\n");
	assert_int_equal(reload_apply(&st, 4000, "test", &d, &errs), 0);
	assert_int_equal(d.n_changed, 1);
	assert_string_equal(d.changed[0], "immediate-risk");
	assert_int_equal(d.n_removed, 1);
	assert_int_equal(st.n_rules, 1);
	/* A bad edit now keeps that one rule. */
	file("apply.conf",
	     "rules = ( { name = \"immediate-risk\"; kind = \"any\"; amber = 3; } );\n");
	assert_int_equal(reload_apply(&st, 5000, "test", &d, &errs), -1);
	assert_int_equal(st.n_rules, 1);
	assert_int_equal(st.rules[0].threshold[LEVEL_AMBER], 1);
	assert_int_equal(st.loaded_at_ms, 4000);
}

static void test_compare_names_every_restart_setting(void **state)
{
	(void)state;
	struct config a, b;
	config_defaults(&a);
	config_defaults(&b);
	snprintf(b.data_dir, sizeof b.data_dir, "/srv/ffc");
	snprintf(b.ingest, sizeof b.ingest, "tcp://*:1");
	snprintf(b.alerts, sizeof b.alerts, "tcp://*:2");
	snprintf(b.control, sizeof b.control, "ipc:///x");
	b.map_size *= 2;
	b.map_size_max *= 2;
	b.backup_rate = 0;
	b.backup_commit_gap_ms = 0;
	b.max_message *= 2;
	b.batch_max++;
	b.log_level = LOG_DEBUG;
	b.log_format = LOG_FORMAT_JSON;
	struct reload_diff d;
	reload_compare(&a, a.rules, a.n_rules, &b, &d);
	assert_int_equal(d.n_added + d.n_changed + d.n_removed, 0);
	assert_int_equal(d.n_restart, 12);
	const char *names[] = {
	    "daemon.data_dir",       "daemon.log_level",      "daemon.log_format",
	    "ingest.endpoint",       "ingest.max_message_kb", "ingest.batch_max",
	    "alerts.endpoint",       "control.endpoint",      "store.map_size_mb",
	    "store.map_size_max_mb", "store.backup_mb_per_s", "store.backup_commit_gap_ms"};
	for (size_t i = 0; i < 12; i++) {
		char want[RELOAD_NOTE_MAX];
		snprintf(want, sizeof want, "%s: needs a restart, ignored", names[i]);
		assert_string_equal(d.restart[i], want);
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], RELOAD_HELPER_FLAG))
		return helper(argv[2]);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_file),
	    cmocka_unit_test(test_bad_file_every_error_at_its_line),
	    cmocka_unit_test(test_missing_file_and_directory),
	    cmocka_unit_test(test_loader_that_hangs_is_stopped),
	    cmocka_unit_test(test_loader_failures),
	    cmocka_unit_test(test_answer_round_trip_is_whole),
	    cmocka_unit_test(test_answer_short_long_or_garbled_is_refused),
	    cmocka_unit_test(test_apply_swaps_whole_or_not_at_all),
	    cmocka_unit_test(test_compare_names_every_restart_setting),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
