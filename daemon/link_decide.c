/*
 * link_decide.c - the identity decision (see link_decide.h).
 *
 * Owns the linking policy: which identifiers name which child, when two
 * children become one, what is a conflict. Pure: it reads the facts it is
 * given and writes the decision. Gathering the facts and applying the
 * decision (creating children, merging, recording identities and events)
 * are link.c's and merge.c's; key normalisation is identity.c's.
 */
#include "link_decide.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "log.h"

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

/* "concern seq 7", or for a social care status, which is filed with no
 * concern (seq 0), "a social care status". */
static const char *who_named(const struct link_facts *f, char *buf, size_t len)
{
	if (f->seq)
		snprintf(buf, len, "concern seq %llu", (unsigned long long)f->seq);
	else
		snprintf(buf, len, "a social care status");
	return buf;
}

void link_key_label(const char *key, char *out, size_t len)
{
	if (key[0] == 'N')
		snprintf(out, len, "nhs:%s", key + 1);
	else if (key[0] == 'U')
		snprintf(out, len, "upn:%s", key + 1);
	else if (key[0] == 'L' && key[1] && strchr(key, ':'))
		snprintf(out, len, "local:%s:%s", agency_name(key[1] - '0'), strchr(key, ':') + 1);
	else if (key[0] == 'D')
		snprintf(out, len, "demographics");
	else
		snprintf(out, len, "%s", key);
}

/* ---- compatibility ---- */

/* The first value of one kind of strong identifier seen, and whose. */
struct first_seen {
	const char *what; /* "NHS numbers", "UPNs" */
	const char *value;
	uint64_t owner; /* 0: the concern being linked */
};

static void owner_name(uint64_t owner, char out[WIRE_ID_MAX])
{
	if (owner)
		wire_child_id(owner, out);
	else
		snprintf(out, WIRE_ID_MAX, "this concern");
}

/* 1 (and why) when value disagrees with the first one seen. */
static int differs(struct first_seen *f, const char *value, uint64_t owner, char *why,
                   size_t whylen)
{
	if (!value[0])
		return 0;
	if (!f->value) {
		f->value = value;
		f->owner = owner;
		return 0;
	}
	if (!strcmp(f->value, value))
		return 0;
	char a[WIRE_ID_MAX], b[WIRE_ID_MAX];
	owner_name(f->owner, a);
	owner_name(owner, b);
	snprintf(why, whylen, "%s %s (%s) and %s (%s) disagree", f->what, f->value, a, value, b);
	return 1;
}

/* One side of a clash: the records of a child, or of children merged
 * into one (the survivor's first), all under the live id `owner`. */
struct side {
	const struct child_record *rec[LINK_KNOWN_MAX];
	size_t n;
	uint64_t owner;
};

static int side_clashes(const struct side *s, struct first_seen *nhs, struct first_seen *upn,
                        char *why, size_t whylen)
{
	for (size_t r = 0; r < s->n; r++)
		for (size_t i = 0; i < s->rec[r]->n_ids; i++)
			if (differs(nhs, s->rec[r]->ids[i].id.nhs_number, s->owner, why, whylen) ||
			    differs(upn, s->rec[r]->ids[i].id.upn, s->owner, why, whylen))
				return 1;
	return 0;
}

static int clash(const struct side *a, const struct side *b, const struct identity_keys *keys,
                 char *why, size_t whylen)
{
	struct first_seen nhs = {"NHS numbers", NULL, 0}, upn = {"UPNs", NULL, 0};
	why[0] = '\0';
	if (side_clashes(a, &nhs, &upn, why, whylen) || side_clashes(b, &nhs, &upn, why, whylen))
		return 1;
	return keys && (differs(&nhs, keys->nhs[0] ? keys->nhs + 1 : "", 0, why, whylen) ||
	                differs(&upn, keys->upn[0] ? keys->upn + 1 : "", 0, why, whylen));
}

static void side_of(const struct child_record *r, struct side *s)
{
	s->n = 0;
	s->owner = r ? r->id : 0;
	if (r)
		s->rec[s->n++] = r;
}

int link_clash(const struct child_record *a, const struct child_record *b,
               const struct identity_keys *keys, char *why, size_t whylen)
{
	struct side sa, sb;
	side_of(a, &sa);
	side_of(b, &sb);
	return clash(&sa, &sb, keys, why, whylen);
}

/* ---- merges simulated ---- */

/* The known children grouped as the merges decided so far join them:
 * each group is a list (survivor's records first), its root the lower
 * id. */
struct sim {
	const struct link_facts *f;
	int root[LINK_KNOWN_MAX]; /* index of the group's survivor */
	int next[LINK_KNOWN_MAX]; /* next member of the group, -1 at the end */
	int tail[LINK_KNOWN_MAX]; /* a root's last member */
};

static int known_index(const struct sim *s, uint64_t id)
{
	for (size_t i = 0; i < s->f->n_known && i < LINK_KNOWN_MAX; i++)
		if (s->f->known[i].rec->id == id)
			return (int)i;
	return -1;
}

/* The live id of `id` once the simulated merges are done. */
static uint64_t live(const struct sim *s, uint64_t id)
{
	int k = known_index(s, id);
	return k < 0 ? id : s->f->known[s->root[k]].rec->id;
}

static void sim_side(const struct sim *s, uint64_t id, struct side *out)
{
	out->n = 0;
	out->owner = id;
	int k = id ? known_index(s, id) : -1;
	for (k = k < 0 ? -1 : s->root[k]; k >= 0; k = s->next[k])
		out->rec[out->n++] = s->f->known[k].rec;
}

/* Does any member of x's group keep y's group apart? */
static int names_apart(const struct sim *s, uint64_t x, uint64_t y)
{
	int k = known_index(s, x);
	for (k = k < 0 ? -1 : s->root[k]; k >= 0; k = s->next[k])
		for (size_t i = 0; i < s->f->known[k].n_apart; i++)
			if (live(s, s->f->known[k].apart[i]) == y)
				return 1;
	return 0;
}

static int sim_apart(const struct sim *s, uint64_t a, uint64_t b)
{
	if (!a || !b || a == b)
		return 0;
	return names_apart(s, a, b) || names_apart(s, b, a);
}

/* Merge the groups of live a and b; returns the survivor's id. */
static uint64_t sim_merge(struct sim *s, uint64_t a, uint64_t b)
{
	int ka = known_index(s, a), kb = known_index(s, b);
	uint64_t survivor = a < b ? a : b;
	if (ka < 0 || kb < 0)
		return survivor; /* a child that holds nothing: nothing to join */
	int rs = s->root[ka], ra = s->root[kb];
	if (b < a) {
		int x = rs;
		rs = ra;
		ra = x;
	}
	s->next[s->tail[rs]] = ra;
	s->tail[rs] = s->tail[ra];
	for (int k = ra; k >= 0; k = s->next[k])
		s->root[k] = rs;
	return survivor;
}

int link_kept_apart(const struct link_known *a, const struct link_known *b)
{
	struct link_known both[2] = {*a, *b};
	struct link_facts f = {.known = both, .n_known = 2};
	struct sim s = {.f = &f, .root = {0, 1}, .next = {-1, -1}, .tail = {0, 1}};
	return sim_apart(&s, a->rec->id, b->rec->id);
}

/* ---- the decision ---- */

static struct link_conflict *conflict_add(struct link_decision *d)
{
	if (d->n_conflicts == LINK_CONFLICTS_MAX)
		return NULL;
	struct link_conflict *c = &d->conflicts[d->n_conflicts++];
	memset(c, 0, sizeof *c);
	return c;
}

static void merge_add(struct sim *s, struct link_decision *d, uint64_t *chosen, uint64_t c,
                      const char *identity, const char *reason)
{
	struct link_merge *m = &d->merges[d->n_merges++];
	memset(m, 0, sizeof *m);
	m->a = *chosen;
	m->b = c;
	say(m->identity, sizeof m->identity, "%s", identity);
	say(m->reason, sizeof m->reason, "%s", reason);
	*chosen = sim_merge(s, *chosen, c);
}

int link_postcodes_agree(const struct link_facts *f, const struct link_demo *e)
{
	if (!f->n_post || !e->n_post)
		return 1;
	for (size_t i = 0; i < f->n_post; i++)
		for (size_t j = 0; j < e->n_post; j++)
			if (!strcmp(f->post[i], e->post[j]))
				return 1;
	return 0;
}

/* Strongest first: the NHS number names the child, then the UPN, then the
 * agency's own id. Each child an identifier names joins the ones before
 * unless their identifiers disagree or an operator split them; then it is
 * a conflict, the identifier is left with the child it names, and the
 * concern is filed without it. Joining is judged against the stronger
 * identifiers only (`before`): the strongest one names the child whatever
 * the weaker ones say. */
static void by_strong_keys(struct sim *s, struct identity_keys *keys, uint64_t *chosen,
                           struct link_decision *d)
{
	const struct link_facts *f = s->f;
	char *strong[3] = {keys->nhs, keys->upn, keys->local};
	const char *saved[3] = {f->keys->nhs, f->keys->upn, f->keys->local};
	struct identity_keys before;
	memset(&before, 0, sizeof before);
	for (int i = 0; i < 3; i++) {
		if (i == 1)
			memcpy(before.nhs, keys->nhs, sizeof before.nhs); /* "" if left out */
		if (i == 2)
			memcpy(before.upn, keys->upn, sizeof before.upn);
		if (!f->bound[i] || !strong[i][0])
			continue;
		uint64_t c = live(s, f->bound[i]);
		if (c == *chosen)
			continue;
		struct side sa, sb;
		char why[512], name[LINK_LABEL_MAX];
		sim_side(s, *chosen, &sa);
		sim_side(s, c, &sb);
		int clashes = clash(&sa, &sb, &before, why, sizeof why);
		int apart = sim_apart(s, *chosen, c);
		link_key_label(saved[i], name, sizeof name);
		if (!clashes && !apart) {
			if (!*chosen) {
				*chosen = c;
				continue;
			}
			char reason[WIRE_REASON_MAX], a[WIRE_ID_MAX], b[WIRE_ID_MAX], who[48];
			wire_child_id(*chosen, a);
			wire_child_id(c, b);
			say(reason, sizeof reason,
			    "%s named %s, which belongs to %s, with identifiers of %s",
			    who_named(f, who, sizeof who), name, b, a);
			merge_add(s, d, chosen, c, name, reason);
			continue;
		}
		/* Every identifier naming c stays with c. */
		for (int j = i; j < 3; j++)
			if (f->bound[j] && live(s, f->bound[j]) == c)
				strong[j][0] = '\0';
		struct link_conflict *x = conflict_add(d);
		if (!x)
			continue;
		char b[WIRE_ID_MAX];
		wire_child_id(c, b);
		x->other = c;
		say(x->identity, sizeof x->identity, "%s", name);
		if (apart)
			say(x->reason, sizeof x->reason,
			    "%s belongs to %s, which an operator kept apart; not merged", name, b);
		else
			say(x->reason, sizeof x->reason, "%s belongs to %s, but %s; not merged",
			    name, b, why);
	}
}

/* The concern's own NHS number or UPN may disagree with the child chosen
 * even when nobody else holds it: the child's is kept. */
static void own_identifiers(struct sim *s, struct identity_keys *keys, uint64_t chosen,
                            struct link_decision *d)
{
	char *strong[2] = {keys->nhs, keys->upn};
	for (int i = 0; i < 2; i++) {
		if (!strong[i][0] || s->f->bound[i])
			continue;
		struct identity_keys only;
		memset(&only, 0, sizeof only);
		snprintf(i == 0 ? only.nhs : only.upn, i == 0 ? sizeof only.nhs : sizeof only.upn,
		         "%s", strong[i]);
		struct side sa, none = {.n = 0};
		char why[512];
		sim_side(s, chosen, &sa);
		if (!clash(&sa, &none, &only, why, sizeof why))
			continue;
		struct link_conflict *x = conflict_add(d);
		if (x) {
			link_key_label(strong[i], x->identity, sizeof x->identity);
			say(x->reason, sizeof x->reason, "%s; %s not recorded", why, x->identity);
		}
		strong[i][0] = '\0';
	}
}

/* Demographics link where they name one child only: the live children
 * other than `chosen` that the names, date of birth and postcode match
 * and that could join chosen and the kept identifiers. Where both sides
 * have a postcode they must agree: children move, and a different address
 * is for an operator to judge. */
static void by_demographics(struct sim *s, const struct identity_keys *keys, uint64_t *chosen,
                            struct link_decision *d)
{
	const struct link_facts *f = s->f;
	uint64_t match[2];
	size_t n = 0;
	for (size_t i = 0; i < f->n_demo && i < LINK_DEMO_MAX && n < 2; i++) {
		if (!link_postcodes_agree(f, &f->demo[i]))
			continue;
		uint64_t c = live(s, f->demo[i].child);
		if (c == *chosen || (n && c == match[0]))
			continue;
		struct side sa, sb;
		char why[256];
		sim_side(s, c, &sa);
		sim_side(s, *chosen, &sb);
		if (clash(&sa, &sb, keys, why, sizeof why) || sim_apart(s, c, *chosen))
			continue;
		match[n++] = c;
	}
	if (n == 1) {
		d->by_demographics = match[0];
		if (!*chosen) {
			*chosen = match[0];
			return;
		}
		char reason[WIRE_REASON_MAX], a[WIRE_ID_MAX], who[48];
		wire_child_id(*chosen, a);
		say(reason, sizeof reason,
		    "%s named %s with the names and date of birth that only this child has",
		    who_named(f, who, sizeof who), a);
		merge_add(s, d, chosen, match[0], "demographics", reason);
	} else if (n > 1) {
		/* Two children match equally: linking on demographics alone
		 * would be a guess. */
		char a[WIRE_ID_MAX], b[WIRE_ID_MAX];
		wire_child_id(match[0], a);
		wire_child_id(match[1], b);
		for (size_t i = 0; i < 2; i++) {
			struct link_conflict *x = conflict_add(d);
			if (!x)
				break;
			x->other = match[i];
			say(x->identity, sizeof x->identity, "demographics");
			say(x->reason, sizeof x->reason,
			    "names and date of birth match %s and %s equally; not linked to either "
			    "on them",
			    a, b);
		}
	}
}

void link_decide(const struct link_facts *f, struct link_decision *d)
{
	struct sim s = {.f = f};
	for (int k = 0; k < LINK_KNOWN_MAX; k++) {
		s.root[k] = s.tail[k] = k;
		s.next[k] = -1;
	}
	/* Only what is read: merges and conflicts are each set whole as they
	 * are added, and most decisions add none. */
	d->by_demographics = 0;
	d->n_merges = 0;
	d->n_conflicts = 0;
	/* What is left out is blanked in this copy. */
	struct identity_keys keys = *f->keys;
	uint64_t chosen = f->start;
	by_strong_keys(&s, &keys, &chosen, d);
	if (chosen)
		own_identifiers(&s, &keys, chosen, d);
	if (keys.demographic[0] && !f->demo_overflow)
		by_demographics(&s, &keys, &chosen, d);
	d->child = chosen;
	d->keep[0] = keys.nhs[0] != '\0';
	d->keep[1] = keys.upn[0] != '\0';
	d->keep[2] = keys.local[0] != '\0';
}
