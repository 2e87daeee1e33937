/*
 * privdrop.h - running as a daemon should: deciding whether to drop root,
 * preparing what must exist before the drop, and dropping for good.
 *
 * The order main.c follows when started as root with daemon.user set:
 * create the data directory when missing (0700, owned by the user; one
 * that exists is left as it is, and must be usable by the user), bind
 * every socket,
 * hand the ipc socket files to the user, drop (initgroups, setgid,
 * setuid; then check that root cannot be regained), and only then open
 * the store, so every file of the store and its lock belong to the user.
 * Started as root without daemon.user (development on one machine, CI),
 * ffcd runs as root and warns at every start that it does: production
 * sets daemon.user (conf/ffcd.conf), as a daemon parsing input from the
 * network must not hold special category data as root.
 */
#ifndef FFC_PRIVDROP_H
#define FFC_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

enum privdrop_decision {
	PRIVDROP_KEEP = 0,   /* not root, no user (or the user is us): run as we are */
	PRIVDROP_DROP,       /* root with a user: drop to it */
	PRIVDROP_ROOT,       /* root without a user (or the user is root): run, warning */
	PRIVDROP_WRONG_USER, /* not root, and daemon.user names someone else: refuse */
};

/* The decision, from plain values (unit-tested): euid the effective user,
 * user daemon.user ("" none), user_uid the uid daemon.user names (when
 * set). For PRIVDROP_ROOT and PRIVDROP_WRONG_USER a message in err (the
 * warning to log, or why ffcd refuses). */
enum privdrop_decision privdrop_decide(uid_t euid, const char *user, uid_t user_uid, char *err,
                                       size_t errlen);

struct privdrop {
	enum privdrop_decision decision;
	char user[64];
	uid_t uid;
	gid_t gid;
};

/* Look daemon.user up and decide for the running process. Returns 0
 * (PRIVDROP_ROOT: with the warning in err), or -1 with a message (another
 * user than daemon.user, or an unknown user). */
int privdrop_plan(const char *user, struct privdrop *p, char *err, size_t errlen);

/* mkdir -p dir (each directory created 0700); when dropping, every
 * directory created here, the data directory among them, is given to the
 * user. A directory that already existed is never chowned nor chmodded.
 * Returns 0 or -1 with a message. */
int privdrop_data_dir(const struct privdrop *p, const char *dir, char *err, size_t errlen);

/* When dropping, give an ipc:// endpoint's socket file to the user (so it
 * stays usable and removable after the drop). Other endpoints: nothing.
 * Returns 0, or -1 with err naming the file and the system's reason. */
int privdrop_endpoint(const struct privdrop *p, const char *endpoint, char *err, size_t errlen);

/* Drop to the user for good (when the decision is to drop): supplementary
 * groups, gid, uid, then check root cannot be had back. Returns 0 (also
 * when there is nothing to drop), or -1 with err naming the step that
 * failed: the process must then exit, since it may be half dropped. */
int privdrop_apply(const struct privdrop *p, char *err, size_t errlen);

/* After the drop: can the user use the data directory? -1 with a message
 * naming the likely cause (a directory on the path it cannot pass). */
int privdrop_check_dir(const struct privdrop *p, const char *dir, char *err, size_t errlen);

#endif
