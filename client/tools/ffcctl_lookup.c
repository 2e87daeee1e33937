/*
 * ffcctl_lookup.c - social care's status and the point of contact's
 * lookups: `ffcctl lookup` (is this child known?), `ffcctl accesses`
 * (who looked a child up, where and why, newest first) and the part of
 * `ffcctl child` that shows a child's statuses and lookups.
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffcctl.h"

/* "CHILD_PROTECTION_PLAN (PLAN_NEGLECT)", "LOOKED_AFTER (CARE_ORDER)". */
static void status_words(int kind, int category, int legal, char *buf, size_t len)
{
	const char *k = tool_enum_name(&ffc__v1__status_kind__descriptor, kind);
	if (category)
		snprintf(buf, len, "%s (%s)", k,
		         tool_enum_name(&ffc__v1__plan_category__descriptor, category));
	else if (legal)
		snprintf(buf, len, "%s (%s)", k,
		         tool_enum_name(&ffc__v1__legal_status__descriptor, legal));
	else
		snprintf(buf, len, "%s", k);
}

static void print_lookup(const Ffc__V1__LookupReply *r)
{
	if (!r->known) {
		printf("not known: ffc holds no record of this child\n");
		return;
	}
	printf("known\n");
	printf("status in force (%zu)\n", r->n_statuses);
	for (size_t i = 0; i < r->n_statuses; i++) {
		const Ffc__V1__StatusInForce *s = r->statuses[i];
		char words[160];
		status_words((int)s->kind, (int)s->category, (int)s->legal_status, words,
		             sizeof words);
		printf("  %s since %s, %s\n", words, s->start_date, s->local_authority);
	}
	printf("open alerts: %u amber, %u red\n", r->open_amber, r->open_red);
	printf("lead practitioner: %s", r->lead_practitioner[0] ? r->lead_practitioner : "(none)");
	if (r->lead_practitioner_role[0])
		printf(", %s", r->lead_practitioner_role);
	if (r->lead_practitioner_contact[0])
		printf(" (%s)", r->lead_practitioner_contact);
	putchar('\n');
	printf("responsible local authority: %s\n",
	       r->local_authority[0] ? r->local_authority : "(none with a status in force)");
}

int ctl_cmd_lookup(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"nhs", required_argument, NULL, 'n'},
	    {"upn", required_argument, NULL, 'u'},
	    {"setting", required_argument, NULL, 's'},
	    {"asked-by", required_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	Ffc__V1__LookupRequest lr = FFC__V1__LOOKUP_REQUEST__INIT;
	int opt;
	optind = 0;
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt == 'n')
			lr.nhs_number = optarg;
		else if (opt == 'u')
			lr.upn = optarg;
		else if (opt == 's')
			lr.setting = optarg;
		else if (opt == 'a')
			lr.asked_by = optarg;
		else
			tool_exit(EXIT_USAGE, "lookup: usage: lookup --nhs N | --upn U --setting "
			                      "WHERE [--asked-by WHO]");
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "lookup: unexpected argument '%s'", argv[optind]);
	if (!lr.nhs_number[0] == !lr.upn[0])
		tool_exit(EXIT_USAGE, "lookup: give exactly one of --nhs N or --upn U");
	if (!lr.setting[0])
		tool_exit(EXIT_USAGE, "lookup: --setting WHERE is required (e.g. \"City Hospital "
		                      "ED\")");
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_LOOKUP;
	req.lookup = &lr;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	if (!r->lookup)
		tool_exit(EXIT_FAIL, "ffcd sent no lookup");
	if (o->json)
		tool_print_json(&r->lookup->base);
	else
		print_lookup(r->lookup);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

/* "  2026-03-02 02:14  looked up by city-ed at City Hospital ED, purpose:
 * ..., asked by Dr A. Khan" */
static void print_access(const Ffc__V1__AccessRecord *a)
{
	char when[32];
	ffc_format_time(a->at_ms, when, sizeof when);
	printf("  %s  looked up by %s at %s, purpose: %s", when, a->by, a->setting, a->purpose);
	if (a->asked_by[0])
		printf(" (asked by %s)", a->asked_by);
	putchar('\n');
}

int ctl_cmd_accesses(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"nhs", required_argument, NULL, 'n'},
	    {"upn", required_argument, NULL, 'u'},
	    {"limit", required_argument, NULL, 'l'},
	    {NULL, 0, NULL, 0},
	};
	Ffc__V1__ChildRequest cr = FFC__V1__CHILD_REQUEST__INIT;
	Ffc__V1__AccessesRequest ar = FFC__V1__ACCESSES_REQUEST__INIT;
	int opt, given = 0;
	optind = 0;
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt == 'n') {
			cr.nhs_number = optarg;
			given++;
		} else if (opt == 'u') {
			cr.upn = optarg;
			given++;
		} else if (opt == 'l') {
			ar.limit = (uint32_t)tool_number("--limit", optarg, 1, 500);
		} else {
			tool_exit(EXIT_USAGE, "accesses: usage: accesses CHILD | --nhs N | --upn U "
			                      "[--limit N]");
		}
	}
	if (optind < argc) {
		cr.child_id = argv[optind++];
		given++;
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "accesses: unexpected argument '%s'", argv[optind]);
	if (given != 1)
		tool_exit(EXIT_USAGE, "accesses: give exactly one of CHILD, --nhs N or --upn U");
	ar.child = &cr;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ACCESSES;
	req.accesses = &ar;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__AccessesReply *a = r->accesses;
	if (!a)
		tool_exit(EXIT_FAIL, "ffcd sent no accesses");
	if (o->json) {
		tool_print_json(&a->base);
	} else {
		printf("lookups of %s (%zu of %llu, newest first)\n", a->child_id, a->n_accesses,
		       (unsigned long long)a->total);
		for (size_t i = 0; i < a->n_accesses; i++)
			print_access(a->accesses[i]);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

void ctl_print_social(const Ffc__V1__ChildReply *c)
{
	/* Most children have neither: no empty sections for them. */
	if (c->n_statuses)
		printf("\nsocial care status (%zu, by start date)\n", c->n_statuses);
	for (size_t i = 0; i < c->n_statuses; i++) {
		const Ffc__V1__ChildStatusRecord *r = c->statuses[i];
		const Ffc__V1__ChildStatus *s = r->status;
		if (!s)
			continue;
		char words[160], received[32];
		status_words((int)s->kind, (int)s->category, (int)s->legal_status, words,
		             sizeof words);
		ffc_format_time(r->received_at_ms, received, sizeof received);
		printf("  %s to %s  %s  %s%s\n", s->start_date,
		       s->end_date[0] ? s->end_date : "now", words, s->local_authority,
		       r->in_force        ? "  IN FORCE"
		       : r->superseded_by ? "  (an older version)"
		                          : "");
		if (s->social_worker[0] || s->social_worker_role[0] || s->social_worker_contact[0])
			printf("  %-10s social worker %s%s%s%s%s%s\n", "", s->social_worker,
			       s->social_worker_role[0] ? ", " : "", s->social_worker_role,
			       s->social_worker_contact[0] ? " (" : "", s->social_worker_contact,
			       s->social_worker_contact[0] ? ")" : "");
		printf("  %-10s status %s, seq %llu, received %s", "", s->status_id,
		       (unsigned long long)r->seq, received);
		if (r->superseded_by)
			printf(", superseded by seq %llu", (unsigned long long)r->superseded_by);
		putchar('\n');
	}
	if (c->n_lookups)
		printf("\nlooked up (%zu)\n", c->n_lookups);
	for (size_t i = 0; i < c->n_lookups; i++)
		print_access(c->lookups[i]);
}
