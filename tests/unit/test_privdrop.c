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

/* Dropping: what privdrop_data_dir made is given to the user; what was
 * there stays its owner's, with its mode. Needs root (chown). */
static void test_data_dir_existing_never_chowned(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	char *base = test_tmpdir("ffc-privdrop");
	char made[1200], err[256];
	struct privdrop drop = {
	    .decision = PRIVDROP_DROP, .user = "ffc-test", .uid = 4242, .gid = 4243};
	assert_int_equal(chmod(base, 0755), 0);
	/* The data directory exists: used as it is. */
	assert_int_equal(privdrop_data_dir(&drop, base, err, sizeof err), 0);
	struct stat st;
	assert_int_equal(stat(base, &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	/* Made here, with a directory made on the way: both the user's, 0700;
	 * the existing one above them still untouched. */
	snprintf(made, sizeof made, "%s/a/data", base);
	mode_t old = umask(0);
	assert_int_equal(privdrop_data_dir(&drop, made, err, sizeof err), 0);
	umask(old);
	assert_int_equal(stat(made, &st), 0);
	assert_true(st.st_uid == 4242 && st.st_gid == 4243 && (st.st_mode & 0777) == 0700);
	char mid[1200];
	snprintf(mid, sizeof mid, "%s/a", base);
	assert_int_equal(stat(mid, &st), 0);
	assert_true(st.st_uid == 4242 && (st.st_mode & 0777) == 0700);
	assert_int_equal(stat(base, &st), 0);
	assert_int_equal(st.st_uid, 0);
	/* Run again, all of it exists now: nothing changes hands back. */
	assert_int_equal(chown(made, 0, 0), 0);
	assert_int_equal(privdrop_data_dir(&drop, made, err, sizeof err), 0);
	assert_int_equal(stat(made, &st), 0);
	assert_int_equal(st.st_uid, 0);
	rmdir(made);
	rmdir(mid);
	rmdir(base);
	free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decide),
	    cmocka_unit_test(test_plan_unknown_user),
	    cmocka_unit_test(test_data_dir),
	    cmocka_unit_test(test_data_dir_existing_never_chowned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
