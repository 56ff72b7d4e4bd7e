/* format/avro_codec_dec.c -- Avro binary to Avro's JSON encoding (avs_decode_to_json;
 * avro_codec.h), written as Java's JsonEncoder (Jackson) writes it.
 *
 * DESIGN. One recursive pass over the bytes, driven by the schema, writing JSON text as it
 * goes. The input is hostile: every read is bounds-checked; a length or block count is
 * checked against the bytes left before anything is done with it (a block of n items needs
 * at least n times the smallest encoding of one item), and items whose encoding can be empty
 * (null, a record of nulls) share a fixed budget, so a small input cannot make a huge output.
 * May use: util/. Threads: any. */
#include "format/avro_codec.h"

#include "format/avro_codec_int.h"
#include "format/avro_schema_int.h"
#include "format/simd.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many items with an empty encoding one datum may hold (5 MB of "null," at most). */
#define ZERO_SIZE_ITEMS (1u << 20)

typedef struct dec {
    const unsigned char *start, *p, *end;
    kr_buf_t *out; /* borrowed */
    kr_err_t *err;
    int depth;
    size_t budget; /* items with an empty encoding still allowed */
} dec_t;

static int fail(dec_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(dec_t *d, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return kr_err_set(d->err, KR_ERR_SERIALIZATION, "Invalid Avro data at byte %zu: %s",
                      (size_t)(d->p - d->start), msg);
}

static int too_large(dec_t *d)
{
    return kr_err_set(d->err, KR_ERR_SERIALIZATION, "The decoded JSON exceeds %zu bytes",
                      d->out->limit);
}

static int put(dec_t *d, const void *p, size_t n)
{
    return avs__put(d->out, p, n) ? too_large(d) : 0;
}

static int puts_(dec_t *d, const char *s)
{
    return put(d, s, strlen(s));
}

/* --- reading ----------------------------------------------------------------------------- */

static size_t left(const dec_t *d)
{
    return (size_t)(d->end - d->p);
}

static int read_long(dec_t *d, int64_t *v)
{
    uint64_t z = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (d->p >= d->end)
            return fail(d, "truncated varint");
        unsigned b = *d->p++;
        if (shift == 63 && b > 1)
            return fail(d, "varint longer than 64 bits");
        z |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *v = (int64_t)((z >> 1) ^ (0 - (z & 1)));
            return 0;
        }
    }
    return fail(d, "varint longer than 64 bits"); /* not reached */
}

static int read_int(dec_t *d, int32_t *v)
{
    int64_t x = 0;
    if (read_long(d, &x))
        return -1;
    if (x < INT32_MIN || x > INT32_MAX)
        return fail(d, "int out of 32-bit range: %" PRId64, x);
    *v = (int32_t)x;
    return 0;
}

/* A byte length: not negative, and no more than the bytes left. */
static int read_length(dec_t *d, size_t *n)
{
    int64_t x = 0;
    if (read_long(d, &x))
        return -1;
    if (x < 0)
        return fail(d, "negative length %" PRId64, x);
    if ((uint64_t)x > left(d))
        return fail(d, "length %" PRId64 " beyond the data (%zu bytes left)", x, left(d));
    *n = (size_t)x;
    return 0;
}

/* --- writing JSON as Jackson does -------------------------------------------------------- */

/* One escaped character, or 0 when c needs no escape. */
static size_t escape(unsigned c, char esc[7])
{
    static const char hex[] = "0123456789ABCDEF";
    const char *shorts = "\b\t\n\f\r\"\\", *letters = "btnfr\"\\";
    const char *k = c ? strchr(shorts, (int)c) : NULL;
    if (k) {
        esc[0] = '\\', esc[1] = letters[k - shorts];
        return 2;
    }
    if (c >= 0x20)
        return 0;
    memcpy(esc, "\\u00", 4);
    esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
    return 6;
}

/* s (n bytes) as a JSON string; latin1: each byte is a code point (bytes, fixed), else s must
 * be valid UTF-8 (string). Runs that need no escape are copied whole. */
static int put_string(dec_t *d, const unsigned char *s, size_t n, bool latin1)
{
    const unsigned char *q = s, *end = s + n, *run = s;
    if (kr_buf_reserve(d->out, n + 2) || put(d, "\"", 1))
        return too_large(d);
    while (q < end) {
        /* runs with nothing to escape or check as UTF-8, in blocks: strings are the bulk */
        q = (const unsigned char *)fmt_simd_scan_plain((const char *)q, (const char *)end);
        if (q == end)
            break;
        unsigned c = *q, cp = 0;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            q++;
            continue;
        }
        if (c >= 0x80 && !latin1) {
            size_t u = avs__utf8_next(q, end, &cp);
            if (!u)
                return fail(d, "invalid UTF-8 in a string at offset %zu of %zu", (size_t)(q - s),
                            n);
            q += u;
            continue;
        }
        char esc[7];
        size_t k = escape(c, esc);
        if (!k) { /* a byte 0x80-0xFF is the code point U+0080-U+00FF, in UTF-8 */
            esc[0] = (char)(0xC0 | (c >> 6)), esc[1] = (char)(0x80 | (c & 0x3F));
            k = 2;
        }
        if (put(d, run, (size_t)(q - run)) || put(d, esc, k))
            return -1;
        run = ++q;
    }
    return put(d, run, (size_t)(q - run)) || put(d, "\"", 1) ? -1 : 0;
}

static int put_int(dec_t *d, int64_t v)
{
    char text[24];
    size_t n = sizeof(text);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        text[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        text[--n] = '-';
    return put(d, text + n, sizeof(text) - n);
}

/* Java's Double.toString / Float.toString (JDK 19 and later): the shortest digits, but at
 * least two, that read back as the same value; plain between 1e-3 and 1e7, else d.dddE<n>. */
static int put_real(dec_t *d, double v, bool is_float)
{
    if (isnan(v))
        return puts_(d, "\"NaN\"");
    if (isinf(v))
        return puts_(d, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    if (v == 0)
        return puts_(d, signbit(v) ? "-0.0" : "0.0");
    char sci[40];
    for (int prec = 1; prec < 17; prec++) {
        snprintf(sci, sizeof(sci), "%.*e", prec, v);
        if (is_float ? strtof(sci, NULL) == (float)v : strtod(sci, NULL) == v)
            break;
    }
    char digits[24];
    size_t nd = 0;
    const char *q = sci + (sci[0] == '-');
    for (; *q && *q != 'e'; q++)
        if (*q != '.')
            digits[nd++] = *q;
    int exp = (int)strtol(q + 1, NULL, 10);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    char text[64];
    size_t t = 0;
    if (v < 0)
        text[t++] = '-';
    if (exp >= -3 && exp < 7) {
        if (exp < 0) {
            text[t++] = '0', text[t++] = '.';
            for (int i = -1; i > exp; i--)
                text[t++] = '0';
            for (size_t i = 0; i < nd; i++)
                text[t++] = digits[i];
        } else {
            for (int i = 0; i <= exp; i++)
                text[t++] = (size_t)i < nd ? digits[i] : '0';
            text[t++] = '.';
            if ((size_t)exp + 1 >= nd)
                text[t++] = '0';
            for (size_t i = (size_t)exp + 1; i < nd; i++)
                text[t++] = digits[i];
        }
        return put(d, text, t);
    }
    text[t++] = digits[0], text[t++] = '.';
    if (nd == 1)
        text[t++] = '0';
    for (size_t i = 1; i < nd; i++)
        text[t++] = digits[i];
    t += (size_t)snprintf(text + t, sizeof(text) - t, "E%d", exp);
    return put(d, text, t);
}

/* --- values ------------------------------------------------------------------------------ */

static int decode_value(dec_t *d, const avs_node_t *n);

/* The fewest bytes a value of n can take (0 for records deeper than 16: a lower bound). */
static size_t min_size(const avs_node_t *n, int depth)
{
    switch (n->type) {
    case AVS_NULL:
        return 0;
    case AVS_FLOAT:
        return 4;
    case AVS_DOUBLE:
        return 8;
    case AVS_FIXED:
        return (size_t)n->size;
    case AVS_RECORD: {
        size_t sum = 0;
        for (size_t i = 0; depth < 16 && i < n->n_fields && sum < (1u << 20); i++)
            sum += min_size(n->fields[i].type, depth + 1);
        return sum;
    }
    default:
        return 1;
    }
}

/* A block's item count (a negative count is followed by the block's byte size), checked
 * against the bytes left. */
static int block_count(dec_t *d, const avs_node_t *n, int64_t *count)
{
    int64_t bytes = 0;
    if (read_long(d, count))
        return -1;
    if (*count < 0) {
        if (*count == INT64_MIN)
            return fail(d, "invalid block count");
        *count = -*count;
        if (read_long(d, &bytes))
            return -1;
        if (bytes < 0 || (uint64_t)bytes > left(d))
            return fail(d, "block size %" PRId64 " beyond the data", bytes);
    }
    size_t min = n->type == AVS_MAP ? 1 + min_size(n->items, 0) : min_size(n->items, 0);
    if (min && (uint64_t)*count > left(d) / min)
        return fail(d, "block of %" PRId64 " items beyond the data (%zu bytes left)", *count,
                    left(d));
    if (!min) {
        if ((uint64_t)*count > d->budget)
            return fail(d, "more than %u items with an empty encoding", ZERO_SIZE_ITEMS);
        d->budget -= (size_t)*count;
    }
    return 0;
}

static int decode_items(dec_t *d, const avs_node_t *n)
{
    bool map = n->type == AVS_MAP, first = true;
    if (put(d, map ? "{" : "[", 1))
        return -1;
    for (;;) {
        int64_t count = 0;
        if (block_count(d, n, &count))
            return -1;
        if (count == 0)
            break;
        for (int64_t i = 0; i < count; i++) {
            size_t len = 0;
            if (!first && put(d, ",", 1))
                return -1;
            first = false;
            if (map && (read_length(d, &len) || put_string(d, d->p, len, false) || put(d, ":", 1)))
                return -1;
            d->p += len;
            if (decode_value(d, n->items))
                return -1;
        }
    }
    return put(d, map ? "}" : "]", 1);
}

static int decode_record(dec_t *d, const avs_node_t *n)
{
    if (put(d, "{", 1))
        return -1;
    for (size_t i = 0; i < n->n_fields; i++) {
        const char *name = n->fields[i].name;
        if ((i && put(d, ",", 1)) ||
            put_string(d, (const unsigned char *)name, strlen(name), false) || put(d, ":", 1) ||
            decode_value(d, n->fields[i].type))
            return -1;
    }
    return put(d, "}", 1);
}

static int decode_union(dec_t *d, const avs_node_t *n)
{
    int32_t i = 0;
    if (read_int(d, &i))
        return -1;
    if (i < 0 || (size_t)i >= n->n_branches)
        return fail(d, "union index %d out of range (%zu branches)", (int)i, n->n_branches);
    const avs_node_t *b = n->branches[i];
    if (b->type == AVS_NULL)
        return puts_(d, "null");
    const char *name = b->fullname ? b->fullname : avs__type_name(b->type);
    if (put(d, "{", 1) || put_string(d, (const unsigned char *)name, strlen(name), false) ||
        put(d, ":", 1) || decode_value(d, b))
        return -1;
    return put(d, "}", 1);
}

static int decode_fixed_size(dec_t *d, size_t n, const unsigned char **p)
{
    if (left(d) < n)
        return fail(d, "truncated: %zu bytes needed, %zu left", n, left(d));
    *p = d->p;
    d->p += n;
    return 0;
}

static int decode_number(dec_t *d, avs_type_t t)
{
    int64_t v = 0;
    int32_t i = 0;
    const unsigned char *p = NULL;
    switch (t) {
    case AVS_INT:
        if (read_int(d, &i))
            return -1;
        return put_int(d, i);
    case AVS_LONG:
        if (read_long(d, &v))
            return -1;
        return put_int(d, v);
    case AVS_FLOAT: {
        if (decode_fixed_size(d, 4, &p))
            return -1;
        uint32_t u =
            (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        float f;
        memcpy(&f, &u, 4);
        return put_real(d, f, true);
    }
    default: {
        if (decode_fixed_size(d, 8, &p))
            return -1;
        uint64_t u = 0;
        for (int k = 7; k >= 0; k--)
            u = u << 8 | p[k];
        double x;
        memcpy(&x, &u, 8);
        return put_real(d, x, false);
    }
    }
}

static int decode_scalar(dec_t *d, const avs_node_t *n)
{
    size_t len = 0;
    int32_t i = 0;
    const unsigned char *p = NULL;
    switch (n->type) {
    case AVS_NULL:
        return puts_(d, "null");
    case AVS_BOOLEAN:
        if (decode_fixed_size(d, 1, &p))
            return -1;
        if (*p > 1)
            return fail(d, "invalid boolean byte %u", *p);
        return puts_(d, *p ? "true" : "false");
    case AVS_BYTES:
    case AVS_STRING:
        if (read_length(d, &len) || decode_fixed_size(d, len, &p))
            return -1;
        return put_string(d, p, len, n->type == AVS_BYTES);
    case AVS_FIXED:
        if (decode_fixed_size(d, (size_t)n->size, &p))
            return -1;
        return put_string(d, p, (size_t)n->size, true);
    case AVS_ENUM:
        if (read_int(d, &i))
            return -1;
        if (i < 0 || (size_t)i >= n->n_symbols)
            return fail(d, "enum index %d out of range (%zu symbols)", (int)i, n->n_symbols);
        return put_string(d, (const unsigned char *)n->symbols[i], strlen(n->symbols[i]), false);
    default:
        return decode_number(d, n->type);
    }
}

static int decode_value(dec_t *d, const avs_node_t *n)
{
    if (++d->depth > AVS_MAX_DEPTH)
        return fail(d, "nesting deeper than %d", AVS_MAX_DEPTH);
    int rc;
    switch (n->type) {
    case AVS_RECORD:
        rc = decode_record(d, n);
        break;
    case AVS_ARRAY:
    case AVS_MAP:
        rc = decode_items(d, n);
        break;
    case AVS_UNION:
        rc = decode_union(d, n);
        break;
    default:
        rc = decode_scalar(d, n);
        break;
    }
    d->depth--;
    return rc;
}

int avs_decode_to_json(const avs_schema_t *s, const void *data, size_t len, kr_buf_t *out,
                       kr_err_t *err)
{
    kr_err_t local;
    const unsigned char *p = data ? data : (const void *)"";
    dec_t d = {.start = p,
               .p = p,
               .end = p + len,
               .out = out,
               .err = err ? err : &local,
               .budget = ZERO_SIZE_ITEMS};
    size_t base = out->len;
    kr_err_clear(d.err);
    int rc = decode_value(&d, s->root);
    if (rc == 0 && d.p != d.end)
        rc = fail(&d, "%zu bytes after the datum", left(&d));
    if (rc != 0 && out->data) {
        out->len = base;
        out->data[base] = '\0';
    }
    return rc;
}
