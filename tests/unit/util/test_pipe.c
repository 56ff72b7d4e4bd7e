/* tests/unit/util/test_pipe.c -- a body written on one thread and read on another: order and
 * bytes, the reader suspended on an empty pipe and resumed by the writer (never a lost wake-up),
 * the end and a failure after the last byte, a filter applied per piece and at the close, and
 * the references. */
#include "util/pipe.h"

#include "util/clock.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A reader that sleeps on a condition variable while suspended, as a suspended connection
 * waits for libmicrohttpd's resume. */
typedef struct sleeper {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool suspended;
    bool refuse; /* may not wait any more (a server about to stop) */
    atomic_int suspends, resumes;
} sleeper_t;

static bool on_suspend(void *arg)
{
    sleeper_t *s = arg;
    pthread_mutex_lock(&s->mu);
    bool ok = !s->refuse;
    if (ok) {
        s->suspended = true;
        atomic_fetch_add(&s->suspends, 1);
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

static void on_resume(void *arg)
{
    sleeper_t *s = arg;
    pthread_mutex_lock(&s->mu);
    s->suspended = false;
    atomic_fetch_add(&s->resumes, 1);
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static void sleeper_init(sleeper_t *s, kr_pipe_t *p)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    kr_pipe_set_reader(p, &(kr_pipe_reader_t){on_suspend, on_resume, s});
}

/* Waits (at most 5 s) until the reader is no longer suspended. */
static void sleeper_wait(sleeper_t *s)
{
    pthread_mutex_lock(&s->mu);
    int64_t until = kr_clock_mono_ms() + 5000;
    while (s->suspended && kr_clock_mono_ms() < until) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 10 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&s->cv, &s->mu, &ts);
    }
    assert_false(s->suspended);
    pthread_mutex_unlock(&s->mu);
}

/* Reads everything (suspending as needed) into out. @return the last kr_pipe_read() result. */
static ssize_t read_all(kr_pipe_t *p, sleeper_t *s, char *out, size_t cap, size_t *got,
                        size_t block)
{
    *got = 0;
    for (;;) {
        size_t max = cap - *got < block ? cap - *got : block;
        ssize_t n = kr_pipe_read(p, out + *got, max);
        if (n < 0)
            return n;
        if (n == 0) {
            sleeper_wait(s);
            continue;
        }
        *got += (size_t)n;
    }
}

static void test_single_thread_order_and_end(void **state)
{
    (void)state;
    kr_pipe_t *p = kr_pipe_new(NULL, NULL, NULL);
    sleeper_t s;
    sleeper_init(&s, p);
    assert_int_equal(kr_pipe_write(p, "hello ", 6), 0);
    assert_int_equal(kr_pipe_write(p, "", 0), 0);
    assert_int_equal(kr_pipe_write(p, "world", 5), 0);
    char buf[4];
    assert_int_equal(kr_pipe_read(p, buf, 4), 4); /* across pieces and within one */
    assert_memory_equal(buf, "hell", 4);
    assert_int_equal(kr_pipe_read(p, buf, 4), 4);
    assert_memory_equal(buf, "o wo", 4);
    assert_int_equal(kr_pipe_read(p, buf, 4), 3);
    assert_memory_equal(buf, "rld", 3);
    assert_int_equal(kr_pipe_read(p, buf, 4), 0); /* empty, open: suspended */
    assert_int_equal(atomic_load(&s.suspends), 1);
    kr_pipe_close(p, false);
    assert_int_equal(atomic_load(&s.resumes), 1); /* the close wakes it */
    assert_int_equal(kr_pipe_read(p, buf, 4), KR_PIPE_END);
    assert_int_equal(kr_pipe_written(p), 11);
    assert_int_equal(kr_pipe_write(p, "x", 1), -1); /* closed */
    kr_pipe_unref(p);
}

static void test_failure_after_the_bytes(void **state)
{
    (void)state;
    kr_pipe_t *p = kr_pipe_new(NULL, NULL, NULL);
    sleeper_t s;
    sleeper_init(&s, p);
    assert_int_equal(kr_pipe_write(p, "abc", 3), 0);
    kr_pipe_close(p, true);
    char buf[8];
    assert_int_equal(kr_pipe_read(p, buf, 8), 3); /* what was written still goes out */
    assert_int_equal(kr_pipe_read(p, buf, 8), KR_PIPE_ERROR);
    assert_int_equal(atomic_load(&s.suspends), 0);
    kr_pipe_unref(p);
}

/* A filter that upper-cases and frames each call "<...>", with "$" at the end. */
static atomic_int g_state_freed;

static int frame_filter(void *st, const char *in, size_t n, bool last, kr_buf_t *out)
{
    int *calls = st;
    (*calls)++;
    if (n == 3 && memcmp(in, "BAD", 3) == 0)
        return -1;
    int rc = kr_buf_putc(out, '<');
    for (size_t i = 0; i < n; i++)
        rc |= kr_buf_putc(out, (char)(in[i] >= 'a' && in[i] <= 'z' ? in[i] - 32 : in[i]));
    rc |= kr_buf_putc(out, '>');
    if (last)
        rc |= kr_buf_putc(out, '$');
    return rc;
}

static void free_state(void *st)
{
    atomic_fetch_add(&g_state_freed, 1);
    free(st);
}

static void test_filter_per_piece_and_close(void **state)
{
    (void)state;
    int *calls = calloc(1, sizeof(int));
    atomic_store(&g_state_freed, 0);
    kr_pipe_t *p = kr_pipe_new(frame_filter, calls, free_state);
    sleeper_t s;
    sleeper_init(&s, p);
    assert_int_equal(kr_pipe_write(p, "ab", 2), 0);
    assert_int_equal(kr_pipe_write(p, "c", 1), 0);
    kr_pipe_close(p, false);
    char buf[64];
    size_t got;
    assert_int_equal(read_all(p, &s, buf, sizeof(buf), &got, 5), KR_PIPE_END);
    assert_int_equal(got, 10);
    assert_memory_equal(buf, "<AB><C><>$", 10);
    assert_int_equal(*calls, 3);
    kr_pipe_ref(p);
    kr_pipe_unref(p);
    assert_int_equal(atomic_load(&g_state_freed), 0); /* one reference left */
    kr_pipe_unref(p);
    assert_int_equal(atomic_load(&g_state_freed), 1);
}

static void test_filter_failure_closes_failed(void **state)
{
    (void)state;
    int *calls = calloc(1, sizeof(int));
    kr_pipe_t *p = kr_pipe_new(frame_filter, calls, free_state);
    sleeper_t s;
    sleeper_init(&s, p);
    assert_int_equal(kr_pipe_write(p, "ok", 2), 0);
    assert_int_equal(kr_pipe_read(p, (char[8]){0}, 8), 4);
    assert_int_equal(kr_pipe_read(p, (char[8]){0}, 8), 0); /* suspended */
    assert_int_equal(kr_pipe_write(p, "BAD", 3), -1);
    assert_int_equal(atomic_load(&s.resumes), 1); /* woken for the failure */
    assert_int_equal(kr_pipe_read(p, (char[8]){0}, 8), KR_PIPE_ERROR);
    assert_int_equal(kr_pipe_write(p, "more", 4), -1);
    kr_pipe_close(p, false); /* a no-op now */
    assert_int_equal(kr_pipe_read(p, (char[8]){0}, 8), KR_PIPE_ERROR);
    kr_pipe_unref(p);
}

static void test_abort_resumes_a_waiting_reader(void **state)
{
    (void)state;
    kr_pipe_t *p = kr_pipe_new(NULL, NULL, NULL);
    sleeper_t s;
    sleeper_init(&s, p);
    assert_int_equal(kr_pipe_write(p, "ab", 2), 0);
    char buf[8];
    assert_int_equal(kr_pipe_read(p, buf, 8), 2);
    assert_int_equal(kr_pipe_read(p, buf, 8), 0); /* suspended */
    kr_pipe_abort(p);                             /* the shutdown's thread */
    assert_int_equal(atomic_load(&s.resumes), 1);
    assert_int_equal(kr_pipe_read(p, buf, 8), KR_PIPE_ERROR);
    assert_int_equal(kr_pipe_write(p, "cd", 2), -1); /* the writer learns it at its next write */
    kr_pipe_close(p, false);
    kr_pipe_abort(p); /* twice: nothing more */
    assert_int_equal(atomic_load(&s.resumes), 1);
    assert_int_equal(kr_pipe_read(p, buf, 8), KR_PIPE_ERROR);
    kr_pipe_unref(p);
}

/* --- a writer thread against a reader thread --------------------------------------------- */

#define PIECES 2000

typedef struct writer_arg {
    kr_pipe_t *p;
} writer_arg_t;

static void *writer(void *arg)
{
    writer_arg_t *w = arg;
    char piece[1024];
    for (int i = 0; i < PIECES; i++) {
        size_t n = (size_t)(i % 997) + 1;
        for (size_t j = 0; j < n; j++)
            piece[j] = (char)((i + (int)j) & 0xff);
        assert_int_equal(kr_pipe_write(w->p, piece, n), 0);
        if (i % 64 == 0)
            usleep(100); /* let the reader run dry and suspend */
    }
    kr_pipe_close(w->p, false);
    kr_pipe_unref(w->p);
    return NULL;
}

/* A reader that may not wait any more (krest about to stop its daemons) is not suspended: it
 * gets KR_PIPE_ERROR where the pipe runs dry, after every byte that was there, and the writer
 * carries on without resuming anybody. */
static void test_refused_suspend_cuts_the_body(void **state)
{
    (void)state;
    kr_pipe_t *p = kr_pipe_new(NULL, NULL, NULL);
    sleeper_t s;
    sleeper_init(&s, p);
    assert_int_equal(kr_pipe_write(p, "abc", 3), 0);
    s.refuse = true;
    char buf[8] = {0};
    assert_int_equal(kr_pipe_read(p, buf, 8), 3);
    assert_memory_equal(buf, "abc", 3);
    assert_int_equal(kr_pipe_read(p, buf, 8), KR_PIPE_ERROR);
    assert_int_equal(atomic_load(&s.suspends), 0);
    assert_int_equal(kr_pipe_write(p, "de", 2), 0);
    kr_pipe_close(p, false);
    assert_int_equal(atomic_load(&s.resumes), 0); /* nobody was waiting */
    kr_pipe_unref(p);
}

static void test_threads_no_lost_wakeup(void **state)
{
    (void)state;
    for (int round = 0; round < 20; round++) {
        kr_pipe_t *p = kr_pipe_new(NULL, NULL, NULL);
        sleeper_t s;
        sleeper_init(&s, p);
        kr_pipe_ref(p); /* the writer's */
        writer_arg_t w = {p};
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, writer, &w), 0);
        size_t cap = 0;
        for (int i = 0; i < PIECES; i++)
            cap += (size_t)(i % 997) + 1;
        char *out = malloc(cap + 1);
        size_t got;
        assert_int_equal(read_all(p, &s, out, cap + 1, &got, 700), KR_PIPE_END);
        pthread_join(t, NULL);
        assert_int_equal(got, cap);
        size_t at = 0;
        for (int i = 0; i < PIECES; i++) {
            size_t n = (size_t)(i % 997) + 1;
            for (size_t j = 0; j < n; j++)
                assert_int_equal((unsigned char)out[at + j], (unsigned)((i + (int)j) & 0xff));
            at += n;
        }
        assert_int_equal(atomic_load(&s.suspends), atomic_load(&s.resumes));
        free(out);
        kr_pipe_unref(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_thread_order_and_end),
        cmocka_unit_test(test_failure_after_the_bytes),
        cmocka_unit_test(test_filter_per_piece_and_close),
        cmocka_unit_test(test_filter_failure_closes_failed),
        cmocka_unit_test(test_abort_resumes_a_waiting_reader),
        cmocka_unit_test(test_refused_suspend_cuts_the_body),
        cmocka_unit_test(test_threads_no_lost_wakeup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
