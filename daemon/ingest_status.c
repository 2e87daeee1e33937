/*
 * ingest_status.c - filing a social care status (see ingest_status.h):
 * the order of its steps inside the batch's write transaction.
 *
 * Owns idempotency by status_id (a resend is DUPLICATE, new content with
 * a later recorded_at_ms a new version) and the re-judging a change of
 * status calls for. Does not own validation (status.c), linking
 * (link.c), the tables (store_status.c) or judging (judge_apply.c).
 */
#include "ingest_status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge_apply.h"
#include "link.h"
#include "store_status.h"

static int reject(struct receipt *r, const char *why)
{
	r->status = RECEIPT_REJECTED;
	snprintf(r->error, sizeof r->error, "%s", why);
	return STORE_OK;
}

int ingest_status_check(const struct child_status *s, const struct concern *c, int agency_bound,
                        int64_t now_ms, char *err, size_t errlen)
{
	if (c->concern_id[0] || c->agency || c->source_system[0] || c->n_children || c->category ||
	    c->severity || c->occurred_at_ms || c->reported_at_ms || c->summary[0] ||
	    c->reporter[0]) {
		snprintf(err, errlen,
		         "child_status: sent with concern fields; a frame holds a concern or a "
		         "status, not both");
		return -1;
	}
	/* A compromised school or police system must not put a child on a
	 * plan, or take one off it. */
	if (agency_bound && agency_bound != STATUS_AGENCY) {
		snprintf(err, errlen, "child_status: only a social care adapter may send a status");
		return -1;
	}
	return status_validate(s, now_ms, err, errlen);
}

/* Is status_id known? Sets r to DUPLICATE (this content is one of its
 * versions) or REJECTED, or *prev to the latest version that s updates. */
static int known(struct store_txn *t, const struct child_status *s, uint64_t latest,
                 struct receipt *r, uint64_t *prev)
{
	int kind = 0;
	int64_t recorded = 0;
	size_t versions = 0;
	for (uint64_t seq = latest; seq && versions <= STATUS_VERSIONS_MAX; versions++) {
		struct stored_status v;
		int rc = store_status_get(t, seq, &v);
		if (rc != STORE_OK)
			return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
		if (status_equal(&v.s, s)) {
			r->status = RECEIPT_DUPLICATE;
			r->seq = seq;
			r->n_child_ids = 1;
			r->child_ids[0] = v.child;
			wire_stored_status_release(&v);
			return STORE_OK;
		}
		if (seq == latest) {
			kind = v.s.kind;
			recorded = v.s.recorded_at_ms;
		}
		seq = v.prev_seq;
		wire_stored_status_release(&v);
	}
	if (s->kind != kind)
		return reject(r, "kind: not the kind stored under this status_id (a new kind needs "
		                 "a new status_id)");
	if (s->recorded_at_ms <= recorded)
		return reject(r, "status_id: reused with different content (a new version needs a "
		                 "later recorded_at_ms)");
	if (versions >= STATUS_VERSIONS_MAX)
		return reject(r, "status_id: at its limit of 100 versions");
	*prev = latest;
	return STORE_OK;
}

/* Store version s of the child's status and judge what it changes:
 * before is the child's timeline as the rules read it until now. */
static int file(struct store_txn *t, const struct child_status *s, uint64_t child, uint64_t prev,
                const struct merge_log *log, const struct rule *rules, size_t n_rules,
                int64_t now_ms, struct outbox *out, uint64_t *seq)
{
	struct concern_ref *before = NULL;
	size_t n = 0;
	int rc = store_timeline(t, child, INT64_MIN, INT64_MAX, &before, &n);
	struct stored_status rec = {
	    .received_at_ms = now_ms, .child = child, .prev_seq = prev, .s = *s};
	if (rc == STORE_OK)
		rc = store_status_add(t, &rec);
	if (rc == STORE_OK)
		rc = judge_status_change(t, child, before, n, rules, n_rules, now_ms, out);
	free(before);
	/* A merge joined two histories: judged whole, as for a concern. */
	char note[RULE_REASON_MAX];
	if (rc == STORE_OK &&
	    (rc = judge_merge_note(t, log, child, note, sizeof note)) == STORE_OK && note[0])
		rc = judge_history(t, child, rules, n_rules, note, now_ms, out);
	*seq = rec.seq;
	return rc;
}

int ingest_status_file(struct store_txn *t, const struct child_status *s, struct receipt *r,
                       const struct rule *rules, size_t n_rules, int64_t now_ms, struct outbox *out,
                       const char **stage)
{
	*stage = "status_id: checking for an earlier version";
	uint64_t latest, prev = 0;
	int rc = store_status_find(t, s->status_id, &latest);
	if (rc == STORE_OK) {
		rc = known(t, s, latest, r, &prev);
		if (rc != STORE_OK || r->status != RECEIPT_UNSPECIFIED)
			return rc;
	} else if (rc != STORE_NOTFOUND) {
		return rc;
	}
	*stage = "child: linking to known children";
	struct merge_log *log = calloc(1, sizeof *log);
	if (!log)
		return STORE_ERROR;
	struct link_result linked = {0};
	uint64_t child = 0, seq = 0;
	/* No concern brings this identity: its records name concern 0. */
	rc = link_child(t, &s->child, STATUS_AGENCY, 0, now_ms, log, &linked);
	if (rc == STORE_OK)
		rc = store_child_resolve(t, linked.child, &child);
	*stage = "store: filing the status and judging the rules";
	if (rc == STORE_OK)
		rc = file(t, s, child, prev, log, rules, n_rules, now_ms, out, &seq);
	free(log);
	if (rc != STORE_OK)
		return rc;
	r->status = RECEIPT_ACCEPTED;
	r->seq = seq;
	r->n_child_ids = 1;
	r->child_ids[0] = child;
	return STORE_OK;
}
