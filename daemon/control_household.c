/*
 * control_household.c - the operators' changes to households: link two
 * children's households into one, take a child out of its household
 * (admin, with a reason, recorded as household events), and acknowledge
 * or close every open alert of a household at once.
 *
 * Owns checking these requests and shaping their replies. What a
 * household is, is household.c's; judging the household rules again after
 * a link is judge_apply.c's; each alert's change is control_alerts.c's
 * (control_alert_apply), made once per alert, audited once per alert.
 */
#include "control_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "household.h"
#include "ids.h"
#include "judge_apply.h"
#include "lifecycle.h"
#include "log.h"
#include "wire.h"

/* ---- link and unlink ---- */

struct household_job {
	const struct control_env *env;
	const char *operator_;
	const char *a, *b; /* the children as the request names them (b NULL: unlink) */
	const char *reason;
	int64_t now_ms;
	/* set by each attempt */
	char err[640];
	uint64_t household, child;
	struct household_event event;
	struct outbox raised;
};

/* The last household event recorded, as a copy. */
static int last_event(struct store_txn *t, struct household_event *e)
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	int rc = store_child_household_events(t, e->child, &seqs, &n);
	if (rc == STORE_OK && n) {
		const void *data;
		size_t len;
		rc = store_household_event_raw(t, seqs[n - 1], &data, &len);
		if (rc == STORE_OK && wire_household_event_decode(data, len, e) < 0)
			rc = STORE_ERROR;
	}
	free(seqs);
	return rc;
}

static int link_run(struct store_txn *t, void *arg)
{
	struct household_job *j = arg;
	outbox_clear(&j->raised);
	j->err[0] = '\0';
	uint64_t a, b;
	const char *e;
	if ((e = control_named_child(t, "household_link.child_a", j->a, &a, j->err,
	                             sizeof j->err)) ||
	    (e = control_named_child(t, "household_link.child_b", j->b, &b, j->err,
	                             sizeof j->err))) {
		if (e != j->err)
			snprintf(j->err, sizeof j->err, "%s", e);
		return CONTROL_REFUSED;
	}
	char ia[WIRE_ID_MAX], ib[WIRE_ID_MAX], hid[WIRE_ID_MAX];
	wire_child_id(a, ia);
	wire_child_id(b, ib);
	if (a == b) {
		snprintf(j->err, sizeof j->err, "household_link: %s and %s are one child (%s)",
		         j->a, j->b, ia);
		return CONTROL_REFUSED;
	}
	struct household_why w = {j->operator_, j->reason, 0};
	struct household_union u;
	int rc = household_join(t, a, b, &w, j->now_ms, &u);
	if (rc != STORE_OK)
		return rc;
	if (u.change == HOUSEHOLD_SAME) {
		wire_household_id(u.household, hid);
		snprintf(j->err, sizeof j->err,
		         "household_link: %s and %s are already one household (%s)", ia, ib, hid);
		return CONTROL_REFUSED;
	}
	if (u.change == HOUSEHOLD_FULL) {
		snprintf(j->err, sizeof j->err,
		         "household_link: together their households would pass %d children",
		         HOUSEHOLD_MEMBERS_MAX);
		return CONTROL_REFUSED;
	}
	j->household = u.household;
	j->event.child = u.child;
	if ((rc = last_event(t, &j->event)) != STORE_OK)
		return rc;
	/* The household's rules judge its children together from now on,
	 * over their whole histories. */
	wire_household_id(u.household, hid);
	char note[RULE_REASON_MAX];
	snprintf(note, sizeof note, "after %s and %s were linked into household %s", ia, ib, hid);
	return judge_household_history(t, a, j->env->rules, j->env->n_rules, note, j->now_ms,
	                               &j->raised);
}

static int unlink_run(struct store_txn *t, void *arg)
{
	struct household_job *j = arg;
	outbox_clear(&j->raised);
	j->err[0] = '\0';
	const char *e = control_named_child(t, "household_unlink.child_id", j->a, &j->child, j->err,
	                                    sizeof j->err);
	if (e) {
		if (e != j->err)
			snprintf(j->err, sizeof j->err, "%s", e);
		return CONTROL_REFUSED;
	}
	struct household_why w = {j->operator_, j->reason, 0};
	int rc = household_leave(t, j->child, &w, j->now_ms, &j->household);
	if (rc != STORE_OK)
		return rc;
	if (!j->household) {
		char id[WIRE_ID_MAX];
		wire_child_id(j->child, id);
		snprintf(j->err, sizeof j->err, "household_unlink: %s is in no household", id);
		return CONTROL_REFUSED;
	}
	j->event.child = j->child;
	if ((rc = last_event(t, &j->event)) != STORE_OK)
		return rc;
	/* Judged alone from now on. */
	return judge_household_history(t, j->child, j->env->rules, j->env->n_rules, NULL, j->now_ms,
	                               &j->raised);
}

/* The reply of a committed link or unlink: the household as it is now. */
static const char *household_reply(struct control_call *call, struct household_job *j,
                                   Ffc__V1__ControlReply__ResultCase result)
{
	struct arena *ar = call->ar;
	Ffc__V1__HouseholdReply *r = arena_alloc(ar, sizeof *r);
	Ffc__V1__HouseholdEvent *ev = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	if (r && wire_household_event_pack(&j->event, &buf, &len) == 0) {
		ev = ffc__v1__household_event__unpack(NULL, len, buf);
		if (ev && arena_keep(ar, &ev->base) < 0)
			ev = NULL;
	}
	free(buf);
	if (!r)
		return NULL;
	ffc__v1__household_reply__init(r);
	r->event = ev;
	r->raised = control_publish_raised(call->env, ar, &j->raised, &r->n_raised);
	struct store_txn *t;
	if (store_begin(call->env->store, 0, &t) != STORE_OK)
		return "store: cannot read (the change is stored)";
	uint64_t members[HOUSEHOLD_MEMBERS_MAX], live = 0;
	size_t n = 0;
	if (household_of_id(t, j->household, &live, members, &n) == STORE_OK) {
		r->household_id = control_household_text(ar, live);
		r->members = arena_alloc(ar, (n + 1) * sizeof *r->members);
		for (size_t i = 0; r->members && i < n; i++) {
			Ffc__V1__FamilyMember *m =
			    control_family_member(t, call->env, ar, members[i]);
			if (m)
				r->members[r->n_members++] = m;
		}
	}
	store_abort(&t);
	call->reply->result_case = result;
	if (result == FFC__V1__CONTROL_REPLY__RESULT_HOUSEHOLD_LINK)
		call->reply->household_link = r;
	else
		call->reply->household_unlink = r;
	return NULL;
}

/* A link (b set) or an unlink of the children the request names, for
 * `reason`; the field names the reason in messages. */
static const char *household_change(struct control_call *call, const char *a, const char *b,
                                    const char *reason, const char *field)
{
	static char err[640];
	const int linking = b != NULL;
	const char *out =
	    control_check_who_why(call->rq->operator_, reason, field, err, sizeof err);
	if (out)
		return out;
	struct household_job *j = calloc(1, sizeof *j);
	if (!j)
		return "out of memory";
	*j = (struct household_job){.env = call->env,
	                            .operator_ = call->rq->operator_,
	                            .a = a,
	                            .b = b,
	                            .reason = reason,
	                            .now_ms = call->now_ms};
	int rc = control_write(call->env, linking ? link_run : unlink_run, j);
	out = control_write_error(rc, j->err, call->ar);
	if (!out) {
		char hid[WIRE_ID_MAX];
		wire_household_id(j->household, hid);
		log_info("control: household %s %s by %s", hid,
		         linking ? "linked" : "left by a child", j->operator_);
		out = household_reply(call, j,
		                      linking ? FFC__V1__CONTROL_REPLY__RESULT_HOUSEHOLD_LINK
		                              : FFC__V1__CONTROL_REPLY__RESULT_HOUSEHOLD_UNLINK);
	}
	outbox_clear(&j->raised);
	free(j);
	return out;
}

const char *control_household_link(struct control_call *call)
{
	const Ffc__V1__HouseholdLinkRequest *req = call->rq->household_link;
	return household_change(call, req->child_a, req->child_b, req->reason,
	                        "household_link.reason");
}

const char *control_household_unlink(struct control_call *call)
{
	const Ffc__V1__HouseholdUnlinkRequest *req = call->rq->household_unlink;
	return household_change(call, req->child_id, NULL, req->reason, "household_unlink.reason");
}

/* ---- a household's alerts, acknowledged or closed at once ---- */

/* The alerts one request lists as changed, and as skipped; past these
 * they are still changed, and counted in the log. */
#define HOUSEHOLD_ALERTS_MAX 512

struct alerts_job {
	const struct control_env *env;
	const Ffc__V1__HouseholdAlertsRequest *req;
	struct control_alert_change c;
	uint64_t id;
	/* set by each attempt */
	char err[LIFECYCLE_ERR_MAX];
	uint64_t household;
	size_t n_done, n_skipped;
	uint64_t done[HOUSEHOLD_ALERTS_MAX];
	char skipped[HOUSEHOLD_ALERTS_MAX][160];
};

/* Every open (or, to close, acknowledged) alert of each child, oldest
 * first: changed one by one, each as a single request would, and audited
 * under its child. */
static int alerts_run(struct store_txn *t, void *arg)
{
	struct alerts_job *j = arg;
	j->err[0] = '\0';
	j->n_done = j->n_skipped = 0;
	uint64_t members[HOUSEHOLD_MEMBERS_MAX];
	size_t n;
	int rc = household_of_id(t, j->id, &j->household, members, &n);
	if (rc == STORE_NOTFOUND) {
		snprintf(j->err, sizeof j->err, "household_alerts.household_id: no such household");
		return CONTROL_REFUSED;
	}
	char hid[WIRE_ID_MAX];
	wire_household_id(j->household, hid);
	struct alert *a = malloc(sizeof *a);
	if (!a)
		return STORE_ERROR;
	for (size_t m = 0; m < n && rc == STORE_OK; m++) {
		uint64_t *seqs = NULL;
		size_t k = 0;
		rc = store_child_alerts(t, members[m], &seqs, &k);
		for (size_t i = 0; i < k && rc == STORE_OK; i++) {
			if ((rc = store_alert_get(t, seqs[i], a)) != STORE_OK)
				break;
			/* Open work only: raised or acknowledged, never closed or
			 * superseded (its higher alert carries the work). */
			if (a->state != ALERT_OPEN)
				continue;
			char why[LIFECYCLE_ERR_MAX];
			rc = control_alert_apply(t, j->env, &j->c, a->seq, why, sizeof why);
			if (rc == CONTROL_REFUSED) {
				if (j->n_skipped < HOUSEHOLD_ALERTS_MAX)
					snprintf(j->skipped[j->n_skipped], sizeof j->skipped[0],
					         "%s: %.120s", a->alert_id, why);
				j->n_skipped++;
				rc = STORE_OK;
				continue;
			}
			if (rc != STORE_OK)
				break;
			if (j->n_done < HOUSEHOLD_ALERTS_MAX)
				j->done[j->n_done] = a->seq;
			j->n_done++;
			char detail[WIRE_REASON_MAX];
			snprintf(detail, sizeof detail, "%s of household %s by %s%s%s%s%s",
			         a->alert_id, hid, j->c.by,
			         j->c.action == ALERT_ACTION_CLOSED ? ", outcome " : "",
			         j->c.action == ALERT_ACTION_CLOSED ? j->c.outcome : "",
			         j->c.text[0] ? ": " : "", j->c.text);
			rc = control_audit_child_change(t, j->env->audit, members[m], detail);
		}
		free(seqs);
	}
	free(a);
	/* Nothing done is said as a refusal, with why. */
	if (rc == STORE_OK && j->n_done == 0 && j->n_skipped == 0) {
		snprintf(j->err, sizeof j->err, "household_alerts: %s has no open alert", hid);
		return CONTROL_REFUSED;
	}
	if (rc == STORE_OK && j->n_done == 0) {
		snprintf(j->err, sizeof j->err, "household_alerts: nothing changed in %s: %s%s",
		         hid, j->skipped[0], j->n_skipped > 1 ? ", and the others likewise" : "");
		return CONTROL_REFUSED;
	}
	return rc;
}

const char *control_household_alerts(struct control_call *call)
{
	const Ffc__V1__HouseholdAlertsRequest *req = call->rq->household_alerts;
	struct arena *ar = call->ar;
	struct alerts_job *j = calloc(1, sizeof *j);
	if (!j)
		return "out of memory";
	j->env = call->env;
	j->req = req;
	const char *name =
	    req->action == FFC__V1__HOUSEHOLD_ALERTS_REQUEST__ACTION__CLOSE ? "close" : "ack";
	j->c = (struct control_alert_change){
	    .action = req->action == FFC__V1__HOUSEHOLD_ALERTS_REQUEST__ACTION__CLOSE
	                  ? ALERT_ACTION_CLOSED
	                  : ALERT_ACTION_ACKNOWLEDGED,
	    .name = name,
	    .operator_ = call->rq->operator_,
	    .by = req->by,
	    .text = req->note,
	    .outcome = req->outcome,
	    .now_ms = call->now_ms};
	const char *out = NULL;
	if (req->action != FFC__V1__HOUSEHOLD_ALERTS_REQUEST__ACTION__ACK &&
	    req->action != FFC__V1__HOUSEHOLD_ALERTS_REQUEST__ACTION__CLOSE)
		out = "household_alerts.action: give ACK or CLOSE";
	else if (wire_household_id_parse(req->household_id, &j->id) < 0)
		out = "household_alerts.household_id: not a household id (like H00000003)";
	else if (lifecycle_check_text("operator", call->rq->operator_, WIRE_PERSON_MAX - 1, 0, 0,
	                              j->err, sizeof j->err) < 0 ||
	         lifecycle_check_text("household_alerts.by", req->by, WIRE_PERSON_MAX - 1, 1, 0,
	                              j->err, sizeof j->err) < 0 ||
	         lifecycle_check_text("household_alerts.note", req->note, WIRE_TEXT_MAX - 1, 0, 1,
	                              j->err, sizeof j->err) < 0)
		out = arena_strdup(ar, j->err);
	if (out) {
		free(j);
		return out;
	}
	int rc = control_write(call->env, alerts_run, j);
	if (rc != STORE_OK) {
		outbox_clear(call->env->out);
		out = control_write_error(rc, j->err, ar);
		free(j);
		return out;
	}
	char hid[WIRE_ID_MAX];
	wire_household_id(j->household, hid);
	log_info("control: %s of %zu alerts of household %s", name, j->n_done, hid);
	Ffc__V1__HouseholdAlertsReply *r = arena_alloc(ar, sizeof *r);
	struct store_txn *t;
	if (!r || store_begin(call->env->store, 0, &t) != STORE_OK) {
		free(j);
		return "store: cannot read (the changes are stored)";
	}
	ffc__v1__household_alerts_reply__init(r);
	r->household_id = arena_strdup(ar, hid);
	size_t listed = j->n_done < HOUSEHOLD_ALERTS_MAX ? j->n_done : HOUSEHOLD_ALERTS_MAX;
	r->alerts = arena_alloc(ar, (listed + 1) * sizeof *r->alerts);
	for (size_t i = 0; r->alerts && i < listed; i++) {
		Ffc__V1__Alert *a = control_alert_message(t, ar, j->done[i]);
		if (a)
			r->alerts[r->n_alerts++] = control_alert_lifecycle(call->env, t, ar, a, 0);
	}
	store_abort(&t);
	listed = j->n_skipped < HOUSEHOLD_ALERTS_MAX ? j->n_skipped : HOUSEHOLD_ALERTS_MAX;
	r->skipped = arena_alloc(ar, (listed + 1) * sizeof *r->skipped);
	for (size_t i = 0; r->skipped && i < listed; i++)
		r->skipped[r->n_skipped++] = arena_strdup(ar, j->skipped[i]);
	free(j);
	call->reply->result_case = FFC__V1__CONTROL_REPLY__RESULT_HOUSEHOLD_ALERTS;
	call->reply->household_alerts = r;
	return NULL;
}
