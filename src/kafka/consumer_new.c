/* kafka/consumer_new.c -- what a new consumer instance needs before it joins the registry
 * (consumer.c): its place against the limits, its name, its librdkafka handle.
 * Limits: at most krest.consumer.instance.max handles (deleted instances count until their
 * handle is destroyed: issue 19, findings 4 and 6), and only while the process keeps enough
 * descriptors free for the instances it has (each opens more sockets as it meets brokers; at the
 * limit librdkafka fails them: issue 19, finding 8). May use: what consumer.c may. Threads: any
 * (HTTP threads, at each create). */
#include "kafka/client.h"
#include "kafka/consumer_int.h"
#include "kafka/stats.h"
#include "util/mem.h"
#include "util/proc.h"

#include <stdio.h>
#include <stdlib.h>

/* Descriptors of one instance against one broker (measured: bench/instances): librdkafka's
 * wake-up fds, its sockets to the bootstrap broker and the group coordinator, krest's eventfd. */
#define FDS_PER_INSTANCE 9

/* Descriptors kept free for the instances there are, HTTP connections and the other clients. */
static long long headroom(long long limit)
{
    return 64 + limit / 16;
}

static int refuse(kafka_consumers_t *reg)
{
    __atomic_sub_fetch(&reg->handles, 1, __ATOMIC_ACQ_REL);
    return -1;
}

int kafka_consumers_reserve(kafka_consumers_t *reg, kr_err_t *err)
{
    long long max = reg->cfg->consumer_instance_max;
    long long n = __atomic_add_fetch(&reg->handles, 1, __ATOMIC_ACQ_REL);
    if (n > max) {
        kr_err_set(err, KR_ERR_TOO_MANY_REQUESTS,
                   "Too many consumer instances: at most %lld (krest.consumer.instance.max; a "
                   "deleted instance counts until its handle is closed)",
                   max);
        return refuse(reg);
    }
    long long limit = kr_proc_fd_limit();
    long long open = limit > 0 ? kr_proc_open_fds() : -1;
    if (open >= 0 && open + FDS_PER_INSTANCE + headroom(limit) > limit) {
        kr_err_set(err, KR_ERR_TOO_MANY_REQUESTS,
                   "Too many consumer instances for the file descriptor limit: %lld of %lld open "
                   "(ulimit -n)",
                   open, limit);
        return refuse(reg);
    }
    return 0;
}

char *kafka_consumers_auto_name(const kafka_consumers_t *reg)
{
    unsigned char u[16];
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(u, 1, sizeof(u), f) != sizeof(u)) {
        for (size_t i = 0; i < sizeof(u); i++)
            u[i] = (unsigned char)(rand() & 0xff);
    }
    if (f)
        fclose(f);
    u[6] = (u[6] & 0x0f) | 0x40; /* version 4 */
    u[8] = (u[8] & 0x3f) | 0x80;
    char buf[256];
    snprintf(
        buf, sizeof(buf),
        "rest-consumer-%s-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
        reg->instance_id, u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
        u[12], u[13], u[14], u[15]);
    return xstrdup(buf);
}

rd_kafka_t *kafka_consumer_new_handle(kafka_consumers_t *reg, const kafka_consumer_opts_t *o,
                                      kafka_consumer_t *c, kr_err_t *err)
{
    /* librdkafka's queue is drained into the instance buffer as it fills, and krest pauses on
     * the buffer's bound, so librdkafka's own bounds only have to stay out of the way: 2.0.2's
     * fetcher stops when its queue reaches queued.min.messages (100000 records by default) or
     * queued.max.messages.kbytes, and starts again only on its next wake-up, up to 1 s later.
     * One fetch (fetch.max.bytes: half the buffer, at least librdkafka's minimum of
     * message.max.bytes) must leave the queue under the bound. */
    int64_t half = reg->cfg->consumer_buffer_bytes / 2;
    half = half < 1048576 ? 1048576 : half;
    char qkb[32];
    snprintf(qkb, sizeof(qkb), "%lld", (long long)(2 * half / 1024));
    char fmb[32];
    snprintf(fmb, sizeof(fmb), "%lld", (long long)half);
    const char *defaults[] = {"enable.partition.eof",
                              "false",
                              "queued.min.messages",
                              "10000000",
                              "queued.max.messages.kbytes",
                              qkb,
                              "fetch.max.bytes",
                              fmb,
                              NULL};
    rd_kafka_conf_t *conf = kafka_client_conf(reg->cfg, "consumer", defaults);
    char errstr[512];
    const char *fixed[] = {"group.id",
                           o->group,
                           "client.id",
                           c->name,
                           "enable.auto.offset.store",
                           "false",
                           "enable.auto.commit",
                           o->auto_commit ? "true" : "false",
                           o->auto_offset_reset ? "auto.offset.reset" : NULL,
                           o->auto_offset_reset,
                           NULL};
    for (const char *const *kv = fixed; kv[0]; kv += 2) {
        if (rd_kafka_conf_set(conf, kv[0], kv[1], errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            kr_err_set(err, KR_ERR_INVALID_CONSUMER_CONFIG, "Invalid consumer configuration: %s",
                       errstr);
            return NULL;
        }
    }
    if (o->sasl_username)
        kafka_client_set_credentials(conf, o->sasl_username, o->sasl_password);
    rd_kafka_conf_set_rebalance_cb(conf, kafka_consumer_rebalance_cb);
    kafka_stats_enable(conf, reg->cfg, true);
    rd_kafka_conf_set_opaque(conf, c);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        kr_err_set(err, KR_ERR_INVALID_CONSUMER_CONFIG, "Invalid consumer configuration: %s",
                   errstr);
    }
    return rk;
}
