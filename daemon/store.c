/*
 * store.c - the LMDB environment: opening and locking it, growing the map,
 * transactions and savepoints, store_write() (the one way to run a write
 * to its commit), the store's format, and backup.
 *
 * Owns the environment and the map size. The list of tables and the
 * helpers every table's file shares are store_table.c's. Each family
 * of tables has its own file behind store.h: store_concerns.c (concerns
 * and timelines), store_children.c (children, identities,
 * identity events), store_alerts.c (alerts, their indexes, histories and
 * lead practitioners), store_audit.c, store_matches.c, store_counters.c.
 * Does not decide which child a concern belongs to or whether an alert is
 * due (link.c, lifecycle.c); record encoding is wire.c's.
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE, pipe2, sync_file_range */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "store_int.h"

/* The layout of the store's values, kept in meta under "format". 1: a
 * timeline entry is three bytes of facts (a fourth when withdrawn). 2: the
 * entry also carries the concern's id (store_int.h). 3: households have
 * ids (household_records, child_households and their events) instead of
 * pairs of children. 4: a concern that joins an alert's evidence after it
 * was raised is kept in its history entry alone (AlertEvent.concern), not
 * written into the alert's record as well; readers join the two
 * (store_alert_get()). Format 3's records already list theirs, so nothing
 * is rewritten; an older ffcd, which would read the records alone, is
 * kept out. A store of an older format is migrated when opened, one step
 * after another in one transaction; one of a newer format is refused. */
#define STORE_FORMAT 4

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
		rc = mdb_dbi_open(t.txn, store_db_name(i), MDB_CREATE | store_db_flags(i),
		                  &s->dbi[i]);
		if (rc != MDB_SUCCESS) {
			snprintf(err, errlen, "%s: opening %s: %s", s->path, store_db_name(i),
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
	if (format >= 1 && format < 3 && rc == STORE_OK)
		rc = store_households_migrate(&t, clock_wall_ms());
	if (format >= 1 && format < 4 && rc == STORE_OK)
		log_info("store: format %ld brought to 4: alerts' evidence kept in their history "
		         "from now on (nothing rewritten)",
		         format);
	if (format >= 1 && format < STORE_FORMAT && rc == STORE_OK) {
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
	pthread_mutex_init(&s->readers_lock, NULL);
	pthread_cond_init(&s->readers_gone, NULL);
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
		/* One more than the tables: a migration reads one it drops. */
		rc = mdb_env_set_maxdbs(s->env, DB_COUNT + 1);
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
	pthread_cond_destroy(&s->readers_gone);
	pthread_mutex_destroy(&s->readers_lock);
	free(s);
	*sp = NULL;
}

/* A read transaction begins or ends, in whichever thread. */
static void reader_begin(struct store *s)
{
	pthread_mutex_lock(&s->readers_lock);
	s->readers++;
	pthread_mutex_unlock(&s->readers_lock);
}

static void reader_end(struct store *s)
{
	pthread_mutex_lock(&s->readers_lock);
	if (--s->readers == 0)
		pthread_cond_broadcast(&s->readers_gone);
	pthread_mutex_unlock(&s->readers_lock);
}

unsigned store_readers(struct store *s)
{
	pthread_mutex_lock(&s->readers_lock);
	unsigned n = s->readers;
	pthread_mutex_unlock(&s->readers_lock);
	return n;
}

int store_map_fits(uint64_t size)
{
	void *p =
	    mmap(NULL, (size_t)size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	munmap(p, (size_t)size);
	return 1;
}

/* Set the map size once no read transaction is open anywhere in the
 * process: LMDB moves the map, and a reader beside the loop (a backup,
 * a rules test) would be left reading pages that are gone. No reader
 * begins meanwhile: store_begin() waits on the same lock. With wait 0,
 * an open reader makes it fail (EBUSY) instead. */
static int set_map_size(struct store *s, uint64_t size, int wait)
{
	if (!store_map_fits(size))
		return ENOMEM;
	pthread_mutex_lock(&s->readers_lock);
	if (s->readers && wait)
		log_info("store: growing the map waits for %u reader%s beside the loop", s->readers,
		         s->readers == 1 ? "" : "s");
	while (s->readers && wait)
		pthread_cond_wait(&s->readers_gone, &s->readers_lock);
	int rc = s->readers ? EBUSY : mdb_env_set_mapsize(s->env, (size_t)size);
	pthread_mutex_unlock(&s->readers_lock);
	return rc;
}

int store_grow(struct store *s)
{
	if (s->map_size >= s->map_size_max)
		return -1;
	uint64_t next = s->map_size * 2;
	if (next > s->map_size_max)
		next = s->map_size_max;
	int rc = set_map_size(s, next, 1);
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

int store_room_ahead(struct store *s)
{
	if (s->map_size >= s->map_size_max)
		return 0;
	int rc = set_map_size(s, s->map_size_max, 0);
	if (rc != MDB_SUCCESS) {
		if (rc != EBUSY)
			log_warn(
			    "store: making the map %llu MiB before a read beside the loop: %s; "
			    "writes meanwhile may wait for the read to end",
			    (unsigned long long)(s->map_size_max >> 20), mdb_strerror(rc));
		return -1;
	}
	log_info("store: map grown from %llu to %llu MiB (map_size_max) before a read beside the "
	         "loop",
	         (unsigned long long)(s->map_size >> 20),
	         (unsigned long long)(s->map_size_max >> 20));
	s->map_size = s->map_size_max;
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

uint64_t store_map_size_max(const struct store *s)
{
	return s->map_size_max;
}

unsigned store_format(const struct store *s)
{
	(void)s;
	return STORE_FORMAT;
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
	if (!write)
		reader_begin(s);
	int rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
	if (rc != MDB_SUCCESS) {
		int out_rc = result(rc, "begin");
		if (!write)
			reader_end(s);
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
	int flushed = t->write ? store_counts_flush(t) : STORE_OK;
	if (flushed != STORE_OK) {
		store_abort(tp);
		return flushed;
	}
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
	if (!t->write)
		reader_end(t->s);
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
	if (!t->write)
		reader_end(t->s);
	free(t);
	*tp = NULL;
}

int store_savepoint(struct store_txn *t)
{
	if (!t->write || t->parent) {
		log_error("store: savepoint: %s", t->parent ? "one is already open" : "read-only");
		return STORE_ERROR;
	}
	/* The counts so far belong to the transaction, not the savepoint. */
	int rc = store_counts_flush(t);
	if (rc != STORE_OK)
		return rc;
	MDB_txn *child;
	rc = mdb_txn_begin(t->s->env, t->txn, 0, &child);
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
	int flushed = store_counts_flush(t);
	if (flushed != STORE_OK) {
		store_rollback(t);
		return flushed;
	}
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
	t->concern_seq = 0;
	t->n_counts = 0; /* the savepoint's, gone with it */
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
		struct store_txn *t = NULL;
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

/* A paced copy is on the disk and out of the page cache after each
 * BACKUP_CHUNK bytes, before the next is written. */
#define BACKUP_CHUNK (1u << 20)

/* LMDB's compacting copy, run in a thread of its own into a pipe. */
struct copier {
	MDB_env *env;
	int fd;
	int rc;
};

static void *copier_run(void *arg)
{
	struct copier *c = arg;
	c->rc = mdb_env_copyfd2(c->env, c->fd, MDB_CP_COMPACT);
	close(c->fd);
	return NULL;
}

/* Bytes [from, to) of fd on the disk and out of the page cache. */
static int chunk_out(int fd, uint64_t from, uint64_t to)
{
	if (sync_file_range(fd, (off_t)from, (off_t)(to - from),
	                    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
	                        SYNC_FILE_RANGE_WAIT_AFTER) < 0)
		return -1;
	(void)posix_fadvise(fd, (off_t)from, (off_t)(to - from), POSIX_FADV_DONTNEED);
	return 0;
}

/* What the copier writes to in, written to out through buf (BACKUP_CHUNK
 * bytes) at no more than rate bytes a second, one chunk at a time. The
 * disk is shared with the loop, whose every commit waits for the disk to
 * flush what is queued before it: a copy written as fast as it is read
 * puts hundreds of MiB ahead of the commits. Reads to the end whatever happens, so the
 * copier is never left blocked on a full pipe. Returns 0, or the errno
 * of the first failure; *copied is the bytes read. */
static int copy_paced(int in, int out, char *buf, uint64_t rate, uint64_t *copied)
{
	int failed = 0;
	uint64_t total = 0, done = 0;
	const int64_t start = clock_mono_ns();
	for (;;) {
		ssize_t n = read(in, buf, BACKUP_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0 && !failed)
				failed = errno;
			break;
		}
		total += (uint64_t)n;
		for (ssize_t at = 0; at < n && !failed;) {
			ssize_t w = write(out, buf + at, (size_t)(n - at));
			if (w < 0 && errno != EINTR)
				failed = errno;
			else if (w > 0)
				at += w;
		}
		if (failed || total - done < BACKUP_CHUNK)
			continue;
		if (chunk_out(out, done, total) < 0)
			failed = errno;
		done = total;
		const int64_t due = start + (int64_t)((double)total * 1e9 / (double)rate);
		const int64_t ahead = due - clock_mono_ns();
		if (ahead > 0) {
			struct timespec ts = {ahead / 1000000000, ahead % 1000000000};
			nanosleep(&ts, NULL);
		}
	}
	if (!failed && fdatasync(out) < 0)
		failed = errno;
	/* Synced: the last part, under a chunk, goes out of the page cache
	 * as the chunks before it did. */
	if (!failed)
		(void)posix_fadvise(out, (off_t)done, (off_t)(total - done), POSIX_FADV_DONTNEED);
	*copied = total;
	return failed;
}

/* The copy made by LMDB alone, as fast as the disks go (rate 0). */
static int copy_whole(struct store *s, const char *path, const char *file, uint64_t *bytes,
                      char *err, size_t errlen)
{
	reader_begin(s);
	int rc = mdb_env_copy2(s->env, path, MDB_CP_COMPACT);
	reader_end(s);
	if (rc != MDB_SUCCESS) {
		snprintf(err, errlen, "%s: %s", path, mdb_strerror(rc));
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

/* The copy made by LMDB into a pipe, written out by this thread at rate. */
static int copy_at_rate(struct store *s, const char *file, uint64_t rate, uint64_t *bytes,
                        char *err, size_t errlen)
{
	char *buf = malloc(BACKUP_CHUNK);
	if (!buf) {
		snprintf(err, errlen, "backup: out of memory");
		return -1;
	}
	int out = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int p[2] = {-1, -1};
	if (out < 0 || pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "%s: %s", out < 0 ? file : "backup: pipe", strerror(errno));
		if (out >= 0)
			close(out);
		free(buf);
		return -1;
	}
	struct copier c = {s->env, p[1], MDB_SUCCESS};
	pthread_t th;
	reader_begin(s);
	int failed = pthread_create(&th, NULL, copier_run, &c);
	if (failed) {
		close(p[1]);
	} else {
		failed = copy_paced(p[0], out, buf, rate, bytes);
		pthread_join(th, NULL);
	}
	reader_end(s);
	free(buf);
	close(p[0]);
	if (close(out) < 0 && !failed)
		failed = errno;
	if (c.rc != MDB_SUCCESS || failed) {
		snprintf(err, errlen, "%s: %s", file,
		         c.rc != MDB_SUCCESS ? mdb_strerror(c.rc) : strerror(failed));
		return -1;
	}
	return 0;
}

int store_backup(struct store *s, const char *path, uint64_t rate, uint64_t *bytes, char *err,
                 size_t errlen)
{
	/* A new directory only: a backup never overwrites anything. */
	if (mkdir(path, 0700) < 0) {
		snprintf(err, errlen, "%s: %s", path,
		         errno == EEXIST ? "already exists (a backup never overwrites)"
		                         : strerror(errno));
		return -1;
	}
	/* A consistent snapshot (one read transaction inside LMDB), free
	 * pages left out. Writers are not blocked; the map does not move
	 * under the copy (it counts as a reader). */
	char file[1100];
	snprintf(file, sizeof file, "%s/data.mdb", path);
	int rc = rate ? copy_at_rate(s, file, rate, bytes, err, errlen)
	              : copy_whole(s, path, file, bytes, err, errlen);
	if (rc < 0) {
		unlink(file);
		rmdir(path);
	}
	return rc;
}
