/* http/inflate.c -- bounded request body decoding (see inflate.h).
 *
 * DESIGN. gzip and deflate go through libdeflate's whole-buffer decompressor, which never
 * writes past the buffer it is given. A gzip member ends with its size mod 2^32 (ISIZE): when
 * that is within the limit the first buffer is ISIZE bytes, right for every honest body.
 * deflate carries no size, and an ISIZE can lie (or be followed by junk): then the buffer
 * starts at 4x the input and doubles up to the limit, and what does not fit then is 413
 * (libdeflate checks ISIZE and the checksums: 400 when wrong). Memory is bounded by the limit.
 * A gzip body of several members, and a zstd body of several frames, decode to their
 * concatenation (as gzip -d and zstd -d do). zstd and br are streamed into the bounded buffer
 * in 64 KiB steps. Pure; threads: any. */
#include "http/inflate.h"

#include "util/mem.h"

#include <brotli/decode.h>
#include <libdeflate.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <zstd.h>

#define STEP 65536

static int too_large(const kr_buf_t *out, kr_err_t *err)
{
    return kr_err_set(err, KR_ERR_TOO_LARGE,
                      "The inflated request body exceeds the limit of %zu bytes", out->limit);
}

static int bad_data(http_coding_t c, kr_err_t *err)
{
    return kr_err_set(err, KR_ERR_BAD_REQUEST,
                      "Content-Encoding %s: the request body does not decode", http_coding_name(c));
}

/* Room left in out: bytes it may still grow by. */
static size_t room(const kr_buf_t *out)
{
    return out->limit > out->len ? out->limit - out->len : 0;
}

/* One libdeflate attempt into out's spare capacity of cap bytes.
 * @return libdeflate's result; on success the bytes are appended and *used is the input read. */
static enum libdeflate_result deflate_into(struct libdeflate_decompressor *d, bool gzip,
                                           const char *in, size_t n, kr_buf_t *out, size_t cap,
                                           size_t *used)
{
    if (kr_buf_reserve(out, cap) != 0)
        return LIBDEFLATE_INSUFFICIENT_SPACE;
    size_t got = 0;
    char *dst = out->data + out->len;
    enum libdeflate_result r = gzip ? libdeflate_gzip_decompress_ex(d, in, n, dst, cap, used, &got)
                                    : libdeflate_zlib_decompress_ex(d, in, n, dst, cap, used, &got);
    if (r == LIBDEFLATE_SUCCESS && !gzip && *used != n)
        return LIBDEFLATE_BAD_DATA; /* trailing bytes */
    if (r == LIBDEFLATE_SUCCESS) {
        out->len += got;
        out->data[out->len] = '\0';
    }
    return r;
}

/* Whether in starts as a gzip member does (magic, deflate method) and can hold one. */
static bool gzip_looks_valid(const char *in, size_t n)
{
    const unsigned char *u = (const unsigned char *)in;
    return n >= 18 && u[0] == 0x1f && u[1] == 0x8b && u[2] == 8;
}

/* The gzip member's own claim of its size (mod 2^32). */
static size_t gzip_isize(const char *in, size_t n)
{
    const unsigned char *t = (const unsigned char *)in + n - 4;
    return (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
}

/* Decodes the zlib stream, or the gzip member that in starts with, into out.
 * @return libdeflate's result; *used: the input the member took. */
static enum libdeflate_result inflate_member(struct libdeflate_decompressor *d, bool gzip,
                                             const char *in, size_t n, kr_buf_t *out, size_t *used)
{
    if (gzip && !gzip_looks_valid(in, n))
        return LIBDEFLATE_BAD_DATA;
    size_t cap = gzip ? gzip_isize(in, n) : 0; /* the last member's claim: a first guess */
    if (cap == 0 || cap > room(out))
        cap = n < room(out) / 4 ? n * 4 : room(out);
    enum libdeflate_result r;
    for (;;) {
        r = deflate_into(d, gzip, in, n, out, cap ? cap : 1, used);
        if (r != LIBDEFLATE_INSUFFICIENT_SPACE || cap >= room(out))
            return r;
        cap = cap < room(out) / 2 ? cap * 2 : room(out);
    }
}

/* A gzip body may hold several members (RFC 1952 2.2): it decodes to their concatenation. */
static int inflate_deflate(http_coding_t c, const char *in, size_t n, kr_buf_t *out, kr_err_t *err)
{
    bool gzip = c == HTTP_CODING_GZIP;
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (!d)
        return kr_err_set(err, KR_ERR_INTERNAL, "cannot start decoding the body");
    enum libdeflate_result r;
    size_t off = 0;
    do {
        size_t used = 0;
        r = inflate_member(d, gzip, in + off, n - off, out, &used);
        off += used;
    } while (r == LIBDEFLATE_SUCCESS && off < n);
    libdeflate_free_decompressor(d);
    if (r == LIBDEFLATE_INSUFFICIENT_SPACE)
        return too_large(out, err);
    return r == LIBDEFLATE_SUCCESS ? 0 : bad_data(c, err);
}

static int inflate_zstd(const char *in, size_t n, kr_buf_t *out, kr_err_t *err)
{
    ZSTD_DCtx *z = ZSTD_createDCtx();
    if (!z)
        return kr_err_set(err, KR_ERR_INTERNAL, "cannot start decoding the body");
    ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, HTTP_INFLATE_ZSTD_WINDOW_LOG);
    ZSTD_inBuffer ib = {in, n, 0};
    int rc = 0;
    for (;;) {
        char chunk[STEP];
        ZSTD_outBuffer ob = {chunk, sizeof(chunk), 0};
        size_t r = ZSTD_decompressStream(z, &ob, &ib);
        if (ZSTD_isError(r))
            rc = bad_data(HTTP_CODING_ZSTD, err);
        else if (kr_buf_append(out, chunk, ob.pos) != 0)
            rc = too_large(out, err);
        else if (r != 0 && ib.pos == ib.size && ob.pos < ob.size)
            rc = bad_data(HTTP_CODING_ZSTD, err); /* truncated */
        if (rc != 0 || (r == 0 && ib.pos == ib.size))
            break; /* r == 0 with input left: the next frame (RFC 8878 3) */
    }
    ZSTD_freeDCtx(z);
    return rc;
}

static int inflate_brotli(const char *in, size_t n, kr_buf_t *out, kr_err_t *err)
{
    BrotliDecoderState *b = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    if (!b)
        return kr_err_set(err, KR_ERR_INTERNAL, "cannot start decoding the body");
    size_t avail_in = n;
    const uint8_t *next_in = (const uint8_t *)in;
    BrotliDecoderResult r = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
    int rc = 0;
    while (rc == 0 && r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
        uint8_t chunk[STEP];
        size_t avail_out = sizeof(chunk);
        uint8_t *next_out = chunk;
        r = BrotliDecoderDecompressStream(b, &avail_in, &next_in, &avail_out, &next_out, NULL);
        if (kr_buf_append(out, chunk, sizeof(chunk) - avail_out) != 0)
            rc = too_large(out, err);
    }
    BrotliDecoderDestroyInstance(b);
    if (rc == 0 && (r != BROTLI_DECODER_RESULT_SUCCESS || avail_in != 0))
        rc = bad_data(HTTP_CODING_BR, err);
    return rc;
}

int http_inflate(http_coding_t c, const char *in, size_t n, kr_buf_t *out, kr_err_t *err)
{
    switch (c) {
    case HTTP_CODING_GZIP:
    case HTTP_CODING_DEFLATE:
        return inflate_deflate(c, in, n, out, err);
    case HTTP_CODING_ZSTD:
        return inflate_zstd(in, n, out, err);
    case HTTP_CODING_BR:
        return inflate_brotli(in, n, out, err);
    default:
        return kr_err_set(err, KR_ERR_UNSUPPORTED_MEDIA_TYPE,
                          "Content-Encoding '%s' is not supported (gzip, deflate, br, zstd are)",
                          http_coding_name(c));
    }
}

int http_inflate_body(const char *ce, kr_buf_t *body, kr_err_t *err)
{
    if (!ce || !*ce)
        return 0;
    http_coding_t c = http_coding_parse(ce, strlen(ce));
    if (c == HTTP_CODING_IDENTITY)
        return 0;
    if (c == HTTP_CODING_NONE)
        return kr_err_set(err, KR_ERR_UNSUPPORTED_MEDIA_TYPE,
                          "Content-Encoding '%s' is not supported (gzip, deflate, br, zstd are)",
                          ce);
    if (body->len == 0)
        return 0;
    kr_buf_t plain;
    kr_buf_init(&plain, body->limit);
    if (http_inflate(c, body->data, body->len, &plain, err) != 0) {
        kr_buf_deinit(&plain);
        return -1;
    }
    kr_buf_deinit(body);
    *body = plain;
    return 0;
}
