/* kafka/health.c -- the cluster's readiness, kept current by a check on the kafka loop (see
 * health.h). A snapshot of the metadata cache no older than one interval counts as an answer
 * (requests that need metadata fetched it anyway); otherwise the check sends its own probe,
 * a Metadata request for no topic (kafka_md_ping): an idle krest no longer fetches every
 * topic's metadata each second. Only one probe is in flight at a time: one that hangs for
 * client.timeout.ms does not pile up.
 * Threads: times are atomics; the last error's text is guarded by h->lock. */
#include "kafka/health.h"

#include "util/clock.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdatomic.h>

struct kafka_health {
    kafka_md_cache_t *md; /* borrowed */
    kafka_loop_watch_t *timer;
    int64_t timeout_ms;
    int64_t interval_ms;
    atomic_int refcnt;         /* main's reference, plus one while a check is in flight */
    atomic_bool in_flight;     /* a check waits for its answer */
    atomic_llong last_ok_ms;   /* monotonic start of the last fetch that answered; 0: never */
    atomic_llong last_fail_ms; /* monotonic time the last failed check ended; 0: never */
    pthread_mutex_t lock;
    kr_err_t last_error; /* guarded by lock: why the last failed check failed */
};

int64_t kafka_health_interval_ms(int64_t timeout_ms)
{
    int64_t half = timeout_ms / 2;
    return half < 100 ? 100 : half > 1000 ? 1000 : half;
}

static void release(kafka_health_t *h)
{
    if (atomic_fetch_sub(&h->refcnt, 1) != 1)
        return;
    pthread_mutex_destroy(&h->lock);
    xfree(h);
}

/* The probe's answer: on the worker that ran it, or right away on the checking thread. */
static void on_ping(void *arg, int64_t started_ms, const kr_err_t *err)
{
    kafka_health_t *h = arg;
    if (!err) {
        atomic_store(&h->last_ok_ms, started_ms);
    } else if (err->code != KR_ERR_TOO_MANY_REQUESTS) {
        /* A full worker queue says nothing about Kafka: only real failures count. */
        pthread_mutex_lock(&h->lock);
        h->last_error = *err;
        pthread_mutex_unlock(&h->lock);
        atomic_store(&h->last_fail_ms, kr_clock_mono_ms());
    }
    atomic_store(&h->in_flight, false);
    release(h);
}

/* On the kafka loop: a cached snapshot no older than one interval is an answer; else one
 * probe, unless the last is still unanswered. */
static void check(void *arg)
{
    kafka_health_t *h = arg;
    if (atomic_load(&h->in_flight))
        return;
    kafka_md_t *md = kafka_md_peek(h->md);
    int64_t started = md ? md->started_ms : 0;
    kafka_md_release(md);
    if (md && started >= kr_clock_mono_ms() - h->interval_ms) {
        if (started > atomic_load(&h->last_ok_ms))
            atomic_store(&h->last_ok_ms, started);
        return;
    }
    if (atomic_exchange(&h->in_flight, true))
        return;
    atomic_fetch_add(&h->refcnt, 1);
    kafka_md_ping(h->md, on_ping, h);
}

kafka_health_t *kafka_health_new(kafka_loop_t *loop, kafka_md_cache_t *md, int64_t timeout_ms,
                                 kr_err_t *err)
{
    kafka_health_t *h = xcalloc(1, sizeof(*h));
    h->md = md;
    h->timeout_ms = timeout_ms;
    h->interval_ms = kafka_health_interval_ms(timeout_ms);
    atomic_init(&h->refcnt, 1);
    atomic_init(&h->in_flight, false);
    atomic_init(&h->last_ok_ms, 0);
    atomic_init(&h->last_fail_ms, 0);
    pthread_mutex_init(&h->lock, NULL);
    h->timer = kafka_loop_every(loop, h->interval_ms, check, h, err);
    if (!h->timer) {
        release(h);
        return NULL;
    }
    check(h); /* the first answer should not wait for the first tick */
    return h;
}

void kafka_health_free(kafka_health_t *h, kafka_loop_t *loop)
{
    if (!h)
        return;
    kafka_loop_unwatch(loop, h->timer);
    release(h);
}

bool kafka_health_ready(kafka_health_t *h, kr_err_t *why)
{
    int64_t now = kr_clock_mono_ms();
    int64_t ok = atomic_load(&h->last_ok_ms);
    int64_t fail = atomic_load(&h->last_fail_ms);
    if (ok > 0 && fail <= ok && now - ok <= h->timeout_ms + h->interval_ms)
        return true;
    kr_err_t last = {0};
    if (fail > ok) {
        pthread_mutex_lock(&h->lock);
        last = h->last_error;
        pthread_mutex_unlock(&h->lock);
    }
    const char *sep = last.msg[0] ? ": " : "";
    if (ok == 0)
        kr_err_set(why, KR_ERR_BROKER_NOT_AVAILABLE, "no metadata answer yet%s%s", sep, last.msg);
    else
        kr_err_set(why, KR_ERR_BROKER_NOT_AVAILABLE,
                   "no metadata answer within %lld ms (last answer %lld ms ago)%s%s",
                   (long long)h->timeout_ms, (long long)(now - ok), sep, last.msg);
    return false;
}
