/* http/gunzip.c -- bounded gzip inflation. Pure; threads: any. */
#include "http/gunzip.h"

#include <string.h>
#include <zlib.h>

int http_gunzip(const char *in, size_t n, kr_buf_t *out, kr_err_t *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return kr_err_set(err, KR_ERR_INTERNAL, "cannot start inflating the body");
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    int rc = Z_OK;
    char chunk[16384];
    while (rc == Z_OK) {
        zs.next_out = (Bytef *)chunk;
        zs.avail_out = sizeof(chunk);
        rc = inflate(&zs, Z_NO_FLUSH);
        size_t got = sizeof(chunk) - zs.avail_out;
        if ((rc == Z_OK || rc == Z_STREAM_END) && kr_buf_append(out, chunk, got) != 0) {
            inflateEnd(&zs);
            return kr_err_set(err, KR_ERR_TOO_LARGE,
                              "The inflated request body exceeds the limit of %zu bytes",
                              out->limit);
        }
        if (rc == Z_BUF_ERROR && zs.avail_in == 0)
            break; /* truncated input */
    }
    size_t trailing = zs.avail_in;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || trailing != 0)
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "Content-Encoding gzip: the request body does not inflate");
    return 0;
}
