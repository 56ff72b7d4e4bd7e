/* tests/unit/format/test_produce.c -- the produce body decoder: valid bodies rendered from the
 * arena spans and compared byte for byte, compact re-emission of json values, and every error
 * with its code (v1 and v2) and the words of its message. */
#include "format/produce.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B FMT_PRODUCE_BINARY
#define J FMT_PRODUCE_JSON

static int parse_n(const char *body, size_t len, int format, int version, bool part_ep,
                   fmt_produce_req_t *req, kr_err_t *err)
{
    fmt_produce_opts_t opts = {
        .format = (fmt_produce_format_t)format, .version = version, .partition_endpoint = part_ep};
    return fmt_produce_parse(body, len, &opts, req, err);
}

/* Appends n bytes of p, control characters (and NUL) written as \xHH. */
static void put_bytes(kr_buf_t *b, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20)
            kr_buf_printf(b, "\\x%02x", c);
        else
            kr_buf_putc(b, (char)c);
    }
}

static void assert_span_ok(const fmt_produce_req_t *req, fmt_span_t s)
{
    assert_true((size_t)s.off + s.len <= req->arena.len);
}

static void put_span(kr_buf_t *b, const fmt_produce_req_t *req, bool present, fmt_span_t s)
{
    if (!present) {
        kr_buf_puts(b, "null");
        return;
    }
    assert_span_ok(req, s);
    kr_buf_putc(b, '\'');
    put_bytes(b, fmt_produce_bytes(req, s), s.len);
    kr_buf_putc(b, '\'');
}

/* Renders the decoded records as [k=… v=… p=… t=… h=(name:value,…)] from the arena. */
static char *render(const fmt_produce_req_t *req)
{
    kr_buf_t b;
    kr_buf_init(&b, 0);
    for (size_t i = 0; i < req->n_records; i++) {
        const fmt_produce_record_t *r = &req->records[i];
        kr_buf_puts(&b, "[k=");
        put_span(&b, req, r->has_key, r->key);
        kr_buf_puts(&b, " v=");
        put_span(&b, req, r->has_value, r->value);
        kr_buf_printf(&b, " p=%d t=", (int)r->partition);
        if (r->has_timestamp)
            kr_buf_printf(&b, "%" PRId64, r->timestamp);
        else
            kr_buf_puts(&b, "none");
        kr_buf_puts(&b, " h=(");
        assert_true((size_t)r->first_header + r->n_headers <= req->n_headers);
        for (uint32_t h = 0; h < r->n_headers; h++) {
            const fmt_produce_header_t *hd = &req->headers[r->first_header + h];
            if (h)
                kr_buf_putc(&b, ',');
            put_span(&b, req, true, hd->name);
            kr_buf_putc(&b, ':');
            put_span(&b, req, hd->has_value, hd->value);
        }
        kr_buf_puts(&b, ")]");
    }
    size_t len;
    char *s = kr_buf_steal(&b, &len);
    return s ? s : calloc(1, 1);
}

static void expect_render(int format, int version, bool part_ep, const char *body, const char *want)
{
    fmt_produce_req_t req;
    kr_err_t err = {0};
    int rc = parse_n(body, strlen(body), format, version, part_ep, &req, &err);
    char *got = rc == 0 ? render(&req) : NULL;
    size_t n_records = req.n_records;
    fmt_produce_req_deinit(&req); /* before any failure: no leak reports on top of it */
    if (rc != 0)
        fail_msg("v%d %s: %s\n  rejected: %d %s", version, format == J ? "json" : "binary", body,
                 err.code, err.msg);
    assert_int_equal(err.code, 0);
    assert_true(n_records >= 1);
    char line[1024];
    snprintf(line, sizeof(line), "%s", got);
    free(got);
    if (strcmp(line, want) != 0)
        fail_msg("v%d %s: %s\n  got:  %s\n  want: %s", version, format == J ? "json" : "binary",
                 body, line, want);
}

/* Expects an error of code with both words (when not NULL) in its message. */
static void expect_error_n(int format, int version, bool part_ep, const char *body, size_t len,
                           int code, const char *w1, const char *w2)
{
    fmt_produce_req_t req;
    kr_err_t err = {0};
    int rc = parse_n(body, len, format, version, part_ep, &req, &err);
    fmt_produce_req_deinit(&req);
    if (rc != -1 || err.code != code || (w1 && !strstr(err.msg, w1)) ||
        (w2 && !strstr(err.msg, w2)))
        fail_msg("v%d %s%s: %.*s\n  got: rc %d, %d '%s'\n  want: %d with '%s' and '%s'", version,
                 format == J ? "json" : "binary", part_ep ? " (partition endpoint)" : "", (int)len,
                 body, rc, err.code, err.msg, code, w1 ? w1 : "", w2 ? w2 : "");
    assert_true(err.msg[0] != '\0');
}

static void expect_error(int format, int version, const char *body, int code, const char *w1,
                         const char *w2)
{
    expect_error_n(format, version, false, body, strlen(body), code, w1, w2);
}

/* --- valid bodies ------------------------------------------------------------------------ */

typedef struct ok_case {
    int format;
    const char *body;
    const char *want;
} ok_case_t;

static const ok_case_t ok_cases[] = {
    {B, "{\"records\":[{\"value\":\"YQ==\"}]}", "[k=null v='a' p=-1 t=none h=()]"},
    {B,
     "{\"records\":[{\"key\":\"a2V5\",\"value\":\"dmFsdWU=\"},{\"key\":null,\"value\":null},{}]}",
     "[k='key' v='value' p=-1 t=none h=()][k=null v=null p=-1 t=none h=()]"
     "[k=null v=null p=-1 t=none h=()]"},
    {B, "{\"records\":[{\"key\":\"\",\"value\":\"AP8A\"}]}",
     "[k='' v='\\x00\xff\\x00' p=-1 t=none h=()]"},
    {B,
     "{\"records\":[{\"value\":\"YQ==\",\"headers\":[{\"name\":\"h1\",\"value\":\"djE=\"},"
     "{\"key\":\"h2\",\"value\":null},{\"name\":\"h\\u00e9\\\"\"},{\"name\":\"\",\"value\":\"\"}]},"
     "{\"value\":\"Yg==\",\"headers\":[{\"value\":\"eA==\",\"name\":\"z\"}]}]}",
     "[k=null v='a' p=-1 t=none h=('h1':'v1','h2':null,'h\xc3\xa9\"':null,'':'')]"
     "[k=null v='b' p=-1 t=none h=('z':'x')]"},
    {B, "{\"records\":[{\"value\":\"YQ==\",\"headers\":[]},{\"value\":\"Yg==\",\"headers\":null}]}",
     "[k=null v='a' p=-1 t=none h=()][k=null v='b' p=-1 t=none h=()]"},
    {B,
     "{\"records\":[{\"value\":\"YQ==\",\"partition\":3,\"timestamp\":1700000000000},"
     "{\"value\":\"Yg==\",\"partition\":null,\"timestamp\":null},"
     "{\"partition\":0,\"timestamp\":1},{\"partition\":2147483647,\"timestamp\":"
     "9223372036854775807}]}",
     "[k=null v='a' p=3 t=1700000000000 h=()][k=null v='b' p=-1 t=none h=()]"
     "[k=null v=null p=0 t=1 h=()][k=null v=null p=2147483647 t=9223372036854775807 h=()]"},
    /* schema fields accepted and ignored */
    {B,
     "{\"key_schema\":\"{\\\"type\\\":\\\"string\\\"}\",\"value_schema\":null,"
     "\"key_schema_id\":5,\"value_schema_id\":null,\"records\":[{\"value\":\"YQ==\"}]}",
     "[k=null v='a' p=-1 t=none h=()]"},
    /* a repeated records member replaces the earlier one */
    {B,
     "{\"records\":[{\"value\":\"YQ==\",\"headers\":[{\"name\":\"o\"}]},{\"value\":\"Yg==\"}],"
     "\"records\":[{\"value\":\"Yw==\",\"headers\":[{\"name\":\"x\"}]}]}",
     "[k=null v='c' p=-1 t=none h=('x':null)]"},
    {B, "{\"records\":null,\"records\":[{\"value\":\"YQ==\"}]}", "[k=null v='a' p=-1 t=none h=()]"},
    /* whitespace everywhere */
    {B,
     " \t\r\n{ \"records\" :\n [ { \"value\" : \"YQ==\" ,\t\"key\" : null ,\"headers\" : [ "
     "{ \"name\" : \"n\" , \"value\" : \"Yg==\" } ] , \"partition\" : 1 } \r\n] } \n\t ",
     "[k=null v='a' p=1 t=none h=('n':'b')]"},
    {B, "{\"records\":[ ],\"records\":[{ }]}", "[k=null v=null p=-1 t=none h=()]"},
    /* escapes inside base64 strings */
    {B,
     "{\"records\":[{\"value\":\"YQ\\u003d\\u003d\",\"key\":\"\\u0059\\u0051\\u003D\\u003D\"},"
     "{\"value\":\"\\/\\/8=\"}]}",
     "[k='a' v='a' p=-1 t=none h=()][k=null v='\xff\xff' p=-1 t=none h=()]"},
    /* json: the example of the brief, byte for byte */
    {J,
     "{\"records\":[{\"value\":{\"a\" : [1.50, -0, 1e3, true, null, \"x\\/y\", \"\\u00e9\", "
     "\"\\ud83d\\ude00\", \"tab\\there\", \"q\\\"q\"]}}]}",
     "[k=null v='{\"a\":[1.50,-0,1e3,true,null,\"x/y\",\"\xc3\xa9\",\"\xf0\x9f\x98\x80\","
     "\"tab\\there\",\"q\\\"q\"]}' p=-1 t=none h=()]"},
    {J,
     "{\"records\":[{\"key\":\"k\",\"value\":{ \"b\" : [ ] , \" c\" : { } }},{\"key\":12,"
     "\"value\":null},{\"key\":null},{\"value\":false},{\"value\":\"\"},{\"value\":[[],{}]}]}",
     "[k='\"k\"' v='{\"b\":[],\" c\":{}}' p=-1 t=none h=()][k='12' v=null p=-1 t=none h=()]"
     "[k=null v=null p=-1 t=none h=()][k=null v='false' p=-1 t=none h=()]"
     "[k=null v='\"\"' p=-1 t=none h=()][k=null v='[[],{}]' p=-1 t=none h=()]"},
    /* minimal re-escaping: controls escaped (short forms where JSON has them), '/' and DEL not */
    {J, "{\"records\":[{\"value\":\"\\u0001\\b\\f\\n\\r\\t\\u001f\\u007f\\u0000\\u0008\\/\\\\\"}]}",
     "[k=null v='\"\\u0001\\b\\f\\n\\r\\t\\u001f\x7f\\u0000\\b/\\\\\"' p=-1 t=none h=()]"},
    /* unescaped strings are copied as they are (UTF-8 included) */
    {J, "{\"records\":[{\"value\":\"h\xc3\xa9llo \xf0\x9f\x98\x80 / \xef\xbf\xbf\"}]}",
     "[k=null v='\"h\xc3\xa9llo \xf0\x9f\x98\x80 / \xef\xbf\xbf\"' p=-1 t=none h=()]"},
    /* member names re-escaped too */
    {J, "{\"records\":[{\"value\":{\"\\u0061\\\"b\\/\":1,\"\\u00e9\":{\"\\n\":2}}}]}",
     "[k=null v='{\"a\\\"b/\":1,\"\xc3\xa9\":{\"\\n\":2}}' p=-1 t=none h=()]"},
    /* numbers exactly as written */
    {J,
     "{\"records\":[{\"value\":[0,-0,0.0,1E+2,1e-2,-1.5E-10,18446744073709551615,"
     "-9223372036854775808,9223372036854775807,100000000000000000000.5,1e400]}]}",
     "[k=null v='[0,-0,0.0,1E+2,1e-2,-1.5E-10,18446744073709551615,-9223372036854775808,"
     "9223372036854775807,100000000000000000000.5,1e400]' p=-1 t=none h=()]"},
    {J, "{\"records\":[{\"value\":18446744073709551615,\"key\":-9223372036854775808}]}",
     "[k='-9223372036854775808' v='18446744073709551615' p=-1 t=none h=()]"},
    /* headers stay base64 in the json format */
    {J,
     "{\"records\":[{\"value\":{},\"headers\":[{\"name\":\"h\",\"value\":\"YQ==\"}],"
     "\"partition\":2,\"timestamp\":7}]}",
     "[k=null v='{}' p=2 t=7 h=('h':'a')]"},
    {J, "{\"records\":[{\"value\":\"YQ==\"}]}", "[k=null v='\"YQ==\"' p=-1 t=none h=()]"},
    /* repeated members: the last one wins */
    {B,
     "{\"records\":[{\"key\":\"YQ==\",\"key\":null,\"value\":\"YQ==\",\"value\":null,"
     "\"timestamp\":5,\"timestamp\":null,\"value\":\"Yg==\"},{\"key\":null,\"key\":\"YQ==\"}]}",
     "[k=null v='b' p=-1 t=none h=()][k='a' v=null p=-1 t=none h=()]"},
    {J, "{\"records\":[{\"value\":1,\"value\":{\"a\":1,\"a\":2}}]}",
     "[k=null v='{\"a\":1,\"a\":2}' p=-1 t=none h=()]"},
};

static void test_valid_bodies(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
        const ok_case_t *c = &ok_cases[i];
        expect_render(c->format, 1, false, c->body, c->want);
        expect_render(c->format, 2, false, c->body, c->want);
        expect_render(c->format, 2, true, c->body, c->want);
        if (!strstr(c->body, "\"partition\"")) /* v1: unknown on the partition endpoint */
            expect_render(c->format, 1, true, c->body, c->want);
    }
}

static void test_schema_fields(void **state)
{
    (void)state;
    const char *body =
        "{\"key_schema\":\"{\\\"type\\\":\\\"string\\\"}\",\"value_schema\":\"\\u0041\","
        "\"key_schema_id\":5,\"value_schema_id\":9223372036854775807,"
        "\"records\":[{\"value\":\"YQ==\"}]}";
    fmt_produce_req_t req;
    kr_err_t err = {0};
    assert_int_equal(parse_n(body, strlen(body), B, 2, false, &req, &err), 0);
    assert_true(req.has_key_schema);
    assert_span_ok(&req, req.key_schema);
    assert_int_equal(req.key_schema.len, strlen("{\"type\":\"string\"}"));
    assert_memory_equal(fmt_produce_bytes(&req, req.key_schema), "{\"type\":\"string\"}",
                        req.key_schema.len);
    assert_true(req.has_value_schema);
    assert_int_equal(req.value_schema.len, 1);
    assert_memory_equal(fmt_produce_bytes(&req, req.value_schema), "A", 1);
    assert_int_equal(req.key_schema_id, 5);
    assert_true(req.value_schema_id == INT64_MAX);
    fmt_produce_req_deinit(&req);

    body = "{\"key_schema\":null,\"key_schema_id\":null,\"records\":[{\"value\":\"YQ==\"}]}";
    assert_int_equal(parse_n(body, strlen(body), J, 1, false, &req, &err), 0);
    assert_false(req.has_key_schema);
    assert_false(req.has_value_schema);
    assert_true(req.key_schema_id == -1);
    assert_true(req.value_schema_id == -1);
    fmt_produce_req_deinit(&req);

    for (int v = 1; v <= 2; v++) {
        int code = v == 1 ? 422 : 400;
        expect_error(B, v, "{\"key_schema\":1,\"records\":[{}]}", code, "key_schema", NULL);
        expect_error(B, v, "{\"value_schema\":{},\"records\":[{}]}", code, "value_schema", NULL);
        expect_error(J, v, "{\"key_schema_id\":\"1\",\"records\":[{}]}", code, "key_schema_id",
                     NULL);
        expect_error(J, v, "{\"value_schema_id\":1.5,\"records\":[{}]}", code, "value_schema_id",
                     NULL);
    }
}

static void test_partition_endpoint(void **state)
{
    (void)state;
    const char *body = "{\"records\":[{\"value\":\"YQ==\",\"partition\":1}]}";
    expect_error_n(B, 1, true, body, strlen(body), 422, "Unrecognized field: partition", NULL);
    expect_error_n(J, 1, true, body, strlen(body), 422, "Unrecognized field: partition", NULL);
    body = "{\"records\":[{\"value\":\"YQ==\",\"partition\":null}]}";
    expect_error_n(B, 1, true, body, strlen(body), 422, "Unrecognized field: partition", NULL);
    expect_render(B, 2, true, "{\"records\":[{\"value\":\"YQ==\",\"partition\":1}]}",
                  "[k=null v='a' p=1 t=none h=()]");
    expect_render(J, 2, true, "{\"records\":[{\"value\":\"YQ==\",\"partition\":null}]}",
                  "[k=null v='\"YQ==\"' p=-1 t=none h=()]");
    expect_render(B, 1, false, "{\"records\":[{\"value\":\"YQ==\",\"partition\":1}]}",
                  "[k=null v='a' p=1 t=none h=()]");
}

/* A json record whose value is [[…[1]…]] nested depth deep. */
static char *nested_arrays(int depth)
{
    size_t n = (size_t)depth * 2 + 64;
    char *b = malloc(n);
    size_t o = (size_t)snprintf(b, n, "{\"records\":[{\"value\":");
    for (int i = 0; i < depth; i++)
        b[o++] = '[';
    b[o++] = '1';
    for (int i = 0; i < depth; i++)
        b[o++] = ']';
    memcpy(b + o, "}]}", 4);
    return b;
}

/* A json record whose value is {"a":{"a":…1…}} nested depth deep. */
static char *nested_objects(int depth)
{
    size_t n = (size_t)depth * 6 + 64;
    char *b = malloc(n);
    size_t o = (size_t)snprintf(b, n, "{\"records\":[{\"value\":");
    for (int i = 0; i < depth; i++)
        o += (size_t)snprintf(b + o, n - o, "{\"a\":");
    b[o++] = '1';
    for (int i = 0; i < depth; i++)
        b[o++] = '}';
    memcpy(b + o, "}]}", 4);
    return b;
}

static void test_nesting(void **state)
{
    (void)state;
    for (int v = 1; v <= 2; v++) {
        char *b = nested_arrays(64);
        fmt_produce_req_t req;
        kr_err_t err = {0};
        assert_int_equal(parse_n(b, strlen(b), J, v, false, &req, &err), 0);
        assert_int_equal(req.records[0].value.len, 64 * 2 + 1);
        fmt_produce_req_deinit(&req);
        free(b);
        b = nested_arrays(65);
        expect_error(J, v, b, 422, "records[0].value", "64");
        free(b);
        b = nested_objects(64);
        assert_int_equal(parse_n(b, strlen(b), J, v, false, &req, &err), 0);
        assert_int_equal(req.records[0].value.len, 64 * 6 + 1);
        fmt_produce_req_deinit(&req);
        free(b);
        b = nested_objects(65);
        expect_error(J, v, b, 422, "records[0].value", "64");
        free(b);
        /* deep nesting far beyond the limit does not exhaust the stack */
        b = nested_arrays(100000);
        expect_error(J, v, b, 422, "records[0].value", NULL);
        free(b);
    }
}

/* --- errors ------------------------------------------------------------------------------ */

typedef struct err_case {
    int format;
    const char *body;
    int v1, v2; /* expected codes */
    const char *w1, *w2;
} err_case_t;

#define ALL 2 /* format: both binary and json */

static const err_case_t err_cases[] = {
    /* not JSON at all: 400 in both versions, with a position */
    {ALL, "{\"records\":[{\"value\":\"YQ==\"}]", 400, 400, "Invalid JSON", "line 1, column"},
    {ALL, "{\n\"records\": x}", 400, 400, "Invalid JSON", "line 2, column"},
    {ALL, "nope", 400, 400, "Invalid JSON", "line 1"},
    {ALL, "{records:[]}", 400, 400, "Invalid JSON", "column"},
    {ALL, "{'records':[]}", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"value\":\"YQ==\",}]}", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"value\":\"YQ==\"},]}", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"value\":\"YQ==\"}],}", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"value\" \"YQ==\"}]}", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"value\":}]}", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"value\":\"YQ==}]}", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"value\":\"\\x\"}]}", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"value\":\"\\u00g1\"}]}", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"value\":\"\\u00", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"value\":nul}]}", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"partition\":nulll}]}", 400, 400, "Invalid JSON", NULL},
    /* trailing garbage */
    {ALL, "{\"records\":[{\"value\":\"YQ==\"}]}x", 400, 400, "Invalid JSON", "column 31"},
    {ALL, "{\"records\":[{\"value\":\"YQ==\"}]} {}", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"value\":\"YQ==\"}]}\f", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"value\":\"YQ==\"}]}]", 400, 400, "Invalid JSON", NULL},
    /* empty body */
    {ALL, "", 422, 422, "empty", NULL},
    {ALL, " \r\n\t", 422, 422, "empty", NULL},
    /* body not an object */
    {ALL, "[]", 422, 400, "expected a JSON object", NULL},
    {ALL, "[{\"records\":[]}]", 422, 400, "expected a JSON object", NULL},
    {ALL, "\"records\"", 422, 400, "expected a JSON object", NULL},
    {ALL, "12", 422, 400, "expected a JSON object", NULL},
    {ALL, "null", 422, 400, "expected a JSON object", NULL},
    /* records not an array */
    {ALL, "{\"records\":{}}", 422, 400, "records", "expected an array"},
    {ALL, "{\"records\":\"YQ==\"}", 422, 400, "records", "expected an array"},
    {ALL, "{\"records\":1}", 422, 400, "records", "expected an array"},
    /* record not an object */
    {ALL, "{\"records\":[1]}", 422, 400, "records[0]", "object"},
    {ALL, "{\"records\":[{\"value\":\"YQ==\"},[]]}", 422, 400, "records[1]", "object"},
    {ALL, "{\"records\":[null]}", 422, 400, "records[0]", "object"},
    /* binary keys and values must be base64 strings */
    {B, "{\"records\":[{\"key\":1,\"value\":\"YQ==\"}]}", 422, 400, "records[0].key", NULL},
    {B, "{\"records\":[{\"value\":true}]}", 422, 400, "records[0].value", NULL},
    {B, "{\"records\":[{\"value\":{\"a\":1}}]}", 422, 400, "records[0].value", NULL},
    {B, "{\"records\":[{\"value\":[\"YQ==\"]}]}", 422, 400, "records[0].value", NULL},
    {B, "{\"records\":[{\"value\":\"YQ=\"}]}", 422, 400, "records[0].value", "invalid base64"},
    {B, "{\"records\":[{\"value\":\"YQ==\"},{\"key\":\"a\"}]}", 422, 400, "records[1].key",
     "invalid base64"},
    {B, "{\"records\":[{\"value\":\"YQ==\\n\"}]}", 422, 400, "records[0].value", "invalid base64"},
    {B, "{\"records\":[{\"value\":\"Y-8_\"}]}", 422, 400, "records[0].value", "invalid base64"},
    {B, "{\"records\":[{\"value\":\"YQ\\u003d\"}]}", 422, 400, "records[0].value",
     "invalid base64"},
    /* partition: an integer >= 0 */
    {ALL, "{\"records\":[{\"partition\":\"1\"}]}", 422, 400, "records[0].partition", NULL},
    {ALL, "{\"records\":[{\"partition\":1.5}]}", 422, 400, "records[0].partition", NULL},
    {ALL, "{\"records\":[{\"partition\":1.0}]}", 422, 400, "records[0].partition", NULL},
    {ALL, "{\"records\":[{\"partition\":1e0}]}", 422, 400, "records[0].partition", NULL},
    {ALL, "{\"records\":[{\"partition\":true}]}", 422, 400, "records[0].partition", NULL},
    {ALL, "{\"records\":[{\"partition\":[1]}]}", 422, 400, "records[0].partition", NULL},
    {ALL, "{\"records\":[{\"partition\":-1}]}", 422, 422, "records[0].partition", NULL},
    {ALL, "{\"records\":[{},{\"partition\":2147483648}]}", 422, 422, "records[1].partition", NULL},
    {ALL, "{\"records\":[{\"partition\":99999999999999999999}]}", 422, 422, "records[0].partition",
     NULL},
    {ALL, "{\"records\":[{\"partition\":-9223372036854775809}]}", 422, 422, "records[0].partition",
     NULL},
    /* timestamp: an integer */
    {ALL, "{\"records\":[{\"timestamp\":\"1\"}]}", 422, 400, "records[0].timestamp", NULL},
    {ALL, "{\"records\":[{\"timestamp\":1.5}]}", 422, 400, "records[0].timestamp", NULL},
    {ALL, "{\"records\":[{\"timestamp\":0}]}", 422, 422, "records[0].timestamp", NULL},
    {ALL, "{\"records\":[{\"timestamp\":-5}]}", 422, 422, "records[0].timestamp", NULL},
    {ALL, "{\"records\":[{\"timestamp\":9223372036854775808}]}", 422, 422, "records[0].timestamp",
     NULL},
    /* headers */
    {ALL, "{\"records\":[{\"headers\":{}}]}", 422, 400, "records[0].headers", NULL},
    {ALL, "{\"records\":[{\"headers\":\"h\"}]}", 422, 400, "records[0].headers", NULL},
    {ALL, "{\"records\":[{\"headers\":[1]}]}", 422, 400, "records[0].headers[0]", NULL},
    {ALL, "{\"records\":[{\"headers\":[{\"name\":\"a\"},[]]}]}", 422, 400, "records[0].headers[1]",
     NULL},
    {ALL, "{\"records\":[{\"headers\":[{\"name\":1}]}]}", 422, 400, "records[0].headers[0]", NULL},
    {ALL, "{\"records\":[{\"headers\":[{\"name\":\"a\",\"value\":\"*\"}]}]}", 422, 400,
     "records[0].headers[0]", "invalid base64"},
    {ALL, "{\"records\":[{\"headers\":[{\"name\":\"a\",\"value\":1}]}]}", 422, 400,
     "records[0].headers[0]", NULL},
    {ALL, "{\"records\":[{\"headers\":[{\"value\":\"YQ==\"}]}]}", 422, 422, "records[0].headers[0]",
     "name"},
    {ALL, "{\"records\":[{\"headers\":[{}]}]}", 422, 422, "records[0].headers[0]", "name"},
    {ALL, "{\"records\":[{\"headers\":[{\"name\":null}]}]}", 422, 422, "records[0].headers[0]",
     "name"},
    {ALL, "{\"records\":[{\"headers\":[{\"name\":\"a\",\"vaule\":\"YQ==\"}]}]}", 422, 422,
     "Unrecognized field: vaule", NULL},
    /* records missing, null or empty */
    {ALL, "{}", 422, 422, "records", NULL},
    {ALL, "{\"records\":null}", 422, 422, "records", NULL},
    {ALL, "{\"records\":[]}", 422, 422, "records", "empty"},
    {ALL, "{\"key_schema_id\":1}", 422, 422, "records", NULL},
    {ALL, "{\"records\":[{}],\"records\":null}", 422, 422, "records", NULL},
    {ALL, "{\"records\":[{}],\"records\":[]}", 422, 422, "records", "empty"},
    /* unknown fields */
    {ALL, "{\"records\":[{\"value\":\"YQ==\"}],\"foo\":1}", 422, 422, "Unrecognized field: foo",
     NULL},
    {ALL, "{\"partiton\":1,\"records\":[{}]}", 422, 422, "Unrecognized field: partiton", NULL},
    {ALL, "{\"Records\":[{}]}", 422, 422, "Unrecognized field: Records", NULL},
    {ALL, "{\"records\":[{\"valeu\":\"YQ==\"}]}", 422, 422, "Unrecognized field: valeu", NULL},
    {ALL, "{\"records\":[{\"value\":\"YQ==\",\"partiton\":1}]}", 422, 422,
     "Unrecognized field: partiton", NULL},
    {ALL, "{\"records\":[{\"topic\":\"t\"}]}", 422, 422, "Unrecognized field: topic", NULL},
    /* invalid UTF-8 and surrogates, anywhere in a string */
    {ALL, "{\"records\":[{\"value\":\"\xc0\xaf\"}]}", 400, 400, "Invalid JSON", "UTF-8"},
    {ALL, "{\"records\":[{\"value\":\"\xed\xa0\x80\"}]}", 400, 400, "Invalid JSON", "UTF-8"},
    {ALL, "{\"records\":[{\"value\":\"\xe2\x82\"}]}", 400, 400, "Invalid JSON", "UTF-8"},
    {ALL, "{\"records\":[{\"value\":\"\xe2\x82", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"value\":\"\xf4\x90\x80\x80\"}]}", 400, 400, "Invalid JSON", "UTF-8"},
    {ALL, "{\"records\":[{\"value\":\"\xe0\x80\x80\"}]}", 400, 400, "Invalid JSON", "UTF-8"},
    {ALL, "{\"records\":[{\"value\":\"\xf0\x80\x80\x80\"}]}", 400, 400, "Invalid JSON", "UTF-8"},
    {ALL, "{\"records\":[{\"value\":\"\x80\"}]}", 400, 400, "Invalid JSON", "UTF-8"},
    {ALL, "{\"records\":[{\"value\":\"\xff\"}]}", 400, 400, "Invalid JSON", "UTF-8"},
    {ALL, "{\"records\":[{\"value\":\"\xf8\x88\x80\x80\x80\"}]}", 400, 400, "Invalid JSON",
     "UTF-8"},
    {ALL, "{\"records\":[{\"headers\":[{\"name\":\"\xc0\xaf\"}]}]}", 400, 400, "Invalid JSON",
     "UTF-8"},
    {ALL, "{\"records\":[{\"val\xc0\xaf\":1}]}", 400, 400, "Invalid JSON", "UTF-8"},
    {J, "{\"records\":[{\"value\":{\"\xed\xbf\xbf\":1}}]}", 400, 400, "Invalid JSON", "UTF-8"},
    {ALL, "{\"records\":[{\"value\":\"\\ud800\"}]}", 400, 400, "Invalid JSON", "surrogate"},
    {ALL, "{\"records\":[{\"value\":\"\\udc00\"}]}", 400, 400, "Invalid JSON", "surrogate"},
    {ALL, "{\"records\":[{\"value\":\"\\ud800x\"}]}", 400, 400, "Invalid JSON", "surrogate"},
    {ALL, "{\"records\":[{\"value\":\"\\ud800\\u0041\"}]}", 400, 400, "Invalid JSON", "surrogate"},
    {ALL, "{\"records\":[{\"value\":\"\\ud800\\ud800\"}]}", 400, 400, "Invalid JSON", "surrogate"},
    {ALL, "{\"records\":[{\"value\":\"\\ude00\\ud83d\"}]}", 400, 400, "Invalid JSON", "surrogate"},
    {J, "{\"records\":[{\"value\":{\"\\udfff\":1}}]}", 400, 400, "Invalid JSON", "surrogate"},
    /* raw control characters in strings */
    {ALL, "{\"records\":[{\"value\":\"a\x01\"}]}", 400, 400, "Invalid JSON", "control"},
    {ALL, "{\"records\":[{\"value\":\"a\tb\"}]}", 400, 400, "Invalid JSON", "control"},
    {ALL, "{\"records\":[{\"value\":\"a\nb\"}]}", 400, 400, "Invalid JSON", "line 1"},
    {ALL, "{\"records\":[{\"value\":\"\x1f\"}]}", 400, 400, "Invalid JSON", "control"},
    {ALL, "{\"rec\x7f\nords\":[]}", 400, 400, "Invalid JSON", NULL},
    /* numbers RFC 8259 forbids */
    {ALL, "{\"records\":[{\"partition\":01}]}", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"partition\":-}]}", 400, 400, "Invalid JSON", NULL},
    {ALL, "{\"records\":[{\"partition\":+1}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":01}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":-01}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":1.}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":.5}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":1e}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":1e+}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":NaN}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":Infinity}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":-Infinity}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":0x10}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":True}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":[1 2]}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":[1,]}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":{\"a\":1,}}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":{\"a\"}}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":{1:1}}]}", 400, 400, "Invalid JSON", NULL},
    {J, "{\"records\":[{\"value\":[}]}", 400, 400, "Invalid JSON", NULL},
    /* json integers outside int64/uint64 */
    {J, "{\"records\":[{\"value\":18446744073709551616}]}", 422, 422, "records[0].value", "range"},
    {J, "{\"records\":[{\"value\":-9223372036854775809}]}", 422, 422, "records[0].value", "range"},
    {J, "{\"records\":[{\"value\":100000000000000000000000}]}", 422, 422, "records[0].value",
     "range"},
    {J, "{\"records\":[{},{\"key\":[1,{\"a\":99999999999999999999}]}]}", 422, 422, "records[1].key",
     "range"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
        const err_case_t *c = &err_cases[i];
        for (int f = 0; f <= 1; f++) {
            if (c->format != ALL && c->format != f)
                continue;
            expect_error(f, 1, c->body, c->v1, c->w1, c->w2);
            expect_error(f, 2, c->body, c->v2, c->w1, c->w2);
            expect_error_n(f, 2, true, c->body, strlen(c->body), c->v2, c->w1, c->w2);
        }
    }
}

static void test_embedded_nul(void **state)
{
    (void)state;
    static const char nul_in_string[] = "{\"records\":[{\"value\":\"Y\0==\"}]}";
    static const char nul_after[] = "{\"records\":[{\"value\":\"YQ==\"}]}\0";
    static const char nul_ws[] = "{\"records\":[\0{\"value\":\"YQ==\"}]}";
    for (int v = 1; v <= 2; v++) {
        for (int f = 0; f <= 1; f++) {
            expect_error_n(f, v, false, nul_in_string, sizeof(nul_in_string) - 1, 400,
                           "Invalid JSON", NULL);
            expect_error_n(f, v, false, nul_after, sizeof(nul_after) - 1, 400, "Invalid JSON",
                           NULL);
            expect_error_n(f, v, false, nul_ws, sizeof(nul_ws) - 1, 400, "Invalid JSON", NULL);
        }
    }
    /* an escaped NUL is data */
    expect_render(J, 2, false, "{\"records\":[{\"value\":\"a\\u0000b\"}]}",
                  "[k=null v='\"a\\u0000b\"' p=-1 t=none h=()]");
    expect_render(B, 2, false, "{\"records\":[{\"headers\":[{\"name\":\"a\\u0000b\"}]}]}",
                  "[k=null v=null p=-1 t=none h=('a\\x00b':null)]");
}

/* Every error about a record's content names records[i] (section K: "the message names the
 * record and field"), for the record at index 2. */
/* {"records":[{},...]} with n empty records, or n headers on one record when headers. */
static char *many(size_t n, bool headers, size_t *len)
{
    kr_buf_t b;
    kr_buf_init(&b, 0);
    kr_buf_puts(&b, headers ? "{\"records\":[{\"headers\":[" : "{\"records\":[");
    for (size_t i = 0; i < n; i++)
        kr_buf_puts(&b, i ? (headers ? ",{\"name\":\"h\"}" : ",{}")
                          : (headers ? "{\"name\":\"h\"}" : "{}"));
    kr_buf_puts(&b, headers ? "]}]}" : "]}");
    return kr_buf_steal(&b, len);
}

/* A body of tiny records is bounded by count too (413), not only by its size. */
static void test_record_and_header_limits(void **state)
{
    (void)state;
    for (int headers = 0; headers < 2; headers++) {
        size_t max = headers ? FMT_PRODUCE_MAX_HEADERS : FMT_PRODUCE_MAX_RECORDS;
        for (size_t n = max; n <= max + 1; n++) {
            size_t len;
            char *body = many(n, headers, &len);
            fmt_produce_req_t req;
            kr_err_t err = {0};
            int rc = parse_n(body, len, B, 2, false, &req, &err);
            size_t got = headers ? req.n_headers : req.n_records;
            fmt_produce_req_deinit(&req);
            free(body);
            if (n == max) {
                assert_int_equal(rc, 0);
                assert_int_equal(got, max);
            } else {
                assert_int_equal(rc, -1);
                assert_int_equal(err.code, KR_ERR_TOO_LARGE);
                assert_non_null(strstr(err.msg, headers ? "more than 1000000 headers"
                                                        : "more than 1000000 records"));
            }
        }
    }
}

static void check_record_error_names_index(int format, const char *bad)
{
    char body[512];
    snprintf(body, sizeof(body), "{\"records\":[{\"value\":%s},{},%s]}",
             format == J ? "1" : "\"YQ==\"", bad);
    for (int v = 1; v <= 2; v++) {
        fmt_produce_req_t req;
        kr_err_t err = {0};
        int rc = parse_n(body, strlen(body), format, v, false, &req, &err);
        fmt_produce_req_deinit(&req);
        assert_int_equal(rc, -1);
        if (!strstr(err.msg, "records[2]"))
            fail_msg("v%d: %s\n  message does not name records[2]: %d '%s'", v, body, err.code,
                     err.msg);
    }
}

static void test_record_errors_name_the_record(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "1",
        "[]",
        "{\"key\":1}",
        "{\"value\":\"!!!!\"}",
        "{\"value\":\"YQ=\"}",
        "{\"partition\":\"1\"}",
        "{\"partition\":-1}",
        "{\"partition\":1.5}",
        "{\"timestamp\":\"x\"}",
        "{\"timestamp\":99999999999999999999}",
        "{\"headers\":1}",
        "{\"headers\":[1]}",
        "{\"headers\":[{}]}",
        "{\"headers\":[{\"name\":2}]}",
        "{\"headers\":[{\"name\":\"a\",\"value\":\"*\"}]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        check_record_error_names_index(B, bad[i]);
    check_record_error_names_index(J, "{\"value\":18446744073709551616}");
    check_record_error_names_index(J, "{\"key\":[-9223372036854775809]}");
}

/* An unknown field inside a record or a header names the record too (was missing before
 * 44bca33). */
static void test_unknown_record_field_names_the_record(void **state)
{
    (void)state;
    check_record_error_names_index(B, "{\"valeu\":\"YQ==\"}");
    check_record_error_names_index(B, "{\"headers\":[{\"name\":\"a\",\"vaule\":\"YQ==\"}]}");
}

/* A member name with an escaped NUL is not cut at the NUL: "records\u0000x" is not "records"
 * (Jackson: an unknown field; taken for "records" before 44bca33). */
static void test_member_name_with_nul(void **state)
{
    (void)state;
    expect_error(B, 2, "{\"records\\u0000x\":[{\"value\":\"YQ==\"}]}", 422, "Unrecognized field",
                 NULL);
    expect_error(B, 2, "{\"records\":[{\"value\\u0000\":\"YQ==\"}]}", 422, "Unrecognized field",
                 NULL);
}

/* A repeated member replaces the earlier one, as Jackson does, also when the last one is null
 * (before 44bca33 `partition`, `headers` and a header's `name` kept the earlier value). */
static void test_repeated_partition_null_wins(void **state)
{
    (void)state;
    expect_render(B, 2, false, "{\"records\":[{\"partition\":1,\"partition\":null}]}",
                  "[k=null v=null p=-1 t=none h=()]");
}

static void test_repeated_headers_null_wins(void **state)
{
    (void)state;
    expect_render(B, 2, false, "{\"records\":[{\"headers\":[{\"name\":\"a\"}],\"headers\":null}]}",
                  "[k=null v=null p=-1 t=none h=()]");
}

static void test_repeated_header_name_null_wins(void **state)
{
    (void)state;
    expect_error(B, 2, "{\"records\":[{\"headers\":[{\"name\":\"a\",\"name\":null}]}]}", 422,
                 "records[0].headers[0]", "name");
}

/* Whether s is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static bool valid_utf8(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s, n = c < 0x80                 ? 0
                             : c >= 0xc2 && c <= 0xdf ? 1
                             : (c & 0xf0) == 0xe0     ? 2
                             : c >= 0xf0 && c <= 0xf4 ? 3
                                                      : 9;
        if (n == 9)
            return false;
        unsigned cp = n ? c & (0x3f >> n) : c;
        for (unsigned i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        s += n + 1;
    }
    return true;
}

/* An unknown field's name is cut to fit the message: never inside a UTF-8 sequence (f16fce7), so
 * the message (sent back as JSON) stays UTF-8. */
static void test_unknown_field_message_is_utf8(void **state)
{
    (void)state;
    for (int n = 50; n <= 80; n++) {
        char body[256];
        snprintf(
            body, sizeof(body), "{\"records\":[{\"%.*s\xc3\xa9\xf0\x9f\x98\x80x\":1}]}", n,
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        fmt_produce_req_t req;
        kr_err_t err = {0};
        int rc = parse_n(body, strlen(body), B, 2, false, &req, &err);
        fmt_produce_req_deinit(&req);
        assert_int_equal(rc, -1);
        assert_int_equal(err.code, 422);
        assert_non_null(strstr(err.msg, "Unrecognized field: aaaa"));
        if (!valid_utf8((const unsigned char *)err.msg))
            fail_msg("name of %d+5 bytes: message is not UTF-8: '%s'", n, err.msg);
    }
}

/* BUG (reported): a member name that holds a NUL and is 63 bytes long once unescaped (the size
 * of member_name's buffer minus one) makes member_name write its '?' marker and NUL one byte
 * past the 64-byte stack buffer (ASan: stack-buffer-overflow in member_name). */
static void test_odd_member_name_lengths(void **state)
{
    (void)state;
    static const char as[] =
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    for (int n = 55; n <= 70; n++) {
        char body[256];
        /* n bytes of name, one of them an escaped NUL (at the end, then at the start) */
        snprintf(body, sizeof(body), "{\"records\":[{\"%.*s\\u0000\":1}]}", n - 1, as);
        expect_error(B, 2, body, 422, "Unrecognized field: aaaa", "records[0]");
        snprintf(body, sizeof(body), "{\"\\u0000%.*s\":1,\"records\":[{}]}", n - 1, as);
        expect_error(J, 1, body, 422, "Unrecognized field: ", NULL);
        snprintf(body, sizeof(body), "{\"records\":[{\"%.*s\":1}]}", n, as);
        expect_error(B, 2, body, 422, "Unrecognized field: aaaa", "records[0]");
    }
}

static void test_spans_and_arena(void **state)
{
    (void)state;
    /* many records: arrays grow, spans stay right */
    kr_buf_t b;
    kr_buf_init(&b, 0);
    kr_buf_puts(&b, "{\"records\":[");
    for (int i = 0; i < 1000; i++)
        kr_buf_printf(&b, "%s{\"key\":\"%s\",\"value\":\"AAEC\",\"headers\":[{\"name\":\"n%d\"}]}",
                      i ? "," : "", i % 2 ? "YQ==" : "", i);
    kr_buf_puts(&b, "]}");
    fmt_produce_req_t req;
    kr_err_t err = {0};
    assert_int_equal(parse_n(b.data, b.len, B, 2, false, &req, &err), 0);
    assert_int_equal(req.n_records, 1000);
    assert_int_equal(req.n_headers, 1000);
    for (int i = 0; i < 1000; i++) {
        const fmt_produce_record_t *r = &req.records[i];
        assert_span_ok(&req, r->key);
        assert_span_ok(&req, r->value);
        assert_int_equal(r->key.len, i % 2 ? 1 : 0);
        assert_int_equal(r->value.len, 3);
        assert_memory_equal(fmt_produce_bytes(&req, r->value), "\0\1\2", 3);
        assert_int_equal(r->first_header, i);
        assert_int_equal(r->n_headers, 1);
        char name[16];
        int n = snprintf(name, sizeof(name), "n%d", i);
        const fmt_produce_header_t *h = &req.headers[r->first_header];
        assert_int_equal(h->name.len, n);
        assert_memory_equal(fmt_produce_bytes(&req, h->name), name, (size_t)n);
        assert_false(h->has_value);
    }
    fmt_produce_req_deinit(&req);
    kr_buf_deinit(&b);

    /* a large base64 value decodes exactly */
    size_t raw = 300000;
    kr_buf_init(&b, 0);
    kr_buf_puts(&b, "{\"records\":[{\"value\":\"");
    for (size_t i = 0; i < raw / 3; i++)
        kr_buf_puts(&b, "/+8A");
    kr_buf_puts(&b, "\"}]}");
    assert_int_equal(parse_n(b.data, b.len, B, 1, false, &req, &err), 0);
    assert_int_equal(req.records[0].value.len, raw);
    const uint8_t *v = (const uint8_t *)fmt_produce_bytes(&req, req.records[0].value);
    for (size_t i = 0; i < raw; i += 3)
        assert_true(v[i] == 0xff && v[i + 1] == 0xef && v[i + 2] == 0x00);
    fmt_produce_req_deinit(&req);
    kr_buf_deinit(&b);
}

static void test_deinit_after_failure(void **state)
{
    (void)state;
    fmt_produce_req_t req;
    kr_err_t err = {0};
    const char *body = "{\"records\":[{\"value\":\"YQ==\",\"headers\":[{\"name\":\"a\"}]},1]}";
    assert_int_equal(parse_n(body, strlen(body), B, 2, false, &req, &err), -1);
    fmt_produce_req_deinit(&req);
    fmt_produce_req_deinit(&req); /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_bodies),
        cmocka_unit_test(test_record_and_header_limits),
        cmocka_unit_test(test_schema_fields),
        cmocka_unit_test(test_partition_endpoint),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_record_errors_name_the_record),
        cmocka_unit_test(test_unknown_record_field_names_the_record),
        cmocka_unit_test(test_member_name_with_nul),
        cmocka_unit_test(test_repeated_partition_null_wins),
        cmocka_unit_test(test_repeated_headers_null_wins),
        cmocka_unit_test(test_repeated_header_name_null_wins),
        cmocka_unit_test(test_unknown_field_message_is_utf8),
        cmocka_unit_test(test_odd_member_name_lengths),
        cmocka_unit_test(test_spans_and_arena),
        cmocka_unit_test(test_deinit_after_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
