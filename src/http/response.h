/* http/response.h -- turning a finished api_req_t into a libmicrohttpd response: Content-Type,
 * gzip when the client asks and the body is worth it, the status.
 * May use: api/, util/, libmicrohttpd, zlib. Threads: MHD threads. */
#ifndef KR_HTTP_RESPONSE_H
#define KR_HTTP_RESPONSE_H

#include "api/api.h"

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

/** Queues req's response on conn; takes the body out of req->resp. gzip is used when
 * allow_gzip, the client's Accept-Encoding names gzip, and the body exceeds 1 KiB.
 * close adds "Connection: close" (the server is draining). extra (may be NULL) adds headers.
 * @return MHD_YES, or MHD_NO when MHD could not queue it (the connection is then closed).
 *         *bytes_out is the size of the body as sent. */
enum MHD_Result http_response_queue(struct MHD_Connection *conn, api_req_t *req, bool allow_gzip,
                                    bool close, const http_headers_t *extra, size_t *bytes_out);

#endif
