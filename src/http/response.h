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

/** The block size a streamed body is read in (libmicrohttpd's write buffer bounds it too). */
#define HTTP_RESPONSE_BLOCK ((size_t)64 << 10)

/** Queues req's response on conn with a body of unknown length that read(cls, ...) produces
 * (HTTP/1.1 chunked); its coding is enc->applied. cls_free(cls) runs when libmicrohttpd is done
 * with it (also when this fails). @return as http_response_queue(). */
enum MHD_Result http_response_queue_callback(struct MHD_Connection *conn, const api_req_t *req,
                                             const http_encode_t *enc,
                                             MHD_ContentReaderCallback read, void *cls,
                                             MHD_ContentReaderFreeCallback cls_free, bool close,
                                             const http_headers_t *extra);

#endif
