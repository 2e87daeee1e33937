/*
 * link.c - identity linking around the decision: gathers from the store
 * what link_decide() needs for each named child, applies what it decides
 * (merges, a new child, identity keys, conflict events), and keeps each
 * child's record of the identities it was seen with (which agency, which
 * identifiers, first and last seen).
 *
 * Does not own the linking policy (link_decide.c), key normalisation
 * (identity.c), what a merge moves (merge.c) or storage (store.c).
 */
#include "link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "link_decide.h"
#include "log.h"
#include "merge.h"
#include "wire.h"

/* An identity's last sighting is recorded to within this much. */
#define SEEN_RESOLUTION_MS (24 * 60 * 60 * 1000LL)

/* ---- gathering the facts ---- */

/* The demographic search, one entry per child id recorded under the key
 * (an alias's entries apart from its survivor's, as linking has always
 * grouped them), with the postcodes each was recorded with. */
struct demo_search {
	const char *postcode; /* the concern's, normalised; "" when absent */
	uint64_t stored[LINK_DEMO_MAX];
	struct link_demo e[LINK_DEMO_MAX];
	/* stored[i] has an entry with the concern's postcode (or, when it
	 * has none, without one): the entry linking would write */
	unsigned char exact[LINK_DEMO_MAX];
	size_t n;
	int overflow;
	int settled; /* not searched: the child was named so before (settled()) */
};

static int demo_visit(uint64_t child, const char *postcode, void *arg)
{
	struct demo_search *d = arg;
	size_t i = 0;
	while (i < d->n && d->stored[i] != child)
		i++;
	if (i == d->n) {
		if (d->n == LINK_DEMO_MAX) {
			d->overflow = 1;
			return 1;
		}
		d->stored[i] = child;
		d->e[i].n_post = 0;
		d->exact[i] = 0;
		d->n++;
	}
	d->exact[i] |= !strcmp(postcode, d->postcode);
	struct link_demo *e = &d->e[i];
	if (!postcode[0])
		return 0;
	for (size_t j = 0; j < e->n_post; j++)
		if (!strcmp(e->post[j], postcode))
			return 0;
	/* Full, the decision needs only whether one agrees with the
	 * concern's: that one takes the last place. */
	if (e->n_post < LINK_POSTCODES_MAX)
		snprintf(e->post[e->n_post++], POSTCODE_MAX, "%s", postcode);
	else if (!strcmp(postcode, d->postcode))
		snprintf(e->post[LINK_POSTCODES_MAX - 1], POSTCODE_MAX, "%s", postcode);
	return 0;
}

/* 1 when the search read the entry child would be recorded with, or
 * was not made since the child was named so before (and so has it). */
static int demographic_held(const struct demo_search *d, uint64_t child)
{
	if (d->settled)
		return 1;
	for (size_t i = 0; i < d->n && !d->overflow; i++)
		if (d->stored[i] == child)
			return d->exact[i];
	return 0;
}

/* The identity as a child's record keeps it: identifiers normalised, so
 * the same child sent with "943 476 5919" and "9434765919" is one
 * identity. */
static void normalise(const struct child_identity *id, const struct identity_keys *keys,
                      struct child_identity *norm)
{
	*norm = *id;
	norm->nhs_number = keys->nhs[0] ? keys->nhs + 1 : "";
	norm->upn = keys->upn[0] ? keys->upn + 1 : "";
	if (!keys->local[0])
		norm->local_id = ""; /* left with the child it names */
	/* A postcode that is not UK-shaped cannot be compared, so linking
	 * treats it as absent; it is kept as sent, so the chronology shows
	 * what the agency wrote instead of losing it. */
	norm->postcode = keys->postcode[0] ? keys->postcode : id->postcode;
}

/* Same names, date of birth and postcode: what the possible-match and
 * demographic searches look by. */
static int same_naming(const struct child_identity *a, const struct child_identity *b)
{
	return !strcmp(a->given_name, b->given_name) && !strcmp(a->family_name, b->family_name) &&
	       !strcmp(a->date_of_birth, b->date_of_birth) && !strcmp(a->postcode, b->postcode);
}

/* The identity on ch that agency sent exactly as norm, or NULL. */
static struct seen_identity *held(const struct child_record *ch, int agency,
                                  const struct child_identity *norm)
{
	for (size_t i = 0; i < ch->n_ids; i++) {
		const struct child_identity *a = &ch->ids[i].id;
		if (ch->ids[i].agency == agency && !strcmp(a->nhs_number, norm->nhs_number) &&
		    !strcmp(a->upn, norm->upn) && !strcmp(a->local_id, norm->local_id) &&
		    same_naming(a, norm))
			return &ch->ids[i];
	}
	return NULL;
}

/* 1 when ch holds an identity, any agency's, named as norm is. */
static int named_so(const struct child_record *ch, const struct child_identity *norm)
{
	for (size_t i = 0; i < ch->n_ids; i++)
		if (same_naming(&ch->ids[i].id, norm))
			return 1;
	return 0;
}

/* Everything link_decide() needs of the store for one named child. */
struct gathered {
	struct link_facts f;
	struct demo_search demo;
	struct merge_known known;
};

/* The one child every identifier found names, when its record holds an
 * identity (any agency's) with the names, date of birth and postcode
 * sent now: then the demographic search would find the children it found
 * when the child was first named so (and every child filed since
 * searched for this one in turn), the decision would be the one made
 * then, and the child's demographic entry is there: it is not made. It
 * can only leave out a merge or a conflict decided already. */
static int settled(const struct gathered *g, const struct child_identity *id)
{
	uint64_t only = 0;
	for (int i = 0; i < 3; i++) {
		if (!g->f.bound[i])
			continue;
		if (only && g->f.bound[i] != only)
			return 0;
		only = g->f.bound[i];
	}
	for (size_t i = 0; only && i < g->known.n; i++)
		if (g->known.rec[i].id == only) {
			struct child_identity norm;
			normalise(id, g->f.keys, &norm);
			return named_so(&g->known.rec[i], &norm);
		}
	return 0;
}

static int gather(struct store_txn *t, const struct child_identity *id,
                  const struct identity_keys *keys, uint64_t seq, struct gathered *g)
{
	const char *strong[3] = {keys->nhs, keys->upn, keys->local};
	int rc = STORE_OK;
	g->f.keys = keys;
	g->f.seq = seq;
	for (int i = 0; i < 3 && rc == STORE_OK; i++) {
		uint64_t c;
		if (!strong[i][0] ||
		    (rc = store_identity_get(t, strong[i], &c)) == STORE_NOTFOUND) {
			rc = STORE_OK;
			continue;
		}
		if (rc == STORE_OK &&
		    (rc = store_child_resolve(t, c, &g->f.bound[i])) == STORE_NOTFOUND)
			rc = STORE_ERROR;
		if (rc == STORE_OK)
			rc = merge_known_add(t, &g->known, g->f.bound[i]);
	}
	if (keys->postcode[0]) {
		snprintf(g->f.post[0], POSTCODE_MAX, "%s", keys->postcode);
		g->f.n_post = 1;
	}
	g->demo.postcode = keys->postcode;
	g->demo.settled = rc == STORE_OK && settled(g, id);
	if (rc == STORE_OK && keys->demographic[0] && !g->demo.settled)
		rc = store_demographic_each(t, keys->demographic, demo_visit, &g->demo);
	if (g->demo.overflow)
		log_info("link: demographics match many children; not linked on them");
	/* Only the children the decision will weigh are loaded: a common
	 * name is recorded under many addresses. */
	for (size_t i = 0; i < g->demo.n && !g->demo.overflow && rc == STORE_OK; i++) {
		g->demo.e[i].child = g->demo.stored[i];
		if (!link_postcodes_agree(&g->f, &g->demo.e[i]))
			continue;
		rc = store_child_resolve(t, g->demo.stored[i], &g->demo.e[i].child);
		if (rc == STORE_OK)
			rc = merge_known_add(t, &g->known, g->demo.e[i].child);
	}
	g->f.demo = g->demo.e;
	g->f.n_demo = g->demo.n;
	g->f.demo_overflow = g->demo.overflow;
	g->f.known = g->known.k;
	g->f.n_known = g->known.n;
	return rc;
}

/* The identity on ch, written: its last sighting moved on, or a new
 * identity added. created: ch is new, not yet in the store.
 * *named_before is set when ch was named so already (named_so()). */
static int refresh(struct store_txn *t, struct child_record *ch, int created, int agency,
                   const struct child_identity *id, const struct identity_keys *keys, uint64_t seq,
                   int64_t now_ms, int *named_before)
{
	struct child_identity norm;
	normalise(id, keys, &norm);
	struct seen_identity *same = held(ch, agency, &norm);
	*named_before = same || named_so(ch, &norm);
	if (same) {
		/* Sightings within a day of the one recorded leave the child's
		 * record as it is: rewriting it for every concern dirtied a page
		 * of the children table per concern, and "last seen" to within a
		 * day is what an operator and the display name need. */
		if (same->last_seen_ms > now_ms - SEEN_RESOLUTION_MS)
			return STORE_OK;
		same->last_seen_ms = now_ms;
	} else {
		struct seen_identity si = {
		    .agency = agency,
		    .id = norm,
		    .first_seen_ms = now_ms,
		    .last_seen_ms = now_ms,
		    .first_seq = seq,
		};
		if (wire_child_add_identity(ch, &si) < 0)
			return STORE_ERROR;
	}
	return created ? store_child_put(t, ch) : store_child_update(t, ch);
}

/* Record (or refresh) the identity on the child's record. known is the
 * record as the decision read it, when nothing has written it since:
 * updated in place and left to its owner, not read and decoded again. */
static int remember(struct store_txn *t, uint64_t child, int created, struct child_record *known,
                    int agency, const struct child_identity *id, const struct identity_keys *keys,
                    uint64_t seq, int64_t now_ms, int *named_before)
{
	struct child_record own;
	struct child_record *rec = known ? known : &own;
	int rc;
	if (created) {
		memset(&own, 0, sizeof own);
		own.id = child;
		own.created_at_ms = now_ms;
	} else if (!known && (rc = store_child_get(t, child, &own)) != STORE_OK) {
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	}
	rc = refresh(t, rec, created, agency, id, keys, seq, now_ms, named_before);
	if (!known)
		wire_child_release(&own);
	return rc;
}

/* ---- applying the decision ---- */

static int conflicts_record(struct store_txn *t, uint64_t child, uint64_t seq, int64_t now_ms,
                            const struct link_conflict *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct identity_event e;
		memset(&e, 0, sizeof e);
		e.at_ms = now_ms;
		e.kind = IDEV_CONFLICT;
		e.child = child;
		e.other = c[i].other;
		snprintf(e.by, sizeof e.by, "ffcd");
		memcpy(e.reason, c[i].reason, sizeof e.reason);
		memcpy(e.identity, c[i].identity, sizeof e.identity);
		e.concern_seq = seq;
		int rc = store_identity_event_add(t, &e);
		if (rc == STORE_OK)
			rc = store_counter_add(t, "identity.conflict", 1);
		if (rc != STORE_OK)
			return rc;
		char a[WIRE_ID_MAX];
		wire_child_id(child, a);
		log_warn("link: identity conflict on concern seq %llu filed under %s (event %llu)",
		         (unsigned long long)seq, a, (unsigned long long)e.seq);
	}
	return STORE_OK;
}

/* Merge as decided; the survivors are the ones the decision foresaw. */
static int merges_apply(struct store_txn *t, const struct link_decision *d, uint64_t seq,
                        int64_t now_ms, struct merge_log *log)
{
	int rc = STORE_OK;
	for (size_t i = 0; i < d->n_merges && rc == STORE_OK; i++) {
		const struct link_merge *m = &d->merges[i];
		struct merge_why w = {"ffcd", m->reason, m->identity, seq};
		uint64_t survivor;
		rc = merge_children(t, m->a, m->b, &w, now_ms, log, &survivor);
	}
	return rc;
}

int link_child(struct store_txn *t, const struct child_identity *id, int agency, uint64_t seq,
               int64_t now_ms, struct merge_log *log, struct link_result *out)
{
	struct identity_keys keys;
	identity_keys(id, agency, &keys);
	/* Both are large (the decision about 14 KiB, mostly room for merges
	 * and conflicts seldom made): set where they are read, not zeroed
	 * whole for every child named. */
	struct gathered *g = malloc(sizeof *g);
	struct link_decision *d = malloc(sizeof *d);
	if (g) {
		memset(&g->f, 0, sizeof g->f);
		g->demo.n = 0;
		g->demo.overflow = 0;
		g->demo.settled = 0;
		g->known.n = 0;
	}
	size_t merges_before = log->n;
	int rc = g && d ? gather(t, id, &keys, seq, g) : STORE_ERROR;
	if (rc == STORE_OK) {
		link_decide(&g->f, d);
		rc = merges_apply(t, d, seq, now_ms, log);
	}
	/* The chosen child's record as the decision read it, when no merge
	 * has written records since (none when the decision chose no known
	 * child: ids start at 1). */
	struct child_record *known = NULL;
	for (size_t i = 0; rc == STORE_OK && log->n == merges_before && !log->overflow &&
	                   i < g->known.n && !known;
	     i++)
		if (g->known.rec[i].id == d->child)
			known = &g->known.rec[i];

	/* What the decision left out is not recorded for this child. */
	char *strong[3] = {keys.nhs, keys.upn, keys.local};
	uint64_t chosen = rc == STORE_OK ? d->child : 0;
	for (int i = 0; i < 3 && rc == STORE_OK; i++)
		if (!d->keep[i])
			strong[i][0] = '\0';
	int created = 0;
	if (rc == STORE_OK && !chosen) {
		rc = store_child_next(t, &chosen);
		created = 1;
	}
	for (int i = 0; i < 3 && rc == STORE_OK; i++)
		if (strong[i][0])
			rc = store_identity_put(t, strong[i], chosen);
	if (rc == STORE_OK && keys.demographic[0] && !demographic_held(&g->demo, chosen))
		rc = store_demographic_put(t, keys.demographic, chosen, keys.postcode);
	int named_before = 0;
	if (rc == STORE_OK)
		rc = remember(t, chosen, created, known, agency, id, &keys, seq, now_ms,
		              &named_before);
	if (rc == STORE_OK)
		rc = conflicts_record(t, chosen, seq, now_ms, d->conflicts, d->n_conflicts);
	/* A merge may settle what demographics left open before. */
	if (rc == STORE_OK && (log->n != merges_before || log->overflow))
		rc = merge_reexamine(t, &chosen, now_ms, log);
	merge_known_release(g ? &g->known : NULL);
	free(g);
	free(d);
	if (rc == STORE_OK) {
		out->child = chosen;
		out->named_before = named_before && log->n == merges_before && !log->overflow;
	}
	return rc;
}
