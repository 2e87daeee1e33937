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

#include "display.h"
#include "ffc.pb-c.h"
#include "ffc_store.pb-c.h"
#include "household.h"
#include "ids.h"

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

/* A household id ("H00000003"), "" for none, as an arena string. */
static char *household_text(struct arena *ar, uint64_t id)
{
	char hid[WIRE_ID_MAX] = "";
	if (id)
		wire_household_id(id, hid);
	return arena_strdup(ar, hid);
}

static Ffc__V1__HouseholdMember *member(struct store_txn *t, uint64_t id, struct arena *ar)
{
	Ffc__V1__HouseholdMember *m = arena_alloc(ar, sizeof *m);
	if (!m)
		return NULL;
	ffc__v1__household_member__init(m);
	m->child_id = id_text(ar, id);
	struct alert_child d;
	if (display_child(t, id, &d) == STORE_OK)
		m->child = display(ar, &d);
	m->open_alerts = control_open_alerts(t, NULL, ar, id, &m->n_open_alerts);
	return m;
}

/* The other children of the child's household, with their open alerts,
 * and its id. */
static const char *household(struct store_txn *t, uint64_t child, struct arena *ar,
                             Ffc__V1__ChildReply *r)
{
	uint64_t members[HOUSEHOLD_MEMBERS_MAX], id;
	size_t n;
	if (household_members(t, child, &id, members, &n) != STORE_OK)
		return "child: store error";
	r->household = arena_alloc(ar, (n + 1) * sizeof *r->household);
	for (size_t i = 0; r->household && i < n; i++) {
		if (members[i] == child)
			continue;
		Ffc__V1__HouseholdMember *m = member(t, members[i], ar);
		if (m)
			r->household[r->n_household++] = m;
	}
	return NULL;
}

/* ---- household events ---- */

/* Every household event recorded under the child since since_ms, oldest
 * first. */
static const char *household_events(struct store_txn *t, uint64_t child, int64_t since_ms,
                                    struct arena *ar, Ffc__V1__ChildReply *r)
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	if (store_child_household_events(t, child, &seqs, &n) != STORE_OK)
		return "child: store error";
	r->household_events = arena_alloc(ar, (n + 1) * sizeof *r->household_events);
	for (size_t i = 0; r->household_events && i < n; i++) {
		const void *data;
		size_t len;
		if (store_household_event_raw(t, seqs[i], &data, &len) != STORE_OK)
			continue;
		Ffc__V1__HouseholdEvent *e = ffc__v1__household_event__unpack(NULL, len, data);
		if (e && arena_keep(ar, &e->base) == 0 && e->at_ms >= since_ms)
			r->household_events[r->n_household_events++] = e;
	}
	free(seqs);
	return NULL;
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
	uint64_t household;
	if (store_child_household(t, id, &household) != STORE_OK)
		return "child: store error";
	r->household_id = household_text(ar, household);
	r->display = control_display_message(t, ar, id);

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
		control_chronology_children(t, ar, sc, r->household_id, e);
		r->chronology[r->n_chronology++] = e;
	}
	free(refs);

	/* Identity records, alerts with their state, household, events. */
	if ((err = chronology(t, id, since, ar, r)) != NULL)
		return err;
	if ((err = control_child_corrections(t, id, ar, r)) != NULL ||
	    (err = control_child_social(t, id, since, call->now_ms, ar, r)) != NULL)
		return err;
	if ((err = household_events(t, id, since, ar, r)) != NULL)
		return err;
	/* And the whole record again as one timeline, oldest first. */
	if ((err = control_timeline(t, call->env, ar, &id, 1, household, since, &r->timeline,
	                            &r->n_timeline)) != NULL)
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
