/* kafka/stats.h -- krest's metrics fed from librdkafka: the statistics callback of the
 * producer and the consumer instances (statistics.interval.ms), and the record counts of
 * produce delivery reports and consumer reads (util/metrics.h).
 * May use: config/, util/, librdkafka, json-c. Threads: kafka_stats_enable() where handles are
 * made; the callback on the thread that serves the handle's queue (the kafka loop); the rest
 * from any thread. */
#ifndef KR_KAFKA_STATS_H
#define KR_KAFKA_STATS_H

#include "config/config.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>

/** Sets statistics.interval.ms (krest.metrics.statistics.interval.ms) and the statistics
 * callback on conf, unless metrics or statistics are off. Only for handles whose main queue
 * krest serves (the producer, consumer instances). A consumer instance gets them only with
 * krest.metrics.topic.labels, for its lag: each handle's statistics cost ~0.2 MiB of resident
 * memory (librdkafka builds a JSON of every partition it knows, every interval), which doubled
 * an idle instance's footprint, for gauges that keep 64 handles at most. */
void kafka_stats_enable(rd_kafka_conf_t *conf, const krest_config_t *cfg, bool consumer);

/** Counts one produced record's outcome (a delivery report). */
void kafka_stats_delivered(const rd_kafka_message_t *rkm);

/** Counts a record librdkafka refused at enqueue (its err is set). */
void kafka_stats_refused(const kafka_msg_t *m);

/** Counts n records handed out to a consumer read. */
void kafka_stats_consumed(kafka_record_t *const *msgs, size_t n);

/** Makes krest_consumer_instances, _handles and _buffer_bytes read reg (borrowed) at each
 * scrape; NULL stops it. Start-up and shutdown (main). */
void kafka_consumers_metrics(kafka_consumers_t *reg);

#endif
