/*
 * web_ring.c - the events relayed to browsers, and positions in them (see
 * web_ring.h).
 *
 * Owns the ring and its locking. What goes in is web_relay.c's; sending
 * it as Server-Sent Events is web_stream.c's.
 */
#include "web_ring.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int ring_init(struct ring *r)
{
	memset(r, 0, sizeof *r);
	unsigned char raw[RING_BOOT / 2];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(r->boot, sizeof r->boot, raw, sizeof raw);
	r->next_id = 1;
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0)
		return -1;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&r->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0)
		return -1;
	if (pthread_mutex_init(&r->mu, NULL) != 0) {
		pthread_cond_destroy(&r->cv);
		return -1;
	}
	return 0;
}

void ring_destroy(struct ring *r)
{
	for (size_t i = 0; i < RING_SIZE; i++)
		free(r->ev[i].json);
	free(r->status);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	memset(r, 0, sizeof *r);
}

void ring_push(struct ring *r, enum ring_kind kind, uint64_t seq, char *json)
{
	pthread_mutex_lock(&r->mu);
	if ((kind == RING_ALERT || kind == RING_OVERDUE) && seq > r->last_seq)
		r->last_seq = seq;
	if (kind == RING_STATUS) {
		free(r->status);
		r->status = json ? strdup(json) : NULL;
	}
	struct ring_event *e = &r->ev[r->next_id % RING_SIZE];
	free(e->json);
	*e = (struct ring_event){r->next_id++, r->last_seq, kind, json};
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

void ring_position(struct ring *r, struct ring_pos *p)
{
	pthread_mutex_lock(&r->mu);
	memcpy(p->boot, r->boot, sizeof p->boot);
	p->id = r->next_id - 1;
	p->seq = r->last_seq;
	pthread_mutex_unlock(&r->mu);
}

/* With the lock held: is the event after id still held (or yet to come)? */
static int held(const struct ring *r, uint64_t id)
{
	uint64_t oldest = r->next_id > RING_SIZE ? r->next_id - RING_SIZE : 1;
	return id + 1 >= oldest && id < r->next_id;
}

int ring_holds(struct ring *r, const struct ring_pos *p)
{
	pthread_mutex_lock(&r->mu);
	int ok = !strcmp(p->boot, r->boot) && held(r, p->id);
	pthread_mutex_unlock(&r->mu);
	return ok;
}

int ring_next(struct ring *r, uint64_t after, int timeout_ms, struct ring_event *copy)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	int rc = 0;
	pthread_mutex_lock(&r->mu);
	while (!r->stopping && after + 1 >= r->next_id && held(r, after)) {
		if (pthread_cond_timedwait(&r->cv, &r->mu, &until) == ETIMEDOUT)
			break;
	}
	if (r->stopping) {
		rc = RING_STOPPING;
	} else if (!held(r, after)) {
		rc = RING_GONE;
	} else if (after + 1 < r->next_id) {
		const struct ring_event *e = &r->ev[(after + 1) % RING_SIZE];
		*copy = *e;
		copy->json = strdup(e->json ? e->json : "{}");
		rc = copy->json ? 1 : RING_NOMEM;
	}
	pthread_mutex_unlock(&r->mu);
	return rc;
}

void ring_stop(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->stopping = 1;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

char *ring_status(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	char *s = r->status ? strdup(r->status) : NULL;
	pthread_mutex_unlock(&r->mu);
	return s;
}

void ring_pos_format(const struct ring_pos *p, char *buf)
{
	snprintf(buf, RING_POS_MAX, "%s.%" PRIu64 ".%" PRIu64, p->boot, p->id, p->seq);
}

/* A decimal number of at most 19 digits at *s, up to stop ('\0' or '.'). */
static int number(const char **s, char stop, uint64_t *v)
{
	const char *p = *s;
	uint64_t n = 0;
	int digits = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++digits > 19)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (!digits || *p != stop)
		return -1;
	*v = n;
	*s = p + (stop ? 1 : 0);
	return 0;
}

int ring_pos_parse(const char *s, struct ring_pos *p)
{
	memset(p, 0, sizeof *p);
	for (int i = 0; i < RING_BOOT; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
		p->boot[i] = c;
	}
	s += RING_BOOT;
	if (*s++ != '.')
		return -1;
	return number(&s, '.', &p->id) == 0 && number(&s, '\0', &p->seq) == 0 ? 0 : -1;
}
