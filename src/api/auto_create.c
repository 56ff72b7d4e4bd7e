/* api/auto_create.c -- creating a produce's missing topic (see auto_create.h).
 *
 * DESIGN. Up to three steps, each one job off the HTTP thread: read the cluster's
 * auto.create.topics.enable (only under "broker" and when the admin layer's cached value is
 * older than API_AUTO_CREATE_CACHE_MS; a kafka loop callback), CreateTopics with partitions and
 * replication factor -1, which makes the broker apply its own num.partitions and
 * default.replication.factor (a kafka loop callback), and the wait for leaders (a worker: it
 * polls the producer's metadata, so the producer knows the partitions when the records come).
 * Threads: api_auto_create() and the *_resumed() steps on HTTP threads; on_read() and
 * on_created() on the kafka loop; wait_run() on a worker. */
#include "api/auto_create.h"

#include "api/job.h"
#include "api/names.h"
#include "kafka/admin.h"
#include "kafka/producer.h"
#include "util/log.h"
#include "util/mem.h"

#include <string.h>

typedef struct auto_job {
    api_job_t job;     /* first member (api/job.h); job.err: the step's error */
    char *topic;       /* owned */
    int32_t broker_id; /* whose configs say auto.create.topics.enable; -1: none known */
    api_auto_create_fn cont;
    void *arg; /* the caller's; owned until cont gets it */
    void (*arg_free)(void *arg);
} auto_job_t;

static void auto_job_free(api_job_t *job)
{
    auto_job_t *j = (auto_job_t *)job;
    if (j->arg && j->arg_free)
        j->arg_free(j->arg);
    xfree(j->topic);
    xfree(j);
}

/* Hands the outcome to the caller's continuation and frees the job. */
static api_status_t finish(api_req_t *req, auto_job_t *j, bool created, const kr_err_t *err)
{
    api_auto_create_fn cont = j->cont;
    void *arg = j->arg;
    kr_err_t e = err ? *err : (kr_err_t){0};
    j->arg = NULL;
    api_job_free(&j->job);
    return cont(req, created, err ? &e : NULL, arg);
}

static api_status_t timed_out_reply(api_req_t *req)
{
    return api_reply_error(req, KR_ERR_BROKER_NOT_AVAILABLE,
                           "Kafka brokers are not available: timed out waiting for Kafka");
}

/* --- step 3: wait for the leaders -------------------------------------------------------- */

static void wait_run(api_job_t *job)
{
    auto_job_t *j = (auto_job_t *)job;
    kafka_producer_wait_topic(job->ctx->producer, j->topic, job->ctx->cfg->client_timeout_ms,
                              &job->err);
    api_job_complete(job);
}

static api_status_t wait_resumed(api_req_t *req, void *result, bool timed_out)
{
    auto_job_t *j = result;
    if (timed_out)
        return timed_out_reply(req);
    if (j->job.err.code)
        return finish(req, j, false, &j->job.err);
    return finish(req, j, true, NULL);
}

/* --- step 2: CreateTopics ---------------------------------------------------------------- */

static void on_created(void *arg, void *result, const kr_err_t *err)
{
    auto_job_t *j = arg;
    kafka_admin_items_t *r = result;
    if (err)
        j->job.err = *err;
    else if (r->n == 1 && r->items[0].err.code && !r->items[0].already_exists)
        j->job.err = r->items[0].err;
    else if (r->n == 1 && !r->items[0].err.code)
        log_info("topic %s created: a produce found it missing (krest.topic.auto.create)",
                 j->topic);
    kafka_admin_items_free(r);
    api_job_complete(&j->job);
}

static void create_start(api_job_t *job)
{
    auto_job_t *j = (auto_job_t *)job;
    kafka_admin_new_topic_t t = {.name = j->topic, .partitions = -1, .replication_factor = -1};
    if (kafka_admin_create_topics(job->ctx->kadmin, &t, 1, false, job->ctx->cfg->client_timeout_ms,
                                  on_created, j, &job->err) != 0)
        api_job_complete(job);
}

static api_status_t create_resumed(api_req_t *req, void *result, bool timed_out)
{
    auto_job_t *j = result;
    if (timed_out)
        return timed_out_reply(req);
    if (j->job.err.code)
        return finish(req, j, false, &j->job.err);
    return api_job_run(req, &j->job, wait_run, wait_resumed);
}

static api_status_t create(api_req_t *req, auto_job_t *j)
{
    return api_job_start(req, &j->job, create_start, create_resumed);
}

/* --- step 1: does the cluster allow it? -------------------------------------------------- */

static void on_read(void *arg, void *result, const kr_err_t *err)
{
    auto_job_t *j = arg;
    (void)result; /* NULL: the value is in the admin layer's cache */
    if (err)
        j->job.err = *err;
    api_job_complete(&j->job);
}

static void read_start(api_job_t *job)
{
    auto_job_t *j = (auto_job_t *)job;
    if (kafka_admin_auto_create_read(job->ctx->kadmin, j->broker_id,
                                     job->ctx->cfg->client_timeout_ms, on_read, j, &job->err) != 0)
        api_job_complete(job);
}

static api_status_t read_resumed(api_req_t *req, void *result, bool timed_out)
{
    auto_job_t *j = result;
    if (timed_out)
        return timed_out_reply(req);
    if (j->job.err.code)
        return finish(req, j, false, &j->job.err);
    if (kafka_admin_auto_create_peek(req->ctx->kadmin, INT64_MAX) == 1)
        return create(req, j);
    return finish(req, j, false, NULL);
}

/* The broker to ask: the controller Metadata named, else any. @return its id, or -1. */
static int32_t broker_to_ask(const kafka_md_t *md)
{
    if (md->controller_id >= 0)
        return md->controller_id;
    return md->n_brokers > 0 ? md->brokers[0] : -1;
}

api_status_t api_auto_create(api_req_t *req, const char *topic, const kafka_md_t *md,
                             api_auto_create_fn cont, void *arg, void (*arg_free)(void *arg))
{
    auto_job_t *j = xcalloc(1, sizeof(*j));
    j->job.ctx = req->ctx;
    j->job.free_fn = auto_job_free;
    j->topic = xstrdup(topic);
    j->broker_id = broker_to_ask(md);
    j->cont = cont;
    j->arg = arg;
    j->arg_free = arg_free;
    int mode = req->ctx->cfg->topic_auto_create;
    if (mode == CONFIG_AUTO_CREATE_FALSE || !api_topic_name_valid(topic, strlen(topic)))
        return finish(req, j, false, NULL);
    if (mode == CONFIG_AUTO_CREATE_TRUE)
        return create(req, j);
    int allowed = kafka_admin_auto_create_peek(req->ctx->kadmin, API_AUTO_CREATE_CACHE_MS);
    if (allowed >= 0)
        return allowed ? create(req, j) : finish(req, j, false, NULL);
    if (j->broker_id < 0) {
        kr_err_t err;
        kr_err_set(&err, KR_ERR_BROKER_NOT_AVAILABLE,
                   "Kafka brokers are not available: no broker to read %s from",
                   "auto.create.topics.enable");
        return finish(req, j, false, &err);
    }
    return api_job_start(req, &j->job, read_start, read_resumed);
}
