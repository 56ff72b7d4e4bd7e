/* api/records.h -- consumed records as JSON: v2 {topic,key,value,partition,offset,timestamp,
 * headers?}, v1 {key,value,partition,offset}; binary keys/values base64, json ones embedded,
 * avro ones decoded to Avro's JSON encoding.
 * May use: kafka/ (records), format/, util/. Threads: any. */
#ifndef KR_API_RECORDS_H
#define KR_API_RECORDS_H

#include "api/api.h"
#include "format/jsonw.h"
#include "format/produce.h"
#include "kafka/record.h"
#include "util/buf.h"
#include "util/err.h"

/** Writes n records (borrowed) as elements of the array w is writing, in the shape of version
 * (API_V1 or API_V2) for format (API_FMT_BINARY/JSON). For avro, decoded holds the records' keys
 * and values as JSON, spans[2i] and [2i+1] those of record i (api_record_avro()); else NULL. */
void api_records_write(fmt_jsonw_t *w, kafka_record_t *const *msgs, size_t n, int format,
                       api_version_t version, const kr_buf_t *decoded, const fmt_span_t *spans);

/** The decoded JSON one read may hold (the out buffer of api_record_avro()): a few bytes of
 * Avro can decode to megabytes (an array of a million nulls), and a read takes up to
 * consumer.request.max.bytes of them. */
#define API_RECORDS_DECODED_MAX ((size_t)256 << 20)

/** For the avro format: decodes the record's key and value (Confluent's wire format: 0x00, the
 * schema id, the datum) to Avro's JSON encoding, appended to out; parts[0] and [1] get their
 * spans. @return 0; 1 with *missing set when a schema id is not in the registry client's
 * cache yet (look it up on a worker, then call again); or -1 with err 40801 naming topic,
 * partition and offset. */
int api_record_avro(const kafka_record_t *m, sr_client_t *c, kr_buf_t *out, fmt_span_t parts[2],
                    int32_t *missing, kr_err_t *err);

/** For the json format: checks the record's key and value are JSON.
 * @return 0, or -1 with err 40801 naming topic, partition and offset. */
int api_record_check_json(const kafka_record_t *m, kr_err_t *err);

#endif
