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
#include "authz.h"
#include "control.h"
#include "ffc.pb-c.h"
#include "ffc_store.pb-c.h"
#include "store.h"

/* The live child a ChildRequest names (by child id, NHS number or UPN),
 * merged ids resolved to the surviving child. NULL, or an error message. */
const char *control_find_child(struct store_txn *t, const Ffc__V1__ChildRequest *req,
                               uint64_t *child);

/* A page of alerts for req: its level and state checked (an error message
 * naming the field), the page size settled (*limit), the reply allocated
 * with the latest alert seq and room for *limit alerts. *page is NULL
 * when memory ran out. */
const char *control_alerts_page(struct store_txn *t, const Ffc__V1__AlertsRequest *req,
                                struct arena *ar, Ffc__V1__AlertsReply **page, size_t *limit);

/* The stored alert seq as an Alert message kept in the arena; NULL when
 * there is none or memory ran out. */
Ffc__V1__Alert *control_alert_message(struct store_txn *t, struct arena *ar, uint64_t seq);

/* reload and rules test (control_rules.c); status's fields about the
 * configuration. */
const char *control_reload(const struct control_env *env, const char *by, int64_t now_ms,
                           struct arena *ar, Ffc__V1__ControlReply *reply);
const char *control_rules_test(const struct control_env *env, struct store_txn *t,
                               const Ffc__V1__RulesTestRequest *req, struct arena *ar,
                               Ffc__V1__ControlReply *reply);
void control_rules_status(const struct control_env *env, Ffc__V1__StatusReply *r);
/* Fill a ChildReply's identity records, alerts (raised at or after
 * since_ms) with their states, household and identity events (at or after
 * since_ms). NULL, or an error message (control_child.c). */
const char *control_child_chronology(struct store_txn *t, uint64_t child, int64_t since_ms,
                                     struct arena *ar, Ffc__V1__ChildReply *r);

/* ffcctl matches: the possible matches between distinct live children
 * (control_matches.c). */
const char *control_matches(struct store_txn *t, const Ffc__V1__MatchesRequest *req,
                            struct arena *ar, Ffc__V1__ControlReply *reply);
/* ffcctl matches dismiss: an operator judges a pair two children; writes
 * (control_matches.c). */
const char *control_dismiss_match(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                                  int64_t now_ms, struct arena *ar, Ffc__V1__ControlReply *reply);

/* ---- identity review (control_identity.c) ---- */

/* The identity events indexed under child (merges, splits, conflicts),
 * oldest first, as messages kept in the arena. */
Ffc__V1__IdentityEvent **control_identity_events(struct store_txn *t, struct arena *ar,
                                                 uint64_t child, size_t *n);

/* The child's identity records as contract messages, in stored order (the
 * numbering unlink's "#N" uses); *rec is the child's record, kept in the
 * arena. NULL when the child cannot be read or memory ran out. */
Ffc__V1__IdentityRecord **control_identity_records(struct store_txn *t, struct arena *ar,
                                                   uint64_t child, Ffc__Store__Child **rec,
                                                   size_t *n);

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

/* ---- retention, correction and backup (control_keep.c) ---- */

/* A stored concern as a chronology entry (withdrawn marker included); the
 * strings borrow from sc. */
void control_chronology_entry(const Ffc__Store__StoredConcern *sc, Ffc__V1__ChronologyEntry *e);
/* Writing handlers: purge (in bounded batches; dry run reads only),
 * withdraw one concern, copy the store. */
const char *control_purge(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                          int64_t now_ms, struct arena *ar, Ffc__V1__ControlReply *reply);
const char *control_withdraw(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                             int64_t now_ms, struct arena *ar, Ffc__V1__ControlReply *reply);
/* The purges and withdrawals recorded under child in the audit trail, into
 * r->corrections. NULL, or an error message. */
const char *control_child_corrections(struct store_txn *t, uint64_t child, struct arena *ar,
                                      Ffc__V1__ChildReply *r);
const char *control_backup(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                           int64_t now_ms, struct arena *ar, Ffc__V1__ControlReply *reply);

/* ---- who asks, and the audit trail (control_audit.c) ---- */

/* A change's audit entry, appended by control_write() in the change's own
 * transaction (env->audit), once. */
struct control_audit {
	const Ffc__V1__ControlRequest *rq;
	const struct authz_caller *caller;
	const char *command;
	int64_t now_ms;
	int done; /* recorded and committed */
};

/* Who is asking: the CURVE key the connection was authenticated with;
 * else, on ipc://, the operator the caller's Unix user is (kernel peer
 * credentials), the name in rq choosing among that user's operators only
 * (authz_ipc_operator()); every caller is admin when no operators are
 * configured. c->name is borrowed from env, rq or c itself. */
void control_caller(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                    struct authz_caller *c);
/* Make text a caller sent readable in place: bytes of invalid UTF-8 and
 * control characters become '?' (for the audit trail, logs, replies). */
void control_clean_text(char *s);
/* Record a refused request (and count it), in a write transaction of its
 * own. 0, or -1 (logged) when it could not be recorded. */
int control_audit_refusal(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                          const struct authz_caller *c, const struct authz_decision *d,
                          int64_t now_ms);
/* The children a reply names, each once, into a malloc'd *ids. -1 when
 * memory ran out. */
int control_audit_named(const Ffc__V1__ControlRequest *rq, const Ffc__V1__ControlReply *r,
                        uint64_t **ids, size_t *n);
/* Record a read of the children ids (one entry each, one with no child
 * when n is 0) in a write transaction of its own, before the reply is
 * sent. -1 when it could not be recorded: the read must be refused. */
int control_audit_reads(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                        const struct authz_caller *c, const char *command, const uint64_t *ids,
                        size_t n, int64_t now_ms);
/* Append a change's entries (one per child it changed) in t. */
int control_audit_change(struct store_txn *t, const struct control_audit *a);
/* ffcctl audit: the entries matching the request's filters. */
const char *control_audit_query(struct store_txn *t, const Ffc__V1__AuditRequest *req,
                                struct arena *ar, Ffc__V1__ControlReply *reply);
/* Fill a ChildReply's viewed_by: the reads recorded under the child. */
void control_audit_viewed(struct store_txn *t, struct arena *ar, Ffc__V1__ChildReply *c);

#endif
