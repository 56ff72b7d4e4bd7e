/* tests/unit/format/test_base64.c -- strict base64: round trips, RFC 4648 vectors, rejects. */
#include "format/base64.h"
#include "format/simd.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

/* Decodes the NUL-terminated s; @return the decoded length or -1, bytes in out. */
static long decode(const char *s, uint8_t *out, size_t room)
{
    size_t n = strlen(s);
    assert_true(fmt_base64_decoded_max(n) <= room);
    return fmt_base64_decode(s, n, out);
}

static void expect_reject(const char *s, size_t n)
{
    uint8_t out[64];
    assert_true(fmt_base64_decoded_max(n) <= sizeof(out));
    if (fmt_base64_decode(s, n, out) != -1)
        fail_msg("'%.*s' (%zu chars) was accepted", (int)n, s, n);
}

#define REJECT(s) expect_reject(s, sizeof(s) - 1)

static void test_round_trip(void **state)
{
    (void)state;
    srand(4648);
    uint8_t in[300], back[300 + 3];
    char enc[400 + 4];
    for (size_t n = 0; n <= 300; n++) {
        for (int rep = 0; rep < 4; rep++) {
            for (size_t i = 0; i < n; i++)
                in[i] = (uint8_t)(rep == 0 ? 0xff : rep == 1 ? 0 : rand());
            size_t elen = fmt_base64_encoded_len(n);
            assert_int_equal(elen, (n + 2) / 3 * 4);
            memset(enc, '#', sizeof(enc));
            fmt_base64_encode(in, n, enc);
            assert_int_equal(enc[elen], '#'); /* writes exactly elen chars */
            assert_true(fmt_base64_decoded_max(elen) >= n);
            long got = fmt_base64_decode(enc, elen, back);
            assert_int_equal(got, (long)n);
            assert_memory_equal(back, in, n);
        }
    }
}

static void test_rfc4648_vectors(void **state)
{
    (void)state;
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const coded[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                        "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char enc[16] = {0};
        size_t n = strlen(plain[i]);
        fmt_base64_encode((const uint8_t *)plain[i], n, enc);
        assert_int_equal(fmt_base64_encoded_len(n), strlen(coded[i]));
        assert_string_equal(enc, coded[i]);
        uint8_t dec[16];
        assert_int_equal(decode(coded[i], dec, sizeof(dec)), (long)n);
        assert_memory_equal(dec, plain[i], n);
    }
    /* the whole alphabet, including '+' and '/' */
    uint8_t dec[64];
    const char *all = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    assert_int_equal(decode(all, dec, sizeof(dec)), 48);
    static const uint8_t tail[3] = {0xf3, 0xdf, 0xbf}; /* "89+/" */
    assert_memory_equal(dec + 45, tail, 3);
    assert_int_equal(decode("+/+/", dec, sizeof(dec)), 3);
    static const uint8_t pm[3] = {0xfb, 0xff, 0xbf};
    assert_memory_equal(dec, pm, 3);
}

static void test_reject_chars(void **state)
{
    (void)state;
    REJECT("Zm9*");
    REJECT("Zm9 ");
    REJECT(" Zm9");
    REJECT("Zm\n9");
    REJECT("Zm9v\nYmFy");
    REJECT("Zm9vYmF\n");
    REJECT("Zm-v");    /* base64url */
    REJECT("Zm_v");    /* base64url */
    REJECT("Zm9\xc3"); /* non-ASCII */
    REJECT("\xff\xff\xff\xff");
    REJECT("Zm9v\x80Zm9");
    expect_reject("Zm\0v", 4); /* NUL */
    REJECT("Zm9.");
    REJECT("Zm9\\");
}

static void test_reject_length(void **state)
{
    (void)state;
    REJECT("Z");
    REJECT("Zm");
    REJECT("Zm9");
    REJECT("Zm9vY");
    REJECT("Zm9vYg");
    REJECT("Zm9vYg=");
    REJECT("Zm9vYmE");
    REJECT("Zg");  /* padding is required */
    REJECT("Zg="); /* ... in full */
    REJECT("Zm9vYg===");
}

static void test_reject_padding(void **state)
{
    (void)state;
    REJECT("=");
    REJECT("====");
    REJECT("a==="); /* '=' at position 1 of the last group */
    REJECT("ab=c"); /* '=' at position 2, then data */
    REJECT("Zg=a");
    REJECT("=Zg=");
    REJECT("Z=g=");
    REJECT("Zg==Zm8="); /* padding in a non-last group */
    REJECT("Zm8=Zm9v");
    REJECT("Zg==Zg==");
    REJECT("Zm=vZm9v");
    REJECT("Zm9v=m9v");
    REJECT("Zm9vZm9v====");
    REJECT("Zm9vYg=="
           "====");
}

static void test_unused_bits_ignored(void **state)
{
    (void)state;
    uint8_t out[16];
    /* 'Y' = 24 = 011000, 'R' = 17 = 010001: "a" (0x61) with non-zero unused bits */
    assert_int_equal(decode("YR==", out, sizeof(out)), 1);
    assert_int_equal(out[0], 'a');
    assert_int_equal(decode("YQ==", out, sizeof(out)), 1);
    assert_int_equal(out[0], 'a');
    assert_int_equal(decode("YWJ=", out, sizeof(out)), 2); /* "ab" with a stray low bit */
    assert_memory_equal(out, "ab", 2);
    assert_int_equal(decode("Zm9vYh==", out, sizeof(out)), 4);
    assert_memory_equal(out, "foob", 4);
    assert_int_equal(decode("//==", out, sizeof(out)), 1);
    assert_int_equal(out[0], 0xff);
}

static void test_decoded_max(void **state)
{
    (void)state;
    for (size_t n = 0; n < 64; n++)
        assert_true(fmt_base64_decoded_max(n) >= n / 4 * 3);
    assert_int_equal(fmt_base64_encoded_len(0), 0);
    assert_int_equal(fmt_base64_encoded_len(1), 4);
    assert_int_equal(fmt_base64_encoded_len(3), 4);
    assert_int_equal(fmt_base64_encoded_len(4), 8);
}

/* The AVX2 blocks and the scalar code agree on every byte value at every position of a string
 * long enough for several blocks: same verdict, same bytes, same encoding. */
static void test_simd_matches_scalar(void **state)
{
    (void)state;
    enum { N = 200 }; /* 6 decode blocks and the tail */
    uint8_t bytes[N / 4 * 3], simd_out[N], scalar_out[N];
    char text[N + 1], simd_enc[N + 8], scalar_enc[N + 8];
    srand(2);
    for (size_t i = 0; i < sizeof(bytes); i++)
        bytes[i] = (uint8_t)rand();
    fmt_simd_enable(false);
    fmt_base64_encode(bytes, sizeof(bytes), text);
    text[N] = '\0';
    for (size_t n = 0; n <= sizeof(bytes); n++) {
        fmt_simd_enable(true);
        fmt_base64_encode(bytes, n, simd_enc);
        fmt_simd_enable(false);
        fmt_base64_encode(bytes, n, scalar_enc);
        assert_memory_equal(simd_enc, scalar_enc, fmt_base64_encoded_len(n));
    }
    for (size_t pos = 0; pos < N; pos += 7) {
        for (int c = 0; c < 256; c++) {
            char t[N];
            memcpy(t, text, N);
            t[pos] = (char)c;
            fmt_simd_enable(true);
            long a = fmt_base64_decode(t, N, simd_out);
            fmt_simd_enable(false);
            long b = fmt_base64_decode(t, N, scalar_out);
            if (a != b)
                fail_msg("byte 0x%02x at %zu: simd %ld, scalar %ld", c, pos, a, b);
            if (a > 0)
                assert_memory_equal(simd_out, scalar_out, (size_t)a);
        }
    }
    fmt_simd_enable(true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_rfc4648_vectors),
        cmocka_unit_test(test_reject_chars),   cmocka_unit_test(test_reject_length),
        cmocka_unit_test(test_reject_padding), cmocka_unit_test(test_unused_bits_ignored),
        cmocka_unit_test(test_decoded_max),    cmocka_unit_test(test_simd_matches_scalar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
