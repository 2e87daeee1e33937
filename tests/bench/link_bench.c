/*
 * link_bench - what linking one named child costs as the number of known
 * children grows: the store is filled to 10,000 and then to 1,000,000
 * children (in large transactions), and at each size the same mix of
 * named children is linked and timed:
 *
 *   40%  an NHS number already known          (strong key, one child)
 *   20%  names and date of birth only          (demographic key)
 *   20%  an NHS number nobody has              (a new child)
 *   20%  a known NHS number with a known UPN   (two children merged)
 *
 * Each measured round runs in one write transaction that is then
 * abandoned, so both sizes see the same store apart from its size.
 * Prints figures; asserts nothing about speed. Built with the tests, not
 * run by ctest: build a release copy to measure, e.g.
 *
 *   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON
 *   cmake --build build-bench --target link_bench
 *   build-bench/tests/link_bench [DIR]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "link.h"
#include "log.h"
#include "store.h"

#define ROUND 20000 /* named children linked per measurement */
#define CHUNK 100000

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The n-th valid NHS number of a fixed sequence (distinct for every n). */
static void nhs_make(long n, char out[11])
{
	for (long k = 400000000L + n * 7L;; k++) {
		char nine[24];
		snprintf(nine, sizeof nine, "%09ld", k % 1000000000L);
		int sum = 0;
		for (int i = 0; i < 9; i++)
			sum += (nine[i] - '0') * (10 - i);
		int check = 11 - sum % 11;
		if (check == 11)
			check = 0;
		if (check == 10)
			continue;
		memcpy(out, nine, 9);
		out[9] = (char)('0' + check);
		out[10] = '\0';
		return;
	}
}

static void upn_make(long n, char out[14])
{
	static const char letters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
	char rest[24];
	snprintf(rest, sizeof rest, "8012%08ld", n % 100000000L);
	int sum = 0;
	for (int i = 0; i < 12; i++)
		sum += (rest[i] - '0') * (i + 2);
	out[0] = letters[sum % 23];
	memcpy(out + 1, rest, 12);
	out[13] = '\0';
}

/* Person p as a named child: kind 0 NHS number + names, 1 UPN only,
 * 2 names only, 3 NHS number + UPN. */
struct named {
	char nhs[11], upn[14], family[24];
	struct child_identity id;
};

static void person(long p, int kind, struct named *n)
{
	memset(n, 0, sizeof *n);
	if (kind == 0 || kind == 3)
		nhs_make(p, n->nhs);
	if (kind == 1 || kind == 3)
		upn_make(p, n->upn);
	if (kind == 0 || kind == 2)
		snprintf(n->family, sizeof n->family, "F%ld", p);
	n->id = (struct child_identity){n->nhs,    n->upn,
	                                "",        n->family[0] ? "Sam" : "",
	                                n->family, n->family[0] ? "2015-06-01" : "",
	                                ""};
}

/* Known children for persons [from, to): each an NHS child with names,
 * and for even persons a separate school child known by UPN only. */
static int fill(struct store *s, long from, long to)
{
	for (long start = from; start < to;) {
		long end = start + CHUNK < to ? start + CHUNK : to;
		struct store_txn *t;
		if (store_begin(s, 1, &t) != STORE_OK)
			return -1;
		int rc = STORE_OK;
		for (long p = start; p < end && rc == STORE_OK; p++) {
			struct merge_log log = {0};
			struct named n;
			struct link_result child;
			person(p, 0, &n);
			rc = link_child(t, &n.id, 2, 0, 0, &log, &child);
			if (rc == STORE_OK && p % 2 == 0) {
				person(p, 1, &n);
				rc = link_child(t, &n.id, 3, 0, 0, &log, &child);
			}
		}
		if (rc == STORE_OK)
			rc = store_commit(&t);
		else
			store_abort(&t);
		if (rc == STORE_FULL) {
			if (store_grow(s) < 0)
				return -1;
			continue; /* the chunk again, on a larger map */
		}
		if (rc != STORE_OK)
			return -1;
		start = end;
	}
	return 0;
}

/* Link ROUND named children against `known` persons; returns seconds per
 * named child, or -1. */
static double round_of(struct store *s, long known, unsigned seed)
{
	for (;;) {
		struct store_txn *t;
		if (store_begin(s, 1, &t) != STORE_OK)
			return -1;
		int rc = STORE_OK;
		double t0 = seconds();
		for (long i = 0; i < ROUND && rc == STORE_OK; i++) {
			seed = seed * 1103515245u + 12345u;
			long p = (long)((seed >> 8) % (unsigned long)known);
			int pick = (int)(i % 5), kind = 0;
			if (pick == 2)
				kind = 2;
			else if (pick == 3)
				p += 2 * known + i; /* nobody has it */
			else if (pick == 4)
				kind = 3, p -= p % 2; /* even: its UPN child exists */
			struct named n;
			person(p, kind, &n);
			struct merge_log log = {0};
			struct link_result child;
			rc = link_child(t, &n.id, 1 + pick % 3, 0, 0, &log, &child);
		}
		double dt = seconds() - t0;
		store_abort(&t);
		if (rc == STORE_FULL && store_grow(s) == 0)
			continue;
		return rc == STORE_OK ? dt / ROUND : -1;
	}
}

int main(int argc, char **argv)
{
	char dir[512], err[256];
	snprintf(dir, sizeof dir, "%s", argc > 1 ? argv[1] : "/tmp/ffc-link-bench");
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	log_set_level(LOG_ERROR);
	struct store *s = store_open(dir, UINT64_C(1) << 30, UINT64_C(32) << 30, err, sizeof err);
	if (!s) {
		fprintf(stderr, "link_bench: %s\n", err);
		return 1;
	}
	const long sizes[] = {10000, 1000000};
	long have = 0;
	printf("linking one named child (mix: 40%% known NHS, 20%% demographics, 20%% new, "
	       "20%% merge of two known children), %d per round\n",
	       ROUND);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		/* Each person is an NHS child, every other one a school child
		 * too: two persons in three make the children wanted. */
		long persons = sizes[i] * 2 / 3 + 1;
		double t0 = seconds();
		if (fill(s, have, persons) < 0) {
			fprintf(stderr, "link_bench: filling the store failed\n");
			store_close(&s);
			return 1;
		}
		double fill_s = seconds() - t0;
		struct store_txn *t;
		uint64_t children = 0;
		if (store_begin(s, 0, &t) == STORE_OK) {
			children = store_counter_get(t, "children");
			store_abort(&t);
		}
		have = persons;
		double best = -1;
		for (int r = 0; r < 3; r++) {
			double per = round_of(s, have, 7u + (unsigned)r);
			if (per < 0) {
				fprintf(stderr, "link_bench: a round failed\n");
				store_close(&s);
				return 1;
			}
			if (best < 0 || per < best)
				best = per;
		}
		printf("%8llu known children (filled in %.1f s, store %.0f MiB): %.1f us per named "
		       "child (best of 3 rounds)\n",
		       (unsigned long long)children, fill_s,
		       (double)store_used_bytes(s) / (1 << 20), best * 1e6);
		fflush(stdout);
	}
	store_close(&s);
	if (system(cmd) != 0)
		return 1;
	return 0;
}
