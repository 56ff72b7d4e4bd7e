/* format/avro_codec_json.c -- the JSON text scanner of the Avro encoder (avro_codec.c): strict
 * RFC 8259 strings (escapes, surrogate pairs, UTF-8 checked) and numbers, read in place.
 * May use: util/. Threads: any. */
#include "format/avro_codec_int.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* --- UTF-8 ------------------------------------------------------------------------------- */

size_t avs__utf8_next(const unsigned char *s, const unsigned char *end, unsigned *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, c &= 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, c &= 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)(end - s) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

static void put_utf8(kr_buf_t *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    kr_buf_append(b, u, n); /* tmp has no limit: xrealloc aborts on out of memory */
}

/* --- JSON scanning ----------------------------------------------------------------------- */

/* The next non-space character (consumed: none), or -1 at the end. */
int avs__enc_peek(avs_enc_t *e)
{
    while (e->p < e->end && (*e->p == ' ' || *e->p == '\t' || *e->p == '\n' || *e->p == '\r'))
        e->p++;
    return e->p < e->end ? (unsigned char)*e->p : -1;
}

bool avs__enc_literal(avs_enc_t *e, const char *word, size_t n)
{
    if ((size_t)(e->end - e->p) < n || memcmp(e->p, word, n) != 0)
        return false;
    e->p += n;
    return true;
}

static bool is_digit(const char *p, const char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* A JSON number at e->p (RFC 8259 grammar); *is_int: no fraction and no exponent. */
int avs__enc_number(avs_enc_t *e, const char **s, size_t *n, bool *is_int)
{
    const char *q = e->p;
    if (q < e->end && *q == '-')
        q++;
    if (!is_digit(q, e->end))
        return avs__enc_syntax(e, "invalid number");
    if (*q == '0')
        q++;
    else
        while (is_digit(q, e->end))
            q++;
    *is_int = true;
    if (q < e->end && *q == '.') {
        if (!is_digit(++q, e->end))
            return avs__enc_syntax(e, "invalid number");
        while (is_digit(q, e->end))
            q++;
        *is_int = false;
    }
    if (q < e->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < e->end && (*q == '+' || *q == '-'))
            q++;
        if (!is_digit(q, e->end))
            return avs__enc_syntax(e, "invalid number");
        while (is_digit(q, e->end))
            q++;
        *is_int = false;
    }
    *s = e->p;
    *n = (size_t)(q - e->p);
    e->p = q;
    return 0;
}

static int hex4(const char *p, const char *end, unsigned *out)
{
    if (end - p < 4)
        return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d > 15)
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

/* One escape at e->p (the backslash), appended to e->tmp as UTF-8. */
static int unescape(avs_enc_t *e)
{
    if (e->end - e->p < 2)
        return avs__enc_syntax(e, "unterminated string");
    char c = e->p[1];
    const char *simple = strchr("\"\\/bfnrt", c);
    if (c && simple) {
        kr_buf_putc(&e->tmp, "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"]);
        e->p += 2;
        return 0;
    }
    unsigned cp = 0, lo = 0;
    if (c != 'u' || hex4(e->p + 2, e->end, &cp))
        return avs__enc_syntax(e, "invalid escape in string");
    e->p += 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (e->end - e->p < 6 || e->p[0] != '\\' || e->p[1] != 'u' || hex4(e->p + 2, e->end, &lo) ||
            lo < 0xDC00 || lo > 0xDFFF)
            return avs__enc_syntax(e, "unpaired surrogate in string");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        e->p += 6;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return avs__enc_syntax(e, "unpaired surrogate in string");
    }
    put_utf8(&e->tmp, cp);
    return 0;
}

/* Checks the raw characters of a string from e->p up to a quote or backslash.
 * @return 0 with e->p there, or -1 (invalid character or the end of the text). */
static int string_run(avs_enc_t *e)
{
    const unsigned char *q = (const unsigned char *)e->p, *end = (const unsigned char *)e->end;
    while (q < end && *q != '"' && *q != '\\') {
        unsigned cp = 0;
        size_t k = *q < 0x80 ? 1 : avs__utf8_next(q, end, &cp);
        if (!k || *q < 0x20) {
            e->p = (const char *)q;
            return avs__enc_syntax(e,
                                   k ? "control character in string" : "invalid UTF-8 in string");
        }
        q += k;
    }
    e->p = (const char *)q;
    return q < end ? 0 : avs__enc_syntax(e, "unterminated string");
}

/* A JSON string at e->p (a quote), unescaped: *s points into the text when it has no escapes,
 * else into e->tmp (valid until the next scan). */
int avs__enc_string(avs_enc_t *e, const char **s, size_t *n)
{
    const char *begin = ++e->p;
    if (string_run(e))
        return -1;
    if (*e->p == '"') {
        *s = begin;
        *n = (size_t)(e->p++ - begin);
        return 0;
    }
    kr_buf_reset(&e->tmp);
    kr_buf_append(&e->tmp, begin, (size_t)(e->p - begin));
    while (*e->p == '\\') {
        if (unescape(e))
            return -1;
        begin = e->p;
        if (string_run(e))
            return -1;
        kr_buf_append(&e->tmp, begin, (size_t)(e->p - begin));
    }
    e->p++;
    *s = e->tmp.data;
    *n = e->tmp.len;
    return 0;
}
