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

/* ---- working alerts (control_alerts.c) ---- */

/* protobuf-c ends a decoded string at its first NUL byte, so a name or a
 * note holding one would be stored cut short. 1 when a string field of
 * the ControlRequest encoded in req holds one, with its path ("ack.by"),
 * else 0. */
int control_nul_field(const uint8_t *req, size_t len, char *path, size_t pathlen);

/* Writing handlers: acknowledge, close or note an alert, assign a child's
 * lead practitioner (rq's command, recorded with rq->operator_). */
const char *control_ack(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                        int64_t now_ms, struct arena *ar, Ffc__V1__ControlReply *reply);
const char *control_close(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                          int64_t now_ms, struct arena *ar, Ffc__V1__ControlReply *reply);
const char *control_note(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                         int64_t now_ms, struct arena *ar, Ffc__V1__ControlReply *reply);
const char *control_assign(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                           int64_t now_ms, struct arena *ar, Ffc__V1__ControlReply *reply);

/* An Alert read from the store completed with what is not stored in it:
 * its due time under the response times in force and, when asked, its
 * history (control socket only). A copy kept in the arena (the stored one
 * when memory runs out). */
Ffc__V1__Alert *control_alert_lifecycle(const struct control_env *env, struct store_txn *t,
                                        struct arena *ar, const Ffc__V1__Alert *a,
                                        int with_history);
/* The same for each alert of a ChildReply, and the child's lead
 * practitioner with every assignment. */
void control_child_lifecycle(const struct control_env *env, struct store_txn *t, struct arena *ar,
                             Ffc__V1__ChildReply *c);
/* AlertsRequest.overdue: the alerts overdue now, by seq, through the
 * store's index of them. */
const char *control_alerts_overdue(struct store_txn *t, const Ffc__V1__AlertsRequest *req,
                                   struct arena *ar, Ffc__V1__ControlReply *reply);

#endif
