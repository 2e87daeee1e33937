/*
 * web_stream.c - the live stream of alerts to one browser, as Server-Sent
 * Events (GET /api/events): alerts, their changes and overdue reminders as
 * ffcd publishes them, relayed from the ring (web_ring.c).
 *
 * Every stream starts with a request to ffcd on the person's behalf, the
 * alerts after the highest seq the browser has: ffcd decides whether the
 * person may see alerts at all (a viewer may not: the stream says so and
 * ends), and what it returns is the catch-up by seq. The browser's
 * position (?from= on the first connection, Last-Event-ID on every
 * reconnection) then says where in the ring to go on; a position the ring
 * no longer holds (ffc-web restarted, or the browser was away long) is
 * followed by "resync", and the page reloads the alerts it shows.
 *
 * Each event's id is the position after it. One thread per stream (the
 * connection's), waiting on the ring; the session is checked at every
 * wake, and the stream ends when it has.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "web_text.h"

/* A comment line every so often keeps proxies and the browser from
 * giving up on a quiet stream. */
#define KEEPALIVE_MS 15000
/* Alerts a stream catches up on through ffcd before it asks the page to
 * reload instead. */
#define CATCH_UP_MAX 500

struct stream {
	struct web *w;
	char token[WEB_TOKEN_LEN + 1]; /* the session's: is it still live? */
	char name[WEB_NAME_MAX];
	enum web_role role;
	uint64_t after;      /* the last ring event sent */
	uint64_t seq;        /* the highest alert seq sent */
	struct web_text out; /* bytes to send, from off */
	size_t off;
	int ended;
};

/* Bytes for the browser, after those sent (a drained buffer starts again). */
static void put(struct stream *s, const char *text)
{
	if (s->off == s->out.n) {
		s->off = s->out.n = 0;
		if (s->out.s)
			s->out.s[0] = '\0';
	}
	web_text_add(&s->out, text);
}

static const char *kind_name(enum ring_kind k)
{
	switch (k) {
	case RING_ALERT:
		return "alert";
	case RING_CHANGE:
		return "change";
	case RING_OVERDUE:
		return "overdue";
	case RING_RESYNC:
		return "resync";
	case RING_STATUS:
		break;
	}
	return "status";
}

/* One event: its position as id, its kind, its JSON. */
static void event(struct stream *s, const char *kind, const char *json)
{
	struct ring_pos p;
	char pos[RING_POS_MAX], head[RING_POS_MAX + 64];
	memcpy(p.boot, s->w->ring.boot, sizeof p.boot);
	p.id = s->after;
	p.seq = s->seq;
	ring_pos_format(&p, pos);
	snprintf(head, sizeof head, "id: %s\nevent: %s\ndata: ", pos, kind);
	put(s, head);
	put(s, json);
	put(s, "\n\n");
}

/* Is the person still signed in (0: no), with the role the stream began
 * with (1), or another (2)? */
static int still_signed_in(struct stream *s)
{
	struct web *w = s->w;
	pthread_mutex_lock(&w->mu);
	int live = sessions_find(&w->sessions, s->token, web_now_ms(), 0) != NULL;
	pthread_mutex_unlock(&w->mu);
	return !live ? 0 : web_current_role(w, s->name) == s->role ? 1 : 2;
}

static ssize_t reader(void *cls, uint64_t at, char *buf, size_t max)
{
	struct stream *s = cls;
	struct web *w = s->w;
	(void)at;
	while (s->off == s->out.n && !s->ended && !s->out.failed) {
		int signed_in = still_signed_in(s);
		if (signed_in == 0) {
			event(s, "ended", "{\"why\":\"the session ended\"}");
			s->ended = 1;
			break;
		}
		/* A new role: the stream ends, the browser reconnects from
		 * here and ffcd decides again. */
		if (signed_in == 2)
			return MHD_CONTENT_READER_END_OF_STREAM;
		struct ring_event e;
		int rc = ring_next(&w->ring, s->after, KEEPALIVE_MS, &e);
		if (rc == 1) {
			s->after = e.id;
			if (e.seq > s->seq)
				s->seq = e.seq;
			event(s, kind_name(e.kind), e.json);
			free(e.json);
		} else if (rc == 0) {
			put(s, ": still here\n\n");
		} else if (rc == RING_GONE) {
			/* This browser fell behind the ring: it reloads what it
			 * shows, and goes on from now. */
			struct ring_pos now;
			ring_position(&w->ring, &now);
			s->after = now.id;
			event(s, "resync", "{}");
		} else {
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
	}
	if (s->out.failed)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (s->off == s->out.n)
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = s->out.n - s->off < max ? s->out.n - s->off : max;
	memcpy(buf, s->out.s + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;
	atomic_fetch_sub(&s->w->streams, 1);
	free(s->out.s);
	free(s);
}

/* The alerts after s->seq, through ffcd as the person: the catch-up by
 * seq, and ffcd's word on whether they may see alerts. 0; -1 refused or
 * unanswered, with out's error; 1 more than CATCH_UP_MAX. */
static int catch_up(struct web_request *rq, struct stream *s, struct web_reply *out)
{
	Ffc__V1__AlertsRequest ar = FFC__V1__ALERTS_REQUEST__INIT;
	ar.since_seq = s->seq;
	ar.limit = CATCH_UP_MAX;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS;
	req.alerts = &ar;
	Ffc__V1__ControlReply *r = web_call(rq, &req, "", out);
	if (!r)
		return -1;
	int more = r->alerts && r->alerts->more;
	for (size_t i = 0; !more && r->alerts && i < r->alerts->n_alerts; i++) {
		const Ffc__V1__Alert *a = r->alerts->alerts[i];
		char *json = ffc_json_from_message(&a->base);
		if (!json) {
			s->out.failed = 1;
			break;
		}
		if (a->seq > s->seq)
			s->seq = a->seq;
		event(s, "alert", json);
		free(json);
	}
	ffc__v1__control_reply__free_unpacked(r, NULL);
	return more ? 1 : 0;
}

int web_stream(struct web_request *rq, struct web_reply *out)
{
	struct web *w = rq->w;
	if (atomic_fetch_add(&w->streams, 1) >= WEB_STREAMS_MAX) {
		atomic_fetch_sub(&w->streams, 1);
		return web_error(out, 503, "stream: %d live streams already; try again later",
		                 WEB_STREAMS_MAX);
	}
	struct stream *s = calloc(1, sizeof *s);
	if (!s) {
		atomic_fetch_sub(&w->streams, 1);
		return web_error(out, 500, "out of memory");
	}
	s->w = w;
	memcpy(s->token, rq->who.token, sizeof s->token);
	memcpy(s->name, rq->who.name, sizeof s->name);
	s->role = rq->who.role;
	/* Where the browser is: Last-Event-ID when it reconnects, else the
	 * position its page was loaded at. */
	const char *from = web_header(rq, "Last-Event-ID");
	if (!from || !from[0])
		from = web_query(rq, "from");
	struct ring_pos pos, now;
	int known = from && ring_pos_parse(from, &pos) == 0;
	ring_position(&w->ring, &now); /* before the catch-up: nothing falls between */
	int held = known && ring_holds(&w->ring, &pos);
	s->seq = known ? pos.seq : now.seq;
	s->after = held ? pos.id : now.id;
	put(s, "retry: 3000\n\n");
	char *status = ring_status(&w->ring);
	if (status)
		event(s, "status", status);
	free(status);
	int rc = catch_up(rq, s, out);
	if (rc < 0) {
		/* Refused (a viewer), or ffcd did not answer: said in words,
		 * and the stream ends. */
		if (out->status == 403 && out->body) {
			event(s, "refused", out->body);
			free(out->body);
			out->body = NULL;
			s->ended = 1;
		} else {
			stream_free(s);
			return 0;
		}
	} else if (!held || rc == 1) {
		event(s, "resync", "{}");
	}
	struct MHD_Response *r =
	    MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 8192, reader, s, stream_free);
	if (!r) {
		stream_free(s);
		return web_error(out, 500, "out of memory");
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        "text/event-stream; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Accel-Buffering", "no"); /* nginx: send at once */
	out->status = 200;
	out->response = r;
	return 0;
}
