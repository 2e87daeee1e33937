/*
 * Fuzz target: a batch of Concern frames through the whole write path,
 * ingest_batch(): decode, validate, idempotency, linking (merges
 * included), storing, judging the five default rules and raising alerts,
 * against a small store made once (two children with concerns from three
 * agencies and open alerts), at a fixed clock.
 *
 * The input is split into at most FRAMES_MAX frames, each a 2-byte
 * big-endian length then that many bytes (a length past the end takes the
 * rest), so one input is one batch and the fuzzer can put a hostile
 * concern beside valid ones. Every frame must get a receipt, a rejection
 * must name its field, no batch may fail as a whole (nothing here fills
 * the disk or the map), and the alerts raised are numbered on from the
 * last.
 *
 * When a batch wrote, the store is put back as it was made, so every
 * input meets the same store (a crash reproduces from its input alone)
 * and nothing grows without bound. The scratch directory is under
 * $TMPDIR, else /dev/shm (a commit's sync costs nothing there), else
 * /tmp.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ffc.pb-c.h"
#include "ingest.h"
#include "log.h"
#include "scratch_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2026-11-01T00:00:00Z, and a day: a fixed clock keeps runs reproducible. */
#define NOW        INT64_C(1793491200000)
#define DAY        INT64_C(86400000)
#define FRAMES_MAX 8

static struct {
	struct rule rules[RULES_MAX];
	size_t n_rules;
} fx;

static char *s(const char *v)
{
	return (char *)(uintptr_t)v;
}

static void concern(struct ingest_item *item, uint8_t *buf, const char *id, int agency,
                    int category, int severity, int64_t at, const Ffc__V1__ChildIdentity *kid)
{
	Ffc__V1__ChildIdentity *kids[1] = {(Ffc__V1__ChildIdentity *)(uintptr_t)kid};
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	c.concern_id = s(id);
	c.agency = (Ffc__V1__Agency)agency;
	c.category = (Ffc__V1__Category)category;
	c.severity = (Ffc__V1__Severity)severity;
	c.occurred_at_ms = at;
	c.reported_at_ms = at;
	c.n_children = 1;
	c.children = kids;
	*item = (struct ingest_item){.data = buf, .len = ffc__v1__concern__pack(&c, buf)};
}

/* Ella (NHS number, then a local id) and Noah (UPN), with alerts open. */
static int seed(struct store *st)
{
	Ffc__V1__ChildIdentity a = FFC__V1__CHILD_IDENTITY__INIT, b = a;
	a.nhs_number = s("4000000071");
	a.given_name = s("Ella");
	a.family_name = s("Smith");
	a.date_of_birth = s("2016-04-12");
	a.postcode = s("LS6 2AB");
	Ffc__V1__ChildIdentity a2 = a;
	a2.local_id = s("RHQ-1234");
	b.upn = s("X801200000001");
	b.given_name = s("Noah");
	b.family_name = s("Jones");
	b.date_of_birth = s("2019-10-30");
	static uint8_t bufs[4][512];
	struct ingest_item items[4];
	const int64_t t = NOW - 30 * DAY;
	concern(&items[0], bufs[0], "pol-1", FFC__V1__AGENCY__POLICE, 1, 3, t, &a);
	concern(&items[1], bufs[1], "hlt-1", FFC__V1__AGENCY__HEALTH, 3, 2, t + DAY, &a2);
	concern(&items[2], bufs[2], "edu-1", FFC__V1__AGENCY__EDUCATION, 10, 1, t + 2 * DAY, &b);
	concern(&items[3], bufs[3], "edu-2", FFC__V1__AGENCY__EDUCATION, 10, 2, t + 3 * DAY, &b);
	struct ingest_limits limits = {.max_message = 64 * 1024};
	struct outbox raised = {0};
	int n = ingest_batch(st, fx.rules, fx.n_rules, &limits, items, 4, NOW, &raised);
	ingest_items_release(items, 4);
	outbox_clear(&raised);
	return n == 4 ? 0 : -1;
}

/* One school, notices of any age: a police domestic incident raises an
 * Operation Encompass notice in the batch's transaction. */
static struct schools schools;

static int init(void)
{
	log_set_level(LOG_ERROR + 1); /* rejections alone are expected here */
	schools_defaults(&schools);
	schools.n = 1;
	snprintf(schools.list[0].urn, sizeof schools.list[0].urn, "100001");
	snprintf(schools.list[0].name, sizeof schools.list[0].name, "Hillside Primary");
	schools.max_age_days = 0;
	fx.n_rules = rules_defaults(fx.rules, RULES_MAX);
	return scratch_make("fuzz_ingest", seed);
}

/* The last alert seq stored. */
static uint64_t last_alert(void)
{
	struct store_txn *t;
	if (store_begin(scratch.s, 0, &t) != STORE_OK)
		__builtin_trap();
	uint64_t seq = store_last_alert_seq(t);
	store_abort(&t);
	return seq;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		if (init() < 0) {
			fprintf(stderr, "fuzz_ingest: cannot make the store in %s\n", scratch.dir);
			abort();
		}
		ready = 1;
	}
	struct ingest_item items[FRAMES_MAX];
	size_t n = 0;
	memset(items, 0, sizeof items);
	while (size >= 2 && n < FRAMES_MAX) {
		size_t len = (size_t)data[0] << 8 | data[1];
		data += 2;
		size -= 2;
		if (len > size || n + 1 == FRAMES_MAX)
			len = size;
		items[n].data = data;
		items[n].len = len;
		/* Every other frame from a key bound to POLICE: the binding
		 * check runs beside the rest. */
		items[n].agency_bound = n % 2 ? FFC__V1__AGENCY__POLICE : 0;
		items[n].adapter = n % 2 ? "police-adapter" : NULL;
		n++;
		data += len;
		size -= len;
	}
	if (n == 0)
		return 0;

	const uint64_t before = last_alert();
	struct ingest_limits limits = {.max_message = 16 * 1024, .schools = &schools};
	struct outbox raised = {0};
	int stored = ingest_batch(scratch.s, fx.rules, fx.n_rules, &limits, items, n, NOW, &raised);
	if (stored < 0)
		__builtin_trap(); /* no concern may fail the batch as a whole */
	int accepted = 0;
	for (size_t i = 0; i < n; i++) {
		const struct receipt *r = &items[i].receipt;
		switch (r->status) {
		case RECEIPT_ACCEPTED:
			accepted++;
			/* fall through */
		case RECEIPT_DUPLICATE:
			if (r->seq == 0 || r->n_child_ids == 0)
				__builtin_trap();
			break;
		case RECEIPT_REJECTED:
			/* Every rejection names its field or step. */
			if (!strchr(r->error, ':'))
				__builtin_trap();
			break;
		default:
			__builtin_trap(); /* every frame gets an answer */
		}
	}
	if (accepted != stored)
		__builtin_trap();
	/* Alerts raised are numbered in order; evidence added to an open
	 * alert is published with no alert of its own. */
	uint64_t n_raised = 0;
	for (size_t i = 0; i < raised.n; i++)
		if (raised.items[i].alert && raised.items[i].alert->seq != before + 1 + n_raised++)
			__builtin_trap();
	if (last_alert() != before + n_raised)
		__builtin_trap();
	outbox_clear(&raised);
	ingest_items_release(items, n);
	if (scratch_changed())
		scratch_restore();
	return 0;
}
