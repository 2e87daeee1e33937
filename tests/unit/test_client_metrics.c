/*
 * Unit tests for ffc-metrics' text (client/tools/ffc_metrics_text.c): the
 * exposition of replies built by hand (label values escaped and kept to
 * printable ASCII, histograms cumulative with +Inf, ages on the daemon's
 * clock), only ffc_up 0 when the daemon did not answer, and the health
 * answer for each case.
 */
/* cmocka needs these before its own header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "ffc_metrics_text.h"

static void assert_has(const struct metrics_buf *b, const char *line)
{
	if (!strstr(b->text, line))
		fail_msg("missing: %s\nin:\n%s", line, b->text);
}

static void test_render(void **state)
{
	(void)state;
	Ffc__V1__StatusReply st = FFC__V1__STATUS_REPLY__INIT;
	Ffc__V1__StatsReply sx = FFC__V1__STATS_REPLY__INIT;
	char version[] = "9.8.7", curve[] = "curve", police_name[] = "POLICE",
	     odd_name[] = "a \"b\" c\\d\ne\x01\xc3\xa9";
	st.version = version;
	st.security_mode = curve;
	st.store_format = 7;
	st.started_at_ms = 1000000;
	st.now_ms = 1090500;
	st.store_bytes = 4096;
	st.store_map_max_bytes = 1 << 30;
	Ffc__V1__Counter police = FFC__V1__COUNTER__INIT, odd = FFC__V1__COUNTER__INIT;
	police.name = police_name;
	police.count = 12;
	odd.name = odd_name;
	odd.count = 3;
	Ffc__V1__Counter *agencies[] = {&police}, *reasons[] = {&odd};
	sx.concerns_by_agency = agencies;
	sx.n_concerns_by_agency = 1;
	sx.rejects_by_reason = reasons;
	sx.n_rejects_by_reason = 1;
	double bounds[] = {1, 2.5};
	uint64_t at_most[] = {2, 5};
	Ffc__V1__Histogram h = FFC__V1__HISTOGRAM__INIT;
	h.bounds = bounds;
	h.n_bounds = 2;
	h.at_most = at_most;
	h.n_at_most = 2;
	h.count = 6;
	h.sum = 12.5;
	sx.batch_seconds = &h;
	sx.last_batch_at_ms = 1080000;
	sx.consoles = 4;

	struct metrics_buf b = {0};
	metrics_render(&b, &st, &sx);
	assert_false(b.failed);
	assert_int_equal(strlen(b.text), b.len);
	assert_has(&b, "ffc_up 1\n");
	assert_has(&b,
	           "ffc_info{version=\"9.8.7\",security_mode=\"curve\",store_format=\"7\"} 1\n");
	assert_has(&b, "ffc_start_time_seconds 1000.000\n");
	assert_has(&b, "ffc_store_map_max_bytes 1073741824\n");
	assert_has(&b, "ffc_concerns_stored{agency=\"POLICE\"} 12\n");
	assert_has(&b, "ffc_rejects_total{reason=\"a \\\"b\\\" c\\\\d\\ne???\"} 3\n");
	assert_has(&b, "# TYPE ffc_batch_commit_seconds histogram\n");
	assert_has(&b, "ffc_batch_commit_seconds_bucket{le=\"1\"} 2\n"
	               "ffc_batch_commit_seconds_bucket{le=\"2.5\"} 5\n"
	               "ffc_batch_commit_seconds_bucket{le=\"+Inf\"} 6\n"
	               "ffc_batch_commit_seconds_sum 12.5\n"
	               "ffc_batch_commit_seconds_count 6\n");
	/* No batch histogram in the reply: an empty one, still well formed. */
	assert_has(&b, "ffc_batch_size_bucket{le=\"+Inf\"} 0\nffc_batch_size_sum 0\n");
	assert_has(&b, "ffc_last_batch_timestamp_seconds 1080.000\n");
	assert_has(&b, "ffc_last_batch_age_seconds 10.500\n");
	assert_has(&b, "ffc_consoles_connected 4\n");
	/* Every line is a comment or a sample; each metric typed once. */
	for (const char *p = b.text; *p;) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(*p == '#' || (*p >= 'a' && *p <= 'z'));
		p = nl + 1;
	}
	assert_null(strstr(strstr(b.text, "# TYPE ffc_up ") + 1, "# TYPE ffc_up "));
	metrics_buf_release(&b);
	metrics_buf_release(&b);

	/* No batch yet: the age counts from the start. */
	sx.last_batch_at_ms = 0;
	metrics_render(&b, &st, &sx);
	assert_has(&b, "ffc_last_batch_age_seconds 90.500\n");
	metrics_buf_release(&b);
}

static void test_down(void **state)
{
	(void)state;
	struct metrics_buf b = {0};
	metrics_render(&b, NULL, NULL);
	assert_string_equal(b.text, "# HELP ffc_up 1 when ffcd answered this scrape on its "
	                            "control socket.\n# TYPE ffc_up gauge\nffc_up 0\n");
	metrics_buf_release(&b);
}

static void test_health(void **state)
{
	(void)state;
	char reason[128];
	assert_int_equal(metrics_health(NULL, "ffcd: no answer on ipc://x within 2000 ms", reason,
	                                sizeof reason),
	                 503);
	assert_string_equal(reason, "ffcd: no answer on ipc://x within 2000 ms");
	assert_int_equal(metrics_health(NULL, "", reason, sizeof reason), 503);
	assert_string_equal(reason, "ffcd: no answer");

	Ffc__V1__StatusReply st = FFC__V1__STATUS_REPLY__INIT;
	char version[] = "0.1.0", disk_full[] = "disk full";
	st.version = version;
	st.uptime_s = 42;
	assert_int_equal(metrics_health(&st, "", reason, sizeof reason), 200);
	assert_string_equal(reason, "ok: ffcd 0.1.0 up 42 s");
	st.store_fault = disk_full;
	st.store_fault_at_ms = 1767225600000; /* 2026-01-01T00:00:00Z */
	assert_int_equal(metrics_health(&st, "", reason, sizeof reason), 503);
	assert_string_equal(reason, "store: disk full since 2026-01-01 00:00 UTC");
	/* Cut to the room given, terminated. */
	assert_int_equal(metrics_health(&st, "", reason, 8), 503);
	assert_string_equal(reason, "store: ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_render),
	    cmocka_unit_test(test_down),
	    cmocka_unit_test(test_health),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
