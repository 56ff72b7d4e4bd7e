/* api/records.c -- writing consumed records in the v1 and v2 shapes (binary: base64; json: the
 * record's JSON as is), shared by consumer reads and v1's partition read.
 * Threads: any. */
#include "api/records.h"

#include "format/base64.h"
#include "format/produce.h"

#include <string.h>

/* Records are the hot path of consumer reads (bench/consume): each is written with one reserve
 * and straight copies of its fixed parts, instead of a writer call per member. */

#define LIT(o, s) (memcpy((o), (s), sizeof(s) - 1), (o) + sizeof(s) - 1)

/* The topic name of the records being written, quoted once per topic handle. Kafka topic names
 * need no escaping ([a-zA-Z0-9._-]); a name that would is quoted the slow way. */
typedef struct topic_cache {
    const rd_kafka_topic_t *rkt;
    const char *name;
    size_t len;
    bool plain;
} topic_cache_t;

static void topic_lookup(topic_cache_t *tc, const rd_kafka_topic_t *rkt)
{
    if (tc->rkt == rkt)
        return;
    tc->rkt = rkt;
    tc->name = rd_kafka_topic_name(rkt);
    tc->len = strlen(tc->name);
    tc->plain = true;
    for (size_t i = 0; i < tc->len; i++) {
        unsigned char ch = (unsigned char)tc->name[i];
        if (ch < 0x20 || ch == '"' || ch == '\\')
            tc->plain = false;
    }
}

/* Room for a key or value: null, raw JSON, or quoted base64. */
static size_t bytes_room(const void *p, size_t n, int format)
{
    if (!p)
        return 4;
    return format == API_FMT_JSON ? n : fmt_base64_encoded_len(n) + 2;
}

static char *put_bytes(char *o, const void *p, size_t n, int format)
{
    if (!p)
        return LIT(o, "null");
    if (format == API_FMT_JSON) {
        memcpy(o, p, n);
        return o + n;
    }
    *o++ = '"';
    fmt_base64_encode(p, n, o);
    o += fmt_base64_encoded_len(n);
    *o++ = '"';
    return o;
}

/* Everything of a record but its headers and the closing brace. */
#define FIXED_ROOM 128

static void write_headers(kr_buf_t *out, const rd_kafka_message_t *m, bool *failed)
{
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR || !hdrs ||
        rd_kafka_header_cnt(hdrs) == 0)
        return;
    int rc = kr_buf_append(out, ",\"headers\":[", 12);
    const char *name;
    const void *val;
    size_t len;
    for (size_t i = 0; rc == 0 && rd_kafka_header_get_all(hdrs, i, &name, &val, &len) == 0; i++) {
        rc |= kr_buf_append(out, i ? ",{\"key\":" : "{\"key\":", i ? 8 : 7);
        rc |= fmt_json_quote(out, name, strlen(name));
        rc |= kr_buf_append(out, ",\"value\":", 9);
        size_t room = bytes_room(val, len, API_FMT_BINARY) + 1;
        rc |= kr_buf_reserve(out, room);
        if (rc == 0) {
            char *o = put_bytes(out->data + out->len, val, len, API_FMT_BINARY);
            *o++ = '}';
            out->len = (size_t)(o - out->data);
            out->data[out->len] = '\0';
        }
    }
    rc |= kr_buf_putc(out, ']');
    if (rc)
        *failed = true;
}

static void write_one(fmt_jsonw_t *w, const rd_kafka_message_t *m, int format, int version,
                      topic_cache_t *tc)
{
    kr_buf_t *out = w->out;
    fmt_jsonw_raw(w, "{", 1); /* the separator from the previous record, and the brace */
    int rc = 0;
    if (version == 2) {
        topic_lookup(tc, m->rkt);
        rc |= kr_buf_append(out, "\"topic\":", 8);
        if (tc->plain) {
            rc |= kr_buf_reserve(out, tc->len + 3);
            if (rc == 0) {
                char *o = out->data + out->len;
                *o++ = '"';
                memcpy(o, tc->name, tc->len);
                o += tc->len;
                *o++ = '"';
                *o++ = ',';
                out->len = (size_t)(o - out->data);
            }
        } else {
            rc |= fmt_json_quote(out, tc->name, tc->len);
            rc |= kr_buf_putc(out, ',');
        }
    }
    size_t room = FIXED_ROOM + bytes_room(m->key, m->key_len, format) +
                  bytes_room(m->payload, m->len, format);
    rc |= kr_buf_reserve(out, room);
    if (rc) {
        w->failed = true;
        return;
    }
    char *o = out->data + out->len;
    o = LIT(o, "\"key\":");
    o = put_bytes(o, m->key, m->key_len, format);
    o = LIT(o, ",\"value\":");
    o = put_bytes(o, m->payload, m->len, format);
    o = LIT(o, ",\"partition\":");
    o += fmt_json_i64(o, m->partition);
    o = LIT(o, ",\"offset\":");
    o += fmt_json_i64(o, m->offset);
    if (version == 2) {
        o = LIT(o, ",\"timestamp\":");
        o += fmt_json_i64(o, rd_kafka_message_timestamp(m, NULL));
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    if (version == 2)
        write_headers(out, m, &w->failed);
    if (kr_buf_putc(out, '}') != 0)
        w->failed = true;
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

void api_records_write(fmt_jsonw_t *w, rd_kafka_message_t *const *msgs, size_t n, int format,
                       int version)
{
    /* One reserve for the lot when it fits (else each record asks for its own room). */
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += FIXED_ROOM + 64 + bytes_room(msgs[i]->key, msgs[i]->key_len, format) +
                 bytes_room(msgs[i]->payload, msgs[i]->len, format);
    (void)kr_buf_reserve(w->out, total);
    topic_cache_t tc = {0};
    for (size_t i = 0; i < n; i++)
        write_one(w, msgs[i], format, version, &tc);
}
