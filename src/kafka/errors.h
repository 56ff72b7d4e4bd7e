/* kafka/errors.h -- librdkafka errors to krest's error codes (util/err.h): brokers that cannot
 * be reached -> 50302, retriable errors -> 50003, the rest -> 50002, and the specific cases
 * (unknown topic -> 40401, unknown partition -> 40402, too large -> 413). The v3 admin API
 * (kafka/admin.h) maps some codes differently (Confluent's v3: an unknown topic is 40403, a
 * request Kafka refuses as invalid 40002, authorization 40301): kafka_err_code_v3().
 * May use: util/, librdkafka. Threads: any. */
#ifndef KR_KAFKA_ERRORS_H
#define KR_KAFKA_ERRORS_H

#include "util/err.h"

#include <librdkafka/rdkafka.h>

/** @return the KR_ERR_* code for a librdkafka error. */
int kafka_err_code(rd_kafka_resp_err_t e);

/** Sets err from a librdkafka error, the message being "<what>: <librdkafka's text>".
 * @return -1. */
int kafka_err_set(kr_err_t *err, rd_kafka_resp_err_t e, const char *what);

/** The v3 admin API's mapping: kafka_err_code() except for Kafka's admin errors (TopicExists,
 * InvalidReplicationFactor, InvalidPartitions, InvalidConfig, InvalidRequest, PolicyViolation,
 * SecurityDisabled, TopicDeletionDisabled, InvalidTopic, InvalidReplicaAssignment,
 * UnsupportedVersion -> 40002), UnknownTopicOrPartition -> 40403, the authorization failures
 * -> 40301, GroupIdNotFound -> 404. @return a KR_ERR_* code. */
int kafka_err_code_v3(rd_kafka_resp_err_t e);

/** kafka_err_set() with the v3 mapping; msg (may be NULL) is Kafka's own message, used instead
 * of librdkafka's generic text when present. @return -1. */
int kafka_err_set_v3(kr_err_t *err, rd_kafka_resp_err_t e, const char *what, const char *msg);

#endif
