/* http/sock_out.c -- plain TCP writes for http/stream.c (see sock_out.h).
 * Threads: any (one writer at a time per socket). */
#include "http/sock_out.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/socket.h>

static long plain_write(void *io, const void *buf, size_t n)
{
    int fd = (int)(intptr_t)io;
    for (;;) {
        ssize_t w = send(fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w >= 0)
            return (long)w;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
}

static void plain_abort(void *io)
{
    shutdown((int)(intptr_t)io, SHUT_RDWR);
}

static int plain_fd(void *io)
{
    return (int)(intptr_t)io;
}

const http_sock_ops_t http_sock_plain = {plain_write, plain_abort, plain_fd};

void http_sock_plain_prepare(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}
