/* kafka/consumer_names.c -- the client-named consumer instances of this krest, for the cluster
 * table (kafka/cluster.h): automatic names carry their owner's id and need no publishing.
 * Threads: any (the registry's lock). */
#include "kafka/consumer_int.h"

#include <stdio.h>
#include <string.h>

void kafka_consumers_named(kafka_consumers_t *reg, kr_buf_t *out, size_t max)
{
    char prefix[320];
    int n = snprintf(prefix, sizeof(prefix), "rest-consumer-%s-", reg->instance_id);
    size_t plen = n > 0 && (size_t)n < sizeof(prefix) ? (size_t)n : 0;
    pthread_mutex_lock(&reg->lock);
    for (kafka_consumer_t *c = reg->list; c; c = c->next) {
        if (plen && strncmp(c->name, prefix, plen) == 0)
            continue;
        if (out->len + strlen(c->group) + strlen(c->name) + 2 > max)
            break; /* the record's bound: the rest are found by asking (docs/cluster.md) */
        kr_buf_printf(out, "%s\t%s\n", c->group, c->name);
    }
    pthread_mutex_unlock(&reg->lock);
}
