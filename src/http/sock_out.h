/* http/sock_out.h -- the one way krest writes bytes on a connection itself (the v3 records
 * stream, http/stream.h), outside libmicrohttpd's response machinery: a small table of
 * operations over an "io" handle. Plain TCP is send() on the socket; TLS is http_tls_send() on
 * the connection's GnuTLS session (http_sock_tls below).
 * May use: util/. Threads: a handle is used by one thread at a time (http/stream.c locks). */
#ifndef KR_HTTP_SOCK_OUT_H
#define KR_HTTP_SOCK_OUT_H

#include <stddef.h>

typedef struct http_sock_ops {
    /** Writes up to n bytes without blocking. @return the bytes written (0: it would block), or
     * -1 when the connection failed (the peer is gone). */
    long (*write)(void *io, const void *buf, size_t n);
    /** Ends the connection both ways (the server then sees it closed and cleans up). */
    void (*abort)(void *io);
    /** The socket under io (polled for POLLOUT when a write would block). */
    int (*fd)(void *io);
} http_sock_ops_t;

/** Plain TCP: io is the socket (intptr_t); send(MSG_DONTWAIT | MSG_NOSIGNAL), one call per
 * write of all that is pending (TCP_NODELAY is set when the stream starts, so a result leaves
 * at once). */
extern const http_sock_ops_t http_sock_plain;

/** Prepares a plain socket for a stream (TCP_NODELAY). */
void http_sock_plain_prepare(int fd);

/** TLS (http/sock_tls.c): io is an http_sock_tls_t; each write is one http_tls_send() (one TLS
 * record of at most 16 KiB); after one would block, the next write offers the same bytes
 * again, as GnuTLS requires (the stream's pending bytes only grow at their end). The
 * connection's MHD thread may read the session meanwhile (GnuTLS allows one sender and one
 * receiver). */
extern const http_sock_ops_t http_sock_tls;

typedef struct http_sock_tls_io http_sock_tls_t;

/** A TLS io for conn (MHD's connection, borrowed) on socket fd (TCP_NODELAY is set).
 * @return owned (http_sock_tls_free, once the stream is detached). */
http_sock_tls_t *http_sock_tls_new(void *conn, int fd);
void http_sock_tls_free(http_sock_tls_t *io);

#endif
