/* api/v3_stream.c -- the full duplex of POST …/records (API.md section K, "v3 streaming
 * produce"): records are decoded as the body arrives, produced, and each result is written as
 * soon as it and every earlier record have their outcome.
 *
 * DESIGN. What each feed() completes becomes a batch (a v3p_job_t: the same slots, checks and
 * answers as the buffered endpoint). Batches are prepared one at a time, in order -- the
 * metadata snapshot (cluster 404 in-band, as no head can be taken back once written; a missing
 * topic follows krest.topic.auto.create, api_auto_create_async(), else 40401 in-band),
 * partitions, schemas on a worker when a record needs the registry -- and each is
 * handed to the producer as soon as it is ready, so records reach Kafka in input order. A
 * batch's results are written, under the session's lock, when it and every batch before it
 * are complete. Records still without their result are counted (lock-free) so the HTTP layer
 * stops reading the body past SESSION_MAX_PENDING of them (or SESSION_MAX_PENDING_BYTES of
 * their JSON); a client that never reads is
 * stopped the same way by the HTTP layer's bound on unsent bytes.
 * A session is freed when the connection has closed it and its last batch is done: a client
 * that goes away mid-stream leaves its records to complete, unanswered.
 * Lock order: the session's lock, then the HTTP stream's (sink->write, sink->kick).
 * Threads: feed/finish/close on the HTTP thread; preparation on the HTTP thread, a worker or
 * the thread of a metadata fetch; batch_done() on the kafka loop. */
#include "api/v3_produce.h"

#include "api/auto_create.h"
#include "api/v3.h"
#include "api/v3_produce_int.h"
#include "kafka/metadata.h"
#include "kafka/principals.h"
#include "util/clock.h"
#include "util/mem.h"
#include "util/workq.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

/* Records without a written result, and their JSON bytes, past which the body is no longer
 * read. */
#define SESSION_MAX_PENDING       10000
#define SESSION_MAX_PENDING_BYTES ((long)64 << 20)

/* A stream asks for a fresh snapshot for partitions it does not see at most this often. */
#define STREAM_FORCE_INTERVAL_MS 1000

/* Records of a batch past which it leaves at once (without waiting for its worker). */
#define OPEN_BATCH_MAX 512

typedef struct session session_t;

typedef struct batch {
    v3p_job_t *job;
    session_t *s;
    struct batch *next;
    bool complete; /* every record has its outcome */
    bool answered; /* its results are written (or were expired) */
    long bytes;    /* its records' JSON bytes */
    kafka_md_t *md;
    bool refresh; /* the producer must learn the topic's partitions first (schemas_run) */
} batch_t;

struct session {
    pthread_mutex_t mu;
    /* held from the moment prep moves past a batch until that batch is with the producer: the
     * next batch may be prepared on another thread meanwhile, and its producer call must come
     * after this one's (records keep their input order in Kafka). Taken before mu. */
    pthread_mutex_t send_mu;
    const api_ctx_t *ctx;
    kafka_principal_t *principal; /* a reference: the user's identity ctx belongs to, or NULL */
    api_stream_sink_t sink;
    bool closed; /* the sink is gone */
    int refs;    /* the connection's, and one per batch; under mu */
    char *cluster, *topic;
    int64_t arrival_ms;
    /* input: the HTTP thread, and finish() from the shutdown (under in_mu) */
    pthread_mutex_t in_mu;
    kr_buf_t in;
    size_t in_pos;
    bool input_over;
    int64_t close_at_ms; /* past the max duration: the end of the grace period */
    /* batches in input order; prep is the first one not yet handed to the producer */
    batch_t *head, *tail, *prep;
    bool preparing;
    atomic_long pending;       /* records without a written result */
    atomic_long pending_bytes; /* their JSON bytes */
    atomic_bool finished, done;
    /* the batch being filled (under in_mu): records decoded by feed() go to the producer
     * together when a worker (or a full batch, or finish) takes it */
    v3p_job_t *open;
    long open_bytes;
    bool flush_queued;
    bool auto_tried;            /* the topic's auto-creation was tried (by the batch preparing) */
    int64_t forced_ms;          /* the last snapshot asked for partitions (the batch preparing) */
    atomic_llong md_not_before; /* after an auto-creation: snapshots fetched from then on */
};

static void session_unref_locked(session_t *s, bool *free_it)
{
    *free_it = --s->refs == 0;
}

static void session_free(session_t *s)
{
    if (s->open) /* never left behind: finish() and every flush take it; defensive */
        v3p_job_free(&s->open->job);
    kr_buf_deinit(&s->in);
    pthread_mutex_destroy(&s->in_mu);
    xfree(s->cluster);
    xfree(s->topic);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->send_mu);
    kafka_principal_t *p = s->principal;
    xfree(s);
    kafka_principal_release(p); /* last: ctx may be that identity's */
}

static void session_unref(session_t *s)
{
    pthread_mutex_lock(&s->mu);
    bool free_it;
    session_unref_locked(s, &free_it);
    pthread_mutex_unlock(&s->mu);
    if (free_it)
        session_free(s);
}

/* --- answers ----------------------------------------------------------------------------- */

/* Writes the results of every batch at the head that is complete, frees them. Under s->mu.
 * Sets done once finish() ran and every batch is answered. */
static void write_ready_locked(session_t *s, batch_t **to_free)
{
    kr_buf_t out;
    kr_buf_init(&out, (size_t)1 << 40);
    while (s->head && (s->head->complete || s->head->answered)) {
        batch_t *b = s->head;
        if (!b->answered) {
            kr_buf_reset(&out);
            v3p_write_stream(&out, b->job, true);
            if (!s->closed && out.len > 0 && s->sink.write(s->sink.ctx, out.data, out.len) != 0)
                s->closed = true; /* the client is gone: the rest completes unanswered */
            atomic_fetch_sub(&s->pending, (long)b->job->n);
            atomic_fetch_sub(&s->pending_bytes, b->bytes);
            b->answered = true;
        }
        if (!b->complete)
            break; /* answered by expire(); the producer still owns it */
        s->head = b->next;
        if (!s->head)
            s->tail = NULL;
        b->next = *to_free;
        *to_free = b;
    }
    kr_buf_deinit(&out);
    if (atomic_load(&s->finished) && (!s->head || s->head->answered)) {
        bool all = true;
        for (batch_t *b = s->head; b; b = b->next)
            all &= b->answered;
        if (all)
            atomic_store(&s->done, true);
    }
}

static void free_batches(session_t *s, batch_t *list)
{
    while (list) {
        batch_t *b = list;
        list = b->next;
        kafka_md_release(b->md);
        v3p_job_free(&b->job->job);
        xfree(b);
        session_unref(s); /* the batch's */
    }
}

/* After a batch completed: write what is ready, wake the HTTP layer. The kick happens under
 * the session's lock, so that once close() returned the sink is never touched again (the lock
 * order session, then stream, holds: the HTTP layer's busy()/done() take no session lock). */
static void settle(session_t *s)
{
    batch_t *to_free = NULL;
    pthread_mutex_lock(&s->mu);
    write_ready_locked(s, &to_free);
    if (!s->closed)
        s->sink.kick(s->sink.ctx);
    s->refs++; /* kept while the batches are freed */
    pthread_mutex_unlock(&s->mu);
    free_batches(s, to_free);
    session_unref(s);
}

/* --- preparing batches, one at a time ----------------------------------------------------- */

static void prep_next(session_t *s);

static void batch_done(void *opaque)
{
    batch_t *b = opaque;
    session_t *s = b->s;
    pthread_mutex_lock(&s->mu);
    b->complete = true;
    pthread_mutex_unlock(&s->mu);
    settle(s);
}

/* The batch is ready: to the producer, and the next batch's turn. A reference is held
 * meanwhile: b may complete at once (or on the kafka loop) and the connection then end and
 * close the session, all before prep_next() here, when this runs off the HTTP thread. */
static void batch_send(batch_t *b)
{
    session_t *s = b->s;
    v3p_build_msgs(s->ctx, b->job);
    pthread_mutex_lock(&s->send_mu);
    pthread_mutex_lock(&s->mu);
    s->preparing = false;
    s->prep = b->next;
    s->refs++;
    pthread_mutex_unlock(&s->mu);
    if (b->job->n_msgs > 0)
        kafka_producer_send(s->ctx->producer, b->job->topic, b->job->msgs, b->job->n_msgs,
                            batch_done, b);
    else
        batch_done(b);
    pthread_mutex_unlock(&s->send_mu);
    prep_next(s);
    session_unref(s);
}

/* On a worker: the producer's refresh of the topic's partitions when asked (see with_md), and
 * the schemas when a record needs the registry. */
static void schemas_run(void *arg)
{
    batch_t *b = arg;
    const api_ctx_t *ctx = b->s->ctx;
    if (b->refresh) {
        kr_err_t err = {0}; /* a failure shows as the records' own errors */
        kafka_producer_refresh_topic(ctx->producer, b->job->topic, ctx->cfg->client_timeout_ms,
                                     &err);
    }
    if (b->job->needs_sr)
        v3p_schemas_resolve(ctx, b->job);
    batch_send(b);
}

static void with_md(void *arg, kafka_md_t *md, const kr_err_t *err);

/* The missing topic was created (or not): a snapshot fetched from now on has it. */
static void auto_done(void *arg, bool created, const kr_err_t *err)
{
    batch_t *b = arg;
    session_t *s = b->s;
    if (!created) {
        if (err)
            v3p_fail_all(b->job, err->code, err->msg);
        else
            v3p_fail_all(b->job, KR_ERR_TOPIC_NOT_FOUND, "Topic not found.");
        batch_send(b);
        return;
    }
    int64_t now = kr_clock_mono_ms();
    atomic_store(&s->md_not_before, now);
    b->job->forced = b->job->refreshed = true; /* the wait for leaders refreshed the producer */
    kafka_md_request_topic(s->ctx->md, s->topic, now, s->arrival_ms, with_md, b);
}

static void with_md(void *arg, kafka_md_t *md, const kr_err_t *err)
{
    batch_t *b = arg;
    session_t *s = b->s;
    kr_err_t e = {0};
    const kafka_md_topic_t *t = NULL;
    if (md && !kafka_md_topic(md, s->topic) && !s->auto_tried &&
        api_v3_cluster_check(md, s->cluster, &e) == 0) {
        /* a missing topic follows krest.topic.auto.create as the buffered endpoint does (once
         * per stream; the batches after this one wait for it: one is prepared at a time) */
        s->auto_tried = true;
        api_auto_create_async(s->ctx, s->topic, md, auto_done, b);
        kafka_md_release(md);
        return;
    }
    kafka_md_release(b->md); /* a snapshot before the auto-creation */
    b->md = md;
    if (!md)
        v3p_fail_all(b->job, err->code, err->msg);
    else if (api_v3_cluster_check(md, s->cluster, &e) != 0)
        v3p_fail_all(b->job, e.code, e.msg);
    else if (!(t = kafka_md_topic(md, s->topic)))
        v3p_fail_all(b->job, KR_ERR_TOPIC_NOT_FOUND, "Topic not found.");
    if (t && v3p_partitions_missing(b->job, t) && !b->job->forced &&
        kr_clock_mono_ms() - s->forced_ms >= STREAM_FORCE_INTERVAL_MS) {
        /* partitions added a moment ago: one snapshot fetched from now on (at most once per
         * interval per stream: a client naming a partition that does not exist would else
         * make a Metadata request per batch) */
        b->job->forced = true;
        s->forced_ms = kr_clock_mono_ms();
        kafka_md_request_topic(s->ctx->md, s->topic, kr_clock_mono_ms(), s->arrival_ms, with_md, b);
        return;
    }
    if (t) {
        v3p_check_partitions(b->job, t);
        v3p_sides_plan(s->ctx, b->job);
    }
    bool refresh = t && b->job->forced && !b->job->refreshed;
    if (refresh || (t && b->job->needs_sr)) {
        /* the producer learns the partitions just found (blocks), schemas: on a worker */
        b->job->refreshed = true;
        b->refresh = refresh;
        if (kr_workq_submit(s->ctx->workq, schemas_run, b) == 0)
            return;
        v3p_fail_all(b->job, KR_ERR_TOO_MANY_REQUESTS,
                     "krest's worker queue is full; retry the record");
    }
    batch_send(b);
}

/* Starts preparing the next batch unless one is being prepared. */
static void prep_next(session_t *s)
{
    pthread_mutex_lock(&s->mu);
    batch_t *b = s->preparing ? NULL : s->prep;
    if (b)
        s->preparing = true;
    pthread_mutex_unlock(&s->mu);
    if (!b)
        return;
    bool any = false;
    for (size_t i = 0; i < b->job->n && !any; i++)
        any = b->job->slots[i].code == 0;
    if (!any) {
        batch_send(b); /* in-band errors only: nothing to look up */
        return;
    }
    kafka_md_t *md = kafka_md_peek(s->ctx->md);
    if (md && kafka_md_topic(md, s->topic)) {
        with_md(b, md, NULL);
        return;
    }
    kafka_md_release(md);
    kafka_md_request_topic(s->ctx->md, s->topic, atomic_load(&s->md_not_before), s->arrival_ms,
                           with_md, b);
}

/* Appends a batch (its records counted as pending already) and prepares it in its turn. */
static void enqueue(session_t *s, v3p_job_t *job, long bytes)
{
    batch_t *b = xcalloc(1, sizeof(*b));
    b->job = job;
    b->s = s;
    b->bytes = bytes;
    pthread_mutex_lock(&s->mu);
    s->refs++;
    if (s->tail)
        s->tail->next = b;
    else
        s->head = b;
    s->tail = b;
    if (!s->prep)
        s->prep = b;
    pthread_mutex_unlock(&s->mu);
    prep_next(s);
}

/* --- the handler ------------------------------------------------------------------------- */

static void *s_open(api_req_t *req, const api_stream_sink_t *sink)
{
    session_t *s = xcalloc(1, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->send_mu, NULL);
    pthread_mutex_init(&s->in_mu, NULL);
    s->ctx = req->ctx; /* the user's own under principal propagation (api/identity.h) */
    s->principal = req->ctx->principal ? kafka_principal_keep(req->ctx->principal) : NULL;
    s->sink = *sink;
    s->refs = 1;
    s->cluster = xstrdup(req->params[0]);
    s->topic = xstrdup(req->params[1]);
    s->arrival_ms = req->start_ms;
    kr_buf_init(&s->in, (size_t)req->ctx->cfg->max_request_size);
    atomic_init(&s->pending, 0);
    atomic_init(&s->pending_bytes, 0);
    atomic_init(&s->finished, false);
    atomic_init(&s->done, false);
    atomic_init(&s->md_not_before, 0);
    return s;
}

static bool too_old(session_t *s);

/* Decodes the complete objects of the input into one batch. @return 1 when the stream ended
 * (broken JSON, a record over the size limit). */
/* The open batch goes to the queue of batches. Under in_mu. */
static void flush_open_locked(session_t *s)
{
    v3p_job_t *job = s->open;
    if (!job)
        return;
    s->open = NULL;
    enqueue(s, job, s->open_bytes);
    s->open_bytes = 0;
}

/* On a worker: the records the HTTP thread decoded meanwhile leave as one batch. */
static void flush_run(void *arg)
{
    session_t *s = arg;
    pthread_mutex_lock(&s->in_mu);
    s->flush_queued = false;
    flush_open_locked(s);
    pthread_mutex_unlock(&s->in_mu);
    session_unref(s);
}

/* After a feed: a full batch leaves at once; else a worker takes the open batch (the records
 * that arrive before it runs join it: one producer call, one delivery callback, one write of
 * results for all of them). Under in_mu. */
static void flush_soon_locked(session_t *s)
{
    if (!s->open)
        return;
    if (s->open->n >= OPEN_BATCH_MAX || s->open->broken_code) {
        flush_open_locked(s);
        return;
    }
    if (s->flush_queued)
        return;
    pthread_mutex_lock(&s->mu);
    s->refs++; /* the flush's */
    pthread_mutex_unlock(&s->mu);
    if (kr_workq_submit(s->ctx->workq, flush_run, s) == 0) {
        s->flush_queued = true;
        return;
    }
    flush_open_locked(s); /* the queue is full: at once */
    session_unref(s);
}

static int decode_input(session_t *s, bool final)
{
    if (!s->open)
        s->open = v3p_job_new_for(s->ctx, s->cluster, s->topic, false);
    v3p_job_t *job = s->open;
    size_t limit = (size_t)s->ctx->cfg->v3_produce_size_limit;
    int ended = 0;
    for (;;) {
        fmt_v3_record_t rec;
        kr_err_t err = {0};
        size_t pos = s->in_pos;
        int rc = (final ? fmt_v3_record_next : fmt_v3_record_more)(&job->st, s->in.data, s->in.len,
                                                                   &pos, limit, &rec, &err);
        if (rc == FMT_V3_END || rc == FMT_V3_PARTIAL)
            break;
        if (rc == FMT_V3_BROKEN) {
            job->broken_code = err.code;
            job->broken_msg = xstrdup(err.msg);
            ended = 1;
            break;
        }
        s->in_pos = pos;
        bool old = too_old(s);
        if (old && kr_clock_mono_ms() >= s->close_at_ms) {
            ended = 1; /* past the grace period: no more records, no answer */
            break;
        }
        v3p_slot_t *slot = v3p_slot_add(job);
        slot->rec = rec;
        s->open_bytes += (long)rec.json_size;
        atomic_fetch_add(&s->pending, 1);
        atomic_fetch_add(&s->pending_bytes, (long)rec.json_size);
        if (rc == FMT_V3_INVALID)
            v3p_slot_fail(slot, err.code, "%s", err.msg);
        if (old)
            v3p_slot_fail(slot, KR_ERR_STREAM_TOO_LONG,
                          "Streaming connection open for longer than allowed: Connection will be "
                          "closed.");
        v3p_rate_check(s->ctx, slot);
    }
    /* keep only the unread tail */
    memmove(s->in.data, s->in.data + s->in_pos, s->in.len - s->in_pos);
    s->in.len -= s->in_pos;
    s->in_pos = 0;
    if (job->n == 0 && !job->broken_code) {
        v3p_job_free(&job->job);
        s->open = NULL;
        return ended;
    }
    if (final)
        flush_open_locked(s);
    else
        flush_soon_locked(s);
    return ended;
}

static int feed_locked(session_t *s, const char *data, size_t n)
{
    if (s->input_over)
        return 1;
    if (kr_buf_append(&s->in, data, n) != 0) {
        flush_open_locked(s); /* its records first */
        v3p_job_t *job = v3p_job_new_for(s->ctx, s->cluster, s->topic, false);
        job->broken_code = KR_ERR_BAD_REQUEST;
        job->broken_msg = xstrdup("Bad Request: Error processing message: Produce request size "
                                  "is larger than allowed threshold");
        enqueue(s, job, 0);
        s->input_over = true;
        return 1;
    }
    if (decode_input(s, false))
        s->input_over = true;
    return s->input_over ? 1 : 0;
}

/* Whether the stream is open longer than streaming.connection.max.duration.ms; the first time,
 * the grace period starts (input stops when it ends). */
static bool too_old(session_t *s)
{
    int64_t now = kr_clock_mono_ms();
    if (now - s->arrival_ms < s->ctx->cfg->streaming_max_duration_ms)
        return false;
    if (!s->close_at_ms)
        s->close_at_ms = now + s->ctx->cfg->streaming_grace_ms;
    return true;
}

static int s_feed(void *arg, const char *data, size_t n)
{
    session_t *s = arg;
    pthread_mutex_lock(&s->in_mu);
    int rc = feed_locked(s, data, n);
    pthread_mutex_unlock(&s->in_mu);
    return rc;
}

static bool s_busy(void *arg)
{
    session_t *s = arg;
    return atomic_load(&s->pending) > SESSION_MAX_PENDING ||
           atomic_load(&s->pending_bytes) > SESSION_MAX_PENDING_BYTES;
}

static void s_finish(void *arg)
{
    session_t *s = arg;
    pthread_mutex_lock(&s->in_mu);
    if (!s->input_over && s->in.len > 0)
        decode_input(s, true);
    flush_open_locked(s); /* every record is in a batch before finished is set */
    s->input_over = true;
    pthread_mutex_unlock(&s->in_mu);
    atomic_store(&s->finished, true);
    batch_t *to_free = NULL;
    pthread_mutex_lock(&s->mu);
    write_ready_locked(s, &to_free);
    pthread_mutex_unlock(&s->mu);
    free_batches(s, to_free);
}

static bool s_done(void *arg)
{
    session_t *s = arg;
    return atomic_load(&s->done);
}

static void s_expire(void *arg)
{
    session_t *s = arg;
    kr_buf_t out;
    kr_buf_init(&out, (size_t)1 << 40);
    batch_t *to_free = NULL;
    pthread_mutex_lock(&s->mu);
    write_ready_locked(s, &to_free);
    for (batch_t *b = s->head; b; b = b->next) {
        if (b->answered)
            continue;
        kr_buf_reset(&out);
        v3p_write_stream(&out, b->job, false);
        if (!s->closed && out.len > 0 && s->sink.write(s->sink.ctx, out.data, out.len) != 0)
            s->closed = true;
        atomic_fetch_sub(&s->pending, (long)b->job->n);
        atomic_fetch_sub(&s->pending_bytes, b->bytes);
        b->answered = true;
    }
    atomic_store(&s->done, true);
    pthread_mutex_unlock(&s->mu);
    kr_buf_deinit(&out);
    free_batches(s, to_free);
}

static void s_close(void *arg)
{
    session_t *s = arg;
    pthread_mutex_lock(&s->mu);
    s->closed = true;
    bool free_it;
    session_unref_locked(s, &free_it);
    pthread_mutex_unlock(&s->mu);
    if (free_it)
        session_free(s);
}

const api_stream_handler_t api_v3_records_stream = {
    .open = s_open,
    .feed = s_feed,
    .busy = s_busy,
    .finish = s_finish,
    .done = s_done,
    .expire = s_expire,
    .close = s_close,
};
