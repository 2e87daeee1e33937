/*
 * ffcctl_audit.c - `ffcctl audit`: the audit trail of who read or changed
 * which child's record, when and why, and who was refused; each entry on
 * one line, oldest first. Also the line `ffcctl child` prints under
 * "viewed by".
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffcctl.h"

void ctl_print_audit_entry(const Ffc__V1__AuditEntry *e, int with_child)
{
	char when[32];
	tool_time(e->at_ms, when, sizeof when);
	printf("  #%llu  %s  %s%s%s (%s)  %s", (unsigned long long)e->seq, when, e->by,
	       e->via[0] ? " via " : "", e->via, e->role, e->refused ? "REFUSED " : "");
	/* One entry standing for a caller's refusals counted in a second. */
	if (e->refused && e->count > 1)
		printf("%llu times ", (unsigned long long)e->count);
	printf("%s", e->command);
	if (with_child && e->child_id[0])
		printf("  %s", e->child_id);
	if (e->purpose[0])
		printf("  purpose: %s", e->purpose);
	if (e->detail[0])
		printf("  (%s)", e->detail);
	putchar('\n');
}

int ctl_cmd_audit(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"child", required_argument, NULL, 'c'},
	    {"by", required_argument, NULL, 'b'},
	    {"since", required_argument, NULL, 's'},
	    {"limit", required_argument, NULL, 'l'},
	    {NULL, 0, NULL, 0},
	};
	Ffc__V1__AuditRequest ar = FFC__V1__AUDIT_REQUEST__INIT;
	int opt;
	optind = 0;
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 'c':
			ar.child_id = optarg;
			break;
		case 'b':
			ar.by = optarg;
			break;
		case 's':
			if (ffc_parse_time(optarg, &ar.since_ms) != FFC_OK)
				tool_exit(
				    EXIT_USAGE,
				    "audit: --since: '%s' is not a date (YYYY-MM-DD) or a time "
				    "(YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]; no offset: UTC)",
				    optarg);
			if (ar.since_ms == 0)
				ar.since_ms = 1; /* 0 asks for everything */
			break;
		case 'l':
			ar.limit = (uint32_t)tool_number("--limit", optarg, 1, 5000);
			break;
		default:
			tool_exit(EXIT_USAGE, "audit: usage: audit [--child ID] [--by NAME] "
			                      "[--since DATE] [--limit N]");
		}
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "audit: unexpected argument '%s'", argv[optind]);
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_AUDIT;
	req.audit = &ar;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__AuditReply *a = r->audit;
	if (!a)
		tool_exit(EXIT_FAIL, "ffcd sent no audit trail");
	if (o->json) {
		tool_print_json(&a->base);
	} else {
		printf("audit trail (%zu entries%s)\n", a->n_entries,
		       a->more ? ", older ones left out: --since or --limit" : "");
		for (size_t i = 0; i < a->n_entries; i++)
			ctl_print_audit_entry(a->entries[i], 1);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}
