/*
 * cert.c - CURVE certificates in ZeroMQ's (czmq zcert) text form: parse,
 * load with a check of the secret file's mode, generate a key pair.
 *
 * Shared by libffc (the tools' --key and keygen) and ffcd (its own secret
 * key and the public keys its configuration lists). Owns the file format
 * only; what a key may do is decided by ffcd's access list.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "ffc/cert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define LINE_MAX_LEN 256

static int fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

int ffc_key_valid(const char *s)
{
	uint8_t bin[32];
	if (!s || strlen(s) != FFC_KEY_Z85_LEN)
		return 0;
	int ok = zmq_z85_decode(bin, s) != NULL;
	explicit_bzero(bin, sizeof bin);
	return ok;
}

int ffc_key_decode(const char *s, unsigned char key[32])
{
	if (!s || strlen(s) != FFC_KEY_Z85_LEN || !zmq_z85_decode(key, s))
		return -1;
	return 0;
}

/* `key = "value"` (or unquoted) into key and value; -1 when malformed. */
static int setting(const char *line, char *key, size_t klen, char *value, size_t vlen)
{
	size_t k = 0;
	while (*line && *line != '=' && *line != ' ' && *line != '\t') {
		if (k + 1 >= klen)
			return -1;
		key[k++] = *line++;
	}
	key[k] = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	if (!k || *line++ != '=')
		return -1;
	while (*line == ' ' || *line == '\t')
		line++;
	char quote = (*line == '"' || *line == '\'') ? *line++ : '\0';
	size_t v = 0;
	while (*line &&
	       (quote ? *line != quote : (*line != ' ' && *line != '\t' && *line != '#'))) {
		if (v + 1 >= vlen)
			return -1;
		value[v++] = *line++;
	}
	value[v] = '\0';
	if (quote && *line != quote)
		return -1;
	return 0;
}

int ffc_cert_parse(const char *text, size_t len, struct ffc_cert *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (len > FFC_CERT_FILE_MAX)
		return fail(err, errlen, "longer than a certificate can be");
	char section[16] = "";
	char line[LINE_MAX_LEN];
	size_t at = 0;
	int lineno = 0;
	while (at < len) {
		lineno++;
		size_t n = 0;
		while (at < len && text[at] != '\n') {
			if (text[at] == '\0' || n + 1 >= sizeof line) {
				snprintf(err, errlen, "line %d: %s", lineno,
				         text[at] ? "too long" : "contains a NUL byte");
				goto bad;
			}
			line[n++] = text[at++];
		}
		at++; /* the newline */
		if (n && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		if (p == line) {
			/* A section name at column 0. */
			if (!strcmp(p, "metadata") || !strcmp(p, "curve")) {
				memcpy(section, p, strlen(p) + 1); /* one of the two above */
				continue;
			}
			snprintf(err, errlen, "line %d: unknown section (metadata or curve)",
			         lineno);
			goto bad;
		}
		char key[32], value[FFC_CERT_NAME_MAX + 8];
		if (setting(p, key, sizeof key, value, sizeof value) < 0) {
			/* It may hold the start of a secret-key too long to fit. */
			explicit_bzero(value, sizeof value);
			snprintf(err, errlen, "line %d: expected name = \"value\"", lineno);
			goto bad;
		}
		if (!strcmp(section, "curve") && !strcmp(key, "public-key")) {
			if (!ffc_key_valid(value)) {
				snprintf(err, errlen,
				         "line %d: public-key: not 40 characters of Z85", lineno);
				goto bad;
			}
			memcpy(out->public_key, value, FFC_KEY_Z85_LEN + 1);
		} else if (!strcmp(section, "curve") && !strcmp(key, "secret-key")) {
			if (!ffc_key_valid(value)) {
				/* Never echo any of a secret. */
				snprintf(err, errlen,
				         "line %d: secret-key: not 40 characters of Z85", lineno);
				explicit_bzero(value, sizeof value);
				goto bad;
			}
			memcpy(out->secret_key, value, FFC_KEY_Z85_LEN + 1);
		} else if (!strcmp(section, "metadata") && !strcmp(key, "name")) {
			if (strlen(value) >= sizeof out->name) {
				snprintf(err, errlen, "line %d: name: too long", lineno);
				goto bad;
			}
			memcpy(out->name, value, strlen(value) + 1);
		}
		/* Other metadata (czmq writes e.g. created-by) is allowed. */
		explicit_bzero(value, sizeof value);
	}
	explicit_bzero(line, sizeof line);
	if (!out->public_key[0]) {
		explicit_bzero(out, sizeof *out);
		return fail(err, errlen, "no curve public-key");
	}
	if (out->secret_key[0]) {
		char z85[FFC_KEY_Z85_LEN + 1];
		int ok =
		    zmq_curve_public(z85, out->secret_key) == 0 && !strcmp(z85, out->public_key);
		if (!ok) {
			explicit_bzero(out, sizeof *out);
			return fail(err, errlen, "secret-key does not belong to public-key");
		}
	}
	return 0;
bad:
	explicit_bzero(line, sizeof line);
	explicit_bzero(out, sizeof *out);
	return -1;
}

int ffc_cert_load(const char *path, struct ffc_cert *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	char msg[200];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > FFC_CERT_FILE_MAX) {
		snprintf(err, errlen, "%s: not a certificate file", path);
		close(fd);
		return -1;
	}
	static char buf[FFC_CERT_FILE_MAX + 1];
	size_t got = 0;
	ssize_t k;
	while (got < sizeof buf && (k = read(fd, buf + got, sizeof buf - got)) > 0)
		got += (size_t)k;
	close(fd);
	int rc = ffc_cert_parse(buf, got, out, msg, sizeof msg);
	explicit_bzero(buf, got);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, msg);
		return -1;
	}
	if (out->secret_key[0] && (st.st_mode & 077)) {
		explicit_bzero(out, sizeof *out);
		snprintf(err, errlen,
		         "%s: holds a secret key but is readable or writable by group or "
		         "others (chmod 600 %s)",
		         path, path);
		return -1;
	}
	return 0;
}

static int valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= FFC_CERT_NAME_MAX || name[0] == '.')
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

/* Write a certificate file, which must not exist yet. */
static int write_cert(const char *path, mode_t mode, const char *name, const char *public_key,
                      const char *secret_key, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* The mode asked for, whatever the umask. */
	int rc = fchmod(fd, mode);
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", gmtime_r(&now, &tm));
	char text[1024];
	int n = snprintf(text, sizeof text,
	                 "#   ****  Generated on %s UTC by ffc  ****\n"
	                 "#   ZeroMQ CURVE %s Certificate\n"
	                 "#   %s\n"
	                 "\n"
	                 "metadata\n"
	                 "    name = \"%s\"\n"
	                 "curve\n"
	                 "    public-key = \"%s\"\n"
	                 "%s%s%s",
	                 when, secret_key ? "**Secret**" : "Public",
	                 secret_key ? "DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its "
	                              "permissions."
	                            : "Exchange securely, or use a secure mechanism to verify "
	                              "the contents of this file after exchange.",
	                 name, public_key, secret_key ? "    secret-key = \"" : "",
	                 secret_key ? secret_key : "", secret_key ? "\"\n" : "");
	if (rc == 0 && (n < 0 || (size_t)n >= sizeof text || write(fd, text, (size_t)n) != n))
		rc = -1;
	explicit_bzero(text, sizeof text);
	if (close(fd) < 0)
		rc = -1;
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		unlink(path);
	}
	return rc;
}

int ffc_cert_generate(const char *dir, const char *name, char *public_key, char *err, size_t errlen)
{
	if (!dir || !name || !valid_name(name))
		return fail(err, errlen,
		            "a key name is 1 to 63 letters, digits, '.', '_' or '-', not "
		            "starting with '.'");
	char pub[FFC_KEY_Z85_LEN + 1], sec[FFC_KEY_Z85_LEN + 1];
	if (zmq_curve_keypair(pub, sec) < 0)
		return fail(err, errlen,
		            "this libzmq cannot make CURVE keys (built without libsodium)");
	char pub_path[4096], sec_path[4096];
	if ((size_t)snprintf(pub_path, sizeof pub_path, "%s/%s.key", dir, name) >=
	        sizeof pub_path ||
	    (size_t)snprintf(sec_path, sizeof sec_path, "%s/%s.key_secret", dir, name) >=
	        sizeof sec_path) {
		explicit_bzero(sec, sizeof sec);
		return fail(err, errlen, "directory path too long");
	}
	/* The secret first: if it cannot be written, no public key is given
	 * out for a pair nobody holds. */
	int rc = write_cert(sec_path, 0600, name, pub, sec, err, errlen);
	explicit_bzero(sec, sizeof sec);
	if (rc < 0)
		return -1;
	if (write_cert(pub_path, 0644, name, pub, NULL, err, errlen) < 0) {
		unlink(sec_path);
		return -1;
	}
	if (public_key)
		memcpy(public_key, pub, sizeof pub);
	return 0;
}
