/*
 * Unit tests for beside.c, the threads for work beside the poll loop, and
 * what relies on them: a finished job wakes the loop's descriptor and is
 * taken once; no more than BESIDE_MAX run (busy after); beside_wait()
 * returns once all have finished; the store's map grows only once a read
 * transaction open in another thread has ended; a backup handed back by
 * control_handle() (CONTROL_LATER, no reply), run beside and resumed, is
 * answered and audited, and one whose work could not start is answered
 * with the reason and copies nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "beside.h"
#include "control.h"
#include "ffc.pb-c.h"
#include "testutil.h"

/* A job that waits at a gate the test opens. */
struct gated {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int open, started, ran;
	struct store *s; /* with a store: reads in it while it waits */
	int reading;     /* it has a read transaction open */
	int released;    /* its read transaction is about to end */
};

static void gated_init(struct gated *g)
{
	memset(g, 0, sizeof *g);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
}

static void gated_run(void *arg)
{
	struct gated *g = arg;
	struct store_txn *t = NULL;
	/* Checked by the test once the job is taken: no assert off the
	 * test's own thread. */
	if (g->s && store_begin(g->s, 0, &t) != STORE_OK)
		t = NULL;
	pthread_mutex_lock(&g->lock);
	g->reading = t != NULL;
	g->started = 1;
	pthread_cond_broadcast(&g->cond);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	g->ran = 1;
	g->released = 1;
	pthread_mutex_unlock(&g->lock);
	if (t)
		store_abort(&t);
}

static void gated_wait_started(struct gated *g)
{
	pthread_mutex_lock(&g->lock);
	while (!g->started)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void gated_open(struct gated *g)
{
	pthread_mutex_lock(&g->lock);
	g->open = 1;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static int readable(int fd, int ms)
{
	struct pollfd p = {fd, POLLIN, 0};
	return poll(&p, 1, ms) == 1;
}

static void test_job_finishes_and_is_taken_once(void **state)
{
	(void)state;
	char err[128];
	struct beside *b = beside_new(err, sizeof err);
	assert_non_null(b);
	struct gated g;
	gated_init(&g);
	assert_int_equal(beside_start(b, gated_run, &g), 0);
	gated_wait_started(&g);
	assert_int_equal(beside_pending(b), 1);
	/* Running: nothing to take, and the loop is not woken. */
	assert_false(readable(beside_fd(b), 0));
	assert_null(beside_take(b));
	gated_open(&g);
	assert_true(readable(beside_fd(b), 10000));
	assert_ptr_equal(beside_take(b), &g);
	assert_int_equal(g.ran, 1);
	assert_null(beside_take(b));
	assert_int_equal(beside_pending(b), 0);
	beside_destroy(&b);
	assert_null(b);
	beside_destroy(&b);
}

static void test_busy_past_the_limit_then_wait(void **state)
{
	(void)state;
	char err[128];
	struct beside *b = beside_new(err, sizeof err);
	assert_non_null(b);
	struct gated g[BESIDE_MAX + 1];
	for (size_t i = 0; i < BESIDE_MAX; i++) {
		gated_init(&g[i]);
		assert_int_equal(beside_start(b, gated_run, &g[i]), 0);
	}
	gated_init(&g[BESIDE_MAX]);
	errno = 0;
	assert_int_equal(beside_start(b, gated_run, &g[BESIDE_MAX]), -1);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(beside_pending(b), BESIDE_MAX);
	for (size_t i = 0; i < BESIDE_MAX; i++)
		gated_open(&g[i]);
	beside_wait(b);
	for (size_t i = 0; i < BESIDE_MAX; i++)
		assert_int_equal(g[i].ran, 1);
	/* Every one is taken, each once; the one refused never ran. */
	size_t taken = 0;
	while (beside_take(b))
		taken++;
	assert_int_equal(taken, BESIDE_MAX);
	assert_int_equal(g[BESIDE_MAX].ran, 0);
	beside_destroy(&b);
}

/* store_grow() from another thread, noting whether the reader had let go
 * when it returned. */
struct grower {
	struct store *s;
	struct gated *g;
	int rc, done, reader_released;
};

static void *grow(void *arg)
{
	struct grower *gr = arg;
	gr->rc = store_grow(gr->s);
	pthread_mutex_lock(&gr->g->lock);
	gr->reader_released = gr->g->released;
	gr->done = 1;
	pthread_mutex_unlock(&gr->g->lock);
	return NULL;
}

static void test_map_grows_only_when_no_reader_is_open(void **state)
{
	(void)state;
	char err[256];
	char *dir = test_tmpdir("ffc-beside-grow");
	struct store *s = store_open(dir, 1 << 20, 1 << 24, err, sizeof err);
	assert_non_null(s);
	struct beside *b = beside_new(err, sizeof err);
	assert_non_null(b);
	struct gated g;
	gated_init(&g);
	g.s = s;
	assert_int_equal(beside_start(b, gated_run, &g), 0);
	gated_wait_started(&g);
	assert_int_equal(g.reading, 1);
	struct grower gr = {.s = s, .g = &g};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, grow, &gr), 0);
	struct timespec a_while = {0, 200 * 1000000};
	nanosleep(&a_while, NULL);
	pthread_mutex_lock(&g.lock);
	assert_int_equal(gr.done, 0);
	pthread_mutex_unlock(&g.lock);
	gated_open(&g);
	pthread_join(th, NULL);
	assert_int_equal(gr.rc, 0);
	assert_int_equal(gr.reader_released, 1);
	assert_int_equal(store_map_size(s), 2 << 20);
	beside_wait(b);
	assert_ptr_equal(beside_take(b), &g);
	beside_destroy(&b);
	store_close(&s);
	test_rmdir(dir);
}

/* ---- a backup through the control socket's dispatcher ---- */

struct control_fixture {
	char *dir, backup[512];
	struct store *s;
	struct stats stats;
	struct daemon_info info;
	struct outbox out;
	struct alert_policy policy;
	struct control_env env;
};

static void control_setup(struct control_fixture *f)
{
	char err[256];
	memset(f, 0, sizeof *f);
	f->dir = test_tmpdir("ffc-beside-backup");
	f->s = store_open(f->dir, 1 << 20, 1 << 30, err, sizeof err);
	assert_non_null(f->s);
	struct rule rules[RULES_MAX];
	size_t n_rules = rules_defaults(rules, RULES_MAX);
	Ffc__V1__ChildIdentity kid = FFC__V1__CHILD_IDENTITY__INIT;
	Ffc__V1__ChildIdentity *kids[1] = {&kid};
	char nhs[] = "9434765919", id[] = "c-1";
	kid.nhs_number = nhs;
	Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;
	c.concern_id = id;
	c.agency = FFC__V1__AGENCY__POLICE;
	c.category = FFC__V1__CATEGORY__NEGLECT;
	c.severity = FFC__V1__SEVERITY__LOW;
	c.occurred_at_ms = T0;
	c.n_children = 1;
	c.children = kids;
	struct outbox raised = {0};
	int stored = 0;
	test_ingest_one(f->s, rules, n_rules, &c, T0 + DAY, &raised, &stored);
	assert_int_equal(stored, 1);
	outbox_clear(&raised);
	lifecycle_defaults(&f->policy);
	f->info = (struct daemon_info){.version = "test", .control = "ipc:///x/control.sock"};
	f->env = (struct control_env){.store = f->s,
	                              .info = &f->info,
	                              .stats = &f->stats,
	                              .out = &f->out,
	                              .policy = &f->policy};
	snprintf(f->backup, sizeof f->backup, "%s-copy", f->dir);
}

static void control_teardown(struct control_fixture *f)
{
	char file[600];
	snprintf(file, sizeof file, "%s/data.mdb", f->backup);
	unlink(file);
	rmdir(f->backup);
	store_close(&f->s);
	test_rmdir(f->dir);
}

static void backup_request(struct control_fixture *f, uint8_t *buf, size_t *len)
{
	Ffc__V1__BackupRequest br = FFC__V1__BACKUP_REQUEST__INIT;
	br.path = f->backup;
	Ffc__V1__ControlRequest rq = FFC__V1__CONTROL_REQUEST__INIT;
	rq.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_BACKUP;
	rq.backup = &br;
	*len = ffc__v1__control_request__pack(&rq, buf);
}

static Ffc__V1__ControlReply *reply_of(uint8_t *out, size_t len)
{
	assert_non_null(out);
	Ffc__V1__ControlReply *r = ffc__v1__control_reply__unpack(NULL, len, out);
	free(out);
	assert_non_null(r);
	return r;
}

static void run_pending(void *p)
{
	control_pending_run(p);
}

static void test_backup_answered_after_its_work_beside(void **state)
{
	(void)state;
	struct control_fixture f;
	control_setup(&f);
	uint8_t buf[1024], *out = NULL;
	size_t len, out_len = 0;
	backup_request(&f, buf, &len);
	struct control_pending *later = NULL;
	f.env.later = &later;
	uint64_t audited = 0;
	struct store_txn *t;
	assert_int_equal(store_begin(f.s, 0, &t), STORE_OK);
	audited = store_last_audit_seq(t);
	store_abort(&t);

	/* Handed back: no reply, nothing copied yet. */
	assert_int_equal(control_handle(&f.env, buf, len, T0 + DAY, &out, &out_len), CONTROL_LATER);
	assert_null(out);
	assert_non_null(later);
	struct stat st;
	assert_int_equal(stat(f.backup, &st), -1);

	char err[128];
	struct beside *b = beside_new(err, sizeof err);
	assert_non_null(b);
	assert_int_equal(beside_start(b, run_pending, later), 0);
	assert_true(readable(beside_fd(b), 30000));
	assert_ptr_equal(beside_take(b), later);
	f.env.later = NULL;
	assert_int_equal(control_resume(&later, &f.env, NULL, T0 + DAY, &out, &out_len),
	                 CONTROL_NONE);
	assert_null(later);
	Ffc__V1__ControlReply *r = reply_of(out, out_len);
	assert_string_equal(r->error, "");
	assert_int_equal(r->result_case, FFC__V1__CONTROL_REPLY__RESULT_BACKUP);
	assert_string_equal(r->backup->path, f.backup);
	assert_true(r->backup->bytes > 0);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	assert_int_equal(stat(f.backup, &st), 0);
	/* Audited in the loop, once the copy was made. */
	assert_int_equal(store_begin(f.s, 0, &t), STORE_OK);
	assert_int_equal(store_last_audit_seq(t), audited + 1);
	store_abort(&t);
	beside_destroy(&b);
	control_teardown(&f);
}

static void test_backup_that_cannot_start_says_why(void **state)
{
	(void)state;
	struct control_fixture f;
	control_setup(&f);
	uint8_t buf[1024], *out = NULL;
	size_t len, out_len = 0;
	backup_request(&f, buf, &len);
	struct control_pending *later = NULL;
	f.env.later = &later;
	assert_int_equal(control_handle(&f.env, buf, len, T0 + DAY, &out, &out_len), CONTROL_LATER);
	f.env.later = NULL;
	control_resume(&later, &f.env, "busy: try again", T0 + DAY, &out, &out_len);
	Ffc__V1__ControlReply *r = reply_of(out, out_len);
	assert_string_equal(r->error, "busy: try again");
	ffc__v1__control_reply__free_unpacked(r, NULL);
	struct stat st;
	assert_int_equal(stat(f.backup, &st), -1);

	/* Without env.later the work runs inside control_handle(). */
	assert_int_equal(control_handle(&f.env, buf, len, T0 + DAY, &out, &out_len), CONTROL_NONE);
	r = reply_of(out, out_len);
	assert_string_equal(r->error, "");
	assert_true(r->backup->bytes > 0);
	ffc__v1__control_reply__free_unpacked(r, NULL);
	control_teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_job_finishes_and_is_taken_once),
	    cmocka_unit_test(test_busy_past_the_limit_then_wait),
	    cmocka_unit_test(test_map_grows_only_when_no_reader_is_open),
	    cmocka_unit_test(test_backup_answered_after_its_work_beside),
	    cmocka_unit_test(test_backup_that_cannot_start_says_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
