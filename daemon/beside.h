/*
 * beside.h - work run beside the poll loop, each piece in a thread of its
 * own, so that nothing slow holds up receipts, alerts and heartbeats: a
 * copy of the store (backup), a configuration file loaded in its loader
 * process (reload, rules test), the whole stored history judged with
 * candidate rules (rules test).
 *
 * The loop starts a job with beside_start(), polls beside_fd() with its
 * sockets, and when it is readable takes each finished job back with
 * beside_take() and finishes it in the loop (a reply, rules put in
 * force). A job's run() touches only what it owns and the store through
 * read transactions of its own (store.h); it never sends, publishes or
 * writes to the store. Signals are blocked in the jobs' threads: they are
 * the loop's. Jobs run at the lowest CPU and I/O priority: they are
 * background work, and the loop's commits come first.
 */
#ifndef FFC_BESIDE_H
#define FFC_BESIDE_H

#include <stddef.h>

/* Jobs running at once, at most: a further one is refused (busy). */
#define BESIDE_MAX 4

struct beside;

/* NULL with a message in err when the notification pipe cannot be made. */
struct beside *beside_new(char *err, size_t errlen);

/* Wait for every job still running, then free everything, set *b to NULL.
 * Jobs finished and not taken are forgotten: take them first. Safe with
 * *b NULL and twice. */
void beside_destroy(struct beside **b);

/* Readable (POLLIN) when a job has finished and can be taken. */
int beside_fd(const struct beside *b);

/* Run run(arg) in a thread of its own. 0, or -1 when BESIDE_MAX jobs are
 * running already (errno EBUSY) or no thread can be started (errno as
 * pthread_create says); then nothing runs and arg is still the
 * caller's. */
int beside_start(struct beside *b, void (*run)(void *arg), void *arg);

/* The arg of a job that has finished (its thread joined), or NULL when
 * none has. Each finished job is taken once: when beside_fd() is
 * readable, take until NULL. */
void *beside_take(struct beside *b);

/* Jobs started and not yet taken. */
size_t beside_pending(struct beside *b);

/* Block until every job started has finished (they are then taken with
 * beside_take()). For stopping: the store must not close under a job. */
void beside_wait(struct beside *b);

#endif
