/*
 * store_matches.c - possible matches: children recorded under a folded
 * family name and date of birth, and the pairs recorded as possibly one
 * child.
 *
 * What makes two children a possible match is match.c's.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

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
