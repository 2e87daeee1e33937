/*
 * authz.h - who may ask the control socket what: the least role each
 * control command needs and whether it reads a child's record (and so
 * needs a purpose and leaves an audit entry), as the command list
 * (control_commands.h) gives them.
 *
 * Pure decisions over plain values: no store, no socket, no handler.
 * control.c asks before dispatching a request and records what it is
 * told (control_audit.c); the tests walk every command and every role. A
 * command not in the list needs the admin role, so a command added later
 * is safe until it has a row.
 */
#ifndef FFC_AUTHZ_H
#define FFC_AUTHZ_H

#include <stddef.h>

#include "access.h"

/* A purpose: non-empty UTF-8 without control characters, at most this
 * many bytes. */
#define AUTHZ_PURPOSE_MAX 512
#define AUTHZ_WHY_MAX     256

/* Who is asking, as control.c established it. */
struct authz_caller {
	const char *name;      /* the key's or the operator's name */
	char own_name[96];     /* where name points when it is made up ("unix user 1000") */
	enum access_role role; /* ACCESS_NONE: unknown, refused everything */
	unsigned levels;       /* ACCESS_CONSOLE: bit (1u << level) per level it receives */
	/* Speaking for a person (authz_on_behalf()): the delegate's own
	 * name, while name is the person's; "" otherwise. */
	char via[ACCESS_NAME_MAX];
	/* Not "": the request is refused whatever it asks, for this reason
	 * (a delegation that is not allowed or not well formed). */
	char refused[160];
};

/* What is asked: the ControlRequest's command (its oneof case number)
 * and what of it matters to the decision. */
struct authz_request {
	int command;
	const char *purpose; /* ControlRequest.purpose, "" when absent */
	int alerts_history;  /* alerts: with each alert's history (its details) */
	int alerts_level;    /* alerts: the level asked for (0: every level) */
};

struct authz_decision {
	int allowed;
	int reads_record;        /* allowed: the reply names children; audit one entry per child */
	const char *command;     /* the command's name, for messages and the audit */
	char why[AUTHZ_WHY_MAX]; /* refused: the message for the caller and the audit */
};

/* Decide one request. Fills d and returns d->allowed. */
int authz_decide(const struct authz_caller *c, const struct authz_request *r,
                 struct authz_decision *d);

/* The command's name ("child", "rules test", ...), or "unknown". */
const char *authz_command_name(int command);
/* The least role the command needs (ACCESS_ADMIN when not in the table). */
enum access_role authz_least_role(int command);
/* Does the command (by its name, as audit entries carry it) read a
 * child's record? "alerts" counts: it is audited only with details. */
int authz_name_reads(const char *name);

/* The Unix user of an ipc connection from its ZeroMQ Peer-Address,
 * "<host>:<uid>:<gid>:<pid>" (libzmq on Linux, from SO_PEERCRED). 0 and
 * *uid, or -1 when the address does not have that form. */
int authz_peer_uid(const char *peer_address, unsigned *uid);

/* Who a caller of the ipc control socket is when operators are
 * configured: its Unix user (uid, from the kernel) acts as the operators
 * whose unix_user it is, and the name it gives (claimed) chooses among
 * those. A name listed for another Unix user cannot be claimed: the
 * caller is then the least of its own operators (the first listed among
 * equals). NULL when no operator is this Unix user's, or claimed names no
 * operator at all, "" included (*unknown_name set): both are refused. */
const struct access_key *authz_ipc_operator(const struct access_list *l, unsigned uid,
                                            const char *claimed, int *unknown_name);

/* A request speaking for a person (ControlRequest.on_behalf_of, given
 * the role on_behalf_role), from caller c, whom the configuration lets
 * speak for others (may_delegate: its key or operator is a delegate, or
 * no operators are configured) or not. The caller becomes the person: c->name
 * is person (borrowed), c->via the caller's own name, c->role the lower of
 * the role given and the caller's own (its ceiling), so a delegate never
 * grants more than it has. Refused (c->refused set, c unchanged
 * otherwise): a caller that may not delegate, a name access_name_valid()
 * refuses, a role that is not an operator's, a role without a name. Both
 * "" : nothing to do. */
void authz_on_behalf(struct authz_caller *c, int may_delegate, const char *person,
                     const char *role);

/* Check a purpose; 0, or -1 with a message naming the field in why. */
int authz_check_purpose(const char *purpose, char *why, size_t whylen);

#endif
