/* http/zstream.h -- a streaming encoder for one response body that is sent in pieces: each
 * write is flushed, so the bytes produced so far decode to all the input given so far.
 * May use: util/, zlib, libisal, libzstd, libbrotli. Threads: one stream is used by one thread
 * at a time; it may move to another thread with a happens-before (a work-queue submit). */
#ifndef KR_HTTP_ZSTREAM_H
#define KR_HTTP_ZSTREAM_H

#include "http/encoding.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>

/** A streaming encoder for one response body (opaque). */
typedef struct http_zstream http_zstream_t;

/** A new encoder for coding c (gzip, deflate -- the zlib format, RFC 9110's "deflate" --, zstd
 * or br; not identity) at krest.compression.level `level` (clamped to
 * HTTP_COMPRESS_LEVEL_MIN..MAX; gzip and deflate: igzip at 1-2, zlib at 3-9).
 * @return owned (free with http_zstream_free), or NULL for another coding or when the codec
 *         cannot be set up. */
http_zstream_t *http_zstream_new(http_coding_t c, int level);

/** Compresses in[0..n) (borrowed; n may be 0) and appends to out everything a client needs to
 * decode all the input given so far (a sync flush); when last, the stream's end as well
 * (gzip/zlib trailer, zstd frame end, brotli last block). Nothing may be written after last.
 * @return 0, or -1: a codec error, out's limit reached (out may then hold part of the output
 *         and the stream is unusable: later writes fail too), or a write after last. */
int http_zstream_write(http_zstream_t *z, const char *in, size_t n, bool last, kr_buf_t *out);

/** Frees z and its codec state; http_zstream_free(NULL) is a no-op. */
void http_zstream_free(http_zstream_t *z);

#endif
