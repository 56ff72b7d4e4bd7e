/* kafka/errors.h -- librdkafka errors to krest's error codes (util/err.h): brokers that cannot
 * be reached -> 50302, retriable errors -> 50003, the rest -> 50002, and the specific cases
 * (unknown topic -> 40401, unknown partition -> 40402, too large -> 413).
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

#endif
