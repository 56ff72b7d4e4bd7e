/* kafka/admin.c -- the core of the asynchronous admin layer (kafka/admin.h): one librdkafka
 * result queue served by the kafka loop, and the request object every family uses.
 *
 * DESIGN. A call reserves an admin_op_t (admin_op_new: refused while shutting down or when
 * KAFKA_ADMIN_MAX_INFLIGHT are in flight), builds its librdkafka arguments, and issues the
 * request with the op as the options' opaque on a's queue. librdkafka's own timer ends every
 * request by its request timeout, so every op gets exactly one result event. When the queue
 * fills, the loop runs serve(): each event goes to its op's on_event, which converts it into
 * the family's plain result and calls admin_op_done() -- or issues the op's next step (the
 * read-modify-write of configs). kafka_admin_free waits for the count of ops in flight to fall
 * to zero.
 * May use: util/, librdkafka. Threads: calls from any thread; serve() on the kafka loop. */
#include "kafka/admin_int.h"

#include "kafka/errors.h"
#include "kafka/loop.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

/* How long kafka_admin_free waits past the last deadline for a result librdkafka owes. */
#define ADMIN_GRACE_MS 5000

struct kafka_admin {
    rd_kafka_t *rk;
    kafka_loop_t *loop;
    rd_kafka_queue_t *q;
    kafka_loop_watch_t *watch;
    pthread_mutex_t lock;
    pthread_cond_t idle;      /* signalled when inflight falls to zero (lock) */
    size_t inflight;          /* ops between admin_op_new and their end (lock) */
    bool closing;             /* kafka_admin_free began: no new op (lock) */
    int64_t last_deadline_ms; /* the latest deadline of any op (lock) */
    admin_op_t *deferred;     /* ops to fail on the loop (lock) */
    int auto_create;          /* the cluster's auto.create.topics.enable: 1, 0; -1 unread (lock) */
    int64_t auto_create_ms;   /* monotonic time auto_create was read (lock) */
};

/* Fails the ops of admin_op_defer_fail(), on the loop thread. */
static void fail_deferred(kafka_admin_t *a)
{
    pthread_mutex_lock(&a->lock);
    admin_op_t *op = a->deferred;
    a->deferred = NULL;
    pthread_mutex_unlock(&a->lock);
    while (op) {
        admin_op_t *next = op->next;
        admin_op_fail(op, &op->deferred);
        op = next;
    }
}

static void serve(void *arg)
{
    kafka_admin_t *a = arg;
    fail_deferred(a);
    for (;;) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(a->q, 0);
        if (!ev)
            break;
        admin_op_t *op = rd_kafka_event_opaque(ev);
        if (op)
            op->on_event(op, ev);
        else
            log_warn("kafka admin: a %s event without its request", rd_kafka_event_name(ev));
        rd_kafka_event_destroy(ev);
    }
}

kafka_admin_t *kafka_admin_new(rd_kafka_t *rk, kafka_loop_t *loop, kr_err_t *err)
{
    kafka_admin_t *a = xcalloc(1, sizeof(*a));
    a->rk = rk;
    a->loop = loop;
    a->q = rd_kafka_queue_new(rk);
    a->auto_create = -1;
    pthread_mutex_init(&a->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&a->idle, &attr);
    pthread_condattr_destroy(&attr);
    a->watch = kafka_loop_watch(loop, a->q, serve, a, err);
    if (!a->watch) {
        rd_kafka_queue_destroy(a->q);
        pthread_cond_destroy(&a->idle);
        pthread_mutex_destroy(&a->lock);
        xfree(a);
        return NULL;
    }
    return a;
}

/* Waits until no op is in flight or the last deadline plus the grace has passed.
 * @return the ops still in flight. */
static size_t wait_idle(kafka_admin_t *a)
{
    pthread_mutex_lock(&a->lock);
    a->closing = true;
    int64_t until = a->last_deadline_ms + ADMIN_GRACE_MS;
    while (a->inflight > 0 && kr_clock_mono_ms() < until) {
        struct timespec ts = kr_clock_after(CLOCK_MONOTONIC, until - kr_clock_mono_ms());
        int rc = pthread_cond_timedwait(&a->idle, &a->lock, &ts);
        if (rc != 0 && rc != ETIMEDOUT && rc != EINTR)
            break;
    }
    size_t left = a->inflight;
    pthread_mutex_unlock(&a->lock);
    return left;
}

void kafka_admin_free(kafka_admin_t *a)
{
    if (!a)
        return;
    size_t abandoned = wait_idle(a);
    kafka_loop_unwatch(a->loop, a->watch);
    if (abandoned > 0)
        log_error("kafka admin: %zu request(s) without a result past their deadline abandoned",
                  abandoned);
    rd_kafka_queue_destroy(a->q);
    pthread_cond_destroy(&a->idle);
    pthread_mutex_destroy(&a->lock);
    xfree(a);
}

int kafka_admin_auto_create_peek(kafka_admin_t *a, int64_t max_age_ms)
{
    int64_t now = kr_clock_mono_ms();
    pthread_mutex_lock(&a->lock);
    int v = a->auto_create >= 0 && now - a->auto_create_ms <= max_age_ms ? a->auto_create : -1;
    pthread_mutex_unlock(&a->lock);
    return v;
}

void admin_auto_create_store(kafka_admin_t *a, bool enabled)
{
    pthread_mutex_lock(&a->lock);
    a->auto_create = enabled;
    a->auto_create_ms = kr_clock_mono_ms();
    pthread_mutex_unlock(&a->lock);
}

admin_op_t *admin_op_new(kafka_admin_t *a, admin_event_fn on_event, kafka_admin_cb cb, void *arg,
                         int64_t timeout_ms, kr_err_t *err)
{
    if (timeout_ms <= 0)
        timeout_ms = 1;
    int64_t deadline = kr_clock_mono_ms() + timeout_ms;
    pthread_mutex_lock(&a->lock);
    int code = a->closing                                ? KR_ERR_SHUTTING_DOWN
               : a->inflight >= KAFKA_ADMIN_MAX_INFLIGHT ? KR_ERR_TOO_MANY_REQUESTS
                                                         : KR_ERR_NONE;
    if (code == KR_ERR_NONE) {
        a->inflight++;
        if (deadline > a->last_deadline_ms)
            a->last_deadline_ms = deadline;
    }
    pthread_mutex_unlock(&a->lock);
    if (code == KR_ERR_SHUTTING_DOWN) {
        kr_err_set(err, code, "krest is shutting down");
        return NULL;
    }
    if (code != KR_ERR_NONE) {
        kr_err_set(err, code, "too many Kafka admin requests in flight (%d)",
                   KAFKA_ADMIN_MAX_INFLIGHT);
        return NULL;
    }
    admin_op_t *op = xcalloc(1, sizeof(*op));
    op->a = a;
    op->on_event = on_event;
    op->cb = cb;
    op->arg = arg;
    op->deadline_ms = deadline;
    return op;
}

static void op_end(admin_op_t *op)
{
    kafka_admin_t *a = op->a;
    if (op->state_free)
        op->state_free(op->state);
    xfree(op);
    pthread_mutex_lock(&a->lock);
    if (--a->inflight == 0)
        pthread_cond_broadcast(&a->idle);
    pthread_mutex_unlock(&a->lock);
}

void admin_op_cancel(admin_op_t *op)
{
    if (op)
        op_end(op);
}

void admin_op_done(admin_op_t *op, void *result, const kr_err_t *err)
{
    op->cb(op->arg, result, err);
    op_end(op);
}

void admin_op_defer_fail(admin_op_t *op, const kr_err_t *err)
{
    kafka_admin_t *a = op->a;
    op->deferred = *err;
    pthread_mutex_lock(&a->lock);
    op->next = a->deferred;
    a->deferred = op;
    pthread_mutex_unlock(&a->lock);
    kafka_loop_kick(a->watch);
}

void admin_op_fail(admin_op_t *op, const kr_err_t *err)
{
    admin_op_done(op, NULL, err);
}

int admin_left_ms(const admin_op_t *op)
{
    int64_t left = op->deadline_ms - kr_clock_mono_ms();
    if (left < 1)
        return 1;
    return left > INT32_MAX ? INT32_MAX : (int)left;
}

rd_kafka_AdminOptions_t *admin_options(admin_op_t *op, rd_kafka_admin_op_t kind, bool validate_only)
{
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(op->a->rk, kind);
    char errstr[256];
    int left = admin_left_ms(op);
    /* Neither call fails for a positive timeout and a kind that takes the option. */
    rd_kafka_AdminOptions_set_request_timeout(opts, left, errstr, sizeof(errstr));
    if (kind == RD_KAFKA_ADMIN_OP_CREATETOPICS || kind == RD_KAFKA_ADMIN_OP_DELETETOPICS ||
        kind == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS)
        rd_kafka_AdminOptions_set_operation_timeout(opts, left, errstr, sizeof(errstr));
    if (validate_only)
        rd_kafka_AdminOptions_set_validate_only(opts, 1, errstr, sizeof(errstr));
    rd_kafka_AdminOptions_set_opaque(opts, op);
    return opts;
}

bool admin_closing(kafka_admin_t *a)
{
    pthread_mutex_lock(&a->lock);
    bool closing = a->closing;
    pthread_mutex_unlock(&a->lock);
    return closing;
}

rd_kafka_t *admin_rk(const kafka_admin_t *a)
{
    return a->rk;
}

rd_kafka_queue_t *admin_queue(const kafka_admin_t *a)
{
    return a->q;
}

int admin_event_err(rd_kafka_event_t *ev, const char *what, kr_err_t *err)
{
    rd_kafka_resp_err_t e = rd_kafka_event_error(ev);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        return 0;
    return kafka_err_set_v3(err, e, what, rd_kafka_event_error_string(ev));
}

void admin_error_set(kr_err_t *err, const rd_kafka_error_t *e, const char *what)
{
    if (!e) {
        kr_err_clear(err);
        return;
    }
    kafka_err_set_v3(err, rd_kafka_error_code(e), what, rd_kafka_error_string(e));
}

void admin_item_err(kr_err_t *err, rd_kafka_resp_err_t e, const char *msg)
{
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        kr_err_clear(err);
        return;
    }
    int code = kafka_err_code_v3(e);
    kr_err_set(err, code ? code : KR_ERR_KAFKA, "%s", msg && *msg ? msg : rd_kafka_err2str(e));
}

kafka_admin_items_t *admin_items_new(const char *const *names, size_t n)
{
    kafka_admin_items_t *r = xcalloc(1, sizeof(*r));
    r->items = xcalloc(n ? n : 1, sizeof(*r->items));
    r->n = n;
    for (size_t i = 0; i < n; i++)
        r->items[i].name = xstrdup(names[i] ? names[i] : "");
    return r;
}

void kafka_admin_items_free(kafka_admin_items_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        xfree(r->items[i].name);
    xfree(r->items);
    xfree(r);
}

int kafka_admin_cluster_id(kafka_admin_t *a, char *out, size_t size)
{
    char *id = rd_kafka_clusterid(a->rk, 0);
    if (size > 0)
        out[0] = '\0';
    if (!id)
        return -1;
    snprintf(out, size, "%s", id);
    rd_kafka_mem_free(a->rk, id);
    return 0;
}

int32_t kafka_admin_controller_id(kafka_admin_t *a)
{
    return rd_kafka_controllerid(a->rk, 0);
}
