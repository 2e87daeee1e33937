/*
 * ffcctl_family.c - the family on the command line: `family` (every child
 * of a household and one timeline of all their concerns, alerts, changes
 * and events), `household link` and `household unlink`, and the timeline
 * printer `child` shares.
 *
 * Owns these commands' arguments and the timeline's lines. Children are
 * named by the display name the daemon sends (one rule, the same
 * everywhere); the JSON is the reply itself.
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "ffcctl.h"

/* ---- names ---- */

void ctl_names_add(struct ctl_names *n, const char *child_id, const Ffc__V1__ChildIdentity *id)
{
	if (!id || n->n >= CTL_NAMES_MAX || (!id->given_name[0] && !id->family_name[0]))
		return;
	for (size_t i = 0; i < n->n; i++)
		if (!strcmp(n->id[i], child_id))
			return;
	snprintf(n->id[n->n], sizeof n->id[0], "%s", child_id);
	snprintf(n->name[n->n], sizeof n->name[0], "%s%s%s", id->given_name,
	         id->given_name[0] && id->family_name[0] ? " " : "", id->family_name);
	n->n++;
}

const char *ctl_name_of(const struct ctl_names *n, const char *child_id)
{
	for (size_t i = 0; n && i < n->n; i++)
		if (!strcmp(n->id[i], child_id))
			return n->name[i];
	return "";
}

/* "C00000001 Mia Carter and C00000002 Jayden Reid" into buf. */
static void children(const struct ctl_names *names, char **ids, size_t n, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++) {
		const char *name = ctl_name_of(names, ids[i]);
		int k = snprintf(buf + o, len - o, "%s%s%s%s",
		                 i == 0       ? ""
		                 : i + 1 == n ? " and "
		                              : ", ",
		                 ids[i], name[0] ? " " : "", name);
		o += k > 0 ? (size_t)k : 0;
	}
}

/* ---- the timeline ---- */

static void concern(const Ffc__V1__ChronologyEntry *e, const struct ctl_names *names)
{
	char who[1024];
	children(names, e->child_ids, e->n_child_ids, who, sizeof who);
	printf("CONCERN   %s %s %s, %s\n",
	       tool_enum_name(&ffc__v1__agency__descriptor, (int)e->agency),
	       tool_enum_name(&ffc__v1__category__descriptor, (int)e->category),
	       tool_enum_name(&ffc__v1__severity__descriptor, (int)e->severity),
	       e->source_system[0] ? e->source_system : "(source system not given)");
	if (e->n_child_ids)
		printf("  %-16s  about %s\n", "", who);
	if (e->summary[0])
		printf("  %-16s  %s\n", "", e->summary);
	printf("  %-16s  reported by %s (concern %s, seq %llu)\n", "",
	       e->reporter[0] ? e->reporter : "(not given)", e->concern_id,
	       (unsigned long long)e->seq);
	if (e->withdrawn_at_ms) {
		char at[32];
		tool_time(e->withdrawn_at_ms, at, sizeof at);
		printf("  %-16s  WITHDRAWN %s by %s: %s (not counted by rules)\n", "", at,
		       e->withdrawn_by, e->withdrawn_reason);
	}
}

static void alert(const Ffc__V1__Alert *a, const struct ctl_names *names)
{
	const char *name = ctl_name_of(names, a->child_id);
	char display[512] = "";
	if (!name[0] && a->child)
		tool_describe_child(a->child, display, sizeof display);
	printf("ALERT     %s %s %s for %s %s%s\n", a->alert_id,
	       tool_enum_name(&ffc__v1__level__descriptor, (int)a->level), a->rule, a->child_id,
	       name[0] ? name : display, a->scope[0] ? " (household rule)" : "");
	printf("  %-16s  %s\n", "", a->reason);
	if (a->supersedes[0])
		printf("  %-16s  escalates %s\n", "", a->supersedes);
	ctl_print_alert_state_at(a, 20);
}

static void change(const Ffc__V1__AlertChange *c, const struct ctl_names *names)
{
	const Ffc__V1__AlertEvent *e = c->event;
	const char *name = ctl_name_of(names, c->child_id);
	printf("%-9s %s %s %s for %s%s%s",
	       e ? tool_enum_name(&ffc__v1__alert_event__action__descriptor, (int)e->action)
	         : "CHANGE",
	       c->alert_id, tool_enum_name(&ffc__v1__level__descriptor, (int)c->level), c->rule,
	       c->child_id, name[0] ? " " : "", name);
	if (e)
		printf(" by %s%s%s", e->by, e->outcome[0] ? ": " : "", e->outcome);
	printf("\n");
	/* A note may run over several lines: indent each. */
	const char *p = e ? e->text : "";
	while (*p) {
		size_t n = strcspn(p, "\n");
		printf("  %-16s  | %.*s\n", "", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static void household_event(const Ffc__V1__HouseholdEvent *e)
{
	const char *kind =
	    tool_enum_name(&ffc__v1__household_event__kind__descriptor, (int)e->kind);
	switch (e->kind) {
	case FFC__V1__HOUSEHOLD_EVENT__KIND__FORMED:
		printf("HOUSEHOLD %s formed of %s and %s", e->household_id, e->child_id,
		       e->other_child_id);
		break;
	case FFC__V1__HOUSEHOLD_EVENT__KIND__JOINED:
		printf("HOUSEHOLD %s joined by %s%s%s", e->household_id, e->child_id,
		       e->other_child_id[0] ? " (with " : "", e->other_child_id);
		if (e->other_child_id[0])
			printf(")");
		break;
	case FFC__V1__HOUSEHOLD_EVENT__KIND__MERGED:
		printf("HOUSEHOLD %s now holds %s (%s with %s)", e->household_id,
		       e->other_household_id, e->child_id, e->other_child_id);
		break;
	case FFC__V1__HOUSEHOLD_EVENT__KIND__LEFT:
		printf("HOUSEHOLD %s left by %s", e->household_id, e->child_id);
		break;
	default:
		printf("HOUSEHOLD %s %s %s", e->household_id, kind, e->child_id);
	}
	printf(", by %s: %s\n", e->by, e->reason);
}

void ctl_print_timeline(Ffc__V1__FamilyEntry *const *tl, size_t n, const struct ctl_names *names,
                        const char *since)
{
	printf("\ntimeline (%zu entr%s, oldest first%s%s)\n", n, n == 1 ? "y" : "ies",
	       since ? ", since " : "", since ? since : "");
	for (size_t i = 0; i < n; i++) {
		const Ffc__V1__FamilyEntry *e = tl[i];
		char when[32];
		tool_time(e->at_ms, when, sizeof when);
		printf("  %-16s  ", when);
		if (e->identity_event) {
			char text[2600];
			ctl_identity_event_text(e->identity_event, text, sizeof text);
			printf("%s\n", text);
		} else if (e->concern)
			concern(e->concern, names);
		else if (e->alert)
			alert(e->alert, names);
		else if (e->change)
			change(e->change, names);
		else if (e->household_event)
			household_event(e->household_event);
		else
			printf("(an entry this ffcctl does not know)\n");
	}
	if (n == 0)
		printf("  (nothing)\n");
}

/* ---- family ---- */

int cmd_family(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"since", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	static const char usage[] = "family CHILD|HOUSEHOLD [--since DATE]";
	Ffc__V1__FamilyRequest fr = FFC__V1__FAMILY_REQUEST__INIT;
	const char *since = NULL;
	int opt;
	optind = 0; /* from scratch: options may follow the id */
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt != 's')
			tool_exit(EXIT_USAGE, "family: usage: %s", usage);
		since = optarg;
		if (ffc_parse_time(optarg, &fr.since_ms) != FFC_OK)
			tool_exit(EXIT_USAGE,
			          "family: --since: '%s' is not a date (YYYY-MM-DD) or a time "
			          "(YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]; no offset: UTC)",
			          optarg);
	}
	if (argc - optind != 1)
		tool_exit(EXIT_USAGE, "family: usage: %s", usage);
	char *id = argv[optind];
	if (id[0] == 'H' || id[0] == 'h')
		fr.household_id = id;
	else if (id[0] == 'C' || id[0] == 'c')
		fr.child_id = id;
	else
		tool_exit(EXIT_USAGE,
		          "family: '%s' is not a child (C00000042) or a household "
		          "(H00000003)",
		          id);
	/* 0 asks for everything: 1970-01-01 itself means from then on. */
	if (since && fr.since_ms == 0)
		fr.since_ms = 1;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_FAMILY;
	req.family = &fr;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__FamilyReply *f = r->family;
	if (!f)
		tool_exit(EXIT_FAIL, "ffcd sent no family");
	if (o->json) {
		tool_print_json(&f->base);
	} else {
		struct ctl_names *names = calloc(1, sizeof *names);
		if (!names)
			tool_exit(EXIT_FAIL, "out of memory");
		if (f->household_id[0])
			printf("household %s: %zu %s\n", f->household_id, f->n_members,
			       f->n_members == 1 ? "child" : "children");
		else
			printf("no household: one child\n");
		for (size_t i = 0; i < f->n_members; i++) {
			const Ffc__V1__FamilyMember *m = f->members[i];
			char d[512];
			tool_describe_child(m->child, d, sizeof d);
			ctl_names_add(names, m->child_id, m->child);
			printf("  %-10s %s\n", m->child_id, d[0] ? d : "(no name known)");
			printf("  %-10s lead practitioner: %s\n", "",
			       m->lead_practitioner[0] ? m->lead_practitioner : "(none assigned)");
			for (size_t j = 0; j < m->n_open_alerts; j++) {
				const Ffc__V1__Alert *a = m->open_alerts[j];
				printf("  %-10s %-10s %-5s %-16s %s\n", "", a->alert_id,
				       tool_enum_name(&ffc__v1__level__descriptor, (int)a->level),
				       a->rule, a->reason);
			}
			if (!m->n_open_alerts)
				printf("  %-10s no open alerts\n", "");
		}
		ctl_print_timeline(f->timeline, f->n_timeline, names, since);
		free(names);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

/* ---- household link and unlink ---- */

static void print_household(const Ffc__V1__HouseholdReply *h)
{
	if (h->event) {
		char when[32];
		tool_time(h->event->at_ms, when, sizeof when);
		printf("  %-16s  ", when);
		household_event(h->event);
	}
	printf("household %s now: %zu %s\n", h->household_id[0] ? h->household_id : "(none)",
	       h->n_members, h->n_members == 1 ? "child" : "children");
	for (size_t i = 0; i < h->n_members; i++) {
		char d[512];
		tool_describe_child(h->members[i]->child, d, sizeof d);
		printf("  %-10s %s\n", h->members[i]->child_id, d);
	}
	printf("alerts raised (%zu)\n", h->n_raised);
	for (size_t i = 0; i < h->n_raised; i++)
		ctl_print_alert_row(h->raised[i]);
}

/* The positional arguments and --reason of a household change. */
static const char *reason_and_args(const char *usage, int argc, char **argv, int want, char **args)
{
	static const struct option options[] = {
	    {"reason", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	const char *reason = NULL;
	int opt;
	optind = 0; /* from scratch, permuting: --reason may follow the children */
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt != 'r')
			tool_exit(EXIT_USAGE, "usage: %s", usage);
		reason = optarg;
	}
	if (argc - optind != want)
		tool_exit(EXIT_USAGE, "usage: %s", usage);
	if (!reason || !reason[0])
		tool_exit(EXIT_USAGE, "%s: --reason TEXT is required (why, for the record)",
		          argv[0]);
	for (int i = 0; i < want; i++)
		args[i] = argv[optind + i];
	return reason;
}

int cmd_household(const struct opts *o, int argc, char **argv)
{
	static const char usage[] = "household link CHILD CHILD --reason TEXT | household unlink "
	                            "CHILD --reason TEXT";
	if (argc < 2)
		tool_exit(EXIT_USAGE, "usage: %s", usage);
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	Ffc__V1__HouseholdLinkRequest lr = FFC__V1__HOUSEHOLD_LINK_REQUEST__INIT;
	Ffc__V1__HouseholdUnlinkRequest ur = FFC__V1__HOUSEHOLD_UNLINK_REQUEST__INIT;
	char *args[2];
	if (!strcmp(argv[1], "link")) {
		lr.reason = (char *)(uintptr_t)reason_and_args(
		    "household link CHILD CHILD --reason TEXT", argc - 1, argv + 1, 2, args);
		lr.child_a = args[0];
		lr.child_b = args[1];
		req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_HOUSEHOLD_LINK;
		req.household_link = &lr;
	} else if (!strcmp(argv[1], "unlink")) {
		ur.reason = (char *)(uintptr_t)reason_and_args(
		    "household unlink CHILD --reason TEXT", argc - 1, argv + 1, 1, args);
		ur.child_id = args[0];
		req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_HOUSEHOLD_UNLINK;
		req.household_unlink = &ur;
	} else {
		tool_exit(EXIT_USAGE, "household: '%s' is not link or unlink; usage: %s", argv[1],
		          usage);
	}
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__HouseholdReply *h =
	    r->result_case == FFC__V1__CONTROL_REPLY__RESULT_HOUSEHOLD_LINK ? r->household_link
	                                                                    : r->household_unlink;
	if (!h || (r->result_case != FFC__V1__CONTROL_REPLY__RESULT_HOUSEHOLD_LINK &&
	           r->result_case != FFC__V1__CONTROL_REPLY__RESULT_HOUSEHOLD_UNLINK))
		tool_exit(EXIT_FAIL, "ffcd sent no household");
	if (o->json)
		tool_print_json(&h->base);
	else
		print_household(h);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}
