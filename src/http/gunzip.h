/* http/gunzip.h -- inflating request bodies sent with Content-Encoding: gzip, bounded so that a
 * gzip bomb stops at the body limit instead of filling memory.
 * May use: util/, zlib. Pure. Threads: any. */
#ifndef KR_HTTP_GUNZIP_H
#define KR_HTTP_GUNZIP_H

#include "util/buf.h"
#include "util/err.h"

#include <stddef.h>

/** Inflates n bytes of gzip data into out (appended; out's limit bounds the result).
 * @return 0, or -1 with err set: 413 when the inflated body passes out's limit, 400 when the
 *         data is not gzip or is truncated. */
int http_gunzip(const char *in, size_t n, kr_buf_t *out, kr_err_t *err);

#endif
