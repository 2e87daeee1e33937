/*
 * link.h - which child: files each child named in a concern under a child
 * id, creating the child when nobody knows it yet.
 *
 * Links on the contract's strong identifiers (NHS number, UPN, agency +
 * local_id) and on the exact demographic key (names and date of birth,
 * and the same postcode where both sides have one). When the identifiers
 * of one named child lead to several children already known, they are
 * merged (merge.h). A link never puts two different NHS numbers or two
 * different UPNs under one child, nor joins children an operator split:
 * such a child is filed under the child its strongest identifier names
 * (or a new one), the disagreeing identifiers are left with the children
 * they name, and an identity CONFLICT event is recorded. Demographics
 * that match several children equally link to none of them (also a
 * conflict). The decision is link_decide()'s (link_decide.h); this module
 * gathers its facts from the store and applies it.
 */
#ifndef FFC_LINK_H
#define FFC_LINK_H

#include <stdint.h>

#include "concern.h"
#include "merge.h"
#include "store.h"

/* What link_child() found. */
struct link_result {
	uint64_t child; /* the live child id */
	/* 1 when the child's record already held an identity (any agency's)
	 * with these names, date of birth and postcode, and no merge was
	 * made: what the child is named, and where, is not new. */
	int named_before;
};

/* File one named child. `seq` is the seq the concern will get and `now_ms`
 * the receive time (both recorded on the child's identity and on any
 * identity event). Fills *out and appends any merges done to *log. A
 * merge while filing a later child of the same concern may make an
 * earlier one's id an alias: resolve them all before storing. Returns
 * STORE_OK or a store error (STORE_FULL: retry the whole transaction
 * after growing the map). */
int link_child(struct store_txn *t, const struct child_identity *id, int agency, uint64_t seq,
               int64_t now_ms, struct merge_log *log, struct link_result *out);

#endif
