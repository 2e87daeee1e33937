/*
 * web_accounts.h - ffc-web's accounts: the people who may sign in to the
 * console, each with a name, a role (viewer, practitioner or admin) and a
 * password hashed with Argon2id (libsodium's crypto_pwhash_str).
 *
 * The file is text, one account a line, `NAME:ROLE:HASH`, with blank
 * lines and lines starting with '#' left alone:
 *
 *     # ffc-web accounts (ffc-web passwd NAME --role ROLE)
 *     sam.jones:practitioner:$argon2id$v=19$m=65536,t=2,p=1$...$...
 *
 * It is read whole and checked whole: any bad line refuses the file, with
 * "FILE:LINE: what is wrong". It must be a regular file of its owner's
 * only (mode 0600 or stricter), owned by the user reading it. `ffc-web
 * passwd` writes it (a new file, then rename: never half written).
 *
 * Parsing and formatting are pure (web_accounts_parse, _format); loading
 * and saving are the only file I/O. The list owns its memory.
 */
#ifndef FFC_WEB_ACCOUNTS_H
#define FFC_WEB_ACCOUNTS_H

#include <stddef.h>

#define WEB_NAME_MAX      64   /* with the NUL: 1 to 63 of letters, digits and . _ - @ */
#define WEB_HASH_MAX      128  /* crypto_pwhash_STRBYTES, with the NUL */
#define WEB_ACCOUNTS_MAX  1000 /* accounts in one file */
#define WEB_LINE_MAX      512  /* bytes in one line, without the newline */
#define WEB_PASSWORD_MIN  10   /* bytes */
#define WEB_PASSWORD_MAX  256
#define WEB_ACCOUNTS_SIZE ((size_t)WEB_ACCOUNTS_MAX * (WEB_LINE_MAX + 1) + 65536)

/* The roles a person may have, as ffcd names them (ControlRequest
 * on_behalf_role). Ordered: a higher one may do all a lower one may. */
enum web_role { WEB_VIEWER = 1, WEB_PRACTITIONER = 2, WEB_ADMIN = 3 };

struct web_account {
	char name[WEB_NAME_MAX];
	enum web_role role;
	char hash[WEB_HASH_MAX]; /* "$argon2id$v=19$m=...,t=...,p=...$salt$hash" */
};

struct web_accounts {
	size_t n;
	struct web_account *v; /* malloc'd, n of them */
};

/* "viewer", "practitioner", "admin" ("?" for anything else). */
const char *web_role_name(enum web_role r);
/* The role named (exactly, lower case), or 0. */
enum web_role web_role_parse(const char *s);
/* 1 when s is a valid account name (as ffcd takes on_behalf_of). */
int web_name_valid(const char *s);

/* Parse the text of an accounts file (len bytes; it need not end in a
 * NUL) into *out, replacing nothing on failure. path only names the file
 * in messages. 0, or -1 with "path:line: what is wrong" in err. */
int web_accounts_parse(const char *text, size_t len, const char *path, struct web_accounts *out,
                       char *err, size_t errlen);

/* The file's text for a (one line each, after a comment saying what the
 * file is), malloc'd; NULL when out of memory. */
char *web_accounts_format(const struct web_accounts *a);

/* Read and parse path: a regular file, owned by this user, of mode 0600
 * or stricter, at most WEB_ACCOUNTS_SIZE bytes. 0, or -1 with the reason
 * in err. missing_ok: a file that does not exist is an empty list. */
int web_accounts_load(const char *path, int missing_ok, struct web_accounts *out, char *err,
                      size_t errlen);

/* Write a to path: a new file of mode 0600 beside it, synced, renamed
 * over it. 0, or -1 with the reason in err. */
int web_accounts_save(const char *path, const struct web_accounts *a, char *err, size_t errlen);

/* The account named, or NULL (borrowed from a). */
const struct web_account *web_accounts_find(const struct web_accounts *a, const char *name);

/* Add the account or replace its role and hash. 0, or -1 when the list is
 * full or out of memory. */
int web_accounts_set(struct web_accounts *a, const char *name, enum web_role role,
                     const char *hash);

/* Remove the account named. 0, or -1 when there is none. */
int web_accounts_remove(struct web_accounts *a, const char *name);

/* Free the list and empty it; safe twice. */
void web_accounts_free(struct web_accounts *a);

/* A password's Argon2id hash (crypto_pwhash_str, interactive limits) into
 * hash. 0, or -1 when out of memory. Call sodium_init() first. */
int web_password_hash(const char *password, char hash[WEB_HASH_MAX]);
/* 1 when password matches hash, else 0 (also for a malformed hash). */
int web_password_verify(const char *hash, const char *password);
/* Why a new password is not acceptable, or NULL when it is. */
const char *web_password_problem(const char *password);

#endif
