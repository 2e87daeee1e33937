/*
 * heartbeat.c - when the alerts socket's heartbeat is due, and its message
 * (see heartbeat.h).
 *
 * Owns the heartbeat's timing and what it says; its encoding is
 * wire_alert.c's. Does not own the socket (server.c) or reading the
 * latest seq from the store (tick.c).
 */
#include "heartbeat.h"

#include "wire.h"

void heartbeat_init(struct heartbeat *hb, int64_t started_at_ms, int64_t interval_ms)
{
	hb->interval_ms = interval_ms > 0 ? interval_ms : HEARTBEAT_INTERVAL_MS;
	hb->started_at_ms = started_at_ms;
	hb->last_ms = 0;
}

int heartbeat_due(const struct heartbeat *hb, int64_t now_ms)
{
	if (hb->last_ms == 0 || now_ms < hb->last_ms)
		return 1;
	return now_ms - hb->last_ms >= hb->interval_ms;
}

int heartbeat_wait_ms(const struct heartbeat *hb, int64_t now_ms)
{
	if (heartbeat_due(hb, now_ms))
		return 0;
	return (int)(hb->interval_ms - (now_ms - hb->last_ms));
}

void heartbeat_sent(struct heartbeat *hb, int64_t now_ms)
{
	hb->last_ms = now_ms;
}

int heartbeat_pack(const struct heartbeat *hb, uint64_t last_seq, int64_t now_ms, uint8_t **out,
                   size_t *len)
{
	return wire_heartbeat_pack(last_seq, now_ms, hb->started_at_ms, (uint32_t)hb->interval_ms,
	                           out, len);
}
