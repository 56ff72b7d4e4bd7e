/* api/auto_create.h -- a v1/v2 produce to a missing topic creates it when krest.topic.auto.create
 * says so (section K, "auto-created topics"): "broker" follows the cluster's
 * auto.create.topics.enable (DescribeConfigs of one broker, cached for a minute), "true" and
 * "false" override. Creation is an explicit CreateTopics with the broker's num.partitions and
 * default.replication.factor, then a wait until every partition has a leader.
 * May use: kafka/, config/, util/. Threads: api_auto_create() on HTTP threads, its continuation
 * too; api_auto_create_async() from any thread (see its note). */
#ifndef KR_API_AUTO_CREATE_H
#define KR_API_AUTO_CREATE_H

#include "api/api.h"
#include "kafka/metadata.h"

#include <stdbool.h>

/** How long the cluster's auto.create.topics.enable is used once read. It is a static broker
 * setting (a broker restart changes it), so a minute is plenty. */
#define API_AUTO_CREATE_CACHE_MS 60000

/** The continuation of api_auto_create(). created: the topic exists now and each of its
 * partitions has a leader (the caller fetches fresh metadata and goes on); created false with
 * err NULL: auto-creation does not apply, the caller answers its own "not found"; err
 * (borrowed) set: the cluster could not be asked or refused the topic. arg is owned by cont
 * now. @return what a handler returns. */
typedef api_status_t (*api_auto_create_fn)(api_req_t *req, bool created, const kr_err_t *err,
                                           void *arg);

/** Decides whether topic (borrowed), missing from md (borrowed, only read here: it names the
 * broker whose configs are asked), is created, creates it and waits for its leaders, then calls
 * cont. A name Kafka would refuse (empty, ".", "..", over 249 bytes, a byte outside
 * [a-zA-Z0-9._-]) is never created. A TopicExists answer (another request created it) counts as
 * created. Each step is bounded by client.timeout.ms; when the request's deadline passes first,
 * the answer is 503/50302, written here, and arg_free(arg) runs instead of cont. Takes ownership
 * of arg (also on failure). @return cont's value when decided at once, else API_ASYNC. */
api_status_t api_auto_create(api_req_t *req, const char *topic, const kafka_md_t *md,
                             api_auto_create_fn cont, void *arg, void (*arg_free)(void *arg));

/** The continuation of api_auto_create_async(): created, or not (err NULL: the rule says no;
 * err borrowed: the cluster could not be asked or refused). */
typedef void (*api_auto_create_done_fn)(void *arg, bool created, const kr_err_t *err);

/** api_auto_create() without a request (api/auto_create_async.c): the same rule and steps,
 * bounded by client.timeout.ms each; done runs exactly once, on this thread when decided at
 * once, else on the kafka loop or a worker. */
void api_auto_create_async(const api_ctx_t *ctx, const char *topic, const kafka_md_t *md,
                           api_auto_create_done_fn done, void *arg);

#endif
