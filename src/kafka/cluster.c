/* kafka/cluster.c -- membership through the cluster topic (see cluster.h): topic creation, the
 * heartbeat producer, the reader (librdkafka's simple consumer on every partition, from the
 * beginning, no group) and the thread that serves both.
 *
 * DESIGN. One thread does everything that touches the two handles: it writes this instance's
 * record every heartbeat interval (and at once when asked, kafka_cluster_publish), serves the
 * producer's delivery reports, reads records into the table (cluster_table.c) and completes
 * syncs: a sync asks for the partitions' end offsets (a blocking query, on this thread only)
 * and is completed when the reader reached them. Callers hand it work through two locked lists
 * and wake it with rd_kafka_queue_yield().
 * Threads: the cluster thread; the public calls from any thread. */
#include "kafka/cluster_int.h"

#include "kafka/client.h"
#include "kafka/consumer.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/mem.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The most bytes of names one record carries (Kafka's default message.max.bytes is 1 MB). */
#define NAMES_MAX ((size_t)900 * 1024)

/* The handles a publish waits for, given to librdkafka as the record's opaque. */
typedef struct publish_batch {
    cluster_waiter_t *waiters;
} publish_batch_t;

static void complete_all(cluster_waiter_t *w)
{
    while (w) {
        cluster_waiter_t *next = w->next;
        kr_pending_complete(w->h, NULL, NULL);
        xfree(w->target);
        xfree(w);
        w = next;
    }
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (m->err)
        log_warn("cluster: heartbeat not written: %s", rd_kafka_err2str(m->err));
    publish_batch_t *b = m->_private;
    if (b) {
        complete_all(b->waiters);
        xfree(b);
    }
}

/* Writes this instance's record; the waiters are completed by its delivery report. */
static void announce(kafka_cluster_t *cl, cluster_waiter_t *waiters)
{
    kr_buf_t v;
    kr_buf_init(&v, NAMES_MAX + 4096);
    kr_buf_printf(&v, "%s\n%s\n%lld\n", CLUSTER_MAGIC, cl->url, (long long)kr_clock_wall_ms());
    kafka_consumers_named(cl->consumers, &v, NAMES_MAX);
    publish_batch_t *b = NULL;
    if (waiters) {
        b = xcalloc(1, sizeof(*b));
        b->waiters = waiters;
    }
    if (rd_kafka_produce(cl->prod_rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, v.data, v.len,
                         cl->self_id, strlen(cl->self_id), b) != 0) {
        log_warn("cluster: heartbeat not queued: %s", rd_kafka_err2str(rd_kafka_last_error()));
        if (b) {
            complete_all(b->waiters);
            xfree(b);
        }
    }
    kr_buf_deinit(&v);
}

/* Asks for each partition's end offset once for all the syncs that arrived together; each is
 * done when the reader gets there. */
static void start_syncs(kafka_cluster_t *cl, cluster_waiter_t *batch)
{
    int64_t *target = xcalloc((size_t)cl->n_parts, sizeof(int64_t));
    for (int32_t p = 0; p < cl->n_parts; p++) {
        int64_t lo = 0, hi = 0;
        if (rd_kafka_query_watermark_offsets(cl->cons, rd_kafka_topic_name(cl->cons_rkt), p, &lo,
                                             &hi, (int)cl->cfg->client_timeout_ms) != 0)
            hi = 0; /* unknown: what was read is all there is */
        target[p] = hi;
    }
    int64_t deadline = kr_clock_mono_ms() + cl->cfg->client_timeout_ms;
    while (batch) {
        cluster_waiter_t *w = batch;
        batch = w->next;
        w->target = xmalloc((size_t)cl->n_parts * sizeof(int64_t));
        memcpy(w->target, target, (size_t)cl->n_parts * sizeof(int64_t));
        w->deadline_ms = deadline;
        w->next = cl->syncs;
        cl->syncs = w;
    }
    xfree(target);
}

static bool sync_done(const kafka_cluster_t *cl, const cluster_waiter_t *w, int64_t now)
{
    if (now >= w->deadline_ms)
        return true;
    for (int32_t p = 0; p < cl->n_parts; p++)
        if (cl->next_off[p] < w->target[p])
            return false;
    return true;
}

static void finish_syncs(kafka_cluster_t *cl)
{
    int64_t now = kr_clock_mono_ms();
    for (cluster_waiter_t **pp = &cl->syncs; *pp;) {
        cluster_waiter_t *w = *pp;
        if (!sync_done(cl, w, now)) {
            pp = &w->next;
            continue;
        }
        *pp = w->next;
        w->next = NULL;
        complete_all(w);
    }
}

static void apply(kafka_cluster_t *cl, rd_kafka_message_t *m)
{
    if (m->partition < 0 || m->partition >= cl->n_parts)
        return;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (m->offset > cl->next_off[m->partition])
            cl->next_off[m->partition] = m->offset;
        return;
    }
    if (m->err) {
        log_warn("cluster: reading the cluster topic: %s", rd_kafka_message_errstr(m));
        return;
    }
    cl->next_off[m->partition] = m->offset + 1;
    if (!m->key || m->key_len == 0)
        return;
    pthread_mutex_lock(&cl->lock);
    cluster_table_apply(cl, m->key, m->key_len, m->payload, m->len);
    pthread_mutex_unlock(&cl->lock);
}

/* Reads what the topic has, waiting at most wait_ms for the first record. */
static void read_some(kafka_cluster_t *cl, int wait_ms)
{
    rd_kafka_message_t *m = rd_kafka_consume_queue(cl->q, wait_ms);
    for (int i = 0; m; i++) {
        apply(cl, m);
        rd_kafka_message_destroy(m);
        m = i < 1000 ? rd_kafka_consume_queue(cl->q, 0) : NULL; /* the rest next round */
    }
}

static int prepare(kafka_cluster_t *cl, kr_err_t *err);

/* Until the topic is ready (Kafka may be down at start-up: krest serves meanwhile), look-ups
 * find nobody and waiters are answered at once. @return whether it became ready. */
static bool wait_ready(kafka_cluster_t *cl)
{
    bool warned = false;
    while (!atomic_load(&cl->stop)) {
        kr_err_t err = {0};
        if (prepare(cl, &err) == 0) {
            log_info("cluster: instance '%s' at %s on topic '%s' (%d partition(s))", cl->self_id,
                     cl->url, cl->cfg->cluster_topic, (int)cl->n_parts);
            return true;
        }
        if (!warned)
            log_warn("cluster: %s (retrying; consumer instances of other krests answer 404 "
                     "until then)",
                     err.msg);
        warned = true;
        for (int i = 0; i < 10 && !atomic_load(&cl->stop); i++) {
            pthread_mutex_lock(&cl->lock);
            cluster_waiter_t *pubs = cl->new_pubs, *syncs = cl->new_syncs;
            cl->new_pubs = cl->new_syncs = NULL;
            pthread_mutex_unlock(&cl->lock);
            complete_all(pubs);
            complete_all(syncs);
            usleep(100 * 1000);
        }
    }
    return false;
}

static void *run(void *arg)
{
    kafka_cluster_t *cl = arg;
    int64_t next_hb = 0;
    if (!wait_ready(cl))
        return NULL;
    atomic_store(&cl->ready, true);
    while (!atomic_load(&cl->stop)) {
        pthread_mutex_lock(&cl->lock);
        cluster_waiter_t *pubs = cl->new_pubs, *syncs = cl->new_syncs;
        cl->new_pubs = cl->new_syncs = NULL;
        pthread_mutex_unlock(&cl->lock);
        int64_t now = kr_clock_mono_ms();
        if (now >= next_hb || pubs) {
            announce(cl, pubs);
            next_hb = now + cl->cfg->cluster_heartbeat_interval_ms;
        }
        if (syncs)
            start_syncs(cl, syncs);
        rd_kafka_poll(cl->prod, 0);
        int64_t wait = next_hb - kr_clock_mono_ms();
        read_some(cl, (int)(wait < 0 ? 0 : wait > 100 ? 100 : wait));
        finish_syncs(cl);
    }
    return NULL;
}

static void hand_over(kafka_cluster_t *cl, cluster_waiter_t **list, kr_handle_t h)
{
    cluster_waiter_t *w = xcalloc(1, sizeof(*w));
    w->h = h;
    pthread_mutex_lock(&cl->lock);
    w->next = *list;
    *list = w;
    pthread_mutex_unlock(&cl->lock);
    if (atomic_load(&cl->ready))
        rd_kafka_queue_yield(cl->q);
}

void kafka_cluster_sync(kafka_cluster_t *cl, kr_handle_t h)
{
    hand_over(cl, &cl->new_syncs, h);
}

void kafka_cluster_publish(kafka_cluster_t *cl, kr_handle_t h)
{
    hand_over(cl, &cl->new_pubs, h);
}

kafka_owner_t kafka_cluster_owner(kafka_cluster_t *cl, const char *group, const char *name,
                                  char **url, char **owner_id)
{
    pthread_mutex_lock(&cl->lock);
    kafka_owner_t r = cluster_table_owner(cl, group, name, url, owner_id);
    pthread_mutex_unlock(&cl->lock);
    return r;
}

void kafka_cluster_peer_failed(kafka_cluster_t *cl, const char *id)
{
    pthread_mutex_lock(&cl->lock);
    cluster_table_failed(cl, id);
    pthread_mutex_unlock(&cl->lock);
}

size_t kafka_cluster_live(kafka_cluster_t *cl)
{
    pthread_mutex_lock(&cl->lock);
    size_t n = cluster_table_live(cl);
    pthread_mutex_unlock(&cl->lock);
    return n;
}

static int64_t live_gauge(void *arg)
{
    return (int64_t)kafka_cluster_live(arg);
}

/* CreateTopics for the cluster topic (compacted, one partition); an existing one is fine. */
static int create_topic(kafka_cluster_t *cl, const char *topic, kr_err_t *err)
{
    char es[256];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, 1, -1, es, sizeof(es));
    if (!nt)
        return kr_err_set(err, KR_ERR_INTERNAL, "cluster topic '%s': %s", topic, es);
    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
    rd_kafka_queue_t *q = rd_kafka_queue_new(cl->prod);
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(cl->prod, RD_KAFKA_ADMIN_OP_ANY);
    rd_kafka_AdminOptions_set_request_timeout(o, (int)cl->cfg->client_timeout_ms, es, sizeof(es));
    rd_kafka_CreateTopics(cl->prod, &nt, 1, o, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, (int)cl->cfg->client_timeout_ms + 1000);
    int rc = 0;
    const rd_kafka_CreateTopics_result_t *res = ev ? rd_kafka_event_CreateTopics_result(ev) : NULL;
    size_t n = 0;
    const rd_kafka_topic_result_t **tr = res ? rd_kafka_CreateTopics_result_topics(res, &n) : NULL;
    rd_kafka_resp_err_t e = !ev      ? RD_KAFKA_RESP_ERR__TIMED_OUT
                            : n == 1 ? rd_kafka_topic_result_error(tr[0])
                                     : rd_kafka_event_error(ev);
    if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        rc = kr_err_set(err, KR_ERR_KAFKA, "cannot create the cluster topic '%s': %s", topic,
                        rd_kafka_err2str(e));
    else if (!e)
        log_info("cluster: created topic '%s' (cleanup.policy=compact)", topic);
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(q);
    return rc;
}

/* The topic's partition count, waiting for a new topic's metadata to show it. */
static int count_partitions(kafka_cluster_t *cl, kr_err_t *err)
{
    int64_t until = kr_clock_mono_ms() + cl->cfg->client_timeout_ms;
    do {
        const struct rd_kafka_metadata *md = NULL;
        if (rd_kafka_metadata(cl->cons, 0, cl->cons_rkt, &md, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            bool ok = md->topic_cnt == 1 && !md->topics[0].err && md->topics[0].partition_cnt > 0;
            cl->n_parts = ok ? md->topics[0].partition_cnt : 0;
            rd_kafka_metadata_destroy(md);
            if (ok)
                return 0;
        }
        usleep(200 * 1000);
    } while (kr_clock_mono_ms() < until);
    return kr_err_set(err, KR_ERR_KAFKA, "the cluster topic '%s' has no partitions yet",
                      cl->cfg->cluster_topic);
}

/* The handles: no network yet. */
static int open_handles(kafka_cluster_t *cl, kr_err_t *err)
{
    static const char *const prod_defaults[] = {"linger.ms", "0", "acks", "all", NULL};
    static const char *const cons_defaults[] = {"enable.partition.eof", "true", NULL};
    char es[512];
    rd_kafka_conf_t *pc = kafka_client_conf(cl->cfg, "producer", prod_defaults);
    rd_kafka_conf_set_dr_msg_cb(pc, on_delivery);
    cl->prod = rd_kafka_new(RD_KAFKA_PRODUCER, pc, es, sizeof(es));
    if (!cl->prod)
        return kr_err_set(err, KR_ERR_INTERNAL, "cluster producer: %s", es);
    rd_kafka_conf_t *cc = kafka_client_conf(cl->cfg, "consumer", cons_defaults);
    cl->cons = rd_kafka_new(RD_KAFKA_CONSUMER, cc, es, sizeof(es));
    if (!cl->cons)
        return kr_err_set(err, KR_ERR_INTERNAL, "cluster reader: %s", es);
    cl->prod_rkt = rd_kafka_topic_new(cl->prod, cl->cfg->cluster_topic, NULL);
    cl->cons_rkt = rd_kafka_topic_new(cl->cons, cl->cfg->cluster_topic, NULL);
    cl->q = rd_kafka_queue_new(cl->cons);
    return 0;
}

/* On the cluster thread: the topic (created when missing), its partitions, the reader.
 * @return 0, or -1 with err (Kafka not reachable yet: retried). */
static int prepare(kafka_cluster_t *cl, kr_err_t *err)
{
    if (create_topic(cl, cl->cfg->cluster_topic, err) != 0 || count_partitions(cl, err) != 0)
        return -1;
    cl->next_off = xcalloc((size_t)cl->n_parts, sizeof(int64_t));
    for (int32_t p = 0; p < cl->n_parts; p++)
        if (rd_kafka_consume_start_queue(cl->cons_rkt, p, RD_KAFKA_OFFSET_BEGINNING, cl->q) != 0) {
            cl->n_started = p;
            return kr_err_set(err, KR_ERR_KAFKA, "cluster reader, partition %d: %s", (int)p,
                              rd_kafka_err2str(rd_kafka_last_error()));
        }
    cl->n_started = cl->n_parts;
    return 0;
}

static void close_handles(kafka_cluster_t *cl)
{
    for (int32_t p = 0; p < cl->n_started; p++)
        rd_kafka_consume_stop(cl->cons_rkt, p);
    if (cl->q)
        rd_kafka_queue_destroy(cl->q);
    if (cl->cons_rkt)
        rd_kafka_topic_destroy(cl->cons_rkt);
    if (cl->prod_rkt)
        rd_kafka_topic_destroy(cl->prod_rkt);
    if (cl->cons)
        rd_kafka_destroy(cl->cons);
    if (cl->prod)
        rd_kafka_destroy(cl->prod);
}

static void cluster_free(kafka_cluster_t *cl)
{
    close_handles(cl);
    cluster_table_free(cl);
    complete_all(cl->syncs);
    complete_all(cl->new_syncs);
    complete_all(cl->new_pubs);
    pthread_mutex_destroy(&cl->lock);
    xfree(cl->next_off);
    xfree(cl->self_id);
    xfree(cl->url);
    xfree(cl);
}

kafka_cluster_t *kafka_cluster_start(const krest_config_t *cfg, const char *self_id,
                                     const char *url, kafka_consumers_t *consumers, kr_err_t *err)
{
    kafka_cluster_t *cl = xcalloc(1, sizeof(*cl));
    cl->cfg = cfg;
    cl->self_id = xstrdup(self_id);
    cl->url = xstrdup(url);
    cl->consumers = consumers;
    atomic_init(&cl->stop, false);
    atomic_init(&cl->ready, false);
    pthread_mutex_init(&cl->lock, NULL);
    if (open_handles(cl, err) != 0) {
        cluster_free(cl);
        return NULL;
    }
    if (pthread_create(&cl->thread, NULL, run, cl) != 0) {
        kr_err_set(err, KR_ERR_INTERNAL, "cannot start the cluster thread");
        cluster_free(cl);
        return NULL;
    }
    kr_metrics_gauge_fn(KR_M_CLUSTER_INSTANCES, live_gauge, cl);
    return cl;
}

void kafka_cluster_stop(kafka_cluster_t *cl)
{
    if (!cl)
        return;
    kr_metrics_gauge_fn(KR_M_CLUSTER_INSTANCES, NULL, NULL);
    atomic_store(&cl->stop, true);
    rd_kafka_queue_yield(cl->q);
    pthread_join(cl->thread, NULL);
    if (!atomic_load(&cl->ready))
        log_info("cluster: instance '%s' stopped before the cluster topic was ready", cl->self_id);
    else if (rd_kafka_produce(cl->prod_rkt, RD_KAFKA_PARTITION_UA, 0, NULL, 0, cl->self_id,
                              strlen(cl->self_id), NULL) != 0 ||
             rd_kafka_flush(cl->prod, 2000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        log_warn("cluster: the tombstone of '%s' was not written; the others will see its "
                 "heartbeat expire",
                 cl->self_id);
    else
        log_info("cluster: instance '%s' left", cl->self_id);
    cluster_free(cl);
}
