/* http/sock_out.h -- the one way krest writes bytes on a connection itself (the v3 records
 * stream, http/stream.h), outside libmicrohttpd's response machinery: a small table of
 * operations over an "io" handle. Plain TCP is send() on the socket; TLS replaces the table
 * with one over the connection's GnuTLS session (MHD_CONNECTION_INFO_GNUTLS_SESSION).
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
} http_sock_ops_t;

/** Plain TCP: io is the socket (intptr_t); send(MSG_DONTWAIT | MSG_NOSIGNAL), one call per
 * write of all that is pending (TCP_NODELAY is set when the stream starts, so a result leaves
 * at once). */
extern const http_sock_ops_t http_sock_plain;

/** Prepares a plain socket for a stream (TCP_NODELAY). */
void http_sock_plain_prepare(int fd);

#endif
