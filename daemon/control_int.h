/*
 * control_int.h - what the files answering control requests share: the
 * call a handler is given, the handlers the command list names
 * (control_commands.h), and the helpers beneath them.
 *
 * The files are layered, each calling only files below it:
 *   control.c        dispatch: decode, authorise (authz.c), call the
 *                    row's handler, audit a read, pack the reply
 *   control_table.c  the command table: each command's row and handler
 *   handlers         control_status.c, control_alerts.c, control_child.c,
 *                    control_identity.c, control_matches.c,
 *                    control_rules.c, control_keep.c, control_trail.c
 *                    (a chronology gathers from several of them)
 *   control_audit.c  who asks; writing the audit trail; control_write()
 *   control_reply.c  packing, a request's strings, finding a child,
 *                    stored alerts as messages
 *
 * A handler answers one command: it returns NULL and sets the reply's
 * result, or returns an error message naming the field ("child.child_id:
 * not a child id") and sets nothing. Reading handlers use the call's read
 * transaction; writing ones (writes in the list) are given none and
 * change the store through control_write().
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

struct control_call;

/* Work a handler hands over to run beside the loop (control_defer()). */
struct control_work {
	void (*run)(void *arg);
	const char *(*done)(struct control_call *call, void *arg);
	void (*release)(void *arg);
	void *arg;
};

/* One request being answered, borrowed by its handler for the call. */
struct control_call {
	/* The server's environment; for a writing command with the
	 * request's audit entry (env->audit) for control_write(). */
	const struct control_env *env;
	const Ffc__V1__ControlRequest *rq; /* decoded, its strings checked */
	const struct authz_caller *caller; /* who asks, allowed to */
	struct store_txn *t;               /* the read transaction; NULL for writers */
	int64_t now_ms;
	struct arena *ar;             /* everything the reply points to, freed after packing */
	Ffc__V1__ControlReply *reply; /* the result to set */
	enum control_action action;   /* what the server does after replying */
	struct control_work later;    /* set by control_defer() */
};

/* ---- the handlers, one per row of control_commands.h ---- */

/* control_status.c */
const char *control_status(struct control_call *call);
const char *control_stats(struct control_call *call);
const char *control_shutdown(struct control_call *call);
/* control_child.c */
const char *control_child(struct control_call *call);
/* control_alerts.c: the listing (or overdue list), and the writing
 * ack, close, note and assign (recorded with rq->operator_). */
const char *control_alerts(struct control_call *call);
const char *control_ack(struct control_call *call);
const char *control_close(struct control_call *call);
const char *control_note(struct control_call *call);
const char *control_assign(struct control_call *call);
/* control_identity.c: review, and link and unlink (writing). */
const char *control_identities(struct control_call *call);
const char *control_conflicts(struct control_call *call);
const char *control_link(struct control_call *call);
const char *control_unlink(struct control_call *call);
/* control_matches.c: possible matches between distinct live children,
 * and an operator judging a pair two children (writing). */
const char *control_matches(struct control_call *call);
const char *control_dismiss_match(struct control_call *call);
/* control_rules.c: reload the configuration, test candidate rules. */
const char *control_reload(struct control_call *call);
const char *control_rules_test(struct control_call *call);
/* control_keep.c: purge (in bounded batches; a dry run reads only),
 * withdraw one concern, copy the store; all writing. */
const char *control_purge(struct control_call *call);
const char *control_withdraw(struct control_call *call);
const char *control_backup(struct control_call *call);
/* control_trail.c: ffcctl audit, the entries matching its filters. */
const char *control_audit_query(struct control_call *call);

/* ---- shared helpers (control_reply.c) ---- */

/* A handler whose work would hold up the loop (copying the store, waiting
 * for a loader process, judging the whole history) hands it over and
 * returns what this returns (NULL): run(arg) then runs beside the loop,
 * touching only arg and the store through read transactions of its own;
 * back in the loop done(call, arg) answers as a handler does (NULL with
 * the reply's result set, or an error), with call->t NULL; release(arg)
 * frees arg, whether or not run and done were called. */
const char *control_defer(struct control_call *call, void (*run)(void *arg),
                          const char *(*done)(struct control_call *call, void *arg),
                          void (*release)(void *arg), void *arg);

/* Pack reply into a malloc'd *out (the caller frees). 0, or -1 when out
 * of memory. */
int control_pack_reply(const Ffc__V1__ControlReply *reply, uint8_t **out, size_t *len);

/* protobuf-c ends a decoded string at its first NUL byte, so a name or a
 * note holding one would be stored cut short. 1 when a string field of
 * the ControlRequest encoded in req holds one, with its path ("ack.by"),
 * else 0. */
int control_nul_field(const uint8_t *req, size_t len, char *path, size_t pathlen);

/* The live child a ChildRequest names (by child id, NHS number or UPN),
 * merged ids resolved to the surviving child. NULL, or an error message. */
const char *control_find_child(struct store_txn *t, const Ffc__V1__ChildRequest *req,
                               uint64_t *child);

/* The stored alert seq as an Alert message kept in the arena; NULL when
 * there is none or memory ran out. */
Ffc__V1__Alert *control_alert_message(struct store_txn *t, struct arena *ar, uint64_t seq);

/* Make text a caller sent readable in place: bytes of invalid UTF-8 and
 * control characters become '?' (for the audit trail, logs, replies). */
void control_clean_text(char *s);

/* ---- what handlers add to each other's replies ---- */

/* The configuration's fields of a StatusReply (control_rules.c). */
void control_rules_status(const struct control_env *env, Ffc__V1__StatusReply *r);

/* The identity events indexed under child (merges, splits, conflicts),
 * oldest first, as messages kept in the arena (control_identity.c). */
Ffc__V1__IdentityEvent **control_identity_events(struct store_txn *t, struct arena *ar,
                                                 uint64_t child, size_t *n);

/* The child's identity records as contract messages, in stored order (the
 * numbering unlink's "#N" uses); *rec is the child's record, kept in the
 * arena. NULL when the child cannot be read or memory ran out
 * (control_identity.c). */
Ffc__V1__IdentityRecord **control_identity_records(struct store_txn *t, struct arena *ar,
                                                   uint64_t child, Ffc__Store__Child **rec,
                                                   size_t *n);

/* An Alert read from the store completed with what is not stored in it:
 * its due time under the response times in force and, when asked, its
 * history (control socket only). A copy kept in the arena (the stored one
 * when memory runs out) (control_alerts.c). */
Ffc__V1__Alert *control_alert_lifecycle(const struct control_env *env, struct store_txn *t,
                                        struct arena *ar, const Ffc__V1__Alert *a,
                                        int with_history);
/* The same for each alert of a ChildReply, and the child's lead
 * practitioner with every assignment (control_alerts.c). */
void control_child_lifecycle(const struct control_env *env, struct store_txn *t, struct arena *ar,
                             Ffc__V1__ChildReply *c);

/* A stored concern as a chronology entry (withdrawn marker included); the
 * strings borrow from sc (control_keep.c). */
void control_chronology_entry(const Ffc__Store__StoredConcern *sc, Ffc__V1__ChronologyEntry *e);
/* The purges and withdrawals recorded under child in the audit trail, into
 * r->corrections. NULL, or an error message (control_keep.c). */
const char *control_child_corrections(struct store_txn *t, uint64_t child, struct arena *ar,
                                      Ffc__V1__ChildReply *r);

/* Fill a ChildReply's viewed_by: the reads recorded under the child
 * (control_trail.c). */
void control_audit_viewed(struct store_txn *t, struct arena *ar, Ffc__V1__ChildReply *c);

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

/* What the caller is told of a control_write() that did not commit: the
 * refusal's own words (refusal, kept in ar) for CONTROL_REFUSED, a
 * static "store: ...; nothing changed" for a store error, NULL for
 * STORE_OK. */
const char *control_write_error(int rc, const char *refusal, struct arena *ar);

#endif
