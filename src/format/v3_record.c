/* format/v3_record.c -- the v3 ProduceRequest decoder (see v3_record.h).
 *
 * DESIGN. Each object is scanned twice: once for its extent (syntax only, bounded nesting),
 * which tells a broken stream from a bad object and lets the stream go on after a bad one; then
 * member by member with the strict scanner of format/json_scan.h. A key's or value's `data`
 * may come before its `type`, so its text is noted on the way and decoded once the object is
 * read. Everything a record keeps goes into the store's arena; a failed object rolls the
 * arena and the header list back to where they were.
 * Pure; threads: any. */
#include "format/v3_record.h"

#include "format/base64.h"
#include "format/json_scan.h"
#include "util/mem.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_VALUE_DEPTH 64
#define SCAN_MAX_DEPTH  512
#define SHOWN_MAX       64 /* bytes of a bad data value quoted in a message */

static const char *const type_names[] = {"",     "BINARY",     "JSON",    "STRING",
                                         "AVRO", "JSONSCHEMA", "PROTOBUF"};
static const char *const strategy_names[] = {"", "TOPIC_NAME", "RECORD_NAME", "TOPIC_RECORD_NAME"};

const char *fmt_v3_type_name(fmt_v3_type_t t)
{
    return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "";
}

void fmt_v3_store_init(fmt_v3_store_t *st, size_t limit)
{
    memset(st, 0, sizeof(*st));
    kr_buf_init(&st->arena, limit);
}

void fmt_v3_store_deinit(fmt_v3_store_t *st)
{
    kr_buf_deinit(&st->arena);
    xfree(st->headers);
    st->headers = NULL;
    st->n_headers = st->cap_headers = 0;
}

typedef struct parser {
    fmt_jscan_t js; /* first member (parser_of) */
    fmt_v3_store_t *st;
    fmt_v3_record_t *rec;
    bool entry; /* a records:batch entry: "id" is known */
} parser_t;

static parser_t *parser_of(fmt_jscan_t *js)
{
    return (parser_t *)js;
}

static fmt_span_t span_from(const fmt_v3_store_t *st, size_t off)
{
    return (fmt_span_t){(uint32_t)off, (uint32_t)(st->arena.len - off)};
}

static int unknown_field(parser_t *ps, const char *name, const char *cls)
{
    return fmt_jscan_fail(&ps->js, KR_ERR_BAD_REQUEST,
                          "Unrecognized field \"%s\" (class "
                          "io.confluent.kafkarest.entities.v3.%s), not marked as ignorable",
                          name, cls);
}

/* A string member (or null: absent) unescaped into the arena. */
static int string_member(parser_t *ps, fmt_span_t *span, bool *present)
{
    size_t off = ps->st->arena.len;
    if (fmt_jscan_text_append(&ps->js, &ps->st->arena, present) != 0)
        return -1;
    if (*present)
        *span = span_from(ps->st, off);
    return 0;
}

/* An enum member given by its exact name (Jackson reads body enums case-sensitively). */
static int enum_member(parser_t *ps, const char *const *names, size_t n, const char *enum_cls,
                       int *out)
{
    fmt_jscan_skip_ws(&ps->js);
    if (fmt_jscan_null(&ps->js)) {
        *out = 0;
        return 0;
    }
    const char *s;
    size_t len;
    if (fmt_jscan_text(&ps->js, "expected a string", &s, &len) != 0)
        return -1;
    for (size_t i = 1; i < n; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return fmt_jscan_fail(&ps->js, KR_ERR_BAD_REQUEST,
                          "Cannot deserialize value of type `%s` from String \"%.*s\": not one "
                          "of the values accepted for Enum class",
                          enum_cls, len > SHOWN_MAX ? SHOWN_MAX : (int)len, s);
}

static int int32_member(parser_t *ps, int32_t *out, bool *present)
{
    int64_t v;
    if (fmt_jscan_int(&ps->js, &v, present) != 0)
        return -1;
    if (*present && (v < INT32_MIN || v > INT32_MAX))
        return fmt_jscan_fail(&ps->js, KR_ERR_BAD_REQUEST, "%s: integer out of range", ps->js.path);
    *out = (int32_t)v;
    return 0;
}

/* --- key and value ------------------------------------------------------------------------ */

typedef struct data_ctx {
    fmt_v3_data_t *d;
    const char *data_start, *data_end; /* the data member's text; NULL: absent */
    const char *side;                  /* "key" or "value" */
} data_ctx_t;

/* path = a[.b], cut to fit (once per member of every record: no snprintf). */
static void set_path(parser_t *ps, const char *a, const char *b)
{
    char *p = ps->js.path, *end = p + sizeof(ps->js.path) - 1;
    for (; *a && p < end; a++)
        *p++ = *a;
    if (b && p < end)
        *p++ = '.';
    for (; b && *b && p < end; b++)
        *p++ = *b;
    *p = '\0';
}

static int data_member(fmt_jscan_t *js, const char *name, void *ctx)
{
    parser_t *ps = parser_of(js);
    data_ctx_t *dc = ctx;
    fmt_v3_data_t *d = dc->d;
    set_path(ps, dc->side, name);
    int e = 0, rc;
    if (strcmp(name, "type") == 0) {
        rc = enum_member(ps, type_names, 7, "EmbeddedFormat", &e);
        d->type = (fmt_v3_type_t)e;
        return rc;
    }
    if (strcmp(name, "subject") == 0)
        return string_member(ps, &d->subject, &d->has_subject);
    if (strcmp(name, "subject_name_strategy") == 0) {
        rc = enum_member(ps, strategy_names, 4, "EnumSubjectNameStrategy", &e);
        d->strategy = (fmt_v3_strategy_t)e;
        return rc;
    }
    if (strcmp(name, "schema_id") == 0)
        return int32_member(ps, &d->schema_id, &d->has_schema_id);
    if (strcmp(name, "schema_version") == 0)
        return int32_member(ps, &d->schema_version, &d->has_schema_version);
    if (strcmp(name, "schema") == 0)
        return string_member(ps, &d->schema, &d->has_schema);
    if (strcmp(name, "data") == 0) {
        fmt_jscan_skip_ws(js);
        dc->data_start = js->p;
        if (fmt_jscan_value(js, NULL, 0) != 0)
            return -1;
        dc->data_end = js->p;
        return 0;
    }
    return unknown_field(ps, name, "ProduceRequest$ProduceRequestData");
}

/* The combination rules of §3.5, in Confluent's order. */
static int data_rules(parser_t *ps, const fmt_v3_data_t *d)
{
    const char *sel[3] = {d->has_schema_id ? "schema_id" : NULL,
                          d->has_schema_version ? "schema_version" : NULL,
                          d->has_schema ? "schema" : NULL};
    const char *first = NULL;
    for (int i = 0; i < 3; i++) {
        if (sel[i] && first)
            return fmt_jscan_fail(&ps->js, KR_ERR_BAD_REQUEST, "'%s' cannot be used with '%s'.",
                                  sel[i], first);
        first = first ? first : sel[i];
    }
    if (d->has_subject && d->strategy)
        return fmt_jscan_fail(&ps->js, KR_ERR_BAD_REQUEST,
                              "'subject' cannot be used with 'subject_name_strategy'.");
    const char *tn = fmt_v3_type_name(d->type);
    if (d->type == FMT_V3_BINARY || d->type == FMT_V3_JSON || d->type == FMT_V3_STRING) {
        const char *bad = d->has_subject ? "subject"
                          : d->strategy  ? "subject_name_strategy"
                                         : first;
        if (bad)
            return fmt_jscan_fail(&ps->js, KR_ERR_BAD_REQUEST,
                                  "'type=%s' cannot be used with '%s'.", tn, bad);
    } else if (d->type != FMT_V3_UNSET) {
        if (d->has_schema_id || d->has_schema_version)
            return fmt_jscan_fail(&ps->js, KR_ERR_BAD_REQUEST,
                                  "'type=%s' cannot be used with '%s'.", tn,
                                  d->has_schema_id ? "schema_id" : "schema_version");
        if (!d->has_schema)
            return fmt_jscan_fail(&ps->js, KR_ERR_BAD_REQUEST, "'type=%s' requires 'schema'.", tn);
    } else if (d->has_schema) {
        return fmt_jscan_fail(&ps->js, KR_ERR_BAD_REQUEST,
                              "'schema' requires 'type' to be one of AVRO, JSONSCHEMA, PROTOBUF.");
    }
    return 0;
}

static int data_shown_fail(parser_t *ps, const data_ctx_t *dc, const char *what)
{
    size_t n = (size_t)(dc->data_end - dc->data_start);
    return fmt_jscan_fail(&ps->js, KR_ERR_BAD_REQUEST, "data=%.*s%s is not a %s.",
                          (int)(n > SHOWN_MAX ? SHOWN_MAX : n), dc->data_start,
                          n > SHOWN_MAX ? "..." : "", what);
}

/* Decodes the data text noted by data_member() as the side's type says. */
static int data_decode(parser_t *ps, data_ctx_t *dc)
{
    fmt_v3_data_t *d = dc->d;
    if (!dc->data_start)
        return 0;
    kr_err_t *err = ps->js.err;
    fmt_jscan_t js;
    fmt_jscan_init(&js, dc->data_start, (size_t)(dc->data_end - dc->data_start), MAX_VALUE_DEPTH,
                   KR_ERR_BAD_REQUEST, err);
    size_t side_len = strlen(dc->side); /* "key" or "value" */
    memcpy(js.path, dc->side, side_len);
    memcpy(js.path + side_len, ".data", 6);
    kr_buf_t *a = &ps->st->arena;
    size_t off = a->len;
    int rc = 0;
    if (fmt_jscan_null(&js)) {
        fmt_jscan_deinit(&js);
        return 0;
    }
    bool is_str = *js.p == '"';
    const char *s;
    size_t n;
    switch (d->type) {
    case FMT_V3_BINARY:
        if (!is_str) {
            rc = data_shown_fail(ps, dc, "base64 string");
            break;
        }
        rc = fmt_jscan_text(&js, "expected a string", &s, &n);
        if (rc == 0 && kr_buf_reserve(a, fmt_base64_decoded_max(n) + 1) != 0)
            rc = fmt_jscan_fail(&js, KR_ERR_TOO_LARGE, "the request is too large");
        if (rc == 0) {
            long got = fmt_base64_decode(s, n, (uint8_t *)a->data + off);
            if (got < 0)
                rc = data_shown_fail(ps, dc, "valid base64 string");
            else
                a->len = off + (size_t)got;
        }
        break;
    case FMT_V3_STRING:
        if (!is_str) {
            rc = data_shown_fail(ps, dc, "string");
            break;
        }
        rc = fmt_jscan_text(&js, "expected a string", &s, &n);
        if (rc == 0 && kr_buf_append(a, s, n) != 0)
            rc = fmt_jscan_fail(&js, KR_ERR_TOO_LARGE, "the request is too large");
        break;
    case FMT_V3_JSON:
        rc = fmt_jscan_value(&js, a, 0);
        break;
    default: /* schema types: the Avro encoder reads the text as written */
        if (kr_buf_append(a, dc->data_start, (size_t)(dc->data_end - dc->data_start)) != 0)
            rc = fmt_jscan_fail(&js, KR_ERR_TOO_LARGE, "the request is too large");
        break;
    }
    fmt_jscan_deinit(&js);
    if (rc != 0)
        return -1;
    d->has_data = true;
    d->data = span_from(ps->st, off);
    return 0;
}

static int data_side(parser_t *ps, fmt_v3_data_t *d, const char *side)
{
    memset(d, 0, sizeof(*d));
    if (fmt_jscan_null(&ps->js))
        return 0;
    data_ctx_t dc = {.d = d, .side = side};
    set_path(ps, side, NULL);
    if (fmt_jscan_object(&ps->js, data_member, &dc, "expected an object") != 0)
        return -1;
    set_path(ps, side, NULL);
    if (data_rules(ps, d) != 0 || data_decode(ps, &dc) != 0)
        return -1;
    d->present = true;
    return 0;
}

/* --- headers ----------------------------------------------------------------------------- */

typedef struct header_ctx {
    fmt_produce_header_t h;
    bool has_name;
} header_ctx_t;

static int header_member(fmt_jscan_t *js, const char *name, void *ctx)
{
    parser_t *ps = parser_of(js);
    header_ctx_t *hc = ctx;
    if (strcmp(name, "name") == 0)
        return string_member(ps, &hc->h.name, &hc->has_name);
    if (strcmp(name, "value") == 0) {
        fmt_span_t b64;
        bool present;
        size_t mark = ps->st->arena.len;
        if (string_member(ps, &b64, &present) != 0)
            return -1;
        hc->h.has_value = present;
        if (!present)
            return 0;
        kr_buf_t *a = &ps->st->arena;
        size_t off = a->len;
        if (kr_buf_reserve(a, fmt_base64_decoded_max(b64.len) + 1) != 0)
            return fmt_jscan_fail(js, KR_ERR_TOO_LARGE, "the request is too large");
        long got = fmt_base64_decode(a->data + b64.off, b64.len, (uint8_t *)a->data + off);
        if (got < 0)
            return fmt_jscan_fail(js, KR_ERR_BAD_REQUEST, "%s: invalid base64", js->path);
        /* keep the decoded bytes where the text was */
        memmove(a->data + mark, a->data + off, (size_t)got);
        a->len = mark + (size_t)got;
        hc->h.value = span_from(ps->st, mark);
        return 0;
    }
    return unknown_field(ps, name, "ProduceRequest$ProduceRequestHeader");
}

static int header_element(fmt_jscan_t *js, size_t index, void *ctx)
{
    parser_t *ps = parser_of(js);
    (void)ctx;
    header_ctx_t hc = {0};
    snprintf(js->path, sizeof(js->path), "headers[%zu]", index);
    if (fmt_jscan_object(js, header_member, &hc, "expected an object") != 0)
        return -1;
    if (!hc.has_name)
        return fmt_jscan_fail(js, KR_ERR_BAD_REQUEST, "headers[%zu]: a header needs a name", index);
    fmt_v3_store_t *st = ps->st;
    if (st->n_headers >= FMT_PRODUCE_MAX_HEADERS)
        return fmt_jscan_fail(js, KR_ERR_TOO_LARGE, "too many headers");
    if (st->n_headers == st->cap_headers) {
        st->cap_headers = st->cap_headers ? st->cap_headers * 2 : 16;
        st->headers = xrealloc(st->headers, st->cap_headers * sizeof(*st->headers));
    }
    st->headers[st->n_headers++] = hc.h;
    return 0;
}

/* --- the record -------------------------------------------------------------------------- */

static int timestamp_member(parser_t *ps)
{
    fmt_span_t s;
    bool present;
    size_t mark = ps->st->arena.len;
    if (string_member(ps, &s, &present) != 0)
        return -1;
    ps->rec->has_timestamp = false;
    if (!present)
        return 0;
    int64_t ms;
    int rc = fmt_v3_time_parse(fmt_v3_bytes(ps->st, s), s.len, &ms);
    ps->st->arena.len = mark;
    if (rc != 0 || ms <= 0)
        return fmt_jscan_fail(&ps->js, KR_ERR_BAD_REQUEST,
                              "timestamp: expected an ISO-8601 instant after 1970, e.g. "
                              "\"2021-02-05T19:14:42Z\"");
    ps->rec->has_timestamp = true;
    ps->rec->timestamp = ms;
    return 0;
}

static int record_member(fmt_jscan_t *js, const char *name, void *ctx)
{
    parser_t *ps = parser_of(js);
    fmt_v3_record_t *r = ps->rec;
    (void)ctx;
    set_path(ps, name, NULL);
    if (strcmp(name, "key") == 0)
        return data_side(ps, &r->key, "key");
    if (strcmp(name, "value") == 0)
        return data_side(ps, &r->value, "value");
    if (strcmp(name, "partition_id") == 0) {
        int32_t p;
        bool present;
        if (int32_member(ps, &p, &present) != 0)
            return -1;
        r->partition = !present ? -1 : p < 0 ? -2 : p;
        return 0;
    }
    if (strcmp(name, "headers") == 0) {
        r->n_headers = 0;
        if (fmt_jscan_null(js))
            return 0;
        r->first_header = (uint32_t)ps->st->n_headers;
        if (fmt_jscan_array(js, header_element, NULL, "expected an array") != 0)
            return -1;
        r->n_headers = (uint32_t)(ps->st->n_headers - r->first_header);
        return 0;
    }
    if (strcmp(name, "timestamp") == 0)
        return timestamp_member(ps);
    if (strcmp(name, "id") == 0 && ps->entry)
        return string_member(ps, &r->id, &r->has_id);
    return unknown_field(ps, name, ps->entry ? "ProduceBatchRequestEntry" : "ProduceRequest");
}

/* Decodes one object's text (known to be well-formed). */
static int decode_object(fmt_v3_store_t *st, const char *text, size_t len, bool entry,
                         fmt_v3_record_t *rec, kr_err_t *err)
{
    size_t mark_arena = st->arena.len, mark_headers = st->n_headers;
    memset(rec, 0, sizeof(*rec));
    rec->partition = -1;
    rec->json_size = len;
    parser_t ps = {.st = st, .rec = rec, .entry = entry};
    fmt_jscan_init(&ps.js, text, len, SCAN_MAX_DEPTH, KR_ERR_BAD_REQUEST, err);
    const char *cls = entry ? "ProduceBatchRequestEntry" : "ProduceRequest";
    int rc = -1;
    if (len == 0 || *text != '{')
        kr_err_set(err, KR_ERR_BAD_REQUEST,
                   "Cannot deserialize value of type `%s` from a value that is not an object", cls);
    else
        rc = fmt_jscan_object(&ps.js, record_member, NULL, "expected an object");
    fmt_jscan_deinit(&ps.js);
    if (rc == 0 && rec->partition == -2) {
        kr_err_set(err, KR_ERR_PARTITION_NOT_FOUND, "Partition not found.");
        rc = -1;
    }
    if (rc == 0)
        return FMT_V3_RECORD;
    st->arena.len = mark_arena;
    st->n_headers = mark_headers;
    if (err->code != KR_ERR_PARTITION_NOT_FOUND) {
        /* every rule and type error of one object is a 400 with Confluent's prefix */
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        kr_err_set(err, KR_ERR_BAD_REQUEST, "Bad Request: %s", msg);
    }
    return FMT_V3_INVALID;
}

static int next(fmt_v3_store_t *st, const char *text, size_t len, size_t *pos, size_t max_json,
                bool final, fmt_v3_record_t *rec, kr_err_t *err)
{
    fmt_jscan_t js;
    fmt_jscan_init(&js, text, len, SCAN_MAX_DEPTH, KR_ERR_BAD_REQUEST, err);
    js.p = text + *pos;
    fmt_jscan_skip_ws(&js);
    if (js.p >= js.end) {
        *pos = len;
        fmt_jscan_deinit(&js);
        return FMT_V3_END;
    }
    const char *start = js.p;
    int rc = fmt_jscan_value(&js, NULL, 0);
    const char *end = js.p;
    fmt_jscan_deinit(&js);
    bool cut = rc != 0 && !final && js.p + 4 >= js.end; /* the text may still grow */
    if (cut && (max_json == 0 || (size_t)(js.end - start) <= max_json)) {
        kr_err_clear(err);
        return FMT_V3_PARTIAL;
    }
    if (rc != 0 && !cut) {
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        kr_err_set(err, KR_ERR_BAD_REQUEST, "Bad Request: Error processing JSON: %s", msg);
        return FMT_V3_BROKEN;
    }
    if (max_json > 0 && (size_t)((cut ? js.end : end) - start) > max_json) {
        kr_err_set(err, KR_ERR_BAD_REQUEST,
                   "Bad Request: Error processing message: Produce request size is larger than "
                   "allowed threshold");
        return FMT_V3_BROKEN;
    }
    *pos = (size_t)(end - text);
    return decode_object(st, start, (size_t)(end - start), false, rec, err);
}

int fmt_v3_record_next(fmt_v3_store_t *st, const char *text, size_t len, size_t *pos,
                       size_t max_json, fmt_v3_record_t *rec, kr_err_t *err)
{
    return next(st, text, len, pos, max_json, true, rec, err);
}

int fmt_v3_record_more(fmt_v3_store_t *st, const char *text, size_t len, size_t *pos,
                       size_t max_json, fmt_v3_record_t *rec, kr_err_t *err)
{
    return next(st, text, len, pos, max_json, false, rec, err);
}

int fmt_v3_entry_decode(fmt_v3_store_t *st, const char *text, size_t len, fmt_v3_record_t *rec,
                        kr_err_t *err)
{
    if (fmt_json_check(text, len, err) != 0)
        return FMT_V3_BROKEN;
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\n' || text[len - 1] == '\r' ||
                       text[len - 1] == '\t'))
        len--;
    while (len > 0 && (*text == ' ' || *text == '\n' || *text == '\r' || *text == '\t')) {
        text++;
        len--;
    }
    return decode_object(st, text, len, true, rec, err);
}

/* --- ISO-8601 ----------------------------------------------------------------------------- */

static int digits(const char *s, size_t n, size_t at, size_t k, int *out)
{
    if (at + k > n)
        return -1;
    int v = 0;
    for (size_t i = at; i < at + k; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int fmt_v3_time_parse(const char *s, size_t n, int64_t *ms)
{
    int y, mo, d, h, mi, se;
    if (digits(s, n, 0, 4, &y) || n < 19 || s[4] != '-' || digits(s, n, 5, 2, &mo) || s[7] != '-' ||
        digits(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || digits(s, n, 11, 2, &h) ||
        s[13] != ':' || digits(s, n, 14, 2, &mi) || s[16] != ':' || digits(s, n, 17, 2, &se))
        return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 59)
        return -1;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return -1;
    size_t i = 19;
    int frac_ms = 0;
    if (i < n && s[i] == '.') {
        size_t k = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++)
            if (k < 3)
                frac_ms = frac_ms * 10 + (s[i] - '0');
        if (k == 0 || k > 9)
            return -1;
        for (; k < 3; k++)
            frac_ms *= 10;
    }
    int off_min = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        if (digits(s, n, i + 1, 2, &oh) || i + 3 >= n || s[i + 3] != ':' ||
            digits(s, n, i + 4, 2, &om) || oh > 18 || om > 59)
            return -1;
        off_min = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
        i += 6;
    } else {
        return -1;
    }
    if (i != n)
        return -1;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off_min * 60;
    *ms = secs * 1000 + frac_ms;
    return 0;
}

/* Writes v as k decimal digits (zero-padded) at p. @return p + k. */
static char *put_digits(char *p, int64_t v, int k)
{
    for (int i = k - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + k;
}

size_t fmt_v3_time_write(int64_t ms, char out[40])
{
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int frac = (int)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t sod = secs - days * 86400;
    time_t t = (time_t)secs;
    struct tm tm;
    if (days < 0 || days > 2932896) { /* before 1970 or after 9999: the C library's way */
        gmtime_r(&t, &tm);
        size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
        if (frac)
            n += (size_t)snprintf(out + n, 40 - n, ".%03d", frac);
        out[n++] = 'Z';
        out[n] = '\0';
        return n;
    }
    /* civil date from days since 1970-01-01 (proleptic Gregorian; once per result: no
     * gmtime/strftime) */
    int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    char *p = put_digits(out, y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, sod / 3600, 2);
    *p++ = ':';
    p = put_digits(p, sod / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, sod % 60, 2);
    if (frac) {
        *p++ = '.';
        p = put_digits(p, frac, 3);
    }
    *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - out);
}
