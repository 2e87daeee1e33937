/*
 * control.c - the control socket's dispatcher: one ControlRequest in, one
 * ControlReply out. Decodes and checks the request, establishes who asks
 * (control_audit.c), asks authz.c whether they may, finds the command's
 * row in the table (control_table.c) and calls its handler: a reading one
 * in a read transaction, a writing one with the request's audit entry for
 * control_write(). A read of children's records is in the audit trail
 * before the reply is sent.
 *
 * A handler whose work would hold up the loop (a backup, loading a file,
 * judging the whole history) hands it to control_defer(): the request's
 * state is then kept (struct control_pending) while the work runs beside
 * the loop, and control_resume() answers it when the work is done, the
 * rest of the steps as for any request.
 *
 * Owns the order of those steps, nothing a command answers: that is its
 * handler's (control_<area>.c). Every allocation for one reply goes into
 * an arena freed after packing. Does not own the socket (server.c) or the
 * threads (beside.c).
 */
#include "control.h"

#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "control_int.h"
#include "control_table.h"
#include "log.h"

/* One request from its decoding to its reply: on the heap, since a request
 * whose work runs beside the loop outlives control_handle(). */
struct control_pending {
	struct control_env env;      /* the server's, with this request's audit entry */
	struct control_audit change; /* that entry, for a writing command */
	struct authz_caller caller;
	struct authz_decision decision;
	const struct control_command *cmd;
	Ffc__V1__ControlRequest *rq;
	Ffc__V1__ControlReply reply;
	struct arena ar;
	/* The work handed to control_defer(), while it is not done. */
	struct control_work work;
};

void control_pending_run(struct control_pending *q)
{
	q->work.run(q->work.arg);
}

/* The work is done (or, with why, could not be started): its handler's
 * second half. */
static const char *finish(struct control_pending *q, struct control_call *call, const char *why)
{
	const char *err = why ? why : q->work.done(call, q->work.arg);
	q->work.release(q->work.arg);
	q->work.run = NULL;
	return err;
}

static void pending_free(struct control_pending *q)
{
	if (q->work.run)
		q->work.release(q->work.arg);
	if (q->rq)
		ffc__v1__control_request__free_unpacked(q->rq, NULL);
	arena_free(&q->ar);
	free(q);
}

/* The last steps of every request: a read of children's records in the
 * audit trail before anyone sees the reply, the reply packed, q freed. t
 * is the request's read transaction, if it still has one. */
static void answer(struct control_pending *q, const char *err, struct store_txn *t, int64_t now_ms,
                   uint8_t **out, size_t *out_len)
{
	uint64_t *named = NULL;
	size_t n_named = 0;
	if (!err && q->ar.failed)
		err = "out of memory";
	/* The reply is packed first: it may point into the read
	 * transaction, which must end before the audit's write transaction
	 * may grow the map. */
	if (!err && q->decision.reads_record) {
		if (control_audit_named(q->rq, &q->reply, &named, &n_named) < 0) {
			err = "out of memory";
		} else if (control_pack_reply(&q->reply, out, out_len) < 0) {
			err = "out of memory";
		} else {
			store_abort(&t);
			if (control_audit_reads(&q->env, q->rq, &q->caller, q->decision.command,
			                        named, n_named, now_ms) == 0)
				goto packed;
			free(*out);
			*out = NULL;
			*out_len = 0;
			err = "audit: the read cannot be recorded, so it is refused";
		}
	}
	if (err) {
		/* An error reply carries nothing else. */
		q->reply.result_case = FFC__V1__CONTROL_REPLY__RESULT__NOT_SET;
		q->reply.error = (char *)(uintptr_t)err;
	}
	if (control_pack_reply(&q->reply, out, out_len) < 0)
		log_error("control: out of memory packing a reply");
packed:
	free(named);
	store_abort(&t);
	pending_free(q);
}

enum control_action control_handle(const struct control_env *env, const uint8_t *req, size_t len,
                                   int64_t now_ms, uint8_t **out, size_t *out_len)
{
	const char *err = NULL;
	struct store_txn *t = NULL;

	*out = NULL;
	*out_len = 0;
	struct control_pending *q = calloc(1, sizeof *q);
	if (!q) {
		if (control_error_reply("out of memory", out, out_len) < 0)
			log_error("control: out of memory packing a reply");
		return CONTROL_NONE;
	}
	q->env = *env;
	q->reply = (Ffc__V1__ControlReply)FFC__V1__CONTROL_REPLY__INIT;
	char too_big[96];
	if (len > CONTROL_REQUEST_MAX) {
		snprintf(too_big, sizeof too_big, "request: %zu bytes, over the limit of %d bytes",
		         len, CONTROL_REQUEST_MAX);
		err = too_big;
		goto done;
	}
	Ffc__V1__ControlRequest *rq = q->rq = ffc__v1__control_request__unpack(NULL, len, req);
	if (!rq) {
		err = "request: not a serialized ffc.v1.ControlRequest";
		goto done;
	}
	char field[128], nul[160];
	if (control_nul_field(req, len, field, sizeof field)) {
		snprintf(nul, sizeof nul, "%s: contains a NUL byte", field);
		err = nul;
		goto done;
	}
	/* Who asks, and may they? Decided once, here, for every command. */
	control_caller(env, rq, &q->caller);
	struct authz_request asked = {.command = (int)rq->command_case, .purpose = rq->purpose};
	if (rq->command_case == FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS) {
		asked.alerts_history = rq->alerts->history;
		asked.alerts_level = (int)rq->alerts->level;
	}
	if (!authz_decide(&q->caller, &asked, &q->decision)) {
		control_clean_text(q->decision.why);
		control_audit_refusal(env, rq, &q->caller, &q->decision, now_ms);
		err = q->decision.why;
		goto done;
	}
	q->cmd = control_command_find((int)rq->command_case);
	int writes = q->cmd && q->cmd->writes;
	if (writes) {
		q->change = (struct control_audit){rq, &q->caller, q->decision.command, now_ms, 0};
		q->env.audit = &q->change;
	}
	/* A command that writes runs its own write transaction (and may
	 * grow the map, which no open transaction may see). */
	if (!writes && store_begin(env->store, 0, &t) != STORE_OK) {
		err = "store: cannot read";
		goto done;
	}
	struct control_call call = {&q->env, rq,        &q->caller,   t,  now_ms,
	                            &q->ar,  &q->reply, CONTROL_NONE, {0}};
	if (!q->cmd) {
		err = "request: no command (or one this ffcd does not know)";
		goto done;
	}
	err = q->cmd->handler(&call);
	q->work = call.later;
	if (q->work.run && err) {
		q->work.release(q->work.arg);
		q->work.run = NULL;
	}
	if (q->work.run) {
		/* Its work reads in transactions of its own, beside the loop:
		 * the map is made as large as it may be first, so that the
		 * loop's writes meanwhile never wait for that read to end. */
		store_abort(&t);
		call.t = NULL;
		store_room_ahead(env->store);
		if (env->later) {
			*env->later = q;
			return CONTROL_LATER;
		}
		q->work.run(q->work.arg);
		err = finish(q, &call, NULL);
	}
	enum control_action action = call.action;
	answer(q, err, t, now_ms, out, out_len);
	return action;
done:
	answer(q, err, t, now_ms, out, out_len);
	return CONTROL_NONE;
}

enum control_action control_resume(struct control_pending **p, const struct control_env *env,
                                   const char *why, int64_t now_ms, uint8_t **out, size_t *out_len)
{
	struct control_pending *q = *p;
	*p = NULL;
	*out = NULL;
	*out_len = 0;
	struct control_audit *audit = q->env.audit;
	q->env = *env;
	q->env.audit = audit;
	q->env.later = NULL;
	struct control_call call = {&q->env, q->rq,     &q->caller,   NULL, now_ms,
	                            &q->ar,  &q->reply, CONTROL_NONE, {0}};
	const char *err = finish(q, &call, why);
	enum control_action action = call.action;
	answer(q, err, NULL, now_ms, out, out_len);
	return action;
}

void control_pending_discard(struct control_pending **p)
{
	if (*p)
		pending_free(*p);
	*p = NULL;
}
