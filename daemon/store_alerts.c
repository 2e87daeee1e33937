/*
 * store_alerts.c - alerts and their indexes: the alert log, the open
 * alert of each (child, rule), a child's alerts, the response-time
 * indexes (due and overdue), an alert's history and a child's lead
 * practitioners.
 *
 * Which index an alert belongs in follows from its state by
 * lifecycle_wait() (lifecycle.c); whether an alert is raised is the
 * rules' (rules.c, ingest.c).
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "log.h"
#include "store_int.h"
#include "wire.h"

/* ---- alerts ---- */

uint64_t store_last_alert_seq(struct store_txn *t)
{
	return store_last_key(t, DB_ALERTS);
}

static int alert_write(struct store_txn *t, const struct alert *a, unsigned flags)
{
	uint8_t key[8];
	uint8_t *rec = NULL;
	size_t len = 0;
	put_u64(key, a->seq);
	if (wire_stored_alert_pack(a, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = put(t, DB_ALERTS, key, 8, rec, len, flags);
	free(rec);
	return rc;
}

static size_t due_key(uint8_t *key, const struct alert *a)
{
	key[0] = (uint8_t)a->level;
	/* From the response clock's start: a reopened alert is due again
	 * from when it reopened. */
	put_u64(key + 1, bias_time(lifecycle_clock(a)));
	put_u64(key + 9, a->seq);
	return 17;
}

/* Every write of an alert puts it in the response-time index its state
 * calls for (lifecycle_wait()) and takes it out of the other, so whoever
 * changes an alert (ingest superseding it, an operator, the reminder)
 * keeps them right without knowing of them. */
static int alert_index(struct store_txn *t, const struct alert *a)
{
	uint8_t dk[17], sk[8];
	size_t dlen = due_key(dk, a);
	put_u64(sk, a->seq);
	enum alert_wait wait = lifecycle_wait(a);
	int rc = wait == ALERT_WAIT_DUE ? put(t, DB_ALERTS_DUE, dk, dlen, "", 0, 0)
	                                : store_del(t, DB_ALERTS_DUE, dk, dlen);
	if (rc == STORE_OK)
		rc = wait == ALERT_WAIT_OVERDUE ? put(t, DB_ALERTS_OVERDUE, sk, 8, "", 0, 0)
		                                : store_del(t, DB_ALERTS_OVERDUE, sk, 8);
	return rc;
}

int store_alert_add(struct store_txn *t, const struct alert *a)
{
	if (a->seq != store_last_key(t, DB_ALERTS) + 1) {
		log_error("store: alert seq %llu out of order", (unsigned long long)a->seq);
		return STORE_ERROR;
	}
	int rc = alert_write(t, a, MDB_APPEND);
	if (rc != STORE_OK || (rc = alert_index(t, a)) != STORE_OK)
		return rc;
	uint8_t ck[16];
	put_u64(ck, a->child);
	put_u64(ck + 8, a->seq);
	if ((rc = put(t, DB_CHILD_ALERTS, ck, 16, "", 0, 0)) != STORE_OK)
		return rc;
	char name[96];
	if ((rc = store_counter_add(t, "alerts", 1)) != STORE_OK)
		return rc;
	snprintf(name, sizeof name, "level.%s", level_name(a->level));
	if ((rc = store_counter_add(t, name, 1)) != STORE_OK)
		return rc;
	snprintf(name, sizeof name, "rule.%s", a->rule);
	return store_counter_add(t, name, 1);
}

int store_alert_update(struct store_txn *t, const struct alert *a)
{
	int rc = alert_write(t, a, 0);
	return rc == STORE_OK ? alert_index(t, a) : rc;
}

int store_alert_due_each(struct store_txn *t, int level, int64_t raised_by_ms, store_seq_fn fn,
                         void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_ALERTS_DUE], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "alerts_due");
	uint8_t start[17] = {(uint8_t)level};
	MDB_val k = {sizeof start, start}, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data;
		if (k.mv_size != 17 || kp[0] != (uint8_t)level ||
		    unbias_time(get_u64(kp + 1)) > raised_by_ms)
			break;
		if (fn(get_u64(kp + 9), arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "alerts_due");
}

int store_alert_overdue_each(struct store_txn *t, uint64_t after_seq, store_seq_fn fn, void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_ALERTS_OVERDUE], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "alerts_overdue");
	uint8_t start[8];
	put_u64(start, after_seq + 1);
	MDB_val k = {sizeof start, start}, v;
	for (rc = after_seq == UINT64_MAX ? MDB_NOTFOUND : mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	     rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size == 8 && fn(get_u64(k.mv_data), arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "alerts_overdue");
}

uint64_t store_alert_overdue_count(struct store_txn *t)
{
	MDB_stat st;
	int rc = mdb_stat(t->txn, t->s->dbi[DB_ALERTS_OVERDUE], &st);
	if (rc != MDB_SUCCESS) {
		result(rc, "alerts_overdue");
		return 0;
	}
	return st.ms_entries;
}

/* Records kept in order under an 8-byte owner (alert seq, child): keys
 * owner(8) n(4), n counting from 1. The record is put through the cursor
 * that found the owner's last: LMDB then finds its place on the page the
 * cursor is on instead of descending the tree again. */
static int owned_add(struct store_txn *t, enum dbi db, uint64_t owner, const void *rec, size_t len,
                     uint32_t max)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, store_db_name(db));
	/* The owner's last record: just before the next owner's first. */
	uint8_t key[12];
	put_u64(key, owner + 1);
	memset(key + 8, 0, 4);
	MDB_val k = {8, key}, v;
	rc = owner == UINT64_MAX ? mdb_cursor_get(c, &k, &v, MDB_LAST)
	                         : mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (rc == MDB_SUCCESS && owner != UINT64_MAX)
		rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
	else if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	uint32_t n = 0;
	if (rc == MDB_SUCCESS && k.mv_size == 12 && get_u64(k.mv_data) == owner) {
		const uint8_t *p = (const uint8_t *)k.mv_data + 8;
		n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	}
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
		mdb_cursor_close(c);
		return result(rc, store_db_name(db));
	}
	if (n >= max) {
		mdb_cursor_close(c);
		return STORE_EXISTS;
	}
	n++;
	put_u64(key, owner);
	key[8] = (uint8_t)(n >> 24);
	key[9] = (uint8_t)(n >> 16);
	key[10] = (uint8_t)(n >> 8);
	key[11] = (uint8_t)n;
	k = (MDB_val){sizeof key, key};
	v = (MDB_val){len, (void *)(uintptr_t)rec};
	rc = store_injected(t->s);
	if (!rc)
		rc = mdb_cursor_put(c, &k, &v, MDB_NOOVERWRITE);
	mdb_cursor_close(c);
	return result(rc, store_db_name(db));
}

static int owned_each(struct store_txn *t, enum dbi db, uint64_t owner, store_record_fn fn,
                      void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, store_db_name(db));
	uint8_t start[8];
	put_u64(start, owner);
	MDB_val k = {sizeof start, start}, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 12 || get_u64(k.mv_data) != owner)
			break;
		if (fn(v.mv_data, v.mv_size, arg))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, store_db_name(db));
}

int store_alert_event_add(struct store_txn *t, uint64_t seq, const struct alert_event *e)
{
	uint8_t *rec = NULL;
	size_t len = 0;
	if (wire_alert_event_pack(e, &rec, &len) < 0)
		return STORE_ERROR;
	/* Only notes can grow without end: acknowledging, closing and the
	 * reminder happen once each, so they always find room. */
	uint32_t max = e->action == ALERT_ACTION_NOTE ? STORE_ALERT_EVENTS_MAX : UINT32_MAX;
	int rc = owned_add(t, DB_ALERT_EVENTS, seq, rec, len, max);
	free(rec);
	return rc;
}

int store_alert_events(struct store_txn *t, uint64_t seq, store_record_fn fn, void *arg)
{
	return owned_each(t, DB_ALERT_EVENTS, seq, fn, arg);
}

/* ---- lead practitioners ---- */

int store_assignment_add(struct store_txn *t, uint64_t child, const struct assignment *as)
{
	uint8_t *rec = NULL;
	size_t len = 0;
	if (wire_assignment_pack(as, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = owned_add(t, DB_ASSIGNMENTS, child, rec, len, STORE_ASSIGNMENTS_MAX);
	free(rec);
	return rc;
}

int store_assignments(struct store_txn *t, uint64_t child, store_record_fn fn, void *arg)
{
	return owned_each(t, DB_ASSIGNMENTS, child, fn, arg);
}

/* Records copied out of a transaction's pages, to be written back. */
struct record_copies {
	size_t n;
	struct {
		uint8_t *data;
		size_t len;
	} v[STORE_ASSIGNMENTS_MAX];
	int failed;
};

static int copy_record(const void *data, size_t len, void *arg)
{
	struct record_copies *c = arg;
	if (c->n == STORE_ASSIGNMENTS_MAX)
		return 1;
	uint8_t *p = malloc(len ? len : 1);
	if (!p) {
		c->failed = 1;
		return 1;
	}
	memcpy(p, data, len);
	c->v[c->n].data = p;
	c->v[c->n++].len = len;
	return 0;
}

static int count_record(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	++*(size_t *)arg;
	return 1;
}

int store_assignments_adopt(struct store_txn *t, uint64_t from, uint64_t to)
{
	size_t has = 0;
	int rc = owned_each(t, DB_ASSIGNMENTS, to, count_record, &has);
	if (rc != STORE_OK || has)
		return rc;
	struct record_copies *c = calloc(1, sizeof *c);
	if (!c)
		return STORE_ERROR;
	rc = owned_each(t, DB_ASSIGNMENTS, from, copy_record, c);
	if (rc == STORE_OK && c->failed)
		rc = STORE_ERROR;
	for (size_t i = 0; i < c->n; i++) {
		if (rc == STORE_OK)
			rc = owned_add(t, DB_ASSIGNMENTS, to, c->v[i].data, c->v[i].len,
			               STORE_ASSIGNMENTS_MAX);
		free(c->v[i].data);
	}
	free(c);
	return rc;
}

static int keep_last(const void *data, size_t len, void *arg)
{
	struct assignment *as = arg;
	if (wire_assignment_decode(data, len, as) < 0)
		as->practitioner[0] = '\0';
	return 0;
}

int store_lead_practitioner(struct store_txn *t, uint64_t child, char *out, size_t size)
{
	struct assignment *as = calloc(1, sizeof *as);
	if (!as)
		return STORE_ERROR;
	int rc = owned_each(t, DB_ASSIGNMENTS, child, keep_last, as);
	if (rc == STORE_OK)
		snprintf(out, size, "%s", as->practitioner);
	free(as);
	return rc;
}

/* ---- reading alerts; the open alert of (child, rule) ---- */

int store_alert_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len)
{
	return store_get_by_seq(t, DB_ALERTS, seq, data, len);
}

/* Where cite_visit() adds what an alert's history cites. */
struct cite_walk {
	struct alert *a;
	int malformed;
};

/* One entry of an alert's history: the concern an EVIDENCE entry added
 * joins the alert's evidence. */
static int cite_visit(const void *data, size_t len, void *arg)
{
	struct cite_walk *w = arg;
	struct alert_evidence e;
	int rc = wire_alert_event_evidence(data, len, &e);
	if (rc > 0)
		lifecycle_cite(w->a, &e);
	return w->malformed = rc < 0;
}

int store_alert_evidence_join(struct store_txn *t, struct alert *a)
{
	struct cite_walk w = {a, 0};
	int rc = store_alert_events(t, a->seq, cite_visit, &w);
	if (rc == STORE_OK && w.malformed) {
		log_error("store: alert %llu: malformed history entry", (unsigned long long)a->seq);
		rc = STORE_ERROR;
	}
	return rc;
}

/* How a read of alert seq's record ends when decoding it (rc < 0)
 * failed: said, and the store's error. */
static int alert_decoded(uint64_t seq, int rc)
{
	if (rc >= 0)
		return STORE_OK;
	log_error("store: alert %llu: malformed record", (unsigned long long)seq);
	return STORE_ERROR;
}

int store_alert_get(struct store_txn *t, uint64_t seq, struct alert *out)
{
	const void *data;
	size_t len;
	int rc = store_alert_raw(t, seq, &data, &len);
	if (rc == STORE_OK)
		rc = alert_decoded(seq, wire_stored_alert_decode(data, len, out));
	return rc == STORE_OK ? store_alert_evidence_join(t, out) : rc;
}

int store_alert_head(struct store_txn *t, uint64_t seq, struct alert *out)
{
	const void *data;
	size_t len;
	int rc = store_alert_raw(t, seq, &data, &len);
	return rc == STORE_OK ? alert_decoded(seq, wire_stored_alert_head(data, len, out)) : rc;
}

int store_alert_level(struct store_txn *t, uint64_t seq, enum level *level)
{
	const void *data;
	size_t len;
	int rc = store_alert_raw(t, seq, &data, &len);
	return rc == STORE_OK ? alert_decoded(seq, wire_stored_alert_level(data, len, level)) : rc;
}

static size_t open_alert_key(uint8_t *key, uint64_t child, const char *rule)
{
	size_t n = strlen(rule);
	if (n >= RULE_NAME_MAX)
		n = RULE_NAME_MAX - 1;
	put_u64(key, child);
	memcpy(key + 8, rule, n);
	return 8 + n;
}

int store_open_alert(struct store_txn *t, uint64_t child, const char *rule, uint64_t *seq)
{
	uint8_t key[8 + RULE_NAME_MAX];
	size_t klen = open_alert_key(key, child, rule);
	return store_get_u64(t, DB_OPEN_ALERTS, key, klen, seq);
}

int store_open_alerts(struct store_txn *t, uint64_t child, store_open_alert_fn fn, void *arg)
{
	uint8_t key[8];
	put_u64(key, child);
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_OPEN_ALERTS], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "open_alerts");
	MDB_val k = {sizeof key, key}, v;
	int malformed = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < sizeof key || memcmp(k.mv_data, key, sizeof key) != 0)
			break;
		char rule[RULE_NAME_MAX];
		size_t n = k.mv_size - sizeof key;
		if ((malformed = n >= sizeof rule || v.mv_size != 8))
			break;
		memcpy(rule, (const uint8_t *)k.mv_data + sizeof key, n);
		rule[n] = '\0';
		if (fn(rule, get_u64(v.mv_data), arg))
			break;
	}
	mdb_cursor_close(c);
	if (malformed) {
		log_error("store: open alert of child %llu: malformed entry",
		          (unsigned long long)child);
		return STORE_ERROR;
	}
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "open_alerts");
}

int store_open_alert_set(struct store_txn *t, uint64_t child, const char *rule, uint64_t seq)
{
	uint8_t key[8 + RULE_NAME_MAX];
	size_t klen = open_alert_key(key, child, rule);
	if (seq == 0) {
		MDB_val k = {klen, key};
		int rc = mdb_del(t->txn, t->s->dbi[DB_OPEN_ALERTS], &k, NULL);
		return rc == MDB_NOTFOUND ? STORE_OK : result(rc, "open_alerts");
	}
	uint8_t v[8];
	put_u64(v, seq);
	return put(t, DB_OPEN_ALERTS, key, klen, v, 8, 0);
}

/* The seqs indexed under child in a (child, seq) index, oldest first. */
int store_child_alerts(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n)
{
	return store_child_index(t, DB_CHILD_ALERTS, child, seqs, n);
}

int store_alert_each(struct store_txn *t, store_record_fn fn, void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_ALERTS], &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "alerts");
	MDB_val k, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if (fn(v.mv_data, v.mv_size, arg))
			break;
	mdb_cursor_close(c);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? STORE_OK : result(rc, "alerts");
}
