/*
 * Unit tests for privdrop.c: whether to drop root, warn or refuse, from
 * plain values; the data directory made 0700 (nested too) with nothing
 * given away when there is nothing to drop to.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "privdrop.h"
#include "testutil.h"

static void test_decide(void **state)
{
	(void)state;
	char err[256] = "";
	/* Root with a user: drop. */
	assert_int_equal(privdrop_decide(0, "ffc", 999, err, sizeof err), PRIVDROP_DROP);
	/* Root without one, or with root itself: run, warning. */
	assert_int_equal(privdrop_decide(0, "", 0, err, sizeof err), PRIVDROP_ROOT);
	assert_non_null(strstr(err, "running as root (no daemon.user)"));
	assert_int_equal(privdrop_decide(0, "root", 0, err, sizeof err), PRIVDROP_ROOT);
	assert_non_null(strstr(err, "daemon.user is root"));
	/* Not root: as we are, when the user is us or not set. */
	assert_int_equal(privdrop_decide(1000, "", 0, err, sizeof err), PRIVDROP_KEEP);
	assert_int_equal(privdrop_decide(1000, "ffc", 1000, err, sizeof err), PRIVDROP_KEEP);
	/* Not root and someone else named: refuse, saying why. */
	assert_int_equal(privdrop_decide(1000, "ffc", 999, err, sizeof err), PRIVDROP_WRONG_USER);
	assert_non_null(strstr(err, "daemon.user is 'ffc', but ffcd was started as another user"));
}

static void test_plan_unknown_user(void **state)
{
	(void)state;
	struct privdrop p;
	char err[256];
	assert_int_equal(privdrop_plan("no-such-user-ffc", &p, err, sizeof err), -1);
	assert_non_null(strstr(err, "no user 'no-such-user-ffc'"));
}

static void test_data_dir(void **state)
{
	(void)state;
	char *base = test_tmpdir("ffc-privdrop");
	char dir[1200], err[256];
	snprintf(dir, sizeof dir, "%s/a/b", base);
	struct privdrop keep = {.decision = PRIVDROP_KEEP};
	mode_t old = umask(0);
	assert_int_equal(privdrop_data_dir(&keep, dir, err, sizeof err), 0);
	umask(old);
	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Existing: fine. A file in the way: an error naming it. */
	assert_int_equal(privdrop_data_dir(&keep, dir, err, sizeof err), 0);
	char file[1300];
	snprintf(file, sizeof file, "%s/f", dir);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(privdrop_data_dir(&keep, file, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a directory"));
	/* Nothing to give away, nothing to drop: no-ops. */
	assert_int_equal(privdrop_endpoint(&keep, "ipc:///nonexistent/x.sock", err, sizeof err), 0);
	assert_int_equal(privdrop_apply(&keep, err, sizeof err), 0);
	assert_int_equal(privdrop_check_dir(&keep, "/nonexistent", err, sizeof err), 0);
	unlink(file);
	rmdir(dir);
	snprintf(dir, sizeof dir, "%s/a", base);
	rmdir(dir);
	rmdir(base);
	free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decide),
	    cmocka_unit_test(test_plan_unknown_user),
	    cmocka_unit_test(test_data_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
