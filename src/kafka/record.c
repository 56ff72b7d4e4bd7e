/* kafka/record.c -- consumed records' fields for the layers above (see record.h).
 * Threads: any. */
#include "kafka/record.h"

#include <librdkafka/rdkafka.h>

void kafka_record_view(const kafka_record_t *r, kafka_record_view_t *v)
{
    v->topic = rd_kafka_topic_name(r->rkt);
    v->partition = r->partition;
    v->offset = r->offset;
    v->timestamp = rd_kafka_message_timestamp(r, NULL);
    v->key = r->key;
    v->key_len = r->key_len;
    v->value = r->payload;
    v->value_len = r->len;
}

size_t kafka_record_header_count(const kafka_record_t *r)
{
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(r, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR || !hdrs)
        return 0;
    return rd_kafka_header_cnt(hdrs);
}

int kafka_record_header(const kafka_record_t *r, size_t idx, const char **name, const void **value,
                        size_t *len)
{
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(r, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR || !hdrs)
        return -1;
    return rd_kafka_header_get_all(hdrs, idx, name, value, len) == RD_KAFKA_RESP_ERR_NO_ERROR ? 0
                                                                                              : -1;
}

void kafka_record_free(kafka_record_t *r)
{
    if (r)
        rd_kafka_message_destroy(r);
}
