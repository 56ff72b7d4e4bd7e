/* util/metrics.h -- krest's Prometheus metrics: fixed families registered at start-up,
 * recorded without a lock (C11 atomics, relaxed), written out in the text exposition format
 * 0.0.4 by one function. Labels are bounded: route templates (never raw paths), a fixed method
 * set, status classes, Kafka error codes (32 slots), at most KR_METRICS_MAX_HANDLES librdkafka
 * handles and, only with krest.metrics.topic.labels, KR_METRICS_MAX_TOPICS topic names.
 * May use: util/. Threads: kr_metrics_init/http_routes/gauge_fn at start-up (main); recording
 * from any thread; kr_metrics_write from any thread (a scrape). */
#ifndef KR_UTIL_METRICS_H
#define KR_UTIL_METRICS_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Plain families without labels: counters (…_total) and gauges. */
typedef enum kr_metric {
    KR_M_HTTP_OPEN_CONNECTIONS, /* gauge (gauge function) */
    KR_M_PRODUCE_RECORDS,       /* counter: records with an outcome */
    KR_M_PRODUCE_BYTES,         /* counter: key + value bytes of those records */
    KR_M_CONSUMER_INSTANCES,    /* gauge (gauge function) */
    KR_M_CONSUMER_HANDLES,      /* gauge (gauge function): instances + those being closed */
    KR_M_CONSUMER_RECORDS,      /* counter: records handed out to readers */
    KR_M_CONSUMER_BYTES,        /* counter: their key + value bytes */
    KR_M_CONSUMER_BUFFER_BYTES, /* gauge (gauge function) */
    KR_M_CONSUMER_READ_WAITS,   /* counter: reads that waited for records */
    KR_M_REGISTRY_REQUESTS,     /* counter: requests to a Schema Registry made by krest */
    KR_M_WORKER_QUEUE_DEPTH,    /* gauge: jobs waiting for a worker */
    KR_M_WORKER_REJECTED,       /* counter: jobs refused on a full queue (429) */
    KR_M_CLUSTER_INSTANCES,     /* gauge (gauge function): live krest instances (docs/cluster.md) */
    KR_M_CLUSTER_FORWARDED,     /* counter: requests forwarded to the owner of their instance */
    KR_M_KAFKA_PRINCIPAL_HANDLES, /* gauge (gauge function): per-user librdkafka handles */
    KR_M_COUNT
} kr_metric_t;

/** What kr_metrics_init() needs; the strings are copied. */
typedef struct kr_metrics_opts {
    bool enable;              /* false: recording is a no-op and kr_metrics_enabled() is false */
    bool topic_labels;        /* krest.metrics.topic.labels: consumer lag by topic and partition */
    int64_t stats_max_age_ms; /* handle figures older than this are dropped from the output */
    const char *version, *librdkafka, *libmicrohttpd; /* krest_build_info's labels */
} kr_metrics_opts_t;

/** Most librdkafka handles reported; more are left out until a slot's figures go stale. */
#define KR_METRICS_MAX_HANDLES 64
/** Most topic names used as labels; later ones are reported as topic="other". */
#define KR_METRICS_MAX_TOPICS 100
/** Most partitions whose lag one handle reports. */
#define KR_METRICS_MAX_LAGS 256

/** Sets the options; call once at start-up, before any recording. */
void kr_metrics_init(const kr_metrics_opts_t *opts);

/** @return whether metrics are on (krest.metrics.enable). Any thread. */
bool kr_metrics_enabled(void);

/** Adds n to a counter or gauge of kr_metric_t (n may be negative for a gauge). Any thread. */
void kr_metrics_add(kr_metric_t m, int64_t n);

/** Makes gauge m read fn(arg) at each scrape instead of its stored value; fn NULL undoes it.
 * fn runs on the scraping thread and must not block for long. Start-up or shutdown only. */
void kr_metrics_gauge_fn(kr_metric_t m, int64_t (*fn)(void *arg), void *arg);

/** Declares the route templates (borrowed, static strings), index 1..n; index 0 is
 * "unmatched". Start-up only, once. */
void kr_metrics_http_routes(const char *const *templates, size_t n);

/** Records one finished HTTP request: route is an index given to kr_metrics_http_routes (0:
 * none matched); method as received (unknown ones count as "other"). Any thread, no lock. */
void kr_metrics_http_request(size_t route, const char *method, int status, uint64_t bytes_in,
                             uint64_t bytes_out, int64_t duration_us);

/** Records one produced record's outcome: code 0 (acknowledged) or its KR_ERR_* code, and its
 * key + value bytes. Any thread, no lock. */
void kr_metrics_produce_record(int code, uint64_t bytes);

/** One partition's consumer lag, as librdkafka's statistics give it. */
typedef struct kr_metrics_lag {
    const char *topic; /* borrowed */
    int32_t partition;
    int64_t lag;
} kr_metrics_lag_t;

/** The figures of one librdkafka handle from its statistics callback. */
typedef struct kr_metrics_handle {
    const char *name; /* the handle's name (borrowed) */
    const char *type; /* "producer" or "consumer" (borrowed) */
    int64_t msg_cnt;  /* messages in the handle's queues */
    int64_t inflight; /* requests waiting to be sent or for their response, all brokers */
    double rtt_avg_s; /* mean of the brokers' average round-trip times, seconds; < 0: none */
    const kr_metrics_lag_t *lags; /* consumer lag per partition (used with topic labels) */
    size_t n_lags;
} kr_metrics_handle_t;

/** Replaces a handle's figures (keeps at most KR_METRICS_MAX_HANDLES handles; a stale slot is
 * reused). Takes a mutex: the statistics callback only, never a request's path. */
void kr_metrics_handle_update(const kr_metrics_handle_t *h);

/** Writes every family in the Prometheus text format 0.0.4 to out.
 * @return 0, or -1 when out's limit was reached (out then holds a partial exposition). */
int kr_metrics_write(kr_buf_t *out);

#endif
