/*
 * console.h - what a console key may receive on the alerts socket: its
 * subscriptions narrowed to the levels it is given.
 *
 * A PUB socket cannot deny a subscriber, so the alerts socket is an XPUB
 * in manual mode: alerts_socket.c reads each (un)subscription, asks
 * console_topics() what it becomes for the subscriber's levels, and
 * subscribes that pipe to those prefixes only. Pure: no sockets.
 */
#ifndef FFC_CONSOLE_H
#define FFC_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "outbox.h"

/* The most prefixes one subscription becomes. */
#define CONSOLE_TOPICS_MAX 24
/* The longest subscription a console may send: no topic is longer than
 * OUTBOX_TOPIC_MAX, so a longer prefix could never match. The alerts
 * socket's ZMQ_MAXMSGSIZE (CONSOLE_FRAME_MAX) makes libzmq cut a peer
 * sending a larger frame before it is ever read; it also bounds the
 * handshake's frames, and a CURVE INITIATE with its metadata is a few
 * hundred bytes, so the limit leaves room for it. */
#define CONSOLE_SUB_MAX   (OUTBOX_TOPIC_MAX - 1)
#define CONSOLE_FRAME_MAX 1024
/* The most subscriptions one console connection may hold: ffc-watch needs
 * a handful; the rest are ignored, so a console cannot grow the daemon's
 * subscription tree without bound. */
#define CONSOLE_SUBS_MAX 64

/* The prefixes a subscription to sub[0..len) becomes for a console that may
 * receive the levels in `levels` (bit 1u << level): for each topic family
 * ("alert.<level>.", "overdue.<level>.", "event.<action>.<level>.") and
 * each allowed level, the family's prefix when sub is a prefix of it, or
 * sub itself when it is already inside an allowed one; "heartbeat" always
 * (it carries a seq, no child), and "event.access" always (a lookup of a
 * known child, for every console). A subscription to "alert." from a
 * RED-only console becomes "alert.red.". Returns how many were written to
 * out (0: nothing this console may see), at most max; prefixes past max
 * are dropped. sub is the subscription's bytes as received (not
 * terminated, may hold anything), only read. Cannot fail. */
size_t console_topics(const char *sub, size_t len, unsigned levels, char out[][OUTBOX_TOPIC_MAX],
                      size_t max);

/* What a key may receive besides the heartbeat (access.h): a console its
 * levels' alerts, reminders and events and, with `notices`, the
 * front-door notices and the reminders and acknowledgements of every
 * notice ("notice.front-door", "notice.reminder.", "notice.ack."); a
 * school key its own school's notices ("notice.school.<urn>"); an
 * adapter key its agency's feedback ("feedback.<agency>"). */
struct console_grant {
	unsigned levels;
	int notices;
	const char *urn; /* NULL or "": none */
	int agency;      /* 0: none */
};

/* console_topics() for a grant: the prefixes sub becomes for what g may
 * receive, at most max. Pure; cannot fail. */
size_t console_grant_topics(const char *sub, size_t len, const struct console_grant *g,
                            char out[][OUTBOX_TOPIC_MAX], size_t max);

/* What one message read from the alerts socket is. */
enum console_verdict {
	CONSOLE_SUBSCRIBE = 0,
	CONSOLE_UNSUBSCRIBE,
	CONSOLE_DATA,     /* not a subscription: consoles may send nothing else */
	CONSOLE_TOO_LONG, /* a subscription longer than CONSOLE_SUB_MAX */
	CONSOLE_TOO_MANY, /* a subscription past CONSOLE_SUBS_MAX held */
};

/* What a subscription becomes: the prefixes to (un)subscribe the
 * console's connection to. */
struct console_sub {
	size_t n;
	char topics[CONSOLE_TOPICS_MAX][OUTBOX_TOPIC_MAX];
};

/* Decide what the message msg[0..len) read from the alerts socket is and,
 * for a subscription or unsubscription, the prefixes it becomes (out).
 * `more`: the frame is part of a multipart message (never a
 * subscription). `restricted`: the console authenticated with a key
 * whose levels are `levels` (console_topics); otherwise the prefix is
 * taken as it is (a NUL in it matches no topic: nothing). `held`: the subscriptions this connection
 * holds now (an unsubscription is always allowed, so a console can make room). Pure: the caller
 * applies the verdict to the socket and keeps the count. */
enum console_verdict console_parse(const uint8_t *msg, size_t len, int more, int restricted,
                                   unsigned levels, size_t held, struct console_sub *out);

/* console_parse() for a key's whole grant (console_grant_topics()). */
enum console_verdict console_parse_grant(const uint8_t *msg, size_t len, int more, int restricted,
                                         const struct console_grant *g, size_t held,
                                         struct console_sub *out);

/* A short name for a verdict, for logs and stats ("data", ...). */
const char *console_verdict_name(enum console_verdict v);

#endif
