/* http/compress.c -- whole-buffer response compression (see compress.h).
 *
 * DESIGN. krest's responses are whole buffers, so whole-buffer codecs fit: libdeflate for gzip
 * and deflate (several times zlib's speed at equal ratio), ZSTD_compressCCtx, and brotli's
 * one-shot encoder. The libdeflate compressors and the zstd context are kept per thread and
 * level (pthread keys free them when the thread ends), as allocating them is what costs most
 * on small bodies.
 * Threads: any. */
#include "http/compress.h"

#include "util/mem.h"

#include <brotli/encode.h>
#include <libdeflate.h>
#include <pthread.h>
#include <zstd.h>

#define N_LEVELS (HTTP_COMPRESS_LEVEL_MAX + 1)

/* Per-thread codec state, made on first use. */
typedef struct codec_cache {
    struct libdeflate_compressor *deflate[N_LEVELS];
    ZSTD_CCtx *zstd;
} codec_cache_t;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
    codec_cache_t *cc = p;
    for (int i = 0; i < N_LEVELS; i++)
        libdeflate_free_compressor(cc->deflate[i]);
    ZSTD_freeCCtx(cc->zstd);
    xfree(cc);
}

static void cache_init(void)
{
    pthread_key_create(&cache_key, cache_free);
}

static codec_cache_t *cache(void)
{
    pthread_once(&cache_once, cache_init);
    codec_cache_t *cc = pthread_getspecific(cache_key);
    if (!cc) {
        cc = xcalloc(1, sizeof(*cc));
        pthread_setspecific(cache_key, cc);
    }
    return cc;
}

static int clamp_level(int level)
{
    return level < HTTP_COMPRESS_LEVEL_MIN   ? HTTP_COMPRESS_LEVEL_MIN
           : level > HTTP_COMPRESS_LEVEL_MAX ? HTTP_COMPRESS_LEVEL_MAX
                                             : level;
}

static struct libdeflate_compressor *deflater(int level)
{
    codec_cache_t *cc = cache();
    if (!cc->deflate[level])
        cc->deflate[level] = libdeflate_alloc_compressor(level);
    return cc->deflate[level];
}

static char *deflate_body(bool gzip, int level, const char *in, size_t n, size_t *out_len)
{
    struct libdeflate_compressor *d = deflater(level);
    if (!d)
        return NULL;
    size_t cap = gzip ? libdeflate_gzip_compress_bound(d, n) : libdeflate_zlib_compress_bound(d, n);
    char *out = xmalloc(cap);
    *out_len = gzip ? libdeflate_gzip_compress(d, in, n, out, cap)
                    : libdeflate_zlib_compress(d, in, n, out, cap);
    if (*out_len == 0) {
        xfree(out);
        return NULL;
    }
    return out;
}

static char *zstd_body(int level, const char *in, size_t n, size_t *out_len)
{
    codec_cache_t *cc = cache();
    if (!cc->zstd)
        cc->zstd = ZSTD_createCCtx();
    if (!cc->zstd)
        return NULL;
    size_t cap = ZSTD_compressBound(n);
    char *out = xmalloc(cap);
    size_t r = ZSTD_compressCCtx(cc->zstd, out, cap, in, n, level);
    if (ZSTD_isError(r)) {
        xfree(out);
        return NULL;
    }
    *out_len = r;
    return out;
}

static char *brotli_body(int level, const char *in, size_t n, size_t *out_len)
{
    size_t cap = BrotliEncoderMaxCompressedSize(n);
    if (cap == 0)
        return NULL;
    char *out = xmalloc(cap);
    *out_len = cap;
    if (!BrotliEncoderCompress(level, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, n,
                               (const uint8_t *)in, out_len, (uint8_t *)out)) {
        xfree(out);
        return NULL;
    }
    return out;
}

char *http_compress(http_coding_t c, int level, const char *in, size_t n, size_t *out_len)
{
    level = clamp_level(level);
    switch (c) {
    case HTTP_CODING_GZIP:
        return deflate_body(true, level, in, n, out_len);
    case HTTP_CODING_DEFLATE:
        return deflate_body(false, level, in, n, out_len);
    case HTTP_CODING_ZSTD:
        return zstd_body(level, in, n, out_len);
    case HTTP_CODING_BR:
        return brotli_body(level, in, n, out_len);
    default:
        return NULL;
    }
}

static bool shrinks_enough(size_t in, size_t out)
{
    return (double)out * 1000.0 <= (double)in * HTTP_COMPRESS_PAYS_PERMILLE;
}

bool http_compress_sample_pays(const char *in, size_t n)
{
    size_t sn = n < HTTP_COMPRESS_SAMPLE ? n : HTTP_COMPRESS_SAMPLE;
    struct libdeflate_compressor *d = deflater(1);
    if (!d || sn == 0)
        return false;
    char out[HTTP_COMPRESS_SAMPLE];
    /* An output buffer the size of the sample: what does not fit does not pay. */
    size_t got = libdeflate_deflate_compress(d, in, sn, out, sn);
    return got > 0 && shrinks_enough(sn, got);
}

char *http_compress_if_pays(http_coding_t c, int level, bool must, const char *in, size_t n,
                            size_t *out_len)
{
    if (!must && n > HTTP_COMPRESS_SAMPLE && !http_compress_sample_pays(in, n))
        return NULL;
    char *out = http_compress(c, level, in, n, out_len);
    if (out && !must && !shrinks_enough(n, *out_len)) {
        xfree(out);
        return NULL;
    }
    return out;
}
