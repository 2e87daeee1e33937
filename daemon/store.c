/*
 * store.c - the LMDB environment: opening and locking it, growing the map,
 * transactions and savepoints, store_write() (the one way to run a write
 * to its commit), the record helpers the tables' files share, and backup.
 *
 * Owns the environment, the list of tables and the map size. Each family
 * of tables has its own file behind store.h: store_concerns.c (concerns
 * and timelines), store_children.c (children, identities, households,
 * identity events), store_alerts.c (alerts, their indexes, histories and
 * lead practitioners), store_audit.c, store_matches.c, store_counters.c.
 * Does not decide which child a concern belongs to or whether an alert is
 * due (link.c, lifecycle.c); record encoding is wire.c's.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store_int.h"

/* The layout of the store's values, kept in meta under "format". 1: a
 * timeline entry is three bytes of facts (a fourth when withdrawn). 2: the
 * entry also carries the concern's id (store_int.h). A store of an older
 * format is migrated when opened; one of a newer format is refused. */
#define STORE_FORMAT 2

static const struct {
	const char *name;
	unsigned flags;
} db_defs[DB_COUNT] = {
    [DB_META] = {"meta", 0},
    [DB_CONCERNS] = {"concerns", 0},
    [DB_CONCERN_IDS] = {"concern_ids", 0},
    [DB_CHILDREN] = {"children", 0},
    [DB_IDENTITIES] = {"identities", 0},
    [DB_DEMOGRAPHICS] = {"demographics", MDB_DUPSORT},
    [DB_TIMELINE] = {"timeline", 0},
    [DB_ALERTS] = {"alerts", 0},
    [DB_OPEN_ALERTS] = {"open_alerts", 0},
    [DB_CHILD_ALERTS] = {"child_alerts", 0},
    [DB_IDENTITY_EVENTS] = {"identity_events", 0},
    [DB_CHILD_EVENTS] = {"child_events", 0},
    [DB_HOUSEHOLDS] = {"households", MDB_DUPSORT},
    [DB_COUNTERS] = {"counters", 0},
    [DB_MATCH_NAMES] = {"match_names", MDB_DUPSORT},
    [DB_MATCHES] = {"matches", 0},
    [DB_AUDIT] = {"audit", 0},
    [DB_CHILD_AUDIT] = {"child_audit", 0},
    [DB_ALERT_EVENTS] = {"alert_events", 0},
    [DB_ALERTS_DUE] = {"alerts_due", 0},
    [DB_ALERTS_OVERDUE] = {"alerts_overdue", 0},
    [DB_ASSIGNMENTS] = {"assignments", 0},
};

const char *store_db_name(enum dbi db)
{
	return db_defs[db].name;
}

/* ---- results ---- */

/* Free space under which an I/O error is taken for a full disk. */
#define STORE_FULL_SLACK (UINT64_C(1) << 20)

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A disk that is full and one that fails call for different people: an
 * operator freeing space, or a hardware fault. Both are remembered for
 * `ffcctl status` and said apart in the log. */
static int fault(struct store *s, int rc, const char *what)
{
	/* LMDB reports a write the filesystem cut short as EIO, and a full
	 * disk cuts the write that fills it short: EIO with next to no space
	 * left is a full disk, not a failing one. */
	struct statvfs fs;
	int nearly_full = rc == EIO && statvfs(s->path, &fs) == 0 &&
	                  (uint64_t)fs.f_bavail * fs.f_frsize < STORE_FULL_SLACK;
	int disk_full = rc == ENOSPC || rc == EDQUOT || nearly_full;
	s->fault.last = disk_full ? STORE_DISK_FULL : STORE_IO_ERROR;
	s->fault.at_ms = wall_ms();
	if (disk_full) {
		s->fault.disk_full++;
		s->fault.disk_full_at_ms = s->fault.at_ms;
		log_error("store: %s: disk full in %s (%s)", what, s->path, mdb_strerror(rc));
		return STORE_DISK_FULL;
	}
	log_error("store: %s: I/O error in %s (%s)", what, s->path, mdb_strerror(rc));
	return STORE_IO_ERROR;
}

int store_result(struct store *s, int rc, const char *what)
{
	switch (rc) {
	case MDB_SUCCESS:
		return STORE_OK;
	case MDB_NOTFOUND:
		return STORE_NOTFOUND;
	case MDB_KEYEXIST:
		return STORE_EXISTS;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
		return STORE_FULL;
	case ENOSPC:
	case EDQUOT:
	case EIO:
		return fault(s, rc, what);
	default:
		log_error("store: %s: %s", what, mdb_strerror(rc));
		return STORE_ERROR;
	}
}

int store_injected(struct store *s)
{
	if (!s->inject_n)
		return 0;
	s->inject_n--;
	return s->inject_errno;
}

int store_get_u64(struct store_txn *t, enum dbi db, const void *k, size_t klen, uint64_t *v)
{
	MDB_val val;
	int rc = get(t, db, k, klen, &val);
	if (rc != STORE_OK)
		return rc;
	if (val.mv_size != 8) {
		log_error("store: %s: malformed value", store_db_name(db));
		return STORE_ERROR;
	}
	*v = get_u64(val.mv_data);
	return STORE_OK;
}

uint64_t store_last_key(struct store_txn *t, enum dbi db)
{
	MDB_cursor *c;
	MDB_val k, v;
	uint64_t last = 0;
	if (mdb_cursor_open(t->txn, t->s->dbi[db], &c) != MDB_SUCCESS)
		return 0;
	if (mdb_cursor_get(c, &k, &v, MDB_LAST) == MDB_SUCCESS && k.mv_size == 8)
		last = get_u64(k.mv_data);
	mdb_cursor_close(c);
	return last;
}

/* ---- environment ---- */

/* One daemon per store: an exclusive flock on the data directory itself,
 * which cannot be deleted or replaced while it holds the store (a lock
 * file could be, and a second daemon would then lock a new one). The
 * lock lives as long as the descriptor, across the drop of privileges.
 * ffcd.lock is kept beside the store as a note of the holder's pid for
 * operators; nothing relies on it. */
static int lock_dir(const char *dir, long owner_uid, long owner_gid, char *err, size_t errlen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, "%s: %s", dir,
		         errno == EWOULDBLOCK ? "another ffcd is using this data directory"
		                              : strerror(errno));
		close(fd);
		return -1;
	}
	char path[1100];
	snprintf(path, sizeof path, "%s/ffcd.lock", dir);
	int pid_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (pid_fd < 0) {
		log_warn("store: could not write pid to %s: %s", path, strerror(errno));
		return fd;
	}
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (write(pid_fd, pid, (size_t)n) != n)
		log_warn("store: could not write pid to %s", path);
	if (owner_uid >= 0 && fchown(pid_fd, (uid_t)owner_uid, (gid_t)owner_gid) < 0) {
		snprintf(err, errlen, "%s: chown: %s", path, strerror(errno));
		close(pid_fd);
		close(fd);
		return -1;
	}
	close(pid_fd);
	return fd;
}

/* Open the tables and bring the store to STORE_FORMAT: a new store is
 * marked with it, an older one migrated (STORE_FULL when the map must grow
 * first), a newer one refused. Returns STORE_OK, STORE_FULL or -1 with err
 * set. */
static int open_format(struct store *s, char *err, size_t errlen)
{
	struct store_txn t = {.s = s, .write = 1};
	int rc = mdb_txn_begin(s->env, NULL, 0, &t.txn);
	if (rc != MDB_SUCCESS) {
		snprintf(err, errlen, "%s: %s", s->path, mdb_strerror(rc));
		return -1;
	}
	for (int i = 0; i < DB_COUNT; i++) {
		rc =
		    mdb_dbi_open(t.txn, db_defs[i].name, MDB_CREATE | db_defs[i].flags, &s->dbi[i]);
		if (rc != MDB_SUCCESS) {
			snprintf(err, errlen, "%s: opening %s: %s", s->path, db_defs[i].name,
			         mdb_strerror(rc));
			mdb_txn_abort(t.txn);
			return -1;
		}
	}
	/* Absent is format 1 (the only format before the key was read). */
	MDB_val v;
	long format = 1;
	rc = get(&t, DB_META, "format", 6, &v);
	if (rc == STORE_OK) {
		char text[17];
		size_t len = v.mv_size < sizeof text - 1 ? v.mv_size : sizeof text - 1;
		memcpy(text, v.mv_data, len);
		text[len] = '\0';
		char *end;
		format = strtol(text, &end, 10);
		if (len == 0 || *end || len != v.mv_size || format < 1) {
			snprintf(err, errlen,
			         "%s: store format '%s' is not one this ffcd reads (%d)", s->path,
			         text, STORE_FORMAT);
			mdb_txn_abort(t.txn);
			return -1;
		}
		if (format > STORE_FORMAT) {
			snprintf(err, errlen,
			         "%s: store format %ld is newer than this ffcd (%d); upgrade ffcd",
			         s->path, format, STORE_FORMAT);
			mdb_txn_abort(t.txn);
			return -1;
		}
	} else if (rc != STORE_NOTFOUND) {
		format = 0;
	}
	if (format == 1)
		rc = store_timeline_migrate(&t);
	if (format == 1 && rc == STORE_OK) {
		char text[16];
		int len = snprintf(text, sizeof text, "%d", STORE_FORMAT);
		rc = put(&t, DB_META, "format", 6, text, (size_t)len, 0);
	}
	if (rc == STORE_FULL) {
		mdb_txn_abort(t.txn);
		return STORE_FULL;
	}
	if (format == 0 || rc != STORE_OK) {
		snprintf(err, errlen, "%s: cannot initialise the store", s->path);
		mdb_txn_abort(t.txn);
		return -1;
	}
	rc = mdb_txn_commit(t.txn);
	if (rc != MDB_SUCCESS) {
		snprintf(err, errlen, "%s: %s", s->path, mdb_strerror(rc));
		return -1;
	}
	return 0;
}

/* The format, migrating with as much map as map_size_max allows. */
static int check_format(struct store *s, char *err, size_t errlen)
{
	int rc;
	while ((rc = open_format(s, err, errlen)) == STORE_FULL) {
		if (store_grow(s) < 0) {
			snprintf(err, errlen,
			         "%s: the store's map is too small to migrate it (map_size_max)",
			         s->path);
			return -1;
		}
	}
	return rc;
}

/* mkdir -p, each directory it creates 0700. */
static int make_dirs(const char *dir)
{
	char path[1024];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

int store_lock(const char *dir, long owner_uid, long owner_gid, char *err, size_t errlen)
{
	return lock_dir(dir, owner_uid, owner_gid, err, errlen);
}

struct store *store_open(const char *dir, uint64_t map_size, uint64_t map_size_max, char *err,
                         size_t errlen)
{
	return store_open_locked(dir, -1, map_size, map_size_max, err, errlen);
}

struct store *store_open_locked(const char *dir, int lock_fd, uint64_t map_size,
                                uint64_t map_size_max, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		if (lock_fd >= 0)
			close(lock_fd);
		return NULL;
	}
	s->lock_fd = lock_fd;
	snprintf(s->path, sizeof s->path, "%s", dir);
	s->map_size_max = map_size_max;

	if (make_dirs(dir) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		goto fail;
	}
	if (s->lock_fd < 0)
		s->lock_fd = lock_dir(dir, -1, -1, err, errlen);
	if (s->lock_fd < 0)
		goto fail;

	int rc = mdb_env_create(&s->env);
	if (rc == MDB_SUCCESS)
		rc = mdb_env_set_maxdbs(s->env, DB_COUNT);
	if (rc == MDB_SUCCESS)
		rc = mdb_env_set_mapsize(s->env, (size_t)map_size);
	/* Default flags: every commit is synced to disk before it returns.
	 * Never MDB_WRITEMAP: it forbids the nested transactions that
	 * store_savepoint() is made of. */
	if (rc == MDB_SUCCESS)
		rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600);
	if (rc != MDB_SUCCESS) {
		snprintf(err, errlen, "%s: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	MDB_envinfo info;
	if ((rc = mdb_env_info(s->env, &info)) != MDB_SUCCESS) {
		snprintf(err, errlen, "%s: reading the map size: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	s->map_size = info.me_mapsize; /* an existing store may be larger */
	if (s->map_size_max < s->map_size)
		s->map_size_max = s->map_size;
	if (check_format(s, err, errlen) < 0)
		goto fail;
	return s;
fail:
	store_close(&s);
	return NULL;
}

void store_close(struct store **sp)
{
	struct store *s = *sp;
	if (!s)
		return;
	if (s->env)
		mdb_env_close(s->env);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s);
	*sp = NULL;
}

int store_grow(struct store *s)
{
	if (s->map_size >= s->map_size_max)
		return -1;
	uint64_t next = s->map_size * 2;
	if (next > s->map_size_max)
		next = s->map_size_max;
	int rc = mdb_env_set_mapsize(s->env, (size_t)next);
	if (rc != MDB_SUCCESS) {
		log_error("store: growing the map to %llu bytes: %s", (unsigned long long)next,
		          mdb_strerror(rc));
		return -1;
	}
	log_info("store: map grown from %llu to %llu MiB", (unsigned long long)(s->map_size >> 20),
	         (unsigned long long)(next >> 20));
	s->map_size = next;
	return 0;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

uint64_t store_map_size(const struct store *s)
{
	return s->map_size;
}

uint64_t store_used_bytes(struct store *s)
{
	MDB_envinfo info;
	MDB_stat st;
	int rc = mdb_env_info(s->env, &info);
	if (rc == MDB_SUCCESS)
		rc = mdb_env_stat(s->env, &st);
	if (rc != MDB_SUCCESS) {
		log_error("store: reading the space in use in %s: %s", s->path, mdb_strerror(rc));
		return 0;
	}
	return ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
}

int store_begin(struct store *s, int write, struct store_txn **out)
{
	struct store_txn *t = calloc(1, sizeof *t);
	if (!t)
		return STORE_ERROR;
	t->s = s;
	t->write = write;
	int rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
	if (rc != MDB_SUCCESS) {
		int out_rc = result(rc, "begin");
		free(t);
		return out_rc;
	}
	*out = t;
	return STORE_OK;
}

int store_commit(struct store_txn **tp)
{
	struct store_txn *t = *tp;
	if (!t)
		return STORE_ERROR;
	if (t->parent) {
		/* A savepoint left open: its writes go with the whole. */
		int rc = mdb_txn_commit(t->txn);
		t->txn = t->parent;
		t->parent = NULL;
		if (rc != MDB_SUCCESS) {
			int out = result(rc, "commit");
			store_abort(tp);
			return out;
		}
	}
	int rc = t->write ? store_injected(t->s) : 0;
	if (rc)
		mdb_txn_abort(t->txn);
	else
		rc = mdb_txn_commit(t->txn);
	int out = result(rc, "commit");
	if (out == STORE_OK && t->write)
		t->s->fault.last = STORE_OK;
	free(t);
	*tp = NULL;
	return out;
}

void store_abort(struct store_txn **tp)
{
	struct store_txn *t = *tp;
	if (!t)
		return;
	/* Aborting the parent aborts its nested transaction too. */
	mdb_txn_abort(t->parent ? t->parent : t->txn);
	free(t);
	*tp = NULL;
}

int store_savepoint(struct store_txn *t)
{
	if (!t->write || t->parent) {
		log_error("store: savepoint: %s", t->parent ? "one is already open" : "read-only");
		return STORE_ERROR;
	}
	MDB_txn *child;
	int rc = mdb_txn_begin(t->s->env, t->txn, 0, &child);
	if (rc != MDB_SUCCESS)
		return result(rc, "savepoint");
	t->parent = t->txn;
	t->txn = child;
	return STORE_OK;
}

int store_release(struct store_txn *t)
{
	if (!t->parent)
		return STORE_ERROR;
	int rc = mdb_txn_commit(t->txn);
	t->txn = t->parent;
	t->parent = NULL;
	return result(rc, "savepoint");
}

void store_rollback(struct store_txn *t)
{
	if (!t->parent)
		return;
	mdb_txn_abort(t->txn);
	t->txn = t->parent;
	t->parent = NULL;
}

const struct store_fault *store_fault(const struct store *s)
{
	return &s->fault;
}

void store_inject_error(struct store *s, int err, unsigned n)
{
	s->inject_errno = err;
	s->inject_n = n;
}

/* ---- one way to write ---- */

int store_write(struct store *s, store_work_fn work, store_abort_fn on_abort, void *arg)
{
	for (;;) {
		struct store_txn *t;
		int rc = store_begin(s, 1, &t);
		if (rc != STORE_OK)
			return rc;
		rc = work(t, arg);
		if (rc == STORE_OK)
			rc = store_commit(&t);
		else
			store_abort(&t);
		if (rc == STORE_OK)
			return rc;
		/* Nothing of the attempt stands: neither may what it made for
		 * the outside. */
		if (on_abort && on_abort(rc, arg))
			continue;
		if (rc != STORE_FULL || store_grow(s) < 0)
			return rc;
	}
}

/* ---- records shared by the tables' files ---- */

int store_get_by_seq(struct store_txn *t, enum dbi db, uint64_t seq, const void **data, size_t *len)
{
	uint8_t key[8];
	MDB_val v;
	put_u64(key, seq);
	int rc = get(t, db, key, 8, &v);
	if (rc == STORE_OK) {
		*data = v.mv_data;
		*len = v.mv_size;
	}
	return rc;
}

int store_del(struct store_txn *t, enum dbi db, const void *k, size_t klen)
{
	MDB_val key = {klen, (void *)(uintptr_t)k};
	int rc = mdb_del(t->txn, t->s->dbi[db], &key, NULL);
	return rc == MDB_NOTFOUND ? STORE_OK : result(rc, store_db_name(db));
}

int store_child_index(struct store_txn *t, enum dbi db, uint64_t child, uint64_t **seqs, size_t *n)
{
	*seqs = NULL;
	*n = 0;
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, store_db_name(db));
	uint8_t start[16];
	put_u64(start, child);
	put_u64(start + 8, 0);
	MDB_val k = {sizeof start, start}, v;
	size_t cap = 0;
	int out = STORE_OK;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 16 || get_u64(k.mv_data) != child)
			break;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			uint64_t *p = realloc(*seqs, cap * sizeof *p);
			if (!p) {
				out = STORE_ERROR;
				break;
			}
			*seqs = p;
		}
		(*seqs)[(*n)++] = get_u64((const uint8_t *)k.mv_data + 8);
	}
	mdb_cursor_close(c);
	if (out != STORE_OK) {
		free(*seqs);
		*seqs = NULL;
		*n = 0;
	}
	return out;
}

int store_child_index_put(struct store_txn *t, enum dbi db, uint64_t child, uint64_t seq)
{
	uint8_t k[16];
	put_u64(k, child);
	put_u64(k + 8, seq);
	return put(t, db, k, sizeof k, "", 0, 0);
}

/* ---- backup ---- */

int store_backup(struct store *s, const char *path, uint64_t *bytes, char *err, size_t errlen)
{
	/* A new directory only: a backup never overwrites anything. */
	if (mkdir(path, 0700) < 0) {
		snprintf(err, errlen, "%s: %s", path,
		         errno == EEXIST ? "already exists (a backup never overwrites)"
		                         : strerror(errno));
		return -1;
	}
	/* A consistent snapshot (one read transaction inside LMDB), free
	 * pages left out. Writers are not blocked, but the caller is for as
	 * long as the copy takes. */
	int rc = mdb_env_copy2(s->env, path, MDB_CP_COMPACT);
	char file[1100];
	snprintf(file, sizeof file, "%s/data.mdb", path);
	if (rc != MDB_SUCCESS) {
		snprintf(err, errlen, "%s: %s", path, mdb_strerror(rc));
		unlink(file);
		rmdir(path);
		return -1;
	}
	struct stat st;
	if (chmod(file, 0600) < 0 || stat(file, &st) < 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	*bytes = (uint64_t)st.st_size;
	return 0;
}
