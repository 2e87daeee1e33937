/*
 * ffc-watch - a MACPT console in the terminal. Subscribes to the alerts
 * socket (alerts and heartbeats) first, then catches up through the
 * control socket on everything raised since the last alert it saw, then
 * prints alerts as they come. It catches up again whenever it learns it
 * missed something: an alert whose seq is more than one past the last seen,
 * a heartbeat announcing a later seq or a restarted daemon, and every
 * reconnection. Alerts are printed once each, in seq order (fetched ones
 * before the live one that revealed the gap; duplicates dropped by seq). It
 * says on stderr when it caught up, lost the connection, or heard no
 * heartbeat for a few seconds. The last seq handled is kept in a small
 * state file.
 *
 * With --notices (a school's DSL, or the front door) or --feedback (an
 * agency) it watches those instead of alerts, the same way: subscribe,
 * catch up by seq through the control socket at start, on every
 * reconnection and after a restart, print each once.
 *
 * Owns the catch-up, the state file and the printing; when to catch up is
 * decided in ffc_watch_gap.c.
 */
#define _GNU_SOURCE /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "ffc_watch_gap.h"

const char *tool_name = "ffc-watch";

static volatile sig_atomic_t stop;

/* The word of an agency in feedback topics ("social-care"). */
static void agency_word(int agency, char *out, size_t len)
{
	snprintf(out, len, "%s", tool_enum_name(&ffc__v1__agency__descriptor, agency));
	for (char *p = out; *p; p++)
		*p = *p == '_' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct watch {
	const char *alerts_ep, *control_ep;
	const char *state_path;
	int level; /* 0 = every level */
	int json;
	int alerts_only; /* leave out changes and reminders */
	long long count; /* stop after this many (0 = never) */
	long long printed;
	struct watch_gap gap; /* gap.last: every alert up to it was handled */
	int timeout_ms;
	int pending; /* a catch-up failed: retry at retry_ms */
	enum watch_reason pending_why;
	int64_t retry_ms;
	/* --notices DEST (a URN, or "front-door") or --feedback AGENCY: the
	 * stream watched instead of alerts; gap.last is then its seq. */
	const char *notices;
	int feedback;
};

/* Watching notices or feedback rather than alerts. */
static int other(const struct watch *w)
{
	return w->notices || w->feedback;
}

/* Between attempts to reach the control socket after one failed. */
#define RETRY_MS 2000
/* How long one wait for the alerts socket lasts, so retries and the
 * silence check run while nothing arrives. */
#define TICK_MS 500

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: ffc-watch [--alerts EP] [--control EP] [--level amber|red] [--since SEQ]\n"
	    "                 [--state FILE] [--json] [--alerts-only] [--count N]\n"
	    "\n"
	    "Print MACPT alerts as ffcd raises them, after catching up on those missed.\n"
	    "Every alert is printed once, in seq order: whenever a jump in seq, a\n"
	    "heartbeat, a daemon restart or a reconnection shows that some were missed,\n"
	    "they are fetched through the control socket first. Catching up, losing the\n"
	    "connection and hearing no heartbeat for 3 s are reported on stderr.\n"
	    "\n"
	    "  --alerts EP    alerts endpoint (default $FFC_ALERTS or " DEFAULT_ALERTS ")\n"
	    "  --key FILE     CURVE: this tool's secret certificate, NAME.key_secret\n"
	    "                 (default $FFC_KEY)\n"
	    "  --server-key FILE\n"
	    "                 CURVE: the daemon's public certificate (default $FFC_SERVER_KEY)\n"
	    "  --control EP   control endpoint for catching up (default $FFC_CONTROL or\n"
	    "                 " DEFAULT_CONTROL ")\n"
	    "  --level L      only AMBER or only RED alerts\n"
	    "  --since SEQ    print alerts after SEQ (0: all), instead of the state file's\n"
	    "  --state FILE   where the last seq seen is kept (default\n"
	    "                 $XDG_STATE_HOME/ffc/watch.seq, else ~/.local/state/ffc/watch.seq)\n"
	    "  --json         one JSON object a line, each with a \"type\" and the fields of\n"
	    "                 its message as in ffc.proto: \"alert\" (Alert), \"change\"\n"
	    "                 (AlertChange: acknowledged, noted, closed), \"evidence\" and\n"
	    "                 \"reopen\" (AlertChange with the concern), \"overdue\" (Alert),\n"
	    "                 \"heartbeat\" (Heartbeat), \"access\" (AccessNotice); and what is "
	    "said on stderr:\n"
	    "                 \"caught_up\" (count, reason), \"disconnected\" (endpoint),\n"
	    "                 \"silent\" (seconds), \"restarted\" (started_at_ms)\n"
	    "  --alerts-only  leave out who acknowledged, noted or closed an alert, new\n"
	    "                 evidence on an open one (EVIDENCE lines), the reminders of\n"
	    "                 overdue ones and the lookups of known children by points\n"
	    "                 of contact (ACCESS lines) (shown as they happen otherwise;\n"
	    "                 those missed while away are in ffcctl alerts --details and\n"
	    "                 ffcctl accesses)\n"
	    "  --count N      exit after N alerts\n"
	    "  --notices URN  a school's DSL (with the school's key): its Operation\n"
	    "                 Encompass notices, their reminders and acknowledgements,\n"
	    "                 instead of alerts; --notices front-door: the front door's\n"
	    "                 notices and every notice's reminder and acknowledgement\n"
	    "  --feedback AGENCY\n"
	    "                 an agency (with its adapter's key): the feedback on closed\n"
	    "                 alerts its concerns were evidence for, instead of alerts\n");
}

/* ---- the state file ---- */

static char *default_state_path(const char *file)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[1024];
	if (xdg && xdg[0])
		snprintf(dir, sizeof dir, "%s/ffc", xdg);
	else if (home && home[0])
		snprintf(dir, sizeof dir, "%s/.local/state/ffc", home);
	else
		return NULL;
	/* Create the directory chain, 0700: it says what a console has seen. */
	for (char *p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	}
	mkdir(dir, 0700);
	size_t n = strlen(dir) + strlen(file) + 2;
	char *path = malloc(n);
	if (path)
		snprintf(path, n, "%s/%s", dir, file);
	return path;
}

static int state_read(const char *path, uint64_t *seq)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	unsigned long long v;
	int ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	if (!ok)
		return -1;
	*seq = v;
	return 0;
}

static void state_write(const struct watch *w)
{
	if (!w->state_path)
		return;
	char tmp[1100];
	snprintf(tmp, sizeof tmp, "%s.tmp", w->state_path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%llu\n", (unsigned long long)w->gap.last);
	/* Write then rename: a crash leaves the old seq or the new one. */
	if (fclose(f) == 0 && rename(tmp, w->state_path) < 0)
		unlink(tmp);
}

/* One JSON line: {"type": type, ...the message's fields}. */
static void print_typed(const char *type, const ProtobufCMessage *m)
{
	char *json = ffc_json_from_message(m);
	if (!json)
		tool_exit(EXIT_FAIL, "out of memory");
	/* The message is an object: the type goes first inside it. */
	printf("{\"type\":\"%s\"%s%s\n", type, json[1] == '}' ? "" : ",", json + 1);
	free(json);
	fflush(stdout);
}

/* What is said on stderr, also as a JSON line for a program reading
 * --json: {"type": type, key: text or number}. */
static void print_notice(const struct watch *w, const char *type, const char *key, json_t *value,
                         const char *key2, json_t *value2)
{
	json_t *o = w->json ? json_object() : NULL;
	if (!o) {
		json_decref(value);
		json_decref(value2);
		return;
	}
	/* Each json_object_set_new() takes its value, whatever it returns. */
	int failed = json_object_set_new(o, "type", json_string(type)) < 0;
	failed |= json_object_set_new(o, key, value) < 0;
	if (key2)
		failed |= json_object_set_new(o, key2, value2) < 0;
	else
		json_decref(value2);
	if (failed) {
		json_decref(o);
		return;
	}
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (text)
		puts(text);
	free(text);
	fflush(stdout);
}

/* ---- alerts ---- */

/* Print a if it is new (and of the level asked for), and move the cursor
 * past it. */
static void show(struct watch *w, const Ffc__V1__Alert *a)
{
	if (a->seq <= w->gap.last)
		return; /* seen already: catch-up and live overlap */
	if (!w->level || (int)a->level == w->level) {
		if (w->json)
			print_typed("alert", &a->base);
		else
			tool_print_alert(stdout, a);
		fflush(stdout);
		w->printed++;
	}
	watch_gap_handled(&w->gap, a->seq);
	state_write(w);
	if (w->count && w->printed >= w->count)
		stop = 1;
}

/* Someone acknowledged, noted or closed an alert (every console sees who
 * has it), or a new concern joined an open one or reopened it. Notes
 * themselves are never on this socket. */
static void show_change(const struct watch *w, const Ffc__V1__AlertChange *c)
{
	if (w->level && (int)c->level != w->level)
		return;
	int evidence = c->event && c->event->action == FFC__V1__ALERT_EVENT__ACTION__EVIDENCE;
	int reopen = c->event && c->event->action == FFC__V1__ALERT_EVENT__ACTION__REOPENED;
	if (w->json) {
		print_typed(evidence ? "evidence" : reopen ? "reopen" : "change", &c->base);
	} else if (c->event && (c->event->action == FFC__V1__ALERT_EVENT__ACTION__EVIDENCE ||
	                        c->event->action == FFC__V1__ALERT_EVENT__ACTION__REOPENED)) {
		/* A new concern on an alert already open: as loud as a new
		 * alert, with whom to call. */
		const Ffc__V1__ConcernRef *r = c->concern;
		printf("%s %s %s %s %s  %s %s (%s, %s)  lead: %s%s%s\n",
		       c->event->action == FFC__V1__ALERT_EVENT__ACTION__EVIDENCE ? "EVIDENCE"
		                                                                  : "REOPENED",
		       tool_enum_name(&ffc__v1__level__descriptor, (int)c->level), c->rule,
		       c->child_id, c->alert_id,
		       r ? tool_enum_name(&ffc__v1__agency__descriptor, (int)r->agency) : "?",
		       r ? r->concern_id : "?",
		       r ? tool_enum_name(&ffc__v1__category__descriptor, (int)r->category) : "?",
		       r ? tool_enum_name(&ffc__v1__severity__descriptor, (int)r->severity) : "?",
		       c->lead_practitioner[0] ? c->lead_practitioner : "(none assigned)",
		       c->household_id[0] ? "  household " : "", c->household_id);
	} else if (c->event) {
		const Ffc__V1__AlertEvent *e = c->event;
		char when[32];
		tool_time(e->at_ms, when, sizeof when);
		const char *what = e->action == FFC__V1__ALERT_EVENT__ACTION__ACKNOWLEDGED
		                       ? "acknowledged"
		                   : e->action == FFC__V1__ALERT_EVENT__ACTION__CLOSED ? "closed"
		                   : e->action == FFC__V1__ALERT_EVENT__ACTION__NOTE   ? "noted"
		                                                                       : "changed";
		printf("[%s] %s  %s  child %s  %s: %s by %s%s%s\n",
		       tool_enum_name(&ffc__v1__level__descriptor, (int)c->level), c->alert_id,
		       when, c->child_id, c->rule, what, e->by, e->outcome[0] ? " -- " : "",
		       e->outcome);
	}
	fflush(stdout);
}

/* The once-only reminder that nobody acknowledged an alert in time. */
static void show_overdue(const struct watch *w, const Ffc__V1__Alert *a)
{
	if (w->level && (int)a->level != w->level)
		return;
	if (w->json) {
		print_typed("overdue", &a->base);
	} else {
		char due[32];
		tool_time(a->due_at_ms, due, sizeof due);
		printf("[%s] %s  OVERDUE: not acknowledged by %s  child %s  %s\n",
		       tool_enum_name(&ffc__v1__level__descriptor, (int)a->level), a->alert_id, due,
		       a->child_id, a->rule);
	}
	fflush(stdout);
}

/* A point of contact looked a known child up: who, where, when. */
static void show_access(const struct watch *w, const Ffc__V1__AccessNotice *n)
{
	if (w->json) {
		print_typed("access", &n->base);
	} else {
		char at[32];
		tool_time(n->at_ms, at, sizeof at);
		printf("ACCESS %s  looked up by %s at %s, %s\n", n->child_id, n->by, n->setting,
		       at);
	}
	fflush(stdout);
}

/* Fetch and print, in seq order, every stored alert after the cursor.
 * Returns how many were printed, or -1 when the control socket did not
 * answer (nothing is lost: the caller retries). Those up to `missed` are
 * reported as missed; later ones were on their way live anyway. */
static long long catch_up(struct watch *w, enum watch_reason why, uint64_t missed)
{
	const long long before = w->printed;
	long long n_missed = 0;
	for (;;) {
		Ffc__V1__AlertsRequest ar = FFC__V1__ALERTS_REQUEST__INIT;
		Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
		Ffc__V1__ControlReply *r = NULL;
		ar.since_seq = w->gap.last;
		ar.level = (Ffc__V1__Level)w->level;
		req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS;
		req.alerts = &ar;
		/* On ipc the control socket knows callers by operator name
		 * (security.operators); a key names its caller itself. */
		req.operator_ = (char *)(uintptr_t)tool_env("FFC_OPERATOR", tool_env("USER", ""));
		int rc = ffc_control_call(w->control_ep, &req, &r, w->timeout_ms);
		if (rc != FFC_OK) {
			if (!w->pending) /* once per outage, not per retry */
				fprintf(
				    stderr,
				    "ffc-watch: cannot catch up through %s: %s (trying again)\n",
				    w->control_ep, ffc_strerror(rc));
			return -1;
		}
		if (r->error[0] || !r->alerts) {
			fprintf(stderr, "ffc-watch: catching up: %s\n",
			        r->error[0] ? r->error : "no alerts in the reply");
			ffc__v1__control_reply__free_unpacked(r, NULL);
			return -1;
		}
		const Ffc__V1__AlertsReply *a = r->alerts;
		if (w->gap.last > a->last_seq) {
			/* The cursor speaks of a store with more alerts than
			 * this one: a new data directory. Start over. */
			fprintf(stderr,
			        "ffc-watch: last seen seq %llu is beyond the daemon's %llu "
			        "(a new store?): showing all\n",
			        (unsigned long long)w->gap.last, (unsigned long long)a->last_seq);
			w->gap.last = 0;
			why = WATCH_NEW_STORE;
			ffc__v1__control_reply__free_unpacked(r, NULL);
			continue;
		}
		for (size_t i = 0; i < a->n_alerts && !stop; i++) {
			long long printed = w->printed;
			show(w, a->alerts[i]);
			if (w->printed > printed && a->alerts[i]->seq <= missed)
				n_missed++;
		}
		int more = a->more && a->n_alerts > 0 && !stop;
		/* Alerts of other levels move the cursor too: everything up to
		 * last_seq was in this answer, or left out by the level. */
		if (a->n_alerts > 0)
			watch_gap_handled(&w->gap, a->alerts[a->n_alerts - 1]->seq);
		if (!a->more && !stop)
			watch_gap_handled(&w->gap, a->last_seq);
		state_write(w);
		ffc__v1__control_reply__free_unpacked(r, NULL);
		if (!more)
			break;
	}
	if (n_missed > 0) {
		fprintf(stderr, "ffc-watch: caught up %lld alert%s %s\n", n_missed,
		        n_missed == 1 ? "" : "s", watch_reason_text(why));
		print_notice(w, "caught_up", "count", json_integer(n_missed), "reason",
		             json_string(watch_reason_text(why)));
	}
	return w->printed - before;
}

/* Catch up now; when the control socket does not answer, again later
 * (not before retry_ms, however many heartbeats or gaps ask meanwhile:
 * each try may wait for the control socket's timeout). */
static int catch_up_other(struct watch *w);

static int attempt(struct watch *w, enum watch_reason why, uint64_t missed)
{
	if (w->pending && monotonic_ms() < w->retry_ms) {
		if (w->pending_why == WATCH_OK)
			w->pending_why = why;
		return -1;
	}
	if (other(w) ? catch_up_other(w) == 0 : catch_up(w, why, missed) >= 0) {
		w->pending = 0;
		return 0;
	}
	if (!w->pending || w->pending_why == WATCH_OK)
		w->pending_why = why;
	w->pending = 1;
	w->retry_ms = monotonic_ms() + RETRY_MS;
	return -1;
}

/* ---- notices and feedback (--notices, --feedback) ---- */

/* What a notice event is, by its topic: raised, reminded, acknowledged. */
static const char *notice_event(const char *topic)
{
	size_t n = strlen(topic);
	if (!strncmp(topic, "notice.reminder.", 16) ||
	    (n > 9 && !strcmp(topic + n - 9, ".reminder")))
		return "reminder";
	if (!strncmp(topic, "notice.ack.", 11) || (n > 4 && !strcmp(topic + n - 4, ".ack")))
		return "ack";
	if (!strncmp(topic, "notice.withdrawn.", 17) ||
	    (n > 10 && !strcmp(topic + n - 10, ".withdrawn")))
		return "withdrawn";
	return "notice";
}

/* One more printed: the cursor moves past seq, kept in the state file. */
static void advance(struct watch *w, uint64_t seq)
{
	w->printed++;
	watch_gap_handled(&w->gap, seq);
	state_write(w);
	if (w->count && w->printed >= w->count)
		stop = 1;
}

static void show_notice(struct watch *w, const char *event, const Ffc__V1__SchoolNotice *n)
{
	int fresh = !strcmp(event, "notice");
	if (fresh && n->seq <= w->gap.last)
		return; /* caught up already */
	if (w->json) {
		print_typed(fresh                         ? "notice"
		            : !strcmp(event, "ack")       ? "notice_ack"
		            : !strcmp(event, "withdrawn") ? "notice_withdrawn"
		                                          : "notice_reminder",
		            &n->base);
	} else {
		char incident[32], due[32];
		tool_time(n->incident_at_ms, incident, sizeof incident);
		tool_time(n->due_at_ms, due, sizeof due);
		const char *to = n->school_name[0] ? n->school_name : "the front door";
		if (!strcmp(event, "ack"))
			printf("ACKNOWLEDGED %s (%s %s) by %s\n", n->notice_id, n->given_name,
			       n->family_name, n->acknowledged_by);
		else if (!strcmp(event, "withdrawn"))
			printf("WITHDRAWN %s: the police withdrew the concern (police ref %s); "
			       "remove this notice from the school's records\n",
			       n->notice_id, n->police_reference);
		else
			printf("%s %s %s %s: %s %s, born %s; incident %s (%s), police ref %s; "
			       "due %s%s%s\n",
			       fresh ? "NOTICE" : "NOT ACKNOWLEDGED", n->notice_id,
			       n->urn[0] ? n->urn : "-", to, n->given_name, n->family_name,
			       n->date_of_birth[0] ? n->date_of_birth : "?", incident,
			       n->child_present ? "child present" : "child not present",
			       n->police_reference, due, n->child_id[0] ? ", child " : "",
			       n->child_id);
	}
	fflush(stdout);
	if (fresh)
		advance(w, n->seq);
}

static void show_feedback(struct watch *w, const Ffc__V1__Feedback *f)
{
	if (f->seq <= w->gap.last)
		return;
	if (w->json) {
		print_typed("feedback", &f->base);
	} else {
		char when[32];
		tool_time(f->closed_at_ms, when, sizeof when);
		printf("FEEDBACK %s %s: %s closed %s: %s; your concerns:", f->feedback_id,
		       tool_enum_name(&ffc__v1__agency__descriptor, (int)f->agency), f->alert_id,
		       when, f->outcome);
		for (size_t i = 0; i < f->n_concern_ids; i++)
			printf(" %s", f->concern_ids[i]);
		printf("; lead practitioner: %s%s%s\n",
		       f->lead_practitioner[0] ? f->lead_practitioner : "(none)",
		       f->lead_contact[0] ? ", " : "", f->lead_contact);
	}
	fflush(stdout);
	advance(w, f->seq);
}

/* Fetch and print what was raised after the cursor. 0, or -1 when the
 * control socket did not answer or refused (said on stderr). */
static int catch_up_other(struct watch *w)
{
	for (;;) {
		Ffc__V1__NoticesRequest nr = FFC__V1__NOTICES_REQUEST__INIT;
		Ffc__V1__FeedbackRequest fr = FFC__V1__FEEDBACK_REQUEST__INIT;
		Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
		Ffc__V1__ControlReply *r = NULL;
		if (w->notices) {
			nr.since_seq = w->gap.last;
			nr.urn = (char *)(uintptr_t)w->notices;
			req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_NOTICES;
			req.notices = &nr;
		} else {
			fr.since_seq = w->gap.last;
			fr.agency = (Ffc__V1__Agency)w->feedback;
			req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_FEEDBACK;
			req.feedback = &fr;
		}
		req.operator_ = (char *)(uintptr_t)tool_env("FFC_OPERATOR", tool_env("USER", ""));
		int rc = ffc_control_call(w->control_ep, &req, &r, w->timeout_ms);
		if (rc != FFC_OK) {
			if (!w->pending)
				fprintf(
				    stderr,
				    "ffc-watch: cannot catch up through %s: %s (trying again)\n",
				    w->control_ep, ffc_strerror(rc));
			return -1;
		}
		int more = 0;
		if (r->error[0]) {
			fprintf(stderr, "ffc-watch: catching up: %s\n", r->error);
			ffc__v1__control_reply__free_unpacked(r, NULL);
			return -1;
		}
		if (r->notices) {
			for (size_t i = 0; i < r->notices->n_notices && !stop; i++)
				show_notice(w, "notice", r->notices->notices[i]);
			more = r->notices->more && r->notices->n_notices > 0;
		} else if (r->feedback) {
			for (size_t i = 0; i < r->feedback->n_feedback && !stop; i++)
				show_feedback(w, r->feedback->feedback[i]);
			more = r->feedback->more && r->feedback->n_feedback > 0;
		}
		ffc__v1__control_reply__free_unpacked(r, NULL);
		if (!more || stop)
			return 0;
	}
}

/* One event from the alerts socket. */
static void handle(struct watch *w, const ffc_sub_event_t *ev, int *connected_before)
{
	int was_silent = 0;
	enum watch_reason why;
	switch (ev->kind) {
	case FFC_SUB_ALERT:
		switch (watch_gap_alert(&w->gap, ev->alert->seq)) {
		case WATCH_DROP:
			return;
		case WATCH_CATCH_UP:
			/* Fetch the gap first, so everything prints in seq
			 * order. If that fails the alert is left for the
			 * retry, which fetches it with the rest. */
			if (attempt(w, WATCH_SEQ_JUMP, ev->alert->seq - 1) < 0)
				return;
			break;
		case WATCH_SHOW:
			break;
		}
		show(w, ev->alert);
		return;
	case FFC_SUB_HEARTBEAT:
		/* Its seq is the alerts': for notices and feedback a heartbeat
		 * only says the daemon is there, or restarted. */
		why = watch_gap_heartbeat(
		    &w->gap, other(w) ? 0 : ev->heartbeat->last_seq, ev->heartbeat->started_at_ms,
		    (int64_t)ev->heartbeat->interval_ms, monotonic_ms(), &was_silent);
		if (w->json)
			print_typed("heartbeat", &ev->heartbeat->base);
		if (was_silent)
			fprintf(stderr, "ffc-watch: heartbeats from ffcd again\n");
		if (why == WATCH_RESTART) {
			char when[32];
			tool_time(ev->heartbeat->started_at_ms, when, sizeof when);
			fprintf(stderr, "ffc-watch: ffcd restarted (at %s)\n", when);
			print_notice(w, "restarted", "started_at_ms",
			             json_integer(ev->heartbeat->started_at_ms), NULL, NULL);
		}
		if (why != WATCH_OK)
			attempt(w, why,
			        why == WATCH_RESTART ? UINT64_MAX : ev->heartbeat->last_seq);
		return;
	case FFC_SUB_CONNECTED:
		/* The first connection closes the window between subscribing
		 * and the first catch-up; every later one follows an outage. */
		attempt(w, *connected_before ? WATCH_RECONNECT : WATCH_OK, UINT64_MAX);
		*connected_before = 1;
		return;
	case FFC_SUB_DISCONNECTED:
		fprintf(stderr, "ffc-watch: lost the connection to %s; reconnecting\n",
		        w->alerts_ep);
		print_notice(w, "disconnected", "endpoint", json_string(w->alerts_ep), NULL, NULL);
		return;
	case FFC_SUB_CHANGE:
		show_change(w, ev->change);
		return;
	case FFC_SUB_OVERDUE:
		show_overdue(w, ev->alert);
		return;
	case FFC_SUB_ACCESS:
		show_access(w, ev->access);
		return;
	case FFC_SUB_NOTICE:
		show_notice(w, notice_event(ev->topic), ev->notice);
		return;
	case FFC_SUB_FEEDBACK:
		show_feedback(w, ev->feedback);
		return;
	}
}

int main(int argc, char **argv)
{
	enum {
		O_ALERTS = 256,
		O_CONTROL,
		O_LEVEL,
		O_SINCE,
		O_STATE,
		O_JSON,
		O_ALERTS_ONLY,
		O_COUNT,
		O_VERSION,
		O_KEY,
		O_SERVER_KEY,
		O_NOTICES,
		O_FEEDBACK
	};
	static const struct option options[] = {
	    {"alerts", required_argument, NULL, O_ALERTS},
	    {"control", required_argument, NULL, O_CONTROL},
	    {"level", required_argument, NULL, O_LEVEL},
	    {"since", required_argument, NULL, O_SINCE},
	    {"state", required_argument, NULL, O_STATE},
	    {"json", no_argument, NULL, O_JSON},
	    {"alerts-only", no_argument, NULL, O_ALERTS_ONLY},
	    {"count", required_argument, NULL, O_COUNT},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, O_VERSION},
	    {"key", required_argument, NULL, O_KEY},
	    {"server-key", required_argument, NULL, O_SERVER_KEY},
	    {"notices", required_argument, NULL, O_NOTICES},
	    {"feedback", required_argument, NULL, O_FEEDBACK},
	    {NULL, 0, NULL, 0},
	};
	const char *key = tool_env("FFC_KEY", NULL), *server_key = tool_env("FFC_SERVER_KEY", NULL);
	struct watch w = {
	    .alerts_ep = tool_env("FFC_ALERTS", DEFAULT_ALERTS),
	    .control_ep = tool_env("FFC_CONTROL", DEFAULT_CONTROL),
	    .timeout_ms = DEFAULT_TIMEOUT_MS,
	};
	long long since = -1;
	char *state_alloc = NULL;
	int opt;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case O_ALERTS:
			w.alerts_ep = optarg;
			break;
		case O_KEY:
			key = optarg;
			break;
		case O_SERVER_KEY:
			server_key = optarg;
			break;
		case O_CONTROL:
			w.control_ep = optarg;
			break;
		case O_LEVEL:
			if (!strcasecmp(optarg, "amber"))
				w.level = FFC__V1__LEVEL__AMBER;
			else if (!strcasecmp(optarg, "red"))
				w.level = FFC__V1__LEVEL__RED;
			else
				tool_exit(EXIT_USAGE, "--level: '%s' is not amber or red", optarg);
			break;
		case O_SINCE:
			since = tool_number("--since", optarg, 0, INT64_MAX);
			break;
		case O_STATE:
			w.state_path = optarg;
			break;
		case O_JSON:
			w.json = 1;
			break;
		case O_ALERTS_ONLY:
			w.alerts_only = 1;
			break;
		case O_COUNT:
			w.count = tool_number("--count", optarg, 1, INT64_MAX);
			break;
		case O_NOTICES:
			if (strcmp(optarg, "front-door") &&
			    (strlen(optarg) != 6 || strspn(optarg, "0123456789") != 6 ||
			     optarg[0] == '0'))
				tool_exit(EXIT_USAGE,
				          "--notices: '%s' is not a school's URN (six digits) nor "
				          "front-door",
				          optarg);
			w.notices = optarg;
			break;
		case O_FEEDBACK:
			w.feedback = tool_enum_parse(&ffc__v1__agency__descriptor, optarg);
			if (w.feedback < 0)
				tool_exit(EXIT_USAGE,
				          "--feedback: '%s' is not police, health, education, "
				          "social-care "
				          "or other",
				          optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case O_VERSION:
			printf("ffc-watch %s\n", FFC_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
	if (w.notices && w.feedback)
		tool_exit(EXIT_USAGE, "--notices and --feedback: one or the other");
	if (other(&w) && w.level)
		tool_exit(EXIT_USAGE, "--level is for alerts, not notices or feedback");
	char state_file[64] = "watch.seq";
	if (w.notices)
		snprintf(state_file, sizeof state_file, "watch.notices.%s.seq", w.notices);
	else if (w.feedback)
		snprintf(state_file, sizeof state_file, "watch.feedback.%d.seq", w.feedback);
	if (!w.state_path)
		w.state_path = state_alloc = default_state_path(state_file);
	uint64_t last = 0;
	if (since >= 0)
		last = (uint64_t)since;
	else if (w.state_path && state_read(w.state_path, &last) == 0)
		fprintf(stderr, "ffc-watch: resuming after seq %llu (%s)\n",
		        (unsigned long long)last, w.state_path);
	watch_gap_init(&w.gap, last, monotonic_ms());

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* Subscribe first, then catch up: whatever is raised in between
	 * arrives both ways and is printed once. Heartbeats and connection
	 * events tell of anything missed later. */
	char prefix[64];
	snprintf(prefix, sizeof prefix, "%s",
	         w.level == FFC__V1__LEVEL__RED     ? "alert.red"
	         : w.level == FFC__V1__LEVEL__AMBER ? "alert.amber"
	                                            : "alert.");
	/* A school: its own notices; the front door: its notices and every
	 * notice's reminder and acknowledgement; an agency: its feedback. */
	const char *more[4] = {"event.", "overdue.", NULL, NULL}; /* NULL-terminated */
	if (w.notices && strcmp(w.notices, "front-door")) {
		snprintf(prefix, sizeof prefix, "notice.school.%s", w.notices);
		more[0] = NULL;
	} else if (w.notices) {
		snprintf(prefix, sizeof prefix, "notice.front-door");
		more[0] = "notice.reminder.";
		more[1] = "notice.ack.";
		more[2] = "notice.withdrawn.";
	} else if (w.feedback) {
		char word[32];
		agency_word(w.feedback, word, sizeof word);
		snprintf(prefix, sizeof prefix, "feedback.%s", word);
		more[0] = NULL;
	} else if (w.alerts_only) {
		more[0] = NULL;
	}
	tool_curve(key, server_key);
	ffc_sub_t *sub = ffc_sub_new(w.alerts_ep, prefix);
	int subscribed = sub && ffc_sub_subscribe(sub, FFC_HEARTBEAT_TOPIC) == FFC_OK;
	for (size_t i = 0; subscribed && more[i]; i++)
		subscribed = ffc_sub_subscribe(sub, more[i]) == FFC_OK;
	if (!subscribed) {
		ffc_sub_destroy(&sub);
		tool_exit(EXIT_USAGE, "--alerts: cannot connect to '%s'", w.alerts_ep);
	}
	if (ffc_sub_monitor(sub) != FFC_OK)
		fprintf(stderr,
		        "ffc-watch: cannot follow the connection to %s; relying on "
		        "heartbeats to notice a reconnect\n",
		        w.alerts_ep);
	attempt(&w, WATCH_OK, UINT64_MAX);

	int connected_before = 0;
	while (!stop) {
		ffc_sub_event_t ev;
		int rc = ffc_sub_next(sub, &ev, TICK_MS);
		if (rc == FFC_OK)
			handle(&w, &ev, &connected_before);
		else if (rc == FFC_EPROTO)
			fprintf(stderr,
			        "ffc-watch: skipped a message on '%s' that does not parse\n",
			        ev.topic);
		else if (rc != FFC_ETIMEOUT && !stop)
			fprintf(stderr, "ffc-watch: %s\n", ffc_strerror(rc));
		ffc_sub_event_release(&ev);
		if (stop)
			break;
		int64_t now = monotonic_ms();
		if (w.pending && now >= w.retry_ms)
			attempt(&w, w.pending_why, UINT64_MAX);
		if (watch_gap_silent(&w.gap, now)) {
			print_notice(&w, "silent", "seconds",
			             json_integer(WATCH_SILENT_BEATS * w.gap.interval_ms / 1000),
			             NULL, NULL);
			fprintf(stderr,
			        "ffc-watch: no heartbeat from ffcd for %lld s (daemon down or "
			        "network?); "
			        "alerts raised meanwhile are fetched when it is back\n",
			        (long long)(WATCH_SILENT_BEATS * w.gap.interval_ms / 1000));
		}
	}
	ffc_sub_destroy(&sub);
	free(state_alloc);
	return 0;
}
