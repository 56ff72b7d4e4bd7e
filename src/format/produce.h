/* format/produce.h -- the decoder of v1/v2 produce request bodies:
 *   {"records":[{"key":…,"value":…,"partition":…,"headers":[…],"timestamp":…}, …],
 *    "key_schema":…, "value_schema":…, "key_schema_id":…, "value_schema_id":…}
 * One pass over the body, straight from the receive buffer: strict JSON (RFC 8259, UTF-8
 * checked, by format/json_scan.h), binary keys/values base64-decoded and json keys/values
 * re-written compactly (no spaces, "/" unescaped, strings as UTF-8, numbers exactly as written)
 * into one arena.
 * Every error names the record and field, with the status and code of API.md section K.
 * Fuzzed for equivalence with json-c (tests/fuzz/fuzz_produce.c).
 * May use: util/. Pure. Threads: any. */
#ifndef KR_FORMAT_PRODUCE_H
#define KR_FORMAT_PRODUCE_H

#include "util/buf.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum fmt_produce_format {
    FMT_PRODUCE_BINARY = 0,
    FMT_PRODUCE_JSON = 1,
    FMT_PRODUCE_JSON_RAW = 2, /* json values checked and kept as written (Avro re-reads them) */
} fmt_produce_format_t;

typedef struct fmt_produce_opts {
    fmt_produce_format_t format;
    int version;             /* 1 or 2: which codes wrong types get (v2 400, v1 422) */
    bool partition_endpoint; /* POST /topics/{t}/partitions/{p}: v1 records have no partition */
} fmt_produce_opts_t;

/* A byte range of the arena (offsets: the arena may move while it grows). */
typedef struct fmt_span {
    uint32_t off;
    uint32_t len;
} fmt_span_t;

typedef struct fmt_produce_header {
    fmt_span_t name;
    fmt_span_t value;
    bool has_value; /* false: a null value */
} fmt_produce_header_t;

typedef struct fmt_produce_record {
    bool has_key; /* false: null or absent */
    bool has_value;
    fmt_span_t key;
    fmt_span_t value;
    int32_t partition; /* -1: not given */
    bool has_timestamp;
    int64_t timestamp;
    uint32_t first_header; /* index into headers */
    uint32_t n_headers;
} fmt_produce_record_t;

typedef struct fmt_produce_req {
    fmt_produce_record_t *records; /* owned */
    size_t n_records;
    size_t cap_records;
    fmt_produce_header_t *headers; /* owned */
    size_t n_headers;
    size_t cap_headers;
    kr_buf_t arena; /* every decoded byte */
    bool has_key_schema, has_value_schema;
    fmt_span_t key_schema, value_schema;    /* unescaped schema text */
    int64_t key_schema_id, value_schema_id; /* -1: not given */
    bool has_key_schema_id, has_value_schema_id;
} fmt_produce_req_t;

/** Decodes a produce body. out is initialised here (free with fmt_produce_req_deinit, also
 * after a failure). @return 0, or -1 with err set: 400 for text that is not JSON; wrong JSON
 * types and invalid base64: 400 (v2) / 422 (v1); missing or empty records, negative partition,
 * out-of-range numbers, nesting deeper than 64, unknown fields: 422. */
int fmt_produce_parse(const char *body, size_t len, const fmt_produce_opts_t *opts,
                      fmt_produce_req_t *out, kr_err_t *err);

/* Records, and headers of all records, in one request (more: 413): a 64 MiB body of "{}," is
 * 22 million records, each with its bookkeeping, and a response line. */
#define FMT_PRODUCE_MAX_RECORDS 1000000
#define FMT_PRODUCE_MAX_HEADERS 1000000

/** Frees what a decoded request owns. */
void fmt_produce_req_deinit(fmt_produce_req_t *req);

/** @return a pointer to a span's bytes (valid until the arena changes). */
static inline const char *fmt_produce_bytes(const fmt_produce_req_t *req, fmt_span_t s)
{
    return req->arena.data + s.off;
}

#endif
