/*
 * notice.c - Operation Encompass notices in the store (see notice.h): a
 * child's current school from its timeline, raising a notice per child
 * of a police domestic incident, reminders, acknowledgements.
 *
 * Owns the notices' records, their waiting list and what is published
 * about them. Does not decide which concerns call for a notice or where
 * it goes (school.c), when a school day starts (calendar.c), or own the
 * socket (server.c) or the control request (control_notices.c).
 */
#include "notice.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "log.h"
#include "store_notices.h"
#include "wire.h"
#include "wire_notice.h"

int notice_current_school(struct store_txn *t, uint64_t child, char urn[SCHOOL_URN_LEN])
{
	urn[0] = '\0';
	struct concern_ref *refs = NULL;
	size_t n = 0;
	int rc = store_timeline(t, child, CONCERN_EARLIEST_MS, INT64_MAX, &refs, &n);
	/* Newest first: by when it happened, then by seq. */
	for (size_t i = n; rc == STORE_OK && i-- > 0;) {
		if (refs[i].agency != AGENCY_EDUCATION)
			continue;
		const void *data;
		size_t len;
		struct stored_concern sc;
		rc = store_concern_raw(t, refs[i].seq, &data, &len);
		if (rc != STORE_OK)
			break;
		if (wire_stored_concern_decode(data, len, &sc) < 0) {
			log_error("notice: concern %" PRIu64 " does not decode; its school is "
			          "passed over",
			          refs[i].seq);
			continue;
		}
		const char *u = concern_school_urn(&sc.w.c);
		int found = u[0] != '\0';
		if (found) {
			snprintf(urn, SCHOOL_URN_LEN, "%s", u);
			for (char *p = urn; *p; p++)
				if (*p >= 'a' && *p <= 'z')
					*p = (char)(*p - 'a' + 'A');
		}
		wire_stored_concern_release(&sc);
		if (found)
			break;
	}
	free(refs);
	return rc;
}

/* The child as another agency named it, for a police concern that gave
 * no name (a local id only): the school needs a name to know the child. */
static int names_from_record(struct store_txn *t, uint64_t child, struct school_notice *n)
{
	struct child_record rec;
	memset(&rec, 0, sizeof rec);
	int rc = store_child_get(t, child, &rec);
	if (rc == STORE_NOTFOUND)
		return STORE_OK;
	for (size_t i = 0; rc == STORE_OK && i < rec.n_ids; i++) {
		const struct child_identity *id = &rec.ids[i].id;
		if (!id->family_name[0])
			continue;
		snprintf(n->given_name, sizeof n->given_name, "%s", id->given_name);
		snprintf(n->family_name, sizeof n->family_name, "%s", id->family_name);
		if (!n->date_of_birth[0])
			snprintf(n->date_of_birth, sizeof n->date_of_birth, "%s",
			         id->date_of_birth);
		break;
	}
	wire_child_release(&rec);
	return rc;
}

/* Queue notice n under topic, with the child's id or (a school's copy)
 * without; note (may be NULL) is logged when it is published. */
static int queue(struct outbox *out, const struct school_notice *n, const char *topic,
                 int with_child, const char *note)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	if (wire_notice_pack(n, with_child, &buf, &len) < 0)
		return STORE_ERROR;
	return outbox_add(out, topic, buf, len, note) < 0 ? STORE_ERROR : STORE_OK;
}

/* A notice's event (word NULL: raised; "reminder", "ack") to its school,
 * and to consoles but for a school's new notice. */
static int announce(struct outbox *out, const struct school_notice *n, const char *word)
{
	char topic[OUTBOX_TOPIC_MAX], note[OUTBOX_NOTE_MAX], id[WIRE_ID_MAX], child[WIRE_ID_MAX];
	const char *dest = school_notice_dest(n);
	wire_notice_id(n->seq, id);
	wire_child_id(n->child, child);
	/* Ids only in the log: the child's name stays in the store. */
	snprintf(note, sizeof note, "notice %s %s for %s to %s", id, word ? word : "raised", child,
	         dest);
	if (n->front_door == FRONT_DOOR_NONE) {
		school_topic(topic, sizeof topic, n->urn, word);
		int rc = queue(out, n, topic, 0, note);
		if (rc != STORE_OK || !word)
			return rc;
		note[0] = '\0'; /* logged once */
	}
	school_console_topic(topic, sizeof topic, word, dest);
	return queue(out, n, topic, 1, note);
}

static int store_new(struct store_txn *t, struct school_notice *n, struct outbox *out)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	n->seq = store_last_notice_seq(t) + 1;
	if (wire_notice_pack(n, 1, &buf, &len) < 0)
		return STORE_ERROR;
	int rc = store_notice_add(t, n->seq, school_notice_dest(n), n->remind_at_ms, buf, len);
	free(buf);
	return rc == STORE_OK ? announce(out, n, NULL) : rc;
}

int notice_raise(struct store_txn *t, const struct concern *c, const uint64_t *ids, int64_t now_ms,
                 const struct schools *sch, struct outbox *out)
{
	if (!sch || !school_encompass(c, now_ms, sch->max_age_days))
		return STORE_OK;
	int64_t due, remind;
	if (calendar_next_school_day(&sch->cal, c->occurred_at_ms, &due, &remind) < 0) {
		/* Never for a calendar config_check() accepted; a notice late
		 * for want of a school day is worse than one early. */
		log_error("notice: no school day after the incident of %s %.64s; due now",
		          agency_name(c->agency), c->concern_id);
		due = remind = now_ms;
	}
	struct school_notice *n = malloc(sizeof *n);
	if (!n)
		return STORE_ERROR;
	int rc = STORE_OK;
	for (size_t i = 0; rc == STORE_OK && i < c->n_children; i++) {
		int twice = 0;
		for (size_t j = 0; j < i; j++)
			twice |= ids[j] == ids[i];
		if (twice)
			continue;
		memset(n, 0, sizeof *n);
		char urn[SCHOOL_URN_LEN];
		if ((rc = notice_current_school(t, ids[i], urn)) != STORE_OK)
			break;
		const struct school *to;
		n->front_door = school_route(sch, urn, &to);
		/* A URN ffcd does not know is kept: the front door can call the
		 * school. "EHE" is no school. */
		if (n->front_door != FRONT_DOOR_HOME_EDUCATED)
			snprintf(n->urn, sizeof n->urn, "%s", urn);
		if (to)
			snprintf(n->school_name, sizeof n->school_name, "%s", to->name);
		const struct child_identity *id = &c->children[i];
		snprintf(n->given_name, sizeof n->given_name, "%s", id->given_name);
		snprintf(n->family_name, sizeof n->family_name, "%s", id->family_name);
		snprintf(n->date_of_birth, sizeof n->date_of_birth, "%s", id->date_of_birth);
		if (!n->given_name[0] && !n->family_name[0] &&
		    (rc = names_from_record(t, ids[i], n)) != STORE_OK)
			break;
		n->incident_at_ms = c->occurred_at_ms;
		n->child_present = c->child_present;
		snprintf(n->police_reference, sizeof n->police_reference, "%s", c->concern_id);
		n->raised_at_ms = now_ms;
		n->due_at_ms = due;
		n->remind_at_ms = remind;
		n->child = ids[i];
		rc = store_new(t, n, out);
	}
	free(n);
	return rc;
}

/* ---- reminders ---- */

struct due {
	uint64_t seqs[NOTICE_STEP_MAX];
	size_t n;
};

static int collect(uint64_t seq, void *arg)
{
	struct due *d = arg;
	d->seqs[d->n++] = seq;
	return d->n == NOTICE_STEP_MAX;
}

struct reminders {
	int64_t now_ms;
	struct due *d;
	struct school_notice *n;
	struct outbox *out;
	size_t before; /* out->n before the round */
	int reminded;  /* notices reminded by the attempt */
};

static int get(struct store_txn *t, uint64_t seq, struct school_notice *n)
{
	const void *data;
	size_t len;
	int rc = store_notice_raw(t, seq, &data, &len);
	if (rc == STORE_OK && wire_notice_decode(data, len, n) < 0) {
		log_error("notice: N%08" PRIu64 " does not decode", seq);
		rc = STORE_ERROR;
	}
	return rc;
}

static int put_notice(struct store_txn *t, const struct school_notice *n)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	if (wire_notice_pack(n, 1, &buf, &len) < 0)
		return STORE_ERROR;
	int rc = store_notice_put(t, n->seq, buf, len);
	free(buf);
	return rc;
}

static int remind_due(struct store_txn *t, void *arg)
{
	struct reminders *r = arg;
	r->d->n = 0;
	r->reminded = 0;
	int rc = store_notice_waiting_each(t, r->now_ms, collect, r->d);
	for (size_t i = 0; rc == STORE_OK && i < r->d->n; i++) {
		struct school_notice *n = r->n;
		if ((rc = get(t, r->d->seqs[i], n)) != STORE_OK)
			break;
		/* The list says waiting; the record decides. */
		if (!n->acknowledged_at_ms && !n->reminded_at_ms && !n->withdrawn_at_ms) {
			n->reminded_at_ms = r->now_ms;
			rc = put_notice(t, n);
			if (rc == STORE_OK)
				rc = store_counter_add(t, "notice_reminders", 1);
			if (rc == STORE_OK)
				rc = announce(r->out, n, "reminder");
			r->reminded++;
		}
		if (rc == STORE_OK)
			rc = store_notice_done(t, n->seq, n->remind_at_ms);
	}
	return rc;
}

static int unremind(int rc, void *arg)
{
	struct reminders *r = arg;
	(void)rc;
	outbox_truncate(r->out, r->before);
	return 0;
}

int notice_remind(struct store *s, int64_t now_ms, struct outbox *out)
{
	struct due *d = malloc(sizeof *d);
	struct school_notice *n = malloc(sizeof *n);
	struct store_txn *t = NULL;
	int rc = !d || !n ? STORE_ERROR : store_begin(s, 0, &t);
	/* Look first in a read transaction: most seconds nothing is due. */
	if (rc == STORE_OK) {
		d->n = 0;
		rc = store_notice_waiting_each(t, now_ms, collect, d);
		store_abort(&t);
	}
	struct reminders r = {.now_ms = now_ms, .d = d, .n = n, .out = out, .before = out->n};
	if (rc == STORE_OK && d->n > 0)
		rc = store_write(s, remind_due, unremind, &r);
	int done = rc == STORE_OK ? r.reminded : -1;
	if (rc != STORE_OK)
		log_error("notice: reminders not recorded (store error); trying again");
	free(d);
	free(n);
	return done;
}

/* ---- acknowledging ---- */

int notice_ack(struct store_txn *t, uint64_t seq, const char *key_urn, const char *by,
               int64_t now_ms, struct school_notice *n, char *err, size_t errlen,
               struct outbox *out)
{
	char id[WIRE_ID_MAX];
	wire_notice_id(seq, id);
	if (lifecycle_check_text("notice_ack.by", by, WIRE_PERSON_MAX - 1, 1, 0, err, errlen) < 0)
		return NOTICE_REFUSED;
	int rc = get(t, seq, n);
	/* A school hears of its own notices only: another school's is "no
	 * such notice" to it, as one that does not exist. */
	int foreign = rc == STORE_OK && key_urn &&
	              (n->front_door != FRONT_DOOR_NONE || strcmp(n->urn, key_urn));
	if (rc == STORE_NOTFOUND || foreign) {
		snprintf(err, errlen, "notice_ack.notice_id: no notice %s%s%s", id,
		         key_urn ? " for school " : "", key_urn ? key_urn : "");
		return NOTICE_REFUSED;
	}
	if (rc != STORE_OK)
		return rc;
	if (!key_urn && n->front_door == FRONT_DOOR_NONE) {
		snprintf(
		    err, errlen,
		    "notice_ack.notice_id: %s is school %s's: its designated safeguarding lead "
		    "acknowledges it with the school's key",
		    id, n->urn);
		return NOTICE_REFUSED;
	}
	if (n->acknowledged_at_ms) {
		snprintf(err, errlen, "notice_ack.notice_id: %s is already acknowledged by %s", id,
		         n->acknowledged_by);
		return NOTICE_REFUSED;
	}
	if (n->withdrawn_at_ms) {
		snprintf(err, errlen,
		         "notice_ack.notice_id: %s was withdrawn: the police withdrew the concern "
		         "that raised it",
		         id);
		return NOTICE_REFUSED;
	}
	snprintf(n->acknowledged_by, sizeof n->acknowledged_by, "%s", by);
	n->acknowledged_at_ms = now_ms;
	if ((rc = put_notice(t, n)) != STORE_OK ||
	    (rc = store_notice_done(t, seq, n->remind_at_ms)) != STORE_OK)
		return rc;
	return announce(out, n, "ack");
}

/* ---- withdrawal ---- */

struct raised_by {
	const char *reference;
	struct school_notice *n;
	uint64_t *seqs;
	size_t max, count;
	int failed;
};

static int raised_by_visit(uint64_t seq, const void *data, size_t len, void *arg)
{
	struct raised_by *w = arg;
	if (wire_notice_decode(data, len, w->n) < 0) {
		log_error("notice: N%08" PRIu64 " does not decode; not withdrawn", seq);
		return 0;
	}
	if (strcmp(w->n->police_reference, w->reference) || w->n->withdrawn_at_ms)
		return 0;
	if (w->count == w->max) {
		w->failed = 1;
		return 1;
	}
	w->seqs[w->count++] = seq;
	return 0;
}

int notice_withdraw(struct store_txn *t, const char *reference, int64_t now_ms, struct outbox *out,
                    uint64_t *seqs, size_t max, size_t *count)
{
	*count = 0;
	struct school_notice *n = malloc(sizeof *n);
	if (!n)
		return STORE_ERROR;
	struct raised_by w = {.reference = reference, .n = n, .seqs = seqs, .max = max};
	int rc = store_notice_each(t, raised_by_visit, &w);
	if (rc == STORE_OK && w.failed)
		rc = STORE_ERROR; /* more than one a child: not a store ffcd wrote */
	for (size_t i = 0; rc == STORE_OK && i < w.count; i++) {
		if ((rc = get(t, seqs[i], n)) != STORE_OK)
			break;
		/* The child was named in error: the school keeps no name. */
		n->given_name[0] = n->family_name[0] = n->date_of_birth[0] = '\0';
		n->child_present = 0;
		n->withdrawn_at_ms = now_ms;
		if ((rc = put_notice(t, n)) == STORE_OK &&
		    (rc = store_notice_done(t, n->seq, n->remind_at_ms)) == STORE_OK)
			rc = announce(out, n, "withdrawn");
	}
	*count = rc == STORE_OK ? w.count : 0;
	free(n);
	return rc;
}

/* ---- retention ---- */

struct old_notice {
	uint64_t seq;
	char dest[STORE_DEST_MAX];
	int64_t remind_at_ms;
};

struct old_notices {
	int64_t cutoff_ms;
	struct school_notice *n;
	struct old_notice *items;
	size_t max, count;
};

static int old_visit(uint64_t seq, const void *data, size_t len, void *arg)
{
	struct old_notices *o = arg;
	if (wire_notice_decode(data, len, o->n) < 0) {
		log_warn("notice: N%08" PRIu64 ": malformed record, kept", seq);
		return 0;
	}
	/* Raised in seq order: the first raised since the cutoff ends it. */
	if (o->n->raised_at_ms >= o->cutoff_ms || o->count == o->max)
		return 1;
	struct old_notice *it = &o->items[o->count++];
	it->seq = seq;
	snprintf(it->dest, sizeof it->dest, "%s", school_notice_dest(o->n));
	it->remind_at_ms = o->n->remind_at_ms;
	return 0;
}

int notice_purge(struct store_txn *t, int64_t cutoff_ms, size_t max, int dry_run, uint64_t *purged)
{
	*purged = 0;
	struct old_notices o = {.cutoff_ms = cutoff_ms, .max = max};
	o.n = malloc(sizeof *o.n);
	o.items = calloc(max ? max : 1, sizeof *o.items);
	int rc = o.n && o.items ? store_notice_each(t, old_visit, &o) : STORE_ERROR;
	for (size_t i = 0; !dry_run && rc == STORE_OK && i < o.count; i++)
		rc = store_notice_remove(t, o.items[i].seq, o.items[i].dest,
		                         o.items[i].remind_at_ms);
	if (rc == STORE_OK)
		*purged = o.count;
	free(o.n);
	free(o.items);
	return rc;
}
