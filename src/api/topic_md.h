/* api/topic_md.h -- the one way a handler waits for a topic's metadata: answered on the HTTP
 * thread from a fresh cached snapshot that has the topic, else the request waits suspended
 * while the metadata cache fetches (kafka_md_request_topic: a topic missing from the cache
 * causes one snapshot fetched after the request arrived, so a topic created a moment ago by
 * another client is found; section K), then the handler's continuation runs.
 * May use: kafka/ (metadata), util/. Threads: HTTP threads; the continuation too. */
#ifndef KR_API_TOPIC_MD_H
#define KR_API_TOPIC_MD_H

#include "api/api.h"
#include "kafka/metadata.h"

/** A handler's continuation once the topic's metadata is known. md is an owned snapshot
 * (kafka_md_release it) that MAY LACK THE TOPIC: the caller answers its own "not found"
 * (v1/v2: 404/40401; v3: 404/40403); or md is NULL and err (borrowed) says why (50302 when no
 * broker answers). arg is the caller's, owned by the continuation now. Runs on an HTTP thread,
 * either inside api_topic_md() itself or when the request resumes.
 * @return what a handler returns (API_DONE, or API_ASYNC after starting more work). */
typedef api_status_t (*api_topic_md_fn)(api_req_t *req, kafka_md_t *md, const kr_err_t *err,
                                        void *arg);

/** Calls cont(req, md, err, arg) with a snapshot for topic (borrowed; copied when the request
 * has to wait). topic NULL: any snapshot will do (a request about the cluster, not a topic).
 * @param not_before_ms 0: a snapshot no older than the cache's max age will do, and a cached one
 *        that has the topic answers at once, on this thread; else the snapshot's fetch must have
 *        started at or after this monotonic time (e.g. req->start_ms, to see partitions added a
 *        moment ago), and the request always waits for it.
 * @param arg_free frees arg when cont never runs: the wait timed out (the answer is then
 *        503/50302 "Kafka brokers are not available: timed out waiting for Kafka", written
 *        here) or the request went away. NULL when arg needs no freeing.
 * The wait's deadline is api_job_deadline_ms(). Takes ownership of arg (also on failure).
 * @return cont's return value when answered at once, else API_ASYNC. */
api_status_t api_topic_md(api_req_t *req, const char *topic, int64_t not_before_ms,
                          api_topic_md_fn cont, void *arg, void (*arg_free)(void *arg));

/** The producer's own metadata refresh of topic (borrowed), for partitions a snapshot has shown
 * a moment ago (they are unknown to the producer until it refreshes). Blocks up to
 * client.timeout.ms: call it on a worker. A failure is not reported: it shows as the records'
 * own errors. */
void api_topic_refresh_producer(const api_ctx_t *ctx, const char *topic);

#endif
