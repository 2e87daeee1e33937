/*
 * Unit tests for log.c: the limit on lines a peer can cause (at most one a
 * second per kind, the next one saying how many were left out, each kind
 * on its own, a clock that stepped back never silencing a kind); the three
 * forms of a line (text, journal, json) as written to a file; JSON that
 * stays JSON whatever bytes a message holds; lines held and written
 * together; and recognising journald's stream from JOURNAL_STREAM.
 */
/* cmocka needs these before its own header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "testutil.h"

/* Lines are written to a scratch file, read back by captured(). */
static int fd = -1;
static char *dir;
static char path[1200];

static int setup(void **state)
{
	(void)state;
	dir = test_tmpdir("ffc-log");
	snprintf(path, sizeof path, "%s/log", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -1;
	log_set_fd(fd);
	log_set_level(LOG_INFO);
	log_set_format(LOG_FORMAT_TEXT);
	log_set_journal(0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_set_fd(STDERR_FILENO);
	log_set_format(LOG_FORMAT_TEXT);
	log_set_journal(0);
	close(fd);
	unlink(path);
	rmdir(dir);
	free(dir);
	return 0;
}

/* Everything written since the last call (the file is emptied). */
static char *captured(void)
{
	static char buf[65536];
	off_t end = lseek(fd, 0, SEEK_END);
	assert_true(end >= 0 && (size_t)end < sizeof buf);
	assert_int_equal(pread(fd, buf, (size_t)end, 0), end);
	buf[end] = '\0';
	assert_int_equal(ftruncate(fd, 0), 0);
	lseek(fd, 0, SEEK_SET);
	return buf;
}

static void test_once_a_second(void **state)
{
	(void)state;
	struct log_limit l = {0};
	assert_int_equal(log_limit_msg(&l, 5000, LOG_WARN, "refused %d", 1), 1);
	assert_int_equal(log_limit_msg(&l, 5001, LOG_WARN, "refused %d", 2), 0);
	assert_int_equal(log_limit_msg(&l, 5999, LOG_WARN, "refused %d", 3), 0);
	assert_int_equal(l.unlogged, 2);
	assert_int_equal(log_limit_msg(&l, 6000, LOG_WARN, "refused %d", 4), 1);
	assert_int_equal(l.unlogged, 0);
	assert_int_equal(l.logged_at_ms, 6000);
	char *out = captured();
	assert_non_null(strstr(out, "WARN: refused 1\n"));
	assert_non_null(
	    strstr(out, "WARN: refused 4 (2 more like it since the last one logged)\n"));
	assert_null(strstr(out, "refused 2"));

	/* Another kind is counted on its own. */
	struct log_limit other = {0};
	assert_int_equal(log_limit_msg(&other, 6001, LOG_WARN, "cut"), 1);

	/* The clock stepped back: log at once rather than wait for it. */
	assert_int_equal(log_limit_msg(&l, 100, LOG_WARN, "refused"), 1);
	assert_int_equal(l.logged_at_ms, 100);

	/* Above the level set: nothing written, but counted as written. */
	log_set_level(LOG_ERROR);
	struct log_limit quiet = {0};
	captured();
	assert_int_equal(log_limit_msg(&quiet, 100, LOG_WARN, "x"), 1);
	assert_string_equal(captured(), "");
}

static void test_text(void **state)
{
	(void)state;
	log_info("ingest: batch of %d", 3);
	log_debug("not at info");
	char *out = captured();
	/* 2026-11-22T16:30:00.123Z ffcd[1234] INFO: ingest: batch of 3 */
	char want[64];
	snprintf(want, sizeof want, "Z ffcd[%ld] INFO: ingest: batch of 3\n", (long)getpid());
	assert_int_equal(strlen(out), 23 + strlen(want));
	assert_string_equal(out + 23, want);
	assert_true(out[4] == '-' && out[10] == 'T' && out[19] == '.');

	/* A peer's bytes in a message cannot start a line of their own. */
	log_warn("concern '%s'", "a\nb\r\x1b[31m");
	out = captured();
	assert_non_null(strstr(out, "WARN: concern 'a?b??[31m'\n"));
	assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);
}

static void test_journal(void **state)
{
	(void)state;
	log_set_journal(1);
	log_set_level(LOG_DEBUG);
	log_error("e");
	log_warn("w %d", 1);
	log_info("i");
	log_debug("d");
	/* The priority, and no time, program or level of our own. */
	assert_string_equal(captured(), "<3>e\n<4>w 1\n<6>i\n<7>d\n");
	struct log_limit l = {.logged_at_ms = 1000, .unlogged = 5};
	log_limit_msg(&l, 3000, LOG_WARN, "cut");
	assert_string_equal(captured(), "<4>cut (5 more like it since the last one logged)\n");
}

/* The line after its timestamp: {"ts":"2026-11-22T16:30:00.123Z", */
static const char *after_ts(const char *line)
{
	assert_memory_equal(line, "{\"ts\":\"", 7);
	assert_int_equal(line[7 + 24], '"');
	assert_int_equal(line[7 + 23], 'Z');
	return line + 7 + 25;
}

static void test_json(void **state)
{
	(void)state;
	log_set_format(LOG_FORMAT_JSON);
	char want[512];
	log_info("store: %s", "opened");
	snprintf(want, sizeof want,
	         ",\"level\":\"info\",\"msg\":\"store: opened\",\"fields\":{\"program\":\"ffcd\","
	         "\"pid\":%ld}}\n",
	         (long)getpid());
	assert_string_equal(after_ts(captured()), want);

	/* Quotes, backslashes and control characters escaped; UTF-8 kept;
	 * bytes that are not UTF-8 (a stray continuation, an overlong form, a
	 * surrogate, past U+10FFFF, a sequence cut short) become U+FFFD. */
	log_warn(
	    "%s",
	    "\"q\" \\ \t\n\x01\x7f é € 😀 \x80 \xc0\xaf \xed\xa0\x80 \xf5\x80\x80\x80 \xe2\x82");
	snprintf(want, sizeof want,
	         ",\"level\":\"warn\",\"msg\":\"\\\"q\\\" \\\\ \\t\\n\\u0001\\u007f é € 😀 "
	         "\\ufffd \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd\\ufffd "
	         "\\ufffd\\ufffd\","
	         "\"fields\":{\"program\":\"ffcd\",\"pid\":%ld}}\n",
	         (long)getpid());
	assert_string_equal(after_ts(captured()), want);

	/* A kind's left-out lines are a field. */
	struct log_limit l = {.logged_at_ms = 1000, .unlogged = 7};
	log_limit_msg(&l, 3000, LOG_ERROR, "refused");
	snprintf(want, sizeof want,
	         ",\"level\":\"error\",\"msg\":\"refused\",\"fields\":{\"program\":\"ffcd\","
	         "\"pid\":%ld,\"left_out\":7}}\n",
	         (long)getpid());
	assert_string_equal(after_ts(captured()), want);

	/* Under journald the priority comes first. */
	log_set_journal(1);
	log_info("x");
	char *out = captured();
	assert_memory_equal(out, "<6>{\"ts\":", 9);

	/* A message cut at its limit, full of bytes to escape, is still one
	 * whole object on one line. */
	log_set_journal(0);
	char big[4096];
	memset(big, '"', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	log_info("%s", big);
	out = captured();
	size_t n = strlen(out);
	assert_true(n > 4000);
	assert_string_equal(out + n - 3, "}}\n");
	assert_int_equal(strchr(out, '\n') - out, (long)n - 1);
	assert_non_null(strstr(out, "\\\"\",\"fields\":{"));
}

/* Lines held are written at the flush, whole and in order; past what one
 * write may carry to a pipe whole, the lines held so far go out first. */
static void test_hold(void **state)
{
	(void)state;
	log_hold();
	log_info("alert A%08d", 1);
	log_info("alert A%08d", 2);
	assert_string_equal(captured(), "");
	log_flush();
	char *got = captured();
	assert_non_null(strstr(got, "INFO: alert A00000001\n"));
	assert_non_null(strstr(got, "INFO: alert A00000002\n"));
	assert_true(strstr(got, "A00000001") < strstr(got, "A00000002"));
	/* Not held after the flush. */
	log_info("after");
	assert_non_null(strstr(captured(), "INFO: after\n"));

	log_hold();
	for (int i = 0; i < 400; i++)
		log_info("evidence for alert A%08d", i);
	/* Some went out already, each a whole line. */
	got = captured();
	size_t early = strlen(got);
	assert_true(early > 0 && early <= 400 * 80);
	assert_int_equal(got[early - 1], '\n');
	log_flush();
	got = captured();
	assert_non_null(strstr(got, "evidence for alert A00000399\n"));
	assert_null(strstr(got, "evidence for alert A00000000\n"));
}

static void test_format_names(void **state)
{
	(void)state;
	enum log_format f = LOG_FORMAT_TEXT;
	assert_int_equal(log_format_parse("JSON", &f), 0);
	assert_int_equal(f, LOG_FORMAT_JSON);
	assert_int_equal(log_format_parse("text", &f), 0);
	assert_int_equal(f, LOG_FORMAT_TEXT);
	assert_int_equal(log_format_parse("syslog", &f), -1);
	assert_int_equal(log_format_parse("", &f), -1);
}

static void test_journal_stream(void **state)
{
	(void)state;
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	char v[96];
	snprintf(v, sizeof v, "%llu:%llu", (unsigned long long)st.st_dev,
	         (unsigned long long)st.st_ino);
	assert_int_equal(log_journal_stream(v, fd), 1);
	/* Another file: a stream inherited, stderr since redirected. */
	snprintf(v, sizeof v, "%llu:%llu", (unsigned long long)st.st_dev,
	         (unsigned long long)st.st_ino + 1);
	assert_int_equal(log_journal_stream(v, fd), 0);
	static const char *const bad[] = {
	    "", ":", "1:", ":2", "12", "1:2x", "x1:2", "-1:2", "1: 2", "99999999999999999999999:1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(log_journal_stream(bad[i], fd), 0);
	assert_int_equal(log_journal_stream(NULL, fd), 0);
	/* A descriptor that is not open. */
	assert_int_equal(log_journal_stream("1:1", 1000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_once_a_second, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_journal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hold, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_format_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_journal_stream, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
