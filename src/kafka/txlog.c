/* kafka/txlog.c -- a state log on one Kafka partition with fenced transactional writers. See
 * txlog.h for the protocol. The reader is one thread polling one assign()-ed consumer (no
 * group); the writer is a transactional producer created on demand and destroyed when fenced
 * or broken, since librdkafka's transactional producer cannot recover from a fatal error. */
#include "kafka/txlog.h"

#include "kafka/client.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define POLL_MS        100
#define TXN_TIMEOUT_MS "10000"

struct kafka_txlog {
    const krest_config_t *cfg;
    char *topic;
    char *txn_id;
    char *noop_key;
    kafka_txlog_apply_fn apply;
    void *arg;

    rd_kafka_t *reader;
    pthread_t thread;
    bool thread_started;
    atomic_bool stop;

    pthread_mutex_t mu; /* guards applied, ready */
    pthread_cond_t cond;
    int64_t applied; /* offset after the last record applied */
    bool ready;      /* the reader reached the end once */

    rd_kafka_t *writer; /* NULL until sync(); the writer's thread only */
    int64_t dr_last;    /* highest offset a delivery report gave in this transaction */
    rd_kafka_resp_err_t dr_err;
};

/* --- reader ------------------------------------------------------------------------------- */

static void wait_or_stop(kafka_txlog_t *log, int ms)
{
    for (int waited = 0; waited < ms && !atomic_load(&log->stop); waited += 50) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Creates the topic when it does not exist. @return 0 when it exists now, -1 to retry. */
static int ensure_topic(kafka_txlog_t *log)
{
    rd_kafka_t *rk = log->reader;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, 5000);
    if (e) {
        log_warn("schema log '%s': metadata: %s", log->topic, rd_kafka_err2str(e));
        return -1;
    }
    bool exists = false;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, log->topic) == 0 && !md->topics[i].err)
            exists = true;
    int rf = md->broker_cnt < 3 ? md->broker_cnt : 3;
    rd_kafka_metadata_destroy(md);
    if (exists)
        return 0;
    char errstr[256];
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(log->topic, 1, rf > 0 ? rf : 1, errstr, sizeof(errstr));
    if (!nt) {
        log_error("schema log '%s': %s", log->topic, errstr);
        return -1;
    }
    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 15000);
    int rc = -1;
    const rd_kafka_CreateTopics_result_t *res = ev ? rd_kafka_event_CreateTopics_result(ev) : NULL;
    if (res) {
        size_t n;
        const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
        e = n ? rd_kafka_topic_result_error(tr[0]) : rd_kafka_event_error(ev);
        if (!e || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            log_info("schema log: created topic '%s' (1 partition, compacted, replication %d)",
                     log->topic, rf);
            rc = 0;
        } else {
            log_warn("schema log '%s': create topic: %s", log->topic, rd_kafka_err2str(e));
        }
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    return rc;
}

static void mark(kafka_txlog_t *log, int64_t applied, bool ready)
{
    pthread_mutex_lock(&log->mu);
    if (applied > log->applied)
        log->applied = applied;
    if (ready)
        log->ready = true;
    pthread_cond_broadcast(&log->cond);
    pthread_mutex_unlock(&log->mu);
}

static void handle(kafka_txlog_t *log, rd_kafka_message_t *m)
{
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        mark(log, m->offset, true);
    } else if (m->err) {
        log_debug("schema log '%s': %s", log->topic, rd_kafka_message_errstr(m));
    } else if (m->key) {
        log->apply(log->arg, m->key, m->key_len, m->payload, m->payload ? m->len : 0, m->offset);
        mark(log, m->offset + 1, false);
    }
}

/* The legacy per-partition consumer API: an assign() without a group.id cannot be polled. */
static void *reader_main(void *arg)
{
    kafka_txlog_t *log = arg;
    while (!atomic_load(&log->stop) && ensure_topic(log) != 0)
        wait_or_stop(log, 1000);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(log->reader, log->topic, NULL);
    if (rd_kafka_consume_start(rkt, 0, RD_KAFKA_OFFSET_BEGINNING) != 0) {
        log_error("schema log '%s': cannot start reading: %s", log->topic,
                  rd_kafka_err2str(rd_kafka_last_error()));
        rd_kafka_topic_destroy(rkt);
        return NULL;
    }
    while (!atomic_load(&log->stop)) {
        rd_kafka_message_t *m = rd_kafka_consume(rkt, 0, POLL_MS);
        if (!m)
            continue;
        handle(log, m);
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consume_stop(rkt, 0);
    rd_kafka_topic_destroy(rkt);
    return NULL;
}

kafka_txlog_t *kafka_txlog_open(const krest_config_t *cfg, const char *topic, const char *txn_id,
                                const char *noop_key, kafka_txlog_apply_fn apply, void *arg,
                                kr_err_t *err)
{
    static const char *const defaults[] = {"auto.offset.reset", "earliest", NULL};
    rd_kafka_conf_t *conf = kafka_client_conf(cfg, "consumer", defaults);
    char errstr[512];
    /* Fixed: a committed-only, group-less reader that says when it reached the end. */
    rd_kafka_conf_set(conf, "isolation.level", "read_committed", errstr, sizeof(errstr));
    rd_kafka_conf_set(conf, "enable.partition.eof", "true", errstr, sizeof(errstr));
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof(errstr));
    rd_kafka_conf_set(conf, "client.id", "krest-schema-registry", errstr, sizeof(errstr));
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (!rk) {
        kr_err_set(err, KR_ERR_INTERNAL, "schema log reader: %s", errstr);
        return NULL;
    }
    kafka_txlog_t *log = xcalloc(1, sizeof(*log));
    log->cfg = cfg;
    log->topic = xstrdup(topic);
    log->txn_id = xstrdup(txn_id);
    log->noop_key = xstrdup(noop_key);
    log->apply = apply;
    log->arg = arg;
    log->reader = rk;
    atomic_init(&log->stop, false);
    pthread_mutex_init(&log->mu, NULL);
    pthread_cond_init(&log->cond, NULL);
    if (pthread_create(&log->thread, NULL, reader_main, log) != 0) {
        kr_err_set(err, KR_ERR_INTERNAL, "schema log: cannot start its reader thread");
        kafka_txlog_close(log);
        return NULL;
    }
    log->thread_started = true;
    return log;
}

/* Waits (mu held) until cond() holds or the deadline passes. @return whether it holds. */
static bool wait_until(kafka_txlog_t *log, bool (*cond)(kafka_txlog_t *, int64_t), int64_t x,
                       int64_t timeout_ms)
{
    int64_t deadline = kr_clock_mono_ms() + timeout_ms;
    pthread_mutex_lock(&log->mu);
    bool ok;
    while (!(ok = cond(log, x)) && !atomic_load(&log->stop) && kr_clock_mono_ms() < deadline) {
        struct timespec ts = kr_clock_after(CLOCK_REALTIME, 20);
        pthread_cond_timedwait(&log->cond, &log->mu, &ts);
    }
    pthread_mutex_unlock(&log->mu);
    return ok;
}

static bool is_ready(kafka_txlog_t *log, int64_t unused)
{
    (void)unused;
    return log->ready;
}

static bool is_applied(kafka_txlog_t *log, int64_t offset)
{
    return log->applied > offset;
}

bool kafka_txlog_is_ready(kafka_txlog_t *log)
{
    pthread_mutex_lock(&log->mu);
    bool ready = log->ready;
    pthread_mutex_unlock(&log->mu);
    return ready;
}

int kafka_txlog_wait_ready(kafka_txlog_t *log, int64_t timeout_ms, kr_err_t *err)
{
    if (wait_until(log, is_ready, 0, timeout_ms))
        return 0;
    return kr_err_set(err, 50002, "Timed out reading the schemas topic '%s' to its end",
                      log->topic);
}

/* --- writer ------------------------------------------------------------------------------- */

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    kafka_txlog_t *log = opaque;
    if (m->err)
        log->dr_err = m->err;
    else if (m->offset > log->dr_last)
        log->dr_last = m->offset;
}

static void writer_drop(kafka_txlog_t *log)
{
    if (!log->writer)
        return;
    rd_kafka_destroy(log->writer);
    log->writer = NULL;
}

/* rd_kafka_error_t -> RETRY (fenced or otherwise fatal: the writer is dropped; or abortable:
 * the transaction is aborted) or -1 with err set. Consumes e. */
static int txn_failed(kafka_txlog_t *log, rd_kafka_error_t *e, const char *what, kr_err_t *err)
{
    int rc;
    if (rd_kafka_error_is_fatal(e)) {
        log_info("schema log: writer %s: %s (another krest took over; retrying)", what,
                 rd_kafka_error_string(e));
        writer_drop(log);
        rc = KAFKA_TXLOG_RETRY;
    } else if (rd_kafka_error_txn_requires_abort(e)) {
        rd_kafka_error_t *a = rd_kafka_abort_transaction(log->writer, 10000);
        if (a) {
            rd_kafka_error_destroy(a);
            writer_drop(log);
        }
        rc = KAFKA_TXLOG_RETRY;
    } else {
        kr_err_set(err, 50001, "Error in the backend Kafka store (%s): %s", what,
                   rd_kafka_error_string(e));
        writer_drop(log); /* state unknown: start over next time */
        rc = -1;
    }
    rd_kafka_error_destroy(e);
    return rc;
}

static int writer_new(kafka_txlog_t *log, int64_t timeout_ms, kr_err_t *err)
{
    rd_kafka_conf_t *conf = kafka_client_conf(log->cfg, "producer", NULL);
    char errstr[512];
    const char *fixed[][2] = {{"transactional.id", log->txn_id},
                              {"enable.idempotence", "true"},
                              {"acks", "all"},
                              {"linger.ms", "0"},
                              {"transaction.timeout.ms", TXN_TIMEOUT_MS},
                              {"client.id", "krest-schema-registry"}};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        rd_kafka_conf_set(conf, fixed[i][0], fixed[i][1], errstr, sizeof(errstr));
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, log);
    log->writer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!log->writer)
        return kr_err_set(err, 50001, "schema log writer: %s", errstr);
    rd_kafka_error_t *e = rd_kafka_init_transactions(log->writer, (int)timeout_ms);
    if (!e) {
        /* The partition's leader known now: else the first commit waits about a second for
         * librdkafka's own metadata refresh before it can add the partition. */
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(log->writer, log->topic, NULL);
        const struct rd_kafka_metadata *md = NULL;
        if (rd_kafka_metadata(log->writer, 0, rkt, &md, (int)timeout_ms) == 0)
            rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
        return 0;
    }
    kr_err_set(err, 50002, "Timed out or failed initialising the schemas writer: %s",
               rd_kafka_error_string(e));
    rd_kafka_error_destroy(e);
    writer_drop(log);
    return -1;
}

static int produce_all(kafka_txlog_t *log, const char *const *keys, const char *const *values,
                       size_t n, kr_err_t *err)
{
    for (size_t i = 0; i < n; i++) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            log->writer, RD_KAFKA_V_TOPIC(log->topic), RD_KAFKA_V_PARTITION(0),
            RD_KAFKA_V_KEY(keys[i], strlen(keys[i])),
            RD_KAFKA_V_VALUE((void *)values[i], values[i] ? strlen(values[i]) : 0),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e) {
            kr_err_set(err, 50001, "Error writing to the schemas topic: %s", rd_kafka_err2str(e));
            return -1;
        }
    }
    return 0;
}

int kafka_txlog_append(kafka_txlog_t *log, const char *const *keys, const char *const *values,
                       size_t n, int64_t timeout_ms, kr_err_t *err)
{
    if (!log->writer)
        return KAFKA_TXLOG_RETRY;
    rd_kafka_error_t *e = rd_kafka_begin_transaction(log->writer);
    if (e)
        return txn_failed(log, e, "begin", err);
    log->dr_last = -1;
    log->dr_err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (produce_all(log, keys, values, n, err) != 0) {
        e = rd_kafka_abort_transaction(log->writer, (int)timeout_ms);
        if (e)
            return txn_failed(log, e, "abort", err);
        return -1;
    }
    int64_t t0 = kr_clock_mono_ms();
    e = rd_kafka_commit_transaction(log->writer, (int)timeout_ms);
    if (e)
        return txn_failed(log, e, "commit", err);
    int64_t t1 = kr_clock_mono_ms();
    rd_kafka_poll(log->writer, 0); /* delivery reports not yet served */
    if (log->dr_err || log->dr_last < 0)
        return kr_err_set(err, 50001, "Error writing to the schemas topic: %s",
                          rd_kafka_err2str(log->dr_err));
    if (!wait_until(log, is_applied, log->dr_last, timeout_ms))
        return kr_err_set(err, 50002, "Timed out waiting for the schemas topic to catch up");
    log_debug("schema log '%s': %zu record(s) committed in %lld ms, read back in %lld ms",
              log->topic, n, (long long)(t1 - t0), (long long)(kr_clock_mono_ms() - t1));
    return 0;
}

int kafka_txlog_sync(kafka_txlog_t *log, int64_t timeout_ms, kr_err_t *err)
{
    if (log->writer)
        return 0;
    int64_t t0 = kr_clock_mono_ms();
    if (writer_new(log, timeout_ms, err) != 0)
        return -1;
    int64_t t1 = kr_clock_mono_ms();
    const char *key = log->noop_key;
    const char *value = NULL;
    int rc = kafka_txlog_append(log, &key, &value, 1, timeout_ms, err);
    log_debug("schema log '%s': writer %s: init %lld ms, NOOP round trip %lld ms", log->topic,
              rc == 0 ? "ready" : "not ready", (long long)(t1 - t0),
              (long long)(kr_clock_mono_ms() - t1));
    return rc;
}

void kafka_txlog_stop(kafka_txlog_t *log)
{
    pthread_mutex_lock(&log->mu);
    atomic_store(&log->stop, true);
    pthread_cond_broadcast(&log->cond);
    pthread_mutex_unlock(&log->mu);
}

void kafka_txlog_close(kafka_txlog_t *log)
{
    if (!log)
        return;
    kafka_txlog_stop(log);
    if (log->thread_started)
        pthread_join(log->thread, NULL);
    writer_drop(log);
    rd_kafka_destroy(log->reader);
    pthread_mutex_destroy(&log->mu);
    pthread_cond_destroy(&log->cond);
    xfree(log->topic);
    xfree(log->txn_id);
    xfree(log->noop_key);
    xfree(log);
}
