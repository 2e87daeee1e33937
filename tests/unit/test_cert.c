/*
 * Unit tests for cert.c (client/cert.c, shared by libffc and ffcd):
 * certificates in ZeroMQ's form parsed, every malformed one refused with
 * a reason that never repeats a secret, a secret file readable by others
 * refused, and generated key pairs that load back, at mode 0600, never
 * overwriting.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ffc/cert.h"
#include "testutil.h"

/* A real pair (made by pyzmq's curve_keypair). */
#define PUB   "OWdE}y<]m5ay1Oij=+Vuu3j5R0MXkKZ%Jw6c%.Qq"
#define SEC   "55Nt@ybO({{Lul2s)SB7&/epC)oZ1H^(xCmI>t1["
#define OTHER "KQL!xa-M(}cHn-Mhj6w#{TsF2tr]!C&7wa&ku7xC"

static int parse(const char *text, struct ffc_cert *c, char *err, size_t len)
{
	return ffc_cert_parse(text, strlen(text), c, err, len);
}

static void bad(const char *text, const char *why)
{
	struct ffc_cert c;
	char err[256] = "";
	assert_int_equal(parse(text, &c, err, sizeof err), -1);
	if (!strstr(err, why))
		fail_msg("expected '%s', got '%s'", why, err);
	assert_null(strstr(err, SEC));
	assert_string_equal(c.secret_key, "");
}

static void test_parse(void **state)
{
	(void)state;
	struct ffc_cert c;
	char err[256];
	assert_int_equal(
	    parse("#   ZeroMQ CURVE Public Certificate\n\nmetadata\n    name = \"alice\"\n"
	          "curve\n    public-key = \"" PUB "\"\n",
	          &c, err, sizeof err),
	    0);
	assert_string_equal(c.name, "alice");
	assert_string_equal(c.public_key, PUB);
	assert_string_equal(c.secret_key, "");
	/* czmq's other metadata, CRLF, tabs and a secret that belongs. */
	assert_int_equal(
	    parse("metadata\r\n\tcreated-by = \"czmq\"\r\ncurve\r\n\tpublic-key = \"" PUB
	          "\"\r\n\tsecret-key = \"" SEC "\"\r\n",
	          &c, err, sizeof err),
	    0);
	assert_string_equal(c.secret_key, SEC);
	assert_string_equal(c.name, "");
}

static void test_parse_malformed(void **state)
{
	(void)state;
	bad("", "no curve public-key");
	bad("curve\n    secret-key = \"" SEC "\"\n", "no curve public-key");
	bad("curve\n    public-key = \"short\"\n", "public-key: not 40");
	bad("curve\n    public-key = \"" PUB "x\"\n", "public-key: not 40");
	bad("curve\n    public-key = \"" PUB "\"\n    secret-key = \"" OTHER "\"\n",
	    "does not belong");
	bad("curve\n    public-key = \"" PUB "\"\n    secret-key = \"" SEC "\n", "line 3");
	bad("curve\n    public-key = \"" PUB
	    "\"\n    secret-key = \"~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\"\n",
	    "secret-key: not 40");
	bad("keys\n", "unknown section");
	bad("curve\n    public-key\n", "expected name = \"value\"");
	bad("curve\n    = \"x\"\n", "expected name");
	char lng[400];
	memset(lng, 'x', sizeof lng - 1);
	lng[sizeof lng - 1] = '\0';
	lng[0] = ' ';
	bad(lng, "line 1: too long");
	struct ffc_cert c;
	char err[128];
	assert_int_equal(ffc_cert_parse("curve\n\0", 7, &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "NUL"));
	assert_int_equal(ffc_cert_parse("x", FFC_CERT_FILE_MAX + 1, &c, err, sizeof err), -1);
}

static void test_keys(void **state)
{
	(void)state;
	unsigned char k[32];
	assert_true(ffc_key_valid(PUB));
	assert_false(ffc_key_valid("short"));
	assert_false(ffc_key_valid(NULL));
	assert_false(ffc_key_valid("~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"));
	assert_int_equal(ffc_key_decode(PUB, k), 0);
	assert_int_equal(ffc_key_decode("", k), -1);
}

static void test_generate_and_load(void **state)
{
	(void)state;
	char *dir = test_tmpdir("ffc-cert");
	char pub[FFC_KEY_Z85_LEN + 1], err[512], path[1200];
	assert_int_equal(ffc_cert_generate(dir, "police-adapter", pub, err, sizeof err), 0);
	struct ffc_cert c;
	snprintf(path, sizeof path, "%s/police-adapter.key_secret", dir);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ffc_cert_load(path, &c, err, sizeof err), 0);
	assert_string_equal(c.public_key, pub);
	assert_string_equal(c.name, "police-adapter");
	assert_int_equal((int)strlen(c.secret_key), FFC_KEY_Z85_LEN);
	/* Readable by others: refused, naming the fix. */
	chmod(path, 0640);
	assert_int_equal(ffc_cert_load(path, &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "chmod 600"));
	char secret_path[1200];
	snprintf(secret_path, sizeof secret_path, "%s", path);
	snprintf(path, sizeof path, "%s/police-adapter.key", dir);
	assert_int_equal(ffc_cert_load(path, &c, err, sizeof err), 0);
	assert_string_equal(c.public_key, pub);
	assert_string_equal(c.secret_key, "");
	/* Never overwritten; names checked. */
	assert_int_equal(ffc_cert_generate(dir, "police-adapter", NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "exists"));
	assert_int_equal(ffc_cert_generate(dir, "../x", NULL, err, sizeof err), -1);
	assert_int_equal(ffc_cert_generate(dir, ".hidden", NULL, err, sizeof err), -1);
	assert_int_equal(ffc_cert_generate(dir, "", NULL, err, sizeof err), -1);
	assert_int_equal(ffc_cert_load(dir, &c, err, sizeof err), -1);
	snprintf(path, sizeof path, "%s/absent", dir);
	assert_int_equal(ffc_cert_load(path, &c, err, sizeof err), -1);
	unlink(secret_path);
	snprintf(path, sizeof path, "%s/police-adapter.key", dir);
	unlink(path);
	rmdir(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_parse_malformed),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_generate_and_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
