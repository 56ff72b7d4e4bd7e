/* kafka/loop.h -- the kafka loop: one thread, one epoll, that serves librdkafka queues as they
 * fill (rd_kafka_queue_io_event_enable writes to an eventfd when a queue goes from empty to
 * non-empty). The producer's delivery reports are served here; later, consumer queues too.
 * krest adds no thread per queue.
 * May use: util/, librdkafka. Threads: kafka_loop_new/free from main; callbacks run on the loop
 * thread; kafka_loop_watch from any thread. */
#ifndef KR_KAFKA_LOOP_H
#define KR_KAFKA_LOOP_H

#include "util/err.h"

#include <librdkafka/rdkafka.h>

typedef struct kafka_loop kafka_loop_t;
typedef struct kafka_loop_watch kafka_loop_watch_t;

/** Called on the loop thread when the watched queue has events; it must drain them (the
 * wake-up only comes again after the queue was empty). */
typedef void (*kafka_loop_fn)(void *arg);

/** Starts the loop thread. @return owned loop (kafka_loop_free), or NULL with err set. */
kafka_loop_t *kafka_loop_new(kr_err_t *err);

/** Watches q (borrowed; must outlive the watch): fn(arg) runs on the loop thread whenever q
 * receives events, and once right away (events may already wait).
 * @return owned watch (kafka_loop_unwatch), or NULL with err set. */
kafka_loop_watch_t *kafka_loop_watch(kafka_loop_t *loop, rd_kafka_queue_t *q, kafka_loop_fn fn,
                                     void *arg, kr_err_t *err);

/** Makes the loop run a watch's fn soon, as if its queue had received events (for a callback
 * that left events in the queue on purpose). Any thread. */
void kafka_loop_kick(kafka_loop_watch_t *w);

/** Runs fn(arg) on the loop thread every interval_ms (a timerfd in the same epoll).
 * @return owned watch (kafka_loop_unwatch), or NULL with err set. */
kafka_loop_watch_t *kafka_loop_every(kafka_loop_t *loop, int64_t interval_ms, kafka_loop_fn fn,
                                     void *arg, kr_err_t *err);

/** Stops watching; after it returns fn is not running and will not run. Not on the loop
 * thread. */
void kafka_loop_unwatch(kafka_loop_t *loop, kafka_loop_watch_t *w);

/** Stops the loop thread and frees it; every watch must be gone. */
void kafka_loop_free(kafka_loop_t *loop);

#endif
