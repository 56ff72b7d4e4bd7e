/* util/metrics.c -- the families recorded on request paths and their exposition (metrics.h).
 *
 * DESIGN. Every figure a request touches is a relaxed atomic in memory allocated at start-up:
 * plain counters, per (route template, method, status class) request counts, and a histogram
 * per route as a fixed array of bucket counters (not cumulative; the sums are made when
 * written) plus a sum in microseconds. Recording is an atomic add, never a lock or an
 * allocation. Produce errors are counted in a fixed table of (code, count) slots claimed with a
 * compare-and-swap. A scrape reads each atomic once, so a series may lag a concurrent request
 * by one, but never goes backwards.
 * Threads: see metrics.h. */
#include "util/metrics.h"

#include "util/metrics_int.h"
#include "util/mem.h"

#include <stdatomic.h>
#include <string.h>

#define N_METHODS 8
#define N_CLASSES 5
#define N_BUCKETS 15
#define N_CODES   32

static const char *const method_names[N_METHODS] = {"GET",    "HEAD",  "POST",    "PUT",
                                                    "DELETE", "PATCH", "OPTIONS", "other"};

/* Upper bounds of the latency buckets in microseconds (+Inf is the last counter). */
static const int64_t bucket_us[N_BUCKETS] = {500,     1000,    2500,    5000,     10000,
                                             25000,   50000,   100000,  250000,   500000,
                                             1000000, 2500000, 5000000, 10000000, 30000000};

typedef struct route_stats {
    atomic_uint_fast64_t requests[N_METHODS][N_CLASSES];
    atomic_uint_fast64_t buckets[N_BUCKETS + 1];
    atomic_uint_fast64_t sum_us;
} route_stats_t;

typedef struct code_slot {
    atomic_int code; /* 0: free */
    atomic_uint_fast64_t count;
} code_slot_t;

static const struct {
    const char *name, *type, *help;
} plain[KR_M_COUNT] = {
    [KR_M_HTTP_OPEN_CONNECTIONS] = {"krest_http_open_connections", "gauge",
                                    "HTTP connections open now, every listener."},
    [KR_M_PRODUCE_RECORDS] = {"krest_produce_records_total", "counter",
                              "Records produced that got an outcome (acknowledged or failed)."},
    [KR_M_PRODUCE_BYTES] = {"krest_produce_bytes_total", "counter",
                            "Key and value bytes of the records produced."},
    [KR_M_CONSUMER_INSTANCES] = {"krest_consumer_instances", "gauge", "Consumer instances now."},
    [KR_M_CONSUMER_HANDLES] = {"krest_consumer_handles", "gauge",
                               "Consumer handles alive: instances, and deleted ones still being "
                               "closed or destroyed (krest.consumer.instance.max)."},
    [KR_M_CONSUMER_RECORDS] = {"krest_consumer_records_total", "counter",
                               "Records handed out to consumer reads."},
    [KR_M_CONSUMER_BYTES] = {"krest_consumer_bytes_total", "counter",
                             "Key and value bytes of the records handed out."},
    [KR_M_CONSUMER_BUFFER_BYTES] = {"krest_consumer_buffer_bytes", "gauge",
                                    "Key and value bytes buffered in consumer instances."},
    [KR_M_CONSUMER_READ_WAITS] = {"krest_consumer_read_waits_total", "counter",
                                  "Consumer reads that waited for records."},
    [KR_M_REGISTRY_REQUESTS] = {"krest_registry_requests_total", "counter",
                                "HTTP requests krest made to a Schema Registry."},
    [KR_M_WORKER_QUEUE_DEPTH] = {"krest_worker_queue_depth", "gauge",
                                 "Blocking calls waiting for a worker thread."},
    [KR_M_WORKER_REJECTED] = {"krest_worker_rejected_total", "counter",
                              "Blocking calls refused on a full worker queue (answered 429)."},
    [KR_M_CLUSTER_INSTANCES] = {"krest_cluster_instances", "gauge",
                                "Live krest instances seen on the cluster topic (0: cluster off)."},
    [KR_M_CLUSTER_FORWARDED] = {"krest_cluster_forwarded_total", "counter",
                                "Consumer-instance requests forwarded to their owner."},
    [KR_M_KAFKA_PRINCIPAL_HANDLES] = {"krest_kafka_principal_handles", "gauge",
                                      "librdkafka handles of users' own Kafka identities "
                                      "(krest.kafka.principal.propagation; 2 per user)."},
};

/* Written at start-up (main), read-only afterwards. */
kr_metrics_opts_t g_metrics_opts;
static atomic_bool g_enabled;
static atomic_int_fast64_t g_plain[KR_M_COUNT];
static int64_t (*g_gauge_fn[KR_M_COUNT])(void *); /* start-up/shutdown only */
static void *g_gauge_arg[KR_M_COUNT];
static const char *const *g_templates; /* [1..n]: g_templates[i - 1] */
static size_t g_n_routes;              /* templates + 1 ("unmatched") */
static route_stats_t *g_routes;
static atomic_uint_fast64_t g_bytes_in, g_bytes_out;
static code_slot_t g_codes[N_CODES + 1]; /* the last one: every code past the table */

void kr_metrics_init(const kr_metrics_opts_t *opts)
{
    g_metrics_opts = *opts;
    g_metrics_opts.version = xstrdup(opts->version ? opts->version : "");
    g_metrics_opts.librdkafka = xstrdup(opts->librdkafka ? opts->librdkafka : "");
    g_metrics_opts.libmicrohttpd = xstrdup(opts->libmicrohttpd ? opts->libmicrohttpd : "");
    atomic_store(&g_enabled, opts->enable);
}

bool kr_metrics_enabled(void)
{
    return atomic_load_explicit(&g_enabled, memory_order_relaxed);
}

void kr_metrics_add(kr_metric_t m, int64_t n)
{
    if (kr_metrics_enabled())
        atomic_fetch_add_explicit(&g_plain[m], n, memory_order_relaxed);
}

void kr_metrics_gauge_fn(kr_metric_t m, int64_t (*fn)(void *arg), void *arg)
{
    g_gauge_arg[m] = arg;
    g_gauge_fn[m] = fn;
}

void kr_metrics_http_routes(const char *const *templates, size_t n)
{
    g_templates = templates;
    g_routes = xcalloc(n + 1, sizeof(*g_routes));
    g_n_routes = n + 1;
}

static size_t method_index(const char *m)
{
    for (size_t i = 0; i + 1 < N_METHODS; i++) {
        if (strcmp(m, method_names[i]) == 0)
            return i;
    }
    return N_METHODS - 1;
}

static size_t bucket_index(int64_t us)
{
    size_t i = 0;
    while (i < N_BUCKETS && us > bucket_us[i])
        i++;
    return i;
}

void kr_metrics_http_request(size_t route, const char *method, int status, uint64_t bytes_in,
                             uint64_t bytes_out, int64_t duration_us)
{
    if (!kr_metrics_enabled() || !g_routes)
        return;
    route_stats_t *rs = &g_routes[route < g_n_routes ? route : 0];
    int cls = status / 100 - 1;
    cls = cls < 0 ? 0 : cls >= N_CLASSES ? N_CLASSES - 1 : cls;
    memory_order o = memory_order_relaxed;
    atomic_fetch_add_explicit(&rs->requests[method_index(method)][cls], 1, o);
    atomic_fetch_add_explicit(&rs->buckets[bucket_index(duration_us)], 1, o);
    atomic_fetch_add_explicit(&rs->sum_us, (uint64_t)(duration_us > 0 ? duration_us : 0), o);
    atomic_fetch_add_explicit(&g_bytes_in, bytes_in, o);
    atomic_fetch_add_explicit(&g_bytes_out, bytes_out, o);
}

static code_slot_t *code_slot(int code)
{
    for (size_t i = 0; i < N_CODES; i++) {
        int have = atomic_load_explicit(&g_codes[i].code, memory_order_acquire);
        if (have == code)
            return &g_codes[i];
        if (have == 0 && atomic_compare_exchange_strong(&g_codes[i].code, &have, code))
            return &g_codes[i];
        if (have == code) /* another thread claimed it for the same code */
            return &g_codes[i];
    }
    return &g_codes[N_CODES];
}

void kr_metrics_produce_record(int code, uint64_t bytes)
{
    if (!kr_metrics_enabled())
        return;
    atomic_fetch_add_explicit(&g_plain[KR_M_PRODUCE_RECORDS], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_plain[KR_M_PRODUCE_BYTES], (int64_t)bytes, memory_order_relaxed);
    if (code != 0)
        atomic_fetch_add_explicit(&code_slot(code)->count, 1, memory_order_relaxed);
}

void metrics_family(kr_buf_t *out, const char *name, const char *type, const char *help)
{
    kr_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void metrics_label(kr_buf_t *out, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"')
            kr_buf_putc(out, '\\');
        if (*p == '\n')
            kr_buf_puts(out, "\\n");
        else
            kr_buf_putc(out, *p);
    }
}

static const char *route_name(size_t i)
{
    return i == 0 ? "unmatched" : g_templates[i - 1];
}

static void write_requests(kr_buf_t *out)
{
    metrics_family(out, "krest_http_requests_total", "counter",
                   "HTTP requests by route template, method and status class.");
    for (size_t r = 0; r < g_n_routes; r++) {
        for (size_t m = 0; m < N_METHODS; m++) {
            for (size_t c = 0; c < N_CLASSES; c++) {
                uint64_t n =
                    atomic_load_explicit(&g_routes[r].requests[m][c], memory_order_relaxed);
                if (n == 0)
                    continue;
                kr_buf_puts(out, "krest_http_requests_total{route=\"");
                metrics_label(out, route_name(r));
                kr_buf_printf(out, "\",method=\"%s\",code_class=\"%zuxx\"} %llu\n", method_names[m],
                              c + 1, (unsigned long long)n);
            }
        }
    }
}

static void write_histogram(kr_buf_t *out, size_t r)
{
    const char *name = "krest_http_request_duration_seconds";
    uint64_t cum = 0;
    for (size_t b = 0; b <= N_BUCKETS; b++) {
        cum += atomic_load_explicit(&g_routes[r].buckets[b], memory_order_relaxed);
        kr_buf_printf(out, "%s_bucket{route=\"", name);
        metrics_label(out, route_name(r));
        if (b < N_BUCKETS)
            kr_buf_printf(out, "\",le=\"%g\"} %llu\n", (double)bucket_us[b] / 1e6,
                          (unsigned long long)cum);
        else
            kr_buf_printf(out, "\",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    }
    uint64_t sum = atomic_load_explicit(&g_routes[r].sum_us, memory_order_relaxed);
    kr_buf_printf(out, "%s_sum{route=\"", name);
    metrics_label(out, route_name(r));
    kr_buf_printf(out, "\"} %.6f\n%s_count{route=\"", (double)sum / 1e6, name);
    metrics_label(out, route_name(r));
    kr_buf_printf(out, "\"} %llu\n", (unsigned long long)cum);
}

static void write_http(kr_buf_t *out)
{
    write_requests(out);
    metrics_family(out, "krest_http_request_duration_seconds", "histogram",
                   "Time from a request's headers to its response, by route template.");
    for (size_t r = 0; r < g_n_routes; r++) {
        bool any = false;
        for (size_t b = 0; b <= N_BUCKETS && !any; b++)
            any = atomic_load_explicit(&g_routes[r].buckets[b], memory_order_relaxed) > 0;
        if (any)
            write_histogram(out, r);
    }
    metrics_family(out, "krest_http_request_bytes_total", "counter", "Request body bytes read.");
    kr_buf_printf(out, "krest_http_request_bytes_total %llu\n",
                  (unsigned long long)atomic_load(&g_bytes_in));
    metrics_family(out, "krest_http_response_bytes_total", "counter",
                   "Response body bytes written.");
    kr_buf_printf(out, "krest_http_response_bytes_total %llu\n",
                  (unsigned long long)atomic_load(&g_bytes_out));
}

static void write_plain(kr_buf_t *out, kr_metric_t m)
{
    int64_t v = g_gauge_fn[m] ? g_gauge_fn[m](g_gauge_arg[m]) : atomic_load(&g_plain[m]);
    metrics_family(out, plain[m].name, plain[m].type, plain[m].help);
    kr_buf_printf(out, "%s %lld\n", plain[m].name, (long long)v);
}

static void write_codes(kr_buf_t *out)
{
    metrics_family(out, "krest_produce_record_errors_total", "counter",
                   "Records produced that failed, by krest error code.");
    for (size_t i = 0; i <= N_CODES; i++) {
        uint64_t n = atomic_load_explicit(&g_codes[i].count, memory_order_relaxed);
        if (n == 0)
            continue;
        if (i < N_CODES)
            kr_buf_printf(out, "krest_produce_record_errors_total{code=\"%d\"} %llu\n",
                          atomic_load(&g_codes[i].code), (unsigned long long)n);
        else
            kr_buf_printf(out, "krest_produce_record_errors_total{code=\"other\"} %llu\n",
                          (unsigned long long)n);
    }
}

int kr_metrics_write(kr_buf_t *out)
{
    if (g_routes)
        write_http(out);
    for (int m = 0; m < KR_M_COUNT; m++) {
        write_plain(out, (kr_metric_t)m);
        if (m == KR_M_PRODUCE_BYTES)
            write_codes(out);
    }
    metrics_write_handles(out);
    metrics_write_process(out);
    return out->limit && out->len + 1 >= out->limit ? -1 : 0;
}
