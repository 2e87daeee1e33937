/*
 * ffcctl_keys.c - ffcctl keygen: a CURVE key pair for an adapter, a
 * console, an operator or the daemon itself, in ZeroMQ's certificate form.
 *
 * Needs no daemon: the key pair is made here and only the public half is
 * ever given to anyone (listed in ffcd's security.keys, or as the tools'
 * --server-key for the daemon's own pair). The secret is never printed.
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <stdio.h>

#include "ffc/cert.h"
#include "ffcctl.h"

int ctl_cmd_keygen(const struct opts *o, int argc, char **argv)
{
	static const struct option options[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = ".";
	int opt;
	optind = 0; /* 0: GNU getopt starts afresh, --dir may follow NAME */
	while ((opt = ctl_getopt(argc, argv, options)) != -1) {
		if (opt == 'd')
			dir = optarg;
		else
			tool_exit(EXIT_USAGE, "usage: ffcctl keygen NAME [--dir DIR]");
	}
	if (optind + 1 != argc)
		tool_exit(EXIT_USAGE, "usage: ffcctl keygen NAME [--dir DIR]");
	const char *name = argv[optind];
	char public_key[FFC_KEY_Z85_LEN + 1], err[512];
	if (ffc_cert_generate(dir, name, public_key, err, sizeof err) < 0)
		tool_exit(EXIT_FAIL, "keygen: %s", err);
	(void)o;
	printf("%s/%s.key: public; list it in ffcd's security.keys (ffcd's own: give it to\n"
	       "  adapters, consoles and operators as --server-key)\n"
	       "%s/%s.key_secret: secret, mode 0600; keep it where only %s runs\n"
	       "public key: %s\n",
	       dir, name, dir, name, name, public_key);
	return 0;
}
