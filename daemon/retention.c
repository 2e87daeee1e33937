/*
 * retention.c - purging old concerns and withdrawing one sent in error
 * (see retention.h). Owns which concerns go and what is audited; the keys
 * and indexes are store.c's.
 */
#include "retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "concern.h"
#include "feedback.h"
#include "lifecycle.h"
#include "log.h"
#include "notice.h"
#include "wire.h"

#define YEAR_MS (INT64_C(36525) * 24 * 3600 * 1000 / 100)

int64_t retention_cutoff(int64_t now_ms, unsigned years)
{
	if (years == 0)
		return INT64_MIN;
	return now_ms - (int64_t)years * YEAR_MS;
}

void retention_result_release(struct retention_result *r)
{
	free(r->children);
	r->children = NULL;
	r->n_children = 0;
}

/* ---- what unfinished alerts cite ---- */

struct cited {
	struct store_txn *t;
	size_t n, cap;
	char **keys; /* "agency:concern_id", sorted once gathered */
	int failed;  /* out of memory or an unreadable alert: the list is incomplete */
};

static char *cited_key(int agency, const char *concern_id)
{
	size_t n = strlen(concern_id) + 8;
	char *k = malloc(n);
	if (k)
		snprintf(k, n, "%d:%s", agency, concern_id);
	return k;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int gather(const void *data, size_t len, void *arg)
{
	struct cited *c = arg;
	struct alert *a = malloc(sizeof *a);
	if (!a) {
		c->failed = 1;
		return -1;
	}
	int rc = 0;
	if (wire_stored_alert_decode(data, len, a) < 0 ||
	    store_alert_evidence_join(c->t, a) != STORE_OK) {
		/* An alert that cannot be read may cite anything: purge nothing
		 * on a list that misses its evidence. */
		log_error("retention: an alert record does not decode; purge refused");
		rc = -1;
	} else if (a->state != ALERT_CLOSED) {
		for (size_t i = 0; i < a->n_evidence && rc == 0; i++) {
			if (c->n == c->cap) {
				size_t cap = c->cap ? c->cap * 2 : 64;
				char **k = realloc(c->keys, cap * sizeof *k);
				if (!k) {
					rc = -1;
					break;
				}
				c->keys = k;
				c->cap = cap;
			}
			char *k = cited_key(a->evidence[i].agency, a->evidence[i].concern_id);
			if (!k)
				rc = -1;
			else
				c->keys[c->n++] = k;
		}
	}
	free(a);
	c->failed |= rc < 0;
	return rc;
}

static void cited_free(struct cited *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->keys[i]);
	free(c->keys);
}

static int is_cited(const struct cited *c, int agency, const char *concern_id)
{
	char *k = cited_key(agency, concern_id);
	if (!k)
		return 1; /* out of memory: keep it, the safe side */
	int found = c->n && bsearch(&k, c->keys, c->n, sizeof *c->keys, cmp_str) != NULL;
	free(k);
	return found;
}

/* ---- purge ---- */

struct scan {
	struct store_txn *t;
	const struct cited *cited;
	int64_t cutoff_ms;
	size_t max;
	struct retention_result *r;
	size_t n, cap;
	uint64_t *seqs; /* to purge */
	size_t children_cap;
	int failed;
};

/* Count one purged concern for a live child; the list is kept in child
 * order (binary search), for the reply and the audit. */
static int count_child(struct scan *s, uint64_t child)
{
	struct retention_result *r = s->r;
	size_t lo = 0, hi = r->n_children;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->children[mid].child < child)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->n_children && r->children[lo].child == child) {
		r->children[lo].purged++;
		return 0;
	}
	if (r->n_children == s->children_cap) {
		size_t cap = s->children_cap ? s->children_cap * 2 : 64;
		struct retention_child *c = realloc(r->children, cap * sizeof *c);
		if (!c)
			return -1;
		r->children = c;
		s->children_cap = cap;
	}
	memmove(&r->children[lo + 1], &r->children[lo], (r->n_children - lo) * sizeof *r->children);
	r->children[lo] = (struct retention_child){child, 1};
	r->n_children++;
	return 0;
}

static int visit(uint64_t seq, const void *data, size_t len, void *arg)
{
	struct scan *s = arg;
	if (s->r->examined == s->max) {
		s->r->next_seq = seq;
		return 1;
	}
	s->r->examined++;
	struct stored_concern sc;
	if (wire_stored_concern_decode(data, len, &sc) < 0) {
		/* Never delete what cannot be read: it stays for a person. */
		log_warn("retention: concern %llu: malformed record, kept",
		         (unsigned long long)seq);
		return 0;
	}
	int rc = 0;
	if (sc.w.c.occurred_at_ms < s->cutoff_ms) {
		if (is_cited(s->cited, sc.w.c.agency, sc.w.c.concern_id)) {
			s->r->kept_as_evidence++;
		} else {
			if (s->n == s->cap) {
				size_t cap = s->cap ? s->cap * 2 : 256;
				uint64_t *v = realloc(s->seqs, cap * sizeof *v);
				if (!v)
					rc = -1;
				else {
					s->seqs = v;
					s->cap = cap;
				}
			}
			if (rc == 0) {
				s->seqs[s->n++] = seq;
				s->r->purged++;
				/* Each live child once, even if named twice. */
				uint64_t seen[CONCERN_CHILDREN_MAX];
				size_t n_seen = 0;
				for (size_t i = 0; i < sc.n_child_ids && rc == 0; i++) {
					uint64_t live;
					if (store_child_resolve(s->t, sc.child_ids[i], &live) !=
					    STORE_OK)
						live = sc.child_ids[i];
					int dup = 0;
					for (size_t j = 0; j < n_seen; j++)
						dup |= seen[j] == live;
					if (dup)
						continue;
					seen[n_seen++] = live;
					rc = count_child(s, live);
				}
			}
		}
	}
	wire_stored_concern_release(&sc);
	if (rc < 0) {
		s->failed = 1;
		return 1;
	}
	return 0;
}

static int audit(struct store_txn *t, const struct retention_actor *who, int64_t now_ms,
                 const char *command, uint64_t child, const char *purpose, const char *detail)
{
	struct audit_entry e;
	memset(&e, 0, sizeof e);
	e.at_ms = now_ms;
	snprintf(e.by, sizeof e.by, "%s", who->by);
	snprintf(e.role, sizeof e.role, "%s", who->role);
	snprintf(e.command, sizeof e.command, "%s", command);
	e.child = child;
	snprintf(e.purpose, sizeof e.purpose, "%s", purpose);
	snprintf(e.detail, sizeof e.detail, "%s", detail);
	return store_audit_add(t, &e);
}

int retention_purge(struct store_txn *t, int64_t cutoff_ms, uint64_t from_seq, size_t max,
                    int dry_run, const struct retention_actor *who, int64_t now_ms,
                    struct retention_result *r)
{
	memset(r, 0, sizeof *r);
	r->cutoff_ms = cutoff_ms;
	struct cited cited = {.t = t};
	int rc = store_alert_each(t, gather, &cited);
	/* Out of memory or an unreadable alert stops the walk early: the list
	 * is then incomplete, and nothing may be purged on it. */
	if (rc != STORE_OK || cited.failed) {
		cited_free(&cited);
		return rc != STORE_OK ? rc : STORE_ERROR;
	}
	if (cited.n)
		qsort(cited.keys, cited.n, sizeof *cited.keys, cmp_str);
	struct scan s = {.t = t, .cited = &cited, .cutoff_ms = cutoff_ms, .max = max, .r = r};
	rc = store_concern_each(t, from_seq, visit, &s);
	if (rc == STORE_OK && s.failed)
		rc = STORE_ERROR;
	for (size_t i = 0; !dry_run && rc == STORE_OK && i < s.n; i++)
		rc = store_concern_purge(t, s.seqs[i]);
	free(s.seqs);
	cited_free(&cited);
	/* What was sent about them goes with them. */
	if (rc == STORE_OK)
		rc = notice_purge(t, cutoff_ms, max, dry_run, &r->notices_purged);
	if (rc == STORE_OK)
		rc = feedback_purge(t, cutoff_ms, max, dry_run, &r->feedback_purged);
	if (rc == STORE_OK && !dry_run && !r->next_seq &&
	    (r->notices_purged == max || r->feedback_purged == max))
		r->next_seq = store_last_concern_seq(t) + 1;
	if (rc != STORE_OK || dry_run || r->purged + r->notices_purged + r->feedback_purged == 0)
		return rc;
	char date[32], detail[256];
	time_t secs = (time_t)(cutoff_ms / 1000);
	struct tm tm;
	if (!gmtime_r(&secs, &tm) || !strftime(date, sizeof date, "%Y-%m-%d", &tm))
		snprintf(date, sizeof date, "%lld ms", (long long)cutoff_ms);
	for (size_t i = 0; i < r->n_children && rc == STORE_OK; i++) {
		snprintf(detail, sizeof detail,
		         "purged %llu concern(s) that occurred before %s (retention)",
		         (unsigned long long)r->children[i].purged, date);
		rc = audit(t, who, now_ms, "purge", r->children[i].child, "retention", detail);
	}
	if (rc == STORE_OK) {
		snprintf(detail, sizeof detail,
		         "purged %llu of %llu concern(s) examined, %llu kept as evidence of "
		         "unfinished alerts, %zu child(ren) affected; %llu notice(s) and %llu "
		         "feedback removed",
		         (unsigned long long)r->purged, (unsigned long long)r->examined,
		         (unsigned long long)r->kept_as_evidence, r->n_children,
		         (unsigned long long)r->notices_purged,
		         (unsigned long long)r->feedback_purged);
		rc = audit(t, who, now_ms, "purge", 0, "retention", detail);
	}
	return rc;
}

/* ---- withdraw ---- */

/* The unfinished alerts citing one concern, in seq order. */
struct citing {
	struct store_txn *t;
	int agency;
	const char *concern_id;
	struct withdraw_result *r;
	int failed;
};

static int citing_visit(const void *data, size_t len, void *arg)
{
	struct citing *c = arg;
	struct alert *a = malloc(sizeof *a);
	if (!a) {
		c->failed = 1;
		return 1;
	}
	if (wire_stored_alert_decode(data, len, a) == 0 && a->state != ALERT_CLOSED &&
	    store_alert_evidence_join(c->t, a) == STORE_OK &&
	    lifecycle_cites(a, c->agency, c->concern_id))
		c->r->alerts[c->r->n_alerts++] = a->seq;
	free(a);
	return c->r->n_alerts == RETENTION_ALERTS_MAX;
}

int retention_withdraw(struct store_txn *t, int agency, const char *concern_id, const char *reason,
                       const struct retention_actor *who, int64_t now_ms, struct outbox *out,
                       struct withdraw_result *r)
{
	memset(r, 0, sizeof *r);
	int rc = store_concern_find(t, agency, concern_id, &r->seq);
	if (rc != STORE_OK)
		return rc;
	rc = store_concern_withdraw(t, r->seq, now_ms, who->by, reason);
	if (rc != STORE_OK)
		return rc;
	const void *data;
	size_t len;
	struct stored_concern sc;
	if ((rc = store_concern_raw(t, r->seq, &data, &len)) != STORE_OK)
		return rc;
	if (wire_stored_concern_decode(data, len, &sc) < 0)
		return STORE_ERROR;
	for (size_t i = 0; i < sc.n_child_ids && rc == STORE_OK; i++) {
		uint64_t live;
		if ((rc = store_child_resolve(t, sc.child_ids[i], &live)) != STORE_OK)
			break;
		int dup = 0;
		for (size_t j = 0; j < r->n_children; j++)
			dup |= r->children[j] == live;
		if (!dup)
			r->children[r->n_children++] = live;
	}
	wire_stored_concern_release(&sc);
	/* A notice told a school of a child named in error: withdrawn too. */
	if (rc == STORE_OK && agency == AGENCY_POLICE)
		rc = notice_withdraw(t, concern_id, now_ms, out, r->notices, CONCERN_CHILDREN_MAX,
		                     &r->n_notices);

	char detail[WIRE_REASON_MAX], cid[WIRE_ID_MAX];
	/* Alerts not yet closed that cite it: left for an operator to judge,
	 * with a note in each one's history. Every alert is looked at, not
	 * only those of the children it is filed under now: an alert stays
	 * with the child it was raised for when an unlink moves the concern
	 * to another. Gathered first, then noted: no write during the walk. */
	struct citing cg = {t, agency, concern_id, r, 0};
	if (rc == STORE_OK)
		rc = store_alert_each(t, citing_visit, &cg);
	if (rc == STORE_OK && cg.failed)
		rc = STORE_ERROR;
	for (size_t j = 0; j < r->n_alerts && rc == STORE_OK; j++) {
		struct alert_event ev;
		memset(&ev, 0, sizeof ev);
		ev.action = ALERT_ACTION_NOTE;
		ev.at_ms = now_ms;
		snprintf(ev.by, sizeof ev.by, "ffcd");
		snprintf(ev.operator_, sizeof ev.operator_, "%s", who->by);
		snprintf(ev.text, sizeof ev.text,
		         "evidence withdrawn: %s concern %s was withdrawn by %s (%s); "
		         "this alert stands until an operator closes it",
		         agency_name(agency), concern_id, who->by, reason);
		rc = store_alert_event_add(t, r->alerts[j], &ev);
		if (rc == STORE_EXISTS) /* its history is full: the audit has it */
			rc = STORE_OK;
	}
	for (size_t i = 0; i < r->n_children && rc == STORE_OK; i++) {
		wire_child_id(r->children[i], cid);
		snprintf(detail, sizeof detail,
		         "withdrew %s concern %s (seq %llu); %zu unfinished alert(s) cite it; "
		         "%zu notice(s) withdrawn",
		         agency_name(agency), concern_id, (unsigned long long)r->seq, r->n_alerts,
		         r->n_notices);
		rc = audit(t, who, now_ms, "withdraw", r->children[i], reason, detail);
	}
	return rc;
}
