/* kafka/partition_read.c -- v1's one-shot partition read (see partition_read.h).
 * Threads: worker threads. */
#include "kafka/partition_read.h"

#include "kafka/client.h"
#include "kafka/errors.h"
#include "util/clock.h"
#include "util/mem.h"

#include <librdkafka/rdkafka.h>

static int fail(kr_err_t *err, rd_kafka_resp_err_t e, const char *what, const char *topic)
{
    if (e == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
        return kr_err_set(err, KR_ERR_PARTITION_NOT_FOUND, "Partition not found.");
    if (e == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        return kr_err_set(err, KR_ERR_TOPIC_NOT_FOUND, "Topic %s not found.", topic);
    return kafka_err_set(err, e, what);
}

/* Checks that the topic and partition exist (one Metadata request for the topic; no handle
 * of krest ever creates a topic). */
static int check_partition(rd_kafka_t *rk, const kafka_partition_read_opts_t *o, int64_t timeout,
                           kr_err_t *err)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, (int)timeout);
    int rc = 0;
    if (e) {
        rc = fail(err, e, "metadata request failed", o->topic);
    } else if (md->topic_cnt != 1 || md->topics[0].err) {
        rc = kr_err_set(err, KR_ERR_TOPIC_NOT_FOUND, "Topic %s not found.", o->topic);
    } else {
        rc = kr_err_set(err, KR_ERR_PARTITION_NOT_FOUND, "Partition not found.");
        for (int i = 0; i < md->topics[0].partition_cnt; i++) {
            if (md->topics[0].partitions[i].id == o->partition) {
                kr_err_clear(err);
                rc = 0;
            }
        }
    }
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    return rc;
}

/* Resolves the start offset; @return 0, 1 when there is nothing to read, -1 on error. */
static int start_offset(rd_kafka_t *rk, const kafka_partition_read_opts_t *o, int64_t timeout,
                        int64_t *offset, kr_err_t *err)
{
    *offset = o->offset;
    if (o->offset >= 0)
        return 0;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, o->topic, o->partition)->offset = o->timestamp;
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk, l, (int)timeout);
    if (!e)
        e = l->elems[0].err;
    *offset = l->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(l);
    if (e)
        return fail(err, e, "offsets for times failed", o->topic);
    return *offset < 0 ? 1 : 0;
}

/* The legacy simple-consumer API: no group needed (librdkafka's assign() wants one). */
static int consume(kafka_partition_read_t *r, const kafka_partition_read_opts_t *o, int64_t offset,
                   int64_t deadline, kr_err_t *err)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(r->_rk, o->topic, NULL);
    if (rd_kafka_consume_start(rkt, o->partition, offset) != 0) {
        int rc = fail(err, rd_kafka_last_error(), "consume failed", o->topic);
        rd_kafka_topic_destroy(rkt);
        return rc;
    }
    r->records = xcalloc((size_t)o->count, sizeof(*r->records));
    int64_t bytes = 0;
    int rc = 0;
    while (r->n < (size_t)o->count && kr_clock_mono_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consume(rkt, o->partition, 100);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            rd_kafka_message_destroy(m);
            break;
        }
        if (m->err) {
            rc = fail(err, m->err, "fetch failed", o->topic);
            rd_kafka_message_destroy(m);
            break;
        }
        /* Up to count records, and up to max_bytes of them as GET …/records counts (a first
         * record larger than that comes alone): count alone would let a read of 100000 large
         * records hold them all in memory. */
        int64_t size = (int64_t)(m->key_len + m->len);
        if (r->n > 0 && bytes + size > o->max_bytes) {
            rd_kafka_message_destroy(m);
            break;
        }
        bytes += size;
        r->records[r->n++] = m;
    }
    rd_kafka_consume_stop(rkt, o->partition);
    rd_kafka_topic_destroy(rkt);
    return rc;
}

kafka_partition_read_t *kafka_partition_read(const krest_config_t *cfg,
                                             const kafka_partition_read_opts_t *o, kr_err_t *err)
{
    static const char *const defaults[] = {"enable.partition.eof", "true", "enable.auto.commit",
                                           "false", NULL};
    rd_kafka_conf_t *conf = kafka_client_conf(cfg, "consumer", defaults);
    char errstr[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        kr_err_set(err, KR_ERR_INTERNAL, "cannot create a consumer: %s", errstr);
        return NULL;
    }
    kafka_partition_read_t *r = xcalloc(1, sizeof(*r));
    r->_rk = rk;
    int64_t deadline = kr_clock_mono_ms() + cfg->client_timeout_ms;
    int64_t offset = 0;
    int rc = check_partition(rk, o, cfg->client_timeout_ms, err);
    if (rc == 0)
        rc = start_offset(rk, o, cfg->client_timeout_ms, &offset, err);
    if (rc == 0)
        rc = consume(r, o, offset, deadline, err);
    if (rc < 0) {
        kafka_partition_read_free(r);
        return NULL;
    }
    return r;
}

void kafka_partition_read_free(kafka_partition_read_t *r)
{
    if (!r)
        return;
    /* rd_kafka_destroy waits for every message of its handle: the records go first. */
    for (size_t i = 0; i < r->n; i++)
        rd_kafka_message_destroy(r->records[i]);
    xfree(r->records);
    if (r->_rk)
        rd_kafka_destroy(r->_rk);
    xfree(r);
}
