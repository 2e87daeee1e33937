/*
 * merge.c - merging children, splitting a wrong link, keeping split
 * children apart (see merge.h).
 *
 * Owns what a merge and a split move and the invariants they keep: a
 * child's identity records carry only strong identifiers whose keys lead
 * to that child, no child holds two NHS numbers or two UPNs, every alias
 * resolves in one hop, every concern is on the timeline of each live
 * child it is filed under; the gathering of facts for the identity
 * decision (merge_known) and re-examining demographics after a merge.
 * Does not own deciding that two children are one (link_decide.c, or an
 * operator through control_identity.c) nor re-judging rules (ingest.c).
 */
#include "merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "household.h"
#include "log.h"
#include "store_status.h"
#include "wire.h"

/* A record the caller expects to exist. */
static int load(struct store_txn *t, uint64_t id, struct child_record *ch)
{
	int rc = store_child_get(t, id, ch);
	if (rc == STORE_NOTFOUND) {
		log_error("merge: child %llu has no record", (unsigned long long)id);
		return STORE_ERROR;
	}
	return rc;
}

int merge_same_identity(const struct seen_identity *a, const struct seen_identity *b)
{
	const struct child_identity *x = &a->id, *y = &b->id;
	return a->agency == b->agency && !strcmp(x->nhs_number, y->nhs_number) &&
	       !strcmp(x->upn, y->upn) && !strcmp(x->local_id, y->local_id) &&
	       !strcmp(x->given_name, y->given_name) && !strcmp(x->family_name, y->family_name) &&
	       !strcmp(x->date_of_birth, y->date_of_birth) && !strcmp(x->postcode, y->postcode);
}

/* ---- facts for the identity decision ---- */

int merge_known_add(struct store_txn *t, struct merge_known *m, uint64_t live)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->rec[i].id == live)
			return STORE_OK;
	if (m->n == LINK_KNOWN_MAX) {
		log_error("merge: more than %d children to decide between", LINK_KNOWN_MAX);
		return STORE_ERROR;
	}
	struct child_record *ch = &m->rec[m->n];
	int rc = load(t, live, ch);
	if (rc != STORE_OK)
		return rc;
	uint64_t *apart = calloc(ch->n_apart ? ch->n_apart : 1, sizeof *apart);
	size_t n = 0;
	if (!apart)
		rc = STORE_ERROR;
	/* A mark naming a child since merged names the survivor. */
	for (size_t i = 0; i < ch->n_apart && rc == STORE_OK; i++) {
		rc = store_child_resolve(t, ch->apart[i], &apart[n]);
		if (rc == STORE_NOTFOUND)
			rc = STORE_OK;
		else if (rc == STORE_OK)
			n++;
	}
	if (rc != STORE_OK) {
		free(apart);
		wire_child_release(ch);
		return rc;
	}
	m->k[m->n] = (struct link_known){.rec = ch, .apart = apart, .n_apart = n};
	m->n++;
	return STORE_OK;
}

void merge_known_release(struct merge_known *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free((void *)(uintptr_t)m->k[i].apart);
		wire_child_release(&m->rec[i]);
	}
	m->n = 0;
}

int merge_clash(struct store_txn *t, uint64_t a, uint64_t b, const struct identity_keys *keys,
                int *clash, char *why, size_t whylen)
{
	struct child_record ra, rb;
	int rc;
	*clash = 0;
	why[0] = '\0';
	if (a && (rc = load(t, a, &ra)) != STORE_OK)
		return rc;
	if (b && (rc = load(t, b, &rb)) != STORE_OK) {
		if (a)
			wire_child_release(&ra);
		return rc;
	}
	*clash = link_clash(a ? &ra : NULL, b ? &rb : NULL, keys, why, whylen);
	if (a)
		wire_child_release(&ra);
	if (b)
		wire_child_release(&rb);
	return STORE_OK;
}

int merge_kept_apart(struct store_txn *t, uint64_t a, uint64_t b, int *apart)
{
	*apart = 0;
	if (!a || !b || a == b)
		return STORE_OK;
	struct merge_known *m = calloc(1, sizeof *m);
	int rc = m ? merge_known_add(t, m, a) : STORE_ERROR;
	if (rc == STORE_OK)
		rc = merge_known_add(t, m, b);
	if (rc == STORE_OK)
		*apart = link_kept_apart(&m->k[0], &m->k[1]);
	merge_known_release(m);
	free(m);
	return rc;
}

static int apart_drop(struct store_txn *t, uint64_t x, uint64_t y)
{
	struct child_record ch;
	int rc = load(t, x, &ch);
	if (rc != STORE_OK)
		return rc;
	size_t kept = 0;
	for (size_t i = 0; i < ch.n_apart && rc == STORE_OK; i++) {
		uint64_t live = 0;
		rc = store_child_resolve(t, ch.apart[i], &live);
		if (rc == STORE_NOTFOUND)
			rc = STORE_OK;
		if (live != y)
			ch.apart[kept++] = ch.apart[i];
	}
	int changed = kept != ch.n_apart;
	ch.n_apart = kept;
	if (rc == STORE_OK && changed)
		rc = store_child_put(t, &ch);
	wire_child_release(&ch);
	return rc;
}

int merge_apart_clear(struct store_txn *t, uint64_t a, uint64_t b)
{
	int rc = apart_drop(t, a, b);
	return rc == STORE_OK ? apart_drop(t, b, a) : rc;
}

/* ---- merging ---- */

/* Open alerts of the absorbed child join the survivor's: one open alert
 * per rule, the higher level (equal: the older) kept open. */
static int reconcile_alerts(struct store_txn *t, uint64_t survivor, uint64_t absorbed)
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	int rc = store_child_alerts(t, absorbed, &seqs, &n);
	if (rc != STORE_OK)
		return rc;
	struct alert *a = calloc(1, sizeof *a), *s = calloc(1, sizeof *s);
	if (!a || !s)
		rc = STORE_ERROR;
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		if ((rc = store_alert_get(t, seqs[i], a)) != STORE_OK)
			break;
		if (a->state != ALERT_OPEN)
			continue;
		uint64_t open = 0;
		rc = store_open_alert(t, survivor, a->rule, &open);
		if (rc == STORE_NOTFOUND) {
			rc = store_open_alert_set(t, survivor, a->rule, a->seq);
		} else if (rc == STORE_OK && (rc = store_alert_get(t, open, s)) == STORE_OK) {
			int a_wins =
			    a->level > s->level || (a->level == s->level && a->seq < s->seq);
			struct alert *win = a_wins ? a : s, *lose = a_wins ? s : a;
			lose->state = ALERT_SUPERSEDED;
			snprintf(lose->superseded_by, sizeof lose->superseded_by, "%s",
			         win->alert_id);
			if ((rc = store_alert_update(t, lose)) == STORE_OK)
				rc = store_open_alert_set(t, survivor, a->rule, win->seq);
		}
		if (rc == STORE_OK)
			rc = store_open_alert_set(t, absorbed, a->rule, 0);
	}
	free(a);
	free(s);
	free(seqs);
	return rc;
}

/* Point the strong keys of the records in ch at child. */
static int repoint_keys(struct store_txn *t, const struct seen_identity *ids, size_t n,
                        uint64_t child)
{
	for (size_t i = 0; i < n; i++) {
		struct identity_keys k;
		identity_keys(&ids[i].id, ids[i].agency, &k);
		const char *strong[3] = {k.nhs, k.upn, k.local};
		for (int j = 0; j < 3; j++) {
			if (!strong[j][0])
				continue;
			int rc = store_identity_put(t, strong[j], child);
			if (rc != STORE_OK)
				return rc;
		}
	}
	return STORE_OK;
}

/* Add si to ch unless the same identity is there, whose first and last
 * seen then widen to cover both. */
static int add_record(struct child_record *ch, const struct seen_identity *si)
{
	for (size_t i = 0; i < ch->n_ids; i++) {
		struct seen_identity *s = &ch->ids[i];
		if (!merge_same_identity(s, si))
			continue;
		if (si->first_seen_ms < s->first_seen_ms) {
			s->first_seen_ms = si->first_seen_ms;
			s->first_seq = si->first_seq;
		}
		if (si->last_seen_ms > s->last_seen_ms)
			s->last_seen_ms = si->last_seen_ms;
		return 0;
	}
	return wire_child_add_identity(ch, si);
}

int merge_children(struct store_txn *t, uint64_t a, uint64_t b, const struct merge_why *w,
                   int64_t now_ms, struct merge_log *log, uint64_t *survivor)
{
	uint64_t sid = a < b ? a : b, aid = a < b ? b : a;
	struct child_record s, ab;
	int rc;
	if (a == b || !a || !b) {
		log_error("merge: cannot merge child %llu with %llu", (unsigned long long)a,
		          (unsigned long long)b);
		return STORE_ERROR;
	}
	if ((rc = load(t, sid, &s)) != STORE_OK)
		return rc;
	if ((rc = load(t, aid, &ab)) != STORE_OK) {
		wire_child_release(&s);
		return rc;
	}
	if (s.merged_into || ab.merged_into) {
		log_error("merge: child %llu or %llu is already an alias", (unsigned long long)sid,
		          (unsigned long long)aid);
		rc = STORE_ERROR;
		goto out;
	}
	/* The survivor takes every record, alias and kept-apart mark. Its
	 * records borrow strings from the absorbed one's until both are
	 * written. */
	for (size_t i = 0; i < ab.n_ids && rc == STORE_OK; i++)
		if (add_record(&s, &ab.ids[i]) < 0)
			rc = STORE_ERROR;
	if (rc == STORE_OK && wire_id_list_add(&s.aliases, &s.n_aliases, aid) < 0)
		rc = STORE_ERROR;
	for (size_t i = 0; i < ab.n_aliases && rc == STORE_OK; i++)
		if (wire_id_list_add(&s.aliases, &s.n_aliases, ab.aliases[i]) < 0)
			rc = STORE_ERROR;
	for (size_t i = 0; i < ab.n_apart && rc == STORE_OK; i++)
		if (wire_id_list_add(&s.apart, &s.n_apart, ab.apart[i]) < 0)
			rc = STORE_ERROR;
	if (rc != STORE_OK || (rc = store_child_put(t, &s)) != STORE_OK ||
	    (rc = repoint_keys(t, ab.ids, ab.n_ids, sid)) != STORE_OK)
		goto out;

	/* Aliases point straight at the survivor, so every old id resolves
	 * in one hop however many merges there have been. */
	for (size_t i = 0; i < ab.n_aliases && rc == STORE_OK; i++) {
		struct child_record x;
		if ((rc = load(t, ab.aliases[i], &x)) != STORE_OK)
			break;
		x.merged_into = sid;
		rc = store_child_put(t, &x);
		wire_child_release(&x);
	}
	if (rc != STORE_OK)
		goto out;
	ab.merged_into = sid;
	ab.n_ids = ab.n_aliases = ab.n_apart = 0;
	int household_changed;
	if ((rc = store_child_put(t, &ab)) != STORE_OK ||
	    (rc = reconcile_alerts(t, sid, aid)) != STORE_OK ||
	    (rc = store_child_rekey(t, aid, sid)) != STORE_OK ||
	    (rc = store_assignments_adopt(t, aid, sid)) != STORE_OK ||
	    (rc = household_child_merged(t, sid, aid, now_ms, &household_changed)) != STORE_OK)
		goto out;
	/* One child fewer. */
	if ((rc = store_counter_sub(t, "children", 1)) != STORE_OK ||
	    (rc = store_counter_add(t, "identity.merged", 1)) != STORE_OK)
		goto out;

	struct identity_event e;
	memset(&e, 0, sizeof e);
	e.at_ms = now_ms;
	e.kind = IDEV_MERGED;
	e.child = sid;
	e.other = aid;
	snprintf(e.by, sizeof e.by, "%s", w->by);
	snprintf(e.reason, sizeof e.reason, "%s", w->reason);
	snprintf(e.identity, sizeof e.identity, "%s", w->identity ? w->identity : "");
	e.concern_seq = w->concern_seq;
	if ((rc = store_identity_event_add(t, &e)) != STORE_OK)
		goto out;
	if (log) {
		if (log->n < MERGE_LOG_MAX) {
			log->merged[log->n].survivor = sid;
			log->merged[log->n].absorbed = aid;
			log->n++;
		} else {
			log->overflow = 1;
		}
	}
	char sa[WIRE_ID_MAX], aa[WIRE_ID_MAX];
	wire_child_id(sid, sa);
	wire_child_id(aid, aa);
	log_info("merge: %s merged into %s by %s (identity event %llu)", aa, sa, w->by,
	         (unsigned long long)e.seq);
	*survivor = sid;
out:
	wire_child_release(&s);
	wire_child_release(&ab);
	return rc;
}

/* ---- re-examining demographics after a merge ---- */

/* The live children recorded under one demographic key, with the
 * postcodes they were recorded with. */
struct holders {
	struct store_txn *t;
	int rc, overflow;
	size_t n;
	struct link_demo h[LINK_DEMO_MAX];
};

static int holder_visit(uint64_t child, const char *postcode, void *arg)
{
	struct holders *hs = arg;
	uint64_t live;
	int rc = store_child_resolve(hs->t, child, &live);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK) {
		hs->rc = rc;
		return 1;
	}
	size_t i = 0;
	while (i < hs->n && hs->h[i].child != live)
		i++;
	if (i == hs->n) {
		if (hs->n == LINK_DEMO_MAX) {
			hs->overflow = 1;
			return 1;
		}
		hs->h[i].child = live;
		hs->h[i].n_post = 0;
		hs->n++;
	}
	struct link_demo *h = &hs->h[i];
	if (postcode[0] && h->n_post < LINK_POSTCODES_MAX && strlen(postcode) < POSTCODE_MAX)
		snprintf(h->post[h->n_post++], POSTCODE_MAX, "%s", postcode);
	return 0;
}

/* One pass over one key: 1 in *merged when a holder was merged into
 * *child (the holders are then stale). A holder joins *child when, asked
 * as a child of its own, the decision's demographics name *child alone. */
static int reexamine_key(struct store_txn *t, const char *key, uint64_t *child, int64_t now_ms,
                         struct merge_log *log, int *merged)
{
	struct holders *hs = calloc(1, sizeof *hs);
	struct merge_known *known = calloc(1, sizeof *known);
	struct link_decision *d = calloc(1, sizeof *d);
	int rc = hs && known && d ? STORE_OK : STORE_ERROR;
	*merged = 0;
	if (rc == STORE_OK) {
		hs->t = t;
		rc = store_demographic_each(t, key, holder_visit, hs);
	}
	if (rc == STORE_OK)
		rc = hs->rc;
	int self = 0;
	for (size_t i = 0; rc == STORE_OK && i < hs->n; i++)
		self |= hs->h[i].child == *child;
	for (size_t i = 0; rc == STORE_OK && !hs->overflow && self && i < hs->n; i++)
		rc = merge_known_add(t, known, hs->h[i].child);
	struct identity_keys keys;
	memset(&keys, 0, sizeof keys);
	snprintf(keys.demographic, sizeof keys.demographic, "%s", key);
	for (size_t x = 0; rc == STORE_OK && !hs->overflow && self && x < hs->n; x++) {
		if (hs->h[x].child == *child)
			continue;
		struct link_facts f = {
		    .keys = &keys,
		    .start = hs->h[x].child,
		    .n_post = hs->h[x].n_post,
		    .demo = hs->h,
		    .n_demo = hs->n,
		    .known = known->k,
		    .n_known = known->n,
		};
		memcpy(f.post, hs->h[x].post, sizeof f.post);
		link_decide(&f, d);
		if (d->by_demographics != *child)
			continue;
		char reason[WIRE_REASON_MAX], a[WIRE_ID_MAX], b[WIRE_ID_MAX];
		wire_child_id(hs->h[x].child, a);
		wire_child_id(*child, b);
		snprintf(reason, sizeof reason,
		         "names and date of birth of %s matched several children equally; "
		         "after a merge %s is the only match",
		         a, b);
		struct merge_why w = {"ffcd", reason, "", 0};
		rc = merge_children(t, *child, hs->h[x].child, &w, now_ms, log, child);
		*merged = rc == STORE_OK;
		break;
	}
	merge_known_release(known);
	free(known);
	free(hs);
	free(d);
	return rc;
}

int merge_reexamine(struct store_txn *t, uint64_t *child, int64_t now_ms, struct merge_log *log)
{
	/* Each merge takes a holder away, so this ends; the bound only
	 * guards against a store that says otherwise. */
	for (int round = 0; round < LINK_DEMO_MAX * 4; round++) {
		struct child_record ch;
		int rc = load(t, *child, &ch);
		if (rc != STORE_OK)
			return rc;
		int merged = 0;
		char done[8][IDENTITY_KEY_MAX];
		size_t n_done = 0;
		for (size_t i = 0; i < ch.n_ids && rc == STORE_OK && !merged; i++) {
			struct identity_keys k;
			identity_keys(&ch.ids[i].id, ch.ids[i].agency, &k);
			if (!k.demographic[0])
				continue;
			size_t j = 0;
			while (j < n_done && strcmp(done[j], k.demographic))
				j++;
			if (j < n_done)
				continue;
			if (n_done < 8)
				snprintf(done[n_done++], IDENTITY_KEY_MAX, "%s", k.demographic);
			rc = reexamine_key(t, k.demographic, child, now_ms, log, &merged);
		}
		wire_child_release(&ch);
		if (rc != STORE_OK || !merged)
			return rc;
	}
	return STORE_OK;
}

/* ---- splitting ---- */

/* A concern's named child as a record would hold it. */
static void as_record(const struct child_identity *named, int agency, struct identity_keys *k,
                      struct seen_identity *out)
{
	identity_keys(named, agency, k);
	memset(out, 0, sizeof *out);
	out->agency = agency;
	out->id = *named;
	out->id.nhs_number = k->nhs[0] ? k->nhs + 1 : "";
	out->id.upn = k->upn[0] ? k->upn + 1 : "";
	/* As link.c records it: one not UK-shaped is kept as sent. */
	out->id.postcode = k->postcode[0] ? k->postcode : named->postcode;
}

/* A record whose NHS number, UPN or local id was left out (it named
 * another child) still brought the concern: equal apart from what the
 * record lacks. */
static int loosely_same(const struct seen_identity *rec, const struct seen_identity *named)
{
	const struct child_identity *x = &rec->id, *y = &named->id;
	return rec->agency == named->agency &&
	       (!x->nhs_number[0] || !strcmp(x->nhs_number, y->nhs_number)) &&
	       (!x->upn[0] || !strcmp(x->upn, y->upn)) &&
	       (!x->local_id[0] || !strcmp(x->local_id, y->local_id)) &&
	       !strcmp(x->given_name, y->given_name) && !strcmp(x->family_name, y->family_name) &&
	       !strcmp(x->date_of_birth, y->date_of_birth) && !strcmp(x->postcode, y->postcode);
}

/* Did the named child come through one of the moved records? */
static int brought_by(const struct child_record *ch, const unsigned char *moved,
                      const struct seen_identity *named)
{
	for (size_t i = 0; i < ch->n_ids; i++)
		if (merge_same_identity(&ch->ids[i], named))
			return moved[i];
	for (size_t i = 0; i < ch->n_ids; i++)
		if (loosely_same(&ch->ids[i], named))
			return moved[i];
	return 0;
}

static int selected(const struct seen_identity *si, size_t index, const struct split_selector *sel)
{
	if (!sel->key[0])
		return index + 1 == sel->index;
	struct identity_keys k;
	identity_keys(&si->id, si->agency, &k);
	return !strcmp(k.nhs, sel->key) || !strcmp(k.upn, sel->key) || !strcmp(k.local, sel->key);
}

/* Move the concerns the moved records brought; counts them. */
static int move_concerns(struct store_txn *t, const struct child_record *old,
                         const unsigned char *moved, uint64_t to, const char *by, int64_t now_ms,
                         unsigned *count)
{
	char reason[WIRE_REASON_MAX], nid[WIRE_ID_MAX], oid[WIRE_ID_MAX];
	wire_child_id(to, nid);
	wire_child_id(old->id, oid);
	snprintf(reason, sizeof reason,
	         "named together in a concern that went with %s when it was split from %s", nid,
	         oid);
	struct concern_ref *refs = NULL;
	size_t n = 0;
	/* Withdrawn concerns move too: they stay in the chronology. */
	int rc = store_chronology(t, old->id, INT64_MIN, INT64_MAX, &refs, &n);
	for (size_t r = 0; r < n && rc == STORE_OK; r++) {
		const void *data;
		size_t len;
		struct stored_concern sc;
		if ((rc = store_concern_raw(t, refs[r].seq, &data, &len)) != STORE_OK)
			break;
		if (wire_stored_concern_decode(data, len, &sc) < 0) {
			rc = STORE_ERROR;
			break;
		}
		uint64_t ids[CONCERN_CHILDREN_MAX];
		int moves = 0, stays = 0;
		for (size_t i = 0; i < sc.n_child_ids && rc == STORE_OK; i++) {
			ids[i] = sc.child_ids[i];
			uint64_t live;
			if ((rc = store_child_resolve(t, ids[i], &live)) != STORE_OK)
				break;
			if (live != old->id || i >= sc.w.c.n_children)
				continue;
			struct identity_keys k;
			struct seen_identity named;
			as_record(&sc.w.c.children[i], sc.w.c.agency, &k, &named);
			if (brought_by(old, moved, &named)) {
				ids[i] = to;
				moves = 1;
			} else {
				stays = 1;
			}
		}
		if (rc == STORE_OK && moves) {
			(*count)++;
			rc = store_concern_refile(t, sc.seq, ids, sc.n_child_ids);
			if (rc == STORE_OK)
				rc = store_timeline_move(t, old->id, to, refs[r].occurred_at_ms,
				                         sc.seq, stays);
			/* The new child joins the household the concern names. */
			for (size_t i = 0; i < sc.n_child_ids && rc == STORE_OK; i++) {
				uint64_t live;
				struct household_union u;
				struct household_why w = {by, reason, sc.seq};
				if (ids[i] != to &&
				    (rc = store_child_resolve(t, ids[i], &live)) == STORE_OK)
					rc = household_join(t, to, live, &w, now_ms, &u);
			}
		}
		wire_stored_concern_release(&sc);
	}
	free(refs);
	return rc;
}

/* Move the social care statuses the moved records brought, as concerns
 * are moved: each status names its child as a concern does. */
static int move_statuses(struct store_txn *t, const struct child_record *old,
                         const unsigned char *moved, uint64_t to)
{
	struct status_fact *f;
	size_t n;
	int rc = store_status_facts(t, old->id, &f, &n);
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		struct stored_status v;
		if ((rc = store_status_get(t, f[i].seq, &v)) != STORE_OK)
			break;
		struct identity_keys k;
		struct seen_identity named;
		as_record(&v.s.child, STATUS_AGENCY, &k, &named);
		if (brought_by(old, moved, &named))
			rc = store_status_move(t, f[i].seq, old->id, to);
		wire_stored_status_release(&v);
	}
	free(f);
	return rc;
}

/* Does any record kept by the old child carry this key? */
static int kept_carries(const struct child_record *ch, const unsigned char *moved, const char *key)
{
	for (size_t i = 0; i < ch->n_ids; i++) {
		if (moved[i])
			continue;
		struct identity_keys k;
		identity_keys(&ch->ids[i].id, ch->ids[i].agency, &k);
		if (!strcmp(k.nhs, key) || !strcmp(k.upn, key) || !strcmp(k.local, key) ||
		    !strcmp(k.demographic, key))
			return 1;
	}
	return 0;
}

/* Strong keys and demographics of the moved records lead to the new
 * child; what the old child no longer carries stops leading to it. */
static int repoint_split(struct store_txn *t, const struct child_record *old,
                         const unsigned char *moved, uint64_t to)
{
	int rc = STORE_OK;
	for (size_t i = 0; i < old->n_ids && rc == STORE_OK; i++) {
		if (!moved[i])
			continue;
		struct identity_keys k;
		identity_keys(&old->ids[i].id, old->ids[i].agency, &k);
		const char *strong[3] = {k.nhs, k.upn, k.local};
		for (int j = 0; j < 3 && rc == STORE_OK; j++)
			if (strong[j][0] && !kept_carries(old, moved, strong[j]))
				rc = store_identity_put(t, strong[j], to);
		if (rc != STORE_OK || !k.demographic[0])
			continue;
		rc = store_demographic_put(t, k.demographic, to, k.postcode);
		if (rc != STORE_OK || kept_carries(old, moved, k.demographic))
			continue;
		rc = store_demographic_del(t, k.demographic, old->id);
		for (size_t a = 0; a < old->n_aliases && rc == STORE_OK; a++)
			rc = store_demographic_del(t, k.demographic, old->aliases[a]);
	}
	return rc;
}

int merge_split(struct store_txn *t, uint64_t child, const struct split_selector *sel,
                const char *by, const char *reason, const char *identity, int64_t now_ms,
                struct split_result *out, char *err, size_t errlen)
{
	struct child_record old, fresh;
	char cid[WIRE_ID_MAX];
	wire_child_id(child, cid);
	memset(out, 0, sizeof *out);
	memset(&fresh, 0, sizeof fresh);
	int rc = load(t, child, &old);
	if (rc != STORE_OK)
		return rc;
	unsigned char *moved = calloc(old.n_ids ? old.n_ids : 1, 1);
	if (!moved) {
		wire_child_release(&old);
		return STORE_ERROR;
	}
	size_t n_moved = 0;
	for (size_t i = 0; i < old.n_ids; i++)
		n_moved += moved[i] = (unsigned char)selected(&old.ids[i], i, sel);
	if (n_moved == 0 || n_moved == old.n_ids) {
		snprintf(err, errlen,
		         n_moved ? "unlink.identity: %s is every identity %s has; nothing would "
		                   "be left to split from"
		                 : "unlink.identity: %s is not an identity of %s",
		         identity, cid);
		rc = SPLIT_REFUSED;
		goto out;
	}

	uint64_t nid;
	if ((rc = store_child_next(t, &nid)) != STORE_OK)
		goto out;
	fresh.id = nid;
	fresh.created_at_ms = now_ms;
	/* A strong identifier is one child's. A moved record that also
	 * carries one the old child keeps on other records (a concern named
	 * both) moves without it: it stays with the records that keep it. */
	for (size_t i = 0; i < old.n_ids && rc == STORE_OK; i++) {
		if (!moved[i])
			continue;
		struct seen_identity si = old.ids[i];
		struct identity_keys k;
		identity_keys(&si.id, si.agency, &k);
		if (k.nhs[0] && kept_carries(&old, moved, k.nhs))
			si.id.nhs_number = "";
		if (k.upn[0] && kept_carries(&old, moved, k.upn))
			si.id.upn = "";
		if (k.local[0] && kept_carries(&old, moved, k.local))
			si.id.local_id = "";
		if (wire_child_add_identity(&fresh, &si) < 0)
			rc = STORE_ERROR;
	}
	if (rc == STORE_OK && wire_id_list_add(&fresh.apart, &fresh.n_apart, child) < 0)
		rc = STORE_ERROR;
	if (rc != STORE_OK || (rc = store_child_put(t, &fresh)) != STORE_OK)
		goto out;
	if ((rc = move_concerns(t, &old, moved, nid, by, now_ms, &out->moved_concerns)) !=
	        STORE_OK ||
	    (rc = move_statuses(t, &old, moved, nid)) != STORE_OK ||
	    (rc = repoint_split(t, &old, moved, nid)) != STORE_OK)
		goto out;

	/* The old child keeps the rest, and the mark that keeps them apart. */
	size_t kept = 0;
	for (size_t i = 0; i < old.n_ids; i++)
		if (!moved[i])
			old.ids[kept++] = old.ids[i];
	old.n_ids = kept;
	if (wire_id_list_add(&old.apart, &old.n_apart, nid) < 0) {
		rc = STORE_ERROR;
		goto out;
	}
	if ((rc = store_child_put(t, &old)) != STORE_OK ||
	    (rc = store_counter_add(t, "identity.split", 1)) != STORE_OK)
		goto out;

	struct identity_event *e = &out->event;
	e->at_ms = now_ms;
	e->kind = IDEV_SPLIT;
	e->child = child;
	e->other = nid;
	snprintf(e->by, sizeof e->by, "%s", by);
	snprintf(e->reason, sizeof e->reason, "%s", reason);
	snprintf(e->identity, sizeof e->identity, "%s", identity);
	if ((rc = store_identity_event_add(t, e)) != STORE_OK)
		goto out;
	out->new_child = nid;
	out->moved_identities = (unsigned)n_moved;
	char nn[WIRE_ID_MAX];
	wire_child_id(nid, nn);
	log_info("merge: %s split from %s by %s (%u concerns moved)", nn, cid, by,
	         out->moved_concerns);
out:
	free(moved);
	fresh.pb = NULL; /* its records borrow from old's */
	wire_child_release(&fresh);
	wire_child_release(&old);
	return rc;
}
