/*
 * store_audit.c - the audit trail: entries appended in seq order and
 * indexed under the child they concern. Append only: there is
 * deliberately no function that changes or deletes an entry.
 *
 * What is audited, and the entry's fields, are control_audit.c's.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "wire.h"

/* ---- the audit trail ---- */

int store_audit_add(struct store_txn *t, struct audit_entry *e)
{
	e->seq = store_last_key(t, DB_AUDIT) + 1;
	uint8_t key[8];
	uint8_t *rec = NULL;
	size_t len = 0;
	put_u64(key, e->seq);
	if (wire_audit_pack(e, &rec, &len) < 0)
		return STORE_ERROR;
	int rc = put(t, DB_AUDIT, key, 8, rec, len, MDB_APPEND);
	free(rec);
	if (rc == STORE_OK && e->child)
		rc = store_child_index_put(t, DB_CHILD_AUDIT, e->child, e->seq);
	return rc;
}

int store_audit_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len)
{
	return store_get_by_seq(t, DB_AUDIT, seq, data, len);
}

uint64_t store_last_audit_seq(struct store_txn *t)
{
	return store_last_key(t, DB_AUDIT);
}

int store_child_audit(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n)
{
	return store_child_index(t, DB_CHILD_AUDIT, child, seqs, n);
}
