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
    if (len > 0 || req->status != 204)
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
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    *bytes_out = len;
    return rc;
}
