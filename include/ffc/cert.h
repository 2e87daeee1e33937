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
 * Every function returns 0, or -1 (FFC_EINVAL) with a message in err.
 * Secret keys are never part of a message.
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
 * decode and belong to the public key. */
int ffc_cert_parse(const char *text, size_t len, struct ffc_cert *out, char *err, size_t errlen);

/* Read and parse the file at path. A file holding a secret key must not be
 * readable or writable by group or others (chmod 600). */
int ffc_cert_load(const char *path, struct ffc_cert *out, char *err, size_t errlen);

/* Make a new key pair and write DIR/NAME.key and DIR/NAME.key_secret (mode
 * 0600), neither of which may exist yet. name: 1 to 63 of [A-Za-z0-9._-].
 * The public key written is copied to public_key (41 bytes) when not
 * NULL. */
int ffc_cert_generate(const char *dir, const char *name, char *public_key, char *err,
                      size_t errlen);

/* True when s is 40 characters of Z85 that decode to a key. */
int ffc_key_valid(const char *s);

/* The 32 bytes of a Z85 key; -1 when s is not one. */
int ffc_key_decode(const char *s, unsigned char key[32]);

/* The CURVE keys every connection and subscription libffc opens to a
 * tcp:// endpoint from now on uses: this client's key pair and the
 * daemon's public key, all Z85. All NULL: plain connections again (the
 * default; a daemon in curve mode refuses them). ipc:// and inproc://
 * endpoints never use CURVE. The keys are copied. */
int ffc_curve_use(const char *public_key, const char *secret_key, const char *server_key);

#ifdef __cplusplus
}
#endif

#endif
