/* format/simd.c -- the AVX2 check and the plain-string scan (see simd.h): 32 bytes a step with
 * AVX2, else 8 bytes a step with word tricks, then a byte at a time. Pure; threads: any. */
#include "format/simd.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_AVX2 1
#include <immintrin.h>
#else
#define HAVE_AVX2 0
#endif

/* 1: AVX2 in use, 0: not, -1: the CPU not asked yet */
static int avx2 = -1;

static int cpu_avx2(void)
{
#if HAVE_AVX2
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    return 0;
#endif
}

bool fmt_simd_avx2(void)
{
    int a = __atomic_load_n(&avx2, __ATOMIC_RELAXED);
    if (a < 0) {
        a = cpu_avx2();
        __atomic_store_n(&avx2, a, __ATOMIC_RELAXED);
    }
    return a == 1;
}

void fmt_simd_enable(bool on)
{
    __atomic_store_n(&avx2, on ? cpu_avx2() : 0, __ATOMIC_RELAXED);
}

/* Whether any of the 8 bytes of x is special (the classic exact "has a byte less than n" and
 * "has a zero byte" tests, on x, x ^ '"' and x ^ '\\'). */
static bool word_special(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t quote = x ^ (ones * '"'), bslash = x ^ (ones * '\\');
    uint64_t lt = (x - ones * 0x20) & ~x;
    uint64_t zq = (quote - ones) & ~quote;
    uint64_t zb = (bslash - ones) & ~bslash;
    return ((x | lt | zq | zb) & highs) != 0;
}

#if HAVE_AVX2
/* Whole blocks of 32 bytes; @return the first special byte, or where the blocks ended. */
__attribute__((target("avx2"))) static const char *scan_avx2(const char *p, const char *end)
{
    const __m256i quote = _mm256_set1_epi8('"'), bslash = _mm256_set1_epi8('\\');
    const __m256i space = _mm256_set1_epi8(0x20);
    for (; end - p >= 32; p += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)p);
        /* signed: bytes >= 0x80 are negative, so "less than 0x20" takes them too */
        __m256i special = _mm256_or_si256(
            _mm256_cmpgt_epi8(space, v),
            _mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, bslash)));
        uint32_t mask = (uint32_t)_mm256_movemask_epi8(special);
        if (mask)
            return p + __builtin_ctz(mask);
    }
    return p;
}
#endif

static bool byte_special(unsigned char c)
{
    return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

const char *fmt_simd_scan_plain(const char *p, const char *end)
{
#if HAVE_AVX2
    if (end - p >= 32 && fmt_simd_avx2()) {
        p = scan_avx2(p, end);
        if (end - p >= 32)
            return p; /* stopped at a special byte */
    }
#endif
    for (; end - p >= 8; p += 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        if (word_special(x))
            break;
    }
    while (p < end && !byte_special((unsigned char)*p))
        p++;
    return p;
}
