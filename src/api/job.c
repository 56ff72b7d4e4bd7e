/* api/job.c -- handing a request's work to another thread and back (see job.h).
 * Threads: api_job_run/api_job_start on HTTP threads; api_job_complete from any thread. */
#include "api/job.h"

#include "kafka/principals.h"
#include "util/workq.h"

#include <stdatomic.h>
#include <stddef.h>

_Static_assert(offsetof(api_job_t, ctx) == 0, "api_job_t starts with ctx");

int64_t api_job_deadline_ms(const api_ctx_t *ctx)
{
    return 3 * ctx->cfg->client_timeout_ms + 2000;
}

static atomic_bool jobs_stopping;

void api_jobs_stop(void)
{
    atomic_store(&jobs_stopping, true);
}

bool api_jobs_stopping(void)
{
    return atomic_load(&jobs_stopping);
}

void api_job_free(api_job_t *job)
{
    if (job)
        job->free_fn(job);
}

static void free_result(void *result)
{
    api_job_t *job = result;
    kafka_principal_t *p = job->_principal; /* set when the job never started */
    job->_principal = NULL;
    api_job_free(job);
    kafka_principal_release(p);
}

void api_job_complete(api_job_t *job)
{
    kafka_principal_t *p = job->_principal; /* the job's work as that identity is done */
    job->_principal = NULL;
    kr_pending_complete(job->_handle, job, free_result);
    kafka_principal_release(p);
}

static void run_on_worker(void *arg)
{
    api_job_t *job = arg;
    job->_fn(job);
}

/* The pending slot's start function: the connection is suspended now. */
static void job_submit(void *arg, kr_handle_t h)
{
    api_job_t *job = arg;
    job->_handle = h;
    if (kr_workq_submit(job->ctx->workq, run_on_worker, job) != 0) {
        job->_queue_full = true;
        api_job_complete(job);
    }
}

static void job_begin(void *arg, kr_handle_t h)
{
    api_job_t *job = arg;
    job->_handle = h;
    job->_fn(job);
}

/* Answers the full queue itself; everything else goes to the handler's resume. */
static api_status_t job_resumed(api_req_t *req, void *result, bool timed_out)
{
    api_job_t *job = result;
    if (job && job->_queue_full) {
        api_job_free(job);
        return api_reply_error(req, KR_ERR_TOO_MANY_REQUESTS,
                               "Too many requests: the worker queue is full, retry later");
    }
    return req->async.job_resume(req, job, timed_out);
}

static api_status_t submit(api_req_t *req, api_job_t *job, api_job_fn fn, api_resume_fn resume,
                           api_start_fn how)
{
    job->_fn = fn;
    job->_queue_full = false;
    /* The job may outlive its request (deadline): it keeps the Kafka identity it works as. */
    job->_principal = job->ctx->principal ? kafka_principal_keep(job->ctx->principal) : NULL;
    req->async.job_resume = resume;
    int64_t timeout = job->timeout_ms > 0 ? job->timeout_ms : api_job_deadline_ms(job->ctx);
    return api_async(req, how, job, free_result, job_resumed, timeout);
}

api_status_t api_job_run(api_req_t *req, api_job_t *job, api_job_fn fn, api_resume_fn resume)
{
    return submit(req, job, fn, resume, job_submit);
}

api_status_t api_job_start(api_req_t *req, api_job_t *job, api_job_fn start, api_resume_fn resume)
{
    return submit(req, job, start, resume, job_begin);
}
