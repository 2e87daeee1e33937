/*
 * control_matches.c - answers MatchesRequest (the possible matches
 * recorded as children were filed, match_index.c) and MatchDismissRequest
 * (an operator's judgement that a pair is two different children).
 *
 * A pair is recorded under the ids its children had when it was found;
 * either may have merged since (an operator's link, or a concern naming
 * both), so each side is resolved here: a pair whose sides are now one
 * child is no longer a question and is left out, and two records that now
 * name the same two children are shown once and dismissed together.
 */
#include "control_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffc_store.pb-c.h"
#include "ids.h"
#include "validate.h"

/* Longest dismissal reason and operator name kept. */
#define DISMISS_REASON_MAX 1024
#define OPERATOR_MAX       256

/* The live ids of a recorded pair, lower first in *a, and whether that
 * turned the recorded order round. Returns STORE_OK when they are two live
 * children, STORE_NOTFOUND when they are one child now (or a side is
 * gone), or a store error. */
static int live_pair(struct store_txn *t, uint64_t child, uint64_t other, uint64_t *a, uint64_t *b,
                     int *swapped)
{
	int rc = store_child_resolve(t, child, a);
	if (rc == STORE_OK)
		rc = store_child_resolve(t, other, b);
	if (rc != STORE_OK)
		return rc;
	if (*a == *b)
		return STORE_NOTFOUND;
	*swapped = *a > *b;
	if (*swapped) {
		uint64_t x = *a;
		*a = *b;
		*b = x;
	}
	return STORE_OK;
}

/* The record's PossibleMatch under the live ids, pointing into the record
 * (which the arena keeps). A copy: the record is freed as unpacked, so
 * nothing of the arena's may be put into it. */
static Ffc__V1__PossibleMatch *as_live(struct arena *ar, const Ffc__V1__PossibleMatch *rec,
                                       uint64_t a, uint64_t b, int swapped)
{
	Ffc__V1__PossibleMatch *m = arena_alloc(ar, sizeof *m);
	if (!m)
		return NULL;
	*m = *rec;
	if (swapped) {
		/* Each side keeps its own evidence. */
		m->identity = rec->other_identity;
		m->other_identity = rec->identity;
	}
	char ca[WIRE_ID_MAX], cb[WIRE_ID_MAX];
	wire_child_id(a, ca);
	wire_child_id(b, cb);
	m->child_id = arena_strdup(ar, ca);
	m->other_child_id = arena_strdup(ar, cb);
	return m;
}

/* ---- listing ---- */

struct listing {
	struct store_txn *t;
	struct arena *ar;
	Ffc__V1__MatchesReply *r;
	uint64_t (*pairs)[2]; /* the live ids of each match listed */
	size_t limit;
	int dismissed; /* list dismissed pairs too */
	int failed;
};

static int listed(const struct listing *l, uint64_t a, uint64_t b)
{
	for (size_t i = 0; i < l->r->n_matches; i++)
		if (l->pairs[i][0] == a && l->pairs[i][1] == b)
			return 1;
	return 0;
}

static int visit(uint64_t child, uint64_t other, const void *rec, size_t len, void *arg)
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
	int swapped;
	if (!sm->match || live_pair(l->t, child, other, &a, &b, &swapped) != STORE_OK)
		return 0;
	if ((sm->match->dismissed_at_ms && !l->dismissed) || listed(l, a, b))
		return 0;
	if (l->r->n_matches == l->limit) {
		l->r->more = 1;
		return 1;
	}
	Ffc__V1__PossibleMatch *m = as_live(l->ar, sm->match, a, b, swapped);
	if (!m) {
		l->failed = 1;
		return 1;
	}
	l->pairs[l->r->n_matches][0] = a;
	l->pairs[l->r->n_matches][1] = b;
	l->r->matches[l->r->n_matches++] = m;
	return 0;
}

const char *control_matches(struct control_call *call)
{
	const Ffc__V1__MatchesRequest *req = call->rq->matches;
	struct arena *ar = call->ar;
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
	struct listing l = {call->t, ar, r, pairs, limit, req->dismissed, 0};
	if (store_match_each(call->t, visit, &l) != STORE_OK)
		return "matches: store error";
	if (l.failed)
		return NULL; /* ar->failed is set: the reply says out of memory */
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_MATCHES;
	call->reply->matches = r;
	return NULL;
}

/* ---- dismissing ---- */

/* Records of one live pair (more than one when children merged since). */
#define DISMISS_RECORDS_MAX 16

struct dismissal {
	uint64_t a, b; /* the pair as named, lower first */
	const char *by, *reason;
	int64_t now_ms;
	/* Set by each attempt, from scratch. */
	struct store_txn *t;
	size_t n;
	struct {
		uint64_t child, other; /* the record's key */
		uint8_t *rec;          /* the record after dismissal, packed */
		size_t len;
		int changed, swapped;
	} found[DISMISS_RECORDS_MAX];
	char error[160];
};

static void dismissal_clear(struct dismissal *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->found[i].rec);
	d->n = 0;
	d->error[0] = '\0';
}

/* Collect each record of the pair, dismissed (unless it already was). */
static int collect(uint64_t child, uint64_t other, const void *rec, size_t len, void *arg)
{
	struct dismissal *d = arg;
	uint64_t a, b;
	int swapped;
	if (live_pair(d->t, child, other, &a, &b, &swapped) != STORE_OK || a != d->a || b != d->b)
		return 0;
	if (d->n == DISMISS_RECORDS_MAX)
		return 1;
	Ffc__Store__StoredMatch *sm = ffc__store__stored_match__unpack(NULL, len, rec);
	if (!sm || !sm->match) {
		if (sm)
			ffc__store__stored_match__free_unpacked(sm, NULL);
		return 0;
	}
	Ffc__V1__PossibleMatch *m = sm->match, kept = *m;
	int changed = m->dismissed_at_ms == 0;
	if (changed) {
		/* The first judgement stands; a repeated command changes
		 * nothing. */
		m->dismissed_by = (char *)(uintptr_t)d->by;
		m->dismissed_reason = (char *)(uintptr_t)d->reason;
		m->dismissed_at_ms = d->now_ms;
	}
	size_t n = ffc__store__stored_match__get_packed_size(sm);
	uint8_t *buf = malloc(n ? n : 1);
	if (buf)
		ffc__store__stored_match__pack(sm, buf);
	*m = kept; /* the unpacked record frees only its own strings */
	ffc__store__stored_match__free_unpacked(sm, NULL);
	if (!buf)
		return 1;
	d->found[d->n].child = child;
	d->found[d->n].other = other;
	d->found[d->n].rec = buf;
	d->found[d->n].len = n;
	d->found[d->n].changed = changed;
	d->found[d->n].swapped = swapped;
	d->n++;
	return 0;
}

static int dismiss(struct store_txn *t, void *arg)
{
	struct dismissal *d = arg;
	char ca[WIRE_ID_MAX], cb[WIRE_ID_MAX];
	uint64_t a, b;
	int swapped;
	dismissal_clear(d);
	d->t = t;
	wire_child_id(d->a, ca);
	wire_child_id(d->b, cb);
	int rc = live_pair(t, d->a, d->b, &a, &b, &swapped);
	if (rc == STORE_NOTFOUND) {
		uint64_t x;
		if (store_child_resolve(t, d->a, &x) == STORE_NOTFOUND ||
		    store_child_resolve(t, d->b, &x) == STORE_NOTFOUND)
			snprintf(d->error, sizeof d->error, "dismiss_match: no such child");
		else
			snprintf(d->error, sizeof d->error,
			         "dismiss_match: %s and %s are one child now", ca, cb);
		return STORE_NOTFOUND;
	}
	if (rc != STORE_OK)
		return rc;
	d->a = a; /* as named, or the survivors they merged into */
	d->b = b;
	if ((rc = store_match_each(t, collect, d)) != STORE_OK)
		return rc;
	if (d->n == 0) {
		snprintf(d->error, sizeof d->error,
		         "dismiss_match: %s and %s are not a possible match (see ffcctl matches)",
		         ca, cb);
		return STORE_NOTFOUND;
	}
	for (size_t i = 0; i < d->n; i++)
		if (d->found[i].changed &&
		    (rc = store_match_put(t, d->found[i].child, d->found[i].other, d->found[i].rec,
		                          d->found[i].len)) != STORE_OK)
			return rc;
	return STORE_OK;
}

/* A string an operator typed: present, within max bytes, valid UTF-8. */
static const char *check_text(const char *s, size_t max, const char *field, char *err,
                              size_t errlen)
{
	size_t n = strlen(s);
	if (n == 0)
		snprintf(err, errlen, "%s: required", field);
	else if (n > max)
		snprintf(err, errlen, "%s: over %zu bytes", field, max);
	else if (!validate_utf8(s, n))
		snprintf(err, errlen, "%s: not valid UTF-8", field);
	else
		return NULL;
	return err;
}

const char *control_dismiss_match(struct control_call *call)
{
	struct arena *ar = call->ar;
	const Ffc__V1__MatchDismissRequest *req = call->rq->dismiss_match;
	struct dismissal *d = calloc(1, sizeof *d);
	char err[160];
	const char *e = NULL;
	if (!d)
		return "out of memory";
	if (wire_child_id_parse(req->child_id, &d->a) < 0)
		e = "dismiss_match.child_id: not a child id (like C00000042)";
	else if (wire_child_id_parse(req->other_child_id, &d->b) < 0)
		e = "dismiss_match.other_child_id: not a child id (like C00000042)";
	else if (d->a == d->b)
		e = "dismiss_match: child_id and other_child_id are the same child";
	else if ((e = check_text(req->reason, DISMISS_REASON_MAX, "dismiss_match.reason", err,
	                         sizeof err)) != NULL ||
	         (e = check_text(call->rq->operator_, OPERATOR_MAX, "operator", err, sizeof err)) !=
	             NULL)
		e = arena_strdup(ar, e);
	if (e) {
		free(d);
		return e;
	}
	if (d->a > d->b) {
		uint64_t x = d->a;
		d->a = d->b;
		d->b = x;
	}
	d->by = call->rq->operator_;
	d->reason = req->reason;
	d->now_ms = call->now_ms;
	int rc = control_write(call->env, dismiss, d);
	if (rc == STORE_NOTFOUND && d->error[0])
		e = arena_strdup(ar, d->error);
	else if (rc != STORE_OK)
		e = "dismiss_match: store error; nothing changed";
	if (!e) {
		Ffc__Store__StoredMatch *sm =
		    ffc__store__stored_match__unpack(NULL, d->found[0].len, d->found[0].rec);
		Ffc__V1__MatchDismissReply *r = arena_alloc(ar, sizeof *r);
		if (sm && arena_keep(ar, &sm->base) == 0 && sm->match && r) {
			ffc__v1__match_dismiss_reply__init(r);
			r->match = as_live(ar, sm->match, d->a, d->b, d->found[0].swapped);
			call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_DISMISS_MATCH;
			call->reply->dismiss_match = r;
		} else {
			ar->failed = 1;
		}
	}
	dismissal_clear(d);
	free(d);
	return e;
}
