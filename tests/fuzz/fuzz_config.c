/*
 * Fuzz target: a configuration file through config_load(), libconfig's
 * parse and every check of ours, then config_check() on what was accepted
 * (the daemon checks a reloaded file again in its own process, so what
 * one accepts the other must).
 *
 * In-process, on a temporary file rewritten per input: libFuzzer needs
 * the parse in its own process to see coverage and to catch a crash, a
 * leak or an exit where it happens (it reports a call to exit() from the
 * target as a crash too, so a parser that gives up by exiting is found
 * here, not hidden). A loader process per input, as the daemon uses for
 * reload (reload.c), would hide all of that behind an exit status. Inputs
 * with an @include are skipped: it names any file on the machine (a FIFO
 * blocks, /dev/zero never ends), which is the operator's choice in a real
 * file and is bounded in time by the reload loader.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5 leaks a string token its parser discards on a syntax
 * error (`name "x";`: no destructor for the token in its grammar), in

 * strbuf_append or libconfig_yylex (the lexer makes the token). It is the library's, a few bytes
 per refused file, and
 * ffcd parses only in processes that exit right after (start, -n, the
 * reload loader), so it never adds up; left unsuppressed it would stop
 * every run at the first such file. Our own leaks of the parse (a setting
 * not destroyed) are allocated elsewhere and still reported. */
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

static char dir[4096], path[4200];

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

/* A private directory for the file, made once and removed at exit. */
static int ready(void)
{
	if (dir[0])
		return 0;
	const char *base = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/ffc-fuzz-config-XXXXXX", base && base[0] ? base : "/tmp");
	if (!mkdtemp(dir)) {
		dir[0] = '\0';
		return -1;
	}
	snprintf(path, sizeof path, "%s/ffcd.conf", dir);
	atexit(cleanup);
	return 0;
}

static int has_include(const uint8_t *data, size_t size)
{
	static const char word[] = "@include";
	const size_t n = sizeof word - 1;
	for (size_t i = 0; i + n <= size; i++)
		if (strncasecmp((const char *)data + i, word, n) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (has_include(data, size) || ready() < 0)
		return 0;
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	size_t wrote = fwrite(data, 1, size, f);
	if (fclose(f) != 0 || wrote != size)
		return 0;

	static struct config cfg, before;
	static struct config_errors errs;
	config_defaults(&cfg);
	before = cfg;
	if (config_load(path, &cfg, &errs) == 0) {
		if (config_check(&cfg, path, &errs) != 0)
			__builtin_trap(); /* accepted once, refused on the second look */
		return 0;
	}
	/* Refused: at least one error, each naming the file; cfg untouched. */
	if (errs.n == 0 || errs.n > CONFIG_ERRORS_MAX)
		__builtin_trap();
	for (size_t i = 0; i < errs.n; i++)
		if (strncmp(errs.msg[i], path, strlen(path)) != 0 ||
		    memchr(errs.msg[i], '\0', CONFIG_ERROR_LEN) == NULL)
			__builtin_trap();
	if (memcmp(&cfg, &before, sizeof cfg) != 0)
		__builtin_trap();
	return 0;
}
