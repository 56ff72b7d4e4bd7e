/* util/pipe.c -- a body written on one thread and read on another (see pipe.h).
 *
 * DESIGN. Pieces are a singly linked list: the writer fills a piece outside the lock (copy or
 * filter) and links it under the lock in O(1); the reader copies from the head piece under the
 * lock (its socket's buffer at most, tens of KiB) and unlinks the pieces it used up, freeing
 * them after it lets go of the lock.
 * Threads: see pipe.h. */
#include "util/pipe.h"

#include "util/mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

typedef struct piece {
    struct piece *next;
    size_t len, off; /* bytes in data, bytes read */
    char *data;      /* owned */
} piece_t;

struct kr_pipe {
    pthread_mutex_t lock;
    atomic_int refs;
    kr_pipe_filter_fn filter;
    void *state;
    void (*state_free)(void *state);
    kr_buf_t tmp; /* the writer's: filter output */
    /* under lock */
    piece_t *head, *tail;
    bool closed, failed;
    bool waiting; /* the reader suspended itself for bytes */
    kr_pipe_reader_t reader;
    size_t written;
};

kr_pipe_t *kr_pipe_new(kr_pipe_filter_fn filter, void *state, void (*state_free)(void *state))
{
    kr_pipe_t *p = xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->lock, NULL);
    atomic_init(&p->refs, 1);
    p->filter = filter;
    p->state = state;
    p->state_free = state_free;
    kr_buf_init(&p->tmp, 0);
    return p;
}

void kr_pipe_ref(kr_pipe_t *p)
{
    atomic_fetch_add(&p->refs, 1);
}

void kr_pipe_unref(kr_pipe_t *p)
{
    if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
        return;
    for (piece_t *pc = p->head, *next; pc; pc = next) {
        next = pc->next;
        xfree(pc->data);
        xfree(pc);
    }
    if (p->state_free)
        p->state_free(p->state);
    kr_buf_deinit(&p->tmp);
    pthread_mutex_destroy(&p->lock);
    xfree(p);
}

void kr_pipe_set_reader(kr_pipe_t *p, const kr_pipe_reader_t *r)
{
    pthread_mutex_lock(&p->lock);
    p->reader = *r;
    pthread_mutex_unlock(&p->lock);
}

/* Links a piece of n bytes (data owned; NULL with n 0: none) and ends the body when end;
 * wakes a waiting reader. @return -1 when the pipe was closed already. */
static int link_piece(kr_pipe_t *p, char *data, size_t n, bool end, bool failed)
{
    piece_t *pc = NULL;
    if (n > 0) {
        pc = xcalloc(1, sizeof(*pc));
        pc->data = data;
        pc->len = n;
        data = NULL;
    }
    pthread_mutex_lock(&p->lock);
    bool was_closed = p->closed;
    if (!was_closed && pc) {
        if (p->tail)
            p->tail->next = pc;
        else
            p->head = pc;
        p->tail = pc;
        p->written += n;
        pc = NULL;
    }
    if (!was_closed && end) {
        p->closed = true;
        p->failed = failed;
    }
    if (p->waiting && (p->head || p->closed)) {
        p->waiting = false;
        p->reader.resume(p->reader.arg);
    }
    pthread_mutex_unlock(&p->lock);
    if (pc)
        xfree(pc->data);
    xfree(pc);
    xfree(data);
    return was_closed ? -1 : 0;
}

/* The filter's output for in[0..n), taken out of tmp (owned, *out_n bytes). @return 0 or -1. */
static int filtered(kr_pipe_t *p, const char *in, size_t n, bool last, char **out, size_t *out_n)
{
    kr_buf_reset(&p->tmp);
    if (p->filter(p->state, in, n, last, &p->tmp) != 0)
        return -1;
    *out = kr_buf_steal(&p->tmp, out_n);
    return 0;
}

int kr_pipe_write(kr_pipe_t *p, const char *data, size_t n)
{
    char *out = NULL;
    size_t out_n = n;
    if (p->filter) {
        if (filtered(p, data, n, false, &out, &out_n) != 0) {
            link_piece(p, NULL, 0, true, true);
            return -1;
        }
    } else if (n > 0) {
        out = xmalloc(n);
        memcpy(out, data, n);
    }
    return link_piece(p, out, out_n, false, false);
}

int kr_pipe_write_buf(kr_pipe_t *p, kr_buf_t *b)
{
    if (p->filter) {
        int rc = kr_pipe_write(p, b->data, b->len);
        kr_buf_reset(b);
        return rc;
    }
    size_t n = 0;
    char *data = kr_buf_steal(b, &n);
    return link_piece(p, data, n, false, false);
}

void kr_pipe_close(kr_pipe_t *p, bool failed)
{
    char *out = NULL;
    size_t out_n = 0;
    if (p->filter && !failed && filtered(p, NULL, 0, true, &out, &out_n) != 0)
        failed = true;
    link_piece(p, out, out_n, true, failed);
}

void kr_pipe_abort(kr_pipe_t *p)
{
    link_piece(p, NULL, 0, true, true);
}

ssize_t kr_pipe_read(kr_pipe_t *p, char *buf, size_t max)
{
    size_t got = 0;
    piece_t *used = NULL; /* unlinked pieces, freed after the lock */
    ssize_t rc;
    pthread_mutex_lock(&p->lock);
    while (got < max && p->head) {
        piece_t *pc = p->head;
        size_t k = pc->len - pc->off < max - got ? pc->len - pc->off : max - got;
        memcpy(buf + got, pc->data + pc->off, k);
        got += k;
        pc->off += k;
        if (pc->off == pc->len) {
            p->head = pc->next;
            if (!p->head)
                p->tail = NULL;
            pc->next = used;
            used = pc;
        }
    }
    if (got > 0)
        rc = (ssize_t)got;
    else if (p->closed)
        rc = p->failed ? KR_PIPE_ERROR : KR_PIPE_END;
    else if (p->reader.suspend(p->reader.arg)) {
        p->waiting = true;
        rc = 0;
    } else {
        rc = KR_PIPE_ERROR; /* the reader may not wait: its body is cut short */
    }
    pthread_mutex_unlock(&p->lock);
    for (piece_t *next; used; used = next) {
        next = used->next;
        xfree(used->data);
        xfree(used);
    }
    return rc;
}

size_t kr_pipe_written(kr_pipe_t *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->written;
    pthread_mutex_unlock(&p->lock);
    return n;
}
