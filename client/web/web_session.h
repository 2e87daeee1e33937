/*
 * web_session.h - who is signed in to ffc-web: sessions, each known by a
 * random token (the browser's cookie) and holding its own random CSRF
 * token, which every change must send back. A session ends when the
 * person signs out, after `lifetime_ms` whatever happens, after `idle_ms`
 * without a request the person made (a live alert stream does not keep it
 * open), or when its account is removed.
 *
 * Pure but for the random tokens (libsodium): a fixed table, the clock
 * passed in, no locking (the caller holds its lock). A full table ends
 * the session seen least recently.
 */
#ifndef FFC_WEB_SESSION_H
#define FFC_WEB_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "web_accounts.h"

#define SESSIONS_MAX  1024
#define WEB_TOKEN_LEN 43 /* 32 random bytes, base64url without padding */

struct web_session {
	char token[WEB_TOKEN_LEN + 1]; /* "" : a free slot */
	char csrf[WEB_TOKEN_LEN + 1];
	char name[WEB_NAME_MAX];
	enum web_role role;
	int64_t created_ms, seen_ms;
};

struct web_sessions {
	int64_t lifetime_ms, idle_ms;
	struct web_session s[SESSIONS_MAX];
};

void sessions_init(struct web_sessions *ss, int64_t lifetime_ms, int64_t idle_ms);

/* A new session for name with role, with fresh tokens; borrowed from ss
 * until the next call. Call sodium_init() first. */
const struct web_session *sessions_begin(struct web_sessions *ss, const char *name,
                                         enum web_role role, int64_t now_ms);

/* The live session whose token is token, or NULL; one that has expired is
 * ended. touch: a request the person made, which keeps it from idling
 * out. Borrowed from ss. */
struct web_session *sessions_find(struct web_sessions *ss, const char *token, int64_t now_ms,
                                  int touch);

/* When the session expires if nothing else happens. */
int64_t sessions_expires_ms(const struct web_sessions *ss, const struct web_session *s);

/* End the session holding token (nothing when there is none). */
void sessions_end(struct web_sessions *ss, const char *token);

/* End every session of name; how many there were. */
size_t sessions_end_named(struct web_sessions *ss, const char *name);

/* A fresh random token. */
void web_token_new(char out[WEB_TOKEN_LEN + 1]);
/* 1 when s has a token's form (43 characters of base64url). */
int web_token_valid(const char *s);
/* 1 when a and b are the same token, in time that does not depend on
 * where they differ; 0 for anything that is not a token. */
int web_token_same(const char *a, const char *b);

#endif
