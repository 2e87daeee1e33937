/*
 * control_family.c - `ffcctl family`: the family's view. Every child of a
 * household (or one child in none) with its display name, lead
 * practitioner and open alerts, and one timeline, oldest first, of all
 * their concerns (each once, naming the children it concerns), alerts and
 * every change to them, identity events and household events.
 *
 * Owns the FamilyReply and the timeline, which `ffcctl child` reads too
 * (control_child.c). Reads only; what a household is, is household.c's.
 */
#include "control_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "household.h"
#include "ids.h"
#include "log.h"

/* ---- small pieces ---- */

static char *child_text(struct arena *ar, uint64_t id)
{
	char buf[WIRE_ID_MAX];
	wire_child_id(id, buf);
	return arena_strdup(ar, buf);
}

char *control_household_text(struct arena *ar, uint64_t household)
{
	char buf[WIRE_ID_MAX] = "";
	if (household)
		wire_household_id(household, buf);
	return arena_strdup(ar, buf);
}

Ffc__V1__ChildIdentity *control_display_message(struct store_txn *t, struct arena *ar,
                                                uint64_t child)
{
	struct alert_child d;
	if (display_child(t, child, &d) != STORE_OK)
		return NULL;
	Ffc__V1__ChildIdentity *m = arena_alloc(ar, sizeof *m);
	if (!m)
		return NULL;
	/* A display name: the names and date of birth only. */
	ffc__v1__child_identity__init(m);
	m->given_name = arena_strdup(ar, d.given_name);
	m->family_name = arena_strdup(ar, d.family_name);
	m->date_of_birth = arena_strdup(ar, d.date_of_birth);
	if (!m->given_name || !m->family_name || !m->date_of_birth)
		return NULL;
	return m;
}

void control_chronology_children(struct store_txn *t, struct arena *ar,
                                 const Ffc__Store__StoredConcern *sc, char *household_id,
                                 Ffc__V1__ChronologyEntry *e)
{
	e->household_id = household_id;
	e->child_ids = arena_alloc(ar, (sc->n_child_ids + 1) * sizeof *e->child_ids);
	uint64_t seen[CONCERN_CHILDREN_MAX];
	size_t n_seen = 0;
	for (size_t k = 0; e->child_ids && k < sc->n_child_ids && k < CONCERN_CHILDREN_MAX; k++) {
		uint64_t live;
		if (store_child_resolve(t, sc->child_ids[k], &live) != STORE_OK)
			continue;
		int dup = 0;
		for (size_t j = 0; j < n_seen; j++)
			dup |= seen[j] == live;
		if (dup)
			continue;
		seen[n_seen++] = live;
		e->child_ids[e->n_child_ids++] = child_text(ar, live);
	}
}

/* ---- the timeline ---- */

/* Entries of one kind at one time fall in this order. */
enum { AT_CONCERN, AT_ALERT, AT_CHANGE, AT_IDENTITY, AT_HOUSEHOLD };

struct item {
	Ffc__V1__FamilyEntry *e;
	int64_t at;
	int rank;
	uint64_t seq, sub;
};

struct timeline {
	struct store_txn *t;
	const struct control_env *env;
	struct arena *ar;
	int64_t since;
	size_t n, cap;
	struct item *items;
	int failed;
};

static Ffc__V1__FamilyEntry *add(struct timeline *tl, int64_t at, int rank, uint64_t seq,
                                 uint64_t sub)
{
	if (tl->n == tl->cap) {
		size_t cap = tl->cap ? tl->cap * 2 : 64;
		struct item *v = realloc(tl->items, cap * sizeof *v);
		if (!v) {
			tl->failed = 1;
			return NULL;
		}
		tl->items = v;
		tl->cap = cap;
	}
	Ffc__V1__FamilyEntry *e = arena_alloc(tl->ar, sizeof *e);
	if (!e) {
		tl->failed = 1;
		return NULL;
	}
	ffc__v1__family_entry__init(e);
	e->at_ms = at;
	tl->items[tl->n++] = (struct item){e, at, rank, seq, sub};
	return e;
}

static int item_order(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->sub < y->sub ? -1 : x->sub > y->sub;
}

/* Each concern once, with the children it concerns as they are now. */
static int concerns(struct timeline *tl, const uint64_t *members, size_t n, uint64_t household)
{
	struct household_refs h;
	int rc = household_refs(tl->t, members, n, tl->since, INT64_MAX, 1, &h);
	if (rc != STORE_OK)
		return rc;
	char *hid = control_household_text(tl->ar, household);
	for (size_t i = 0; i < h.n; i++) {
		const void *data;
		size_t len;
		if (store_concern_raw(tl->t, h.refs[i].seq, &data, &len) != STORE_OK)
			continue;
		Ffc__Store__StoredConcern *sc = ffc__store__stored_concern__unpack(NULL, len, data);
		if (!sc || !sc->concern || arena_keep(tl->ar, &sc->base) < 0) {
			if (sc && !sc->concern)
				protobuf_c_message_free_unpacked(&sc->base, NULL);
			continue;
		}
		Ffc__V1__ChronologyEntry *c = arena_alloc(tl->ar, sizeof *c);
		Ffc__V1__FamilyEntry *e =
		    c ? add(tl, sc->concern->occurred_at_ms, AT_CONCERN, sc->seq, 0) : NULL;
		if (!e)
			break;
		control_chronology_entry(sc, c);
		control_chronology_children(tl->t, tl->ar, sc, hid, c);
		e->concern = c;
	}
	household_refs_release(&h);
	return STORE_OK;
}

/* An alert's history as changes, each at its own time. */
struct history {
	struct timeline *tl;
	const Ffc__V1__Alert *a;
	uint64_t n;
};

static int change_visit(const void *data, size_t len, void *arg)
{
	struct history *h = arg;
	struct timeline *tl = h->tl;
	h->n++;
	Ffc__V1__AlertEvent *ev = ffc__v1__alert_event__unpack(NULL, len, data);
	if (!ev || arena_keep(tl->ar, &ev->base) < 0)
		return 0; /* a damaged entry is skipped, the rest still shown */
	if (ev->at_ms < tl->since)
		return 0;
	Ffc__V1__AlertChange *c = arena_alloc(tl->ar, sizeof *c);
	Ffc__V1__FamilyEntry *e = c ? add(tl, ev->at_ms, AT_CHANGE, h->a->seq, h->n) : NULL;
	if (!e)
		return 1;
	ffc__v1__alert_change__init(c);
	c->seq = h->a->seq;
	c->alert_id = h->a->alert_id;
	c->child_id = h->a->child_id;
	c->level = h->a->level;
	c->rule = h->a->rule;
	c->event = ev;
	c->state = h->a->state;
	c->household_id = h->a->household_id;
	c->lead_practitioner = h->a->lead_practitioner;
	e->change = c;
	return 0;
}

static int alerts(struct timeline *tl, uint64_t child)
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	int rc = store_child_alerts(tl->t, child, &seqs, &n);
	for (size_t i = 0; rc == STORE_OK && i < n && !tl->failed; i++) {
		Ffc__V1__Alert *a = control_alert_message(tl->t, tl->ar, seqs[i]);
		if (!a)
			continue;
		a = control_alert_lifecycle(tl->env, tl->t, tl->ar, a, 0);
		if (a->raised_at_ms >= tl->since) {
			Ffc__V1__FamilyEntry *e = add(tl, a->raised_at_ms, AT_ALERT, a->seq, 0);
			if (e)
				e->alert = a;
		}
		struct history h = {tl, a, 0};
		rc = store_alert_events(tl->t, a->seq, change_visit, &h);
	}
	free(seqs);
	return rc;
}

static int identity_events(struct timeline *tl, uint64_t child)
{
	size_t n;
	Ffc__V1__IdentityEvent **all = control_identity_events(tl->t, tl->ar, child, &n);
	if (!all)
		return tl->ar->failed ? STORE_OK : STORE_ERROR;
	for (size_t i = 0; i < n; i++) {
		if (all[i]->at_ms < tl->since)
			continue;
		Ffc__V1__FamilyEntry *e = add(tl, all[i]->at_ms, AT_IDENTITY, all[i]->seq, 0);
		if (e)
			e->identity_event = all[i];
	}
	return STORE_OK;
}

static int household_events(struct timeline *tl, uint64_t child)
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	int rc = store_child_household_events(tl->t, child, &seqs, &n);
	for (size_t i = 0; rc == STORE_OK && i < n; i++) {
		const void *data;
		size_t len;
		if (store_household_event_raw(tl->t, seqs[i], &data, &len) != STORE_OK)
			continue;
		Ffc__V1__HouseholdEvent *ev = ffc__v1__household_event__unpack(NULL, len, data);
		if (!ev || arena_keep(tl->ar, &ev->base) < 0 || ev->at_ms < tl->since)
			continue;
		Ffc__V1__FamilyEntry *e = add(tl, ev->at_ms, AT_HOUSEHOLD, ev->seq, 0);
		if (e)
			e->household_event = ev;
	}
	free(seqs);
	return rc;
}

const char *control_timeline(struct store_txn *t, const struct control_env *env, struct arena *ar,
                             const uint64_t *members, size_t n, uint64_t household,
                             int64_t since_ms, Ffc__V1__FamilyEntry ***out, size_t *n_out)
{
	struct timeline tl = {.t = t, .env = env, .ar = ar, .since = since_ms};
	*out = NULL;
	*n_out = 0;
	int rc = concerns(&tl, members, n, household);
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		if ((rc = alerts(&tl, members[i])) == STORE_OK &&
		    (rc = identity_events(&tl, members[i])) == STORE_OK)
			rc = household_events(&tl, members[i]);
	}
	if (rc != STORE_OK || tl.failed) {
		free(tl.items);
		return rc != STORE_OK ? "store: cannot read" : "out of memory";
	}
	/* An event names two children, and both may be in the family: once. */
	if (tl.n)
		qsort(tl.items, tl.n, sizeof *tl.items, item_order);
	Ffc__V1__FamilyEntry **v = arena_alloc(ar, (tl.n + 1) * sizeof *v);
	for (size_t i = 0; v && i < tl.n; i++) {
		const struct item *x = &tl.items[i];
		if (i && item_order(x, &tl.items[i - 1]) == 0)
			continue;
		v[(*n_out)++] = x->e;
	}
	free(tl.items);
	*out = v;
	return v ? NULL : "out of memory";
}

/* ---- the family ---- */

Ffc__V1__FamilyMember *control_family_member(struct store_txn *t, const struct control_env *env,
                                             struct arena *ar, uint64_t child)
{
	Ffc__V1__FamilyMember *m = arena_alloc(ar, sizeof *m);
	char *lead = arena_alloc(ar, WIRE_PERSON_MAX);
	if (!m || !lead)
		return NULL;
	ffc__v1__family_member__init(m);
	m->child_id = child_text(ar, child);
	m->child = control_display_message(t, ar, child);
	if (store_lead_practitioner(t, child, lead, WIRE_PERSON_MAX) == STORE_OK)
		m->lead_practitioner = lead;
	m->open_alerts = control_open_alerts(t, env, ar, child, &m->n_open_alerts);
	return m;
}

Ffc__V1__Alert **control_open_alerts(struct store_txn *t, const struct control_env *env,
                                     struct arena *ar, uint64_t child, size_t *n_out)
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	*n_out = 0;
	if (store_child_alerts(t, child, &seqs, &n) != STORE_OK)
		return NULL;
	Ffc__V1__Alert **v = arena_alloc(ar, (n + 1) * sizeof *v);
	for (size_t i = 0; v && i < n; i++) {
		/* Open work: raised or acknowledged, not closed or superseded. */
		Ffc__V1__Alert *a = control_alert_message(t, ar, seqs[i]);
		if (a && (a->state == FFC__V1__ALERT_STATE__OPEN ||
		          a->state == FFC__V1__ALERT_STATE__ACKNOWLEDGED))
			v[(*n_out)++] = env ? control_alert_lifecycle(env, t, ar, a, 0) : a;
	}
	free(seqs);
	return v;
}

const char *control_family(struct control_call *call)
{
	struct store_txn *t = call->t;
	const Ffc__V1__FamilyRequest *req = call->rq->family;
	struct arena *ar = call->ar;
	static char err[160];
	uint64_t members[HOUSEHOLD_MEMBERS_MAX], household = 0, child, id;
	size_t n = 0;
	if (req->child_id[0] && req->household_id[0])
		return "family: give child_id or household_id, not both";
	if (req->child_id[0]) {
		const char *e = control_named_child(t, "family.child_id", req->child_id, &child,
		                                    err, sizeof err);
		if (e)
			return e;
		if (household_members(t, child, &household, members, &n) != STORE_OK)
			return "store: cannot read";
	} else if (req->household_id[0]) {
		if (wire_household_id_parse(req->household_id, &id) < 0)
			return "family.household_id: not a household id (like H00000003)";
		int rc = household_of_id(t, id, &household, members, &n);
		if (rc == STORE_NOTFOUND)
			return "family.household_id: no such household";
		if (rc != STORE_OK)
			return "store: cannot read";
		if (n == 0)
			return "family.household_id: no child is in that household now";
	} else {
		return "family: give child_id or household_id";
	}
	Ffc__V1__FamilyReply *r = arena_alloc(ar, sizeof *r);
	if (!r)
		return NULL;
	ffc__v1__family_reply__init(r);
	r->household_id = control_household_text(ar, household);
	r->members = arena_alloc(ar, (n + 1) * sizeof *r->members);
	for (size_t i = 0; r->members && i < n; i++) {
		Ffc__V1__FamilyMember *m = control_family_member(t, call->env, ar, members[i]);
		if (m)
			r->members[r->n_members++] = m;
	}
	int64_t since = req->since_ms ? req->since_ms : INT64_MIN;
	const char *e = control_timeline(t, call->env, ar, members, n, household, since,
	                                 &r->timeline, &r->n_timeline);
	if (e)
		return e;
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_FAMILY;
	call->reply->family = r;
	return NULL;
}
