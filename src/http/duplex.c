/* http/duplex.c -- full-duplex requests (see duplex.h).
 * Threads: MHD threads (open, step, close); the main thread at shutdown (drain_*), which
 * reaches duplexes through a list under its own lock (close unlinks before freeing).
 * Lock order: the list, then a session's lock, then a stream's. */
#include "http/duplex.h"

#include "http/stream.h"
#include "http/tls.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct http_duplex {
    struct MHD_Connection *conn;
    const api_stream_handler_t *h;
    void *session;
    http_stream_t *stream;
    http_sock_tls_t *tls; /* the stream's io on a TLS connection (NULL: plain) */
    api_stream_sink_t sink;
    bool input_over; /* the handler takes no more input */
    bool finished;   /* finish() called by the MHD thread */
    bool ended;      /* the last chunk is queued */
    atomic_bool closed_by_drain;
    bool completed;
    size_t bytes_in; /* body bytes received */
    http_duplex_t *next, *prev;
};

static pthread_mutex_t list_mu = PTHREAD_MUTEX_INITIALIZER;
static http_duplex_t *list_head;

bool http_duplex_wanted(const router_route_t *route, struct MHD_Connection *conn,
                        const char *version)
{
    if (!route->stream || !version || strcmp(version, "HTTP/1.1") != 0)
        return false;
    if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH))
        return false;
    const char *te =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    const char *ce =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
    return te && strcasestr(te, "chunked") && (!ce || !*ce || strcasecmp(ce, "identity") == 0);
}

static void conn_suspend(void *arg)
{
    MHD_suspend_connection(arg);
}

static void conn_resume(void *arg)
{
    MHD_resume_connection(arg);
}

static int sink_write(void *ctx, const char *data, size_t n)
{
    return http_stream_write(ctx, data, n);
}

static void sink_kick(void *ctx)
{
    http_stream_kick(ctx);
}

http_duplex_t *http_duplex_open(struct MHD_Connection *conn, const router_route_t *route,
                                api_req_t *req, const char *request_id, int64_t stall_ms)
{
    http_duplex_t *d = xcalloc(1, sizeof(*d));
    d->conn = conn;
    d->h = route->stream;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    int fd = ci ? ci->connect_fd : -1;
    /* over TLS every byte goes through the connection's GnuTLS session (never in clear);
     * MHD itself sends nothing on it while the body streams in (its 100 Continue went out
     * before this first call with body data), and it closes the session (gnutls_bye) only
     * after its completion callback, which detaches the stream (http_duplex_close) */
    const http_sock_ops_t *ops = &http_sock_plain;
    void *io = (void *)(intptr_t)fd;
    if (http_tls_is_tls(conn)) {
        d->tls = http_sock_tls_new(conn, fd);
        ops = &http_sock_tls;
        io = d->tls;
    } else {
        http_sock_plain_prepare(fd);
    }
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\nConnection: close\r\nX-Request-ID: %s\r\n\r\n",
                     request_id);
    http_stream_conn_t sc = {conn_suspend, conn_resume, conn, stall_ms};
    d->stream = http_stream_new(ops, io, head, (size_t)n, &sc);
    d->sink = (api_stream_sink_t){d->stream, sink_write, sink_kick};
    d->session = d->h->open(req, &d->sink);
    req->status = 200;
    pthread_mutex_lock(&list_mu);
    d->next = list_head;
    if (list_head)
        list_head->prev = d;
    list_head = d;
    pthread_mutex_unlock(&list_mu);
    return d;
}

static bool not_done(void *arg)
{
    http_duplex_t *d = arg;
    return !d->h->done(d->session);
}

static bool busy(void *arg)
{
    http_duplex_t *d = arg;
    return d->h->busy(d->session);
}

enum MHD_Result http_duplex_step(http_duplex_t *d, const char *data, size_t *size)
{
    if (*size) {
        size_t n = *size;
        *size = 0;
        d->bytes_in += n;
        if (!d->input_over && d->h->feed(d->session, data, n) != 0)
            d->input_over = true;
        if (!d->input_over) {
            http_stream_suspend_if(d->stream, busy, d, HTTP_STREAM_UNSENT_MAX);
            return MHD_YES;
        }
        /* the stream ended early (malformed JSON, size limit, max duration): the rest of the
         * body is dropped; once every result is written the response ends, and the connection
         * closes at the next piece of body (or when the upload ends) */
        if (!d->finished) {
            d->finished = true;
            d->h->finish(d->session);
        }
        if (d->h->done(d->session) && !d->ended) {
            d->ended = true;
            http_stream_end(d->stream);
        } else if (d->ended && http_stream_flushed(d->stream)) {
            d->completed = true;
            return MHD_NO;
        }
        return MHD_YES;
    }
    /* the body has ended (or a resume after it did) */
    if (!d->finished) {
        d->finished = true;
        d->h->finish(d->session);
    }
    if (http_stream_suspend_if(d->stream, not_done, d, HTTP_STREAM_UNSENT_MAX))
        return MHD_YES;
    if (!d->h->done(d->session))
        return MHD_NO; /* the connection is gone: close it; the records complete unanswered */
    if (!d->ended) {
        d->ended = true;
        http_stream_end(d->stream);
    }
    if (!http_stream_flushed(d->stream)) {
        /* the writer thread sends the rest and kicks; the bound is 0 unsent bytes here */
        if (http_stream_suspend_if(d->stream, NULL, NULL, 0))
            return MHD_YES;
    }
    d->completed = !http_stream_stalled(d->stream);
    return MHD_NO; /* MHD closes the connection without writing */
}

bool http_duplex_completed(const http_duplex_t *d)
{
    return d->completed || atomic_load(&d->closed_by_drain);
}

void http_duplex_bytes(http_duplex_t *d, size_t *in, size_t *out)
{
    *in = d->bytes_in;
    *out = http_stream_body_sent(d->stream);
}

void http_duplex_close(http_duplex_t *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&list_mu);
    if (d->prev)
        d->prev->next = d->next;
    else
        list_head = d->next;
    if (d->next)
        d->next->prev = d->prev;
    pthread_mutex_unlock(&list_mu);
    d->h->close(d->session);
    http_stream_detach(d->stream); /* no write uses d->tls after it */
    http_sock_tls_free(d->tls);
    xfree(d);
}

void http_duplex_drain_begin(void)
{
    pthread_mutex_lock(&list_mu);
    for (http_duplex_t *d = list_head; d; d = d->next)
        d->h->finish(d->session);
    pthread_mutex_unlock(&list_mu);
}

size_t http_duplex_drain_step(bool expire)
{
    size_t open = 0;
    pthread_mutex_lock(&list_mu);
    for (http_duplex_t *d = list_head; d; d = d->next) {
        if (expire && !d->h->done(d->session))
            d->h->expire(d->session);
        if (!d->h->done(d->session)) {
            open++;
            continue;
        }
        http_stream_end(d->stream);
        if (!http_stream_flushed(d->stream) && !expire) {
            open++;
            continue;
        }
        atomic_store(&d->closed_by_drain, true);
        http_stream_abort(d->stream);
    }
    pthread_mutex_unlock(&list_mu);
    return open;
}
