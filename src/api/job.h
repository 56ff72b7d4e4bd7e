/* api/job.h -- the one way a handler runs work off its HTTP thread: a job struct that embeds
 * api_job_t as its first member, handed to the worker pool (api_job_run) or to a start function
 * that completes it from another thread (api_job_start, e.g. a Kafka admin request completed on
 * the kafka loop). The helper owns the pending handle, the submit, the deadline and the one
 * answer to a full worker queue (429/42901); the handler's resume function sees only jobs that
 * ran (or timed out).
 * May use: util/. Threads: api_job_run/api_job_start on HTTP threads; api_job_complete from
 * any thread, exactly once per started job. */
#ifndef KR_API_JOB_H
#define KR_API_JOB_H

#include "api/api.h"

typedef struct api_job api_job_t;

/** Runs on a worker (api_job_run) or wherever start() hands the job: must end with exactly one
 * api_job_complete(job). */
typedef void (*api_job_fn)(api_job_t *job);

/** Embed as the FIRST member of a handler's job struct, allocated zeroed (xcalloc). The
 * handler sets ctx and free_fn;
 * the helper sets the rest. */
struct api_job {
    const api_ctx_t *ctx;            /* borrowed */
    void (*free_fn)(api_job_t *job); /* frees the whole job struct (never NULL) */
    int64_t timeout_ms;              /* the request's deadline; 0: api_job_deadline_ms(ctx) */
    kr_err_t err;                    /* the job's outcome: code 0 = success */
    /* Set by the helper. */
    /* A reference on ctx's Kafka identity (api/identity.h) from the submit to the completion:
     * the work may outlive its request (deadline). */
    kafka_principal_t *_principal;
    kr_handle_t _handle;
    api_job_fn _fn;
    bool _queue_full;
};

/** The deadline of a request waiting for work off its thread: a metadata refresh, the blocking
 * call itself and one retry, each bounded by client.timeout.ms, plus 2 s of hand-off. */
int64_t api_job_deadline_ms(const api_ctx_t *ctx);

/** Runs fn(job) on the worker pool and resumes the request with resume(req, job, timed_out)
 * when it completes or the deadline passes (job NULL then; it is freed when it completes).
 * A full queue is answered here, 429/42901, and resume is not called. Takes ownership of job
 * (also on failure). @return API_ASYNC. */
api_status_t api_job_run(api_req_t *req, api_job_t *job, api_job_fn fn, api_resume_fn resume);

/** As api_job_run, but start(job) runs on this HTTP thread right after the connection is
 * suspended and hands the job to whatever completes it (a kafka loop callback, the metadata
 * cache). Takes ownership of job. @return API_ASYNC. */
api_status_t api_job_start(api_req_t *req, api_job_t *job, api_job_fn start, api_resume_fn resume);

/** Hands a finished job back to its request (any thread; exactly once per started job). When
 * the request is gone (deadline passed, shutdown), the job is freed here. */
void api_job_complete(api_job_t *job);

/** Shutdown, once requests in flight had their graceful period: from now on api_jobs_stopping()
 * is true, and a job that would start more work of its own accord (a metadata fetch to see its
 * change, a pause before the next one) completes instead, so nothing reaches the worker pool,
 * the metadata cache or the pending timer after they are freed. Any thread; once. */
void api_jobs_stop(void);

/** Whether api_jobs_stop() was called. Any thread. */
bool api_jobs_stopping(void);

/** Frees a job through its free_fn; api_job_free(NULL) is a no-op. */
void api_job_free(api_job_t *job);

#endif
