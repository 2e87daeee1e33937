/*
 * ffcctl_rules.c - `ffcctl reload` (load the daemon's configuration file
 * again and put its rules in force) and `ffcctl rules test FILE` (what a
 * candidate file's rules would reach on the stored history, compared with
 * the rules in force).
 *
 * Owns those two commands' command lines and tables. The daemon does the
 * loading and judging; FILE is read by the daemon, so it is sent as an
 * absolute path.
 */
#define _GNU_SOURCE /* realpath, getopt_long */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "ffcctl.h"

/* Loading runs a separate process in the daemon (up to 10 s), and a rules
 * test judges the whole store: wait longer than for other commands unless
 * told otherwise. */
#define RULES_TIMEOUT_MS 120000

static struct opts patient(const struct opts *o)
{
	struct opts p = *o;
	if (p.timeout_ms == DEFAULT_TIMEOUT_MS)
		p.timeout_ms = RULES_TIMEOUT_MS;
	return p;
}

static void list(const char *title, char **names, size_t n)
{
	printf("  %-9s", title);
	if (n == 0)
		printf(" (none)");
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : " ", names[i]);
	printf("\n");
}

int ctl_cmd_reload(const struct opts *o, int argc, char **argv)
{
	int n;
	ctl_positionals(argc, argv, &n);
	if (n)
		tool_exit(EXIT_USAGE, "reload takes no arguments");
	Ffc__V1__ReloadRequest rr = FFC__V1__RELOAD_REQUEST__INIT;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_RELOAD;
	req.reload = &rr;
	const struct opts p = patient(o);
	Ffc__V1__ControlReply *r = ctl_call(&p, &req);
	const Ffc__V1__ReloadReply *s = r->reload;
	if (!s)
		tool_exit(EXIT_FAIL, "ffcd sent no reload result");
	int rc = s->loaded ? 0 : EXIT_FAIL;
	if (o->json) {
		tool_print_json(&s->base);
	} else if (!s->loaded) {
		fprintf(stderr, "ffcctl: reload failed; the %u rules in force are unchanged\n",
		        s->rules);
		for (size_t i = 0; i < s->n_errors; i++)
			fprintf(stderr, "%s\n", s->errors[i]);
	} else {
		printf("reloaded %s: %u rules in force\n", s->config_path, s->rules);
		list("added", s->added, s->n_added);
		list("changed", s->changed, s->n_changed);
		list("removed", s->removed, s->n_removed);
		for (size_t i = 0; i < s->n_restart; i++)
			printf("  %s\n", s->restart[i]);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return rc;
}

static const char *level_name(Ffc__V1__Level l)
{
	return tool_enum_name(&ffc__v1__level__descriptor, (int)l);
}

static void count_cell(char *buf, size_t len, int has, uint64_t n)
{
	if (has)
		snprintf(buf, len, "%llu", (unsigned long long)n);
	else
		snprintf(buf, len, "-");
}

static void outcomes(const char *title, Ffc__V1__RuleOutcome **o, size_t n, uint64_t total)
{
	printf("\n%s (%llu)\n", title, (unsigned long long)total);
	if (total == 0)
		printf("  (none)\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-10s %-24s %s\n", o[i]->child_id, o[i]->rule, level_name(o[i]->level));
	if (total > n)
		printf("  ... and %llu more\n", (unsigned long long)(total - n));
}

static int rules_test(const struct opts *o, const char *file)
{
	char abs[PATH_MAX];
	if (!realpath(file, abs)) {
		/* Let the daemon name the problem as it would on a reload,
		 * with the path made absolute here. */
		char cwd[PATH_MAX];
		if (file[0] == '/')
			snprintf(abs, sizeof abs, "%s", file);
		else if (getcwd(cwd, sizeof cwd) &&
		         (size_t)snprintf(abs, sizeof abs, "%s/%s", cwd, file) < sizeof abs)
			;
		else
			tool_exit(EXIT_USAGE, "rules test: %s: path too long", file);
	}
	Ffc__V1__RulesTestRequest tr = FFC__V1__RULES_TEST_REQUEST__INIT;
	tr.path = abs;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_RULES_TEST;
	req.rules_test = &tr;
	const struct opts p = patient(o);
	Ffc__V1__ControlReply *r = ctl_call(&p, &req);
	const Ffc__V1__RulesTestReply *s = r->rules_test;
	if (!s)
		tool_exit(EXIT_FAIL, "ffcd sent no rules test result");
	int rc = s->n_errors ? EXIT_FAIL : 0;
	if (o->json) {
		tool_print_json(&s->base);
	} else if (s->n_errors) {
		fprintf(stderr, "ffcctl: %s cannot be loaded; nothing judged\n", s->path);
		for (size_t i = 0; i < s->n_errors; i++)
			fprintf(stderr, "%s\n", s->errors[i]);
	} else {
		printf("rules test %s\n", s->path);
		printf("judged %llu children (%llu concerns on their timelines) in %llu ms; "
		       "nothing raised or "
		       "stored\n\n",
		       (unsigned long long)s->children, (unsigned long long)s->concerns,
		       (unsigned long long)s->elapsed_ms);
		printf("  %-24s %-5s %9s %9s %7s\n", "rule", "level", "in force", "candidate",
		       "change");
		for (size_t i = 0; i < s->n_counts; i++) {
			const Ffc__V1__RuleLevelCount *c = s->counts[i];
			char a[24], b[24], d[24] = "";
			count_cell(a, sizeof a, c->in_force_has, c->in_force);
			count_cell(b, sizeof b, c->candidate_has, c->candidate);
			long long delta = (long long)c->candidate - (long long)c->in_force;
			if (delta)
				snprintf(d, sizeof d, "%+lld", delta);
			printf("  %-24s %-5s %9s %9s %7s%s\n", c->rule, level_name(c->level), a, b,
			       d,
			       !c->in_force_has    ? "  (new)"
			       : !c->candidate_has ? "  (removed)"
			                           : "");
		}
		outcomes("children that would gain an alert", s->gained, s->n_gained,
		         s->gained_total);
		outcomes("children that would lose an alert", s->lost, s->n_lost, s->lost_total);
		if (!s->gained_total && !s->lost_total)
			printf("\nno differences\n");
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return rc;
}

int ctl_cmd_rules(const struct opts *o, int argc, char **argv)
{
	int n;
	char **args = ctl_positionals(argc, argv, &n);
	if (n == 2 && !strcmp(args[0], "test"))
		return rules_test(o, args[1]);
	tool_exit(EXIT_USAGE, "rules: usage: rules test FILE");
}
