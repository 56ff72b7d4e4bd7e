/* kafka/cluster.h -- the krest instances of one deployment, known to each other through a
 * compacted Kafka topic (krest.cluster.topic): each instance writes one record keyed by its id
 * (its internal URL, a heartbeat time and the names of its client-named consumer instances)
 * every krest.cluster.heartbeat.interval.ms, reads everybody's, and writes a tombstone when it
 * stops. Answers "who owns consumer instance (group, name)?" for the forwarding of
 * api/forward.c (docs/cluster.md).
 * May use: config/, util/, librdkafka. Knows nothing of HTTP.
 * Threads: one thread of its own reads the topic, writes the heartbeats and serves
 * kafka_cluster_sync/publish; every other call from any thread (the table is locked). */
#ifndef KR_KAFKA_CLUSTER_H
#define KR_KAFKA_CLUSTER_H

#include "config/config.h"
#include "util/err.h"
#include "util/pending.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct kafka_cluster kafka_cluster_t;
typedef struct kafka_consumers kafka_consumers_t;

typedef enum kafka_owner {
    KAFKA_OWNER_SELF = 0, /* this instance (or nobody else claims a client name) */
    KAFKA_OWNER_PEER,     /* another live instance: *url is set */
    KAFKA_OWNER_GONE,     /* an instance without a fresh heartbeat, or one that refused us */
    KAFKA_OWNER_UNKNOWN,  /* nobody known: a kafka_cluster_sync() may tell more */
} kafka_owner_t;

/** Creates the topic if missing (cleanup.policy=compact), starts reading it from the beginning
 * and announces this instance (self_id at url). consumers (borrowed) gives the client-named
 * instances to publish. @return owned cluster, or NULL with err. Start-up only. */
kafka_cluster_t *kafka_cluster_start(const krest_config_t *cfg, const char *self_id,
                                     const char *url, kafka_consumers_t *consumers, kr_err_t *err);
/** Writes the tombstone (waits at most 2 s for it), stops the thread, frees. Call after this
 * instance's consumer instances are closed. NULL is fine. */
void kafka_cluster_stop(kafka_cluster_t *cl);

/** Finds the owner of consumer instance (group, name): an automatic name carries the owner's
 * id (rest-consumer-<id>-<uuid>); a client-given one is looked up in the published tables.
 * @param url set to an owned copy (xfree) of the owner's URL when KAFKA_OWNER_PEER, and
 *        owner_id likewise (may be NULL). */
kafka_owner_t kafka_cluster_owner(kafka_cluster_t *cl, const char *group, const char *name,
                                  char **url, char **owner_id);
/** Completes h (result NULL) once the topic was read to the end it had at this call (bounded
 * by client.timeout.ms), so that a name published before is known. */
void kafka_cluster_sync(kafka_cluster_t *cl, kr_handle_t h);
/** Publishes this instance's record now; completes h (result NULL) when Kafka acknowledged it
 * (or it failed: the next heartbeat retries). A zero handle waits for nothing. */
void kafka_cluster_publish(kafka_cluster_t *cl, kr_handle_t h);
/** The owner with this id refused a connection or is stopping: treated as gone until it
 * announces itself again. */
void kafka_cluster_peer_failed(kafka_cluster_t *cl, const char *id);
/** @return the number of live instances, this one included (metrics, tests). */
size_t kafka_cluster_live(kafka_cluster_t *cl);

#endif
