/* util/pipe.h -- a response body made on one thread while another sends it (a streamed
 * consumer read: docs/design-notes.md, "Streamed reads"). The writer appends pieces, each
 * through an optional filter run on the writer's thread (a compressor that flushes per piece);
 * the reader copies bytes out as its socket takes them. A reader that finds nothing yet calls
 * its own suspend() under the pipe's lock and returns; the writer's next piece (or the close)
 * calls resume() under the same lock, so a wake-up is never lost between the two.
 *
 * Ownership: kr_pipe_new() returns one reference; kr_pipe_ref() adds one. The writer and the
 * reader each hold one and drop it with kr_pipe_unref(); the last frees the pieces and calls
 * the filter's free function.
 * May use: util/. Threads: one writer thread at a time, one reader thread at a time; the
 * reader's suspend() and resume() are called with the pipe's lock held (they must not take a
 * lock that is held around a pipe call). */
#ifndef KR_UTIL_PIPE_H
#define KR_UTIL_PIPE_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct kr_pipe kr_pipe_t;

/** Transforms n bytes of input (last: nothing follows) into out (appended). @return 0 or -1. */
typedef int (*kr_pipe_filter_fn)(void *state, const char *in, size_t n, bool last, kr_buf_t *out);

/** The reader's side: how to suspend it (called by kr_pipe_read() when nothing is there;
 * returns false when the reader may not wait any more, and then kr_pipe_read() gives
 * KR_PIPE_ERROR) and to resume it (called by the writer when bytes or the end arrive for a
 * suspended reader). */
typedef struct kr_pipe_reader {
    bool (*suspend)(void *arg);
    void (*resume)(void *arg);
    void *arg;
} kr_pipe_reader_t;

/** kr_pipe_read(): the body ended (every byte was read). */
#define KR_PIPE_END ((ssize_t)-1)
/** kr_pipe_read(): the writer failed; the body is cut short (the connection must close). */
#define KR_PIPE_ERROR ((ssize_t)-2)

/** A new pipe whose pieces go through filter (NULL: as they are; state is freed with
 * state_free when the pipe is). @return owned: one reference. */
kr_pipe_t *kr_pipe_new(kr_pipe_filter_fn filter, void *state, void (*state_free)(void *state));

/** Adds a reference. */
void kr_pipe_ref(kr_pipe_t *p);

/** Drops a reference; the last frees the pipe. NULL is a no-op. */
void kr_pipe_unref(kr_pipe_t *p);

/** Sets the reader's side (before its first kr_pipe_read). */
void kr_pipe_set_reader(kr_pipe_t *p, const kr_pipe_reader_t *r);

/** Appends n bytes (copied; filtered). @return 0, or -1 when the filter failed (the pipe is
 * then closed as failed) or the pipe is closed. Writer only. */
int kr_pipe_write(kr_pipe_t *p, const char *data, size_t n);

/** kr_pipe_write() of b's bytes, taking them out of b when there is no filter (no copy); b is
 * left empty and reusable either way. Writer only. */
int kr_pipe_write_buf(kr_pipe_t *p, kr_buf_t *b);

/** Ends the body: the filter's last output is appended and the reader sees KR_PIPE_END after
 * the last byte (failed: KR_PIPE_ERROR instead, after what was written). Writer only; once. */
void kr_pipe_close(kr_pipe_t *p, bool failed);

/** Ends the body as failed from any thread (a shutdown that cannot wait for the writer): a
 * suspended reader is resumed and sees KR_PIPE_ERROR after what was written; the writer's later
 * writes fail. */
void kr_pipe_abort(kr_pipe_t *p);

/** Copies up to max bytes into buf. @return how many (> 0); 0 when none are there yet (the
 * reader was suspended and will be resumed); KR_PIPE_END, or KR_PIPE_ERROR (also when none
 * are there and the reader refused to suspend). Reader only. */
ssize_t kr_pipe_read(kr_pipe_t *p, char *buf, size_t max);

/** Bytes appended so far (after the filter), for logs. Any thread. */
size_t kr_pipe_written(kr_pipe_t *p);

#endif
