/*
 * access.h - who may do what: the keys ffcd accepts and the operators it
 * knows, each bound to a name and a role.
 *
 * Pure data and lookups: the configuration fills an access_list (config.c),
 * the ZAP handler authenticates a connection's CURVE key against it and
 * names the connection after the key (its ZAP User-Id), and the control
 * socket maps the name of whoever asks to a role. A name is known by
 * exactly one entry.
 */
#ifndef FFC_ACCESS_H
#define FFC_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#define ACCESS_NAME_MAX 64  /* including the terminator */
#define ACCESS_KEYS_MAX 256 /* keys, and separately operators */

enum access_role {
	ACCESS_NONE = 0,
	ACCESS_ADAPTER,      /* sends concerns for one agency (ingest), gets its feedback */
	ACCESS_CONSOLE,      /* receives alerts of the levels it is given (alerts) */
	ACCESS_SCHOOL,       /* a school's DSL: its Operation Encompass notices (alerts, control) */
	ACCESS_VIEWER,       /* control: status and stats */
	ACCESS_PRACTITIONER, /* control: read children and alerts, ack, close, note, assign */
	ACCESS_ADMIN,        /* control: everything, link, unlink, reload, purge, ... */
	/* control: the lookup command only (a point of contact asking "is
	 * this child known?"). Not ranked among the operator roles: authz.c
	 * decides it on its own. */
	ACCESS_LOOKUP,
};

/* A CURVE public key ffcd accepts, or (key all zero) an operator known on
 * the ipc control socket by the name it gives. */
struct access_key {
	char name[ACCESS_NAME_MAX];
	enum access_role role;
	int agency;      /* ACCESS_ADAPTER: the one agency it may send for */
	unsigned levels; /* ACCESS_CONSOLE: bit (1u << level) per level it may receive */
	char urn[8];     /* ACCESS_SCHOOL: the school's URN (six digits) */
	uint8_t key[32]; /* the CURVE public key (binary) */
	/* An operator: the Unix user (uid) who acts as it on the ipc control
	 * socket, as the kernel names the connection's peer. */
	int has_unix_uid;
	unsigned unix_uid;
	/* A delegate (delegate = true; an operator's role): it speaks for
	 * the people signed in to it (ffc-web), up to its role, naming each
	 * in the request (ControlRequest.on_behalf_of). Speaking for nobody
	 * it is a console of every level. */
	int delegate;
};

struct access_list {
	size_t n_keys;
	struct access_key keys[ACCESS_KEYS_MAX]; /* CURVE keys, by name */
	size_t n_operators;
	struct access_key operators[ACCESS_KEYS_MAX]; /* ipc operators: name and role only */
};

/* The key entry with this name, or NULL. */
const struct access_key *access_key_named(const struct access_list *l, const char *name);
/* The key entry holding this public key, or NULL. */
const struct access_key *access_key_find(const struct access_list *l, const uint8_t key[32]);
/* The ipc operator with this name, or NULL. */
const struct access_key *access_operator_named(const struct access_list *l, const char *name);

/* A name as an operator or a person a delegate speaks for gives it and
 * the audit trail records it: 1 to ACCESS_NAME_MAX - 1 letters, digits
 * and . _ - @, nothing to misread. */
int access_name_valid(const char *s);

/* "adapter", "console", "school", "viewer", "practitioner", "admin",
 * "lookup" ("none" for 0). */
const char *access_role_name(enum access_role role);
/* The role named (case ignored), or ACCESS_NONE. */
enum access_role access_role_parse(const char *s);

#endif
