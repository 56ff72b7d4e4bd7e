/* api/topic_md.c -- waiting for a topic's metadata (see topic_md.h).
 * Threads: api_topic_md and resumed() on HTTP threads; on_md() wherever the cache calls back;
 * api_topic_refresh_producer() on workers. */
#include "api/topic_md.h"

#include "api/job.h"
#include "kafka/producer.h"
#include "util/mem.h"

typedef struct topic_md_job {
    api_job_t job; /* first member (api/job.h) */
    char *topic;   /* owned */
    int64_t not_before_ms;
    int64_t arrival_ms;
    api_topic_md_fn cont;
    void *arg; /* the caller's; owned until cont gets it */
    void (*arg_free)(void *arg);
    kafka_md_t *md; /* owned; NULL with job.err on failure */
} topic_md_job_t;

static void topic_md_job_free(api_job_t *job)
{
    topic_md_job_t *j = (topic_md_job_t *)job;
    if (j->arg && j->arg_free)
        j->arg_free(j->arg);
    kafka_md_release(j->md);
    xfree(j->topic);
    xfree(j);
}

static void on_md(void *arg, kafka_md_t *md, const kr_err_t *err)
{
    topic_md_job_t *j = arg;
    j->md = md;
    if (!md)
        j->job.err = *err;
    api_job_complete(&j->job);
}

static void start(api_job_t *job)
{
    topic_md_job_t *j = (topic_md_job_t *)job;
    if (j->topic)
        kafka_md_request_topic(job->ctx->md, j->topic, j->not_before_ms, j->arrival_ms, on_md, j);
    else
        kafka_md_request(api_md_cache(job->ctx, NULL), j->not_before_ms, on_md, j);
}

static api_status_t resumed(api_req_t *req, void *result, bool timed_out)
{
    topic_md_job_t *j = result;
    if (timed_out)
        return api_reply_error(req, KR_ERR_BROKER_NOT_AVAILABLE,
                               "Kafka brokers are not available: timed out waiting for Kafka");
    kafka_md_t *md = j->md;
    kr_err_t err = j->job.err;
    void *arg = j->arg;
    api_topic_md_fn cont = j->cont;
    j->md = NULL;
    j->arg = NULL;
    api_job_free(&j->job);
    return cont(req, md, md ? NULL : &err, arg);
}

api_status_t api_topic_md(api_req_t *req, const char *topic, int64_t not_before_ms,
                          api_topic_md_fn cont, void *arg, void (*arg_free)(void *arg))
{
    if (not_before_ms == 0) {
        kafka_md_t *md = kafka_md_peek(api_md_cache(req->ctx, topic));
        if (md && (!topic || kafka_md_topic(md, topic)))
            return cont(req, md, NULL, arg);
        kafka_md_release(md);
    }
    topic_md_job_t *j = xcalloc(1, sizeof(*j));
    j->job.ctx = req->ctx;
    j->job.free_fn = topic_md_job_free;
    j->topic = topic ? xstrdup(topic) : NULL;
    j->not_before_ms = not_before_ms;
    j->arrival_ms = req->start_ms;
    j->cont = cont;
    j->arg = arg;
    j->arg_free = arg_free;
    return api_job_start(req, &j->job, start, resumed);
}

void api_topic_refresh_producer(const api_ctx_t *ctx, const char *topic)
{
    kr_err_t err = {0}; /* not reported: a failure shows as the records' own errors */
    kafka_producer_refresh_topic(ctx->producer, topic, ctx->cfg->client_timeout_ms, &err);
}
