/* util/workq.c -- bounded worker pool. Threads: submit from any; fields guarded by q->lock. */
#include "util/workq.h"

#include "util/mem.h"
#include "util/metrics.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

typedef struct job {
    kr_workq_fn fn;
    void *arg;
} job_t;

struct kr_workq {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_cond_t exited_cond; /* a worker left worker_main */
    size_t exited;              /* workers that left worker_main */
    job_t *ring;                /* max_queued entries */
    size_t max_queued, head, len;
    bool stopping;
    pthread_t *threads;
    size_t n_threads;
};

static void *worker_main(void *arg)
{
    kr_workq_t *q = arg;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (q->len == 0 && !q->stopping)
            pthread_cond_wait(&q->cond, &q->lock);
        if (q->len == 0)
            break;
        job_t job = q->ring[q->head];
        q->head = (q->head + 1) % q->max_queued;
        q->len--;
        kr_metrics_add(KR_M_WORKER_QUEUE_DEPTH, -1);
        pthread_mutex_unlock(&q->lock);
        job.fn(job.arg);
        pthread_mutex_lock(&q->lock);
    }
    q->exited++;
    pthread_cond_broadcast(&q->exited_cond);
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

kr_workq_t *kr_workq_new(size_t n_threads, size_t max_queued)
{
    kr_workq_t *q = xcalloc(1, sizeof(*q));
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->cond, NULL);
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&q->exited_cond, &a);
    pthread_condattr_destroy(&a);
    q->max_queued = max_queued ? max_queued : 1;
    q->ring = xcalloc(q->max_queued, sizeof(job_t));
    q->threads = xcalloc(n_threads, sizeof(pthread_t));
    for (size_t i = 0; i < n_threads; i++) {
        if (pthread_create(&q->threads[i], NULL, worker_main, q) != 0) {
            kr_workq_free(q);
            return NULL;
        }
        q->n_threads++;
    }
    return q;
}

int kr_workq_submit(kr_workq_t *q, kr_workq_fn fn, void *arg)
{
    pthread_mutex_lock(&q->lock);
    if (q->stopping || q->len == q->max_queued) {
        pthread_mutex_unlock(&q->lock);
        kr_metrics_add(KR_M_WORKER_REJECTED, !q->stopping);
        return -1;
    }
    q->ring[(q->head + q->len) % q->max_queued] = (job_t){fn, arg};
    q->len++;
    kr_metrics_add(KR_M_WORKER_QUEUE_DEPTH, 1);
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

size_t kr_workq_waiting(kr_workq_t *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->len;
    pthread_mutex_unlock(&q->lock);
    return n;
}

/* The pool is kept, never freed, when workers are abandoned: they still use it. */
static kr_workq_t *abandoned_pool;

size_t kr_workq_free_within(kr_workq_t *q, int64_t deadline_ms)
{
    if (!q)
        return 0;
    pthread_mutex_lock(&q->lock);
    q->stopping = true;
    pthread_cond_broadcast(&q->cond);
    struct timespec ts = {.tv_sec = deadline_ms / 1000, .tv_nsec = (deadline_ms % 1000) * 1000000L};
    while (q->exited < q->n_threads) {
        if (deadline_ms < 0)
            pthread_cond_wait(&q->exited_cond, &q->lock);
        else if (pthread_cond_timedwait(&q->exited_cond, &q->lock, &ts) == ETIMEDOUT)
            break;
    }
    size_t busy = q->n_threads - q->exited;
    if (busy > 0) {
        q->len = 0; /* what is still queued never runs */
        pthread_mutex_unlock(&q->lock);
        for (size_t i = 0; i < q->n_threads; i++)
            pthread_detach(q->threads[i]);
        abandoned_pool = q;
        return busy;
    }
    pthread_mutex_unlock(&q->lock);
    for (size_t i = 0; i < q->n_threads; i++)
        pthread_join(q->threads[i], NULL);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cond);
    pthread_cond_destroy(&q->exited_cond);
    xfree(q->ring);
    xfree(q->threads);
    xfree(q);
    return 0;
}

void kr_workq_free(kr_workq_t *q)
{
    (void)kr_workq_free_within(q, -1);
}
