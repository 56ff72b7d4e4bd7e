/* kafka/principals.h -- each user's own Kafka identity (krest.kafka.principal.propagation): a
 * pool of per-principal handles (a producer, and an admin handle with its asynchronous admin
 * layer) that authenticate with the request's credentials (SASL; client.sasl.mechanism decides
 * PLAIN or SCRAM). An entry is keyed by (name, SHA-256 of name and password), so a wrong
 * password never reuses a good entry; it is created on first use (its credentials checked with
 * one Metadata request), reused, released after each request, destroyed once unused for
 * krest.kafka.principal.idle.ms (a reaper thread), and there are never more than
 * krest.kafka.principal.max entries: a new principal evicts the least recently used unused
 * entry, or is refused with 42901 when every entry is in use.
 * May use: config/, util/, librdkafka, libcrypto. Threads: every call from any thread except
 * kafka_principals_open (blocks: it may create and check handles, up to client.timeout.ms;
 * workers) and new/free (main). */
#ifndef KR_KAFKA_PRINCIPALS_H
#define KR_KAFKA_PRINCIPALS_H

#include "config/config.h"
#include "kafka/loop.h"
#include "util/err.h"

#include <stddef.h>

typedef struct kafka_principals kafka_principals_t;
typedef struct kafka_principal kafka_principal_t;
typedef struct kafka_producer kafka_producer_t;
typedef struct kafka_admin kafka_admin_t;
typedef struct rd_kafka_s rd_kafka_t;
typedef struct kafka_md_cache kafka_md_cache_t;
typedef struct kr_workq kr_workq_t;

/** What the layer above keeps per principal (api/: its request context), made when an entry
 * is ready and freed when it is destroyed. */
typedef void *(*kafka_principal_ext_new_fn)(void *opaque, kafka_principal_t *p);
typedef void (*kafka_principal_ext_free_fn)(void *ext);

/** Creates the pool and its reaper thread; loop and workq (each user's metadata cache fetches
 * on it) borrowed: they must outlive the pool.
 * @return owned pool (kafka_principals_free), or NULL with err set. Start-up. */
kafka_principals_t *kafka_principals_new(const krest_config_t *cfg, kafka_loop_t *loop,
                                         kr_workq_t *workq, kafka_principal_ext_new_fn ext_new,
                                         kafka_principal_ext_free_fn ext_free, void *opaque,
                                         kr_err_t *err);

/** Flushes and destroys every entry (none may be in use) and stops the reaper. Main, while
 * the kafka loop still runs. kafka_principals_free(NULL) is a no-op. */
void kafka_principals_free(kafka_principals_t *pool);

/** The ready entry of (name, password), with a reference taken, or NULL when there is none yet
 * (then kafka_principals_open on a worker). Never blocks on Kafka. */
kafka_principal_t *kafka_principals_find(kafka_principals_t *pool, const char *name,
                                         const char *password);

/** The entry of (name, password), created and checked when missing (blocks: workers), with a
 * reference taken. @return the entry, or NULL with err: 40101 when Kafka refused the
 * credentials, 42901 when krest.kafka.principal.max entries are all in use, 50302 when no
 * broker answered within client.timeout.ms. */
kafka_principal_t *kafka_principals_open(kafka_principals_t *pool, const char *name,
                                         const char *password, kr_err_t *err);

/** Takes another reference (a job outliving its request). @return p. */
kafka_principal_t *kafka_principal_keep(kafka_principal_t *p);
/** Drops a reference; kafka_principal_release(NULL) is a no-op. */
void kafka_principal_release(kafka_principal_t *p);

/** The entry's handles and extension (borrowed while a reference is held). */
kafka_producer_t *kafka_principal_producer(const kafka_principal_t *p);
rd_kafka_t *kafka_principal_admin_rk(const kafka_principal_t *p);
kafka_admin_t *kafka_principal_kadmin(const kafka_principal_t *p);
kafka_md_cache_t *kafka_principal_md(const kafka_principal_t *p);
void *kafka_principal_ext(const kafka_principal_t *p);
/** The principal's name (borrowed while a reference is held). */
const char *kafka_principal_name(const kafka_principal_t *p);
/** @return the number of entries (each holds two librdkafka handles). Any thread. */
size_t kafka_principals_count(kafka_principals_t *pool);

#endif
