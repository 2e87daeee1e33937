/*
 * store_children.c - children and what names them: child records and
 * their merge chains, identity keys, demographic keys, identity events,
 * and re-keying a child's indexes when it merges.
 *
 * Does not decide which child a set of identities belongs to
 * (link_decide.c) or when children merge or split (merge.c).
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "wire.h"

/* ---- children and identities ---- */

int store_child_next(struct store_txn *t, uint64_t *id)
{
	*id = store_last_key(t, DB_CHILDREN) + 1;
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

/* Write ch's record; `existed` says whether one was there (counted when
 * not). */
static int child_write(struct store_txn *t, const struct child_record *ch, int existed)
{
	uint8_t key[8];
	uint8_t *rec = NULL;
	size_t len = 0;
	put_u64(key, ch->id);
	if (wire_child_pack(ch, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = put(t, DB_CHILDREN, key, 8, rec, len, 0);
	free(rec);
	if (rc == STORE_OK && !existed)
		rc = store_counter_add(t, "children", 1);
	return rc;
}

int store_child_put(struct store_txn *t, const struct child_record *ch)
{
	uint8_t key[8];
	MDB_val old;
	put_u64(key, ch->id);
	return child_write(t, ch, get(t, DB_CHILDREN, key, 8, &old) == STORE_OK);
}

int store_child_update(struct store_txn *t, const struct child_record *ch)
{
	return child_write(t, ch, 1);
}

int store_child_resolve(struct store_txn *t, uint64_t id, uint64_t *live)
{
	/* Merges form chains at most as long as the number of merges; the
	 * bound only guards against a corrupt cycle. */
	for (int hops = 0; hops < 64; hops++) {
		uint8_t key[8];
		MDB_val v;
		put_u64(key, id);
		int rc = get(t, DB_CHILDREN, key, 8, &v);
		if (rc != STORE_OK)
			return rc;
		uint64_t next;
		if (wire_child_merged_into(v.mv_data, v.mv_size, &next) < 0) {
			log_error("store: child %llu: malformed record", (unsigned long long)id);
			return STORE_ERROR;
		}
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
	return store_get_u64(t, DB_IDENTITIES, key, strlen(key), child);
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
			return result(rc, store_db_name(db));
		MDB_val k = {8, prefix}, v;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc != MDB_SUCCESS || k.mv_size < 8 || memcmp(k.mv_data, prefix, 8) != 0) {
			mdb_cursor_close(c);
			return rc == MDB_SUCCESS || rc == MDB_NOTFOUND
			           ? STORE_OK
			           : result(rc, store_db_name(db));
		}
		/* Copy out before writing: LMDB's pointers die with the write. */
		uint8_t key[8 + RULE_NAME_MAX + 24];
		uint8_t val[TIMELINE_VALUE_MAX];
		size_t klen = k.mv_size, vlen = v.mv_size;
		if (klen > sizeof key || vlen > sizeof val) {
			mdb_cursor_close(c);
			log_error("store: %s: entry too large to re-key", store_db_name(db));
			return STORE_ERROR;
		}
		memcpy(key, k.mv_data, klen);
		memcpy(val, v.mv_data, vlen);
		rc = mdb_cursor_del(c, 0);
		mdb_cursor_close(c);
		if (rc != MDB_SUCCESS)
			return result(rc, store_db_name(db));
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
	    (rc = rekey_prefix(t, DB_CHILD_EVENTS, from, to)) != STORE_OK ||
	    (rc = rekey_prefix(t, DB_CHILD_STATUSES, from, to)) != STORE_OK ||
	    (rc = rekey_prefix(t, DB_CHILD_LOOKUPS, from, to)) != STORE_OK)
		return rc;
	return rekey_prefix(t, DB_CHILD_HOUSEHOLD_EVENTS, from, to);
}

/* ---- identity events ---- */

int store_identity_event_add(struct store_txn *t, struct identity_event *e)
{
	e->seq = store_last_key(t, DB_IDENTITY_EVENTS) + 1;
	uint8_t key[8];
	uint8_t *rec = NULL;
	size_t len = 0;
	put_u64(key, e->seq);
	if (wire_identity_event_pack(e, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = put(t, DB_IDENTITY_EVENTS, key, 8, rec, len, MDB_APPEND);
	free(rec);
	if (rc == STORE_OK)
		rc = store_child_index_put(t, DB_CHILD_EVENTS, e->child, e->seq);
	if (rc == STORE_OK && e->other && e->other != e->child)
		rc = store_child_index_put(t, DB_CHILD_EVENTS, e->other, e->seq);
	return rc;
}

int store_identity_event_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len)
{
	return store_get_by_seq(t, DB_IDENTITY_EVENTS, seq, data, len);
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
	return store_last_key(t, DB_IDENTITY_EVENTS);
}

int store_child_events(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n)
{
	return store_child_index(t, DB_CHILD_EVENTS, child, seqs, n);
}
