/*
 * ffcctl_notices.c - schools and the partnership: `notices` (Operation
 * Encompass notices, a school's own with its key), `notice ack NOTICE
 * --by NAME` (its DSL), `feedback` (what referring agencies were told),
 * `contact PRACTITIONER --contact TEXT` and `report --from DATE --to DATE
 * [--csv]` (the partnership's figures, admin).
 *
 * Owns these commands' arguments, tables and CSV. The requests and JSON
 * come from libffc.
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "ffcctl.h"

#define DAY_MS INT64_C(86400000)

static const char *agency_word(int agency)
{
	return tool_enum_name(&ffc__v1__agency__descriptor, agency);
}

/* ---- notices ---- */

static const char *front_door_words(Ffc__V1__FrontDoorReason r)
{
	switch (r) {
	case FFC__V1__FRONT_DOOR_REASON__NO_KNOWN_SCHOOL:
		return "front door: no known school";
	case FFC__V1__FRONT_DOOR_REASON__HOME_EDUCATED:
		return "front door: home educated";
	case FFC__V1__FRONT_DOOR_REASON__SCHOOL_NOT_CONFIGURED:
		return "front door: school not configured";
	default:
		return "";
	}
}

void ctl_print_notice(const Ffc__V1__SchoolNotice *n)
{
	char incident[32], due[32], at[32];
	ffc_format_time(n->incident_at_ms, incident, sizeof incident);
	ffc_format_time(n->due_at_ms, due, sizeof due);
	printf("  %-10s %-8s %-28.28s %s %s, born %s\n", n->notice_id, n->urn[0] ? n->urn : "-",
	       n->school_name[0] ? n->school_name : front_door_words(n->front_door), n->given_name,
	       n->family_name, n->date_of_birth[0] ? n->date_of_birth : "?");
	printf("             incident %s UTC (%s), police ref %s, due %s UTC%s%s\n", incident,
	       n->child_present ? "child present" : "child not present", n->police_reference, due,
	       n->child_id[0] ? ", child " : "", n->child_id);
	if (n->front_door && n->school_name[0])
		printf("             %s\n", front_door_words(n->front_door));
	if (n->withdrawn_at_ms) {
		ffc_format_time(n->withdrawn_at_ms, at, sizeof at);
		printf("             WITHDRAWN at %s UTC: the police withdrew the concern\n", at);
	} else if (n->acknowledged_at_ms) {
		ffc_format_time(n->acknowledged_at_ms, at, sizeof at);
		printf("             acknowledged by %s at %s UTC%s\n", n->acknowledged_by, at,
		       n->acknowledged_at_ms <= n->due_at_ms ? "" : " (after it was due)");
	} else if (n->reminded_at_ms) {
		ffc_format_time(n->reminded_at_ms, at, sizeof at);
		printf("             NOT ACKNOWLEDGED: reminded at %s UTC\n", at);
	} else {
		printf("             not acknowledged yet\n");
	}
}

/* Ask, print, and ask again from the last seq printed while the daemon
 * says there is more, unless the caller set a limit: `page` prints one
 * reply's items, moves *since past them and says whether there is more.
 * "(no <what>)" when there was nothing, but as JSON. */
typedef size_t (*page_fn)(const struct opts *o, const Ffc__V1__ControlReply *r, uint64_t *since,
                          int *more);

static void pages(const struct opts *o, Ffc__V1__ControlRequest *req, uint64_t *since, int limited,
                  page_fn page, const char *what)
{
	size_t shown = 0;
	for (;;) {
		Ffc__V1__ControlReply *r = ctl_call(o, req);
		int more = 0;
		shown += page(o, r, since, &more);
		ffc__v1__control_reply__free_unpacked(r, NULL);
		if (!more || limited)
			break;
	}
	if (!o->json && shown == 0)
		printf("  (no %s)\n", what);
}

static size_t notices_page(const struct opts *o, const Ffc__V1__ControlReply *r, uint64_t *since,
                           int *more)
{
	const Ffc__V1__NoticesReply *p = r->notices;
	if (!p)
		tool_exit(EXIT_FAIL, "ffcd sent no notices");
	for (size_t i = 0; i < p->n_notices; i++) {
		if (o->json)
			tool_print_json(&p->notices[i]->base);
		else
			ctl_print_notice(p->notices[i]);
		*since = p->notices[i]->seq;
	}
	*more = p->more && p->n_notices > 0;
	return p->n_notices;
}

static size_t feedback_page(const struct opts *o, const Ffc__V1__ControlReply *r, uint64_t *since,
                            int *more)
{
	const Ffc__V1__FeedbackReply *p = r->feedback;
	if (!p)
		tool_exit(EXIT_FAIL, "ffcd sent no feedback");
	for (size_t i = 0; i < p->n_feedback; i++) {
		const Ffc__V1__Feedback *f = p->feedback[i];
		if (o->json) {
			tool_print_json(&f->base);
		} else {
			char when[32];
			ffc_format_time(f->closed_at_ms, when, sizeof when);
			printf("  %-10s %-12s %s UTC  %s closed: %s\n", f->feedback_id,
			       agency_word(f->agency), when, f->alert_id, f->outcome);
			printf("             your concerns:");
			for (size_t k = 0; k < f->n_concern_ids; k++)
				printf(" %s", f->concern_ids[k]);
			printf("\n             lead practitioner: %s%s%s\n",
			       f->lead_practitioner[0] ? f->lead_practitioner : "(none)",
			       f->lead_contact[0] ? ", " : "", f->lead_contact);
		}
		*since = f->seq;
	}
	*more = p->more && p->n_feedback > 0;
	return p->n_feedback;
}

static int cmd_notices(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"since", required_argument, NULL, 's'},
	    {"urn", required_argument, NULL, 'u'},
	    {"limit", required_argument, NULL, 'n'},
	    {"unacknowledged", no_argument, NULL, 'U'},
	    {NULL, 0, NULL, 0},
	};
	Ffc__V1__NoticesRequest nr = FFC__V1__NOTICES_REQUEST__INIT;
	long long limit = 0;
	int opt;
	optind = 0; /* GNU getopt starts afresh: options may follow arguments */
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 's':
			nr.since_seq = (uint64_t)tool_number("--since", optarg, 0, INT64_MAX);
			break;
		case 'u':
			nr.urn = optarg;
			break;
		case 'n':
			limit = tool_number("--limit", optarg, 1, 5000);
			break;
		case 'U':
			nr.unacknowledged = 1;
			break;
		default:
			tool_exit(EXIT_USAGE,
			          "notices: usage: notices [--since SEQ] [--urn URN|front-door]"
			          " [--unacknowledged] [--limit N]");
		}
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "notices: unexpected argument '%s'", argv[optind]);
	nr.limit = (uint32_t)limit;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_NOTICES;
	req.notices = &nr;
	pages(o, &req, &nr.since_seq, limit != 0, notices_page, "notices");
	return 0;
}

/* notice ack NOTICE --by NAME */
static int cmd_notice(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"by", required_argument, NULL, 'b'},
	    {NULL, 0, NULL, 0},
	};
	const char *usage = "notice: usage: notice ack NOTICE --by NAME";
	if (argc < 2 || strcmp(argv[1], "ack"))
		tool_exit(EXIT_USAGE, "%s", usage);
	Ffc__V1__NoticeAckRequest ar = FFC__V1__NOTICE_ACK_REQUEST__INIT;
	int opt;
	optind = 0; /* GNU getopt starts afresh: options may follow arguments */
	while ((opt = ctl_getopt(argc - 1, argv + 1, options)) != -1) {
		if (opt == 'b')
			ar.by = optarg;
		else
			tool_exit(EXIT_USAGE, "%s", usage);
	}
	if (optind != argc - 2)
		tool_exit(EXIT_USAGE, "%s", usage);
	ar.notice_id = argv[1 + optind];
	if (!ar.by[0])
		tool_exit(EXIT_USAGE, "notice ack: --by NAME is required (who acknowledges it)");
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_NOTICE_ACK;
	req.notice_ack = &ar;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	if (!r->notice_ack || !r->notice_ack->notice)
		tool_exit(EXIT_FAIL, "ffcd sent no notice");
	if (o->json)
		tool_print_json(&r->notice_ack->notice->base);
	else
		ctl_print_notice(r->notice_ack->notice);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

/* ---- feedback ---- */

static int cmd_feedback(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"since", required_argument, NULL, 's'},
	    {"agency", required_argument, NULL, 'a'},
	    {"limit", required_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	Ffc__V1__FeedbackRequest fr = FFC__V1__FEEDBACK_REQUEST__INIT;
	long long limit = 0;
	int opt;
	optind = 0; /* GNU getopt starts afresh: options may follow arguments */
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 's':
			fr.since_seq = (uint64_t)tool_number("--since", optarg, 0, INT64_MAX);
			break;
		case 'a': {
			int a = tool_enum_parse(&ffc__v1__agency__descriptor, optarg);
			if (a < 0)
				tool_exit(EXIT_USAGE,
				          "--agency: '%s' is not police, health, education, "
				          "social-care or other",
				          optarg);
			fr.agency = (Ffc__V1__Agency)a;
			break;
		}
		case 'n':
			limit = tool_number("--limit", optarg, 1, 5000);
			break;
		default:
			tool_exit(
			    EXIT_USAGE,
			    "feedback: usage: feedback [--since SEQ] [--agency A] [--limit N]");
		}
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "feedback: unexpected argument '%s'", argv[optind]);
	fr.limit = (uint32_t)limit;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_FEEDBACK;
	req.feedback = &fr;
	pages(o, &req, &fr.since_seq, limit != 0, feedback_page, "feedback");
	return 0;
}

/* contact PRACTITIONER --contact TEXT */
static int cmd_contact(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"contact", required_argument, NULL, 'c'},
	    {NULL, 0, NULL, 0},
	};
	Ffc__V1__ContactRequest cr = FFC__V1__CONTACT_REQUEST__INIT;
	int opt;
	optind = 0; /* GNU getopt starts afresh: options may follow arguments */
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt == 'c')
			cr.contact = optarg;
		else
			tool_exit(EXIT_USAGE,
			          "contact: usage: contact PRACTITIONER --contact TEXT");
	}
	if (optind != argc - 1 || !cr.contact[0])
		tool_exit(EXIT_USAGE, "contact: usage: contact PRACTITIONER --contact TEXT");
	cr.practitioner = argv[optind];
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CONTACT;
	req.contact = &cr;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	if (!r->contact)
		tool_exit(EXIT_FAIL, "ffcd sent no contact");
	if (o->json)
		tool_print_json(&r->contact->base);
	else
		printf("%s: %s\n", r->contact->practitioner, r->contact->contact);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

/* ---- report ---- */

/* A CSV field, quoted when it must be (RFC 4180). */
static void csv_field(const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void csv_row(const char *section, const char *key, const char *sub, const char *item,
                    const char *value)
{
	csv_field(section);
	putchar(',');
	csv_field(key);
	putchar(',');
	csv_field(sub);
	putchar(',');
	csv_field(item);
	putchar(',');
	csv_field(value);
	putchar('\n');
}

static const char *num(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

static void report_csv(const Ffc__V1__ReportReply *r)
{
	char v[32], w[32];
	const ProtobufCEnumDescriptor *lv = &ffc__v1__level__descriptor;
	puts("section,key,subkey,item,value");
	csv_row("concerns", "", "", "received", num(r->concerns, v, sizeof v));
	for (size_t i = 0; i < r->n_concerns_by; i++)
		csv_row("concerns", agency_word(r->concerns_by[i]->agency),
		        tool_enum_name(&ffc__v1__category__descriptor, r->concerns_by[i]->category),
		        "received", num(r->concerns_by[i]->count, v, sizeof v));
	csv_row("alerts", "", "", "raised", num(r->alerts, v, sizeof v));
	for (size_t i = 0; i < r->n_alerts_by; i++)
		csv_row("alerts", r->alerts_by[i]->rule, tool_enum_name(lv, r->alerts_by[i]->level),
		        r->alerts_by[i]->outcome, num(r->alerts_by[i]->count, v, sizeof v));
	for (size_t i = 0; i < r->n_alerts_by_month; i++)
		csv_row("alerts_by_month", r->alerts_by_month[i]->month,
		        r->alerts_by_month[i]->rule,
		        tool_enum_name(lv, r->alerts_by_month[i]->level),
		        num(r->alerts_by_month[i]->count, v, sizeof v));
	for (size_t i = 0; i < r->n_response; i++) {
		const Ffc__V1__ResponseFigures *f = r->response[i];
		const char *level = tool_enum_name(lv, f->level);
		csv_row("response", level, "", "alerts", num(f->alerts, v, sizeof v));
		csv_row("response", level, "", "responded", num(f->responded, v, sizeof v));
		snprintf(w, sizeof w, "%lld", (long long)f->median_ms);
		csv_row("response", level, "", "median_ms", w);
		snprintf(w, sizeof w, "%lld", (long long)f->p90_ms);
		csv_row("response", level, "", "p90_ms", w);
		snprintf(w, sizeof w, "%lld", (long long)f->response_ms);
		csv_row("response", level, "", "response_ms", w);
		csv_row("response", level, "", "counted", num(f->counted, v, sizeof v));
		csv_row("response", level, "", "within", num(f->within, v, sizeof v));
		snprintf(w, sizeof w, "%.4f", f->within_share);
		csv_row("response", level, "", "within_share", w);
	}
	csv_row("children", "", "", "alerted", num(r->children_alerted, v, sizeof v));
	csv_row("children", "", "", "realerted", num(r->children_realerted, v, sizeof v));
	const Ffc__V1__NoticeFigures *n = r->notices;
	if (n) {
		csv_row("notices", "", "", "notices", num(n->notices, v, sizeof v));
		csv_row("notices", "", "", "to_schools", num(n->to_schools, v, sizeof v));
		csv_row("notices", "", "", "to_front_door", num(n->to_front_door, v, sizeof v));
		csv_row("notices", "", "", "acknowledged", num(n->acknowledged, v, sizeof v));
		csv_row("notices", "", "", "judged", num(n->judged, v, sizeof v));
		csv_row("notices", "", "", "acknowledged_by_due",
		        num(n->acknowledged_by_due, v, sizeof v));
		snprintf(w, sizeof w, "%.4f", n->share_by_due);
		csv_row("notices", "", "", "share_by_due", w);
		csv_row("notices", "", "", "reminded", num(n->reminded, v, sizeof v));
	}
	for (size_t i = 0; i < r->n_adapters; i++) {
		const Ffc__V1__AdapterFigures *a = r->adapters[i];
		csv_row("adapter", a->adapter, "", "accepted", num(a->accepted, v, sizeof v));
		csv_row("adapter", a->adapter, "", "rejected", num(a->rejected, v, sizeof v));
		csv_row("adapter", a->adapter, "", "children", num(a->children, v, sizeof v));
		csv_row("adapter", a->adapter, "", "children_identified",
		        num(a->children_identified, v, sizeof v));
		snprintf(w, sizeof w, "%.4f", a->identified_share);
		csv_row("adapter", a->adapter, "", "identified_share", w);
		for (size_t k = 0; k < a->n_rejections; k++)
			csv_row("adapter", a->adapter, "rejection", a->rejections[k]->name,
			        num(a->rejections[k]->count, v, sizeof v));
	}
	csv_row("matches", "", "", "unreviewed", num(r->matches_unreviewed, v, sizeof v));
	for (size_t i = 0; i < r->n_matches_unreviewed_by_kind; i++)
		csv_row("matches", r->matches_unreviewed_by_kind[i]->name, "", "unreviewed",
		        num(r->matches_unreviewed_by_kind[i]->count, v, sizeof v));
}

static void duration(int64_t ms, char *buf, size_t len)
{
	if (ms >= 3600000)
		snprintf(buf, len, "%lldh%02lldm", (long long)(ms / 3600000),
		         (long long)(ms / 60000 % 60));
	else
		snprintf(buf, len, "%lldm%02llds", (long long)(ms / 60000),
		         (long long)(ms / 1000 % 60));
}

static void report_text(const Ffc__V1__ReportReply *r)
{
	char from[32], to[32], made[32];
	ffc_format_time(r->from_ms, from, sizeof from);
	ffc_format_time(r->to_ms, to, sizeof to);
	ffc_format_time(r->made_at_ms, made, sizeof made);
	printf("partnership report: from %s to %s UTC (made %s UTC)\n\n", from, to, made);
	printf("concerns received: %llu\n", (unsigned long long)r->concerns);
	for (size_t i = 0; i < r->n_concerns_by; i++)
		printf("  %-12s %-24s %8llu\n", agency_word(r->concerns_by[i]->agency),
		       tool_enum_name(&ffc__v1__category__descriptor, r->concerns_by[i]->category),
		       (unsigned long long)r->concerns_by[i]->count);
	printf("\nalerts raised: %llu\n", (unsigned long long)r->alerts);
	for (size_t i = 0; i < r->n_alerts_by; i++)
		printf("  %-20s %-6s %-26s %8llu\n", r->alerts_by[i]->rule,
		       tool_enum_name(&ffc__v1__level__descriptor, r->alerts_by[i]->level),
		       r->alerts_by[i]->outcome, (unsigned long long)r->alerts_by[i]->count);
	if (r->n_alerts_by_month)
		printf("\nalerts raised by month (UTC):\n");
	for (size_t i = 0; i < r->n_alerts_by_month; i++)
		printf("  %-8s %-20s %-6s %8llu\n", r->alerts_by_month[i]->month,
		       r->alerts_by_month[i]->rule,
		       tool_enum_name(&ffc__v1__level__descriptor, r->alerts_by_month[i]->level),
		       (unsigned long long)r->alerts_by_month[i]->count);
	printf("\ntime to respond (first acknowledged, or closed without):\n");
	for (size_t i = 0; i < r->n_response; i++) {
		const Ffc__V1__ResponseFigures *f = r->response[i];
		char med[32], p90[32], resp[32];
		duration(f->median_ms, med, sizeof med);
		duration(f->p90_ms, p90, sizeof p90);
		duration(f->response_ms, resp, sizeof resp);
		printf("  %-6s %llu alerts, %llu responded: median %s, 90th percentile %s; "
		       "within %s: %llu of %llu (%.0f%%)\n",
		       tool_enum_name(&ffc__v1__level__descriptor, f->level),
		       (unsigned long long)f->alerts, (unsigned long long)f->responded, med, p90,
		       resp, (unsigned long long)f->within, (unsigned long long)f->counted,
		       100.0 * f->within_share);
	}
	printf("\nchildren alerted: %llu, of whom %llu within 12 months of a closed alert\n",
	       (unsigned long long)r->children_alerted, (unsigned long long)r->children_realerted);
	const Ffc__V1__NoticeFigures *n = r->notices;
	if (n)
		printf("\nOperation Encompass notices: %llu (%llu to schools, %llu to the front "
		       "door), %llu acknowledged; of %llu due or acknowledged, %llu "
		       "acknowledged by their due time (%.0f%%); %llu reminded\n",
		       (unsigned long long)n->notices, (unsigned long long)n->to_schools,
		       (unsigned long long)n->to_front_door, (unsigned long long)n->acknowledged,
		       (unsigned long long)n->judged, (unsigned long long)n->acknowledged_by_due,
		       100.0 * n->share_by_due, (unsigned long long)n->reminded);
	printf("\nadapters (concerns they sent, by UTC day):\n");
	if (r->n_adapters == 0)
		printf("  (none)\n");
	for (size_t i = 0; i < r->n_adapters; i++) {
		const Ffc__V1__AdapterFigures *a = r->adapters[i];
		printf("  %-20s %llu accepted, %llu rejected; %llu children named, %llu with an "
		       "NHS number or UPN (%.0f%%)\n",
		       a->adapter, (unsigned long long)a->accepted, (unsigned long long)a->rejected,
		       (unsigned long long)a->children, (unsigned long long)a->children_identified,
		       100.0 * a->identified_share);
		for (size_t k = 0; k < a->n_rejections; k++)
			printf("      %-60s %8llu\n", a->rejections[k]->name,
			       (unsigned long long)a->rejections[k]->count);
	}
	printf("\npossible matches not reviewed: %llu\n",
	       (unsigned long long)r->matches_unreviewed);
	for (size_t i = 0; i < r->n_matches_unreviewed_by_kind; i++)
		printf("  %-30s %8llu\n", r->matches_unreviewed_by_kind[i]->name,
		       (unsigned long long)r->matches_unreviewed_by_kind[i]->count);
}

/* A date (the whole day: to the end of it for --to) or a UTC time. */
static int64_t period_end(const char *flag, const char *s, int end)
{
	int64_t ms;
	if (ffc_parse_time(s, &ms) != FFC_OK)
		tool_exit(EXIT_USAGE, "%s: '%s' is not a date (2026-03-31) or UTC time", flag, s);
	return end && strlen(s) == 10 ? ms + DAY_MS : ms;
}

static int cmd_report(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"csv", no_argument, NULL, 'c'},
	    {NULL, 0, NULL, 0},
	};
	const char *usage = "report: usage: report --from DATE --to DATE [--csv]";
	Ffc__V1__ReportRequest rr = FFC__V1__REPORT_REQUEST__INIT;
	const char *from = NULL, *to = NULL;
	int csv = 0, opt;
	optind = 0; /* GNU getopt starts afresh: options may follow arguments */
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt == 'f')
			from = optarg;
		else if (opt == 't')
			to = optarg;
		else if (opt == 'c')
			csv = 1;
		else
			tool_exit(EXIT_USAGE, "%s", usage);
	}
	if (optind < argc || !from || !to)
		tool_exit(EXIT_USAGE, "%s", usage);
	if (csv && o->json)
		tool_exit(EXIT_USAGE, "report: --csv or --json, not both");
	rr.from_ms = period_end("--from", from, 0);
	rr.to_ms = period_end("--to", to, 1);
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_REPORT;
	req.report = &rr;
	Ffc__V1__ControlReply *r = ctl_call(o, &req);
	if (!r->report)
		tool_exit(EXIT_FAIL, "ffcd sent no report");
	if (o->json)
		tool_print_json(&r->report->base);
	else if (csv)
		report_csv(r->report);
	else
		report_text(r->report);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

int ctl_cmd_partnership(const struct opts *o, int argc, char **argv)
{
	if (!strcmp(argv[0], "notices"))
		return cmd_notices(o, argc, argv);
	if (!strcmp(argv[0], "notice"))
		return cmd_notice(o, argc, argv);
	if (!strcmp(argv[0], "feedback"))
		return cmd_feedback(o, argc, argv);
	if (!strcmp(argv[0], "contact"))
		return cmd_contact(o, argc, argv);
	return cmd_report(o, argc, argv);
}
