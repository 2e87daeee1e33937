/*
 * link.h - which child: files each child named in a concern under a child
 * id, creating the child when nobody knows it yet.
 *
 * Links on the contract's strong identifiers (NHS number, UPN, agency +
 * local_id) and on the exact demographic key (names and date of birth,
 * and the same postcode where both sides have one). A link never puts two
 * different NHS numbers or two different UPNs under one child: such an
 * identity is filed under the child its strongest identifier names, or a
 * new one.
 */
#ifndef FFC_LINK_H
#define FFC_LINK_H

#include <stdint.h>

#include "concern.h"
#include "store.h"

/* File one named child. `seq` is the seq the concern will get and `now_ms`
 * the receive time (both recorded on the child's identity). Writes the
 * child id to *child. Returns STORE_OK or a store error (STORE_FULL:
 * retry the whole transaction after growing the map). */
int link_child(struct store_txn *t, const struct child_identity *id, int agency, uint64_t seq,
               int64_t now_ms, uint64_t *child);

/* The identity to show for a child on an alert: the most recently seen
 * identity that carries a name, else the most recent one. */
int link_display(struct store_txn *t, uint64_t child, struct alert_child *out);

#endif
