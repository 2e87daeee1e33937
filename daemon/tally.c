/*
 * tally.c - the daily tallies per adapter (see tally.h).
 *
 * Owns which metrics are counted for a receipt. Does not own the tables
 * (store_notices.c), the reasons' wording (stats.c) or the report
 * (control_report.c).
 */
#include "tally.h"

#include <stdio.h>

#include "calendar.h"
#include "stats.h"
#include "store_notices.h"

int tally_receipt(struct store_txn *t, const char *adapter, int64_t now_ms, const struct receipt *r,
                  const struct concern *c)
{
	int32_t day = calendar_day_of(now_ms);
	if (r->status == RECEIPT_REJECTED) {
		char reason[STATS_REASON_LEN], metric[STATS_REASON_LEN + 16];
		stats_reason(r->error, reason, sizeof reason);
		snprintf(metric, sizeof metric, TALLY_REJECTED "%s", reason);
		return store_tally_add(t, day, adapter, metric, 1);
	}
	if (r->status != RECEIPT_ACCEPTED || !c)
		return STORE_OK;
	uint64_t identified = 0;
	for (size_t i = 0; i < c->n_children; i++)
		identified += c->children[i].nhs_number[0] || c->children[i].upn[0];
	int rc = store_tally_add(t, day, adapter, TALLY_ACCEPTED, 1);
	if (rc == STORE_OK)
		rc = store_tally_add(t, day, adapter, TALLY_CHILDREN, c->n_children);
	if (rc == STORE_OK && identified)
		rc = store_tally_add(t, day, adapter, TALLY_IDENTIFIED, identified);
	return rc;
}
