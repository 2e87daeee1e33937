/*
 * feedback.h - feedback to the agencies that raised the concerns behind
 * an alert, once it is closed: each agency hears the outcome of its own
 * concerns and whom to call, and nothing of the other agencies'.
 *
 * feedback_on_close() runs inside the closing's write transaction
 * (control_alerts.c), so the feedback is stored with the closing or not
 * at all, and is published on "feedback.<agency>" after the commit.
 */
#ifndef FFC_FEEDBACK_H
#define FFC_FEEDBACK_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "outbox.h"
#include "school.h"
#include "store.h"

/* One agency's feedback on one closed alert (ffc.v1.Feedback). */
struct feedback {
	uint64_t seq;
	int agency;
	size_t n_concerns;
	char concern_ids[RULE_EVIDENCE_MAX][CONCERN_ID_MAX + 1];
	char alert_id[WIRE_ID_MAX];
	char outcome[WIRE_OUTCOME_MAX];
	int64_t closed_at_ms;
	char lead_practitioner[CONCERN_FIELD_MAX + 1];
	char lead_contact[SCHOOL_CONTACT_MAX];
};

/* Alert a was closed at now_ms in t: store one Feedback for each agency
 * with a concern in its evidence, carrying that agency's concern ids, the
 * outcome, the child's lead practitioner now (else the one on the alert)
 * and their contact (ContactRequest; else fallback_contact, may be ""),
 * and queue each on out under "feedback.<agency>". Returns STORE_OK or
 * the store's error (the caller aborts the closing with it). */
int feedback_on_close(struct store_txn *t, const struct alert *a, int64_t now_ms,
                      const char *fallback_contact, struct outbox *out);

/* Retention: remove the feedback sent before cutoff_ms, oldest first, at
 * most max (the rest at the next call; *purged == max says there may be
 * more); with dry_run only count it. Returns STORE_OK or the store's
 * error. */
int feedback_purge(struct store_txn *t, int64_t cutoff_ms, size_t max, int dry_run,
                   uint64_t *purged);

#endif
