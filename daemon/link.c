/*
 * link.c - identity linking: decides the child id each named child is
 * filed under, and keeps each child's record of the identities it was seen
 * with (which agency, which identifiers, first and last seen).
 *
 * Owns the linking policy: which identifiers name which child, when two
 * children become one, what is a conflict. Key normalisation is
 * identity.c's; what a merge moves is merge.c's; storage is store.c's.
 */
#include "link.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "log.h"
#include "merge.h"

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

/* What the demographics say: the live children other than `chosen` that
 * the names, date of birth and postcode match and that could join chosen
 * and the concern's kept identifiers. Where both the concern and the
 * child have a postcode they must agree: children move, and a different
 * address is for an operator to judge. */
struct demo_match {
	size_t n;
	uint64_t child[2]; /* the first two found; n counts up to 2 */
};

static int demo_find(struct store_txn *t, const struct identity_keys *keys, uint64_t chosen,
                     struct demo_match *out)
{
	struct demo_search d = {.postcode = keys->postcode};
	memset(out, 0, sizeof *out);
	int rc = store_demographic_each(t, keys->demographic, demo_visit, &d);
	if (rc != STORE_OK)
		return rc;
	if (d.overflow) {
		log_info("link: demographics match many children; not linked on them");
		return STORE_OK;
	}
	for (size_t i = 0; i < d.n && out->n < 2; i++) {
		if (keys->postcode[0] && d.c[i].has_postcode && !d.c[i].same_postcode)
			continue;
		uint64_t live;
		int clash = 0, apart = 0;
		char why[256];
		if ((rc = store_child_resolve(t, d.c[i].child, &live)) != STORE_OK)
			return rc;
		if (live == chosen || (out->n && live == out->child[0]))
			continue;
		if ((rc = merge_clash(t, live, chosen, keys, &clash, why, sizeof why)) !=
		        STORE_OK ||
		    (rc = merge_kept_apart(t, live, chosen, &apart)) != STORE_OK)
			return rc;
		if (clash || apart)
			continue;
		out->child[out->n++] = live;
	}
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
	if (!keys->local[0])
		norm.local_id = ""; /* left with the child it names */
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

/* A sentence cut to fit: reasons quote identifiers of bounded length, and
 * a cut reason is still a reason. */
static void say(char *buf, size_t len, const char *fmt, ...) FFC_PRINTF(3, 4);
static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* A conflict found while linking, recorded once the child is known. */
struct conflict {
	uint64_t other;
	char identity[IDENTITY_KEY_MAX + 16];
	char reason[WIRE_REASON_MAX];
};

#define CONFLICTS_MAX 6

static int conflicts_record(struct store_txn *t, uint64_t child, uint64_t seq, int64_t now_ms,
                            const struct conflict *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct identity_event e;
		memset(&e, 0, sizeof e);
		e.at_ms = now_ms;
		e.kind = IDEV_CONFLICT;
		e.child = child;
		e.other = c[i].other;
		snprintf(e.by, sizeof e.by, "ffcd");
		say(e.reason, sizeof e.reason, "%s", c[i].reason);
		say(e.identity, sizeof e.identity, "%s", c[i].identity);
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

int link_child(struct store_txn *t, const struct child_identity *id, int agency, uint64_t seq,
               int64_t now_ms, struct merge_log *log, uint64_t *child_out)
{
	struct identity_keys keys;
	identity_keys(id, agency, &keys);
	char *strong[3] = {keys.nhs, keys.upn, keys.local};
	char saved[3][IDENTITY_KEY_MAX];
	uint64_t bound[3] = {0, 0, 0};
	uint64_t chosen = 0;
	struct conflict *conf = calloc(CONFLICTS_MAX, sizeof *conf);
	size_t n_conf = 0, merges_before = log->n;
	int rc = conf ? STORE_OK : STORE_ERROR;

	for (int i = 0; i < 3 && rc == STORE_OK; i++) {
		snprintf(saved[i], sizeof saved[i], "%s", strong[i]);
		if (!strong[i][0])
			continue;
		uint64_t c;
		rc = store_identity_get(t, strong[i], &c);
		if (rc == STORE_NOTFOUND) {
			rc = STORE_OK;
			continue;
		}
		if (rc == STORE_OK && (rc = store_child_resolve(t, c, &bound[i])) == STORE_NOTFOUND)
			rc = STORE_ERROR;
	}

	/* Strongest first: the NHS number names the child, then the UPN,
	 * then the agency's own id. Each child an identifier names joins the
	 * ones before unless their identifiers disagree or an operator split
	 * them; then it is a conflict, the identifier is left with the child
	 * it names, and the concern is filed without it. Joining is judged
	 * against the stronger identifiers only (`before`): the strongest
	 * one names the child whatever the weaker ones say. */
	struct identity_keys before;
	memset(&before, 0, sizeof before);
	for (int i = 0; i < 3 && rc == STORE_OK; i++) {
		if (i == 1)
			memcpy(before.nhs, keys.nhs, sizeof before.nhs); /* "" if left out */
		if (i == 2)
			memcpy(before.upn, keys.upn, sizeof before.upn);
		if (!bound[i] || !strong[i][0])
			continue;
		uint64_t c;
		if ((rc = store_child_resolve(t, bound[i], &c)) != STORE_OK)
			break;
		if (c == chosen)
			continue;
		int clash = 0, apart = 0;
		char why[512];
		if ((rc = merge_clash(t, chosen, c, &before, &clash, why, sizeof why)) !=
		        STORE_OK ||
		    (rc = merge_kept_apart(t, chosen, c, &apart)) != STORE_OK)
			break;
		char name[IDENTITY_KEY_MAX + 16];
		merge_key_label(saved[i], name, sizeof name);
		if (!clash && !apart) {
			if (!chosen) {
				chosen = c;
				continue;
			}
			char reason[WIRE_REASON_MAX], a[WIRE_ID_MAX], b[WIRE_ID_MAX];
			wire_child_id(chosen, a);
			wire_child_id(c, b);
			say(reason, sizeof reason,
			    "concern seq %llu named %s, which belongs to %s, with identifiers "
			    "of %s",
			    (unsigned long long)seq, name, b, a);
			struct merge_why w = {"ffcd", reason, name, seq};
			rc = merge_children(t, chosen, c, &w, now_ms, log, &chosen);
			continue;
		}
		/* Every identifier naming c stays with c. */
		for (int j = i; j < 3; j++) {
			uint64_t cj = 0;
			if (bound[j] && store_child_resolve(t, bound[j], &cj) == STORE_OK &&
			    cj == c)
				strong[j][0] = '\0';
		}
		if (n_conf < CONFLICTS_MAX) {
			struct conflict *x = &conf[n_conf++];
			char b[WIRE_ID_MAX];
			wire_child_id(c, b);
			x->other = c;
			snprintf(x->identity, sizeof x->identity, "%s", name);
			if (apart)
				say(x->reason, sizeof x->reason,
				    "%s belongs to %s, which an operator kept apart; not merged",
				    name, b);
			else
				say(x->reason, sizeof x->reason,
				    "%s belongs to %s, but %s; not merged", name, b, why);
		}
	}

	/* The concern's own NHS number or UPN may disagree with the child
	 * chosen even when nobody else holds it: the child's is kept. */
	if (rc == STORE_OK && chosen) {
		for (int i = 0; i < 2; i++) {
			if (!strong[i][0] || bound[i])
				continue;
			struct identity_keys only;
			memset(&only, 0, sizeof only);
			snprintf(i == 0 ? only.nhs : only.upn,
			         i == 0 ? sizeof only.nhs : sizeof only.upn, "%s", strong[i]);
			int clash = 0;
			char why[512];
			if ((rc = merge_clash(t, chosen, 0, &only, &clash, why, sizeof why)) !=
			    STORE_OK)
				break;
			if (!clash)
				continue;
			if (n_conf < CONFLICTS_MAX) {
				struct conflict *x = &conf[n_conf++];
				merge_key_label(strong[i], x->identity, sizeof x->identity);
				say(x->reason, sizeof x->reason, "%s; %s not recorded", why,
				    x->identity);
			}
			strong[i][0] = '\0';
		}
	}

	/* Demographics link where they name one child only. */
	if (rc == STORE_OK && keys.demographic[0]) {
		struct demo_match dm;
		if ((rc = demo_find(t, &keys, chosen, &dm)) == STORE_OK && dm.n == 1) {
			if (!chosen) {
				chosen = dm.child[0];
			} else {
				char reason[WIRE_REASON_MAX], a[WIRE_ID_MAX];
				wire_child_id(chosen, a);
				say(reason, sizeof reason,
				    "concern seq %llu named %s with the names and date of birth "
				    "that only this child has",
				    (unsigned long long)seq, a);
				struct merge_why w = {"ffcd", reason, "demographics", seq};
				rc = merge_children(t, chosen, dm.child[0], &w, now_ms, log,
				                    &chosen);
			}
		} else if (rc == STORE_OK && dm.n > 1) {
			/* Two children match equally: linking on demographics
			 * alone would be a guess. */
			char a[WIRE_ID_MAX], b[WIRE_ID_MAX];
			wire_child_id(dm.child[0], a);
			wire_child_id(dm.child[1], b);
			for (size_t i = 0; i < 2 && n_conf < CONFLICTS_MAX; i++) {
				struct conflict *x = &conf[n_conf++];
				x->other = dm.child[i];
				snprintf(x->identity, sizeof x->identity, "demographics");
				say(x->reason, sizeof x->reason,
				    "names and date of birth match %s and %s equally; not linked "
				    "to either on them",
				    a, b);
			}
		}
	}

	int created = 0;
	if (rc == STORE_OK && !chosen) {
		rc = store_child_next(t, &chosen);
		created = 1;
	}
	for (int i = 0; i < 3 && rc == STORE_OK; i++)
		if (strong[i][0])
			rc = store_identity_put(t, strong[i], chosen);
	if (rc == STORE_OK && keys.demographic[0])
		rc = store_demographic_put(t, keys.demographic, chosen, keys.postcode);
	if (rc == STORE_OK)
		rc = remember(t, chosen, created, agency, id, &keys, seq, now_ms);
	if (rc == STORE_OK)
		rc = conflicts_record(t, chosen, seq, now_ms, conf, n_conf);
	/* A merge may settle what demographics left open before. */
	if (rc == STORE_OK && (log->n != merges_before || log->overflow))
		rc = merge_reexamine(t, &chosen, now_ms, log);
	free(conf);
	if (rc == STORE_OK)
		*child_out = chosen;
	return rc;
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
