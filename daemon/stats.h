/*
 * stats.h - what this daemon has answered since it started: receipts by
 * status and rejections by reason. (Stored totals live in the store's
 * counters and survive restarts; these do not.)
 */
#ifndef FFC_STATS_H
#define FFC_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "receipt.h"

#define STATS_REASONS_MAX 64
#define STATS_REASON_LEN  96

struct stats {
	uint64_t receipts[RECEIPT_REJECTED + 1]; /* by receipt_status */
	uint64_t batches;                        /* write transactions committed */
	/* CURVE handshakes the ZAP handler refused, by reason. */
	uint64_t refused_unknown_key, refused_role, refused_malformed, refused_banned;
	/* What peers sent that the sockets refused (server.c,
	 * alerts_socket.c). Alerts:
	 * frames that were not subscriptions, subscriptions discarded while
	 * the socket's queues were out of step, subscriptions refused for
	 * their length or count, connections cut. Ingest: messages of more
	 * than one frame, receipts a peer did not take, connections over the
	 * cap. */
	uint64_t alerts_data, alerts_discarded, alerts_refused, alerts_cut;
	uint64_t ingest_parts, receipts_unsent, ingest_conns_refused;
	/* Control: messages of more than one frame. */
	uint64_t control_parts;
	size_t n_reasons;
	struct {
		char reason[STATS_REASON_LEN];
		uint64_t count;
	} rejects[STATS_REASONS_MAX];
};

/* Count one receipt sent (a rejected one also under its reason; once
 * STATS_REASONS_MAX - 1 reasons are known, new ones count as "other").
 * Cannot fail. */
void stats_receipt(struct stats *st, const struct receipt *r);

/* The reason a rejection is counted under: the error with child indexes
 * and numbers taken out ("children[3].nhs_number: check digit mismatch" ->
 * "children[].nhs_number: check digit mismatch"), so the table stays
 * small. out is cut to len and terminated. Cannot fail. */
void stats_reason(const char *error, char *out, size_t len);

#endif
