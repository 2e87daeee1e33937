/*
 * household.c - children joining and leaving households, the event
 * recorded for each change, and gathering a household's members and
 * concerns for its rules and its timeline (see household.h).
 *
 * Owns when a change is recorded and how it is worded. Does not own the
 * union's mechanics (store_households.c), deciding that two children are
 * one (link_decide.c, merge.c) or judging rules (judge_apply.c).
 */
#include "household.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "log.h"

static void event_init(struct household_event *e, enum household_event_kind kind,
                       const struct household_why *w, int64_t now_ms)
{
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->at_ms = now_ms;
	snprintf(e->by, sizeof e->by, "%s", w->by);
	snprintf(e->reason, sizeof e->reason, "%s", w->reason);
	e->concern_seq = w->concern_seq;
}

int household_join(struct store_txn *t, uint64_t a, uint64_t b, const struct household_why *w,
                   int64_t now_ms, struct household_union *u)
{
	int rc = store_household_union(t, a, b, now_ms, u);
	if (rc != STORE_OK || u->change == HOUSEHOLD_SAME)
		return rc;
	if (u->change == HOUSEHOLD_FULL) {
		/* An adapter's concerns can cause it: at most a line a second. */
		static struct log_limit full;
		char ca[WIRE_ID_MAX], cb[WIRE_ID_MAX];
		wire_child_id(a, ca);
		wire_child_id(b, cb);
		log_limit_msg(&full, now_ms, LOG_WARN,
		              "household: %s and %s not joined: their household would pass %d "
		              "children",
		              ca, cb, HOUSEHOLD_MEMBERS_MAX);
		return STORE_OK;
	}
	static const enum household_event_kind kinds[] = {
	    [HOUSEHOLD_FORMED] = HHEV_FORMED,
	    [HOUSEHOLD_JOINED] = HHEV_JOINED,
	    [HOUSEHOLD_MERGED] = HHEV_MERGED,
	};
	struct household_event e;
	event_init(&e, kinds[u->change], w, now_ms);
	e.household = u->household;
	e.other_household = u->other_household;
	e.child = u->child;
	e.other = u->other;
	char hh[WIRE_ID_MAX];
	wire_household_id(u->household, hh);
	/* Concerns join children all day: at debug level; an operator's
	 * change is worth a line. */
	log_msg(strcmp(w->by, "ffcd") ? LOG_INFO : LOG_DEBUG, "household: %s %s by %s", hh,
	        u->change == HOUSEHOLD_FORMED   ? "formed"
	        : u->change == HOUSEHOLD_JOINED ? "joined by a child"
	                                        : "joined with another household",
	        w->by);
	return store_household_event_add(t, &e);
}

int household_leave(struct store_txn *t, uint64_t child, const struct household_why *w,
                    int64_t now_ms, uint64_t *was)
{
	int rc = store_household_remove(t, child, was);
	if (rc != STORE_OK || !*was)
		return rc;
	struct household_event e;
	event_init(&e, HHEV_LEFT, w, now_ms);
	e.household = *was;
	e.child = child;
	return store_household_event_add(t, &e);
}

int household_child_merged(struct store_txn *t, uint64_t survivor, uint64_t absorbed,
                           int64_t now_ms, int *changed)
{
	*changed = 0;
	uint64_t was = 0, mine = 0;
	int rc = store_household_remove(t, absorbed, &was);
	if (rc != STORE_OK || !was)
		return rc;
	if ((rc = store_child_household(t, survivor, &mine)) != STORE_OK || mine == was)
		return rc;
	struct household_record h;
	if ((rc = store_household_get(t, was, &h)) != STORE_OK)
		return rc;
	/* Any child still in it stands for the household: the survivor
	 * joining one joins them all. */
	uint64_t other = h.n_members ? h.members[0] : 0;
	household_record_release(&h);
	char reason[WIRE_REASON_MAX], sa[WIRE_ID_MAX], aa[WIRE_ID_MAX];
	wire_child_id(survivor, sa);
	wire_child_id(absorbed, aa);
	snprintf(reason, sizeof reason, "%s was merged into %s (one child)", aa, sa);
	struct household_why w = {"ffcd", reason, 0};
	struct household_union u;
	if (other) {
		rc = household_join(t, survivor, other, &w, now_ms, &u);
	} else if (!mine) {
		/* The absorbed child was alone in its household: the survivor
		 * takes its place. */
		rc = store_household_enter(t, was, survivor, &u);
		if (rc == STORE_OK && u.change == HOUSEHOLD_JOINED) {
			struct household_event e;
			event_init(&e, HHEV_JOINED, &w, now_ms);
			e.household = was;
			e.child = survivor;
			e.other = absorbed;
			rc = store_household_event_add(t, &e);
		}
	} else {
		return STORE_OK; /* an empty household: nothing joins */
	}
	*changed = rc == STORE_OK && u.change != HOUSEHOLD_SAME && u.change != HOUSEHOLD_FULL;
	return rc;
}

int household_members(struct store_txn *t, uint64_t child, uint64_t *household, uint64_t *members,
                      size_t *n)
{
	*n = 0;
	int rc = store_child_household(t, child, household);
	if (rc != STORE_OK)
		return rc;
	if (!*household) {
		members[(*n)++] = child;
		return STORE_OK;
	}
	struct household_record h;
	if ((rc = store_household_get(t, *household, &h)) != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	memcpy(members, h.members, h.n_members * sizeof members[0]);
	*n = h.n_members;
	household_record_release(&h);
	if (*n == 0)
		members[(*n)++] = child; /* a record out of step: the child still counts */
	return STORE_OK;
}

int household_of_id(struct store_txn *t, uint64_t id, uint64_t *live, uint64_t *members, size_t *n)
{
	*n = 0;
	int rc = store_household_resolve(t, id, live);
	if (rc != STORE_OK)
		return rc;
	struct household_record h;
	if ((rc = store_household_get(t, *live, &h)) != STORE_OK)
		return rc;
	for (size_t i = 0; i < h.n_members; i++)
		members[i] = h.members[i];
	*n = h.n_members;
	household_record_release(&h);
	return STORE_OK;
}

/* ---- the household's concerns together ---- */

struct tagged {
	struct concern_ref ref;
	uint64_t filed;
};

static int by_time(const void *a, const void *b)
{
	const struct concern_ref *x = &((const struct tagged *)a)->ref,
	                         *y = &((const struct tagged *)b)->ref;
	if (x->occurred_at_ms != y->occurred_at_ms)
		return x->occurred_at_ms < y->occurred_at_ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void household_refs_release(struct household_refs *h)
{
	for (size_t i = 0; i < h->n_parts; i++)
		free(h->parts[i]);
	free(h->refs);
	free(h->filed);
	memset(h, 0, sizeof *h);
}

int household_refs(struct store_txn *t, const uint64_t *members, size_t n, int64_t from_ms,
                   int64_t to_ms, int withdrawn_too, struct household_refs *out)
{
	memset(out, 0, sizeof *out);
	if (n > HOUSEHOLD_MEMBERS_MAX)
		n = HOUSEHOLD_MEMBERS_MAX;
	size_t counts[HOUSEHOLD_MEMBERS_MAX], total = 0;
	int rc = STORE_OK;
	for (size_t k = 0; k < n && rc == STORE_OK; k++) {
		rc = withdrawn_too ? store_chronology(t, members[k], from_ms, to_ms, &out->parts[k],
		                                      &counts[k])
		                   : store_timeline(t, members[k], from_ms, to_ms, &out->parts[k],
		                                    &counts[k]);
		if (rc == STORE_OK) {
			out->n_parts = k + 1;
			total += counts[k];
		}
	}
	struct tagged *all = rc == STORE_OK ? malloc((total ? total : 1) * sizeof *all) : NULL;
	if (!all) {
		household_refs_release(out);
		return rc == STORE_OK ? STORE_ERROR : rc;
	}
	size_t m = 0;
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < counts[k]; i++)
			all[m++] = (struct tagged){out->parts[k][i], UINT64_C(1) << k};
	qsort(all, m, sizeof *all, by_time);
	out->refs = malloc((m ? m : 1) * sizeof *out->refs);
	out->filed = malloc((m ? m : 1) * sizeof *out->filed);
	if (!out->refs || !out->filed) {
		free(all);
		household_refs_release(out);
		return STORE_ERROR;
	}
	/* One concern filed under several members is one entry. */
	for (size_t i = 0; i < m; i++) {
		if (out->n && out->refs[out->n - 1].seq == all[i].ref.seq) {
			out->filed[out->n - 1] |= all[i].filed;
			continue;
		}
		out->refs[out->n] = all[i].ref;
		out->filed[out->n++] = all[i].filed;
	}
	free(all);
	return STORE_OK;
}
