/*
 * receipt.h - the answer to one concern on the ingest socket: accepted,
 * a duplicate, or rejected with the reason, and the children it was filed
 * under. A plain struct; ingest.c fills it, server.c sends it
 * (wire_receipt_pack in wire.h encodes it), stats.c counts it.
 */
#ifndef FFC_RECEIPT_H
#define FFC_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"
#include "validate.h"

/* ffc.v1.Receipt.Status */
enum receipt_status {
	RECEIPT_UNSPECIFIED = 0,
	RECEIPT_ACCEPTED = 1,
	RECEIPT_DUPLICATE = 2,
	RECEIPT_REJECTED = 3
};

struct receipt {
	const char *concern_id; /* borrowed: echoed as received ("" if unparsed) */
	const char *status_id;  /* borrowed: a ChildStatus's id echoed; NULL or "" for a concern */
	enum receipt_status status;
	char error[VALIDATE_ERR_MAX];
	uint64_t seq;
	size_t n_child_ids;
	uint64_t child_ids[CONCERN_CHILDREN_MAX];
};

#endif
