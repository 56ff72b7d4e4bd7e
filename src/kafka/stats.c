/* kafka/stats.c -- librdkafka's statistics into krest's metrics (see stats.h).
 * The callback parses each statistics JSON once with json-c and keeps only a few figures: the
 * handle's queued messages, its requests in flight (outbuf_cnt + waitresp_cnt of every broker),
 * the mean of the brokers' rtt.avg, and with topic labels the consumer lag of each partition.
 * Threads: the callback on the thread serving the handle's queue; the rest from any thread. */
#include "kafka/stats.h"

#include "kafka/errors.h"
#include "util/metrics.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t get_i64(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

/* Sums the brokers' queues and averages their round-trip times (brokers with samples only). */
static void brokers(json_object *root, kr_metrics_handle_t *h)
{
    json_object *bs = NULL;
    h->rtt_avg_s = -1;
    if (!json_object_object_get_ex(root, "brokers", &bs) ||
        !json_object_is_type(bs, json_type_object))
        return;
    double rtt_sum = 0;
    int n_rtt = 0;
    json_object_object_foreach(bs, name, b)
    {
        (void)name;
        h->inflight += get_i64(b, "outbuf_cnt") + get_i64(b, "waitresp_cnt");
        json_object *rtt = NULL;
        if (json_object_object_get_ex(b, "rtt", &rtt) && get_i64(rtt, "cnt") > 0) {
            rtt_sum += (double)get_i64(rtt, "avg") / 1e6;
            n_rtt++;
        }
    }
    if (n_rtt > 0)
        h->rtt_avg_s = rtt_sum / n_rtt;
}

/* Collects the known consumer lags (partition -1 and unknown lags left out) into lags. */
static size_t lags(json_object *root, kr_metrics_lag_t *out, size_t max)
{
    json_object *ts = NULL;
    size_t n = 0;
    if (!json_object_object_get_ex(root, "topics", &ts) ||
        !json_object_is_type(ts, json_type_object))
        return 0;
    json_object_object_foreach(ts, topic, t)
    {
        json_object *ps = NULL;
        if (!json_object_object_get_ex(t, "partitions", &ps) ||
            !json_object_is_type(ps, json_type_object))
            continue;
        json_object_object_foreach(ps, pid, p)
        {
            int64_t lag = get_i64(p, "consumer_lag");
            int partition = (int)strtol(pid, NULL, 10);
            if (partition < 0 || lag < 0 || n == max)
                continue;
            out[n++] = (kr_metrics_lag_t){topic, partition, lag};
        }
    }
    return n;
}

static int stats_cb(rd_kafka_t *rk, char *json, size_t json_len, void *opaque)
{
    (void)opaque;
    json_tokener *tok = json_tokener_new();
    json_object *root = json_tokener_parse_ex(tok, json, (int)json_len);
    json_tokener_free(tok);
    if (!root)
        return 0;
    static _Thread_local kr_metrics_lag_t lag_buf[KR_METRICS_MAX_LAGS];
    kr_metrics_handle_t h = {
        .name = rd_kafka_name(rk),
        .type = rd_kafka_type(rk) == RD_KAFKA_CONSUMER ? "consumer" : "producer",
        .msg_cnt = get_i64(root, "msg_cnt"),
        .lags = lag_buf,
    };
    brokers(root, &h);
    if (h.type[0] == 'c')
        h.n_lags = lags(root, lag_buf, KR_METRICS_MAX_LAGS);
    kr_metrics_handle_update(&h);
    json_object_put(root);
    return 0; /* librdkafka frees json */
}

void kafka_stats_enable(rd_kafka_conf_t *conf, const krest_config_t *cfg, bool consumer)
{
    if (!cfg->metrics_enable || cfg->metrics_statistics_interval_ms <= 0 ||
        (consumer && !cfg->metrics_topic_labels))
        return;
    char v[32];
    snprintf(v, sizeof(v), "%lld", (long long)cfg->metrics_statistics_interval_ms);
    char errstr[256];
    if (rd_kafka_conf_set(conf, "statistics.interval.ms", v, errstr, sizeof(errstr)) ==
        RD_KAFKA_CONF_OK)
        rd_kafka_conf_set_stats_cb(conf, stats_cb);
}

void kafka_stats_delivered(const rd_kafka_message_t *rkm)
{
    int code = rkm->err ? kafka_err_code(rkm->err) : 0;
    kr_metrics_produce_record(code, rkm->key_len + rkm->len);
}

void kafka_stats_refused(const kafka_msg_t *m)
{
    kr_metrics_produce_record(kafka_msg_err_code(m), m->key_len + m->value_len);
}

void kafka_stats_consumed(kafka_record_t *const *msgs, size_t n)
{
    if (!kr_metrics_enabled() || n == 0)
        return;
    int64_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += (int64_t)(msgs[i]->key_len + msgs[i]->len);
    kr_metrics_add(KR_M_CONSUMER_RECORDS, (int64_t)n);
    kr_metrics_add(KR_M_CONSUMER_BYTES, bytes);
}
