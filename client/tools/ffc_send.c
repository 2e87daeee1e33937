/*
 * ffc-send - sends concerns to ffcd the way an agency adapter does: one
 * from flags, or many from a JSON Lines file (or stdin), pipelined over a
 * DEALER socket with a window of concerns in flight. Every concern is kept
 * until its receipt comes; what gets no receipt in time is sent again (the
 * daemon answers DUPLICATE for what it already stored), so a daemon restart
 * in the middle of a file loses nothing.
 *
 * Owns the input formats, the window and the summary; messages and JSON
 * come from libffc.
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "common.h"
#include "ffc_send_input.h"

const char *tool_name = "ffc-send";

/* Rejections listed one by one before "... and N more". */
#define REJECTS_SHOWN 50

struct pending {
	int used;
	long line;
	char *concern_id;
	uint8_t *frame;
	size_t len;
	int64_t sent_at_ms;
};

struct sender {
	ffc_conn_t *conn;
	size_t window;
	int timeout_ms;
	int64_t give_up_ms;
	int quiet, progress;
	int json; /* one JSON object a line on stdout: each answer, then the summary */
	struct pending *slots;
	size_t in_flight;
	/* counts */
	unsigned long sent, accepted, duplicate, rejected, resent, unanswered;
	int64_t started_ms, last_receipt_ms, last_progress_ms;
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: ffc-send [--ingest EP] [--window N] [--timeout MS] [--give-up S] [--quiet]\n"
	    "                [--json] FILE | - | CONCERN FLAGS\n"
	    "\n"
	    "Send concerns to ffcd and print what became of them. Options may come\n"
	    "before or after FILE.\n"
	    "\n"
	    "  FILE or -      ffc.v1.Concern objects in JSON, one a line (JSON Lines) or\n"
	    "                 pretty-printed over several lines. Field names as in\n"
	    "                 proto/ffc.proto or the protobuf JSON mapping's camelCase\n"
	    "                 (\"concernId\"), enums by name (\"police\", \"DOMESTIC_ABUSE\") or\n"
	    "                 number, integers as numbers or strings; what\n"
	    "                 json_format.MessageToJson writes is read as it is.\n"
	    "                 \"occurred_at\"/\"reported_at\" may be dates instead of *_ms:\n"
	    "                 2026-03-02, 2026-03-02T14:05Z or RFC 3339 with a fraction and\n"
	    "                 an offset, 2026-03-02T14:05:30.5+01:00 (no offset: UTC).\n"
	    "                 A social care status is {\"child_status\": {...}} (its\n"
	    "                 \"recorded_at\" a date too), matched by its status_id.\n"
	    "                 Blank lines and lines starting with # are skipped.\n"
	    "Concern flags (one concern):\n"
	    "  --agency A --category C --severity S   required (e.g. police, domestic-abuse, "
	    "high)\n"
	    "  --nhs N --upn U --local-id X --given G --family F --name \"G F\" --dob YYYY-MM-DD\n"
	    "  --postcode P   the child (at least one identifier)\n"
	    "  --occurred T   when it happened (YYYY-MM-DD[THH:MM[:SS[.FFF]]][Z|+HH:MM];\n"
	    "                 no offset: UTC; default now)\n"
	    "  --id ID --summary TEXT --reporter TEXT --source SYSTEM\n"
	    "Options:\n"
	    "  --ingest EP    ingest endpoint (default $FFC_INGEST or " DEFAULT_INGEST ")\n"
	    "  --key FILE     CURVE: this tool's secret certificate, NAME.key_secret\n"
	    "                 (default $FFC_KEY)\n"
	    "  --server-key FILE\n"
	    "                 CURVE: the daemon's public certificate (default $FFC_SERVER_KEY)\n"
	    "  --window N     concerns in flight (default 256)\n"
	    "  --timeout MS   resend what has no receipt after this long (default 5000)\n"
	    "  --give-up S    stop after S seconds without any receipt (default 60)\n"
	    "  --quiet        print only problems\n"
	    "  --json         on stdout, one JSON object a line with a \"type\": each\n"
	    "                 \"receipt\" (the ffc.v1.Receipt, with the input \"line\"), each\n"
	    "                 \"invalid\" input (\"line\", \"error\"), each \"unanswered\"\n"
	    "                 concern, then the \"summary\" (the counts)\n"
	    "Exit status: 0 all accepted or duplicate, 1 some rejected or unanswered, 2 usage.\n");
}

/* ---- the window ---- */

static void slot_free(struct sender *s, struct pending *p)
{
	free(p->concern_id);
	free(p->frame);
	memset(p, 0, sizeof *p);
	s->in_flight--;
}

/* One JSON line {"type": type, "line": line, ...fields of msg or extra}. */
static void print_json(const char *type, long line, const ProtobufCMessage *msg, const char *key,
                       const char *value)
{
	json_t *o = json_object();
	json_t *body = NULL;
	if (msg) {
		char *text = ffc_json_from_message(msg);
		body = text ? json_loads(text, 0, NULL) : NULL;
		free(text);
	}
	if (!o || (msg && !body) || json_object_set_new(o, "type", json_string(type)) < 0 ||
	    (line > 0 && json_object_set_new(o, "line", json_integer(line)) < 0) ||
	    (body && json_object_update(o, body) < 0) ||
	    (key && json_object_set_new(o, key, json_string(value)) < 0))
		tool_exit(EXIT_FAIL, "out of memory");
	char *out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!out)
		tool_exit(EXIT_FAIL, "out of memory");
	puts(out);
	free(out);
	json_decref(body);
	json_decref(o);
}

static void send_slot(struct sender *s, struct pending *p)
{
	int rc = ffc_conn_send(s->conn, p->frame, p->len, s->timeout_ms);
	/* A full queue means the daemon is away: the timeout resends it. */
	if (rc != FFC_OK && rc != FFC_ETIMEOUT)
		tool_exit(EXIT_FAIL, "send: %s", ffc_strerror(rc));
	p->sent_at_ms = tool_now_ms();
}

static void report_reject(struct sender *s, long line, const char *id, const char *error)
{
	s->rejected++;
	if (s->json)
		return; /* on stdout, with every other answer */
	if (s->rejected <= REJECTS_SHOWN)
		fprintf(stderr, "%sline %ld: %s%s%s\n", s->progress ? "\r\033[K" : "", line,
		        id && id[0] ? id : "", id && id[0] ? ": " : "", error);
	else if (s->rejected == REJECTS_SHOWN + 1)
		fprintf(stderr, "(further rejections counted, not listed)\n");
}

static void progress(struct sender *s, int force)
{
	if (!s->progress)
		return;
	int64_t now = tool_now_ms();
	if (!force && now - s->last_progress_ms < 100)
		return;
	s->last_progress_ms = now;
	double secs = (double)(now - s->started_ms) / 1000.0;
	fprintf(stderr, "\r\033[K%lu sent, %lu accepted, %lu duplicate, %lu rejected (%.0f/s)",
	        s->sent, s->accepted, s->duplicate, s->rejected,
	        secs > 0 ? (double)(s->accepted + s->duplicate + s->rejected) / secs : 0.0);
}

/* What a frame in flight is matched by: its concern_id, or for a social
 * care status (Concern.child_status) its status_id behind a byte no id
 * may hold, so the two never meet. Malloc'd. */
static char *frame_key(const char *concern_id, const char *status_id)
{
	char *key = malloc(strlen(status_id) + strlen(concern_id) + 2);
	if (!key)
		tool_exit(EXIT_FAIL, "out of memory");
	if (status_id[0])
		sprintf(key, "\x01%s", status_id);
	else
		strcpy(key, concern_id);
	return key;
}

/* Take one receipt if one comes within timeout_ms. Returns 1 when one was
 * taken, 0 otherwise. */
static int take_receipt(struct sender *s, int timeout_ms)
{
	Ffc__V1__Receipt *r = NULL;
	int rc = ffc_recv_receipt(s->conn, &r, timeout_ms);
	if (rc == FFC_ETIMEOUT)
		return 0;
	if (rc != FFC_OK) {
		fprintf(stderr, "ffc-send: a reply that is not a receipt: %s\n", ffc_strerror(rc));
		return 0;
	}
	s->last_receipt_ms = tool_now_ms();
	/* Match by concern_id, oldest in flight first (an id reused by two
	 * lines is answered in order). A receipt for something no longer in
	 * flight is the answer to a resend already counted. */
	struct pending *match = NULL;
	char *key = frame_key(r->concern_id, r->status_id);
	for (size_t i = 0; i < s->window; i++) {
		struct pending *p = &s->slots[i];
		if (p->used && !strcmp(p->concern_id, key) && (!match || p->line < match->line))
			match = p;
	}
	free(key);
	if (match) {
		if (s->json)
			print_json("receipt", match->line, &r->base, NULL, NULL);
		switch (r->status) {
		case FFC__V1__RECEIPT__STATUS__ACCEPTED:
			s->accepted++;
			break;
		case FFC__V1__RECEIPT__STATUS__DUPLICATE:
			s->duplicate++;
			break;
		default:
			report_reject(s, match->line,
			              r->status_id[0] ? r->status_id : r->concern_id, r->error);
			break;
		}
		slot_free(s, match);
	} else if (r->status == FFC__V1__RECEIPT__STATUS__REJECTED && !r->concern_id[0]) {
		/* An unparsable frame: we only send what we encoded, so this
		 * is not ours to match. */
		fprintf(stderr, "ffc-send: daemon rejected a frame: %s\n", r->error);
	}
	ffc__v1__receipt__free_unpacked(r, NULL);
	progress(s, 0);
	return 1;
}

/* Resend whatever has waited longer than the timeout; give up when the
 * daemon has been silent for too long. */
static void resend_overdue(struct sender *s)
{
	int64_t now = tool_now_ms();
	if (now - s->last_receipt_ms > s->give_up_ms) {
		for (size_t i = 0; i < s->window; i++) {
			if (!s->slots[i].used)
				continue;
			const char *key = s->slots[i].concern_id;
			key += key[0] == '\x01';
			if (s->json)
				print_json("unanswered", s->slots[i].line, NULL, "concern_id", key);
			else
				fprintf(stderr, "%sline %ld: %s: no receipt\n",
				        s->progress ? "\r\033[K" : "", s->slots[i].line, key);
			s->unanswered++;
			slot_free(s, &s->slots[i]);
		}
		return;
	}
	for (size_t i = 0; i < s->window; i++) {
		struct pending *p = &s->slots[i];
		if (p->used && now - p->sent_at_ms >= s->timeout_ms) {
			send_slot(s, p);
			s->resent++;
		}
	}
}

static void submit(struct sender *s, long line, const Ffc__V1__Concern *c)
{
	while (s->in_flight == s->window) {
		if (!take_receipt(s, 200))
			resend_overdue(s);
	}
	struct pending *p = NULL;
	for (size_t i = 0; i < s->window && !p; i++)
		if (!s->slots[i].used)
			p = &s->slots[i];
	if (!p) /* in_flight < window guarantees a free slot */
		tool_exit(EXIT_FAIL, "internal error: no free slot in the window");
	p->used = 1;
	p->line = line;
	p->concern_id = frame_key(c->concern_id, c->child_status ? c->child_status->status_id : "");
	p->len = ffc__v1__concern__get_packed_size(c);
	p->frame = malloc(p->len ? p->len : 1);
	if (!p->concern_id || !p->frame)
		tool_exit(EXIT_FAIL, "out of memory");
	ffc__v1__concern__pack(c, p->frame);
	s->in_flight++;
	s->sent++;
	send_slot(s, p);
	/* Take receipts already waiting, without blocking. */
	while (take_receipt(s, 0))
		;
}

static void drain(struct sender *s)
{
	while (s->in_flight > 0) {
		if (!take_receipt(s, 200))
			resend_overdue(s);
	}
}

/* ---- files ---- */

/* A line of input that is no concern: counted as sent and rejected. */
static void invalid(struct sender *s, long line, const char *error)
{
	s->sent++;
	if (s->json)
		print_json("invalid", line, NULL, "error", error);
	report_reject(s, line, NULL, error);
}

static void send_file(struct sender *s, FILE *in)
{
	struct send_input si;
	send_input_init(&si, in);
	const char *text;
	long line = 0;
	int rc;
	while ((rc = send_input_next(&si, &text, &line)) != SEND_INPUT_END) {
		if (rc == SEND_INPUT_ERROR)
			tool_exit(EXIT_FAIL, "reading input: %s",
			          ferror(in) ? "read error" : "out of memory");
		if (rc == SEND_INPUT_TOO_LONG) {
			invalid(s, line, "an object longer than 1 MiB (a concern is a few KiB)");
			continue;
		}
		if (rc == SEND_INPUT_UNCLOSED) {
			invalid(s, line, "not JSON: an object whose braces are not closed");
			continue;
		}
		char err[256];
		Ffc__V1__Concern *c = NULL;
		int crc = send_concern_from_json(text, &c, err, sizeof err);
		if (crc == FFC_ENOMEM)
			tool_exit(EXIT_FAIL, "out of memory");
		if (crc != FFC_OK) {
			invalid(s, line, err);
			continue;
		}
		submit(s, line, c);
		ffc__v1__concern__free_unpacked(c, NULL);
		progress(s, 0);
	}
	send_input_release(&si);
}

/* ---- one concern from flags ---- */

static int enum_value(const ProtobufCEnumDescriptor *d, const char *flag, const char *name)
{
	char want[64];
	size_t i;
	for (i = 0; name[i] && i < sizeof want - 1; i++)
		want[i] =
		    name[i] == '-'
		        ? '_'
		        : (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
	want[i] = '\0';
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value_by_name(d, want);
	if (!v || v->value == 0)
		tool_exit(EXIT_USAGE, "%s: '%s' is not a value of %s", flag, name, d->short_name);
	return v->value;
}

int main(int argc, char **argv)
{
	enum {
		O_INGEST = 256,
		O_WINDOW,
		O_TIMEOUT,
		O_GIVEUP,
		O_QUIET,
		O_ID,
		O_AGENCY,
		O_CATEGORY,
		O_SEVERITY,
		O_NHS,
		O_UPN,
		O_LOCAL,
		O_GIVEN,
		O_FAMILY,
		O_NAME,
		O_DOB,
		O_POSTCODE,
		O_OCCURRED,
		O_SUMMARY,
		O_REPORTER,
		O_SOURCE,
		O_VERSION,
		O_KEY,
		O_SERVER_KEY,
		O_JSON
	};
	static const struct option options[] = {
	    {"ingest", required_argument, NULL, O_INGEST},
	    {"window", required_argument, NULL, O_WINDOW},
	    {"timeout", required_argument, NULL, O_TIMEOUT},
	    {"give-up", required_argument, NULL, O_GIVEUP},
	    {"quiet", no_argument, NULL, O_QUIET},
	    {"id", required_argument, NULL, O_ID},
	    {"agency", required_argument, NULL, O_AGENCY},
	    {"category", required_argument, NULL, O_CATEGORY},
	    {"severity", required_argument, NULL, O_SEVERITY},
	    {"nhs", required_argument, NULL, O_NHS},
	    {"upn", required_argument, NULL, O_UPN},
	    {"local-id", required_argument, NULL, O_LOCAL},
	    {"given", required_argument, NULL, O_GIVEN},
	    {"family", required_argument, NULL, O_FAMILY},
	    {"name", required_argument, NULL, O_NAME},
	    {"dob", required_argument, NULL, O_DOB},
	    {"postcode", required_argument, NULL, O_POSTCODE},
	    {"occurred", required_argument, NULL, O_OCCURRED},
	    {"summary", required_argument, NULL, O_SUMMARY},
	    {"reporter", required_argument, NULL, O_REPORTER},
	    {"source", required_argument, NULL, O_SOURCE},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, O_VERSION},
	    {"key", required_argument, NULL, O_KEY},
	    {"server-key", required_argument, NULL, O_SERVER_KEY},
	    {"json", no_argument, NULL, O_JSON},
	    {NULL, 0, NULL, 0},
	};
	const char *ingest = tool_env("FFC_INGEST", DEFAULT_INGEST);
	const char *key = tool_env("FFC_KEY", NULL), *server_key = tool_env("FFC_SERVER_KEY", NULL);
	struct sender s = {.window = 256, .timeout_ms = DEFAULT_TIMEOUT_MS, .give_up_ms = 60000};
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	Ffc__V1__ChildIdentity kid = FFC__V1__CHILD_IDENTITY__INIT;
	char *name_copy = NULL;
	int flags_given = 0, opt;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (opt >= O_ID && opt <= O_SOURCE)
			flags_given = 1;
		switch (opt) {
		case O_INGEST:
			ingest = optarg;
			break;
		case O_KEY:
			key = optarg;
			break;
		case O_SERVER_KEY:
			server_key = optarg;
			break;
		case O_WINDOW:
			s.window = (size_t)tool_number("--window", optarg, 1, 100000);
			break;
		case O_TIMEOUT:
			s.timeout_ms = (int)tool_number("--timeout", optarg, 10, 3600000);
			break;
		case O_GIVEUP:
			s.give_up_ms = tool_number("--give-up", optarg, 1, 86400) * 1000;
			break;
		case O_QUIET:
			s.quiet = 1;
			break;
		case O_JSON:
			s.json = 1;
			break;
		case O_ID:
			c.concern_id = optarg;
			break;
		case O_AGENCY:
			c.agency = enum_value(&ffc__v1__agency__descriptor, "--agency", optarg);
			break;
		case O_CATEGORY:
			c.category =
			    enum_value(&ffc__v1__category__descriptor, "--category", optarg);
			break;
		case O_SEVERITY:
			c.severity =
			    enum_value(&ffc__v1__severity__descriptor, "--severity", optarg);
			break;
		case O_NHS:
			kid.nhs_number = optarg;
			break;
		case O_UPN:
			kid.upn = optarg;
			break;
		case O_LOCAL:
			kid.local_id = optarg;
			break;
		case O_GIVEN:
			kid.given_name = optarg;
			break;
		case O_FAMILY:
			kid.family_name = optarg;
			break;
		case O_NAME: {
			/* "Given Family": the last word is the family name. */
			free(name_copy);
			name_copy = strdup(optarg);
			if (!name_copy)
				tool_exit(EXIT_FAIL, "out of memory");
			char *sp = strrchr(name_copy, ' ');
			if (!sp)
				tool_exit(EXIT_USAGE,
				          "--name: give \"Given Family\" (or --given/--family)");
			*sp = '\0';
			kid.given_name = name_copy;
			kid.family_name = sp + 1;
			break;
		}
		case O_DOB:
			kid.date_of_birth = optarg;
			break;
		case O_POSTCODE:
			kid.postcode = optarg;
			break;
		case O_OCCURRED:
			if (ffc_parse_time(optarg, &c.occurred_at_ms) != FFC_OK)
				tool_exit(EXIT_USAGE,
				          "--occurred: '%s' is not like 2026-03-02T14:05Z or "
				          "2026-03-02T14:05:30+01:00",
				          optarg);
			break;
		case O_SUMMARY:
			c.summary = optarg;
			break;
		case O_REPORTER:
			c.reporter = optarg;
			break;
		case O_SOURCE:
			c.source_system = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case O_VERSION:
			printf("ffc-send %s\n", FFC_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	int from_file = optind < argc;
	if (from_file && (flags_given || optind + 1 < argc))
		tool_exit(EXIT_USAGE, "give one FILE (or -), or concern flags, not both");
	if (!from_file && !flags_given) {
		usage(stderr);
		return EXIT_USAGE;
	}
	FILE *in = NULL;
	if (from_file) {
		in = strcmp(argv[optind], "-") ? fopen(argv[optind], "r") : stdin;
		if (!in)
			tool_exit(EXIT_FAIL, "%s: cannot open", argv[optind]);
	}

	tool_curve(key, server_key);
	s.conn = ffc_conn_new(ingest);
	if (!s.conn)
		tool_exit(EXIT_USAGE, "--ingest: cannot connect to '%s'", ingest);
	s.slots = calloc(s.window, sizeof *s.slots);
	if (!s.slots)
		tool_exit(EXIT_FAIL, "out of memory");
	s.progress = !s.quiet && !s.json && isatty(STDERR_FILENO) && from_file;
	s.started_ms = s.last_receipt_ms = tool_now_ms();

	if (from_file) {
		send_file(&s, in);
		if (in != stdin)
			fclose(in);
	} else {
		char id[64];
		if (!c.concern_id[0]) {
			snprintf(id, sizeof id, "ffc-send-%lld-%ld", (long long)s.started_ms,
			         (long)getpid());
			c.concern_id = id;
		}
		if (!c.occurred_at_ms)
			c.occurred_at_ms = s.started_ms;
		c.reported_at_ms = s.started_ms;
		Ffc__V1__ChildIdentity *kids[1] = {&kid};
		c.n_children = 1;
		c.children = kids;
		submit(&s, 1, &c);
	}
	drain(&s);
	progress(&s, 1);
	if (s.progress)
		fputc('\n', stderr);

	double secs = (double)(tool_now_ms() - s.started_ms) / 1000.0;
	unsigned long answered = s.accepted + s.duplicate + s.rejected;
	if (s.json) {
		char summary[512];
		snprintf(summary, sizeof summary,
		         "{\"type\":\"summary\",\"sent\":%lu,\"accepted\":%lu,\"duplicate\":%lu,"
		         "\"rejected\":%lu,\"unanswered\":%lu,\"resent\":%lu,\"seconds\":%.3f}",
		         s.sent, s.accepted, s.duplicate, s.rejected, s.unanswered, s.resent, secs);
		puts(summary);
	} else if (!s.quiet || s.rejected || s.unanswered)
		printf("%lu concerns: %lu accepted, %lu duplicate, %lu rejected, %lu unanswered"
		       " (%lu resent) in %.2f s, %.0f/s\n",
		       s.sent, s.accepted, s.duplicate, s.rejected, s.unanswered, s.resent, secs,
		       secs > 0 ? (double)answered / secs : 0.0);
	free(s.slots);
	free(name_copy);
	ffc_conn_destroy(&s.conn);
	return s.rejected || s.unanswered ? EXIT_FAIL : 0;
}
