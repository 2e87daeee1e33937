/*
 * authz.c - the decision for one control request (see authz.h): the
 * least role each command needs and whether it reads a child's record,
 * read from the command list (control_commands.h).
 *
 * Owns the decision only. Establishing who asks and recording the
 * decision in the audit trail is control_audit.c's; the list is
 * control_commands.h's.
 */
#include "authz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_commands.h"
#include "ffc.pb-c.h"
#include "validate.h"

#define CMD(x) FFC__V1__CONTROL_REQUEST__COMMAND_##x

/* The commands' classification, expanded from the one list
 * (control_commands.h) without their handlers: the decision is pure and
 * depends on no handler. */
static const struct command_class {
	int command;
	const char *name;
	enum access_role least;
	int reads;
} commands[] = {
#define CLASS(cmd, name, least, reads, writes, fn) {CMD(cmd), name, least, reads},
    CONTROL_COMMANDS(CLASS)
#undef CLASS
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

void authz_on_behalf(struct authz_caller *c, int may_delegate, const char *person, const char *role)
{
	const char *self = c->name && c->name[0] ? c->name : "the caller";
	enum access_role given = access_role_parse(role);
	if (!person[0] && !role[0])
		return;
	if (!may_delegate)
		snprintf(c->refused, sizeof c->refused,
		         "on_behalf_of: %s may not speak for anyone (not a delegate)", self);
	else if (!person[0])
		snprintf(c->refused, sizeof c->refused,
		         "on_behalf_of: required with on_behalf_role");
	else if (!access_name_valid(person))
		snprintf(c->refused, sizeof c->refused,
		         "on_behalf_of: 1 to %d letters, digits and . _ - @", ACCESS_NAME_MAX - 1);
	else if (given != ACCESS_VIEWER && given != ACCESS_PRACTITIONER && given != ACCESS_ADMIN)
		snprintf(c->refused, sizeof c->refused,
		         "on_behalf_role: '%.32s' is not viewer, practitioner or admin", role);
	if (c->refused[0])
		return;
	snprintf(c->via, sizeof c->via, "%s", self);
	c->name = person;
	if (given < c->role)
		c->role = given;
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

	if (c->refused[0]) {
		snprintf(d->why, sizeof d->why, "%s: %s", d->command, c->refused);
		return 0;
	}
	if (c->role == ACCESS_NONE) {
		snprintf(d->why, sizeof d->why, "%s: %s is not a known operator or key", d->command,
		         name);
		return 0;
	}
	/* Keys that are not operators: a school fetches and acknowledges its
	 * notices, an adapter fetches its agency's feedback (the handlers
	 * keep each to its own), and nothing else. */
	if ((c->role == ACCESS_SCHOOL &&
	     (r->command == CMD(NOTICES) || r->command == CMD(NOTICE_ACK))) ||
	    (c->role == ACCESS_ADAPTER && r->command == CMD(FEEDBACK))) {
		d->allowed = 1;
		return 1;
	}
	if (c->role == ACCESS_CONSOLE && r->command == CMD(NOTICES)) {
		d->allowed = 1;
		return 1;
	}
	if (c->role == ACCESS_CONSOLE) {
		/* A console catches up on the alerts it missed, nothing else:
		 * no history (the notes about a child), no level it is not
		 * given (the reply leaves those out too). */
		if (r->command != CMD(ALERTS))
			return refuse(d, d->command, name,
			              "a console may only fetch alerts and notices");
		if (r->alerts_history)
			return refuse(d, d->command, name, "a console may not read alert history");
		if (r->alerts_level < 0 || r->alerts_level >= 32 ||
		    (r->alerts_level > 0 && !(c->levels & (1u << r->alerts_level))))
			return refuse(d, d->command, name, "that level is not given to it");
		d->allowed = 1;
		return 1;
	}
	if (c->role == ACCESS_LOOKUP) {
		/* A point of contact asks whether a child is known, nothing
		 * else: no record, no alert, no status of the daemon. */
		if (r->command != CMD(LOOKUP)) {
			snprintf(d->why, sizeof d->why,
			         "%s: a lookup key may only look a child up; %s is a lookup key",
			         d->command, name);
			return 0;
		}
		d->allowed = 1;
		return 1;
	}
	if (c->role == ACCESS_ADAPTER || c->role == ACCESS_SCHOOL || c->role < least) {
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
