/*
 * ffcctl_alerts.c - working alerts from the command line: ack, close and
 * note an alert, assign a child's lead practitioner, and printing where an
 * alert stands (state, due time, history) and a child's practitioners.
 *
 * `--by NAME` is who did it, and is required: the daemon records it with
 * the change. The account running ffcctl is sent as the operator as for
 * every command.
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "ffcctl.h"

/* ---- printing ---- */

static const char *state_word(Ffc__V1__AlertState s)
{
	switch (s) {
	case FFC__V1__ALERT_STATE__OPEN:
		return "open";
	case FFC__V1__ALERT_STATE__ACKNOWLEDGED:
		return "acknowledged";
	case FFC__V1__ALERT_STATE__CLOSED:
		return "closed";
	case FFC__V1__ALERT_STATE__SUPERSEDED:
		return "superseded";
	default:
		return "unknown";
	}
}

Ffc__V1__AlertState ctl_alert_state_parse(const char *s)
{
	for (int v = FFC__V1__ALERT_STATE__OPEN; v <= FFC__V1__ALERT_STATE__SUPERSEDED; v++)
		if (!strcasecmp(s, state_word((Ffc__V1__AlertState)v)))
			return (Ffc__V1__AlertState)v;
	return FFC__V1__ALERT_STATE__ALERT_STATE_UNSPECIFIED;
}

void ctl_print_alert_state(const Ffc__V1__Alert *a)
{
	ctl_print_alert_state_at(a, 13);
}

void ctl_print_alert_state_at(const Ffc__V1__Alert *a, int indent)
{
	char when[32], due[32];
	tool_time(a->due_at_ms, due, sizeof due);
	printf("%*s%s", indent, "", state_word(a->state));
	switch (a->state) {
	case FFC__V1__ALERT_STATE__ACKNOWLEDGED:
		tool_time(a->acknowledged_at_ms, when, sizeof when);
		printf(" by %s at %s", a->acknowledged_by, when);
		break;
	case FFC__V1__ALERT_STATE__CLOSED:
		tool_time(a->closed_at_ms, when, sizeof when);
		printf(" by %s at %s: %s", a->closed_by, when, a->outcome);
		break;
	case FFC__V1__ALERT_STATE__SUPERSEDED:
		break;
	default:
		if (a->due_at_ms)
			printf(", due %s", due);
		if (a->overdue_at_ms)
			printf(", OVERDUE");
		break;
	}
	if (a->lead_practitioner[0])
		printf("; lead practitioner %s", a->lead_practitioner);
	printf("\n");
}

void ctl_print_alert_history(const Ffc__V1__Alert *a)
{
	ctl_print_alert_state(a);
	for (size_t i = 0; i < a->n_history; i++) {
		const Ffc__V1__AlertEvent *e = a->history[i];
		char when[32];
		tool_time(e->at_ms, when, sizeof when);
		printf("  %-10s %-20s %-12s %s", "", when,
		       tool_enum_name(&ffc__v1__alert_event__action__descriptor, (int)e->action),
		       e->by);
		if (e->outcome[0])
			printf(": %s", e->outcome);
		printf("\n");
		/* A note may run over several lines: indent each. */
		const char *p = e->text;
		while (*p) {
			size_t n = strcspn(p, "\n");
			printf("  %-10s %-16s %-12s | %.*s\n", "", "", "", (int)n, p);
			p += n + (p[n] == '\n');
		}
	}
}

void ctl_print_practitioners(const Ffc__V1__ChildReply *c)
{
	printf("lead practitioner: %s\n",
	       c->lead_practitioner[0] ? c->lead_practitioner : "(none assigned)");
	for (size_t i = 0; i < c->n_practitioners; i++) {
		const Ffc__V1__PractitionerAssignment *p = c->practitioners[i];
		char when[32];
		tool_time(p->at_ms, when, sizeof when);
		printf("  %-20s %s (assigned by %s)%s%s\n", when, p->practitioner, p->by,
		       p->note[0] ? ": " : "", p->note);
	}
}

/* ---- ack, close, note ---- */

struct change_args {
	char *alert_id, *household, *by, *note, *outcome, *text;
};

static char empty[] = "";

/* ALERT_ID, --by NAME and the command's own flags; `text` takes the one
 * positional argument after ALERT_ID when wanted. */
static void change_args(int argc, char **argv, const char *usage, int want_outcome, int want_text,
                        struct change_args *a)
{
	static const struct option options[] = {
	    {"by", required_argument, NULL, 'b'},
	    {"note", required_argument, NULL, 'n'},
	    {"outcome", required_argument, NULL, 'o'},
	    {"household", required_argument, NULL, 'H'},
	    {NULL, 0, NULL, 0},
	};
	memset(a, 0, sizeof *a);
	int opt;
	optind = 0; /* 0: GNU getopt starts afresh, options may follow ALERT_ID */
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt == 'b')
			a->by = optarg;
		else if (opt == 'n' && !want_text)
			a->note = optarg;
		else if (opt == 'o' && want_outcome)
			a->outcome = optarg;
		else if (opt == 'H' && !want_text)
			a->household = optarg;
		else
			tool_exit(EXIT_USAGE, "usage: %s", usage);
	}
	if (optind < argc && !a->household)
		a->alert_id = argv[optind++];
	if (want_text && optind < argc)
		a->text = argv[optind++];
	if ((!a->alert_id && !a->household) || optind < argc || (want_text && !a->text))
		tool_exit(EXIT_USAGE, "usage: %s", usage);
	if (!a->by || !a->by[0])
		tool_exit(EXIT_USAGE, "%s: --by NAME is required (who is doing it)", argv[0]);
	if (want_outcome && (!a->outcome || !a->outcome[0]))
		tool_exit(EXIT_USAGE,
		          "close: --outcome is required (one of the daemon's outcomes)");
}

/* TEXT "-": the note is read from standard input (at most one byte more
 * than the daemon takes, so an over-long note is refused by name). */
static char *text_arg(char *arg)
{
	if (strcmp(arg, "-") != 0)
		return arg;
	static char buf[4096];
	size_t n = fread(buf, 1, sizeof buf - 1, stdin);
	buf[n] = '\0';
	if (memchr(buf, '\0', n))
		tool_exit(EXIT_USAGE, "note: the text read from standard input holds a NUL byte");
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return buf;
}

static int show_change(const struct opts *o, Ffc__V1__ControlRequest *req,
                       Ffc__V1__ControlReply__ResultCase expect)
{
	Ffc__V1__ControlReply *r = ctl_call(o, req);
	const Ffc__V1__AlertReply *ar =
	    r->result_case == FFC__V1__CONTROL_REPLY__RESULT_ACK     ? r->ack
	    : r->result_case == FFC__V1__CONTROL_REPLY__RESULT_CLOSE ? r->close
	                                                             : r->note;
	if (!ar || !ar->alert || r->result_case != expect)
		tool_exit(EXIT_FAIL, "ffcd sent no alert");
	if (o->json) {
		tool_print_json(&ar->alert->base);
	} else {
		ctl_print_alert_row(ar->alert);
		ctl_print_alert_history(ar->alert);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

/* ack or close --household ID: every open alert of the household, each
 * changed, recorded and published as a single one would be. */
static int household_change(const struct opts *o, const struct change_args *a,
                            Ffc__V1__HouseholdAlertsRequest__Action action)
{
	Ffc__V1__HouseholdAlertsRequest hr = FFC__V1__HOUSEHOLD_ALERTS_REQUEST__INIT;
	hr.household_id = a->household;
	hr.action = action;
	hr.by = a->by;
	hr.outcome = a->outcome ? a->outcome : empty;
	hr.note = a->note ? a->note : empty;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_HOUSEHOLD_ALERTS;
	req.household_alerts = &hr;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__HouseholdAlertsReply *h = r->household_alerts;
	if (!h || r->result_case != FFC__V1__CONTROL_REPLY__RESULT_HOUSEHOLD_ALERTS)
		tool_exit(EXIT_FAIL, "ffcd sent no household alerts");
	if (o->json) {
		tool_print_json(&h->base);
	} else {
		printf("household %s: %zu alert%s %s\n", h->household_id, h->n_alerts,
		       h->n_alerts == 1 ? "" : "s",
		       action == FFC__V1__HOUSEHOLD_ALERTS_REQUEST__ACTION__ACK ? "acknowledged"
		                                                                : "closed");
		for (size_t i = 0; i < h->n_alerts; i++) {
			ctl_print_alert_row(h->alerts[i]);
			ctl_print_alert_state(h->alerts[i]);
		}
		for (size_t i = 0; i < h->n_skipped; i++)
			printf("  left as it was: %s\n", h->skipped[i]);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

int ctl_cmd_ack(const struct opts *o, int argc, char **argv)
{
	struct change_args a;
	change_args(argc, argv, "ack ALERT_ID|--household ID --by NAME [--note TEXT]", 0, 0, &a);
	if (a.household)
		return household_change(o, &a, FFC__V1__HOUSEHOLD_ALERTS_REQUEST__ACTION__ACK);
	Ffc__V1__AckRequest ack = FFC__V1__ACK_REQUEST__INIT;
	ack.alert_id = a.alert_id;
	ack.by = a.by;
	ack.note = a.note ? a.note : empty;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ACK;
	req.ack = &ack;
	return show_change(o, &req, FFC__V1__CONTROL_REPLY__RESULT_ACK);
}

int ctl_cmd_close(const struct opts *o, int argc, char **argv)
{
	struct change_args a;
	change_args(argc, argv,
	            "close ALERT_ID|--household ID --by NAME --outcome OUTCOME [--note TEXT]", 1, 0,
	            &a);
	if (a.household)
		return household_change(o, &a, FFC__V1__HOUSEHOLD_ALERTS_REQUEST__ACTION__CLOSE);
	Ffc__V1__CloseRequest close = FFC__V1__CLOSE_REQUEST__INIT;
	close.alert_id = a.alert_id;
	close.by = a.by;
	close.outcome = a.outcome;
	close.note = a.note ? a.note : empty;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CLOSE;
	req.close = &close;
	return show_change(o, &req, FFC__V1__CONTROL_REPLY__RESULT_CLOSE);
}

int ctl_cmd_note(const struct opts *o, int argc, char **argv)
{
	struct change_args a;
	change_args(argc, argv, "note ALERT_ID --by NAME TEXT|-", 0, 1, &a);
	Ffc__V1__NoteRequest note = FFC__V1__NOTE_REQUEST__INIT;
	note.alert_id = a.alert_id;
	note.by = a.by;
	note.text = text_arg(a.text);
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_NOTE;
	req.note = &note;
	return show_change(o, &req, FFC__V1__CONTROL_REPLY__RESULT_NOTE);
}

/* ---- assign ---- */

int ctl_cmd_assign(const struct opts *o, int argc, char **argv)
{
	static const char usage[] =
	    "assign CHILD | --nhs N | --upn U --practitioner NAME --by NAME [--note TEXT]";
	static const struct option options[] = {
	    {"nhs", required_argument, NULL, 'n'},          {"upn", required_argument, NULL, 'u'},
	    {"practitioner", required_argument, NULL, 'p'}, {"by", required_argument, NULL, 'b'},
	    {"note", required_argument, NULL, 't'},         {NULL, 0, NULL, 0},
	};
	Ffc__V1__ChildRequest cr = FFC__V1__CHILD_REQUEST__INIT;
	Ffc__V1__AssignRequest as = FFC__V1__ASSIGN_REQUEST__INIT;
	int opt, named = 0;
	optind = 0; /* 0: GNU getopt starts afresh, options may follow ALERT_ID */
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 'n':
			cr.nhs_number = optarg;
			named++;
			break;
		case 'u':
			cr.upn = optarg;
			named++;
			break;
		case 'p':
			as.practitioner = optarg;
			break;
		case 'b':
			as.by = optarg;
			break;
		case 't':
			as.note = optarg;
			break;
		default:
			tool_exit(EXIT_USAGE, "usage: %s", usage);
		}
	}
	if (optind < argc) {
		cr.child_id = argv[optind++];
		named++;
	}
	if (named != 1 || optind < argc)
		tool_exit(EXIT_USAGE, "assign: give exactly one of CHILD, --nhs N or --upn U");
	if (!as.practitioner[0])
		tool_exit(EXIT_USAGE, "assign: --practitioner NAME is required");
	if (!as.by[0])
		tool_exit(EXIT_USAGE, "assign: --by NAME is required (who is assigning)");
	as.child = &cr;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ASSIGN;
	req.assign = &as;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	const Ffc__V1__AssignReply *a = r->assign;
	if (!a || r->result_case != FFC__V1__CONTROL_REPLY__RESULT_ASSIGN)
		tool_exit(EXIT_FAIL, "ffcd sent no assignment");
	if (o->json) {
		tool_print_json(&a->base);
	} else {
		Ffc__V1__ChildReply c = FFC__V1__CHILD_REPLY__INIT;
		c.child_id = a->child_id;
		c.lead_practitioner = a->lead_practitioner;
		c.n_practitioners = a->n_practitioners;
		c.practitioners = a->practitioners;
		printf("child %s\n", a->child_id);
		ctl_print_practitioners(&c);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}
