/*
 * replay.c - runs a libFuzzer target without libFuzzer: every file of a
 * seed corpus, then a fixed number of mutations of them (bit flips, byte
 * changes, insertions, deletions, truncations, splices) from a seeded
 * PRNG, so each run is reproducible. Used where clang's libFuzzer is not
 * available, so every build of the suite still drives the parsers with
 * hostile input under the sanitizers.
 *
 * usage: fuzz_X CORPUS_DIR [ITERATIONS [SEED]]
 *
 * With FFC_REPLAY_SAVE=DIR in the environment, mutation i is also written
 * to DIR/i before it runs: a leak is reported only at exit, and this is
 * how to find the input behind it (run each saved file alone).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (64 * 1024)
#define MAX_SEEDS 1024

struct seed {
	uint8_t *data;
	size_t len;
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: fast and good enough to pick mutations. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static size_t load(const char *dir, struct seed *seeds)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	if (!d) {
		fprintf(stderr, "replay: cannot open corpus %s\n", dir);
		return 0;
	}
	struct dirent *e;
	while ((e = readdir(d)) && n < MAX_SEEDS) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		uint8_t *buf = malloc(MAX_INPUT);
		size_t len = buf ? fread(buf, 1, MAX_INPUT, f) : 0;
		fclose(f);
		if (!buf)
			continue;
		seeds[n].data = buf;
		seeds[n].len = len;
		n++;
	}
	closedir(d);
	return n;
}

static size_t mutate(uint8_t *buf, size_t len, const struct seed *seeds, size_t n_seeds)
{
	int rounds = 1 + (int)(rng() % 4);
	for (int r = 0; r < rounds; r++) {
		size_t pos = len ? rng() % len : 0;
		switch (rng() % 7) {
		case 0: /* flip a bit */
			if (len)
				buf[pos] ^= (uint8_t)(1u << (rng() % 8));
			break;
		case 1: /* set a byte, often to a boundary value */
			if (len) {
				static const uint8_t special[] = {0x00, 0x01, 0x7f,
				                                  0x80, 0xff, 0x0a};
				buf[pos] =
				    rng() % 2 ? (uint8_t)rng() : special[rng() % sizeof special];
			}
			break;
		case 2: /* insert a byte */
			if (len < MAX_INPUT) {
				memmove(buf + pos + 1, buf + pos, len - pos);
				buf[pos] = (uint8_t)rng();
				len++;
			}
			break;
		case 3: /* delete a run */
			if (len) {
				size_t run = 1 + rng() % 8;
				if (run > len - pos)
					run = len - pos;
				memmove(buf + pos, buf + pos + run, len - pos - run);
				len -= run;
			}
			break;
		case 4: /* truncate */
			len = pos;
			break;
		case 5: { /* splice in part of another seed */
			const struct seed *s = &seeds[rng() % n_seeds];
			if (s->len) {
				size_t from = rng() % s->len;
				size_t run = 1 + rng() % (s->len - from);
				if (pos + run > MAX_INPUT)
					run = MAX_INPUT - pos;
				memcpy(buf + pos, s->data + from, run);
				if (pos + run > len)
					len = pos + run;
			}
			break;
		}
		default: /* duplicate a run (repeated fields) */
			if (len && len < MAX_INPUT / 2) {
				size_t run = 1 + rng() % (len - pos);
				memmove(buf + pos + run, buf + pos, len - pos);
				len += run;
			}
			break;
		}
	}
	return len;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR [ITERATIONS [SEED]]\n", argv[0]);
		return 2;
	}
	long iterations = argc > 2 ? atol(argv[2]) : 10000;
	rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : UINT64_C(0x9e3779b97f4a7c15);
	if (rng_state == 0)
		rng_state = 1;
	static struct seed seeds[MAX_SEEDS];
	size_t n = load(argv[1], seeds);
	if (n == 0) {
		fprintf(stderr, "replay: no seeds in %s\n", argv[1]);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].len);
	uint8_t *buf = malloc(MAX_INPUT);
	if (!buf)
		return 1;
	const char *save = getenv("FFC_REPLAY_SAVE");
	for (long i = 0; i < iterations; i++) {
		const struct seed *s = &seeds[rng() % n];
		memcpy(buf, s->data, s->len);
		size_t len = mutate(buf, s->len, seeds, n);
		/* An exact-size copy, so reading past the end is caught. */
		uint8_t *input = malloc(len ? len : 1);
		if (!input)
			break;
		memcpy(input, buf, len);
		if (save) {
			char path[4096];
			snprintf(path, sizeof path, "%s/%ld", save, i);
			FILE *f = fopen(path, "wb");
			if (f) {
				fwrite(input, 1, len, f);
				fclose(f);
			}
		}
		LLVMFuzzerTestOneInput(input, len);
		free(input);
	}
	free(buf);
	for (size_t i = 0; i < n; i++)
		free(seeds[i].data);
	printf("replay: %zu seeds, %ld mutations, no crash\n", n, iterations);
	return 0;
}
