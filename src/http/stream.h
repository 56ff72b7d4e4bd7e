/* http/stream.h -- a response krest writes itself on a connection's socket while the request
 * body still streams in: the full duplex of v3 records (API.md section K, "v3 streaming
 * produce"). libmicrohttpd 0.9.75 cannot queue a response before the upload ends, so for a
 * streaming route on an HTTP/1.1 chunked upload the server writes the status line and headers
 * (Transfer-Encoding: chunked, Connection: close), then every result as one chunk, then
 * "0\r\n\r\n", and lets libmicrohttpd close the connection without writing anything.
 *
 * Writes never block: a write appends to the stream's buffer and one writer thread (for all
 * streams) sends what is pending, in one call per wake-up, when the socket can take it. The server
 * suspends the connection (stops reading the body) while the stream or the handler is over its
 * bound, and any thread "kicks" the stream to resume it; the check and the suspension happen under
 * the stream's lock, so a kick is never lost. The bytes go through http/sock_out.h's table (TLS
 * replaces it).
 * May use: util/. Threads: any; each stream has its own lock. */
#ifndef KR_HTTP_STREAM_H
#define KR_HTTP_STREAM_H

#include "http/sock_out.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct http_stream http_stream_t;

/** Unsent bytes past which the server stops reading the body. */
#define HTTP_STREAM_UNSENT_MAX ((size_t)1 << 20)

/** The server's side of a stream: how to suspend and resume its connection (the server's own
 * thread suspends; resume from any thread), and the stall bound: while bytes wait, a socket that
 * takes none for stall_ms is closed as by http_stream_abort (0: never). */
typedef struct http_stream_conn {
    void (*suspend)(void *arg);
    void (*resume)(void *arg);
    void *arg;
    int64_t stall_ms;
} http_stream_conn_t;

/** A stream on io (borrowed until http_stream_detach) whose first bytes are head (copied: the
 * status line and headers). @return owned (http_stream_detach). */
http_stream_t *http_stream_new(const http_sock_ops_t *ops, void *io, const char *head,
                               size_t head_len, const http_stream_conn_t *conn);

/** Appends one chunk of n > 0 bytes and sends what the socket takes (any thread).
 * @return 0, or -1 when the connection is gone (nothing more will be sent). */
int http_stream_write(http_stream_t *s, const char *data, size_t n);

/** Appends the last chunk ("0\r\n\r\n"); nothing may be written after it. */
void http_stream_end(http_stream_t *s);

/** The body bytes sent so far (after the head; the chunk framing included). */
size_t http_stream_body_sent(http_stream_t *s);

/** Whether every byte (the last chunk included, once http_stream_end ran) has been sent, or the
 * connection is gone. */
bool http_stream_flushed(http_stream_t *s);

/** Under the stream's lock: when busy(arg) says so (busy may be NULL), or the stream has more
 * than max_unsent unsent bytes, suspends the connection until a kick. Suspended for its unsent
 * bytes, it resumes only once they fall to max_unsent / 2 (the writer kicks as it sends);
 * suspended for busy(), any kick resumes it (the caller looks again).
 * @return whether it suspended. */
bool http_stream_suspend_if(http_stream_t *s, bool (*busy)(void *arg), void *arg,
                            size_t max_unsent);

/** Resumes the connection if it is suspended (any thread; never call it holding a lock that
 * busy() takes; busy() must take none that is held around a kick). */
void http_stream_kick(http_stream_t *s);

/** Closes the connection from krest's side (shutdown: the server then sees it gone; a
 * suspended connection is resumed for that). Nothing is sent after it. */
void http_stream_abort(http_stream_t *s);

/** Whether the stream was closed for its stall bound (its client stopped reading). */
bool http_stream_stalled(http_stream_t *s);

/** The connection is closing: io is never used again; frees the stream once the writer thread
 * lets go of it. */
void http_stream_detach(http_stream_t *s);

#endif
