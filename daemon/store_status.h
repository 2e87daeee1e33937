/*
 * store_status.h - the store's tables of social care statuses and of
 * lookups (layout in store.h): every version of every ChildStatus, the
 * latest version of each status_id, each child's status facts (what the
 * rules and lookups read without decoding a record), and the record of
 * each lookup of a known child.
 *
 * Functions return STORE_OK or a store error as store.h's do; memory
 * returned through `const void **` stays valid until the transaction ends.
 */
#ifndef FFC_STORE_STATUS_H
#define FFC_STORE_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"
#include "lookup.h"
#include "status.h"
#include "store.h"
#include "wire_status.h"

/* The latest version of status_id: STORE_OK with its seq, or
 * STORE_NOTFOUND. */
int store_status_find(struct store_txn *t, const char *status_id, uint64_t *seq);
/* The raw StoredChildStatus record of seq. */
int store_status_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len);
/* Decode version seq into out (released by the caller with
 * wire_stored_status_release); STORE_ERROR for a record that does not
 * decode (logged). */
int store_status_get(struct store_txn *t, uint64_t seq, struct stored_status *out);

/* Store a new version: r->seq is set to the next status seq; it becomes
 * status_id's latest, is indexed under r->child with its facts, and the
 * version before it (r->prev_seq, when set) is marked superseded by it,
 * in its record and its facts. Counted ("statuses"). */
int store_status_add(struct store_txn *t, struct stored_status *r);

/* Every version filed under child, with its facts, in seq order, into a
 * malloc'd *facts (caller frees; NULL when none). */
int store_status_facts(struct store_txn *t, uint64_t child, struct status_fact **facts, size_t *n);

/* Set refs[i].status to the child's statuses in force when each
 * happened (status_mask_at()). */
int store_status_annotate(struct store_txn *t, uint64_t child, struct concern_ref *refs, size_t n);

/* Refile version seq from child `from` to `to` (an operator's split). */
int store_status_move(struct store_txn *t, uint64_t seq, uint64_t from, uint64_t to);

/* Record a lookup of a known child: a->seq is set to the next lookup
 * seq, and it is indexed under a->child. Counted ("lookups"). */
int store_lookup_add(struct store_txn *t, struct access_record *a);
int store_lookup_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len);
/* Lookup seqs indexed under child, oldest first, into a malloc'd array. */
int store_child_lookups(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n);

#endif
