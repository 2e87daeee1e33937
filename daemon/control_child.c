/*
 * control_child.c - `ffcctl child`: a child's chronology, every concern
 * with the identities and who sent them when, every alert with its
 * state, the household (other children named in the same concerns, with
 * their open alerts) and the identity events.
 *
 * Owns the ChildReply and gathers what other files add to it: corrections
 * (control_keep.c), due times and practitioners (control_alerts.c), who
 * viewed it (control_trail.c). Reads only; the household edges are
 * written by ingest.c, identity events by the linking.
 */
#include "control_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffc.pb-c.h"
#include "ffc_store.pb-c.h"
#include "ids.h"
#include "link.h"

/* How many children a household shows, and how many merged-in ids of one
 * child are followed to find the household edges recorded under them. */
#define HOUSEHOLD_MAX 256
#define ALIASES_MAX   64

/* ---- identities ---- */

static const char *identity_records(struct store_txn *t, uint64_t child, struct arena *ar,
                                    Ffc__V1__ChildReply *r)
{
	Ffc__Store__Child *rec;
	size_t n;
	r->identity_records = control_identity_records(t, ar, child, &rec, &n);
	if (!r->identity_records)
		return ar->failed ? NULL : "child: store error";
	r->n_identity_records = n;
	/* The bare identities too, for readers of the older field. */
	r->identities = arena_alloc(ar, (n + 1) * sizeof *r->identities);
	for (size_t i = 0; r->identities && i < n; i++)
		if (r->identity_records[i]->identity)
			r->identities[r->n_identities++] = r->identity_records[i]->identity;
	return NULL;
}

/* ---- alerts ---- */

static const char *alerts(struct store_txn *t, uint64_t child, int64_t since_ms, struct arena *ar,
                          Ffc__V1__ChildReply *r)
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	if (store_child_alerts(t, child, &seqs, &n) != STORE_OK)
		return "child: store error";
	r->alerts = arena_alloc(ar, (n + 1) * sizeof *r->alerts);
	for (size_t i = 0; r->alerts && i < n; i++) {
		Ffc__V1__Alert *a = control_alert_message(t, ar, seqs[i]);
		if (a && a->raised_at_ms >= since_ms)
			r->alerts[r->n_alerts++] = a;
	}
	free(seqs);
	return NULL;
}

/* ---- household ---- */

struct ids {
	uint64_t v[HOUSEHOLD_MAX];
	size_t n, cap;
};

static int ids_add(struct ids *l, uint64_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == id)
			return 0;
	if (l->n == l->cap)
		return 1; /* full: stop */
	l->v[l->n++] = id;
	return 0;
}

static int member_visit(uint64_t member, void *arg)
{
	return ids_add(arg, member);
}

/* The child and every id merged into it, directly or through another:
 * household edges stay under the id a child was filed under. */
static int aliases(struct store_txn *t, uint64_t child, struct ids *out)
{
	out->n = 0;
	out->cap = ALIASES_MAX;
	ids_add(out, child);
	for (size_t k = 0; k < out->n; k++) {
		uint64_t *seqs = NULL;
		size_t n = 0;
		int rc = store_child_events(t, out->v[k], &seqs, &n);
		if (rc != STORE_OK)
			return rc;
		for (size_t i = 0; i < n; i++) {
			struct identity_event e;
			if (store_identity_event_get(t, seqs[i], &e) == STORE_OK &&
			    e.kind == IDEV_MERGED && e.child == out->v[k] && e.other)
				ids_add(out, e.other);
		}
		free(seqs);
	}
	return STORE_OK;
}

/* A display identity as a message owned by the arena. */
static Ffc__V1__ChildIdentity *display(struct arena *ar, const struct alert_child *d)
{
	Ffc__V1__ChildIdentity *m = arena_alloc(ar, sizeof *m);
	if (!m)
		return NULL;
	ffc__v1__child_identity__init(m);
	m->nhs_number = arena_strdup(ar, d->nhs_number);
	m->upn = arena_strdup(ar, d->upn);
	m->local_id = arena_strdup(ar, d->local_id);
	m->given_name = arena_strdup(ar, d->given_name);
	m->family_name = arena_strdup(ar, d->family_name);
	m->date_of_birth = arena_strdup(ar, d->date_of_birth);
	m->postcode = arena_strdup(ar, d->postcode);
	return m;
}

/* A child id ("C00000042") as an arena string. */
static char *id_text(struct arena *ar, uint64_t id)
{
	char cid[WIRE_ID_MAX];
	wire_child_id(id, cid);
	return arena_strdup(ar, cid);
}

static Ffc__V1__HouseholdMember *member(struct store_txn *t, uint64_t id, struct arena *ar)
{
	Ffc__V1__HouseholdMember *m = arena_alloc(ar, sizeof *m);
	if (!m)
		return NULL;
	ffc__v1__household_member__init(m);
	m->child_id = id_text(ar, id);
	struct alert_child d;
	if (link_display(t, id, &d) == STORE_OK)
		m->child = display(ar, &d);
	uint64_t *seqs = NULL;
	size_t n = 0;
	if (store_child_alerts(t, id, &seqs, &n) != STORE_OK)
		return m;
	m->open_alerts = arena_alloc(ar, (n + 1) * sizeof *m->open_alerts);
	for (size_t i = 0; m->open_alerts && i < n; i++) {
		/* Open work: raised or acknowledged, not closed or superseded. */
		Ffc__V1__Alert *a = control_alert_message(t, ar, seqs[i]);
		if (a && (a->state == FFC__V1__ALERT_STATE__OPEN ||
		          a->state == FFC__V1__ALERT_STATE__ACKNOWLEDGED))
			m->open_alerts[m->n_open_alerts++] = a;
	}
	free(seqs);
	return m;
}

static int by_id(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static const char *household(struct store_txn *t, uint64_t child, struct arena *ar,
                             Ffc__V1__ChildReply *r)
{
	struct ids *self = malloc(sizeof *self), *raw = malloc(sizeof *raw),
	           *live = malloc(sizeof *live);
	const char *err = NULL;
	if (!self || !raw || !live) {
		ar->failed = 1;
		goto out;
	}
	raw->n = live->n = 0;
	raw->cap = live->cap = HOUSEHOLD_MAX;
	if (aliases(t, child, self) != STORE_OK) {
		err = "child: store error";
		goto out;
	}
	for (size_t i = 0; i < self->n; i++)
		if (store_household_each(t, self->v[i], member_visit, raw) != STORE_OK) {
			err = "child: store error";
			goto out;
		}
	/* Members may have merged since, into each other or into the child. */
	for (size_t i = 0; i < raw->n; i++) {
		uint64_t m;
		if (store_child_resolve(t, raw->v[i], &m) == STORE_OK && m != child)
			ids_add(live, m);
	}
	qsort(live->v, live->n, sizeof live->v[0], by_id);
	r->household = arena_alloc(ar, (live->n + 1) * sizeof *r->household);
	for (size_t i = 0; r->household && i < live->n; i++) {
		Ffc__V1__HouseholdMember *m = member(t, live->v[i], ar);
		if (m)
			r->household[r->n_household++] = m;
	}
out:
	free(self);
	free(raw);
	free(live);
	return err;
}

/* ---- identity events ---- */

/* Every merge, split and conflict recorded under the child since since_ms,
 * oldest first. */
static const char *identity_events(struct store_txn *t, uint64_t child, int64_t since_ms,
                                   struct arena *ar, Ffc__V1__ChildReply *r)
{
	size_t n;
	Ffc__V1__IdentityEvent **all = control_identity_events(t, ar, child, &n);
	if (!all)
		return ar->failed ? NULL : "child: store error";
	r->identity_events = all;
	for (size_t i = 0; i < n; i++)
		if (all[i]->at_ms >= since_ms)
			r->identity_events[r->n_identity_events++] = all[i];
	return NULL;
}

/* Fill a ChildReply's identity records, alerts (raised at or after
 * since_ms) with their states, household and identity events (at or after
 * since_ms). NULL, or an error message. */
static const char *chronology(struct store_txn *t, uint64_t child, int64_t since_ms,
                              struct arena *ar, Ffc__V1__ChildReply *r)
{
	const char *err = identity_records(t, child, ar, r);
	if (!err)
		err = alerts(t, child, since_ms, ar, r);
	if (!err)
		err = household(t, child, ar, r);
	if (!err)
		err = identity_events(t, child, since_ms, ar, r);
	return err;
}

/* ---- the command ---- */

const char *control_child(struct control_call *call)
{
	struct store_txn *t = call->t;
	const Ffc__V1__ChildRequest *req = call->rq->child;
	struct arena *ar = call->ar;
	uint64_t id;
	const char *err = control_find_child(t, req, &id);
	if (err)
		return err;
	Ffc__V1__ChildReply *r = arena_alloc(ar, sizeof *r);
	if (!r)
		return NULL;
	ffc__v1__child_reply__init(r);
	r->child_id = id_text(ar, id);

	/* Every concern, oldest first: the timeline is kept in that order. */
	struct concern_ref *refs = NULL;
	size_t n = 0;
	int64_t since = req->since_ms ? req->since_ms : INT64_MIN;
	/* Withdrawn concerns too, marked: the rules no longer count them. */
	if (store_chronology(t, id, since, INT64_MAX, &refs, &n) != STORE_OK)
		return "child: store error";
	r->chronology = arena_alloc(ar, (n + 1) * sizeof *r->chronology);
	for (size_t i = 0; r->chronology && i < n; i++) {
		const void *data;
		size_t len;
		if (store_concern_raw(t, refs[i].seq, &data, &len) != STORE_OK)
			continue;
		Ffc__Store__StoredConcern *sc = ffc__store__stored_concern__unpack(NULL, len, data);
		if (!sc || !sc->concern || arena_keep(ar, &sc->base) < 0) {
			if (sc && !sc->concern)
				protobuf_c_message_free_unpacked(&sc->base, NULL);
			continue;
		}
		Ffc__V1__ChronologyEntry *e = arena_alloc(ar, sizeof *e);
		if (!e)
			break;
		control_chronology_entry(sc, e);
		r->chronology[r->n_chronology++] = e;
	}
	free(refs);

	/* Identity records, alerts with their state, household, events. */
	if ((err = chronology(t, id, since, ar, r)) != NULL)
		return err;
	if ((err = control_child_corrections(t, id, ar, r)) != NULL)
		return err;
	/* Each alert's due time and history, the lead practitioner, and
	 * who has looked at the record. */
	control_child_lifecycle(call->env, t, ar, r);
	control_audit_viewed(t, ar, r);
	control_child_school(call->env, t, ar, id, r);
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_CHILD;
	call->reply->child = r;
	return NULL;
}
