/* kafka/record.h -- a consumed record, opaque above kafka/: its fields through a view, its
 * headers by index. Records come from kafka_consumer_take() and kafka_partition_read().
 * May use: util/, librdkafka (in record.c only). Threads: any (a record is one thread's). */
#ifndef KR_KAFKA_RECORD_H
#define KR_KAFKA_RECORD_H

#include <stddef.h>
#include <stdint.h>

/** A consumed record (librdkafka's message). */
typedef struct rd_kafka_message_s kafka_record_t;

/** A record's fields, borrowed from the record (valid while it lives). */
typedef struct kafka_record_view {
    const char *topic; /* the same pointer for every record of one topic handle */
    int32_t partition;
    int64_t offset;
    int64_t timestamp; /* ms since the epoch; -1 when none */
    const void *key;   /* NULL: no key */
    size_t key_len;
    const void *value; /* NULL: null value */
    size_t value_len;
} kafka_record_view_t;

/** Fills v with r's fields. */
void kafka_record_view(const kafka_record_t *r, kafka_record_view_t *v);

/** @return the number of headers of r. */
size_t kafka_record_header_count(const kafka_record_t *r);

/** Gets header idx of r (name, value and length borrowed from r; value NULL for a null value).
 * @return 0, or -1 when r has no header idx. */
int kafka_record_header(const kafka_record_t *r, size_t idx, const char **name, const void **value,
                        size_t *len);

/** Frees a record; kafka_record_free(NULL) is a no-op. */
void kafka_record_free(kafka_record_t *r);

#endif
