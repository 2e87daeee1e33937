/*
 * audit.h - the records of who did what to whom and why: an entry of the
 * control socket's audit trail, and an identity event (a merge, split or
 * identity conflict). Plain structs owning their strings, cut to fit.
 *
 * Writing them is the store's (store_audit_add, store_identity_event_add),
 * encoding them wire.h's, deciding what goes in them control_audit.c's
 * and link.c's / merge.c's.
 */
#ifndef FFC_AUDIT_H
#define FFC_AUDIT_H

#include <stdint.h>

#include "concern.h"

/* Who asked ("by") and why ("reason", "purpose"), with the NUL. */
#define WIRE_BY_MAX     (CONCERN_FIELD_MAX + 1)
#define WIRE_REASON_MAX 1024

/* One audit entry (stored as an ffc.v1.AuditEntry). */
struct audit_entry {
	uint64_t seq;
	int64_t at_ms;
	char by[WIRE_BY_MAX];
	char role[32];
	char command[32];
	uint64_t child; /* 0: none */
	char purpose[WIRE_REASON_MAX];
	int refused;
	char detail[WIRE_REASON_MAX];
	uint64_t count;            /* a refusal: how many it stands for (0 or 1: one) */
	char setting[WIRE_BY_MAX]; /* a lookup: where the child was */
	char via[64];              /* the delegate that spoke for `by` ("" : none) */
};

/* ffc.v1.IdentityEvent.Kind */
enum identity_event_kind { IDEV_MERGED = 1, IDEV_SPLIT = 2, IDEV_CONFLICT = 3 };

/* What a merge, split or identity conflict did, by whom and why (stored as
 * an ffc.v1.IdentityEvent). */
struct identity_event {
	uint64_t seq;
	int64_t at_ms;
	enum identity_event_kind kind;
	uint64_t child, other;
	char by[WIRE_BY_MAX];
	char reason[WIRE_REASON_MAX];
	char identity[2 * CONCERN_FIELD_MAX + 32];
	uint64_t concern_seq;
};

#endif
