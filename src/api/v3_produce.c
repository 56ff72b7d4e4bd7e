/* api/v3_produce.c -- v3 records produce: the steps of a request and its answers (see
 * v3_produce.h and v3_produce_int.h).
 *
 * Steps: decode every object of the body into slots (a malformed text ends the list with one
 * 400 object); the cluster (404 for the whole request) and the topic from a metadata snapshot
 * (a missing topic goes through api_auto_create() as in v2, else each record fails in-band
 * 40401 at once); partitions (40402 in-band); schemas on a worker when a record needs the
 * registry; then every valid record goes to the shared producer in one send, and the answer is
 * written when the last delivery report is in. Before the send a fallback answer is written,
 * in which every sent record is 50003 "outcome unknown: shutting down": a request whose
 * deadline passes (or that the SIGTERM drain ends) answers that, since its job still belongs
 * to the producer.
 * Threads: HTTP threads; batch_done() on the kafka loop; v3p_schemas_resolve() on a worker. */
#include "api/v3_produce.h"

#include "api/auto_create.h"
#include "api/topic_md.h"
#include "api/v3.h"
#include "api/v3_produce_int.h"
#include "format/jsonw.h"
#include "kafka/metadata.h"
#include "util/clock.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define UNKNOWN_OUTCOME "outcome unknown: shutting down"

/* --- jobs and slots ---------------------------------------------------------------------- */

v3p_job_t *v3p_job_new(api_req_t *req, bool batch)
{
    return v3p_job_new_for(req->ctx, req->params[0], req->params[1], batch);
}

v3p_job_t *v3p_job_new_for(const api_ctx_t *ctx, const char *cluster, const char *topic, bool batch)
{
    v3p_job_t *job = xcalloc(1, sizeof(*job));
    job->job.ctx = ctx;
    job->job.free_fn = v3p_job_free;
    job->cluster = xstrdup(cluster);
    job->topic = xstrdup(topic);
    kr_buf_init(&job->quoted, 0);
    fmt_json_quote(&job->quoted, cluster, strlen(cluster));
    job->quoted_cluster_len = job->quoted.len;
    fmt_json_quote(&job->quoted, topic, strlen(topic));
    job->batch = batch;
    fmt_v3_store_init(&job->st, 4 * (size_t)ctx->cfg->max_request_size + 4096);
    kr_buf_init(&job->enc, 4 * (size_t)ctx->cfg->max_request_size + ((size_t)64 << 20));
    return job;
}

static void side_deinit(v3p_side_t *s)
{
    xfree(s->subject);
}

void v3p_job_free(api_job_t *arg)
{
    v3p_job_t *job = (v3p_job_t *)arg;
    for (size_t i = 0; i < job->n; i++) {
        xfree(job->slots[i].msg);
        side_deinit(&job->slots[i].key);
        side_deinit(&job->slots[i].value);
    }
    xfree(job->slots);
    fmt_v3_store_deinit(&job->st);
    kr_buf_deinit(&job->enc);
    xfree(job->msgs);
    xfree(job->hdrs);
    xfree(job->broken_msg);
    xfree(job->cluster);
    xfree(job->topic);
    kr_buf_deinit(&job->quoted);
    xfree(job);
}

static void free_arg(void *arg)
{
    v3p_job_free(arg);
}

v3p_slot_t *v3p_slot_add(v3p_job_t *job)
{
    if (job->n == job->cap) {
        job->cap = job->cap ? job->cap * 2 : 16;
        job->slots = xrealloc(job->slots, job->cap * sizeof(*job->slots));
    }
    v3p_slot_t *s = &job->slots[job->n++];
    memset(s, 0, sizeof(*s));
    s->msg_idx = -1;
    s->key.schema_id = s->value.schema_id = -1;
    s->key.schema_version = s->value.schema_version = -1;
    return s;
}

void v3p_slot_fail(v3p_slot_t *s, int code, const char *fmt, ...)
{
    if (s->code)
        return;
    va_list ap;
    va_start(ap, fmt);
    kr_buf_t b;
    kr_buf_init(&b, 4096);
    kr_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    s->code = code;
    size_t n;
    s->msg = kr_buf_steal(&b, &n);
    kr_buf_deinit(&b);
}

/* --- answers ----------------------------------------------------------------------------- */

static void write_side(fmt_jsonw_t *w, const char *name, const v3p_slot_t *s, const v3p_side_t *d,
                       const fmt_v3_data_t *in, size_t len)
{
    if (!in->present)
        return;
    fmt_jsonw_key(w, name);
    fmt_jsonw_obj_begin(w);
    fmt_jsonw_key(w, "type");
    fmt_jsonw_str(w, fmt_v3_type_name(d->type));
    if (d->subject) {
        fmt_jsonw_key(w, "subject");
        fmt_jsonw_str(w, d->subject);
    }
    if (d->schema_id >= 0) {
        fmt_jsonw_key(w, "schema_id");
        fmt_jsonw_int(w, d->schema_id);
    }
    if (d->schema_version >= 0) {
        fmt_jsonw_key(w, "schema_version");
        fmt_jsonw_int(w, d->schema_version);
    }
    fmt_jsonw_key(w, "size");
    fmt_jsonw_int(w, in->has_data ? (int64_t)len : -1);
    fmt_jsonw_obj_end(w);
    (void)s;
}

/* The members of an acknowledged record (inside its object). */
static void write_acked(fmt_jsonw_t *w, const v3p_job_t *job, const v3p_slot_t *s,
                        const kafka_msg_t *m)
{
    fmt_jsonw_key(w, "cluster_id"); /* quoted once per job */
    fmt_jsonw_raw(w, job->quoted.data, job->quoted_cluster_len);
    fmt_jsonw_key(w, "topic_name");
    fmt_jsonw_raw(w, job->quoted.data + job->quoted_cluster_len,
                  job->quoted.len - job->quoted_cluster_len);
    fmt_jsonw_key(w, "partition_id");
    fmt_jsonw_int(w, m->out_partition);
    fmt_jsonw_key(w, "offset");
    fmt_jsonw_int(w, m->out_offset);
    int64_t ts = m->out_timestamp > 0 ? m->out_timestamp : m->timestamp;
    if (ts > 0) {
        char t[40];
        fmt_v3_time_write(ts, t);
        fmt_jsonw_key(w, "timestamp");
        fmt_jsonw_str(w, t);
    }
    write_side(w, "key", s, &s->key, &s->rec.key, m->key_len);
    write_side(w, "value", s, &s->value, &s->rec.value, m->value_len);
}

/* A slot's outcome: its in-band error, Kafka's outcome, or (m_known false) unknown. */
static void slot_outcome(const v3p_job_t *job, const v3p_slot_t *s, bool m_known, int *code,
                         const char **msg, const kafka_msg_t **acked)
{
    *acked = NULL;
    if (s->code) {
        *code = s->code;
        *msg = s->msg;
    } else if (!m_known) {
        *code = KR_ERR_KAFKA_RETRIABLE;
        *msg = UNKNOWN_OUTCOME;
    } else {
        const kafka_msg_t *m = &job->msgs[s->msg_idx];
        *code = kafka_msg_err_code(m);
        *msg = kafka_msg_err_str(m);
        if (*code == 0) {
            *code = 200;
            *acked = m;
        }
    }
}

/* A slot's result object. Stream (pass < 0): {"error_code", then the acked record's members
 * or "message"}. records:batch pass 0 (successes) or 1 (failures): {"id", then the acked
 * record's members or "error_code","message"}, written only when the slot's outcome belongs to
 * the pass. */
static void write_result(fmt_jsonw_t *w, const v3p_job_t *job, const v3p_slot_t *s, bool known,
                         int pass)
{
    int code;
    const char *msg;
    const kafka_msg_t *m;
    slot_outcome(job, s, known, &code, &msg, &m);
    bool batch = pass >= 0;
    if (batch && (pass == 0) != (m != NULL))
        return;
    fmt_jsonw_obj_begin(w);
    if (batch) {
        fmt_jsonw_key(w, "id");
        fmt_jsonw_strn(w, fmt_v3_bytes(&job->st, s->rec.id), s->rec.id.len);
    }
    if (!batch || !m) {
        fmt_jsonw_key(w, "error_code");
        fmt_jsonw_int(w, code);
    }
    if (m) {
        write_acked(w, job, s, m);
    } else {
        fmt_jsonw_key(w, "message");
        fmt_jsonw_str(w, msg);
    }
    fmt_jsonw_obj_end(w);
}

/* The records stream: one object + "\r\n" per slot, then the broken stream's error. */
void v3p_write_stream(kr_buf_t *out, const v3p_job_t *job, bool known)
{
    for (size_t i = 0; i < job->n; i++) {
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, out);
        write_result(&w, job, &job->slots[i], known, -1);
        kr_buf_append(out, "\r\n", 2);
    }
    if (job->broken_code)
        kr_buf_printf(out, "{\"error_code\":%d,\"message\":", job->broken_code);
    if (job->broken_code) {
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, out);
        fmt_jsonw_str(&w, job->broken_msg);
        kr_buf_append(out, "}\r\n", 3);
    }
}

/* records:batch: 207 {"successes":[…],"failures":[…]}, input order within each. */
static void write_batch(kr_buf_t *out, const v3p_job_t *job, bool known)
{
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, out);
    fmt_jsonw_obj_begin(&w);
    for (int pass = 0; pass < 2; pass++) {
        fmt_jsonw_key(&w, pass == 0 ? "successes" : "failures");
        fmt_jsonw_arr_begin(&w);
        for (size_t i = 0; i < job->n; i++)
            write_result(&w, job, &job->slots[i], known, pass);
        fmt_jsonw_arr_end(&w);
    }
    fmt_jsonw_obj_end(&w);
}

static api_status_t answer(api_req_t *req, v3p_job_t *job, bool known)
{
    kr_buf_reset(&req->resp);
    if (job->batch)
        write_batch(&req->resp, job, known);
    else
        v3p_write_stream(&req->resp, job, known);
    return api_reply(req, job->batch ? 207 : 200);
}

static api_status_t answer_free(api_req_t *req, v3p_job_t *job)
{
    api_status_t st = answer(req, job, true);
    v3p_job_free(&job->job);
    return st;
}

/* --- sending ----------------------------------------------------------------------------- */

static api_status_t produced(api_req_t *req, void *result, bool timed_out)
{
    if (timed_out) /* the fallback answer is in req->resp already; the job is the producer's */
        return api_reply(req, req->status ? req->status : 200);
    return answer_free(req, result);
}

static void batch_done(void *opaque)
{
    v3p_job_t *job = opaque;
    api_job_complete(&job->job);
}

static void send_start(api_job_t *arg)
{
    v3p_job_t *job = (v3p_job_t *)arg;
    kafka_producer_send(arg->ctx->producer, job->topic, job->msgs, job->n_msgs, batch_done, job);
}

static const void *side_bytes(const v3p_job_t *job, const v3p_side_t *d, size_t *len)
{
    *len = d->span.len;
    return d->in_enc ? job->enc.data + d->span.off : fmt_v3_bytes(&job->st, d->span);
}

/* Builds a producer message per valid slot (413 in-band for one over message.max.bytes). */
void v3p_build_msgs(const api_ctx_t *ctx, v3p_job_t *job)
{
    int64_t max = kafka_producer_max_message_bytes(ctx->producer);
    job->msgs = xcalloc(job->n ? job->n : 1, sizeof(kafka_msg_t));
    job->hdrs = xcalloc(job->st.n_headers ? job->st.n_headers : 1, sizeof(kafka_msg_header_t));
    for (size_t i = 0; i < job->st.n_headers; i++) {
        const fmt_produce_header_t *h = &job->st.headers[i];
        job->hdrs[i] = (kafka_msg_header_t){fmt_v3_bytes(&job->st, h->name), h->name.len,
                                            h->has_value ? fmt_v3_bytes(&job->st, h->value) : NULL,
                                            h->value.len};
    }
    for (size_t i = 0; i < job->n; i++) {
        v3p_slot_t *s = &job->slots[i];
        if (s->code)
            continue;
        kafka_msg_t *m = &job->msgs[job->n_msgs];
        *m = (kafka_msg_t){.partition = s->rec.partition};
        if (s->rec.key.has_data)
            m->key = side_bytes(job, &s->key, &m->key_len);
        if (s->rec.value.has_data)
            m->value = side_bytes(job, &s->value, &m->value_len);
        m->timestamp = s->rec.has_timestamp ? s->rec.timestamp : 0;
        m->headers = job->hdrs + s->rec.first_header;
        m->n_headers = s->rec.n_headers;
        if ((int64_t)kafka_msg_wire_size(m) > max) {
            v3p_slot_fail(s, KR_ERR_TOO_LARGE,
                          "The message is %zu bytes when serialized which is larger than the "
                          "maximum request size you have configured with the max.request.size "
                          "configuration.",
                          kafka_msg_wire_size(m));
            continue;
        }
        s->msg_idx = (int32_t)job->n_msgs++;
    }
}

static api_status_t send_all(api_req_t *req, v3p_job_t *job)
{
    v3p_build_msgs(req->ctx, job);
    if (job->n_msgs == 0)
        return answer_free(req, job);
    /* the fallback answer (deadline, shutdown): every sent record's outcome unknown */
    answer(req, job, false);
    req->status = job->batch ? 207 : 200;
    job->job.timeout_ms = kafka_producer_message_timeout_ms(req->ctx->producer) + 5000;
    return api_job_start(req, &job->job, send_start, produced);
}

/* --- schemas ----------------------------------------------------------------------------- */

static void schemas_run(api_job_t *arg)
{
    v3p_schemas_resolve(arg->ctx, (v3p_job_t *)arg);
    api_job_complete(arg);
}

static api_status_t schemas_resumed(api_req_t *req, void *result, bool timed_out)
{
    if (timed_out)
        return api_reply_error(req, KR_ERR_SERIALIZATION,
                               "Schema registration or lookup failed: the registry timed out");
    return send_all(req, result);
}

/* --- topic and partitions ---------------------------------------------------------------- */

void v3p_fail_all(v3p_job_t *job, int code, const char *msg)
{
    for (size_t i = 0; i < job->n; i++)
        v3p_slot_fail(&job->slots[i], code, "%s", msg);
}

bool v3p_partitions_missing(const v3p_job_t *job, const kafka_md_topic_t *t)
{
    for (size_t i = 0; i < job->n; i++) {
        const v3p_slot_t *s = &job->slots[i];
        if (!s->code && s->rec.partition >= 0 && !kafka_md_partition(t, s->rec.partition))
            return true;
    }
    return false;
}

void v3p_check_partitions(v3p_job_t *job, const kafka_md_topic_t *t)
{
    for (size_t i = 0; i < job->n; i++) {
        v3p_slot_t *s = &job->slots[i];
        if (!s->code && s->rec.partition >= 0 && !kafka_md_partition(t, s->rec.partition))
            v3p_slot_fail(s, KR_ERR_PARTITION_NOT_FOUND, "Partition not found.");
    }
}

static api_status_t with_md(api_req_t *req, kafka_md_t *md, void *arg);
static api_status_t with_topic(api_req_t *req, v3p_job_t *job, const kafka_md_topic_t *t);

static void refresh_run(api_job_t *arg)
{
    api_topic_refresh_producer(arg->ctx, ((v3p_job_t *)arg)->topic);
    api_job_complete(arg);
}

static api_status_t refresh_resumed(api_req_t *req, void *result, bool timed_out)
{
    if (timed_out)
        return api_reply_error(req, KR_ERR_BROKER_NOT_AVAILABLE,
                               "Kafka brokers are not available: timed out waiting for Kafka");
    return with_topic(req, result, NULL);
}

static api_status_t created_md(api_req_t *req, kafka_md_t *md, const kr_err_t *err, void *arg)
{
    v3p_job_t *job = arg;
    if (!md) {
        v3p_fail_all(job, err->code, err->msg);
        return answer_free(req, job);
    }
    api_status_t st = with_md(req, md, job);
    kafka_md_release(md);
    return st;
}

static api_status_t auto_created(api_req_t *req, bool created, const kr_err_t *err, void *arg)
{
    v3p_job_t *job = arg;
    if (err) {
        v3p_fail_all(job, err->code, err->msg);
        return answer_free(req, job);
    }
    if (!created) {
        v3p_fail_all(job, KR_ERR_TOPIC_NOT_FOUND, "Topic not found.");
        return answer_free(req, job);
    }
    /* a snapshot fetched from now on has the topic (the cluster was checked already); the
     * producer knows its partitions (the wait for leaders refreshed it) */
    job->forced = job->refreshed = true;
    return api_topic_md(req, job->topic, kr_clock_mono_ms(), created_md, job, free_arg);
}

static api_status_t with_md(api_req_t *req, kafka_md_t *md, void *arg)
{
    v3p_job_t *job = arg;
    bool any = false;
    for (size_t i = 0; i < job->n && !any; i++)
        any = job->slots[i].code == 0;
    if (!any) /* nothing to send: answer the in-band errors (no topic look-up needed) */
        return answer_free(req, job);
    const kafka_md_topic_t *t = kafka_md_topic(md, job->topic);
    if (!t && !job->auto_tried) {
        job->auto_tried = true;
        return api_auto_create(req, job->topic, md, auto_created, job, free_arg);
    }
    if (!t) {
        v3p_fail_all(job, KR_ERR_TOPIC_NOT_FOUND, "Topic not found.");
        return answer_free(req, job);
    }
    if (v3p_partitions_missing(job, t) && !job->forced) {
        /* partitions added a moment ago: one snapshot fetched after the request came */
        job->forced = true;
        return api_topic_md(req, job->topic, req->start_ms, created_md, job, free_arg);
    }
    if (job->forced && !job->refreshed) {
        /* partitions krest just found are unknown to the producer until its own refresh */
        job->refreshed = true;
        v3p_check_partitions(job, t);
        return api_job_run(req, &job->job, refresh_run, refresh_resumed);
    }
    return with_topic(req, job, t);
}

/* The topic is known (t NULL: checked already): partitions, schemas, send. */
static api_status_t with_topic(api_req_t *req, v3p_job_t *job, const kafka_md_topic_t *t)
{
    if (t)
        v3p_check_partitions(job, t);
    v3p_sides_plan(req->ctx, job);
    if (job->needs_sr)
        return api_job_run(req, &job->job, schemas_run, schemas_resumed);
    return send_all(req, job);
}

api_status_t v3p_run(api_req_t *req, v3p_job_t *job)
{
    return api_v3_md_serve_with(req, API_V3_MD_CLUSTER | API_V3_MD_TOPIC, with_md, job, free_arg);
}

/* --- POST …/records ---------------------------------------------------------------------- */

api_status_t api_v3_records_produce(api_req_t *req)
{
    v3p_job_t *job = v3p_job_new(req, false);
    size_t pos = 0, limit = (size_t)req->ctx->cfg->v3_produce_size_limit;
    for (;;) {
        fmt_v3_record_t rec;
        kr_err_t err = {0};
        if (job->n >= FMT_PRODUCE_MAX_RECORDS) {
            job->broken_code = KR_ERR_BAD_REQUEST;
            job->broken_msg = xstrdup("Bad Request: Error processing message: too many records "
                                      "in one request");
            break;
        }
        int rc = fmt_v3_record_next(&job->st, req->body, req->body_len, &pos, limit, &rec, &err);
        if (rc == FMT_V3_END)
            break;
        if (rc == FMT_V3_BROKEN) {
            job->broken_code = err.code;
            job->broken_msg = xstrdup(err.msg);
            break;
        }
        v3p_slot_t *s = v3p_slot_add(job);
        s->rec = rec;
        if (rc == FMT_V3_INVALID)
            v3p_slot_fail(s, err.code, "%s", err.msg);
        v3p_rate_check(req->ctx, s);
    }
    return v3p_run(req, job);
}
