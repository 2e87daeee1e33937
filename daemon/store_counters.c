/*
 * store_counters.c - named counters ("concerns", "agency.POLICE",
 * "level.RED", ...) kept in the same transactions as the records they
 * count, so they never disagree with them after a crash. A write
 * transaction keeps its changes to them and writes each counter once,
 * when it commits (store_counts_flush()): a batch of 1024 concerns then
 * reads and writes "concerns" once, not 1024 times.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

/* ---- counters ---- */

/* The counter's value as stored, 0 when it was never written. */
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

/* The change t keeps for name, made if need be; NULL when the name is
 * too long to keep (it is then written at once). */
static struct store_count *kept(struct store_txn *t, const char *name, int *rc)
{
	*rc = STORE_OK;
	size_t len = strlen(name);
	if (len >= STORE_COUNT_NAME_MAX)
		return NULL;
	for (size_t i = 0; i < t->n_counts; i++)
		if (!memcmp(t->counts[i].name, name, len + 1))
			return &t->counts[i];
	if (t->n_counts == STORE_COUNTS_MAX && (*rc = store_counts_flush(t)) != STORE_OK)
		return NULL;
	struct store_count *c = &t->counts[t->n_counts++];
	memcpy(c->name, name, len + 1);
	c->delta = 0;
	return c;
}

int store_counts_flush(struct store_txn *t)
{
	int rc = STORE_OK;
	for (size_t i = 0; i < t->n_counts && rc == STORE_OK; i++) {
		const struct store_count *c = &t->counts[i];
		uint64_t v;
		if (c->delta && (rc = counter_read(t, c->name, &v)) == STORE_OK)
			rc = counter_write(t, c->name, v + (uint64_t)c->delta);
	}
	t->n_counts = 0;
	return rc;
}

int store_counter_add(struct store_txn *t, const char *name, uint64_t delta)
{
	int rc;
	struct store_count *c = kept(t, name, &rc);
	if (c) {
		c->delta += (int64_t)delta;
		return STORE_OK;
	}
	uint64_t v;
	if (rc == STORE_OK)
		rc = counter_read(t, name, &v);
	return rc == STORE_OK ? counter_write(t, name, v + delta) : rc;
}

int store_counter_sub(struct store_txn *t, const char *name, uint64_t delta)
{
	int rc;
	struct store_count *c = kept(t, name, &rc);
	if (rc != STORE_OK)
		return rc;
	uint64_t v;
	if ((rc = counter_read(t, name, &v)) != STORE_OK)
		return rc;
	if (c)
		v += (uint64_t)c->delta;
	/* A counter below what is taken away counted fewer records than
	 * there were: say so, rather than wrap or stop quietly at zero. The
	 * records are the truth; the write they belong to goes on. */
	if (v < delta) {
		log_error("store: counter %s is %llu, less than the %llu taken away: it "
		          "disagrees with the records; set to 0",
		          name, (unsigned long long)v, (unsigned long long)delta);
		delta = v;
	}
	if (c) {
		c->delta -= (int64_t)delta;
		return STORE_OK;
	}
	return counter_write(t, name, v - delta);
}

uint64_t store_counter_get(struct store_txn *t, const char *name)
{
	uint64_t v = 0;
	if (store_get_u64(t, DB_COUNTERS, name, strlen(name), &v) != STORE_OK)
		v = 0;
	for (size_t i = 0; i < t->n_counts; i++)
		if (!strcmp(t->counts[i].name, name))
			v += (uint64_t)t->counts[i].delta;
	return v;
}

int store_counter_each(struct store_txn *t, const char *prefix, store_counter_fn fn, void *arg)
{
	MDB_cursor *c;
	int rc = store_counts_flush(t);
	if (rc != STORE_OK)
		return rc;
	rc = mdb_cursor_open(t->txn, t->s->dbi[DB_COUNTERS], &c);
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
