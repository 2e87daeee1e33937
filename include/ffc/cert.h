/*
 * cert.h - CURVE key pairs in ZeroMQ's certificate form, as czmq's zcert
 * writes them, and the keys libffc's connections use.
 *
 * A certificate is a small text file in ZPL: comment lines, a `metadata`
 * section with `name = "..."`, and a `curve` section with `public-key =
 * "..."` (40 characters of Z85) and, in the secret file only,
 * `secret-key = "..."`. A key pair NAME is two files: NAME.key (public,
 * given to whoever must accept it) and NAME.key_secret (mode 0600, kept
 * by its owner). ffcd and the tools read both with ffc_cert_load; the
 * daemon's own config refers to them by path.
 *
 * Every function returns 0, or -1 (FFC_EINVAL) with a message in err (cut
 * to errlen and terminated) naming the file, line or key at fault; out is
 * then cleared, so no secret is left in it. Strings passed in are only
 * read during the call. Secret keys are never part of a message.
 *
 * Threads: ffc_cert_load() reads through one buffer shared by the process
 * and ffc_curve_use() sets keys for the whole process; call them from one
 * thread at a time, before other threads open connections. The rest touch
 * only their arguments. After fork() the keys set are inherited.
 */
#ifndef FFC_CERT_H
#define FFC_CERT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FFC_KEY_Z85_LEN   40          /* a 32-byte key in Z85 */
#define FFC_CERT_NAME_MAX 64          /* including the terminator */
#define FFC_CERT_FILE_MAX (64 * 1024) /* a longer file is not a certificate */

struct ffc_cert {
	char name[FFC_CERT_NAME_MAX];         /* metadata name; "" when absent */
	char public_key[FFC_KEY_Z85_LEN + 1]; /* Z85 */
	char secret_key[FFC_KEY_Z85_LEN + 1]; /* Z85; "" in a public certificate */
};

/* Parse a certificate's text (not NUL-terminated; len bytes). The public
 * key is required and must decode; a secret key, when present, must
 * decode and belong to the public key. 0 with *out filled, or -1 with err
 * naming the line or key at fault. */
int ffc_cert_parse(const char *text, size_t len, struct ffc_cert *out, char *err, size_t errlen);

/* Read and parse the file at path. A file holding a secret key must not be
 * readable or writable by group or others (chmod 600). 0 with *out
 * filled, or -1 with err starting "path: " when the file cannot be opened
 * (the system's reason), is not a regular file of at most
 * FFC_CERT_FILE_MAX bytes, does not parse, or is too open. Not
 * thread-safe (see above). */
int ffc_cert_load(const char *path, struct ffc_cert *out, char *err, size_t errlen);

/* Make a new key pair and write DIR/NAME.key and DIR/NAME.key_secret (mode
 * 0600), neither of which may exist yet. name: 1 to 63 of [A-Za-z0-9._-].
 * The public key written is copied to public_key (41 bytes) when not
 * NULL. 0, or -1 with err saying why (a bad name, a file that exists or
 * cannot be written, no randomness for the key); a failure leaves no
 * file of the pair behind. */
int ffc_cert_generate(const char *dir, const char *name, char *public_key, char *err,
                      size_t errlen);

/* 1 when s is 40 characters of Z85 that decode to a key, else 0 (also for
 * NULL). */
int ffc_key_valid(const char *s);

/* The 32 bytes of a Z85 key into key: 0, or -1 when s is not one (key is
 * then unspecified). */
int ffc_key_decode(const char *s, unsigned char key[32]);

/* The CURVE keys every connection and subscription libffc opens to a
 * tcp:// endpoint from now on uses: this client's key pair and the
 * daemon's public key, all Z85. All NULL: plain connections again (the
 * default; a daemon in curve mode refuses them). ipc:// and inproc://
 * endpoints never use CURVE. The keys are copied; objects already open
 * keep what they had. Returns FFC_OK, or FFC_EINVAL (nothing changed)
 * when a key is not valid Z85 or only some are NULL. Not thread-safe (see
 * above). */
int ffc_curve_use(const char *public_key, const char *secret_key, const char *server_key);

#ifdef __cplusplus
}
#endif

#endif
