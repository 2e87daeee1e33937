/*
 * control_trail.c - the audit trail read back: `ffcctl audit` (the
 * entries matching its filters) and the "viewed by" of a child's
 * chronology (the reads recorded under the child).
 *
 * Reads only. Writing the entries is control_audit.c's; which commands
 * read a child's record is the command list's (authz_name_reads()).
 */
#include "control_int.h"

#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define AUDIT_PAGE 500
#define AUDIT_MAX  5000

/* ---- reading entries ---- */

static Ffc__V1__AuditEntry *entry_message(struct store_txn *t, struct arena *ar, uint64_t seq)
{
	const void *data;
	size_t len;
	if (store_audit_raw(t, seq, &data, &len) != STORE_OK)
		return NULL;
	Ffc__V1__AuditEntry *m = ffc__v1__audit_entry__unpack(NULL, len, data);
	if (!m || arena_keep(ar, &m->base) < 0)
		return NULL;
	return m;
}

const char *control_audit_query(struct control_call *call)
{
	const Ffc__V1__AuditRequest *req = call->rq->audit;
	struct arena *ar = call->ar;
	uint64_t child = 0, *seqs = NULL;
	size_t n_seqs = 0;
	if (req->child_id[0] && wire_child_id_parse(req->child_id, &child) < 0)
		return "audit.child_id: not a child id (like C00000042)";
	if (strlen(req->by) >= WIRE_BY_MAX)
		return "audit.by: longer than 128 bytes";
	size_t limit = req->limit ? req->limit : AUDIT_PAGE;
	if (limit > AUDIT_MAX)
		limit = AUDIT_MAX;
	if (child && store_child_audit(call->t, child, &seqs, &n_seqs) != STORE_OK)
		return "audit: store error";
	Ffc__V1__AuditReply *r = arena_alloc(ar, sizeof *r);
	Ffc__V1__AuditEntry **items = arena_alloc(ar, limit * sizeof *items);
	if (!r || !items) {
		free(seqs);
		return NULL;
	}
	ffc__v1__audit_reply__init(r);
	/* Newest first up to the limit, then turned to oldest first. */
	uint64_t left = child ? n_seqs : store_last_audit_seq(call->t);
	while (left > 0) {
		uint64_t seq = child ? seqs[left - 1] : left;
		left--;
		Ffc__V1__AuditEntry *e = entry_message(call->t, ar, seq);
		if (!e)
			continue;
		if ((req->by[0] && strcmp(e->by, req->by)) ||
		    (req->since_ms && e->at_ms < req->since_ms))
			continue;
		if (r->n_entries == limit) {
			r->more = 1;
			break;
		}
		items[r->n_entries++] = e;
	}
	free(seqs);
	for (size_t i = 0; i < r->n_entries / 2; i++) {
		Ffc__V1__AuditEntry *x = items[i];
		items[i] = items[r->n_entries - 1 - i];
		items[r->n_entries - 1 - i] = x;
	}
	r->entries = items;
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_AUDIT;
	call->reply->audit = r;
	return NULL;
}

static int by_seq(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The audit seqs indexed under the child and under every child merged
 * into it (looked at before the merge), oldest first. */
static int child_and_aliases_audit(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n)
{
	struct child_record rec;
	memset(&rec, 0, sizeof rec);
	int rc = store_child_get(t, child, &rec);
	if (rc == STORE_OK)
		rc = store_child_audit(t, child, seqs, n);
	for (size_t i = 0; rc == STORE_OK && i < rec.n_aliases; i++) {
		uint64_t *more = NULL, *all;
		size_t n_more = 0;
		rc = store_child_audit(t, rec.aliases[i], &more, &n_more);
		if (rc == STORE_OK && n_more) {
			all = realloc(*seqs, (*n + n_more) * sizeof *all);
			if (!all) {
				rc = STORE_ERROR;
			} else {
				memcpy(all + *n, more, n_more * sizeof *all);
				*seqs = all;
				*n += n_more;
			}
		}
		free(more);
	}
	wire_child_release(&rec);
	if (rc != STORE_OK) {
		free(*seqs);
		*seqs = NULL;
		*n = 0;
		return rc;
	}
	if (*n > 1)
		qsort(*seqs, *n, sizeof **seqs, by_seq);
	return STORE_OK;
}

void control_audit_viewed(struct store_txn *t, struct arena *ar, Ffc__V1__ChildReply *c)
{
	uint64_t child, *seqs = NULL;
	size_t n = 0;
	if (wire_child_id_parse(c->child_id, &child) < 0 ||
	    child_and_aliases_audit(t, child, &seqs, &n) != STORE_OK)
		return;
	c->viewed_by = arena_alloc(ar, (n ? n : 1) * sizeof *c->viewed_by);
	for (size_t i = 0; c->viewed_by && i < n; i++) {
		Ffc__V1__AuditEntry *e = entry_message(t, ar, seqs[i]);
		/* Reads only: changes are in the chronology already, refusals
		 * are no look at the record. */
		if (e && !e->refused && authz_name_reads(e->command))
			c->viewed_by[c->n_viewed_by++] = e;
	}
	free(seqs);
}
