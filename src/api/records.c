/* api/records.c -- writing consumed records in the v1 and v2 shapes (binary: base64; json: the
 * record's JSON as is), shared by consumer reads and v1's partition read.
 * Threads: any. */
#include "api/records.h"

#include "format/avro_codec.h"
#include "format/base64.h"
#include "format/json_valid.h"
#include "format/produce.h"
#include "schema/registry_client.h"

#include <string.h>

/* Records are the hot path of consumer reads (bench/consume): each is written with one reserve
 * and straight copies of its fixed parts, instead of a writer call per member. */

#define LIT(o, s) (memcpy((o), (s), sizeof(s) - 1), (o) + sizeof(s) - 1)

/* The topic name of the records being written, measured once per topic handle (the view's
 * topic pointer is the handle's). Kafka topic names need no escaping ([a-zA-Z0-9._-]); a name
 * that would is quoted the slow way. */
typedef struct topic_cache {
    const char *name;
    size_t len;
    bool plain;
} topic_cache_t;

static void topic_lookup(topic_cache_t *tc, const char *name)
{
    if (tc->name == name)
        return;
    tc->name = name;
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

/* Everything of a record but its topic, key, value and headers (with the closing brace). */
#define FIXED_ROOM 128

static void write_headers(kr_buf_t *out, const kafka_record_t *m, bool *failed)
{
    int rc = kr_buf_append(out, ",\"headers\":[", 12);
    const char *name;
    const void *val;
    size_t len;
    for (size_t i = 0; rc == 0 && kafka_record_header(m, i, &name, &val, &len) == 0; i++) {
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
    rc |= kr_buf_append(out, "]}", 2);
    if (rc)
        *failed = true;
}

/* A record's key (i 0) or value (i 1): its bytes for the format, or its decoded JSON (avro). */
typedef struct part {
    const void *p;
    size_t n;
    int format;
} part_t;

static part_t part_of(const kafka_record_view_t *v, int i, int format, const kr_buf_t *decoded,
                      const fmt_span_t *spans)
{
    const void *p = i ? v->value : v->key;
    size_t n = i ? v->value_len : v->key_len;
    if (!decoded || !p)
        return (part_t){p, n, format};
    return (part_t){decoded->data + spans[i].off, spans[i].len, API_FMT_JSON};
}

static void write_one(fmt_jsonw_t *w, const kafka_record_t *m, int format, api_version_t version,
                      topic_cache_t *tc, const kr_buf_t *decoded, const fmt_span_t *spans)
{
    kafka_record_view_t v;
    kafka_record_view(m, &v);
    part_t key = part_of(&v, 0, format, decoded, spans);
    part_t val = part_of(&v, 1, format, decoded, spans);
    kr_buf_t *out = w->out;
    fmt_jsonw_raw(w, "{", 1); /* the separator from the previous record, and the brace */
    int rc = 0;
    size_t room =
        FIXED_ROOM + bytes_room(key.p, key.n, key.format) + bytes_room(val.p, val.n, val.format);
    bool topic_inline = false;
    bool hdrs = false;
    if (version == API_V2) {
        topic_lookup(tc, v.topic);
        topic_inline = tc->plain;
        if (topic_inline) {
            room += tc->len + 12;
        } else {
            rc |= kr_buf_append(out, "\"topic\":", 8);
            rc |= fmt_json_quote(out, tc->name, tc->len);
            rc |= kr_buf_putc(out, ',');
        }
        hdrs = kafka_record_header_count(m) > 0;
    }
    rc |= kr_buf_reserve(out, room);
    if (rc) {
        w->failed = true;
        return;
    }
    char *o = out->data + out->len;
    if (topic_inline) {
        o = LIT(o, "\"topic\":\"");
        memcpy(o, tc->name, tc->len);
        o += tc->len;
        o = LIT(o, "\",");
    }
    o = LIT(o, "\"key\":");
    o = put_bytes(o, key.p, key.n, key.format);
    o = LIT(o, ",\"value\":");
    o = put_bytes(o, val.p, val.n, val.format);
    o = LIT(o, ",\"partition\":");
    o += fmt_json_i64(o, v.partition);
    o = LIT(o, ",\"offset\":");
    o += fmt_json_i64(o, v.offset);
    if (version == API_V2) {
        o = LIT(o, ",\"timestamp\":");
        o += fmt_json_i64(o, v.timestamp);
    }
    if (!hdrs)
        *o++ = '}';
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    if (hdrs)
        write_headers(out, m, &w->failed); /* and the record's closing brace */
}

static const char *part_name(int i)
{
    return i ? "value" : "key";
}

int api_record_avro(const kafka_record_t *m, sr_client_t *c, kr_buf_t *out, fmt_span_t parts[2],
                    int32_t *missing, kr_err_t *err)
{
    kafka_record_view_t v;
    kafka_record_view(m, &v);
    const unsigned char *ps[2] = {v.key, v.value};
    size_t lens[2] = {v.key_len, v.value_len};
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
                              part_name(i), v.topic, v.partition, (long long)v.offset);
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
                              part_name(i), v.topic, v.partition, (long long)v.offset,
                              s ? derr.msg : "schema id unknown to the Schema Registry");
        parts[i] = (fmt_span_t){(uint32_t)start, (uint32_t)(out->len - start)};
    }
    return 0;
}

/* A json record's key/value must be JSON to be embedded (else 408/40801, as Confluent). */
int api_record_check_json(const kafka_record_t *m, kr_err_t *err)
{
    kafka_record_view_t v;
    kafka_record_view(m, &v);
    const void *parts[2] = {v.key, v.value};
    size_t lens[2] = {v.key_len, v.value_len};
    for (int i = 0; i < 2; i++) {
        if (!parts[i])
            continue;
        if (!fmt_json_valid(parts[i], lens[i]))
            return kr_err_set(err, KR_ERR_SERIALIZATION,
                              "Error deserializing the %s of the record at %s-%d offset %lld as "
                              "JSON",
                              i ? "value" : "key", v.topic, v.partition, (long long)v.offset);
    }
    return 0;
}

void api_records_write(fmt_jsonw_t *w, kafka_record_t *const *msgs, size_t n, int format,
                       api_version_t version, const kr_buf_t *decoded, const fmt_span_t *spans)
{
    /* One reserve for the lot when it fits (else each record asks for its own room). */
    size_t total = decoded ? decoded->len : 0;
    for (size_t i = 0; i < n; i++) {
        kafka_record_view_t v;
        kafka_record_view(msgs[i], &v);
        total += FIXED_ROOM + 64 + bytes_room(v.key, v.key_len, format) +
                 bytes_room(v.value, v.value_len, format);
    }
    (void)kr_buf_reserve(w->out, total);
    topic_cache_t tc = {0};
    for (size_t i = 0; i < n; i++)
        write_one(w, msgs[i], format, version, &tc, decoded, decoded ? spans + 2 * i : NULL);
}
