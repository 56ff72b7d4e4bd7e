/* api/records.h -- consumed records as JSON: v2 {topic,key,value,partition,offset,timestamp,
 * headers?}, v1 {key,value,partition,offset}; binary keys/values base64, json ones embedded.
 * May use: format/, util/, librdkafka. Threads: any. */
#ifndef KR_API_RECORDS_H
#define KR_API_RECORDS_H

#include "api/api.h"
#include "format/jsonw.h"
#include "util/err.h"

#include <librdkafka/rdkafka.h>

/** Writes n records (borrowed) as elements of the array w is writing, in the shape of version
 * (1 or 2) for format (API_FMT_BINARY/JSON). */
void api_records_write(fmt_jsonw_t *w, rd_kafka_message_t *const *msgs, size_t n, int format,
                       int version);

/** For the json format: checks the record's key and value are JSON.
 * @return 0, or -1 with err 40801 naming topic, partition and offset. */
int api_record_check_json(const rd_kafka_message_t *m, kr_err_t *err);

#endif
