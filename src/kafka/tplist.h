/* kafka/tplist.h -- krest's own list of (topic, partition, offset, metadata): what the layers
 * above hand to kafka/ and get back from it (never librdkafka's list).
 * May use: util/. Threads: any (a list is one thread's at a time). */
#ifndef KR_KAFKA_TPLIST_H
#define KR_KAFKA_TPLIST_H

#include <stddef.h>
#include <stdint.h>

/* Logical offsets (librdkafka's values). */
#define KAFKA_OFFSET_BEGINNING (-2)
#define KAFKA_OFFSET_END       (-1)
#define KAFKA_OFFSET_INVALID   (-1001)

typedef struct kafka_tp {
    char *topic; /* owned */
    int32_t partition;
    int64_t offset; /* an offset, a KAFKA_OFFSET_*, or a timestamp (offsets for times) */
    char *metadata; /* owned, NULL when none (committed offsets' metadata) */
    size_t metadata_len;
    int err; /* the partition's own KR_ERR_* after a call that reports one; 0 = none */
} kafka_tp_t;

typedef struct kafka_tp_list {
    kafka_tp_t *elems;
    size_t cnt;
    size_t _cap;
} kafka_tp_list_t;

/** @return an empty list with room for cap elements (grows); owned, kafka_tp_list_free. */
kafka_tp_list_t *kafka_tp_list_new(size_t cap);
/** Appends (topic copied) with offset KAFKA_OFFSET_INVALID. @return the new element (borrowed,
 * valid until the next add). */
kafka_tp_t *kafka_tp_list_add(kafka_tp_list_t *l, const char *topic, int32_t partition);
/** Frees a list and its elements; kafka_tp_list_free(NULL) is a no-op. */
void kafka_tp_list_free(kafka_tp_list_t *l);

#endif
