/*
 * testutil.h - small helpers shared by the unit tests: scratch
 * directories, concern builders, and one concern through ingest.
 */
#ifndef FFC_TESTUTIL_H
#define FFC_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "concern.h"
#include "ffc.pb-c.h"
#include "ingest.h"

/* A fresh empty directory under $FFC_TEST_TMP (or /tmp); caller frees. */
static inline char *test_tmpdir(const char *name)
{
	const char *base = getenv("FFC_TEST_TMP");
	if (!base || !base[0])
		base = "/tmp";
	mkdir(base, 0700);
	char *path = malloc(1024);
	if (!path)
		abort();
	snprintf(path, 1024, "%s/%s.XXXXXX", base, name);
	if (!mkdtemp(path))
		abort();
	return path;
}

/* Remove a store directory made by test_tmpdir (flat: files only). */
static inline void test_rmdir(char *path)
{
	static const char *const files[] = {"data.mdb", "lock.mdb", "ffcd.lock", "control.sock"};
	char file[1200];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(file, sizeof file, "%s/%s", path, files[i]);
		unlink(file);
	}
	rmdir(path);
	free(path);
}

#define DAY INT64_C(86400000)
/* 2026-01-01T00:00:00Z */
#define T0 INT64_C(1767225600000)

static inline struct child_identity test_child_nhs(const char *nhs)
{
	struct child_identity id = {nhs, "", "", "", "", "", ""};
	return id;
}

static inline struct concern test_concern(const char *id, int agency, int category, int severity,
                                          int64_t at, const struct child_identity *children,
                                          size_t n)
{
	struct concern c = {
	    .concern_id = id,
	    .agency = agency,
	    .source_system = "test",
	    .n_children = n,
	    .children = children,
	    .category = category,
	    .severity = severity,
	    .occurred_at_ms = at,
	    .reported_at_ms = at,
	    .summary = "",
	    .reporter = "",
	};
	return c;
}

/* Pack c and ingest it as a batch of its own at now_ms: its receipt
 * (concern_id blanked, as it borrows from the frame), with what
 * ingest_batch returned in *stored (1 stored, 0 duplicate or rejected, -1
 * the store failed). The alerts raised are appended to *raised. */
static inline struct receipt test_ingest_one(struct store *s, const struct rule *rules,
                                             size_t n_rules, const Ffc__V1__Concern *c,
                                             int64_t now_ms, struct outbox *raised, int *stored)
{
	size_t len = ffc__v1__concern__get_packed_size(c);
	uint8_t *buf = malloc(len + 1);
	if (!buf)
		abort();
	ffc__v1__concern__pack(c, buf);
	struct ingest_item item = {.data = buf, .len = len};
	struct ingest_limits limits = {.max_message = 64 * 1024};
	*stored = ingest_batch(s, rules, n_rules, &limits, &item, 1, now_ms, raised);
	struct receipt r = item.receipt;
	r.concern_id = "";
	ingest_items_release(&item, 1);
	free(buf);
	return r;
}

/* The store's counter `name` as a read transaction sees it now; 0 when
 * no transaction can be had (the assertion that follows then fails). */
static inline uint64_t test_counter(struct store *s, const char *name)
{
	struct store_txn *t;
	if (store_begin(s, 0, &t) != STORE_OK)
		return 0;
	uint64_t n = store_counter_get(t, name);
	store_abort(&t);
	return n;
}

#endif
