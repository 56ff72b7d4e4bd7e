/* http/inflate.h -- decoding request bodies sent with a Content-Encoding (gzip, deflate, zstd,
 * br), bounded so that a compression bomb stops at the body limit instead of filling memory.
 * May use: util/, libdeflate, libzstd, libbrotli. Pure. Threads: any. */
#ifndef KR_HTTP_INFLATE_H
#define KR_HTTP_INFLATE_H

#include "http/encoding.h"
#include "util/buf.h"
#include "util/err.h"

#include <stddef.h>

/** Largest zstd window a request body may use (2^24 = 16 MiB: level 19's is 8 MiB), so a
 * frame cannot make the decoder reserve more. */
#define HTTP_INFLATE_ZSTD_WINDOW_LOG 24

/** Decodes n bytes of coding c (gzip, deflate, zstd, br) into out (appended; out's limit
 * bounds the result). One gzip member or zstd frame; trailing bytes are an error.
 * @return 0, or -1 with err set: 413 when the decoded body passes out's limit, 400 when the
 *         data is not in that coding or is truncated, 415 for a coding krest cannot decode. */
int http_inflate(http_coding_t c, const char *in, size_t n, kr_buf_t *out, kr_err_t *err);

/** A request body as its Content-Encoding ce says (NULL, "" or identity: as it is): replaced
 * in place by its decoded form, within body's own limit.
 * @return 0, or -1 with err set as http_inflate (415 naming an unknown coding). */
int http_inflate_body(const char *ce, kr_buf_t *body, kr_err_t *err);

#endif
