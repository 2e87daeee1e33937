/*
 * control.c - the control socket's dispatcher: one ControlRequest in, one
 * ControlReply out. Decodes and checks the request, establishes who asks
 * (control_audit.c), asks authz.c whether they may, finds the command's
 * row in the table (control_table.c) and calls its handler: a reading one
 * in a read transaction, a writing one with the request's audit entry for
 * control_write(). A read of children's records is in the audit trail
 * before the reply is sent.
 *
 * Owns the order of those steps, nothing a command answers: that is its
 * handler's (control_<area>.c). Every allocation for one reply goes into
 * an arena freed after packing. Does not own the socket (server.c).
 */
#include "control.h"

#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "control_int.h"
#include "control_table.h"
#include "log.h"

enum control_action control_handle(const struct control_env *env_in, const uint8_t *req, size_t len,
                                   int64_t now_ms, uint8_t **out, size_t *out_len)
{
	/* The server's environment with this request's audit entry. */
	struct control_env env_req = *env_in;
	const struct control_env *env = &env_req;
	struct control_audit change = {0};
	struct authz_caller caller;
	struct authz_decision decision = {0};
	uint64_t *named = NULL;
	size_t n_named = 0;
	Ffc__V1__ControlReply reply = FFC__V1__CONTROL_REPLY__INIT;
	struct arena ar = {0};
	enum control_action action = CONTROL_NONE;
	const char *err = NULL;
	struct store_txn *t = NULL;
	Ffc__V1__ControlRequest *rq = NULL;

	*out = NULL;
	*out_len = 0;
	char too_big[96];
	if (len > CONTROL_REQUEST_MAX) {
		snprintf(too_big, sizeof too_big, "request: %zu bytes, over the limit of %d bytes",
		         len, CONTROL_REQUEST_MAX);
		err = too_big;
		goto done;
	}
	rq = ffc__v1__control_request__unpack(NULL, len, req);
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
	control_caller(env, rq, &caller);
	struct authz_request asked = {.command = (int)rq->command_case, .purpose = rq->purpose};
	if (rq->command_case == FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS) {
		asked.alerts_history = rq->alerts->history;
		asked.alerts_level = (int)rq->alerts->level;
	}
	if (!authz_decide(&caller, &asked, &decision)) {
		control_clean_text(decision.why);
		control_audit_refusal(env, rq, &caller, &decision, now_ms);
		err = decision.why;
		goto done;
	}
	const struct control_command *cmd = control_command_find((int)rq->command_case);
	int writes = cmd && cmd->writes;
	if (writes) {
		change = (struct control_audit){rq, &caller, decision.command, now_ms, 0};
		env_req.audit = &change;
	}
	/* A command that writes runs its own write transaction (and may
	 * grow the map, which no open transaction may see). */
	if (!writes && store_begin(env->store, 0, &t) != STORE_OK) {
		err = "store: cannot read";
		goto done;
	}
	struct control_call call = {env, rq, &caller, t, now_ms, &ar, &reply, CONTROL_NONE};
	if (cmd) {
		err = cmd->handler(&call);
		action = call.action;
	} else {
		err = "request: no command (or one this ffcd does not know)";
	}
	if (!err && ar.failed)
		err = "out of memory";
	/* A read of children's records is in the audit trail before anyone
	 * sees the reply, or the reply is not sent. The reply is packed
	 * first: it may point into the read transaction, which must end
	 * before the audit's write transaction may grow the map. */
	if (!err && decision.reads_record) {
		if (control_audit_named(rq, &reply, &named, &n_named) < 0) {
			err = "out of memory";
		} else if (control_pack_reply(&reply, out, out_len) < 0) {
			err = "out of memory";
		} else {
			store_abort(&t);
			if (control_audit_reads(env, rq, &caller, decision.command, named, n_named,
			                        now_ms) == 0)
				goto packed;
			free(*out);
			*out = NULL;
			*out_len = 0;
			err = "audit: the read cannot be recorded, so it is refused";
		}
	}
done:
	if (err) {
		/* An error reply carries nothing else. */
		reply.result_case = FFC__V1__CONTROL_REPLY__RESULT__NOT_SET;
		reply.error = (char *)(uintptr_t)err;
	}
	if (control_pack_reply(&reply, out, out_len) < 0)
		log_error("control: out of memory packing a reply");
packed:
	free(named);
	if (t)
		store_abort(&t);
	if (rq)
		ffc__v1__control_request__free_unpacked(rq, NULL);
	arena_free(&ar);
	return action;
}
