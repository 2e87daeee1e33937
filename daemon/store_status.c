/*
 * store_status.c - the store's tables of social care statuses and
 * lookups (see store_status.h): statuses, status_ids, child_statuses,
 * lookups and child_lookups, created empty when a store is opened.
 *
 * Owns their keys and the facts kept beside each version. What is filed
 * is ingest_status.c's to decide, what a lookup records
 * control_lookup.c's; record encoding is wire_status.c's.
 */
#include "store_status.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

/* A fact entry: kind, category, legal status, flags, then the period's
 * ends, biased so they keep their order (store_int.h). */
#define FACT_LEN        20
#define FACT_SUPERSEDED 0x01

static void fact_put(uint8_t v[FACT_LEN], const struct status_fact *f)
{
	v[0] = f->kind;
	v[1] = f->category;
	v[2] = f->legal_status;
	v[3] = f->superseded ? FACT_SUPERSEDED : 0;
	put_u64(v + 4, bias_time(f->from_ms));
	put_u64(v + 12, bias_time(f->to_ms));
}

static int fact_get(const uint8_t *v, size_t len, uint64_t seq, struct status_fact *f)
{
	if (len != FACT_LEN)
		return -1;
	memset(f, 0, sizeof *f);
	f->seq = seq;
	f->kind = v[0];
	f->category = v[1];
	f->legal_status = v[2];
	f->superseded = (v[3] & FACT_SUPERSEDED) != 0;
	f->from_ms = unbias_time(get_u64(v + 4));
	f->to_ms = unbias_time(get_u64(v + 12));
	return 0;
}

static void child_key(uint8_t k[16], uint64_t child, uint64_t seq)
{
	put_u64(k, child);
	put_u64(k + 8, seq);
}

/* ---- statuses ---- */

int store_status_find(struct store_txn *t, const char *status_id, uint64_t *seq)
{
	return store_get_u64(t, DB_STATUS_IDS, status_id, strlen(status_id), seq);
}

int store_status_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len)
{
	return store_get_by_seq(t, DB_STATUSES, seq, data, len);
}

int store_status_get(struct store_txn *t, uint64_t seq, struct stored_status *out)
{
	const void *data;
	size_t len;
	int rc = store_status_raw(t, seq, &data, &len);
	if (rc != STORE_OK)
		return rc;
	if (wire_stored_status_decode(data, len, out) < 0) {
		log_error("store: status %llu: malformed record", (unsigned long long)seq);
		return STORE_ERROR;
	}
	return STORE_OK;
}

static int record_put(struct store_txn *t, const struct stored_status *r, unsigned flags)
{
	uint8_t key[8], *rec = NULL;
	size_t len = 0;
	put_u64(key, r->seq);
	if (wire_stored_status_pack(r, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = put(t, DB_STATUSES, key, 8, rec, len, flags);
	free(rec);
	return rc;
}

/* The fact entry of version seq, filed under `child` or a child it was
 * merged into since. */
static int fact_find(struct store_txn *t, uint64_t child, uint64_t seq, uint8_t key[16],
                     struct status_fact *f)
{
	uint64_t live;
	int rc = store_child_resolve(t, child, &live);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	child_key(key, live, seq);
	MDB_val v;
	if ((rc = get(t, DB_CHILD_STATUSES, key, 16, &v)) != STORE_OK) {
		log_error("store: status %llu: no facts under its child", (unsigned long long)seq);
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	}
	if (fact_get(v.mv_data, v.mv_size, seq, f) < 0) {
		log_error("store: child_statuses: malformed entry");
		return STORE_ERROR;
	}
	return STORE_OK;
}

/* Version prev is no longer the latest: `by` is. */
static int supersede(struct store_txn *t, uint64_t prev, uint64_t by)
{
	struct stored_status old;
	int rc = store_status_get(t, prev, &old);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	old.superseded_by = by;
	rc = record_put(t, &old, 0);
	uint8_t key[16], v[FACT_LEN];
	struct status_fact f;
	if (rc == STORE_OK && (rc = fact_find(t, old.child, prev, key, &f)) == STORE_OK) {
		f.superseded = 1;
		fact_put(v, &f);
		rc = put(t, DB_CHILD_STATUSES, key, 16, v, FACT_LEN, 0);
	}
	wire_stored_status_release(&old);
	return rc;
}

int store_status_add(struct store_txn *t, struct stored_status *r)
{
	r->seq = store_last_key(t, DB_STATUSES) + 1;
	r->superseded_by = 0;
	int rc = record_put(t, r, MDB_APPEND);
	uint8_t id[8], key[16], v[FACT_LEN];
	put_u64(id, r->seq);
	if (rc == STORE_OK)
		rc = put(t, DB_STATUS_IDS, r->s.status_id, strlen(r->s.status_id), id, 8, 0);
	struct status_fact f;
	status_fact_of(&r->s, r->seq, &f);
	fact_put(v, &f);
	child_key(key, r->child, r->seq);
	if (rc == STORE_OK)
		rc = put(t, DB_CHILD_STATUSES, key, 16, v, FACT_LEN, 0);
	if (rc == STORE_OK && r->prev_seq)
		rc = supersede(t, r->prev_seq, r->seq);
	return rc == STORE_OK ? store_counter_add(t, "statuses", 1) : rc;
}

int store_status_facts(struct store_txn *t, uint64_t child, struct status_fact **facts, size_t *n)
{
	*facts = NULL;
	*n = 0;
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_CHILD_STATUSES], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "child_statuses");
	uint8_t start[16];
	child_key(start, child, 0);
	MDB_val k = {sizeof start, start}, v;
	size_t cap = 0;
	int out = STORE_OK;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 16 || get_u64(k.mv_data) != child)
			break;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			struct status_fact *p = realloc(*facts, cap * sizeof *p);
			if (!p) {
				out = STORE_ERROR;
				break;
			}
			*facts = p;
		}
		if (fact_get(v.mv_data, v.mv_size, get_u64((const uint8_t *)k.mv_data + 8),
		             &(*facts)[*n]) < 0) {
			log_error("store: child_statuses: malformed entry");
			out = STORE_ERROR;
			break;
		}
		(*n)++;
	}
	mdb_cursor_close(c);
	if (out == STORE_OK && rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		out = result(rc, "child_statuses");
	if (out != STORE_OK) {
		free(*facts);
		*facts = NULL;
		*n = 0;
	}
	return out;
}

int store_status_annotate(struct store_txn *t, uint64_t child, struct concern_ref *refs, size_t n)
{
	if (n == 0)
		return STORE_OK;
	struct status_fact *facts;
	size_t nf;
	int rc = store_status_facts(t, child, &facts, &nf);
	for (size_t i = 0; rc == STORE_OK && i < n; i++)
		refs[i].status = status_mask_at(facts, nf, refs[i].occurred_at_ms);
	free(facts);
	return rc;
}

int store_status_move(struct store_txn *t, uint64_t seq, uint64_t from, uint64_t to)
{
	struct stored_status r;
	int rc = store_status_get(t, seq, &r);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	uint8_t key[16], v[FACT_LEN];
	struct status_fact f;
	child_key(key, from, seq);
	MDB_val got;
	if ((rc = get(t, DB_CHILD_STATUSES, key, 16, &got)) != STORE_OK ||
	    fact_get(got.mv_data, got.mv_size, seq, &f) < 0) {
		wire_stored_status_release(&r);
		return rc == STORE_OK || rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	}
	fact_put(v, &f);
	if ((rc = store_del(t, DB_CHILD_STATUSES, key, 16)) == STORE_OK) {
		child_key(key, to, seq);
		rc = put(t, DB_CHILD_STATUSES, key, 16, v, FACT_LEN, 0);
	}
	r.child = to;
	if (rc == STORE_OK)
		rc = record_put(t, &r, 0);
	wire_stored_status_release(&r);
	return rc;
}

/* ---- lookups ---- */

int store_lookup_add(struct store_txn *t, struct access_record *a)
{
	a->seq = store_last_key(t, DB_LOOKUPS) + 1;
	uint8_t key[8], *rec = NULL;
	size_t len = 0;
	put_u64(key, a->seq);
	if (wire_access_pack(a, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = put(t, DB_LOOKUPS, key, 8, rec, len, MDB_APPEND);
	free(rec);
	if (rc == STORE_OK)
		rc = store_child_index_put(t, DB_CHILD_LOOKUPS, a->child, a->seq);
	return rc == STORE_OK ? store_counter_add(t, "lookups", 1) : rc;
}

int store_lookup_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len)
{
	return store_get_by_seq(t, DB_LOOKUPS, seq, data, len);
}

int store_child_lookups(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n)
{
	return store_child_index(t, DB_CHILD_LOOKUPS, child, seqs, n);
}
