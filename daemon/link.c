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

/* Children recorded under one demographic key, with what their records
 * say of the postcode. */
#define DEMO_CANDIDATES 16

struct demo_search {
	const char *postcode; /* the concern's, normalised; "" when absent */
	size_t n;
	int overflow;
	struct {
		uint64_t child;
		int has_postcode, same_postcode;
	} c[DEMO_CANDIDATES];
};

static int demo_visit(uint64_t child, const char *postcode, void *arg)
{
	struct demo_search *d = arg;
	size_t i = 0;
	while (i < d->n && d->c[i].child != child)
		i++;
	if (i == d->n) {
		if (d->n == DEMO_CANDIDATES) {
			d->overflow = 1;
			return 1;
		}
		d->c[d->n].child = child;
		d->c[d->n].has_postcode = d->c[d->n].same_postcode = 0;
		d->n++;
	}
	if (postcode[0]) {
		d->c[i].has_postcode = 1;
		d->c[i].same_postcode |= strcmp(postcode, d->postcode) == 0;
	}
	return 0;
}

/* The one child the demographics name, or 0 when none or several do. Where
 * both the concern and the child have a postcode they must agree: children
 * move, and a different address is for an operator to judge. */
static int demo_find(struct store_txn *t, const struct identity_keys *keys, uint64_t *found)
{
	struct demo_search d = {.postcode = keys->postcode};
	*found = 0;
	int rc = store_demographic_each(t, keys->demographic, demo_visit, &d);
	if (rc != STORE_OK)
		return rc;
	if (d.overflow) {
		log_info("link: demographics match many children; not linked on them");
		return STORE_OK;
	}
	uint64_t match = 0;
	for (size_t i = 0; i < d.n; i++) {
		if (keys->postcode[0] && d.c[i].has_postcode && !d.c[i].same_postcode)
			continue;
		uint64_t live;
		int ok = 0;
		if ((rc = store_child_resolve(t, d.c[i].child, &live)) != STORE_OK ||
		    (rc = child_compatible(t, live, keys, &ok)) != STORE_OK)
			return rc;
		if (!ok || live == match)
			continue;
		if (match) {
			/* Two children match equally: linking on
			 * demographics alone would be a guess. */
			log_info("link: demographics match several children; not linked on them");
			return STORE_OK;
		}
		match = live;
	}
	*found = match;
	return STORE_OK;
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
	/* A postcode that is not UK-shaped cannot be compared, so linking
	 * treats it as absent; it is kept as sent, so the chronology shows
	 * what the agency wrote instead of losing it. */
	norm.postcode = keys->postcode[0] ? keys->postcode : id->postcode;

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
		if ((rc = demo_find(t, &keys, &chosen)) != STORE_OK)
			return rc;
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
