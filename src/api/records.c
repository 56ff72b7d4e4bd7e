/* api/records.c -- writing consumed records in the v1 and v2 shapes (binary: base64; json: the
 * record's JSON as is), shared by consumer reads and v1's partition read.
 * Threads: any. */
#include "api/records.h"

#include "format/avro_codec.h"
#include "format/base64.h"
#include "format/produce.h"
#include "schema/registry_client.h"

static void write_bytes(fmt_jsonw_t *w, const void *p, size_t n, bool present, int format)
{
    if (!present) {
        fmt_jsonw_null(w);
        return;
    }
    if (format == API_FMT_JSON) {
        fmt_jsonw_raw(w, p, n);
        return;
    }
    fmt_jsonw_base64(w, p, n);
}

static void write_headers(fmt_jsonw_t *w, const rd_kafka_message_t *m)
{
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR || !hdrs ||
        rd_kafka_header_cnt(hdrs) == 0)
        return;
    fmt_jsonw_key(w, "headers");
    fmt_jsonw_arr_begin(w);
    const char *name;
    const void *val;
    size_t len;
    for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &len) == 0; i++) {
        fmt_jsonw_obj_begin(w);
        fmt_jsonw_key(w, "key");
        fmt_jsonw_str(w, name);
        fmt_jsonw_key(w, "value");
        write_bytes(w, val, len, val != NULL, API_FMT_BINARY);
        fmt_jsonw_obj_end(w);
    }
    fmt_jsonw_arr_end(w);
}

static const char *part_name(int i)
{
    return i ? "value" : "key";
}

int api_record_avro(const rd_kafka_message_t *m, sr_client_t *c, kr_buf_t *out, fmt_span_t parts[2],
                    int32_t *missing, kr_err_t *err)
{
    const unsigned char *ps[2] = {m->key, m->payload};
    size_t lens[2] = {m->key_len, m->len};
    for (int i = 0; i < 2; i++) {
        parts[i] = (fmt_span_t){0, 0};
        if (!ps[i])
            continue;
        const unsigned char *p = ps[i];
        if (lens[i] < 5 || p[0] != 0)
            return kr_err_set(err, KR_ERR_SERIALIZATION,
                              "Error deserializing the Avro %s of the record at %s-%d offset "
                              "%lld: not in the Schema Registry wire format (magic byte 0, "
                              "schema id)",
                              part_name(i), rd_kafka_topic_name(m->rkt), m->partition,
                              (long long)m->offset);
        int32_t id = (int32_t)((uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 |
                               (uint32_t)p[4]);
        bool failed = false;
        const avs_schema_t *s = sr_client_peek_id(c, id, &failed);
        if (!s && !failed) {
            *missing = id;
            return 1;
        }
        size_t start = out->len;
        kr_err_t derr = {0};
        if (!s || avs_decode_to_json(s, p + 5, lens[i] - 5, out, &derr) != 0)
            return kr_err_set(err, KR_ERR_SERIALIZATION,
                              "Error deserializing the Avro %s of the record at %s-%d offset "
                              "%lld: %s",
                              part_name(i), rd_kafka_topic_name(m->rkt), m->partition,
                              (long long)m->offset,
                              s ? derr.msg : "schema id unknown to the Schema Registry");
        parts[i] = (fmt_span_t){(uint32_t)start, (uint32_t)(out->len - start)};
    }
    return 0;
}

/* A json record's key/value must be JSON to be embedded (else 408/40801, as Confluent). */
int api_record_check_json(const rd_kafka_message_t *m, kr_err_t *err)
{
    const void *parts[2] = {m->key, m->payload};
    size_t lens[2] = {m->key_len, m->len};
    for (int i = 0; i < 2; i++) {
        if (!parts[i])
            continue;
        kr_err_t jerr;
        if (fmt_json_check(parts[i], lens[i], &jerr) != 0)
            return kr_err_set(err, KR_ERR_SERIALIZATION,
                              "Error deserializing the %s of the record at %s-%d offset %lld as "
                              "JSON",
                              i ? "value" : "key", rd_kafka_topic_name(m->rkt), m->partition,
                              (long long)m->offset);
    }
    return 0;
}

/* The record; key and value are written by the format, or given already as JSON (avro). */
static void write_record(fmt_jsonw_t *w, const rd_kafka_message_t *m, int format, int version,
                         const char *const json[2], const size_t json_len[2])
{
    fmt_jsonw_obj_begin(w);
    if (version == 2) {
        fmt_jsonw_key(w, "topic");
        fmt_jsonw_str(w, rd_kafka_topic_name(m->rkt));
    }
    const void *ps[2] = {m->key, m->payload};
    size_t lens[2] = {m->key_len, m->len};
    for (int i = 0; i < 2; i++) {
        fmt_jsonw_key(w, part_name(i));
        if (json && ps[i])
            fmt_jsonw_raw(w, json[i], json_len[i]);
        else
            write_bytes(w, ps[i], lens[i], ps[i] != NULL, format);
    }
    fmt_jsonw_key(w, "partition");
    fmt_jsonw_int(w, m->partition);
    fmt_jsonw_key(w, "offset");
    fmt_jsonw_int(w, m->offset);
    if (version == 2) {
        fmt_jsonw_key(w, "timestamp");
        fmt_jsonw_int(w, rd_kafka_message_timestamp(m, NULL));
        write_headers(w, m);
    }
    fmt_jsonw_obj_end(w);
}

void api_record_write(fmt_jsonw_t *w, const rd_kafka_message_t *m, int format, int version)
{
    write_record(w, m, format, version, NULL, NULL);
}

void api_record_write_decoded(fmt_jsonw_t *w, const rd_kafka_message_t *m, int version,
                              const kr_buf_t *decoded, const fmt_span_t parts[2])
{
    const char *json[2] = {decoded->data + parts[0].off, decoded->data + parts[1].off};
    size_t lens[2] = {parts[0].len, parts[1].len};
    write_record(w, m, API_FMT_JSON, version, json, lens);
}
