/* tests/unit/util/test_pending.c -- completion slots: complete, deadline, stale handles,
 * abandon, expire-all, completions racing from many threads. */
#include "util/pending.h"

#include "util/clock.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct owner {
    atomic_int woken;
} owner_t;

static atomic_int g_freed;

static void wake(void *o)
{
    atomic_fetch_add(&((owner_t *)o)->woken, 1);
}

static void free_result(void *r)
{
    atomic_fetch_add(&g_freed, 1);
    free(r);
}

static void wait_woken(owner_t *o, int n)
{
    int64_t until = kr_clock_mono_ms() + 5000;
    while (atomic_load(&o->woken) < n && kr_clock_mono_ms() < until)
        usleep(1000);
    assert_int_equal(atomic_load(&o->woken), n);
}

static void test_complete_then_take(void **state)
{
    (void)state;
    owner_t o = {0};
    kr_handle_t h = kr_pending_open(&o, wake, 0);
    int *res = malloc(sizeof(int));
    *res = 42;
    assert_int_equal(kr_pending_complete(h, res, free_result), 0);
    assert_int_equal(atomic_load(&o.woken), 1);
    bool timed_out = true;
    int *got = kr_pending_take(h, &timed_out);
    assert_false(timed_out);
    assert_ptr_equal(got, res);
    free(got);
    /* The handle is stale now: a second completion is dropped and its result freed. */
    int before = atomic_load(&g_freed);
    assert_int_equal(kr_pending_complete(h, malloc(1), free_result), -1);
    assert_int_equal(atomic_load(&g_freed), before + 1);
}

static void test_deadline(void **state)
{
    (void)state;
    owner_t o = {0};
    int64_t t0 = kr_clock_mono_ms();
    kr_handle_t late = kr_pending_open(&o, wake, t0 + 60000);
    kr_handle_t h = kr_pending_open(&o, wake, t0 + 50);
    wait_woken(&o, 1);
    assert_true(kr_clock_mono_ms() - t0 >= 50);
    bool timed_out = false;
    assert_null(kr_pending_take(h, &timed_out));
    assert_true(timed_out);
    int before = atomic_load(&g_freed);
    assert_int_equal(kr_pending_complete(h, malloc(1), free_result), -1);
    assert_int_equal(atomic_load(&g_freed), before + 1);
    /* The other slot is untouched; abandoning it makes its completion a no-op. */
    assert_null(kr_pending_take(late, &timed_out));
    assert_true(timed_out);
    assert_int_equal(kr_pending_complete(late, malloc(1), free_result), -1);
    assert_int_equal(atomic_load(&o.woken), 1);
}

static void test_expire_all(void **state)
{
    (void)state;
    owner_t o = {0};
    kr_handle_t h[10];
    for (int i = 0; i < 10; i++)
        h[i] = kr_pending_open(&o, wake, i % 2 ? 0 : kr_clock_mono_ms() + 100000);
    assert_int_equal(kr_pending_count(), 10);
    kr_pending_expire_all();
    assert_int_equal(atomic_load(&o.woken), 10);
    for (int i = 0; i < 10; i++) {
        bool timed_out = false;
        assert_null(kr_pending_take(h[i], &timed_out));
        assert_true(timed_out);
    }
    assert_int_equal(kr_pending_count(), 0);
}

#define N_RACE 4000

static kr_handle_t g_race[N_RACE];

static void *completer(void *arg)
{
    intptr_t part = (intptr_t)arg;
    for (int i = (int)part; i < N_RACE; i += 4)
        kr_pending_complete(g_race[i], malloc(8), free_result);
    return NULL;
}

static void test_race(void **state)
{
    (void)state;
    owner_t o = {0};
    for (int i = 0; i < N_RACE; i++)
        g_race[i] = kr_pending_open(&o, wake, kr_clock_mono_ms() + (i % 3 ? 1 : 100000));
    pthread_t t[4];
    for (intptr_t i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, completer, (void *)i);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    wait_woken(&o, N_RACE); /* each slot woken exactly once: by completion or by deadline */
    for (int i = 0; i < N_RACE; i++) {
        bool timed_out;
        free(kr_pending_take(g_race[i], &timed_out));
    }
    assert_int_equal(kr_pending_count(), 0);
}

static int setup(void **state)
{
    (void)state;
    return kr_pending_start();
}

static int teardown(void **state)
{
    (void)state;
    kr_pending_stop();
    return 0;
}

static void test_after_fires_once_and_closes(void **state)
{
    (void)state;
    owner_t o = {0}, p = {0};
    size_t before = kr_pending_count();
    kr_pending_after(kr_clock_mono_ms() + 20, wake, &o);
    assert_int_equal(kr_pending_count(), before + 1); /* counts until it fires */
    wait_woken(&o, 1);
    int64_t until = kr_clock_mono_ms() + 5000;
    while (kr_pending_count() != before && kr_clock_mono_ms() < until)
        usleep(1000);
    assert_int_equal(kr_pending_count(), before); /* closed itself */
    usleep(50 * 1000);
    assert_int_equal(atomic_load(&o.woken), 1); /* once */
    /* a shutdown fires one that is not due yet, at once */
    kr_pending_after(kr_clock_mono_ms() + 60000, wake, &p);
    kr_pending_expire_all();
    assert_int_equal(atomic_load(&p.woken), 1);
    assert_int_equal(kr_pending_count(), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_then_take),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_expire_all),
        cmocka_unit_test(test_race),
        cmocka_unit_test(test_after_fires_once_and_closes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
