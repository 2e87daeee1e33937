/*
 * console.h - what a console key may receive on the alerts socket: its
 * subscriptions narrowed to the levels it is given.
 *
 * A PUB socket cannot deny a subscriber, so the alerts socket is an XPUB
 * in manual mode: server.c reads each (un)subscription, asks
 * console_topics() what it becomes for the subscriber's levels, and
 * subscribes that pipe to those prefixes only. Pure: no sockets.
 */
#ifndef FFC_CONSOLE_H
#define FFC_CONSOLE_H

#include <stddef.h>

#include "outbox.h"

/* The most prefixes one subscription becomes. */
#define CONSOLE_TOPICS_MAX 24

/* The prefixes a subscription to sub[0..len) becomes for a console that may
 * receive the levels in `levels` (bit 1u << level): for each topic family
 * ("alert.<level>.", "overdue.<level>.", "event.<action>.<level>.") and
 * each allowed level, the family's prefix when sub is a prefix of it, or
 * sub itself when it is already inside an allowed one; "heartbeat" always
 * (it carries a seq, no child). A subscription to "alert." from a
 * RED-only console becomes "alert.red.". Returns how many were written to
 * out (0: nothing this console may see), at most max; prefixes past max
 * are dropped. sub is the subscription's bytes as received (not
 * terminated, may hold anything), only read. Cannot fail. */
size_t console_topics(const char *sub, size_t len, unsigned levels, char out[][OUTBOX_TOPIC_MAX],
                      size_t max);

#endif
