/* api/metadata.c -- the metadata API (see metadata.h).
 *
 * A request is answered on its HTTP thread when the metadata cache holds a fresh snapshot
 * that has what it needs. Otherwise the request waits suspended while the cache refreshes
 * (kafka_md_request: one fetch serves every waiting request), and, for topic configs and
 * watermarks, while one more job runs on the worker pool. A topic missing from the cache
 * causes one forced refresh (a snapshot fetched after the request arrived) before the answer
 * is 404/40401.
 * Threads: handlers and renderers on HTTP threads; on_md() on whichever thread the cache calls
 * back on; run_blocking() on a worker. */
#include "api/metadata.h"

#include "api/job.h"
#include "api/topic_md.h"
#include "format/json.h"
#include "format/jsonw.h"
#include "kafka/metadata.h"
#include "util/mem.h"

#include <string.h>

enum md_need {
    NEED_TOPIC = 1 << 0,      /* the path names a topic */
    NEED_PARTITION = 1 << 1,  /* ... and a partition */
    NEED_CONFIGS = 1 << 2,    /* DescribeConfigs of the topic */
    NEED_WATERMARKS = 1 << 3, /* low/high offsets of the partition */
};

typedef struct md_job md_job_t;
typedef void (*md_render_fn)(api_req_t *req, const md_job_t *job, fmt_jsonw_t *w);

struct md_job {
    api_job_t job; /* first member (api/job.h); job.err is the outcome */
    unsigned need;
    char *topic; /* owned, when NEED_TOPIC */
    int32_t partition;
    md_render_fn render;
    /* results */
    kafka_md_t *md;
    kafka_config_entry_t *configs;
    long n_configs;
    int64_t low, high;
};

static void md_job_free(api_job_t *arg)
{
    md_job_t *job = (md_job_t *)arg;
    kafka_md_release(job->md);
    kafka_config_entries_free(job->configs, job->n_configs > 0 ? (size_t)job->n_configs : 0);
    xfree(job->topic);
    xfree(job);
}

static void md_job_free_arg(void *arg)
{
    md_job_free(arg);
}

static api_status_t with_topic(api_req_t *req, kafka_md_t *md, const kr_err_t *err, void *arg);
static api_status_t md_resume(api_req_t *req, void *result, bool timed_out);
static api_status_t finish(api_req_t *req, md_job_t *job);
static void md_start(api_job_t *arg);

/* Serves a metadata request: from the cache when it can, else once the cache refreshed (and,
 * for configs and watermarks, a worker job ran). */
static api_status_t serve(api_req_t *req, unsigned need, md_render_fn render)
{
    md_job_t *job = xcalloc(1, sizeof(*job));
    job->job.ctx = req->ctx;
    job->job.free_fn = md_job_free;
    job->need = need;
    job->render = render;
    if ((need & NEED_PARTITION) && api_param_int32(req, 1, &job->partition) != 0) {
        md_job_free(&job->job);
        return api_reply_error(req, KR_ERR_PARTITION_NOT_FOUND, "Partition not found.");
    }
    if (need & NEED_TOPIC) {
        job->topic = xstrdup(req->params[0]);
        return api_topic_md(req, job->topic, 0, with_topic, job, md_job_free_arg);
    }
    job->md = kafka_md_peek(api_md_cache(req->ctx, NULL));
    if (job->md)
        return finish(req, job);
    return api_job_start(req, &job->job, md_start, md_resume);
}

static void on_md(void *arg, kafka_md_t *md, const kr_err_t *err)
{
    md_job_t *job = arg;
    job->md = md;
    if (!md)
        job->job.err = *err;
    api_job_complete(&job->job);
}

static void md_start(api_job_t *arg)
{
    kafka_md_request(api_md_cache(arg->ctx, NULL), 0, on_md, arg);
}

/* The look-ups that block (DescribeConfigs, watermarks), on a worker. */
static void run_blocking(api_job_t *arg)
{
    md_job_t *job = (md_job_t *)arg;
    const api_ctx_t *ctx = arg->ctx;
    int64_t timeout = ctx->cfg->client_timeout_ms;
    if (job->need & NEED_CONFIGS)
        job->n_configs =
            kafka_topic_configs(ctx->admin, job->topic, timeout, &job->configs, &arg->err);
    if ((job->need & NEED_WATERMARKS) && arg->err.code == 0) {
        const kafka_md_topic_t *t = kafka_md_topic(job->md, job->topic);
        if (kafka_md_partition(t, job->partition))
            kafka_watermarks(ctx->admin, job->topic, job->partition, timeout, &job->low, &job->high,
                             &arg->err);
    }
    api_job_complete(arg);
}

/* The topic's snapshot is here: answer, or first run the blocking look-ups on a worker. */
static api_status_t with_topic(api_req_t *req, kafka_md_t *md, const kr_err_t *err, void *arg)
{
    md_job_t *job = arg;
    job->md = md;
    if (!md)
        job->job.err = *err;
    if (md && kafka_md_topic(md, job->topic) && (job->need & (NEED_CONFIGS | NEED_WATERMARKS)))
        return api_job_run(req, &job->job, run_blocking, md_resume);
    return finish(req, job);
}

static api_status_t md_resume(api_req_t *req, void *result, bool timed_out)
{
    if (timed_out)
        return api_reply_error(req, KR_ERR_BROKER_NOT_AVAILABLE,
                               "Kafka brokers are not available: timed out waiting for Kafka");
    return finish(req, result);
}

/* Checks the path's topic and partition against the snapshot, then renders; frees job. */
static api_status_t finish(api_req_t *req, md_job_t *job)
{
    api_status_t st = API_DONE;
    const kr_err_t *err = &job->job.err;
    const kafka_md_topic_t *t = job->md && job->topic ? kafka_md_topic(job->md, job->topic) : NULL;
    if (!job->md || (err->code && err->code != KR_ERR_TOPIC_NOT_FOUND)) {
        st = api_reply_err(req, err);
    } else if ((job->need & NEED_TOPIC) && !t) {
        st = api_reply_error(req, KR_ERR_TOPIC_NOT_FOUND, "Topic %s not found.", job->topic);
    } else if ((job->need & NEED_PARTITION) && !kafka_md_partition(t, job->partition)) {
        st = api_reply_error(req, KR_ERR_PARTITION_NOT_FOUND, "Partition not found.");
    } else if (err->code) {
        st = api_reply_err(req, err);
    } else {
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, &req->resp);
        job->render(req, job, &w);
        st = fmt_jsonw_finish(&w) != 0 ? api_reply_error(req, KR_ERR_INTERNAL, "response too large")
                                       : api_reply(req, 200);
    }
    md_job_free(&job->job);
    return st;
}

api_status_t api_root(api_req_t *req)
{
    /* POST / is Confluent's test endpoint: a JSON object of strings, or no body. */
    if (req->body_len > 0) {
        int is_null;
        kr_err_t err = {0};
        json_object *obj = fmt_json_parse(req->body, req->body_len, &is_null, &err);
        if (!obj && !is_null)
            return api_reply_err(req, &err);
        bool is_object = !obj || json_object_is_type(obj, json_type_object);
        json_object_put(obj);
        if (!is_object)
            return api_reply_error(req, KR_ERR_BAD_REQUEST, "The body must be a JSON object");
    }
    kr_buf_puts(&req->resp, "{}");
    return api_reply(req, 200);
}

static void render_topics(api_req_t *req, const md_job_t *job, fmt_jsonw_t *w)
{
    (void)req;
    fmt_jsonw_arr_begin(w);
    for (size_t i = 0; i < job->md->n_topics; i++) {
        if (!job->md->topics[i].internal)
            fmt_jsonw_str(w, job->md->topics[i].name);
    }
    fmt_jsonw_arr_end(w);
}

api_status_t api_topics_list(api_req_t *req)
{
    return serve(req, 0, render_topics);
}

static bool in_list(const int32_t *ids, size_t n, int32_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == id)
            return true;
    }
    return false;
}

static void write_partition(fmt_jsonw_t *w, const kafka_md_partition_t *p)
{
    fmt_jsonw_obj_begin(w);
    fmt_jsonw_key(w, "partition");
    fmt_jsonw_int(w, p->id);
    fmt_jsonw_key(w, "leader");
    fmt_jsonw_int(w, p->leader);
    fmt_jsonw_key(w, "replicas");
    fmt_jsonw_arr_begin(w);
    for (size_t r = 0; r < p->n_replicas; r++) {
        fmt_jsonw_obj_begin(w);
        fmt_jsonw_key(w, "broker");
        fmt_jsonw_int(w, p->replicas[r]);
        fmt_jsonw_key(w, "leader");
        fmt_jsonw_bool(w, p->replicas[r] == p->leader);
        fmt_jsonw_key(w, "in_sync");
        fmt_jsonw_bool(w, in_list(p->isrs, p->n_isrs, p->replicas[r]));
        fmt_jsonw_obj_end(w);
    }
    fmt_jsonw_arr_end(w);
    fmt_jsonw_obj_end(w);
}

static void write_partitions(fmt_jsonw_t *w, const kafka_md_topic_t *t)
{
    fmt_jsonw_arr_begin(w);
    for (size_t i = 0; i < t->n_partitions; i++)
        write_partition(w, &t->partitions[i]);
    fmt_jsonw_arr_end(w);
}

static void render_topic(api_req_t *req, const md_job_t *job, fmt_jsonw_t *w)
{
    const kafka_md_topic_t *t = kafka_md_topic(job->md, job->topic);
    fmt_jsonw_obj_begin(w);
    fmt_jsonw_key(w, "name");
    fmt_jsonw_str(w, t->name);
    fmt_jsonw_key(w, "configs");
    fmt_jsonw_obj_begin(w);
    for (long i = 0; i < job->n_configs; i++) {
        /* v1 showed the topic's own overrides; v2 shows every config, defaults included. */
        if (req->version == API_V1 && job->configs[i].is_default)
            continue;
        fmt_jsonw_key(w, job->configs[i].name);
        fmt_jsonw_str(w, job->configs[i].value);
    }
    fmt_jsonw_obj_end(w);
    fmt_jsonw_key(w, "partitions");
    write_partitions(w, t);
    fmt_jsonw_obj_end(w);
}

api_status_t api_topic_get(api_req_t *req)
{
    return serve(req, NEED_TOPIC | NEED_CONFIGS, render_topic);
}

static void render_partitions(api_req_t *req, const md_job_t *job, fmt_jsonw_t *w)
{
    (void)req;
    write_partitions(w, kafka_md_topic(job->md, job->topic));
}

api_status_t api_partitions_list(api_req_t *req)
{
    return serve(req, NEED_TOPIC, render_partitions);
}

static void render_partition(api_req_t *req, const md_job_t *job, fmt_jsonw_t *w)
{
    (void)req;
    const kafka_md_topic_t *t = kafka_md_topic(job->md, job->topic);
    write_partition(w, kafka_md_partition(t, job->partition));
}

api_status_t api_partition_get(api_req_t *req)
{
    return serve(req, NEED_TOPIC | NEED_PARTITION, render_partition);
}

static void render_offsets(api_req_t *req, const md_job_t *job, fmt_jsonw_t *w)
{
    (void)req;
    fmt_jsonw_obj_begin(w);
    fmt_jsonw_key(w, "beginning_offset");
    fmt_jsonw_int(w, job->low);
    fmt_jsonw_key(w, "end_offset");
    fmt_jsonw_int(w, job->high);
    fmt_jsonw_obj_end(w);
}

api_status_t api_partition_offsets(api_req_t *req)
{
    return serve(req, NEED_TOPIC | NEED_PARTITION | NEED_WATERMARKS, render_offsets);
}

static void render_brokers(api_req_t *req, const md_job_t *job, fmt_jsonw_t *w)
{
    (void)req;
    fmt_jsonw_obj_begin(w);
    fmt_jsonw_key(w, "brokers");
    fmt_jsonw_arr_begin(w);
    for (size_t i = 0; i < job->md->n_brokers; i++)
        fmt_jsonw_int(w, job->md->brokers[i]);
    fmt_jsonw_arr_end(w);
    fmt_jsonw_obj_end(w);
}

api_status_t api_brokers_list(api_req_t *req)
{
    return serve(req, 0, render_brokers);
}
