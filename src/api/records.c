/* api/records.c -- writing consumed records in the v1 and v2 shapes (binary: base64; json: the
 * record's JSON as is), shared by consumer reads and v1's partition read.
 * Threads: any. */
#include "api/records.h"

#include "format/base64.h"
#include "format/produce.h"

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

void api_record_write(fmt_jsonw_t *w, const rd_kafka_message_t *m, int format, int version)
{
    fmt_jsonw_obj_begin(w);
    if (version == 2) {
        fmt_jsonw_key(w, "topic");
        fmt_jsonw_str(w, rd_kafka_topic_name(m->rkt));
    }
    fmt_jsonw_key(w, "key");
    write_bytes(w, m->key, m->key_len, m->key != NULL, format);
    fmt_jsonw_key(w, "value");
    write_bytes(w, m->payload, m->len, m->payload != NULL, format);
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
