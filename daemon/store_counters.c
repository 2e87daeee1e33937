/*
 * store_counters.c - named counters ("concerns", "agency.POLICE",
 * "level.RED", ...) kept in the same transactions as the records they
 * count, so they never disagree with them after a crash.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

/* ---- counters ---- */

/* The counter's value, 0 when it was never written. */
static int counter_read(struct store_txn *t, const char *name, uint64_t *v)
{
	*v = 0;
	int rc = store_get_u64(t, DB_COUNTERS, name, strlen(name), v);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

static int counter_write(struct store_txn *t, const char *name, uint64_t v)
{
	uint8_t buf[8];
	put_u64(buf, v);
	return put(t, DB_COUNTERS, name, strlen(name), buf, 8, 0);
}

int store_counter_add(struct store_txn *t, const char *name, uint64_t delta)
{
	uint64_t v;
	int rc = counter_read(t, name, &v);
	return rc == STORE_OK ? counter_write(t, name, v + delta) : rc;
}

int store_counter_sub(struct store_txn *t, const char *name, uint64_t delta)
{
	uint64_t v;
	int rc = counter_read(t, name, &v);
	if (rc != STORE_OK)
		return rc;
	/* A counter below what is taken away counted fewer records than
	 * there were: say so, rather than wrap or stop quietly at zero. The
	 * records are the truth; the write they belong to goes on. */
	if (v < delta) {
		log_error("store: counter %s is %llu, less than the %llu taken away: it "
		          "disagrees with the records; set to 0",
		          name, (unsigned long long)v, (unsigned long long)delta);
		delta = v;
	}
	return counter_write(t, name, v - delta);
}

uint64_t store_counter_get(struct store_txn *t, const char *name)
{
	uint64_t v = 0;
	if (store_get_u64(t, DB_COUNTERS, name, strlen(name), &v) != STORE_OK)
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
