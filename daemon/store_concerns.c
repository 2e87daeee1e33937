/*
 * store_concerns.c - the concerns and each child's timeline: storing a
 * concern under its seq and (agency, concern_id), filing it on the
 * timelines of its children, a child's window as one range scan, moving
 * and refiling entries when children merge or split, withdrawing and
 * purging a concern.
 *
 * Does not decide which children a concern is filed under (link.c) or
 * what its timeline means (rules.c).
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "store_status.h"
#include "wire.h"

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
	return store_get_u64(t, DB_CONCERN_IDS, key, klen, seq);
}

int store_concern_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len)
{
	return store_get_by_seq(t, DB_CONCERNS, seq, data, len);
}

/* The highest concern seq ever given: a purge may take the newest record,
 * and a seq names one concern for good (receipts, identity events, first
 * seen), so the purge leaves the mark in meta. */
#define CONCERN_SEQ_MARK "concern_seq"

uint64_t store_last_concern_seq(struct store_txn *t)
{
	if (t->concern_seq)
		return t->concern_seq;
	uint64_t last = store_last_key(t, DB_CONCERNS), mark = 0;
	if (store_get_u64(t, DB_META, CONCERN_SEQ_MARK, strlen(CONCERN_SEQ_MARK), &mark) ==
	        STORE_OK &&
	    mark > last)
		last = mark;
	if (t->write)
		t->concern_seq = last;
	return last;
}

/* "agency.POLICE": the counter of an agency's concerns. */
static void agency_counter(char name[64], int agency)
{
	static const char prefix[] = "agency.";
	const char *a = agency_name(agency);
	size_t n = strnlen(a, 64 - sizeof prefix);
	memcpy(name, prefix, sizeof prefix - 1);
	memcpy(name + sizeof prefix - 1, a, n);
	name[sizeof prefix - 1 + n] = '\0';
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

int store_concern_add(struct store_txn *t, const struct concern *c, const void *encoded,
                      size_t encoded_len, int64_t received_at_ms, const uint64_t *child_ids,
                      size_t n_child_ids, uint64_t *seq_out)
{
	uint64_t seq = store_last_concern_seq(t) + 1;
	uint8_t *rec = NULL;
	size_t rec_len = 0;
	if (wire_stored_concern_pack(c, encoded, encoded_len, seq, received_at_ms, child_ids,
	                             n_child_ids, &rec, &rec_len) < 0)
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
	agency_counter(name, c->agency);
	if ((rc = store_counter_add(t, "concerns", 1)) != STORE_OK ||
	    (rc = store_counter_add(t, name, 1)) != STORE_OK)
		return rc;
	t->concern_seq = seq;
	*seq_out = seq;
	return STORE_OK;
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

/* Concern seq's record, decoded (the caller releases it). */
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

int store_concern_refile(struct store_txn *t, uint64_t seq, const uint64_t *child_ids, size_t n)
{
	struct stored_concern sc;
	int rc = decode_concern(t, seq, &sc);
	if (rc != STORE_OK)
		return rc;
	uint8_t *rec = NULL;
	size_t rec_len = 0;
	if (n != sc.n_child_ids ||
	    wire_stored_concern_pack(&sc.w.c, NULL, 0, seq, sc.received_at_ms, child_ids, n, &rec,
	                             &rec_len) < 0) {
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
                         int withdrawn_too, struct concern_ref **refs, size_t *n);

int store_timeline(struct store_txn *t, uint64_t child, int64_t from_ms, int64_t to_ms,
                   struct concern_ref **refs, size_t *n)
{
	int rc = timeline_scan(t, child, from_ms, to_ms, 0, refs, n);
	/* The rules' view: each concern with the statuses in force then. */
	if (rc == STORE_OK && (rc = store_status_annotate(t, child, *refs, *n)) != STORE_OK) {
		free(*refs);
		*refs = NULL;
		*n = 0;
	}
	return rc;
}

int store_chronology(struct store_txn *t, uint64_t child, int64_t from_ms, int64_t to_ms,
                     struct concern_ref **refs, size_t *n)
{
	return timeline_scan(t, child, from_ms, to_ms, 1, refs, n);
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

/* ---- retention and correction ---- */

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
		rc = store_del(t, DB_TIMELINE, tk, sizeof tk);
	}
	/* The id index only if it still names this concern. */
	uint64_t indexed;
	if (rc == STORE_OK &&
	    store_concern_find(t, sc.w.c.agency, sc.w.c.concern_id, &indexed) == STORE_OK &&
	    indexed == seq) {
		uint8_t idkey[CONCERN_ID_MAX + 1];
		size_t idlen = concern_id_key(idkey, sc.w.c.agency, sc.w.c.concern_id);
		rc = store_del(t, DB_CONCERN_IDS, idkey, idlen);
	}
	char name[64];
	agency_counter(name, sc.w.c.agency);
	t->concern_seq = 0;
	if (rc == STORE_OK)
		rc = store_counter_sub(t, "concerns", 1);
	if (rc == STORE_OK)
		rc = store_counter_sub(t, name, 1);
	if (rc == STORE_OK && sc.withdrawn_at_ms)
		rc = store_counter_sub(t, "withdrawn", 1);
	if (rc == STORE_OK && (rc = store_counter_add(t, "purged", 1)) == STORE_OK) {
		uint8_t key[8], mark[8];
		put_u64(key, seq);
		put_u64(mark, store_last_concern_seq(t));
		rc = put(t, DB_META, CONCERN_SEQ_MARK, strlen(CONCERN_SEQ_MARK), mark, 8, 0);
		if (rc == STORE_OK)
			rc = store_del(t, DB_CONCERNS, key, 8);
	}
	wire_stored_concern_release(&sc);
	return rc;
}

int store_concern_each(struct store_txn *t, uint64_t from_seq, store_concern_fn fn, void *arg)
{
	return store_seq_each(t, DB_CONCERNS, from_seq, fn, arg);
}

int store_timeline_migrate(struct store_txn *t)
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
		struct stored_concern sc;
		uint64_t seq = get_u64(key + 16);
		if ((out = decode_concern(t, seq, &sc)) != STORE_OK) {
			log_error("store: timeline: concern %llu has no readable record",
			          (unsigned long long)seq);
			out = STORE_ERROR;
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
		log_info("store: %zu timeline entries migrated to format 2", n);
	return out;
}
