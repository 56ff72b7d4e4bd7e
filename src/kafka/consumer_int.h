/* kafka/consumer_int.h -- what consumer.c (registry, life cycle, subscriptions) and
 * consumer_buf.c (the buffer, pauses, reads) share: the instance and registry structs.
 * Only src/kafka/consumer*.c may include it. Threads: as the fields say. */
#ifndef KR_KAFKA_CONSUMER_INT_H
#define KR_KAFKA_CONSUMER_INT_H

#include "kafka/consumer.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdbool.h>

struct kafka_consumer {
    kafka_consumers_t *reg;
    char *group, *name;
    char *owner; /* the creating principal, NULL: anonymous */
    int format;
    int64_t fetch_min_bytes, request_timeout_ms;
    rd_kafka_t *rk;
    rd_kafka_queue_t *q;
    kafka_loop_watch_t *watch;
    int refcnt;           /* atomic */
    int64_t last_used_ms; /* atomic */
    pthread_mutex_t lock;
    rd_kafka_message_t **buf; /* guarded by lock: FIFO ring */
    size_t head, len, cap;
    int64_t bytes; /* guarded by lock: key+value bytes buffered (max_bytes, fetch.min.bytes) */
    int64_t mem;   /* guarded by lock: what the buffer holds against its bound (msg_mem) */
    /* guarded by lock: the partitions krest paused (NULL: none); each .offset is where the
     * partition continues (the next record to buffer), or RD_KAFKA_OFFSET_INVALID when unknown */
    rd_kafka_topic_partition_list_t *paused;
    int moving;  /* guarded by lock: client seeks and assigns under way */
    int holding; /* guarded by lock: moves during which the loop polls nothing */
    /* Held by the kafka loop while it polls the queue and buffers what it got, and by a move's
     * start: with holding, nothing is polled while the move runs (what librdkafka still queues
     * from before it is discarded by librdkafka itself after the assign), so a record fetched
     * from the new position can never be mistaken for a stale one. Taken before lock. */
    pthread_mutex_t poll_mu;
    bool has_waiter; /* guarded by lock */
    kr_handle_t waiter;
    int64_t waiter_min;
    bool first_read;          /* guarded by lock */
    uint64_t takes;           /* guarded by lock: kafka_consumer_take() calls */
    uint64_t stored_take;     /* guarded by consumer_buf.c's store_mu: the last take that stored */
    int64_t assigned_ms;      /* guarded by lock: when the last assignment arrived, 0 = none */
    bool manual;              /* guarded by lock: assigned by hand */
    bool subscribed;          /* guarded by lock */
    bool close_timed_out;     /* set by the close job, read by the destroy job after it */
    bool turn;                /* guarded by lock: a seek, assign, commit or close runs */
    bool closed;              /* guarded by lock: the close began; no move starts */
    pthread_cond_t turn_cond; /* with lock: turn given back, a bounded assign ended */
    struct kafka_consumer *next; /* reg->lock */
};

struct kafka_consumers {
    const krest_config_t *cfg;
    kafka_loop_t *loop;
    kr_workq_t *workq;
    char *instance_id;
    kafka_loop_watch_t *expiry;
    pthread_mutex_t lock;
    kafka_consumer_t *list; /* guarded by lock */
    /* atomic: handles alive, from the reservation of a create until destroy_job() ends
     * (instances, and deleted ones still being closed or destroyed) */
    int handles;
};

/** Takes a handle's place against krest.consumer.instance.max and the descriptor limit (none
 * is made yet). @return 0 (destroy_job() gives it back), or -1 with err 42901. */
int kafka_consumers_reserve(kafka_consumers_t *reg, kr_err_t *err);
/** @return an owned automatic name, rest-consumer-<instance id>-<uuid> (xfree). */
char *kafka_consumers_auto_name(const kafka_consumers_t *reg);
/** Makes c's librdkafka consumer (c->name is set). @return owned handle, or NULL with err 42204. */
rd_kafka_t *kafka_consumer_new_handle(kafka_consumers_t *reg, const kafka_consumer_opts_t *o,
                                      kafka_consumer_t *c, kr_err_t *err);
/** The rebalance callback of every instance (opaque: the instance). */
void kafka_consumer_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                                 rd_kafka_topic_partition_list_t *parts, void *opaque);

/** Drops buffered records of the given partitions (all when parts is NULL). Lock held. */
void kafka_consumer_buf_drop(kafka_consumer_t *c, const rd_kafka_topic_partition_list_t *parts);
/** Resumes the partitions krest paused (those in parts; all when NULL) and forgets them; with
 * wake, each whose position is known is also sought there (see consumer_buf.c). Lock held. */
void kafka_consumer_unpause(kafka_consumer_t *c, const rd_kafka_topic_partition_list_t *parts,
                            bool wake);
/** Sets up c->turn_cond (monotonic clock). */
void kafka_consumer_turn_init(kafka_consumer_t *c);
/** Takes the instance's turn for a seek, assign, commit or (closing) its close, waiting at most
 * timeout_ms (0: not at all). With closing, c->closed is set whatever the outcome.
 * @return 0, or -1 with err: 40403 once the instance is closing, 42901 when still busy. */
int kafka_consumer_turn_take(kafka_consumer_t *c, int64_t timeout_ms, bool closing, kr_err_t *err);
/** Gives the turn back. */
void kafka_consumer_turn_give(kafka_consumer_t *c);
/** What an abandoned assign's thread does when librdkafka answers it at last (the caller's own
 * end of the move), before it gives the turn back. */
typedef void (*kafka_consumer_after_fn)(kafka_consumer_t *c, rd_kafka_resp_err_t e);
/** rd_kafka_assign(c->rk, parts) (copied), waiting at most timeout_ms; the turn is held.
 * @return 0 with *e its result, or 1 when abandoned (*e = __TIMED_OUT): the turn and the end of
 * the move then belong to the call's thread, which runs after() and gives the turn back. */
int kafka_consumer_assign_bounded(kafka_consumer_t *c, const rd_kafka_topic_partition_list_t *parts,
                                  int64_t timeout_ms, kafka_consumer_after_fn after,
                                  rd_kafka_resp_err_t *e);
/** The librdkafka calls kafka_consumer_call_bounded() runs. */
typedef enum kafka_consumer_call {
    KAFKA_CALL_ASSIGN,      /* rd_kafka_assign(parts) */
    KAFKA_CALL_SUBSCRIBE,   /* rd_kafka_subscribe(parts) */
    KAFKA_CALL_UNSUBSCRIBE, /* rd_kafka_unsubscribe() */
    KAFKA_CALL_ASSIGNMENT,  /* rd_kafka_assignment(): *out */
    KAFKA_CALL_SUBSCRIPTION /* rd_kafka_subscription(): *out */
} kafka_consumer_call_t;
/** Runs op on c->rk on a thread of its own and waits at most timeout_ms (parts copied; out may
 * be NULL: the answer of a query, owned). @return 0 with *e its result, or 1 when abandoned
 * (*e = __TIMED_OUT): the thread keeps a reference to c, and runs after() (may be NULL) when
 * librdkafka answers at last; an abandoned assign also gives the turn back then. */
int kafka_consumer_call_bounded(kafka_consumer_t *c, kafka_consumer_call_t op,
                                const rd_kafka_topic_partition_list_t *parts, int64_t timeout_ms,
                                kafka_consumer_after_fn after, rd_kafka_resp_err_t *e,
                                rd_kafka_topic_partition_list_t **out);
/** The end of a subscribe or unsubscribe (kafka_consumer_after_fn): the instance's state, when
 * e is no error. By the caller, or by the thread of an abandoned call. */
void kafka_consumer_subscribed(kafka_consumer_t *c, rd_kafka_resp_err_t e);
void kafka_consumer_unsubscribed(kafka_consumer_t *c, rd_kafka_resp_err_t e);
/** rd_kafka_assignment() or rd_kafka_subscription() (op), bounded by client.timeout.ms.
 * @return owned list, or NULL with err set (50003 when abandoned). */
rd_kafka_topic_partition_list_t *kafka_consumer_query(kafka_consumer_t *c, kafka_consumer_call_t op,
                                                      kr_err_t *err);
/** A copy of l with one element per partition, the last one given.
 * @return owned list (rd_kafka_topic_partition_list_destroy). */
rd_kafka_topic_partition_list_t *kafka_consumer_dedup(const rd_kafka_topic_partition_list_t *l);
/** Seeks parts (their offsets; each one's err is set) on c->rk, retried while librdkafka refuses
 * for a moment (consumer_seek.c), within timeout_ms; the turn is held. Blocking.
 * @return 0, or -1 with err: 422, 40903 (not assigned any more), 50003 (retriable), 503, 500. */
int kafka_consumer_seek_bounded(kafka_consumer_t *c, rd_kafka_topic_partition_list_t *parts,
                                int64_t timeout_ms, kr_err_t *err);
/** The error code of a seek's librdkafka error: 422 for the client's mistakes, 50003 for the
 * moments a seek cannot be made, else as kafka_err_code() (50002 when unmapped). */
int kafka_consumer_seek_err_code(rd_kafka_resp_err_t e);
/** Drains the instance's queue into its buffer: the kafka loop's callback for c->q. */
void kafka_consumer_serve(void *arg);

#endif
