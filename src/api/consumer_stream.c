/* api/consumer_stream.c -- a large binary or json consumer read answered in pieces (see
 * consumers_int.h): the first piece is checked and written on the HTTP thread, the others on the
 * worker pool while the HTTP layer sends what is ready, so that formatting, compressing, sending
 * and the client's decoding overlap instead of following one another (docs/design-notes.md,
 * "Streamed reads").
 *
 * The records are the stream's from the take on. A json record that is not JSON ends the
 * answer: the records before it are handed out, it and the rest go back to the buffer (as a
 * whole read does, section K). The offsets of what was written are stored before the pipe is
 * closed, so a commit sent after the answer arrived sees them.
 * Threads: api_consumer_stream() on an HTTP thread; run_piece() on a worker, one piece at a
 * time (the next piece goes back to the pool when other jobs wait, so long reads share it). */
#include "api/consumers_int.h"

#include "api/records.h"
#include "format/base64.h"
#include "kafka/consumer.h"
#include "util/mem.h"
#include "util/workq.h"

#include <string.h>

/* Formatted bytes of the first piece (written on the HTTP thread: small, so the worker starts
 * soon; at least the 16 KiB compression sample) and of each later piece. */
#define FIRST_PIECE_BYTES ((size_t)64 << 10)
#define PIECE_BYTES       ((size_t)256 << 10)

typedef struct read_stream {
    kafka_consumer_t *c; /* owned reference */
    uint64_t take;       /* kafka_consumer_take's number for msgs */
    kafka_record_t **msgs;
    size_t n;    /* msgs[0..n): owned (each record and the array) */
    size_t next; /* the first record not written yet */
    size_t ok;   /* records [0..ok) are handed out; ok < n once a record must go back */
    bool stop;   /* a record that is not JSON: nothing more is written */
    int format;
    api_version_t version;
    kr_workq_t *q;
    kr_pipe_t *pipe; /* the writer's reference, once started */
    kr_buf_t piece;
} read_stream_t;

/* About the bytes record m takes in the answer (its key and value as written, plus the rest). */
static size_t record_room(const kafka_record_t *m, int format)
{
    kafka_record_view_t v;
    kafka_record_view(m, &v);
    size_t n = 96 + (v.topic ? strlen(v.topic) : 0);
    size_t kv = v.key_len + v.value_len;
    return n + (format == API_FMT_JSON ? kv : fmt_base64_encoded_len(kv) + 4);
}

size_t api_consumer_stream_room(kafka_record_t *const *msgs, size_t n, int format)
{
    if (format != API_FMT_BINARY && format != API_FMT_JSON)
        return 0;
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += record_room(msgs[i], format);
    return total;
}

/* Checks and writes the records from s->next on, about bytes of them, appended to out (the
 * first piece opens the array; a later one starts with the comma after the previous record);
 * the last piece closes the array. @return 0, or -1 when out reached its limit. */
static int write_piece(read_stream_t *s, kr_buf_t *out, size_t bytes)
{
    size_t end = s->next, room = 0;
    while (end < s->n && (end == s->next || room < bytes))
        room += record_room(s->msgs[end++], s->format);
    size_t good = s->next;
    kr_err_t err = {0};
    if (s->format == API_FMT_JSON) {
        while (good < end && api_record_check_json(s->msgs[good], &err) == 0)
            good++;
    } else {
        good = end;
    }
    bool failed = false;
    if (good > s->next) {
        size_t at = out->len;
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, out);
        fmt_jsonw_arr_begin(&w);
        api_records_write(&w, s->msgs + s->next, good - s->next, s->format, s->version, NULL, NULL);
        failed = w.failed;
        if (s->next > 0 && out->len > at)
            out->data[at] = ','; /* the '[' of a later piece separates it from the last one */
    }
    s->next = good;
    s->stop = good < end;
    if (s->stop || s->next == s->n)
        failed |= kr_buf_append(out, s->next == 0 ? "[]" : "]", s->next == 0 ? 2 : 1) != 0;
    return failed ? -1 : 0;
}

/* The records written are handed out, the others go back; frees the stream. */
static void finish(read_stream_t *s)
{
    kafka_consumer_handed_out(s->c, s->msgs, s->ok, s->take);
    if (s->ok < s->n)
        kafka_consumer_give_back(s->c, s->msgs + s->ok, s->n - s->ok);
    for (size_t i = 0; i < s->ok; i++)
        kafka_record_free(s->msgs[i]);
    xfree(s->msgs);
    kafka_consumer_release(s->c);
    kr_buf_deinit(&s->piece);
    xfree(s);
}

static void stream_free(void *arg)
{
    read_stream_t *s = arg;
    s->ok = 0; /* never started: nothing reached the client, everything goes back */
    finish(s);
}

static void run_piece(void *arg);

/* Writes pieces until the stream ends or the next one goes to the pool: on a worker, that is
 * when other jobs wait (no hand-over between threads while none do); elsewhere (the HTTP
 * thread, when the pool was full), as soon as the pool takes it. */
static void write_pieces(read_stream_t *s, bool on_worker)
{
    for (;;) {
        kr_buf_reset(&s->piece);
        (void)write_piece(s, &s->piece, PIECE_BYTES); /* a piece has no limit */
        bool done = s->stop || s->next == s->n;
        if (kr_pipe_write_buf(s->pipe, &s->piece) != 0) {
            /* the encoder failed, or the client went away (piped.c aborts the pipe): this
             * piece and the rest go back */
            done = true;
            s->stop = true;
        } else {
            s->ok = s->next;
        }
        if (done) {
            kr_pipe_t *p = s->pipe;
            finish(s);
            kr_pipe_close(p, false);
            kr_pipe_unref(p);
            return;
        }
        if ((!on_worker || kr_workq_waiting(s->q) > 0) && kr_workq_submit(s->q, run_piece, s) == 0)
            return;
    }
}

static void run_piece(void *arg)
{
    write_pieces(arg, true);
}

static void stream_start(void *arg, kr_pipe_t *pipe)
{
    read_stream_t *s = arg;
    s->pipe = pipe;
    if (kr_workq_submit(s->q, run_piece, s) != 0)
        write_pieces(s, false); /* a full pool: written here until it takes the stream */
}

api_status_t api_consumer_stream(api_req_t *req, kafka_consumer_t *c, kafka_record_t **msgs,
                                 size_t n, uint64_t take, int format, size_t total)
{
    read_stream_t *s = xcalloc(1, sizeof(*s));
    s->c = c;
    s->take = take;
    s->msgs = msgs;
    s->n = n;
    s->format = format;
    s->version = req->version;
    s->q = req->ctx->workq;
    kr_buf_init(&s->piece, 0);
    int rc = write_piece(s, &req->resp, FIRST_PIECE_BYTES);
    if (rc == 0 && s->stop && s->next == 0) {
        kr_err_t err = {0};
        (void)api_record_check_json(msgs[0], &err); /* the message naming the record */
        stream_free(s);
        return api_reply_err(req, &err);
    }
    if (rc == 0 && !s->stop && s->next < s->n && req->compresses &&
        req->compresses(req->compresses_arg, req->resp.data, req->resp.len, total)) {
        s->ok = s->next;
        return api_reply_more(req, 200, stream_start, s, stream_free);
    }
    /* An answer that goes out as it is goes whole: libmicrohttpd sends it from the buffer, with
     * no copy and in a few large writes, which beat streaming it (docs/design-notes.md). Its
     * room is reserved at once: growing it piece by piece copied it again (7% of a read's CPU). */
    if (rc == 0 && !s->stop && s->next < s->n && total > req->resp.len)
        (void)kr_buf_reserve(&req->resp, total - req->resp.len); /* past the limit: fails below */
    while (rc == 0 && !s->stop && s->next < s->n)
        rc = write_piece(s, &req->resp, PIECE_BYTES);
    if (rc != 0) { /* past API_MAX_RESPONSE: nobody got them, they stay */
        stream_free(s);
        return api_reply_error(req, KR_ERR_INTERNAL, "The response would exceed %zu bytes",
                               API_MAX_RESPONSE);
    }
    s->ok = s->next;
    finish(s);
    return api_reply(req, 200);
}
