/*
 * clock.h - the two clocks the daemon reads: the wall clock, for times
 * stored, shown and sent (milliseconds since the epoch), and the monotonic
 * clock, for durations and deadlines, which a wall clock set back or
 * forward would break.
 */
#ifndef FFC_CLOCK_H
#define FFC_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t clock_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int64_t clock_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int64_t clock_mono_ms(void)
{
	return clock_mono_ns() / 1000000;
}

#endif
