/*
 * control_alerts.c - alerts through the control socket: the listing
 * (`ffcctl alerts`, a console's catch-up, the overdue list), ack, close
 * and note an alert, assign a child's lead practitioner, and what working
 * alerts adds to the alerts and children other requests return (history,
 * due time, practitioners).
 *
 * Owns the requests' validation and their write transactions: each change
 * is checked (lifecycle.c), stored with its history entry, and announced
 * on "event.<action>.<level>.<rule>" through env->out, published by the
 * server after the commit. Does not own the lifecycle's rules
 * (lifecycle.c), the reminders (overdue.c) or the socket (server.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_int.h"
#include "display.h"
#include "feedback.h"
#include "lifecycle.h"
#include "log.h"
#include "wire.h"

/* ---- what working alerts adds to Alert messages ---- */

/* An alert's history gathered into the arena. */
struct history {
	struct arena *ar;
	Ffc__V1__Alert *a;
	size_t cap;
};

static int event_visit(const void *data, size_t len, void *arg)
{
	struct history *h = arg;
	Ffc__V1__Alert *a = h->a;
	Ffc__V1__AlertEvent *e = ffc__v1__alert_event__unpack(NULL, len, data);
	if (!e || arena_keep(h->ar, &e->base) < 0)
		return 0; /* a damaged entry is skipped, the rest still shown */
	if (a->n_history == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 8;
		Ffc__V1__AlertEvent **items = arena_alloc(h->ar, cap * sizeof *items);
		if (!items)
			return 1;
		if (a->n_history)
			memcpy(items, a->history, a->n_history * sizeof *items);
		a->history = items;
		h->cap = cap;
	}
	a->history[a->n_history++] = e;
	return 0;
}

/* The child as it is named now (its one display name, after any merge)
 * and the household it is in now, in place of what the alert was raised
 * with: one child reads the same in every reply. */
static void current_view(struct store_txn *t, struct arena *ar, Ffc__V1__Alert *a)
{
	uint64_t child, household = 0;
	struct alert_child d;
	if (wire_child_id_parse(a->child_id, &child) < 0 ||
	    store_child_resolve(t, child, &child) != STORE_OK ||
	    display_child(t, child, &d) != STORE_OK ||
	    store_child_household(t, child, &household) != STORE_OK)
		return;
	Ffc__V1__ChildIdentity *c = arena_alloc(ar, sizeof *c);
	char hid[WIRE_ID_MAX] = "";
	if (household)
		wire_household_id(household, hid);
	char *h = arena_strdup(ar, hid);
	if (!c || !h)
		return;
	ffc__v1__child_identity__init(c);
	c->nhs_number = arena_strdup(ar, d.nhs_number);
	c->upn = arena_strdup(ar, d.upn);
	c->local_id = arena_strdup(ar, d.local_id);
	c->given_name = arena_strdup(ar, d.given_name);
	c->family_name = arena_strdup(ar, d.family_name);
	c->date_of_birth = arena_strdup(ar, d.date_of_birth);
	c->postcode = arena_strdup(ar, d.postcode);
	if (!c->nhs_number || !c->upn || !c->local_id || !c->given_name || !c->family_name ||
	    !c->date_of_birth || !c->postcode)
		return;
	a->child = c;
	a->household_id = h;
}

Ffc__V1__Alert *control_alert_lifecycle(const struct control_env *env, struct store_txn *t,
                                        struct arena *ar, const Ffc__V1__Alert *stored,
                                        int with_history)
{
	/* A copy: the unpacked record owns its own arrays and frees them. */
	Ffc__V1__Alert *a = arena_alloc(ar, sizeof *a);
	if (!a)
		return (Ffc__V1__Alert *)(uintptr_t)stored;
	*a = *stored;
	struct alert shape = {.level = (enum level)a->level,
	                      .raised_at_ms = a->raised_at_ms,
	                      .reopened_at_ms = a->reopened_at_ms};
	a->due_at_ms = lifecycle_due(env->policy, &shape);
	a->n_history = 0;
	a->history = NULL;
	current_view(t, ar, a);
	struct history h = {ar, a, 0};
	if (with_history && store_alert_events(t, a->seq, event_visit, &h) != STORE_OK)
		log_warn("control: history of %s unreadable", a->alert_id);
	return a;
}

/* ---- ack, close, note ---- */

static int announce(struct outbox *out, const struct alert *a, const struct alert_event *e)
{
	return outbox_add_change(out, a, e) < 0 ? STORE_ERROR : STORE_OK;
}

int control_alert_apply(struct store_txn *t, const struct control_env *env,
                        const struct control_alert_change *c, uint64_t seq, char *err,
                        size_t errlen)
{
	struct alert *a = malloc(sizeof *a);
	struct alert_event *e = malloc(sizeof *e);
	int rc = a && e ? store_alert_get(t, seq, a) : STORE_ERROR;
	if (rc == STORE_NOTFOUND) {
		snprintf(err, errlen, "%s.alert_id: no such alert", c->name);
		rc = CONTROL_REFUSED;
	}
	if (rc != STORE_OK)
		goto out;
	int ok;
	switch (c->action) {
	case ALERT_ACTION_ACKNOWLEDGED:
		ok = lifecycle_ack(a, c->by, c->text, c->now_ms, e, err, errlen);
		break;
	case ALERT_ACTION_CLOSED:
		ok = lifecycle_close(env->policy, a, c->by, c->outcome, c->text, c->now_ms, e, err,
		                     errlen);
		break;
	default:
		ok = lifecycle_note(a, c->by, c->text, c->now_ms, e, err, errlen);
		break;
	}
	if (ok < 0) {
		rc = CONTROL_REFUSED;
		goto out;
	}
	snprintf(e->operator_, sizeof e->operator_, "%s", c->operator_);
	/* The alert keeps the child it was raised for; if that child has
	 * merged since, its open alerts and household are the survivor's. */
	uint64_t child = a->child;
	if ((rc = store_child_resolve(t, a->child, &child)) != STORE_OK)
		goto out;
	if (c->action == ALERT_ACTION_CLOSED) {
		/* Closed, the rule may raise again for the child on new
		 * evidence. A superseded alert is not the open one: the
		 * alert that replaced it stays open. */
		uint64_t open = 0;
		rc = store_open_alert(t, child, a->rule, &open);
		if (rc == STORE_OK && open == a->seq)
			rc = store_open_alert_set(t, child, a->rule, 0);
		else if (rc == STORE_NOTFOUND || rc == STORE_OK)
			rc = STORE_OK;
		if (rc != STORE_OK)
			goto out;
	}
	if (c->action != ALERT_ACTION_NOTE && (rc = store_alert_update(t, a)) != STORE_OK)
		goto out;
	rc = store_alert_event_add(t, a->seq, e);
	if (rc == STORE_EXISTS) {
		snprintf(err, errlen, "%s: %s holds %d history entries, the most kept", c->name,
		         a->alert_id, STORE_ALERT_EVENTS_MAX);
		rc = CONTROL_REFUSED;
	}
	/* Announced with the household the child is in now. */
	if (rc == STORE_OK)
		rc = store_child_household(t, child, &a->household);
	if (rc == STORE_OK)
		rc = announce(env->out, a, e);
	/* Each agency whose concerns were evidence hears how it ended. */
	if (rc == STORE_OK && c->action == ALERT_ACTION_CLOSED)
		rc = feedback_on_close(
		    t, a, c->now_ms, env->schools ? env->schools->feedback_contact : "", env->out);
out:
	free(a);
	free(e);
	return rc;
}

/* One change to one alert, as control_write() runs it. */
struct change {
	const struct control_env *env;
	struct control_alert_change c;
	uint64_t seq;
	char err[LIFECYCLE_ERR_MAX];
};

static int apply(struct store_txn *t, void *arg)
{
	struct change *ch = arg;
	return control_alert_apply(t, ch->env, &ch->c, ch->seq, ch->err, sizeof ch->err);
}

/* After the commit: the alert as it now stands, for the reply. */
static const char *alert_reply(const struct control_env *env, uint64_t seq, struct arena *ar,
                               Ffc__V1__ControlReply *reply, Ffc__V1__ControlReply__ResultCase rc)
{
	struct store_txn *t;
	if (store_begin(env->store, 0, &t) != STORE_OK)
		return "store: cannot read (the change is stored)";
	Ffc__V1__AlertReply *r = arena_alloc(ar, sizeof *r);
	Ffc__V1__Alert *a = control_alert_message(t, ar, seq);
	if (a)
		a = control_alert_lifecycle(env, t, ar, a, 1);
	store_abort(&t);
	if (!r || !a)
		return "out of memory (the change is stored)";
	ffc__v1__alert_reply__init(r);
	r->alert = a;
	reply->result_case = rc;
	switch (rc) {
	case FFC__V1__CONTROL_REPLY__RESULT_ACK:
		reply->ack = r;
		break;
	case FFC__V1__CONTROL_REPLY__RESULT_CLOSE:
		reply->close = r;
		break;
	default:
		reply->note = r;
		break;
	}
	return NULL;
}

static const char *change(struct change *c, const char *alert_id, struct arena *ar,
                          Ffc__V1__ControlReply *reply, Ffc__V1__ControlReply__ResultCase result)
{
	if (lifecycle_check_text("operator", c->c.operator_, WIRE_PERSON_MAX - 1, 0, 0, c->err,
	                         sizeof c->err) < 0)
		return arena_strdup(ar, c->err);
	if (wire_alert_id_parse(alert_id, &c->seq) < 0) {
		snprintf(c->err, sizeof c->err, "%s.alert_id: not an alert id (like A00000007)",
		         c->c.name);
		return arena_strdup(ar, c->err);
	}
	int rc = control_write(c->env, apply, c);
	if (rc != STORE_OK) {
		outbox_clear(c->env->out);
		return control_write_error(rc, c->err, ar);
	}
	return alert_reply(c->env, c->seq, ar, reply, result);
}

const char *control_ack(struct control_call *call)
{
	const Ffc__V1__ControlRequest *rq = call->rq;
	const Ffc__V1__AckRequest *req = rq->ack;
	struct change c = {.env = call->env,
	                   .c = {.action = ALERT_ACTION_ACKNOWLEDGED,
	                         .name = "ack",
	                         .operator_ = rq->operator_,
	                         .by = req->by,
	                         .text = req->note,
	                         .outcome = "",
	                         .now_ms = call->now_ms}};
	return change(&c, req->alert_id, call->ar, call->reply, FFC__V1__CONTROL_REPLY__RESULT_ACK);
}

const char *control_close(struct control_call *call)
{
	const Ffc__V1__ControlRequest *rq = call->rq;
	const Ffc__V1__CloseRequest *req = rq->close;
	struct change c = {.env = call->env,
	                   .c = {.action = ALERT_ACTION_CLOSED,
	                         .name = "close",
	                         .operator_ = rq->operator_,
	                         .by = req->by,
	                         .text = req->note,
	                         .outcome = req->outcome,
	                         .now_ms = call->now_ms}};
	return change(&c, req->alert_id, call->ar, call->reply,
	              FFC__V1__CONTROL_REPLY__RESULT_CLOSE);
}

const char *control_note(struct control_call *call)
{
	const Ffc__V1__ControlRequest *rq = call->rq;
	const Ffc__V1__NoteRequest *req = rq->note;
	struct change c = {.env = call->env,
	                   .c = {.action = ALERT_ACTION_NOTE,
	                         .name = "note",
	                         .operator_ = rq->operator_,
	                         .by = req->by,
	                         .text = req->text,
	                         .outcome = "",
	                         .now_ms = call->now_ms}};
	return change(&c, req->alert_id, call->ar, call->reply,
	              FFC__V1__CONTROL_REPLY__RESULT_NOTE);
}

/* ---- lead practitioner ---- */

struct practitioners {
	struct arena *ar;
	size_t n, cap;
	Ffc__V1__PractitionerAssignment **items;
};

static int assignment_visit(const void *data, size_t len, void *arg)
{
	struct practitioners *p = arg;
	Ffc__V1__PractitionerAssignment *as =
	    ffc__v1__practitioner_assignment__unpack(NULL, len, data);
	if (!as || arena_keep(p->ar, &as->base) < 0)
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		Ffc__V1__PractitionerAssignment **items = arena_alloc(p->ar, cap * sizeof *items);
		if (!items)
			return 1;
		if (p->n)
			memcpy(items, p->items, p->n * sizeof *items);
		p->items = items;
		p->cap = cap;
	}
	p->items[p->n++] = as;
	return 0;
}

/* Every assignment of child, oldest first; the current one is the last. */
static int practitioners(struct store_txn *t, uint64_t child, struct arena *ar,
                         struct practitioners *p)
{
	*p = (struct practitioners){.ar = ar};
	return store_assignments(t, child, assignment_visit, p);
}

struct assign {
	const struct control_env *env;
	const Ffc__V1__AssignRequest *req;
	const char *operator_;
	int64_t now_ms;
	uint64_t child;
	char err[LIFECYCLE_ERR_MAX];
};

static int apply_assign(struct store_txn *t, void *arg)
{
	struct assign *c = arg;
	const char *why = control_find_child(t, c->req->child, &c->child);
	if (why) {
		snprintf(c->err, sizeof c->err, "assign.%s", why);
		return CONTROL_REFUSED;
	}
	struct assignment *as = calloc(1, sizeof *as);
	if (!as)
		return STORE_ERROR;
	int rc = store_lead_practitioner(t, c->child, as->practitioner, sizeof as->practitioner);
	char id[WIRE_ID_MAX];
	wire_child_id(c->child, id);
	if (rc == STORE_OK && !strcmp(as->practitioner, c->req->practitioner)) {
		snprintf(c->err, sizeof c->err,
		         "assign.practitioner: already the lead practitioner of %s", id);
		rc = CONTROL_REFUSED;
	}
	if (rc == STORE_OK) {
		snprintf(as->practitioner, sizeof as->practitioner, "%s", c->req->practitioner);
		snprintf(as->by, sizeof as->by, "%s", c->req->by);
		as->at_ms = c->now_ms;
		snprintf(as->note, sizeof as->note, "%s", c->req->note);
		snprintf(as->operator_, sizeof as->operator_, "%s", c->operator_);
		rc = store_assignment_add(t, c->child, as);
		if (rc == STORE_EXISTS) {
			snprintf(c->err, sizeof c->err,
			         "assign: %s holds %d assignments, the most kept", id,
			         STORE_ASSIGNMENTS_MAX);
			rc = CONTROL_REFUSED;
		}
	}
	free(as);
	return rc;
}

const char *control_assign(struct control_call *call)
{
	const struct control_env *env = call->env;
	const Ffc__V1__ControlRequest *rq = call->rq;
	struct arena *ar = call->ar;
	const Ffc__V1__AssignRequest *req = rq->assign;
	struct assign c = {
	    .env = env, .req = req, .now_ms = call->now_ms, .operator_ = rq->operator_};
	static const Ffc__V1__ChildRequest none = FFC__V1__CHILD_REQUEST__INIT;
	Ffc__V1__AssignRequest named = *req;
	if (!named.child)
		named.child = (Ffc__V1__ChildRequest *)(uintptr_t)&none;
	c.req = &named;
	if (lifecycle_check_text("operator", rq->operator_, WIRE_PERSON_MAX - 1, 0, 0, c.err,
	                         sizeof c.err) < 0 ||
	    lifecycle_check_text("assign.practitioner", req->practitioner, WIRE_PERSON_MAX - 1, 1,
	                         0, c.err, sizeof c.err) < 0 ||
	    lifecycle_check_text("assign.by", req->by, WIRE_PERSON_MAX - 1, 1, 0, c.err,
	                         sizeof c.err) < 0 ||
	    lifecycle_check_text("assign.note", req->note, WIRE_TEXT_MAX - 1, 0, 1, c.err,
	                         sizeof c.err) < 0)
		return arena_strdup(ar, c.err);
	int rc = control_write(env, apply_assign, &c);
	if (rc != STORE_OK)
		return control_write_error(rc, c.err, ar);
	log_info("control: lead practitioner of C%08" PRIu64 " assigned", c.child);

	struct store_txn *t;
	if (store_begin(env->store, 0, &t) != STORE_OK)
		return "store: cannot read (the assignment is stored)";
	Ffc__V1__AssignReply *r = arena_alloc(ar, sizeof *r);
	struct practitioners p;
	int ok = practitioners(t, c.child, ar, &p) == STORE_OK;
	store_abort(&t);
	if (!r || !ok)
		return "store: cannot read (the assignment is stored)";
	ffc__v1__assign_reply__init(r);
	char id[WIRE_ID_MAX];
	wire_child_id(c.child, id);
	r->child_id = arena_strdup(ar, id);
	r->practitioners = p.items;
	r->n_practitioners = p.n;
	r->lead_practitioner = p.n ? p.items[p.n - 1]->practitioner : arena_strdup(ar, "");
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_ASSIGN;
	call->reply->assign = r;
	return NULL;
}

/* ---- additions to other replies ---- */

void control_child_lifecycle(const struct control_env *env, struct store_txn *t, struct arena *ar,
                             Ffc__V1__ChildReply *c)
{
	for (size_t i = 0; i < c->n_alerts; i++)
		c->alerts[i] = control_alert_lifecycle(env, t, ar, c->alerts[i], 1);
	uint64_t child;
	struct practitioners p;
	if (wire_child_id_parse(c->child_id, &child) < 0 ||
	    practitioners(t, child, ar, &p) != STORE_OK)
		return;
	c->practitioners = p.items;
	c->n_practitioners = p.n;
	c->lead_practitioner = p.n ? p.items[p.n - 1]->practitioner : arena_strdup(ar, "");
}

/* A page of alerts for req: its level and state checked (an error message
 * naming the field), the page size settled (*limit), the reply allocated
 * with the latest alert seq and room for *limit alerts. *page is NULL
 * when memory ran out. */
static const char *alerts_page(struct store_txn *t, const Ffc__V1__AlertsRequest *req,
                               struct arena *ar, Ffc__V1__AlertsReply **page, size_t *limit)
{
	*page = NULL;
	if (req->level != FFC__V1__LEVEL__LEVEL_UNSPECIFIED &&
	    req->level != FFC__V1__LEVEL__AMBER && req->level != FFC__V1__LEVEL__RED)
		return "alerts.level: unknown value";
	if (req->state < FFC__V1__ALERT_STATE__ALERT_STATE_UNSPECIFIED ||
	    req->state > FFC__V1__ALERT_STATE__SUPERSEDED)
		return "alerts.state: unknown value";
	*limit = req->limit ? req->limit : CONTROL_ALERTS_PAGE;
	if (*limit > CONTROL_ALERTS_MAX)
		*limit = CONTROL_ALERTS_MAX;
	Ffc__V1__AlertsReply *r = arena_alloc(ar, sizeof *r);
	Ffc__V1__Alert **items = arena_alloc(ar, *limit * sizeof *items);
	if (!r || !items)
		return NULL;
	ffc__v1__alerts_reply__init(r);
	r->last_seq = store_last_alert_seq(t);
	r->alerts = items;
	*page = r;
	return NULL;
}

struct overdue_page {
	struct store_txn *t;
	struct arena *ar;
	const Ffc__V1__AlertsRequest *req;
	size_t limit;
	Ffc__V1__AlertsReply *r;
};

static int overdue_visit(uint64_t seq, void *arg)
{
	struct overdue_page *p = arg;
	Ffc__V1__Alert *a = control_alert_message(p->t, p->ar, seq);
	if (!a || (p->req->level && a->level != p->req->level) ||
	    (p->req->state && a->state != p->req->state))
		return 0;
	if (p->r->n_alerts == p->limit) {
		p->r->more = 1;
		return 1;
	}
	p->r->alerts[p->r->n_alerts++] = a;
	return 0;
}

/* AlertsRequest.overdue: the alerts overdue now, by seq, through the
 * store's index of them. */
static const char *overdue(struct store_txn *t, const Ffc__V1__AlertsRequest *req, struct arena *ar,
                           Ffc__V1__ControlReply *reply)
{
	Ffc__V1__AlertsReply *r;
	size_t limit;
	const char *err = alerts_page(t, req, ar, &r, &limit);
	if (err || !r)
		return err;
	struct overdue_page p = {t, ar, req, limit, r};
	if (store_alert_overdue_each(t, req->since_seq, overdue_visit, &p) != STORE_OK)
		return "alerts: store error";
	reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_ALERTS;
	reply->alerts = r;
	return NULL;
}

/* ---- the alerts listing ---- */

/* levels: bit (1u << level) per level the caller may see; all when 0. */
static const char *listing(struct store_txn *t, const Ffc__V1__AlertsRequest *req, unsigned levels,
                           struct arena *ar, Ffc__V1__ControlReply *reply)
{
	Ffc__V1__AlertsReply *r;
	size_t limit;
	const char *err = alerts_page(t, req, ar, &r, &limit);
	if (err || !r)
		return err;
	const uint64_t last = r->last_seq;
	Ffc__V1__Alert **items = r->alerts;
	for (uint64_t seq = req->since_seq + 1; seq <= last && seq > req->since_seq; seq++) {
		Ffc__V1__Alert *a = control_alert_message(t, ar, seq);
		if (!a)
			continue;
		if (req->level && a->level != req->level)
			continue;
		if (req->state && a->state != req->state)
			continue;
		if (levels && (a->level < 0 || a->level >= 32 || !(levels & (1u << a->level))))
			continue;
		if (r->n_alerts == limit) {
			r->more = 1;
			break;
		}
		items[r->n_alerts++] = a;
	}
	reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_ALERTS;
	reply->alerts = r;
	return NULL;
}

/* A console sees the alerts of its levels only, on the overdue list too. */
static void keep_levels(Ffc__V1__AlertsReply *r, unsigned levels)
{
	size_t kept = 0;
	for (size_t i = 0; i < r->n_alerts; i++) {
		int level = r->alerts[i]->level;
		if (level >= 0 && level < 32 && (levels & (1u << level)))
			r->alerts[kept++] = r->alerts[i];
	}
	r->n_alerts = kept;
}

const char *control_alerts(struct control_call *call)
{
	const struct authz_caller *caller = call->caller;
	const Ffc__V1__AlertsRequest *req = call->rq->alerts;
	Ffc__V1__ControlReply *reply = call->reply;
	/* A console's levels (bit 0, no level, matches no alert: a console
	 * given no level sees none). */
	unsigned seen = caller->role == ACCESS_CONSOLE ? caller->levels | 1u : 0;
	const char *err = req->overdue ? overdue(call->t, req, call->ar, reply)
	                               : listing(call->t, req, seen, call->ar, reply);
	if (!err && reply->alerts && caller->role == ACCESS_CONSOLE)
		keep_levels(reply->alerts, caller->levels);
	for (size_t i = 0; !err && reply->alerts && i < reply->alerts->n_alerts; i++) {
		reply->alerts->alerts[i] = control_alert_lifecycle(
		    call->env, call->t, call->ar, reply->alerts->alerts[i], req->history);
		/* The listing consoles catch up with is the broadcast data
		 * again: the same least identity. */
		wire_alert_broadcast(reply->alerts->alerts[i]);
	}
	return err;
}
