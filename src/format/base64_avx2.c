/* format/base64_avx2.c -- the AVX2 block loops of format/base64.c: 32 characters decoded to 24
 * bytes, and 24 bytes encoded to 32 characters, a step. base64.c calls them only on a CPU that
 * has AVX2 (fmt_simd_avx2()) and finishes the tail, and the last group with its '=',
 * with the scalar code. Pure; threads: any.
 *
 * DECODING a block: each character's high and low nibbles index two 16-byte tables whose AND
 * is non-zero exactly for characters outside the alphabet (one class bit per group of high
 * nibbles, set in the low-nibble table for the low nibbles that group does not allow); then a
 * per-high-nibble offset turns ASCII into 6-bit values ('/' shares its high nibble with '+' and
 * is moved to an entry of its own); multiply-adds pack four 6-bit values into 3 bytes per
 * 32-bit lane, and two shuffles make the 24 bytes contiguous.
 * ENCODING a block: each 32-bit lane gets the bytes (b1, b0, b2, b1) of its 3-byte group, so
 * that a mask and a multiply per 16-bit half put the four 6-bit indices in the lane's four
 * bytes; indices are turned into ASCII with one offset per range (A-Z, a-z, 0-9, +, /). */
#include "format/base64_int.h"

#if KR_BASE64_HAVE_AVX2

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

/* Bits of the class of each high nibble; a character is invalid when its low nibble's entry
 * has its class bit. */
#define C_NONE 0x10 /* 0x0_, 0x1_, 0x8_-0xf_: nothing valid */
#define C_2    0x01 /* 0x2_: '+' (b) and '/' (f) */
#define C_3    0x02 /* 0x3_: '0'-'9' */
#define C_46   0x04 /* 0x4_, 0x6_: 'A'/'a'-'O'/'o' (not 0x40, 0x60) */
#define C_57   0x08 /* 0x5_, 0x7_: 'P'/'p'-'Z'/'z' (0-a) */

AVX2 static __m256i table16(const int8_t t[16])
{
    __m128i x = _mm_loadu_si128((const __m128i *)t);
    return _mm256_broadcastsi128_si256(x);
}

AVX2 size_t kr_base64_decode_avx2(const uint8_t *in, size_t n, uint8_t *out, int *bad)
{
    static const int8_t hi_class[16] = {C_NONE, C_NONE, C_2,    C_3,    C_46,   C_57,
                                        C_46,   C_57,   C_NONE, C_NONE, C_NONE, C_NONE,
                                        C_NONE, C_NONE, C_NONE, C_NONE};
    /* by low nibble: the classes in which it is not allowed (C_2 but for b and f, C_3 from a,
     * C_46 for 0, C_57 from b) */
    static const int8_t lo_class[16] = {0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                        0x11, 0x11, 0x13, 0x1a, 0x1b, 0x1b, 0x1b, 0x1a};
    /* ASCII to value, by high nibble; index 1 is '/' (its high nibble 2, minus 1) */
    static const int8_t offset[16] = {0,    63 - '/', 62 - '+', 52 - '0',
                                      -'A', -'A',     26 - 'a', 26 - 'a'};
    const __m256i lut_lo = table16(lo_class), lut_hi = table16(hi_class);
    const __m256i lut_off = table16(offset);
    const __m256i nib = _mm256_set1_epi8(0x0f), slash = _mm256_set1_epi8('/');
    const __m256i pack_ab = _mm256_set1_epi32(0x01400140),
                  pack_abcd = _mm256_set1_epi32(0x00011000);
    const __m256i order = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
                                           2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    const __m256i squeeze = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
    size_t done = 0;
    *bad = 0;
    for (; done + 32 <= n; done += 32) {
        __m256i s = _mm256_loadu_si256((const __m256i *)(in + done));
        __m256i hi = _mm256_and_si256(_mm256_srli_epi32(s, 4), nib);
        __m256i lo = _mm256_and_si256(s, nib);
        __m256i cls =
            _mm256_and_si256(_mm256_shuffle_epi8(lut_lo, lo), _mm256_shuffle_epi8(lut_hi, hi));
        if (!_mm256_testz_si256(cls, cls)) {
            *bad = 1;
            break;
        }
        __m256i idx = _mm256_add_epi8(hi, _mm256_cmpeq_epi8(s, slash));
        __m256i v = _mm256_add_epi8(s, _mm256_shuffle_epi8(lut_off, idx));
        v = _mm256_madd_epi16(_mm256_maddubs_epi16(v, pack_ab), pack_abcd);
        v = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(v, order), squeeze);
        uint8_t *o = out + done / 4 * 3;
        _mm_storeu_si128((__m128i *)o, _mm256_castsi256_si128(v));
        _mm_storel_epi64((__m128i *)(o + 16), _mm256_extracti128_si256(v, 1));
    }
    return done;
}

AVX2 size_t kr_base64_encode_avx2(const uint8_t *in, size_t n, char *out)
{
    /* ASCII offset by reduced index: 0 = a-z, 1..10 = 0-9, 11 = '+', 12 = '/', 13 = A-Z */
    static const int8_t offset[16] = {'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                                      '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '+' - 62,
                                      '/' - 63, 'A' - 0,  0,        0};
    const __m256i lut = table16(offset);
    const __m256i spread = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10, 1, 0,
                                            2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
    const __m256i m02 = _mm256_set1_epi32(0x0fc0fc00), mul02 = _mm256_set1_epi32(0x04000040);
    const __m256i m13 = _mm256_set1_epi32(0x003f03f0), mul13 = _mm256_set1_epi32(0x01000010);
    const __m256i c51 = _mm256_set1_epi8(51), c26 = _mm256_set1_epi8(26),
                  c13 = _mm256_set1_epi8(13);
    size_t done = 0;
    /* each half loads 16 bytes and uses 12: the last load ends 4 bytes past the block */
    for (; done + 28 <= n; done += 24) {
        __m128i a = _mm_loadu_si128((const __m128i *)(in + done));
        __m128i b = _mm_loadu_si128((const __m128i *)(in + done + 12));
        __m256i s =
            _mm256_shuffle_epi8(_mm256_inserti128_si256(_mm256_castsi128_si256(a), b, 1), spread);
        __m256i i02 = _mm256_mulhi_epu16(_mm256_and_si256(s, m02), mul02);
        __m256i i13 = _mm256_mullo_epi16(_mm256_and_si256(s, m13), mul13);
        __m256i idx = _mm256_or_si256(i02, i13);
        __m256i red = _mm256_subs_epu8(idx, c51);
        red = _mm256_or_si256(red, _mm256_and_si256(_mm256_cmpgt_epi8(c26, idx), c13));
        __m256i chars = _mm256_add_epi8(idx, _mm256_shuffle_epi8(lut, red));
        _mm256_storeu_si256((__m256i *)(out + done / 3 * 4), chars);
    }
    return done;
}

#endif
