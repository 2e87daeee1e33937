/*
 * ffcctl_matches.c - `ffcctl matches`: pairs of children that may be one
 * child (different postcode, given name one edit apart, an initial or a
 * part of a double name, day and month of birth swapped, different family
 * name), each with both sides' details. ffcd never
 * links them; an operator judges each pair, and `ffcctl matches dismiss`
 * records that a pair is two different children.
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffcctl.h"

static const char *kind_words(int kind)
{
	switch (kind) {
	case FFC__V1__POSSIBLE_MATCH__KIND__DIFFERENT_POSTCODE:
		return "different postcode";
	case FFC__V1__POSSIBLE_MATCH__KIND__GIVEN_NAME_ONE_EDIT:
		return "given name one edit apart";
	case FFC__V1__POSSIBLE_MATCH__KIND__GIVEN_NAME_INITIAL:
		return "given name an initial";
	case FFC__V1__POSSIBLE_MATCH__KIND__DATE_OF_BIRTH_TRANSPOSED:
		return "day and month of birth swapped";
	case FFC__V1__POSSIBLE_MATCH__KIND__GIVEN_NAME_PART:
		return "given name a part of a double name";
	case FFC__V1__POSSIBLE_MATCH__KIND__DIFFERENT_FAMILY_NAME:
		return "different family name";
	default:
		return "?";
	}
}

static void print_match(const Ffc__V1__PossibleMatch *m)
{
	char when[32], a[1024], b[1024];
	tool_time(m->found_at_ms, when, sizeof when);
	tool_describe_child(m->identity, a, sizeof a);
	tool_describe_child(m->other_identity, b, sizeof b);
	printf("  %s and %s: %s (found %s, concern seq %llu)\n", m->child_id, m->other_child_id,
	       kind_words(m->kind), when, (unsigned long long)m->concern_seq);
	printf("    %-10s %s\n", m->child_id, a);
	printf("    %-10s %s\n", m->other_child_id, b);
	printf("    %s\n", m->reason);
	if (m->dismissed_at_ms) {
		tool_time(m->dismissed_at_ms, when, sizeof when);
		printf("    dismissed by %s, %s: %s\n", m->dismissed_by, when, m->dismissed_reason);
	}
}

static int cmd_dismiss(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"reason", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	Ffc__V1__MatchDismissRequest dr = FFC__V1__MATCH_DISMISS_REQUEST__INIT;
	int opt;
	optind = 0; /* getopt from scratch: options may follow the ids */
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt == 'r')
			dr.reason = optarg;
		else
			tool_exit(EXIT_USAGE,
			          "matches dismiss: usage: matches dismiss ID ID --reason TEXT");
	}
	if (argc - optind != 2)
		tool_exit(EXIT_USAGE, "matches dismiss: give the two child ids of the pair");
	if (!dr.reason[0])
		tool_exit(EXIT_USAGE,
		          "matches dismiss: --reason: say why the two are different children");
	if (!o->operator_name[0])
		tool_exit(EXIT_USAGE,
		          "matches dismiss: --operator NAME: who judges (or set $USER)");
	dr.child_id = argv[optind];
	dr.other_child_id = argv[optind + 1];
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_DISMISS_MATCH;
	req.dismiss_match = &dr;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__MatchDismissReply *d = r->dismiss_match;
	if (!d || !d->match)
		tool_exit(EXIT_FAIL, "ffcd sent no dismissed match");
	if (o->json) {
		tool_print_json(&d->base);
	} else {
		printf("dismissed: no longer listed as a possible match\n");
		print_match(d->match);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

int cmd_matches(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"limit", required_argument, NULL, 'n'},
	    {"dismissed", no_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	Ffc__V1__MatchesRequest mr = FFC__V1__MATCHES_REQUEST__INIT;
	int opt;
	if (argc > 1 && !strcmp(argv[1], "dismiss"))
		return cmd_dismiss(o, argc - 1, argv + 1);
	optind = 0; /* getopt from scratch: the main options were parsed */
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt == 'n')
			mr.limit = (uint32_t)tool_number("--limit", optarg, 1, 5000);
		else if (opt == 'd')
			mr.dismissed = 1;
		else
			tool_exit(EXIT_USAGE, "matches: usage: matches [--limit N] [--dismissed] | "
			                      "matches dismiss ID ID --reason TEXT");
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "matches: unexpected argument '%s'", argv[optind]);
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_MATCHES;
	req.matches = &mr;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__MatchesReply *m = r->matches;
	if (!m)
		tool_exit(EXIT_FAIL, "ffcd sent no matches");
	if (o->json) {
		tool_print_json(&m->base);
	} else {
		printf(
		    "possible matches (%zu%s): never linked by ffcd; each pair may be one child\n",
		    m->n_matches, m->more ? ", more not shown: raise --limit" : "");
		for (size_t i = 0; i < m->n_matches; i++)
			print_match(m->matches[i]);
		if (m->n_matches == 0)
			printf("  (none)\n");
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}
