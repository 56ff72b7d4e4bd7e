/* kafka/cluster_int.h -- what kafka/cluster.c (the thread, Kafka I/O) and
 * kafka/cluster_table.c (the table of instances) share. Only src/kafka/cluster*.c (and its unit
 * test) may include it. Threads: as the fields say. */
#ifndef KR_KAFKA_CLUSTER_INT_H
#define KR_KAFKA_CLUSTER_INT_H

#include "kafka/cluster.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* The first line of every record's value: the format's name and version. The value is text,
 * one item per line: CLUSTER_MAGIC, the URL, the heartbeat (wall-clock ms), then one
 * "<group>\t<name>" line per client-named consumer instance (names have no control
 * characters: api/names.h). */
#define CLUSTER_MAGIC "krest-cluster 1"

typedef struct cluster_member {
    char *id, *url;
    int64_t hb_wall;   /* the heartbeat's time, as its writer wrote it */
    int64_t seen_mono; /* when this instance read it */
    int64_t failed_hb; /* hb_wall when a connection was refused: gone until a newer one */
    char *names;       /* "\n<group>\t<name>\n..." */
    size_t names_len;
} cluster_member_t;

typedef struct cluster_waiter {
    kr_handle_t h;
    int64_t deadline_ms;
    int64_t *target; /* sync: the end offset of each partition to reach */
    struct cluster_waiter *next;
} cluster_waiter_t;

struct kafka_cluster {
    const krest_config_t *cfg;
    char *self_id, *url;
    kafka_consumers_t *consumers;
    rd_kafka_t *prod, *cons;
    rd_kafka_topic_t *prod_rkt, *cons_rkt;
    rd_kafka_queue_t *q;
    int32_t n_parts;   /* cluster thread, before ready */
    int32_t n_started; /* partitions whose reading started */
    int64_t *next_off; /* thread only: the next offset to read, per partition */
    pthread_t thread;
    atomic_bool stop;
    atomic_bool ready; /* the topic is read: from here the thread serves waiters */
    pthread_mutex_t lock;
    cluster_member_t *members; /* lock */
    size_t n, cap;
    cluster_waiter_t *new_syncs, *new_pubs; /* lock: handed to the thread */
    cluster_waiter_t *syncs;                /* thread only */
    bool dup_warned;                        /* lock: another instance has our id (logged) */
};

/** Applies one record of the topic (v NULL: a tombstone). */
void cluster_table_apply(kafka_cluster_t *cl, const char *id, size_t id_len, const char *v,
                         size_t v_len);
bool cluster_member_alive(const kafka_cluster_t *cl, const cluster_member_t *m);
void cluster_table_failed(kafka_cluster_t *cl, const char *id);
size_t cluster_table_live(const kafka_cluster_t *cl);
kafka_owner_t cluster_table_owner(kafka_cluster_t *cl, const char *group, const char *name,
                                  char **url, char **owner_id);
void cluster_table_free(kafka_cluster_t *cl);

#endif
