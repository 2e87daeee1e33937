/*
 * authz.c - the control commands' table: least role, whether each reads a
 * child's record; the decision for one request (see authz.h).
 *
 * Owns the classification only. Establishing who asks and recording the
 * decision in the audit trail is control.c's.
 */
#include "authz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffc.pb-c.h"
#include "validate.h"

#define CMD(x) FFC__V1__CONTROL_REQUEST__COMMAND_##x

/* Every command the control socket knows, once. reads: the reply names
 * children with their record (chronology, identities, the evidence of
 * conflicts and matches, the children a rules test would alert on, the
 * audit trail itself), so it needs a purpose and is audited per child. */
static const struct command_class {
	int command;
	const char *name;
	enum access_role least;
	int reads;
} commands[] = {
    /* clang-format off */
    {CMD(STATUS),        "status",        ACCESS_VIEWER,       0},
    {CMD(STATS),         "stats",         ACCESS_VIEWER,       0},
    {CMD(CHILD),         "child",         ACCESS_PRACTITIONER, 1},
    {CMD(ALERTS),        "alerts",        ACCESS_PRACTITIONER, 0}, /* reads with history */
    {CMD(IDENTITIES),    "identities",    ACCESS_PRACTITIONER, 1},
    {CMD(CONFLICTS),     "conflicts",     ACCESS_PRACTITIONER, 1},
    {CMD(MATCHES),       "matches",       ACCESS_PRACTITIONER, 1},
    {CMD(ACK),           "ack",           ACCESS_PRACTITIONER, 0},
    {CMD(CLOSE),         "close",         ACCESS_PRACTITIONER, 0},
    {CMD(NOTE),          "note",          ACCESS_PRACTITIONER, 0},
    {CMD(ASSIGN),        "assign",        ACCESS_PRACTITIONER, 0},
    {CMD(LINK),          "link",          ACCESS_ADMIN,        0},
    {CMD(UNLINK),        "unlink",        ACCESS_ADMIN,        0},
    {CMD(DISMISS_MATCH), "matches dismiss", ACCESS_ADMIN,      0},
    {CMD(RELOAD),        "reload",        ACCESS_ADMIN,        0},
    {CMD(RULES_TEST),    "rules test",    ACCESS_ADMIN,        1},
    {CMD(SHUTDOWN),      "shutdown",      ACCESS_ADMIN,        0},
    {CMD(AUDIT),         "audit",         ACCESS_ADMIN,        1},
    {CMD(PURGE),         "purge",         ACCESS_ADMIN,        0},
    {CMD(WITHDRAW),      "withdraw",      ACCESS_ADMIN,        0},
    {CMD(BACKUP),        "backup",        ACCESS_ADMIN,        0},
    /* clang-format on */
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const struct command_class *classify(int command)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (commands[i].command == command)
			return &commands[i];
	return NULL;
}

const char *authz_command_name(int command)
{
	const struct command_class *k = classify(command);
	return k ? k->name : "unknown";
}

enum access_role authz_least_role(int command)
{
	const struct command_class *k = classify(command);
	return k ? k->least : ACCESS_ADMIN;
}

int authz_name_reads(const char *name)
{
	if (!strcmp(name, "alerts"))
		return 1;
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].reads;
	return 0;
}

int authz_check_purpose(const char *purpose, char *why, size_t whylen)
{
	size_t n = strlen(purpose);
	const char *problem = NULL;
	if (n == 0)
		problem =
		    "required to read a child's record (ffcctl --purpose TEXT or $FFC_PURPOSE)";
	else if (n > AUTHZ_PURPOSE_MAX)
		problem = "longer than 512 bytes";
	else if (!validate_utf8(purpose, n))
		problem = "not valid UTF-8";
	for (size_t i = 0; !problem && i < n; i++)
		if ((unsigned char)purpose[i] < 0x20 || purpose[i] == 0x7f)
			problem = "contains a control character";
	if (!problem)
		return 0;
	snprintf(why, whylen, "purpose: %s", problem);
	return -1;
}

int authz_peer_uid(const char *peer_address, unsigned *uid)
{
	if (!peer_address)
		return -1;
	/* The last three fields, each decimal: ":<uid>:<gid>:<pid>". */
	const char *p = peer_address + strlen(peer_address);
	const char *field[3];
	for (int i = 2; i >= 0; i--) {
		const char *end = p;
		while (p > peer_address && p[-1] >= '0' && p[-1] <= '9')
			p--;
		if (p == end || end - p > 10 || p == peer_address || p[-1] != ':')
			return -1;
		field[i] = p;
		p--; /* the colon */
	}
	unsigned long long v = strtoull(field[0], NULL, 10);
	if (v > UINT32_MAX)
		return -1;
	*uid = (unsigned)v;
	return 0;
}

const struct access_key *authz_ipc_operator(const struct access_list *l, unsigned uid,
                                            const char *claimed, int *unknown_name)
{
	const struct access_key *k = access_operator_named(l, claimed ? claimed : "");
	*unknown_name = k == NULL;
	if (!k)
		return NULL;
	if (k->has_unix_uid && k->unix_uid == uid)
		return k;
	const struct access_key *least = NULL;
	for (size_t i = 0; i < l->n_operators; i++) {
		k = &l->operators[i];
		if (k->has_unix_uid && k->unix_uid == uid && (!least || k->role < least->role))
			least = k;
	}
	return least;
}

static int refuse(struct authz_decision *d, const char *command, const char *name, const char *what)
{
	d->allowed = 0;
	d->reads_record = 0;
	snprintf(d->why, sizeof d->why, "%s: %s; %s is a console", command, what, name);
	return 0;
}

/* "a viewer", "an admin", "an adapter". */
static const char *article(enum access_role r)
{
	return strchr("aeiou", access_role_name(r)[0]) ? "an" : "a";
}

int authz_decide(const struct authz_caller *c, const struct authz_request *r,
                 struct authz_decision *d)
{
	const struct command_class *k = classify(r->command);
	enum access_role least = k ? k->least : ACCESS_ADMIN;
	const char *name = c->name && c->name[0] ? c->name : "the caller";
	memset(d, 0, sizeof *d);
	d->command = k ? k->name : "unknown";

	if (c->role == ACCESS_NONE) {
		snprintf(d->why, sizeof d->why, "%s: %s is not a known operator or key", d->command,
		         name);
		return 0;
	}
	if (c->role == ACCESS_CONSOLE) {
		/* A console catches up on the alerts it missed, nothing else:
		 * no history (the notes about a child), no level it is not
		 * given (the reply leaves those out too). */
		if (r->command != CMD(ALERTS))
			return refuse(d, d->command, name, "a console may only fetch alerts");
		if (r->alerts_history)
			return refuse(d, d->command, name, "a console may not read alert history");
		if (r->alerts_level < 0 || r->alerts_level >= 32 ||
		    (r->alerts_level > 0 && !(c->levels & (1u << r->alerts_level))))
			return refuse(d, d->command, name, "that level is not given to it");
		d->allowed = 1;
		return 1;
	}
	if (c->role == ACCESS_ADAPTER || c->role < least) {
		d->allowed = 0;
		snprintf(d->why, sizeof d->why, "%s: needs the %s role; %s is %s %s", d->command,
		         access_role_name(least), name, article(c->role),
		         access_role_name(c->role));
		return 0;
	}
	d->reads_record = k && (k->reads || (r->command == CMD(ALERTS) && r->alerts_history));
	char bad[128];
	if (d->reads_record &&
	    authz_check_purpose(r->purpose ? r->purpose : "", bad, sizeof bad) < 0) {
		snprintf(d->why, sizeof d->why, "%s: %s", d->command, bad);
		d->reads_record = 0;
		return 0;
	}
	d->allowed = 1;
	return 1;
}
