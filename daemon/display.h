/*
 * display.h - a child's one display name: the names and date of birth an
 * alert, a listing, a chronology and a family's view all show for the
 * child, chosen from its identity records by one rule, so the child reads
 * the same everywhere and, after a merge, under one name.
 *
 * The rule (README, "The family's view"; proto ChildReply.display): a
 * record with a family name before one without; then by the agency that
 * named the child, health first (the NHS-registered name), then education
 * (the school roll), social care, police, other; then the record seen most
 * recently (last seen, then the later concern). The date of birth is that
 * record's, else the first other record's that has one; the NHS number and
 * UPN likewise (an alert's broadcast form leaves them out).
 */
#ifndef FFC_DISPLAY_H
#define FFC_DISPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "child_record.h"
#include "store.h"

/* The display identity of ch by the rule above (all "" for a child with no
 * record of its own). Pure. */
void display_choose(const struct child_record *ch, struct alert_child *out);

/* The display identity of child (an alias read through to the child it
 * joined). Returns STORE_OK or the store's error. */
int display_child(struct store_txn *t, uint64_t child, struct alert_child *out);

/* The child's given name to name it in a sentence ("Mia"), else its
 * family name, else its id ("C00000004"), into buf. Returns buf. */
const char *display_first_name(const struct alert_child *d, uint64_t child, char *buf, size_t len);

#endif
