/*
 * lmdb_ceiling - what LMDB itself can do on this disk: records written
 * durably in batches, with nothing of ffc's in the way. The ceiling ffcd's
 * ingest is compared with (tests/bench/bench.py).
 *
 * A fresh environment in DIR is filled with POPULATION records (in large
 * unsynced transactions, not timed), then RECORDS more are written and
 * timed, BATCH to a synced commit, as ffcd commits a batch:
 *
 *   one    one put per record: a VALUE-byte record under a random
 *          16-byte key (as an index by an agency's own id would be)
 *   three  the three puts a concern needs at least: the record appended
 *          under its sequence number, a random-keyed idempotency entry
 *          (16 bytes -> seq) and a 40-byte entry on a child's timeline
 *          (child, time, seq), the child drawn from POPULATION
 *
 * usage: lmdb_ceiling DIR POPULATION RECORDS [one|three] [BATCH] [VALUE]
 * Prints one line of key=value figures: the rate, and how long one
 * transaction took (begin to synced commit: p50, p99, max). With BATCH 1
 * that is the floor under any durable answer on this disk. DIR must not exist (it is created
 * and left for the caller to remove).
 */
#include <errno.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define VALUE_MAX 4096

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_random(void)
{
	/* xorshift64*: cheap and well spread, the same every run */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1du;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "lmdb_ceiling: %s: %s\n", what, mdb_strerror(rc));
	exit(1);
}

struct ceiling {
	MDB_env *env;
	MDB_dbi records, ids, timeline;
	int three;
	uint64_t population, seq;
	size_t value_len;
	uint8_t value[VALUE_MAX];
};

/* One record: one put, or the three of a concern. */
static void write_record(struct ceiling *c, MDB_txn *txn, uint64_t child)
{
	uint8_t id[16], seq[8], tk[24], entry[40];
	put_u64(id, next_random());
	put_u64(id + 8, next_random());
	/* the value changes a little each time, as records do */
	put_u64(c->value, c->seq);
	MDB_val v = {c->value_len, c->value};
	int rc;
	if (!c->three) {
		MDB_val k = {sizeof id, id};
		if ((rc = mdb_put(txn, c->records, &k, &v, 0)) != 0)
			die("put", rc);
		c->seq++;
		return;
	}
	c->seq++;
	put_u64(seq, c->seq);
	MDB_val k = {sizeof seq, seq};
	if ((rc = mdb_put(txn, c->records, &k, &v, MDB_APPEND)) != 0)
		die("put record", rc);
	MDB_val ik = {sizeof id, id}, iv = {sizeof seq, seq};
	if ((rc = mdb_put(txn, c->ids, &ik, &iv, MDB_NOOVERWRITE)) != 0)
		die("put id", rc);
	put_u64(tk, child);
	put_u64(tk + 8, next_random() >> 24); /* a time */
	put_u64(tk + 16, c->seq);
	memset(entry, 0x5a, sizeof entry);
	MDB_val tkv = {sizeof tk, tk}, tv = {sizeof entry, entry};
	if ((rc = mdb_put(txn, c->timeline, &tkv, &tv, 0)) != 0)
		die("put timeline", rc);
}

/* n records in transactions of batch each; returns the seconds taken.
 * With took, each transaction's time (begin to synced commit) is kept
 * there, in order. */
static double write_records(struct ceiling *c, uint64_t n, uint64_t batch, int sequential,
                            double *took)
{
	double start = seconds();
	for (uint64_t done = 0, txns = 0; done < n; txns++) {
		double t0 = seconds();
		MDB_txn *txn;
		int rc = mdb_txn_begin(c->env, NULL, 0, &txn);
		if (rc)
			die("begin", rc);
		for (uint64_t i = 0; i < batch && done < n; i++, done++)
			write_record(c, txn, sequential ? done : next_random() % c->population);
		if ((rc = mdb_txn_commit(txn)) != 0)
			die("commit", rc);
		if (took)
			took[txns] = seconds() - t0;
	}
	return seconds() - start;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The q-quantile of n sorted values, in milliseconds. */
static double quantile_ms(const double *v, size_t n, double q)
{
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i] * 1e3;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr,
		        "usage: lmdb_ceiling DIR POPULATION RECORDS [one|three] [BATCH] [VALUE]\n");
		return 2;
	}
	const char *dir = argv[1];
	struct ceiling *c = calloc(1, sizeof *c);
	if (!c)
		return 1;
	c->population = strtoull(argv[2], NULL, 10);
	uint64_t records = strtoull(argv[3], NULL, 10);
	c->three = argc > 4 && !strcmp(argv[4], "three");
	uint64_t batch = argc > 5 ? strtoull(argv[5], NULL, 10) : 512;
	c->value_len = argc > 6 ? strtoul(argv[6], NULL, 10) : 300;
	if (argc > 4 && strcmp(argv[4], "one") && strcmp(argv[4], "three")) {
		fprintf(stderr, "lmdb_ceiling: layout '%s': one or three\n", argv[4]);
		return 2;
	}
	if (c->population == 0 || records == 0 || batch == 0 || c->value_len < 8 ||
	    c->value_len > VALUE_MAX) {
		fprintf(stderr, "lmdb_ceiling: POPULATION, RECORDS and BATCH must be positive, "
		                "VALUE from 8 to 4096\n");
		return 2;
	}
	for (size_t i = 0; i < c->value_len; i++)
		c->value[i] = (uint8_t)next_random();
	if (mkdir(dir, 0700) < 0) {
		fprintf(stderr, "lmdb_ceiling: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	int rc = mdb_env_create(&c->env);
	if (!rc)
		rc = mdb_env_set_maxdbs(c->env, 4);
	if (!rc)
		rc = mdb_env_set_mapsize(c->env, (size_t)1 << 36);
	/* Default flags: every commit synced, as ffcd's store. */
	if (!rc)
		rc = mdb_env_open(c->env, dir, MDB_NOTLS, 0600);
	if (rc)
		die(dir, rc);
	MDB_txn *txn;
	if ((rc = mdb_txn_begin(c->env, NULL, 0, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, "records", MDB_CREATE, &c->records)) != 0 ||
	    (rc = mdb_dbi_open(txn, "ids", MDB_CREATE, &c->ids)) != 0 ||
	    (rc = mdb_dbi_open(txn, "timeline", MDB_CREATE, &c->timeline)) != 0 ||
	    (rc = mdb_txn_commit(txn)) != 0)
		die("opening the tables", rc);

	/* The population, unsynced and in large transactions: not measured. */
	mdb_env_set_flags(c->env, MDB_NOSYNC, 1);
	write_records(c, c->population, 100000, 1, NULL);
	if ((rc = mdb_env_sync(c->env, 1)) != 0)
		die("sync", rc);
	mdb_env_set_flags(c->env, MDB_NOSYNC, 0);

	size_t txns = (size_t)((records + batch - 1) / batch);
	double *each = malloc(txns * sizeof *each);
	if (!each)
		return 1;
	double took = write_records(c, records, batch, 0, each);
	qsort(each, txns, sizeof *each, by_value);
	MDB_envinfo info;
	MDB_stat st;
	mdb_env_info(c->env, &info);
	mdb_env_stat(c->env, &st);
	printf("layout=%s population=%llu records=%llu batch=%llu value=%zu seconds=%.3f "
	       "rate=%.0f store_bytes=%llu commit_p50_ms=%.2f commit_p99_ms=%.2f "
	       "commit_max_ms=%.2f\n",
	       c->three ? "three" : "one", (unsigned long long)c->population,
	       (unsigned long long)records, (unsigned long long)batch, c->value_len, took,
	       (double)records / took,
	       (unsigned long long)((uint64_t)(info.me_last_pgno + 1) * st.ms_psize),
	       quantile_ms(each, txns, 0.5), quantile_ms(each, txns, 0.99),
	       quantile_ms(each, txns, 1.0));
	mdb_env_close(c->env);
	free(each);
	free(c);
	return 0;
}
