/* kafka/consumer_turn.c -- one manual move at a time per consumer instance, and an assign
 * whose wait has a bound (issue 19, findings 1 and 2).
 *
 * DESIGN. librdkafka 2.0.2 aborts (rdkafka_assignment.c: rktp_started) when seeks, re-assigns
 * and the close run on one handle from several threads at once, and rd_kafka_assign() waits
 * without a bound for librdkafka's main thread. So every seek, assign, commit and the close
 * take the instance's turn (c->turn, a flag under c->lock, waited for with a deadline, never a
 * mutex held across the call: an abandoned assign still holds it), and an assign runs on a
 * thread of its own that the caller waits for with a deadline. An assign that outlives its
 * deadline is abandoned: its thread keeps a reference to the instance (so the handle is never
 * destroyed under it) and the turn, and gives both back when librdkafka answers.
 * Threads: any thread but the kafka loop; c->lock guards turn, closed and each call's done. */
#include "kafka/consumer_int.h"

#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <string.h>
#include <time.h>

void kafka_consumer_turn_init(kafka_consumer_t *c)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&c->turn_cond, &a);
    pthread_condattr_destroy(&a);
}

/* Waits on turn_cond until deadline (monotonic ms). Lock held. @return ETIMEDOUT or 0. */
static int wait_until(kafka_consumer_t *c, int64_t deadline)
{
    struct timespec ts = {.tv_sec = deadline / 1000, .tv_nsec = (deadline % 1000) * 1000000L};
    return pthread_cond_timedwait(&c->turn_cond, &c->lock, &ts);
}

int kafka_consumer_turn_take(kafka_consumer_t *c, int64_t timeout_ms, bool closing, kr_err_t *err)
{
    int64_t deadline = kr_clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&c->lock);
    while (c->turn && !c->closed && kr_clock_mono_ms() < deadline)
        wait_until(c, deadline);
    bool closed = c->closed, busy = c->turn;
    if (!closed && !busy)
        c->turn = true;
    if (closing)
        c->closed = true; /* no move starts after the close, whether it got the turn or not */
    pthread_mutex_unlock(&c->lock);
    if (closed)
        return kr_err_set(err, KR_ERR_CONSUMER_INSTANCE_NOT_FOUND, "Consumer instance not found.");
    if (busy)
        return kr_err_set(err, KR_ERR_TOO_MANY_REQUESTS,
                          "Too many requests: another seek, assign or commit of this consumer "
                          "instance is still running, retry later");
    return 0;
}

void kafka_consumer_turn_give(kafka_consumer_t *c)
{
    pthread_mutex_lock(&c->lock);
    c->turn = false;
    pthread_cond_broadcast(&c->turn_cond);
    pthread_mutex_unlock(&c->lock);
}

/* --- the bounded assign ------------------------------------------------------------------ */

typedef struct assign_call {
    kafka_consumer_t *c;                    /* a reference of the call's own */
    rd_kafka_topic_partition_list_t *parts; /* owned copy; NULL unassigns */
    kafka_consumer_after_fn after;          /* run by the thread when abandoned */
    rd_kafka_resp_err_t e;                  /* c->lock */
    bool done, abandoned;                   /* c->lock */
} assign_call_t;

static void *assign_thread(void *arg)
{
    assign_call_t *a = arg;
    kafka_consumer_t *c = a->c;
    rd_kafka_resp_err_t e = rd_kafka_assign(c->rk, a->parts);
    pthread_mutex_lock(&c->lock);
    a->e = e;
    a->done = true;
    bool abandoned = a->abandoned;
    pthread_cond_broadcast(&c->turn_cond);
    pthread_mutex_unlock(&c->lock);
    if (!abandoned)
        return NULL; /* the caller frees a */
    log_warn("consumer %s/%s: an abandoned assign ended (%s)", c->group, c->name,
             rd_kafka_err2str(e));
    a->after(c, e);
    kafka_consumer_turn_give(c);
    if (a->parts)
        rd_kafka_topic_partition_list_destroy(a->parts);
    xfree(a);
    kafka_consumer_release(c);
    return NULL;
}

int kafka_consumer_assign_bounded(kafka_consumer_t *c, const rd_kafka_topic_partition_list_t *parts,
                                  int64_t timeout_ms, kafka_consumer_after_fn after,
                                  rd_kafka_resp_err_t *e)
{
    assign_call_t *a = xcalloc(1, sizeof(*a));
    a->c = c;
    a->parts = parts ? rd_kafka_topic_partition_list_copy(parts) : NULL;
    a->after = after;
    __atomic_add_fetch(&c->refcnt, 1, __ATOMIC_ACQ_REL);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, assign_thread, a);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        a->done = true;
        a->e = RD_KAFKA_RESP_ERR__RESOLVE; /* "could not run": the caller answers an error */
    }
    int64_t deadline = kr_clock_mono_ms() + timeout_ms;
    pthread_mutex_lock(&c->lock);
    while (!a->done && kr_clock_mono_ms() < deadline)
        (void)wait_until(c, deadline);
    bool done = a->done;
    a->abandoned = !done;
    *e = done ? a->e : RD_KAFKA_RESP_ERR__TIMED_OUT;
    pthread_mutex_unlock(&c->lock);
    if (!done) {
        log_warn("consumer %s/%s: assign did not return within %lld ms; abandoned (the instance "
                 "refuses moves until it returns)",
                 c->group, c->name, (long long)timeout_ms);
        return 1;
    }
    if (a->parts)
        rd_kafka_topic_partition_list_destroy(a->parts);
    xfree(a);
    kafka_consumer_release(c);
    return 0;
}

/* --- duplicates ---------------------------------------------------------------------------- */

rd_kafka_topic_partition_list_t *kafka_consumer_dedup(const rd_kafka_topic_partition_list_t *l)
{
    rd_kafka_topic_partition_list_t *out = rd_kafka_topic_partition_list_new(l->cnt ? l->cnt : 1);
    for (int i = l->cnt - 1; i >= 0; i--) { /* the last of each partition wins */
        const rd_kafka_topic_partition_t *p = &l->elems[i];
        if (rd_kafka_topic_partition_list_find(out, p->topic, p->partition))
            continue;
        rd_kafka_topic_partition_t *q =
            rd_kafka_topic_partition_list_add(out, p->topic, p->partition);
        q->offset = p->offset;
        if (p->metadata && p->metadata_size) {
            q->metadata = xmalloc(p->metadata_size);
            memcpy(q->metadata, p->metadata, p->metadata_size);
            q->metadata_size = p->metadata_size;
        }
    }
    return out;
}
