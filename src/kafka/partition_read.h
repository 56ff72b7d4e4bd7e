/* kafka/partition_read.h -- v1's one-shot read of one partition: a short-lived consumer handle
 * assigned to the partition (no group, nothing committed) reads up to count records from an
 * offset, or from the first at or after a timestamp. Confluent's SimpleConsumer pool has no
 * counterpart worth keeping in librdkafka.
 * May use: config/, util/, librdkafka (in partition_read.c only). Threads: blocks, worker
 * threads only. */
#ifndef KR_KAFKA_PARTITION_READ_H
#define KR_KAFKA_PARTITION_READ_H

#include "config/config.h"
#include "kafka/record.h"
#include "util/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct kafka_partition_read_opts {
    const char *topic;
    int32_t partition;
    int64_t offset;    /* >= 0; -1: from timestamp */
    int64_t timestamp; /* ms since the epoch, when offset is -1 */
    int64_t count;     /* at most this many records */
    int64_t max_bytes; /* and up to this much key+value (a first larger record comes alone) */
} kafka_partition_read_opts_t;

/** The records read; they live as long as the read (their handle). */
typedef struct kafka_partition_read {
    kafka_record_t **records; /* owned by the read */
    size_t n;
    struct rd_kafka_s *_rk; /* private: the handle the records belong to */
} kafka_partition_read_t;

/** Reads (blocking, up to client.timeout.ms per step). Nothing read is not an error (n 0).
 * @return owned read (kafka_partition_read_free), or NULL with err: 40401/40402 when the topic
 * or partition does not exist, else the librdkafka error (kafka_err_set). */
kafka_partition_read_t *kafka_partition_read(const krest_config_t *cfg,
                                             const kafka_partition_read_opts_t *o, kr_err_t *err);

/** Frees the records, then the handle; kafka_partition_read_free(NULL) is a no-op. */
void kafka_partition_read_free(kafka_partition_read_t *r);

#endif
