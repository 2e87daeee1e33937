/*
 * control.h - the operators' control socket: one ControlRequest frame in,
 * one ControlReply frame out (proto/ffc.proto).
 *
 * Who may ask what is decided once, before dispatch (authz.h); every
 * read of a child's record and every change leaves an entry in the
 * store's audit trail, and every refusal is in it too, counted
 * (control_audit.c, control_refusals.h).
 *
 * Reading requests are answered from one read transaction. Requests that
 * change the store run in a write transaction of their own
 * (control_write()), committed before the reply is packed; whatever they
 * raise or announce goes into env->out, which the server publishes after
 * sending the reply. The server owns the socket and the loop.
 */
#ifndef FFC_CONTROL_H
#define FFC_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "lifecycle.h"
#include "outbox.h"
#include "reload.h"
#include "rules.h"
#include "school.h"
#include "stats.h"
#include "store.h"
#include "tally.h"

/* A page of alerts when the request sets no limit, and the most one
 * request may ask for. */
#define CONTROL_ALERTS_PAGE 500
#define CONTROL_ALERTS_MAX  5000
/* Requests are small; anything larger is refused unread. (The socket
 * drops a connection sending a frame over ZMQ_MAXMSGSIZE, 1 MiB, before
 * any reply is possible.) */
#define CONTROL_REQUEST_MAX 4096

struct daemon_info {
	const char *version;
	int64_t started_at_ms;
	const char *ingest, *alerts, *control;
	long pid;
	const char *security_mode; /* "curve" or "insecure" */
	const char *public_key;    /* the daemon's CURVE public key, "" when insecure */
};

enum control_action {
	CONTROL_NONE = 0,
	CONTROL_SHUTDOWN = 1,
	/* No reply yet: the request's work runs beside the loop (control_env
	 * later). */
	CONTROL_LATER = 2,
};

struct control_audit;
struct control_pending;

/* What a request is answered with: borrowed from the server for one call. */
struct control_env {
	struct store *store;
	const struct daemon_info *info;
	const struct stats *stats;
	const struct rule *rules; /* the rules in force */
	size_t n_rules;
	struct outbox *out; /* filled with what to publish once the reply is sent */
	/* The User-Id the ZAP handler gave the asking peer's connection (its
	 * key's name), or NULL when the connection was not authenticated. */
	const char *peer;
	/* The connection's ZeroMQ Peer-Address; on an ipc:// control socket
	 * "<host>:<uid>:<gid>:<pid>" from the kernel (SO_PEERCRED), which
	 * names the caller's Unix user. NULL when unknown. */
	const char *peer_address;
	/* The keys and operators known, to map whoever asks to a role. */
	const struct access_list *access;
	/* The rules in force and the configuration file, for status, reload
	 * (which swaps rules in place: it runs between batches) and rules
	 * test. NULL: those commands are refused. */
	struct rules_state *rules_state;
	/* Response times and outcomes in force. */
	const struct alert_policy *policy;
	/* retention.years: concerns older than this may be purged; 0: never. */
	unsigned retention_years;
	/* store.backup_mb_per_s, in bytes a second; 0: as fast as may be. */
	uint64_t backup_rate;
	/* The schools, their calendar and the feedback contact in force; NULL:
	 * none (feedback then names no fallback contact). */
	const struct schools *schools;
	/* Rejections counted and not yet written (tally.h): a report counts
	 * them too. NULL: none. */
	const struct tally_pending *tallies;
	/* Set by control_handle() for a writing command: the audit entry
	 * control_write() appends in the change's transaction. */
	struct control_audit *audit;
	/* Where a request whose work must not hold up the loop (backup,
	 * reload, rules test) is handed back: control_handle() then returns
	 * CONTROL_LATER with no reply, and the caller runs
	 * control_pending_run() beside the loop (beside.h), then
	 * control_resume() in the loop. NULL: that work runs at once, inside
	 * control_handle() (tests, fuzzers). */
	struct control_pending **later;
};

/* Answer one request. *reply is malloc'd (caller frees). Returns what the
 * server must do after sending the reply. A reply is always produced,
 * unless memory runs out (then *reply is NULL). */
enum control_action control_handle(const struct control_env *env, const uint8_t *req, size_t len,
                                   int64_t now_ms, uint8_t **reply, size_t *reply_len);

/* The work of a request control_handle() handed back in env->later, in a
 * thread beside the loop: it touches only what the request owns and the
 * store through read transactions of its own. */
void control_pending_run(struct control_pending *p);

/* Back in the loop once control_pending_run() has returned, or instead of
 * it with why set (its thread could not be started: the reply is that
 * error): the reply, made and audited as control_handle() makes any, into
 * *reply (caller frees). Frees *p and sets it to NULL. env is the
 * server's, with the same peer as when the request was handled: its
 * frames must be kept until now. Returns what the server must do after
 * sending the reply. */
enum control_action control_resume(struct control_pending **p, const struct control_env *env,
                                   const char *why, int64_t now_ms, uint8_t **reply,
                                   size_t *reply_len);

/* Forget a handed-back request without answering it (its work never ran
 * or has finished). Safe with *p NULL. */
void control_pending_discard(struct control_pending **p);

/* A reply carrying only error, for a request the server cannot hand to
 * control_handle() (a message of several parts). *reply is malloc'd
 * (caller frees). Returns 0, or -1 when out of memory (*reply NULL). */
int control_error_reply(const char *error, uint8_t **reply, size_t *reply_len);

/* Housekeeping between requests, from the server's loop: write the
 * refusals counted in windows that have ended (control_refusals.h); all
 * of them when stopping, so none is lost at shutdown. */
void control_tick(struct store *s, int64_t now_ms, int stopping);
/* Refusals counted and not yet written to the audit trail. */
uint64_t control_refusals_pending(void);

/* What a control_write() function returns when it refuses the request on
 * its merits (an unknown alert, a transition not allowed, ...), having
 * said why in its own words: the transaction is abandoned. Distinct from
 * every STORE_* code. */
#define CONTROL_REFUSED 100

/* Run fn(t, arg) in a write transaction and commit it. When the map is
 * full the transaction is abandoned, the map grown and fn run again from
 * the start, so fn must keep no state across calls but what it writes to
 * the store (and must empty anything it queued in env->out before
 * returning an error). Returns STORE_OK, CONTROL_REFUSED, or the store's
 * error. */
int control_write(const struct control_env *env, int (*fn)(struct store_txn *t, void *arg),
                  void *arg);

#endif
