/*
 * conns.h - the connections libzmq accepted on one of the daemon's
 * sockets, learnt from that socket's monitor, so the server can bound
 * them and cut one.
 *
 * libzmq gives no handle on a peer's connection: a ROUTER knows a
 * routing id, an XPUB nothing at all. Its socket monitor does tell the
 * file descriptor of each connection accepted and disconnected; this
 * module keeps that table and acts on the descriptors: refuses a
 * connection past a cap, and cuts connections (shutdown(2), after which
 * libzmq closes its side and a well-behaved peer reconnects). Owns the
 * monitor's PAIR socket; does not own the socket it watches.
 */
#ifndef FFC_CONNS_H
#define FFC_CONNS_H

#include <stddef.h>
#include <stdint.h>

struct conns;

/* Monitor `sock` (on context ctx), naming it `name` in the inproc address
 * ("alerts"). Connections past `max` (0: no cap) are cut as they are
 * accepted. NULL with the reason in err. */
struct conns *conns_new(void *ctx, void *sock, const char *name, size_t max, char *err,
                        size_t errlen);
void conns_destroy(struct conns **p);

/* The monitor socket, for zmq_poll. */
void *conns_socket(struct conns *c);

/* What conns_serve() saw. */
struct conns_events {
	size_t accepted, disconnected, refused; /* refused: past the cap, cut */
};

/* Read the events waiting. */
void conns_serve(struct conns *c, struct conns_events *ev);

/* How many peers are connected now, as the monitor's events said.
 * Cannot fail. */
size_t conns_count(const struct conns *c);

/* Remember how many bytes each connection has received so far. */
void conns_mark(struct conns *c);

/* Cut every connection that received bytes since conns_mark() (or whose
 * count cannot be read, as on ipc://). Returns how many were cut. */
size_t conns_cut_changed(struct conns *c);

/* Cut every TCP connection that has received more than `budget` bytes
 * since it was accepted. Returns how many were cut. */
size_t conns_cut_over(struct conns *c, uint64_t budget);

/* Cut every TCP connection whose peer has stopped reading: it advertises
 * no room (a zero receive window) while bytes wait to go to it. Returns
 * how many were cut. */
size_t conns_cut_stalled(struct conns *c);

#endif
