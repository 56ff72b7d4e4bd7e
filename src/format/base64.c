/* format/base64.c -- strict base64: AVX2 blocks where the CPU has them (format/base64_avx2.c),
 * a 256-entry table for the rest. Pure; threads: any. */
#include "format/base64.h"

#include "format/base64_int.h"
#include "format/simd.h"

#include <stdbool.h>
#include <string.h>

#define BAD 0xff

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* value of each character, BAD for anything outside the alphabet (including '=') */
static uint8_t table[256];
static bool table_ready;

static void init_table(void)
{
    for (int i = 0; i < 256; i++)
        table[i] = BAD;
    for (int i = 0; i < 64; i++)
        table[(uint8_t)alphabet[i]] = (uint8_t)i;
    __atomic_store_n(&table_ready, true, __ATOMIC_RELEASE);
}

size_t fmt_base64_decoded_max(size_t n)
{
    return n / 4 * 3 + 3;
}

/* Decodes the last group of 4 characters, which may end in "=" or "==". */
static long decode_last(const uint8_t *in, uint8_t *out)
{
    uint8_t a = table[in[0]], b = table[in[1]];
    if ((a | b) & 0xc0)
        return -1;
    if (in[2] == '=') {
        if (in[3] != '=')
            return -1;
        out[0] = (uint8_t)(a << 2 | b >> 4);
        return 1;
    }
    uint8_t c = table[in[2]];
    if (c == BAD)
        return -1;
    if (in[3] == '=') {
        out[0] = (uint8_t)(a << 2 | b >> 4);
        out[1] = (uint8_t)(b << 4 | c >> 2);
        return 2;
    }
    uint8_t d = table[in[3]];
    if (d == BAD)
        return -1;
    out[0] = (uint8_t)(a << 2 | b >> 4);
    out[1] = (uint8_t)(b << 4 | c >> 2);
    out[2] = (uint8_t)(c << 6 | d);
    return 3;
}

long fmt_base64_decode(const char *in_chars, size_t n, uint8_t *out)
{
    if (!__atomic_load_n(&table_ready, __ATOMIC_ACQUIRE))
        init_table();
    const uint8_t *in = (const uint8_t *)in_chars;
    if (n % 4 != 0)
        return -1;
    if (n == 0)
        return 0;
    size_t full = n - 4; /* the last group, which may hold '=', is decode_last's */
    size_t i = 0;
#if KR_BASE64_HAVE_AVX2
    if (full >= 32 && fmt_simd_avx2()) {
        int bad;
        i = kr_base64_decode_avx2(in, full, out, &bad);
        if (bad)
            return -1;
    }
#endif
    uint8_t *o = out + i / 4 * 3;
    for (; i < full; i += 4) {
        uint32_t a = table[in[i]], b = table[in[i + 1]], c = table[in[i + 2]], d = table[in[i + 3]];
        if ((a | b | c | d) & 0xc0) /* BAD has the high bits set, valid values never */
            return -1;
        uint32_t v = a << 18 | b << 12 | c << 6 | d;
        o[0] = (uint8_t)(v >> 16);
        o[1] = (uint8_t)(v >> 8);
        o[2] = (uint8_t)v;
        o += 3;
    }
    long last = decode_last(in + full, o);
    if (last < 0)
        return -1;
    return (long)(o - out) + last;
}

size_t fmt_base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

/* Two output characters per 12 input bits: a table load and a 2-byte store each, six input
 * bytes a step (2.3 times the speed of a character at a time, measured on 1 KiB; consumer reads
 * encode every binary record). */
static char pairs[4096][2];
static bool pairs_ready;

static void init_pairs(void)
{
    for (int i = 0; i < 4096; i++) {
        pairs[i][0] = alphabet[i >> 6];
        pairs[i][1] = alphabet[i & 63];
    }
    __atomic_store_n(&pairs_ready, true, __ATOMIC_RELEASE);
}

/* The first 6 bytes in memory of w (as loaded by memcpy), big-endian, in its low 48 bits. */
static uint64_t load_be48(uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap64(w) >> 16;
#else
    return w >> 16;
#endif
}

void fmt_base64_encode(const uint8_t *in, size_t n, char *out)
{
    if (!__atomic_load_n(&pairs_ready, __ATOMIC_ACQUIRE))
        init_pairs();
    size_t i = 0;
#if KR_BASE64_HAVE_AVX2
    if (n >= 28 && fmt_simd_avx2()) {
        i = kr_base64_encode_avx2(in, n, out);
        out += i / 3 * 4;
    }
#endif
    /* Six bytes a step, from one 8-byte load (the last 2 bytes are left for the next step). */
    for (; i + 8 <= n; i += 6) {
        uint64_t w;
        memcpy(&w, in + i, 8);
        w = load_be48(w);
        memcpy(out, pairs[(w >> 36) & 0xfff], 2);
        memcpy(out + 2, pairs[(w >> 24) & 0xfff], 2);
        memcpy(out + 4, pairs[(w >> 12) & 0xfff], 2);
        memcpy(out + 6, pairs[w & 0xfff], 2);
        out += 8;
    }
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        memcpy(out, pairs[v >> 12], 2);
        memcpy(out + 2, pairs[v & 0xfff], 2);
        out += 4;
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        *out++ = alphabet[v >> 18];
        *out++ = alphabet[(v >> 12) & 63];
        *out++ = '=';
        *out++ = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        *out++ = alphabet[v >> 18];
        *out++ = alphabet[(v >> 12) & 63];
        *out++ = alphabet[(v >> 6) & 63];
        *out++ = '=';
    }
}
