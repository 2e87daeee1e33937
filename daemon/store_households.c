/*
 * store_households.c - households and their events: the household records
 * (members, the households merged into each), which household each child
 * is in, joining two children's households into one, taking a child out,
 * household events indexed under the children they name, and bringing a
 * format-2 store's pairs of children over to households.
 *
 * Owns the mechanics of a union (which id stays, aliases pointing straight
 * at the survivor, every member's index entry). Does not decide when
 * children join (household.c, called by ingest, merges and operators) nor
 * write the events that say why.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "wire.h"

/* ---- records ---- */

int store_household_next(struct store_txn *t, uint64_t *id)
{
	*id = store_last_key(t, DB_HOUSEHOLD_RECORDS) + 1;
	return STORE_OK;
}

int store_household_get(struct store_txn *t, uint64_t id, struct household_record *out)
{
	uint8_t key[8];
	MDB_val v;
	put_u64(key, id);
	memset(out, 0, sizeof *out);
	int rc = get(t, DB_HOUSEHOLD_RECORDS, key, 8, &v);
	if (rc != STORE_OK)
		return rc;
	if (wire_household_decode(v.mv_data, v.mv_size, out) < 0) {
		log_error("store: household %llu: malformed record", (unsigned long long)id);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int store_household_put(struct store_txn *t, const struct household_record *h)
{
	uint8_t key[8];
	uint8_t *rec = NULL;
	size_t len = 0;
	put_u64(key, h->id);
	if (wire_household_pack(h, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = put(t, DB_HOUSEHOLD_RECORDS, key, 8, rec, len, 0);
	free(rec);
	return rc;
}

int store_household_resolve(struct store_txn *t, uint64_t id, uint64_t *live)
{
	/* Aliases point straight at the survivor (see merge_households), so
	 * this is one hop; the bound only guards against a corrupt store. */
	for (int hops = 0; hops < 64; hops++) {
		struct household_record h;
		int rc = store_household_get(t, id, &h);
		if (rc != STORE_OK)
			return rc;
		uint64_t next = h.merged_into;
		household_record_release(&h);
		if (next == 0) {
			*live = id;
			return STORE_OK;
		}
		id = next;
	}
	log_error("store: household %llu: merge chain too long", (unsigned long long)id);
	return STORE_ERROR;
}

/* ---- which household a child is in ---- */

int store_child_household(struct store_txn *t, uint64_t child, uint64_t *household)
{
	uint8_t key[8];
	put_u64(key, child);
	*household = 0;
	int rc = store_get_u64(t, DB_CHILD_HOUSEHOLDS, key, 8, household);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

static int child_set(struct store_txn *t, uint64_t child, uint64_t household)
{
	uint8_t key[8], v[8];
	put_u64(key, child);
	if (!household)
		return store_del(t, DB_CHILD_HOUSEHOLDS, key, 8);
	put_u64(v, household);
	return put(t, DB_CHILD_HOUSEHOLDS, key, 8, v, 8, 0);
}

/* Insert child into h's members, kept ascending; 0, or -1 when full. */
static int member_add(struct household_record *h, uint64_t child)
{
	size_t at = 0;
	while (at < h->n_members && h->members[at] < child)
		at++;
	if (at < h->n_members && h->members[at] == child)
		return 0;
	if (h->n_members == HOUSEHOLD_MEMBERS_MAX)
		return -1;
	memmove(&h->members[at + 1], &h->members[at], (h->n_members - at) * sizeof h->members[0]);
	h->members[at] = child;
	h->n_members++;
	return 0;
}

static void member_drop(struct household_record *h, uint64_t child)
{
	size_t kept = 0;
	for (size_t i = 0; i < h->n_members; i++)
		if (h->members[i] != child)
			h->members[kept++] = h->members[i];
	h->n_members = kept;
}

/* ---- joining ---- */

/* A new household of a and b. */
static int form(struct store_txn *t, uint64_t a, uint64_t b, int64_t now_ms,
                struct household_union *u)
{
	struct household_record h;
	memset(&h, 0, sizeof h);
	int rc = store_household_next(t, &h.id);
	h.created_at_ms = now_ms;
	member_add(&h, a);
	member_add(&h, b);
	if (rc == STORE_OK)
		rc = store_household_put(t, &h);
	if (rc == STORE_OK)
		rc = child_set(t, a, h.id);
	if (rc == STORE_OK)
		rc = child_set(t, b, h.id);
	u->change = HOUSEHOLD_FORMED;
	u->household = h.id;
	u->child = a;
	u->other = b;
	return rc;
}

/* child (in no household) joins household id, named with `with`. */
static int join(struct store_txn *t, uint64_t id, uint64_t child, uint64_t with,
                struct household_union *u)
{
	struct household_record h;
	int rc = store_household_get(t, id, &h);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	u->household = id;
	u->child = child;
	u->other = with;
	if (member_add(&h, child) < 0) {
		u->change = HOUSEHOLD_FULL;
	} else {
		u->change = HOUSEHOLD_JOINED;
		rc = store_household_put(t, &h);
		if (rc == STORE_OK)
			rc = child_set(t, child, id);
	}
	household_record_release(&h);
	return rc;
}

/* Two households become one: the lower id stays, the other and every
 * household merged into it before become its aliases, each pointing
 * straight at it. */
static int merge_households(struct store_txn *t, uint64_t x, uint64_t y, struct household_union *u)
{
	uint64_t keep = x < y ? x : y, gone = x < y ? y : x;
	struct household_record s, g;
	int rc = store_household_get(t, keep, &s);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	if ((rc = store_household_get(t, gone, &g)) != STORE_OK) {
		household_record_release(&s);
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	}
	u->household = keep;
	u->other_household = gone;
	size_t together = s.n_members;
	for (size_t i = 0; i < g.n_members; i++) {
		size_t j = 0;
		while (j < s.n_members && s.members[j] != g.members[i])
			j++;
		together += j == s.n_members;
	}
	if (together > HOUSEHOLD_MEMBERS_MAX) {
		u->change = HOUSEHOLD_FULL;
		goto out;
	}
	u->change = HOUSEHOLD_MERGED;
	for (size_t i = 0; i < g.n_members && rc == STORE_OK; i++) {
		member_add(&s, g.members[i]);
		rc = child_set(t, g.members[i], keep);
	}
	uint64_t *aliases =
	    rc == STORE_OK ? realloc(s.aliases, (s.n_aliases + g.n_aliases + 1) * sizeof *aliases)
	                   : NULL;
	if (!aliases) {
		rc = rc == STORE_OK ? STORE_ERROR : rc;
		goto out;
	}
	s.aliases = aliases;
	s.aliases[s.n_aliases++] = gone;
	for (size_t i = 0; i < g.n_aliases && rc == STORE_OK; i++) {
		struct household_record a;
		s.aliases[s.n_aliases++] = g.aliases[i];
		if ((rc = store_household_get(t, g.aliases[i], &a)) != STORE_OK)
			break;
		a.merged_into = keep;
		rc = store_household_put(t, &a);
		household_record_release(&a);
	}
	if (rc != STORE_OK)
		goto out;
	g.merged_into = keep;
	g.n_members = 0;
	free(g.aliases);
	g.aliases = NULL;
	g.n_aliases = 0;
	if ((rc = store_household_put(t, &g)) == STORE_OK)
		rc = store_household_put(t, &s);
out:
	household_record_release(&s);
	household_record_release(&g);
	return rc;
}

int store_household_union(struct store_txn *t, uint64_t a, uint64_t b, int64_t now_ms,
                          struct household_union *u)
{
	memset(u, 0, sizeof *u);
	u->child = a;
	u->other = b;
	uint64_t ha, hb;
	int rc = store_child_household(t, a, &ha);
	if (rc == STORE_OK)
		rc = store_child_household(t, b, &hb);
	if (rc != STORE_OK)
		return rc;
	if (a == b || (ha && ha == hb)) {
		u->change = HOUSEHOLD_SAME;
		u->household = ha;
		return STORE_OK;
	}
	if (!ha && !hb)
		return form(t, a, b, now_ms, u);
	if (!hb)
		return join(t, ha, b, a, u);
	if (!ha)
		return join(t, hb, a, b, u);
	return merge_households(t, ha, hb, u);
}

int store_household_enter(struct store_txn *t, uint64_t household, uint64_t child,
                          struct household_union *u)
{
	memset(u, 0, sizeof *u);
	return join(t, household, child, 0, u);
}

int store_household_remove(struct store_txn *t, uint64_t child, uint64_t *was)
{
	int rc = store_child_household(t, child, was);
	if (rc != STORE_OK || !*was)
		return rc;
	struct household_record h;
	if ((rc = store_household_get(t, *was, &h)) != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	member_drop(&h, child);
	rc = store_household_put(t, &h);
	household_record_release(&h);
	return rc == STORE_OK ? child_set(t, child, 0) : rc;
}

/* ---- household events ---- */

int store_household_event_add(struct store_txn *t, struct household_event *e)
{
	e->seq = store_last_key(t, DB_HOUSEHOLD_EVENTS) + 1;
	uint8_t key[8];
	uint8_t *rec = NULL;
	size_t len = 0;
	put_u64(key, e->seq);
	if (wire_household_event_pack(e, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = put(t, DB_HOUSEHOLD_EVENTS, key, 8, rec, len, MDB_APPEND);
	free(rec);
	if (rc == STORE_OK && e->child)
		rc = store_child_index_put(t, DB_CHILD_HOUSEHOLD_EVENTS, e->child, e->seq);
	if (rc == STORE_OK && e->other && e->other != e->child)
		rc = store_child_index_put(t, DB_CHILD_HOUSEHOLD_EVENTS, e->other, e->seq);
	return rc;
}

int store_household_event_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len)
{
	return store_get_by_seq(t, DB_HOUSEHOLD_EVENTS, seq, data, len);
}

int store_child_household_events(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n)
{
	return store_child_index(t, DB_CHILD_HOUSEHOLD_EVENTS, child, seqs, n);
}

/* ---- format 2 to 3 ---- */

/* The pairs of the format-2 "households" table (child -> member,
 * dupsort), read whole before anything is written. */
struct pairs {
	size_t n, cap;
	uint64_t (*v)[2];
};

static int pairs_read(struct store_txn *t, MDB_dbi dbi, struct pairs *p)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, dbi, &c);
	if (rc != MDB_SUCCESS)
		return result(rc, "households");
	MDB_val k, v;
	int out = STORE_OK;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 8 || v.mv_size != 8) {
			log_error("store: households: malformed format-2 pair");
			out = STORE_ERROR;
			break;
		}
		if (p->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 64;
			uint64_t(*grown)[2] = realloc(p->v, cap * sizeof *grown);
			if (!grown) {
				out = STORE_ERROR;
				break;
			}
			p->v = grown;
			p->cap = cap;
		}
		p->v[p->n][0] = get_u64(k.mv_data);
		p->v[p->n][1] = get_u64(v.mv_data);
		p->n++;
	}
	mdb_cursor_close(c);
	if (out == STORE_OK && rc != MDB_NOTFOUND)
		out = result(rc, "households");
	return out;
}

int store_households_migrate(struct store_txn *t, int64_t now_ms)
{
	MDB_dbi dbi;
	int rc = mdb_dbi_open(t->txn, "households", MDB_DUPSORT, &dbi);
	if (rc == MDB_NOTFOUND)
		return STORE_OK; /* a store that never had one */
	if (rc != MDB_SUCCESS)
		return result(rc, "households");
	struct pairs p = {0};
	int out = pairs_read(t, dbi, &p);
	size_t full = 0;
	/* Each pair is recorded both ways; ids as filed, so resolved here to
	 * the children they are now. */
	for (size_t i = 0; i < p.n && out == STORE_OK; i++) {
		uint64_t a, b;
		out = store_child_resolve(t, p.v[i][0], &a);
		if (out == STORE_OK)
			out = store_child_resolve(t, p.v[i][1], &b);
		if (out == STORE_NOTFOUND) {
			out = STORE_OK;
			continue;
		}
		struct household_union u;
		if (out == STORE_OK)
			out = store_household_union(t, a, b, now_ms, &u);
		if (out == STORE_OK)
			full += u.change == HOUSEHOLD_FULL;
	}
	free(p.v);
	if (out == STORE_OK && (rc = mdb_drop(t->txn, dbi, 1)) != MDB_SUCCESS)
		out = result(rc, "households");
	if (out == STORE_OK && p.n)
		log_info("store: %zu household pairs migrated to format 3 (%llu households)",
		         p.n / 2, (unsigned long long)store_last_key(t, DB_HOUSEHOLD_RECORDS));
	if (out == STORE_OK && full)
		log_warn("store: %zu pairs left apart: their household would pass %d children",
		         full, HOUSEHOLD_MEMBERS_MAX);
	return out;
}
