/*
 * heartbeat.c - when the alerts socket's heartbeat is due, and its message
 * (see heartbeat.h).
 *
 * Owns the heartbeat's timing and packing. Like control.c's replies, the
 * message exists only for one socket, so it is built here from the
 * generated protobuf-c type rather than through wire.c. Does not own the
 * socket (server.c) or reading the latest seq from the store (tick.c).
 */
#include "heartbeat.h"

#include <stdlib.h>

#include "ffc.pb-c.h"

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
	Ffc__V1__Heartbeat m = FFC__V1__HEARTBEAT__INIT;
	m.last_seq = last_seq;
	m.at_ms = now_ms;
	m.started_at_ms = hb->started_at_ms;
	m.interval_ms = (uint32_t)hb->interval_ms;
	*len = ffc__v1__heartbeat__get_packed_size(&m);
	*out = malloc(*len ? *len : 1);
	if (!*out)
		return -1;
	ffc__v1__heartbeat__pack(&m, *out);
	return 0;
}
