/* kafka/admin_sync.c -- the blocking admin look-ups, for worker threads: topic configs
 * (DescribeConfigs waited for on a private queue; declared in kafka/metadata.h, used by the
 * v1/v2 topic metadata) and the watermarks of many partitions (kafka/admin.h).
 * Threads: worker threads only (these calls block up to their timeout). */
#include "kafka/admin.h"
#include "kafka/errors.h"
#include "kafka/metadata.h"

#include "util/clock.h"

#include "util/mem.h"

#include <librdkafka/rdkafka.h>
#include <string.h>

static long copy_entries(const rd_kafka_ConfigResource_t *res, kafka_config_entry_t **out)
{
    size_t n = 0;
    const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(res, &n);
    kafka_config_entry_t *e = xcalloc(n ? n : 1, sizeof(*e));
    for (size_t i = 0; i < n; i++) {
        const char *value = rd_kafka_ConfigEntry_value(entries[i]);
        e[i].name = xstrdup(rd_kafka_ConfigEntry_name(entries[i]));
        e[i].value = rd_kafka_ConfigEntry_is_sensitive(entries[i]) ? NULL : xstrdup(value);
        e[i].is_default =
            rd_kafka_ConfigEntry_source(entries[i]) != RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG;
    }
    *out = e;
    return (long)n;
}

static long read_result(rd_kafka_event_t *ev, kafka_config_entry_t **out, kr_err_t *err)
{
    if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return kafka_err_set(err, rd_kafka_event_error(ev), "describe configs failed");
    const rd_kafka_DescribeConfigs_result_t *result = rd_kafka_event_DescribeConfigs_result(ev);
    size_t n_res = 0;
    const rd_kafka_ConfigResource_t **res =
        result ? rd_kafka_DescribeConfigs_result_resources(result, &n_res) : NULL;
    if (n_res != 1)
        return kr_err_set(err, KR_ERR_KAFKA, "describe configs: unexpected result");
    rd_kafka_resp_err_t e = rd_kafka_ConfigResource_error(res[0]);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return kafka_err_set(err, e, "describe configs failed");
    return copy_entries(res[0], out);
}

long kafka_topic_configs(rd_kafka_t *rk, const char *topic, int64_t timeout_ms,
                         kafka_config_entry_t **out, kr_err_t *err)
{
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_AdminOptions_t *opts =
        rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    char errstr[256];
    rd_kafka_AdminOptions_set_request_timeout(opts, (int)timeout_ms, errstr, sizeof(errstr));
    rd_kafka_DescribeConfigs(rk, &res, 1, opts, q);
    /* The request times out by itself; the extra second only covers the queue hand-off. */
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, (int)timeout_ms + 1000);
    long n;
    if (!ev)
        n = kr_err_set(err, KR_ERR_BROKER_NOT_AVAILABLE,
                       "Kafka brokers are not available: describe configs timed out");
    else
        n = read_result(ev, out, err);
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_ConfigResource_destroy(res);
    rd_kafka_queue_destroy(q);
    return n;
}

void kafka_config_entries_free(kafka_config_entry_t *e, size_t n)
{
    if (!e)
        return;
    for (size_t i = 0; i < n; i++) {
        xfree(e[i].name);
        xfree(e[i].value);
    }
    xfree(e);
}

int kafka_admin_watermarks(rd_kafka_t *rk, const kafka_admin_tp_ref_t *tps, size_t n,
                           int64_t timeout_ms, int64_t *low, int64_t *high, kr_err_t *err)
{
    /* librdkafka 2.0.2 has no ListOffsets admin call: one blocking query per partition, each
     * given what is left of the overall deadline. */
    int64_t deadline = kr_clock_mono_ms() + timeout_ms;
    for (size_t i = 0; i < n; i++) {
        int64_t left = deadline - kr_clock_mono_ms();
        kr_err_t e = {0};
        if (kafka_watermarks(rk, tps[i].topic, tps[i].partition, left > 0 ? left : 1, &low[i],
                             &high[i], &e) != 0)
            return kr_err_set(err, e.code, "%s (topic %s, partition %d)", e.msg, tps[i].topic,
                              (int)tps[i].partition);
    }
    return 0;
}
