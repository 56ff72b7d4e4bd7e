/* tests/fuzz/fuzz_inflate.c -- libFuzzer target for http/inflate (request bodies in gzip,
 * deflate, zstd, br) and the response codecs of http/compress.
 * The first byte picks the case: (b & 3) + 1 is the coding; b & 4 set compresses the rest with
 * http_compress at level (b >> 3) % 9 + 1 and requires http_inflate to give it back exactly;
 * b & 4 clear decodes the rest as it is into a buffer limited to 64 KiB.
 * Checks: never more than the limit; 0 or an error of 400/413 only; a gzip or deflate body
 * libdeflate accepts inflates to the same bytes with zlib (an independent decoder); what
 * krest compresses, krest decodes to the same bytes. */
#include "http/compress.h"
#include "http/inflate.h"
#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LIMIT 65536

/* zlib's view of a gzip (wbits 31) or zlib (15) stream: @return the length, -1 when it
 * does not decode as one whole stream within LIMIT. */
static long zlib_decode(const uint8_t *in, size_t n, int wbits, uint8_t *out)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, wbits) != Z_OK)
        return -1;
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = LIMIT;
    int rc = inflate(&zs, Z_FINISH);
    long got = rc == Z_STREAM_END && zs.avail_in == 0 ? (long)zs.total_out : -1;
    inflateEnd(&zs);
    return got;
}

static void check_decode(http_coding_t c, const uint8_t *in, size_t n)
{
    kr_buf_t out;
    kr_buf_init(&out, LIMIT);
    kr_err_t err = {0};
    int rc = http_inflate(c, (const char *)in, n, &out, &err);
    if (out.len > LIMIT)
        abort();
    if (rc != 0 && err.code != KR_ERR_BAD_REQUEST && err.code != KR_ERR_TOO_LARGE)
        abort();
    if (rc == 0 && (c == HTTP_CODING_GZIP || c == HTTP_CODING_DEFLATE)) {
        static uint8_t ref[LIMIT];
        long got = zlib_decode(in, n, c == HTTP_CODING_GZIP ? 31 : 15, ref);
        if (got != (long)out.len || (got > 0 && memcmp(ref, out.data, (size_t)got) != 0))
            abort();
    }
    kr_buf_deinit(&out);
}

static void check_roundtrip(http_coding_t c, int level, const uint8_t *in, size_t n)
{
    size_t zn = 0;
    char *z = http_compress(c, level, (const char *)in, n, &zn);
    if (!z)
        abort();
    kr_buf_t out;
    kr_buf_init(&out, LIMIT);
    kr_err_t err = {0};
    if (http_inflate(c, z, zn, &out, &err) != 0 || out.len != n ||
        (n > 0 && memcmp(out.data, in, n) != 0))
        abort();
    kr_buf_deinit(&out);
    xfree(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    http_coding_t c = (http_coding_t)((data[0] & 3) + 1);
    if (data[0] & 4)
        check_roundtrip(c, (data[0] >> 3) % 9 + 1, data + 1, size - 1);
    else
        check_decode(c, data + 1, size - 1);
    return 0;
}
