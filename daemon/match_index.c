/*
 * match_index.c - finds the possible matches of a child as it is filed and
 * records each pair once, with its kind and the evidence of both sides, as
 * an ffc.store.StoredMatch.
 *
 * Owns the candidate search and the record. Whether a pair is a possible
 * match is match.c's; the index and the records live in store.c.
 */
#include "match_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "wire.h"

struct candidate {
	uint64_t child;
	struct match_subject s;
};

struct probe {
	struct candidate *c; /* MATCH_CANDIDATES_MAX, allocated at the first */
	size_t n;
	const struct match_subject *me; /* the names of the key */
	const char *dob;                /* date of birth of the key */
	int by_given;                   /* the given-name index: entries hold family names */
	uint64_t self;                  /* the child being filed */
	const char *own;                /* its own entry's name, "" when not looked for */
	int found_own;                  /* that entry is there already */
	int failed;                     /* out of memory */
};

/* An entry of the family index holds the given name's parts ("MIA ROSE");
 * one written before parts were kept holds the folded name whole, which
 * reads as a name of one part. An entry of the given-name index holds
 * the family name. */
static int visit(uint64_t child, const char *name, const char *postcode, void *arg)
{
	struct probe *p = arg;
	/* The child's own entries: no candidate (it is the same child), and
	 * when one is as it would be written now, it need not be. */
	if (child == p->self) {
		p->found_own |=
		    p->own[0] && !strcmp(name, p->own) && !strcmp(postcode, p->me->postcode);
		return 0;
	}
	if (p->n == MATCH_CANDIDATES_MAX)
		return 1;
	/* The same family name is found through the family index. */
	if (p->by_given && !strcmp(name, p->me->family))
		return 0;
	if (!p->c && !(p->c = malloc(MATCH_CANDIDATES_MAX * sizeof *p->c))) {
		p->failed = 1;
		return 1;
	}
	struct candidate *c = &p->c[p->n];
	memset(c, 0, sizeof *c);
	c->child = child;
	wire_copy_str(c->s.dob, sizeof c->s.dob, p->dob);
	wire_copy_str(c->s.postcode, sizeof c->s.postcode, postcode);
	if (p->by_given) {
		wire_copy_str(c->s.family, sizeof c->s.family, name);
		memcpy(c->s.given, p->me->given, sizeof c->s.given);
		memcpy(c->s.parts, p->me->given, sizeof c->s.parts);
	} else {
		wire_copy_str(c->s.family, sizeof c->s.family, p->me->family);
		wire_copy_str(c->s.parts, sizeof c->s.parts, name);
		size_t at = 0;
		for (const char *q = name; *q && at + 1 < sizeof c->s.given; q++)
			if (*q != ' ')
				c->s.given[at++] = *q;
		c->s.given[at] = '\0';
	}
	p->n++;
	return 0;
}

/* The identity on a child's record that a subject was built from, or NULL;
 * it borrows from *rec, which the caller releases. */
static const struct child_identity *named_as(const struct child_record *rec,
                                             const struct match_subject *want)
{
	for (size_t i = 0; i < rec->n_ids; i++) {
		struct match_subject s;
		if (match_subject(&rec->ids[i].id, &s) == 0 && !strcmp(s.family, want->family) &&
		    !strcmp(s.given, want->given) && !strcmp(s.dob, want->dob) &&
		    !strcmp(s.postcode, want->postcode))
			return &rec->ids[i].id;
	}
	return NULL;
}

/* 1 when the two records hold different NHS numbers or different UPNs:
 * then they are two children for certain, and no operator could join them. */
static int strong_disagree(const struct child_record *a, const struct child_record *b)
{
	for (size_t i = 0; i < a->n_ids; i++) {
		const struct child_identity *x = &a->ids[i].id;
		for (size_t j = 0; j < b->n_ids; j++) {
			const struct child_identity *y = &b->ids[j].id;
			if ((x->nhs_number[0] && y->nhs_number[0] &&
			     strcmp(x->nhs_number, y->nhs_number) != 0) ||
			    (x->upn[0] && y->upn[0] && strcmp(x->upn, y->upn) != 0))
				return 1;
		}
	}
	return 0;
}

/* Record the pair (child as `mine`, other as `theirs`) unless it is. */
static int record(struct store_txn *t, uint64_t child, const struct child_identity *mine,
                  uint64_t other, const struct child_identity *theirs, enum match_kind kind,
                  const char *reason, uint64_t concern_seq, int64_t now_ms)
{
	int mine_first = child < other;
	uint8_t *buf;
	size_t len;
	if (wire_match_pack(mine_first ? child : other, mine_first ? mine : theirs,
	                    mine_first ? other : child, mine_first ? theirs : mine, (int)kind,
	                    reason, concern_seq, now_ms, &buf, &len) < 0)
		return STORE_ERROR;
	int rc = store_match_add(t, child, other, buf, len);
	free(buf);
	if (rc == STORE_EXISTS)
		return STORE_OK; /* found before, by an earlier concern */
	if (rc != STORE_OK)
		return rc;
	char name[64];
	snprintf(name, sizeof name, "match.%s", match_kind_name(kind));
	if ((rc = store_counter_add(t, "matches", 1)) != STORE_OK)
		return rc;
	return store_counter_add(t, name, 1);
}

/* Judge one candidate and record it when it is a possible match. */
static int consider(struct store_txn *t, const struct child_identity *id, uint64_t child,
                    const struct match_subject *me, const struct candidate *c,
                    const uint64_t *named_with, size_t n_named, uint64_t concern_seq,
                    int64_t now_ms)
{
	uint64_t other;
	int rc = store_child_resolve(t, c->child, &other);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_OK : rc;
	if (other == child)
		return STORE_OK;
	for (size_t i = 0; i < n_named; i++)
		if (named_with[i] == other)
			return STORE_OK;
	char reason[MATCH_REASON_MAX];
	/* Judged lower id first, so the reason reads in the order the pair
	 * is listed. */
	enum match_kind kind = child < other ? match_judge(me, &c->s, reason, sizeof reason)
	                                     : match_judge(&c->s, me, reason, sizeof reason);
	if (kind == MATCH_NONE)
		return STORE_OK;

	struct child_record mine, theirs;
	if ((rc = store_child_get(t, child, &mine)) != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	if ((rc = store_child_get(t, other, &theirs)) != STORE_OK) {
		wire_child_release(&mine);
		return rc == STORE_NOTFOUND ? STORE_OK : rc;
	}
	if (!strong_disagree(&mine, &theirs)) {
		const struct child_identity *a = named_as(&mine, me);
		rc = record(t, child, a ? a : id, other, named_as(&theirs, &c->s), kind, reason,
		            concern_seq, now_ms);
	}
	wire_child_release(&theirs);
	wire_child_release(&mine);
	return rc;
}

int match_index_child(struct store_txn *t, const struct child_identity *id, uint64_t child,
                      const uint64_t *named_with, size_t n_named, uint64_t concern_seq,
                      int64_t now_ms)
{
	struct match_subject me;
	char key[MATCH_KEY_MAX];
	if (match_subject(id, &me) < 0 || match_key(me.family, me.dob, key) < 0)
		return STORE_OK; /* nothing to compare by */

	struct candidate *cands = NULL;
	int own_family = 0, own_given = 0;
	/* The date as sent, then with day and month swapped. */
	char dobs[2][MATCH_DOB_LEN + 1];
	wire_copy_str(dobs[0], sizeof dobs[0], me.dob);
	int n_dobs = 1 + (match_dob_transposed(me.dob, dobs[1]) == 0);
	/* The family index under each date, then the given-name index under
	 * the date as sent; that one only when there is a postcode, which a
	 * different family name needs on both sides. */
	int n_probes = n_dobs + (me.postcode[0] != '\0');
	int rc = STORE_OK;
	for (int d = 0; d < n_probes && rc == STORE_OK; d++) {
		char probe_key[MATCH_KEY_MAX];
		int by_given = d == n_dobs;
		/* The child's own entries are under the date as sent. */
		const char *own = by_given ? me.family : d == 0 ? me.parts : "";
		struct probe p = {cands, 0, &me, by_given ? me.dob : dobs[d], by_given, child,
		                  own,   0, 0};
		if ((by_given ? match_given_key(me.given, me.dob, probe_key)
		              : match_key(me.family, dobs[d], probe_key)) < 0)
			continue;
		/* Gather first, then judge: recording writes to the store. */
		rc = store_match_name_each(t, probe_key, visit, &p);
		cands = p.c;
		if (p.failed)
			rc = STORE_ERROR;
		for (size_t i = 0; i < p.n && rc == STORE_OK; i++)
			rc = consider(t, id, child, &me, &cands[i], named_with, n_named,
			              concern_seq, now_ms);
		if (by_given)
			own_given = p.found_own;
		else if (d == 0)
			own_family = p.found_own;
	}
	free(cands);
	if (rc != STORE_OK)
		return rc;
	/* A repeat concern about a child finds it recorded already. */
	if (!own_family &&
	    (rc = store_match_name_put(t, key, child, me.parts, me.postcode)) != STORE_OK)
		return rc;
	char given_key[MATCH_KEY_MAX];
	if (own_given || !me.postcode[0] || match_given_key(me.given, me.dob, given_key) < 0)
		return STORE_OK;
	return store_match_name_put(t, given_key, child, me.family, me.postcode);
}
