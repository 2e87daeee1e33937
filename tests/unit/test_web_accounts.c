/*
 * Unit tests for ffc-web's accounts file (web_accounts.c): a good file
 * read whole, every kind of bad line refused at its line, the file's mode
 * and owner checked, saving by rename, and Argon2id passwords.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "web_accounts.h"

static char hash[WEB_HASH_MAX];
static char dir[1024];

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || web_password_hash("correct horse battery", hash) < 0)
		return -1;
	const char *base = getenv("FFC_TEST_TMP");
	if (!base || !base[0])
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(dir, sizeof dir, "%s/ffc-web-accounts.XXXXXX", base);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[1100];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int parse(const char *text, struct web_accounts *a, char *err)
{
	return web_accounts_parse(text, strlen(text), "accounts", a, err, 256);
}

static void test_good_file(void **state)
{
	(void)state;
	char text[2048], err[256] = "";
	snprintf(text, sizeof text,
	         "# accounts\n\nsam.jones:practitioner:%s\r\n"
	         "  # not a comment at column 0 is a bad line, so none here\n",
	         hash);
	struct web_accounts a = {0};
	assert_int_equal(parse(text, &a, err), -1);
	assert_string_equal(err, "accounts:4: expected NAME:ROLE:HASH");
	snprintf(
	    text, sizeof text,
	    "# "
	    "accounts\n\nsam.jones:practitioner:%s\r\nA.Admin@la.gov.uk:admin:%s\nv_1-x:viewer:%s",
	    hash, hash, hash);
	assert_int_equal(parse(text, &a, err), 0);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.v[0].name, "sam.jones");
	assert_int_equal(a.v[0].role, WEB_PRACTITIONER);
	assert_int_equal(web_accounts_find(&a, "A.Admin@la.gov.uk")->role, WEB_ADMIN);
	assert_int_equal(web_accounts_find(&a, "v_1-x")->role, WEB_VIEWER);
	assert_null(web_accounts_find(&a, "sam"));
	/* Formatted and read back: the same accounts. */
	char *again = web_accounts_format(&a);
	struct web_accounts b = {0};
	assert_int_equal(parse(again, &b, err), 0);
	assert_int_equal(b.n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(a.v[i].name, b.v[i].name);
		assert_int_equal(a.v[i].role, b.v[i].role);
		assert_string_equal(a.v[i].hash, b.v[i].hash);
	}
	free(again);
	/* Changed, added, removed. */
	assert_int_equal(web_accounts_set(&b, "sam.jones", WEB_ADMIN, hash), 0);
	assert_int_equal(web_accounts_set(&b, "new", WEB_VIEWER, hash), 0);
	assert_int_equal(b.n, 4);
	assert_int_equal(web_accounts_find(&b, "sam.jones")->role, WEB_ADMIN);
	assert_int_equal(web_accounts_remove(&b, "v_1-x"), 0);
	assert_int_equal(web_accounts_remove(&b, "v_1-x"), -1);
	assert_int_equal(b.n, 3);
	assert_string_equal(b.v[2].name, "new");
	web_accounts_free(&a);
	web_accounts_free(&b);
	web_accounts_free(&b); /* twice: safe */
	/* Empty: no accounts. */
	assert_int_equal(parse("", &a, err), 0);
	assert_int_equal(a.n, 0);
}

static void test_bad_lines_refused_at_their_line(void **state)
{
	(void)state;
	char good[256], text[4096], err[256];
	snprintf(good, sizeof good, "sam:viewer:%s\n", hash);
	static const struct {
		const char *line, *why;
	} cases[] = {
	    {"sam viewer", "expected NAME:ROLE:HASH"},
	    {":viewer:x", "the name must be 1 to 63 characters"},
	    {"sam jones:viewer:HASH", "the name may hold only letters, digits and . _ - @"},
	    {"s\xc3\xa9:viewer:HASH", "the name may hold only letters, digits and . _ - @"},
	    {"a234567890123456789012345678901234567890123456789012345678901234:viewer:HASH",
	     "the name must be 1 to 63 characters"},
	    {"pat:root:HASH", "'root' is not a role (viewer, practitioner or admin)"},
	    {"pat:Viewer:HASH", "'Viewer' is not a role (viewer, practitioner or admin)"},
	    {"pat::HASH", "'' is not a role (viewer, practitioner or admin)"},
	    {"pat:viewer:", "the password hash is not an Argon2id hash"},
	    {"pat:viewer:secret", "the password hash is not an Argon2id hash"},
	    {"pat:viewer:$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
	     "the password hash is not an Argon2id hash"},
	    {"pat:viewer:$argon2id$v=19$m=65536,t=2,p=1$broken", "not an Argon2id hash"},
	    {"sam:admin:HASH", "'sam' is listed twice"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char line[512];
		snprintf(line, sizeof line, "%s", cases[i].line);
		char *h = strstr(line, "HASH");
		if (h)
			snprintf(h, sizeof line - (size_t)(h - line), "%s", hash);
		snprintf(text, sizeof text, "# x\n%s%s\n", good, line);
		struct web_accounts a = {0};
		assert_int_equal(web_accounts_set(&a, "keep", WEB_ADMIN, hash), 0);
		memset(err, 0, sizeof err);
		if (parse(text, &a, err) != -1)
			fail_msg("accepted: %s", cases[i].line);
		if (strncmp(err, "accounts:3: ", 12) || !strstr(err, cases[i].why))
			fail_msg("%s: got '%s'", cases[i].line, err);
		/* Nothing replaced on failure. */
		assert_int_equal(a.n, 1);
		assert_string_equal(a.v[0].name, "keep");
		web_accounts_free(&a);
	}
	/* A NUL byte, a line too long. */
	struct web_accounts a = {0};
	assert_int_equal(web_accounts_parse("sam\0:viewer:x\n", 14, "f", &a, err, sizeof err), -1);
	assert_string_equal(err, "f:1: a NUL byte");
	char *long_line = malloc(WEB_LINE_MAX + 10);
	memset(long_line, 'a', WEB_LINE_MAX + 9);
	long_line[WEB_LINE_MAX + 9] = '\0';
	assert_int_equal(parse(long_line, &a, err), -1);
	assert_string_equal(err, "accounts:1: a line over 512 bytes");
	free(long_line);
}

static void path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void test_load_checks_mode_and_owner_and_save_renames(void **state)
{
	(void)state;
	char path[1200], err[512];
	path_in(path, sizeof path, "accounts");
	struct web_accounts a = {0};
	/* Missing: an error, or an empty list when that is fine (passwd). */
	assert_int_equal(web_accounts_load(path, 0, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(web_accounts_load(path, 1, &a, err, sizeof err), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(web_accounts_set(&a, "sam", WEB_PRACTITIONER, hash), 0);
	assert_int_equal(web_accounts_save(path, &a, err, sizeof err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	struct web_accounts b = {0};
	assert_int_equal(web_accounts_load(path, 0, &b, err, sizeof err), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.v[0].role, WEB_PRACTITIONER);
	/* Readable by others: refused, saying how to fix it. */
	chmod(path, 0640);
	assert_int_equal(web_accounts_load(path, 0, &b, err, sizeof err), -1);
	assert_non_null(strstr(err, "mode 640 lets others read the password hashes (chmod 600"));
	chmod(path, 0600);
	/* Another user's file. */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(web_accounts_load(path, 0, &b, err, sizeof err), -1);
		assert_non_null(strstr(err, "owned by uid 65534, not by this user"));
		assert_int_equal(chown(path, 0, 0), 0);
	}
	/* Not a regular file; a symbolic link is not followed. */
	char other[1200];
	path_in(other, sizeof other, "dir");
	mkdir(other, 0700);
	assert_int_equal(web_accounts_load(other, 0, &b, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a regular file"));
	path_in(other, sizeof other, "link");
	assert_int_equal(symlink(path, other), 0);
	assert_int_equal(web_accounts_load(other, 0, &b, err, sizeof err), -1);
	/* A bad file names its line. */
	FILE *f = fopen(path, "w");
	fprintf(f, "# one\nsam:boss:%s\n", hash);
	fclose(f);
	assert_int_equal(web_accounts_load(path, 0, &b, err, sizeof err), -1);
	assert_non_null(strstr(err, "accounts:2: 'boss' is not a role"));
	/* Saved into a directory that is not there: said, nothing written. */
	path_in(other, sizeof other, "no/such/accounts");
	assert_int_equal(web_accounts_save(other, &a, err, sizeof err), -1);
	web_accounts_free(&a);
	web_accounts_free(&b);
}

static void test_passwords(void **state)
{
	(void)state;
	assert_true(web_password_verify(hash, "correct horse battery"));
	assert_false(web_password_verify(hash, "correct horse batterY"));
	assert_false(web_password_verify(hash, ""));
	assert_false(web_password_verify("not a hash", "correct horse battery"));
	char other[WEB_HASH_MAX];
	assert_int_equal(web_password_hash("correct horse battery", other), 0);
	assert_string_not_equal(other, hash); /* salted */
	assert_int_equal(strncmp(other, "$argon2id$", 10), 0);
	assert_null(web_password_problem("long enough, really"));
	assert_string_equal(web_password_problem("short"), "shorter than 10 characters");
	assert_string_equal(web_password_problem("with a\ttab inside"),
	                    "holds a control character");
	char big[300];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_string_equal(web_password_problem(big), "longer than 256 bytes");
	assert_int_equal(web_role_parse("admin"), WEB_ADMIN);
	assert_int_equal(web_role_parse("ADMIN"), 0);
	assert_string_equal(web_role_name(WEB_VIEWER), "viewer");
	assert_string_equal(web_role_name((enum web_role)9), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_file),
	    cmocka_unit_test(test_bad_lines_refused_at_their_line),
	    cmocka_unit_test(test_load_checks_mode_and_owner_and_save_renames),
	    cmocka_unit_test(test_passwords),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
