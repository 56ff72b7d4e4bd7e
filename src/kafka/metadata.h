/* kafka/metadata.h -- the cluster's metadata (brokers, topics, partitions), fetched with
 * librdkafka's synchronous rd_kafka_metadata() and cached briefly, so that a burst of requests
 * is not a burst of Metadata calls. A snapshot also carries the cluster id and the controller
 * that librdkafka cached from that Metadata response. Refreshes are single-flight: a caller
 * that needs a snapshot no older than some time joins a refresh in flight that started late
 * enough. Also the other blocking look-ups the metadata API needs (watermark offsets, topic
 * configs).
 *
 * Snapshots are immutable and reference-counted: kafka_md_release() what you were given.
 * May use: util/, librdkafka. Threads: kafka_md_peek() and kafka_md_request() from any thread,
 * never block; kafka_watermarks() and kafka_topic_configs() block: worker threads only. */
#ifndef KR_KAFKA_METADATA_H
#define KR_KAFKA_METADATA_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rd_kafka_s rd_kafka_t;
/** A librdkafka client handle as the layers above kafka/ hold it: opaque, passed back to kafka/
 * functions (it is rd_kafka_t). */
typedef struct rd_kafka_s kafka_client_t;
typedef struct kafka_md_cache kafka_md_cache_t;
typedef struct kr_workq kr_workq_t;

typedef struct kafka_md_partition {
    int32_t id;
    int32_t leader; /* -1 when none */
    int err;        /* rd_kafka_resp_err_t of the partition (e.g. leader not available) */
    int32_t *replicas;
    size_t n_replicas;
    int32_t *isrs;
    size_t n_isrs;
} kafka_md_partition_t;

typedef struct kafka_md_topic {
    char *name;
    bool internal; /* __consumer_offsets, __transaction_state, __share_group_state */
    kafka_md_partition_t *partitions; /* sorted by id */
    size_t n_partitions;
} kafka_md_topic_t;

/** A broker as Metadata describes it. */
typedef struct kafka_md_broker {
    int32_t id;
    char *host; /* as the broker advertises it */
    int port;
    char *rack; /* NULL: librdkafka 2.0.2's metadata does not carry racks */
} kafka_md_broker_t;

typedef struct kafka_md {
    int32_t *brokers; /* sorted ids */
    size_t n_brokers;
    kafka_md_broker_t *broker_info; /* n_brokers entries, in the order of brokers */
    char *cluster_id;               /* NULL when Kafka gave none (Metadata older than v2) */
    int32_t controller_id;          /* -1 when unknown */
    kafka_md_topic_t *topics;       /* sorted by name */
    size_t n_topics;
    int64_t started_ms; /* monotonic time the fetch began */
    int refcnt;         /* atomic */
} kafka_md_t;

/** Creates a cache over rk, fetching on workq (both borrowed; must outlive the cache).
 * @param timeout_ms per fetch. */
kafka_md_cache_t *kafka_md_cache_new(rd_kafka_t *rk, kr_workq_t *workq, int64_t max_age_ms,
                                     int64_t timeout_ms);
/** Frees the cache (snapshots handed out stay valid until released). */
void kafka_md_cache_free(kafka_md_cache_t *c);

/** @return a snapshot no older than the cache's max age, or NULL if there is none (never
 * blocks). Owned reference: kafka_md_release(). */
kafka_md_t *kafka_md_peek(kafka_md_cache_t *c);

/** Called with a snapshot (owned reference) or NULL and the error (borrowed; 50302 when no
 * broker answers, 42901 when the worker queue is full). */
typedef void (*kafka_md_cb)(void *arg, kafka_md_t *md, const kr_err_t *err);

/** Asks for a snapshot whose fetch started at or after not_before_ms (monotonic; 0 = the cache's
 * max age decides). cb runs exactly once: right away on this thread when the cache has one,
 * else on the worker thread that ends the fetch. */
void kafka_md_request(kafka_md_cache_t *c, int64_t not_before_ms, kafka_md_cb cb, void *arg);

/** kafka_md_request() for a request about one topic: when the snapshot lacks the topic, one
 * more snapshot fetched at or after arrival_ms is asked for before cb runs (a topic created a
 * moment ago by another client is found; section K). cb then checks the topic itself. */
void kafka_md_request_topic(kafka_md_cache_t *c, const char *topic, int64_t not_before_ms,
                            int64_t arrival_ms, kafka_md_cb cb, void *arg);

/** The answer of kafka_md_ping(): err is NULL when a broker answered (started_ms: monotonic
 * time the request began), else the error (borrowed; 42901 when the worker queue is full). */
typedef void (*kafka_md_ping_cb)(void *arg, int64_t started_ms, const kr_err_t *err);

/** Asks the cluster for the metadata of one topic whose name Kafka refuses (so: the brokers
 * and an error, a few hundred bytes whatever the number of topics, and nothing is ever
 * created), on a worker, without touching the cache: the readiness check's probe. cb runs
 * exactly once, on the worker (or here when the queue is full). */
void kafka_md_ping(kafka_md_cache_t *c, kafka_md_ping_cb cb, void *arg);

/** Takes another reference. */
kafka_md_t *kafka_md_keep(kafka_md_t *md);
/** Drops a reference; kafka_md_release(NULL) is a no-op. */
void kafka_md_release(kafka_md_t *md);

/** @return the broker (borrowed from md), or NULL. */
const kafka_md_broker_t *kafka_md_broker(const kafka_md_t *md, int32_t id);
/** @return the topic (borrowed from md), or NULL. */
const kafka_md_topic_t *kafka_md_topic(const kafka_md_t *md, const char *name);
/** @return the partition (borrowed from md), or NULL. */
const kafka_md_partition_t *kafka_md_partition(const kafka_md_topic_t *t, int32_t id);

/** Queries the low and high watermarks of a partition (blocking, worker threads).
 * @return 0, or -1 with err set. */
int kafka_watermarks(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t timeout_ms,
                     int64_t *low, int64_t *high, kr_err_t *err);

typedef struct kafka_config_entry {
    char *name;
    char *value;     /* NULL when sensitive or unset */
    bool is_default; /* not set on the topic itself (v1 shows only the others) */
} kafka_config_entry_t;

/** Describes a topic's configuration (blocking, worker threads; DescribeConfigs).
 * @return the number of entries with *out owned (kafka_config_entries_free), or -1 with err. */
long kafka_topic_configs(rd_kafka_t *rk, const char *topic, int64_t timeout_ms,
                         kafka_config_entry_t **out, kr_err_t *err);
void kafka_config_entries_free(kafka_config_entry_t *e, size_t n);

#endif
