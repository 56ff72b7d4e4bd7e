/* format/produce.c -- single-pass decoder of produce request bodies (see produce.h).
 *
 * DESIGN. The strict JSON scanner (format/json_scan.h) taught the produce envelope: it walks the
 * body once, checks the grammar and UTF-8 itself, and writes only what Kafka will receive
 * into the request's arena (base64 decoded straight from the body; json values re-emitted
 * compactly). There is no intermediate tree: json-c was 27% of the CPU of a produce request in
 * the spike of DESIGN.md §3. Errors carry the path of the offending record field.
 * Pure; threads: any. */
#include "format/produce.h"

#include "format/base64.h"
#include "format/json_scan.h"
#include "format/jsonw.h"
#include "util/mem.h"

#include <stdio.h>
#include <string.h>

#define MAX_VALUE_DEPTH 64

typedef struct parser {
    fmt_jscan_t js; /* first member: the scanner's callbacks get &ps->js back (parser_of) */
    const fmt_produce_opts_t *opts;
    fmt_produce_req_t *out;
} parser_t;

static parser_t *parser_of(fmt_jscan_t *js)
{
    return (parser_t *)js;
}

/* --- envelope fields --------------------------------------------------------------------- */

/* A schema id: null (absent: -1) or an integer (checked against the registry's range by the
 * Avro producer: binary and json requests ignore it). */
static int schema_id_field(parser_t *ps, int64_t *v, bool *present)
{
    int rc = fmt_jscan_int(&ps->js, v, present);
    if (!*present)
        *v = -1;
    return rc;
}

static fmt_span_t span_from(const fmt_produce_req_t *req, size_t off)
{
    return (fmt_span_t){(uint32_t)off, (uint32_t)(req->arena.len - off)};
}

/* A binary key/value: base64 string (or null) decoded into the arena. */
/* The common case of a base64 string, in two vectorised memchr passes and one decode: no
 * escape, and every byte base64 (hence valid JSON string content). Anything else (escapes,
 * bad characters, a missing quote) returns -1 with nothing consumed, and the careful path
 * decides, with its exact error. ps->js.p is at the opening quote. */
static int binary_fast(parser_t *ps, kr_buf_t *a)
{
    const char *begin = ps->js.p + 1;
    const char *q = memchr(begin, '"', (size_t)(ps->js.end - begin));
    if (!q || memchr(begin, '\\', (size_t)(q - begin)))
        return -1;
    size_t n = (size_t)(q - begin);
    size_t off = a->len;
    if (kr_buf_reserve(a, fmt_base64_decoded_max(n)) != 0)
        return -1;
    long got = fmt_base64_decode(begin, n, (uint8_t *)a->data + off);
    if (got < 0)
        return -1;
    a->len = off + (size_t)got;
    a->data[a->len] = '\0';
    ps->js.p = q + 1;
    return 0;
}

static int binary_field(parser_t *ps, fmt_span_t *span, bool *present)
{
    *present = false;
    if (fmt_jscan_null(&ps->js))
        return 0;
    if (ps->js.p >= ps->js.end || *ps->js.p != '"')
        return fmt_jscan_value(&ps->js, NULL, 0) != 0
                   ? -1
                   : fmt_jscan_type_error(&ps->js, "expected a base64 string");
    kr_buf_t *a = &ps->out->arena;
    size_t off = a->len;
    if (binary_fast(ps, a) == 0) {
        *span = span_from(ps->out, off);
        *present = true;
        return 0;
    }
    const char *s;
    size_t n;
    if (fmt_jscan_text(&ps->js, "expected a base64 string", &s, &n) != 0)
        return -1;
    size_t room = fmt_base64_decoded_max(n);
    if (kr_buf_reserve(a, room) != 0)
        return fmt_jscan_value_error(&ps->js, "too large");
    long got = fmt_base64_decode(s, n, (uint8_t *)a->data + off);
    if (got < 0)
        return fmt_jscan_type_error(&ps->js, "invalid base64");
    a->len = off + (size_t)got;
    a->data[a->len] = '\0';
    *span = span_from(ps->out, off);
    *present = true;
    return 0;
}

/* A json key/value: any JSON value (or null), re-emitted compactly into the arena. */
static int json_field(parser_t *ps, fmt_span_t *span, bool *present)
{
    *present = false;
    if (fmt_jscan_null(&ps->js))
        return 0;
    size_t off = ps->out->arena.len;
    if (ps->opts->format == FMT_PRODUCE_JSON_RAW) {
        /* checked, then copied as written: the Avro encoder reads it once more anyway */
        fmt_jscan_skip_ws(&ps->js);
        const char *start = ps->js.p;
        if (fmt_jscan_value(&ps->js, NULL, 0) != 0)
            return -1;
        kr_buf_append(&ps->out->arena, start, (size_t)(ps->js.p - start));
    } else if (fmt_jscan_value(&ps->js, &ps->out->arena, 0) != 0) {
        return -1;
    }
    *span = span_from(ps->out, off);
    *present = true;
    return 0;
}

static int unknown_field(parser_t *ps, const char *name)
{
    /* ps->js.path names the member itself; say where it sits (records[2]), if anywhere. */
    const char *dot = strrchr(ps->js.path, '.');
    if (strncmp(ps->js.path, "records[", 8) == 0 && dot)
        return fmt_jscan_fail(&ps->js, KR_ERR_UNPROCESSABLE, "Unrecognized field: %s (in %.*s)",
                              name, (int)(dot - ps->js.path), ps->js.path);
    if (strncmp(ps->js.path, "records[", 8) == 0)
        return fmt_jscan_fail(&ps->js, KR_ERR_UNPROCESSABLE, "Unrecognized field: %s (in %s)", name,
                              ps->js.path);
    return fmt_jscan_fail(&ps->js, KR_ERR_UNPROCESSABLE, "Unrecognized field: %s", name);
}

/* Iterates an object's members: calls member(ps, name, ctx) with ps->js.p at each value. A
 * value that is not an object is a type error described by what. */

static int string_field(parser_t *ps, fmt_span_t *span, bool *present)
{
    size_t off = ps->out->arena.len;
    if (fmt_jscan_text_append(&ps->js, &ps->out->arena, present) != 0)
        return -1;
    if (*present)
        *span = span_from(ps->out, off);
    return 0;
}

/* --- headers ----------------------------------------------------------------------------- */

typedef struct header_ctx {
    fmt_produce_header_t h;
    bool has_name;
    size_t rec;
} header_ctx_t;

static int header_member(fmt_jscan_t *js, const char *name, void *ctx)
{
    parser_t *ps = parser_of(js);
    header_ctx_t *hc = ctx;
    if (strcmp(name, "name") == 0 || strcmp(name, "key") == 0) {
        /* null = absent, also after an earlier name */
        return string_field(ps, &hc->h.name, &hc->has_name);
    }
    if (strcmp(name, "value") == 0)
        return binary_field(ps, &hc->h.value, &hc->h.has_value);
    return unknown_field(ps, name);
}

static int header_element(fmt_jscan_t *js, size_t index, void *ctx)
{
    parser_t *ps = parser_of(js);
    header_ctx_t hc = {.rec = *(size_t *)ctx};
    snprintf(ps->js.path, sizeof(ps->js.path), "records[%zu].headers[%zu]", hc.rec, index);
    if (ps->out->n_headers >= FMT_PRODUCE_MAX_HEADERS)
        return fmt_jscan_fail(&ps->js, KR_ERR_TOO_LARGE, "more than %d headers in one request",
                              FMT_PRODUCE_MAX_HEADERS);
    if (fmt_jscan_object(&ps->js, header_member, &hc, "expected an object") != 0)
        return -1;
    if (!hc.has_name)
        return fmt_jscan_value_error(&ps->js, "a header needs a name");
    fmt_produce_req_t *r = ps->out;
    if (r->n_headers == r->cap_headers) {
        r->cap_headers = r->cap_headers ? r->cap_headers * 2 : 16;
        r->headers = xrealloc(r->headers, r->cap_headers * sizeof(*r->headers));
    }
    r->headers[r->n_headers++] = hc.h;
    return 0;
}

/* --- records ----------------------------------------------------------------------------- */

typedef struct record_ctx {
    fmt_produce_record_t rec;
    size_t index;
} record_ctx_t;

/* ps->js.path = "records[index]" and, when field is not NULL, ".field" (cut to fit). Written by
 * hand: it is set for every record and member, and snprintf was 3% of a produce request. */
static void set_path(parser_t *ps, size_t index, const char *field)
{
    char *o = ps->js.path, *end = ps->js.path + sizeof(ps->js.path) - 1;
    memcpy(o, "records[", 8);
    o += 8;
    o += fmt_json_i64(o, (int64_t)index);
    *o++ = ']';
    if (field) {
        *o++ = '.';
        size_t len = strlen(field);
        if (len > (size_t)(end - o))
            len = (size_t)(end - o);
        memcpy(o, field, len);
        o += len;
    }
    *o = '\0';
}

static int record_partition(parser_t *ps, record_ctx_t *rc)
{
    int64_t v;
    bool present;
    if (fmt_jscan_int(&ps->js, &v, &present) != 0)
        return -1;
    rc->rec.partition = -1; /* a repeated member replaces the earlier one; null = absent */
    if (!present)
        return 0;
    if (v < 0 || v > INT32_MAX)
        return fmt_jscan_value_error(&ps->js, "partition must be a non-negative integer");
    rc->rec.partition = (int32_t)v;
    return 0;
}

static int record_headers(parser_t *ps, record_ctx_t *rc)
{
    rc->rec.n_headers = 0; /* a repeated member replaces the earlier one */
    if (fmt_jscan_null(&ps->js))
        return 0;
    rc->rec.first_header = (uint32_t)ps->out->n_headers;
    if (fmt_jscan_array(&ps->js, header_element, &rc->index, "expected an array of headers") != 0)
        return -1;
    rc->rec.n_headers = (uint32_t)(ps->out->n_headers - rc->rec.first_header);
    return 0;
}

static int record_member(fmt_jscan_t *js, const char *name, void *ctx)
{
    parser_t *ps = parser_of(js);
    record_ctx_t *rc = ctx;
    bool json = ps->opts->format != FMT_PRODUCE_BINARY;
    set_path(ps, rc->index, name);
    if (strcmp(name, "key") == 0)
        return json ? json_field(ps, &rc->rec.key, &rc->rec.has_key)
                    : binary_field(ps, &rc->rec.key, &rc->rec.has_key);
    if (strcmp(name, "value") == 0)
        return json ? json_field(ps, &rc->rec.value, &rc->rec.has_value)
                    : binary_field(ps, &rc->rec.value, &rc->rec.has_value);
    if (strcmp(name, "partition") == 0 && !(ps->opts->partition_endpoint && ps->opts->version == 1))
        return record_partition(ps, rc);
    if (strcmp(name, "headers") == 0)
        return record_headers(ps, rc);
    if (strcmp(name, "timestamp") == 0) {
        if (fmt_jscan_int(&ps->js, &rc->rec.timestamp, &rc->rec.has_timestamp) != 0)
            return -1;
        /* librdkafka reads 0 as "now": a timestamp must be a real instant. */
        if (rc->rec.has_timestamp && rc->rec.timestamp <= 0)
            return fmt_jscan_value_error(
                &ps->js, "timestamp must be a positive number of ms since the epoch");
        return 0;
    }
    return unknown_field(ps, name);
}

static int record_element(fmt_jscan_t *js, size_t index, void *ctx)
{
    parser_t *ps = parser_of(js);
    (void)ctx;
    record_ctx_t rc = {.index = index, .rec = {.partition = -1}};
    set_path(ps, index, NULL);
    if (index >= FMT_PRODUCE_MAX_RECORDS)
        return fmt_jscan_fail(&ps->js, KR_ERR_TOO_LARGE, "more than %d records in one request",
                              FMT_PRODUCE_MAX_RECORDS);
    if (fmt_jscan_object(&ps->js, record_member, &rc, "expected a record object") != 0)
        return -1;
    fmt_produce_req_t *r = ps->out;
    if (r->n_records == r->cap_records) {
        r->cap_records = r->cap_records ? r->cap_records * 2 : 16;
        r->records = xrealloc(r->records, r->cap_records * sizeof(*r->records));
    }
    r->records[r->n_records++] = rc.rec;
    return 0;
}

/* --- the envelope ------------------------------------------------------------------------ */

static int top_member(fmt_jscan_t *js, const char *name, void *ctx)
{
    parser_t *ps = parser_of(js);
    bool *seen_records = ctx;
    fmt_produce_req_t *r = ps->out;
    snprintf(ps->js.path, sizeof(ps->js.path), "%s", name);
    if (strcmp(name, "records") == 0) {
        r->n_records = 0; /* a repeated member replaces the earlier one, as Jackson does */
        r->n_headers = 0;
        *seen_records = !fmt_jscan_null(&ps->js);
        return *seen_records ? fmt_jscan_array(&ps->js, record_element, NULL, "expected an array")
                             : 0;
    }
    if (strcmp(name, "key_schema") == 0)
        return string_field(ps, &r->key_schema, &r->has_key_schema);
    if (strcmp(name, "value_schema") == 0)
        return string_field(ps, &r->value_schema, &r->has_value_schema);
    if (strcmp(name, "key_schema_id") == 0)
        return schema_id_field(ps, &r->key_schema_id, &r->has_key_schema_id);
    if (strcmp(name, "value_schema_id") == 0)
        return schema_id_field(ps, &r->value_schema_id, &r->has_value_schema_id);
    return unknown_field(ps, name);
}

int fmt_produce_parse(const char *body, size_t len, const fmt_produce_opts_t *opts,
                      fmt_produce_req_t *out, kr_err_t *err)
{
    memset(out, 0, sizeof(*out));
    out->key_schema_id = -1;
    out->value_schema_id = -1;
    kr_buf_init(&out->arena, len + 64);
    kr_buf_reserve(&out->arena, len + 1);
    parser_t ps = {.opts = opts, .out = out};
    /* Wrong JSON types: 400 in v2 (Confluent today), 422 in v1 (CP 5.x). */
    int type_code = opts->version == 1 ? KR_ERR_UNPROCESSABLE : KR_ERR_BAD_REQUEST;
    fmt_jscan_init(&ps.js, body, len, MAX_VALUE_DEPTH, type_code, err);
    fmt_jscan_t *js = &ps.js;
    bool seen_records = false;
    int rc = -1;
    fmt_jscan_skip_ws(js);
    if (js->p >= js->end) {
        rc = fmt_jscan_fail(js, KR_ERR_UNPROCESSABLE, "The request body is empty");
        goto out;
    }
    snprintf(js->path, sizeof(js->path), "request body");
    if (fmt_jscan_object(js, top_member, &seen_records, "expected a JSON object") != 0)
        goto out;
    fmt_jscan_skip_ws(js);
    if (js->p < js->end) {
        rc = fmt_jscan_syntax(js, "unexpected data after the JSON object");
        goto out;
    }
    if (!seen_records)
        rc = fmt_jscan_fail(js, KR_ERR_UNPROCESSABLE, "records may not be null");
    else if (out->n_records == 0)
        rc = fmt_jscan_fail(js, KR_ERR_UNPROCESSABLE, "records may not be empty");
    else
        rc = 0;
out:
    fmt_jscan_deinit(js);
    return rc;
}

void fmt_produce_req_deinit(fmt_produce_req_t *req)
{
    xfree(req->records);
    xfree(req->headers);
    kr_buf_deinit(&req->arena);
    req->records = NULL;
    req->headers = NULL;
    req->n_records = req->n_headers = 0;
}
