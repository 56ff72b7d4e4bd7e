/* api/consumer_read.c -- reading a consumer instance's records (see consumers.h): v2's
 * GET …/records and v1's GET …/topics/{topic}, whose first read subscribes to the topic.
 * A read takes what the instance has buffered; when nothing is, it waits suspended until
 * records arrive or its timeout passes (API.md section K, "GET …/records timing"); a first read
 * also waits for the group join and the first fetch. An Avro record whose schema id is not
 * cached is looked up on a worker first.
 * May use: kafka/, schema/, format/, util/. Threads: HTTP threads; schema_fetch_run() on a worker.
 */
#include "api/consumers.h"
#include "api/consumers_int.h"

#include "api/job.h"
#include "api/records.h"
#include "api/topic_md.h"
#include "format/jsonw.h"
#include "kafka/consumer.h"
#include "kafka/metadata.h"
#include "schema/registry_client.h"
#include "util/clock.h"
#include "util/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct read_ctx {
    kafka_consumer_t *c; /* owned reference */
    int64_t max_bytes;
    int64_t min_bytes;
    int64_t deadline_ms;    /* monotonic end of the wait */
    int64_t first_fetch_ms; /* a first read: how long to wait for data after the join */
} read_ctx_t;

/* An Avro record names a schema id not cached yet: look it up on a worker, then answer. The
 * job holds the read until then. */
typedef struct schema_fetch {
    api_job_t job;  /* first member (api/job.h) */
    read_ctx_t *rc; /* owned */
    int32_t id;
} schema_fetch_t;

static api_status_t v1_topic_known(api_req_t *req, kafka_md_t *md, const kr_err_t *err, void *arg);
static void consumer_release_arg(void *arg);
static api_status_t v1_read(api_req_t *req, kafka_consumer_t *c);
static api_status_t read_records(api_req_t *req, kafka_consumer_t *c);
static int query_int(api_req_t *req, const char *key, int64_t *out, kr_err_t *err);
static api_status_t wait_more(api_req_t *req, read_ctx_t *rc, int64_t wait);
static void wait_start(void *arg, kr_handle_t h);
static api_status_t read_resumed(api_req_t *req, void *result, bool timed_out);
static api_status_t answer_records(api_req_t *req, read_ctx_t *rc);
static size_t check_records(api_req_t *req, int format, kafka_record_t **msgs, size_t n,
                            kr_buf_t *dec, fmt_span_t *parts, int32_t *missing, kr_err_t *err);
static api_status_t fetch_schema(api_req_t *req, read_ctx_t *rc, int32_t id);
static void schema_fetch_run(api_job_t *job);
static api_status_t schema_fetched(api_req_t *req, void *result, bool timed_out);
static void schema_fetch_free(api_job_t *job);
static void read_ctx_free(void *arg);

/* --- entry points ------------------------------------------------------------------------ */

api_status_t api_consumer_records(api_req_t *req)
{
    kafka_consumer_t *c = api_consumer_instance(req);
    if (!c)
        return api_consumer_no_instance(req);
    return read_records(req, c);
}

api_status_t api_consumer_v1_topic_read(api_req_t *req)
{
    kafka_consumer_t *c = api_consumer_instance(req);
    if (!c)
        return api_consumer_no_instance(req);
    return api_topic_md(req, req->params[API_CONSUMER_P_TOPIC], 0, v1_topic_known, c,
                        consumer_release_arg);
}

/* The topic check of a v1 read: a topic missing from the cached metadata forces one refresh
 * before 404/40401 (section K). */
static api_status_t v1_topic_known(api_req_t *req, kafka_md_t *md, const kr_err_t *err, void *arg)
{
    kafka_consumer_t *c = arg;
    bool known = md && kafka_md_topic(md, req->params[API_CONSUMER_P_TOPIC]);
    kafka_md_release(md);
    if (known)
        return v1_read(req, c);
    kafka_consumer_release(c);
    if (!md)
        return api_reply_err(req, err);
    return api_reply_error(req, KR_ERR_TOPIC_NOT_FOUND, "Topic %s not found.",
                           req->params[API_CONSUMER_P_TOPIC]);
}

static void consumer_release_arg(void *arg)
{
    kafka_consumer_release(arg);
}

/* v1: GET /consumers/{g}/instances/{i}/topics/{t}: the first read subscribes to {t}; an
 * instance may only read the topic it first read (409/40901). */
static api_status_t v1_read(api_req_t *req, kafka_consumer_t *c)
{
    kr_err_t err = {0};
    const char *topic = req->params[API_CONSUMER_P_TOPIC];
    kafka_tp_list_t *sub = kafka_consumer_subscription(c, &err);
    size_t cnt = sub ? sub->cnt : 0;
    bool same = cnt == 1 && strcmp(sub->elems[0].topic, topic) == 0;
    if (sub)
        kafka_tp_list_free(sub);
    if (cnt > 0 && !same) {
        kafka_consumer_release(c);
        return api_reply_error(req, KR_ERR_CONSUMER_ALREADY_SUBSCRIBED,
                               "Consumer cannot subscribe the the specified target because it "
                               "has already subscribed to other topics.");
    }
    if (cnt == 0 && kafka_consumer_subscribe(c, &topic, 1, NULL, &err) != 0) {
        kafka_consumer_release(c);
        return api_reply_err(req, &err);
    }
    return read_records(req, c);
}

/* --- a read: wait, then answer ----------------------------------------------------------- */

/* The response types of the embedded formats, by version (v1 has three). */
static const char *const types_v2[] = {
    [API_FMT_BINARY] = "application/vnd.kafka.binary.v2+json",
    [API_FMT_JSON] = "application/vnd.kafka.json.v2+json",
    [API_FMT_AVRO] = "application/vnd.kafka.avro.v2+json",
    [API_FMT_JSONSCHEMA] = "application/vnd.kafka.jsonschema.v2+json",
    [API_FMT_PROTOBUF] = "application/vnd.kafka.protobuf.v2+json",
};
static const char *const types_v1[] = {
    [API_FMT_BINARY] = "application/vnd.kafka.binary.v1+json",
    [API_FMT_JSON] = "application/vnd.kafka.json.v1+json",
    [API_FMT_AVRO] = "application/vnd.kafka.avro.v1+json",
};

/* The format a read answers in: the negotiated one, or the instance's own when the client's
 * Accept names its type too (issue 18: an Accept of avro.v2, v2, json and any type reads an
 * Avro instance as Avro). */
static int read_format(api_req_t *req, int inst)
{
    int fmt = req->accept_format == API_FMT_NONE ? API_FMT_BINARY : req->accept_format;
    bool v1 = req->version == API_V1;
    size_t n = v1 ? sizeof(types_v1) / sizeof(types_v1[0]) : sizeof(types_v2) / sizeof(types_v2[0]);
    if (fmt == inst || inst < 0 || (size_t)inst >= n || !(req->accept_named & (1u << inst)))
        return fmt;
    const char *type = v1 ? types_v1[inst] : types_v2[inst];
    if (type) {
        req->resp_type = type;
        req->accept_format = (api_format_t)inst;
        return inst;
    }
    return fmt;
}

/* Reads records for an instance (the caller's reference is taken over). */
static api_status_t read_records(api_req_t *req, kafka_consumer_t *c)
{
    kr_err_t err = {0};
    int64_t timeout = -1, max_bytes = -1;
    int fmt = read_format(req, kafka_consumer_format(c));
    if (fmt != kafka_consumer_format(c)) {
        kafka_consumer_release(c);
        return api_reply_error(req, KR_ERR_CONSUMER_FORMAT_MISMATCH,
                               "The requested embedded data format does not match the "
                               "deserializer for this consumer instance");
    }
    if (query_int(req, "timeout", &timeout, &err) != 0 ||
        query_int(req, "max_bytes", &max_bytes, &err) != 0) {
        kafka_consumer_release(c);
        return api_reply_err(req, &err);
    }
    const krest_config_t *cfg = req->ctx->cfg;
    int64_t wait = kafka_consumer_request_timeout_ms(c);
    if (timeout > 0 && timeout < wait)
        wait = timeout;
    read_ctx_t *rc = xcalloc(1, sizeof(*rc));
    rc->c = c;
    int64_t assigned = 0;
    if (kafka_consumer_first_read(c, &assigned)) {
        /* The first read waits for the group join and the first fetch (section K). */
        rc->first_fetch_ms = wait > 1000 ? wait : 1000;
        if (assigned == 0 && wait < cfg->consumer_first_read_timeout_ms)
            wait = cfg->consumer_first_read_timeout_ms;
        else if (assigned > 0 && wait < assigned + rc->first_fetch_ms - kr_clock_mono_ms())
            wait = assigned + rc->first_fetch_ms - kr_clock_mono_ms();
    }
    rc->deadline_ms = kr_clock_mono_ms() + wait;
    int64_t cap = cfg->consumer_request_max_bytes;
    rc->max_bytes = max_bytes > 0 && max_bytes < cap ? max_bytes : cap;
    rc->min_bytes = kafka_consumer_fetch_min_bytes(c);
    if (kafka_consumer_ready_or_wait(c, rc->min_bytes, (kr_handle_t){0, 0}) || wait <= 0)
        return answer_records(req, rc);
    return wait_more(req, rc, wait);
}

static int query_int(api_req_t *req, const char *key, int64_t *out, kr_err_t *err)
{
    const char *s = api_query(req, key);
    if (!s)
        return 0;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno)
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "Query parameter %s: '%s' is not an integer",
                          key, s);
    *out = v;
    return 0;
}

static api_status_t wait_more(api_req_t *req, read_ctx_t *rc, int64_t wait)
{
    api_async(req, wait_start, rc, NULL, read_resumed, wait);
    req->async.keep = (uintptr_t)rc;
    return API_ASYNC;
}

static void wait_start(void *arg, kr_handle_t h)
{
    read_ctx_t *rc = arg; /* still the request's: resume frees it */
    if (kafka_consumer_ready_or_wait(rc->c, rc->min_bytes, h))
        kr_pending_complete(h, NULL, NULL);
}

static api_status_t read_resumed(api_req_t *req, void *result, bool timed_out)
{
    (void)result;
    read_ctx_t *rc = (read_ctx_t *)(uintptr_t)req->async.keep;
    int64_t assigned = 0;
    bool first = kafka_consumer_first_read(rc->c, &assigned);
    if (timed_out || !first || assigned == 0 ||
        kafka_consumer_ready_or_wait(rc->c, rc->min_bytes, (kr_handle_t){0, 0}))
        return answer_records(req, rc);
    /* Woken by the group join of a first read: give the first fetch a moment, within the
     * read's own deadline. */
    int64_t now = kr_clock_mono_ms();
    int64_t until = assigned + rc->first_fetch_ms;
    if (until > rc->deadline_ms)
        until = rc->deadline_ms;
    if (until <= now)
        return answer_records(req, rc);
    return wait_more(req, rc, until - now);
}

static api_status_t answer_records(api_req_t *req, read_ctx_t *rc)
{
    kafka_record_t **msgs;
    uint64_t take = 0;
    size_t n = kafka_consumer_take(rc->c, rc->max_bytes, &msgs, &take);
    int format = kafka_consumer_format(rc->c);
    size_t room = api_consumer_stream_room(msgs, n, format);
    if (room > API_READ_STREAM_BYTES) {
        kafka_consumer_t *c = rc->c;
        rc->c = NULL; /* the stream's now */
        read_ctx_free(rc);
        return api_consumer_stream(req, c, msgs, n, take, format, room);
    }
    kr_err_t err = {0};
    kr_buf_t dec;
    kr_buf_init(&dec, API_RECORDS_DECODED_MAX);
    fmt_span_t *parts = format == API_FMT_AVRO ? xcalloc(2 * n + 2, sizeof(*parts)) : NULL;
    int32_t missing = -1;
    /* records before the first that cannot be handed out */
    size_t ok = check_records(req, format, msgs, n, &dec, parts, &missing, &err);
    /* The position never moves past a record the client could not get (section K): the
     * records before it are answered, it and the rest go back to the buffer. */
    if (ok < n)
        kafka_consumer_give_back(rc->c, msgs + ok, n - ok);
    if (ok == 0 && missing >= 0) {
        kr_buf_deinit(&dec);
        xfree(parts);
        xfree(msgs);
        return fetch_schema(req, rc, missing);
    }
    if (ok > 0 || !err.code) {
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, &req->resp);
        fmt_jsonw_arr_begin(&w);
        api_records_write(&w, msgs, ok, format, req->version, parts ? &dec : NULL, parts);
        fmt_jsonw_arr_end(&w);
        if (fmt_jsonw_finish(&w) != 0) {
            /* Not written whole (beyond API_MAX_RESPONSE): nobody got them, they stay. */
            kafka_consumer_give_back(rc->c, msgs, ok);
            ok = 0;
            kr_err_set(&err, KR_ERR_INTERNAL, "The response would exceed %zu bytes",
                       API_MAX_RESPONSE);
        } else {
            kafka_consumer_handed_out(rc->c, msgs, ok, take);
            err.code = 0;
        }
    }
    for (size_t i = 0; i < ok; i++)
        kafka_record_free(msgs[i]);
    kr_buf_deinit(&dec);
    xfree(parts);
    xfree(msgs);
    read_ctx_free(rc);
    return err.code ? api_reply_err(req, &err) : api_reply(req, 200);
}

/* Checks the records from the first on: json ones must be JSON, avro ones decode (into dec).
 * @return how many can be handed out; *missing gets a schema id to look up first. */
static size_t check_records(api_req_t *req, int format, kafka_record_t **msgs, size_t n,
                            kr_buf_t *dec, fmt_span_t *parts, int32_t *missing, kr_err_t *err)
{
    size_t ok = 0;
    if (format == API_FMT_JSON) {
        while (ok < n && api_record_check_json(msgs[ok], err) == 0)
            ok++;
    } else if (format == API_FMT_AVRO) {
        while (ok < n && api_record_avro(msgs[ok], req->ctx->sr_client, dec, &parts[2 * ok],
                                         missing, err) == 0)
            ok++;
    } else {
        ok = n;
    }
    return ok;
}

/* --- an Avro schema to look up first ----------------------------------------------------- */

static api_status_t fetch_schema(api_req_t *req, read_ctx_t *rc, int32_t id)
{
    schema_fetch_t *f = xcalloc(1, sizeof(*f));
    f->job.ctx = req->ctx;
    f->job.free_fn = schema_fetch_free;
    f->rc = rc;
    f->id = id;
    return api_job_run(req, &f->job, schema_fetch_run, schema_fetched);
}

static void schema_fetch_run(api_job_t *job)
{
    schema_fetch_t *f = (schema_fetch_t *)job;
    kr_err_t err = {0};
    sr_client_get_id(job->ctx->sr_client, f->id,
                     &err); /* a failure is cached: the answer says it */
    api_job_complete(job);
}

static api_status_t schema_fetched(api_req_t *req, void *result, bool timed_out)
{
    if (timed_out)
        return api_reply_error(req, KR_ERR_SERIALIZATION,
                               "Schema registration or lookup failed: the registry timed out");
    schema_fetch_t *f = result;
    read_ctx_t *rc = f->rc;
    f->rc = NULL;
    api_job_free(&f->job);
    return answer_records(req, rc);
}

static void schema_fetch_free(api_job_t *job)
{
    schema_fetch_t *f = (schema_fetch_t *)job;
    if (f->rc)
        read_ctx_free(f->rc);
    xfree(f);
}

static void read_ctx_free(void *arg)
{
    read_ctx_t *rc = arg;
    kafka_consumer_release(rc->c);
    xfree(rc);
}
