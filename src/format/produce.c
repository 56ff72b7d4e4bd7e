/* format/produce.c -- single-pass decoder of produce request bodies (see produce.h).
 *
 * DESIGN. A small recursive-descent JSON parser that knows the produce envelope: it walks the
 * body once, checks the grammar and UTF-8 itself, and writes only what Kafka will receive
 * into the request's arena (base64 decoded straight from the body; json values re-emitted
 * compactly). There is no intermediate tree: json-c was 27% of the CPU of a produce request in
 * the spike of DESIGN.md §3. Errors carry the path of the offending record field.
 * Pure; threads: any. */
#include "format/produce.h"

#include "format/base64.h"
#include "format/simd.h"
#include "format/jsonw.h"
#include "util/mem.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define MAX_VALUE_DEPTH 64

typedef struct parser {
    const char *start, *p, *end;
    const fmt_produce_opts_t *opts;
    fmt_produce_req_t *out;
    kr_err_t *err;
    kr_buf_t tmp;  /* unescaped strings that need a second step (base64 with escapes) */
    int max_depth; /* deepest nesting of a JSON value (section K: 64 in produce bodies) */
    char path[96];
} parser_t;

/* --- errors ------------------------------------------------------------------------------ */

static int fail_at(parser_t *ps, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(parser_t *ps, int code, const char *fmt, ...)
{
    if (ps->err->code)
        return -1; /* keep the first error */
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return kr_err_set(ps->err, code, "%s", msg);
}

static int syntax(parser_t *ps, const char *what)
{
    size_t line = 1, col = 1;
    for (const char *q = ps->start; q < ps->p && q < ps->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    if (ps->p >= ps->end)
        return fail_at(ps, KR_ERR_BAD_REQUEST,
                       "Invalid JSON: unexpected end of data at line %zu, column %zu", line, col);
    return fail_at(ps, KR_ERR_BAD_REQUEST, "Invalid JSON: %s at line %zu, column %zu", what, line,
                   col);
}

/* Wrong JSON type for a field: 400 in v2 (Confluent today), 422 in v1 (CP 5.x). */
static int type_error(parser_t *ps, const char *what)
{
    int code = ps->opts->version == 1 ? KR_ERR_UNPROCESSABLE : KR_ERR_BAD_REQUEST;
    return fail_at(ps, code, "%s: %s", ps->path, what);
}

static int value_error(parser_t *ps, const char *what)
{
    return fail_at(ps, KR_ERR_UNPROCESSABLE, "%s: %s", ps->path, what);
}

/* --- lexing ------------------------------------------------------------------------------ */

static void skip_ws(parser_t *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

/* Consumes c after optional whitespace. */
static int expect(parser_t *ps, char c, const char *what)
{
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == c) {
        ps->p++;
        return 0;
    }
    return syntax(ps, what);
}

static bool peek_is(parser_t *ps, char c)
{
    skip_ws(ps);
    return ps->p < ps->end && *ps->p == c;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence at s (first byte >= 0x80), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)(end - s) < n)
        return 0;
    unsigned cp = c & (0xff >> (n + 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

static void put_utf8(kr_buf_t *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    kr_buf_append(b, u, n);
}

/* Decodes the escape at ps->p (just after '\\'); appends its text to out (if not NULL). */
static int unescape_one(parser_t *ps, kr_buf_t *out)
{
    if (ps->p >= ps->end)
        return syntax(ps, "unterminated string");
    char c = *ps->p++;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *hit = strchr(from, c);
    if (hit && c) {
        if (out)
            kr_buf_putc(out, to[hit - from]);
        return 0;
    }
    unsigned cp;
    if (c != 'u' || ps->end - ps->p < 4 || hex4(ps->p, &cp) != 0)
        return syntax(ps, "invalid escape in string");
    ps->p += 4;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        unsigned lo;
        if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
            hex4(ps->p + 2, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
            return syntax(ps, "invalid surrogate pair in string");
        ps->p += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        return syntax(ps, "invalid surrogate in string");
    }
    if (out)
        put_utf8(out, cp);
    return 0;
}

/* Scans a string (ps->p at its opening quote). Raw span in *s and *n (without quotes), escapes
 * noted in *escaped. When out is given, the unescaped text is appended to it. */
static int scan_string(parser_t *ps, const char **s, size_t *n, bool *escaped, kr_buf_t *out)
{
    if (ps->p >= ps->end || *ps->p != '"')
        return syntax(ps, "expected a string");
    ps->p++;
    const char *begin = ps->p;
    const char *run = ps->p;
    *escaped = false;
    while (ps->p < ps->end) {
        /* Plain ASCII in blocks: record values are mostly long strings. */
        ps->p = fmt_simd_scan_plain(ps->p, ps->end);
        if (ps->p >= ps->end)
            break;
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') {
            if (out)
                kr_buf_append(out, run, (size_t)(ps->p - run));
            *s = begin;
            *n = (size_t)(ps->p - begin);
            ps->p++;
            return 0;
        }
        if (c == '\\') {
            if (out)
                kr_buf_append(out, run, (size_t)(ps->p - run));
            *escaped = true;
            ps->p++;
            if (unescape_one(ps, out) != 0)
                return -1;
            run = ps->p;
        } else if (c < 0x20) {
            return syntax(ps, "control character in string");
        } else if (c < 0x80) {
            ps->p++;
        } else {
            size_t len = utf8_len((const unsigned char *)ps->p, (const unsigned char *)ps->end);
            if (!len)
                return syntax(ps, "invalid UTF-8 in string");
            ps->p += len;
        }
    }
    return syntax(ps, "unterminated string");
}

/* Scans a number; *is_int when it has neither fraction nor exponent. */
static int scan_number(parser_t *ps, const char **s, size_t *n, bool *is_int)
{
    const char *b = ps->p, *q = ps->p, *e = ps->end;
    if (q < e && *q == '-')
        q++;
    if (q >= e || *q < '0' || *q > '9')
        return syntax(ps, "invalid number");
    if (*q == '0')
        q++;
    else
        while (q < e && *q >= '0' && *q <= '9')
            q++;
    *is_int = true;
    if (q < e && *q == '.') {
        q++;
        if (q >= e || *q < '0' || *q > '9')
            return ps->p = q, syntax(ps, "invalid number");
        while (q < e && *q >= '0' && *q <= '9')
            q++;
        *is_int = false;
    }
    if (q < e && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < e && (*q == '+' || *q == '-'))
            q++;
        if (q >= e || *q < '0' || *q > '9')
            return ps->p = q, syntax(ps, "invalid number");
        while (q < e && *q >= '0' && *q <= '9')
            q++;
        *is_int = false;
    }
    *s = b;
    *n = (size_t)(q - b);
    ps->p = q;
    return 0;
}

/* Whether an integer's text fits in int64 or uint64 (section K: never clamped). */
static bool int_in_range(const char *s, size_t n)
{
    bool neg = s[0] == '-';
    const char *d = s + neg;
    size_t digits = n - neg;
    const char *limit = neg ? "9223372036854775808" : "18446744073709551615";
    size_t ll = strlen(limit);
    if (digits != ll)
        return digits < ll;
    return memcmp(d, limit, ll) <= 0;
}

static int scan_literal(parser_t *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return syntax(ps, "unexpected character");
    ps->p += n;
    return 0;
}

/* --- JSON values ------------------------------------------------------------------------- */

/* The text of a scanned string: the raw span when it had no escapes, else its unescaped copy
 * in ps->tmp (valid until the next use of tmp). */
static int unescape_span(parser_t *ps, const char *s, size_t n, const char **u, size_t *un)
{
    kr_buf_reset(&ps->tmp);
    parser_t sub = *ps;
    sub.p = s - 1;
    sub.end = s + n + 1;
    const char *s2;
    size_t n2;
    bool e2;
    if (scan_string(&sub, &s2, &n2, &e2, &ps->tmp) != 0)
        return -1;
    *u = ps->tmp.data ? ps->tmp.data : "";
    *un = ps->tmp.len;
    return 0;
}

/* Writes a scanned string (raw span s/n) to out as compact JSON: unescaped, then escaped only
 * where JSON requires ('"', '\\', control characters), so "\/" becomes "/" and "\u00e9" é. */
static int emit_string(parser_t *ps, const char *s, size_t n, bool escaped, kr_buf_t *out)
{
    if (!escaped)
        return kr_buf_putc(out, '"') || kr_buf_append(out, s, n) || kr_buf_putc(out, '"') ? -1 : 0;
    const char *u;
    size_t un;
    if (unescape_span(ps, s, n, &u, &un) != 0)
        return -1;
    return fmt_json_quote(out, u, un);
}

static int json_value(parser_t *ps, kr_buf_t *out, int depth);

static int json_members(parser_t *ps, kr_buf_t *out, int depth, char close)
{
    for (;;) {
        if (close == '}') {
            skip_ws(ps);
            const char *s;
            size_t n;
            bool esc;
            if (scan_string(ps, &s, &n, &esc, NULL) != 0)
                return -1;
            if (out && emit_string(ps, s, n, esc, out) != 0)
                return -1;
            if (expect(ps, ':', "expected ':'") != 0)
                return -1;
            if (out)
                kr_buf_putc(out, ':');
        }
        if (json_value(ps, out, depth) != 0)
            return -1;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            if (out)
                kr_buf_putc(out, ',');
            continue;
        }
        if (expect(ps, close, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'") != 0)
            return -1;
        if (out)
            kr_buf_putc(out, close);
        return 0;
    }
}

static int json_container(parser_t *ps, kr_buf_t *out, int depth)
{
    char open = *ps->p, close = open == '{' ? '}' : ']';
    if (depth > ps->max_depth)
        return fail_at(ps, KR_ERR_UNPROCESSABLE, "%s: nesting deeper than %d levels", ps->path,
                       ps->max_depth);
    ps->p++;
    if (out)
        kr_buf_putc(out, open);
    if (peek_is(ps, close)) {
        ps->p++;
        if (out)
            kr_buf_putc(out, close);
        return 0;
    }
    return json_members(ps, out, depth, close);
}

/* Checks one JSON value and, when out is given, writes it compactly. */
static int json_value(parser_t *ps, kr_buf_t *out, int depth)
{
    skip_ws(ps);
    if (ps->p >= ps->end)
        return syntax(ps, "expected a value");
    const char *s;
    size_t n;
    bool flag;
    switch (*ps->p) {
    case '{':
    case '[':
        return json_container(ps, out, depth + 1);
    case '"':
        if (scan_string(ps, &s, &n, &flag, NULL) != 0)
            return -1;
        return out ? emit_string(ps, s, n, flag, out) : 0;
    case 't':
    case 'f':
    case 'n':
        s = ps->p;
        if (scan_literal(ps, *s == 't' ? "true" : *s == 'f' ? "false" : "null") != 0)
            return -1;
        return out ? kr_buf_append(out, s, (size_t)(ps->p - s)) : 0;
    default:
        if (scan_number(ps, &s, &n, &flag) != 0)
            return -1;
        if (flag && out && !int_in_range(s, n))
            return value_error(ps, "integer out of range (int64/uint64)");
        return out ? kr_buf_append(out, s, n) : 0;
    }
}

/* --- envelope fields --------------------------------------------------------------------- */

static bool next_is_null(parser_t *ps)
{
    skip_ws(ps);
    if ((size_t)(ps->end - ps->p) >= 4 && memcmp(ps->p, "null", 4) == 0) {
        ps->p += 4;
        return true;
    }
    return false;
}

/* An integer field (partition, timestamp, schema ids): *present false for null. */
static int int_field(parser_t *ps, int64_t *v, bool *present)
{
    *present = false;
    if (next_is_null(ps))
        return 0;
    if (ps->p >= ps->end || (*ps->p != '-' && (*ps->p < '0' || *ps->p > '9')))
        return json_value(ps, NULL, 0) != 0 ? -1 : type_error(ps, "expected an integer");
    const char *s;
    size_t n;
    bool is_int;
    if (scan_number(ps, &s, &n, &is_int) != 0)
        return -1;
    if (!is_int)
        return type_error(ps, "expected an integer");
    if (n > 20 || (n == 20 && s[0] != '-'))
        return value_error(ps, "integer out of range");
    char num[24];
    memcpy(num, s, n);
    num[n] = '\0';
    char *end = NULL;
    long long x = strtoll(num, &end, 10);
    if (end != num + n || (x == LLONG_MAX && strcmp(num, "9223372036854775807") != 0) ||
        (x == LLONG_MIN && strcmp(num, "-9223372036854775808") != 0))
        return value_error(ps, "integer out of range");
    *v = x;
    *present = true;
    return 0;
}

/* A schema id: null (absent: -1) or an integer (checked against the registry's range by the
 * Avro producer: binary and json requests ignore it). */
static int schema_id_field(parser_t *ps, int64_t *v, bool *present)
{
    int rc = int_field(ps, v, present);
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
 * decides, with its exact error. ps->p is at the opening quote. */
static int binary_fast(parser_t *ps, kr_buf_t *a)
{
    const char *begin = ps->p + 1;
    const char *q = memchr(begin, '"', (size_t)(ps->end - begin));
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
    ps->p = q + 1;
    return 0;
}

static int binary_field(parser_t *ps, fmt_span_t *span, bool *present)
{
    *present = false;
    if (next_is_null(ps))
        return 0;
    if (ps->p >= ps->end || *ps->p != '"')
        return json_value(ps, NULL, 0) != 0 ? -1 : type_error(ps, "expected a base64 string");
    kr_buf_t *a = &ps->out->arena;
    size_t off = a->len;
    if (binary_fast(ps, a) == 0) {
        *span = span_from(ps->out, off);
        *present = true;
        return 0;
    }
    const char *s;
    size_t n;
    bool esc;
    if (scan_string(ps, &s, &n, &esc, NULL) != 0)
        return -1;
    if (esc && unescape_span(ps, s, n, &s, &n) != 0)
        return -1;
    size_t room = fmt_base64_decoded_max(n);
    if (kr_buf_reserve(a, room) != 0)
        return value_error(ps, "too large");
    long got = fmt_base64_decode(s, n, (uint8_t *)a->data + off);
    if (got < 0)
        return type_error(ps, "invalid base64");
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
    if (next_is_null(ps))
        return 0;
    size_t off = ps->out->arena.len;
    if (ps->opts->format == FMT_PRODUCE_JSON_RAW) {
        /* checked, then copied as written: the Avro encoder reads it once more anyway */
        skip_ws(ps);
        const char *start = ps->p;
        if (json_value(ps, NULL, 0) != 0)
            return -1;
        kr_buf_append(&ps->out->arena, start, (size_t)(ps->p - start));
    } else if (json_value(ps, &ps->out->arena, 0) != 0) {
        return -1;
    }
    *span = span_from(ps->out, off);
    *present = true;
    return 0;
}

/* The name of an object member (ps->p at its quote), unescaped into name (NUL-terminated,
 * truncated to size). */
static int member_name(parser_t *ps, char *name, size_t size)
{
    skip_ws(ps);
    const char *s;
    size_t n;
    bool esc;
    if (scan_string(ps, &s, &n, &esc, NULL) != 0)
        return -1;
    if (esc && unescape_span(ps, s, n, &s, &n) != 0)
        return -1;
    /* A name with a NUL or longer than any known field can only be unknown: keep it visible
     * but make sure it matches nothing. */
    bool odd = n >= size || memchr(s, '\0', n) != NULL;
    /* An odd name gets a '?' appended: room for it and the NUL. */
    if (odd && n > size - 2) {
        n = size - 2;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--; /* never cut a UTF-8 sequence: the name goes into a JSON message */
    }
    memcpy(name, s, n);
    name[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (name[i] == '\0')
            name[i] = '?';
    }
    if (odd) {
        name[n] = '?';
        name[n + 1] = '\0';
    }
    return expect(ps, ':', "expected ':'");
}

static int unknown_field(parser_t *ps, const char *name)
{
    /* ps->path names the member itself; say where it sits (records[2]), if anywhere. */
    const char *dot = strrchr(ps->path, '.');
    if (strncmp(ps->path, "records[", 8) == 0 && dot)
        return fail_at(ps, KR_ERR_UNPROCESSABLE, "Unrecognized field: %s (in %.*s)", name,
                       (int)(dot - ps->path), ps->path);
    if (strncmp(ps->path, "records[", 8) == 0)
        return fail_at(ps, KR_ERR_UNPROCESSABLE, "Unrecognized field: %s (in %s)", name, ps->path);
    return fail_at(ps, KR_ERR_UNPROCESSABLE, "Unrecognized field: %s", name);
}

/* Iterates an object's members: calls member(ps, name, ctx) with ps->p at each value. A
 * value that is not an object is a type error described by what. */
typedef int (*member_fn)(parser_t *ps, const char *name, void *ctx);

static int object(parser_t *ps, member_fn member, void *ctx, const char *what)
{
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != '{')
        return json_value(ps, NULL, 0) != 0 ? -1 : type_error(ps, what);
    ps->p++;
    if (peek_is(ps, '}')) {
        ps->p++;
        return 0;
    }
    for (;;) {
        char name[64];
        if (member_name(ps, name, sizeof(name)) != 0 || member(ps, name, ctx) != 0)
            return -1;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        return expect(ps, '}', "expected ',' or '}'");
    }
}

/* Iterates an array: calls element(ps, index, ctx) with ps->p at each element. */
typedef int (*element_fn)(parser_t *ps, size_t index, void *ctx);

static int array(parser_t *ps, element_fn element, void *ctx, const char *what)
{
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != '[')
        return json_value(ps, NULL, 0) != 0 ? -1 : type_error(ps, what);
    ps->p++;
    if (peek_is(ps, ']')) {
        ps->p++;
        return 0;
    }
    for (size_t i = 0;; i++) {
        if (element(ps, i, ctx) != 0)
            return -1;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        return expect(ps, ']', "expected ',' or ']'");
    }
}

/* A string field (or null), unescaped into the arena: header names, schemas. */
static int string_field(parser_t *ps, fmt_span_t *span, bool *present)
{
    *present = false;
    if (next_is_null(ps))
        return 0;
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != '"')
        return json_value(ps, NULL, 0) != 0 ? -1 : type_error(ps, "expected a string");
    const char *s;
    size_t n;
    bool esc;
    if (scan_string(ps, &s, &n, &esc, NULL) != 0)
        return -1;
    if (esc && unescape_span(ps, s, n, &s, &n) != 0)
        return -1;
    size_t off = ps->out->arena.len;
    kr_buf_append(&ps->out->arena, s, n);
    *span = span_from(ps->out, off);
    *present = true;
    return 0;
}

/* --- headers ----------------------------------------------------------------------------- */

typedef struct header_ctx {
    fmt_produce_header_t h;
    bool has_name;
    size_t rec;
} header_ctx_t;

static int header_member(parser_t *ps, const char *name, void *ctx)
{
    header_ctx_t *hc = ctx;
    if (strcmp(name, "name") == 0 || strcmp(name, "key") == 0) {
        /* null = absent, also after an earlier name */
        return string_field(ps, &hc->h.name, &hc->has_name);
    }
    if (strcmp(name, "value") == 0)
        return binary_field(ps, &hc->h.value, &hc->h.has_value);
    return unknown_field(ps, name);
}

static int header_element(parser_t *ps, size_t index, void *ctx)
{
    header_ctx_t hc = {.rec = *(size_t *)ctx};
    snprintf(ps->path, sizeof(ps->path), "records[%zu].headers[%zu]", hc.rec, index);
    if (ps->out->n_headers >= FMT_PRODUCE_MAX_HEADERS)
        return fail_at(ps, KR_ERR_TOO_LARGE, "more than %d headers in one request",
                       FMT_PRODUCE_MAX_HEADERS);
    if (object(ps, header_member, &hc, "expected an object") != 0)
        return -1;
    if (!hc.has_name)
        return value_error(ps, "a header needs a name");
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

/* ps->path = "records[index]" and, when field is not NULL, ".field" (cut to fit). Written by
 * hand: it is set for every record and member, and snprintf was 3% of a produce request. */
static void set_path(parser_t *ps, size_t index, const char *field)
{
    char *o = ps->path, *end = ps->path + sizeof(ps->path) - 1;
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
    if (int_field(ps, &v, &present) != 0)
        return -1;
    rc->rec.partition = -1; /* a repeated member replaces the earlier one; null = absent */
    if (!present)
        return 0;
    if (v < 0 || v > INT32_MAX)
        return value_error(ps, "partition must be a non-negative integer");
    rc->rec.partition = (int32_t)v;
    return 0;
}

static int record_headers(parser_t *ps, record_ctx_t *rc)
{
    rc->rec.n_headers = 0; /* a repeated member replaces the earlier one */
    if (next_is_null(ps))
        return 0;
    rc->rec.first_header = (uint32_t)ps->out->n_headers;
    if (array(ps, header_element, &rc->index, "expected an array of headers") != 0)
        return -1;
    rc->rec.n_headers = (uint32_t)(ps->out->n_headers - rc->rec.first_header);
    return 0;
}

static int record_member(parser_t *ps, const char *name, void *ctx)
{
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
        if (int_field(ps, &rc->rec.timestamp, &rc->rec.has_timestamp) != 0)
            return -1;
        /* librdkafka reads 0 as "now": a timestamp must be a real instant. */
        if (rc->rec.has_timestamp && rc->rec.timestamp <= 0)
            return value_error(ps, "timestamp must be a positive number of ms since the epoch");
        return 0;
    }
    return unknown_field(ps, name);
}

static int record_element(parser_t *ps, size_t index, void *ctx)
{
    (void)ctx;
    record_ctx_t rc = {.index = index, .rec = {.partition = -1}};
    set_path(ps, index, NULL);
    if (index >= FMT_PRODUCE_MAX_RECORDS)
        return fail_at(ps, KR_ERR_TOO_LARGE, "more than %d records in one request",
                       FMT_PRODUCE_MAX_RECORDS);
    if (object(ps, record_member, &rc, "expected a record object") != 0)
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

static int top_member(parser_t *ps, const char *name, void *ctx)
{
    bool *seen_records = ctx;
    fmt_produce_req_t *r = ps->out;
    snprintf(ps->path, sizeof(ps->path), "%s", name);
    if (strcmp(name, "records") == 0) {
        r->n_records = 0; /* a repeated member replaces the earlier one, as Jackson does */
        r->n_headers = 0;
        *seen_records = !next_is_null(ps);
        return *seen_records ? array(ps, record_element, NULL, "expected an array") : 0;
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
    parser_t ps = {.start = body,
                   .p = body,
                   .end = body + len,
                   .opts = opts,
                   .out = out,
                   .err = err,
                   .max_depth = MAX_VALUE_DEPTH};
    kr_buf_init(&ps.tmp, len + 64);
    kr_err_clear(err);
    bool seen_records = false;
    int rc = -1;
    skip_ws(&ps);
    if (ps.p >= ps.end) {
        rc = fail_at(&ps, KR_ERR_UNPROCESSABLE, "The request body is empty");
        goto out;
    }
    snprintf(ps.path, sizeof(ps.path), "request body");
    if (object(&ps, top_member, &seen_records, "expected a JSON object") != 0)
        goto out;
    skip_ws(&ps);
    if (ps.p < ps.end) {
        rc = syntax(&ps, "unexpected data after the JSON object");
        goto out;
    }
    if (!seen_records)
        rc = fail_at(&ps, KR_ERR_UNPROCESSABLE, "records may not be null");
    else if (out->n_records == 0)
        rc = fail_at(&ps, KR_ERR_UNPROCESSABLE, "records may not be empty");
    else
        rc = 0;
out:
    kr_buf_deinit(&ps.tmp);
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

int fmt_json_check(const char *text, size_t len, kr_err_t *err)
{
    fmt_produce_opts_t opts = {.format = FMT_PRODUCE_JSON, .version = 2};
    fmt_produce_req_t unused;
    memset(&unused, 0, sizeof(unused));
    parser_t ps = {.start = text,
                   .p = text,
                   .end = text + len,
                   .opts = &opts,
                   .out = &unused,
                   .err = err,
                   .max_depth = FMT_JSON_CHECK_MAX_DEPTH};
    kr_buf_init(&ps.tmp, len + 64);
    kr_err_clear(err);
    memcpy(ps.path, "JSON", 5); /* once per consumed json record: no snprintf */
    int rc = json_value(&ps, NULL, 0);
    skip_ws(&ps);
    if (rc == 0 && ps.p < ps.end)
        rc = syntax(&ps, "unexpected data after the JSON value");
    kr_buf_deinit(&ps.tmp);
    if (rc != 0)
        err->code = KR_ERR_BAD_REQUEST; /* not JSON, whatever the reason */
    return rc;
}
