/* http/duplex.h -- a request served in full duplex: a route with a stream handler
 * (api_stream_handler_t) receiving an HTTP/1.1 chunked upload. The head (200, chunked,
 * Connection: close) and each result go out through http/stream.h while the body still
 * arrives; the body is fed to the handler chunk by chunk; the connection is suspended (no more
 * body read) while the handler or the socket is over its bound; once the body has ended and
 * every result is written, the last chunk goes out and libmicrohttpd is told to close the
 * connection (MHD_NO) without writing anything itself.
 * At shutdown every open duplex stops taking input, answers its records and closes.
 * May use: router/, api/, util/, libmicrohttpd. Threads: the connection's MHD thread; the
 * drain functions from the main thread. */
#ifndef KR_HTTP_DUPLEX_H
#define KR_HTTP_DUPLEX_H

#include "router/router.h"

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct http_duplex http_duplex_t;

/** Whether this request is served in full duplex: the route streams, HTTP/1.1, a chunked body
 * (no Content-Length), no Content-Encoding; plain TCP or TLS (the results then go through
 * the connection's GnuTLS session, http_sock_tls). */
bool http_duplex_wanted(const router_route_t *route, struct MHD_Connection *conn,
                        const char *version);

/** Starts the duplex of req (its params are read here): writes the head, opens the handler's
 * session. The connection is closed once results wait and the socket takes no byte for
 * stall_ms (idle.timeout.ms; 0: never). @return owned (http_duplex_close). */
http_duplex_t *http_duplex_open(struct MHD_Connection *conn, const router_route_t *route,
                                api_req_t *req, const char *request_id, int64_t stall_ms);

/** One call of MHD for the request (body data, or none: the body ended / a resume).
 * @return what to give back to MHD. */
enum MHD_Result http_duplex_step(http_duplex_t *d, const char *data, size_t *size);

/** Whether the response was completed (every result and the last chunk sent; not when the
 * connection was closed for a client that stopped reading). */
bool http_duplex_completed(const http_duplex_t *d);

/** The request body bytes received and the response body bytes sent (chunk framing
 * included), for the access log and metrics. */
void http_duplex_bytes(http_duplex_t *d, size_t *in, size_t *out);

/** The request is over (MHD's completion callback): frees d. */
void http_duplex_close(http_duplex_t *d);

/** Shutdown, first step: every open duplex stops taking input. */
void http_duplex_drain_begin(void);
/** Shutdown: ends each duplex whose records are all answered (expire: answers the rest with
 * 50003 first). @return how many are still open. */
size_t http_duplex_drain_step(bool expire);

#endif
