/*
 * Fuzz target: a ZAP request as the ZAP handler receives it, through the
 * parser and the decision. Nothing here may crash, leak or read out of
 * bounds, whatever the frames, and the invariants hold: a refusal of the
 * parser says why, an allowed key is a listed one whose role fits the
 * socket.
 *
 * The input is split into frames: each frame is a 2-byte big-endian
 * length followed by that many bytes (a last frame shorter than its length
 * takes what is left). At most 12 frames are made, more than a request
 * may have, so the frame-count checks are exercised too. Each frame gets
 * its own heap buffer, so reading past one is seen.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FRAMES 12

static struct access_list *keys(void)
{
	static struct access_list l;
	if (l.n_keys == 0) {
		static const enum access_role roles[] = {ACCESS_ADAPTER, ACCESS_CONSOLE,
		                                         ACCESS_VIEWER, ACCESS_ADMIN};
		for (size_t i = 0; i < 4; i++) {
			struct access_key *k = &l.keys[l.n_keys++];
			k->name[0] = (char)('a' + i);
			k->role = roles[i];
			/* Keys the seed corpus uses: 32 bytes of 'A' + i. */
			memset(k->key, 'A' + (int)i, sizeof k->key);
		}
	}
	return &l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zap_frame f[FRAMES];
	uint8_t *bufs[FRAMES];
	size_t n = 0, at = 0;
	while (at < size && n < FRAMES) {
		size_t len = at + 1 < size ? (size_t)data[at] << 8 | data[at + 1] : 0;
		at += 2;
		if (at > size)
			at = size;
		if (len > size - at)
			len = size - at;
		bufs[n] = malloc(len ? len : 1);
		if (!bufs[n])
			break;
		memcpy(bufs[n], data + at, len);
		f[n] = (struct zap_frame){bufs[n], len};
		n++;
		at += len;
	}
	struct zap_request r;
	char err[ZAP_ERR_MAX] = "";
	if (zap_parse(f, n, &r, err, sizeof err) < 0) {
		if (!err[0])
			__builtin_trap();
	} else {
		const struct access_key *who = NULL;
		enum zap_verdict v = zap_decide(&r, keys(), &who);
		if ((v == ZAP_ALLOW) != (who != NULL))
			__builtin_trap();
		if (who && memcmp(who->key, r.key, sizeof r.key))
			__builtin_trap();
		if (v == ZAP_MALFORMED || !zap_verdict_text(v)[0])
			__builtin_trap();
	}
	if (r.request_id_len > sizeof r.request_id)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
	return 0;
}
