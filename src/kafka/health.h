/* kafka/health.h -- whether the cluster answers: a check on the kafka loop every interval takes
 * a fresh snapshot of the metadata cache as an answer, or else sends a Metadata request for
 * no topic (kafka_md_ping: never blocks; it runs on a worker), and records when the last
 * answer came, so GET /ready reads a cached state and never touches Kafka itself.
 * May use: kafka/, util/. Threads: kafka_health_new/free from main; the check on the kafka
 * loop; its result on a worker (or the loop); kafka_health_ready() from any thread. */
#ifndef KR_KAFKA_HEALTH_H
#define KR_KAFKA_HEALTH_H

#include "kafka/loop.h"
#include "kafka/metadata.h"
#include "util/err.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct kafka_health kafka_health_t;

/** The check's period for a client.timeout.ms: half of it, between 100 and 1000 ms. */
int64_t kafka_health_interval_ms(int64_t timeout_ms);

/** Starts checking md (borrowed; must outlive the last check's answer, i.e. be freed after the
 * worker pool) on loop every kafka_health_interval_ms(timeout_ms); the first check starts now.
 * @return owned checker (kafka_health_free), or NULL with err set. */
kafka_health_t *kafka_health_new(kafka_loop_t *loop, kafka_md_cache_t *md, int64_t timeout_ms,
                                 kr_err_t *err);

/** Stops the checks (before kafka_loop_free) and drops main's reference; a check still waiting
 * for its answer frees the checker when the answer comes. kafka_health_free(NULL) is a no-op. */
void kafka_health_free(kafka_health_t *h, kafka_loop_t *loop);

/** @return true when the cluster answered a metadata request within the last timeout_ms (plus
 * one check interval) and the latest check did not fail since; else false with why->msg
 * saying what is wrong (e.g. "no metadata answer within 5000 ms: <librdkafka's reason>"). */
bool kafka_health_ready(kafka_health_t *h, kr_err_t *why);

#endif
