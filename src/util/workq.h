/* util/workq.h -- a small pool of worker threads with a bounded job queue, for the calls that
 * block (librdkafka's synchronous metadata, watermark and committed-offset calls; later the
 * Schema Registry client). Never used for work that could run on an event loop.
 * May use: util/. Threads: kr_workq_submit() from any thread; jobs run on the workers. */
#ifndef KR_UTIL_WORKQ_H
#define KR_UTIL_WORKQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct kr_workq kr_workq_t;

/** A job: runs on a worker; owns arg and must free or hand it on. */
typedef void (*kr_workq_fn)(void *arg);

/** Starts n_threads workers with room for max_queued waiting jobs.
 * @return owned pool (free with kr_workq_free), or NULL when a thread could not start. */
kr_workq_t *kr_workq_new(size_t n_threads, size_t max_queued);

/** Queues a job. @return 0, or -1 when the queue is full or the pool stops (the job is not
 * run and arg still belongs to the caller). */
int kr_workq_submit(kr_workq_t *q, kr_workq_fn fn, void *arg);

/** @return the number of jobs waiting for a worker (a snapshot). A long job that comes in
 * steps hands its next step back to the pool only when others wait. */
size_t kr_workq_waiting(kr_workq_t *q);

/** Runs the jobs already queued, then stops and joins the workers and frees the pool. */
void kr_workq_free(kr_workq_t *q);

/** kr_workq_free() with a bound: the jobs queued run until deadline_ms (kr_clock_mono_ms();
 * negative: no bound). Workers still busy then are abandoned (detached; the jobs still queued
 * never run) and the pool is left allocated for them: the process must exit soon after.
 * @return how many workers were abandoned (0: the pool is freed). */
size_t kr_workq_free_within(kr_workq_t *q, int64_t deadline_ms);

#endif
