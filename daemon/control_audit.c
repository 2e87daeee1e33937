/*
 * control_audit.c - who is asking the control socket, and the audit trail
 * of what they read, changed or were refused (ffc.v1.AuditEntry, append
 * only in the store); control_write(), which runs a change with its
 * entry in one transaction.
 *
 * What each role may do is authz.c's; this file establishes the caller
 * and writes the entries. Reading them back (`ffcctl audit`, "viewed by")
 * is control_trail.c's. Nothing here changes or deletes an entry: the
 * store offers no way to.
 */
#include "control_int.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_refusals.h"
#include "ids.h"
#include "log.h"
#include "outbox.h"
#include "store_notices.h"
#include "validate.h"
#include "wire_notice.h"

/* The Unix user an ipc caller is, from the kernel; -1 on any other
 * transport (a tcp:// socket's Peer-Address is an IP address). */
static int ipc_uid(const struct control_env *env, unsigned *uid)
{
	if (!env->info || !env->info->control || strncmp(env->info->control, "ipc://", 6) != 0)
		return -1;
	return authz_peer_uid(env->peer_address, uid);
}

/* "unix user NAME (uid N)", or "uid N" when the name is not found. */
static void unix_user_name(unsigned uid, char *buf, size_t len, int bare)
{
	struct passwd pw, *found = NULL;
	char tmp[1024];
	if (getpwuid_r((uid_t)uid, &pw, tmp, sizeof tmp, &found) == 0 && found)
		snprintf(buf, len, bare ? "%s" : "unix user %s (uid %u)", found->pw_name, uid);
	else
		snprintf(buf, len, "uid %u", uid);
}

void control_caller(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                    struct authz_caller *c)
{
	const struct access_list *l = env->access;
	const struct access_key *k = NULL;
	unsigned uid;
	int have_uid = ipc_uid(env, &uid) == 0;
	memset(c, 0, sizeof *c);
	if (env->peer) {
		/* Authenticated by its CURVE key: the key is the caller,
		 * whatever operator name it gives. */
		k = l ? access_key_named(l, env->peer) : NULL;
		c->name = env->peer;
	} else if (!l || l->n_operators == 0) {
		/* No operators configured: development on one machine. The
		 * socket's file modes admit only ffcd's own user, every one of
		 * its callers is admin (announced in the log at start), named
		 * as it likes, else after its Unix user. */
		if (rq->operator_[0]) {
			c->name = rq->operator_;
		} else if (have_uid) {
			unix_user_name(uid, c->own_name, sizeof c->own_name, 1);
			c->name = c->own_name;
		} else {
			c->name = "local";
		}
		c->role = ACCESS_ADMIN;
		/* Any of them may speak for a person too (ffc-web on one
		 * machine): they are all trusted alike. */
		authz_on_behalf(c, 1, rq->on_behalf_of, rq->on_behalf_role);
		return;
	} else if (!have_uid) {
		/* Operators are Unix users: a caller the kernel does not name
		 * (a tcp:// socket without CURVE) is none of them. */
		c->name = rq->operator_[0] ? rq->operator_ : "a caller of unknown Unix user";
	} else {
		int unknown_name;
		k = authz_ipc_operator(l, uid, rq->operator_, &unknown_name);
		if (k) {
			c->name = k->name;
		} else if (unknown_name) {
			c->name = rq->operator_[0] ? rq->operator_ : "an operator giving no name";
		} else {
			unix_user_name(uid, c->own_name, sizeof c->own_name, 0);
			c->name = c->own_name;
		}
	}
	if (k) {
		c->role = k->role;
		c->levels = k->levels;
	}
	authz_on_behalf(c, k && k->delegate, rq->on_behalf_of, rq->on_behalf_role);
	/* A delegate speaking for nobody relays the alerts to the people
	 * signed in to it: a console of every level, nothing more. */
	if (k && k->delegate && !c->via[0] && !c->refused[0]) {
		c->role = ACCESS_CONSOLE;
		c->levels = ~0u;
	}
}

static void entry_init(struct audit_entry *e, const struct authz_caller *c, const char *command,
                       const char *purpose, int64_t now_ms)
{
	memset(e, 0, sizeof *e);
	e->at_ms = now_ms;
	snprintf(e->by, sizeof e->by, "%s", c->name);
	snprintf(e->role, sizeof e->role, "%s", access_role_name(c->role));
	snprintf(e->command, sizeof e->command, "%s", command);
	snprintf(e->purpose, sizeof e->purpose, "%s", purpose);
	snprintf(e->via, sizeof e->via, "%s", c->via);
}

static void entry_clean(struct audit_entry *e)
{
	control_clean_text(e->by);
	control_clean_text(e->purpose);
	control_clean_text(e->detail);
	control_clean_text(e->via);
}

/* ---- writing entries ---- */

struct batch {
	struct audit_entry *e; /* entries to append, children in e[i].child */
	size_t n;
	uint64_t refused; /* refusals they stand for, counted as such */
};

static int add_batch(struct store_txn *t, void *arg)
{
	struct batch *b = arg;
	for (size_t i = 0; i < b->n; i++) {
		entry_clean(&b->e[i]);
		int rc = store_audit_add(t, &b->e[i]);
		if (rc != STORE_OK)
			return rc;
	}
	return b->refused ? store_counter_add(t, "control.refused", b->refused) : STORE_OK;
}

/* The child a refused request named, when it names one by id: the
 * refusal is then found among that child's entries too. */
static uint64_t named_child(const Ffc__V1__ControlRequest *rq)
{
	const char *id = rq->command_case == FFC__V1__CONTROL_REQUEST__COMMAND_CHILD
	                     ? rq->child->child_id
	                 : rq->command_case == FFC__V1__CONTROL_REQUEST__COMMAND_IDENTITIES
	                     ? rq->identities->child_id
	                     : "";
	uint64_t child = 0;
	return id[0] && wire_child_id_parse(id, &child) == 0 ? child : 0;
}

/* Each caller's refusals of the last window (control_refusals.h). One
 * control socket per process: the table lives as long as ffcd, and what
 * it counts is written by control_tick() at the latest. */
static struct refusals refusals;

/* Write refusal entries (each standing for its count, at least one) in
 * one transaction of their own; each is logged, so the log is as bounded
 * as the trail. */
static int write_refusals(struct store *s, struct audit_entry *e, size_t n)
{
	struct outbox none = {0};
	const struct control_env env = {.store = s, .out = &none};
	struct batch b = {e, n, 0};
	for (size_t i = 0; i < n; i++) {
		b.refused += e[i].count ? e[i].count : 1;
		entry_clean(&e[i]);
		log_warn("control: refused: %s%s%s", e[i].count > 1 ? e[i].by : "",
		         e[i].count > 1 ? ": " : "", e[i].detail);
	}
	int rc = control_write(&env, add_batch, &b);
	outbox_clear(&none);
	if (rc != STORE_OK)
		log_error("control: cannot record %llu refusals in the audit trail",
		          (unsigned long long)b.refused);
	return rc == STORE_OK ? 0 : -1;
}

int control_audit_refusal(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                          const struct authz_caller *c, const struct authz_decision *d,
                          int64_t now_ms)
{
	struct audit_entry e[2];
	int has_due;
	entry_init(&e[1], c, d->command, rq->purpose, now_ms);
	e[1].child = named_child(rq);
	e[1].refused = 1;
	snprintf(e[1].detail, sizeof e[1].detail, "%s", d->why);
	/* Only a configured operator or key has a name of its own; whoever
	 * names no known one shares one count, whatever name it claims. */
	enum refusal_verdict v =
	    refusals_note(&refusals, &e[1], c->role != ACCESS_NONE, now_ms, &e[0], &has_due);
	if (v == REFUSAL_COUNTED && !has_due)
		return 0; /* no store work: written with its window's count */
	if (v == REFUSAL_COUNTED)
		return write_refusals(env->store, e, 1);
	return has_due ? write_refusals(env->store, e, 2) : write_refusals(env->store, &e[1], 1);
}

void control_tick(struct store *s, int64_t now_ms, int stopping)
{
	size_t n = refusals_due_count(&refusals, now_ms, stopping);
	if (n == 0) {
		if (stopping)
			refusals_due(&refusals, now_ms, 1, NULL, 0);
		return;
	}
	struct audit_entry *e = calloc(n, sizeof *e);
	if (!e) {
		log_error("control: out of memory writing the refusals counted");
		return; /* kept: the next tick tries again */
	}
	n = refusals_due(&refusals, now_ms, stopping, e, n);
	write_refusals(s, e, n);
	free(e);
}

uint64_t control_refusals_pending(void)
{
	return refusals_pending(&refusals);
}

static void push(uint64_t **ids, size_t *n, size_t *cap, const char *child_id, int *failed)
{
	uint64_t id;
	if (!child_id || !child_id[0] || wire_child_id_parse(child_id, &id) < 0)
		return;
	for (size_t i = 0; i < *n; i++)
		if ((*ids)[i] == id)
			return;
	if (*n == *cap) {
		size_t next = *cap ? *cap * 2 : 16;
		uint64_t *v = realloc(*ids, next * sizeof *v);
		if (!v) {
			*failed = 1;
			return;
		}
		*ids = v;
		*cap = next;
	}
	(*ids)[(*n)++] = id;
}

/* The children the concerns of a timeline name. */
static void timeline_children(uint64_t **ids, size_t *n, size_t *cap,
                              Ffc__V1__FamilyEntry *const *tl, size_t n_tl, int *failed)
{
	for (size_t i = 0; i < n_tl; i++)
		for (size_t k = 0; tl[i]->concern && k < tl[i]->concern->n_child_ids; k++)
			push(ids, n, cap, tl[i]->concern->child_ids[k], failed);
}

int control_audit_named(const Ffc__V1__ControlRequest *rq, const Ffc__V1__ControlReply *r,
                        uint64_t **ids, size_t *n)
{
	size_t cap = 0;
	int failed = 0;
	*ids = NULL;
	*n = 0;
	switch (r->result_case) {
	case FFC__V1__CONTROL_REPLY__RESULT_CHILD:
		push(ids, n, &cap, r->child->child_id, &failed);
		/* The household shows each other child's identifiers and open
		 * alerts: a look at their records too. */
		for (size_t i = 0; i < r->child->n_household; i++)
			push(ids, n, &cap, r->child->household[i]->child_id, &failed);
		timeline_children(ids, n, &cap, r->child->timeline, r->child->n_timeline, &failed);
		break;
	case FFC__V1__CONTROL_REPLY__RESULT_FAMILY:
		/* Every child of the family, and any other child a concern
		 * of theirs names. */
		for (size_t i = 0; i < r->family->n_members; i++)
			push(ids, n, &cap, r->family->members[i]->child_id, &failed);
		timeline_children(ids, n, &cap, r->family->timeline, r->family->n_timeline,
		                  &failed);
		break;
	case FFC__V1__CONTROL_REPLY__RESULT_IDENTITIES:
		push(ids, n, &cap, r->identities->child_id, &failed);
		break;
	case FFC__V1__CONTROL_REPLY__RESULT_ALERTS:
		for (size_t i = 0; i < r->alerts->n_alerts; i++)
			push(ids, n, &cap, r->alerts->alerts[i]->child_id, &failed);
		break;
	case FFC__V1__CONTROL_REPLY__RESULT_CONFLICTS:
		for (size_t i = 0; i < r->conflicts->n_conflicts; i++) {
			push(ids, n, &cap, r->conflicts->conflicts[i]->child_id, &failed);
			push(ids, n, &cap, r->conflicts->conflicts[i]->other_child_id, &failed);
		}
		break;
	case FFC__V1__CONTROL_REPLY__RESULT_MATCHES:
		for (size_t i = 0; i < r->matches->n_matches; i++) {
			push(ids, n, &cap, r->matches->matches[i]->child_id, &failed);
			push(ids, n, &cap, r->matches->matches[i]->other_child_id, &failed);
		}
		break;
	case FFC__V1__CONTROL_REPLY__RESULT_RULES_TEST:
		for (size_t i = 0; i < r->rules_test->n_gained; i++)
			push(ids, n, &cap, r->rules_test->gained[i]->child_id, &failed);
		for (size_t i = 0; i < r->rules_test->n_lost; i++)
			push(ids, n, &cap, r->rules_test->lost[i]->child_id, &failed);
		break;
	case FFC__V1__CONTROL_REPLY__RESULT_ACCESSES:
		push(ids, n, &cap, r->accesses->child_id, &failed);
		break;
	case FFC__V1__CONTROL_REPLY__RESULT_AUDIT:
		/* Reading a child's audit entries is a look at that child. */
		push(ids, n, &cap, rq->audit->child_id, &failed);
		break;
	default:
		break;
	}
	if (failed) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int control_audit_reads(const struct control_env *env, const Ffc__V1__ControlRequest *rq,
                        const struct authz_caller *c, const char *command, const uint64_t *ids,
                        size_t n, int64_t now_ms)
{
	/* A read naming no child (an empty listing, the whole audit) is
	 * recorded once, with no child. */
	size_t count = n ? n : 1;
	struct audit_entry *e = calloc(count, sizeof *e);
	if (!e)
		return -1;
	for (size_t i = 0; i < count; i++) {
		entry_init(&e[i], c, command, rq->purpose, now_ms);
		e[i].child = n ? ids[i] : 0;
		if (n > 1)
			snprintf(e[i].detail, sizeof e[i].detail,
			         "one of %zu children in the reply", n);
		else if (rq->command_case == FFC__V1__CONTROL_REQUEST__COMMAND_AUDIT)
			snprintf(e[i].detail, sizeof e[i].detail,
			         "filters: child '%s', by '%s', since %lld", rq->audit->child_id,
			         rq->audit->by, (long long)rq->audit->since_ms);
	}
	struct batch b = {e, count, 0};
	int rc = control_write(env, add_batch, &b);
	free(e);
	if (rc != STORE_OK)
		log_error("control: cannot record a %s read in the audit trail: refused", command);
	return rc == STORE_OK ? 0 : -1;
}

/* ---- a change, in the change's own transaction ---- */

/* The child an alert is about. */
static uint64_t alert_child(struct store_txn *t, const char *alert_id)
{
	uint64_t seq, child = 0;
	if (wire_alert_id_parse(alert_id, &seq) < 0)
		return 0;
	struct alert *a = malloc(sizeof *a);
	if (a && store_alert_get(t, seq, a) == STORE_OK &&
	    wire_child_id_parse(a->child_id, &child) < 0)
		child = 0;
	free(a);
	return child;
}

/* The child an Operation Encompass notice is about. */
static uint64_t notice_child(struct store_txn *t, const char *notice_id)
{
	uint64_t seq;
	const void *data;
	size_t len;
	struct school_notice *n = malloc(sizeof *n);
	uint64_t child = 0;
	if (n && wire_notice_id_parse(notice_id, &seq) == 0 &&
	    store_notice_raw(t, seq, &data, &len) == STORE_OK &&
	    wire_notice_decode(data, len, n) == 0)
		child = n->child;
	free(n);
	return child;
}

static uint64_t child_of(const char *id)
{
	uint64_t child = 0;
	return wire_child_id_parse(id, &child) == 0 ? child : 0;
}

int control_audit_change(struct store_txn *t, const struct control_audit *a)
{
	const Ffc__V1__ControlRequest *rq = a->rq;
	struct audit_entry e;
	uint64_t children[2] = {0, 0};
	entry_init(&e, a->caller, a->command, rq->purpose, a->now_ms);
	switch (rq->command_case) {
	case FFC__V1__CONTROL_REQUEST__COMMAND_ACK:
		children[0] = alert_child(t, rq->ack->alert_id);
		snprintf(e.detail, sizeof e.detail, "%s by %s%s%s", rq->ack->alert_id, rq->ack->by,
		         rq->ack->note[0] ? ": " : "", rq->ack->note);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_CLOSE:
		children[0] = alert_child(t, rq->close->alert_id);
		snprintf(e.detail, sizeof e.detail, "%s by %s, outcome %s%s%s", rq->close->alert_id,
		         rq->close->by, rq->close->outcome, rq->close->note[0] ? ": " : "",
		         rq->close->note);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_NOTE:
		children[0] = alert_child(t, rq->note->alert_id);
		snprintf(e.detail, sizeof e.detail, "%s by %s", rq->note->alert_id, rq->note->by);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_ASSIGN: {
		uint64_t child;
		if (!control_find_child(t, rq->assign->child, &child))
			children[0] = child;
		snprintf(e.detail, sizeof e.detail, "lead practitioner %s, by %s",
		         rq->assign->practitioner, rq->assign->by);
		break;
	}
	case FFC__V1__CONTROL_REQUEST__COMMAND_LINK:
		children[0] = child_of(rq->link->child_a);
		children[1] = child_of(rq->link->child_b);
		snprintf(e.detail, sizeof e.detail, "%s and %s: %s", rq->link->child_a,
		         rq->link->child_b, rq->link->reason);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_UNLINK:
		children[0] = child_of(rq->unlink->child_id);
		snprintf(e.detail, sizeof e.detail, "%s from %s: %s", rq->unlink->identity,
		         rq->unlink->child_id, rq->unlink->reason);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_HOUSEHOLD_LINK:
		children[0] = child_of(rq->household_link->child_a);
		children[1] = child_of(rq->household_link->child_b);
		snprintf(e.detail, sizeof e.detail, "%s and %s: %s", rq->household_link->child_a,
		         rq->household_link->child_b, rq->household_link->reason);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_HOUSEHOLD_UNLINK:
		children[0] = child_of(rq->household_unlink->child_id);
		snprintf(e.detail, sizeof e.detail, "%s: %s", rq->household_unlink->child_id,
		         rq->household_unlink->reason);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_HOUSEHOLD_ALERTS:
	case FFC__V1__CONTROL_REQUEST__COMMAND_PURGE:
	case FFC__V1__CONTROL_REQUEST__COMMAND_WITHDRAW:
	case FFC__V1__CONTROL_REQUEST__COMMAND_BACKUP:
	case FFC__V1__CONTROL_REQUEST__COMMAND_LOOKUP:
		/* They record their own entries, one per child they change,
		 * with what they did to it. */
		return STORE_OK;
	case FFC__V1__CONTROL_REQUEST__COMMAND_NOTICE_ACK:
		children[0] = notice_child(t, rq->notice_ack->notice_id);
		snprintf(e.detail, sizeof e.detail, "%s by %s", rq->notice_ack->notice_id,
		         rq->notice_ack->by);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_CONTACT:
		snprintf(e.detail, sizeof e.detail, "contact of %s: %s", rq->contact->practitioner,
		         rq->contact->contact);
		break;
	case FFC__V1__CONTROL_REQUEST__COMMAND_DISMISS_MATCH:
		children[0] = child_of(rq->dismiss_match->child_id);
		children[1] = child_of(rq->dismiss_match->other_child_id);
		snprintf(e.detail, sizeof e.detail, "%s and %s: %s", rq->dismiss_match->child_id,
		         rq->dismiss_match->other_child_id, rq->dismiss_match->reason);
		break;
	default:
		break;
	}
	int rc = STORE_OK;
	for (size_t i = 0; rc == STORE_OK && i < 2; i++) {
		if (i && !children[i])
			break;
		struct audit_entry copy = e;
		copy.child = children[i];
		entry_clean(&copy);
		rc = store_audit_add(t, &copy);
	}
	return rc;
}

int control_audit_child_change(struct store_txn *t, const struct control_audit *a, uint64_t child,
                               const char *detail)
{
	if (!a)
		return STORE_OK;
	struct audit_entry e;
	entry_init(&e, a->caller, a->command, a->rq->purpose, a->now_ms);
	e.child = child;
	snprintf(e.detail, sizeof e.detail, "%s", detail);
	entry_clean(&e);
	return store_audit_add(t, &e);
}

/* A change and its audit entry, as one piece of work for store_write(). */
struct audited_change {
	const struct control_env *env;
	int (*fn)(struct store_txn *t, void *arg);
	void *arg;
	size_t before; /* env->out->n before the change */
};

static int change_work(struct store_txn *t, void *arg)
{
	struct audited_change *c = arg;
	int rc = c->fn(t, c->arg);
	/* A change is audited in its own transaction: both or neither. */
	if (rc == STORE_OK && c->env->audit && !c->env->audit->done)
		rc = control_audit_change(t, c->env->audit);
	return rc;
}

/* An attempt that did not commit: what it queued for the consoles goes
 * with it (whether the work runs again, the map having been full, or the
 * change failed), so nothing is published of a change not stored. What
 * the request queued before it, committed, stays. */
static int change_aborted(int rc, void *arg)
{
	struct audited_change *c = arg;
	(void)rc;
	if (c->env->out)
		outbox_truncate(c->env->out, c->before);
	return 0;
}

const char *control_write_error(int rc, const char *refusal, struct arena *ar)
{
	if (rc == STORE_OK)
		return NULL;
	if (rc == CONTROL_REFUSED)
		return arena_strdup(ar, refusal);
	return rc == STORE_FULL ? "store: full; nothing changed"
	                        : "store: write failed; nothing changed";
}

int control_write(const struct control_env *env, int (*fn)(struct store_txn *t, void *arg),
                  void *arg)
{
	struct audited_change c = {env, fn, arg, env->out ? env->out->n : 0};
	int rc = store_write(env->store, change_work, change_aborted, &c);
	if (rc == STORE_OK && env->audit)
		env->audit->done = 1;
	return rc;
}
