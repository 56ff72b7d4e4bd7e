/* http/response.c -- response writer. Threads: MHD threads. */
#include "http/response.h"

#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void http_headers_add(http_headers_t *hs, const char *name, const char *value)
{
    if (hs->n < HTTP_HEADERS_MAX) {
        hs->h[hs->n].name = name;
        hs->h[hs->n].value = value;
        hs->n++;
    }
}

/* krest's headers on resp: Content-Type (has_body), Location, X-Request-ID, Content-Encoding,
 * Vary, Connection: close, extra. */
static void add_headers(struct MHD_Response *resp, const api_req_t *req, const http_encode_t *enc,
                        bool compressed, bool has_body, bool close, const http_headers_t *extra)
{
    if (has_body)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                req->resp_type ? req->resp_type : "application/json");
    if (req->location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, req->location);
    if (req->request_id)
        MHD_add_response_header(resp, "X-Request-ID", req->request_id);
    if (compressed)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING,
                                http_coding_name(enc->applied));
    if (enc->negotiated)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    for (size_t i = 0; extra && i < extra->n; i++)
        MHD_add_response_header(resp, extra->h[i].name, extra->h[i].value);
}

enum MHD_Result http_response_queue(struct MHD_Connection *conn, api_req_t *req, http_encode_t *enc,
                                    bool close, const http_headers_t *extra, size_t *bytes_out)
{
    size_t len = enc->len;
    char *body = enc->body;
    enc->body = NULL;
    enc->len = 0;
    if (!enc->ready) {
        xfree(body);
        body = kr_buf_steal(&req->resp, &len);
    }
    bool compressed = enc->ready && enc->applied != HTTP_CODING_IDENTITY;
    if (req->status == 204) {
        len = 0;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback(len, body, &xfree);
    if (!resp) {
        xfree(body);
        return MHD_NO;
    }
    add_headers(resp, req, enc, compressed, len > 0 || req->status != 204, close, extra);
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    *bytes_out = len;
    return rc;
}

enum MHD_Result http_response_queue_callback(struct MHD_Connection *conn, const api_req_t *req,
                                             const http_encode_t *enc,
                                             MHD_ContentReaderCallback read, void *cls,
                                             MHD_ContentReaderFreeCallback cls_free, bool close,
                                             const http_headers_t *extra)
{
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, HTTP_RESPONSE_BLOCK, read, cls, cls_free);
    if (!resp) {
        cls_free(cls);
        return MHD_NO;
    }
    add_headers(resp, req, enc, enc->applied != HTTP_CODING_IDENTITY, true, close, extra);
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    return rc;
}
