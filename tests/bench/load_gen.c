/*
 * load_gen - an agency adapter under load, for the figures of `make bench`
 * (tests/bench/bench.py). It knows only the wire contract: a DEALER on the
 * ingest socket sending ffc.v1.Concern frames and reading ffc.v1.Receipt
 * frames, pipelined, and optionally a SUB on the alerts socket reading
 * heartbeats and alerts. No code of ffcd's is linked in.
 *
 * Each concern is about 300 bytes and names one child, with an NHS number,
 * names, a date of birth and a postcode, all derived from the child's
 * number, so child n is the same child in every run and every concern.
 * Concern i is "PREFIX-i"; its content is derived from i, so sending it
 * again is a duplicate.
 *
 * usage: load_gen --ingest EP [options]
 *   --count N        concerns to send (default 100000); 0 with --rate: until
 *                    SIGINT or SIGTERM
 *   --first I        number of the first concern (default 0)
 *   --prefix S       concern id prefix (default "B")
 *   --children P     the concerns name children base .. base+P-1 (default 10000)
 *   --child-base B   (default 0)
 *   --sequential     concern i names child base + i mod P (default: one at random)
 *   --window W       concerns in flight at most (default 2000)
 *   --rate R         offer R concerns a second (default: as fast as receipts come)
 *   --immediate      every concern IMMEDIATE_RISK (default LOW, MODERATE, HIGH)
 *   --days D         concerns happened over the D days before now (default 365)
 *   --alerts EP      subscribe on the alerts socket: heartbeat gaps, and with
 *   --alert-topic T  the time from sending a concern to an alert on a topic
 *                    starting with T whose evidence names it
 *   --progress S     a line of progress every S seconds (stderr)
 *
 * Prints one line of key=value figures: counts, rate (receipts a second),
 * tail_rate (over the last tenth of the receipts), receipt latency
 * percentiles, alert latency percentiles and the longest gap between
 * heartbeats. Exits 0 when every concern got a receipt, 1 otherwise.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "ffc.pb-c.h"

#define RING   (1u << 21) /* send times kept, by concern number */
#define DAY_MS 86400000LL

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t mix(uint64_t x)
{
	/* splitmix64: a number's own well-spread hash */
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

/* ---- children ---- */

static const char *const syllables[] = {"ka", "ri", "mo", "la", "den", "sa",  "no", "el",
                                        "ta", "vi", "ro", "an", "mi",  "lu",  "be", "ja",
                                        "zo", "ha", "fi", "ne", "wyn", "ell", "or", "ay"};
#define N_SYLL (sizeof syllables / sizeof syllables[0])
static const char *const areas[] = {"LS6", "LS7", "LS9", "LS11", "BD3", "BD8", "WF1",
                                    "HX1", "M1",  "M14", "S2",   "S11", "YO1", "HG2"};

/* A name of 2 or 3 syllables, capitalised: some 14,000 of each. */
static void name(uint64_t h, char *out, size_t cap)
{
	size_t n = 2 + h % 2, at = 0;
	h /= 2;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		at += (size_t)snprintf(out + at, cap - at, "%s", syllables[h % N_SYLL]);
		h /= N_SYLL;
	}
	out[0] = (char)(out[0] - 'a' + 'A');
}

/* The n-th valid NHS number: nine digits of n's own range, the first
 * whose modulus 11 check digit exists and which is not one digit ten
 * times (never issued: ffcd rejects it; child 1,010,101 would be
 * 1111111111). */
static void nhs_number(uint64_t n, char out[11])
{
	for (uint64_t k = 0;; k++) {
		char nine[21];
		snprintf(nine, sizeof nine, "%09llu",
		         (unsigned long long)((100000000 + n * 11 + k) % 1000000000));
		int total = 0;
		for (int i = 0; i < 9; i++)
			total += (nine[i] - '0') * (10 - i);
		int check = 11 - total % 11;
		if (check == 11)
			check = 0;
		if (check == 10)
			continue;
		memcpy(out, nine, 9);
		out[9] = (char)('0' + check);
		out[10] = '\0';
		int same = 1;
		for (int i = 1; i < 10; i++)
			same &= out[i] == out[0];
		if (!same)
			return;
	}
}

struct child {
	char nhs[11], given[24], family[24], dob[11], postcode[12];
};

static void child_of(uint64_t n, struct child *c)
{
	uint64_t h = mix(n ^ 0x51ed270b27c3a1f5u);
	nhs_number(n, c->nhs);
	name(h, c->given, sizeof c->given);
	name(mix(h), c->family, sizeof c->family);
	/* born 2008 to 2024 */
	uint64_t d = mix(h + 1);
	snprintf(c->dob, sizeof c->dob, "%04d-%02d-%02d", 2008 + (int)(d % 17),
	         1 + (int)(d / 17 % 12), 1 + (int)(d / 204 % 28));
	uint64_t p = mix(h + 2);
	snprintf(c->postcode, sizeof c->postcode, "%s %d%c%c",
	         areas[p % (sizeof areas / sizeof areas[0])], (int)(p / 16 % 10),
	         "ABDEFGHJLNPQRSTUWXYZ"[p / 160 % 20], "ABDEFGHJLNPQRSTUWXYZ"[p / 3200 % 20]);
}

/* ---- concerns ---- */

struct options {
	const char *ingest, *alerts, *alert_topic, *prefix;
	uint64_t count, first, children, child_base, window;
	double rate, progress;
	int sequential, immediate;
	int64_t days;
};

static const Ffc__V1__Agency agencies[] = {FFC__V1__AGENCY__POLICE, FFC__V1__AGENCY__HEALTH,
                                           FFC__V1__AGENCY__EDUCATION,
                                           FFC__V1__AGENCY__SOCIAL_CARE};
static const char *const systems[] = {"Niche RMS", "SystmOne", "CPOMS", "Mosaic"};
static const Ffc__V1__Category categories[4][4] = {
    {FFC__V1__CATEGORY__DOMESTIC_ABUSE, FFC__V1__CATEGORY__MISSING,
     FFC__V1__CATEGORY__SUBSTANCE_MISUSE, FFC__V1__CATEGORY__PHYSICAL_ABUSE},
    {FFC__V1__CATEGORY__WAS_NOT_BROUGHT, FFC__V1__CATEGORY__NEGLECT,
     FFC__V1__CATEGORY__MENTAL_HEALTH, FFC__V1__CATEGORY__INJURY},
    {FFC__V1__CATEGORY__EDUCATION_ABSENCE, FFC__V1__CATEGORY__EMOTIONAL_ABUSE,
     FFC__V1__CATEGORY__NEGLECT, FFC__V1__CATEGORY__OTHER_CONCERN},
    {FFC__V1__CATEGORY__NEGLECT, FFC__V1__CATEGORY__DOMESTIC_ABUSE,
     FFC__V1__CATEGORY__MENTAL_HEALTH, FFC__V1__CATEGORY__SUBSTANCE_MISUSE},
};

/* Concern i, packed into buf (at least 1024 bytes); returns its length. */
static size_t concern_pack(const struct options *o, uint64_t i, int64_t now, uint8_t *buf)
{
	uint64_t h = mix(i ^ 0x7c3a5e1f00ddba11u);
	uint64_t n = o->child_base + (o->sequential ? i % o->children : h % o->children);
	struct child c;
	child_of(n, &c);
	char id[48], summary[200];
	snprintf(id, sizeof id, "%s-%llu", o->prefix, (unsigned long long)i);
	int a = (int)(mix(h) % 4);
	snprintf(summary, sizeof summary,
	         "Load generator concern %llu: seen at home by a practitioner, who recorded "
	         "what was said and done; the agency's own system holds the rest for review.",
	         (unsigned long long)i);

	Ffc__V1__ChildIdentity kid = FFC__V1__CHILD_IDENTITY__INIT;
	Ffc__V1__ChildIdentity *kids[1] = {&kid};
	kid.nhs_number = c.nhs;
	kid.given_name = c.given;
	kid.family_name = c.family;
	kid.date_of_birth = c.dob;
	kid.postcode = c.postcode;
	Ffc__V1__Concern m = FFC__V1__CONCERN__INIT;
	m.concern_id = id;
	m.agency = agencies[a];
	m.source_system = (char *)(uintptr_t)systems[a];
	m.n_children = 1;
	m.children = kids;
	m.category = categories[a][mix(h + 1) % 4];
	uint64_t s = mix(h + 2) % 10;
	m.severity = o->immediate ? FFC__V1__SEVERITY__IMMEDIATE_RISK
	             : s < 6      ? FFC__V1__SEVERITY__LOW
	             : s < 9      ? FFC__V1__SEVERITY__MODERATE
	                          : FFC__V1__SEVERITY__HIGH;
	m.occurred_at_ms = now - (int64_t)(mix(h + 3) % (uint64_t)(o->days * DAY_MS)) - 60000;
	m.reported_at_ms = m.occurred_at_ms + (int64_t)(mix(h + 4) % 3) * DAY_MS;
	if (m.reported_at_ms > now)
		m.reported_at_ms = now;
	m.summary = summary;
	char reporter[] = "load generator, 0113 496 0000";
	m.reporter = reporter;
	return protobuf_c_message_pack(&m.base, buf);
}

/* The number of the concern an id names, or -1. */
static int64_t concern_number(const char *id, const char *prefix)
{
	size_t n = strlen(prefix);
	if (!id || strncmp(id, prefix, n) != 0 || id[n] != '-')
		return -1;
	char *end;
	unsigned long long v = strtoull(id + n + 1, &end, 10);
	return *end ? -1 : (int64_t)v;
}

/* ---- figures ---- */

struct samples {
	uint32_t *us;
	size_t n, cap;
};

static void sample(struct samples *s, int64_t ns)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 65536;
		uint32_t *p = realloc(s->us, cap * sizeof *p);
		if (!p)
			return;
		s->us = p;
		s->cap = cap;
	}
	int64_t us = ns / 1000;
	s->us[s->n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)(us < 0 ? 0 : us);
}

static int by_value(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static void percentiles(struct samples *s, const char *name)
{
	if (!s->n) {
		printf(" %s_p50_ms=- %s_p99_ms=- %s_max_ms=-", name, name, name);
		return;
	}
	qsort(s->us, s->n, sizeof *s->us, by_value);
	printf(" %s_p50_ms=%.2f %s_p99_ms=%.2f %s_max_ms=%.2f", name, s->us[s->n / 2] / 1000.0,
	       name, s->us[s->n * 99 / 100] / 1000.0, name, s->us[s->n - 1] / 1000.0);
}

/* ---- the run ---- */

struct run {
	struct options o;
	void *ingest, *sub;
	int64_t *sent_at; /* by concern number, RING of them */
	uint64_t sent, received, accepted, duplicate, rejected, alerts, heartbeats;
	int64_t start, tail_start, last_beat, beat_gap_max;
	struct samples receipt, alert;
	char first_error[256];
};

static int read_receipt(struct run *r)
{
	zmq_msg_t msg;
	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, r->ingest, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&msg);
		return 0;
	}
	int64_t at = now_ns();
	Ffc__V1__Receipt *rc =
	    ffc__v1__receipt__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
	zmq_msg_close(&msg);
	r->received++;
	if (r->received == r->o.count - r->o.count / 10)
		r->tail_start = at;
	if (!rc) {
		r->rejected++;
		snprintf(r->first_error, sizeof r->first_error, "a receipt that does not decode");
		return 1;
	}
	if (rc->status == FFC__V1__RECEIPT__STATUS__ACCEPTED)
		r->accepted++;
	else if (rc->status == FFC__V1__RECEIPT__STATUS__DUPLICATE)
		r->duplicate++;
	else {
		r->rejected++;
		if (!r->first_error[0])
			snprintf(r->first_error, sizeof r->first_error, "%s: %s", rc->concern_id,
			         rc->error);
	}
	int64_t i = concern_number(rc->concern_id, r->o.prefix);
	if (i >= 0)
		sample(&r->receipt, at - r->sent_at[i % RING]);
	ffc__v1__receipt__free_unpacked(rc, NULL);
	return 1;
}

static void read_sub(struct run *r)
{
	for (;;) {
		zmq_msg_t topic, body;
		zmq_msg_init(&topic);
		if (zmq_msg_recv(&topic, r->sub, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&topic);
			return;
		}
		zmq_msg_init(&body);
		int more = zmq_msg_more(&topic);
		if (more && zmq_msg_recv(&body, r->sub, 0) < 0)
			more = 0;
		int64_t at = now_ns();
		size_t tlen = zmq_msg_size(&topic);
		const char *t = zmq_msg_data(&topic);
		if (tlen == 9 && !memcmp(t, "heartbeat", 9)) {
			if (r->last_beat && at - r->last_beat > r->beat_gap_max)
				r->beat_gap_max = at - r->last_beat;
			r->last_beat = at;
			r->heartbeats++;
		} else if (more && r->o.alert_topic && tlen >= strlen(r->o.alert_topic) &&
		           !memcmp(t, r->o.alert_topic, strlen(r->o.alert_topic))) {
			Ffc__V1__Alert *a =
			    ffc__v1__alert__unpack(NULL, zmq_msg_size(&body), zmq_msg_data(&body));
			for (size_t k = 0; a && k < a->n_evidence; k++) {
				int64_t i = concern_number(a->evidence[k]->concern_id, r->o.prefix);
				if (i >= (int64_t)r->o.first &&
				    (uint64_t)i < r->o.first + r->sent) {
					sample(&r->alert, at - r->sent_at[i % RING]);
					r->alerts++;
					break;
				}
			}
			if (a)
				ffc__v1__alert__free_unpacked(a, NULL);
		}
		zmq_msg_close(&body);
		zmq_msg_close(&topic);
	}
}

static int parse(int argc, char **argv, struct options *o)
{
	*o = (struct options){
	    .prefix = "B", .count = 100000, .children = 10000, .window = 2000, .days = 365};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = 1;
		if (!strcmp(a, "--sequential"))
			o->sequential = 1, takes = 0;
		else if (!strcmp(a, "--immediate"))
			o->immediate = 1, takes = 0;
		else if (!v)
			return fprintf(stderr, "load_gen: %s needs a value\n", a), -1;
		else if (!strcmp(a, "--ingest"))
			o->ingest = v;
		else if (!strcmp(a, "--alerts"))
			o->alerts = v;
		else if (!strcmp(a, "--alert-topic"))
			o->alert_topic = v;
		else if (!strcmp(a, "--prefix"))
			o->prefix = v;
		else if (!strcmp(a, "--count"))
			o->count = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--first"))
			o->first = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--children"))
			o->children = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--child-base"))
			o->child_base = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--window"))
			o->window = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--rate"))
			o->rate = strtod(v, NULL);
		else if (!strcmp(a, "--days"))
			o->days = strtoll(v, NULL, 10);
		else if (!strcmp(a, "--progress"))
			o->progress = strtod(v, NULL);
		else
			return fprintf(stderr, "load_gen: unknown option %s\n", a), -1;
		i += takes;
	}
	if (!o->ingest || !o->children || !o->window || o->days < 1 || o->rate < 0 ||
	    (!o->count && o->rate <= 0) || o->window >= RING / 2) {
		fprintf(stderr, "load_gen: needs --ingest; --children, --window and --days "
		                "positive; --count 0 only with --rate\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct run *r = calloc(1, sizeof *r);
	if (!r || parse(argc, argv, &r->o) < 0)
		return 2;
	const struct options *o = &r->o;
	r->sent_at = calloc(RING, sizeof *r->sent_at);
	void *ctx = zmq_ctx_new();
	r->ingest = zmq_socket(ctx, ZMQ_DEALER);
	int hwm = (int)o->window * 2, linger = 0;
	zmq_setsockopt(r->ingest, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(r->ingest, ZMQ_RCVHWM, &hwm, sizeof hwm);
	zmq_setsockopt(r->ingest, ZMQ_LINGER, &linger, sizeof linger);
	if (!r->sent_at || zmq_connect(r->ingest, o->ingest) < 0) {
		fprintf(stderr, "load_gen: %s: %s\n", o->ingest, zmq_strerror(zmq_errno()));
		return 2;
	}
	if (o->alerts) {
		r->sub = zmq_socket(ctx, ZMQ_SUB);
		zmq_setsockopt(r->sub, ZMQ_LINGER, &linger, sizeof linger);
		zmq_setsockopt(r->sub, ZMQ_SUBSCRIBE, "heartbeat", 9);
		if (o->alert_topic)
			zmq_setsockopt(r->sub, ZMQ_SUBSCRIBE, o->alert_topic,
			               strlen(o->alert_topic));
		if (zmq_connect(r->sub, o->alerts) < 0) {
			fprintf(stderr, "load_gen: %s: %s\n", o->alerts, zmq_strerror(zmq_errno()));
			return 2;
		}
		/* Subscriptions travel before the first concern does. */
		struct timespec settle = {0, 300 * 1000000};
		nanosleep(&settle, NULL);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	uint8_t buf[1024];
	r->start = now_ns();
	int64_t next_progress = r->start + (int64_t)(o->progress * 1e9), last_received = 0,
	        last_progress = r->start, drain_until = 0;
	for (;;) {
		int64_t now = now_ns();
		int more = !stopping && (!o->count || r->sent < o->count);
		if (!more && !drain_until)
			drain_until = now + 60 * (int64_t)1000000000;
		if (!more && (r->received >= r->sent || now > drain_until))
			break;
		/* Send what the window and the rate allow. */
		int64_t wait_ms = 100;
		while (more && r->sent - r->received < o->window) {
			if (o->rate > 0) {
				int64_t due = r->start + (int64_t)((double)r->sent * 1e9 / o->rate);
				if (due > now) {
					wait_ms = (due - now) / 1000000;
					break;
				}
			}
			uint64_t i = o->first + r->sent;
			size_t len = concern_pack(o, i, wall_ms(), buf);
			if (zmq_send(r->ingest, buf, len, ZMQ_DONTWAIT) < 0) {
				wait_ms = 1;
				break;
			}
			r->sent_at[i % RING] = now_ns();
			r->sent++;
			more = !stopping && (!o->count || r->sent < o->count);
		}
		zmq_pollitem_t items[2] = {{r->ingest, 0, ZMQ_POLLIN, 0},
		                           {r->sub, 0, ZMQ_POLLIN, 0}};
		zmq_poll(items, r->sub ? 2 : 1, wait_ms);
		while (read_receipt(r))
			;
		if (r->sub)
			read_sub(r);
		if (o->progress > 0 && (now = now_ns()) >= next_progress) {
			fprintf(stderr, "load_gen: %.1f s: %llu receipts, %.0f a second\n",
			        (double)(now - r->start) / 1e9, (unsigned long long)r->received,
			        (double)(r->received - (uint64_t)last_received) * 1e9 /
			            (double)(now - last_progress));
			last_received = (int64_t)r->received;
			last_progress = now;
			next_progress = now + (int64_t)(o->progress * 1e9);
		}
	}
	int64_t end = now_ns();
	/* Alerts follow their receipts: give them a moment. */
	if (r->sub) {
		int64_t until = end + 2 * (int64_t)1000000000;
		while (now_ns() < until && (!o->alert_topic || r->alerts < r->accepted)) {
			zmq_pollitem_t item = {r->sub, 0, ZMQ_POLLIN, 0};
			zmq_poll(&item, 1, 50);
			read_sub(r);
		}
	}
	double secs = (double)(end - r->start) / 1e9;
	printf("sent=%llu accepted=%llu duplicate=%llu rejected=%llu seconds=%.3f rate=%.0f",
	       (unsigned long long)r->sent, (unsigned long long)r->accepted,
	       (unsigned long long)r->duplicate, (unsigned long long)r->rejected, secs,
	       (double)r->received / secs);
	if (r->tail_start && o->count >= 10 && end > r->tail_start)
		printf(" tail_rate=%.0f",
		       (double)(o->count / 10) * 1e9 / (double)(end - r->tail_start));
	percentiles(&r->receipt, "receipt");
	if (o->alert_topic) {
		printf(" alerts=%llu", (unsigned long long)r->alerts);
		percentiles(&r->alert, "alert");
	}
	if (r->sub)
		printf(" heartbeats=%llu heartbeat_max_gap_ms=%.0f",
		       (unsigned long long)r->heartbeats, (double)r->beat_gap_max / 1e6);
	printf("\n");
	if (r->first_error[0])
		fprintf(stderr, "load_gen: first rejection: %s\n", r->first_error);
	int ok = r->received == r->sent;
	if (!ok)
		fprintf(stderr, "load_gen: %llu of %llu concerns got no receipt\n",
		        (unsigned long long)(r->sent - r->received), (unsigned long long)r->sent);
	zmq_close(r->ingest);
	if (r->sub)
		zmq_close(r->sub);
	zmq_ctx_term(ctx);
	free(r->sent_at);
	free(r->receipt.us);
	free(r->alert.us);
	free(r);
	return ok ? 0 : 1;
}
