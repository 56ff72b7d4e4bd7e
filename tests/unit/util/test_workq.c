/* tests/unit/util/test_workq.c -- the worker pool: jobs run, the waiting count (what a long job
 * in steps looks at before it hands its next step back), a full queue refuses, free runs what
 * is queued. */
#include "util/workq.h"

#include "util/clock.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

static atomic_int g_ran;
static atomic_int g_started;
static atomic_bool g_release;

static void count_job(void *arg)
{
    (void)arg;
    atomic_fetch_add(&g_ran, 1);
}

/* Holds its worker until g_release. */
static void blocking_job(void *arg)
{
    (void)arg;
    atomic_fetch_add(&g_started, 1);
    while (!atomic_load(&g_release))
        usleep(1000);
    atomic_fetch_add(&g_ran, 1);
}

static void wait_for(atomic_int *v, int n)
{
    int64_t until = kr_clock_mono_ms() + 5000;
    while (atomic_load(v) < n && kr_clock_mono_ms() < until)
        usleep(1000);
    assert_int_equal(atomic_load(v), n);
}

static void reset(void)
{
    atomic_store(&g_ran, 0);
    atomic_store(&g_started, 0);
    atomic_store(&g_release, false);
}

static void test_jobs_run(void **state)
{
    (void)state;
    reset();
    kr_workq_t *q = kr_workq_new(2, 16);
    assert_non_null(q);
    for (int i = 0; i < 10; i++)
        assert_int_equal(kr_workq_submit(q, count_job, NULL), 0);
    wait_for(&g_ran, 10);
    assert_int_equal(kr_workq_waiting(q), 0);
    kr_workq_free(q);
}

static void test_waiting_counts_queued_jobs(void **state)
{
    (void)state;
    reset();
    kr_workq_t *q = kr_workq_new(2, 4);
    assert_int_equal(kr_workq_submit(q, blocking_job, NULL), 0);
    assert_int_equal(kr_workq_submit(q, blocking_job, NULL), 0);
    wait_for(&g_started, 2); /* both workers held */
    assert_int_equal(kr_workq_waiting(q), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(kr_workq_submit(q, count_job, NULL), 0);
    assert_int_equal(kr_workq_waiting(q), 4);
    assert_int_equal(kr_workq_submit(q, count_job, NULL), -1); /* full: refused, not run */
    atomic_store(&g_release, true);
    wait_for(&g_ran, 6);
    assert_int_equal(kr_workq_waiting(q), 0);
    kr_workq_free(q);
    assert_int_equal(atomic_load(&g_ran), 6);
}

static void test_free_runs_what_is_queued(void **state)
{
    (void)state;
    reset();
    kr_workq_t *q = kr_workq_new(1, 8);
    assert_int_equal(kr_workq_submit(q, blocking_job, NULL), 0);
    wait_for(&g_started, 1);
    for (int i = 0; i < 5; i++)
        assert_int_equal(kr_workq_submit(q, count_job, NULL), 0);
    atomic_store(&g_release, true);
    kr_workq_free(q); /* joins after the queued jobs ran */
    assert_int_equal(atomic_load(&g_ran), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jobs_run),
        cmocka_unit_test(test_waiting_counts_queued_jobs),
        cmocka_unit_test(test_free_runs_what_is_queued),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
