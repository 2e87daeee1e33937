/*
 * web_accounts.c - ffc-web's accounts file (see web_accounts.h): parsed and
 * checked whole, formatted, loaded with its mode and owner checked, saved
 * by rename; passwords hashed and verified with libsodium's Argon2id.
 *
 * Owns the file's format and the password hashing. Who is signed in is
 * web_session.c's; failed attempts are web_lockout.c's.
 */
#define _DEFAULT_SOURCE /* mkstemp, fchmod */
#include "web_accounts.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const role_names[] = {NULL, "viewer", "practitioner", "admin"};

const char *web_role_name(enum web_role r)
{
	return r >= WEB_VIEWER && r <= WEB_ADMIN ? role_names[r] : "?";
}

enum web_role web_role_parse(const char *s)
{
	for (int r = WEB_VIEWER; r <= WEB_ADMIN; r++)
		if (!strcmp(s, role_names[r]))
			return (enum web_role)r;
	return 0;
}

int web_name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= WEB_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-@", *s)))
			return 0;
	return 1;
}

/* An Argon2id hash as crypto_pwhash_str writes it, which libsodium can
 * read back. */
static int hash_valid(const char *h)
{
	size_t n = strlen(h);
	if (n >= WEB_HASH_MAX || strncmp(h, crypto_pwhash_argon2id_STRPREFIX,
	                                 strlen(crypto_pwhash_argon2id_STRPREFIX)) != 0)
		return 0;
	for (const char *p = h; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("$=,+/", *p)))
			return 0;
	/* -1: not a string libsodium can decode. */
	return crypto_pwhash_str_needs_rehash(h, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                                      crypto_pwhash_MEMLIMIT_INTERACTIVE) >= 0;
}

/* The index of name in a, or a->n. */
static size_t index_of(const struct web_accounts *a, const char *name)
{
	size_t i = 0;
	while (i < a->n && strcmp(a->v[i].name, name))
		i++;
	return i;
}

const struct web_account *web_accounts_find(const struct web_accounts *a, const char *name)
{
	size_t i = index_of(a, name);
	return i < a->n ? &a->v[i] : NULL;
}

int web_accounts_set(struct web_accounts *a, const char *name, enum web_role role, const char *hash)
{
	size_t i = index_of(a, name);
	struct web_account *k = i < a->n ? &a->v[i] : NULL;
	if (!k) {
		if (a->n >= WEB_ACCOUNTS_MAX)
			return -1;
		struct web_account *v = realloc(a->v, (a->n + 1) * sizeof *v);
		if (!v)
			return -1;
		a->v = v;
		k = &a->v[a->n++];
		memset(k, 0, sizeof *k);
		snprintf(k->name, sizeof k->name, "%s", name);
	}
	k->role = role;
	snprintf(k->hash, sizeof k->hash, "%s", hash);
	return 0;
}

int web_accounts_remove(struct web_accounts *a, const char *name)
{
	size_t i = index_of(a, name);
	if (i == a->n)
		return -1;
	memmove(&a->v[i], &a->v[i + 1], (a->n - i - 1) * sizeof a->v[0]);
	a->n--;
	return 0;
}

void web_accounts_free(struct web_accounts *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* One line, without its newline, into k. NULL, or what is wrong. */
static const char *parse_line(const char *line, struct web_account *k, char *why, size_t whylen)
{
	const char *c1 = strchr(line, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2)
		return "expected NAME:ROLE:HASH";
	size_t nlen = (size_t)(c1 - line), rlen = (size_t)(c2 - c1 - 1);
	char role[16];
	memset(k, 0, sizeof *k);
	if (nlen == 0 || nlen >= sizeof k->name)
		return "the name must be 1 to 63 characters";
	memcpy(k->name, line, nlen);
	if (!web_name_valid(k->name)) {
		snprintf(why, whylen, "the name may hold only letters, digits and . _ - @");
		return why;
	}
	if (rlen < sizeof role) {
		memcpy(role, c1 + 1, rlen);
		role[rlen] = '\0';
		k->role = web_role_parse(role);
	}
	if (!k->role) {
		snprintf(why, whylen, "'%.*s' is not a role (viewer, practitioner or admin)",
		         (int)(rlen < 32 ? rlen : 32), c1 + 1);
		return why;
	}
	if (strlen(c2 + 1) >= sizeof k->hash || !hash_valid(c2 + 1))
		return "the password hash is not an Argon2id hash (write it with ffc-web passwd)";
	snprintf(k->hash, sizeof k->hash, "%s", c2 + 1);
	return NULL;
}

int web_accounts_parse(const char *text, size_t len, const char *path, struct web_accounts *out,
                       char *err, size_t errlen)
{
	struct web_accounts a = {0};
	char line[WEB_LINE_MAX + 1], why[128];
	int lineno = 0;
	const char *problem = NULL;
	size_t at = 0;
	while (at < len && !problem) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
		lineno++;
		if (n > WEB_LINE_MAX) {
			snprintf(why, sizeof why, "a line over %d bytes", WEB_LINE_MAX);
			problem = why;
			break;
		}
		memcpy(line, text + at, n);
		line[n] = '\0';
		at += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n)) {
			problem = "a NUL byte";
			break;
		}
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		struct web_account k;
		problem = parse_line(line, &k, why, sizeof why);
		if (problem)
			break;
		if (web_accounts_find(&a, k.name)) {
			snprintf(why, sizeof why, "'%s' is listed twice", k.name);
			problem = why;
		} else if (a.n >= WEB_ACCOUNTS_MAX) {
			snprintf(why, sizeof why, "more than %d accounts", WEB_ACCOUNTS_MAX);
			problem = why;
		} else if (web_accounts_set(&a, k.name, k.role, k.hash) < 0) {
			problem = "out of memory";
		}
	}
	if (problem) {
		snprintf(err, errlen, "%s:%d: %s", path, lineno, problem);
		web_accounts_free(&a);
		return -1;
	}
	web_accounts_free(out);
	*out = a;
	return 0;
}

char *web_accounts_format(const struct web_accounts *a)
{
	static const char head[] = "# ffc-web accounts: NAME:ROLE:ARGON2ID-HASH, one a line.\n"
	                           "# Written by ffc-web passwd NAME --role ROLE; keep it 0600.\n";
	size_t cap = sizeof head + a->n * (WEB_NAME_MAX + 16 + WEB_HASH_MAX);
	char *s = malloc(cap), *p = s;
	if (!s)
		return NULL;
	p += snprintf(p, cap, "%s", head);
	for (size_t i = 0; i < a->n; i++)
		p += snprintf(p, cap - (size_t)(p - s), "%s:%s:%s\n", a->v[i].name,
		              web_role_name(a->v[i].role), a->v[i].hash);
	return s;
}

int web_accounts_load(const char *path, int missing_ok, struct web_accounts *out, char *err,
                      size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok) {
			web_accounts_free(out);
			return 0;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	char *text = NULL;
	int rc = -1;
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
	} else if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u, not by this user (uid %u)", path,
		         (unsigned)st.st_uid, (unsigned)geteuid());
	} else if (st.st_mode & 077) {
		snprintf(err, errlen,
		         "%s: mode %03o lets others read the password hashes (chmod 600 %s)", path,
		         (unsigned)(st.st_mode & 0777), path);
	} else if ((size_t)st.st_size > WEB_ACCOUNTS_SIZE) {
		snprintf(err, errlen, "%s: %lld bytes, more than an accounts file holds", path,
		         (long long)st.st_size);
	} else if (!(text = malloc((size_t)st.st_size + 1))) {
		snprintf(err, errlen, "%s: out of memory", path);
	} else {
		size_t got = 0;
		while (got < (size_t)st.st_size) {
			ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		if (got != (size_t)st.st_size)
			snprintf(err, errlen, "%s: cannot read it whole", path);
		else
			rc = web_accounts_parse(text, got, path, out, err, errlen);
	}
	if (text)
		sodium_memzero(text, (size_t)st.st_size);
	free(text);
	close(fd);
	return rc;
}

int web_accounts_save(const char *path, const struct web_accounts *a, char *err, size_t errlen)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	char *text = web_accounts_format(a);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int fd = mkstemp(tmp); /* 0600 */
	int rc = -1;
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
	} else {
		size_t len = strlen(text), done = 0;
		while (done < len) {
			ssize_t n = write(fd, text + done, len - done);
			if (n <= 0)
				break;
			done += (size_t)n;
		}
		if (done != len || fchmod(fd, 0600) < 0 || fsync(fd) < 0)
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		else if (close(fd) < 0 || (fd = -1, rename(tmp, path) < 0))
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		else
			rc = 0;
		if (fd >= 0)
			close(fd);
		if (rc < 0)
			unlink(tmp);
	}
	free(text);
	return rc;
}

int web_password_hash(const char *password, char hash[WEB_HASH_MAX])
{
	return crypto_pwhash_str(hash, password, strlen(password),
	                         crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                         crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0
	           ? 0
	           : -1;
}

int web_password_verify(const char *hash, const char *password)
{
	return hash_valid(hash) && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

const char *web_password_problem(const char *password)
{
	size_t n = strlen(password);
	if (n < WEB_PASSWORD_MIN)
		return "shorter than 10 characters";
	if (n > WEB_PASSWORD_MAX)
		return "longer than 256 bytes";
	for (const char *p = password; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "holds a control character";
	return NULL;
}
