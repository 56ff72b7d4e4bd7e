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
 * destroyed under it) and the turn, and gives both back when librdkafka answers. The calls
 * that API requests make on a worker and that also wait for librdkafka's main thread without a
 * bound (subscribe, unsubscribe, assignment, subscription) run the same way, without the turn,
 * so a stuck main thread never keeps a worker longer than client.timeout.ms.
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

/* --- bounded calls ------------------------------------------------------------------------ */

typedef struct bounded_call {
    kafka_consumer_t *c; /* a reference of the call's own */
    kafka_consumer_call_t op;
    rd_kafka_topic_partition_list_t *parts; /* owned: assign's or subscribe's copy (NULL
                                               unassigns), or the list a query answers */
    kafka_consumer_after_fn after;          /* run by the thread when abandoned; may be NULL */
    bool holds_turn;                        /* an assign: the thread gives the turn back */
    rd_kafka_resp_err_t e;                  /* c->lock */
    bool done, abandoned;                   /* c->lock */
} bounded_call_t;

static const char *const call_names[] = {"assign", "subscribe", "unsubscribe", "assignment",
                                         "subscription"};

/* Each of these waits without a bound for librdkafka's main thread (librdkafka 2.0.2 posts an
 * op to the consumer group and waits for its reply for ever). */
static rd_kafka_resp_err_t run_call(bounded_call_t *a)
{
    rd_kafka_t *rk = a->c->rk;
    rd_kafka_topic_partition_list_t *out = NULL;
    rd_kafka_resp_err_t e;
    switch (a->op) {
    case KAFKA_CALL_ASSIGN:
        return rd_kafka_assign(rk, a->parts);
    case KAFKA_CALL_SUBSCRIBE:
        return rd_kafka_subscribe(rk, a->parts);
    case KAFKA_CALL_UNSUBSCRIBE:
        return rd_kafka_unsubscribe(rk);
    case KAFKA_CALL_ASSIGNMENT:
        e = rd_kafka_assignment(rk, &out);
        break;
    default:
        e = rd_kafka_subscription(rk, &out);
        break;
    }
    pthread_mutex_lock(&a->c->lock);
    a->parts = out; /* read by the caller once done is set */
    pthread_mutex_unlock(&a->c->lock);
    return e;
}

static void call_free(bounded_call_t *a)
{
    if (a->parts)
        rd_kafka_topic_partition_list_destroy(a->parts);
    xfree(a);
}

static void *call_thread(void *arg)
{
    bounded_call_t *a = arg;
    kafka_consumer_t *c = a->c;
    rd_kafka_resp_err_t e = run_call(a);
    pthread_mutex_lock(&c->lock);
    a->e = e;
    a->done = true;
    bool abandoned = a->abandoned;
    pthread_cond_broadcast(&c->turn_cond);
    pthread_mutex_unlock(&c->lock);
    if (!abandoned)
        return NULL; /* the caller frees a */
    log_warn("consumer %s/%s: an abandoned %s ended (%s)", c->group, c->name, call_names[a->op],
             rd_kafka_err2str(e));
    if (a->after)
        a->after(c, e);
    if (a->holds_turn)
        kafka_consumer_turn_give(c);
    call_free(a);
    kafka_consumer_release(c);
    return NULL;
}

int kafka_consumer_call_bounded(kafka_consumer_t *c, kafka_consumer_call_t op,
                                const rd_kafka_topic_partition_list_t *parts, int64_t timeout_ms,
                                kafka_consumer_after_fn after, rd_kafka_resp_err_t *e,
                                rd_kafka_topic_partition_list_t **out)
{
    bounded_call_t *a = xcalloc(1, sizeof(*a));
    a->c = c;
    a->op = op;
    a->parts = parts ? rd_kafka_topic_partition_list_copy(parts) : NULL;
    a->after = after;
    a->holds_turn = op == KAFKA_CALL_ASSIGN;
    __atomic_add_fetch(&c->refcnt, 1, __ATOMIC_ACQ_REL);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, call_thread, a);
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
        log_warn("consumer %s/%s: %s did not return within %lld ms; abandoned", c->group, c->name,
                 call_names[op], (long long)timeout_ms);
        return 1;
    }
    if (out) {
        *out = a->parts;
        a->parts = NULL;
    }
    call_free(a);
    kafka_consumer_release(c);
    return 0;
}

int kafka_consumer_assign_bounded(kafka_consumer_t *c, const rd_kafka_topic_partition_list_t *parts,
                                  int64_t timeout_ms, kafka_consumer_after_fn after,
                                  rd_kafka_resp_err_t *e)
{
    return kafka_consumer_call_bounded(c, KAFKA_CALL_ASSIGN, parts, timeout_ms, after, e, NULL);
}

/* --- what the bounded calls of consumer.c do ------------------------------------------- */

/* The end of a subscribe (kafka_consumer_after_fn), by the caller or an abandoned call. */
void kafka_consumer_subscribed(kafka_consumer_t *c, rd_kafka_resp_err_t e)
{
    if (e)
        return;
    pthread_mutex_lock(&c->lock);
    c->subscribed = true;
    c->first_read = true;
    pthread_mutex_unlock(&c->lock);
}

/* The end of an unsubscribe (kafka_consumer_after_fn), by the caller or an abandoned call. */
void kafka_consumer_unsubscribed(kafka_consumer_t *c, rd_kafka_resp_err_t e)
{
    if (e)
        return;
    pthread_mutex_lock(&c->lock);
    c->subscribed = false;
    kafka_consumer_unpause(c, NULL, false);
    kafka_consumer_buf_drop(c, NULL);
    pthread_mutex_unlock(&c->lock);
}

/* rd_kafka_assignment() or rd_kafka_subscription(), bounded by client.timeout.ms.
 * @return owned list, or NULL with err set. */
rd_kafka_topic_partition_list_t *kafka_consumer_query(kafka_consumer_t *c, kafka_consumer_call_t op,
                                                      kr_err_t *err)
{
    const char *what = op == KAFKA_CALL_ASSIGNMENT ? "assignment" : "subscription";
    rd_kafka_topic_partition_list_t *l = NULL;
    rd_kafka_resp_err_t e;
    if (kafka_consumer_call_bounded(c, op, NULL, c->reg->cfg->client_timeout_ms, NULL, &e, &l)) {
        kr_err_set(err, KR_ERR_KAFKA_RETRIABLE, "%s timed out", what);
        return NULL;
    }
    if (e || !l) {
        if (l)
            rd_kafka_topic_partition_list_destroy(l);
        kr_err_set(err, KR_ERR_KAFKA, "%s: %s", what, rd_kafka_err2str(e));
        return NULL;
    }
    return l;
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
