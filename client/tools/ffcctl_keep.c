/*
 * ffcctl_keep.c - retention, correction and backup: `purge [--dry-run]`,
 * `withdraw AGENCY CONCERN_ID --reason TEXT` and `backup PATH`.
 *
 * Owns these commands' arguments and output. purge asks the daemon again
 * and again (each request examines a bounded number of concerns, so ffcd
 * keeps serving in between) and adds the answers up.
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "ffcctl.h"

/* ---- purge ---- */

struct child_count {
	char id[32];
	uint64_t n;
};

static void add_child(struct child_count **v, size_t *n, const char *id, uint64_t count)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].id, id)) {
			(*v)[i].n += count;
			return;
		}
	struct child_count *g = realloc(*v, (*n + 1) * sizeof *g);
	if (!g)
		tool_exit(EXIT_FAIL, "out of memory");
	*v = g;
	snprintf(g[*n].id, sizeof g[*n].id, "%s", id);
	g[(*n)++].n = count;
}

static int cmp_child(const void *a, const void *b)
{
	return strcmp(((const struct child_count *)a)->id, ((const struct child_count *)b)->id);
}

int ctl_cmd_purge(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"dry-run", no_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	Ffc__V1__PurgeRequest pr = FFC__V1__PURGE_REQUEST__INIT;
	int opt;
	optind = 0;
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt == 'd')
			pr.dry_run = 1;
		else
			tool_exit(EXIT_USAGE, "purge: usage: purge [--dry-run]");
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "purge: unexpected argument '%s'", argv[optind]);
	uint64_t examined = 0, purged = 0, kept = 0, requests = 0, notices = 0, feedback = 0;
	int64_t cutoff = 0;
	unsigned years = 0;
	struct child_count *kids = NULL;
	size_t n_kids = 0;
	for (;;) {
		Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
		req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_PURGE;
		req.purge = &pr;
		Ffc__V1__ControlReply *r = ctl_call(o, &req);
		const Ffc__V1__PurgeReply *p = r->purge;
		if (!p)
			tool_exit(EXIT_FAIL, "ffcd sent no purge reply");
		requests++;
		examined += p->examined;
		purged += p->purged;
		kept += p->kept_as_evidence;
		/* A dry run's every request counts the same oldest notices. */
		if (pr.dry_run) {
			notices = p->notices_purged > notices ? p->notices_purged : notices;
			feedback = p->feedback_purged > feedback ? p->feedback_purged : feedback;
		} else {
			notices += p->notices_purged;
			feedback += p->feedback_purged;
		}
		cutoff = p->cutoff_ms;
		years = p->retention_years;
		for (size_t i = 0; i < p->n_by_child; i++)
			add_child(&kids, &n_kids, p->by_child[i]->name, p->by_child[i]->count);
		/* A dry run examines every page in turn; a real purge goes on
		 * from where the last request stopped (what it kept is behind
		 * it, what it purged is gone). */
		uint64_t next = p->next_seq;
		ffc__v1__control_reply__free_unpacked(r, NULL);
		if (!next)
			break;
		pr.from_seq = next;
	}
	if (n_kids)
		qsort(kids, n_kids, sizeof *kids, cmp_child);
	if (o->json) {
		printf("{\"dryRun\":%s,\"retentionYears\":%u,\"cutoffMs\":\"%lld\",\"examined\":\"%"
		       "llu\","
		       "\"purged\":\"%llu\",\"keptAsEvidence\":\"%llu\",\"noticesPurged\":\"%llu\","
		       "\"feedbackPurged\":\"%llu\",\"byChild\":[",
		       pr.dry_run ? "true" : "false", years, (long long)cutoff,
		       (unsigned long long)examined, (unsigned long long)purged,
		       (unsigned long long)kept, (unsigned long long)notices,
		       (unsigned long long)feedback);
		for (size_t i = 0; i < n_kids; i++)
			printf("%s{\"name\":\"%s\",\"count\":\"%llu\"}", i ? "," : "", kids[i].id,
			       (unsigned long long)kids[i].n);
		printf("]}\n");
	} else {
		char when[32];
		tool_time(cutoff, when, sizeof when);
		printf("%s: concerns that occurred before %s (retention %u years)\n",
		       pr.dry_run ? "dry run, nothing removed" : "purged", when, years);
		printf("  examined %llu, %s %llu, kept as evidence of unfinished alerts %llu\n",
		       (unsigned long long)examined, pr.dry_run ? "would purge" : "purged",
		       (unsigned long long)purged, (unsigned long long)kept);
		printf(
		    "  Operation Encompass notices raised, and feedback sent, before it: %s %llu "
		    "and %llu\n",
		    pr.dry_run ? "would remove" : "removed", (unsigned long long)notices,
		    (unsigned long long)feedback);
		for (size_t i = 0; i < n_kids; i++)
			printf("  %-10s %llu\n", kids[i].id, (unsigned long long)kids[i].n);
	}
	free(kids);
	return 0;
}

/* ---- withdraw ---- */

/* label then the ids on one line; none: nothing, unless always. */
static void ids_line(const char *label, char **ids, size_t n, int always)
{
	if (!n && !always)
		return;
	printf("%s", label);
	for (size_t i = 0; i < n; i++)
		printf(" %s", ids[i]);
	printf("\n");
}

int ctl_cmd_withdraw(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"reason", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	const char *usage = "withdraw: usage: withdraw AGENCY CONCERN_ID --reason TEXT";
	Ffc__V1__WithdrawRequest wr = FFC__V1__WITHDRAW_REQUEST__INIT;
	int opt;
	/* 0, not 1: glibc then starts afresh and permutes, so --reason may
	 * come before or after the concern. */
	optind = 0;
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt == 'r')
			wr.reason = optarg;
		else
			tool_exit(EXIT_USAGE, "%s", usage);
	}
	if (argc - optind != 2)
		tool_exit(EXIT_USAGE, "%s", usage);
	if (!wr.reason[0])
		tool_exit(EXIT_USAGE, "withdraw: --reason is required (why the concern was sent in "
		                      "error)");
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value_by_name(
	    &ffc__v1__agency__descriptor, argv[optind]);
	char upper[64];
	if (!v) {
		size_t i = 0;
		for (; argv[optind][i] && i < sizeof upper - 1; i++)
			upper[i] = (char)(argv[optind][i] >= 'a' && argv[optind][i] <= 'z'
			                      ? argv[optind][i] - 32
			                      : argv[optind][i]);
		upper[i] = '\0';
		v = protobuf_c_enum_descriptor_get_value_by_name(&ffc__v1__agency__descriptor,
		                                                 upper);
	}
	if (!v || v->value == 0)
		tool_exit(EXIT_USAGE,
		          "withdraw: '%s' is not an agency (police, health, education, ...)",
		          argv[optind]);
	wr.agency = (Ffc__V1__Agency)v->value;
	wr.concern_id = argv[optind + 1];
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_WITHDRAW;
	req.withdraw = &wr;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__WithdrawReply *w = r->withdraw;
	if (!w)
		tool_exit(EXIT_FAIL, "ffcd sent no withdraw reply");
	if (o->json) {
		tool_print_json(&w->base);
	} else {
		printf("withdrawn: %s concern %s",
		       tool_enum_name(&ffc__v1__agency__descriptor, (int)wr.agency), wr.concern_id);
		if (w->concern)
			printf(" (seq %llu)", (unsigned long long)w->concern->seq);
		printf("; no longer counted by rules\n");
		ids_line("  children:", w->child_ids, w->n_child_ids, 1);
		ids_line(
		    "  unfinished alerts citing it (not withdrawn; each has a note, review and "
		    "close them if they no longer stand):",
		    w->open_alert_ids, w->n_open_alert_ids, 0);
		ids_line(
		    "  Operation Encompass notices it raised, withdrawn (their schools are told, "
		    "and keep no name):",
		    w->notice_ids, w->n_notice_ids, 0);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

/* ---- backup ---- */

int ctl_cmd_backup(const struct opts *o, int argc, char **argv)
{
	int n;
	char **args = ctl_positionals(argc, argv, &n);
	if (n != 1)
		tool_exit(EXIT_USAGE, "backup: usage: backup PATH (a new directory)");
	/* The daemon's working directory is not ours: send it absolute. */
	char abs[PATH_MAX];
	const char *path = args[0];
	if (path[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd) ||
		    (size_t)snprintf(abs, sizeof abs, "%s/%s", cwd, path) >= sizeof abs)
			tool_exit(EXIT_USAGE, "backup: %s: path too long", path);
		path = abs;
	}
	Ffc__V1__BackupRequest br = FFC__V1__BACKUP_REQUEST__INIT;
	br.path = (char *)(uintptr_t)path;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_BACKUP;
	req.backup = &br;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__BackupReply *b = r->backup;
	if (!b)
		tool_exit(EXIT_FAIL, "ffcd sent no backup reply");
	if (o->json)
		tool_print_json(&b->base);
	else
		printf("store copied to %s (%llu bytes, %llu ms)\n", b->path,
		       (unsigned long long)b->bytes, (unsigned long long)b->duration_ms);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}
