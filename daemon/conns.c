/*
 * conns.c - the connections accepted on one socket, from its monitor
 * (see conns.h). Owns the monitor's PAIR socket and the table of file
 * descriptors; never closes a descriptor (libzmq owns them), only shuts
 * one down, after checking it is still a connection to the socket's own
 * port, since libzmq may have closed it and the number been reused.
 */
#include "conns.h"

#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

/* Connections tracked; past this, connections are not remembered and so
 * never cut (a cap below it is what bounds them). */
#define CONNS_TABLE_MAX 1024

struct conn {
	int fd;
	uint64_t marked; /* bytes received at the last conns_mark() */
	struct sockaddr_storage local;
	socklen_t local_len;
};

struct conns {
	void *mon;
	size_t max;
	size_t n;
	struct conn items[CONNS_TABLE_MAX];
};

struct conns *conns_new(void *ctx, void *sock, const char *name, size_t max, char *err,
                        size_t errlen)
{
	struct conns *c = calloc(1, sizeof *c);
	char ep[64];
	snprintf(ep, sizeof ep, "inproc://ffcd.monitor.%s", name);
	if (!c) {
		snprintf(err, errlen, "%s monitor: out of memory", name);
		return NULL;
	}
	c->max = max;
	if (zmq_socket_monitor(
	        sock, ep, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_CLOSED) < 0 ||
	    !(c->mon = zmq_socket(ctx, ZMQ_PAIR)) || zmq_connect(c->mon, ep) < 0) {
		snprintf(err, errlen, "%s monitor: %s", name, zmq_strerror(zmq_errno()));
		conns_destroy(&c);
		return NULL;
	}
	int linger = 0;
	if (zmq_setsockopt(c->mon, ZMQ_LINGER, &linger, sizeof linger) < 0) {
		snprintf(err, errlen, "%s monitor: ZMQ_LINGER: %s", name,
		         zmq_strerror(zmq_errno()));
		conns_destroy(&c);
		return NULL;
	}
	return c;
}

void conns_destroy(struct conns **p)
{
	struct conns *c = *p;
	if (!c)
		return;
	if (c->mon)
		zmq_close(c->mon);
	free(c);
	*p = NULL;
}

void *conns_socket(struct conns *c)
{
	return c->mon;
}

size_t conns_count(const struct conns *c)
{
	return c->n;
}

static int bytes_received(int fd, uint64_t *out)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof ti.tcpi_bytes_received)
		return -1;
	*out = ti.tcpi_bytes_received;
	return 0;
}

/* Shut the connection down if its descriptor still names it. */
static int cut(const struct conn *k)
{
	struct sockaddr_storage now;
	socklen_t len = sizeof now;
	if (getsockname(k->fd, (struct sockaddr *)&now, &len) < 0 || len != k->local_len ||
	    memcmp(&now, &k->local, len))
		return 0;
	return shutdown(k->fd, SHUT_RDWR) == 0;
}

static void forget(struct conns *c, int fd)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->items[i].fd == fd) {
			c->items[i] = c->items[--c->n];
			return;
		}
	}
}

static void accepted(struct conns *c, int fd, struct conns_events *ev)
{
	struct conn k = {.fd = fd, .local_len = sizeof k.local};
	if (getsockname(fd, (struct sockaddr *)&k.local, &k.local_len) < 0)
		return;
	if (c->max && c->n >= c->max) {
		if (cut(&k))
			ev->refused++;
		return;
	}
	forget(c, fd); /* a number reused before its close was seen */
	if (c->n < CONNS_TABLE_MAX)
		c->items[c->n++] = k;
}

void conns_serve(struct conns *c, struct conns_events *ev)
{
	memset(ev, 0, sizeof *ev);
	for (int i = 0; i < 256; i++) {
		zmq_msg_t head, addr;
		zmq_msg_init(&head);
		if (zmq_msg_recv(&head, c->mon, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&head);
			return;
		}
		/* Two frames: event (uint16) and value (uint32), then the
		 * endpoint. */
		uint16_t event = 0;
		uint32_t value = 0;
		if (zmq_msg_size(&head) >= 6) {
			memcpy(&event, zmq_msg_data(&head), 2);
			memcpy(&value, (const char *)zmq_msg_data(&head) + 2, 4);
		}
		int more = zmq_msg_more(&head);
		zmq_msg_close(&head);
		while (more) {
			zmq_msg_init(&addr);
			if (zmq_msg_recv(&addr, c->mon, 0) < 0) {
				zmq_msg_close(&addr);
				return;
			}
			more = zmq_msg_more(&addr);
			zmq_msg_close(&addr);
		}
		if (event == ZMQ_EVENT_ACCEPTED) {
			ev->accepted++;
			accepted(c, (int)value, ev);
		} else if (event == ZMQ_EVENT_DISCONNECTED || event == ZMQ_EVENT_CLOSED) {
			if (event == ZMQ_EVENT_DISCONNECTED)
				ev->disconnected++;
			forget(c, (int)value);
		}
	}
}

void conns_mark(struct conns *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (bytes_received(c->items[i].fd, &c->items[i].marked) < 0)
			c->items[i].marked = UINT64_MAX;
}

size_t conns_cut_changed(struct conns *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++) {
		uint64_t now;
		if (bytes_received(c->items[i].fd, &now) < 0 || now != c->items[i].marked)
			n += (size_t)cut(&c->items[i]);
	}
	return n;
}

size_t conns_cut_over(struct conns *c, uint64_t budget)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++) {
		uint64_t now;
		if (bytes_received(c->items[i].fd, &now) == 0 && now > budget)
			n += (size_t)cut(&c->items[i]);
	}
	return n;
}

/* The peer advertises no room while bytes wait for it: 1; 0 if not, or
 * not known (ipc, an older kernel). */
static int stalled(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    len < offsetof(struct tcp_info, tcpi_snd_wnd) + sizeof ti.tcpi_snd_wnd)
		return 0;
	return ti.tcpi_snd_wnd == 0 && ti.tcpi_notsent_bytes > 0;
}

size_t conns_cut_stalled(struct conns *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		if (stalled(c->items[i].fd))
			n += (size_t)cut(&c->items[i]);
	return n;
}
