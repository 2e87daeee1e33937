/*
 * display.c - a child's one display name (see display.h).
 *
 * Owns the rule choosing it. Does not own the identity records
 * (link.c, merge.c) or how a reply carries it (control_*.c, wire.c).
 */
#include "display.h"

#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "wire.h"

/* How much an agency's naming of a child is trusted for its name: health
 * holds the NHS-registered name, schools the name on the roll. Lower is
 * more trusted. */
static int trust(int agency)
{
	switch (agency) {
	case 2: /* HEALTH */
		return 0;
	case 3: /* EDUCATION */
		return 1;
	case 4: /* SOCIAL_CARE */
		return 2;
	case 1: /* POLICE */
		return 3;
	case 5: /* OTHER */
		return 4;
	default:
		return 5;
	}
}

/* Is a a better record to name the child by than b? */
static int better(const struct seen_identity *a, const struct seen_identity *b)
{
	int an = a->id.family_name[0] != '\0', bn = b->id.family_name[0] != '\0';
	if (an != bn)
		return an;
	if (trust(a->agency) != trust(b->agency))
		return trust(a->agency) < trust(b->agency);
	if (a->last_seen_ms != b->last_seen_ms)
		return a->last_seen_ms > b->last_seen_ms;
	return a->first_seq > b->first_seq;
}

void display_choose(const struct child_record *ch, struct alert_child *out)
{
	memset(out, 0, sizeof *out);
	const struct seen_identity *best = NULL;
	for (size_t i = 0; i < ch->n_ids; i++)
		if (!best || better(&ch->ids[i], best))
			best = &ch->ids[i];
	if (!best)
		return;
	wire_alert_child_set(out, &best->id);
	/* What the chosen record lacks, from the others in stored order. */
	for (size_t i = 0; i < ch->n_ids; i++) {
		const struct child_identity *id = &ch->ids[i].id;
		if (!out->date_of_birth[0] && id->date_of_birth[0])
			snprintf(out->date_of_birth, sizeof out->date_of_birth, "%s",
			         id->date_of_birth);
		if (!out->nhs_number[0] && id->nhs_number[0])
			snprintf(out->nhs_number, sizeof out->nhs_number, "%s", id->nhs_number);
		if (!out->upn[0] && id->upn[0])
			snprintf(out->upn, sizeof out->upn, "%s", id->upn);
	}
}

int display_child(struct store_txn *t, uint64_t child, struct alert_child *out)
{
	memset(out, 0, sizeof *out);
	uint64_t live;
	int rc = store_child_resolve(t, child, &live);
	if (rc != STORE_OK)
		return rc;
	struct child_record ch;
	if ((rc = store_child_get(t, live, &ch)) != STORE_OK)
		return rc;
	display_choose(&ch, out);
	wire_child_release(&ch);
	return STORE_OK;
}

const char *display_first_name(const struct alert_child *d, uint64_t child, char *buf, size_t len)
{
	if (d->given_name[0])
		snprintf(buf, len, "%s", d->given_name);
	else if (d->family_name[0])
		snprintf(buf, len, "%s", d->family_name);
	else {
		char id[WIRE_ID_MAX];
		wire_child_id(child, id);
		snprintf(buf, len, "%s", id);
	}
	return buf;
}
