/* http/compress.c -- whole-buffer response compression (see compress.h).
 *
 * DESIGN. krest's responses are whole buffers, so whole-buffer codecs fit. gzip and deflate at
 * levels 1 and 2 are ISA-L's igzip (levels 1 and 2): measured on a consumer read of JSON
 * objects it deflates at ~700 MB/s of CPU to the ratio libdeflate's level 1 reaches at ~350,
 * base64 of random bytes at ~500 against ~100, runs of one byte at ~9 GB/s against ~360
 * (docs/benchmarks-compression.md); levels 3-9 are libdeflate's, for a better ratio. zstd is
 * ZSTD_compressCCtx, br brotli's one-shot encoder. The igzip stream and level buffer, the
 * libdeflate compressors and the zstd context are kept per thread (pthread keys free them when
 * the thread ends), as making them is what costs most on small bodies.
 * Threads: any. */
#include "http/compress.h"

#include "util/mem.h"

#include <brotli/encode.h>
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <pthread.h>
#include <zstd.h>

#define N_LEVELS (HTTP_COMPRESS_LEVEL_MAX + 1)

/* igzip's levels: krest's 1 and 2 map to them. */
#define IGZIP_MAX_LEVEL 2

/* Per-thread codec state, made on first use. */
typedef struct codec_cache {
    struct libdeflate_compressor *deflate[N_LEVELS];
    ZSTD_CCtx *zstd;
    struct isal_zstream *igzip; /* 80 KiB: not on the stack */
    uint8_t *igzip_buf[IGZIP_MAX_LEVEL + 1];
} codec_cache_t;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
    codec_cache_t *cc = p;
    for (int i = 0; i < N_LEVELS; i++)
        libdeflate_free_compressor(cc->deflate[i]);
    ZSTD_freeCCtx(cc->zstd);
    xfree(cc->igzip);
    for (int i = 0; i <= IGZIP_MAX_LEVEL; i++)
        xfree(cc->igzip_buf[i]);
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

int http_compress_clamp_level(int level)
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

/* igzip at level (1 or 2) with framing wrap (IGZIP_GZIP, IGZIP_ZLIB, IGZIP_DEFLATE) into out.
 * @return the length, 0 when it failed or did not fit in cap. */
static size_t igzip_into(int level, uint16_t wrap, const char *in, size_t n, char *out, size_t cap)
{
    codec_cache_t *cc = cache();
    if (!cc->igzip)
        cc->igzip = xmalloc(sizeof(*cc->igzip));
    uint32_t lb = level == 1 ? ISAL_DEF_LVL1_DEFAULT : ISAL_DEF_LVL2_DEFAULT;
    if (!cc->igzip_buf[level])
        cc->igzip_buf[level] = xmalloc(lb);
    if (n > UINT32_MAX || cap > UINT32_MAX)
        return 0;
    struct isal_zstream *z = cc->igzip;
    isal_deflate_init(z);
    z->level = (uint32_t)level;
    z->level_buf = cc->igzip_buf[level];
    z->level_buf_size = lb;
    z->gzip_flag = wrap;
    z->end_of_stream = 1;
    z->flush = NO_FLUSH;
    z->next_in = (uint8_t *)in;
    z->avail_in = (uint32_t)n;
    z->next_out = (uint8_t *)out;
    z->avail_out = (uint32_t)cap;
    if (isal_deflate(z) != COMP_OK || z->internal_state.state != ZSTATE_END)
        return 0;
    return z->total_out;
}

static char *igzip_body(bool gzip, int level, const char *in, size_t n, size_t *out_len)
{
    size_t cap = n + n / 8 + 1024; /* stored blocks at worst, plus headers */
    char *out = xmalloc(cap);
    *out_len = igzip_into(level, gzip ? IGZIP_GZIP : IGZIP_ZLIB, in, n, out, cap);
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
    level = http_compress_clamp_level(level);
    switch (c) {
    case HTTP_CODING_GZIP:
    case HTTP_CODING_DEFLATE:
        return level <= IGZIP_MAX_LEVEL
                   ? igzip_body(c == HTTP_CODING_GZIP, level, in, n, out_len)
                   : deflate_body(c == HTTP_CODING_GZIP, level, in, n, out_len);
    case HTTP_CODING_ZSTD:
        return zstd_body(level, in, n, out_len);
    case HTTP_CODING_BR:
        return brotli_body(level, in, n, out_len);
    default:
        return NULL;
    }
}

bool http_compress_pays(size_t in, size_t out)
{
    double bar =
        in > HTTP_COMPRESS_SAMPLE ? HTTP_COMPRESS_PAYS_PERMILLE : HTTP_COMPRESS_PAYS_PERMILLE_SMALL;
    return (double)out * 1000.0 <= (double)in * bar;
}

bool http_compress_sample_pays(const char *in, size_t n)
{
    size_t sn = n < HTTP_COMPRESS_SAMPLE ? n : HTTP_COMPRESS_SAMPLE;
    if (sn == 0)
        return false;
    char out[HTTP_COMPRESS_SAMPLE];
    /* An output buffer the size of the sample: what does not fit does not pay. */
    size_t got = igzip_into(1, IGZIP_DEFLATE, in, sn, out, sn);
    return got > 0 && (double)got * 1000.0 <= (double)sn * HTTP_COMPRESS_PAYS_PERMILLE;
}

char *http_compress_if_pays(http_coding_t c, int level, bool must, const char *in, size_t n,
                            size_t *out_len)
{
    if (!must && n > HTTP_COMPRESS_SAMPLE && !http_compress_sample_pays(in, n))
        return NULL;
    char *out = http_compress(c, level, in, n, out_len);
    if (out && !must && !http_compress_pays(n, *out_len)) {
        xfree(out);
        return NULL;
    }
    return out;
}
