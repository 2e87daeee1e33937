/*
 * control_matches.c - answers MatchesRequest: the possible matches
 * recorded as children were filed (match_index.c), as pairs of two
 * distinct live children.
 *
 * A pair is recorded under the ids its children had when it was found;
 * either may have merged since (an operator's link, or a concern naming
 * both), so each side is resolved here: a pair whose sides are now one
 * child is no longer a question and is left out, and two pairs that now
 * name the same two children are shown once.
 */
#include "control_int.h"

#include <stdio.h>
#include <string.h>

#include "ffc_store.pb-c.h"
#include "wire.h"

struct listing {
	struct store_txn *t;
	struct arena *ar;
	Ffc__V1__MatchesReply *r;
	uint64_t (*pairs)[2]; /* the live ids of each match listed */
	size_t limit;
	int failed;
};

static int listed(const struct listing *l, uint64_t a, uint64_t b)
{
	for (size_t i = 0; i < l->r->n_matches; i++)
		if (l->pairs[i][0] == a && l->pairs[i][1] == b)
			return 1;
	return 0;
}

static int visit(const void *rec, size_t len, void *arg)
{
	struct listing *l = arg;
	Ffc__Store__StoredMatch *sm = ffc__store__stored_match__unpack(NULL, len, rec);
	if (!sm)
		return 0; /* a record this ffcd cannot read: skip it, list the rest */
	if (arena_keep(l->ar, &sm->base) < 0) {
		l->failed = 1;
		return 1;
	}
	uint64_t a, b;
	if (!sm->match || store_child_resolve(l->t, sm->child, &a) != STORE_OK ||
	    store_child_resolve(l->t, sm->other, &b) != STORE_OK || a == b)
		return 0;
	/* A copy that points into the record: the record itself is freed
	 * as unpacked, so nothing of the arena's may be put into it. */
	Ffc__V1__PossibleMatch *m = arena_alloc(l->ar, sizeof *m);
	if (!m) {
		l->failed = 1;
		return 1;
	}
	*m = *sm->match;
	if (a > b) {
		/* Merges may turn the order round: the lower id first. */
		uint64_t x = a;
		a = b;
		b = x;
		m->identity = sm->match->other_identity;
		m->other_identity = sm->match->identity;
	}
	if (listed(l, a, b))
		return 0;
	if (l->r->n_matches == l->limit) {
		l->r->more = 1;
		return 1;
	}
	char ca[WIRE_ID_MAX], cb[WIRE_ID_MAX];
	wire_child_id(a, ca);
	wire_child_id(b, cb);
	m->child_id = arena_strdup(l->ar, ca);
	m->other_child_id = arena_strdup(l->ar, cb);
	l->pairs[l->r->n_matches][0] = a;
	l->pairs[l->r->n_matches][1] = b;
	l->r->matches[l->r->n_matches++] = m;
	return 0;
}

const char *control_matches(struct store_txn *t, const Ffc__V1__MatchesRequest *req,
                            struct arena *ar, Ffc__V1__ControlReply *reply)
{
	size_t limit = req->limit ? req->limit : CONTROL_ALERTS_PAGE;
	if (limit > CONTROL_ALERTS_MAX)
		return "matches.limit: over the most one request may ask for (5000)";
	Ffc__V1__MatchesReply *r = arena_alloc(ar, sizeof *r);
	Ffc__V1__PossibleMatch **items = arena_alloc(ar, limit * sizeof *items);
	uint64_t(*pairs)[2] = arena_alloc(ar, limit * sizeof *pairs);
	if (!r || !items || !pairs)
		return NULL;
	ffc__v1__matches_reply__init(r);
	r->matches = items;
	struct listing l = {t, ar, r, pairs, limit, 0};
	if (store_match_each(t, visit, &l) != STORE_OK)
		return "matches: store error";
	if (l.failed)
		return NULL; /* ar->failed is set: the reply says out of memory */
	reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_MATCHES;
	reply->matches = r;
	return NULL;
}
