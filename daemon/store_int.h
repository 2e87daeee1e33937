/*
 * store_int.h - what the store's own files share: the environment and
 * transaction structs, the list of tables, the key codecs and the record
 * helpers each table's file is written with.
 *
 * Included by store*.c only, and so are they the only files that see
 * lmdb.h. Everyone else speaks store.h.
 */
#ifndef FFC_STORE_INT_H
#define FFC_STORE_INT_H

#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>

#include "store.h"

/* Room for a stored postcode (normalised ones are at most 8 bytes). */
#define POSTCODE_BUF 16

/* A timeline entry (store format 2) is agency, category, severity, a
 * flags byte and the concern's id, NUL-terminated: all an alert's evidence
 * needs, so raising one reads no concern record. A withdrawn concern's
 * entry has TIMELINE_WITHDRAWN set, so store_timeline() (the rules' view)
 * passes over it while the chronology, merges and splits still find it. */
#define TIMELINE_HEAD      4
#define TIMELINE_WITHDRAWN 0x01
#define TIMELINE_VALUE_MAX (TIMELINE_HEAD + CONCERN_ID_MAX + 1)

/* Store format 1 to 2: every timeline entry gains its concern's id (read
 * from the concern's record), and a withdrawn one's fourth byte becomes
 * the flag. Runs inside the caller's transaction, which records the new
 * format, so a store is migrated whole or not at all (store_concerns.c). */
int store_timeline_migrate(struct store_txn *t);

/* Store format 2 to 3: the pairs of children named together (the
 * "households" table, dropped) become households with ids, each pair's
 * children resolved to the live ones and joined (store_households.c).
 * Runs inside the caller's transaction, as above. */
int store_households_migrate(struct store_txn *t, int64_t now_ms);

/* Every table of the environment (store.h draws their keys and values). */
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
	DB_HOUSEHOLD_RECORDS,
	DB_CHILD_HOUSEHOLDS,
	DB_HOUSEHOLD_EVENTS,
	DB_CHILD_HOUSEHOLD_EVENTS,
	DB_COUNTERS,
	DB_MATCH_NAMES,
	DB_MATCHES,
	DB_AUDIT,
	DB_CHILD_AUDIT,
	DB_ALERT_EVENTS,
	DB_ALERTS_DUE,
	DB_ALERTS_OVERDUE,
	DB_ASSIGNMENTS,
	DB_STATUSES, /* social care statuses and lookups: store_status.c */
	DB_STATUS_IDS,
	DB_CHILD_STATUSES,
	DB_LOOKUPS,
	DB_CHILD_LOOKUPS,
	/* schools and the partnership (store_notices.c) */
	DB_NOTICES,
	DB_NOTICE_DEST,
	DB_NOTICES_WAITING,
	DB_FEEDBACK,
	DB_FEEDBACK_AGENCY,
	DB_CONTACTS,
	DB_TALLIES,
	DB_COUNT
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
	/* Read transactions open in any thread (a backup's copy counts as
	 * one). LMDB may move the map only when none is open in the
	 * process: store_grow() waits for them to end. */
	pthread_mutex_t readers_lock;
	pthread_cond_t readers_gone;
	unsigned readers;
};

/* Counter changes a write transaction keeps until it commits, so that a
 * batch reads and writes each counter once rather than once a concern
 * (store_counters.c). A name too long for one is written at once. */
#define STORE_COUNTS_MAX     64
#define STORE_COUNT_NAME_MAX 64
struct store_count {
	char name[STORE_COUNT_NAME_MAX];
	int64_t delta;
};

struct store_txn {
	struct store *s;
	MDB_txn *txn;
	/* Inside a savepoint: txn is the nested transaction, parent the one
	 * it belongs to (the only one used again after release or
	 * rollback). */
	MDB_txn *parent;
	int write;
	/* The highest concern seq given, once a write transaction has looked
	 * it up (0: not yet): a batch asks for it with every concern.
	 * Forgotten by a savepoint rolled back and by a purge. */
	uint64_t concern_seq;
	size_t n_counts;
	struct store_count counts[STORE_COUNTS_MAX];
};

/* Write the counter changes t keeps (store_counters.c): before it
 * commits, and around a savepoint, so that a savepoint's changes go or
 * stay with it. STORE_OK, or the store's error (the transaction must
 * then be aborted). */
int store_counts_flush(struct store_txn *t);

/* ---- key codecs: integers big-endian, so keys sort numerically ---- */

static inline void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

static inline uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Event times may be negative (before 1970); bias them so they sort. */
static inline uint64_t bias_time(int64_t ms)
{
	return (uint64_t)ms ^ (UINT64_C(1) << 63);
}

static inline int64_t unbias_time(uint64_t v)
{
	return (int64_t)(v ^ (UINT64_C(1) << 63));
}

/* ---- results and records (store_table.c) ---- */

/* The table's name, for messages ("timeline"). */
const char *store_db_name(enum dbi db);
/* The table's LMDB flags (MDB_DUPSORT or 0), for opening it. */
unsigned store_db_flags(enum dbi db);

/* An LMDB result as one of ours (STORE_*), logging what is not expected
 * with `what` (a table or a step) and noting a full or failing disk in
 * s's fault record. */
int store_result(struct store *s, int rc, const char *what);
#define result(rc, what) store_result(t->s, (rc), (what))

/* The errno the test hook says the next write fails with, or 0. */
int store_injected(struct store *s);

/* Would writing (k, v) with flags change nothing: a dupsort table
 * holding the pair already (MDB_NODUPDATA), or a table whose rewrites
 * mostly repeat the value (store_table.c says which) holding v under k?
 * LMDB copies every page on a write's path before it looks, and the
 * commit writes each page copied: such a write is better not made. */
int store_unchanged(struct store_txn *t, enum dbi db, const void *k, size_t klen, const void *v,
                    size_t vlen, unsigned flags);

/* Write (k, v); a write that would change nothing is skipped
 * (store_unchanged), answering as LMDB would have: STORE_EXISTS for
 * MDB_NODUPDATA, STORE_OK otherwise. */
static inline int put(struct store_txn *t, enum dbi db, const void *k, size_t klen, const void *v,
                      size_t vlen, unsigned flags)
{
	MDB_val key = {klen, (void *)(uintptr_t)k};
	MDB_val val = {vlen, (void *)(uintptr_t)v};
	int rc = store_injected(t->s);
	if (!rc && store_unchanged(t, db, k, klen, v, vlen, flags))
		return flags & MDB_NODUPDATA ? STORE_EXISTS : STORE_OK;
	if (!rc)
		rc = mdb_put(t->txn, t->s->dbi[db], &key, &val, flags);
	return result(rc, store_db_name(db));
}

/* *val is borrowed until the transaction ends. */
static inline int get(struct store_txn *t, enum dbi db, const void *k, size_t klen, MDB_val *val)
{
	MDB_val key = {klen, (void *)(uintptr_t)k};
	return result(mdb_get(t->txn, t->s->dbi[db], &key, val), store_db_name(db));
}

/* The 8-byte value under k as a number; STORE_ERROR (logged) when the
 * value is not 8 bytes. */
int store_get_u64(struct store_txn *t, enum dbi db, const void *k, size_t klen, uint64_t *v);
/* Delete k; a key that is not there is not an error. */
int store_del(struct store_txn *t, enum dbi db, const void *k, size_t klen);
/* The highest u64 key of a seq-keyed table, 0 when empty. */
uint64_t store_last_key(struct store_txn *t, enum dbi db);
/* The record under a seq key, borrowed until the transaction ends. */
int store_get_by_seq(struct store_txn *t, enum dbi db, uint64_t seq, const void **data,
                     size_t *len);
/* Each record of a seq-keyed table from from_seq on, in seq order, with
 * its seq (the record borrowed until the transaction ends), until fn
 * returns non-zero. */
int store_seq_each(struct store_txn *t, enum dbi db, uint64_t from_seq, store_concern_fn fn,
                   void *arg);

/* Indexes keyed child(8) seq(8) with empty values (child_alerts,
 * child_events, child_audit): add one entry; list a child's seqs, oldest
 * first, into a malloc'd array (the caller frees; NULL when none). */
int store_child_index_put(struct store_txn *t, enum dbi db, uint64_t child, uint64_t seq);
int store_child_index(struct store_txn *t, enum dbi db, uint64_t child, uint64_t **seqs, size_t *n);

#endif
