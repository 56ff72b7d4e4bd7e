/* format/v3_record.h -- the decoder of v3 ProduceRequest objects (API.md §3.5): a request body
 * of concatenated JSON objects (whitespace between them, no array) for
 * POST /v3/clusters/{c}/topics/{t}/records, and the entries of records:batch (§3.6), each
 *   {"id"?, "partition_id"?, "headers"?: [{"name","value"}], "key"?, "value"?, "timestamp"?}
 * with key/value {"type"?, "subject"?, "subject_name_strategy"?, "schema_id"?,
 * "schema_version"?, "schema"?, "data"?}.
 * Two outcomes are told apart: a malformed JSON text breaks the stream (the caller answers one
 * 400 and stops), while a well-formed object that breaks a rule is an in-band 400 for that
 * object only and the stream goes on after it. BINARY data is base64-decoded, STRING data
 * unescaped to UTF-8, JSON data re-written compactly (as v2 json: format/json_scan.h), schema
 * data (AVRO, or no type) kept as written for the Avro encoder; all into one arena.
 * Fuzzed by tests/fuzz/fuzz_v3_record.c.
 * May use: format/, util/. Pure. Threads: any (a decoder is its caller's). */
#ifndef KR_FORMAT_V3_RECORD_H
#define KR_FORMAT_V3_RECORD_H

#include "format/produce.h"
#include "util/buf.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The `type` of a key or value (Confluent's EmbeddedFormat names). */
typedef enum fmt_v3_type {
    FMT_V3_UNSET = 0, /* no type: the schema is looked up (schema_id, schema_version, latest) */
    FMT_V3_BINARY,
    FMT_V3_JSON,
    FMT_V3_STRING,
    FMT_V3_AVRO,
    FMT_V3_JSONSCHEMA,
    FMT_V3_PROTOBUF,
} fmt_v3_type_t;

typedef enum fmt_v3_strategy {
    FMT_V3_STRATEGY_UNSET = 0, /* TOPIC_NAME */
    FMT_V3_TOPIC_NAME,
    FMT_V3_RECORD_NAME,
    FMT_V3_TOPIC_RECORD_NAME,
} fmt_v3_strategy_t;

/** One side (key or value) of a record. Spans are in the decoder's arena. */
typedef struct fmt_v3_data {
    bool present; /* the member was given and not null */
    fmt_v3_type_t type;
    fmt_v3_strategy_t strategy;
    bool has_subject, has_schema, has_schema_id, has_schema_version;
    fmt_span_t subject, schema;
    int32_t schema_id, schema_version;
    bool has_data;   /* data given and not null */
    fmt_span_t data; /* decoded bytes, or the JSON text for schema types and no type */
} fmt_v3_data_t;

typedef struct fmt_v3_record {
    bool has_id; /* records:batch entries */
    fmt_span_t id;
    int32_t partition; /* -1: not given; -2: given negative (40402) */
    bool has_timestamp;
    int64_t timestamp; /* ms since the epoch */
    uint32_t first_header, n_headers;
    fmt_v3_data_t key, value;
    size_t json_size; /* bytes of the object's text (size and rate limits) */
} fmt_v3_record_t;

/** Where decoded records keep their bytes and headers (shared by the records of a request). */
typedef struct fmt_v3_store {
    kr_buf_t arena;
    fmt_produce_header_t *headers; /* owned */
    size_t n_headers, cap_headers;
} fmt_v3_store_t;

void fmt_v3_store_init(fmt_v3_store_t *st, size_t limit);
void fmt_v3_store_deinit(fmt_v3_store_t *st);

static inline const char *fmt_v3_bytes(const fmt_v3_store_t *st, fmt_span_t s)
{
    return st->arena.data + s.off;
}

enum fmt_v3_next_rc {
    FMT_V3_PARTIAL = -3, /* fmt_v3_record_more: the text ends inside an object; wait for more */
    FMT_V3_BROKEN = -2,  /* malformed JSON: err 400 "Error processing JSON: ..."; stop */
    FMT_V3_INVALID = -1, /* the object breaks a rule: err (400, or 40402); *pos after it */
    FMT_V3_END = 0,      /* nothing but whitespace is left */
    FMT_V3_RECORD = 1,   /* *rec decoded; *pos after it */
};

/** Decodes the object at text[*pos] (after whitespace). A failed object leaves nothing in st.
 * @param max_json a record's JSON size limit (0: none): a larger object is FMT_V3_BROKEN with
 *        "Produce request size is larger than allowed threshold".
 * @return an fmt_v3_next_rc. */
int fmt_v3_record_next(fmt_v3_store_t *st, const char *text, size_t len, size_t *pos,
                       size_t max_json, fmt_v3_record_t *rec, kr_err_t *err);

/** fmt_v3_record_next on a text that may still grow (a body being received): an object the
 * text ends inside (or within its last bytes, where a UTF-8 sequence may be cut) is
 * FMT_V3_PARTIAL, *pos unchanged, unless it is over max_json already (FMT_V3_BROKEN). */
int fmt_v3_record_more(fmt_v3_store_t *st, const char *text, size_t len, size_t *pos,
                       size_t max_json, fmt_v3_record_t *rec, kr_err_t *err);

/** Decodes exactly one object text (a records:batch entry; "id" is known there).
 * @return FMT_V3_RECORD, FMT_V3_INVALID or FMT_V3_BROKEN. */
int fmt_v3_entry_decode(fmt_v3_store_t *st, const char *text, size_t len, fmt_v3_record_t *rec,
                        kr_err_t *err);

/** Parses an ISO-8601 instant ("2021-02-05T19:14:42Z", fractions of a second, "+01:00" offsets)
 * into ms since the epoch. @return 0, or -1. */
int fmt_v3_time_parse(const char *s, size_t n, int64_t *ms);

/** Writes ms since the epoch as Java's Instant.toString() does ("2021-02-05T19:14:42Z",
 * "…42.120Z"), NUL-terminated. @return its length. */
size_t fmt_v3_time_write(int64_t ms, char out[40]);

/** Confluent's enum name of a type ("BINARY", ...); "" for FMT_V3_UNSET. */
const char *fmt_v3_type_name(fmt_v3_type_t t);

#endif
