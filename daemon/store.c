/*
 * store.c - the LMDB store. The only file that includes lmdb.h.
 *
 * Owns the environment, the layout of keys and values (see store.h) and
 * the map size. Does not decide which child a concern belongs to or
 * whether an alert is due (ingest.c); record encoding is wire.c's.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* The layout of the store's values, kept in meta under "format". 1: a
 * timeline entry is three bytes of facts (a fourth when withdrawn). 2: the
 * entry also carries the concern's id (below). A store of an older format
 * is migrated when opened; one of a newer format is refused. */
#define STORE_FORMAT 2
/* A timeline entry (format 2) is agency, category, severity, a flags byte
 * and the concern's id, NUL-terminated: all an alert's evidence needs, so
 * raising one reads no concern record. A withdrawn concern's entry has
 * TIMELINE_WITHDRAWN set, so store_timeline() (the rules' view) passes over
 * it while the chronology, merges and splits still find it. */
#define TIMELINE_HEAD      4
#define TIMELINE_WITHDRAWN 0x01
#define TIMELINE_VALUE_MAX (TIMELINE_HEAD + CONCERN_ID_MAX + 1)
/* Room for a stored postcode (normalised ones are at most 8 bytes). */
#define POSTCODE_BUF 16

enum dbi {
	DB_META,
	DB_CONCERNS,
	DB_CONCERN_IDS,
	DB_CHILDREN,
	DB_IDENTITIES,
	DB_DEMOGRAPHICS,
	DB_TIMELINE,
	DB_ALERTS,
	DB_OPEN_ALERTS,
	DB_CHILD_ALERTS,
	DB_IDENTITY_EVENTS,
	DB_CHILD_EVENTS,
	DB_HOUSEHOLDS,
	DB_COUNTERS,
	DB_MATCH_NAMES,
	DB_MATCHES,
	DB_AUDIT,
	DB_CHILD_AUDIT,
	DB_ALERT_EVENTS,
	DB_ALERTS_DUE,
	DB_ALERTS_OVERDUE,
	DB_ASSIGNMENTS,
	DB_COUNT
};

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

struct store {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
	char path[1024];
	uint64_t map_size, map_size_max;
	int lock_fd;
	struct store_fault fault;
	/* Test hook: the next n LMDB writes (puts and commits) fail with
	 * this errno, as if the disk had said so. */
	int inject_errno;
	unsigned inject_n;
};

struct store_txn {
	struct store *s;
	MDB_txn *txn;
	/* Inside a savepoint: txn is the nested transaction, parent the one
	 * it belongs to (the only one used again after release or
	 * rollback). */
	MDB_txn *parent;
	int write;
};

/* ---- helpers ---- */

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Event times may be negative (before 1970); bias them so they sort. */
static uint64_t bias_time(int64_t ms)
{
	return (uint64_t)ms ^ (UINT64_C(1) << 63);
}

static int64_t unbias_time(uint64_t v)
{
	return (int64_t)(v ^ (UINT64_C(1) << 63));
}

/* A timeline value (format 2) into v; returns its length. Validation
 * bounds an id to CONCERN_ID_MAX bytes before it is stored. */
static size_t timeline_value(uint8_t v[TIMELINE_VALUE_MAX], int agency, int category, int severity,
                             uint8_t flags, const char *concern_id)
{
	size_t len = strnlen(concern_id, CONCERN_ID_MAX);
	v[0] = (uint8_t)agency;
	v[1] = (uint8_t)category;
	v[2] = (uint8_t)severity;
	v[3] = flags;
	memcpy(v + TIMELINE_HEAD, concern_id, len);
	v[TIMELINE_HEAD + len] = '\0';
	return TIMELINE_HEAD + len + 1;
}

/* Is this a well-formed timeline value: the head, then one id ending the
 * value with its only NUL? */
static int timeline_valid(const void *data, size_t len)
{
	const uint8_t *p = data;
	return len > TIMELINE_HEAD && len <= TIMELINE_VALUE_MAX &&
	       memchr(p + TIMELINE_HEAD, '\0', len - TIMELINE_HEAD) == p + len - 1;
}

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

/* Map an LMDB result to ours, logging what is not expected. */
static int result_of(struct store *s, int rc, const char *what)
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

#define result(rc, what) result_of(t->s, (rc), (what))

/* The errno the test hook says the next write fails with, or 0. */
static int injected(struct store *s)
{
	if (!s->inject_n)
		return 0;
	s->inject_n--;
	return s->inject_errno;
}

static int put(struct store_txn *t, enum dbi db, const void *k, size_t klen, const void *v,
               size_t vlen, unsigned flags)
{
	MDB_val key = {klen, (void *)(uintptr_t)k};
	MDB_val val = {vlen, (void *)(uintptr_t)v};
	int rc = injected(t->s);
	if (!rc)
		rc = mdb_put(t->txn, t->s->dbi[db], &key, &val, flags);
	return result(rc, db_defs[db].name);
}

static int get(struct store_txn *t, enum dbi db, const void *k, size_t klen, MDB_val *val)
{
	MDB_val key = {klen, (void *)(uintptr_t)k};
	return result(mdb_get(t->txn, t->s->dbi[db], &key, val), db_defs[db].name);
}

static int get_u64_value(struct store_txn *t, enum dbi db, const void *k, size_t klen, uint64_t *v)
{
	MDB_val val;
	int rc = get(t, db, k, klen, &val);
	if (rc != STORE_OK)
		return rc;
	if (val.mv_size != 8) {
		log_error("store: %s: malformed value", db_defs[db].name);
		return STORE_ERROR;
	}
	*v = get_u64(val.mv_data);
	return STORE_OK;
}

/* The highest u64 key of a seq-keyed database, 0 when empty. */
static uint64_t last_key(struct store_txn *t, enum dbi db)
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

/* Format 1 to 2: every timeline entry gains its concern's id (read from
 * the concern's record), and a withdrawn one's fourth byte becomes the
 * flag. Runs inside the transaction that records the new format, so a
 * store is migrated whole or not at all. */
static int migrate_timeline(struct store_txn *t)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_TIMELINE], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "timeline");
	/* Each entry is found from the key after the last one written: a
	 * value that changes size moves within its page, so the cursor is
	 * placed afresh rather than trusted to step on. */
	uint8_t key[24] = {0};
	size_t n = 0;
	int out = STORE_OK;
	for (;;) {
		MDB_val k = {sizeof key, key}, v;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc != MDB_SUCCESS)
			break;
		if (k.mv_size != 24 || (v.mv_size != 3 && v.mv_size != 4)) {
			log_error("store: timeline: malformed format-1 entry");
			out = STORE_ERROR;
			break;
		}
		memcpy(key, k.mv_data, sizeof key);
		const uint8_t *f = v.mv_data;
		uint8_t facts[3] = {f[0], f[1], f[2]},
		        flags = v.mv_size == 4 ? TIMELINE_WITHDRAWN : 0;
		const void *data;
		size_t len;
		struct stored_concern sc;
		uint64_t seq = get_u64(key + 16);
		out = store_concern_raw(t, seq, &data, &len);
		if (out == STORE_OK && wire_stored_concern_decode(data, len, &sc) < 0)
			out = STORE_ERROR;
		if (out != STORE_OK) {
			log_error("store: timeline: concern %llu has no readable record",
			          (unsigned long long)seq);
			break;
		}
		uint8_t nv[TIMELINE_VALUE_MAX];
		size_t nlen =
		    timeline_value(nv, facts[0], facts[1], facts[2], flags, sc.w.c.concern_id);
		wire_stored_concern_release(&sc);
		if ((out = put(t, DB_TIMELINE, key, sizeof key, nv, nlen, 0)) != STORE_OK)
			break;
		n++;
		/* The next key: this one plus one, big-endian. */
		int i = sizeof key - 1;
		while (i >= 0 && ++key[i] == 0)
			i--;
		if (i < 0)
			break;
	}
	mdb_cursor_close(c);
	if (out == STORE_OK && rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		out = result(rc, "timeline");
	if (out == STORE_OK && n)
		log_info("store: %zu timeline entries migrated to format %d", n, STORE_FORMAT);
	return out;
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
		rc = migrate_timeline(&t);
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
	mdb_env_info(s->env, &info);
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
	if (mdb_env_info(s->env, &info) != MDB_SUCCESS || mdb_env_stat(s->env, &st) != MDB_SUCCESS)
		return 0;
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
	int rc = t->write ? injected(t->s) : 0;
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

/* ---- counters ---- */

int store_counter_add(struct store_txn *t, const char *name, uint64_t delta)
{
	uint64_t v = 0;
	int rc = get_u64_value(t, DB_COUNTERS, name, strlen(name), &v);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	uint8_t buf[8];
	put_u64(buf, v + delta);
	return put(t, DB_COUNTERS, name, strlen(name), buf, 8, 0);
}

uint64_t store_counter_get(struct store_txn *t, const char *name)
{
	uint64_t v = 0;
	if (get_u64_value(t, DB_COUNTERS, name, strlen(name), &v) != STORE_OK)
		return 0;
	return v;
}

int store_counter_each(struct store_txn *t, const char *prefix, store_counter_fn fn, void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_COUNTERS], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "counters");
	size_t plen = strlen(prefix);
	MDB_val k = {plen, (void *)(uintptr_t)prefix}, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
			break;
		char name[256];
		size_t n = k.mv_size < sizeof name - 1 ? k.mv_size : sizeof name - 1;
		memcpy(name, k.mv_data, n);
		name[n] = '\0';
		if (v.mv_size == 8)
			fn(name, get_u64(v.mv_data), arg);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND || rc == MDB_SUCCESS ? STORE_OK : result(rc, "counters");
}

/* ---- concerns ---- */

static size_t concern_id_key(uint8_t *key, int agency, const char *concern_id)
{
	size_t n = strlen(concern_id);
	if (n > CONCERN_ID_MAX)
		n = CONCERN_ID_MAX;
	key[0] = (uint8_t)agency;
	memcpy(key + 1, concern_id, n);
	return n + 1;
}

int store_concern_find(struct store_txn *t, int agency, const char *concern_id, uint64_t *seq)
{
	uint8_t key[CONCERN_ID_MAX + 1];
	size_t klen = concern_id_key(key, agency, concern_id);
	return get_u64_value(t, DB_CONCERN_IDS, key, klen, seq);
}

/* The record under a seq key, borrowed until the transaction ends. */
static int get_by_seq(struct store_txn *t, enum dbi db, uint64_t seq, const void **data,
                      size_t *len)
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

int store_concern_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len)
{
	return get_by_seq(t, DB_CONCERNS, seq, data, len);
}

/* The highest concern seq ever given: a purge may take the newest record,
 * and a seq names one concern for good (receipts, identity events, first
 * seen), so the purge leaves the mark in meta. */
#define CONCERN_SEQ_MARK "concern_seq"

uint64_t store_last_concern_seq(struct store_txn *t)
{
	uint64_t last = last_key(t, DB_CONCERNS), mark = 0;
	if (get_u64_value(t, DB_META, CONCERN_SEQ_MARK, strlen(CONCERN_SEQ_MARK), &mark) ==
	        STORE_OK &&
	    mark > last)
		last = mark;
	return last;
}

int store_concern_add(struct store_txn *t, const struct concern *c, int64_t received_at_ms,
                      const uint64_t *child_ids, size_t n_child_ids, uint64_t *seq_out)
{
	uint64_t seq = store_last_concern_seq(t) + 1;
	uint8_t *rec = NULL;
	size_t rec_len = 0;
	if (wire_stored_concern_pack(c, seq, received_at_ms, child_ids, n_child_ids, &rec,
	                             &rec_len) < 0)
		return STORE_ERROR;
	uint8_t key[8];
	put_u64(key, seq);
	int rc = put(t, DB_CONCERNS, key, 8, rec, rec_len, MDB_APPEND);
	free(rec);
	if (rc != STORE_OK)
		return rc;

	uint8_t idkey[CONCERN_ID_MAX + 1];
	size_t idlen = concern_id_key(idkey, c->agency, c->concern_id);
	rc = put(t, DB_CONCERN_IDS, idkey, idlen, key, 8, MDB_NOOVERWRITE);
	if (rc != STORE_OK)
		return rc == STORE_FULL ? rc : STORE_ERROR;

	uint8_t facts[TIMELINE_VALUE_MAX];
	size_t flen = timeline_value(facts, c->agency, c->category, c->severity, 0, c->concern_id);
	for (size_t i = 0; i < n_child_ids; i++) {
		/* Two children of one concern may resolve to the same child. */
		int seen = 0;
		for (size_t j = 0; j < i; j++)
			seen |= child_ids[j] == child_ids[i];
		if (seen)
			continue;
		uint8_t tk[24];
		put_u64(tk, child_ids[i]);
		put_u64(tk + 8, bias_time(c->occurred_at_ms));
		put_u64(tk + 16, seq);
		rc = put(t, DB_TIMELINE, tk, sizeof tk, facts, flen, 0);
		if (rc != STORE_OK)
			return rc;
	}

	char name[64];
	snprintf(name, sizeof name, "agency.%s", agency_name(c->agency));
	if ((rc = store_counter_add(t, "concerns", 1)) != STORE_OK ||
	    (rc = store_counter_add(t, name, 1)) != STORE_OK)
		return rc;
	*seq_out = seq;
	return STORE_OK;
}

/* ---- children and identities ---- */

int store_child_next(struct store_txn *t, uint64_t *id)
{
	*id = last_key(t, DB_CHILDREN) + 1;
	return STORE_OK;
}

int store_child_get(struct store_txn *t, uint64_t id, struct child_record *out)
{
	uint8_t key[8];
	MDB_val v;
	put_u64(key, id);
	int rc = get(t, DB_CHILDREN, key, 8, &v);
	if (rc != STORE_OK)
		return rc;
	if (wire_child_decode(v.mv_data, v.mv_size, out) < 0) {
		log_error("store: child %llu: malformed record", (unsigned long long)id);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int store_child_put(struct store_txn *t, const struct child_record *ch)
{
	uint8_t key[8];
	uint8_t *rec = NULL;
	size_t len = 0;
	put_u64(key, ch->id);
	MDB_val old;
	int existed = get(t, DB_CHILDREN, key, 8, &old) == STORE_OK;
	if (wire_child_pack(ch, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = put(t, DB_CHILDREN, key, 8, rec, len, 0);
	free(rec);
	if (rc == STORE_OK && !existed)
		rc = store_counter_add(t, "children", 1);
	return rc;
}

int store_child_resolve(struct store_txn *t, uint64_t id, uint64_t *live)
{
	/* Merges form chains at most as long as the number of merges; the
	 * bound only guards against a corrupt cycle. */
	for (int hops = 0; hops < 64; hops++) {
		struct child_record ch;
		int rc = store_child_get(t, id, &ch);
		if (rc != STORE_OK)
			return rc;
		uint64_t next = ch.merged_into;
		wire_child_release(&ch);
		if (next == 0) {
			*live = id;
			return STORE_OK;
		}
		id = next;
	}
	log_error("store: child %llu: merge chain too long", (unsigned long long)id);
	return STORE_ERROR;
}

int store_child_each(struct store_txn *t, store_child_fn fn, void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_CHILDREN], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "children");
	MDB_val k, v;
	int out = STORE_OK;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct child_record ch;
		if (k.mv_size != 8 || wire_child_decode(v.mv_data, v.mv_size, &ch) < 0) {
			log_error("store: a malformed child record");
			out = STORE_ERROR;
			break;
		}
		uint64_t merged = ch.merged_into;
		wire_child_release(&ch);
		if (fn(get_u64(k.mv_data), merged, arg))
			break;
	}
	mdb_cursor_close(c);
	if (out == STORE_OK && rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		out = result(rc, "children");
	return out;
}

int store_identity_get(struct store_txn *t, const char *key, uint64_t *child)
{
	return get_u64_value(t, DB_IDENTITIES, key, strlen(key), child);
}

int store_identity_put(struct store_txn *t, const char *key, uint64_t child)
{
	uint8_t v[8];
	put_u64(v, child);
	return put(t, DB_IDENTITIES, key, strlen(key), v, 8, 0);
}

int store_demographic_each(struct store_txn *t, const char *key, store_demographic_fn fn, void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_DEMOGRAPHICS], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "demographics");
	MDB_val k = {strlen(key), (void *)(uintptr_t)key}, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		char postcode[POSTCODE_BUF];
		if (v.mv_size < 8 || v.mv_size - 8 >= sizeof postcode)
			continue;
		memcpy(postcode, (const uint8_t *)v.mv_data + 8, v.mv_size - 8);
		postcode[v.mv_size - 8] = '\0';
		if (fn(get_u64(v.mv_data), postcode, arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "demographics");
}

int store_demographic_put(struct store_txn *t, const char *key, uint64_t child,
                          const char *postcode)
{
	uint8_t v[8 + POSTCODE_BUF];
	size_t plen = strlen(postcode);
	if (plen >= POSTCODE_BUF)
		plen = POSTCODE_BUF - 1;
	put_u64(v, child);
	memcpy(v + 8, postcode, plen);
	int rc = put(t, DB_DEMOGRAPHICS, key, strlen(key), v, 8 + plen, MDB_NODUPDATA);
	return rc == STORE_EXISTS ? STORE_OK : rc;
}

int store_demographic_del(struct store_txn *t, const char *key, uint64_t child)
{
	/* Collect the child's entries first, then delete each exact pair:
	 * a cursor deleting duplicates as it walks is easy to get wrong. */
	uint8_t found[8][8 + POSTCODE_BUF];
	size_t lens[8], n = 0;
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_DEMOGRAPHICS], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "demographics");
	MDB_val k = {strlen(key), (void *)(uintptr_t)key}, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET); rc == MDB_SUCCESS && n < 8;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		if (v.mv_size >= 8 && v.mv_size <= sizeof found[0] && get_u64(v.mv_data) == child) {
			memcpy(found[n], v.mv_data, v.mv_size);
			lens[n++] = v.mv_size;
		}
	}
	mdb_cursor_close(c);
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		return result(rc, "demographics");
	for (size_t i = 0; i < n; i++) {
		MDB_val dk = {strlen(key), (void *)(uintptr_t)key}, dv = {lens[i], found[i]};
		rc = mdb_del(t->txn, t->s->dbi[DB_DEMOGRAPHICS], &dk, &dv);
		if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
			return result(rc, "demographics");
	}
	/* More than 8 postcodes for one child under one key: go again. */
	return n == 8 ? store_demographic_del(t, key, child) : STORE_OK;
}

/* ---- merging and splitting children ---- */

/* Re-key every entry of a database whose key starts with the 8-byte child
 * `from` to start with `to`, the rest of the key and the value unchanged. */
static int rekey_prefix(struct store_txn *t, enum dbi db, uint64_t from, uint64_t to)
{
	uint8_t prefix[8];
	put_u64(prefix, from);
	for (;;) {
		MDB_cursor *c;
		int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
		if (rc != MDB_SUCCESS)
			return result(rc, db_defs[db].name);
		MDB_val k = {8, prefix}, v;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc != MDB_SUCCESS || k.mv_size < 8 || memcmp(k.mv_data, prefix, 8) != 0) {
			mdb_cursor_close(c);
			return rc == MDB_SUCCESS || rc == MDB_NOTFOUND
			           ? STORE_OK
			           : result(rc, db_defs[db].name);
		}
		/* Copy out before writing: LMDB's pointers die with the write. */
		uint8_t key[8 + RULE_NAME_MAX + 24];
		uint8_t val[TIMELINE_VALUE_MAX];
		size_t klen = k.mv_size, vlen = v.mv_size;
		if (klen > sizeof key || vlen > sizeof val) {
			mdb_cursor_close(c);
			log_error("store: %s: entry too large to re-key", db_defs[db].name);
			return STORE_ERROR;
		}
		memcpy(key, k.mv_data, klen);
		memcpy(val, v.mv_data, vlen);
		rc = mdb_cursor_del(c, 0);
		mdb_cursor_close(c);
		if (rc != MDB_SUCCESS)
			return result(rc, db_defs[db].name);
		put_u64(key, to);
		rc = put(t, db, key, klen, val, vlen, 0);
		if (rc != STORE_OK)
			return rc;
	}
}

int store_child_rekey(struct store_txn *t, uint64_t from, uint64_t to)
{
	int rc;
	if (from == to)
		return STORE_OK;
	if ((rc = rekey_prefix(t, DB_TIMELINE, from, to)) != STORE_OK ||
	    (rc = rekey_prefix(t, DB_CHILD_ALERTS, from, to)) != STORE_OK ||
	    (rc = rekey_prefix(t, DB_CHILD_EVENTS, from, to)) != STORE_OK)
		return rc;
	/* Household members: a dupsort list under the child's own key. */
	for (;;) {
		uint8_t key[8], member[8];
		put_u64(key, from);
		MDB_val k = {8, key}, v;
		rc = mdb_get(t->txn, t->s->dbi[DB_HOUSEHOLDS], &k, &v);
		if (rc == MDB_NOTFOUND)
			return STORE_OK;
		if (rc != MDB_SUCCESS)
			return result(rc, "households");
		if (v.mv_size != 8) {
			log_error("store: households: malformed entry");
			return STORE_ERROR;
		}
		memcpy(member, v.mv_data, 8);
		MDB_val dv = {8, member};
		rc = mdb_del(t->txn, t->s->dbi[DB_HOUSEHOLDS], &k, &dv);
		if (rc != MDB_SUCCESS)
			return result(rc, "households");
		if (get_u64(member) != to &&
		    (rc = store_household_add(t, to, get_u64(member))) != STORE_OK)
			return rc;
	}
}

int store_timeline_move(struct store_txn *t, uint64_t from, uint64_t to, int64_t occurred_at_ms,
                        uint64_t seq, int keep_from)
{
	uint8_t tk[24];
	put_u64(tk, from);
	put_u64(tk + 8, bias_time(occurred_at_ms));
	put_u64(tk + 16, seq);
	MDB_val k = {sizeof tk, tk}, v;
	int rc = mdb_get(t->txn, t->s->dbi[DB_TIMELINE], &k, &v);
	if (rc != MDB_SUCCESS)
		return result(rc, "timeline");
	/* The whole value moves: facts, id and a withdrawn concern's mark. */
	uint8_t facts[TIMELINE_VALUE_MAX];
	size_t flen = v.mv_size;
	if (!timeline_valid(v.mv_data, flen)) {
		log_error("store: timeline: malformed entry");
		return STORE_ERROR;
	}
	memcpy(facts, v.mv_data, flen);
	if (!keep_from && (rc = mdb_del(t->txn, t->s->dbi[DB_TIMELINE], &k, NULL)) != MDB_SUCCESS)
		return result(rc, "timeline");
	put_u64(tk, to);
	return put(t, DB_TIMELINE, tk, sizeof tk, facts, flen, 0);
}

int store_concern_refile(struct store_txn *t, uint64_t seq, const uint64_t *child_ids, size_t n)
{
	const void *data;
	size_t len;
	struct stored_concern sc;
	int rc = store_concern_raw(t, seq, &data, &len);
	if (rc != STORE_OK)
		return rc;
	if (wire_stored_concern_decode(data, len, &sc) < 0) {
		log_error("store: concern %llu: malformed record", (unsigned long long)seq);
		return STORE_ERROR;
	}
	uint8_t *rec = NULL;
	size_t rec_len = 0;
	if (n != sc.n_child_ids || wire_stored_concern_pack(&sc.w.c, seq, sc.received_at_ms,
	                                                    child_ids, n, &rec, &rec_len) < 0) {
		wire_stored_concern_release(&sc);
		return STORE_ERROR;
	}
	/* A withdrawn concern stays withdrawn wherever it is filed. */
	if (sc.withdrawn_at_ms) {
		uint8_t *marked = NULL;
		size_t marked_len = 0;
		int bad =
		    wire_stored_concern_withdraw(rec, rec_len, sc.withdrawn_at_ms, sc.withdrawn_by,
		                                 sc.withdrawn_reason, &marked, &marked_len) < 0;
		free(rec);
		rec = marked;
		rec_len = marked_len;
		if (bad) {
			wire_stored_concern_release(&sc);
			return STORE_ERROR;
		}
	}
	wire_stored_concern_release(&sc);
	uint8_t key[8];
	put_u64(key, seq);
	rc = put(t, DB_CONCERNS, key, 8, rec, rec_len, 0);
	free(rec);
	return rc;
}

/* ---- a child's timeline ---- */

static int timeline_scan(struct store_txn *t, uint64_t child, int64_t from_ms, int64_t to_ms,
                         int withdrawn_too, struct concern_ref **refs, size_t *n);

int store_timeline(struct store_txn *t, uint64_t child, int64_t from_ms, int64_t to_ms,
                   struct concern_ref **refs, size_t *n)
{
	return timeline_scan(t, child, from_ms, to_ms, 0, refs, n);
}

int store_chronology(struct store_txn *t, uint64_t child, int64_t from_ms, int64_t to_ms,
                     struct concern_ref **refs, size_t *n)
{
	return timeline_scan(t, child, from_ms, to_ms, 1, refs, n);
}

/* LMDB's pages hold a value only until the transaction's next write, and
 * the refs outlive that (alerts are written while they are judged): copy
 * the ids behind the array, in the same block, so one free() releases
 * both. ids_len counts every id with its NUL. */
static int own_ids(struct concern_ref **refs, size_t n, size_t ids_len)
{
	size_t head = n * sizeof **refs;
	struct concern_ref *r = malloc(head + ids_len);
	if (!r)
		return STORE_ERROR;
	memcpy(r, *refs, head);
	char *ids = (char *)r + head;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(r[i].concern_id) + 1;
		memcpy(ids, r[i].concern_id, len);
		r[i].concern_id = ids;
		ids += len;
	}
	free(*refs);
	*refs = r;
	return STORE_OK;
}

static int timeline_scan(struct store_txn *t, uint64_t child, int64_t from_ms, int64_t to_ms,
                         int withdrawn_too, struct concern_ref **refs, size_t *n)
{
	*refs = NULL;
	*n = 0;
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_TIMELINE], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "timeline");
	uint8_t start[24];
	put_u64(start, child);
	put_u64(start + 8, bias_time(from_ms));
	put_u64(start + 16, 0);
	MDB_val k = {sizeof start, start}, v;
	size_t cap = 0, ids_len = 0;
	int out = STORE_OK;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data;
		if (k.mv_size != 24 || get_u64(kp) != child)
			break;
		int64_t at = unbias_time(get_u64(kp + 8));
		if (at > to_ms)
			break;
		const uint8_t *vp = v.mv_data;
		if (!timeline_valid(vp, v.mv_size) ||
		    (!withdrawn_too && (vp[3] & TIMELINE_WITHDRAWN)))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			struct concern_ref *r = realloc(*refs, cap * sizeof *r);
			if (!r) {
				out = STORE_ERROR;
				break;
			}
			*refs = r;
		}
		/* The id points into LMDB's page for now: nothing is written
		 * before the scan ends, when it is copied (below). */
		(*refs)[(*n)++] = (struct concern_ref){
		    .seq = get_u64(kp + 16),
		    .occurred_at_ms = at,
		    .agency = vp[0],
		    .category = vp[1],
		    .severity = vp[2],
		    .concern_id = (const char *)vp + TIMELINE_HEAD,
		};
		ids_len += v.mv_size - TIMELINE_HEAD;
	}
	mdb_cursor_close(c);
	if (out == STORE_OK && rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		out = result(rc, "timeline");
	if (out == STORE_OK && *n)
		out = own_ids(refs, *n, ids_len);
	if (out != STORE_OK) {
		free(*refs);
		*refs = NULL;
		*n = 0;
	}
	return out;
}

/* ---- alerts ---- */

uint64_t store_last_alert_seq(struct store_txn *t)
{
	return last_key(t, DB_ALERTS);
}

static int alert_write(struct store_txn *t, const struct alert *a, unsigned flags)
{
	uint8_t key[8];
	uint8_t *rec = NULL;
	size_t len = 0;
	put_u64(key, a->seq);
	if (wire_stored_alert_pack(a, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = put(t, DB_ALERTS, key, 8, rec, len, flags);
	free(rec);
	return rc;
}

/* The response-time indexes follow an alert's state: `alerts_due` holds
 * the alerts nobody has picked up and no reminder has been sent for,
 * `alerts_overdue` those reminded and still not picked up. Every write of
 * an alert puts it in the one it belongs to and takes it out of the other,
 * so whoever changes an alert (ingest superseding it, an operator, the
 * reminder) keeps them right without knowing of them. */
static int waiting(const struct alert *a)
{
	return a->state == ALERT_OPEN && a->acknowledged_at_ms == 0;
}

static size_t due_key(uint8_t *key, const struct alert *a)
{
	key[0] = (uint8_t)a->level;
	put_u64(key + 1, bias_time(a->raised_at_ms));
	put_u64(key + 9, a->seq);
	return 17;
}

static int del_key(struct store_txn *t, enum dbi db, const void *k, size_t klen)
{
	MDB_val key = {klen, (void *)(uintptr_t)k};
	int rc = mdb_del(t->txn, t->s->dbi[db], &key, NULL);
	return rc == MDB_NOTFOUND ? STORE_OK : result(rc, db_defs[db].name);
}

static int alert_index(struct store_txn *t, const struct alert *a)
{
	uint8_t dk[17], sk[8];
	size_t dlen = due_key(dk, a);
	put_u64(sk, a->seq);
	int due = waiting(a) && a->overdue_at_ms == 0;
	int overdue = waiting(a) && a->overdue_at_ms != 0;
	int rc =
	    due ? put(t, DB_ALERTS_DUE, dk, dlen, "", 0, 0) : del_key(t, DB_ALERTS_DUE, dk, dlen);
	if (rc == STORE_OK)
		rc = overdue ? put(t, DB_ALERTS_OVERDUE, sk, 8, "", 0, 0)
		             : del_key(t, DB_ALERTS_OVERDUE, sk, 8);
	return rc;
}

int store_alert_add(struct store_txn *t, const struct alert *a)
{
	if (a->seq != last_key(t, DB_ALERTS) + 1) {
		log_error("store: alert seq %llu out of order", (unsigned long long)a->seq);
		return STORE_ERROR;
	}
	int rc = alert_write(t, a, MDB_APPEND);
	if (rc != STORE_OK || (rc = alert_index(t, a)) != STORE_OK)
		return rc;
	uint8_t ck[16];
	put_u64(ck, a->child);
	put_u64(ck + 8, a->seq);
	if ((rc = put(t, DB_CHILD_ALERTS, ck, 16, "", 0, 0)) != STORE_OK)
		return rc;
	char name[96];
	if ((rc = store_counter_add(t, "alerts", 1)) != STORE_OK)
		return rc;
	snprintf(name, sizeof name, "level.%s", level_name(a->level));
	if ((rc = store_counter_add(t, name, 1)) != STORE_OK)
		return rc;
	snprintf(name, sizeof name, "rule.%s", a->rule);
	return store_counter_add(t, name, 1);
}

int store_alert_update(struct store_txn *t, const struct alert *a)
{
	int rc = alert_write(t, a, 0);
	return rc == STORE_OK ? alert_index(t, a) : rc;
}

int store_alert_due_each(struct store_txn *t, int level, int64_t raised_by_ms, store_seq_fn fn,
                         void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_ALERTS_DUE], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "alerts_due");
	uint8_t start[17] = {(uint8_t)level};
	MDB_val k = {sizeof start, start}, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data;
		if (k.mv_size != 17 || kp[0] != (uint8_t)level ||
		    unbias_time(get_u64(kp + 1)) > raised_by_ms)
			break;
		if (fn(get_u64(kp + 9), arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "alerts_due");
}

int store_alert_overdue_each(struct store_txn *t, uint64_t after_seq, store_seq_fn fn, void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_ALERTS_OVERDUE], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "alerts_overdue");
	uint8_t start[8];
	put_u64(start, after_seq + 1);
	MDB_val k = {sizeof start, start}, v;
	for (rc = after_seq == UINT64_MAX ? MDB_NOTFOUND : mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	     rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size == 8 && fn(get_u64(k.mv_data), arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "alerts_overdue");
}

uint64_t store_alert_overdue_count(struct store_txn *t)
{
	MDB_stat st;
	if (mdb_stat(t->txn, t->s->dbi[DB_ALERTS_OVERDUE], &st) != MDB_SUCCESS)
		return 0;
	return st.ms_entries;
}

/* Records kept in order under an 8-byte owner (alert seq, child): keys
 * owner(8) n(4), n counting from 1. */
static int owned_add(struct store_txn *t, enum dbi db, uint64_t owner, const void *rec, size_t len,
                     uint32_t max)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, db_defs[db].name);
	/* The owner's last record: just before the next owner's first. */
	uint8_t key[12];
	put_u64(key, owner + 1);
	memset(key + 8, 0, 4);
	MDB_val k = {8, key}, v;
	rc = owner == UINT64_MAX ? mdb_cursor_get(c, &k, &v, MDB_LAST)
	                         : mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (rc == MDB_SUCCESS && owner != UINT64_MAX)
		rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
	else if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	uint32_t n = 0;
	if (rc == MDB_SUCCESS && k.mv_size == 12 && get_u64(k.mv_data) == owner) {
		const uint8_t *p = (const uint8_t *)k.mv_data + 8;
		n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	}
	mdb_cursor_close(c);
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		return result(rc, db_defs[db].name);
	if (n >= max)
		return STORE_EXISTS;
	n++;
	put_u64(key, owner);
	key[8] = (uint8_t)(n >> 24);
	key[9] = (uint8_t)(n >> 16);
	key[10] = (uint8_t)(n >> 8);
	key[11] = (uint8_t)n;
	return put(t, db, key, sizeof key, rec, len, MDB_NOOVERWRITE);
}

static int owned_each(struct store_txn *t, enum dbi db, uint64_t owner, store_record_fn fn,
                      void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, db_defs[db].name);
	uint8_t start[8];
	put_u64(start, owner);
	MDB_val k = {sizeof start, start}, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 12 || get_u64(k.mv_data) != owner)
			break;
		if (fn(v.mv_data, v.mv_size, arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, db_defs[db].name);
}

int store_alert_event_add(struct store_txn *t, uint64_t seq, const struct alert_event *e)
{
	uint8_t *rec = NULL;
	size_t len = 0;
	if (wire_alert_event_pack(e, &rec, &len) < 0)
		return STORE_ERROR;
	/* Only notes can grow without end: acknowledging, closing and the
	 * reminder happen once each, so they always find room. */
	uint32_t max = e->action == ALERT_ACTION_NOTE ? STORE_ALERT_EVENTS_MAX : UINT32_MAX;
	int rc = owned_add(t, DB_ALERT_EVENTS, seq, rec, len, max);
	free(rec);
	return rc;
}

int store_alert_events(struct store_txn *t, uint64_t seq, store_record_fn fn, void *arg)
{
	return owned_each(t, DB_ALERT_EVENTS, seq, fn, arg);
}

/* ---- lead practitioners ---- */

int store_assignment_add(struct store_txn *t, uint64_t child, const struct assignment *as)
{
	uint8_t *rec = NULL;
	size_t len = 0;
	if (wire_assignment_pack(as, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = owned_add(t, DB_ASSIGNMENTS, child, rec, len, STORE_ASSIGNMENTS_MAX);
	free(rec);
	return rc;
}

int store_assignments(struct store_txn *t, uint64_t child, store_record_fn fn, void *arg)
{
	return owned_each(t, DB_ASSIGNMENTS, child, fn, arg);
}

/* Records copied out of a transaction's pages, to be written back. */
struct record_copies {
	size_t n;
	struct {
		uint8_t *data;
		size_t len;
	} v[STORE_ASSIGNMENTS_MAX];
	int failed;
};

static int copy_record(const void *data, size_t len, void *arg)
{
	struct record_copies *c = arg;
	if (c->n == STORE_ASSIGNMENTS_MAX)
		return 1;
	uint8_t *p = malloc(len ? len : 1);
	if (!p) {
		c->failed = 1;
		return 1;
	}
	memcpy(p, data, len);
	c->v[c->n].data = p;
	c->v[c->n++].len = len;
	return 0;
}

static int count_record(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	++*(size_t *)arg;
	return 1;
}

int store_assignments_adopt(struct store_txn *t, uint64_t from, uint64_t to)
{
	size_t has = 0;
	int rc = owned_each(t, DB_ASSIGNMENTS, to, count_record, &has);
	if (rc != STORE_OK || has)
		return rc;
	struct record_copies *c = calloc(1, sizeof *c);
	if (!c)
		return STORE_ERROR;
	rc = owned_each(t, DB_ASSIGNMENTS, from, copy_record, c);
	if (rc == STORE_OK && c->failed)
		rc = STORE_ERROR;
	for (size_t i = 0; i < c->n; i++) {
		if (rc == STORE_OK)
			rc = owned_add(t, DB_ASSIGNMENTS, to, c->v[i].data, c->v[i].len,
			               STORE_ASSIGNMENTS_MAX);
		free(c->v[i].data);
	}
	free(c);
	return rc;
}

static int keep_last(const void *data, size_t len, void *arg)
{
	struct assignment *as = arg;
	if (wire_assignment_decode(data, len, as) < 0)
		as->practitioner[0] = '\0';
	return 0;
}

int store_lead_practitioner(struct store_txn *t, uint64_t child, char *out, size_t size)
{
	struct assignment *as = calloc(1, sizeof *as);
	if (!as)
		return STORE_ERROR;
	int rc = owned_each(t, DB_ASSIGNMENTS, child, keep_last, as);
	if (rc == STORE_OK)
		snprintf(out, size, "%s", as->practitioner);
	free(as);
	return rc;
}

int store_alert_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len)
{
	return get_by_seq(t, DB_ALERTS, seq, data, len);
}

int store_alert_get(struct store_txn *t, uint64_t seq, struct alert *out)
{
	const void *data;
	size_t len;
	int rc = store_alert_raw(t, seq, &data, &len);
	if (rc != STORE_OK)
		return rc;
	if (wire_stored_alert_decode(data, len, out) < 0) {
		log_error("store: alert %llu: malformed record", (unsigned long long)seq);
		return STORE_ERROR;
	}
	return STORE_OK;
}

static size_t open_alert_key(uint8_t *key, uint64_t child, const char *rule)
{
	size_t n = strlen(rule);
	if (n >= RULE_NAME_MAX)
		n = RULE_NAME_MAX - 1;
	put_u64(key, child);
	memcpy(key + 8, rule, n);
	return 8 + n;
}

int store_open_alert(struct store_txn *t, uint64_t child, const char *rule, uint64_t *seq)
{
	uint8_t key[8 + RULE_NAME_MAX];
	size_t klen = open_alert_key(key, child, rule);
	return get_u64_value(t, DB_OPEN_ALERTS, key, klen, seq);
}

int store_open_alert_set(struct store_txn *t, uint64_t child, const char *rule, uint64_t seq)
{
	uint8_t key[8 + RULE_NAME_MAX];
	size_t klen = open_alert_key(key, child, rule);
	if (seq == 0) {
		MDB_val k = {klen, key};
		int rc = mdb_del(t->txn, t->s->dbi[DB_OPEN_ALERTS], &k, NULL);
		return rc == MDB_NOTFOUND ? STORE_OK : result(rc, "open_alerts");
	}
	uint8_t v[8];
	put_u64(v, seq);
	return put(t, DB_OPEN_ALERTS, key, klen, v, 8, 0);
}

/* The seqs indexed under child in a (child, seq) index, oldest first. */
static int child_index(struct store_txn *t, enum dbi db, uint64_t child, uint64_t **seqs, size_t *n)
{
	*seqs = NULL;
	*n = 0;
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, db_defs[db].name);
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

int store_child_alerts(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n)
{
	return child_index(t, DB_CHILD_ALERTS, child, seqs, n);
}

/* ---- identity events ---- */

static int child_index_put(struct store_txn *t, enum dbi db, uint64_t child, uint64_t seq)
{
	uint8_t k[16];
	put_u64(k, child);
	put_u64(k + 8, seq);
	return put(t, db, k, sizeof k, "", 0, 0);
}

int store_identity_event_add(struct store_txn *t, struct identity_event *e)
{
	e->seq = last_key(t, DB_IDENTITY_EVENTS) + 1;
	uint8_t key[8];
	uint8_t *rec = NULL;
	size_t len = 0;
	put_u64(key, e->seq);
	if (wire_identity_event_pack(e, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = put(t, DB_IDENTITY_EVENTS, key, 8, rec, len, MDB_APPEND);
	free(rec);
	if (rc == STORE_OK)
		rc = child_index_put(t, DB_CHILD_EVENTS, e->child, e->seq);
	if (rc == STORE_OK && e->other && e->other != e->child)
		rc = child_index_put(t, DB_CHILD_EVENTS, e->other, e->seq);
	return rc;
}

int store_identity_event_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len)
{
	return get_by_seq(t, DB_IDENTITY_EVENTS, seq, data, len);
}

int store_identity_event_get(struct store_txn *t, uint64_t seq, struct identity_event *out)
{
	const void *data;
	size_t len;
	int rc = store_identity_event_raw(t, seq, &data, &len);
	if (rc != STORE_OK)
		return rc;
	if (wire_identity_event_decode(data, len, out) < 0) {
		log_error("store: identity event %llu: malformed record", (unsigned long long)seq);
		return STORE_ERROR;
	}
	return STORE_OK;
}

uint64_t store_last_identity_event_seq(struct store_txn *t)
{
	return last_key(t, DB_IDENTITY_EVENTS);
}

int store_child_events(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n)
{
	return child_index(t, DB_CHILD_EVENTS, child, seqs, n);
}

/* ---- the audit trail ---- */

int store_audit_add(struct store_txn *t, struct audit_entry *e)
{
	e->seq = last_key(t, DB_AUDIT) + 1;
	uint8_t key[8];
	uint8_t *rec = NULL;
	size_t len = 0;
	put_u64(key, e->seq);
	if (wire_audit_pack(e, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = put(t, DB_AUDIT, key, 8, rec, len, MDB_APPEND);
	free(rec);
	if (rc == STORE_OK && e->child)
		rc = child_index_put(t, DB_CHILD_AUDIT, e->child, e->seq);
	return rc;
}

int store_audit_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len)
{
	return get_by_seq(t, DB_AUDIT, seq, data, len);
}

uint64_t store_last_audit_seq(struct store_txn *t)
{
	return last_key(t, DB_AUDIT);
}

int store_child_audit(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n)
{
	return child_index(t, DB_CHILD_AUDIT, child, seqs, n);
}

/* ---- households ---- */

static int member_put(struct store_txn *t, uint64_t child, uint64_t member)
{
	uint8_t k[8], v[8];
	put_u64(k, child);
	put_u64(v, member);
	int rc = put(t, DB_HOUSEHOLDS, k, 8, v, 8, MDB_NODUPDATA);
	return rc == STORE_EXISTS ? STORE_OK : rc;
}

int store_household_add(struct store_txn *t, uint64_t a, uint64_t b)
{
	if (a == b)
		return STORE_OK;
	int rc = member_put(t, a, b);
	return rc == STORE_OK ? member_put(t, b, a) : rc;
}

int store_household_each(struct store_txn *t, uint64_t child, store_member_fn fn, void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_HOUSEHOLDS], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "households");
	uint8_t key[8];
	put_u64(key, child);
	MDB_val k = {8, key}, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		if (v.mv_size == 8 && fn(get_u64(v.mv_data), arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "households");
}

/* ---- possible matches ---- */

int store_match_name_each(struct store_txn *t, const char *key, store_match_name_fn fn, void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_MATCH_NAMES], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "match_names");
	MDB_val k = {strlen(key), (void *)(uintptr_t)key}, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		/* child, given name, NUL, postcode */
		const uint8_t *p = v.mv_data;
		char given[CONCERN_FIELD_MAX + 1], postcode[POSTCODE_BUF];
		const uint8_t *nul = v.mv_size > 8 ? memchr(p + 8, '\0', v.mv_size - 8) : NULL;
		if (!nul)
			continue;
		size_t glen = (size_t)(nul - (p + 8)), plen = v.mv_size - 8 - glen - 1;
		if (glen >= sizeof given || plen >= sizeof postcode)
			continue;
		memcpy(given, p + 8, glen);
		given[glen] = '\0';
		memcpy(postcode, nul + 1, plen);
		postcode[plen] = '\0';
		if (fn(get_u64(p), given, postcode, arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "match_names");
}

int store_match_name_put(struct store_txn *t, const char *key, uint64_t child, const char *given,
                         const char *postcode)
{
	uint8_t v[8 + CONCERN_FIELD_MAX + 1 + POSTCODE_BUF];
	size_t glen = strlen(given), plen = strlen(postcode);
	if (glen > CONCERN_FIELD_MAX || plen >= POSTCODE_BUF)
		return STORE_ERROR;
	put_u64(v, child);
	memcpy(v + 8, given, glen);
	v[8 + glen] = '\0';
	memcpy(v + 8 + glen + 1, postcode, plen);
	int rc = put(t, DB_MATCH_NAMES, key, strlen(key), v, 8 + glen + 1 + plen, MDB_NODUPDATA);
	return rc == STORE_EXISTS ? STORE_OK : rc;
}

static int match_write(struct store_txn *t, uint64_t a, uint64_t b, const void *rec, size_t len,
                       unsigned flags)
{
	uint8_t k[16];
	put_u64(k, a < b ? a : b);
	put_u64(k + 8, a < b ? b : a);
	return put(t, DB_MATCHES, k, sizeof k, rec, len, flags);
}

int store_match_add(struct store_txn *t, uint64_t a, uint64_t b, const void *rec, size_t len)
{
	return match_write(t, a, b, rec, len, MDB_NOOVERWRITE);
}

int store_match_put(struct store_txn *t, uint64_t a, uint64_t b, const void *rec, size_t len)
{
	return match_write(t, a, b, rec, len, 0);
}

int store_match_each(struct store_txn *t, store_match_fn fn, void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_MATCHES], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "matches");
	MDB_val k, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 16)
			continue;
		const uint8_t *kp = k.mv_data;
		if (fn(get_u64(kp), get_u64(kp + 8), v.mv_data, v.mv_size, arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "matches");
}

/* ---- retention, correction and backup ---- */

/* The timeline keys a stored concern may sit under: each child it was
 * filed under, as recorded and as resolved now (children merge and split
 * after filing), without repeats. */
static size_t concern_homes(struct store_txn *t, const struct stored_concern *sc,
                            uint64_t homes[2 * CONCERN_CHILDREN_MAX])
{
	size_t n = 0;
	for (size_t i = 0; i < sc->n_child_ids; i++) {
		uint64_t ids[2] = {sc->child_ids[i], sc->child_ids[i]};
		if (store_child_resolve(t, ids[0], &ids[1]) != STORE_OK)
			ids[1] = ids[0];
		for (int j = 0; j < 2; j++) {
			int seen = 0;
			for (size_t k = 0; k < n; k++)
				seen |= homes[k] == ids[j];
			if (!seen)
				homes[n++] = ids[j];
		}
	}
	return n;
}

static void timeline_key(uint8_t tk[24], uint64_t child, int64_t occurred_at_ms, uint64_t seq)
{
	put_u64(tk, child);
	put_u64(tk + 8, bias_time(occurred_at_ms));
	put_u64(tk + 16, seq);
}

static int decode_concern(struct store_txn *t, uint64_t seq, struct stored_concern *sc)
{
	const void *data;
	size_t len;
	int rc = store_concern_raw(t, seq, &data, &len);
	if (rc != STORE_OK)
		return rc;
	if (wire_stored_concern_decode(data, len, sc) < 0) {
		log_error("store: concern %llu: malformed record", (unsigned long long)seq);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int store_concern_withdraw(struct store_txn *t, uint64_t seq, int64_t at_ms, const char *by,
                           const char *reason)
{
	struct stored_concern sc;
	int rc = decode_concern(t, seq, &sc);
	if (rc != STORE_OK)
		return rc;
	if (sc.withdrawn_at_ms) {
		wire_stored_concern_release(&sc);
		return STORE_EXISTS;
	}
	const void *data;
	size_t len;
	uint8_t *rec = NULL;
	size_t rec_len = 0;
	rc = store_concern_raw(t, seq, &data, &len);
	if (rc == STORE_OK &&
	    wire_stored_concern_withdraw(data, len, at_ms, by, reason, &rec, &rec_len) < 0)
		rc = STORE_ERROR;
	uint8_t key[8];
	put_u64(key, seq);
	if (rc == STORE_OK)
		rc = put(t, DB_CONCERNS, key, 8, rec, rec_len, 0);
	free(rec);
	uint64_t homes[2 * CONCERN_CHILDREN_MAX];
	size_t n = rc == STORE_OK ? concern_homes(t, &sc, homes) : 0;
	uint8_t marked[TIMELINE_VALUE_MAX];
	size_t mlen = timeline_value(marked, sc.w.c.agency, sc.w.c.category, sc.w.c.severity,
	                             TIMELINE_WITHDRAWN, sc.w.c.concern_id);
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		uint8_t tk[24];
		MDB_val v;
		timeline_key(tk, homes[i], sc.w.c.occurred_at_ms, seq);
		int found = get(t, DB_TIMELINE, tk, sizeof tk, &v);
		if (found == STORE_OK)
			rc = put(t, DB_TIMELINE, tk, sizeof tk, marked, mlen, 0);
		else if (found != STORE_NOTFOUND)
			rc = found;
	}
	if (rc == STORE_OK)
		rc = store_counter_add(t, "withdrawn", 1);
	wire_stored_concern_release(&sc);
	return rc;
}

static int del_if_there(struct store_txn *t, enum dbi db, const void *k, size_t klen)
{
	MDB_val key = {klen, (void *)(uintptr_t)k};
	int rc = mdb_del(t->txn, t->s->dbi[db], &key, NULL);
	return rc == MDB_NOTFOUND ? STORE_OK : result(rc, db_defs[db].name);
}

int store_concern_purge(struct store_txn *t, uint64_t seq)
{
	struct stored_concern sc;
	int rc = decode_concern(t, seq, &sc);
	if (rc != STORE_OK)
		return rc;
	uint64_t homes[2 * CONCERN_CHILDREN_MAX];
	size_t n = concern_homes(t, &sc, homes);
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		uint8_t tk[24];
		timeline_key(tk, homes[i], sc.w.c.occurred_at_ms, seq);
		rc = del_if_there(t, DB_TIMELINE, tk, sizeof tk);
	}
	/* The id index only if it still names this concern. */
	uint64_t indexed;
	if (rc == STORE_OK &&
	    store_concern_find(t, sc.w.c.agency, sc.w.c.concern_id, &indexed) == STORE_OK &&
	    indexed == seq) {
		uint8_t idkey[CONCERN_ID_MAX + 1];
		size_t idlen = concern_id_key(idkey, sc.w.c.agency, sc.w.c.concern_id);
		rc = del_if_there(t, DB_CONCERN_IDS, idkey, idlen);
	}
	char name[64];
	snprintf(name, sizeof name, "agency.%s", agency_name(sc.w.c.agency));
	/* Counters go down by adding the two's complement of one. */
	if (rc == STORE_OK && store_counter_get(t, "concerns") > 0)
		rc = store_counter_add(t, "concerns", UINT64_MAX);
	if (rc == STORE_OK && store_counter_get(t, name) > 0)
		rc = store_counter_add(t, name, UINT64_MAX);
	if (rc == STORE_OK && sc.withdrawn_at_ms && store_counter_get(t, "withdrawn") > 0)
		rc = store_counter_add(t, "withdrawn", UINT64_MAX);
	if (rc == STORE_OK && (rc = store_counter_add(t, "purged", 1)) == STORE_OK) {
		uint8_t key[8], mark[8];
		put_u64(key, seq);
		put_u64(mark, store_last_concern_seq(t));
		rc = put(t, DB_META, CONCERN_SEQ_MARK, strlen(CONCERN_SEQ_MARK), mark, 8, 0);
		if (rc == STORE_OK)
			rc = del_if_there(t, DB_CONCERNS, key, 8);
	}
	wire_stored_concern_release(&sc);
	return rc;
}

int store_concern_each(struct store_txn *t, uint64_t from_seq, store_concern_fn fn, void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_CONCERNS], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "concerns");
	uint8_t start[8];
	put_u64(start, from_seq);
	MDB_val k = {8, start}, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 8)
			continue;
		if (fn(get_u64(k.mv_data), v.mv_data, v.mv_size, arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "concerns");
}

int store_alert_each(struct store_txn *t, store_record_fn fn, void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_ALERTS], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "alerts");
	MDB_val k, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if (fn(v.mv_data, v.mv_size, arg))
			break;
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "alerts");
}

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
