/*
 * ffcctl_identity.c - reviewing identity linking: `conflicts` (what the
 * daemon refused to merge, with the evidence on each side), `identities`
 * (a child's identity records, aliases and identity events), `link`
 * (merge two children after review) and `unlink` (split a wrong link).
 *
 * Owns these commands' arguments and tables. Every change needs a
 * --reason, recorded with the operator's name (--operator, default $USER).
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "ffcctl.h"

/* ---- printing ---- */

void ctl_identity_event_text(const Ffc__V1__IdentityEvent *e, char *buf, size_t len)
{
	char concern[48] = "";
	if (e->concern_seq)
		snprintf(concern, sizeof concern, " (concern seq %llu)",
		         (unsigned long long)e->concern_seq);
	switch (e->kind) {
	case FFC__V1__IDENTITY_EVENT__KIND__MERGED:
		snprintf(buf, len, "MERGED    %s merged into %s by %s%s%s%s: %s", e->other_child_id,
		         e->child_id, e->by, e->identity[0] ? " on " : "", e->identity, concern,
		         e->reason);
		break;
	case FFC__V1__IDENTITY_EVENT__KIND__SPLIT:
		snprintf(buf, len, "SPLIT     %s split from %s into %s by %s: %s",
		         e->identity[0] ? e->identity : "identity", e->child_id, e->other_child_id,
		         e->by, e->reason);
		break;
	case FFC__V1__IDENTITY_EVENT__KIND__CONFLICT:
		snprintf(buf, len, "CONFLICT  %s%s%s%s: %s", e->child_id,
		         e->other_child_id[0] ? " and " : "", e->other_child_id, concern,
		         e->reason);
		break;
	default:
		snprintf(buf, len, "%-9s %s %s by %s: %s", "?", e->child_id, e->other_child_id,
		         e->by, e->reason);
	}
}

void ctl_print_identity_event(const Ffc__V1__IdentityEvent *e)
{
	char when[32], text[2600];
	tool_time(e->at_ms, when, sizeof when);
	ctl_identity_event_text(e, text, sizeof text);
	printf("  %-16s %s\n", when, text);
}

static void print_record(size_t number, const Ffc__V1__IdentityRecord *r)
{
	char first[32], last[32], d[512];
	tool_time(r->first_seen_ms, first, sizeof first);
	tool_time(r->last_seen_ms, last, sizeof last);
	tool_describe_child(r->identity, d, sizeof d);
	printf("  #%-3zu %-11s %-20s %-20s %8llu  %s\n", number,
	       tool_enum_name(&ffc__v1__agency__descriptor, (int)r->agency), first, last,
	       (unsigned long long)r->first_seq, d[0] ? d : "-");
}

static void print_records(Ffc__V1__IdentityRecord **r, size_t n)
{
	printf("  %-4s %-11s %-20s %-20s %8s  %s\n", "#", "agency", "first seen", "last seen",
	       "concern", "identity");
	for (size_t i = 0; i < n; i++)
		print_record(i + 1, r[i]);
	if (n == 0)
		printf("  (none)\n");
}

static void print_ids(const char *title, char **ids, size_t n)
{
	printf("%s", title);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : " ", ids[i]);
	printf("%s\n", n ? "" : " (none)");
}

/* ---- identities ---- */

int cmd_identities(const struct opts *o, int argc, char **argv)
{
	int n;
	char **args = ctl_positionals(argc, argv, &n);
	if (n != 1)
		tool_exit(EXIT_USAGE, "identities: usage: identities CHILD");
	Ffc__V1__IdentitiesRequest ir = FFC__V1__IDENTITIES_REQUEST__INIT;
	ir.child_id = args[0];
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_IDENTITIES;
	req.identities = &ir;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__IdentitiesReply *c = r->identities;
	if (!c)
		tool_exit(EXIT_FAIL, "ffcd sent no identities");
	if (o->json) {
		tool_print_json(&c->base);
	} else {
		printf("child %s\n", c->child_id);
		print_ids("aliases (merged into it):", c->aliases, c->n_aliases);
		print_ids("kept apart from:", c->kept_apart, c->n_kept_apart);
		printf("\nidentity records (%zu; unlink takes #N)\n", c->n_records);
		print_records(c->records, c->n_records);
		printf("\nidentity events (%zu, oldest first)\n", c->n_events);
		for (size_t i = 0; i < c->n_events; i++)
			ctl_print_identity_event(c->events[i]);
		if (c->n_events == 0)
			printf("  (none)\n");
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

/* ---- conflicts ---- */

int cmd_conflicts(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"since", required_argument, NULL, 's'},
	    {"limit", required_argument, NULL, 'n'},
	    {"unresolved", no_argument, NULL, 'u'},
	    {NULL, 0, NULL, 0},
	};
	Ffc__V1__ConflictsRequest cr = FFC__V1__CONFLICTS_REQUEST__INIT;
	long long limit = 0;
	int opt;
	optind = 0;
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 's':
			cr.since_seq = (uint64_t)tool_number("--since", optarg, 0, INT64_MAX);
			break;
		case 'n':
			limit = tool_number("--limit", optarg, 1, 5000);
			break;
		case 'u':
			cr.unresolved = 1;
			break;
		default:
			tool_exit(EXIT_USAGE, "conflicts: usage: conflicts [--since SEQ] "
			                      "[--limit N] [--unresolved]");
		}
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "conflicts: unexpected argument '%s'", argv[optind]);
	cr.limit = (uint32_t)limit;
	size_t shown = 0;
	for (;;) {
		Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
		req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CONFLICTS;
		req.conflicts = &cr;
		Ffc__V1__ControlReply *r = ctl_call(o, &req);
		const Ffc__V1__ConflictsReply *c = r->conflicts;
		if (!c)
			tool_exit(EXIT_FAIL, "ffcd sent no conflicts");
		for (size_t i = 0; i < c->n_conflicts; i++) {
			const Ffc__V1__Conflict *x = c->conflicts[i];
			if (x->event)
				cr.since_seq = x->event->seq;
			shown++;
			if (o->json) {
				tool_print_json(&x->base);
				continue;
			}
			printf("%sconflict %llu: %s and %s now, %s\n", shown > 1 ? "\n" : "",
			       (unsigned long long)(x->event ? x->event->seq : 0), x->child_id,
			       x->other_child_id[0] ? x->other_child_id : "no other child",
			       x->resolved ? "resolved (linked or kept apart since)" : "open");
			if (x->event)
				ctl_print_identity_event(x->event);
			printf(" %s:\n", x->child_id);
			print_records(x->child_identities, x->n_child_identities);
			if (x->other_child_id[0] && strcmp(x->other_child_id, x->child_id)) {
				printf(" %s:\n", x->other_child_id);
				print_records(x->other_identities, x->n_other_identities);
			}
		}
		int more = c->more && !limit && c->n_conflicts > 0;
		ffc__v1__control_reply__free_unpacked(r, NULL);
		if (!more)
			break;
	}
	if (!o->json && shown == 0)
		printf("no identity conflicts\n");
	return 0;
}

/* ---- link and unlink ---- */

/* The positional arguments and --reason of a changing command. */
static const char *reason_and_args(const char *cmd, const char *usage, int argc, char **argv,
                                   int want, char **args)
{
	static const struct option options[] = {
	    {"reason", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	const char *reason = NULL;
	int opt;
	/* 0, not 1: glibc then starts afresh and permutes, so --reason may
	 * follow the children (the global options were parsed in order). */
	optind = 0;
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt != 'r')
			tool_exit(EXIT_USAGE, "%s: usage: %s", cmd, usage);
		reason = optarg;
	}
	if (argc - optind != want)
		tool_exit(EXIT_USAGE, "%s: usage: %s", cmd, usage);
	if (!reason || !reason[0])
		tool_exit(EXIT_USAGE, "%s: --reason TEXT is required (why, for the record)", cmd);
	for (int i = 0; i < want; i++)
		args[i] = argv[optind + i];
	return reason;
}

static void print_raised(Ffc__V1__Alert **a, size_t n)
{
	printf("alerts raised (%zu)\n", n);
	for (size_t i = 0; i < n; i++)
		ctl_print_alert_row(a[i]);
}

int cmd_link(const struct opts *o, int argc, char **argv)
{
	char *args[2];
	const char *reason =
	    reason_and_args("link", "link CHILD_A CHILD_B --reason TEXT", argc, argv, 2, args);
	Ffc__V1__LinkRequest lr = FFC__V1__LINK_REQUEST__INIT;
	lr.child_a = args[0];
	lr.child_b = args[1];
	lr.reason = (char *)(uintptr_t)reason;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_LINK;
	req.link = &lr;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__LinkReply *l = r->link;
	if (!l)
		tool_exit(EXIT_FAIL, "ffcd sent no link reply");
	if (o->json) {
		tool_print_json(&l->base);
	} else {
		printf("%s merged into %s (%s now finds %s)\n", l->merged_child_id, l->child_id,
		       l->merged_child_id, l->child_id);
		if (l->event)
			ctl_print_identity_event(l->event);
		print_raised(l->raised, l->n_raised);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

int cmd_unlink(const struct opts *o, int argc, char **argv)
{
	char *args[2];
	const char *reason =
	    reason_and_args("unlink",
	                    "unlink CHILD IDENTITY --reason TEXT  (IDENTITY: nhs:N, "
	                    "upn:U, local:AGENCY:ID or #N from `identities`)",
	                    argc, argv, 2, args);
	Ffc__V1__UnlinkRequest ur = FFC__V1__UNLINK_REQUEST__INIT;
	ur.child_id = args[0];
	ur.identity = args[1];
	ur.reason = (char *)(uintptr_t)reason;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_UNLINK;
	req.unlink = &ur;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__UnlinkReply *u = r->unlink;
	if (!u)
		tool_exit(EXIT_FAIL, "ffcd sent no unlink reply");
	if (o->json) {
		tool_print_json(&u->base);
	} else {
		printf("%s split from %s into %s: %u identity records, %u concerns moved; "
		       "the two are kept apart\n",
		       args[1], u->child_id, u->new_child_id, u->moved_identities,
		       u->moved_concerns);
		if (u->event)
			ctl_print_identity_event(u->event);
		print_raised(u->raised, u->n_raised);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}
