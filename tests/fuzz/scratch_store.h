/*
 * scratch_store.h - a store made once per fuzzing process and put back
 * after every input that wrote to it, for the targets that run inputs
 * against a store (fuzz_control, fuzz_ingest).
 *
 * The store lives in a fresh directory under $TMPDIR, or /dev/shm where
 * it can (a put-back rewrites the whole data file), and is removed at exit.
 * A write is seen by comparing LMDB's two meta pages, one of which every
 * commit that changed something rewrites with its transaction id: a file's
 * mtime may not move between two quick commits.
 */
#ifndef FFC_SCRATCH_STORE_H
#define FFC_SCRATCH_STORE_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

static struct scratch {
	const char *who; /* the target, for messages */
	char dir[4096], file[4200];
	struct store *s;   /* open, except inside scratch_make's seeding */
	uint8_t *pristine; /* the data file as made */
	size_t pristine_len;
	uint8_t meta[2 * 65536]; /* the two meta pages as made */
	size_t meta_len;
} scratch;

static int scratch_metas(uint8_t *buf)
{
	int fd = open(scratch.file, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = pread(fd, buf, scratch.meta_len, 0);
	close(fd);
	return n == (ssize_t)scratch.meta_len ? 0 : -1;
}

static int scratch_open(void)
{
	char err[256];
	scratch.s = store_open(scratch.dir, 1 << 20, 1 << 26, err, sizeof err);
	if (!scratch.s) {
		fprintf(stderr, "%s: %s\n", scratch.who, err);
		return -1;
	}
	return 0;
}

/* Did the last input write to the store? */
static int scratch_changed(void)
{
	uint8_t now[sizeof scratch.meta];
	return scratch_metas(now) < 0 || memcmp(now, scratch.meta, scratch.meta_len) != 0;
}

/* Put the store back as it was made (scratch.s is a new handle). */
static void scratch_restore(void)
{
	store_close(&scratch.s);
	int fd = open(scratch.file, O_WRONLY | O_TRUNC);
	if (fd < 0 ||
	    write(fd, scratch.pristine, scratch.pristine_len) != (ssize_t)scratch.pristine_len) {
		fprintf(stderr, "%s: restoring the store: %s\n", scratch.who, strerror(errno));
		abort();
	}
	close(fd);
	if (scratch_open() < 0 || scratch_metas(scratch.meta) < 0)
		abort();
}

static void scratch_remove(void)
{
	store_close(&scratch.s);
	free(scratch.pristine);
	char path[4300];
	snprintf(path, sizeof path, "%s/lock.mdb", scratch.dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/ffcd.lock", scratch.dir);
	unlink(path);
	unlink(scratch.file);
	rmdir(scratch.dir);
}

/* Make the store: a fresh directory, seed(scratch.s) run once, the data
 * file kept to put back, the store open again. Returns 0, or -1 (the
 * directory is removed at exit whatever happens). */
static int scratch_make(const char *who, int (*seed)(struct store *s))
{
	scratch.who = who;
	const char *base = getenv("TMPDIR");
	struct stat st;
	if (!base || !base[0])
		base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
		               access("/dev/shm", W_OK) == 0
		           ? "/dev/shm"
		           : "/tmp";
	snprintf(scratch.dir, sizeof scratch.dir, "%s/ffc-%s-XXXXXX", base, who);
	if (!mkdtemp(scratch.dir))
		return -1;
	snprintf(scratch.file, sizeof scratch.file, "%s/data.mdb", scratch.dir);
	long page = sysconf(_SC_PAGESIZE);
	scratch.meta_len = page > 0 && page <= 65536 ? 2 * (size_t)page : 2 * 4096;
	atexit(scratch_remove);
	if (scratch_open() < 0 || seed(scratch.s) < 0)
		return -1;
	store_close(&scratch.s);
	FILE *f = fopen(scratch.file, "rb");
	if (!f || fstat(fileno(f), &st) < 0 ||
	    !(scratch.pristine = malloc(st.st_size ? (size_t)st.st_size : 1)) ||
	    fread(scratch.pristine, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	scratch.pristine_len = (size_t)st.st_size;
	return scratch_open() < 0 ? -1 : scratch_metas(scratch.meta);
}

#endif
