/*
 * Unit tests for stats.c: the ingest batches' histograms (an observation
 * on a bound counts at that bound, the counts read back cumulative, one
 * past the last bound only in the count and sum), and the reasons
 * rejections are counted under.
 */
/* cmocka needs these before its own header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "stats.h"

static void test_histogram_cumulative(void **state)
{
	(void)state;
	struct stats st;
	stats_init(&st);
	const struct stats_histogram *h = &st.batch_sizes;
	assert_true(h->n > 4 && h->n <= STATS_BUCKETS_MAX);
	assert_true(h->bounds[0] == 1 && h->bounds[1] == 2 && h->bounds[2] == 4);
	stats_batch(&st, 1, 0.002, 1000);
	stats_batch(&st, 2, 0.002, 2000);
	stats_batch(&st, 3, 0.002, 3000);
	stats_batch(&st, 4, 0.002, 4000);
	stats_batch(&st, 1000000, 0.002, 5000); /* past every bound */
	assert_int_equal(stats_histogram_at_most(h, 0), 1);
	assert_int_equal(stats_histogram_at_most(h, 1), 2);
	assert_int_equal(stats_histogram_at_most(h, 2), 4);
	assert_int_equal(stats_histogram_at_most(h, h->n - 1), 4);
	assert_int_equal(h->count, 5);
	assert_true(h->sum == 1 + 2 + 3 + 4 + 1000000);
	assert_int_equal(st.batches, 5);
	assert_int_equal(st.last_batch_at_ms, 5000);
	/* Every batch took 2 ms: at most the 0.0025 bound, not the 0.001. */
	const struct stats_histogram *t = &st.batch_seconds;
	size_t i = 0;
	while (t->bounds[i] < 0.002)
		i++;
	assert_int_equal(stats_histogram_at_most(t, i - 1), 0);
	assert_int_equal(stats_histogram_at_most(t, i), 5);
	assert_int_equal(stats_histogram_at_most(t, t->n - 1), 5);
	for (size_t k = 1; k < t->n; k++)
		assert_true(t->bounds[k - 1] < t->bounds[k]);
}

static void test_reasons(void **state)
{
	(void)state;
	char out[STATS_REASON_LEN];
	stats_reason("children[3].nhs_number: check digit mismatch", out, sizeof out);
	assert_string_equal(out, "children[].nhs_number: check digit mismatch");
	stats_reason("frame: 70000 bytes over the limit", out, sizeof out);
	assert_string_equal(out, "frame: N bytes over the limit");

	struct stats st;
	stats_init(&st);
	struct receipt r;
	memset(&r, 0, sizeof r);
	r.status = RECEIPT_REJECTED;
	strcpy(r.error, "children[0].upn: check letter mismatch");
	stats_receipt(&st, &r);
	strcpy(r.error, "children[1].upn: check letter mismatch");
	stats_receipt(&st, &r);
	r.status = RECEIPT_ACCEPTED;
	stats_receipt(&st, &r);
	assert_int_equal(st.n_reasons, 1);
	assert_int_equal(st.rejects[0].count, 2);
	assert_int_equal(st.receipts[RECEIPT_REJECTED], 2);
	assert_int_equal(st.receipts[RECEIPT_ACCEPTED], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_histogram_cumulative),
	    cmocka_unit_test(test_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
