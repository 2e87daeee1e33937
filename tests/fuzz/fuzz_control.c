/*
 * Fuzz target: a ControlRequest frame from the control socket through
 * control_handle(), against a small store made once (three children, a
 * possible match, concerns from three agencies and a RED alert), the
 * default rules and response times in force, and an outbox. Every command
 * is reachable; the reply must always be a ControlReply.
 *
 * A request that commits (ack, note, link, ...) changes the store: when
 * it did, the store is closed and put back as it was made,
 * so every input meets the same store (a crash reproduces from its input
 * alone) and nothing grows without bound. Reload is refused (the daemon
 * state has no file), and rules test runs /bin/true as the loader, which
 * answers nothing: the request is checked, never a file read.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "ffc.pb-c.h"
#include "ingest.h"
#include "log.h"
#include "scratch_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2026-11-01T00:00:00Z, and a day: a fixed clock keeps runs reproducible. */
#define NOW INT64_C(1793491200000)
#define DAY INT64_C(86400000)

static struct {
	struct rules_state rules;
	struct alert_policy policy;
	struct stats stats;
	struct daemon_info info;
	struct outbox out;
	struct control_env env;
} fx;

static char *s(const char *v)
{
	return (char *)(uintptr_t)v;
}

static void concern(struct ingest_item *item, uint8_t *buf, const char *id, int agency,
                    int severity, int64_t at, const Ffc__V1__ChildIdentity *kid)
{
	Ffc__V1__ChildIdentity *kids[1] = {(Ffc__V1__ChildIdentity *)(uintptr_t)kid};
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	c.concern_id = s(id);
	c.agency = (Ffc__V1__Agency)agency;
	c.category = FFC__V1__CATEGORY__NEGLECT;
	c.severity = (Ffc__V1__Severity)severity;
	c.occurred_at_ms = at;
	c.reported_at_ms = at;
	c.summary = s("Seen at home without food");
	c.n_children = 1;
	c.children = kids;
	*item = (struct ingest_item){.data = buf, .len = ffc__v1__concern__pack(&c, buf)};
}

static int seed(struct store *st)
{
	Ffc__V1__ChildIdentity a = FFC__V1__CHILD_IDENTITY__INIT, b = a, c = a;
	a.nhs_number = s("4000000071");
	a.given_name = s("Ella");
	a.family_name = s("Smith");
	a.date_of_birth = s("2016-04-12");
	a.postcode = s("LS6 2AB");
	/* Health knows her by NHS number and its own id: two identities,
	 * one of which unlink can split off. */
	Ffc__V1__ChildIdentity a2 = a;
	a2.local_id = s("RHQ-1234");
	b.upn = s("X801200000001");
	b.given_name = s("Noah");
	b.family_name = s("Jones");
	b.date_of_birth = s("2019-10-30");
	/* Ella again, as another agency knows her: a possible match. */
	c.local_id = s("LCC-4410");
	c.given_name = s("Ella");
	c.family_name = s("Smith");
	c.date_of_birth = s("2016-04-12");
	c.postcode = s("M1 1AA");
	static uint8_t bufs[5][512];
	struct ingest_item items[5];
	const int64_t t = NOW - 30 * DAY;
	concern(&items[0], bufs[0], "pol-1", FFC__V1__AGENCY__POLICE,
	        FFC__V1__SEVERITY__IMMEDIATE_RISK, t, &a);
	concern(&items[1], bufs[1], "hlt-1", FFC__V1__AGENCY__HEALTH, FFC__V1__SEVERITY__HIGH,
	        t + DAY, &a2);
	concern(&items[2], bufs[2], "edu-1", FFC__V1__AGENCY__EDUCATION, FFC__V1__SEVERITY__LOW,
	        t + 2 * DAY, &b);
	concern(&items[3], bufs[3], "edu-2", FFC__V1__AGENCY__EDUCATION,
	        FFC__V1__SEVERITY__MODERATE, t + 3 * DAY, &b);
	concern(&items[4], bufs[4], "sc-1", FFC__V1__AGENCY__SOCIAL_CARE,
	        FFC__V1__SEVERITY__MODERATE, t + 4 * DAY, &c);
	struct ingest_limits limits = {.max_message = 64 * 1024};
	struct outbox raised = {0};
	int n = ingest_batch(st, fx.rules.rules, fx.rules.n_rules, &limits, items, 5, NOW, &raised);
	ingest_items_release(items, 5);
	outbox_clear(&raised);
	return n == 5 ? 0 : -1;
}

static int init(void)
{
	log_set_level(LOG_ERROR); /* each refusal logged would drown the run */
	struct config cfg;
	config_defaults(&cfg);
	reload_init(&fx.rules, &cfg, "/bin/true", NOW);
	fx.rules.timeout_ms = 2000;
	lifecycle_defaults(&fx.policy);
	fx.info = (struct daemon_info){.version = "fuzz",
	                               .ingest = "tcp://127.0.0.1:7401",
	                               .alerts = "tcp://127.0.0.1:7402",
	                               .control = "ipc://control.sock",
	                               .started_at_ms = NOW - DAY,
	                               .pid = 1};
	fx.env = (struct control_env){.info = &fx.info,
	                              .stats = &fx.stats,
	                              .rules = fx.rules.rules,
	                              .n_rules = fx.rules.n_rules,
	                              .out = &fx.out,
	                              .rules_state = &fx.rules,
	                              .policy = &fx.policy};
	if (scratch_make("fuzz_control", seed) < 0)
		return -1;
	fx.env.store = scratch.s;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		if (init() < 0) {
			fprintf(stderr, "fuzz_control: cannot make the store in %s\n", scratch.dir);
			abort();
		}
		ready = 1;
	}
	uint8_t *reply = NULL;
	size_t len = 0;
	control_handle(&fx.env, data, size, NOW, &reply, &len);
	Ffc__V1__ControlReply *r = reply ? ffc__v1__control_reply__unpack(NULL, len, reply) : NULL;
	if (!r)
		__builtin_trap(); /* every request is answered with a ControlReply */
	ffc__v1__control_reply__free_unpacked(r, NULL);
	free(reply);
	outbox_clear(&fx.out);
	if (scratch_changed()) {
		scratch_restore();
		fx.env.store = scratch.s;
	}
	return 0;
}
