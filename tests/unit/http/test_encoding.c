/* tests/unit/http/test_encoding.c -- http/encoding (Accept-Encoding negotiation, codec lists),
 * http/compress (the sample, every codec) and http/inflate (every codec back, the limit).
 * Threads: single. */
#include "http/compress.h"
#include "http/encoding.h"
#include "http/inflate.h"
#include "util/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static http_coding_t pick(const char *ae)
{
    return http_encoding_choose(ae, HTTP_CODINGS_ALL).coding;
}

static void test_choose(void **state)
{
    (void)state;
    assert_int_equal(pick(NULL), HTTP_CODING_IDENTITY);
    assert_int_equal(pick(""), HTTP_CODING_IDENTITY);
    assert_int_equal(pick("gzip"), HTTP_CODING_GZIP);
    assert_int_equal(pick("gzip, deflate"), HTTP_CODING_GZIP);
    assert_int_equal(pick("gzip, deflate, br, zstd"), HTTP_CODING_ZSTD);
    assert_int_equal(pick("deflate;q=0.9, gzip;q=0.8"), HTTP_CODING_DEFLATE);
    assert_int_equal(pick("*"), HTTP_CODING_ZSTD);
    assert_int_equal(pick("*;q=0.1, br;q=0.2"), HTTP_CODING_BR);
    assert_int_equal(pick("gzip;q=0"), HTTP_CODING_IDENTITY);
    assert_int_equal(pick("identity, gzip;q=0.5"), HTTP_CODING_IDENTITY);
    assert_int_equal(pick("lzma, x-gzip"), HTTP_CODING_GZIP);
    assert_int_equal(pick("gzip;q=1.5"), HTTP_CODING_IDENTITY);
    assert_int_equal(pick(" GZip ; Q=0.001 "), HTTP_CODING_GZIP);
    assert_int_equal(pick("identity;q=0"), HTTP_CODING_NONE);
    assert_int_equal(pick("*;q=0"), HTTP_CODING_NONE);
    assert_int_equal(pick("*;q=0, identity"), HTTP_CODING_IDENTITY);
    http_encoding_choice_t ch = http_encoding_choose("identity;q=0, gzip", HTTP_CODINGS_ALL);
    assert_int_equal(ch.coding, HTTP_CODING_GZIP);
    assert_false(ch.identity_ok);
    /* Only what is offered. */
    assert_int_equal(http_encoding_choose("br", HTTP_CODING_BIT(HTTP_CODING_GZIP)).coding,
                     HTTP_CODING_IDENTITY);
    assert_int_equal(http_encoding_choose("br, identity;q=0", 0).coding, HTTP_CODING_NONE);
}

static void test_codings_parse(void **state)
{
    (void)state;
    unsigned mask = 0;
    kr_err_t err = {0};
    assert_int_equal(http_codings_parse("zstd, gzip", &mask, &err), 0);
    assert_int_equal(mask, HTTP_CODING_BIT(HTTP_CODING_ZSTD) | HTTP_CODING_BIT(HTTP_CODING_GZIP));
    assert_int_equal(http_codings_parse("", &mask, &err), 0);
    assert_int_equal(mask, 0);
    assert_int_equal(http_codings_parse("gzip,lzma", &mask, &err), -1);
    assert_non_null(strstr(err.msg, "lzma"));
    assert_int_equal(http_codings_parse("identity", &mask, &err), -1);
}

/* A compressible body: JSON records with repeated names. */
static char *json_body(size_t n, size_t *len)
{
    char *b = xmalloc(n + 64);
    size_t o = 0;
    for (unsigned i = 0; o + 64 < n; i++)
        o += (size_t)snprintf(b + o, 64, "{\"id\":%u,\"name\":\"user-%u\",\"n\":%u},", i, i % 50,
                              i % 7);
    *len = o;
    return b;
}

static void test_every_codec_round_trips(void **state)
{
    (void)state;
    size_t n;
    char *body = json_body(200000, &n);
    for (int c = HTTP_CODING_GZIP; c < HTTP_CODING_COUNT; c++) {
        size_t zn = 0;
        char *z = http_compress_if_pays((http_coding_t)c, 1, false, body, n, &zn);
        assert_non_null(z);
        assert_true(zn < n / 4);
        kr_buf_t out;
        kr_buf_init(&out, n);
        kr_err_t err = {0};
        assert_int_equal(http_inflate((http_coding_t)c, z, zn, &out, &err), 0);
        assert_int_equal(out.len, n);
        assert_memory_equal(out.data, body, n);
        kr_buf_deinit(&out);
        /* One byte less room: 413, for every codec. */
        kr_buf_init(&out, n - 1);
        assert_int_equal(http_inflate((http_coding_t)c, z, zn, &out, &err), -1);
        assert_int_equal(err.code, KR_ERR_TOO_LARGE);
        kr_buf_deinit(&out);
        xfree(z);
    }
    xfree(body);
}

/* zlib, an independent decoder: the whole stream, its checksum and its end. */
static size_t zlib_inflate(bool gzip, const char *z, size_t zn, char *out, size_t cap)
{
    z_stream s = {0};
    assert_int_equal(inflateInit2(&s, gzip ? 31 : 15), Z_OK);
    s.next_in = (Bytef *)z;
    s.avail_in = (uInt)zn;
    s.next_out = (Bytef *)out;
    s.avail_out = (uInt)cap;
    assert_int_equal(inflate(&s, Z_FINISH), Z_STREAM_END);
    assert_int_equal(s.avail_in, 0);
    size_t got = s.total_out;
    inflateEnd(&s);
    return got;
}

/* A large gzip or deflate body (a consumer read of several MiB) is one valid stream, for zlib
 * (what clients decode with) and for krest's own decoder. */
static void test_large_body_round_trips(void **state)
{
    (void)state;
    size_t n;
    char *body = json_body(((size_t)2 << 20) + 777, &n);
    char *back = xmalloc(n + 1);
    for (int c = HTTP_CODING_GZIP; c <= HTTP_CODING_DEFLATE; c++) {
        size_t zn = 0;
        char *z = http_compress((http_coding_t)c, 1, body, n, &zn);
        assert_non_null(z);
        assert_true(zn < n / 4);
        assert_int_equal(zlib_inflate(c == HTTP_CODING_GZIP, z, zn, back, n + 1), n);
        assert_memory_equal(back, body, n);
        kr_buf_t out;
        kr_buf_init(&out, n);
        kr_err_t err = {0};
        assert_int_equal(http_inflate((http_coding_t)c, z, zn, &out, &err), 0);
        assert_int_equal(out.len, n);
        assert_memory_equal(out.data, body, n);
        kr_buf_deinit(&out);
        xfree(z);
    }
    xfree(back);
    xfree(body);
}

static void test_incompressible_not_compressed(void **state)
{
    (void)state;
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 300000;
    char *body = xmalloc(n);
    srand(7);
    for (size_t i = 0; i < n; i++)
        body[i] = b64[rand() % 64];
    assert_false(http_compress_sample_pays(body, n));
    size_t zn = 0;
    assert_null(http_compress_if_pays(HTTP_CODING_GZIP, 1, false, body, n, &zn));
    /* identity refused: compressed anyway. */
    char *z = http_compress_if_pays(HTTP_CODING_GZIP, 1, true, body, n, &zn);
    assert_non_null(z);
    xfree(z);
    xfree(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choose),
        cmocka_unit_test(test_codings_parse),
        cmocka_unit_test(test_every_codec_round_trips),
        cmocka_unit_test(test_large_body_round_trips),
        cmocka_unit_test(test_incompressible_not_compressed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
