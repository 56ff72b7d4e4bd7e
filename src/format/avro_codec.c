/* format/avro_codec.c -- Avro's JSON encoding to Avro binary (avs_encode_json; avro_codec.h).
 *
 * DESIGN. A recursive-descent scanner over the JSON text, driven by the schema: each value is
 * checked and written as binary as it is read, with no intermediate tree (json-c would cost a
 * parse, a tree and a walk per record). Two things rewrite output already written: a record
 * whose fields arrive out of schema order, or with defaults filled in at the end, is put in
 * order from the spans its fields were written to; an array or map gets its item count
 * inserted before its items once they are counted (one memmove). Field defaults live in the
 * schema's json-c tree and are encoded by a second, small walker (encode_default); a union
 * default takes the first branch it encodes as.
 * May use: util/, json-c (read-only, thread-safe getters only). Threads: any. */
#include "format/avro_codec.h"

#include "format/avro_codec_int.h"
#include "format/avro_schema_int.h"
#include "util/mem.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct span {
    size_t off, len; /* off SIZE_MAX: not written yet */
} span_t;

/* --- errors and paths -------------------------------------------------------------------- */

static int fail(avs_enc_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(avs_enc_t *e, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return kr_err_set(e->err, KR_ERR_JSON_AVRO_CONVERSION, "%s%s%s", e->path,
                      e->path_len ? ": " : "", msg);
}

int avs__enc_syntax(avs_enc_t *e, const char *what)
{
    return fail(e, "invalid JSON at offset %zu: %s", (size_t)(e->p - e->start), what);
}

static int too_large(avs_enc_t *e)
{
    return kr_err_set(e->err, KR_ERR_TOO_LARGE, "%s: the Avro datum exceeds %zu bytes", e->path,
                      e->out->limit);
}

/* Appends sep and n bytes of name to the path (cut to fit; at most 64 bytes of a map key).
 * Cheap, since it runs for every field and item. @return the length to restore with path_pop. */
static size_t path_push(avs_enc_t *e, char sep, const char *name, size_t n)
{
    size_t old = e->path_len, room = sizeof(e->path) - 1 - old;
    if (sep && room) {
        e->path[e->path_len++] = sep;
        room--;
    }
    n = n < room ? n : room;
    memcpy(e->path + e->path_len, name, n);
    e->path_len += n;
    e->path[e->path_len] = '\0';
    return old;
}

static size_t path_push_index(avs_enc_t *e, int64_t index)
{
    char text[24];
    size_t n = sizeof(text);
    uint64_t v = (uint64_t)index;
    text[--n] = ']';
    do {
        text[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    text[--n] = '[';
    return path_push(e, 0, text + n, sizeof(text) - n);
}

static void path_pop(avs_enc_t *e, size_t old)
{
    e->path_len = old;
    e->path[old] = '\0';
}

/* "expected <what>, got <the JSON at at, shortened>". */
static int type_error(avs_enc_t *e, const char *what, const char *at)
{
    if (at >= e->end)
        return fail(e, "expected %s, got nothing", what);
    if (*at == '{')
        return fail(e, "expected %s, got an object", what);
    if (*at == '[')
        return fail(e, "expected %s, got an array", what);
    size_t n = 0;
    bool in_str = *at == '"';
    for (n = in_str ? 1 : 0; at + n < e->end && n < 40; n++) {
        char c = at[n];
        if (in_str && c == '\\' && at + n + 1 < e->end)
            n++;
        else if (in_str && c == '"')
            return fail(e, "expected %s, got %.*s", what, (int)n + 1, at);
        else if (!in_str && strchr(",]}: \t\r\n", c))
            return fail(e, "expected %s, got %.*s", what, (int)(n ? n : 1), at);
    }
    return fail(e, "expected %s, got %.*s%s", what, (int)n, at, at + n < e->end ? "..." : "");
}

/* --- output ------------------------------------------------------------------------------ */

static int put(avs_enc_t *e, const void *p, size_t n)
{
    return avs__put(e->out, p, n) ? too_large(e) : 0;
}

static size_t varint(unsigned char b[10], int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    size_t n = 0;
    while (z > 0x7F) {
        b[n++] = (unsigned char)(z | 0x80);
        z >>= 7;
    }
    b[n++] = (unsigned char)z;
    return n;
}

static int put_long(avs_enc_t *e, int64_t v)
{
    unsigned char b[10];
    return put(e, b, varint(b, v));
}

static int put_float(avs_enc_t *e, float f)
{
    unsigned char b[4];
    uint32_t u;
    memcpy(&u, &f, 4);
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(u >> (8 * i));
    return put(e, b, 4);
}

static int put_real(avs_enc_t *e, double d, bool is_float)
{
    if (is_float)
        return put_float(e, (float)d);
    unsigned char b[8];
    uint64_t u;
    memcpy(&u, &d, 8);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(u >> (8 * i));
    return put(e, b, 8);
}

/* Bytes or fixed from a string of code points 0-255 (s: n bytes of valid UTF-8). size < 0:
 * bytes (length-prefixed); else fixed of exactly size bytes. */
static int put_latin1(avs_enc_t *e, const char *s, size_t n, int32_t size)
{
    const unsigned char *q = (const unsigned char *)s, *end = q + n;
    size_t count = 0;
    bool ascii = true;
    while (q < end) {
        unsigned cp = 0;
        size_t k = avs__utf8_next(q, end, &cp);
        if (!k)
            return fail(e, "invalid UTF-8 in string");
        if (cp > 0xFF)
            return fail(e, "expected bytes, got a string with code point U+%04X (beyond 255)", cp);
        ascii = ascii && cp < 0x80;
        q += k;
        count++;
    }
    if (size >= 0 && count != (size_t)size)
        return fail(e, "expected fixed of %d bytes, got %zu", (int)size, count);
    if (size < 0 && put_long(e, (int64_t)count))
        return -1;
    if (ascii)
        return put(e, s, n);
    if (kr_buf_reserve(e->out, count))
        return too_large(e);
    for (q = (const unsigned char *)s; q < end;) {
        unsigned cp = 0;
        q += avs__utf8_next(q, end, &cp);
        e->out->data[e->out->len++] = (char)cp;
    }
    e->out->data[e->out->len] = '\0';
    return 0;
}

static int put_string(avs_enc_t *e, const char *s, size_t n)
{
    return put_long(e, (int64_t)n) ? -1 : put(e, s, n);
}

static int put_enum(avs_enc_t *e, const avs_node_t *n, const char *s, size_t len)
{
    for (size_t i = 0; i < n->n_symbols; i++) {
        if (strlen(n->symbols[i]) == len && memcmp(n->symbols[i], s, len) == 0)
            return put_long(e, (int64_t)i);
    }
    return fail(e, "unknown symbol \"%.*s\" of enum %s", (int)(len < 64 ? len : 64), s,
                n->fullname);
}

/* A string value where the schema wants one; what names the schema type for errors. */
static int expect_string(avs_enc_t *e, const char *what, const char **s, size_t *n)
{
    if (avs__enc_peek(e) != '"')
        return type_error(e, what, e->p);
    return avs__enc_string(e, s, n);
}

static int expect_char(avs_enc_t *e, char c, const char *what)
{
    if (avs__enc_peek(e) != c)
        return avs__enc_syntax(e, what);
    e->p++;
    return 0;
}

/* --- numbers ----------------------------------------------------------------------------- */

/* An integer text (no fraction or exponent) as int64; -1 when out of range. */
static int parse_int64(const char *s, size_t n, int64_t *v)
{
    bool neg = n && *s == '-';
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, x = 0;
    for (size_t i = neg ? 1 : 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (x > (limit - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *v = neg ? (int64_t)(0 - x) : (int64_t)x;
    return 0;
}

static int encode_integer(avs_enc_t *e, avs_type_t t)
{
    const char *what = t == AVS_INT ? "int" : "long", *at = e->p, *s = NULL;
    int c = avs__enc_peek(e);
    size_t n = 0;
    bool is_int = false;
    int64_t v = 0;
    if (c != '-' && !(c >= '0' && c <= '9'))
        return type_error(e, what, at);
    if (avs__enc_number(e, &s, &n, &is_int))
        return -1;
    if (!is_int || parse_int64(s, n, &v) || (t == AVS_INT && (v < INT32_MIN || v > INT32_MAX)))
        return type_error(e, what, at);
    return put_long(e, v);
}

/* "NaN", "Infinity", "-Infinity": how Java writes the non-finite values (as strings). */
static bool non_finite(const char *s, size_t n, double *d)
{
    if (n == 3 && memcmp(s, "NaN", 3) == 0)
        *d = NAN;
    else if (n == 8 && memcmp(s, "Infinity", 8) == 0)
        *d = INFINITY;
    else if (n == 9 && memcmp(s, "-Infinity", 9) == 0)
        *d = -INFINITY;
    else
        return false;
    return true;
}

static int encode_real(avs_enc_t *e, avs_type_t t)
{
    const char *what = t == AVS_FLOAT ? "float" : "double", *at = e->p, *s = NULL;
    int c = avs__enc_peek(e);
    size_t n = 0;
    bool is_int = false;
    double d = 0;
    if (c == '"') {
        if (avs__enc_string(e, &s, &n))
            return -1;
        if (!non_finite(s, n, &d))
            return type_error(e, what, at);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        if (avs__enc_number(e, &s, &n, &is_int))
            return -1;
        kr_buf_reset(&e->tmp);
        kr_buf_append(&e->tmp, s, n);
        if (t == AVS_FLOAT) /* rounded once, to the nearest float (Jackson 2.15's parseFloat) */
            return put_float(e, strtof(e->tmp.data, NULL));
        d = strtod(e->tmp.data, NULL);
    } else {
        return type_error(e, what, at);
    }
    return put_real(e, d, t == AVS_FLOAT);
}

/* --- defaults (the schema's json-c values; validated when the schema was parsed) --------- */

static int encode_default(avs_enc_t *e, const avs_node_t *n, json_object *v);

/* A float/double default given as a string: Java's Double.parseDouble text. */
static int default_real_text(avs_enc_t *e, const char *s, double *d)
{
    size_t n = strlen(s);
    while (n && (unsigned char)s[n - 1] <= ' ')
        n--;
    while (n && (unsigned char)*s <= ' ')
        s++, n--;
    bool neg = n && *s == '-';
    if (n && (*s == '+' || *s == '-') && non_finite(s + 1, n - 1, d)) {
        *d = neg ? -*d : *d;
        return 0;
    }
    if (non_finite(s, n, d))
        return 0;
    if (n && strchr("fFdD", s[n - 1]))
        n--;
    kr_buf_reset(&e->tmp);
    kr_buf_append(&e->tmp, s, n);
    char *endp = NULL;
    *d = strtod(e->tmp.data, &endp);
    return n && endp == e->tmp.data + n ? 0 : -1;
}

static int default_real(avs_enc_t *e, avs_type_t t, json_object *v)
{
    double d = 0;
    if (json_object_is_type(v, json_type_int))
        d = (double)json_object_get_int64(v);
    else if (json_object_is_type(v, json_type_double))
        d = json_object_get_double(v);
    else if (!json_object_is_type(v, json_type_string) ||
             default_real_text(e, json_object_get_string(v), &d))
        return -1;
    return put_real(e, d, t == AVS_FLOAT);
}

static int default_record(avs_enc_t *e, const avs_node_t *n, json_object *v)
{
    if (!json_object_is_type(v, json_type_object))
        return -1;
    for (size_t i = 0; i < n->n_fields; i++) {
        const avs_field_t *f = &n->fields[i];
        json_object *fv = NULL;
        if (json_object_object_get_ex(v, f->name, &fv)) {
            if (encode_default(e, f->type, fv))
                return -1;
        } else if (!f->has_def || encode_default(e, f->type, f->def)) {
            return -1;
        }
    }
    return 0;
}

static int default_items(avs_enc_t *e, const avs_node_t *n, json_object *v)
{
    bool map = n->type == AVS_MAP;
    if (!json_object_is_type(v, map ? json_type_object : json_type_array))
        return -1;
    size_t count = map ? (size_t)json_object_object_length(v) : json_object_array_length(v);
    if (count && put_long(e, (int64_t)count))
        return -1;
    if (map) {
        json_object_object_foreach(v, key, val)
        {
            if (put_string(e, key, strlen(key)) || encode_default(e, n->items, val))
                return -1;
        }
    } else {
        for (size_t i = 0; i < count; i++) {
            if (encode_default(e, n->items, json_object_array_get_idx(v, i)))
                return -1;
        }
    }
    return put_long(e, 0);
}

/* A union default is the bare value of one branch: the first that it encodes as. */
static int default_union(avs_enc_t *e, const avs_node_t *n, json_object *v)
{
    size_t mark = e->out->len;
    for (size_t i = 0; i < n->n_branches; i++) {
        if (put_long(e, (int64_t)i) == 0 && encode_default(e, n->branches[i], v) == 0)
            return 0;
        e->out->len = mark;
        if (e->too_deep)
            return -1;
    }
    return -1;
}

static int default_value(avs_enc_t *e, const avs_node_t *n, json_object *v)
{
    bool str = json_object_is_type(v, json_type_string);
    const char *s = str ? json_object_get_string(v) : NULL;
    size_t len = str ? (size_t)json_object_get_string_len(v) : 0;
    switch (n->type) {
    case AVS_NULL:
        return v == NULL ? 0 : -1;
    case AVS_BOOLEAN:
        if (!json_object_is_type(v, json_type_boolean))
            return -1;
        return put(e, json_object_get_boolean(v) ? "\1" : "\0", 1);
    case AVS_INT:
    case AVS_LONG: {
        int64_t x = json_object_get_int64(v);
        if (!json_object_is_type(v, json_type_int) ||
            (n->type == AVS_INT && (x < INT32_MIN || x > INT32_MAX)))
            return -1;
        return put_long(e, x);
    }
    case AVS_FLOAT:
    case AVS_DOUBLE:
        return default_real(e, n->type, v);
    case AVS_BYTES:
    case AVS_FIXED:
        return str ? put_latin1(e, s, len, n->type == AVS_FIXED ? n->size : -1) : -1;
    case AVS_STRING:
        return str ? put_string(e, s, len) : -1;
    case AVS_ENUM:
        return str ? put_enum(e, n, s, len) : -1;
    case AVS_RECORD:
        return default_record(e, n, v);
    case AVS_ARRAY:
    case AVS_MAP:
        return default_items(e, n, v);
    case AVS_UNION:
        return default_union(e, n, v);
    }
    return -1;
}

/* A schema may define defaults that never end (a record whose field of its own type defaults
 * to {}): the nesting limit stops them; defaults that branch stop at AVS_MAX_DEFAULT_VALUES. */
static int encode_default(avs_enc_t *e, const avs_node_t *n, json_object *v)
{
    if (e->depth >= AVS_MAX_DEPTH) {
        e->too_deep = true;
        return fail(e, "nesting deeper than %d (in a default)", AVS_MAX_DEPTH);
    }
    if (++e->defaults > AVS_MAX_DEFAULT_VALUES) {
        e->too_deep = true;
        return fail(e, "the schema's defaults expand into more than %d values",
                    AVS_MAX_DEFAULT_VALUES);
    }
    e->depth++;
    int rc = default_value(e, n, v);
    e->depth--;
    return rc;
}

/* --- values ------------------------------------------------------------------------------ */

static int encode_value(avs_enc_t *e, const avs_node_t *n);

/* The field named (s, len); tries hint (the field after the previous one) first. */
static size_t find_field(const avs_node_t *n, const char *s, size_t len, size_t hint)
{
    for (size_t k = 0; k < n->n_fields; k++) {
        size_t i = (hint + k) % n->n_fields;
        const char *name = n->fields[i].name;
        if (strlen(name) == len && memcmp(name, s, len) == 0)
            return i;
    }
    return SIZE_MAX;
}

static int record_member(avs_enc_t *e, const avs_node_t *n, span_t *sp, size_t *next)
{
    const char *k = NULL;
    size_t kn = 0;
    if (avs__enc_peek(e) != '"')
        return avs__enc_syntax(e, "expected a field name");
    if (avs__enc_string(e, &k, &kn))
        return -1;
    size_t i = find_field(n, k, kn, *next);
    if (i == SIZE_MAX)
        return fail(e, "unknown field \"%.*s\" in record %s", (int)(kn < 64 ? kn : 64), k,
                    n->fullname);
    if (sp[i].off != SIZE_MAX)
        return fail(e, "field \"%s\" given twice", n->fields[i].name);
    if (expect_char(e, ':', "expected ':'"))
        return -1;
    size_t old = path_push(e, '.', n->fields[i].name, strlen(n->fields[i].name));
    size_t off = e->out->len;
    if (encode_value(e, n->fields[i].type))
        return -1;
    path_pop(e, old);
    sp[i] = (span_t){off, e->out->len - off};
    *next = i + 1;
    return 0;
}

static int record_members(avs_enc_t *e, const avs_node_t *n, span_t *sp)
{
    size_t next = 0;
    e->p++; /* '{' */
    if (avs__enc_peek(e) == '}') {
        e->p++;
        return 0;
    }
    for (;;) {
        if (record_member(e, n, sp, &next))
            return -1;
        int c = avs__enc_peek(e);
        if (c != ',' && c != '}')
            return avs__enc_syntax(e, "expected ',' or '}'");
        e->p++;
        if (c == '}')
            return 0;
    }
}

static int record_defaults(avs_enc_t *e, const avs_node_t *n, span_t *sp)
{
    for (size_t i = 0; i < n->n_fields; i++) {
        const avs_field_t *f = &n->fields[i];
        if (sp[i].off != SIZE_MAX)
            continue;
        if (!f->has_def)
            return fail(e, "missing field \"%s\" of record %s (it has no default)", f->name,
                        n->fullname);
        size_t off = e->out->len;
        if (encode_default(e, f->type, f->def)) {
            if (e->err->code != KR_ERR_TOO_LARGE && !e->too_deep)
                fail(e, "the default of field \"%s\" does not match its type", f->name);
            return -1;
        }
        sp[i] = (span_t){off, e->out->len - off};
    }
    return 0;
}

/* Puts the fields written from base on in schema order. */
static void record_reorder(avs_enc_t *e, const avs_node_t *n, const span_t *sp, size_t base)
{
    size_t pos = base, i = 0;
    for (; i < n->n_fields && sp[i].off == pos; i++)
        pos += sp[i].len;
    if (i == n->n_fields)
        return;
    kr_buf_reset(&e->tmp);
    kr_buf_append(&e->tmp, e->out->data + base, e->out->len - base);
    char *dst = e->out->data + base;
    for (i = 0; i < n->n_fields; i++) {
        memcpy(dst, e->tmp.data + (sp[i].off - base), sp[i].len);
        dst += sp[i].len;
    }
}

static int encode_record(avs_enc_t *e, const avs_node_t *n)
{
    if (avs__enc_peek(e) != '{')
        return type_error(e, n->is_error ? "error" : "record", e->p);
    span_t local[32];
    span_t *sp = n->n_fields <= 32 ? local : xcalloc(n->n_fields, sizeof(*sp));
    for (size_t i = 0; i < n->n_fields; i++)
        sp[i].off = SIZE_MAX;
    size_t base = e->out->len;
    int rc = record_members(e, n, sp);
    if (rc == 0)
        rc = record_defaults(e, n, sp);
    if (rc == 0)
        record_reorder(e, n, sp, base);
    if (sp != local)
        xfree(sp);
    return rc;
}

/* Writes count before the items written from base on (count known only now), then the end. */
static int close_block(avs_enc_t *e, size_t base, int64_t count)
{
    unsigned char b[10];
    size_t k = varint(b, count);
    if (kr_buf_reserve(e->out, k + 1))
        return too_large(e);
    char *at = e->out->data + base;
    memmove(at + k, at, e->out->len - base);
    memcpy(at, b, k);
    e->out->len += k;
    e->out->data[e->out->len] = '\0';
    return put(e, "\0", 1);
}

static int item(avs_enc_t *e, const avs_node_t *n, bool map, int64_t index)
{
    size_t old;
    if (map) {
        const char *k = NULL;
        size_t kn = 0;
        if (avs__enc_peek(e) != '"')
            return avs__enc_syntax(e, "expected a map key");
        if (avs__enc_string(e, &k, &kn) || put_string(e, k, kn))
            return -1;
        old = path_push(e, '.', k, kn < 64 ? kn : 64);
        if (expect_char(e, ':', "expected ':'"))
            return -1;
    } else {
        old = path_push_index(e, index);
    }
    if (encode_value(e, n->items))
        return -1;
    path_pop(e, old);
    return 0;
}

static int encode_items(avs_enc_t *e, const avs_node_t *n)
{
    bool map = n->type == AVS_MAP;
    char close = map ? '}' : ']';
    if (avs__enc_peek(e) != (map ? '{' : '['))
        return type_error(e, map ? "map" : "array", e->p);
    e->p++;
    if (avs__enc_peek(e) == close) {
        e->p++;
        return put(e, "\0", 1);
    }
    size_t base = e->out->len;
    for (int64_t count = 0;; count++) {
        if (item(e, n, map, count))
            return -1;
        int c = avs__enc_peek(e);
        if (c != ',' && c != close)
            return avs__enc_syntax(e, map ? "expected ',' or '}'" : "expected ',' or ']'");
        e->p++;
        if (c == close)
            return close_block(e, base, count + 1);
    }
}

static const char *branch_name(const avs_node_t *b)
{
    return b->fullname ? b->fullname : avs__type_name(b->type);
}

static int encode_union(avs_enc_t *e, const avs_node_t *n)
{
    const char *at = e->p, *k = NULL;
    size_t kn = 0, i = 0;
    int c = avs__enc_peek(e);
    if (c == 'n' && avs__enc_literal(e, "null", 4)) {
        while (i < n->n_branches && n->branches[i]->type != AVS_NULL)
            i++;
        return i < n->n_branches ? put_long(e, (int64_t)i)
                                 : fail(e, "null is not a branch of the union");
    }
    if (c != '{')
        return type_error(e, "a union: null or {\"<branch type>\": value}", at);
    e->p++;
    if (expect_string(e, "a union branch name", &k, &kn))
        return -1;
    for (; i < n->n_branches; i++) {
        const char *name = branch_name(n->branches[i]);
        if (strlen(name) == kn && memcmp(name, k, kn) == 0)
            break;
    }
    if (i == n->n_branches)
        return fail(e, "unknown union branch \"%.*s\"", (int)(kn < 64 ? kn : 64), k);
    const char *name = branch_name(n->branches[i]);
    size_t old = path_push(e, '.', name, strlen(name));
    if (expect_char(e, ':', "expected ':'") || put_long(e, (int64_t)i) ||
        encode_value(e, n->branches[i]))
        return -1;
    path_pop(e, old);
    if (avs__enc_peek(e) == ',')
        return fail(e, "a union value must be an object with exactly one key");
    return expect_char(e, '}', "expected '}'");
}

static int encode_scalar(avs_enc_t *e, const avs_node_t *n)
{
    const char *s = NULL;
    size_t len = 0;
    const char *what = avs__type_name(n->type);
    switch (n->type) {
    case AVS_NULL:
        return avs__enc_peek(e) == 'n' && avs__enc_literal(e, "null", 4)
                   ? 0
                   : type_error(e, what, e->p);
    case AVS_BOOLEAN:
        if (avs__enc_peek(e) == 't' && avs__enc_literal(e, "true", 4))
            return put(e, "\1", 1);
        if (avs__enc_peek(e) == 'f' && avs__enc_literal(e, "false", 5))
            return put(e, "\0", 1);
        return type_error(e, what, e->p);
    case AVS_BYTES:
    case AVS_FIXED:
        if (expect_string(e, what, &s, &len))
            return -1;
        return put_latin1(e, s, len, n->type == AVS_FIXED ? n->size : -1);
    case AVS_STRING:
        return expect_string(e, what, &s, &len) ? -1 : put_string(e, s, len);
    case AVS_ENUM:
        return expect_string(e, what, &s, &len) ? -1 : put_enum(e, n, s, len);
    default:
        return fail(e, "internal: not a scalar type");
    }
}

static int encode_value(avs_enc_t *e, const avs_node_t *n)
{
    if (++e->depth > AVS_MAX_DEPTH)
        return fail(e, "nesting deeper than %d", AVS_MAX_DEPTH);
    int rc;
    switch (n->type) {
    case AVS_INT:
    case AVS_LONG:
        rc = encode_integer(e, n->type);
        break;
    case AVS_FLOAT:
    case AVS_DOUBLE:
        rc = encode_real(e, n->type);
        break;
    case AVS_RECORD:
        rc = encode_record(e, n);
        break;
    case AVS_ARRAY:
    case AVS_MAP:
        rc = encode_items(e, n);
        break;
    case AVS_UNION:
        rc = encode_union(e, n);
        break;
    default:
        rc = encode_scalar(e, n);
        break;
    }
    e->depth--;
    return rc;
}

int avs_encode_json(const avs_schema_t *s, const char *json, size_t len, const char *path,
                    kr_buf_t *out, kr_err_t *err)
{
    kr_err_t local;
    json = json ? json : "";
    avs_enc_t e = {
        .start = json, .p = json, .end = json + len, .out = out, .err = err ? err : &local};
    kr_buf_init(&e.tmp, 0);
    path_push(&e, 0, path ? path : "", path ? strlen(path) : 0);
    size_t base = out->len;
    kr_err_clear(e.err);
    int rc = encode_value(&e, s->root);
    if (rc == 0 && avs__enc_peek(&e) != -1)
        rc = avs__enc_syntax(&e, "unexpected text after the value");
    kr_buf_deinit(&e.tmp);
    if (rc != 0 && out->data) {
        out->len = base;
        out->data[base] = '\0';
    }
    return rc;
}
