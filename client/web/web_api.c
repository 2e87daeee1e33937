/*
 * web_api.c - ffc-web's JSON API: each request turned into one or a few
 * ControlRequests to ffcd on behalf of the person signed in (ffcd decides
 * by their role, bounded by ffc-web's own, and audits them by name), the
 * reply passed back as JSON with the proto's field names.
 *
 *   GET  /api/session   who is signed in, and the CSRF token for changes
 *   GET  /api/alerts    the open and acknowledged alerts, and the stream position
 *   GET  /api/events    the live stream (web_stream.c)
 *   GET  /api/status    /api/stats
 *   GET  /api/notices   the latest school and front-door notices
 *   GET  /api/feedback  the latest feedback sent to agencies on closed alerts
 *   POST /api/child     a child's record, for a purpose
 *   POST /api/family    a child's or a household's: the family's one
 *                       timeline and each child's record, for a purpose
 *   POST /api/report    the partnership's figures for a period (admin), for
 *                       a purpose
 *   POST /api/notice_ack  a front-door notice acknowledged
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

/* Alerts one listing holds at most. */
#define LIST_MAX 20000
/* Children of a family whose own record (identities, who has looked) is
 * fetched with the family's timeline; the rest are opened one by one. */
#define FAMILY_CHILDREN_MAX 12
/* Notices and feedback a page shows: the latest, by seq. */
#define LATEST 200

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

/* ---- a family ---- */

/* "C00000001" or "H00000001": the prefix and 1 to 19 digits. The daemon
 * decides whether it is known; this says only whether it is an id. */
static int id_valid(const char *s, char prefix)
{
	size_t n = strspn(s + (s[0] == prefix), "0123456789");
	return s[0] == prefix && n >= 1 && n <= 19 && !s[n + 1];
}

/* A date field ("2026-03-02") as the first millisecond of that day, UTC. */
static int date_field(const char *v, int64_t *ms)
{
	return strlen(v) == 10 && ffc_parse_time(v, ms) == FFC_OK ? 0 : -1;
}

/* A message as a jansson value, or NULL. */
static json_t *message_json(const ProtobufCMessage *m)
{
	char *text = ffc_json_from_message(m);
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return v;
}

/* One child's record for the family page, as rq's person for purpose:
 * what the family's timeline does not hold (identities, who has looked,
 * lead practitioners), its timeline and alerts left out. Appended to
 * children; -1 with out filled when ffcd refused or did not answer. */
static int family_child(struct web_request *rq, Ffc__V1__ChildRequest *c, const char *purpose,
                        json_t *children, char *child_id, size_t child_id_len,
                        struct web_reply *out)
{
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_CHILD;
	req.child = c;
	Ffc__V1__ControlReply *r = web_call(rq, &req, purpose, out);
	if (!r)
		return -1;
	json_t *v = r->child ? message_json(&r->child->base) : NULL;
	if (v) {
		json_object_del(v, "chronology");
		json_object_del(v, "timeline");
		json_object_del(v, "alerts");
		json_array_append_new(children, v);
		if (child_id)
			snprintf(child_id, child_id_len, "%s", r->child->child_id);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	if (!v)
		web_error(out, 502, "ffcd sent no record");
	return v ? 0 : -1;
}

/* The family's view: by a child (id, NHS number or UPN: its household,
 * or the child alone) or a household. ffcd's family command gives one
 * timeline (each concern once, with the children it concerns) and the
 * children with their open alerts; then each child's record adds its
 * identities and who has looked. Each is a read ffcd audits under the
 * person, with the purpose. */
static int api_family(struct web_request *rq, struct web_reply *out)
{
	const char *purpose = purpose_of(rq, out);
	if (!purpose)
		return 0;
	char *child_id = field(rq, "child_id"), *household_id = field(rq, "household_id");
	char *nhs = field(rq, "nhs_number"), *upn = field(rq, "upn"), *since = field(rq, "since");
	int given = !!child_id[0] + !!household_id[0] + !!nhs[0] + !!upn[0];
	if (given != 1)
		return web_error(out, 400,
		                 "family: give one of a child id, a household id, an "
		                 "NHS number or a UPN");
	if (child_id[0] && !id_valid(child_id, 'C'))
		return web_error(out, 400, "child_id: '%.40s' is not a child id (C00000001)",
		                 child_id);
	if (household_id[0] && !id_valid(household_id, 'H'))
		return web_error(out, 400,
		                 "household_id: '%.40s' is not a household id (H00000001)",
		                 household_id);
	int64_t since_ms = 0;
	if (since[0] && date_field(since, &since_ms) < 0)
		return web_error(out, 400, "since: '%.40s' is not a date (2026-03-02)", since);

	int64_t asked = web_now_ms();
	json_t *children = json_array(), *root = json_object();
	char found[64] = "";
	if (!children || !root)
		goto oom;
	if (nhs[0] || upn[0]) {
		/* Which child: its record first, then its family. */
		Ffc__V1__ChildRequest c = FFC__V1__CHILD_REQUEST__INIT;
		c.nhs_number = nhs;
		c.upn = upn;
		if (family_child(rq, &c, purpose, children, found, sizeof found, out) < 0)
			goto done;
		child_id = found;
	}
	Ffc__V1__FamilyRequest fr = FFC__V1__FAMILY_REQUEST__INIT;
	fr.child_id = child_id;
	fr.household_id = household_id;
	fr.since_ms = since_ms;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_FAMILY;
	req.family = &fr;
	Ffc__V1__ControlReply *r = web_call(rq, &req, purpose, out);
	if (!r)
		goto done;
	const Ffc__V1__FamilyReply *f = r->family;
	json_t *family = f ? message_json(&f->base) : NULL;
	size_t more = 0;
	for (size_t i = 0; f && family && i < f->n_members; i++) {
		if (found[0] && !strcmp(found, f->members[i]->child_id))
			continue;
		if (json_array_size(children) >= FAMILY_CHILDREN_MAX) {
			more++;
			continue;
		}
		Ffc__V1__ChildRequest c = FFC__V1__CHILD_REQUEST__INIT;
		c.child_id = f->members[i]->child_id;
		if (family_child(rq, &c, purpose, children, NULL, 0, out) < 0) {
			json_decref(family);
			ffc__v1__control_reply__free_unpacked(r, NULL);
			goto done;
		}
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	if (!family) {
		web_error(out, 502, "ffcd sent no family");
		goto done;
	}
	json_object_set_new(root, "asked_at_ms", json_integer(asked));
	json_object_set_new(root, "family", family);
	json_object_set(root, "children", children);
	json_object_set_new(root, "more_children", json_integer((json_int_t)more));
	out->status = 200;
	out->body = json_dumps(root, JSON_COMPACT);
	if (!out->body)
		goto oom;
	goto done;
oom:
	web_error(out, 500, "out of memory");
done:
	json_decref(children);
	json_decref(root);
	return 0;
}

/* ---- notices and feedback ---- */

/* Send the listing `command` (its message msg, whose since_seq and limit
 * are set here) for the latest LATEST items: a first request learns the
 * last seq. */
static int latest(struct web_request *rq, struct web_reply *out, int command, void *msg,
                  uint64_t *since_seq, uint32_t *limit)
{
	*since_seq = 0;
	*limit = 1;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
	    &ffc__v1__control_request__descriptor, (unsigned)command);
	req.command_case = (Ffc__V1__ControlRequest__CommandCase)command;
	*(void **)((char *)&req + f->offset) = msg;
	Ffc__V1__ControlReply *r = web_call(rq, &req, "", out);
	if (!r)
		return 0;
	uint64_t last = r->notices ? r->notices->last_seq : r->feedback ? r->feedback->last_seq : 0;
	ffc__v1__control_reply__free_unpacked(r, NULL);
	*since_seq = last > LATEST ? last - LATEST : 0;
	*limit = LATEST;
	return pass(rq, &req, "", out);
}

/* GET /api/notices[?unacknowledged=1][&urn=URN|front-door] */
static int api_notices(struct web_request *rq, struct web_reply *out)
{
	const char *un = web_query(rq, "unacknowledged"), *urn = web_query(rq, "urn");
	if (un && strcmp(un, "1") && strcmp(un, "0"))
		return web_error(out, 400, "unacknowledged: 1 or 0");
	if (urn && strcmp(urn, "front-door") &&
	    (!urn[0] || strlen(urn) > 16 || urn[strspn(urn, "0123456789")]))
		return web_error(out, 400, "urn: a school's URN (digits) or front-door");
	Ffc__V1__NoticesRequest n = FFC__V1__NOTICES_REQUEST__INIT;
	n.unacknowledged = un && !strcmp(un, "1");
	n.urn = (char *)(uintptr_t)(urn ? urn : "");
	return latest(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_NOTICES, &n, &n.since_seq,
	              &n.limit);
}

static const char *const agencies[] = {"", "police", "health", "education", "social-care", "other"};

/* GET /api/feedback[?agency=police|health|education|social-care|other] */
static int api_feedback(struct web_request *rq, struct web_reply *out)
{
	const char *a = web_query(rq, "agency");
	Ffc__V1__FeedbackRequest f = FFC__V1__FEEDBACK_REQUEST__INIT;
	if (a && a[0]) {
		size_t i = 1;
		while (i < sizeof agencies / sizeof agencies[0] && strcmp(agencies[i], a))
			i++;
		if (i == sizeof agencies / sizeof agencies[0])
			return web_error(
			    out, 400,
			    "agency: one of police, health, education, social-care, other");
		f.agency = (Ffc__V1__Agency)i;
	}
	return latest(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_FEEDBACK, &f, &f.since_seq,
	              &f.limit);
}

/* A front-door notice acknowledged by the person (ffcd refuses a
 * school's own notice: that is the school's key's to acknowledge). */
static int api_notice_ack(struct web_request *rq, struct web_reply *out)
{
	Ffc__V1__NoticeAckRequest n = FFC__V1__NOTICE_ACK_REQUEST__INIT;
	n.notice_id = field(rq, "notice_id");
	n.by = rq->who.name;
	if (!id_valid(n.notice_id, 'N'))
		return web_error(out, 400, "notice_id: '%.40s' is not a notice id (N00000001)",
		                 n.notice_id);
	return ask(rq, out, FFC__V1__CONTROL_REQUEST__COMMAND_NOTICE_ACK, &n, NULL);
}

/* ---- the partnership's figures ---- */

/* POST /api/report: from and to (days, both included, UTC) and a
 * purpose. ffcd's report (admin only; audited), shaped for the page. */
static int api_report(struct web_request *rq, struct web_reply *out)
{
	const char *purpose = purpose_of(rq, out);
	if (!purpose)
		return 0;
	const char *from = field(rq, "from"), *to = field(rq, "to");
	Ffc__V1__ReportRequest rr = FFC__V1__REPORT_REQUEST__INIT;
	if (date_field(from, &rr.from_ms) < 0)
		return web_error(out, 400, "from: '%.40s' is not a date (2026-03-02)", from);
	if (date_field(to, &rr.to_ms) < 0)
		return web_error(out, 400, "to: '%.40s' is not a date (2026-03-02)", to);
	rr.to_ms += 86400000; /* the last day included */
	if (rr.to_ms <= rr.from_ms)
		return web_error(out, 400, "to: %s is before from, %s", to, from);
	if (web_figures_months(rr.from_ms, rr.to_ms) > FIGURES_MONTHS_MAX)
		return web_error(out, 400, "from, to: at most %d months apart",
		                 FIGURES_MONTHS_MAX - 2);
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_REPORT;
	req.report = &rr;
	Ffc__V1__ControlReply *report = web_call(rq, &req, purpose, out);
	if (!report)
		return 0;
	if (!report->report) {
		ffc__v1__control_reply__free_unpacked(report, NULL);
		return web_error(out, 502, "ffcd sent no report");
	}
	json_t *f = web_figures(report->report);
	out->status = 200;
	out->body = f ? json_dumps(f, JSON_COMPACT) : NULL;
	json_decref(f);
	if (!out->body)
		web_error(out, 500, "out of memory");
	ffc__v1__control_reply__free_unpacked(report, NULL);
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
    {0, "/api/notices", api_notices},
    {0, "/api/feedback", api_feedback},
    {1, "/api/child", api_child},
    {1, "/api/family", api_family},
    {1, "/api/report", api_report},
    {1, "/api/notice_ack", api_notice_ack},
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
