/* api/v1_messages.c -- v1's partition read (see v1_messages.h). Each read is one job on the
 * worker pool with a short-lived consumer handle assigned to the partition (no group, nothing
 * committed): Confluent's SimpleConsumer pool has no counterpart worth keeping in librdkafka.
 * Threads: handler on HTTP threads; read_run() on a worker. */
#include "api/v1_messages.h"

#include "api/job.h"
#include "api/records.h"
#include "kafka/client.h"
#include "kafka/errors.h"
#include "schema/registry_client.h"
#include "util/clock.h"
#include "util/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct read_job {
    api_job_t job; /* first member (api/job.h); job.err is the outcome */
    char *topic;
    int32_t partition;
    int64_t offset;    /* -1: by timestamp */
    int64_t timestamp; /* ms, when offset is -1 */
    int64_t count;
    int64_t max_bytes; /* consumer.request.max.bytes: key+value bytes held for one read */
    int format;        /* API_FMT_BINARY, API_FMT_JSON or API_FMT_AVRO */
    rd_kafka_message_t **msgs;
    size_t n;
    kr_buf_t out; /* the rendered response: messages must die before their handle */
} read_job_t;

static void drop_msgs(read_job_t *j)
{
    for (size_t i = 0; i < j->n; i++)
        rd_kafka_message_destroy(j->msgs[i]);
    xfree(j->msgs);
    j->msgs = NULL;
    j->n = 0;
}

/* Avro records decoded into dec (spans 2i, 2i+1); schema ids are looked up here, on the
 * worker, when the registry client does not have them yet. @return 0 or -1 with j->job.err set. */
static int decode_avro(read_job_t *j, kr_buf_t *dec, fmt_span_t *spans)
{
    sr_client_t *c = j->job.ctx->sr_client;
    for (size_t i = 0; i < j->n; i++) {
        int32_t missing = -1;
        int rc;
        while ((rc = api_record_avro(j->msgs[i], c, dec, &spans[2 * i], &missing, &j->job.err)) ==
               1)
            if (!sr_client_get_id(c, missing, &j->job.err)) {
                kr_err_clear(
                    &j->job.err); /* the failure is cached: the next try names the record */
            }
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Renders the records (v1 shapes) into j->out, on the worker. */
static void render(read_job_t *j)
{
    for (size_t i = 0; !j->job.err.code && j->format == API_FMT_JSON && i < j->n; i++)
        api_record_check_json(j->msgs[i], &j->job.err);
    kr_buf_t dec;
    kr_buf_init(&dec, API_RECORDS_DECODED_MAX);
    fmt_span_t *spans = NULL;
    if (j->format == API_FMT_AVRO) {
        spans = xcalloc(2 * j->n + 2, sizeof(*spans));
        decode_avro(j, &dec, spans);
    }
    if (!j->job.err.code) {
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, &j->out);
        fmt_jsonw_arr_begin(&w);
        api_records_write(&w, j->msgs, j->n, j->format, 1, spans ? &dec : NULL, spans);
        fmt_jsonw_arr_end(&w);
        if (fmt_jsonw_finish(&w) != 0)
            kr_err_set(&j->job.err, KR_ERR_INTERNAL, "The response would exceed %zu bytes",
                       j->out.limit);
    }
    kr_buf_deinit(&dec);
    xfree(spans);
}

static void job_free(api_job_t *job)
{
    read_job_t *j = (read_job_t *)job;
    drop_msgs(j);
    kr_buf_deinit(&j->out);
    xfree(j->topic);
    xfree(j);
}

static int fail(read_job_t *j, rd_kafka_resp_err_t e, const char *what)
{
    if (e == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
        return kr_err_set(&j->job.err, KR_ERR_PARTITION_NOT_FOUND, "Partition not found.");
    if (e == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        return kr_err_set(&j->job.err, KR_ERR_TOPIC_NOT_FOUND, "Topic not found.");
    return kafka_err_set(&j->job.err, e, what);
}

/* Checks that the topic and partition exist (one Metadata request for the topic; no handle
 * of krest ever creates a topic). */
static int check_partition(read_job_t *j, rd_kafka_t *rk, int64_t timeout)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, j->topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, (int)timeout);
    int rc = 0;
    if (e) {
        rc = fail(j, e, "metadata request failed");
    } else if (md->topic_cnt != 1 || md->topics[0].err) {
        rc = kr_err_set(&j->job.err, KR_ERR_TOPIC_NOT_FOUND, "Topic not found.");
    } else {
        rc = kr_err_set(&j->job.err, KR_ERR_PARTITION_NOT_FOUND, "Partition not found.");
        for (int i = 0; i < md->topics[0].partition_cnt; i++) {
            if (md->topics[0].partitions[i].id == j->partition) {
                kr_err_clear(&j->job.err);
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
static int start_offset(read_job_t *j, rd_kafka_t *rk, int64_t timeout)
{
    if (j->offset >= 0)
        return 0;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, j->topic, j->partition)->offset = j->timestamp;
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk, l, (int)timeout);
    if (!e)
        e = l->elems[0].err;
    j->offset = l->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(l);
    if (e)
        return fail(j, e, "offsets for times failed");
    return j->offset < 0 ? 1 : 0;
}

/* The legacy simple-consumer API: no group needed (librdkafka's assign() wants one). */
static void consume(read_job_t *j, rd_kafka_t *rk, int64_t deadline)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, j->topic, NULL);
    if (rd_kafka_consume_start(rkt, j->partition, j->offset) != 0) {
        fail(j, rd_kafka_last_error(), "consume failed");
        rd_kafka_topic_destroy(rkt);
        return;
    }
    j->msgs = xcalloc((size_t)j->count, sizeof(*j->msgs));
    int64_t bytes = 0;
    while (j->n < (size_t)j->count && kr_clock_mono_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consume(rkt, j->partition, 100);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            rd_kafka_message_destroy(m);
            break;
        }
        if (m->err) {
            fail(j, m->err, "fetch failed");
            rd_kafka_message_destroy(m);
            break;
        }
        /* Up to count records, and up to max_bytes of them as GET …/records counts (a first
         * record larger than that comes alone): count alone would let a read of 100000 large
         * records hold them all in memory. */
        int64_t size = (int64_t)(m->key_len + m->len);
        if (j->n > 0 && bytes + size > j->max_bytes) {
            rd_kafka_message_destroy(m);
            break;
        }
        bytes += size;
        j->msgs[j->n++] = m;
    }
    rd_kafka_consume_stop(rkt, j->partition);
    rd_kafka_topic_destroy(rkt);
}

static void read_run(api_job_t *job)
{
    read_job_t *j = (read_job_t *)job;
    const krest_config_t *cfg = j->job.ctx->cfg;
    static const char *const defaults[] = {"enable.partition.eof", "true", "enable.auto.commit",
                                           "false", NULL};
    rd_kafka_conf_t *conf = kafka_client_conf(cfg, "consumer", defaults);
    char errstr[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        kr_err_set(&j->job.err, KR_ERR_INTERNAL, "cannot create a consumer: %s", errstr);
    } else {
        int64_t deadline = kr_clock_mono_ms() + cfg->client_timeout_ms;
        if (check_partition(j, rk, cfg->client_timeout_ms) == 0 &&
            start_offset(j, rk, cfg->client_timeout_ms) == 0)
            consume(j, rk, deadline);
        render(j);
        drop_msgs(j); /* rd_kafka_destroy waits for every message of its handle */
        rd_kafka_destroy(rk);
    }
    api_job_complete(job);
}

static api_status_t read_done(api_req_t *req, void *result, bool timed_out)
{
    read_job_t *j = result;
    if (timed_out)
        return api_reply_error(req, KR_ERR_KAFKA_RETRIABLE, "Timed out reading from Kafka");
    api_status_t st;
    if (j->job.err.code) {
        st = api_reply_err(req, &j->job.err);
    } else {
        /* The rendered body becomes the response (no copy); job_free frees the empty one. */
        if (j->out.len == 0)
            kr_buf_append(&j->out, "[]", 2);
        kr_buf_t empty = req->resp;
        req->resp = j->out;
        j->out = empty;
        st = api_reply(req, 200);
    }
    job_free(&j->job);
    return st;
}

static int query_i64(const char *s, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno)
        return -1;
    *out = v;
    return 0;
}

api_status_t api_v1_partition_messages(api_req_t *req)
{
    const char *off = api_query(req, "offset"), *ts = api_query(req, "timestamp");
    const char *count = api_query(req, "count");
    int32_t partition;
    if (api_param_int32(req, 1, &partition) != 0 || partition < 0)
        return api_reply_error(req, KR_ERR_PARTITION_NOT_FOUND, "Partition not found.");
    if ((off && ts) || (!off && !ts))
        return api_reply_error(req, KR_ERR_BAD_REQUEST,
                               "Give exactly one of the query parameters offset and timestamp");
    read_job_t *j = xcalloc(1, sizeof(*j));
    j->job.ctx = req->ctx;
    j->job.free_fn = job_free;
    j->partition = partition;
    j->count = 1;
    j->offset = -1;
    if ((off && (query_i64(off, &j->offset) != 0 || j->offset < 0)) ||
        (ts && kr_clock_parse_iso8601(ts, &j->timestamp) != 0) ||
        (count && (query_i64(count, &j->count) != 0 || j->count < 1 || j->count > 100000))) {
        xfree(j);
        return api_reply_error(req, KR_ERR_BAD_REQUEST,
                               "Query parameters: offset (>= 0), timestamp (ISO-8601) and "
                               "count (1..100000) must be valid");
    }
    j->topic = xstrdup(req->params[0]);
    j->format = req->accept_format == API_FMT_JSON || req->accept_format == API_FMT_AVRO
                    ? req->accept_format
                    : API_FMT_BINARY;
    j->max_bytes = req->ctx->cfg->consumer_request_max_bytes;
    kr_buf_init(&j->out, API_MAX_RESPONSE);
    return api_job_run(req, &j->job, read_run, read_done);
}
