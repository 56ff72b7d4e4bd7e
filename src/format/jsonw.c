/* format/jsonw.c -- streaming JSON writer. Pure; threads: one writer per thread. */
#include "format/jsonw.h"

#include "format/base64.h"

#include <string.h>

void fmt_jsonw_init(fmt_jsonw_t *w, kr_buf_t *out)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->first[0] = true;
}

static void put(fmt_jsonw_t *w, const char *s, size_t n)
{
    if (kr_buf_append(w->out, s, n) != 0)
        w->failed = true;
}

/* Writes the comma that separates this value from the previous one, if any. */
static void sep(fmt_jsonw_t *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth])
        put(w, ",", 1);
    w->first[w->depth] = false;
}

static void container_open(fmt_jsonw_t *w, char c)
{
    sep(w);
    put(w, &c, 1);
    if (w->depth + 1 >= FMT_JSONW_MAX_DEPTH) {
        w->failed = true;
        return;
    }
    w->depth++;
    w->first[w->depth] = true;
}

static void container_close(fmt_jsonw_t *w, char c)
{
    put(w, &c, 1);
    if (w->depth > 0)
        w->depth--;
}

void fmt_jsonw_obj_begin(fmt_jsonw_t *w)
{
    container_open(w, '{');
}

void fmt_jsonw_obj_end(fmt_jsonw_t *w)
{
    container_close(w, '}');
}

void fmt_jsonw_arr_begin(fmt_jsonw_t *w)
{
    container_open(w, '[');
}

void fmt_jsonw_arr_end(fmt_jsonw_t *w)
{
    container_close(w, ']');
}

size_t fmt_utf8_len(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0)
        return 0;
    unsigned char c = u[0];
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (len == 0 || c > 0xf4 || len > n)
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((u[k] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && u[1] < 0xa0) || (c == 0xed && u[1] > 0x9f) || (c == 0xf0 && u[1] < 0x90) ||
        (c == 0xf4 && u[1] > 0x8f))
        return 0; /* overlong, surrogate or past U+10FFFF */
    return len;
}

int fmt_json_quote(kr_buf_t *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = kr_buf_putc(out, '"');
    size_t start = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
            continue;
        if (c >= 0x80) {
            size_t len = fmt_utf8_len(s + i, n - i);
            if (len > 0) {
                i += len - 1;
                continue;
            }
            /* Not UTF-8 (JSON text must be): U+FFFD for the byte, never the raw byte. */
            rc |= kr_buf_append(out, s + start, i - start);
            rc |= kr_buf_append(out, "\\ufffd", 6);
            start = i + 1;
            continue;
        }
        rc |= kr_buf_append(out, s + start, i - start);
        start = i + 1;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t len = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0xf];
            len = 6;
        }
        rc |= kr_buf_append(out, esc, len);
    }
    if (rc == 0)
        rc = kr_buf_append(out, s + start, n - start);
    if (rc == 0)
        rc = kr_buf_putc(out, '"');
    return rc ? -1 : 0;
}

void fmt_jsonw_key(fmt_jsonw_t *w, const char *key)
{
    sep(w);
    if (fmt_json_quote(w->out, key, strlen(key)) != 0)
        w->failed = true;
    put(w, ":", 1);
    w->after_key = true;
}

void fmt_jsonw_strn(fmt_jsonw_t *w, const char *s, size_t n)
{
    sep(w);
    if (fmt_json_quote(w->out, s, n) != 0)
        w->failed = true;
}

void fmt_jsonw_str(fmt_jsonw_t *w, const char *s)
{
    if (!s) {
        fmt_jsonw_null(w);
        return;
    }
    fmt_jsonw_strn(w, s, strlen(s));
}

/* "00".."99": two digits per division (offsets, partitions and timestamps of every record
 * written go through here). */
static const char digit_pairs[] = "0001020304050607080910111213141516171819"
                                  "2021222324252627282930313233343536373839"
                                  "4041424344454647484950515253545556575859"
                                  "6061626364656667686970717273747576777879"
                                  "8081828384858687888990919293949596979899";

/* Digits of u in decimal (1..20): t = bits * 1233 / 4096 (1233 / 4096 ~ log10 2) is the
 * number of digits or one more, and one compare against 10^t settles which. */
static size_t dec_len(uint64_t u)
{
    static const uint64_t pow10[20] = {0ULL, /* not 1: 0 has one digit too */
                                       10ULL,
                                       100ULL,
                                       1000ULL,
                                       10000ULL,
                                       100000ULL,
                                       1000000ULL,
                                       10000000ULL,
                                       100000000ULL,
                                       1000000000ULL,
                                       10000000000ULL,
                                       100000000000ULL,
                                       1000000000000ULL,
                                       10000000000000ULL,
                                       100000000000000ULL,
                                       1000000000000000ULL,
                                       10000000000000000ULL,
                                       100000000000000000ULL,
                                       1000000000000000000ULL,
                                       10000000000000000000ULL};
    unsigned bits = 64 - (unsigned)__builtin_clzll(u | 1);
    size_t t = (bits * 1233) >> 12;
    return t + 1 - (u < pow10[t]);
}

/* Written from the last digit back, straight into out: no temporary and no variable-length
 * memcpy (a libc call per number, three numbers per consumed record). */
size_t fmt_json_i64(char *out, int64_t v)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t len = (v < 0) + dec_len(u);
    if (v < 0)
        out[0] = '-';
    char *t = out + len;
    while (u >= 100) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        *--t = digit_pairs[d + 1];
        *--t = digit_pairs[d];
    }
    if (u >= 10) {
        *--t = digit_pairs[u * 2 + 1];
        *--t = digit_pairs[u * 2];
    } else {
        *--t = (char)('0' + u);
    }
    return len;
}

void fmt_jsonw_int(fmt_jsonw_t *w, int64_t v)
{
    char num[FMT_JSON_I64_MAX];
    size_t n = fmt_json_i64(num, v);
    sep(w);
    put(w, num, n);
}

void fmt_jsonw_bool(fmt_jsonw_t *w, bool v)
{
    sep(w);
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
}

void fmt_jsonw_null(fmt_jsonw_t *w)
{
    sep(w);
    put(w, "null", 4);
}

void fmt_jsonw_base64(fmt_jsonw_t *w, const void *p, size_t n)
{
    sep(w);
    size_t len = fmt_base64_encoded_len(n);
    if (kr_buf_reserve(w->out, len + 2) != 0) {
        w->failed = true;
        return;
    }
    char *o = w->out->data + w->out->len;
    o[0] = '"';
    fmt_base64_encode(p, n, o + 1);
    o[len + 1] = '"';
    w->out->len += len + 2;
    w->out->data[w->out->len] = '\0';
}

void fmt_jsonw_raw(fmt_jsonw_t *w, const char *json, size_t n)
{
    sep(w);
    put(w, json, n);
}

int fmt_jsonw_finish(const fmt_jsonw_t *w)
{
    return w->failed || w->depth != 0 ? -1 : 0;
}
