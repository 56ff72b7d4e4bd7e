/* http/sock_tls.c -- TLS writes for http/stream.c (see sock_out.h): http_tls_send() on the
 * connection's GnuTLS session.
 * Threads: one writer at a time per io (http/stream.c holds the stream's lock); MHD's thread
 * reads the same session meanwhile (gnutls_record_recv), which GnuTLS allows. */
#include "http/sock_out.h"
#include "http/tls.h"
#include "util/mem.h"

#include <errno.h>
#include <sys/socket.h>

/* One TLS record's worth of plaintext per write. */
#define TLS_WRITE_MAX ((size_t)16384)

struct http_sock_tls_io {
    struct MHD_Connection *conn;
    int fd;
    size_t again; /* bytes offered by the write that would block: offered again next (0: none) */
};

static long tls_write(void *io, const void *buf, size_t n)
{
    http_sock_tls_t *t = io;
    if (t->again && t->again <= n)
        n = t->again; /* GnuTLS holds that record already: same bytes, same length */
    else if (n > TLS_WRITE_MAX)
        n = TLS_WRITE_MAX;
    for (;;) {
        ssize_t w = http_tls_send(t->conn, buf, n);
        if (w >= 0) {
            t->again = 0;
            return (long)w;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            t->again = n;
            return 0;
        }
        return -1;
    }
}

static void tls_abort(void *io)
{
    shutdown(((http_sock_tls_t *)io)->fd, SHUT_RDWR);
}

static int tls_fd(void *io)
{
    return ((http_sock_tls_t *)io)->fd;
}

const http_sock_ops_t http_sock_tls = {tls_write, tls_abort, tls_fd};

http_sock_tls_t *http_sock_tls_new(void *conn, int fd)
{
    http_sock_tls_t *t = xcalloc(1, sizeof(*t));
    t->conn = conn;
    t->fd = fd;
    http_sock_plain_prepare(fd);
    return t;
}

void http_sock_tls_free(http_sock_tls_t *io)
{
    xfree(io);
}
