/*
 * control_int.h - what the files answering control requests share
 * (control.c and control_<area>.c): the reply arena, finding a child
 * named in a request, and stored alerts as Alert messages.
 *
 * A handler answers one command: it returns NULL and sets the reply's
 * result, or returns an error message naming the field ("child.child_id:
 * not a child id") and sets nothing. Reading handlers take the request's
 * read transaction; writing ones (listed in control.c's writes()) use
 * control_write().
 */
#ifndef FFC_CONTROL_INT_H
#define FFC_CONTROL_INT_H

#include <stdint.h>

#include "arena.h"
#include "control.h"
#include "ffc.pb-c.h"
#include "store.h"

/* The live child a ChildRequest names (by child id, NHS number or UPN),
 * merged ids resolved to the surviving child. NULL, or an error message. */
const char *control_find_child(struct store_txn *t, const Ffc__V1__ChildRequest *req,
                               uint64_t *child);

/* The stored alert seq as an Alert message kept in the arena; NULL when
 * there is none or memory ran out. */
Ffc__V1__Alert *control_alert_message(struct store_txn *t, struct arena *ar, uint64_t seq);

/* ---- identity review (control_identity.c) ---- */

/* The identity events indexed under child (merges, splits, conflicts),
 * oldest first, as messages kept in the arena. */
Ffc__V1__IdentityEvent **control_identity_events(struct store_txn *t, struct arena *ar,
                                                 uint64_t child, size_t *n);

const char *control_conflicts(struct store_txn *t, const Ffc__V1__ConflictsRequest *req,
                              struct arena *ar, Ffc__V1__ControlReply *reply);
const char *control_identities(struct store_txn *t, const Ffc__V1__IdentitiesRequest *req,
                               struct arena *ar, Ffc__V1__ControlReply *reply);
/* Writing commands: each runs its own control_write() transaction. */
const char *control_link(const struct control_env *env, const char *operator_,
                         const Ffc__V1__LinkRequest *req, int64_t now_ms, struct arena *ar,
                         Ffc__V1__ControlReply *reply);
const char *control_unlink(const struct control_env *env, const char *operator_,
                           const Ffc__V1__UnlinkRequest *req, int64_t now_ms, struct arena *ar,
                           Ffc__V1__ControlReply *reply);

#endif
