/*
 * beside.c - threads for the work that runs beside the poll loop (see
 * beside.h).
 *
 * Owns the threads, their slots and the pipe that wakes the loop. Does not
 * know what any job does: that is its starter's (control_keep.c,
 * control_rules.c, server.c).
 */
#define _GNU_SOURCE /* pipe2 */
#include "beside.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

enum slot_state { SLOT_FREE, SLOT_RUNNING, SLOT_FINISHED };

struct slot {
	struct beside *owner;
	pthread_t thread;
	void (*run)(void *arg);
	void *arg;
	enum slot_state state; /* under owner->lock */
};

struct beside {
	pthread_mutex_t lock;
	pthread_cond_t finished;
	int pipe[2]; /* a byte per finished job, read by the loop */
	struct slot slots[BESIDE_MAX];
};

struct beside *beside_new(char *err, size_t errlen)
{
	struct beside *b = calloc(1, sizeof *b);
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (pipe2(b->pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		snprintf(err, errlen, "beside the loop: pipe: %s", strerror(errno));
		free(b);
		return NULL;
	}
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->finished, NULL);
	for (size_t i = 0; i < BESIDE_MAX; i++)
		b->slots[i].owner = b;
	return b;
}

int beside_fd(const struct beside *b)
{
	return b->pipe[0];
}

/* Linux's I/O priorities (ioprio_set(2)); the C library has no names for
 * them. */
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_IDLE  3
#define IOPRIO_CLASS_SHIFT 13

/* A job is background work: the loop's receipts, alerts and heartbeats go
 * first, for the CPU and for the disk. A copy of the store would
 * otherwise compete with every commit's sync. The thread's own priority
 * (Linux keeps one per thread); what it starts (LMDB's copy thread, a
 * loader process) inherits it. Best effort: a system that refuses leaves
 * the job as it was. */
static void lower_priority(void)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
	(void)setpriority(PRIO_PROCESS, (id_t)tid, 19);
	(void)syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, tid,
	              IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT);
}

static void *trampoline(void *p)
{
	struct slot *s = p;
	lower_priority();
	s->run(s->arg);
	struct beside *b = s->owner;
	pthread_mutex_lock(&b->lock);
	s->state = SLOT_FINISHED;
	pthread_cond_broadcast(&b->finished);
	pthread_mutex_unlock(&b->lock);
	/* The pipe holds far more bytes than there are slots: never full. */
	ssize_t w = write(b->pipe[1], "", 1);
	(void)w;
	return NULL;
}

int beside_start(struct beside *b, void (*run)(void *arg), void *arg)
{
	struct slot *s = NULL;
	pthread_mutex_lock(&b->lock);
	for (size_t i = 0; i < BESIDE_MAX && !s; i++)
		if (b->slots[i].state == SLOT_FREE)
			s = &b->slots[i];
	if (s)
		s->state = SLOT_RUNNING;
	pthread_mutex_unlock(&b->lock);
	if (!s) {
		errno = EBUSY;
		return -1;
	}
	s->run = run;
	s->arg = arg;
	/* The thread starts with every signal blocked: they are the loop's
	 * (signals.c), and a handler running on a job's thread would wake
	 * nobody. */
	sigset_t all, was;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &was);
	int rc = pthread_create(&s->thread, NULL, trampoline, s);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	if (rc != 0) {
		pthread_mutex_lock(&b->lock);
		s->state = SLOT_FREE;
		pthread_mutex_unlock(&b->lock);
		errno = rc;
		return -1;
	}
	return 0;
}

void *beside_take(struct beside *b)
{
	char drain[64];
	while (read(b->pipe[0], drain, sizeof drain) > 0)
		;
	struct slot *s = NULL;
	pthread_mutex_lock(&b->lock);
	for (size_t i = 0; i < BESIDE_MAX && !s; i++)
		if (b->slots[i].state == SLOT_FINISHED)
			s = &b->slots[i];
	pthread_mutex_unlock(&b->lock);
	if (!s)
		return NULL;
	pthread_join(s->thread, NULL);
	void *arg = s->arg;
	pthread_mutex_lock(&b->lock);
	s->state = SLOT_FREE;
	pthread_mutex_unlock(&b->lock);
	return arg;
}

size_t beside_pending(struct beside *b)
{
	size_t n = 0;
	pthread_mutex_lock(&b->lock);
	for (size_t i = 0; i < BESIDE_MAX; i++)
		n += b->slots[i].state != SLOT_FREE;
	pthread_mutex_unlock(&b->lock);
	return n;
}

void beside_wait(struct beside *b)
{
	pthread_mutex_lock(&b->lock);
	for (;;) {
		int running = 0;
		for (size_t i = 0; i < BESIDE_MAX; i++)
			running |= b->slots[i].state == SLOT_RUNNING;
		if (!running)
			break;
		pthread_cond_wait(&b->finished, &b->lock);
	}
	pthread_mutex_unlock(&b->lock);
}

void beside_destroy(struct beside **p)
{
	struct beside *b = *p;
	if (!b)
		return;
	beside_wait(b);
	for (size_t i = 0; i < BESIDE_MAX; i++)
		if (b->slots[i].state == SLOT_FINISHED)
			pthread_join(b->slots[i].thread, NULL);
	close(b->pipe[0]);
	close(b->pipe[1]);
	pthread_cond_destroy(&b->finished);
	pthread_mutex_destroy(&b->lock);
	free(b);
	*p = NULL;
}
