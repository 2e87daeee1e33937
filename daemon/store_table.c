/*
 * store_table.c - what every file of the store shares beneath the
 * environment: the list of tables, LMDB results mapped to the store's
 * (a full disk told apart from a failing one), and the record helpers the
 * tables' files use (a u64 by key, a record by seq, the last key, a
 * child's index of seqs).
 *
 * Owns the table list, the fault record, and skipping writes that would
 * change nothing. Does not open, grow or lock
 * the environment (store.c) or know any one table's records (the
 * store_<family>.c files).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "clock.h"
#include "log.h"
#include "store_int.h"

/* same: rewrites of a key mostly repeat its value (an identity key names
 * the child it named before): a put compares first (store_unchanged). */
static const struct {
	const char *name;
	unsigned flags;
	unsigned same;
} db_defs[DB_COUNT] = {
    [DB_META] = {"meta", 0, 0},
    [DB_CONCERNS] = {"concerns", 0, 0},
    [DB_CONCERN_IDS] = {"concern_ids", 0, 0},
    [DB_CHILDREN] = {"children", 0, 0},
    [DB_IDENTITIES] = {"identities", 0, 1},
    [DB_DEMOGRAPHICS] = {"demographics", MDB_DUPSORT, 0},
    [DB_TIMELINE] = {"timeline", 0, 0},
    [DB_ALERTS] = {"alerts", 0, 0},
    [DB_OPEN_ALERTS] = {"open_alerts", 0, 0},
    [DB_CHILD_ALERTS] = {"child_alerts", 0, 0},
    [DB_IDENTITY_EVENTS] = {"identity_events", 0, 0},
    [DB_CHILD_EVENTS] = {"child_events", 0, 0},
    [DB_HOUSEHOLD_RECORDS] = {"household_records", 0, 0},
    [DB_CHILD_HOUSEHOLDS] = {"child_households", 0, 0},
    [DB_HOUSEHOLD_EVENTS] = {"household_events", 0, 0},
    [DB_CHILD_HOUSEHOLD_EVENTS] = {"child_household_events", 0, 0},
    [DB_COUNTERS] = {"counters", 0, 0},
    [DB_MATCH_NAMES] = {"match_names", MDB_DUPSORT, 0},
    [DB_MATCHES] = {"matches", 0, 0},
    [DB_AUDIT] = {"audit", 0, 0},
    [DB_CHILD_AUDIT] = {"child_audit", 0, 0},
    [DB_ALERT_EVENTS] = {"alert_events", 0, 0},
    [DB_ALERTS_DUE] = {"alerts_due", 0, 0},
    [DB_ALERTS_OVERDUE] = {"alerts_overdue", 0, 0},
    [DB_ASSIGNMENTS] = {"assignments", 0, 0},
    [DB_STATUSES] = {"statuses", 0, 0},
    [DB_STATUS_IDS] = {"status_ids", 0, 0},
    [DB_CHILD_STATUSES] = {"child_statuses", 0, 0},
    [DB_LOOKUPS] = {"lookups", 0, 0},
    [DB_CHILD_LOOKUPS] = {"child_lookups", 0, 0},
    [DB_NOTICES] = {"notices", 0, 0},
    [DB_NOTICE_DEST] = {"notice_dest", 0, 0},
    [DB_NOTICES_WAITING] = {"notices_waiting", 0, 0},
    [DB_FEEDBACK] = {"feedback", 0, 0},
    [DB_FEEDBACK_AGENCY] = {"feedback_agency", 0, 0},
    [DB_CONTACTS] = {"contacts", 0, 0},
    [DB_TALLIES] = {"tallies", 0, 0},
};

const char *store_db_name(enum dbi db)
{
	return db_defs[db].name;
}

unsigned store_db_flags(enum dbi db)
{
	return db_defs[db].flags;
}

/* ---- results ---- */

/* Free space under which an I/O error is taken for a full disk. */
#define STORE_FULL_SLACK (UINT64_C(1) << 20)

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
	s->fault.at_ms = clock_wall_ms();
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

int store_unchanged(struct store_txn *t, enum dbi db, const void *k, size_t klen, const void *v,
                    size_t vlen, unsigned flags)
{
	MDB_val key = {klen, (void *)(uintptr_t)k}, val = {vlen, (void *)(uintptr_t)v};
	if ((flags & MDB_NODUPDATA) && (db_defs[db].flags & MDB_DUPSORT)) {
		MDB_cursor *c;
		if (mdb_cursor_open(t->txn, t->s->dbi[db], &c) != MDB_SUCCESS)
			return 0; /* the put will say what is wrong */
		int found = mdb_cursor_get(c, &key, &val, MDB_GET_BOTH) == MDB_SUCCESS;
		mdb_cursor_close(c);
		return found;
	}
	if (flags || !db_defs[db].same)
		return 0;
	MDB_val old;
	return mdb_get(t->txn, t->s->dbi[db], &key, &old) == MDB_SUCCESS && old.mv_size == vlen &&
	       memcmp(old.mv_data, v, vlen) == 0;
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

int store_seq_each(struct store_txn *t, enum dbi db, uint64_t from_seq, store_concern_fn fn,
                   void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, store_db_name(db));
	uint8_t start[8];
	put_u64(start, from_seq);
	MDB_val k = {8, start}, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if (k.mv_size == 8 && fn(get_u64(k.mv_data), v.mv_data, v.mv_size, arg))
			break;
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, store_db_name(db));
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
