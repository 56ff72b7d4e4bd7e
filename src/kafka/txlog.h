/* kafka/txlog.h -- a replicated state log on one Kafka partition, as the built-in Schema
 * Registry keeps `_schemas` (DESIGN.md §5): a reader thread follows the topic from its
 * beginning (read_committed) and hands every record to an apply callback; writers append a
 * batch of records in one transaction of a transactional producer whose transactional.id is
 * shared by every krest of the cluster, so a writer that another one fenced never commits on
 * stale state. The topic is created when missing: 1 partition, cleanup.policy=compact,
 * replication factor min(3, brokers).
 *
 * The write protocol: kafka_txlog_sync() (re)initialises the producer when it has none --
 * fencing any other holder -- and then waits until the reader has applied everything up to a
 * NOOP record it commits, so the caller's state is complete; the caller plans its write on that
 * state and calls kafka_txlog_append(); KAFKA_TXLOG_RETRY means another writer intervened: sync
 * and plan again. Callers serialise their own sync/plan/append sequences.
 * May use: config/, util/, librdkafka. Threads: open/close from start-up; sync/append from one
 * writer at a time (any thread, they block); apply runs on the reader thread. */
#ifndef KR_KAFKA_TXLOG_H
#define KR_KAFKA_TXLOG_H

#include "config/config.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kafka_txlog kafka_txlog_t;

/** Called on the reader thread for every record in offset order (value NULL: a tombstone). */
typedef void (*kafka_txlog_apply_fn)(void *arg, const char *key, size_t key_len, const char *value,
                                     size_t value_len, int64_t offset);

/** kafka_txlog_append()/sync() result when another writer fenced this one: plan again. */
#define KAFKA_TXLOG_RETRY 1

/** Starts following topic (creating it when missing) on a reader thread.
 * @param noop_key the key of the records sync() writes (owned by the caller, copied).
 * @return owned log (kafka_txlog_close), or NULL with err set. Does not wait for Kafka. */
kafka_txlog_t *kafka_txlog_open(const krest_config_t *cfg, const char *topic, const char *txn_id,
                                const char *noop_key, kafka_txlog_apply_fn apply, void *arg,
                                kr_err_t *err);

/** Waits until the reader has read the topic to its end once (start-up).
 * @return 0, or -1 with err set (50002) on timeout. */
int kafka_txlog_wait_ready(kafka_txlog_t *log, int64_t timeout_ms, kr_err_t *err);

/** @return whether the reader has read the topic to its end once (never waits; any thread). */
bool kafka_txlog_is_ready(kafka_txlog_t *log);

/** Makes this instance the writer (see the file comment). @return 0, KAFKA_TXLOG_RETRY, or -1
 * with err set (Kafka unreachable, timeout). */
int kafka_txlog_sync(kafka_txlog_t *log, int64_t timeout_ms, kr_err_t *err);

/** Appends n records (values[i] NULL: tombstone) in one transaction and waits until the reader
 * applied them. @return 0, KAFKA_TXLOG_RETRY (nothing written: fenced), or -1 with err set. */
int kafka_txlog_append(kafka_txlog_t *log, const char *const *keys, const char *const *values,
                       size_t n, int64_t timeout_ms, kr_err_t *err);

/** Stops the reader and wakes every waiter (they fail at once); close() still has to run. */
void kafka_txlog_stop(kafka_txlog_t *log);

/** Stops the reader and frees everything; kafka_txlog_close(NULL) is a no-op. */
void kafka_txlog_close(kafka_txlog_t *log);

#endif
