/* format/json_scan.c -- the strict JSON scanner (see json_scan.h).
 *
 * DESIGN. A small recursive-descent scanner over text in place: it checks the grammar and
 * UTF-8 itself (json-c 0.16 is laxer), finds strings in blocks of plain ASCII (format/simd.h)
 * and copies only when asked to (a compact re-emission, or an unescaped string). Callers that
 * know a document's shape, like the produce decoder, walk its objects and arrays with
 * fmt_jscan_object() and fmt_jscan_array() and read their members with the token functions.
 * Pure; threads: any. */
#include "format/json_scan.h"

#include "format/jsonw.h"
#include "format/simd.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int member_name(fmt_jscan_t *js, char *name, size_t size);

void fmt_jscan_init(fmt_jscan_t *js, const char *text, size_t len, int max_depth, int type_code,
                    kr_err_t *err)
{
    *js = (fmt_jscan_t){.start = text,
                        .p = text,
                        .end = text + len,
                        .err = err,
                        .max_depth = max_depth,
                        .type_code = type_code};
    kr_buf_init(&js->tmp, len + 64);
    kr_err_clear(err);
}

void fmt_jscan_deinit(fmt_jscan_t *js)
{
    kr_buf_deinit(&js->tmp);
}

int fmt_json_check(const char *text, size_t len, kr_err_t *err)
{
    fmt_jscan_t js;
    fmt_jscan_init(&js, text, len, FMT_JSON_CHECK_MAX_DEPTH, KR_ERR_BAD_REQUEST, err);
    memcpy(js.path, "JSON", 5); /* once per consumed json record: no snprintf */
    int rc = fmt_jscan_value(&js, NULL, 0);
    fmt_jscan_skip_ws(&js);
    if (rc == 0 && js.p < js.end)
        rc = fmt_jscan_syntax(&js, "unexpected data after the JSON value");
    fmt_jscan_deinit(&js);
    if (rc != 0)
        err->code = KR_ERR_BAD_REQUEST; /* not JSON, whatever the reason */
    return rc;
}

/* --- errors ------------------------------------------------------------------------------ */

int fmt_jscan_fail(fmt_jscan_t *js, int code, const char *fmt, ...)
{
    if (js->err->code)
        return -1; /* keep the first error */
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return kr_err_set(js->err, code, "%s", msg);
}

int fmt_jscan_syntax(fmt_jscan_t *js, const char *what)
{
    size_t line = 1, col = 1;
    for (const char *q = js->start; q < js->p && q < js->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    if (js->p >= js->end)
        return fmt_jscan_fail(js, KR_ERR_BAD_REQUEST,
                              "Invalid JSON: unexpected end of data at line %zu, column %zu", line,
                              col);
    return fmt_jscan_fail(js, KR_ERR_BAD_REQUEST, "Invalid JSON: %s at line %zu, column %zu", what,
                          line, col);
}

/* Wrong JSON type for a field: the caller's code (the produce decoder: 400 in v2, Confluent
 * today; 422 in v1, CP 5.x). */
int fmt_jscan_type_error(fmt_jscan_t *js, const char *what)
{
    return fmt_jscan_fail(js, js->type_code, "%s: %s", js->path, what);
}

int fmt_jscan_value_error(fmt_jscan_t *js, const char *what)
{
    return fmt_jscan_fail(js, KR_ERR_UNPROCESSABLE, "%s: %s", js->path, what);
}

/* --- lexing ------------------------------------------------------------------------------ */

int fmt_jscan_expect(fmt_jscan_t *js, char c, const char *what)
{
    fmt_jscan_skip_ws(js);
    if (js->p < js->end && *js->p == c) {
        js->p++;
        return 0;
    }
    return fmt_jscan_syntax(js, what);
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

/* Decodes the escape at js->p (just after '\\'); appends its text to out (if not NULL). */
static int unescape_one(fmt_jscan_t *js, kr_buf_t *out)
{
    if (js->p >= js->end)
        return fmt_jscan_syntax(js, "unterminated string");
    char c = *js->p++;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *hit = strchr(from, c);
    if (hit && c) {
        if (out)
            kr_buf_putc(out, to[hit - from]);
        return 0;
    }
    unsigned cp;
    if (c != 'u' || js->end - js->p < 4 || hex4(js->p, &cp) != 0)
        return fmt_jscan_syntax(js, "invalid escape in string");
    js->p += 4;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        unsigned lo;
        if (js->end - js->p < 6 || js->p[0] != '\\' || js->p[1] != 'u' ||
            hex4(js->p + 2, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
            return fmt_jscan_syntax(js, "invalid surrogate pair in string");
        js->p += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        return fmt_jscan_syntax(js, "invalid surrogate in string");
    }
    if (out)
        put_utf8(out, cp);
    return 0;
}

/* Scans a string (js->p at its opening quote). Raw span in *s and *n (without quotes), escapes
 * noted in *escaped. When out is given, the unescaped text is appended to it. */
int fmt_jscan_string(fmt_jscan_t *js, const char **s, size_t *n, bool *escaped, kr_buf_t *out)
{
    if (js->p >= js->end || *js->p != '"')
        return fmt_jscan_syntax(js, "expected a string");
    js->p++;
    const char *begin = js->p;
    const char *run = js->p;
    *escaped = false;
    while (js->p < js->end) {
        /* Plain ASCII in blocks: record values are mostly long strings. */
        js->p = fmt_simd_scan_plain(js->p, js->end);
        if (js->p >= js->end)
            break;
        unsigned char c = (unsigned char)*js->p;
        if (c == '"') {
            if (out)
                kr_buf_append(out, run, (size_t)(js->p - run));
            *s = begin;
            *n = (size_t)(js->p - begin);
            js->p++;
            return 0;
        }
        if (c == '\\') {
            if (out)
                kr_buf_append(out, run, (size_t)(js->p - run));
            *escaped = true;
            js->p++;
            if (unescape_one(js, out) != 0)
                return -1;
            run = js->p;
        } else if (c < 0x20) {
            return fmt_jscan_syntax(js, "control character in string");
        } else if (c < 0x80) {
            js->p++;
        } else {
            size_t len = utf8_len((const unsigned char *)js->p, (const unsigned char *)js->end);
            if (!len)
                return fmt_jscan_syntax(js, "invalid UTF-8 in string");
            js->p += len;
        }
    }
    return fmt_jscan_syntax(js, "unterminated string");
}

/* Scans a number; *is_int when it has neither fraction nor exponent. */
int fmt_jscan_number(fmt_jscan_t *js, const char **s, size_t *n, bool *is_int)
{
    const char *b = js->p, *q = js->p, *e = js->end;
    if (q < e && *q == '-')
        q++;
    if (q >= e || *q < '0' || *q > '9')
        return fmt_jscan_syntax(js, "invalid number");
    if (*q == '0')
        q++;
    else
        while (q < e && *q >= '0' && *q <= '9')
            q++;
    *is_int = true;
    if (q < e && *q == '.') {
        q++;
        if (q >= e || *q < '0' || *q > '9')
            return js->p = q, fmt_jscan_syntax(js, "invalid number");
        while (q < e && *q >= '0' && *q <= '9')
            q++;
        *is_int = false;
    }
    if (q < e && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < e && (*q == '+' || *q == '-'))
            q++;
        if (q >= e || *q < '0' || *q > '9')
            return js->p = q, fmt_jscan_syntax(js, "invalid number");
        while (q < e && *q >= '0' && *q <= '9')
            q++;
        *is_int = false;
    }
    *s = b;
    *n = (size_t)(q - b);
    js->p = q;
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

static int scan_literal(fmt_jscan_t *js, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(js->end - js->p) < n || memcmp(js->p, word, n) != 0)
        return fmt_jscan_syntax(js, "unexpected character");
    js->p += n;
    return 0;
}

/* --- JSON values ------------------------------------------------------------------------- */

/* The text of a scanned string: the raw span when it had no escapes, else its unescaped copy
 * in js->tmp (valid until the next use of tmp). */
int fmt_jscan_unescape(fmt_jscan_t *js, const char *s, size_t n, const char **u, size_t *un)
{
    kr_buf_reset(&js->tmp);
    fmt_jscan_t sub = *js;
    sub.p = s - 1;
    sub.end = s + n + 1;
    const char *s2;
    size_t n2;
    bool e2;
    if (fmt_jscan_string(&sub, &s2, &n2, &e2, &js->tmp) != 0)
        return -1;
    *u = js->tmp.data ? js->tmp.data : "";
    *un = js->tmp.len;
    return 0;
}

int fmt_jscan_text(fmt_jscan_t *js, const char *what, const char **s, size_t *n)
{
    fmt_jscan_skip_ws(js);
    if (js->p >= js->end || *js->p != '"')
        return fmt_jscan_value(js, NULL, 0) != 0 ? -1 : fmt_jscan_type_error(js, what);
    bool esc;
    if (fmt_jscan_string(js, s, n, &esc, NULL) != 0)
        return -1;
    return esc ? fmt_jscan_unescape(js, *s, *n, s, n) : 0;
}

int fmt_jscan_text_append(fmt_jscan_t *js, kr_buf_t *out, bool *present)
{
    *present = false;
    if (fmt_jscan_null(js))
        return 0;
    const char *s;
    size_t n;
    if (fmt_jscan_text(js, "expected a string", &s, &n) != 0)
        return -1;
    if (kr_buf_append(out, s, n) != 0)
        return fmt_jscan_fail(js, KR_ERR_TOO_LARGE, "the request is too large");
    *present = true;
    return 0;
}

/* Writes a scanned string (raw span s/n) to out as compact JSON: unescaped, then escaped only
 * where JSON requires ('"', '\\', control characters), so "\/" becomes "/" and "\u00e9" é. */
static int emit_string(fmt_jscan_t *js, const char *s, size_t n, bool escaped, kr_buf_t *out)
{
    if (!escaped)
        return kr_buf_putc(out, '"') || kr_buf_append(out, s, n) || kr_buf_putc(out, '"') ? -1 : 0;
    const char *u;
    size_t un;
    if (fmt_jscan_unescape(js, s, n, &u, &un) != 0)
        return -1;
    return fmt_json_quote(out, u, un);
}

static int json_members(fmt_jscan_t *js, kr_buf_t *out, int depth, char close)
{
    for (;;) {
        if (close == '}') {
            fmt_jscan_skip_ws(js);
            const char *s;
            size_t n;
            bool esc;
            if (fmt_jscan_string(js, &s, &n, &esc, NULL) != 0)
                return -1;
            if (out && emit_string(js, s, n, esc, out) != 0)
                return -1;
            if (fmt_jscan_expect(js, ':', "expected ':'") != 0)
                return -1;
            if (out)
                kr_buf_putc(out, ':');
        }
        if (fmt_jscan_value(js, out, depth) != 0)
            return -1;
        fmt_jscan_skip_ws(js);
        if (js->p < js->end && *js->p == ',') {
            js->p++;
            if (out)
                kr_buf_putc(out, ',');
            continue;
        }
        if (fmt_jscan_expect(js, close,
                             close == '}' ? "expected ',' or '}'" : "expected ',' or ']'") != 0)
            return -1;
        if (out)
            kr_buf_putc(out, close);
        return 0;
    }
}

static int json_container(fmt_jscan_t *js, kr_buf_t *out, int depth)
{
    char open = *js->p, close = open == '{' ? '}' : ']';
    if (depth > js->max_depth)
        return fmt_jscan_fail(js, KR_ERR_UNPROCESSABLE, "%s: nesting deeper than %d levels",
                              js->path, js->max_depth);
    js->p++;
    if (out)
        kr_buf_putc(out, open);
    if (fmt_jscan_peek_is(js, close)) {
        js->p++;
        if (out)
            kr_buf_putc(out, close);
        return 0;
    }
    return json_members(js, out, depth, close);
}

/* Checks one JSON value and, when out is given, writes it compactly. */
int fmt_jscan_value(fmt_jscan_t *js, kr_buf_t *out, int depth)
{
    fmt_jscan_skip_ws(js);
    if (js->p >= js->end)
        return fmt_jscan_syntax(js, "expected a value");
    const char *s;
    size_t n;
    bool flag;
    switch (*js->p) {
    case '{':
    case '[':
        return json_container(js, out, depth + 1);
    case '"':
        if (fmt_jscan_string(js, &s, &n, &flag, NULL) != 0)
            return -1;
        return out ? emit_string(js, s, n, flag, out) : 0;
    case 't':
    case 'f':
    case 'n':
        s = js->p;
        if (scan_literal(js, *s == 't' ? "true" : *s == 'f' ? "false" : "null") != 0)
            return -1;
        return out ? kr_buf_append(out, s, (size_t)(js->p - s)) : 0;
    default:
        if (fmt_jscan_number(js, &s, &n, &flag) != 0)
            return -1;
        if (flag && out && !int_in_range(s, n))
            return fmt_jscan_value_error(js, "integer out of range (int64/uint64)");
        return out ? kr_buf_append(out, s, n) : 0;
    }
}

/* --- integers, objects and arrays
 * --------------------------------------------------------------------- */

bool fmt_jscan_null(fmt_jscan_t *js)
{
    fmt_jscan_skip_ws(js);
    if ((size_t)(js->end - js->p) >= 4 && memcmp(js->p, "null", 4) == 0) {
        js->p += 4;
        return true;
    }
    return false;
}

/* An integer field (partition, timestamp, schema ids): *present false for null. */
int fmt_jscan_int(fmt_jscan_t *js, int64_t *v, bool *present)
{
    *present = false;
    if (fmt_jscan_null(js))
        return 0;
    if (js->p >= js->end || (*js->p != '-' && (*js->p < '0' || *js->p > '9')))
        return fmt_jscan_value(js, NULL, 0) != 0 ? -1
                                                 : fmt_jscan_type_error(js, "expected an integer");
    const char *s;
    size_t n;
    bool is_int;
    if (fmt_jscan_number(js, &s, &n, &is_int) != 0)
        return -1;
    if (!is_int)
        return fmt_jscan_type_error(js, "expected an integer");
    if (n > 20 || (n == 20 && s[0] != '-'))
        return fmt_jscan_value_error(js, "integer out of range");
    char num[24];
    memcpy(num, s, n);
    num[n] = '\0';
    char *end = NULL;
    long long x = strtoll(num, &end, 10);
    if (end != num + n || (x == LLONG_MAX && strcmp(num, "9223372036854775807") != 0) ||
        (x == LLONG_MIN && strcmp(num, "-9223372036854775808") != 0))
        return fmt_jscan_value_error(js, "integer out of range");
    *v = x;
    *present = true;
    return 0;
}

/* The name of an object member (js->p at its quote), unescaped into name (NUL-terminated,
 * truncated to size). */
static int member_name(fmt_jscan_t *js, char *name, size_t size)
{
    fmt_jscan_skip_ws(js);
    const char *s;
    size_t n;
    bool esc;
    if (fmt_jscan_string(js, &s, &n, &esc, NULL) != 0)
        return -1;
    if (esc && fmt_jscan_unescape(js, s, n, &s, &n) != 0)
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
    return fmt_jscan_expect(js, ':', "expected ':'");
}

int fmt_jscan_object(fmt_jscan_t *js, fmt_jscan_member_fn member, void *ctx, const char *what)
{
    fmt_jscan_skip_ws(js);
    if (js->p >= js->end || *js->p != '{')
        return fmt_jscan_value(js, NULL, 0) != 0 ? -1 : fmt_jscan_type_error(js, what);
    js->p++;
    if (fmt_jscan_peek_is(js, '}')) {
        js->p++;
        return 0;
    }
    for (;;) {
        char name[64];
        if (member_name(js, name, sizeof(name)) != 0 || member(js, name, ctx) != 0)
            return -1;
        fmt_jscan_skip_ws(js);
        if (js->p < js->end && *js->p == ',') {
            js->p++;
            continue;
        }
        return fmt_jscan_expect(js, '}', "expected ',' or '}'");
    }
}

int fmt_jscan_array(fmt_jscan_t *js, fmt_jscan_element_fn element, void *ctx, const char *what)
{
    fmt_jscan_skip_ws(js);
    if (js->p >= js->end || *js->p != '[')
        return fmt_jscan_value(js, NULL, 0) != 0 ? -1 : fmt_jscan_type_error(js, what);
    js->p++;
    if (fmt_jscan_peek_is(js, ']')) {
        js->p++;
        return 0;
    }
    for (size_t i = 0;; i++) {
        if (element(js, i, ctx) != 0)
            return -1;
        fmt_jscan_skip_ws(js);
        if (js->p < js->end && *js->p == ',') {
            js->p++;
            continue;
        }
        return fmt_jscan_expect(js, ']', "expected ',' or ']'");
    }
}
