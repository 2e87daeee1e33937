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
 *                    control_rules.c, control_keep.c, control_trail.c,
 *                    control_notices.c, control_report.c
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
/* One operator's change to one alert (ack, close, note), as a request
 * asks it. */
struct control_alert_change {
	enum alert_action action;
	const char *name; /* the request, for messages: "ack" */
	const char *operator_;
	const char *by, *text, *outcome;
	int64_t now_ms;
};
/* Make change c to alert seq in write transaction t: checked by the
 * lifecycle, stored with its history entry and announced on env->out
 * ("event.<action>.<level>.<rule>"), as a single ack, close or note is.
 * CONTROL_REFUSED with why in err when there is no such alert or its state
 * does not allow the change; else STORE_OK or the store's error. */
int control_alert_apply(struct store_txn *t, const struct control_env *env,
                        const struct control_alert_change *c, uint64_t seq, char *err,
                        size_t errlen);
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
/* control_family.c: a household's (or a child's) view, one timeline. */
const char *control_family(struct control_call *call);
/* control_household.c: link two children's households, take a child out
 * of its household (writing, admin), and ack or close a household's open
 * alerts at once (writing). */
const char *control_household_link(struct control_call *call);
const char *control_household_unlink(struct control_call *call);
const char *control_household_alerts(struct control_call *call);
/* control_lookup.c: a point of contact's lookup (writing its own audit
 * entry and access record), and the lookups of one child. */
const char *control_lookup(struct control_call *call);
const char *control_accesses(struct control_call *call);
/* control_notices.c: Operation Encompass notices (a school's catch-up,
 * its DSL's acknowledgement), feedback (an agency's catch-up), and a
 * practitioner's contact. */
const char *control_notices(struct control_call *call);
const char *control_notice_ack(struct control_call *call);
const char *control_feedback(struct control_call *call);
const char *control_contact(struct control_call *call);
/* control_report.c: the partnership's figures for a period. */
const char *control_report(struct control_call *call);

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

/* A child a request names by id ("C00000042"), resolved to the live
 * child: NULL, or the error naming `field` (in err, or static)
 * (control_identity.c). */
const char *control_named_child(struct store_txn *t, const char *field, const char *text,
                                uint64_t *child, char *err, size_t errlen);
/* Who and why, for a change to which child is which or who is in a
 * household: the operator (required, UTF-8, at most 256 bytes) and a
 * reason (required, UTF-8, under WIRE_REASON_MAX bytes). NULL, or the
 * error naming `field` (in err, or static) (control_identity.c). */
const char *control_check_who_why(const char *operator_, const char *reason, const char *field,
                                  char *err, size_t errlen);
/* Alerts raised in a committed transaction: copied into the reply, and
 * their messages handed to env's outbox for the alerts socket
 * (control_identity.c). */
Ffc__V1__Alert **control_publish_raised(const struct control_env *env, struct arena *ar,
                                        struct outbox *raised, size_t *n);

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

/* The one timeline of the children members[0..n) of household (0: a
 * child in none), entries at or after since_ms, oldest first: each concern
 * once (with its children and the household), every alert when raised and
 * each change to it when made, identity and household events, each once.
 * Into *out (kept in the arena). NULL, or an error message
 * (control_family.c). */
const char *control_timeline(struct store_txn *t, const struct control_env *env, struct arena *ar,
                             const uint64_t *members, size_t n, uint64_t household,
                             int64_t since_ms, Ffc__V1__FamilyEntry ***out, size_t *n_out);
/* One child of a family: id, display name, lead practitioner and open
 * alerts (control_family.c). NULL when memory ran out. */
Ffc__V1__FamilyMember *control_family_member(struct store_txn *t, const struct control_env *env,
                                             struct arena *ar, uint64_t child);
/* The child's open alerts (raised or acknowledged), oldest first, into an
 * arena array (*n of them), completed by control_alert_lifecycle() when env
 * is given. NULL when the store cannot be read (control_family.c). */
Ffc__V1__Alert **control_open_alerts(struct store_txn *t, const struct control_env *env,
                                     struct arena *ar, uint64_t child, size_t *n);
/* The child's one display name (names and date of birth) as a message, or
 * NULL (control_family.c). */
Ffc__V1__ChildIdentity *control_display_message(struct store_txn *t, struct arena *ar,
                                                uint64_t child);
/* A chronology entry's household id (borrowed) and the children its
 * concern sc names, as they are now, each once (control_family.c). */
void control_chronology_children(struct store_txn *t, struct arena *ar,
                                 const Ffc__Store__StoredConcern *sc, char *household_id,
                                 Ffc__V1__ChronologyEntry *e);
/* "H00000003", or "" for 0, in the arena (control_family.c). */
char *control_household_text(struct arena *ar, uint64_t household);
/* Fill a ChildReply's social care statuses (every version in force at or
 * after since_ms or received since, in_force as at now_ms) and lookups
 * (at or after since_ms) (control_lookup.c). NULL, or an error message. */
const char *control_child_social(struct store_txn *t, uint64_t child, int64_t since_ms,
                                 int64_t now_ms, struct arena *ar, Ffc__V1__ChildReply *r);
/* A ChildReply's current school and Operation Encompass notices
 * (control_notices.c). */
void control_child_school(const struct control_env *env, struct store_txn *t, struct arena *ar,
                          uint64_t child, Ffc__V1__ChildReply *r);

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
/* Append one entry of change a about child with detail, for a request
 * that records its own entries (one per alert a household's ack changes);
 * nothing when a is NULL. */
int control_audit_child_change(struct store_txn *t, const struct control_audit *a, uint64_t child,
                               const char *detail);

/* What the caller is told of a control_write() that did not commit: the
 * refusal's own words (refusal, kept in ar) for CONTROL_REFUSED, a
 * static "store: ...; nothing changed" for a store error, NULL for
 * STORE_OK. */
const char *control_write_error(int rc, const char *refusal, struct arena *ar);

#endif
