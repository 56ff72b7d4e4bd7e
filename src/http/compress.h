/* http/compress.h -- compressing a whole response body with one of the codecs of encoding.h
 * (ISA-L's igzip or libdeflate for gzip and deflate, libzstd, libbrotli), and deciding from a
 * cheap sample whether compressing pays at all.
 * May use: util/, libisal, libdeflate, libzstd, libbrotli. Threads: any (codec state is per
 * thread). */
#ifndef KR_HTTP_COMPRESS_H
#define KR_HTTP_COMPRESS_H

#include "http/encoding.h"

#include <stdbool.h>
#include <stddef.h>

/** Bytes of a body's start compressed to estimate its ratio before the whole body is. */
#define HTTP_COMPRESS_SAMPLE 16384

/** A body over HTTP_COMPRESS_SAMPLE compresses enough when its compressed size is at most this
 * many thousandths of its size: the issue's own bar for "compressible" (0.4x identity). Base64
 * of random bytes deflates to ~720, records of 100 random bytes to ~440 (compressing them cost
 * a gzip client half its throughput: docs/benchmarks-compression.md), JSON objects to ~150. */
#define HTTP_COMPRESS_PAYS_PERMILLE 400

/** The bar for bodies up to HTTP_COMPRESS_SAMPLE (metadata, v3 and produce answers): a few
 * microseconds each, so any real saving is worth it. */
#define HTTP_COMPRESS_PAYS_PERMILLE_SMALL 650

/** Whether in_len bytes compressed to out_len pay (the bar by size, as above). */
bool http_compress_pays(size_t in_len, size_t out_len);

/** The lowest and highest krest.compression.level; each codec gets the same number (gzip and
 * deflate: igzip 1-2, libdeflate 3-9; zstd 1-9; br quality 1-9). */
#define HTTP_COMPRESS_LEVEL_MIN 1
#define HTTP_COMPRESS_LEVEL_MAX 9

/** level within HTTP_COMPRESS_LEVEL_MIN..MAX. */
int http_compress_clamp_level(int level);

/** Compresses in[0..n) with coding c (not identity) at level.
 * @return a new buffer (the caller owns it; free with xfree) holding *out_len bytes, or NULL
 *         when the codec failed. */
char *http_compress(http_coding_t c, int level, const char *in, size_t n, size_t *out_len);

/** Whether compressing in[0..n) pays: the first HTTP_COMPRESS_SAMPLE bytes, deflated by igzip
 * at level 1 (~20 us), shrink to HTTP_COMPRESS_PAYS_PERMILLE or less. */
bool http_compress_sample_pays(const char *in, size_t n);

/** Compresses in[0..n) when it pays (always when must, i.e. identity is not acceptable).
 * @return the compressed body (owned by the caller, *out_len bytes), or NULL: send in as it is
 *         (it does not pay, or the codec failed and identity is allowed). */
char *http_compress_if_pays(http_coding_t c, int level, bool must, const char *in, size_t n,
                            size_t *out_len);

#endif
