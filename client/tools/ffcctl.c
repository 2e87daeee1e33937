/*
 * ffcctl - the operators' tool: asks a running ffcd over its control
 * socket for its status, its counts, a child's multi-agency chronology or
 * the alert log, or tells it to shut down.
 *
 * Owns the command line and the human tables; the request/reply and the
 * JSON come from libffc.
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "ffcctl.h"

const char *tool_name = "ffcctl";

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ffcctl [--control EP] [--operator N] [--purpose TEXT] [--json]\n"
	        "              [--timeout MS] [--key FILE --server-key FILE] COMMAND [ARGS]\n"
	        "\n"
	        "Commands:\n"
	        "  status                       version, uptime, endpoints, store size, counts\n"
	        "  stats                        concerns by agency, alerts by level and rule,\n"
	        "                               receipts by status, rejects by reason\n"
	        "\n"
	        "  child ID [--since DATE]      a child's chronology: identities, household and\n"
	        "  child --nhs N | --upn U      its open alerts, then one timeline of concerns,\n"
	        "                               alerts and their changes, identity and\n"
	        "                               household events; who has read it (viewed by)\n"
	        "  family CHILD|HOUSEHOLD [--since DATE]\n"
	        "                               every child of the household and one timeline\n"
	        "                               of their concerns, alerts and events\n"
	        "  household link CHILD CHILD --reason TEXT\n"
	        "  household unlink CHILD --reason TEXT\n"
	        "                               join two children's households, or take a\n"
	        "                               child out of its household (admin)\n"
	        "  identities CHILD             identity records (#N), aliases, identity events\n"
	        "  conflicts [--since SEQ] [--limit N] [--unresolved]\n"
	        "                               identity conflicts, with each side's identities\n"
	        "  matches [--limit N] [--dismissed]\n"
	        "                               possible matches: pairs of children that may\n"
	        "                               be one (never linked), both sides' details\n"
	        "  matches dismiss ID ID --reason TEXT\n"
	        "                               the pair is two different children: not listed\n"
	        "  link A B --reason TEXT       merge two children after review\n"
	        "  unlink CHILD IDENTITY --reason TEXT\n"
	        "                               split a wrong link (nhs:N, upn:U,\n"
	        "                               local:AGENCY:ID or #N) into a new child\n"
	        "\n"
	        "  alerts [--since SEQ] [--level amber|red] [--limit N]\n"
	        "    [--state S] [--overdue]    the alert log, oldest first; only alerts in state\n"
	        "    [--details]                S (open, acknowledged, closed, superseded), only\n"
	        "                               those overdue now; with each alert's history\n"
	        "  ack ALERT|--household ID --by NAME [--note TEXT]\n"
	        "                               pick an alert (or a household's open alerts) up\n"
	        "  note ALERT --by NAME TEXT    add a note to an alert (TEXT - : read stdin)\n"
	        "  close ALERT|--household ID --by NAME --outcome OUTCOME [--note TEXT]\n"
	        "                               close an alert (or a household's) with one of\n"
	        "                               the outcomes\n"
	        "  assign CHILD --practitioner NAME --by NAME [--note TEXT]\n"
	        "                               record the child's lead practitioner\n"
	        "\n"
	        "  rules test FILE              what FILE's rules would raise on the stored\n"
	        "                               history, against the rules in force (no alerts)\n"
	        "  reload                       load the configuration file again: its rules for\n"
	        "                               concerns from now on, or every error (no change)\n"
	        "  shutdown                     stop the daemon cleanly\n"
	        "\n");
	/* Two strings: C11 promises no more than 4095 bytes in one. */
	fprintf(f,
	        "  purge [--dry-run]            remove concerns older than retention.years\n"
	        "                               that no unfinished alert cites (or list them)\n"
	        "  withdraw AGENCY CONCERN_ID --reason TEXT\n"
	        "                               a concern sent in error: kept, marked, no longer\n"
	        "                               counted by rules (audited)\n"
	        "  backup PATH                  a consistent copy of the store, into a new\n"
	        "                               directory PATH\n"
	        "  audit [--child ID] [--by NAME] [--since DATE] [--limit N]\n"
	        "                               the audit trail: who read or changed which\n"
	        "                               child's record, when and why (admin)\n"
	        "  keygen NAME [--dir DIR]      write a CURVE key pair: DIR/NAME.key (public)\n"
	        "                               and DIR/NAME.key_secret (mode 0600); no daemon\n"
	        "\n");
	fprintf(f,
	        "  lookup --nhs N | --upn U --setting WHERE [--asked-by WHO]\n"
	        "                               is the child known? plan or looked-after status,\n"
	        "                               open alerts, lead practitioner (audited, and\n"
	        "                               announced on event.access)\n"
	        "  accesses CHILD | --nhs N | --upn U [--limit N]\n"
	        "                               who looked the child up, where and why (last 25)\n"
	        "  notices [--since SEQ] [--urn URN|front-door] [--unacknowledged] [--limit N]\n"
	        "                               Operation Encompass notices (a school's key:\n"
	        "                               its own school's)\n"
	        "  notice ack NOTICE --by NAME  the school's DSL acknowledges a notice (with the\n"
	        "                               school's key; a front-door one: a practitioner)\n"
	        "  feedback [--since SEQ] [--agency A] [--limit N]\n"
	        "                               what referring agencies were told of closed\n"
	        "                               alerts (an adapter's key: its agency's)\n"
	        "  contact PRACTITIONER --contact TEXT\n"
	        "                               how a lead practitioner is reached (in feedback)\n"
	        "  report --from DATE --to DATE [--csv]\n"
	        "                               the partnership's figures for the period, no\n"
	        "                               child named (admin; --json or --csv)\n"
	        "\n"
	        "Options (before or after the command):\n"
	        "  --control EP   control endpoint (default $FFC_CONTROL or " DEFAULT_CONTROL ")\n"
	        "  --json         print the reply as JSON, field names as in proto/ffc.proto\n"
	        "  --timeout MS   how long to wait for the daemon (default 5000)\n"
	        "  --operator N   who is asking: one of your Unix user's operators in\n"
	        "                 security.operators, recorded in the audit trail (default\n"
	        "                 $FFC_OPERATOR, else $USER)\n"
	        "  --purpose TEXT why you read a child's record (child, family, alerts\n"
	        "                 --details, identities, conflicts, matches, rules test, audit):\n"
	        "                 required there, kept in the audit trail (default $FFC_PURPOSE)\n"
	        "  --key FILE     CURVE: this operator's secret certificate (default $FFC_KEY)\n"
	        "  --server-key FILE\n"
	        "                 CURVE: the daemon's public certificate (default\n"
	        "                 $FFC_SERVER_KEY); both needed for a tcp:// control socket\n"
	        "  -h, --help     this help;  --version  the version\n");
}

/* ---- the command line ---- */

/* The options every command takes, before or after it. Their values are
 * past any char a command's own table uses. */
enum {
	G_CONTROL = 0x1000,
	G_JSON,
	G_TIMEOUT,
	G_OPERATOR,
	G_PURPOSE,
	G_HELP,
	G_VERSION,
	G_KEY,
	G_SERVER_KEY,
};
static const struct option global_options[] = {
    /* clang-format off */
    {"control", required_argument, NULL, G_CONTROL},
    {"json", no_argument, NULL, G_JSON},
    {"timeout", required_argument, NULL, G_TIMEOUT},
    {"operator", required_argument, NULL, G_OPERATOR},
    {"purpose", required_argument, NULL, G_PURPOSE},
    {"help", no_argument, NULL, G_HELP},
    {"version", no_argument, NULL, G_VERSION},
    {"key", required_argument, NULL, G_KEY},
    {"server-key", required_argument, NULL, G_SERVER_KEY},
    {NULL, 0, NULL, 0},
    /* clang-format on */
};
#define GLOBAL_OPTIONS (sizeof global_options / sizeof global_options[0] - 1)
/* The most options a command may have of its own. */
#define OWN_OPTIONS_MAX 24

/* The options in force: main() fills them, a command's own parsing may
 * still change them (ctl_getopt), and commands read them through o. */
static struct opts options_in_force;

/* Apply a global option; 0 when opt is not one. */
static int apply_global(int opt, const char *arg)
{
	struct opts *o = &options_in_force;
	switch (opt) {
	case G_CONTROL:
		o->control = arg;
		return 1;
	case G_JSON:
		o->json = 1;
		return 1;
	case G_TIMEOUT:
		o->timeout_ms = (int)tool_number("--timeout", arg, 1, 3600000);
		return 1;
	case G_OPERATOR:
		o->operator_name = arg;
		return 1;
	case G_PURPOSE:
		o->purpose = arg;
		return 1;
	case G_KEY:
		o->key = arg;
		return 1;
	case G_SERVER_KEY:
		o->server_key = arg;
		return 1;
	case G_HELP:
	case 'h':
		usage(stdout);
		exit(0);
	case G_VERSION:
		printf("ffcctl %s\n", FFC_VERSION);
		exit(0);
	default:
		return 0;
	}
}

int ctl_getopt(int argc, char **argv, const struct option *own)
{
	static struct option merged[OWN_OPTIONS_MAX + GLOBAL_OPTIONS + 1];
	size_t n = 0;
	for (; own && own[n].name; n++) {
		if (n == OWN_OPTIONS_MAX)
			tool_exit(EXIT_FAIL, "internal error: more than %d options",
			          OWN_OPTIONS_MAX);
		merged[n] = own[n];
	}
	memcpy(merged + n, global_options, sizeof global_options);
	for (;;) {
		int opt = getopt_long(argc, argv, "h", merged, NULL);
		if (!apply_global(opt, optarg))
			return opt;
	}
}

char **ctl_positionals(int argc, char **argv, int *n)
{
	static const struct option none[] = {{NULL, 0, NULL, 0}};
	optind = 0;
	if (ctl_getopt(argc, argv, none) != -1)
		tool_exit(EXIT_USAGE, "%s takes no such option (try --help)", argv[0]);
	*n = argc - optind;
	return argv + optind;
}

Ffc__V1__ControlReply *ctl_call(const struct opts *o, Ffc__V1__ControlRequest *req)
{
	static int curve_set;
	/* The keys may have been given after the command: set once, here. */
	if (!curve_set) {
		tool_curve(o->key, o->server_key);
		curve_set = 1;
	}
	Ffc__V1__ControlReply *reply = NULL;
	req->operator_ = (char *)(uintptr_t)o->operator_name;
	req->purpose = (char *)(uintptr_t)o->purpose;
	int rc = ffc_control_call(o->control, req, &reply, o->timeout_ms);
	if (rc == FFC_ENODAEMON)
		tool_exit(EXIT_FAIL, "no such socket: %s (is ffcd running?)", o->control);
	if (rc == FFC_EPERM)
		tool_exit(EXIT_FAIL,
		          "permission denied: %s (the control socket is readable only by the "
		          "daemon's user)",
		          o->control);
	if (rc == FFC_ETIMEOUT)
		tool_exit(EXIT_FAIL, "no answer from ffcd at %s within %d ms", o->control,
		          o->timeout_ms);
	if (rc != FFC_OK)
		tool_exit(EXIT_FAIL, "%s: %s", o->control, ffc_strerror(rc));
	if (reply->error[0]) {
		fprintf(stderr, "ffcctl: ffcd: %s\n", reply->error);
		if (!o->purpose[0] && strstr(reply->error, "purpose: required"))
			fprintf(stderr, "ffcctl: a child's record is read for a reason: give it "
			                "with --purpose TEXT (or $FFC_PURPOSE)\n");
		ffc__v1__control_reply__free_unpacked(reply, NULL);
		exit(EXIT_FAIL);
	}
	return reply;
}

/* ---- status ---- */

static void human_bytes(uint64_t b, char *buf, size_t len)
{
	if (b >= (UINT64_C(1) << 30))
		snprintf(buf, len, "%.1f GiB", (double)b / (double)(UINT64_C(1) << 30));
	else if (b >= (UINT64_C(1) << 20))
		snprintf(buf, len, "%.1f MiB", (double)b / (double)(UINT64_C(1) << 20));
	else
		snprintf(buf, len, "%.0f KiB", (double)b / 1024.0);
}

static int cmd_status(const struct opts *o, int argc, char **argv)
{
	int n;
	ctl_positionals(argc, argv, &n);
	if (n)
		tool_exit(EXIT_USAGE, "status takes no arguments");
	Ffc__V1__StatusRequest sr = FFC__V1__STATUS_REQUEST__INIT;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_STATUS;
	req.status = &sr;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__StatusReply *s = r->status;
	if (!s)
		tool_exit(EXIT_FAIL, "ffcd sent no status");
	if (o->json) {
		tool_print_json(&s->base);
	} else {
		char started[32], used[32], map[32], max[32];
		tool_time(s->started_at_ms, started, sizeof started);
		human_bytes(s->store_bytes, used, sizeof used);
		human_bytes(s->store_map_bytes, map, sizeof map);
		human_bytes(s->store_map_max_bytes, max, sizeof max);
		printf("ffcd %s, pid %u, up %llud %02lluh %02llum (since %s)\n", s->version, s->pid,
		       (unsigned long long)(s->uptime_s / 86400),
		       (unsigned long long)(s->uptime_s / 3600 % 24),
		       (unsigned long long)(s->uptime_s / 60 % 60), started);
		printf("ingest     %s\n", s->ingest_endpoint);
		printf("alerts     %s\n", s->alerts_endpoint);
		printf("control    %s\n", s->control_endpoint);
		printf("store      %s (%s used, map %s of at most %s, format %u)\n", s->store_path,
		       used, map, max, s->store_format);
		if (s->store_fault[0]) {
			char at[32];
			tool_time(s->store_fault_at_ms, at, sizeof at);
			printf("FAULT      %s since %s: concerns are refused until it clears\n",
			       s->store_fault, at);
		}
		if (s->disk_full) {
			char at[32];
			tool_time(s->disk_full_at_ms, at, sizeof at);
			printf("disk full  %llu writes refused, the last at %s\n",
			       (unsigned long long)s->disk_full, at);
		}
		printf("concerns   %llu\nchildren   %llu\nalerts     %llu\n",
		       (unsigned long long)s->concerns, (unsigned long long)s->children,
		       (unsigned long long)s->alerts);
		char loaded[32];
		tool_time(s->rules_loaded_at_ms, loaded, sizeof loaded);
		printf("rules      %u, loaded %s from %s\n", s->rules, loaded,
		       s->config_path[0] ? s->config_path : "the built-in defaults (no -c FILE)");
		if (s->security_mode[0])
			printf("security   %s%s%s, %u keys accepted\n", s->security_mode,
			       s->server_public_key[0] ? ", daemon public key " : "",
			       s->server_public_key, s->keys);
		for (size_t i = 0; i < s->n_outcomes; i++)
			printf("%s%s%s", i ? ", " : "outcomes   ", s->outcomes[i],
			       i + 1 == s->n_outcomes ? "\n" : "");
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

/* ---- stats ---- */

static void counters(const char *title, Ffc__V1__Counter **c, size_t n)
{
	printf("%s\n", title);
	if (n == 0)
		printf("  (none)\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-48s %10llu\n", c[i]->name, (unsigned long long)c[i]->count);
}

static int cmd_stats(const struct opts *o, int argc, char **argv)
{
	int n;
	ctl_positionals(argc, argv, &n);
	if (n)
		tool_exit(EXIT_USAGE, "stats takes no arguments");
	Ffc__V1__StatsRequest sr = FFC__V1__STATS_REQUEST__INIT;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_STATS;
	req.stats = &sr;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__StatsReply *s = r->stats;
	if (!s)
		tool_exit(EXIT_FAIL, "ffcd sent no stats");
	if (o->json) {
		tool_print_json(&s->base);
	} else {
		printf("concerns %llu, children %llu, alerts %llu (stored)\n",
		       (unsigned long long)s->concerns, (unsigned long long)s->children,
		       (unsigned long long)s->alerts);
		counters("concerns by agency", s->concerns_by_agency, s->n_concerns_by_agency);
		counters("alerts by level", s->alerts_by_level, s->n_alerts_by_level);
		counters("alerts by rule", s->alerts_by_rule, s->n_alerts_by_rule);
		counters("possible matches by kind", s->matches_by_kind, s->n_matches_by_kind);
		printf("identity: %llu merges, %llu splits, %llu conflicts (stored)\n",
		       (unsigned long long)s->merges, (unsigned long long)s->splits,
		       (unsigned long long)s->identity_conflicts);
		printf("overdue now %llu, overdue reminders sent %llu\n",
		       (unsigned long long)s->overdue, (unsigned long long)s->reminders);
		printf("withdrawn %llu (kept, not counted by rules), purged %llu (retention)\n",
		       (unsigned long long)s->withdrawn, (unsigned long long)s->purged);
		printf("social care statuses %llu (versions stored), lookups %llu (answered)\n",
		       (unsigned long long)s->child_statuses, (unsigned long long)s->lookups);
		printf("Operation Encompass notices %llu, feedback to referrers %llu (stored)\n",
		       (unsigned long long)s->notices, (unsigned long long)s->feedback);
		printf("audit trail: %llu entries, %llu control requests refused (stored)\n",
		       (unsigned long long)s->audit_entries,
		       (unsigned long long)s->control_refused);
		printf("since this ffcd started (%llu batches committed):\n",
		       (unsigned long long)s->batches);
		if (s->batches && s->batch_sizes && s->batch_seconds) {
			char last[32];
			tool_time(s->last_batch_at_ms, last, sizeof last);
			printf(
			    "  batches: %.1f concerns and %.1f ms to commit on average, the last "
			    "at %s\n",
			    s->batch_sizes->sum / (double)s->batches,
			    1000.0 * s->batch_seconds->sum / (double)s->batches, last);
		}
		printf("  connected now: %llu consoles, %llu adapters\n",
		       (unsigned long long)s->consoles, (unsigned long long)s->adapters);
		counters("receipts by status", s->receipts_by_status, s->n_receipts_by_status);
		counters("rejects by reason", s->rejects_by_reason, s->n_rejects_by_reason);
		printf("  CURVE handshakes refused: %llu unknown key, %llu role not allowed, "
		       "%llu malformed\n",
		       (unsigned long long)s->refused_unknown_key,
		       (unsigned long long)s->refused_role,
		       (unsigned long long)s->refused_malformed);
		counters("refused or cut on the sockets", s->peers, s->n_peers);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

/* ---- an alert as one row (the alert log and other lists) ---- */

void ctl_print_alert_row(const Ffc__V1__Alert *a)
{
	char when[32];
	tool_time(a->raised_at_ms, when, sizeof when);
	/* The child by its one display name, as the daemon chose it. */
	char name[300] = "";
	if (a->child && (a->child->given_name[0] || a->child->family_name[0]))
		snprintf(name, sizeof name, "%s%s%s: ", a->child->given_name,
		         a->child->given_name[0] && a->child->family_name[0] ? " " : "",
		         a->child->family_name);
	printf("  %-10s %-16s %-5s %-16s %-10s %s%s\n", a->alert_id, when,
	       tool_enum_name(&ffc__v1__level__descriptor, (int)a->level), a->rule, a->child_id,
	       name, a->reason);
}

/* ---- alerts ---- */

static int cmd_alerts(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"since", required_argument, NULL, 's'},
	    {"level", required_argument, NULL, 'l'},
	    {"limit", required_argument, NULL, 'n'},
	    {"state", required_argument, NULL, 'S'},
	    {"overdue", no_argument, NULL, 'O'},
	    {"details", no_argument, NULL, 'D'},
	    {NULL, 0, NULL, 0},
	};
	Ffc__V1__AlertsRequest ar = FFC__V1__ALERTS_REQUEST__INIT;
	long long limit = 0;
	int opt, details = 0;
	optind = 0;
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 's':
			ar.since_seq = (uint64_t)tool_number("--since", optarg, 0, INT64_MAX);
			break;
		case 'l':
			if (!strcasecmp(optarg, "amber"))
				ar.level = FFC__V1__LEVEL__AMBER;
			else if (!strcasecmp(optarg, "red"))
				ar.level = FFC__V1__LEVEL__RED;
			else
				tool_exit(EXIT_USAGE, "--level: '%s' is not amber or red", optarg);
			break;
		case 'n':
			limit = tool_number("--limit", optarg, 1, 5000);
			break;
		case 'S':
			ar.state = ctl_alert_state_parse(optarg);
			if (!ar.state)
				tool_exit(
				    EXIT_USAGE,
				    "--state: '%s' is not open, acknowledged, closed or superseded",
				    optarg);
			break;
		case 'O':
			ar.overdue = 1;
			break;
		case 'D':
			details = 1;
			ar.history = 1;
			break;
		default:
			tool_exit(EXIT_USAGE,
			          "alerts: usage: alerts [--since SEQ] [--level L] [--limit N]"
			          " [--state S] [--overdue] [--details]");
		}
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "alerts: unexpected argument '%s'", argv[optind]);
	ar.limit = (uint32_t)limit;
	if (!o->json)
		printf("  %-10s %-20s %-5s %-16s %-10s %s\n", "alert", "raised", "level", "rule",
		       "child", "reason");
	size_t shown = 0;
	for (;;) {
		Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
		req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS;
		req.alerts = &ar;
		Ffc__V1__ControlReply *r = ctl_call(o, &req);
		const Ffc__V1__AlertsReply *a = r->alerts;
		if (!a)
			tool_exit(EXIT_FAIL, "ffcd sent no alerts");
		for (size_t i = 0; i < a->n_alerts; i++) {
			if (o->json)
				tool_print_json(&a->alerts[i]->base);
			else
				ctl_print_alert_row(a->alerts[i]);
			if (!o->json && details)
				ctl_print_alert_history(a->alerts[i]);
			else if (!o->json)
				ctl_print_alert_state(a->alerts[i]);
			ar.since_seq = a->alerts[i]->seq;
			shown++;
		}
		/* Follow the pages unless the caller asked for a number. */
		int more = a->more && !limit && a->n_alerts > 0;
		ffc__v1__control_reply__free_unpacked(r, NULL);
		if (!more)
			break;
	}
	if (!o->json && shown == 0)
		printf("  (no alerts)\n");
	return 0;
}

static int cmd_shutdown(const struct opts *o, int argc, char **argv)
{
	int n;
	ctl_positionals(argc, argv, &n);
	if (n)
		tool_exit(EXIT_USAGE, "shutdown takes no arguments");
	Ffc__V1__ShutdownRequest sr = FFC__V1__SHUTDOWN_REQUEST__INIT;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_SHUTDOWN;
	req.shutdown = &sr;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	if (!o->json)
		printf("ffcd is shutting down\n");
	else
		puts("{}");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

/* Every command: its name on the command line and the function that runs
 * it with its own arguments (argv[0] is the command name). One a line, so
 * each addition is a line of its own. */
static const struct command {
	const char *name;
	int (*run)(const struct opts *o, int argc, char **argv);
} commands[] = {
    /* clang-format off */
    {"status", cmd_status},
    {"stats", cmd_stats},
    {"child", cmd_child},
    {"alerts", cmd_alerts},
    {"shutdown", cmd_shutdown},
    {"reload", ctl_cmd_reload},
    {"rules", ctl_cmd_rules},
    {"matches", cmd_matches},
    /* identity review (ffcctl_identity.c) */
    {"conflicts", cmd_conflicts},
    {"identities", cmd_identities},
    {"link", cmd_link},
    {"unlink", cmd_unlink},
    /* working alerts: ffcctl_alerts.c */
    {"ack", ctl_cmd_ack},
    {"close", ctl_cmd_close},
    {"note", ctl_cmd_note},
    {"assign", ctl_cmd_assign},
    /* retention, correction and backup: ffcctl_keep.c */
    {"purge", ctl_cmd_purge},
    {"withdraw", ctl_cmd_withdraw},
    {"backup", ctl_cmd_backup},
    /* keys: ffcctl_keys.c */
    {"keygen", ctl_cmd_keygen},
    /* the family and households: ffcctl_family.c */
    {"family", cmd_family},
    {"household", cmd_household},
    /* the audit trail: ffcctl_audit.c */
    {"audit", ctl_cmd_audit},
    /* point-of-contact lookups: ffcctl_lookup.c */
    {"lookup", ctl_cmd_lookup},
    {"accesses", ctl_cmd_accesses},
    /* schools and the partnership: ffcctl_notices.c */
    {"notices", ctl_cmd_partnership},
    {"notice", ctl_cmd_partnership},
    {"feedback", ctl_cmd_partnership},
    {"contact", ctl_cmd_partnership},
    {"report", ctl_cmd_partnership},
    {NULL, NULL},
    /* clang-format on */
};

int main(int argc, char **argv)
{
	struct opts *o = &options_in_force;
	*o = (struct opts){
	    .control = tool_env("FFC_CONTROL", DEFAULT_CONTROL),
	    .operator_name = tool_env("FFC_OPERATOR", tool_env("USER", "")),
	    .purpose = tool_env("FFC_PURPOSE", ""),
	    .timeout_ms = DEFAULT_TIMEOUT_MS,
	    .key = tool_env("FFC_KEY", NULL),
	    .server_key = tool_env("FFC_SERVER_KEY", NULL),
	};
	int opt;
	/* "+": the global options before the command; the command's own
	 * parsing takes any after it (ctl_getopt). */
	while ((opt = getopt_long(argc, argv, "+h", global_options, NULL)) != -1) {
		if (!apply_global(opt, optarg)) {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[optind];
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(cmd, c->name))
			return c->run(o, argc - optind, argv + optind);
	tool_exit(EXIT_USAGE, "unknown command '%s' (try --help)", cmd);
}
