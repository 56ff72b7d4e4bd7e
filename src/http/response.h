/* http/response.h -- turning a finished api_req_t into a libmicrohttpd response: Content-Type,
 * Content-Encoding and Vary as http/encode.h decided, the status.
 * May use: api/, util/, http/encode.h, libmicrohttpd. Threads: MHD threads. */
#ifndef KR_HTTP_RESPONSE_H
#define KR_HTTP_RESPONSE_H

#include "api/api.h"
#include "http/encode.h"

#include <microhttpd.h>
#include <stdbool.h>

#define HTTP_HEADERS_MAX 8

/** Headers the HTTP layer adds to a response (CORS...): names and values borrowed, valid
 * until the response is queued (MHD copies them). Zeroed = none. */
typedef struct http_headers {
    size_t n;
    struct {
        const char *name, *value;
    } h[HTTP_HEADERS_MAX];
} http_headers_t;

/** Appends one header to hs (silently dropped past HTTP_HEADERS_MAX, a programming limit). */
void http_headers_add(http_headers_t *hs, const char *name, const char *value);

/** Queues req's response on conn: the body enc made ready (taken out of enc), or, when enc is
 * not ready, req->resp as it is. Content-Encoding names enc's coding; Vary: Accept-Encoding
 * is added when enc was negotiated.
 * close adds "Connection: close" (the server is draining). extra (may be NULL) adds headers.
 * @return MHD_YES, or MHD_NO when MHD could not queue it (the connection is then closed).
 *         *bytes_out is the size of the body as sent. */
enum MHD_Result http_response_queue(struct MHD_Connection *conn, api_req_t *req, http_encode_t *enc,
                                    bool close, const http_headers_t *extra, size_t *bytes_out);

#endif
