/*
 * ingest_status.h - a social care status on the ingest socket: a Concern
 * frame carrying only child_status (proto/ffc.proto says how a sender
 * chooses). Checked before the batch's transaction, then filed inside it
 * as a concern is: deduplicated by status_id, linked to its child by the
 * same identity rules, stored, and the rules that read statuses judged
 * again for the child. ingest.c calls these for such a frame, in the same
 * batch, savepoint and receipt flow as a concern.
 */
#ifndef FFC_INGEST_STATUS_H
#define FFC_INGEST_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"
#include "outbox.h"
#include "receipt.h"
#include "rules.h"
#include "status.h"
#include "store.h"

/* What needs no store: the frame carries the status alone (c is the
 * Concern view of the same frame, all of it unset), the sending key is
 * bound to SOCIAL_CARE (agency_bound 0: an unauthenticated connection),
 * and the status passes status_validate(). 0, or -1 with the receipt's
 * error ("field: rule") in err. */
int ingest_status_check(const struct child_status *s, const struct concern *c, int agency_bound,
                        int64_t now_ms, char *err, size_t errlen);

/* File s in t at now_ms, judging `rules`, alerts queued on *out. Sets
 * *r: ACCEPTED (seq the status's own, the child it was filed under),
 * DUPLICATE (this content of status_id is stored: that version's seq and
 * child) or REJECTED on its merits (status_id reused, kind changed, too
 * many versions). *stage names the step under way, for a failure.
 * Returns STORE_OK, or the store's error (the caller undoes the
 * savepoint). */
int ingest_status_file(struct store_txn *t, const struct child_status *s, struct receipt *r,
                       const struct rule *rules, size_t n_rules, int64_t now_ms, struct outbox *out,
                       const char **stage);

#endif
