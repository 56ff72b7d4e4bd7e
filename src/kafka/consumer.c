/* kafka/consumer.c -- consumer instances and their registry (see consumer.h): life cycle,
 * subscriptions, assignments, seeks. The buffer, its pauses and the reads are consumer_buf.c.
 *
 * DESIGN. Each instance owns one rd_kafka_t consumer whose queue is watched by the kafka loop
 * (kafka/loop.c), which drains it into the instance's buffer (consumer_buf.c). The rebalance
 * callback, client seeks and assigns resume what krest paused in the partitions they move,
 * without krest's own seek, and drop buffered records of those partitions.
 * Lifetimes: the registry holds one reference; requests take more. Delete/expiry unlinks the
 * instance and closes it (leaves the group) on a worker; the handle is destroyed, on a worker,
 * when the last reference goes.
 * Threads: c->lock guards the buffer, the paused partitions, waiter and flags (pause, resume
 * and the resume's seek are made under it: librdkafka answers them from its main thread, no
 * network); reg->lock guards the registry list. */
#include "kafka/consumer.h"

#include "kafka/client.h"
#include "kafka/consumer_int.h"
#include "kafka/errors.h"
#include "kafka/stats.h"
#include "kafka/tplist_int.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/workq.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- the kafka loop side ----------------------------------------------------------------- */

void kafka_consumer_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                                 rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    kafka_consumer_t *c = opaque;
    bool cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (cooperative)
            rd_kafka_error_destroy(rd_kafka_incremental_assign(rk, parts));
        else
            rd_kafka_assign(rk, parts);
        pthread_mutex_lock(&c->lock);
        c->assigned_ms = kr_clock_mono_ms();
        /* A first read waits for the join: tell it the join happened. */
        kr_handle_t wake = c->has_waiter && c->first_read ? c->waiter : (kr_handle_t){0, 0};
        if (wake.gen)
            c->has_waiter = false;
        pthread_mutex_unlock(&c->lock);
        if (wake.gen)
            kr_pending_complete(wake, NULL, NULL);
        return;
    }
    pthread_mutex_lock(&c->lock);
    kafka_consumer_unpause(c, parts,
                           false); /* librdkafka keeps the pause of a partition it takes back */
    kafka_consumer_buf_drop(c, parts);
    pthread_mutex_unlock(&c->lock);
    if (cooperative) {
        rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, parts);
        if (e)
            rd_kafka_error_destroy(e);
    } else {
        rd_kafka_assign(rk, NULL);
    }
}

/* --- life cycle -------------------------------------------------------------------------- */

static void destroy_job(void *arg)
{
    kafka_consumer_t *c = arg;
    kafka_consumers_t *reg = c->reg;
    pthread_mutex_lock(&c->lock);
    kafka_consumer_buf_drop(c, NULL);
    if (c->paused)
        rd_kafka_topic_partition_list_destroy(c->paused);
    c->paused = NULL;
    pthread_mutex_unlock(&c->lock);
    if (c->q)
        rd_kafka_queue_destroy(c->q);
    if (c->rk)
        rd_kafka_destroy_flags(c->rk,
                               c->close_timed_out ? RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE : 0);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->poll_mu);
    pthread_cond_destroy(&c->turn_cond);
    xfree(c->buf);
    xfree(c->group);
    xfree(c->name);
    xfree(c->owner);
    xfree(c);
    __atomic_sub_fetch(&reg->handles, 1, __ATOMIC_ACQ_REL);
}

static void *destroy_thread(void *arg)
{
    destroy_job(arg);
    return NULL;
}

/* Runs fn(c) on a detached thread of its own. @return 0, or -1 when none could start. */
static int detach(void *(*fn)(void *), kafka_consumer_t *c)
{
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, fn, c);
    pthread_attr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}

/* Drops a reference; the last one destroys the handle, inline when the caller runs on a
 * thread of the instance's own (mine), else on a new one. */
static void release(kafka_consumer_t *c, bool mine)
{
    if (!c || __atomic_sub_fetch(&c->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    /* rd_kafka_destroy joins librdkafka's threads (never on an HTTP thread or the loop), and
     * librdkafka 2.0.2 can wait forever there (a topic deleted under a consumer with offsets
     * to commit): a detached thread of its own, so no worker is lost to it. */
    if (mine || detach(destroy_thread, c) != 0)
        destroy_job(c);
}

void kafka_consumer_release(kafka_consumer_t *c)
{
    release(c, false);
}

static kafka_consumer_t *keep(kafka_consumer_t *c)
{
    __atomic_add_fetch(&c->refcnt, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&c->last_used_ms, kr_clock_mono_ms(), __ATOMIC_RELAXED);
    return c;
}

#define CLOSE_TIMEOUT_MS 5000

/* Leaves the group, within CLOSE_TIMEOUT_MS: rd_kafka_consumer_close() can wait forever (e.g.
 * on commits for a topic deleted under the instance), so the close runs on a queue of ours. */
static void close_bounded(kafka_consumer_t *c)
{
    /* Without a subscription first: librdkafka 2.0.2 asserts (!rkcg_subscription) when a
     * handle that still has one is destroyed after an interrupted close. */
    rd_kafka_unsubscribe(c->rk);
    rd_kafka_queue_t *q = rd_kafka_queue_new(c->rk);
    rd_kafka_error_t *e = rd_kafka_consumer_close_queue(c->rk, q);
    int64_t deadline = kr_clock_mono_ms() + CLOSE_TIMEOUT_MS;
    while (!e && !rd_kafka_consumer_closed(c->rk) && kr_clock_mono_ms() < deadline) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);
        if (ev && rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE)
            kafka_consumer_rebalance_cb(
                c->rk, rd_kafka_event_error(ev),
                (rd_kafka_topic_partition_list_t *)rd_kafka_event_topic_partition_list(ev), c);
        if (ev)
            rd_kafka_event_destroy(ev);
    }
    if (e) {
        log_warn("consumer %s/%s: close: %s", c->group, c->name, rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    } else if (!rd_kafka_consumer_closed(c->rk)) {
        log_warn("consumer %s/%s: did not leave its group within %d ms; dropped", c->group, c->name,
                 CLOSE_TIMEOUT_MS);
        c->close_timed_out = true;
    }
    rd_kafka_queue_destroy(q);
}

/* Leaves the group; drops the registry's reference (mine: see release()). Blocking: a thread
 * of the instance's own, else a worker. */
static void close_run(kafka_consumer_t *c, bool mine)
{
    kafka_loop_unwatch(c->reg->loop, c->watch);
    c->watch = NULL;
    /* After the move under way, if any (never beside it: librdkafka 2.0.2 aborts); an
     * abandoned assign keeps the turn, and the handle is then dropped without a close. */
    kr_err_t busy = {0};
    if (kafka_consumer_turn_take(c, CLOSE_TIMEOUT_MS, true, &busy) == 0) {
        close_bounded(c);
        kafka_consumer_turn_give(c);
    } else {
        log_warn("consumer %s/%s: a move still runs after %d ms; dropped without leaving its "
                 "group",
                 c->group, c->name, CLOSE_TIMEOUT_MS);
        c->close_timed_out = true;
    }
    pthread_mutex_lock(&c->lock);
    kr_handle_t wake = c->waiter;
    bool had = c->has_waiter;
    c->has_waiter = false;
    pthread_mutex_unlock(&c->lock);
    if (had)
        kr_pending_complete(wake, NULL, NULL);
    release(c, mine);
}

static void close_job(void *arg)
{
    close_run(arg, false);
}

static void *close_thread(void *arg)
{
    close_run(arg, true);
    return NULL;
}

/* Closes, then destroys, on a thread of the instance's own: a close can take CLOSE_TIMEOUT_MS
 * (a member leaving a group in the middle of a join), and queued on the worker pool a burst of
 * deletes kept their handles, threads and sockets for tens of seconds (issue 19, finding 4).
 * Their number is bounded by krest.consumer.instance.max, which counts them until destroyed.
 * @return 0, or -1 when neither a thread nor a worker could take it. */
static int close_later(kafka_consumers_t *reg, kafka_consumer_t *c)
{
    if (detach(close_thread, c) == 0 || kr_workq_submit(reg->workq, close_job, c) == 0)
        return 0;
    return -1;
}

static void expire(void *arg)
{
    kafka_consumers_t *reg = arg;
    int64_t now = kr_clock_mono_ms();
    int64_t timeout = reg->cfg->consumer_instance_timeout_ms;
    kafka_consumer_t *gone = NULL;
    pthread_mutex_lock(&reg->lock);
    for (kafka_consumer_t **pp = &reg->list; *pp;) {
        kafka_consumer_t *c = *pp;
        int64_t used = __atomic_load_n(&c->last_used_ms, __ATOMIC_RELAXED);
        if (now - used >= timeout && __atomic_load_n(&c->refcnt, __ATOMIC_RELAXED) == 1) {
            *pp = c->next;
            c->next = gone;
            gone = c;
        } else {
            pp = &c->next;
        }
    }
    pthread_mutex_unlock(&reg->lock);
    while (gone) {
        kafka_consumer_t *next = gone->next;
        /* Never close inline here: closing unwatches, which needs the loop this runs on. */
        if (close_later(reg, gone) == 0) {
            log_info("consumer %s/%s: idle for %lld ms, closed", gone->group, gone->name,
                     (long long)timeout);
        } else {
            pthread_mutex_lock(&reg->lock); /* no thread, queue full: try again next tick */
            gone->next = reg->list;
            reg->list = gone;
            pthread_mutex_unlock(&reg->lock);
        }
        gone = next;
    }
}

kafka_consumers_t *kafka_consumers_new(const krest_config_t *cfg, kafka_loop_t *loop,
                                       kr_workq_t *workq, const char *instance_id, kr_err_t *err)
{
    kafka_consumers_t *reg = xcalloc(1, sizeof(*reg));
    reg->cfg = cfg;
    reg->loop = loop;
    reg->workq = workq;
    reg->instance_id = xstrdup(instance_id);
    pthread_mutex_init(&reg->lock, NULL);
    int64_t every = cfg->consumer_instance_timeout_ms / 10;
    every = every < 50 ? 50 : every > 1000 ? 1000 : every;
    reg->expiry = kafka_loop_every(loop, every, expire, reg, err);
    if (!reg->expiry) {
        xfree(reg->instance_id);
        xfree(reg);
        return NULL;
    }
    return reg;
}

void kafka_consumers_shutdown(kafka_consumers_t *reg)
{
    if (!reg)
        return;
    kafka_loop_unwatch(reg->loop, reg->expiry);
    reg->expiry = NULL;
    pthread_mutex_lock(&reg->lock);
    kafka_consumer_t *c = reg->list;
    reg->list = NULL;
    pthread_mutex_unlock(&reg->lock);
    /* In parallel (each close is bounded); kafka_consumers_free() waits for them. */
    while (c) {
        kafka_consumer_t *next = c->next;
        if (close_later(reg, c) != 0)
            close_job(c);
        c = next;
    }
}

int kafka_consumers_free(kafka_consumers_t *reg, int64_t deadline_ms)
{
    if (!reg)
        return 0;
    kafka_loop_unwatch(reg->loop, reg->expiry); /* set when kafka_consumers_shutdown() did not
                                                   run: a start-up that failed after us */
    reg->expiry = NULL;
    int64_t until = kr_clock_mono_ms() + 5000;
    if (deadline_ms >= 0 && deadline_ms < until)
        until = deadline_ms;
    while (__atomic_load_n(&reg->handles, __ATOMIC_ACQUIRE) > 0 && kr_clock_mono_ms() < until)
        usleep(10 * 1000);
    int left = __atomic_load_n(&reg->handles, __ATOMIC_ACQUIRE);
    if (left > 0) {
        log_warn("%d consumer handle(s) still being closed or destroyed at exit", left);
        return left; /* their threads still use reg: let the process exit take it */
    }
    pthread_mutex_destroy(&reg->lock);
    xfree(reg->instance_id);
    xfree(reg);
    return 0;
}

/* --- creating and finding ---------------------------------------------------------------- */

static kafka_consumer_t *find_locked(kafka_consumers_t *reg, const char *group, const char *name)
{
    for (kafka_consumer_t *c = reg->list; c; c = c->next) {
        if (strcmp(c->group, group) == 0 && strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

kafka_consumer_t *kafka_consumers_create(kafka_consumers_t *reg, const kafka_consumer_opts_t *o,
                                         kr_err_t *err)
{
    if (kafka_consumers_reserve(reg, err) != 0)
        return NULL;
    kafka_consumer_t *c = xcalloc(1, sizeof(*c));
    c->reg = reg;
    c->group = xstrdup(o->group);
    c->name = o->name ? xstrdup(o->name) : kafka_consumers_auto_name(reg);
    c->format = o->format;
    c->owner = o->owner ? xstrdup(o->owner) : NULL;
    c->fetch_min_bytes = o->fetch_min_bytes;
    c->request_timeout_ms = o->request_timeout_ms;
    c->refcnt = 1;
    c->last_used_ms = kr_clock_mono_ms();
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->poll_mu, NULL);
    kafka_consumer_turn_init(c);
    pthread_mutex_lock(&reg->lock);
    bool exists = find_locked(reg, c->group, c->name) != NULL;
    pthread_mutex_unlock(&reg->lock);
    if (exists) {
        kr_err_set(err, KR_ERR_CONSUMER_ALREADY_EXISTS,
                   "Consumer with specified consumer ID already exists in the specified consumer "
                   "group.");
        destroy_job(c);
        return NULL;
    }
    c->rk = kafka_consumer_new_handle(reg, o, c, err);
    if (!c->rk) {
        destroy_job(c);
        return NULL;
    }
    rd_kafka_poll_set_consumer(c->rk);
    c->q = rd_kafka_queue_get_consumer(c->rk);
    c->watch = kafka_loop_watch(reg->loop, c->q, kafka_consumer_serve, c, err);
    pthread_mutex_lock(&reg->lock);
    bool raced = find_locked(reg, c->group, c->name) != NULL;
    if (!raced && c->watch) {
        c->next = reg->list;
        reg->list = c;
        keep(c); /* the caller's reference; the list holds the first */
    }
    pthread_mutex_unlock(&reg->lock);
    if (raced || !c->watch) {
        if (raced)
            kr_err_set(err, KR_ERR_CONSUMER_ALREADY_EXISTS,
                       "Consumer with specified consumer ID already exists in the specified "
                       "consumer group.");
        kafka_loop_unwatch(reg->loop, c->watch);
        kafka_consumer_release(c);
        return NULL;
    }
    return c;
}

kafka_consumer_t *kafka_consumers_get(kafka_consumers_t *reg, const char *group, const char *name)
{
    pthread_mutex_lock(&reg->lock);
    kafka_consumer_t *c = find_locked(reg, group, name);
    if (c)
        keep(c);
    pthread_mutex_unlock(&reg->lock);
    return c;
}

int kafka_consumers_delete(kafka_consumers_t *reg, const char *group, const char *name)
{
    pthread_mutex_lock(&reg->lock);
    kafka_consumer_t *c = NULL;
    for (kafka_consumer_t **pp = &reg->list; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->group, group) == 0 && strcmp((*pp)->name, name) == 0) {
            c = *pp;
            *pp = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&reg->lock);
    if (!c)
        return -1;
    if (close_later(reg, c) != 0)
        close_job(c);
    return 0;
}

const char *kafka_consumer_owner(const kafka_consumer_t *c)
{
    return c->owner;
}

const char *kafka_consumer_name(const kafka_consumer_t *c)
{
    return c->name;
}

int kafka_consumer_format(const kafka_consumer_t *c)
{
    return c->format;
}

int64_t kafka_consumer_request_timeout_ms(const kafka_consumer_t *c)
{
    return c->request_timeout_ms >= 0 ? c->request_timeout_ms
                                      : c->reg->cfg->consumer_request_timeout_ms;
}

int64_t kafka_consumer_fetch_min_bytes(const kafka_consumer_t *c)
{
    return c->fetch_min_bytes >= 0 ? c->fetch_min_bytes : c->reg->cfg->fetch_min_bytes;
}

/* --- subscription and assignment --------------------------------------------------------- */

/* A client moves partitions: what krest paused in resume (all when NULL) resumes without a seek
 * of its own, buffered records of drop (all when NULL) go, and while the move lasts new pauses
 * do not remember positions. With known, *known is a copy of the paused partitions and their
 * positions (owned; NULL when none). With hold, the kafka loop polls nothing until the move
 * ends (a manual assign or re-assign needs no rebalance served meanwhile), so no record from
 * the new position can be taken for a stale one; without (a seek of subscribed partitions,
 * which must let rebalances through), records buffered during the move are dropped at its end.
 * Not under the lock: the calls in between may wait. */
static void moving_begin(kafka_consumer_t *c, const rd_kafka_topic_partition_list_t *resume,
                         const rd_kafka_topic_partition_list_t *drop,
                         rd_kafka_topic_partition_list_t **known, bool hold)
{
    pthread_mutex_lock(&c->poll_mu); /* the loop is not between a poll and its buffering */
    pthread_mutex_lock(&c->lock);
    c->moving++;
    c->holding += hold;
    if (known)
        *known = c->paused ? rd_kafka_topic_partition_list_copy(c->paused) : NULL;
    kafka_consumer_unpause(c, resume, false);
    kafka_consumer_buf_drop(c, drop);
    pthread_mutex_unlock(&c->lock);
    pthread_mutex_unlock(&c->poll_mu);
}

/* The move is done. Held: the loop polls again (librdkafka discards what it fetched before the
 * move). Not held: records buffered before the move took effect go. */
static void moving_end(kafka_consumer_t *c, const rd_kafka_topic_partition_list_t *parts, bool hold)
{
    pthread_mutex_lock(&c->lock);
    c->moving--;
    c->holding -= hold;
    bool kick = hold && c->holding == 0;
    if (!hold)
        kafka_consumer_buf_drop(c, parts);
    pthread_mutex_unlock(&c->lock);
    if (kick && c->watch)
        kafka_loop_kick(c->watch);
}

static int illegal_state(kr_err_t *err, const char *what)
{
    return kr_err_set(err, KR_ERR_ILLEGAL_STATE, "Illegal state: %s", what);
}

int kafka_consumer_subscribe(kafka_consumer_t *c, const char *const *topics, size_t n,
                             const char *pattern, kr_err_t *err)
{
    pthread_mutex_lock(&c->lock);
    bool manual = c->manual;
    pthread_mutex_unlock(&c->lock);
    if (manual)
        return illegal_state(err, "Subscription to topics, partitions and pattern are mutually "
                                  "exclusive");
    char anchored[1024];
    if (pattern && strlen(pattern) > sizeof(anchored) - 3) /* cut short, it would match others */
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "topic_pattern: longer than %zu characters",
                          sizeof(anchored) - 3);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)(n ? n : 1));
    if (pattern) {
        /* Java's Pattern.matches is anchored at both ends; librdkafka's regex is not. */
        snprintf(anchored, sizeof(anchored), "^%s%s$", pattern[0] == '^' ? "" : "",
                 pattern[0] == '^' ? pattern + 1 : pattern);
        rd_kafka_topic_partition_list_add(l, anchored, RD_KAFKA_PARTITION_UA);
    }
    for (size_t i = 0; i < n; i++)
        rd_kafka_topic_partition_list_add(l, topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e;
    int abandoned =
        kafka_consumer_call_bounded(c, KAFKA_CALL_SUBSCRIBE, l, c->reg->cfg->client_timeout_ms,
                                    kafka_consumer_subscribed, &e, NULL);
    rd_kafka_topic_partition_list_destroy(l);
    if (abandoned)
        return kr_err_set(err, KR_ERR_KAFKA_RETRIABLE, "subscribe timed out");
    kafka_consumer_subscribed(c, e);
    if (e)
        return kr_err_set(err, KR_ERR_KAFKA, "subscribe failed: %s", rd_kafka_err2str(e));
    return 0;
}

int kafka_consumer_unsubscribe(kafka_consumer_t *c, kr_err_t *err)
{
    rd_kafka_resp_err_t e;
    if (kafka_consumer_call_bounded(c, KAFKA_CALL_UNSUBSCRIBE, NULL, c->reg->cfg->client_timeout_ms,
                                    kafka_consumer_unsubscribed, &e, NULL) != 0)
        return kr_err_set(err, KR_ERR_KAFKA_RETRIABLE, "unsubscribe timed out");
    kafka_consumer_unsubscribed(c, e);
    if (e)
        return kr_err_set(err, KR_ERR_KAFKA, "unsubscribe failed: %s", rd_kafka_err2str(e));
    return 0;
}

kafka_tp_list_t *kafka_consumer_subscription(kafka_consumer_t *c, kr_err_t *err)
{
    rd_kafka_topic_partition_list_t *l = kafka_consumer_query(c, KAFKA_CALL_SUBSCRIPTION, err);
    if (!l)
        return NULL;
    kafka_tp_list_t *out = kafka_tp_from_rd(l);
    rd_kafka_topic_partition_list_destroy(l);
    return out;
}

/* The end of an assign's move (kafka_consumer_after_fn), by the caller or an abandoned call. */
static void assigned(kafka_consumer_t *c, rd_kafka_resp_err_t e, bool some)
{
    pthread_mutex_lock(&c->lock);
    if (!e)
        c->manual = some;
    pthread_mutex_unlock(&c->lock);
    moving_end(c, NULL, true);
}

static void assigned_some(kafka_consumer_t *c, rd_kafka_resp_err_t e)
{
    assigned(c, e, true);
}

static void assigned_none(kafka_consumer_t *c, rd_kafka_resp_err_t e)
{
    assigned(c, e, false);
}

/* The end of a seek's re-assign (kafka_consumer_after_fn). */
static void reassigned(kafka_consumer_t *c, rd_kafka_resp_err_t e)
{
    (void)e;
    moving_end(c, NULL, true);
}

static int assign(kafka_consumer_t *c, const rd_kafka_topic_partition_list_t *parts, kr_err_t *err)
{
    pthread_mutex_lock(&c->lock);
    bool subscribed = c->subscribed;
    pthread_mutex_unlock(&c->lock);
    if (subscribed)
        return illegal_state(err, "Subscription to topics, partitions and pattern are mutually "
                                  "exclusive");
    if (kafka_consumer_turn_take(c, 0, false, err) != 0)
        return -1;
    moving_begin(c, NULL, NULL, NULL, true);
    rd_kafka_resp_err_t e;
    bool some = parts && parts->cnt > 0;
    if (kafka_consumer_assign_bounded(c, parts, c->reg->cfg->client_timeout_ms,
                                      some ? assigned_some : assigned_none, &e) != 0)
        return kr_err_set(err, KR_ERR_KAFKA_RETRIABLE, "assign timed out");
    (some ? assigned_some : assigned_none)(c, e);
    kafka_consumer_turn_give(c);
    if (e)
        return kr_err_set(err, KR_ERR_KAFKA, "assign failed: %s", rd_kafka_err2str(e));
    return 0;
}

int kafka_consumer_assign(kafka_consumer_t *c, const kafka_tp_list_t *parts, kr_err_t *err)
{
    rd_kafka_topic_partition_list_t *all = kafka_tp_to_rd(parts);
    rd_kafka_topic_partition_list_t *l = kafka_consumer_dedup(all);
    rd_kafka_topic_partition_list_destroy(all);
    int rc = assign(c, l, err);
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

static rd_kafka_topic_partition_list_t *assignment(kafka_consumer_t *c, kr_err_t *err)
{
    return kafka_consumer_query(c, KAFKA_CALL_ASSIGNMENT, err);
}

kafka_tp_list_t *kafka_consumer_assignment(kafka_consumer_t *c, kr_err_t *err)
{
    rd_kafka_topic_partition_list_t *l = assignment(c, err);
    if (!l)
        return NULL;
    kafka_tp_list_t *out = kafka_tp_from_rd(l);
    rd_kafka_topic_partition_list_destroy(l);
    return out;
}

int kafka_consumer_check_assigned(kafka_consumer_t *c, const kafka_tp_list_t *parts, kr_err_t *err)
{
    rd_kafka_topic_partition_list_t *a = assignment(c, err);
    if (!a)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < parts->cnt && rc == 0; i++) {
        const kafka_tp_t *p = &parts->elems[i];
        if (!rd_kafka_topic_partition_list_find(a, p->topic, p->partition)) {
            char what[300];
            snprintf(what, sizeof(what), "No current assignment for partition %s-%d", p->topic,
                     p->partition);
            rc = illegal_state(err, what);
        }
    }
    rd_kafka_topic_partition_list_destroy(a);
    return rc;
}

/* A manual assignment is moved by assigning it again with the new offsets (the others keep
 * their positions): librdkafka 2.0.2 refuses or times out a seek on a partition whose fetcher
 * has not started yet, which is the usual state right after POST …/assignments. A partition
 * krest had paused continues where it stopped (known): its librdkafka position also counts
 * records dropped while it was paused. */
static int reassign(kafka_consumer_t *c, const rd_kafka_topic_partition_list_t *parts,
                    const rd_kafka_topic_partition_list_t *known, int64_t timeout_ms,
                    bool *abandoned, kr_err_t *err)
{
    rd_kafka_topic_partition_list_t *cur = NULL;
    rd_kafka_resp_err_t e;
    /* An abandoned query keeps neither the turn nor the move: the caller ends both. */
    if (kafka_consumer_call_bounded(c, KAFKA_CALL_ASSIGNMENT, NULL, timeout_ms, NULL, &e, &cur))
        return kr_err_set(err, KR_ERR_KAFKA_RETRIABLE, "seek timed out");
    if (!e && !cur)
        e = RD_KAFKA_RESP_ERR__FAIL;
    if (!e)
        e = rd_kafka_position(c->rk, cur); /* local: no wait for the main thread */
    for (int i = 0; !e && i < cur->cnt; i++) {
        const char *topic = cur->elems[i].topic;
        int32_t partition = cur->elems[i].partition;
        rd_kafka_topic_partition_t *want =
            rd_kafka_topic_partition_list_find(parts, topic, partition);
        rd_kafka_topic_partition_t *stop =
            known ? rd_kafka_topic_partition_list_find(known, topic, partition) : NULL;
        if (want)
            cur->elems[i].offset = want->offset;
        else if (stop && stop->offset >= 0)
            cur->elems[i].offset = stop->offset;
    }
    if (!e)
        *abandoned = kafka_consumer_assign_bounded(c, cur, timeout_ms, reassigned, &e) != 0;
    if (cur)
        rd_kafka_topic_partition_list_destroy(cur);
    if (*abandoned)
        return kr_err_set(err, KR_ERR_KAFKA_RETRIABLE, "seek timed out");
    if (e)
        return kr_err_set(err, kafka_consumer_seek_err_code(e), "seek failed: %s",
                          rd_kafka_err2str(e));
    return 0;
}

static int seek(kafka_consumer_t *c, rd_kafka_topic_partition_list_t *parts, int64_t timeout_ms,
                kr_err_t *err)
{
    if (kafka_consumer_turn_take(c, timeout_ms, false, err) != 0)
        return -1;
    pthread_mutex_lock(&c->lock);
    bool manual = c->manual;
    pthread_mutex_unlock(&c->lock);
    /* A manual assignment moves by assigning it all again: everything paused resumes. */
    rd_kafka_topic_partition_list_t *known = NULL;
    moving_begin(c, manual ? NULL : parts, parts, manual ? &known : NULL, manual);
    /* A seek first, retried while the partitions' fetchers start (right after an assign); a
     * re-assign only when the seek cannot be made: librdkafka 2.0.2 can leave a partition that
     * is re-assigned a moment after its assign without a fetcher. */
    int rc = kafka_consumer_seek_bounded(c, parts, timeout_ms, err);
    bool abandoned = false;
    if (rc != 0 && manual) {
        kr_err_clear(err);
        rc = reassign(c, parts, known, timeout_ms, &abandoned, err);
    }
    if (!abandoned) { /* else the re-assign's thread ends the move and gives the turn back */
        moving_end(c, parts, manual);
        kafka_consumer_turn_give(c);
    }
    if (known)
        rd_kafka_topic_partition_list_destroy(known);
    return rc;
}

int kafka_consumer_seek(kafka_consumer_t *c, const kafka_tp_list_t *parts, int64_t timeout_ms,
                        kr_err_t *err)
{
    rd_kafka_topic_partition_list_t *all = kafka_tp_to_rd(parts);
    rd_kafka_topic_partition_list_t *l = kafka_consumer_dedup(all);
    rd_kafka_topic_partition_list_destroy(all);
    int rc = seek(c, l, timeout_ms, err);
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}
