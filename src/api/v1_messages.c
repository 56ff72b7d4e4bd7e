/* api/v1_messages.c -- v1's partition read (see v1_messages.h). Each read is one job on the
 * worker pool: kafka_partition_read() (a short-lived handle, kafka/partition_read.h), then the
 * records rendered there, before their handle goes.
 * Threads: handler on HTTP threads; read_run() on a worker. */
#include "api/v1_messages.h"

#include "api/job.h"
#include "api/records.h"
#include "kafka/partition_read.h"
#include "schema/registry_client.h"
#include "util/clock.h"
#include "util/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct read_job {
    api_job_t job; /* first member (api/job.h); job.err is the outcome */
    kafka_partition_read_opts_t opts;
    char *topic; /* owned; opts.topic */
    int format;  /* API_FMT_BINARY, API_FMT_JSON or API_FMT_AVRO */
    kafka_partition_read_t *read;
    kr_buf_t out; /* the rendered response: records must die before their handle */
} read_job_t;

/* Avro records decoded into dec (spans 2i, 2i+1); schema ids are looked up here, on the
 * worker, when the registry client does not have them yet. @return 0 or -1 with j->err set. */
static int decode_avro(read_job_t *j, kr_buf_t *dec, fmt_span_t *spans)
{
    sr_client_t *c = j->job.ctx->sr_client;
    kafka_record_t *const *recs = j->read->records;
    for (size_t i = 0; i < j->read->n; i++) {
        int32_t missing = -1;
        int rc;
        while ((rc = api_record_avro(recs[i], c, dec, &spans[2 * i], &missing, &j->job.err)) == 1)
            if (!sr_client_get_id(c, missing, &j->job.err)) {
                kr_err_clear(&j->job.err); /* the failure is cached: the next try names it */
            }
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Renders the records (v1 shapes) into j->out, on the worker. */
static void render(read_job_t *j)
{
    kafka_record_t *const *recs = j->read->records;
    size_t n = j->read->n;
    for (size_t i = 0; !j->job.err.code && j->format == API_FMT_JSON && i < n; i++)
        api_record_check_json(recs[i], &j->job.err);
    kr_buf_t dec;
    kr_buf_init(&dec, API_RECORDS_DECODED_MAX);
    fmt_span_t *spans = NULL;
    if (j->format == API_FMT_AVRO) {
        spans = xcalloc(2 * n + 2, sizeof(*spans));
        decode_avro(j, &dec, spans);
    }
    if (!j->job.err.code) {
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, &j->out);
        fmt_jsonw_arr_begin(&w);
        api_records_write(&w, recs, n, j->format, API_V1, spans ? &dec : NULL, spans);
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
    kafka_partition_read_free(j->read);
    kr_buf_deinit(&j->out);
    xfree(j->topic);
    xfree(j);
}

static void read_run(api_job_t *job)
{
    read_job_t *j = (read_job_t *)job;
    j->read = kafka_partition_read(job->ctx->cfg, &j->opts, &job->err);
    if (j->read) {
        render(j);
        kafka_partition_read_free(j->read); /* the response is rendered: the handle can go */
        j->read = NULL;
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
    kafka_partition_read_opts_t *o = &j->opts;
    o->partition = partition;
    o->count = 1;
    o->offset = -1;
    if ((off && (query_i64(off, &o->offset) != 0 || o->offset < 0)) ||
        (ts && kr_clock_parse_iso8601(ts, &o->timestamp) != 0) ||
        (count && (query_i64(count, &o->count) != 0 || o->count < 1 || o->count > 100000))) {
        xfree(j);
        return api_reply_error(req, KR_ERR_BAD_REQUEST,
                               "Query parameters: offset (>= 0), timestamp (ISO-8601) and "
                               "count (1..100000) must be valid");
    }
    j->topic = xstrdup(req->params[0]);
    o->topic = j->topic;
    j->format = req->accept_format == API_FMT_JSON || req->accept_format == API_FMT_AVRO
                    ? req->accept_format
                    : API_FMT_BINARY;
    o->max_bytes = req->ctx->cfg->consumer_request_max_bytes;
    kr_buf_init(&j->out, API_MAX_RESPONSE);
    return api_job_run(req, &j->job, read_run, read_done);
}
