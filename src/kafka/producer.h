/* kafka/producer.h -- the one shared rd_kafka_t producer: records in, outcomes out.
 * acks=all, enable.idempotence=true, linger.ms=5, the Java client's partitioner
 * (murmur2_random), message.timeout.ms=30000, all overridable with producer.* keys.
 * Payloads are not copied: they stay the caller's until its batch is done.
 * May use: config/, util/, librdkafka. Knows nothing of HTTP or JSON.
 * Threads: kafka_producer_send() from any thread; delivery reports and `done` on the kafka loop
 * (or on the sending thread when nothing was enqueued). */
#ifndef KR_KAFKA_PRODUCER_H
#define KR_KAFKA_PRODUCER_H

#include "config/config.h"
#include "kafka/loop.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kafka_producer kafka_producer_t;

typedef struct kafka_msg_header {
    const char *name; /* borrowed */
    size_t name_len;
    const void *value; /* borrowed; NULL = null value */
    size_t value_len;
} kafka_msg_header_t;

typedef struct kafka_msg {
    /* in (borrowed until the batch is done) */
    int32_t partition; /* -1: the partitioner decides */
    const void *key;   /* NULL: no key */
    size_t key_len;
    const void *value; /* NULL: null value (tombstone) */
    size_t value_len;
    int64_t timestamp; /* ms since the epoch; 0: now */
    const kafka_msg_header_t *headers;
    size_t n_headers;
    /* out */
    int err; /* rd_kafka_resp_err_t; 0 = acknowledged */
    int32_t out_partition;
    int64_t out_offset;
    int64_t out_timestamp; /* the record's timestamp as Kafka reported it; -1: none */
    /* private */
    void *_batch;
} kafka_msg_t;

/** Called once when every message of a batch has its outcome. */
typedef void (*kafka_batch_done_fn)(void *opaque);

/** Creates the producer and wires its delivery reports into loop (borrowed).
 * @return owned producer (kafka_producer_free), or NULL with err set. */
kafka_producer_t *kafka_producer_new(const krest_config_t *cfg, kafka_loop_t *loop, kr_err_t *err);

typedef struct kafka_client_user kafka_client_user_t;
/** kafka_producer_new() as a user (kafka/client.h; borrowed, must outlive the producer: its
 * authentication failures are recorded there): a per-principal producer. */
kafka_producer_t *kafka_producer_new_as(const krest_config_t *cfg, kafka_loop_t *loop,
                                        kafka_client_user_t *user, kr_err_t *err);

/** Sends n messages to topic, in order. Each message gets its outcome in
 * err/out_partition/out_offset; a message librdkafka refuses at enqueue gets that error, and
 * when the refusal is a full queue so does every later message of the batch, which is not
 * enqueued (API.md section K). done(opaque) is called exactly once, when all have their
 * outcome. */
void kafka_producer_send(kafka_producer_t *p, const char *topic, kafka_msg_t *msgs, size_t n,
                         kafka_batch_done_fn done, void *opaque);

/** @return true when the producer had a fatal error (e.g. the idempotent producer's PID was
 * refused): it cannot send any more and must be replaced. */
bool kafka_producer_failed(const kafka_producer_t *p);

/** @return the largest record librdkafka accepts (message.max.bytes). */
int64_t kafka_producer_max_message_bytes(const kafka_producer_t *p);
/** @return message.timeout.ms: the longest a message waits for its outcome. */
int64_t kafka_producer_message_timeout_ms(const kafka_producer_t *p);

/** Makes the producer learn a topic's current partitions now (a Metadata request on its own
 * handle): librdkafka refuses a partition it has not seen yet, and would only see one added a
 * moment ago at its next periodic refresh. Blocks: the worker pool. @return 0, or -1 with err. */
int kafka_producer_refresh_topic(kafka_producer_t *p, const char *topic, int64_t timeout_ms,
                                 kr_err_t *err);

/** Refreshes the producer's metadata of a topic created a moment ago until it has partitions
 * and every partition a leader (Metadata requests on its own handle, 10 ms apart at first,
 * then up to 200 ms), so that records sent next find their leaders. Blocks up to timeout_ms:
 * the worker pool. @return 0, or -1 with err (50302 when the leaders did not appear in time). */
int kafka_producer_wait_topic(kafka_producer_t *p, const char *topic, int64_t timeout_ms,
                              kr_err_t *err);

/** The size librdkafka counts for a message against message.max.bytes (worst-case record
 * overhead + key + value + serialized headers). */
size_t kafka_msg_wire_size(const kafka_msg_t *m);

/** @return the KR_ERR_* code of a message's outcome (0: acknowledged). */
int kafka_msg_err_code(const kafka_msg_t *m);
/** @return librdkafka's text for a message's outcome (static, never NULL). */
const char *kafka_msg_err_str(const kafka_msg_t *m);

/** Waits up to timeout_ms for every message in flight to get its outcome (shutdown).
 * @return the number still in flight. Not on the kafka loop. */
int kafka_producer_flush(kafka_producer_t *p, int64_t timeout_ms);

/** Destroys the producer (flush first); kafka_producer_free(NULL) is a no-op. */
void kafka_producer_free(kafka_producer_t *p);

#endif
