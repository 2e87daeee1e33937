/*
 * store_notices.c - the store's tables for schools and the partnership
 * (see store_notices.h): notices and their indexes, feedback, contacts,
 * tallies.
 *
 * Owns their keys. Does not know what a record holds (wire_notice.c) or
 * when one is written (notice.c, feedback.c, tally.c, control_notices.c).
 */
#include "store_notices.h"

#include <stdio.h>
#include <string.h>

#include "store_int.h"

/* ---- notices ---- */

uint64_t store_last_notice_seq(struct store_txn *t)
{
	return store_last_key(t, DB_NOTICES);
}

static size_t dest_key(uint8_t *k, const char *dest, uint64_t seq)
{
	size_t n = strnlen(dest, STORE_DEST_MAX - 1);
	memcpy(k, dest, n);
	k[n] = '\0';
	put_u64(k + n + 1, seq);
	return n + 9;
}

static void waiting_key(uint8_t k[16], int64_t remind_at_ms, uint64_t seq)
{
	put_u64(k, bias_time(remind_at_ms));
	put_u64(k + 8, seq);
}

int store_notice_add(struct store_txn *t, uint64_t seq, const char *dest, int64_t remind_at_ms,
                     const void *rec, size_t len)
{
	uint8_t key[8], dk[STORE_DEST_MAX + 8], wk[16];
	put_u64(key, seq);
	int rc = put(t, DB_NOTICES, key, 8, rec, len, MDB_NOOVERWRITE);
	if (rc == STORE_OK)
		rc = put(t, DB_NOTICE_DEST, dk, dest_key(dk, dest, seq), "", 0, 0);
	waiting_key(wk, remind_at_ms, seq);
	if (rc == STORE_OK)
		rc = put(t, DB_NOTICES_WAITING, wk, sizeof wk, "", 0, 0);
	return rc == STORE_OK ? store_counter_add(t, "notices", 1) : rc;
}

int store_notice_put(struct store_txn *t, uint64_t seq, const void *rec, size_t len)
{
	uint8_t key[8];
	put_u64(key, seq);
	return put(t, DB_NOTICES, key, 8, rec, len, 0);
}

int store_notice_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len)
{
	return store_get_by_seq(t, DB_NOTICES, seq, data, len);
}

int store_notice_done(struct store_txn *t, uint64_t seq, int64_t remind_at_ms)
{
	uint8_t wk[16];
	waiting_key(wk, remind_at_ms, seq);
	return store_del(t, DB_NOTICES_WAITING, wk, sizeof wk);
}

int store_notice_waiting_each(struct store_txn *t, int64_t by_ms, store_seq_fn fn, void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_NOTICES_WAITING], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "notices_waiting");
	MDB_val k, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 16 || unbias_time(get_u64(k.mv_data)) > by_ms)
			break;
		if (fn(get_u64((const uint8_t *)k.mv_data + 8), arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "notices_waiting");
}

int store_notice_dest_each(struct store_txn *t, const char *dest, uint64_t after_seq,
                           store_seq_fn fn, void *arg)
{
	if (after_seq == UINT64_MAX)
		return STORE_OK;
	uint8_t start[STORE_DEST_MAX + 8];
	size_t plen = strnlen(dest, STORE_DEST_MAX - 1) + 1; /* the dest and its NUL */
	MDB_val k = {dest_key(start, dest, after_seq + 1), start}, v;
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_NOTICE_DEST], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "notice_dest");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != plen + 8 || memcmp(k.mv_data, start, plen) != 0)
			break;
		if (fn(get_u64((const uint8_t *)k.mv_data + plen), arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "notice_dest");
}

int store_notice_each(struct store_txn *t, store_concern_fn fn, void *arg)
{
	return store_seq_each(t, DB_NOTICES, 0, fn, arg);
}

int store_notice_remove(struct store_txn *t, uint64_t seq, const char *dest, int64_t remind_at_ms)
{
	uint8_t key[8], dk[STORE_DEST_MAX + 8];
	put_u64(key, seq);
	int rc = store_del(t, DB_NOTICES, key, 8);
	if (rc == STORE_OK)
		rc = store_del(t, DB_NOTICE_DEST, dk, dest_key(dk, dest, seq));
	return rc == STORE_OK ? store_notice_done(t, seq, remind_at_ms) : rc;
}

/* ---- feedback ---- */

uint64_t store_last_feedback_seq(struct store_txn *t)
{
	return store_last_key(t, DB_FEEDBACK);
}

static void agency_key(uint8_t k[9], int agency, uint64_t seq)
{
	k[0] = (uint8_t)agency;
	put_u64(k + 1, seq);
}

int store_feedback_add(struct store_txn *t, uint64_t seq, int agency, const void *rec, size_t len)
{
	uint8_t key[8], ak[9];
	put_u64(key, seq);
	agency_key(ak, agency, seq);
	int rc = put(t, DB_FEEDBACK, key, 8, rec, len, MDB_NOOVERWRITE);
	if (rc == STORE_OK)
		rc = put(t, DB_FEEDBACK_AGENCY, ak, sizeof ak, "", 0, 0);
	return rc == STORE_OK ? store_counter_add(t, "feedback", 1) : rc;
}

int store_feedback_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len)
{
	return store_get_by_seq(t, DB_FEEDBACK, seq, data, len);
}

int store_feedback_agency_each(struct store_txn *t, int agency, uint64_t after_seq, store_seq_fn fn,
                               void *arg)
{
	if (after_seq == UINT64_MAX)
		return STORE_OK;
	uint8_t start[9];
	agency_key(start, agency, after_seq + 1);
	MDB_val k = {sizeof start, start}, v;
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_FEEDBACK_AGENCY], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "feedback_agency");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 9 || ((const uint8_t *)k.mv_data)[0] != (uint8_t)agency)
			break;
		if (fn(get_u64((const uint8_t *)k.mv_data + 1), arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "feedback_agency");
}

int store_feedback_each(struct store_txn *t, store_concern_fn fn, void *arg)
{
	return store_seq_each(t, DB_FEEDBACK, 0, fn, arg);
}

int store_feedback_remove(struct store_txn *t, uint64_t seq, int agency)
{
	uint8_t key[8], ak[9];
	put_u64(key, seq);
	agency_key(ak, agency, seq);
	int rc = store_del(t, DB_FEEDBACK, key, 8);
	return rc == STORE_OK ? store_del(t, DB_FEEDBACK_AGENCY, ak, sizeof ak) : rc;
}

/* ---- contacts ---- */

int store_contact_put(struct store_txn *t, const char *practitioner, const void *rec, size_t len)
{
	return put(t, DB_CONTACTS, practitioner, strlen(practitioner), rec, len, 0);
}

int store_contact_get(struct store_txn *t, const char *practitioner, const void **data, size_t *len)
{
	MDB_val v;
	if (!practitioner[0])
		return STORE_NOTFOUND; /* LMDB refuses an empty key */
	int rc = get(t, DB_CONTACTS, practitioner, strlen(practitioner), &v);
	if (rc == STORE_OK) {
		*data = v.mv_data;
		*len = v.mv_size;
	}
	return rc;
}

/* ---- tallies ---- */

static size_t tally_key(uint8_t *k, int32_t day, const char *adapter, const char *metric)
{
	uint32_t d = (uint32_t)day ^ UINT32_C(0x80000000);
	for (int i = 0; i < 4; i++)
		k[i] = (uint8_t)(d >> (24 - 8 * i));
	int n = snprintf((char *)k + 4, STORE_TALLY_MAX + 1, "%s%c%s", adapter, '\0', metric);
	size_t len = n < 0 ? 0 : (size_t)n > STORE_TALLY_MAX ? STORE_TALLY_MAX : (size_t)n;
	return 4 + len;
}

static int32_t tally_day(const uint8_t *k)
{
	uint32_t d = (uint32_t)k[0] << 24 | (uint32_t)k[1] << 16 | (uint32_t)k[2] << 8 | k[3];
	return (int32_t)(d ^ UINT32_C(0x80000000));
}

int store_tally_add(struct store_txn *t, int32_t day, const char *adapter, const char *metric,
                    uint64_t delta)
{
	uint8_t k[4 + STORE_TALLY_MAX + 1];
	size_t klen = tally_key(k, day, adapter, metric);
	uint64_t v = 0;
	int rc = store_get_u64(t, DB_TALLIES, k, klen, &v);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	uint8_t buf[8];
	put_u64(buf, v + delta);
	return put(t, DB_TALLIES, k, klen, buf, 8, 0);
}

int store_tally_each(struct store_txn *t, int32_t from_day, int32_t to_day, store_tally_fn fn,
                     void *arg)
{
	uint8_t start[4 + STORE_TALLY_MAX + 1];
	MDB_val k = {tally_key(start, from_day, "", "") - 1, start}, v;
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_TALLIES], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "tallies");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < 6 || k.mv_size > 4 + STORE_TALLY_MAX || v.mv_size != 8)
			continue;
		int32_t day = tally_day(k.mv_data);
		if (day >= to_day)
			break;
		/* adapter NUL metric: each copied out, terminated. */
		const uint8_t *p = (const uint8_t *)k.mv_data + 4;
		size_t len = k.mv_size - 4;
		const uint8_t *nul = memchr(p, '\0', len);
		if (!nul)
			continue;
		char adapter[STORE_TALLY_MAX + 1], metric[STORE_TALLY_MAX + 1];
		size_t n = (size_t)(nul - p);
		memcpy(adapter, p, n);
		adapter[n] = '\0';
		memcpy(metric, nul + 1, len - n - 1);
		metric[len - n - 1] = '\0';
		if (fn(day, adapter, metric, get_u64(v.mv_data), arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "tallies");
}
