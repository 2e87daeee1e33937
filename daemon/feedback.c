/*
 * feedback.c - feedback to referring agencies when an alert is closed
 * (see feedback.h).
 *
 * Owns what a Feedback holds (one agency's own concern ids, the outcome,
 * the lead practitioner and how to reach them) and its record. Does not
 * own closing an alert (control_alerts.c, lifecycle.c) or the socket
 * (server.c).
 */
#include "feedback.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_notices.h"
#include "wire_notice.h"

/* Whom to call: the child's lead practitioner now (assigned since the
 * alert was raised, perhaps), else the one the alert was raised with; and
 * their contact, else the MACPT's. */
static int lead(struct store_txn *t, const struct alert *a, const char *fallback,
                struct feedback *f)
{
	uint64_t child = a->child;
	int rc = store_child_resolve(t, a->child, &child);
	if (rc == STORE_OK)
		rc = store_lead_practitioner(t, child, f->lead_practitioner,
		                             sizeof f->lead_practitioner);
	if (rc == STORE_NOTFOUND)
		rc = STORE_OK;
	if (rc != STORE_OK)
		return rc;
	if (!f->lead_practitioner[0])
		snprintf(f->lead_practitioner, sizeof f->lead_practitioner, "%s",
		         a->lead_practitioner);
	const void *data;
	size_t len;
	rc = store_contact_get(t, f->lead_practitioner, &data, &len);
	if (rc == STORE_OK &&
	    wire_contact_decode(data, len, f->lead_contact, sizeof f->lead_contact) == 0 &&
	    f->lead_contact[0])
		return STORE_OK;
	snprintf(f->lead_contact, sizeof f->lead_contact, "%s", fallback ? fallback : "");
	return rc == STORE_NOTFOUND || rc == STORE_OK ? STORE_OK : rc;
}

static int send_one(struct store_txn *t, struct feedback *f, struct outbox *out)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	f->seq = store_last_feedback_seq(t) + 1;
	if (wire_feedback_pack(f, &buf, &len) < 0)
		return STORE_ERROR;
	int rc = store_feedback_add(t, f->seq, f->agency, buf, len);
	if (rc != STORE_OK) {
		free(buf);
		return rc;
	}
	char topic[OUTBOX_TOPIC_MAX], note[OUTBOX_NOTE_MAX], id[WIRE_ID_MAX];
	school_feedback_topic(topic, sizeof topic, f->agency);
	wire_feedback_id(f->seq, id);
	snprintf(note, sizeof note, "feedback %s on %s to %s (%zu concerns)", id, f->alert_id,
	         school_agency_word(f->agency), f->n_concerns);
	return outbox_add(out, topic, buf, len, note) < 0 ? STORE_ERROR : STORE_OK;
}

int feedback_on_close(struct store_txn *t, const struct alert *a, int64_t now_ms,
                      const char *fallback_contact, struct outbox *out)
{
	struct feedback *f = calloc(1, sizeof *f);
	if (!f)
		return STORE_ERROR;
	int rc = lead(t, a, fallback_contact, f);
	for (int agency = 1; rc == STORE_OK && agency <= AGENCY_MAX; agency++) {
		f->n_concerns = 0;
		for (size_t i = 0; i < a->n_evidence && i < RULE_EVIDENCE_MAX; i++)
			if (a->evidence[i].agency == agency)
				snprintf(f->concern_ids[f->n_concerns++], sizeof f->concern_ids[0],
				         "%s", a->evidence[i].concern_id);
		if (f->n_concerns == 0)
			continue;
		f->agency = agency;
		snprintf(f->alert_id, sizeof f->alert_id, "%s", a->alert_id);
		snprintf(f->outcome, sizeof f->outcome, "%s", a->outcome);
		f->closed_at_ms = now_ms;
		rc = send_one(t, f, out);
	}
	free(f);
	return rc;
}

/* ---- retention ---- */

struct old_feedback {
	int64_t cutoff_ms;
	uint64_t *seqs;
	int *agencies;
	size_t max, count;
};

static int old_visit(uint64_t seq, const void *data, size_t len, void *arg)
{
	struct old_feedback *o = arg;
	int agency;
	int64_t closed;
	if (wire_feedback_head(data, len, &agency, &closed) < 0) {
		log_warn("feedback: F%08" PRIu64 ": malformed record, kept", seq);
		return 0;
	}
	/* Sent in seq order: the first sent since the cutoff ends it. */
	if (closed >= o->cutoff_ms || o->count == o->max)
		return 1;
	o->seqs[o->count] = seq;
	o->agencies[o->count++] = agency;
	return 0;
}

int feedback_purge(struct store_txn *t, int64_t cutoff_ms, size_t max, int dry_run,
                   uint64_t *purged)
{
	*purged = 0;
	struct old_feedback o = {.cutoff_ms = cutoff_ms, .max = max};
	o.seqs = calloc(max ? max : 1, sizeof *o.seqs);
	o.agencies = calloc(max ? max : 1, sizeof *o.agencies);
	int rc = o.seqs && o.agencies ? store_feedback_each(t, old_visit, &o) : STORE_ERROR;
	for (size_t i = 0; !dry_run && rc == STORE_OK && i < o.count; i++)
		rc = store_feedback_remove(t, o.seqs[i], o.agencies[i]);
	if (rc == STORE_OK)
		*purged = o.count;
	free(o.seqs);
	free(o.agencies);
	return rc;
}
