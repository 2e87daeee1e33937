/*
 * web_api.c - ffc-web's JSON API: each request turned into one or a few
 * ControlRequests to ffcd on behalf of the person signed in (ffcd decides
 * by their role, bounded by ffc-web's own, and audits them by name), the
 * reply passed back as JSON with the proto's field names.
 *
 *   GET  /api/session   who is signed in, and the CSRF token for changes
 *   GET  /api/alerts    the open and acknowledged alerts, and the stream position
 *   GET  /api/events    the live stream (web_stream.c)
 *   GET  /api/status    /api/stats   /api/figures?months=N
 *   POST /api/child     a child's record, for a purpose
 *   POST /api/alert     one alert with its history (notes), for a purpose
 *   POST /api/ack  /api/note  /api/close  /api/assign
 *   POST /api/matches  /api/conflicts  /api/identities (for a purpose)
 *   POST /api/link  /api/unlink  /api/dismiss
 *
 * Owns the mapping from forms to requests. ffcd owns every decision:
 * nothing here checks a role, and ffcd's refusal is shown in its words.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "web_figures.h"
#include "web_text.h"

/* Alerts one listing holds at most, and the pages fetched for figures. */
#define LIST_MAX    20000
#define FIGURES_MAX 100

static void add_message(struct web_text *t, const ProtobufCMessage *m)
{
	char *json = ffc_json_from_message(m);
	if (!json)
		t->failed = 1;
	else
		web_text_add(t, json);
	free(json);
}

/* The text as the reply's body, or a 500. */
static int reply_text(struct web_reply *out, struct web_text *t)
{
	if (t->failed || !t->s) {
		free(t->s);
		return web_error(out, 500, "out of memory");
	}
	out->status = 200;
	out->body = t->s;
	return 0;
}

static int reply_message(struct web_reply *out, const ProtobufCMessage *m)
{
	struct web_text t = {0};
	add_message(&t, m);
	return reply_text(out, &t);
}

/* ---- asking ffcd ---- */

/* Refusals of who may ask (role, delegation, purpose) are 403; a request
 * ffcd found wrong in itself (an outcome it does not know, an alert
 * already closed) 422. Either way the words are ffcd's. */
static int status_for(const char *error)
{
	return strstr(error, ": needs the ") || strstr(error, "may not") ||
	               strstr(error, "not a known operator") || strstr(error, ": purpose: ")
	           ? 403
	           : 422;
}

Ffc__V1__ControlReply *web_call(struct web_request *rq, Ffc__V1__ControlRequest *req,
                                const char *purpose, struct web_reply *out)
{
	const struct web_config *cfg = &rq->w->cfg;
	req->operator_ = (char *)(uintptr_t)cfg->operator_name;
	req->on_behalf_of = rq->who.name;
	req->on_behalf_role = (char *)(uintptr_t)web_role_name(rq->who.role);
	req->purpose = (char *)(uintptr_t)(purpose ? purpose : "");
	Ffc__V1__ControlReply *r = NULL;
	int rc = ffc_control_call(cfg->control, req, &r, cfg->timeout_ms);
	if (rc != FFC_OK) {
		web_log("ERROR", "%s: %s", cfg->control, ffc_strerror(rc));
		web_error(out, 502, "ffcd did not answer (%s): try again in a moment",
		          ffc_strerror(rc));
		return NULL;
	}
	if (r->error[0]) {
		web_error(out, status_for(r->error), "%s", r->error);
		ffc__v1__control_reply__free_unpacked(r, NULL);
		return NULL;
	}
	return r;
}

/* Send req and pass the reply's result back as JSON. */
static int pass(struct web_request *rq, Ffc__V1__ControlRequest *req, const char *purpose,
                struct web_reply *out)
{
	Ffc__V1__ControlReply *r = web_call(rq, req, purpose, out);
	if (!r)
		return 0;
	const ProtobufCMessage *m = NULL;
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
	    &ffc__v1__control_reply__descriptor, (unsigned)r->result_case);
	if (f && f->type == PROTOBUF_C_TYPE_MESSAGE)
		m = *(const ProtobufCMessage *const *)((const char *)r + f->offset);
	if (m)
		reply_message(out, m);
	else
		web_error(out, 502, "ffcd sent no result");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

/* Send `command` (a ControlRequest oneof case) with its message msg, for
 * purpose (NULL: none), and pass the reply back. */
static int ask(struct web_request *rq, struct web_reply *out, int command, void *msg,
               const char *purpose)
{
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
	    &ffc__v1__control_request__descriptor, (unsigned)command);
	req.command_case = (Ffc__V1__ControlRequest__CommandCase)command;
	*(void **)((char *)&req + f->offset) = msg;
	return pass(rq, &req, purpose, out);
}

/* A form field, "" when absent. */
static char *field(const struct web_request *rq, const char *name)
{
	const char *v = rq->form ? web_form_get(rq->form, name) : NULL;
	return (char *)(uintptr_t)(v ? v : "");
}

/* A form's purpose: required by ffcd for reads of a record; said here
 * first, in the page's words. */
static const char *purpose_of(const struct web_request *rq, struct web_reply *out)
{
	const char *p = field(rq, "purpose");
	if (!p[0]) {
		web_error(out, 400, "purpose: say why you need this record before it is shown");
		return NULL;
	}
	return p;
}

/* ---- who is signed in ---- */

static int api_session(struct web_request *rq, struct web_reply *out)
{
	struct web *w = rq->w;
	pthread_mutex_lock(&w->mu);
	int64_t expires = sessions_expires_ms(&w->sessions, &rq->who);
	pthread_mutex_unlock(&w->mu);
	json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I}", "name", rq->who.name, "role",
	                      web_role_name(rq->who.role), "csrf", rq->who.csrf, "expires_ms",
	                      (json_int_t)expires, "idle_ms", (json_int_t)w->cfg.idle_ms);
	out->status = 200;
	out->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return out->body ? 0 : web_error(out, 500, "out of memory");
}

/* ---- alerts ---- */

/* Every alert in state (0: any) after since, following `more`, appended
 * to t as JSON objects separated by commas; *n counts them. -1 with out
 * filled when ffcd refused or did not answer. */
static int list_alerts(struct web_request *rq, int state, struct web_text *t, size_t *n,
                       struct web_reply *out)
{
	uint64_t since = 0;
	for (;;) {
		Ffc__V1__AlertsRequest ar = FFC__V1__ALERTS_REQUEST__INIT;
		ar.since_seq = since;
		ar.state = (Ffc__V1__AlertState)state;
		ar.limit = 5000;
		Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
		req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS;
		req.alerts = &ar;
		Ffc__V1__ControlReply *r = web_call(rq, &req, "", out);
		if (!r)
			return -1;
		const Ffc__V1__AlertsReply *a = r->alerts;
		int more = a && a->more && a->n_alerts > 0;
		for (size_t i = 0; a && i < a->n_alerts && *n < LIST_MAX; i++) {
			if ((*n)++)
				web_text_add(t, ",");
			add_message(t, &a->alerts[i]->base);
			since = a->alerts[i]->seq;
		}
		ffc__v1__control_reply__free_unpacked(r, NULL);
		if (!more || *n >= LIST_MAX)
			return 0;
	}
}

static int api_alerts(struct web_request *rq, struct web_reply *out)
{
	/* The stream's position first: whatever happens after it reaches the
	 * page through the stream, so nothing falls between the two. */
	struct ring_pos pos;
	char position[RING_POS_MAX], head[160];
	ring_position(&rq->w->ring, &pos);
	ring_pos_format(&pos, position);
	struct web_text t = {0};
	size_t n = 0;
	snprintf(head, sizeof head, "{\"position\":\"%s\",\"now_ms\":%lld,\"alerts\":[", position,
	         (long long)web_now_ms());
	web_text_add(&t, head);
	if (list_alerts(rq, FFC__V1__ALERT_STATE__OPEN, &t, &n, out) < 0 ||
	    list_alerts(rq, FFC__V1__ALERT_STATE__ACKNOWLEDGED, &t, &n, out) < 0) {
		free(t.s);
		return 0;
	}
	web_text_add(&t, n >= LIST_MAX ? "],\"more\":true}" : "],\"more\":false}");
	return reply_text(out, &t);
}

/* "A00000007" (or "7") as a seq. */
static uint64_t alert_seq(const char *id)
{
	const char *p = id[0] == 'A' ? id + 1 : id;
	char *end;
	unsigned long long v = strtoull(p, &end, 10);
	return *p && !*end && p[0] != '-' ? v : 0;
}

static int api_alert(struct web_request *rq, struct web_reply *out)
{
	const char *purpose = purpose_of(rq, out);
	if (!purpose)
		return 0;
	uint64_t seq = alert_seq(field(rq, "alert_id"));
	if (!seq)
		return web_error(out, 400, "alert_id: not an alert id (A00000007)");
	Ffc__V1__AlertsRequest ar = FFC__V1__ALERTS_REQUEST__INIT;
	ar.since_seq = seq - 1;
	ar.limit = 1;
	ar.history = 1;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS;
	req.alerts = &ar;
	Ffc__V1__ControlReply *r = web_call(rq, &req, purpose, out);
	if (!r)
		return 0;
	if (r->alerts && r->alerts->n_alerts == 1 && r->alerts->alerts[0]->seq == seq)
		reply_message(out, &r->alerts->alerts[0]->base);
	else
		web_error(out, 404, "alert_id: no alert %s", field(rq, "alert_id"));
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return 0;
}

static int api_ack(struct web_request *rq, struct web_reply *out)
{
	Ffc__V1__AckRequest a = FFC__V1__ACK_REQUEST__INIT;
	a.alert_id = field(rq, "alert_id");
	a.by = rq->who.name;
	a.note = field(rq, "note");
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_ACK, &a, NULL);
}

static int api_note(struct web_request *rq, struct web_reply *out)
{
	Ffc__V1__NoteRequest a = FFC__V1__NOTE_REQUEST__INIT;
	a.alert_id = field(rq, "alert_id");
	a.by = rq->who.name;
	a.text = field(rq, "text");
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_NOTE, &a, NULL);
}

static int api_close(struct web_request *rq, struct web_reply *out)
{
	Ffc__V1__CloseRequest a = FFC__V1__CLOSE_REQUEST__INIT;
	a.alert_id = field(rq, "alert_id");
	a.by = rq->who.name;
	a.outcome = field(rq, "outcome");
	a.note = field(rq, "note");
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_CLOSE, &a, NULL);
}

static int api_assign(struct web_request *rq, struct web_reply *out)
{
	Ffc__V1__ChildRequest c = FFC__V1__CHILD_REQUEST__INIT;
	c.child_id = field(rq, "child_id");
	Ffc__V1__AssignRequest a = FFC__V1__ASSIGN_REQUEST__INIT;
	a.child = &c;
	a.practitioner = field(rq, "practitioner");
	a.by = rq->who.name;
	a.note = field(rq, "note");
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_ASSIGN, &a, NULL);
}

/* ---- a child's record ---- */

static int api_child(struct web_request *rq, struct web_reply *out)
{
	const char *purpose = purpose_of(rq, out);
	if (!purpose)
		return 0;
	Ffc__V1__ChildRequest c = FFC__V1__CHILD_REQUEST__INIT;
	c.child_id = field(rq, "child_id");
	c.nhs_number = field(rq, "nhs_number");
	c.upn = field(rq, "upn");
	if (!c.child_id[0] && !c.nhs_number[0] && !c.upn[0])
		return web_error(out, 400, "child: give a child id, an NHS number or a UPN");
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_CHILD, &c, purpose);
}

/* ---- operators ---- */

static int api_status(struct web_request *rq, struct web_reply *out)
{
	Ffc__V1__StatusRequest s = FFC__V1__STATUS_REQUEST__INIT;
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_STATUS, &s, NULL);
}

static int api_stats(struct web_request *rq, struct web_reply *out)
{
	Ffc__V1__StatsRequest s = FFC__V1__STATS_REQUEST__INIT;
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_STATS, &s, NULL);
}

static int api_matches(struct web_request *rq, struct web_reply *out)
{
	const char *purpose = purpose_of(rq, out);
	if (!purpose)
		return 0;
	Ffc__V1__MatchesRequest m = FFC__V1__MATCHES_REQUEST__INIT;
	m.dismissed = !strcmp(field(rq, "dismissed"), "1");
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_MATCHES, &m, purpose);
}

static int api_conflicts(struct web_request *rq, struct web_reply *out)
{
	const char *purpose = purpose_of(rq, out);
	if (!purpose)
		return 0;
	Ffc__V1__ConflictsRequest m = FFC__V1__CONFLICTS_REQUEST__INIT;
	m.unresolved = !strcmp(field(rq, "unresolved"), "1");
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_CONFLICTS, &m, purpose);
}

static int api_identities(struct web_request *rq, struct web_reply *out)
{
	const char *purpose = purpose_of(rq, out);
	if (!purpose)
		return 0;
	Ffc__V1__IdentitiesRequest m = FFC__V1__IDENTITIES_REQUEST__INIT;
	m.child_id = field(rq, "child_id");
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_IDENTITIES, &m, purpose);
}

static int api_link(struct web_request *rq, struct web_reply *out)
{
	Ffc__V1__LinkRequest m = FFC__V1__LINK_REQUEST__INIT;
	m.child_a = field(rq, "child_a");
	m.child_b = field(rq, "child_b");
	m.reason = field(rq, "reason");
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_LINK, &m, NULL);
}

static int api_unlink(struct web_request *rq, struct web_reply *out)
{
	Ffc__V1__UnlinkRequest m = FFC__V1__UNLINK_REQUEST__INIT;
	m.child_id = field(rq, "child_id");
	m.identity = field(rq, "identity");
	m.reason = field(rq, "reason");
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_UNLINK, &m, NULL);
}

static int api_dismiss(struct web_request *rq, struct web_reply *out)
{
	Ffc__V1__MatchDismissRequest m = FFC__V1__MATCH_DISMISS_REQUEST__INIT;
	m.child_id = field(rq, "child_id");
	m.other_child_id = field(rq, "other_child_id");
	m.reason = field(rq, "reason");
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_DISMISS_MATCH, &m, NULL);
}

/* ---- the partnership's figures ---- */

static int api_figures(struct web_request *rq, struct web_reply *out)
{
	const char *m = web_query(rq, "months");
	char *end = NULL;
	long months = m ? strtol(m, &end, 10) : 12;
	if ((m && (!m[0] || *end)) || months < 1 || months > FIGURES_MONTHS_MAX)
		return web_error(out, 400, "months: a whole number from 1 to %d",
		                 FIGURES_MONTHS_MAX);
	int64_t now = web_now_ms();
	Ffc__V1__ControlReply *pages[FIGURES_MAX];
	size_t n_pages = 0, n = 0;
	uint64_t since = 0;
	int failed = 0;
	/* Every alert, a page at a time (the listing has no date filter);
	 * the figures keep those raised in the months asked for. */
	while (n_pages < FIGURES_MAX) {
		Ffc__V1__AlertsRequest ar = FFC__V1__ALERTS_REQUEST__INIT;
		ar.since_seq = since;
		ar.limit = 5000;
		Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
		req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS;
		req.alerts = &ar;
		Ffc__V1__ControlReply *r = web_call(rq, &req, "", out);
		if (!r) {
			failed = 1;
			break;
		}
		pages[n_pages++] = r;
		const Ffc__V1__AlertsReply *a = r->alerts;
		if (!a || !a->n_alerts)
			break;
		n += a->n_alerts;
		since = a->alerts[a->n_alerts - 1]->seq;
		if (!a->more)
			break;
	}
	const Ffc__V1__Alert **all = failed ? NULL : malloc((n ? n : 1) * sizeof *all);
	if (!failed && all) {
		size_t k = 0;
		for (size_t p = 0; p < n_pages; p++)
			for (size_t i = 0; pages[p]->alerts && i < pages[p]->alerts->n_alerts; i++)
				all[k++] = pages[p]->alerts->alerts[i];
		json_t *f = web_figures(all, k, (int)months, now);
		out->status = 200;
		out->body = f ? json_dumps(f, JSON_COMPACT) : NULL;
		json_decref(f);
		if (!out->body)
			web_error(out, 500, "out of memory");
	} else if (!failed) {
		web_error(out, 500, "out of memory");
	}
	free(all);
	for (size_t p = 0; p < n_pages; p++)
		ffc__v1__control_reply__free_unpacked(pages[p], NULL);
	return 0;
}

/* ---- the routes ---- */

static const struct route {
	int post;
	const char *path;
	int (*fn)(struct web_request *, struct web_reply *);
} routes[] = {
    {0, "/api/session", api_session},
    {0, "/api/alerts", api_alerts},
    {0, "/api/events", web_stream},
    {0, "/api/status", api_status},
    {0, "/api/stats", api_stats},
    {0, "/api/figures", api_figures},
    {1, "/api/child", api_child},
    {1, "/api/alert", api_alert},
    {1, "/api/ack", api_ack},
    {1, "/api/note", api_note},
    {1, "/api/close", api_close},
    {1, "/api/assign", api_assign},
    {1, "/api/matches", api_matches},
    {1, "/api/conflicts", api_conflicts},
    {1, "/api/identities", api_identities},
    {1, "/api/link", api_link},
    {1, "/api/unlink", api_unlink},
    {1, "/api/dismiss", api_dismiss},
};

int web_api(struct web_request *rq, struct web_reply *out)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (strcmp(routes[i].path, rq->path))
			continue;
		if (routes[i].post != rq->post)
			return web_error(out, 405, "%s: use %s", rq->path,
			                 routes[i].post ? "POST" : "GET");
		return routes[i].fn(rq, out);
	}
	return -1;
}
