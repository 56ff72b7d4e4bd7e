/* kafka/consumer.h -- consumer instances: one librdkafka consumer each, in a registry keyed by
 * (group, name). Fetching runs in the background: the kafka loop drains every instance's queue
 * into the instance's own buffer (bounded by krest.consumer.buffer.bytes; a full buffer pauses
 * the partitions while polling goes on, so the group stays alive and rebalances never wait for
 * a client; a reader that drained half of it resumes them). Readers take from the buffer; an
 * offset is stored only when its record is handed out (enable.auto.offset.store=false), so
 * commits cover exactly what clients got.
 * May use: config/, util/, librdkafka (not in this header: the layers above see krest's own
 * partition lists, kafka/tplist.h, and records, kafka/record.h). Knows nothing of HTTP or JSON.
 * Threads: registry calls and reads from any thread; queue serving and expiry on the kafka loop;
 * the blocking calls (seek, commit, committed, offsets_for_times, close) on worker threads. */
#ifndef KR_KAFKA_CONSUMER_H
#define KR_KAFKA_CONSUMER_H

#include "config/config.h"
#include "kafka/loop.h"
#include "kafka/record.h"
#include "kafka/tplist.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/pending.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kafka_consumer kafka_consumer_t;
typedef struct kafka_consumers kafka_consumers_t;
typedef struct kr_workq kr_workq_t;

typedef struct kafka_consumer_opts {
    const char *group;
    const char *name;              /* NULL: rest-consumer-<id>-<uuid> */
    int format;                    /* the API's embedded format, kept for it */
    const char *auto_offset_reset; /* "earliest" or "latest"; NULL: librdkafka's default */
    int auto_commit;               /* 0, 1 */
    int64_t fetch_min_bytes;       /* -1: off */
    int64_t request_timeout_ms;    /* -1: consumer.request.timeout.ms */
    const char *owner;             /* the creating principal's name; NULL: anonymous */
    const char *sasl_username;     /* NULL: the proxy's own identity (principal propagation) */
    const char *sasl_password;
} kafka_consumer_opts_t;

/** Creates the registry; expiry runs on loop, closes on workq (both borrowed).
 * @param instance_id the `id` part of automatic names. @return owned registry. */
kafka_consumers_t *kafka_consumers_new(const krest_config_t *cfg, kafka_loop_t *loop,
                                       kr_workq_t *workq, const char *instance_id, kr_err_t *err);
/** Closes every instance (each leaves its group). Shutdown only, before the worker pool stops. */
void kafka_consumers_shutdown(kafka_consumers_t *reg);
/** Frees the registry, after kafka_consumers_shutdown() and after the worker pool stopped,
 * waiting at most 5 s and until deadline_ms (kr_clock_mono_ms(); negative: none) for the
 * handles being closed or destroyed. @return 0, or how many still are: the registry is then
 * left to them, and the caller must end the process without freeing the kafka loop. */
int kafka_consumers_free(kafka_consumers_t *reg, int64_t deadline_ms);

/** Creates an instance. @return owned reference (kafka_consumer_release), or NULL with err:
 * 40902 when (group, name) exists, 42204 for a configuration librdkafka refuses, 42901 at
 * krest.consumer.instance.max handles or near the descriptor limit (nothing made then). */
kafka_consumer_t *kafka_consumers_create(kafka_consumers_t *reg, const kafka_consumer_opts_t *o,
                                         kr_err_t *err);
/** @return an owned reference to a live instance (its idle clock restarts), or NULL. */
kafka_consumer_t *kafka_consumers_get(kafka_consumers_t *reg, const char *group, const char *name);
/** Removes an instance; it leaves its group (at most 5 s) and its handle is destroyed on a
 * thread of its own. @return 0, or -1 if unknown. */
int kafka_consumers_delete(kafka_consumers_t *reg, const char *group, const char *name);
/** Drops a reference. */
void kafka_consumer_release(kafka_consumer_t *c);
/** Appends "<group>\t<name>\n" for each instance whose name the client gave (not an automatic
 * one), while out stays within max bytes (kafka/consumer_names.c; for kafka/cluster.c). */
void kafka_consumers_named(kafka_consumers_t *reg, kr_buf_t *out, size_t max);

const char *kafka_consumer_name(const kafka_consumer_t *c);
/** @return the name of the principal that created c, or NULL when it was anonymous. */
const char *kafka_consumer_owner(const kafka_consumer_t *c);
int kafka_consumer_format(const kafka_consumer_t *c);
/** @return the effective read timeout (instance setting, else the config's). */
int64_t kafka_consumer_request_timeout_ms(const kafka_consumer_t *c);
int64_t kafka_consumer_fetch_min_bytes(const kafka_consumer_t *c);

/** Subscribes to topics (n > 0) or to a pattern (anchored at both ends). 40903 when the
 * instance has a manual assignment. */
int kafka_consumer_subscribe(kafka_consumer_t *c, const char *const *topics, size_t n,
                             const char *pattern, kr_err_t *err);
/** Drops the subscription (and the buffered records). */
int kafka_consumer_unsubscribe(kafka_consumer_t *c, kr_err_t *err);
/** @return the subscribed topics (owned list, kafka_tp_list_free; a pattern is one element
 * whose topic starts with '^'), or NULL with err. */
kafka_tp_list_t *kafka_consumer_subscription(kafka_consumer_t *c, kr_err_t *err);
/** Assigns partitions by hand (offsets: KAFKA_OFFSET_INVALID = the committed one); 40903 when
 * the instance is subscribed. */
int kafka_consumer_assign(kafka_consumer_t *c, const kafka_tp_list_t *parts, kr_err_t *err);
/** @return the current assignment (owned list), or NULL with err. */
kafka_tp_list_t *kafka_consumer_assignment(kafka_consumer_t *c, kr_err_t *err);
/** Checks that every partition of parts is assigned: else 40903 "Illegal state: ...". */
int kafka_consumer_check_assigned(kafka_consumer_t *c, const kafka_tp_list_t *parts, kr_err_t *err);
/** Seeks (blocking: worker threads): offsets in parts; drops buffered records of those
 * partitions. */
int kafka_consumer_seek(kafka_consumer_t *c, const kafka_tp_list_t *parts, int64_t timeout_ms,
                        kr_err_t *err);

/** Commits offsets (the next offset to read, per partition; blocking: worker threads), or
 * with offsets NULL every offset stored for records handed out. Nothing to commit is not an
 * error. @return 0, or -1 with err (kafka_err_set: a retriable error is 50003). */
int kafka_consumer_commit(kafka_consumer_t *c, const kafka_tp_list_t *offsets, kr_err_t *err);
/** Fills each element's offset (KAFKA_OFFSET_INVALID when nothing is committed) and metadata
 * with the group's committed offsets (blocking: worker threads).
 * @return 0, or -1 with err (kafka_err_set). */
int kafka_consumer_committed(kafka_consumer_t *c, kafka_tp_list_t *parts, int64_t timeout_ms,
                             kr_err_t *err);
/** Replaces each element's offset, a timestamp (ms) on entry, by the earliest offset whose
 * timestamp is at or after it (-1: none; blocking: worker threads).
 * @return 0, or -1 with err (kafka_err_set). */
int kafka_consumer_offsets_for_times(kafka_consumer_t *c, kafka_tp_list_t *parts,
                                     int64_t timeout_ms, kr_err_t *err);

/** Takes buffered records, in order, up to max_bytes of key+value (at least one record when
 * any is buffered). @return the number taken; *out is an owned array of owned records
 * (kafka_record_free each, then xfree); *take numbers this take (they increase). Then call
 * kafka_consumer_handed_out() or kafka_consumer_give_back(). */
size_t kafka_consumer_take(kafka_consumer_t *c, int64_t max_bytes, kafka_record_t ***out,
                           uint64_t *take);
/** The records of take reached the client: their offsets are stored for commit (borrowed) —
 * unless a later take stored its own already (a streamed answer that ends after a read that
 * came later on another connection must not move the position back). */
void kafka_consumer_handed_out(kafka_consumer_t *c, kafka_record_t **msgs, size_t n, uint64_t take);
/** The taken records could not be handed out: they go back to the front of the buffer, in
 * order (takes ownership of the records, not of the array). */
void kafka_consumer_give_back(kafka_consumer_t *c, kafka_record_t **msgs, size_t n);
/** @return whether at least min_bytes (1 when <= 0) of records are buffered; if not, h is
 * completed (result NULL) as soon as they are. One waiter per instance; a new one replaces. */
bool kafka_consumer_ready_or_wait(kafka_consumer_t *c, int64_t min_bytes, kr_handle_t h);
/** @return whether the instance subscribed and has not yet handed out records (the first read
 * may wait for the group join); *assigned_ms is when its last assignment arrived (0: none yet;
 * a waiting first read is woken when it does). */
bool kafka_consumer_first_read(kafka_consumer_t *c, int64_t *assigned_ms);

#endif
