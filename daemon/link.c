/*
 * link.c - identity linking: decides the child id each named child is
 * filed under, and keeps each child's record of the identities it was seen
 * with (which agency, which identifiers, first and last seen).
 *
 * Owns the linking policy. Key normalisation is identity.c's; storage is
 * store.c's.
 */
#include "link.h"

#include <stdio.h>
#include <string.h>

#include "identity.h"
#include "log.h"

/* Could `keys` belong to the child in `ch`? Not when the child already
 * holds a different NHS number or a different UPN. */
static int compatible(const struct child_record *ch, const struct identity_keys *keys)
{
	for (size_t i = 0; i < ch->n_ids; i++) {
		const struct child_identity *id = &ch->ids[i].id;
		if (keys->nhs[0] && id->nhs_number[0] && strcmp(keys->nhs + 1, id->nhs_number) != 0)
			return 0;
		if (keys->upn[0] && id->upn[0] && strcmp(keys->upn + 1, id->upn) != 0)
			return 0;
	}
	return 1;
}

static int child_compatible(struct store_txn *t, uint64_t child, const struct identity_keys *keys,
                            int *ok)
{
	struct child_record ch;
	int rc = store_child_get(t, child, &ch);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	*ok = compatible(&ch, keys);
	wire_child_release(&ch);
	return STORE_OK;
}

struct demo_search {
	struct store_txn *t;
	const struct identity_keys *keys;
	uint64_t found;
	int ambiguous;
	int rc;
};

static int demo_visit(uint64_t child, const char *postcode, void *arg)
{
	struct demo_search *d = arg;
	/* Where both sides have a postcode they must agree. */
	if (d->keys->postcode[0] && postcode[0] && strcmp(d->keys->postcode, postcode) != 0)
		return 0;
	uint64_t live;
	d->rc = store_child_resolve(d->t, child, &live);
	if (d->rc != STORE_OK)
		return 1;
	if (d->found == live)
		return 0;
	int ok = 0;
	d->rc = child_compatible(d->t, live, d->keys, &ok);
	if (d->rc != STORE_OK)
		return 1;
	if (!ok)
		return 0;
	if (d->found) {
		/* Two children match equally: linking on demographics
		 * alone would be a guess. */
		d->ambiguous = 1;
		return 1;
	}
	d->found = live;
	return 0;
}

/* Record (or refresh) the identity on the child's record. */
static int remember(struct store_txn *t, uint64_t child, int created, int agency,
                    const struct child_identity *id, const struct identity_keys *keys, uint64_t seq,
                    int64_t now_ms)
{
	struct child_record ch;
	int rc;
	if (created) {
		memset(&ch, 0, sizeof ch);
		ch.id = child;
		ch.created_at_ms = now_ms;
	} else if ((rc = store_child_get(t, child, &ch)) != STORE_OK) {
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	}
	/* Identifiers are kept normalised, so the same child sent with
	 * "943 476 5919" and "9434765919" is one identity. */
	struct child_identity norm = *id;
	norm.nhs_number = keys->nhs[0] ? keys->nhs + 1 : "";
	norm.upn = keys->upn[0] ? keys->upn + 1 : "";
	norm.postcode = keys->postcode;

	struct seen_identity *same = NULL;
	for (size_t i = 0; i < ch.n_ids && !same; i++) {
		const struct seen_identity *s = &ch.ids[i];
		const struct child_identity *a = &s->id;
		if (s->agency == agency && !strcmp(a->nhs_number, norm.nhs_number) &&
		    !strcmp(a->upn, norm.upn) && !strcmp(a->local_id, norm.local_id) &&
		    !strcmp(a->given_name, norm.given_name) &&
		    !strcmp(a->family_name, norm.family_name) &&
		    !strcmp(a->date_of_birth, norm.date_of_birth) &&
		    !strcmp(a->postcode, norm.postcode))
			same = &ch.ids[i];
	}
	if (same) {
		if (now_ms > same->last_seen_ms)
			same->last_seen_ms = now_ms;
	} else {
		struct seen_identity si = {
		    .agency = agency,
		    .id = norm,
		    .first_seen_ms = now_ms,
		    .last_seen_ms = now_ms,
		    .first_seq = seq,
		};
		if (wire_child_add_identity(&ch, &si) < 0) {
			wire_child_release(&ch);
			return STORE_ERROR;
		}
	}
	rc = store_child_put(t, &ch);
	wire_child_release(&ch);
	return rc;
}

int link_child(struct store_txn *t, const struct child_identity *id, int agency, uint64_t seq,
               int64_t now_ms, uint64_t *child_out)
{
	struct identity_keys keys;
	identity_keys(id, agency, &keys);
	const char *strong[3] = {keys.nhs, keys.upn, keys.local};
	uint64_t bound[3] = {0, 0, 0};
	uint64_t chosen = 0;
	int any_bound = 0, rc;

	/* Strongest first: the NHS number names the child, then the UPN,
	 * then the agency's own id. */
	for (int i = 0; i < 3; i++) {
		if (!strong[i][0])
			continue;
		uint64_t c;
		rc = store_identity_get(t, strong[i], &c);
		if (rc == STORE_NOTFOUND)
			continue;
		if (rc != STORE_OK || (rc = store_child_resolve(t, c, &bound[i])) != STORE_OK)
			return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
		any_bound = 1;
		int ok = 0;
		if (!chosen && (rc = child_compatible(t, bound[i], &keys, &ok)) != STORE_OK)
			return rc;
		if (!chosen && ok)
			chosen = bound[i];
	}

	if (!chosen && !any_bound && keys.demographic[0]) {
		struct demo_search d = {.t = t, .keys = &keys};
		rc = store_demographic_each(t, keys.demographic, demo_visit, &d);
		if (rc == STORE_OK)
			rc = d.rc;
		if (rc != STORE_OK)
			return rc;
		if (!d.ambiguous)
			chosen = d.found;
		else
			log_info("link: demographics match several children; filed as a new child");
	}

	int created = 0;
	if (!chosen) {
		if ((rc = store_child_next(t, &chosen)) != STORE_OK)
			return rc;
		created = 1;
	}

	for (int i = 0; i < 3; i++) {
		if (!strong[i][0])
			continue;
		if (!bound[i]) {
			if ((rc = store_identity_put(t, strong[i], chosen)) != STORE_OK)
				return rc;
		} else if (bound[i] != chosen) {
			char a[WIRE_ID_MAX], b[WIRE_ID_MAX];
			wire_child_id(bound[i], a);
			wire_child_id(chosen, b);
			log_warn("link: an identifier of concern seq %llu belongs to %s but was "
			         "filed under %s (identifiers disagree); not merged",
			         (unsigned long long)seq, a, b);
		}
	}
	if (keys.demographic[0] &&
	    (rc = store_demographic_put(t, keys.demographic, chosen, keys.postcode)) != STORE_OK)
		return rc;
	if ((rc = remember(t, chosen, created, agency, id, &keys, seq, now_ms)) != STORE_OK)
		return rc;
	*child_out = chosen;
	return STORE_OK;
}

int link_display(struct store_txn *t, uint64_t child, struct alert_child *out)
{
	struct child_record ch;
	memset(out, 0, sizeof *out);
	int rc = store_child_get(t, child, &ch);
	if (rc != STORE_OK)
		return rc;
	const struct seen_identity *best = NULL;
	for (size_t i = 0; i < ch.n_ids; i++) {
		const struct seen_identity *s = &ch.ids[i];
		int named = s->id.family_name[0] != '\0';
		int best_named = best && best->id.family_name[0] != '\0';
		if (!best || (named && !best_named) ||
		    (named == best_named && s->last_seen_ms >= best->last_seen_ms))
			best = s;
	}
	if (best) {
		wire_alert_child_set(out, &best->id);
		/* Fill identifiers the chosen identity lacks from the others. */
		for (size_t i = 0; i < ch.n_ids; i++) {
			const struct child_identity *id = &ch.ids[i].id;
			if (!out->nhs_number[0] && id->nhs_number[0])
				snprintf(out->nhs_number, sizeof out->nhs_number, "%s",
				         id->nhs_number);
			if (!out->upn[0] && id->upn[0])
				snprintf(out->upn, sizeof out->upn, "%s", id->upn);
		}
	}
	wire_child_release(&ch);
	return STORE_OK;
}
