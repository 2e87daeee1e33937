/*
 * Unit tests for client/conn.c's look at an ipc:// control socket before
 * connecting: a socket file missing is "no daemon", one this user may not
 * open (its mode, or a directory above it) is "permission denied", not
 * the same thing. Run as root, the checks run in a child dropped to
 * nobody, since root may open anything.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ffc/ffc.h"

#define NOBODY 65534

static int call(const char *path)
{
	char ep[200];
	snprintf(ep, sizeof ep, "ipc://%s", path);
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	Ffc__V1__ControlReply *reply = NULL;
	int rc = ffc_control_call(ep, &req, &reply, 100);
	if (reply)
		ffc__v1__control_reply__free_unpacked(reply, NULL);
	return rc;
}

/* ffc_control_call(path) as an unprivileged user: its code. */
static int call_unprivileged(const char *path)
{
	if (geteuid() != 0)
		return call(path);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
			_exit(100);
		_exit(-call(path));
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 100);
	return -WEXITSTATUS(status);
}

static void make_socket(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	close(fd); /* the file stays */
}

static void test_missing_and_denied_told_apart(void **state)
{
	(void)state;
	char dir[] = "/tmp/ffc-conn-XXXXXX", sock[64], missing[64];
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof sock, "%s/control.sock", dir);
	snprintf(missing, sizeof missing, "%s/none.sock", dir);
	make_socket(sock);

	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(call_unprivileged(missing), FFC_ENODAEMON);
	/* The socket file's mode: 0600 of another user, or 000. */
	assert_int_equal(chmod(sock, geteuid() == 0 ? 0600 : 0), 0);
	assert_int_equal(call_unprivileged(sock), FFC_EPERM);
	/* A directory above it that this user may not search. */
	assert_int_equal(chmod(sock, 0666), 0);
	assert_int_equal(chmod(dir, geteuid() == 0 ? 0700 : 0), 0);
	assert_int_equal(call_unprivileged(sock), FFC_EPERM);
	assert_int_equal(call_unprivileged(missing), FFC_EPERM);
	assert_non_null(strstr(ffc_strerror(FFC_EPERM), "permission denied"));

	assert_int_equal(chmod(dir, 0700), 0);
	unlink(sock);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_and_denied_told_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
