/* tests/fuzz/fuzz_produce.c -- libFuzzer target for format/produce: any bytes as a produce body,
 * decoded as binary and json, v1 and v2, on the topic and the partition endpoint.
 * (a) invariants: 0 with at least one record, every span inside the arena and header indices in
 *     range; or -1 with 400/422 and a message. v1 and v2 agree but for the code of wrong types
 *     (v1 422, v2 400); the partition endpoint changes nothing in v2.
 * (b) equivalence with json-c (format/json.c: strict, UTF-8 validated, whole input): a 400
 *     "Invalid JSON" means json-c rejects the text too, and a text json-c rejects is never
 *     accepted. json-c 0.16 accepts a few things RFC 8259 forbids (see jsonc_lax); for those
 *     texts only the decoder's "Invalid JSON" is not held against it.
 * (c) json format: every key and value span parses with json-c to a value equal to the one in
 *     json-c's tree of the whole body, and is compact (no whitespace, only the escapes JSON
 *     requires); binary format: the spans are the base64 of json-c's strings; partition,
 *     timestamp and headers equal json-c's. Repeated members need no special case: both json-c
 *     and the decoder keep the last one. */
#include "format/base64.h"
#include "format/json.h"
#include "format/produce.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* --- what json-c accepts though RFC 8259 does not --------------------------------------- */

static bool hex4(const uint8_t *s, size_t avail, unsigned *out)
{
    if (avail < 4)
        return false;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return false;
        v = v << 4 | (unsigned)d;
    }
    *out = v;
    return true;
}

/* Length of the valid UTF-8 sequence at s (s[0] >= 0x80), 0 when invalid. */
static size_t utf8_seq(const uint8_t *s, size_t avail)
{
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
               : (s[0] & 0xf0) == 0xe0        ? 3
               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                              : 0;
    if (!n || avail < n)
        return 0;
    unsigned cp = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* Whether s is exactly one number of RFC 8259's grammar. */
static bool rfc_number(const uint8_t *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        i++;
    } else if (i < n && s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return false;
    }
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    return i == n;
}

/* Inside a string at s[*i] (a backslash): @return true for a lone surrogate escape. */
static bool lone_surrogate(const uint8_t *s, size_t n, size_t *i)
{
    unsigned cp, lo;
    if (*i + 1 >= n || s[*i + 1] != 'u' || !hex4(s + *i + 2, n - *i - 2, &cp)) {
        *i += 2; /* another escape, or an invalid one both parsers reject */
        return false;
    }
    *i += 6;
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return true;
    if (cp < 0xd800 || cp > 0xdbff)
        return false;
    if (*i + 1 < n && s[*i] == '\\' && s[*i + 1] == 'u' && hex4(s + *i + 2, n - *i - 2, &lo) &&
        lo >= 0xdc00 && lo <= 0xdfff) {
        *i += 6;
        return false;
    }
    return true;
}

/* Whether the text uses something json-c 0.16 accepts in strict mode though RFC 8259 forbids
 * it: control characters, invalid UTF-8 (overlong, surrogates, past U+10FFFF) or lone surrogate
 * escapes in strings; NaN, Infinity; numbers such as 01, -01, 1., 1.e3, -.5. Over-reporting is
 * harmless (only skips a check). */
static bool jsonc_lax(const uint8_t *s, size_t n)
{
    bool in_str = false;
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (in_str) {
            if (c == '"') {
                in_str = false;
                i++;
            } else if (c < 0x20) {
                return true;
            } else if (c == '\\') {
                if (lone_surrogate(s, n, &i))
                    return true;
            } else if (c >= 0x80) {
                size_t len = utf8_seq(s + i, n - i);
                if (!len)
                    return true;
                i += len;
            } else {
                i++;
            }
        } else if (c == '"') {
            in_str = true;
            i++;
        } else if (c == 'N' || c == 'I') {
            return true;
        } else if (c == '-' || c == '.' || (c >= '0' && c <= '9')) {
            size_t j = i;
            while (j < n && s[j] && strchr("+-.0123456789eE", s[j]))
                j++;
            if (!rfc_number(s + i, j - i))
                return true;
            i = j;
        } else {
            i++;
        }
    }
    return false;
}

/* --- checks ------------------------------------------------------------------------------ */

static void span_in_arena(const fmt_produce_req_t *req, fmt_span_t s)
{
    if ((size_t)s.off + s.len > req->arena.len)
        abort();
}

static void check_invariants(const fmt_produce_req_t *req, int rc, const kr_err_t *err)
{
    if (rc == -1) {
        if ((err->code != 400 && err->code != 422) || !err->msg[0])
            abort();
        return;
    }
    if (rc != 0 || err->code != 0 || req->n_records < 1)
        abort();
    for (size_t i = 0; i < req->n_records; i++) {
        const fmt_produce_record_t *r = &req->records[i];
        if (r->has_key)
            span_in_arena(req, r->key);
        if (r->has_value)
            span_in_arena(req, r->value);
        if (r->partition < -1 || (size_t)r->first_header + r->n_headers > req->n_headers)
            abort();
    }
    for (size_t h = 0; h < req->n_headers; h++) {
        span_in_arena(req, req->headers[h].name);
        if (req->headers[h].has_value)
            span_in_arena(req, req->headers[h].value);
    }
    if (req->has_key_schema)
        span_in_arena(req, req->key_schema);
    if (req->has_value_schema)
        span_in_arena(req, req->value_schema);
}

/* Compact JSON: no whitespace outside strings; inside, no "\/" and \u only for controls. */
static void check_compact(const char *s, size_t n)
{
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!in_str) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
                abort();
            in_str = c == '"';
            continue;
        }
        if (c == '"') {
            in_str = false;
        } else if (c < 0x20) {
            abort();
        } else if (c == '\\') {
            unsigned cp;
            char e = i + 1 < n ? s[i + 1] : 0;
            if (e == 'u' && (!hex4((const uint8_t *)s + i + 2, n - i - 2, &cp) || cp >= 0x20))
                abort();
            if (!strchr("\"\\bfnrtu", e) || !e)
                abort();
            i += e == 'u' ? 5 : 1;
        }
    }
}

/* The record member name of json-c's tree (NULL when absent or null). */
static json_object *member(json_object *rec, const char *name)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(rec, name, &v))
        return NULL;
    return v;
}

static void check_json_span(const fmt_produce_req_t *req, bool present, fmt_span_t s,
                            json_object *want)
{
    if (present != (want != NULL))
        abort();
    if (!present)
        return;
    const char *text = fmt_produce_bytes(req, s);
    check_compact(text, s.len);
    int is_null;
    kr_err_t err = {0};
    json_object *got = fmt_json_parse(text, s.len, &is_null, &err);
    if (!got || !json_object_equal(got, want))
        abort();
    json_object_put(got);
}

static void check_binary_span(const fmt_produce_req_t *req, bool present, fmt_span_t s,
                              json_object *want)
{
    if (present != (want != NULL))
        abort();
    if (!present)
        return;
    if (!json_object_is_type(want, json_type_string))
        abort();
    size_t n = (size_t)json_object_get_string_len(want);
    uint8_t *dec = malloc(fmt_base64_decoded_max(n));
    long got = fmt_base64_decode(json_object_get_string(want), n, dec);
    if (got != (long)s.len || memcmp(dec, fmt_produce_bytes(req, s), s.len) != 0)
        abort();
    free(dec);
}

/* An integer field against json-c's value (NULL: absent or null). */
static void check_int(bool present, int64_t got, json_object *want)
{
    if (present != (want != NULL) || (want && json_object_get_int64(want) != got))
        abort();
}

/* A record's headers against json-c's array. */
static void check_headers(const fmt_produce_req_t *req, const fmt_produce_record_t *r,
                          json_object *want)
{
    size_t n = want ? json_object_array_length(want) : 0;
    if (r->n_headers != n)
        abort();
    for (size_t h = 0; h < n; h++) {
        json_object *obj = json_object_array_get_idx(want, h);
        const fmt_produce_header_t *got = &req->headers[r->first_header + h];
        check_binary_span(req, got->has_value, got->value, member(obj, "value"));
        bool has_name = json_object_object_get_ex(obj, "name", NULL);
        bool has_key = json_object_object_get_ex(obj, "key", NULL);
        if (has_name && has_key)
            continue; /* which one came last is not in the tree */
        json_object *name = member(obj, has_name ? "name" : "key");
        if (!name || (size_t)json_object_get_string_len(name) != got->name.len ||
            memcmp(json_object_get_string(name), fmt_produce_bytes(req, got->name),
                   got->name.len) != 0)
            abort();
    }
}

/* (c): the decoded records against json-c's tree. */
static void check_against_tree(const fmt_produce_req_t *req, json_object *tree, bool json)
{
    json_object *recs = member(tree, "records");
    if (!recs || !json_object_is_type(recs, json_type_array) ||
        json_object_array_length(recs) != req->n_records)
        abort();
    for (size_t i = 0; i < req->n_records; i++) {
        json_object *rec = json_object_array_get_idx(recs, i);
        const fmt_produce_record_t *r = &req->records[i];
        if (json) {
            check_json_span(req, r->has_key, r->key, member(rec, "key"));
            check_json_span(req, r->has_value, r->value, member(rec, "value"));
        } else {
            check_binary_span(req, r->has_key, r->key, member(rec, "key"));
            check_binary_span(req, r->has_value, r->value, member(rec, "value"));
        }
        check_int(r->partition >= 0, r->partition, member(rec, "partition"));
        check_int(r->has_timestamp, r->timestamp, member(rec, "timestamp"));
        check_headers(req, r, member(rec, "headers"));
    }
}

typedef struct outcome {
    int rc;
    kr_err_t err;
} outcome_t;

static outcome_t run(const char *body, size_t size, int format, int version, bool part_ep,
                     json_object *tree, bool jc_ok, bool lax)
{
    fmt_produce_opts_t opts = {
        .format = (fmt_produce_format_t)format, .version = version, .partition_endpoint = part_ep};
    fmt_produce_req_t req;
    outcome_t o = {0};
    o.rc = fmt_produce_parse(body, size, &opts, &req, &o.err);
    check_invariants(&req, o.rc, &o.err);
    if (o.rc == -1 && o.err.code == 400 && strncmp(o.err.msg, "Invalid JSON", 12) == 0 && jc_ok &&
        !lax)
        abort(); /* (b) the decoder calls JSON invalid that json-c accepts */
    if (o.rc == 0 && !jc_ok)
        abort(); /* (b) the decoder accepts what json-c rejects */
    if (o.rc == 0 && tree)
        check_against_tree(&req, tree, format == FMT_PRODUCE_JSON);
    fmt_produce_req_deinit(&req);
    return o;
}

static bool same_message(const outcome_t *a, const outcome_t *b)
{
    return a->rc == b->rc && strcmp(a->err.msg, b->err.msg) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    int is_null;
    kr_err_t jerr = {0};
    json_object *tree = fmt_json_parse(body, size, &is_null, &jerr);
    bool jc_ok = tree != NULL || is_null;
    bool lax = jsonc_lax(data, size);
    for (int format = 0; format <= 1; format++) {
        outcome_t v1 = run(body, size, format, 1, false, tree, jc_ok, lax);
        outcome_t v2 = run(body, size, format, 2, false, tree, jc_ok, lax);
        outcome_t v2p = run(body, size, format, 2, true, tree, jc_ok, lax);
        run(body, size, format, 1, true, tree, jc_ok, lax);
        /* v1 and v2 differ only in the code of wrong types; v2's partition endpoint is v2 */
        if (!same_message(&v1, &v2) || !same_message(&v2, &v2p) || v2.err.code != v2p.err.code)
            abort();
        if (v1.err.code != v2.err.code && !(v1.err.code == 422 && v2.err.code == 400))
            abort();
    }
    json_object_put(tree);
    return 0;
}
