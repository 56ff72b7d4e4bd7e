/* kafka/metadata.c -- cached cluster metadata, watermarks and topic configs (see metadata.h).
 * Threads: the cache's fields are guarded by c->lock; fetches run on worker threads. */
#include "kafka/metadata.h"

#include "kafka/errors.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/workq.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct md_waiter {
    int64_t not_before_ms;
    kafka_md_cb cb;
    void *arg;
    struct md_waiter *next;
} md_waiter_t;

struct kafka_md_cache {
    rd_kafka_t *rk;    /* borrowed */
    kr_workq_t *workq; /* borrowed */
    int64_t max_age_ms;
    int64_t timeout_ms;
    pthread_mutex_t lock;
    kafka_md_t *current;      /* guarded by lock; one reference held by the cache */
    bool fetching;            /* guarded by lock */
    int64_t fetch_started_ms; /* guarded by lock: start of the fetch in flight */
    md_waiter_t *waiters;     /* guarded by lock */
    rd_kafka_topic_t *probe;  /* guarded by lock: kafka_md_ping's topic, made on first use */
};

/* The topic kafka_md_ping() asks about: a name Kafka refuses ('/' is not among its characters),
 * so the answer is the brokers and one error, and no broker can ever create it. Asking for no
 * topic at all is not possible through rd_kafka_metadata(): an empty list means every topic. */
#define PROBE_TOPIC "krest/ready-probe"

static const char *const internal_topics[] = {"__consumer_offsets", "__transaction_state",
                                              "__share_group_state"};

kafka_md_cache_t *kafka_md_cache_new(rd_kafka_t *rk, kr_workq_t *workq, int64_t max_age_ms,
                                     int64_t timeout_ms)
{
    kafka_md_cache_t *c = xcalloc(1, sizeof(*c));
    c->rk = rk;
    c->workq = workq;
    c->max_age_ms = max_age_ms;
    c->timeout_ms = timeout_ms;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void kafka_md_cache_free(kafka_md_cache_t *c)
{
    if (!c)
        return;
    kafka_md_release(c->current);
    if (c->probe)
        rd_kafka_topic_destroy(c->probe);
    pthread_mutex_destroy(&c->lock);
    xfree(c);
}

kafka_md_t *kafka_md_keep(kafka_md_t *md)
{
    __atomic_add_fetch(&md->refcnt, 1, __ATOMIC_RELAXED);
    return md;
}

static void md_free(kafka_md_t *md)
{
    for (size_t i = 0; i < md->n_topics; i++) {
        kafka_md_topic_t *t = &md->topics[i];
        for (size_t p = 0; p < t->n_partitions; p++) {
            xfree(t->partitions[p].replicas);
            xfree(t->partitions[p].isrs);
        }
        xfree(t->partitions);
        xfree(t->name);
    }
    xfree(md->topics);
    for (size_t i = 0; i < md->n_brokers; i++) {
        xfree(md->broker_info[i].host);
        xfree(md->broker_info[i].rack);
    }
    xfree(md->broker_info);
    xfree(md->brokers);
    xfree(md->cluster_id);
    xfree(md);
}

void kafka_md_release(kafka_md_t *md)
{
    if (md && __atomic_sub_fetch(&md->refcnt, 1, __ATOMIC_ACQ_REL) == 0)
        md_free(md);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_broker(const void *a, const void *b)
{
    return cmp_i32(&((const kafka_md_broker_t *)a)->id, &((const kafka_md_broker_t *)b)->id);
}

static int cmp_topic(const void *a, const void *b)
{
    return strcmp(((const kafka_md_topic_t *)a)->name, ((const kafka_md_topic_t *)b)->name);
}

static int cmp_partition(const void *a, const void *b)
{
    return cmp_i32(&((const kafka_md_partition_t *)a)->id, &((const kafka_md_partition_t *)b)->id);
}

static int32_t *copy_ids(const int32_t *ids, int n)
{
    int32_t *out = xmalloc((size_t)(n > 0 ? n : 1) * sizeof(int32_t));
    if (n > 0)
        memcpy(out, ids, (size_t)n * sizeof(int32_t));
    return out;
}

static bool is_internal(const char *name)
{
    for (size_t i = 0; i < sizeof(internal_topics) / sizeof(internal_topics[0]); i++) {
        if (strcmp(name, internal_topics[i]) == 0)
            return true;
    }
    return false;
}

static void convert_topic(const rd_kafka_metadata_topic_t *src, kafka_md_topic_t *t)
{
    t->name = xstrdup(src->topic);
    t->internal = is_internal(src->topic);
    t->n_partitions = (size_t)(src->partition_cnt > 0 ? src->partition_cnt : 0);
    t->partitions = xcalloc(t->n_partitions ? t->n_partitions : 1, sizeof(kafka_md_partition_t));
    for (size_t p = 0; p < t->n_partitions; p++) {
        const rd_kafka_metadata_partition_t *sp = &src->partitions[p];
        kafka_md_partition_t *dp = &t->partitions[p];
        dp->id = sp->id;
        dp->leader = sp->leader;
        dp->err = sp->err;
        dp->replicas = copy_ids(sp->replicas, sp->replica_cnt);
        dp->n_replicas = (size_t)sp->replica_cnt;
        dp->isrs = copy_ids(sp->isrs, sp->isr_cnt);
        dp->n_isrs = (size_t)sp->isr_cnt;
    }
    qsort(t->partitions, t->n_partitions, sizeof(kafka_md_partition_t), cmp_partition);
}

/* Copies librdkafka's metadata into krest's sorted, immutable snapshot. Topics that the
 * broker reports with an error (being deleted, ...) are left out. */
static kafka_md_t *convert(const rd_kafka_metadata_t *src, int64_t started_ms)
{
    kafka_md_t *md = xcalloc(1, sizeof(*md));
    md->refcnt = 1;
    md->started_ms = started_ms;
    md->controller_id = -1;
    md->n_brokers = (size_t)src->broker_cnt;
    md->brokers = xcalloc(md->n_brokers ? md->n_brokers : 1, sizeof(int32_t));
    md->broker_info = xcalloc(md->n_brokers ? md->n_brokers : 1, sizeof(kafka_md_broker_t));
    for (size_t i = 0; i < md->n_brokers; i++) {
        kafka_md_broker_t *b = &md->broker_info[i];
        b->id = src->brokers[i].id;
        b->host = xstrdup(src->brokers[i].host ? src->brokers[i].host : "");
        b->port = src->brokers[i].port;
    }
    qsort(md->broker_info, md->n_brokers, sizeof(kafka_md_broker_t), cmp_broker);
    for (size_t i = 0; i < md->n_brokers; i++)
        md->brokers[i] = md->broker_info[i].id;
    md->topics = xcalloc(src->topic_cnt > 0 ? (size_t)src->topic_cnt : 1, sizeof(kafka_md_topic_t));
    for (int i = 0; i < src->topic_cnt; i++) {
        if (src->topics[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
            continue;
        convert_topic(&src->topics[i], &md->topics[md->n_topics++]);
    }
    qsort(md->topics, md->n_topics, sizeof(kafka_md_topic_t), cmp_topic);
    return md;
}

/* One Metadata request for all topics; runs without the cache lock. */
static kafka_md_t *fetch(kafka_md_cache_t *c, int64_t started_ms, kr_err_t *err)
{
    const struct rd_kafka_metadata *raw = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(c->rk, 1, NULL, &raw, (int)c->timeout_ms);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        kafka_err_set(err, e, "metadata request failed");
        return NULL;
    }
    kafka_md_t *md = convert(raw, started_ms);
    rd_kafka_metadata_destroy(raw);
    /* Both were cached from the Metadata response that just arrived: a timeout of 0 reads the
     * cache and never blocks. */
    char *cluster_id = rd_kafka_clusterid(c->rk, 0);
    if (cluster_id) {
        md->cluster_id = xstrdup(cluster_id);
        rd_kafka_mem_free(c->rk, cluster_id);
    }
    md->controller_id = rd_kafka_controllerid(c->rk, 0);
    if (md->n_brokers == 0) {
        kafka_md_release(md);
        kr_err_set(err, KR_ERR_BROKER_NOT_AVAILABLE, "Kafka brokers are not available");
        return NULL;
    }
    return md;
}

static bool fresh_enough(const kafka_md_t *md, int64_t not_before_ms)
{
    return md && md->started_ms >= not_before_ms;
}

kafka_md_t *kafka_md_peek(kafka_md_cache_t *c)
{
    int64_t not_before = kr_clock_mono_ms() - c->max_age_ms;
    pthread_mutex_lock(&c->lock);
    kafka_md_t *md = fresh_enough(c->current, not_before) ? kafka_md_keep(c->current) : NULL;
    pthread_mutex_unlock(&c->lock);
    return md;
}

static void fetch_job(void *arg);

/* Starts the one fetch, on a worker. Lock held. @return 0, or -1 when the queue is full. */
static int start_fetch(kafka_md_cache_t *c)
{
    c->fetching = true;
    c->fetch_started_ms = kr_clock_mono_ms();
    if (kr_workq_submit(c->workq, fetch_job, c) == 0)
        return 0;
    c->fetching = false;
    return -1;
}

/* Unlinks the waiters that a fetch started at started_ms satisfies. Lock held. */
static md_waiter_t *take_waiters(kafka_md_cache_t *c, int64_t started_ms)
{
    md_waiter_t *done = NULL, **pp = &c->waiters;
    while (*pp) {
        md_waiter_t *w = *pp;
        if (w->not_before_ms <= started_ms) {
            *pp = w->next;
            w->next = done;
            done = w;
        } else {
            pp = &w->next;
        }
    }
    return done;
}

static void call_waiters(md_waiter_t *list, kafka_md_t *md, const kr_err_t *err)
{
    while (list) {
        md_waiter_t *next = list->next;
        list->cb(list->arg, md ? kafka_md_keep(md) : NULL, err);
        xfree(list);
        list = next;
    }
}

static void fetch_job(void *arg)
{
    kafka_md_cache_t *c = arg;
    pthread_mutex_lock(&c->lock);
    int64_t started = c->fetch_started_ms;
    pthread_mutex_unlock(&c->lock);
    kr_err_t err = {0};
    kafka_md_t *md = fetch(c, started, &err);
    pthread_mutex_lock(&c->lock);
    if (md) {
        kafka_md_release(c->current);
        c->current = kafka_md_keep(md);
    }
    c->fetching = false;
    md_waiter_t *done = take_waiters(c, started);
    /* Waiters that came after this fetch began need a newer one. */
    md_waiter_t *failed = NULL;
    kr_err_t qerr = {0};
    if (c->waiters && start_fetch(c) != 0) {
        failed = take_waiters(c, INT64_MAX);
        kr_err_set(&qerr, KR_ERR_TOO_MANY_REQUESTS, "Too many requests: worker queue full");
    }
    pthread_mutex_unlock(&c->lock);
    call_waiters(done, md, &err);
    call_waiters(failed, NULL, &qerr);
    kafka_md_release(md);
}

void kafka_md_request(kafka_md_cache_t *c, int64_t not_before_ms, kafka_md_cb cb, void *arg)
{
    if (not_before_ms <= 0)
        not_before_ms = kr_clock_mono_ms() - c->max_age_ms;
    pthread_mutex_lock(&c->lock);
    if (fresh_enough(c->current, not_before_ms)) {
        kafka_md_t *md = kafka_md_keep(c->current);
        pthread_mutex_unlock(&c->lock);
        cb(arg, md, NULL);
        return;
    }
    md_waiter_t *w = xmalloc(sizeof(*w));
    *w = (md_waiter_t){not_before_ms, cb, arg, c->waiters};
    c->waiters = w;
    if (!c->fetching && start_fetch(c) != 0) {
        md_waiter_t *failed = take_waiters(c, INT64_MAX);
        pthread_mutex_unlock(&c->lock);
        kr_err_t err;
        kr_err_set(&err, KR_ERR_TOO_MANY_REQUESTS, "Too many requests: worker queue full");
        call_waiters(failed, NULL, &err);
        return;
    }
    pthread_mutex_unlock(&c->lock);
}

typedef struct ping {
    kafka_md_cache_t *c;
    kafka_md_ping_cb cb;
    void *arg;
} ping_t;

static void ping_job(void *arg)
{
    ping_t *p = arg;
    kafka_md_cache_t *c = p->c;
    pthread_mutex_lock(&c->lock);
    if (!c->probe)
        c->probe = rd_kafka_topic_new(c->rk, PROBE_TOPIC, NULL);
    rd_kafka_topic_t *probe = c->probe;
    pthread_mutex_unlock(&c->lock);
    int64_t started = kr_clock_mono_ms();
    const struct rd_kafka_metadata *raw = NULL;
    rd_kafka_resp_err_t e = probe ? rd_kafka_metadata(c->rk, 0, probe, &raw, (int)c->timeout_ms)
                                  : rd_kafka_last_error();
    kr_err_t err = {0};
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        kafka_err_set(&err, e, "metadata request failed");
    else if (raw->broker_cnt == 0)
        kr_err_set(&err, KR_ERR_BROKER_NOT_AVAILABLE, "Kafka brokers are not available");
    if (raw)
        rd_kafka_metadata_destroy(raw);
    p->cb(p->arg, started, err.code ? &err : NULL);
    xfree(p);
}

void kafka_md_ping(kafka_md_cache_t *c, kafka_md_ping_cb cb, void *arg)
{
    ping_t *p = xmalloc(sizeof(*p));
    *p = (ping_t){c, cb, arg};
    if (kr_workq_submit(c->workq, ping_job, p) == 0)
        return;
    xfree(p);
    kr_err_t err;
    kr_err_set(&err, KR_ERR_TOO_MANY_REQUESTS, "Too many requests: worker queue full");
    cb(arg, 0, &err);
}

typedef struct topic_req {
    kafka_md_cache_t *c;
    char *topic;
    int64_t arrival_ms;
    bool forced;
    kafka_md_cb cb;
    void *arg;
} topic_req_t;

static void on_topic_md(void *arg, kafka_md_t *md, const kr_err_t *err)
{
    topic_req_t *tr = arg;
    if (md && !kafka_md_topic(md, tr->topic) && !tr->forced) {
        tr->forced = true;
        kafka_md_release(md);
        kafka_md_request(tr->c, tr->arrival_ms, on_topic_md, tr);
        return;
    }
    tr->cb(tr->arg, md, err);
    xfree(tr->topic);
    xfree(tr);
}

void kafka_md_request_topic(kafka_md_cache_t *c, const char *topic, int64_t not_before_ms,
                            int64_t arrival_ms, kafka_md_cb cb, void *arg)
{
    topic_req_t *tr = xmalloc(sizeof(*tr));
    *tr = (topic_req_t){c, xstrdup(topic), arrival_ms, false, cb, arg};
    kafka_md_request(c, not_before_ms, on_topic_md, tr);
}

const kafka_md_broker_t *kafka_md_broker(const kafka_md_t *md, int32_t id)
{
    kafka_md_broker_t key = {.id = id};
    return bsearch(&key, md->broker_info, md->n_brokers, sizeof(kafka_md_broker_t), cmp_broker);
}

const kafka_md_topic_t *kafka_md_topic(const kafka_md_t *md, const char *name)
{
    kafka_md_topic_t key = {.name = (char *)name};
    return bsearch(&key, md->topics, md->n_topics, sizeof(kafka_md_topic_t), cmp_topic);
}

const kafka_md_partition_t *kafka_md_partition(const kafka_md_topic_t *t, int32_t id)
{
    kafka_md_partition_t key = {.id = id};
    return bsearch(&key, t->partitions, t->n_partitions, sizeof(kafka_md_partition_t),
                   cmp_partition);
}

/* One ListOffsets of a partition (which: RD_KAFKA_OFFSET_BEGINNING for the log start,
 * RD_KAFKA_OFFSET_END for the high watermark) through rd_kafka_offsets_for_times, whose wait
 * ends at its timeout. rd_kafka_query_watermark_offsets (librdkafka 2.0.2) has no deadline: it
 * waits until both of its requests have an outcome, and a leader that refuses connections is
 * retried on every broker state change, so a worker stayed blocked. */
static rd_kafka_resp_err_t list_offset(rd_kafka_t *rk, const char *topic, int32_t partition,
                                       int64_t which, int64_t timeout_ms, int64_t *out)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset = which;
    rd_kafka_resp_err_t e =
        rd_kafka_offsets_for_times(rk, l, (int)(timeout_ms > 0 ? timeout_ms : 1));
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        e = l->elems[0].err;
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR && l->elems[0].offset < 0)
        e = RD_KAFKA_RESP_ERR__FAIL; /* no answer for the partition */
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        *out = l->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(l);
    return e;
}

int kafka_watermarks(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t timeout_ms,
                     int64_t *low, int64_t *high, kr_err_t *err)
{
    /* A partition created a moment ago may not have its leader everywhere yet: retriable
     * errors are retried until the timeout, as the Java client does. Every wait ends by the
     * deadline. */
    int64_t deadline = kr_clock_mono_ms() + timeout_ms;
    for (;;) {
        rd_kafka_resp_err_t e = list_offset(rk, topic, partition, RD_KAFKA_OFFSET_BEGINNING,
                                            deadline - kr_clock_mono_ms(), low);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            e = list_offset(rk, topic, partition, RD_KAFKA_OFFSET_END,
                            deadline - kr_clock_mono_ms(), high);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            return 0;
        if (kafka_err_code(e) != KR_ERR_KAFKA_RETRIABLE || kr_clock_mono_ms() + 100 >= deadline)
            return kafka_err_set(err, e, "watermark offsets request failed");
        usleep(100 * 1000);
    }
}
