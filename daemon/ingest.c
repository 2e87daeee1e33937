/*
 * ingest.c - the write path for concerns. For each frame of a batch:
 * size limit, decode, validate (pure, before any transaction), then in one
 * write transaction: idempotency, linking each named child, storing, and
 * judging every rule for each child over its stored history. Alerts raised
 * are stored in the same transaction as the concern that raised them, and
 * queued on the outbox. Each concern's part of the transaction is a
 * savepoint of its own, so one that fails there is rejected alone and
 * never takes the others with it (its alerts leave the outbox with it).
 *
 * A frame carrying a social care status (Concern.child_status) takes the
 * same path, its checks and filing ingest_status.c's.
 *
 * Owns the order of those steps. Does not own sockets (server.c), judging
 * (judge.c, judge_apply.c) or linking policy (link.c).
 */
#include "ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "household.h"
#include "ingest_status.h"
#include "judge_apply.h"
#include "link.h"
#include "log.h"
#include "match_index.h"
#include "notice.h"
#include "tally.h"
#include "validate.h"
#include "wire.h"

static void reject(struct ingest_item *it, const char *error)
{
	it->receipt.status = RECEIPT_REJECTED;
	snprintf(it->receipt.error, sizeof it->receipt.error, "%s", error);
}

/* A receipt back to nothing decided, the ids it echoes kept. */
static void receipt_reset(struct receipt *r)
{
	const char *id = r->concern_id, *sid = r->status_id;
	memset(r, 0, sizeof *r);
	r->concern_id = id;
	r->status_id = sid;
}

/* Everything that needs no store: the frame and the concern alone. */
static void precheck(struct ingest_item *it, const struct ingest_limits *limits, int64_t now_ms)
{
	memset(&it->receipt, 0, sizeof it->receipt);
	it->receipt.concern_id = "";
	if (it->len > limits->max_message) {
		char error[VALIDATE_ERR_MAX];
		snprintf(error, sizeof error, "frame: %zu bytes over the limit of %zu", it->len,
		         limits->max_message);
		reject(it, error);
		return;
	}
	if (wire_concern_decode(it->data, it->len, &it->w) < 0) {
		reject(it, "frame: not a serialized ffc.v1.Concern");
		return;
	}
	it->decoded = 1;
	/* Echo the id only when it is valid UTF-8: a receipt must parse in
	 * strict protobuf libraries, which refuse anything else in a string. */
	const char *id = it->w.c.concern_id;
	it->receipt.concern_id = validate_utf8(id, strlen(id)) ? id : "";
	const char *sid = it->w.status ? it->w.status->status_id : "";
	it->receipt.status_id = validate_utf8(sid, strlen(sid)) ? sid : "";
	char err[VALIDATE_ERR_MAX], field[64];
	/* A frame that is exactly its concern's encoding holds no NUL: only
	 * another needs the scan. */
	if (!it->w.encoded && wire_concern_nul_field(it->data, it->len, field, sizeof field)) {
		snprintf(err, sizeof err, "%s: contains a NUL byte", field);
		reject(it, err);
	} else if (it->w.status) {
		/* A social care status, not a concern (ingest_status.h). */
		if (ingest_status_check(it->w.status, &it->w.c, it->agency_bound, now_ms, err,
		                        sizeof err) < 0)
			reject(it, err);
	} else if (validate_concern(&it->w.c, now_ms, err, sizeof err) < 0) {
		reject(it, err);
	} else if (it->agency_bound && (int)it->w.c.agency != it->agency_bound) {
		/* A compromised system of one agency must not file another's
		 * reports. */
		reject(it, "agency: not permitted for this adapter");
	}
}

/* Idempotency: 1 when the (agency, concern_id) is already stored (the
 * receipt is then set), 0 when it is new. */
static int known(struct store_txn *t, struct ingest_item *it, int *rcp)
{
	const struct concern *c = &it->w.c;
	uint64_t seq;
	int rc = store_concern_find(t, c->agency, c->concern_id, &seq);
	if (rc == STORE_NOTFOUND)
		return 0;
	const void *data;
	size_t len;
	struct stored_concern sc;
	if (rc != STORE_OK || (rc = store_concern_raw(t, seq, &data, &len)) != STORE_OK ||
	    wire_stored_concern_decode(data, len, &sc) < 0) {
		*rcp = rc == STORE_OK ? STORE_ERROR : rc;
		return 1;
	}
	if (concern_equal(&sc.w.c, c)) {
		it->receipt.status = RECEIPT_DUPLICATE;
		it->receipt.seq = seq;
		it->receipt.n_child_ids = sc.n_child_ids;
		memcpy(it->receipt.child_ids, sc.child_ids, sc.n_child_ids * sizeof(uint64_t));
	} else {
		reject(it, "concern_id: reused with different content");
	}
	wire_stored_concern_release(&sc);
	return 1;
}

/* Store a linked concern and judge each child it is filed under: the
 * windows around it, or the whole history of a child that merges just
 * joined. named_before[i]: child i was named so before (link.h). */
static int file_concern(struct store_txn *t, struct ingest_item *it, const uint64_t *ids,
                        const unsigned char *named_before, const struct merge_log *log,
                        const struct rule *rules, size_t n_rules, int64_t now_ms,
                        struct outbox *out)
{
	const struct concern *c = &it->w.c;
	int rc;
	uint64_t stored;
	if ((rc = store_concern_add(t, c, it->w.encoded, it->w.encoded_len, now_ms, ids,
	                            c->n_children, &stored)) != STORE_OK)
		return rc;
	/* A household incident names every child present: they join one
	 * household. Then each child's possible matches among the children
	 * known before (listed for an operator, never linked). */
	int joined = 0;
	char why[WIRE_REASON_MAX];
	snprintf(why, sizeof why, "named together in %s concern %s", agency_name(c->agency),
	         c->concern_id);
	const struct household_why w = {"ffcd", why, stored};
	/* Each with the first: one household, n - 1 joins. */
	for (size_t j = 1; j < c->n_children; j++) {
		struct household_union u;
		if ((rc = household_join(t, ids[0], ids[j], &w, now_ms, &u)) != STORE_OK)
			return rc;
		joined |= u.change != HOUSEHOLD_SAME && u.change != HOUSEHOLD_FULL;
	}
	/* A child named as before (names, date of birth and postcode its
	 * record holds) was searched for, and indexed, by the concern that
	 * first named it so; the children filed since searched for it in
	 * turn. */
	for (size_t i = 0; i < c->n_children; i++)
		if (!named_before[i] &&
		    (rc = match_index_child(t, &c->children[i], ids[i], ids, c->n_children, stored,
		                            now_ms)) != STORE_OK)
			return rc;
	/* Each child's own rules, then each household's once. */
	uint64_t households[CONCERN_CHILDREN_MAX];
	size_t n_households = 0;
	for (size_t i = 0; i < c->n_children; i++) {
		int dup = 0;
		for (size_t j = 0; j < i; j++)
			dup |= ids[j] == ids[i];
		if (dup)
			continue;
		/* A note names the merges this child survived: its whole
		 * history is judged, not only the windows around the concern. */
		char note[RULE_REASON_MAX];
		if ((rc = judge_merge_note(t, log, ids[i], note, sizeof note)) != STORE_OK)
			return rc;
		if (note[0])
			rc = judge_child_history(t, ids[i], rules, n_rules, note, now_ms, out);
		else
			rc = judge_concern(t, ids[i], stored, c->occurred_at_ms, rules, n_rules,
			                   now_ms, out);
		if (rc != STORE_OK)
			return rc;
		uint64_t household;
		if ((rc = store_child_household(t, ids[i], &household)) != STORE_OK)
			return rc;
		/* A child in no household is its own, judged by judge_concern()
		 * already unless its history changed. */
		if (!household && !note[0])
			continue;
		uint64_t key = household ? household : ids[i] | UINT64_C(1) << 63;
		for (size_t j = 0; j < n_households && !dup; j++)
			dup = households[j] == key;
		if (dup)
			continue;
		households[n_households++] = key;
		/* A household that gained children, or whose child gained a
		 * merged one's history, is judged whole. */
		if (joined || note[0])
			rc = judge_household_history(t, ids[i], rules, n_rules, note, now_ms, out);
		else
			rc = judge_household_concern(t, ids[i], stored, c->occurred_at_ms, rules,
			                             n_rules, now_ms, out);
		if (rc != STORE_OK)
			return rc;
	}
	it->receipt.status = RECEIPT_ACCEPTED;
	it->receipt.seq = stored;
	it->receipt.n_child_ids = c->n_children;
	memcpy(it->receipt.child_ids, ids, c->n_children * sizeof ids[0]);
	return STORE_OK;
}

static int (*fault_hook)(const struct concern *c, void *arg);
static void *fault_arg;

void ingest_set_fault_hook(int (*hook)(const struct concern *c, void *arg), void *arg)
{
	fault_hook = hook;
	fault_arg = arg;
}

/* Link, store and judge one concern. *stage names the step under way, so
 * a failure can say where it happened. */
static int store_one(struct store_txn *t, struct ingest_item *it, const struct rule *rules,
                     size_t n_rules, const struct schools *sch, int64_t now_ms, struct outbox *out,
                     const char **stage)
{
	if (it->w.status)
		return ingest_status_file(t, it->w.status, &it->receipt, rules, n_rules, now_ms,
		                          out, stage);
	int rc = STORE_OK;
	*stage = "concern_id: checking for an earlier copy";
	if (known(t, it, &rc))
		return rc;
	const struct concern *c = &it->w.c;
	uint64_t seq = store_last_concern_seq(t) + 1;
	uint64_t ids[CONCERN_CHILDREN_MAX];
	unsigned char named_before[CONCERN_CHILDREN_MAX];
	struct merge_log *log = calloc(1, sizeof *log);
	if (!log)
		return STORE_ERROR;
	*stage = "children: linking to known children";
	for (size_t i = 0; i < c->n_children && rc == STORE_OK; i++) {
		struct link_result linked = {0};
		rc = link_child(t, &c->children[i], c->agency, seq, now_ms, log, &linked);
		ids[i] = linked.child;
		named_before[i] = (unsigned char)linked.named_before;
	}
	/* A later child's merge may have made an earlier one's id an alias. */
	for (size_t i = 0; i < c->n_children && rc == STORE_OK && log->n; i++)
		rc = store_child_resolve(t, ids[i], &ids[i]);
	*stage = "store: filing the concern and judging the rules";
	if (rc == STORE_OK)
		rc = file_concern(t, it, ids, named_before, log, rules, n_rules, now_ms, out);
	free(log);
	if (rc == STORE_OK && it->receipt.status == RECEIPT_ACCEPTED) {
		*stage = "schools: raising Operation Encompass notices";
		rc = notice_raise(t, c, ids, now_ms, sch, out);
	}
	if (rc == STORE_OK && fault_hook && fault_hook(c, fault_arg) != 0) {
		*stage = "test fault";
		rc = STORE_ERROR;
	}
	return rc;
}

/* Faults of the store as a whole, not of one concern: no concern can be
 * stored until they pass, so the whole attempt stops. */
static int whole_batch(int rc)
{
	return rc == STORE_FULL || rc == STORE_DISK_FULL || rc == STORE_IO_ERROR;
}

/* What attempt() returns when a concern failed on its own in a batch run
 * without savepoints: run it again with them. */
enum { ATTEMPT_ISOLATE = -100 };

/* One concern inside its own savepoint: when it fails on its own (a
 * record that does not decode, a rule that cannot be judged), its writes,
 * its alerts and its receipt are undone and it alone is REJECTED; the
 * batch goes on. Returns what must stop the whole attempt, else STORE_OK. */
static int isolated(struct store_txn *t, struct ingest_item *it, const struct rule *rules,
                    size_t n_rules, const struct schools *sch, int64_t now_ms, struct outbox *out)
{
	size_t mark = out->n;
	int rc = store_savepoint(t);
	if (rc != STORE_OK)
		return rc;
	const char *stage = "";
	rc = store_one(t, it, rules, n_rules, sch, now_ms, out, &stage);
	if (rc == STORE_OK)
		return store_release(t) == STORE_OK ? STORE_OK : STORE_ERROR;
	store_rollback(t);
	outbox_truncate(out, mark);
	if (whole_batch(rc))
		return rc;
	receipt_reset(&it->receipt);
	char why[VALIDATE_ERR_MAX];
	snprintf(why, sizeof why, "%s failed; this %s not stored", stage,
	         it->w.status ? "status" : "concern");
	reject(it, why);
	if (it->w.status)
		log_warn("ingest: status %s rejected alone: %s", it->receipt.status_id, why);
	else
		log_warn("ingest: concern %s of %s rejected alone: %s", it->receipt.concern_id,
		         agency_name(it->w.c.agency), why);
	return STORE_OK;
}

/* One batch's write: what store_write() runs, and what its aborts undo. */
struct batch {
	const struct rule *rules;
	size_t n_rules;
	const struct schools *schools;
	struct ingest_item *items;
	size_t n;
	const unsigned char *pre; /* rejected before the store saw them */
	int64_t now_ms;
	struct outbox *out;
	size_t mark; /* out->n before the batch */
	int isolate;
	int stored;
};

/* One attempt at the transaction. Receipts of items that reach the store
 * are (re)set here, so an aborted attempt can simply run again.
 *
 * A savepoint is not free: LMDB gives each nested transaction its own
 * dirty-page list (a 2 MiB allocation) and merges it into the parent on
 * release. So a batch first runs without them; only when one of its
 * concerns fails on its own is the batch run again with a savepoint per
 * concern (isolate), where that concern fails alone. */
static int attempt(struct store_txn *t, void *arg)
{
	struct batch *b = arg;
	int rc;
	b->stored = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct ingest_item *it = &b->items[i];
		if (!it->decoded || it->receipt.status == RECEIPT_REJECTED)
			continue;
		const char *stage;
		if (b->isolate)
			rc = isolated(t, it, b->rules, b->n_rules, b->schools, b->now_ms, b->out);
		else if ((rc = store_one(t, it, b->rules, b->n_rules, b->schools, b->now_ms, b->out,
		                         &stage)) != STORE_OK &&
		         !whole_batch(rc))
			rc = ATTEMPT_ISOLATE;
		if (rc != STORE_OK)
			return rc;
		b->stored += it->receipt.status == RECEIPT_ACCEPTED;
	}
	/* Each concern accepted is counted for the partnership's report in
	 * the batch's own transaction: concerns and counts stand or fall
	 * together (rejections are the server's to count: tally.h). */
	struct tally_sum sum = {0};
	for (size_t i = 0; i < b->n; i++) {
		const struct ingest_item *it = &b->items[i];
		if (it->receipt.status != RECEIPT_ACCEPTED)
			continue;
		rc = tally_accepted(t, &sum, ingest_adapter(it), b->now_ms, &it->w.c);
		if (rc != STORE_OK)
			return rc;
	}
	return tally_accepted_write(t, &sum, b->now_ms);
}

/* Nothing of the attempt stands: forget its receipts and alerts before
 * trying again, with a savepoint per concern when one failed alone. */
static int attempt_aborted(int rc, void *arg)
{
	struct batch *b = arg;
	outbox_truncate(b->out, b->mark);
	for (size_t i = 0; i < b->n; i++) {
		if (!b->pre[i])
			receipt_reset(&b->items[i].receipt);
	}
	if (rc == ATTEMPT_ISOLATE && !b->isolate) {
		b->isolate = 1;
		return 1;
	}
	return 0;
}

/* The receipt's words for a batch the store could not take. */
static void store_failure(const struct store *s, int rc, char *why, size_t len)
{
	if (rc == STORE_FULL) {
		snprintf(why, len, "store: full (map_size_max reached); not stored");
	} else if (rc == STORE_DISK_FULL) {
		/* The directory cut short to whole UTF-8 characters: a receipt
		 * must parse in strict protobuf libraries. */
		char dir[80];
		snprintf(dir, sizeof dir, "%s", store_path(s));
		size_t n = strlen(dir);
		while (n && !validate_utf8(dir, n))
			dir[--n] = '\0';
		snprintf(why, len, "store: disk full in %s; not stored, send again", dir);
	} else if (rc == STORE_IO_ERROR) {
		snprintf(why, len, "store: I/O error; not stored, send again");
	} else {
		snprintf(why, len, "store: write failed; not stored, send again");
	}
}

int ingest_batch(struct store *s, const struct rule *rules, size_t n_rules,
                 const struct ingest_limits *limits, struct ingest_item *items, size_t n,
                 int64_t now_ms, struct outbox *out)
{
	/* Which items are rejected before the store ever sees them. */
	unsigned char *pre = calloc(n ? n : 1, 1);
	if (!pre)
		return -1;
	for (size_t i = 0; i < n; i++) {
		precheck(&items[i], limits, now_ms);
		pre[i] = items[i].receipt.status == RECEIPT_REJECTED;
	}

	struct batch batch = {.rules = rules,
	                      .n_rules = n_rules,
	                      .schools = limits->schools,
	                      .items = items,
	                      .n = n,
	                      .pre = pre,
	                      .now_ms = now_ms,
	                      .out = out,
	                      .mark = out->n};
	int rc = store_write(s, attempt, attempt_aborted, &batch);
	int stored = batch.stored;
	if (rc != STORE_OK) {
		char why[VALIDATE_ERR_MAX];
		store_failure(s, rc, why, sizeof why);
		log_error("ingest: batch of %zu not stored: %s", n, why);
		for (size_t i = 0; i < n; i++)
			if (!pre[i])
				reject(&items[i], why);
		stored = -1;
	}
	free(pre);
	return stored;
}

const char *ingest_adapter(const struct ingest_item *it)
{
	if (it->adapter && it->adapter[0])
		return it->adapter;
	return school_agency_word(it->decoded ? it->w.c.agency : 0);
}

void ingest_items_release(struct ingest_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		wire_concern_release(&items[i].w);
		items[i].decoded = 0;
	}
}
