/* kafka/tplist_int.h -- krest's partition lists to and from librdkafka's (kafka/ only).
 * Threads: any. */
#ifndef KR_KAFKA_TPLIST_INT_H
#define KR_KAFKA_TPLIST_INT_H

#include "kafka/tplist.h"

#include <librdkafka/rdkafka.h>

/** @return librdkafka's copy of l (topic, partition, offset, metadata); owned,
 * rd_kafka_topic_partition_list_destroy. */
rd_kafka_topic_partition_list_t *kafka_tp_to_rd(const kafka_tp_list_t *l);
/** @return krest's copy of rl (owned, kafka_tp_list_free). */
kafka_tp_list_t *kafka_tp_from_rd(const rd_kafka_topic_partition_list_t *rl);
/** Copies offsets, metadata and errors of rl back into l, element by element (same order). */
void kafka_tp_copy_back(kafka_tp_list_t *l, const rd_kafka_topic_partition_list_t *rl);

#endif
