/* http/response.c -- response writer with optional gzip. Threads: MHD threads. */
#include "http/response.h"

#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#define GZIP_MIN_BYTES 1024

/* @return whether an Accept-Encoding value accepts gzip (and does not give it q=0). */
static bool accepts_gzip(const char *ae)
{
    if (!ae)
        return false;
    const char *p = ae;
    while ((p = strcasestr(p, "gzip")) != NULL) {
        const char *after = p + 4;
        while (*after == ' ')
            after++;
        if (*after == ';') {
            const char *q = strcasestr(after, "q=");
            const char *comma = strchr(after, ',');
            if (q && (!comma || q < comma) && strtod(q + 2, NULL) <= 0.0)
                return false;
        }
        return true;
    }
    return false;
}

/* @return a gzip-compressed copy of in (owned), or NULL when compression fails. */
static char *gzip(const char *in, size_t n, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return NULL;
    size_t cap = deflateBound(&zs, n);
    char *out = xmalloc(cap);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = (Bytef *)out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        xfree(out);
        return NULL;
    }
    return out;
}

void http_headers_add(http_headers_t *hs, const char *name, const char *value)
{
    if (hs->n < HTTP_HEADERS_MAX) {
        hs->h[hs->n].name = name;
        hs->h[hs->n].value = value;
        hs->n++;
    }
}

enum MHD_Result http_response_queue(struct MHD_Connection *conn, api_req_t *req, bool allow_gzip,
                                    bool close, const http_headers_t *extra, size_t *bytes_out)
{
    size_t len = 0;
    char *body = kr_buf_steal(&req->resp, &len);
    bool gz = false;
    if (allow_gzip && len > GZIP_MIN_BYTES && req->status != 204 &&
        accepts_gzip(
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING))) {
        size_t zlen;
        char *z = gzip(body, len, &zlen);
        if (z) {
            xfree(body);
            body = z;
            len = zlen;
            gz = true;
        }
    }
    if (req->status == 204) {
        len = 0;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback(len, body, &xfree);
    if (!resp) {
        xfree(body);
        return MHD_NO;
    }
    if (len > 0 || req->status != 204)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                req->resp_type ? req->resp_type : "application/json");
    if (req->location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, req->location);
    if (req->request_id)
        MHD_add_response_header(resp, "X-Request-ID", req->request_id);
    if (gz)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (allow_gzip)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    for (size_t i = 0; extra && i < extra->n; i++)
        MHD_add_response_header(resp, extra->h[i].name, extra->h[i].value);
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    *bytes_out = len;
    return rc;
}
