/* api/produce.c -- v1 and v2 produce (see produce.h).
 *
 * A request goes through three steps: decode and validate the whole body (format/produce.c:
 * nothing is sent when any record is bad); check the topic and partitions against the cached
 * metadata (waiting, suspended, for a refresh when the cache is stale or lacks the topic, and
 * creating a missing topic when krest.topic.auto.create says so: api/auto_create.h); hand
 * every record to the shared producer and wait, suspended, until each has its outcome. The
 * payloads are not copied: they live in the decoded body's arena, which the job owns until the
 * last delivery report.
 * Threads: handlers, on_topic_md() and produced() on HTTP threads; batch_done() on the kafka
 * loop (or the sending thread); schemas_run() and refresh_run() on workers. */
#include "api/produce.h"

#include "api/auto_create.h"
#include "api/job.h"
#include "api/topic_md.h"
#include "format/avro_codec.h"
#include "format/jsonw.h"
#include "format/produce.h"
#include "kafka/metadata.h"
#include "kafka/producer.h"
#include "schema/registry_client.h"
#include "util/clock.h"
#include "util/mem.h"

#include <string.h>

/* One side (key or value) of an Avro request: the schema the body names and what it resolved
 * to in the registry. */
typedef struct avro_side {
    bool given;                 /* key_schema/value_schema or its _id was in the body */
    char *text;                 /* owned: the schema text to register, or NULL */
    int64_t id;                 /* the id given, or -1; the resolved id once known */
    char *subject;              /* owned: <topic>-key / <topic>-value */
    const avs_schema_t *schema; /* the registry client's, once resolved */
} avro_side_t;

typedef struct produce_job {
    api_job_t job;          /* first member (api/job.h); job.err: the request's error */
    char *topic;            /* owned */
    int32_t path_partition; /* -1: the topic endpoint */
    int64_t arrival_ms;
    bool forced;            /* the refresh for missing partitions was asked for */
    bool refreshed;         /* the producer was told of the partitions that refresh found */
    bool auto_tried;        /* the missing topic went through api_auto_create() */
    fmt_produce_req_t body; /* decoded records; the payloads Kafka borrows */
    kafka_msg_t *msgs;      /* one per record */
    kafka_msg_header_t *headers;
    kafka_md_t *md; /* for the topic check */
    /* Avro: the schemas, and the records in Confluent's wire format (spans of enc: key and
     * value of record i at 2i and 2i+1; len 0 with off UINT32_MAX: null) */
    bool avro;
    bool avro_done; /* the schemas were resolved and the records encoded */
    avro_side_t key, value;
    kr_buf_t enc;
    fmt_span_t *enc_spans;
    size_t body_len; /* the request body's, for enc's limit */
} produce_job_t;

/* enc's limit: PRODUCE_ENC_BASE + 4 x the body (see encode_all). */
#define PRODUCE_ENC_BASE ((size_t)64 << 20)

static void job_free(api_job_t *arg)
{
    produce_job_t *job = (produce_job_t *)arg;
    kafka_md_release(job->md);
    fmt_produce_req_deinit(&job->body);
    xfree(job->key.text);
    xfree(job->key.subject);
    xfree(job->value.text);
    xfree(job->value.subject);
    kr_buf_deinit(&job->enc);
    xfree(job->enc_spans);
    xfree(job->msgs);
    xfree(job->headers);
    xfree(job->topic);
    xfree(job);
}

/* --- step 3: produce and answer ---------------------------------------------------------- */

/* A failed record's entry (or an unknown outcome when m is NULL), through the JSON writer. */
static void write_failed(fmt_jsonw_t *w, const kafka_msg_t *m)
{
    fmt_jsonw_obj_begin(w);
    fmt_jsonw_key(w, "partition");
    fmt_jsonw_null(w);
    fmt_jsonw_key(w, "offset");
    fmt_jsonw_null(w);
    fmt_jsonw_key(w, "error_code");
    if (!m) {
        fmt_jsonw_int(w, KR_ERR_KAFKA_RETRIABLE);
        fmt_jsonw_key(w, "error");
        fmt_jsonw_str(w, "outcome unknown: no delivery report in time, or shutting down");
    } else {
        int code = kafka_msg_err_code(m);
        fmt_jsonw_int(w, code == KR_ERR_KAFKA_RETRIABLE || code == KR_ERR_KAFKA_AUTHORIZATION ||
                                 code == KR_ERR_KAFKA_AUTHENTICATION
                             ? code
                             : KR_ERR_KAFKA);
        fmt_jsonw_key(w, "error");
        fmt_jsonw_str(w, kafka_msg_err_str(m));
    }
    fmt_jsonw_obj_end(w);
}

#define LIT(o, s) (memcpy((o), (s), sizeof(s) - 1), (o) + sizeof(s) - 1)
/* {"partition":P,"offset":O,"error_code":null,"error":null} */
#define ACKED_MAX (64 + 2 * FMT_JSON_I64_MAX)

/* The entry of an acknowledged record, most of a response: built in place and written in one
 * call, instead of a writer call per member. @return its length in out. */
static size_t acked_entry(char out[ACKED_MAX], const kafka_msg_t *m)
{
    char *o = LIT(out, "{\"partition\":");
    o += fmt_json_i64(o, m->out_partition);
    o = LIT(o, ",\"offset\":");
    o += fmt_json_i64(o, m->out_offset);
    o = LIT(o, ",\"error_code\":null,\"error\":null}");
    return (size_t)(o - out);
}

/* Writes the response; job is NULL when the outcomes are unknown (n records, each 50003). */
static void write_offsets(api_req_t *req, const produce_job_t *job, size_t n)
{
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &req->resp);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "key_schema_id");
    job && job->key.given ? fmt_jsonw_int(&w, job->key.id) : fmt_jsonw_null(&w);
    fmt_jsonw_key(&w, "value_schema_id");
    job && job->value.given ? fmt_jsonw_int(&w, job->value.id) : fmt_jsonw_null(&w);
    fmt_jsonw_key(&w, "offsets");
    fmt_jsonw_arr_begin(&w);
    for (size_t i = 0; i < n; i++) {
        const kafka_msg_t *m = job ? &job->msgs[i] : NULL;
        if (m && m->err == 0) {
            char entry[ACKED_MAX];
            fmt_jsonw_raw(&w, entry, acked_entry(entry, m));
        } else {
            write_failed(&w, m);
        }
    }
    fmt_jsonw_arr_end(&w);
    fmt_jsonw_obj_end(&w);
}

static api_status_t produced(api_req_t *req, void *result, bool timed_out)
{
    produce_job_t *job = result;
    if (timed_out) {
        /* The job still belongs to the producer (its payloads are in flight): every record's
         * outcome is unknown (section K), 50003 each. */
        write_offsets(req, NULL, (size_t)req->async.keep);
        return api_reply(req, 200);
    }
    write_offsets(req, job, job->body.n_records);
    job_free(&job->job);
    return api_reply(req, 200);
}

static void batch_done(void *opaque)
{
    produce_job_t *job = opaque;
    api_job_complete(&job->job);
}

static void send_start(api_job_t *arg)
{
    produce_job_t *job = (produce_job_t *)arg;
    kafka_producer_send(job->job.ctx->producer, job->topic, job->msgs, job->body.n_records,
                        batch_done, job);
}

/* Turns the decoded records into producer messages; checks sizes (413 before anything is
 * sent). @return 0 or -1 with job->job.err set. */
static int build_msgs(produce_job_t *job)
{
    fmt_produce_req_t *b = &job->body;
    int64_t max = kafka_producer_max_message_bytes(job->job.ctx->producer);
    job->msgs = xcalloc(b->n_records, sizeof(kafka_msg_t));
    job->headers = xcalloc(b->n_headers ? b->n_headers : 1, sizeof(kafka_msg_header_t));
    for (size_t i = 0; i < b->n_headers; i++) {
        const fmt_produce_header_t *fh = &b->headers[i];
        job->headers[i] = (kafka_msg_header_t){
            fmt_produce_bytes(b, fh->name), fh->name.len,
            fh->has_value ? fmt_produce_bytes(b, fh->value) : NULL, fh->value.len};
    }
    for (size_t i = 0; i < b->n_records; i++) {
        const fmt_produce_record_t *r = &b->records[i];
        kafka_msg_t *m = &job->msgs[i];
        m->partition = r->partition >= 0 ? r->partition : job->path_partition;
        m->key = r->has_key ? fmt_produce_bytes(b, r->key) : NULL;
        m->key_len = r->has_key ? r->key.len : 0;
        m->value = r->has_value ? fmt_produce_bytes(b, r->value) : NULL;
        m->value_len = r->has_value ? r->value.len : 0;
        if (job->avro) {
            fmt_span_t k = job->enc_spans[2 * i], v = job->enc_spans[2 * i + 1];
            m->key = r->has_key ? job->enc.data + k.off : NULL;
            m->key_len = r->has_key ? k.len : 0;
            m->value = r->has_value ? job->enc.data + v.off : NULL;
            m->value_len = r->has_value ? v.len : 0;
        }
        m->timestamp = r->has_timestamp ? r->timestamp : 0;
        m->headers = job->headers + r->first_header;
        m->n_headers = r->n_headers;
        if ((int64_t)kafka_msg_wire_size(m) > max)
            return kr_err_set(&job->job.err, KR_ERR_TOO_LARGE,
                              "records[%zu]: record of %zu bytes exceeds the producer's "
                              "message.max.bytes (%lld)",
                              i, kafka_msg_wire_size(m), (long long)max);
    }
    return 0;
}

/* --- step 2: topic and partitions -------------------------------------------------------- */

static int check_partitions(produce_job_t *job, const kafka_md_topic_t *t)
{
    if (job->path_partition >= 0 && !kafka_md_partition(t, job->path_partition))
        return kr_err_set(&job->job.err, KR_ERR_PARTITION_NOT_FOUND, "Partition not found.");
    for (size_t i = 0; i < job->body.n_records; i++) {
        int32_t p = job->body.records[i].partition;
        if (p >= 0 && !kafka_md_partition(t, p))
            return kr_err_set(&job->job.err, KR_ERR_PARTITION_NOT_FOUND,
                              "Partition not found: records[%zu].partition %d", i, p);
    }
    return 0;
}

static api_status_t on_topic_md(api_req_t *req, kafka_md_t *md, const kr_err_t *err, void *arg);

static void job_free_arg(void *arg)
{
    job_free(arg);
}

static void refresh_run(api_job_t *arg)
{
    api_topic_refresh_producer(arg->ctx, ((produce_job_t *)arg)->topic);
    api_job_complete(arg);
}

static api_status_t with_metadata(api_req_t *req, produce_job_t *job);
static api_status_t avro_resolve(api_req_t *req, produce_job_t *job);

/* After api_auto_create(): a created topic is looked up in a snapshot fetched from now on; the
 * producer already knows its partitions (the wait for leaders refreshed it). */
static api_status_t auto_created(api_req_t *req, bool created, const kr_err_t *err, void *arg)
{
    produce_job_t *job = arg;
    if (err || !created) {
        api_status_t st =
            err ? api_reply_err(req, err)
                : api_reply_error(req, KR_ERR_TOPIC_NOT_FOUND, "Topic %s not found.", job->topic);
        job_free(&job->job);
        return st;
    }
    job->forced = true;
    job->refreshed = true;
    kafka_md_release(job->md);
    job->md = NULL;
    return api_topic_md(req, job->topic, kr_clock_mono_ms(), on_topic_md, job, job_free_arg);
}

static api_status_t refresh_resumed(api_req_t *req, void *result, bool timed_out)
{
    if (timed_out)
        return api_reply_error(req, KR_ERR_BROKER_NOT_AVAILABLE,
                               "Kafka brokers are not available: timed out waiting for Kafka");
    return with_metadata(req, result);
}

/* Checks everything against a metadata snapshot and, when all is well, starts sending. */
static api_status_t with_metadata(api_req_t *req, produce_job_t *job)
{
    const kafka_md_topic_t *t = kafka_md_topic(job->md, job->topic);
    if (!t && !job->auto_tried) {
        job->auto_tried = true;
        return api_auto_create(req, job->topic, job->md, auto_created, job, job_free_arg);
    }
    if (!t) {
        api_status_t st =
            api_reply_error(req, KR_ERR_TOPIC_NOT_FOUND, "Topic %s not found.", job->topic);
        job_free(&job->job);
        return st;
    }
    if (check_partitions(job, t) != 0 && !job->forced) {
        /* Partitions added a moment ago: one refresh fetched after the request arrived (the
         * topic's own forced refresh may already be that one) before 40402. */
        job->forced = true;
        kr_err_clear(&job->job.err);
        kafka_md_release(job->md);
        job->md = NULL;
        return api_topic_md(req, job->topic, job->arrival_ms, on_topic_md, job, job_free_arg);
    }
    if (!job->job.err.code && job->forced && !job->refreshed) {
        /* Partitions krest just found are unknown to the producer until its own refresh. */
        job->refreshed = true;
        return api_job_run(req, &job->job, refresh_run, refresh_resumed);
    }
    if (job->avro && !job->avro_done && !job->job.err.code) {
        /* The topic is there: only now may the registry register its subjects' schemas. */
        job->avro_done = true;
        return avro_resolve(req, job);
    }
    if (job->job.err.code || build_msgs(job) != 0) {
        api_status_t st = api_reply_err(req, &job->job.err);
        job_free(&job->job);
        return st;
    }
    kafka_md_release(job->md);
    job->md = NULL;
    /* The send's own deadline: every record has its outcome within message.timeout.ms. */
    job->job.timeout_ms = kafka_producer_message_timeout_ms(req->ctx->producer) + 5000;
    api_job_start(req, &job->job, send_start, produced);
    req->async.keep = job->body.n_records;
    return API_ASYNC;
}

static api_status_t on_topic_md(api_req_t *req, kafka_md_t *md, const kr_err_t *err, void *arg)
{
    produce_job_t *job = arg;
    job->md = md;
    if (!md) {
        api_status_t st = api_reply_err(req, err);
        job_free(&job->job);
        return st;
    }
    return with_metadata(req, job);
}

/* --- step 1b: Avro schemas and encoding -------------------------------------------------- */

static api_status_t check_topic(api_req_t *req, produce_job_t *job);

/* One record's key or value in Confluent's wire format: 0x00, the id (big endian), the datum. */
static int encode_one(produce_job_t *job, const avro_side_t *side, fmt_span_t src, const char *what,
                      size_t i, fmt_span_t *out)
{
    kr_buf_t *e = &job->enc;
    size_t start = e->len;
    uint32_t id = (uint32_t)side->id;
    unsigned char hdr[5] = {0, (unsigned char)(id >> 24), (unsigned char)(id >> 16),
                            (unsigned char)(id >> 8), (unsigned char)id};
    char path[48];
    snprintf(path, sizeof(path), "records[%zu].%s", i, what);
    if (kr_buf_append(e, hdr, sizeof(hdr)) != 0 ||
        avs_encode_json(side->schema, fmt_produce_bytes(&job->body, src), src.len, path, e,
                        &job->job.err) != 0)
        return -1;
    *out = (fmt_span_t){(uint32_t)start, (uint32_t)(e->len - start)};
    return 0;
}

/* Encodes every record (the whole request fails on the first bad one: nothing is sent). */
static int encode_all(produce_job_t *job)
{
    fmt_produce_req_t *b = &job->body;
    /* Avro binary is no larger than its JSON text but for defaults the body leaves out. */
    kr_buf_init(&job->enc, PRODUCE_ENC_BASE + 4 * job->body_len);
    job->enc_spans = xcalloc(2 * b->n_records + 1, sizeof(fmt_span_t));
    for (size_t i = 0; i < b->n_records; i++) {
        const fmt_produce_record_t *r = &b->records[i];
        if (r->has_key && encode_one(job, &job->key, r->key, "key", i, &job->enc_spans[2 * i]))
            return -1;
        if (r->has_value &&
            encode_one(job, &job->value, r->value, "value", i, &job->enc_spans[2 * i + 1]))
            return -1;
    }
    return 0;
}

/* The schemas of the body: 42201/42202 when records have keys/values and no schema. */
static int avro_sides(produce_job_t *job, kr_err_t *err)
{
    fmt_produce_req_t *b = &job->body;
    bool keys = false, values = false;
    for (size_t i = 0; i < b->n_records; i++) {
        keys |= b->records[i].has_key;
        values |= b->records[i].has_value;
    }
    struct {
        avro_side_t *side;
        bool has_text, used, has_id;
        fmt_span_t text;
        int64_t id;
        const char *suffix;
        int code;
    } sides[2] = {
        {&job->key, b->has_key_schema, keys, b->has_key_schema_id, b->key_schema, b->key_schema_id,
         "-key", KR_ERR_KEY_SCHEMA_MISSING},
        {&job->value, b->has_value_schema, values, b->has_value_schema_id, b->value_schema,
         b->value_schema_id, "-value", KR_ERR_VALUE_SCHEMA_MISSING},
    };
    for (int k = 0; k < 2; k++) {
        avro_side_t *s = sides[k].side;
        s->id = sides[k].id;
        if (sides[k].has_id && (s->id < 0 || s->id > INT32_MAX))
            return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                              "%s_schema_id: a schema id is an integer from 0 to 2147483647",
                              k == 0 ? "key" : "value");
        if (sides[k].has_text)
            s->text = xstrndup(fmt_produce_bytes(b, sides[k].text), sides[k].text.len);
        s->given = s->text || sides[k].has_id;
        if (sides[k].used && !s->given)
            return kr_err_set(err, sides[k].code,
                              k == 0 ? "Request includes keys but does not include key schema"
                                     : "Request includes values but does not include value "
                                       "schema");
        size_t n = strlen(job->topic) + 8;
        s->subject = xmalloc(n);
        snprintf(s->subject, n, "%s%s", job->topic, sides[k].suffix);
    }
    return 0;
}

/* Resolves a side from the client's caches. @return whether it is resolved (or not needed). */
static bool side_peek(sr_client_t *c, avro_side_t *s, kr_err_t *err)
{
    if (!s->given || s->schema)
        return true;
    if (s->text) {
        int32_t id = sr_client_peek_subject(c, s->subject, s->text, &s->schema);
        if (id >= 0)
            s->id = id;
        return id >= 0;
    }
    bool failed = false;
    s->schema = sr_client_peek_id(c, (int32_t)s->id, &failed);
    if (failed)
        kr_err_set(err, KR_ERR_SERIALIZATION,
                   "Schema registration or lookup failed: schema %lld not found", (long long)s->id);
    return s->schema || failed;
}

/* Resolves a side with the registry (blocks: worker thread). */
static void side_resolve(sr_client_t *c, avro_side_t *s, kr_err_t *err)
{
    if (!s->given || s->schema || err->code)
        return;
    if (s->text) {
        int32_t id = sr_client_register(c, s->subject, s->text, &s->schema, err);
        if (id >= 0)
            s->id = id;
    } else {
        s->schema = sr_client_get_id(c, (int32_t)s->id, err);
    }
}

static void schemas_run(api_job_t *arg)
{
    produce_job_t *job = (produce_job_t *)arg;
    side_resolve(arg->ctx->sr_client, &job->key, &arg->err);
    side_resolve(arg->ctx->sr_client, &job->value, &arg->err);
    api_job_complete(arg);
}

/* Back to the metadata snapshot with_metadata() checked (job->md): now it sends. */
static api_status_t encoded(api_req_t *req, produce_job_t *job)
{
    if (job->job.err.code || encode_all(job) != 0) {
        api_status_t st = api_reply_err(req, &job->job.err);
        job_free(&job->job);
        return st;
    }
    return with_metadata(req, job);
}

static api_status_t schemas_resumed(api_req_t *req, void *result, bool timed_out)
{
    if (timed_out)
        return api_reply_error(req, KR_ERR_SERIALIZATION,
                               "Schema registration or lookup failed: the registry timed out");
    return encoded(req, result);
}

/* The body's schema rules first (42201/42202), then the topic (404 before anything is
 * registered), then the schemas (avro_resolve), then the send. */
static api_status_t avro_produce(api_req_t *req, produce_job_t *job)
{
    kr_err_t err = {0};
    if (avro_sides(job, &err) != 0) {
        job_free(&job->job);
        return api_reply_err(req, &err);
    }
    return check_topic(req, job);
}

static api_status_t avro_resolve(api_req_t *req, produce_job_t *job)
{
    sr_client_t *c = req->ctx->sr_client;
    bool k = side_peek(c, &job->key, &job->job.err);
    bool v = side_peek(c, &job->value, &job->job.err);
    if ((k && v) || job->job.err.code)
        return encoded(req, job);
    return api_job_run(req, &job->job, schemas_run, schemas_resumed);
}

/* --- step 1: decode ---------------------------------------------------------------------- */

static api_status_t check_topic(api_req_t *req, produce_job_t *job)
{
    return api_topic_md(req, job->topic, 0, on_topic_md, job, job_free_arg);
}

static api_status_t produce(api_req_t *req, int32_t path_partition)
{
    api_format_t f = req->body_format;
    if (f == API_FMT_JSONSCHEMA || f == API_FMT_PROTOBUF)
        return api_reply_error(req, KR_ERR_UNSUPPORTED_MEDIA_TYPE,
                               "The %s embedded format is not supported by this krest",
                               f == API_FMT_JSONSCHEMA ? "jsonschema" : "protobuf");
    produce_job_t *job = xcalloc(1, sizeof(*job));
    job->job.ctx = req->ctx;
    job->job.free_fn = job_free;
    job->topic = xstrdup(req->params[0]);
    job->path_partition = path_partition;
    job->arrival_ms = req->start_ms;
    job->avro = f == API_FMT_AVRO;
    fmt_produce_opts_t opts = {
        .format = job->avro           ? FMT_PRODUCE_JSON_RAW
                  : f == API_FMT_JSON ? FMT_PRODUCE_JSON
                                      : FMT_PRODUCE_BINARY,
        .version = req->version,
        .partition_endpoint = path_partition >= 0,
    };
    kr_err_t err = {0};
    job->body_len = req->body_len;
    if (fmt_produce_parse(req->body, req->body_len, &opts, &job->body, &err) != 0) {
        job_free(&job->job);
        return api_reply_err(req, &err);
    }
    return job->avro ? avro_produce(req, job) : check_topic(req, job);
}

api_status_t api_produce_topic(api_req_t *req)
{
    return produce(req, -1);
}

api_status_t api_produce_partition(api_req_t *req)
{
    int32_t p;
    if (api_param_int32(req, 1, &p) != 0 || p < 0)
        return api_reply_error(req, KR_ERR_PARTITION_NOT_FOUND, "Partition not found.");
    return produce(req, p);
}
