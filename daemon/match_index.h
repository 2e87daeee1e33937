/*
 * match_index.h - possible matches found as children are filed: each
 * named child is looked up among the children already known under the same
 * family name and date of birth (and the date with day and month swapped)
 * and, when it has a postcode, among those known under the same given name
 * and date of birth with another family name; each pair match.c judges a
 * possible match is recorded once, and the child is added to the index.
 * Nothing is ever linked here: the pairs wait for an operator (ffcctl
 * matches).
 *
 * Finding candidates is one lookup per probe in a dupsort index, whatever
 * the number of children known; at most MATCH_CANDIDATES_MAX children
 * under one key are judged (a common name born on one day in one store is
 * a list no operator would read anyway).
 *
 * The given-name index and the parts of double given names were added to
 * a store that already held children: a child filed before is entered in
 * them only when a concern names it again, so a pair needing them is
 * found once the earlier child appears again (or the later one, if it is
 * the double name).
 */
#ifndef FFC_MATCH_INDEX_H
#define FFC_MATCH_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "concern.h"
#include "store.h"

#define MATCH_CANDIDATES_MAX 64

/* After `child` was filed for the identity `id` by concern `concern_seq`:
 * record its possible matches and index it. `named_with` holds the child
 * ids of the whole concern: children named together are different
 * children, never a possible match of each other. Returns STORE_OK or a
 * store error (STORE_FULL: retry the transaction after growing; the caller
 * aborts on any error). id and named_with are only read. */
int match_index_child(struct store_txn *t, const struct child_identity *id, uint64_t child,
                      const uint64_t *named_with, size_t n_named, uint64_t concern_seq,
                      int64_t now_ms);

#endif
