/*
 * privdrop.c - dropping root to daemon.user (see privdrop.h). Owns the
 * decision and the system calls; main.c owns when they happen.
 */
#define _DEFAULT_SOURCE /* initgroups */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum privdrop_decision privdrop_decide(uid_t euid, const char *user, uid_t user_uid, char *err,
                                       size_t errlen)
{
	if (euid == 0 && (!user[0] || user_uid == 0)) {
		snprintf(err, errlen,
		         "running as root%s: set daemon.user to the account ffcd should run as",
		         user[0] ? " (daemon.user is root)" : " (no daemon.user)");
		return PRIVDROP_ROOT;
	}
	if (euid == 0)
		return PRIVDROP_DROP;
	if (user[0] && user_uid != euid) {
		snprintf(err, errlen,
		         "daemon.user is '%s', but ffcd was started as another user (uid %ld): "
		         "start it as root to switch, or as '%s'",
		         user, (long)euid, user);
		return PRIVDROP_WRONG_USER;
	}
	return PRIVDROP_KEEP;
}

int privdrop_plan(const char *user, struct privdrop *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	snprintf(p->user, sizeof p->user, "%s", user);
	uid_t uid = 0;
	if (user[0]) {
		struct passwd *pw = getpwnam(user);
		if (!pw) {
			snprintf(err, errlen, "daemon.user: no user '%s' on this system", user);
			return -1;
		}
		uid = pw->pw_uid;
		p->uid = pw->pw_uid;
		p->gid = pw->pw_gid;
	}
	p->decision = privdrop_decide(geteuid(), user, uid, err, errlen);
	return p->decision == PRIVDROP_WRONG_USER ? -1 : 0;
}

int privdrop_data_dir(const struct privdrop *p, const char *dir, char *err, size_t errlen)
{
	char path[1024];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	/* Directories created on the way are the user's too, or it could not
	 * pass them after the drop. */
	for (char *c = path + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		int made = mkdir(path, 0700) == 0;
		if (!made && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (made && p->decision == PRIVDROP_DROP && chown(path, p->uid, p->gid) < 0) {
			snprintf(err, errlen, "%s: chown to %s: %s", path, p->user,
			         strerror(errno));
			return -1;
		}
		*c = '/';
	}
	int made = mkdir(path, 0700) == 0;
	if (!made && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", path);
		return -1;
	}
	/* Only what ffcd made is given away: a directory that was there is
	 * the administrator's to own (given --data /var by mistake, ffcd
	 * must not take /var), and privdrop_check_dir says if the user
	 * cannot use it. */
	if (made && p->decision == PRIVDROP_DROP && chown(path, p->uid, p->gid) < 0) {
		snprintf(err, errlen, "%s: chown to %s: %s", path, p->user, strerror(errno));
		return -1;
	}
	return 0;
}

int privdrop_endpoint(const struct privdrop *p, const char *endpoint, char *err, size_t errlen)
{
	if (p->decision != PRIVDROP_DROP || strncmp(endpoint, "ipc://", 6) != 0)
		return 0;
	const char *path = endpoint + 6;
	if (path[0] == '@') /* Linux abstract namespace: no file */
		return 0;
	if (chown(path, p->uid, p->gid) < 0) {
		snprintf(err, errlen, "%s: chown to %s: %s", path, p->user, strerror(errno));
		return -1;
	}
	return 0;
}

int privdrop_apply(const struct privdrop *p, char *err, size_t errlen)
{
	if (p->decision != PRIVDROP_DROP)
		return 0;
	/* Groups first: once the uid is gone, so is the right to change them. */
	if (initgroups(p->user, p->gid) < 0 || setgid(p->gid) < 0 || setuid(p->uid) < 0) {
		snprintf(err, errlen, "dropping to %s: %s", p->user, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0 || geteuid() != p->uid || getuid() != p->uid || getegid() != p->gid ||
	    getgid() != p->gid) {
		snprintf(err, errlen, "dropping to %s: root could be regained; refusing to run",
		         p->user);
		return -1;
	}
	return 0;
}

int privdrop_check_dir(const struct privdrop *p, const char *dir, char *err, size_t errlen)
{
	if (p->decision != PRIVDROP_DROP || access(dir, R_OK | W_OK | X_OK) == 0)
		return 0;
	snprintf(err, errlen,
	         "%s: not usable by %s: %s (every directory on its path must let %s through)", dir,
	         p->user, strerror(errno), p->user);
	return -1;
}
