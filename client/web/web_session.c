/*
 * web_session.c - ffc-web's sessions and their tokens (see web_session.h).
 *
 * Owns the table and the tokens. The cookie that carries a token and the
 * check of a change's CSRF token are the server's (web_server.c).
 */
#include "web_session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void sessions_init(struct web_sessions *ss, int64_t lifetime_ms, int64_t idle_ms)
{
	memset(ss, 0, sizeof *ss);
	ss->lifetime_ms = lifetime_ms;
	ss->idle_ms = idle_ms;
}

void web_token_new(char out[WEB_TOKEN_LEN + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, WEB_TOKEN_LEN + 1, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

int web_token_valid(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (n >= WEB_TOKEN_LEN ||
		    !((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
		      (s[n] >= '0' && s[n] <= '9') || s[n] == '-' || s[n] == '_'))
			return 0;
	return n == WEB_TOKEN_LEN;
}

int web_token_same(const char *a, const char *b)
{
	return web_token_valid(a) && web_token_valid(b) && sodium_memcmp(a, b, WEB_TOKEN_LEN) == 0;
}

int64_t sessions_expires_ms(const struct web_sessions *ss, const struct web_session *s)
{
	int64_t absolute = s->created_ms + ss->lifetime_ms, idle = s->seen_ms + ss->idle_ms;
	return absolute < idle ? absolute : idle;
}

static void end(struct web_session *s)
{
	sodium_memzero(s, sizeof *s);
}

const struct web_session *sessions_begin(struct web_sessions *ss, const char *name,
                                         enum web_role role, int64_t now_ms)
{
	struct web_session *slot = NULL;
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		struct web_session *s = &ss->s[i];
		if (s->token[0] && sessions_expires_ms(ss, s) <= now_ms)
			end(s);
		if (!s->token[0]) {
			slot = s;
			break;
		}
		if (!slot || s->seen_ms < slot->seen_ms)
			slot = s;
	}
	end(slot);
	web_token_new(slot->token);
	web_token_new(slot->csrf);
	snprintf(slot->name, sizeof slot->name, "%s", name);
	slot->role = role;
	slot->created_ms = slot->seen_ms = now_ms;
	return slot;
}

struct web_session *sessions_find(struct web_sessions *ss, const char *token, int64_t now_ms,
                                  int touch)
{
	if (!token || !web_token_valid(token))
		return NULL;
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		struct web_session *s = &ss->s[i];
		if (!s->token[0] || !web_token_same(s->token, token))
			continue;
		if (sessions_expires_ms(ss, s) <= now_ms) {
			end(s);
			return NULL;
		}
		if (touch)
			s->seen_ms = now_ms;
		return s;
	}
	return NULL;
}

void sessions_end(struct web_sessions *ss, const char *token)
{
	for (size_t i = 0; token && i < SESSIONS_MAX; i++)
		if (ss->s[i].token[0] && web_token_same(ss->s[i].token, token))
			end(&ss->s[i]);
}

size_t sessions_end_named(struct web_sessions *ss, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < SESSIONS_MAX; i++)
		if (ss->s[i].token[0] && !strcmp(ss->s[i].name, name)) {
			end(&ss->s[i]);
			n++;
		}
	return n;
}
