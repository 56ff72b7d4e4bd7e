/* http/piped.c -- a streamed body (see piped.h).
 * Threads: http_piped_respond() and read_cb() on the request's HTTP thread; on_resume() on the
 * pipe's writer thread (under the pipe's lock); http_piped_abort_all() on the shutdown's. */
#include "http/piped.h"

#include "util/mem.h"

#include <pthread.h>

/* libmicrohttpd's side of the pipe: its content reader's closure (freed by MHD). */
typedef struct piped_reader {
    kr_pipe_t *pipe; /* the reader's reference */
    struct MHD_Connection *conn;
    atomic_long *holding;
    struct piped_reader *prev, *next; /* in live_readers */
    const atomic_bool *expiring;
} piped_reader_t;

/* Every reader libmicrohttpd still holds, for http_piped_abort_all(). Lock order: live_mu,
 * then a pipe's lock. */
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static piped_reader_t *live_readers;

static void live_add(piped_reader_t *pr)
{
    pthread_mutex_lock(&live_mu);
    pr->next = live_readers;
    if (live_readers)
        live_readers->prev = pr;
    live_readers = pr;
    pthread_mutex_unlock(&live_mu);
}

static void live_remove(piped_reader_t *pr)
{
    pthread_mutex_lock(&live_mu);
    if (pr->prev)
        pr->prev->next = pr->next;
    else
        live_readers = pr->next;
    if (pr->next)
        pr->next->prev = pr->prev;
    pthread_mutex_unlock(&live_mu);
}

void http_piped_abort_all(void)
{
    pthread_mutex_lock(&live_mu);
    for (piped_reader_t *pr = live_readers; pr; pr = pr->next)
        kr_pipe_abort(pr->pipe);
    pthread_mutex_unlock(&live_mu);
}

/* Counted in holding first, then expiring is looked at: the server sets expiring, then waits
 * for holding to be 0 before it stops the daemons (seq_cst both ways), so either it sees this
 * suspension or this sees expiring and refuses (libmicrohttpd aborts when a daemon stops under
 * a suspended connection). */
static bool on_suspend(void *arg)
{
    piped_reader_t *pr = arg;
    atomic_fetch_add(pr->holding, 1);
    if (atomic_load(pr->expiring)) {
        atomic_fetch_sub(pr->holding, 1);
        return false;
    }
    MHD_suspend_connection(pr->conn);
    return true;
}

static void on_resume(void *arg)
{
    piped_reader_t *pr = arg; /* may be freed once the connection runs again */
    atomic_long *holding = pr->holding;
    MHD_resume_connection(pr->conn);
    atomic_fetch_sub(holding, 1);
}

static ssize_t read_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    piped_reader_t *pr = cls;
    ssize_t n = kr_pipe_read(pr->pipe, buf, max);
    if (n == KR_PIPE_END)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (n == KR_PIPE_ERROR)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return n; /* 0: suspended until the writer adds bytes */
}

/* libmicrohttpd is done with the body: sent, or the client went away. In the second case the
 * pipe is aborted, so the writer stops at its next piece and the records it has not written go
 * back for the next read (after a complete body the pipe is closed and this changes nothing). */
static void reader_free(void *cls)
{
    piped_reader_t *pr = cls;
    kr_pipe_abort(pr->pipe);
    live_remove(pr);
    kr_pipe_unref(pr->pipe);
    xfree(pr);
}

enum MHD_Result http_piped_respond(struct MHD_Connection *conn, api_req_t *req, http_encode_t *enc,
                                   const http_encode_cfg_t *cfg, atomic_long *holding,
                                   const atomic_bool *expiring, bool close,
                                   const http_headers_t *extra, kr_pipe_t **pipe)
{
    http_zstream_t *z = http_encode_stream(enc, cfg, req->resp.data, req->resp.len);
    kr_pipe_t *p =
        kr_pipe_new(z ? http_encode_filter : NULL, z, z ? http_encode_filter_free : NULL);
    piped_reader_t *pr = xcalloc(1, sizeof(*pr));
    pr->pipe = p;
    pr->conn = conn;
    pr->holding = holding;
    pr->expiring = expiring;
    kr_pipe_ref(p); /* the reader's */
    kr_pipe_ref(p); /* the caller's */
    *pipe = p;
    kr_pipe_set_reader(p, &(kr_pipe_reader_t){on_suspend, on_resume, pr});
    live_add(pr);
    (void)kr_pipe_write_buf(p, &req->resp); /* a failure closes p: the answer is cut short */
    api_more_fn start = req->more.start;
    void *arg = req->more.arg;
    req->more.start = NULL;
    req->more.arg = NULL;
    start(arg, p); /* the writer's reference, the first one, goes with it */
    return http_response_queue_callback(conn, req, enc, read_cb, pr, reader_free, close, extra);
}
