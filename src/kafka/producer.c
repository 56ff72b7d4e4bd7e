/* kafka/producer.c -- the shared producer (see producer.h).
 * Threads: send() from any thread; dr_cb() on the kafka loop (rd_kafka_poll). A batch's
 * `remaining` is atomic: whichever thread takes it to zero calls done(). */
#include "kafka/producer.h"

#include "kafka/errors.h"

#include "kafka/client.h"
#include "kafka/stats.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Worst-case per-record overhead of the v2 message format, as librdkafka counts it. */
#define RECORD_V2_MAX_OVERHEAD 36

struct kafka_producer {
    rd_kafka_t *rk;
    rd_kafka_queue_t *main_q;
    kafka_loop_t *loop; /* borrowed */
    kafka_loop_watch_t *watch;
    int64_t max_message_bytes;
    int64_t message_timeout_ms;
};

typedef struct batch {
    long remaining; /* atomic */
    kafka_batch_done_fn done;
    void *opaque;
} batch_t;

static void batch_settle(batch_t *b, long n)
{
    if (__atomic_sub_fetch(&b->remaining, n, __ATOMIC_ACQ_REL) == 0) {
        kafka_batch_done_fn done = b->done;
        void *opaque = b->opaque;
        xfree(b);
        done(opaque);
    }
}

/* e, or for RD_KAFKA_RESP_ERR__FATAL the fatal error's own code: say why, e.g. no right to an
 * idempotent PID (a user without ACLs gets 40301, not 50002). */
static rd_kafka_resp_err_t cause(rd_kafka_t *rk, rd_kafka_resp_err_t e)
{
    rd_kafka_resp_err_t f = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (e == RD_KAFKA_RESP_ERR__FATAL)
        f = rd_kafka_fatal_error(rk, NULL, 0);
    return f != RD_KAFKA_RESP_ERR_NO_ERROR ? f : e;
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    (void)opaque;
    kafka_msg_t *m = rkm->_private;
    m->err = cause(rk, rkm->err);
    m->out_partition = rkm->partition;
    m->out_offset = rkm->offset;
    m->out_timestamp = rd_kafka_message_timestamp(rkm, NULL);
    kafka_stats_delivered(rkm);
    batch_settle(m->_batch, 1);
}

static void serve(void *arg)
{
    kafka_producer_t *p = arg;
    while (rd_kafka_poll(p->rk, 0) > 0)
        ;
}

static int64_t conf_int(rd_kafka_conf_t *conf, const char *key, int64_t fallback)
{
    char val[64];
    size_t n = sizeof(val);
    if (rd_kafka_conf_get(conf, key, val, &n) != RD_KAFKA_CONF_OK)
        return fallback;
    return strtoll(val, NULL, 10);
}

kafka_producer_t *kafka_producer_new(const krest_config_t *cfg, kafka_loop_t *loop, kr_err_t *err)
{
    return kafka_producer_new_as(cfg, loop, NULL, err);
}

kafka_producer_t *kafka_producer_new_as(const krest_config_t *cfg, kafka_loop_t *loop,
                                        kafka_client_user_t *user, kr_err_t *err)
{
    static const char *const defaults[] = {
        "acks",
        "all",
        "enable.idempotence",
        "true",
        "linger.ms",
        "5",
        "partitioner",
        "murmur2_random",
        "message.timeout.ms",
        "30000",
        NULL,
    };
    rd_kafka_conf_t *conf = kafka_client_conf(cfg, "producer", defaults);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    if (user)
        kafka_client_as_user(conf, user); /* no statistics: one handle of many */
    else
        kafka_stats_enable(conf, cfg, false);
    kafka_producer_t *p = xcalloc(1, sizeof(*p));
    p->loop = loop;
    p->max_message_bytes = conf_int(conf, "message.max.bytes", 1000000);
    p->message_timeout_ms = conf_int(conf, "message.timeout.ms", 30000);
    char errstr[512];
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!p->rk) {
        rd_kafka_conf_destroy(conf);
        xfree(p);
        kr_err_set(err, KR_ERR_INTERNAL, "cannot create the Kafka producer: %s", errstr);
        return NULL;
    }
    p->main_q = rd_kafka_queue_get_main(p->rk);
    p->watch = kafka_loop_watch(loop, p->main_q, serve, p, err);
    if (!p->watch) {
        kafka_producer_free(p);
        return NULL;
    }
    return p;
}

size_t kafka_msg_wire_size(const kafka_msg_t *m)
{
    size_t n = RECORD_V2_MAX_OVERHEAD + m->key_len + m->value_len;
    for (size_t i = 0; i < m->n_headers; i++)
        n += 5 + m->headers[i].name_len + 5 + m->headers[i].value_len;
    return n;
}

/* Builds librdkafka headers for m. @return owned headers or NULL when m has none. */
static rd_kafka_headers_t *make_headers(const kafka_msg_t *m)
{
    if (m->n_headers == 0)
        return NULL;
    rd_kafka_headers_t *h = rd_kafka_headers_new(m->n_headers);
    for (size_t i = 0; i < m->n_headers; i++) {
        const kafka_msg_header_t *mh = &m->headers[i];
        rd_kafka_header_add(h, mh->name, (ssize_t)mh->name_len, mh->value,
                            mh->value ? (ssize_t)mh->value_len : 0);
    }
    return h;
}

static rd_kafka_resp_err_t enqueue(kafka_producer_t *p, rd_kafka_topic_t *rkt, kafka_msg_t *m)
{
    rd_kafka_headers_t *h = make_headers(m);
    rd_kafka_resp_err_t e = rd_kafka_producev(
        p->rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(m->partition),
        RD_KAFKA_V_KEY(m->key, m->key_len), RD_KAFKA_V_VALUE((void *)m->value, m->value_len),
        RD_KAFKA_V_TIMESTAMP(m->timestamp), RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(m),
        RD_KAFKA_V_END);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR && h)
        rd_kafka_headers_destroy(h);
    return e;
}

/* Records without headers or a timestamp of their own go to librdkafka a run at a time
 * (rd_kafka_produce_batch: one topic lock, clock read and partition look-up per run instead of
 * per record; 200 instead of 500 ns of the HTTP thread per 1 KiB record, measured). */
#define RUN_MAX 128

static bool batchable(const kafka_msg_t *m)
{
    return m->n_headers == 0 && m->timestamp == 0;
}

/* Enqueues msgs[0..n) (n <= RUN_MAX, all batchable). Refused messages get their error; a full
 * queue also sets *refused (nothing after it is enqueued). @return how many were refused. */
static long enqueue_run(rd_kafka_t *rk, rd_kafka_topic_t *rkt, kafka_msg_t *msgs, size_t n,
                        rd_kafka_resp_err_t *refused)
{
    rd_kafka_message_t rm[RUN_MAX];
    memset(rm, 0, n * sizeof(*rm));
    for (size_t i = 0; i < n; i++) {
        rm[i].partition = msgs[i].partition;
        rm[i].payload = (void *)msgs[i].value;
        rm[i].len = msgs[i].value_len;
        rm[i].key = (void *)msgs[i].key;
        rm[i].key_len = msgs[i].key_len;
        rm[i]._private = &msgs[i];
    }
    long not_sent = 0;
    if (rd_kafka_produce_batch(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_PARTITION, rm, (int)n) ==
        (int)n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (rm[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
            continue;
        msgs[i].err = cause(rk, rm[i].err); /* a producer already failed: enqueue refused */
        not_sent++;
        kafka_stats_refused(&msgs[i]);
        if (rm[i].err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            *refused = rm[i].err;
    }
    return not_sent;
}

void kafka_producer_send(kafka_producer_t *p, const char *topic, kafka_msg_t *msgs, size_t n,
                         kafka_batch_done_fn done, void *opaque)
{
    batch_t *b = xmalloc(sizeof(*b));
    b->remaining = (long)n + 1; /* +1: ours, until every message is enqueued */
    b->done = done;
    b->opaque = opaque;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(p->rk, topic, NULL);
    /* set: nothing more is enqueued (no topic handle, or the queue is full) */
    rd_kafka_resp_err_t refused = rkt ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_last_error();
    long not_sent = 0;
    for (size_t i = 0; i < n; i++) {
        msgs[i]._batch = b;
        msgs[i].out_partition = -1;
        msgs[i].out_offset = -1;
        msgs[i].out_timestamp = -1;
    }
    for (size_t i = 0; i < n;) {
        size_t run = 0;
        while (refused == RD_KAFKA_RESP_ERR_NO_ERROR && i + run < n && run < RUN_MAX &&
               batchable(&msgs[i + run]))
            run++;
        if (run > 0) {
            not_sent += enqueue_run(p->rk, rkt, msgs + i, run, &refused);
            i += run;
            continue;
        }
        kafka_msg_t *m = &msgs[i++];
        rd_kafka_resp_err_t e = refused ? refused : enqueue(p, rkt, m);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            refused = e;
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            m->err = cause(p->rk, e);
            not_sent++;
            kafka_stats_refused(m);
        }
    }
    if (rkt)
        rd_kafka_topic_destroy(rkt);
    batch_settle(b, not_sent + 1);
}

bool kafka_producer_failed(const kafka_producer_t *p)
{
    return rd_kafka_fatal_error(p->rk, NULL, 0) != RD_KAFKA_RESP_ERR_NO_ERROR;
}

int64_t kafka_producer_max_message_bytes(const kafka_producer_t *p)
{
    return p->max_message_bytes;
}

int kafka_producer_refresh_topic(kafka_producer_t *p, const char *topic, int64_t timeout_ms,
                                 kr_err_t *err)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(p->rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(p->rk, 0, rkt, &md, (int)timeout_ms);
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    return e ? kafka_err_set(err, e, "producer metadata") : 0;
}

/* @return whether md's only topic has partitions, each with a leader. */
static bool has_leaders(const struct rd_kafka_metadata *md)
{
    if (!md || md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt == 0)
        return false;
    for (int i = 0; i < md->topics[0].partition_cnt; i++) {
        if (md->topics[0].partitions[i].leader < 0)
            return false;
    }
    return true;
}

int kafka_producer_wait_topic(kafka_producer_t *p, const char *topic, int64_t timeout_ms,
                              kr_err_t *err)
{
    int64_t deadline = kr_clock_mono_ms() + timeout_ms;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(p->rk, topic, NULL);
    bool ready = false;
    for (int64_t pause_ms = 10;; pause_ms = pause_ms < 100 ? pause_ms * 2 : 200) {
        int64_t left = deadline - kr_clock_mono_ms();
        const struct rd_kafka_metadata *md = NULL;
        if (rd_kafka_metadata(p->rk, 0, rkt, &md, (int)(left > 1 ? left : 1)) == 0)
            ready = has_leaders(md);
        if (md)
            rd_kafka_metadata_destroy(md);
        left = deadline - kr_clock_mono_ms();
        if (ready || left <= 0)
            break;
        usleep((useconds_t)((pause_ms < left ? pause_ms : left) * 1000));
    }
    rd_kafka_topic_destroy(rkt);
    if (!ready)
        return kr_err_set(err, KR_ERR_BROKER_NOT_AVAILABLE,
                          "Kafka brokers are not available: topic %s was created, but its "
                          "partitions have no leader after %lld ms",
                          topic, (long long)timeout_ms);
    return 0;
}

int64_t kafka_producer_message_timeout_ms(const kafka_producer_t *p)
{
    return p->message_timeout_ms;
}

int kafka_producer_flush(kafka_producer_t *p, int64_t timeout_ms)
{
    /* The kafka loop serves the delivery reports; we only wait for the queue to empty. */
    int64_t deadline = kr_clock_mono_ms() + timeout_ms;
    while (rd_kafka_outq_len(p->rk) > 0 && kr_clock_mono_ms() < deadline)
        usleep(5000);
    return rd_kafka_outq_len(p->rk);
}

void kafka_producer_free(kafka_producer_t *p)
{
    if (!p)
        return;
    /* Whatever is still queued gets its delivery report now (purged), so every batch's owner
     * is told and frees its payloads: nothing leaks, nothing is reported as acknowledged. */
    if (p->rk && rd_kafka_outq_len(p->rk) > 0) {
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        int64_t until = kr_clock_mono_ms() + 2000;
        while (rd_kafka_outq_len(p->rk) > 0 && kr_clock_mono_ms() < until)
            rd_kafka_poll(p->rk, 10);
    }
    kafka_loop_unwatch(p->loop, p->watch);
    if (p->main_q)
        rd_kafka_queue_destroy(p->main_q);
    rd_kafka_destroy(p->rk);
    xfree(p);
}

int kafka_msg_err_code(const kafka_msg_t *m)
{
    return kafka_err_code((rd_kafka_resp_err_t)m->err);
}

const char *kafka_msg_err_str(const kafka_msg_t *m)
{
    return rd_kafka_err2str((rd_kafka_resp_err_t)m->err);
}
