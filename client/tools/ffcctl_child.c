/*
 * ffcctl_child.c - `ffcctl child`: one child's multi-agency chronology.
 * A summary at the head (child id, display name, date of birth,
 * identifiers, lead practitioner, the identities each agency named the
 * child with, the household and its open alerts), then the record as one
 * timeline, oldest first: concerns, alerts and every change to them,
 * identity and household events (ffcctl_family.c prints it); --since
 * limits the timeline to a date onwards, --json prints the ChildReply
 * itself.
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffcctl.h"

/* Append s to buf (of len) after a separator unless already there. */
static void add_once(char *buf, size_t len, const char *label, const char *s)
{
	char item[400];
	snprintf(item, sizeof item, "%s%s", label, s);
	if (!s[0] || strstr(buf, item))
		return;
	size_t o = strlen(buf);
	snprintf(buf + o, len - o, "%s%s", o ? ", " : "", item);
}

static void header(const Ffc__V1__ChildReply *c)
{
	/* The child's one display name, chosen by the daemon (the same on
	 * its alerts and in every listing). */
	const Ffc__V1__ChildIdentity *id = c->display;
	printf("child %s", c->child_id);
	if (id && (id->given_name[0] || id->family_name[0]))
		printf("  %s%s%s", id->given_name, id->given_name[0] ? " " : "", id->family_name);
	if (id && id->date_of_birth[0])
		printf(", born %s", id->date_of_birth);
	putchar('\n');
	char ids[2048] = "";
	for (size_t i = 0; i < c->n_identity_records; i++) {
		const Ffc__V1__IdentityRecord *r = c->identity_records[i];
		if (!r->identity)
			continue;
		add_once(ids, sizeof ids, "NHS ", r->identity->nhs_number);
		add_once(ids, sizeof ids, "UPN ", r->identity->upn);
		if (r->identity->local_id[0]) {
			char label[64];
			snprintf(label, sizeof label, "%s local id ",
			         tool_enum_name(&ffc__v1__agency__descriptor, (int)r->agency));
			add_once(ids, sizeof ids, label, r->identity->local_id);
		}
	}
	printf("identifiers: %s\n", ids[0] ? ids : "(none but names)");
}

static void identities(const Ffc__V1__ChildReply *c)
{
	printf("\nidentities (%zu)\n", c->n_identity_records);
	for (size_t i = 0; i < c->n_identity_records; i++) {
		const Ffc__V1__IdentityRecord *r = c->identity_records[i];
		char d[1024], first[32], last[32];
		tool_describe_child(r->identity, d, sizeof d);
		tool_time(r->first_seen_ms, first, sizeof first);
		tool_time(r->last_seen_ms, last, sizeof last);
		printf("  %-11s %s\n", tool_enum_name(&ffc__v1__agency__descriptor, (int)r->agency),
		       d);
		char by[48];
		/* Only a social care status names a child without a concern. */
		if (r->first_seq)
			snprintf(by, sizeof by, "concern seq %llu",
			         (unsigned long long)r->first_seq);
		else
			snprintf(by, sizeof by, "a social care status");
		printf("  %-11s first seen %s, last seen %s (%s)\n", "", first, last, by);
	}
}

static void household(const Ffc__V1__ChildReply *c)
{
	printf("\nhousehold%s%s (%zu other %s)\n", c->household_id[0] ? " " : "", c->household_id,
	       c->n_household, c->n_household == 1 ? "child" : "children");
	for (size_t i = 0; i < c->n_household; i++) {
		const Ffc__V1__HouseholdMember *m = c->household[i];
		char d[1024];
		tool_describe_child(m->child, d, sizeof d);
		printf("  %-10s %s\n", m->child_id, d[0] ? d : "");
		printf("      %s\n", m->n_open_alerts ? "open alerts:" : "no open alerts");
		for (size_t j = 0; j < m->n_open_alerts; j++) {
			const Ffc__V1__Alert *a = m->open_alerts[j];
			printf("      %-10s %-5s %-16s %s\n", a->alert_id,
			       tool_enum_name(&ffc__v1__level__descriptor, (int)a->level), a->rule,
			       a->reason);
		}
	}
}

/* Purges and withdrawals that changed the record: who, when, why. */
static void corrections(const Ffc__V1__ChildReply *c)
{
	if (!c->n_corrections)
		return;
	printf("\ncorrections (%zu)\n", c->n_corrections);
	for (size_t i = 0; i < c->n_corrections; i++) {
		const Ffc__V1__AuditEntry *e = c->corrections[i];
		char when[32];
		tool_time(e->at_ms, when, sizeof when);
		printf("  %s  %-8s by %s: %s (%s)\n", when, e->command, e->by, e->detail,
		       e->purpose);
	}
}

/* Who has read the child's record before, from the audit trail: the
 * record shows its readers, as practitioners expect. */
static void viewed_by(const Ffc__V1__ChildReply *c)
{
	printf("\nviewed by (%zu)\n", c->n_viewed_by);
	for (size_t i = 0; i < c->n_viewed_by; i++)
		ctl_print_audit_entry(c->viewed_by[i], 0);
}

int cmd_child(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"nhs", required_argument, NULL, 'n'},
	    {"upn", required_argument, NULL, 'u'},
	    {"since", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	Ffc__V1__ChildRequest cr = FFC__V1__CHILD_REQUEST__INIT;
	const char *since = NULL;
	int opt, given = 0;
	optind = 0; /* from scratch: options may follow the id */
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt == 'n') {
			cr.nhs_number = optarg;
			given++;
		} else if (opt == 'u') {
			cr.upn = optarg;
			given++;
		} else if (opt == 's') {
			since = optarg;
			if (ffc_parse_time(optarg, &cr.since_ms) != FFC_OK)
				tool_exit(
				    EXIT_USAGE,
				    "child: --since: '%s' is not a date (YYYY-MM-DD) or a time "
				    "(YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]; no offset: UTC)",
				    optarg);
		} else {
			tool_exit(EXIT_USAGE, "child: usage: child ID | --nhs N | --upn U "
			                      "[--since DATE]");
		}
	}
	if (optind < argc) {
		cr.child_id = argv[optind++];
		given++;
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "child: unexpected argument '%s'", argv[optind]);
	if (given != 1)
		tool_exit(EXIT_USAGE, "child: give exactly one of ID, --nhs N or --upn U");
	/* 0 asks for everything: 1970-01-01 itself means from then on. */
	if (since && cr.since_ms == 0)
		cr.since_ms = 1;

	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CHILD;
	req.child = &cr;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__ChildReply *c = r->child;
	if (!c)
		tool_exit(EXIT_FAIL, "ffcd sent no child");
	if (o->json) {
		tool_print_json(&c->base);
	} else {
		struct ctl_names *names = calloc(1, sizeof *names);
		if (!names)
			tool_exit(EXIT_FAIL, "out of memory");
		ctl_names_add(names, c->child_id, c->display);
		for (size_t i = 0; i < c->n_household; i++)
			ctl_names_add(names, c->household[i]->child_id, c->household[i]->child);
		/* A summary at the head, then the record as one timeline. */
		header(c);
		putchar('\n');
		ctl_print_practitioners(c);
		identities(c);
		household(c);
		ctl_print_social(c);
		ctl_print_timeline(c->timeline, c->n_timeline, names, since);
		corrections(c);
		viewed_by(c);
		free(names);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}
