/*
 * ingest.c - the write path for concerns. For each frame of a batch:
 * size limit, decode, validate (pure, before any transaction), then in one
 * write transaction: idempotency, linking each named child, storing, and
 * judging every rule for each child over its stored history. Alerts raised
 * are stored in the same transaction as the concern that raised them.
 * Each concern's part of the transaction is a savepoint of its own, so one
 * that fails there is rejected alone and never takes the others with it.
 *
 * Owns the order of those steps and the raise-once/escalate policy. Does
 * not own sockets (server.c), rule arithmetic (rules.c) or linking policy
 * (link.c).
 */
#include "ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"
#include "log.h"
#include "match_index.h"
#include "validate.h"

static void reject(struct ingest_item *it, const char *error)
{
	it->receipt.status = RECEIPT_REJECTED;
	snprintf(it->receipt.error, sizeof it->receipt.error, "%s", error);
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
	char err[VALIDATE_ERR_MAX], field[64];
	if (wire_concern_nul_field(it->data, it->len, field, sizeof field)) {
		snprintf(err, sizeof err, "%s: contains a NUL byte", field);
		reject(it, err);
	} else if (validate_concern(&it->w.c, now_ms, err, sizeof err) < 0) {
		reject(it, err);
	} else if (it->agency_bound && (int)it->w.c.agency != it->agency_bound) {
		/* A compromised system of one agency must not file another's
		 * reports. */
		reject(it, "agency: not permitted for this adapter");
	}
}

static int alert_list_push(struct alert_list *l, const struct alert *a)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct alert **items = realloc(l->items, cap * sizeof *items);
		if (!items)
			return -1;
		l->items = items;
		l->cap = cap;
	}
	struct alert *copy = malloc(sizeof *copy);
	if (!copy)
		return -1;
	*copy = *a;
	l->items[l->n++] = copy;
	return 0;
}

/* Forget the alerts after the first n: those of work rolled back. */
static void alert_list_truncate(struct alert_list *l, size_t n)
{
	while (l->n > n)
		free(l->items[--l->n]);
}

void alert_list_clear(struct alert_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

/* Fill the evidence of an alert from the stored concerns. */
static int evidence(struct store_txn *t, const struct concern_ref *refs, const struct rule_match *m,
                    struct alert *a)
{
	a->n_evidence = 0;
	for (size_t i = 0; i < m->n_evidence && i < RULE_EVIDENCE_MAX; i++) {
		const struct concern_ref *r = &refs[m->evidence[i]];
		const void *data;
		size_t len;
		struct stored_concern sc;
		int rc = store_concern_raw(t, r->seq, &data, &len);
		if (rc != STORE_OK)
			return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
		if (wire_stored_concern_decode(data, len, &sc) < 0)
			return STORE_ERROR;
		struct alert_evidence *e = &a->evidence[a->n_evidence++];
		snprintf(e->concern_id, sizeof e->concern_id, "%s", sc.w.c.concern_id);
		e->agency = r->agency;
		e->category = r->category;
		e->severity = r->severity;
		e->occurred_at_ms = r->occurred_at_ms;
		wire_stored_concern_release(&sc);
	}
	return STORE_OK;
}

/* A rule reached m->level for child: raise an alert unless one of that
 * level or higher is already open; a higher one supersedes the lower. */
static int raise(struct store_txn *t, uint64_t child, const struct rule *r,
                 const struct concern_ref *refs, const struct rule_match *m, const char *note,
                 int64_t now_ms, struct alert_list *raised)
{
	/* Arrival order must not change which (child, rule, level) alerts are
	 * raised. One judgement can pass several thresholds at once (a HIGH
	 * concern taking a severity sum over AMBER and RED together) where
	 * another order of the same concerns would have reached them one at a
	 * time. So each lower level the rule defines is raised first, by this
	 * same function and with the same evidence (which does nothing for a
	 * level the open episode already reached); the higher alert raised
	 * after it then supersedes it at once, in this transaction. Both are
	 * stored and published, lower first: seqs stay consecutive for
	 * consoles and the supersedes chain climbs one level at a time. */
	for (int lower = LEVEL_AMBER; lower < (int)m->level; lower++) {
		if (!r->threshold[lower])
			continue;
		struct rule_match passed = *m;
		passed.level = (enum level)lower;
		int prc = raise(t, child, r, refs, &passed, note, now_ms, raised);
		if (prc != STORE_OK)
			return prc;
	}

	struct alert *open = NULL;
	uint64_t open_seq = 0;
	int rc = store_open_alert(t, child, r->name, &open_seq);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	struct alert *a = calloc(1, sizeof *a);
	if (!a)
		return STORE_ERROR;
	if (rc == STORE_OK) {
		open = calloc(1, sizeof *open);
		if (!open) {
			rc = STORE_ERROR;
			goto out;
		}
		if ((rc = store_alert_get(t, open_seq, open)) != STORE_OK)
			goto out;
		if (open->level >= m->level) {
			rc = STORE_OK; /* already raised and still open */
			goto out;
		}
	}

	a->seq = store_last_alert_seq(t) + 1;
	wire_alert_id(a->seq, a->alert_id);
	a->child = child;
	wire_child_id(child, a->child_id);
	a->level = m->level;
	snprintf(a->rule, sizeof a->rule, "%s", r->name);
	rule_reason(r, m, refs, a->reason, sizeof a->reason);
	if (note && note[0]) {
		size_t used = strlen(a->reason);
		snprintf(a->reason + used, sizeof a->reason - used, " (%s)", note);
	}
	a->raised_at_ms = now_ms;
	a->state = ALERT_OPEN;
	if ((rc = evidence(t, refs, m, a)) != STORE_OK)
		goto out;
	if ((rc = link_display(t, child, &a->display)) != STORE_OK)
		goto out;
	if ((rc = store_lead_practitioner(t, child, a->lead_practitioner,
	                                  sizeof a->lead_practitioner)) != STORE_OK)
		goto out;
	if (open) {
		snprintf(a->supersedes, sizeof a->supersedes, "%s", open->alert_id);
		open->state = ALERT_SUPERSEDED;
		snprintf(open->superseded_by, sizeof open->superseded_by, "%s", a->alert_id);
		if ((rc = store_alert_update(t, open)) != STORE_OK)
			goto out;
	}
	if ((rc = store_alert_add(t, a)) != STORE_OK ||
	    (rc = store_open_alert_set(t, child, r->name, a->seq)) != STORE_OK)
		goto out;
	if (alert_list_push(raised, a) < 0)
		rc = STORE_ERROR;
out:
	free(open);
	free(a);
	return rc;
}

/* Times are bounded by validation, but a window around one must still not
 * overflow whatever reaches here (a stored record, a fuzzer): saturate. */
static int64_t time_plus(int64_t t, int64_t d)
{
	return d > 0 && t > INT64_MAX - d ? INT64_MAX : t + d;
}

static int64_t time_minus(int64_t t, int64_t d)
{
	return d > 0 && t < INT64_MIN + d ? INT64_MIN : t - d;
}

/* Judge every rule for one child in the windows around the concern seq. */
static int correlate(struct store_txn *t, uint64_t child, uint64_t seq, int64_t at,
                     const struct rule *rules, size_t n_rules, int64_t now_ms,
                     struct alert_list *raised)
{
	int64_t reach = 0; /* never negative, so the saturation above holds */
	for (size_t i = 0; i < n_rules; i++)
		if (rules[i].window_ms > reach)
			reach = rules[i].window_ms;
	struct concern_ref *refs = NULL;
	size_t n = 0;
	int rc = store_timeline(t, child, time_minus(at, reach), time_plus(at, reach), &refs, &n);
	if (rc != STORE_OK)
		return rc;
	size_t focus = n;
	for (size_t i = 0; i < n; i++)
		if (refs[i].seq == seq)
			focus = i;
	if (focus == n) {
		free(refs);
		log_error("ingest: concern seq %llu missing from its child's timeline",
		          (unsigned long long)seq);
		return STORE_ERROR;
	}
	struct rule_match *m = malloc(sizeof *m);
	if (!m) {
		free(refs);
		return STORE_ERROR;
	}
	for (size_t i = 0; i < n_rules && rc == STORE_OK; i++)
		if (rule_eval(&rules[i], refs, n, focus, m) != LEVEL_NONE)
			rc = raise(t, child, &rules[i], refs, m, NULL, now_ms, raised);
	free(m);
	free(refs);
	return rc;
}

int ingest_rejudge(struct store_txn *t, uint64_t child, const struct rule *rules, size_t n_rules,
                   const char *note, int64_t now_ms, struct alert_list *raised)
{
	struct concern_ref *refs = NULL;
	size_t n = 0;
	int rc = store_timeline(t, child, INT64_MIN, INT64_MAX, &refs, &n);
	if (rc != STORE_OK || n == 0)
		return rc;
	struct rule_match *m = malloc(sizeof *m), *best = malloc(sizeof *best);
	if (!m || !best)
		rc = STORE_ERROR;
	/* Every window of the history, not only those holding one concern:
	 * the highest level each rule reaches anywhere, the first window to
	 * reach it as its evidence. */
	for (size_t i = 0; i < n_rules && rc == STORE_OK; i++) {
		best->level = LEVEL_NONE;
		for (size_t focus = 0; focus < n; focus++)
			if (rule_eval(&rules[i], refs, n, focus, m) > best->level)
				*best = *m;
		if (best->level != LEVEL_NONE)
			rc = raise(t, child, &rules[i], refs, best, note, now_ms, raised);
	}
	free(best);
	free(m);
	free(refs);
	return rc;
}

/* Do the merges in log leave `child` as a survivor? */
static int merged_into(struct store_txn *t, const struct merge_log *log, uint64_t child, int *yes)
{
	*yes = 0;
	for (size_t i = 0; i < log->n && !*yes; i++) {
		uint64_t live;
		int rc = store_child_resolve(t, log->merged[i].survivor, &live);
		if (rc != STORE_OK)
			return rc;
		*yes = live == child;
	}
	return STORE_OK;
}

int ingest_merge_note(struct store_txn *t, const struct merge_log *log, uint64_t child, char *buf,
                      size_t len)
{
	size_t n = 0, used = 0;
	char ids[4][WIRE_ID_MAX];
	for (size_t i = 0; i < log->n; i++) {
		uint64_t live;
		int rc = store_child_resolve(t, log->merged[i].survivor, &live);
		if (rc != STORE_OK)
			return rc;
		if (live != child)
			continue;
		if (n < 4)
			wire_child_id(log->merged[i].absorbed, ids[n]);
		n++;
	}
	buf[0] = '\0';
	if (n == 0)
		return STORE_OK;
	char into[WIRE_ID_MAX];
	wire_child_id(child, into);
	used += (size_t)snprintf(buf, len, "after %s", ids[0]);
	for (size_t i = 1; i < n && i < 4 && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		                         i + 1 == n ? " and " : ", ", ids[i]);
	if (n > 4 && used < len)
		used += (size_t)snprintf(buf + used, len - used, " and %zu more", n - 4);
	if (used < len)
		snprintf(buf + used, len - used, " %s merged into %s", n == 1 ? "was" : "were",
		         into);
	return STORE_OK;
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
 * joined. */
static int file_concern(struct store_txn *t, struct ingest_item *it, const uint64_t *ids,
                        const struct merge_log *log, const struct rule *rules, size_t n_rules,
                        int64_t now_ms, struct alert_list *raised)
{
	const struct concern *c = &it->w.c;
	int rc;
	uint64_t stored;
	if ((rc = store_concern_add(t, c, now_ms, ids, c->n_children, &stored)) != STORE_OK)
		return rc;
	/* A household incident names every child present: each is a member
	 * of the others' household. Then each child's possible matches among
	 * the children known before (listed for an operator, never linked). */
	for (size_t i = 0; i < c->n_children; i++)
		for (size_t j = i + 1; j < c->n_children; j++)
			if ((rc = store_household_add(t, ids[i], ids[j])) != STORE_OK)
				return rc;
	for (size_t i = 0; i < c->n_children; i++)
		if ((rc = match_index_child(t, &c->children[i], ids[i], ids, c->n_children, stored,
		                            now_ms)) != STORE_OK)
			return rc;
	for (size_t i = 0; i < c->n_children; i++) {
		int dup = 0;
		for (size_t j = 0; j < i; j++)
			dup |= ids[j] == ids[i];
		if (dup)
			continue;
		int joined = 0;
		if ((rc = merged_into(t, log, ids[i], &joined)) != STORE_OK)
			return rc;
		if (joined) {
			char note[RULE_REASON_MAX];
			if ((rc = ingest_merge_note(t, log, ids[i], note, sizeof note)) !=
			        STORE_OK ||
			    (rc = ingest_rejudge(t, ids[i], rules, n_rules, note, now_ms,
			                         raised)) != STORE_OK)
				return rc;
		} else if ((rc = correlate(t, ids[i], stored, c->occurred_at_ms, rules, n_rules,
		                           now_ms, raised)) != STORE_OK) {
			return rc;
		}
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
                     size_t n_rules, int64_t now_ms, struct alert_list *raised, const char **stage)
{
	int rc = STORE_OK;
	*stage = "concern_id: checking for an earlier copy";
	if (known(t, it, &rc))
		return rc;
	const struct concern *c = &it->w.c;
	uint64_t seq = store_last_concern_seq(t) + 1;
	uint64_t ids[CONCERN_CHILDREN_MAX];
	struct merge_log *log = calloc(1, sizeof *log);
	if (!log)
		return STORE_ERROR;
	*stage = "children: linking to known children";
	for (size_t i = 0; i < c->n_children && rc == STORE_OK; i++)
		rc = link_child(t, &c->children[i], c->agency, seq, now_ms, log, &ids[i]);
	/* A later child's merge may have made an earlier one's id an alias. */
	for (size_t i = 0; i < c->n_children && rc == STORE_OK && log->n; i++)
		rc = store_child_resolve(t, ids[i], &ids[i]);
	*stage = "store: filing the concern and judging the rules";
	if (rc == STORE_OK)
		rc = file_concern(t, it, ids, log, rules, n_rules, now_ms, raised);
	free(log);
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
                    size_t n_rules, int64_t now_ms, struct alert_list *raised)
{
	size_t mark = raised->n;
	int rc = store_savepoint(t);
	if (rc != STORE_OK)
		return rc;
	const char *stage = "";
	rc = store_one(t, it, rules, n_rules, now_ms, raised, &stage);
	if (rc == STORE_OK)
		return store_release(t) == STORE_OK ? STORE_OK : STORE_ERROR;
	store_rollback(t);
	alert_list_truncate(raised, mark);
	if (whole_batch(rc))
		return rc;
	const char *id = it->receipt.concern_id;
	memset(&it->receipt, 0, sizeof it->receipt);
	it->receipt.concern_id = id;
	char why[VALIDATE_ERR_MAX];
	snprintf(why, sizeof why, "%s failed; this concern not stored", stage);
	reject(it, why);
	log_warn("ingest: concern %s of %s rejected alone: %s", id, agency_name(it->w.c.agency),
	         why);
	return STORE_OK;
}

/* One batch's write: what store_write() runs, and what its aborts undo. */
struct batch {
	const struct rule *rules;
	size_t n_rules;
	struct ingest_item *items;
	size_t n;
	const unsigned char *pre; /* rejected before the store saw them */
	int64_t now_ms;
	struct alert_list *raised;
	size_t mark; /* raised->n before the batch */
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
			rc = isolated(t, it, b->rules, b->n_rules, b->now_ms, b->raised);
		else if ((rc = store_one(t, it, b->rules, b->n_rules, b->now_ms, b->raised,
		                         &stage)) != STORE_OK &&
		         !whole_batch(rc))
			rc = ATTEMPT_ISOLATE;
		if (rc != STORE_OK)
			return rc;
		b->stored += it->receipt.status == RECEIPT_ACCEPTED;
	}
	return STORE_OK;
}

/* Nothing of the attempt stands: forget its receipts and alerts before
 * trying again, with a savepoint per concern when one failed alone. */
static int attempt_aborted(int rc, void *arg)
{
	struct batch *b = arg;
	alert_list_truncate(b->raised, b->mark);
	for (size_t i = 0; i < b->n; i++) {
		if (b->pre[i])
			continue;
		const char *id = b->items[i].receipt.concern_id;
		memset(&b->items[i].receipt, 0, sizeof b->items[i].receipt);
		b->items[i].receipt.concern_id = id;
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
                 int64_t now_ms, struct alert_list *raised)
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
	                      .items = items,
	                      .n = n,
	                      .pre = pre,
	                      .now_ms = now_ms,
	                      .raised = raised,
	                      .mark = raised->n};
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

void ingest_items_release(struct ingest_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		wire_concern_release(&items[i].w);
		items[i].decoded = 0;
	}
}
