/*
 * Fuzz target: log.c with outside bytes in its way: a JOURNAL_STREAM
 * value (the environment ffcd is started in) through log_journal_stream(),
 * and a message holding whatever a peer sent (a concern id quoted in a
 * line) written as text, for journald and as JSON. Nothing may crash or
 * read out of bounds, and every line written is one line: it ends with
 * its only newline and holds no other control character; as JSON it is
 * well-formed UTF-8, one object from '{' to "}}", every quote of the
 * message escaped.
 *
 * The input: one byte choosing the format (bit 0: JSON, bit 1: journal),
 * then the JOURNAL_STREAM value up to the first NUL, then the message.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Well-formed UTF-8 (RFC 3629), the whole of s[0..n). */
static int utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t len = c < 0x80                 ? 1
		             : c >= 0xc2 && c <= 0xdf ? 2
		             : c >= 0xe0 && c <= 0xef ? 3
		             : c >= 0xf0 && c <= 0xf4 ? 4
		                                      : 0;
		if (!len || i + len > n)
			return 0;
		unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
		if (len > 1 && (s[i + 1] < lo || s[i + 1] > hi))
			return 0;
		for (size_t k = 2; k < len; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return 0;
		i += len;
	}
	return 1;
}

/* The quotes a line's object is built of: "ts":"..", "level":"..",
 * "msg":"..", "fields":{"program":"ffcd","pid":N}. Any other would be
 * one of the message's left unescaped. */
#define JSON_QUOTES 20

/* Quotes in s[0..n) that are not escaped by a backslash. */
static size_t quotes(const unsigned char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			count++;
	}
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char out[65536];
	if (fd < 0) {
		fd = memfd_create("ffc-fuzz-log", 0);
		if (fd < 0)
			abort();
		log_set_fd(fd);
		log_set_level(LOG_DEBUG);
	}
	if (size == 0)
		return 0;
	int json = data[0] & 1, journal = (data[0] >> 1) & 1;
	data++;
	size--;
	const uint8_t *nul = memchr(data, 0, size);
	size_t stream_len = nul ? (size_t)(nul - data) : size;
	char *stream = malloc(stream_len + 1);
	char *msg = malloc(size - stream_len + 1);
	if (!stream || !msg)
		abort();
	memcpy(stream, data, stream_len);
	stream[stream_len] = '\0';
	size_t msg_len = nul ? size - stream_len - 1 : 0;
	memcpy(msg, nul ? nul + 1 : data, msg_len);
	msg[msg_len] = '\0';

	int r = log_journal_stream(stream, fd);
	if (r != 0 && r != 1)
		abort();
	log_set_format(json ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT);
	log_set_journal(journal);
	log_warn("%s", msg);

	off_t n = lseek(fd, 0, SEEK_END);
	if (n <= 0 || (size_t)n >= sizeof out || pread(fd, out, (size_t)n, 0) != n)
		abort();
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		abort();
	const unsigned char *line = (const unsigned char *)out;
	size_t len = (size_t)n;
	if (line[len - 1] != '\n')
		abort();
	for (size_t i = 0; i + 1 < len; i++)
		if (line[i] < 0x20 || line[i] == 0x7f)
			abort();
	if (journal) {
		if (len < 4 || memcmp(line, "<4>", 3) != 0)
			abort();
		line += 3;
		len -= 3;
	}
	if (json && (line[0] != '{' || len < 4 || memcmp(line + len - 3, "}}\n", 3) != 0 ||
	             !utf8_ok(line, len) || quotes(line, len) != JSON_QUOTES))
		abort();
	free(stream);
	free(msg);
	return 0;
}
