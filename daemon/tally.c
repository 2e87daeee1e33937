/*
 * tally.c - the daily tallies per adapter (see tally.h).
 *
 * Owns which metrics are counted, and the rejections held in memory until
 * they are written. Does not own the tables (store_notices.c), the
 * reasons' wording (stats.c) or the report (control_report.c).
 */
#include "tally.h"

#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "log.h"
#include "store_notices.h"

int tally_accepted_write(struct store_txn *t, struct tally_sum *s, int64_t now_ms)
{
	int32_t day = calendar_day_of(now_ms);
	int rc = STORE_OK;
	for (size_t i = 0; i < s->n && rc == STORE_OK; i++) {
		const char *adapter = s->rows[i].adapter;
		rc = store_tally_add(t, day, adapter, TALLY_ACCEPTED, s->rows[i].accepted);
		if (rc == STORE_OK)
			rc = store_tally_add(t, day, adapter, TALLY_CHILDREN, s->rows[i].children);
		if (rc == STORE_OK && s->rows[i].identified)
			rc = store_tally_add(t, day, adapter, TALLY_IDENTIFIED,
			                     s->rows[i].identified);
	}
	s->n = 0;
	return rc;
}

int tally_accepted(struct store_txn *t, struct tally_sum *s, const char *adapter, int64_t now_ms,
                   const struct concern *c)
{
	size_t i = 0;
	while (i < s->n && strcmp(s->rows[i].adapter, adapter))
		i++;
	if (i == TALLY_SUM_ADAPTERS) {
		int rc = tally_accepted_write(t, s, now_ms);
		if (rc != STORE_OK)
			return rc;
		i = 0;
	}
	if (i == s->n) {
		s->rows[i].adapter = adapter;
		s->rows[i].accepted = s->rows[i].children = s->rows[i].identified = 0;
		s->n++;
	}
	s->rows[i].accepted++;
	s->rows[i].children += c->n_children;
	for (size_t j = 0; j < c->n_children; j++)
		s->rows[i].identified += c->children[j].nhs_number[0] || c->children[j].upn[0];
	return STORE_OK;
}

int tally_rejected(struct tally_pending *p, const char *adapter, int64_t now_ms, const char *error)
{
	int32_t day = calendar_day_of(now_ms);
	char reason[STATS_REASON_LEN];
	stats_reason(error, reason, sizeof reason);
	size_t i = 0;
	while (i < p->n && (p->rows[i].day != day || strcmp(p->rows[i].reason, reason) ||
	                    strncmp(p->rows[i].adapter, adapter, sizeof p->rows[i].adapter - 1)))
		i++;
	if (i == TALLY_PENDING_MAX)
		return 1; /* full and not written (a store error): not counted */
	if (i == p->n) {
		if (p->n == 0)
			p->since_ms = now_ms;
		p->rows[i].day = day;
		snprintf(p->rows[i].adapter, sizeof p->rows[i].adapter, "%s", adapter);
		snprintf(p->rows[i].reason, sizeof p->rows[i].reason, "%s", reason);
		p->rows[i].count = 0;
		p->n++;
	}
	p->rows[i].count++;
	return p->n == TALLY_PENDING_MAX;
}

static int write_rows(struct store_txn *t, void *arg)
{
	const struct tally_pending *p = arg;
	int rc = STORE_OK;
	for (size_t i = 0; i < p->n && rc == STORE_OK; i++) {
		char metric[STATS_REASON_LEN + 16];
		snprintf(metric, sizeof metric, TALLY_REJECTED "%s", p->rows[i].reason);
		rc = store_tally_add(t, p->rows[i].day, p->rows[i].adapter, metric,
		                     p->rows[i].count);
	}
	return rc;
}

int tally_flush(struct tally_pending *p, struct store *s, int64_t now_ms, int force)
{
	if (p->n == 0)
		return 0;
	int waiting = p->n < TALLY_PENDING_MAX && now_ms >= p->since_ms &&
	              now_ms - p->since_ms < TALLY_FLUSH_MS;
	if (!force && (waiting || store_fault(s)->last != STORE_OK))
		return 0;
	if (store_write(s, write_rows, NULL, p) != STORE_OK) {
		log_error("tally: %zu counts of rejections not written yet (store error)", p->n);
		return -1;
	}
	p->n = 0;
	return 0;
}
