/* kafka/consumer_metrics.c -- krest_consumer_instances, krest_consumer_handles and
 * krest_consumer_buffer_bytes, read
 * from the registry at each scrape (nothing is counted on the consumers' paths).
 * May use: what consumer.c may. Threads: a scrape, any thread: takes reg->lock, then each
 * instance's lock in turn (nothing takes reg->lock under an instance's lock). */
#include "kafka/stats.h"

#include "kafka/consumer_int.h"
#include "util/metrics.h"

static int64_t instances(void *arg)
{
    kafka_consumers_t *reg = arg;
    int64_t n = 0;
    pthread_mutex_lock(&reg->lock);
    for (const kafka_consumer_t *c = reg->list; c; c = c->next)
        n++;
    pthread_mutex_unlock(&reg->lock);
    return n;
}

static int64_t handles(void *arg)
{
    kafka_consumers_t *reg = arg;
    return __atomic_load_n(&reg->handles, __ATOMIC_ACQUIRE);
}

static int64_t buffer_bytes(void *arg)
{
    kafka_consumers_t *reg = arg;
    int64_t bytes = 0;
    pthread_mutex_lock(&reg->lock);
    for (kafka_consumer_t *c = reg->list; c; c = c->next) {
        pthread_mutex_lock(&c->lock);
        bytes += c->bytes;
        pthread_mutex_unlock(&c->lock);
    }
    pthread_mutex_unlock(&reg->lock);
    return bytes;
}

void kafka_consumers_metrics(kafka_consumers_t *reg)
{
    kr_metrics_gauge_fn(KR_M_CONSUMER_INSTANCES, reg ? instances : NULL, reg);
    kr_metrics_gauge_fn(KR_M_CONSUMER_HANDLES, reg ? handles : NULL, reg);
    kr_metrics_gauge_fn(KR_M_CONSUMER_BUFFER_BYTES, reg ? buffer_bytes : NULL, reg);
}
