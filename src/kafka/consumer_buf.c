/* kafka/consumer_buf.c -- a consumer instance's buffer: filling it from the instance's queue
 * (the kafka loop), pausing and resuming its partitions, taking records out for readers.
 *
 * DESIGN. serve() drains the queue into a FIFO of messages bounded by
 * krest.consumer.buffer.bytes: above the bound the assigned partitions are paused (polling goes
 * on, so rebalances are served and the group keeps the member), each with the position it
 * stopped at; below half of it a reader resumes them and seeks each to that position. The seek
 * moves nothing, but it wakes librdkafka 2.0.2's fetcher at once, where a plain resume waits for
 * its next 1-second wake-up. Records of a paused partition that still arrive were fetched
 * around the pause: they are dropped and fetched again after the seek. A reader takes from the
 * buffer and stores the offsets of exactly what it took. One waiter per instance (a suspended
 * read) is completed when enough bytes are buffered.
 * May use: what consumer.c may. Threads: c->lock guards all of it (see consumer_int.h). */
#include "kafka/consumer.h"

#include "kafka/consumer_int.h"
#include "kafka/stats.h"
#include "util/metrics.h"
#include "util/log.h"
#include "util/mem.h"

#include <string.h>
#include <sys/types.h>

static int64_t msg_bytes(const rd_kafka_message_t *m)
{
    return (int64_t)(m->key_len + m->len);
}

/* librdkafka's op and message around each record, roughly: what a record costs the buffer
 * beyond its bytes. */
#define MSG_OVERHEAD 128

/* What a buffered record counts against krest.consumer.buffer.bytes: its key, value and
 * headers and MSG_OVERHEAD. Key and value alone would let records that are empty or all
 * headers fill memory without ever pausing. The same on every call (headers do not change). */
static int64_t msg_mem(const rd_kafka_message_t *m)
{
    int64_t n = msg_bytes(m) + MSG_OVERHEAD;
    rd_kafka_headers_t *h = NULL;
    if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR && h) {
        const char *name;
        const void *val;
        size_t len;
        for (size_t i = 0; rd_kafka_header_get_all(h, i, &name, &val, &len) == 0; i++)
            n += (int64_t)(strlen(name) + len);
    }
    return n;
}

static void buf_push(kafka_consumer_t *c, rd_kafka_message_t *m)
{
    if (c->len == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        rd_kafka_message_t **nb = xmalloc(cap * sizeof(*nb));
        for (size_t i = 0; i < c->len; i++)
            nb[i] = c->buf[(c->head + i) % c->cap];
        xfree(c->buf);
        c->buf = nb;
        c->cap = cap;
        c->head = 0;
    }
    c->buf[(c->head + c->len) % c->cap] = m;
    c->len++;
    c->bytes += msg_bytes(m);
    c->mem += msg_mem(m);
}

/* Drops buffered records of the given partitions (all when parts is NULL). Lock held. */
void kafka_consumer_buf_drop(kafka_consumer_t *c, const rd_kafka_topic_partition_list_t *parts)
{
    size_t kept = 0;
    rd_kafka_message_t **keep = xmalloc((c->len ? c->len : 1) * sizeof(*keep));
    for (size_t i = 0; i < c->len; i++) {
        rd_kafka_message_t *m = c->buf[(c->head + i) % c->cap];
        bool drop = !parts || rd_kafka_topic_partition_list_find(parts, rd_kafka_topic_name(m->rkt),
                                                                 m->partition) != NULL;
        if (drop) {
            c->bytes -= msg_bytes(m);
            c->mem -= msg_mem(m);
            rd_kafka_message_destroy(m);
        } else {
            keep[kept++] = m;
        }
    }
    xfree(c->buf);
    c->buf = keep;
    c->cap = c->len ? c->len : 1;
    c->len = kept;
    c->head = 0;
}

/* Pauses every assigned partition that is not paused yet, and remembers where each continues.
 * rd_kafka_pause_partitions() waits for librdkafka's main thread (no network) and bumps the
 * partition's version, so nothing fetched before it reaches this handle's poll any more: the
 * partition's position (the offset after the last record this thread polled) is where it goes on.
 * Lock held; the kafka loop. */
static void pause_assigned(kafka_consumer_t *c)
{
    rd_kafka_topic_partition_list_t *a = NULL;
    if (rd_kafka_assignment(c->rk, &a) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
    rd_kafka_topic_partition_list_t *add = rd_kafka_topic_partition_list_new(a->cnt ? a->cnt : 1);
    for (int i = 0; i < a->cnt; i++) {
        if (!c->paused || !rd_kafka_topic_partition_list_find(c->paused, a->elems[i].topic,
                                                              a->elems[i].partition))
            rd_kafka_topic_partition_list_add(add, a->elems[i].topic, a->elems[i].partition);
    }
    if (add->cnt > 0) {
        log_debug("consumer %s/%s: buffer full (%zu records, %lld bytes against the bound): "
                  "pausing %d partitions",
                  c->group, c->name, c->len, (long long)c->mem, add->cnt);
        rd_kafka_pause_partitions(c->rk, add);
        rd_kafka_position(c->rk, add);
        if (!c->paused)
            c->paused = rd_kafka_topic_partition_list_new(add->cnt);
        for (int i = 0; i < add->cnt; i++) {
            if (add->elems[i].err)
                continue;
            rd_kafka_topic_partition_t *p = rd_kafka_topic_partition_list_add(
                c->paused, add->elems[i].topic, add->elems[i].partition);
            /* A client seek or assign under way moves the partition: its position is not ours. */
            p->offset = c->moving ? RD_KAFKA_OFFSET_INVALID : add->elems[i].offset;
        }
    }
    rd_kafka_topic_partition_list_destroy(add);
    rd_kafka_topic_partition_list_destroy(a);
}

/* Resumes the partitions krest paused (those in parts; all when parts is NULL) and forgets
 * them. With wake, each partition whose position is known is also sought there, without
 * waiting: librdkafka 2.0.2 applies a resume on its main thread and its fetcher only notices on
 * its next wake-up, up to 1 s later, while a seek wakes the fetcher at once. The seek goes to
 * where the partition stopped, so it moves nothing; records fetched in between were dropped by
 * serve() and are fetched again. Lock held (a client seek cannot slip in between). */
void kafka_consumer_unpause(kafka_consumer_t *c, const rd_kafka_topic_partition_list_t *parts,
                            bool wake)
{
    if (!c->paused)
        return;
    rd_kafka_topic_partition_list_t *res = rd_kafka_topic_partition_list_new(c->paused->cnt);
    rd_kafka_topic_partition_list_t *seek = rd_kafka_topic_partition_list_new(c->paused->cnt);
    for (int i = c->paused->cnt - 1; i >= 0; i--) {
        const rd_kafka_topic_partition_t *e = &c->paused->elems[i];
        if (parts && !rd_kafka_topic_partition_list_find(parts, e->topic, e->partition))
            continue;
        rd_kafka_topic_partition_list_add(res, e->topic, e->partition);
        if (wake && !c->moving && e->offset >= 0)
            rd_kafka_topic_partition_list_add(seek, e->topic, e->partition)->offset = e->offset;
        rd_kafka_topic_partition_list_del_by_idx(c->paused, i);
    }
    if (res->cnt > 0)
        rd_kafka_resume_partitions(c->rk, res);
    if (seek->cnt > 0) {
        rd_kafka_error_t *e = rd_kafka_seek_partitions(c->rk, seek, 0);
        if (e)
            rd_kafka_error_destroy(e);
    }
    rd_kafka_topic_partition_list_destroy(res);
    rd_kafka_topic_partition_list_destroy(seek);
    if (c->paused->cnt == 0) {
        rd_kafka_topic_partition_list_destroy(c->paused);
        c->paused = NULL;
    }
}

/* Whether m belongs to a partition krest paused at a known position: such a record was fetched
 * around the pause and is fetched again after the resume's seek. Lock held. */
static bool fetched_while_paused(const kafka_consumer_t *c, const rd_kafka_message_t *m)
{
    if (!c->paused)
        return false;
    const rd_kafka_topic_partition_t *p =
        rd_kafka_topic_partition_list_find(c->paused, rd_kafka_topic_name(m->rkt), m->partition);
    return p && p->offset >= 0;
}

static bool is_paused(const kafka_consumer_t *c, const rd_kafka_message_t *m)
{
    return c->paused &&
           rd_kafka_topic_partition_list_find(c->paused, rd_kafka_topic_name(m->rkt), m->partition);
}

#define SERVE_BATCH 256

/* librdkafka 2.0.2 learns that a record has no headers only by parsing a shadow buffer (a
 * calloc, a buffer segment, a mutex, and their frees), again on every
 * rd_kafka_message_headers() call, since it remembers only a list it found. Done here once, on
 * the kafka loop, and remembered as an empty list (rd_kafka_message_set_headers: the message
 * owns and frees it), so that the read that writes the record makes a field read on the HTTP
 * thread (1 KiB json reads: 1.62 -> 1.28 CPU-s per M without the parse on that thread). */
static void settle_headers(rd_kafka_message_t **msgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rd_kafka_headers_t *h;
        if (!msgs[i]->err && rd_kafka_message_headers(msgs[i], &h) == RD_KAFKA_RESP_ERR__NOENT)
            rd_kafka_message_set_headers(msgs[i], rd_kafka_headers_new(0));
    }
}

/* Buffers a batch of polled messages (owned). Lock held. @return whether to pause. */
static bool buffer_batch(kafka_consumer_t *c, rd_kafka_message_t **msgs, size_t n, int64_t limit)
{
    bool pause = false;
    for (size_t i = 0; i < n; i++) {
        rd_kafka_message_t *m = msgs[i];
        if (m->err) {
            log_debug("consumer %s/%s: %s", c->group, c->name, rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
        } else if (fetched_while_paused(c, m)) {
            rd_kafka_message_destroy(m);
        } else {
            buf_push(c, m);
            pause = pause || (c->mem >= limit && !is_paused(c, m));
        }
    }
    return pause;
}

/* Drains the instance's queue into its buffer, a batch per lock (rd_kafka_consume_batch_queue
 * serves rebalances on the way, through rebalance_cb, and moves the positions like
 * rd_kafka_consumer_poll). A full buffer pauses its partitions once the queue is drained, or
 * at half a buffer over the bound: a pause drops what librdkafka has queued for the partitions,
 * to be fetched again after the resume, and at the end of a partition that fetch would wait
 * for the long poll in flight (fetch.wait.max.ms). The kafka loop. */
void kafka_consumer_serve(void *arg)
{
    kafka_consumer_t *c = arg;
    int64_t limit = c->reg->cfg->consumer_buffer_bytes;
    kr_handle_t wake = {0, 0};
    rd_kafka_message_t *msgs[SERVE_BATCH];
    bool want_pause = false;
    pthread_mutex_lock(&c->poll_mu);
    pthread_mutex_lock(&c->lock);
    bool held = c->holding > 0;
    pthread_mutex_unlock(&c->lock);
    for (; !held;) {
        ssize_t n = rd_kafka_consume_batch_queue(c->q, 0, msgs, SERVE_BATCH);
        if (n <= 0)
            break;
        settle_headers(msgs, (size_t)n);
        pthread_mutex_lock(&c->lock);
        want_pause = buffer_batch(c, msgs, (size_t)n, limit) || want_pause;
        /* Paused after the whole batch is buffered: a partition's position is then the offset
         * after its last buffered record. */
        if (want_pause && (n < SERVE_BATCH || c->mem >= limit + limit / 2)) {
            pause_assigned(c);
            want_pause = false;
        }
        if (c->has_waiter && c->bytes >= c->waiter_min) {
            wake = c->waiter;
            c->has_waiter = false;
        }
        pthread_mutex_unlock(&c->lock);
        if (n < SERVE_BATCH)
            break;
    }
    if (want_pause) {
        pthread_mutex_lock(&c->lock);
        pause_assigned(c);
        pthread_mutex_unlock(&c->lock);
    }
    pthread_mutex_unlock(&c->poll_mu); /* a move under way kicks the loop when it is done */
    /* Woken only once the queue is drained: a reader gets the whole fetch, not its first
     * record. */
    if (wake.gen)
        kr_pending_complete(wake, NULL, NULL);
}

/* --- reading ----------------------------------------------------------------------------- */

/* Guards every instance's stored_take and orders their offset stores. */
static pthread_mutex_t store_mu = PTHREAD_MUTEX_INITIALIZER;

static void store_offsets(kafka_consumer_t *c, rd_kafka_message_t **msgs, size_t n)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);
    rd_kafka_topic_partition_t *p = NULL;
    const rd_kafka_topic_t *rkt = NULL;
    for (size_t i = 0; i < n; i++) {
        /* Records come in runs of one partition: look a partition up only when the run ends. */
        if (!p || msgs[i]->rkt != rkt || msgs[i]->partition != p->partition) {
            rkt = msgs[i]->rkt;
            const char *topic = rd_kafka_topic_name(rkt);
            p = rd_kafka_topic_partition_list_find(l, topic, msgs[i]->partition);
            if (!p)
                p = rd_kafka_topic_partition_list_add(l, topic, msgs[i]->partition);
        }
        p->offset = msgs[i]->offset + 1;
    }
    rd_kafka_resp_err_t e = rd_kafka_offsets_store(c->rk, l);
    if (e)
        log_debug("consumer %s/%s: offsets_store: %s", c->group, c->name, rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_destroy(l);
}

size_t kafka_consumer_take(kafka_consumer_t *c, int64_t max_bytes, kafka_record_t ***out,
                           uint64_t *take)
{
    int64_t limit = c->reg->cfg->consumer_buffer_bytes;
    pthread_mutex_lock(&c->lock);
    size_t n = 0;
    int64_t taken = 0, mem = 0;
    while (n < c->len) {
        rd_kafka_message_t *m = c->buf[(c->head + n) % c->cap];
        if (n > 0 && max_bytes > 0 && taken + msg_bytes(m) > max_bytes)
            break;
        taken += msg_bytes(m);
        mem += msg_mem(m);
        n++;
    }
    rd_kafka_message_t **msgs = xmalloc((n ? n : 1) * sizeof(*msgs));
    for (size_t i = 0; i < n; i++)
        msgs[i] = c->buf[(c->head + i) % c->cap];
    c->head = c->cap ? (c->head + n) % c->cap : 0;
    c->len -= n;
    c->bytes -= taken;
    c->mem -= mem;
    if (n > 0)
        c->first_read = false;
    *take = ++c->takes;
    if (c->paused && c->mem < limit / 2)
        kafka_consumer_unpause(c, NULL, true);
    pthread_mutex_unlock(&c->lock);
    *out = msgs;
    return n;
}

void kafka_consumer_handed_out(kafka_consumer_t *c, kafka_record_t **msgs, size_t n, uint64_t take)
{
    if (n > 0) {
        /* Its own lock (stores take microseconds, one per read): the instance's lock is not held
         * around a librdkafka call, and two stores never cross. */
        pthread_mutex_lock(&store_mu);
        if (take > c->stored_take) {
            c->stored_take = take;
            store_offsets(c, msgs, n);
        }
        pthread_mutex_unlock(&store_mu);
    }
    kafka_stats_consumed(msgs, n);
}

void kafka_consumer_give_back(kafka_consumer_t *c, kafka_record_t **msgs, size_t n)
{
    pthread_mutex_lock(&c->lock);
    for (size_t i = n; i-- > 0;) {
        if (c->len == c->cap) {
            buf_push(c, msgs[i]); /* grows the ring; undone just below */
            c->len--;
            c->bytes -= msg_bytes(msgs[i]);
            c->mem -= msg_mem(msgs[i]);
        }
        c->head = (c->head + c->cap - 1) % c->cap;
        c->buf[c->head] = msgs[i];
        c->len++;
        c->bytes += msg_bytes(msgs[i]);
        c->mem += msg_mem(msgs[i]);
    }
    pthread_mutex_unlock(&c->lock);
}

bool kafka_consumer_ready_or_wait(kafka_consumer_t *c, int64_t min_bytes, kr_handle_t h)
{
    if (min_bytes <= 0)
        min_bytes = 1;
    pthread_mutex_lock(&c->lock);
    bool ready = c->bytes >= min_bytes || (c->len > 0 && min_bytes <= 1);
    if (!ready) {
        kr_metrics_add(KR_M_CONSUMER_READ_WAITS, 1);
        c->has_waiter = true;
        c->waiter = h;
        c->waiter_min = min_bytes;
    }
    pthread_mutex_unlock(&c->lock);
    return ready;
}

bool kafka_consumer_first_read(kafka_consumer_t *c, int64_t *assigned_ms)
{
    pthread_mutex_lock(&c->lock);
    bool first = c->first_read;
    *assigned_ms = c->assigned_ms;
    pthread_mutex_unlock(&c->lock);
    return first;
}
