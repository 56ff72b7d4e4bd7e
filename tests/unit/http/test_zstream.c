/* tests/unit/http/test_zstream.c -- http/zstream: every coding at levels 1, 2, 3 and 9, bodies
 * of JSON objects, random bytes and nothing, written in pieces of irregular sizes; the whole
 * stream decodes with the reference decoders (zlib, libzstd, libbrotlidec) to the input, and
 * after each piece the bytes so far decode to exactly the input so far (the sync flush).
 * Threads: single. */
#include "http/zstream.h"
#include "util/buf.h"
#include "util/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <brotli/decode.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

/* The pieces a body is written in; a body of nothing is written as three empty pieces. */
static const size_t PIECES[] = {1, 3, 0, 65536, 307200};
#define N_PIECES (sizeof(PIECES) / sizeof(PIECES[0]))
#define BODY_LEN (1 + 3 + 0 + 65536 + 307200)

static const int LEVELS[] = {1, 2, 3, 9};

typedef enum body_kind { BODY_JSON, BODY_RANDOM, BODY_EMPTY } body_kind_t;

static uint64_t rnd_state;

static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (uint32_t)(rnd_state >> 16);
}

/* JSON objects as bench/consume's jsonobj: orders with repeated field names and small numbers. */
static void fill_json(char *p, size_t n)
{
    kr_buf_t b;
    kr_buf_init(&b, 0);
    for (int i = 0; b.len < n; i++) {
        kr_buf_printf(&b,
                      "{\"order_id\":%d,\"customer\":\"customer-%u\",\"status\":\"%s\",\"items\":[",
                      100000 + i, rnd() % 500, i % 3 ? "paid" : "shipped");
        for (unsigned k = 0, items = 1 + rnd() % 6; k < items; k++)
            kr_buf_printf(&b, "%s{\"sku\":\"SKU-%u\",\"qty\":%u,\"price\":%u}", k ? "," : "",
                          rnd() % 50, 1 + rnd() % 4, 100 + rnd() % 4900);
        kr_buf_puts(&b, "]},");
    }
    memcpy(p, b.data, n);
    kr_buf_deinit(&b);
}

static char *make_body(body_kind_t kind, size_t *len)
{
    rnd_state = 0x9e3779b97f4a7c15ull;
    char *p = xmalloc(BODY_LEN);
    *len = kind == BODY_EMPTY ? 0 : BODY_LEN;
    if (kind == BODY_JSON)
        fill_json(p, BODY_LEN);
    else
        for (size_t i = 0; i < BODY_LEN; i++)
            p[i] = (char)rnd();
    return p;
}

typedef struct decoded {
    kr_buf_t out;
    bool ok;       /* no decoder error and no bytes after the stream's end */
    bool complete; /* the stream's end was reached */
} decoded_t;

static void decode_zlib(http_coding_t c, const char *in, size_t n, decoded_t *d)
{
    z_stream s = {0};
    assert_int_equal(inflateInit2(&s, c == HTTP_CODING_GZIP ? 31 : 15), Z_OK);
    s.next_in = (Bytef *)in;
    s.avail_in = (uInt)n;
    int rc;
    do {
        assert_int_equal(kr_buf_reserve(&d->out, 65536), 0);
        s.next_out = (Bytef *)d->out.data + d->out.len;
        s.avail_out = 65536;
        rc = inflate(&s, Z_SYNC_FLUSH);
        d->out.len += 65536 - s.avail_out;
    } while (rc == Z_OK && (s.avail_in > 0 || s.avail_out == 0));
    d->complete = rc == Z_STREAM_END;
    d->ok = (rc == Z_OK || rc == Z_BUF_ERROR || rc == Z_STREAM_END) && s.avail_in == 0;
    inflateEnd(&s);
}

static void decode_zstd(const char *in, size_t n, decoded_t *d)
{
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    assert_non_null(dc);
    ZSTD_inBuffer ib = {in, n, 0};
    size_t rc;
    bool full;
    do {
        assert_int_equal(kr_buf_reserve(&d->out, 65536), 0);
        ZSTD_outBuffer ob = {d->out.data + d->out.len, 65536, 0};
        rc = ZSTD_decompressStream(dc, &ob, &ib);
        d->out.len += ob.pos;
        full = ob.pos == ob.size;
    } while (!ZSTD_isError(rc) && rc != 0 && (ib.pos < ib.size || full));
    d->complete = rc == 0;
    d->ok = !ZSTD_isError(rc) && ib.pos == ib.size;
    ZSTD_freeDCtx(dc);
}

static void decode_br(const char *in, size_t n, decoded_t *d)
{
    BrotliDecoderState *s = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    assert_non_null(s);
    const uint8_t *next_in = (const uint8_t *)in;
    size_t avail_in = n;
    BrotliDecoderResult rc;
    do {
        assert_int_equal(kr_buf_reserve(&d->out, 65536), 0);
        uint8_t *next_out = (uint8_t *)d->out.data + d->out.len;
        size_t avail_out = 65536;
        rc = BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, NULL);
        d->out.len += 65536 - avail_out;
        /* With its input used up the decoder says NEEDS_MORE_INPUT even when it still holds
         * output that did not fit: ask it for that too. */
    } while (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT ||
             (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT && BrotliDecoderHasMoreOutput(s)));
    d->complete = rc == BROTLI_DECODER_RESULT_SUCCESS;
    d->ok = rc != BROTLI_DECODER_RESULT_ERROR && avail_in == 0;
    BrotliDecoderDestroyInstance(s);
}

/* Decodes in[0..n) of coding c with a streaming decoder fed only those bytes into d. */
static void decode(http_coding_t c, const char *in, size_t n, decoded_t *d)
{
    kr_buf_init(&d->out, 0);
    if (c == HTTP_CODING_ZSTD)
        decode_zstd(in, n, d);
    else if (c == HTTP_CODING_BR)
        decode_br(in, n, d);
    else
        decode_zlib(c, in, n, d);
}

/* Asserts that the n bytes at enc decode to exactly want[0..want_len), as a whole stream when
 * complete, else as a stream cut after a flush. */
static void assert_decodes(http_coding_t c, const kr_buf_t *enc, const char *want, size_t want_len,
                           bool complete)
{
    decoded_t d;
    decode(c, enc->data, enc->len, &d);
    if (!d.ok || d.complete != complete || d.out.len != want_len ||
        (want_len && memcmp(d.out.data, want, want_len) != 0))
        fail_msg("%s: %zu coded bytes decode to %zu bytes (want %zu; ok %d, complete %d)",
                 http_coding_name(c), enc->len, d.out.len, want_len, d.ok, d.complete);
    kr_buf_deinit(&d.out);
}

/* Writes body[0..len) in PIECES (or three empty pieces), checking the flush after each. */
static void check_stream(http_coding_t c, int level, const char *body, size_t len)
{
    http_zstream_t *z = http_zstream_new(c, level);
    assert_non_null(z);
    kr_buf_t enc;
    kr_buf_init(&enc, 0);
    size_t off = 0;
    for (size_t i = 0; i < (len ? N_PIECES : 3); i++) {
        size_t k = len ? PIECES[i] : 0;
        assert_int_equal(http_zstream_write(z, body + off, k, false, &enc), 0);
        off += k;
        assert_decodes(c, &enc, body, off, false);
    }
    assert_int_equal(off, len);
    assert_int_equal(http_zstream_write(z, NULL, 0, true, &enc), 0);
    assert_decodes(c, &enc, body, len, true);
    if (len)
        assert_true(enc.len < (c == HTTP_CODING_BR ? len + len / 50 : len + len / 20));
    /* Nothing after the end. */
    size_t had = enc.len;
    assert_int_equal(http_zstream_write(z, "x", 1, false, &enc), -1);
    assert_int_equal(enc.len, had);
    kr_buf_deinit(&enc);
    http_zstream_free(z);
}

static void check_coding(http_coding_t c)
{
    for (body_kind_t kind = BODY_JSON; kind <= BODY_EMPTY; kind++) {
        size_t len;
        char *body = make_body(kind, &len);
        for (size_t l = 0; l < sizeof(LEVELS) / sizeof(LEVELS[0]); l++)
            check_stream(c, LEVELS[l], body, len);
        xfree(body);
    }
}

static void test_gzip(void **state)
{
    (void)state;
    check_coding(HTTP_CODING_GZIP);
}

static void test_deflate(void **state)
{
    (void)state;
    check_coding(HTTP_CODING_DEFLATE);
}

static void test_zstd(void **state)
{
    (void)state;
    check_coding(HTTP_CODING_ZSTD);
}

static void test_br(void **state)
{
    (void)state;
    check_coding(HTTP_CODING_BR);
}

/* JSON objects compress in a stream as well as in one piece, give or take the flushes. */
static void test_ratio(void **state)
{
    (void)state;
    size_t len;
    char *body = make_body(BODY_JSON, &len);
    for (http_coding_t c = HTTP_CODING_GZIP; c < HTTP_CODING_COUNT; c++) {
        http_zstream_t *z = http_zstream_new(c, 1);
        kr_buf_t enc;
        kr_buf_init(&enc, 0);
        assert_int_equal(http_zstream_write(z, body, len, true, &enc), 0);
        assert_true(enc.len * 4 < len);
        kr_buf_deinit(&enc);
        http_zstream_free(z);
    }
    xfree(body);
}

static void test_no_stream(void **state)
{
    (void)state;
    assert_null(http_zstream_new(HTTP_CODING_IDENTITY, 1));
    assert_null(http_zstream_new(HTTP_CODING_NONE, 1));
    assert_null(http_zstream_new(HTTP_CODING_COUNT, 1));
    http_zstream_free(NULL);
}

/* Levels out of range are clamped (0 -> 1: igzip, 99 -> 9: zlib). */
static void test_level_clamped(void **state)
{
    (void)state;
    int levels[] = {-5, 0, 10, 99};
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        for (http_coding_t c = HTTP_CODING_GZIP; c < HTTP_CODING_COUNT; c++) {
            http_zstream_t *z = http_zstream_new(c, levels[i]);
            assert_non_null(z);
            kr_buf_t enc;
            kr_buf_init(&enc, 0);
            assert_int_equal(http_zstream_write(z, "hello, hello", 12, true, &enc), 0);
            assert_decodes(c, &enc, "hello, hello", 12, true);
            kr_buf_deinit(&enc);
            http_zstream_free(z);
        }
}

/* out's limit reached: -1, and the stream takes no more writes. */
static void test_out_full(void **state)
{
    (void)state;
    size_t len;
    char *body = make_body(BODY_RANDOM, &len);
    for (http_coding_t c = HTTP_CODING_GZIP; c < HTTP_CODING_COUNT; c++)
        for (size_t l = 0; l < sizeof(LEVELS) / sizeof(LEVELS[0]); l++) {
            http_zstream_t *z = http_zstream_new(c, LEVELS[l]);
            kr_buf_t enc;
            kr_buf_init(&enc, 1000);
            assert_int_equal(http_zstream_write(z, body, 65536, false, &enc), -1);
            assert_true(enc.len <= 1000);
            kr_buf_t more;
            kr_buf_init(&more, 0);
            assert_int_equal(http_zstream_write(z, NULL, 0, true, &more), -1);
            kr_buf_deinit(&more);
            kr_buf_deinit(&enc);
            http_zstream_free(z);
        }
    xfree(body);
}

/* An output exactly as large as the limit allows: the codecs get room a few bytes at a time
 * near the limit and still finish. */
static void test_out_tight(void **state)
{
    (void)state;
    size_t len;
    char *body = make_body(BODY_JSON, &len);
    for (http_coding_t c = HTTP_CODING_GZIP; c < HTTP_CODING_COUNT; c++) {
        kr_buf_t enc;
        kr_buf_init(&enc, 0);
        http_zstream_t *z = http_zstream_new(c, 3);
        assert_int_equal(http_zstream_write(z, body, 100000, true, &enc), 0);
        http_zstream_free(z);
        kr_buf_t tight;
        kr_buf_init(&tight, enc.len);
        z = http_zstream_new(c, 3);
        assert_int_equal(http_zstream_write(z, body, 100000, true, &tight), 0);
        assert_int_equal(tight.len, enc.len);
        assert_decodes(c, &tight, body, 100000, true);
        http_zstream_free(z);
        kr_buf_deinit(&tight);
        kr_buf_deinit(&enc);
    }
    xfree(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gzip),          cmocka_unit_test(test_deflate),
        cmocka_unit_test(test_zstd),          cmocka_unit_test(test_br),
        cmocka_unit_test(test_ratio),         cmocka_unit_test(test_no_stream),
        cmocka_unit_test(test_level_clamped), cmocka_unit_test(test_out_full),
        cmocka_unit_test(test_out_tight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
