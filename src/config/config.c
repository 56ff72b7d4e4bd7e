/* config/config.c -- builds krest_config_t from defaults, a properties file, the environment and
 * --key=value flags. Every source first lands in one ordered key -> value list (later sources
 * replace earlier values), then each final value is validated through the key table below, so
 * a bad value in the file that a flag overrides is no error. Values of known and pass-through
 * keys are trimmed, as Kafka's ConfigDef does.
 * May use: util/. Threads: start-up only. */
#include "config/config.h"

#include "config/config_int.h"
#include "config/properties.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef KREST_VERSION
#define KREST_VERSION "unknown"
#endif

typedef enum key_type {
    T_I64,         /* int64_t in [min, max] */
    T_INT,         /* int in [min, max] */
    T_BOOL,        /* int, "true"/"false" in any case */
    T_STR,         /* char *; min 1 = must not be empty */
    T_LIST,        /* char *, comma list normalised to "a,b"; min 1 = at least one item */
    T_URLS,        /* char *, a T_LIST whose items are listener URLs */
    T_LISTENERS,   /* config_listener_t * at off, its count (size_t) at off_n */
    T_LOG_LEVEL,   /* int (kr_log_level_t) */
    T_AUTO_CREATE, /* int (config_auto_create_t): broker, true or false, any case */
    T_LOG_FORMAT,  /* int (config_access_log_format_t): text or json, any case */
} key_type_t;

typedef enum key_group { G_HTTP, G_KAFKA, G_CONSUMER, G_V3, G_SR, G_KREST, G_COUNT } key_group_t;

static const char *const group_titles[G_COUNT] = {
    "HTTP server", "Kafka", "Consumers", "v3 API", "Schema Registry", "krest",
};

typedef struct key_def {
    const char *name;
    key_type_t type;
    size_t off;      /* offset of the field in krest_config_t */
    size_t off_n;    /* T_LISTENERS: offset of the count */
    const char *def; /* default, parsed like any value */
    int64_t min, max;
    key_group_t group;
    const char *desc;
} key_def_t;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define NOMAX    INT64_MAX
#define F(field) offsetof(krest_config_t, field)
#define KEY(name, type, field, def, min, max, group, desc)                                         \
    {                                                                                              \
        name, type, F(field), 0, def, min, max, group, desc                                        \
    }

/* Every key krest reads (API.md §5 and section K), with its default. */
static const key_def_t keys[] = {
    {"listeners", T_LISTENERS, F(listeners), F(n_listeners), "", 0, 0, G_HTTP,
     "Comma-separated http:// or https:// URLs to listen on; empty: http://0.0.0.0:<port>."},
    {"advertised.listeners", T_LISTENERS, F(advertised_listeners), F(n_advertised_listeners), "", 0,
     0, G_HTTP, "URLs clients use to reach this instance (consumer base_uri)."},
    KEY("port", T_INT, port, "8082", 1, 65535, G_HTTP,
        "Port of the default listener when listeners is empty (deprecated)."),
    KEY("host.name", T_STR, host_name, "", 0, 0, G_HTTP,
        "Host in absolute URLs when advertised.listeners is empty (deprecated)."),
    KEY("id", T_STR, id, "", 0, 0, G_HTTP,
        "Instance id used in automatic consumer names; empty: <hostname>-<port>."),
    KEY("max.request.header.size", T_I64, max_request_header_size, "8192", 1024, NOMAX, G_HTTP,
        "Largest request header block in bytes; larger requests get 431."),
    KEY("idle.timeout.ms", T_I64, idle_timeout_ms, "30000", 1000, NOMAX, G_HTTP,
        "Close connections idle this long (slow clients)."),
    KEY("server.connection.limit", T_I64, server_connection_limit, "0", 0, NOMAX, G_HTTP,
        "Most connections open at once; 0: unlimited."),
    KEY("shutdown.graceful.ms", T_I64, shutdown_graceful_ms, "30000", 0, NOMAX, G_HTTP,
        "On SIGTERM/SIGINT, wait this long for in-flight requests."),
    KEY("compression.enable", T_BOOL, compression_enable, "true", 0, 0, G_HTTP,
        "Gzip responses over 1 KiB for clients that accept gzip."),
    KEY("debug", T_BOOL, debug, "false", 0, 0, G_HTTP, "Add error details to error messages."),
    KEY("bootstrap.servers", T_LIST, bootstrap_servers, "localhost:9092", 1, 0, G_KAFKA,
        "Kafka brokers to start from (comma-separated host:port)."),
    KEY("client.timeout.ms", T_I64, client_timeout_ms, "5000", 0, NOMAX, G_KAFKA,
        "Timeout of metadata and admin calls to Kafka."),
    KEY("client.init.timeout.ms", T_I64, client_init_timeout_ms, "60000", 0, NOMAX, G_KAFKA,
        "Timeout of the first contact with Kafka at start-up."),
    KEY("consumer.request.timeout.ms", T_I64, consumer_request_timeout_ms, "1000", 0, NOMAX,
        G_CONSUMER, "Longest a read waits when no records are buffered."),
    KEY("consumer.request.max.bytes", T_I64, consumer_request_max_bytes, "67108864", 0, NOMAX,
        G_CONSUMER, "Most unencoded key+value bytes in one read response."),
    KEY("consumer.instance.timeout.ms", T_I64, consumer_instance_timeout_ms, "300000", 0, NOMAX,
        G_CONSUMER, "Destroy a consumer instance idle this long."),
    KEY("fetch.min.bytes", T_I64, fetch_min_bytes, "-1", -1, 10000000, G_CONSUMER,
        "Bytes a read waits for before answering; -1: off."),
    KEY("api.v3.enable", T_BOOL, api_v3_enable, "true", 0, 0, G_V3,
        "Serve the v3 API under /v3; false: every /v3 path is 404."),
    /* Admission (http/cors.c, http/admission.c; docs/operations.md) */
    KEY("access.control.allow.origin", T_LIST, cors_allow_origin, "", 0, 0, G_HTTP,
        "CORS: allowed origins (comma list, * any, *.wildcards); empty: CORS off."),
    KEY("access.control.allow.methods", T_LIST, cors_allow_methods, "", 0, 0, G_HTTP,
        "CORS: methods a preflight allows; empty: GET,POST,HEAD."),
    KEY("access.control.allow.headers", T_LIST, cors_allow_headers, "", 0, 0, G_HTTP,
        "CORS: request headers a preflight allows (* any); empty: "
        "X-Requested-With,Content-Type,Accept,Origin."),
    KEY("access.control.expose.headers", T_LIST, cors_expose_headers, "", 0, 0, G_HTTP,
        "CORS: response headers scripts may read (Access-Control-Expose-Headers)."),
    KEY("krest.access.control.allow.credentials", T_BOOL, cors_allow_credentials, "true", 0, 0,
        G_HTTP, "CORS: send Access-Control-Allow-Credentials: true (Jetty's default)."),
    KEY("api.v2.enable", T_BOOL, api_v2_enable, "true", 0, 0, G_HTTP,
        "Serve the v2 API (and krest's v1 on its paths); false: those routes are 404."),
    KEY("api.endpoints.allowlist", T_LIST, api_allowlist, "", 0, 0, G_HTTP,
        "Resource names (api.v3.topics.list, api.v2.topics.*) served; empty: all."),
    KEY("api.endpoints.blocklist", T_LIST, api_blocklist, "", 0, 0, G_HTTP,
        "Resource names refused: 404 for GET, 405 for other methods."),
    KEY("rate.limit.enable", T_BOOL, rate_limit_enable, "false", 0, 0, G_HTTP,
        "Limit requests per second (global and per cluster); over the limit: 429."),
    KEY("rate.limit.permits.per.sec", T_I64, rate_limit_permits, "50", 1, NOMAX, G_HTTP,
        "Global permits per second (a request costs its rate.limit.costs)."),
    KEY("rate.limit.per.cluster.permits.per.sec", T_I64, rate_limit_cluster, "50", 1, NOMAX, G_HTTP,
        "Permits per second of the v3 paths naming a cluster."),
    KEY("rate.limit.timeout.ms", T_I64, rate_limit_timeout_ms, "0", 0, 60000, G_HTTP,
        "Longest a request is held waiting for permits before 429; 0: answer at once."),
    KEY("rate.limit.default.cost", T_I64, rate_limit_default_cost, "1", 0, NOMAX, G_HTTP,
        "Permits a request costs unless rate.limit.costs names its resource; 0: free."),
    KEY("rate.limit.costs", T_LIST, rate_limit_costs, "", 0, 0, G_HTTP,
        "Costs by resource name: api.v3.topics.list=2,api.v2.consumers.*=1 (0: free)."),
    KEY("krest.rate.limit.per.client.permits.per.sec", T_I64, rate_limit_per_client, "0", 0, NOMAX,
        G_HTTP, "Permits per second of each client address (costs as above); 0: off."),
    KEY("confluent.resource.name.authority", T_STR, crn_authority, "", 0, 0, G_V3,
        "Authority of v3 resource names (crn://<authority>/kafka=...); empty by default."),
    KEY("schema.registry.url", T_STR, schema_registry_url, "", 0, 0, G_SR,
        "External Schema Registry URL; empty: krest's built-in registry."),
    KEY("krest.schema.registry.listeners", T_URLS, schema_registry_listeners, "http://0.0.0.0:8081",
        0, 0, G_SR, "URLs of the built-in Schema Registry; empty: off."),
    KEY("krest.schema.registry.topic", T_STR, schema_registry_topic, "_schemas", 1, 0, G_SR,
        "Topic where the built-in registry keeps its schemas."),
    KEY("krest.max.request.size", T_I64, max_request_size, "67108864", 1024, NOMAX, G_KREST,
        "Largest request body in bytes; larger requests get 413."),
    KEY("krest.max.buffered.bytes", T_I64, max_buffered_bytes, "268435456", 1024, NOMAX, G_KREST,
        "Request bodies buffered at once, all connections together; beyond: 503 at once."),
    KEY("krest.connection.limit.per.ip", T_I64, connection_limit_per_ip, "0", 0, NOMAX, G_KREST,
        "Most connections open at once from one client address; 0: unlimited."),
    KEY("krest.consumer.buffer.bytes", T_I64, consumer_buffer_bytes, "8388608", 0, NOMAX, G_KREST,
        "Fetch buffer of each consumer instance, in bytes."),
    KEY("krest.consumer.first.read.timeout.ms", T_I64, consumer_first_read_timeout_ms, "5000", 0,
        NOMAX, G_KREST, "The first read after subscribe waits this long for the group join."),
    KEY("krest.consumer.instance.max", T_I64, consumer_instance_max, "1000", 1, NOMAX, G_KREST,
        "Consumer handles at most (instances, and deleted ones not yet destroyed); beyond: 429."),
    KEY("krest.http.threads", T_I64, http_threads, "0", 0, 1024, G_KREST,
        "HTTP threads; 0: one per CPU core."),
    KEY("krest.worker.threads", T_I64, worker_threads, "4", 1, 256, G_KREST,
        "Threads for blocking Kafka calls (metadata, admin, commits)."),
    KEY("krest.worker.queue.size", T_I64, worker_queue_size, "1024", 1, NOMAX, G_KREST,
        "Blocking calls that may wait for a worker; when full, requests get 429."),
    KEY("krest.metadata.max.age.ms", T_I64, metadata_max_age_ms, "1000", 0, NOMAX, G_KREST,
        "How long cached topic metadata is used."),
    KEY("krest.topic.auto.create", T_AUTO_CREATE, topic_auto_create, "broker", 0, 0, G_KREST,
        "Produce to a missing topic creates it: broker (as auto.create.topics.enable), true, "
        "false."),
    KEY("krest.log.level", T_LOG_LEVEL, log_level, "info", 0, 0, G_KREST,
        "Log level: error, warn, info or debug."),
    KEY("krest.access.log", T_BOOL, access_log, "true", 0, 0, G_KREST,
        "Log one line per HTTP request."),
    KEY("krest.metrics.enable", T_BOOL, metrics_enable, "true", 0, 0, G_KREST,
        "Record metrics and serve GET /metrics (Prometheus text format); false: 404."),
    KEY("krest.metrics.listener", T_URLS, metrics_listener, "", 0, 0, G_KREST,
        "URLs of extra listeners serving only GET /metrics; empty: none."),
    KEY("krest.metrics.topic.labels", T_BOOL, metrics_topic_labels, "false", 0, 0, G_KREST,
        "Report consumer lag by topic and partition (at most 100 topic names, then other)."),
    KEY("krest.metrics.statistics.interval.ms", T_I64, metrics_statistics_interval_ms, "15000", 0,
        NOMAX, G_KREST, "librdkafka statistics.interval.ms of the producer and consumers; 0: off."),
    KEY("krest.access.log.format", T_LOG_FORMAT, access_log_format, "text", 0, 0, G_KREST,
        "Access log lines: text (krest's line) or json (one JSON object per line)."),
};

/* Confluent keys accepted for compatibility that do nothing in krest (a trailing '*' matches
 * any rest). They are proxy keys, so they are never passed to librdkafka either. */
static const char *const ignored_keys[] = {"consumer.threads",
                                           "consumer.iterator.*",
                                           "producer.threads",
                                           "simpleconsumer.pool.size.max",
                                           "simpleconsumer.pool.timeout.ms",
                                           "zookeeper.connect",
                                           "request.logger.name",
                                           "rate.limit.backend",
                                           "rate.limit.per.cluster.cache.expiry.ms",
                                           "access.control.skip.options"};

/* Prefixes whose other keys go to librdkafka or the Schema Registry client. */
static const char *const passthrough_prefixes[] = {
    "client.", "producer.", "consumer.", "admin.", "schema.registry.",
};

/* Where a setting came from: unknown keys from the environment are only logged at debug. */
typedef enum src { SRC_FILE, SRC_ENV, SRC_FLAG } src_t;

/* The settings of every source, in first-set order, later values replacing earlier ones. */
typedef struct settings {
    config_kv_t *kv;
    src_t *src;
    size_t n;
} settings_t;

/* Sets key to value in kv[0..n), replacing an existing value in place.
 * Returns the index of the key. */
static size_t kv_put(config_kv_t **kv, size_t *n, const char *key, const char *value)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*kv)[i].key, key) == 0) {
            xfree((*kv)[i].value);
            (*kv)[i].value = xstrdup(value);
            return i;
        }
    }
    *kv = xrealloc(*kv, (*n + 1) * sizeof(**kv));
    (*kv)[*n].key = xstrdup(key);
    (*kv)[*n].value = xstrdup(value);
    return (*n)++;
}

void config_kv_free(config_kv_t *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        xfree(kv[i].key);
        xfree(kv[i].value);
    }
    xfree(kv);
}

static void settings_put(settings_t *s, const char *key, const char *value, src_t src)
{
    size_t n = s->n;
    size_t i = kv_put(&s->kv, &s->n, key, value);
    if (s->n != n)
        s->src = xrealloc(s->src, s->n * sizeof(*s->src));
    s->src[i] = src;
}

static void settings_free(settings_t *s)
{
    config_kv_free(s->kv, s->n);
    xfree(s->src);
}

static int bad_value(kr_err_t *err, const key_def_t *d, const char *v, const char *why)
{
    char buf[72];
    return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                      "invalid value '%s' for configuration key '%s': %s", config_shown(v, buf),
                      d->name, why);
}

/* A copy of s without leading and trailing whitespace. */
static char *trim_dup(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || (*s >= '\t' && *s <= '\r'))) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
        n--;
    return xstrndup(s, n);
}

/* Returns the next non-empty, trimmed item of the comma list v from *pos (owned), or NULL. */
static char *next_item(const char *v, size_t *pos)
{
    while (v[*pos]) {
        const char *s = v + *pos;
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        *pos += n + (comma ? 1 : 0);
        char *item = trim_dup(s, n);
        if (item[0])
            return item;
        xfree(item);
    }
    return NULL;
}

/* Parses a decimal integer. Returns 0, -1 for garbage, -2 for overflow. */
static int parse_i64(const char *s, int64_t *out)
{
    int neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return -1;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (limit - d) / 10)
            return -2;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static int set_int(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    int64_t x = 0;
    int rc = parse_i64(v, &x);
    if (rc == -1)
        return bad_value(err, d, v, "expected an integer");
    if (rc == -2 || x < d->min || x > d->max) {
        char why[96];
        if (d->max == NOMAX)
            snprintf(why, sizeof(why), "expected an integer >= %" PRId64, d->min);
        else
            snprintf(why, sizeof(why), "expected an integer from %" PRId64 " to %" PRId64, d->min,
                     d->max);
        return bad_value(err, d, v, why);
    }
    void *field = (char *)cfg + d->off;
    if (d->type == T_INT)
        *(int *)field = (int)x;
    else
        *(int64_t *)field = x;
    return 0;
}

static int set_bool(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    int *field = (int *)((char *)cfg + d->off);
    if (strcasecmp(v, "true") == 0)
        *field = 1;
    else if (strcasecmp(v, "false") == 0)
        *field = 0;
    else
        return bad_value(err, d, v, "expected true or false");
    return 0;
}

static int set_log_level(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    kr_log_level_t level = KR_LOG_INFO;
    if (kr_log_parse_level(v, &level) != 0)
        return bad_value(err, d, v, "expected error, warn, info or debug");
    *(int *)((char *)cfg + d->off) = (int)level;
    return 0;
}

static int set_auto_create(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    int *field = (int *)((char *)cfg + d->off);
    if (strcasecmp(v, "broker") == 0)
        *field = CONFIG_AUTO_CREATE_BROKER;
    else if (strcasecmp(v, "true") == 0)
        *field = CONFIG_AUTO_CREATE_TRUE;
    else if (strcasecmp(v, "false") == 0)
        *field = CONFIG_AUTO_CREATE_FALSE;
    else
        return bad_value(err, d, v, "expected broker, true or false");
    return 0;
}

static int set_log_format(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    int *field = (int *)((char *)cfg + d->off);
    if (strcasecmp(v, "text") == 0)
        *field = CONFIG_ACCESS_LOG_TEXT;
    else if (strcasecmp(v, "json") == 0)
        *field = CONFIG_ACCESS_LOG_JSON;
    else
        return bad_value(err, d, v, "expected text or json");
    return 0;
}

/* Stores a string field; T_LIST and T_URLS values are normalised to "a,b" first. */
static int set_str(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    char *value = NULL;
    if (d->type == T_STR) {
        if (d->min > 0 && !v[0])
            return bad_value(err, d, v, "must not be empty");
        value = xstrdup(v);
    } else {
        kr_buf_t b;
        kr_buf_init(&b, 0);
        kr_buf_append(&b, "", 0);
        size_t pos = 0;
        for (char *item = next_item(v, &pos); item; item = next_item(v, &pos)) {
            kr_buf_printf(&b, "%s%s", b.len ? "," : "", item);
            xfree(item);
        }
        size_t len = 0;
        value = kr_buf_steal(&b, &len);
        if (d->min > 0 && len == 0) {
            xfree(value);
            return bad_value(err, d, v, "expected a non-empty comma-separated list");
        }
    }
    char **field = (char **)((char *)cfg + d->off);
    xfree(*field);
    *field = value;
    return 0;
}

/* Parses the listener list v; T_LISTENERS stores the array, T_URLS only validates. */
static int set_listeners(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    config_listener_t *ls = NULL;
    size_t n = 0;
    size_t pos = 0;
    for (char *item = next_item(v, &pos); item; item = next_item(v, &pos)) {
        config_listener_t l = {.host = NULL};
        const char *why = config_listener_parse_why(item, strlen(item), &l);
        if (why) {
            bad_value(err, d, item, why);
            xfree(item);
            config_listeners_free(ls, n);
            return -1;
        }
        xfree(item);
        ls = xrealloc(ls, (n + 1) * sizeof(*ls));
        ls[n++] = l;
    }
    if (d->type == T_URLS) {
        config_listeners_free(ls, n);
        return set_str(cfg, d, v, err);
    }
    config_listener_t **field = (config_listener_t **)((char *)cfg + d->off);
    size_t *count = (size_t *)((char *)cfg + d->off_n);
    config_listeners_free(*field, *count);
    *field = ls;
    *count = n;
    return 0;
}

typedef int (*setter_fn)(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err);

/* Validates and stores one value (trimmed first, as Kafka's ConfigDef does). */
static int set_value(krest_config_t *cfg, const key_def_t *d, const char *raw, kr_err_t *err)
{
    static const setter_fn setters[] = {[T_I64] = set_int,
                                        [T_INT] = set_int,
                                        [T_BOOL] = set_bool,
                                        [T_STR] = set_str,
                                        [T_LIST] = set_str,
                                        [T_URLS] = set_listeners,
                                        [T_LISTENERS] = set_listeners,
                                        [T_LOG_LEVEL] = set_log_level,
                                        [T_AUTO_CREATE] = set_auto_create,
                                        [T_LOG_FORMAT] = set_log_format};
    char *v = trim_dup(raw, strlen(raw));
    int rc = setters[d->type](cfg, d, v, err);
    xfree(v);
    return rc;
}

static const key_def_t *find_key(const char *name)
{
    for (size_t i = 0; i < COUNT(keys); i++) {
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    }
    return NULL;
}

static int is_ignored(const char *key)
{
    for (size_t i = 0; i < COUNT(ignored_keys); i++) {
        const char *k = ignored_keys[i];
        size_t n = strlen(k);
        if (k[n - 1] == '*' ? strncmp(key, k, n - 1) == 0 : strcmp(key, k) == 0)
            return 1;
    }
    return 0;
}

static int is_passthrough(const char *key)
{
    for (size_t i = 0; i < COUNT(passthrough_prefixes); i++) {
        size_t n = strlen(passthrough_prefixes[i]);
        if (strncmp(key, passthrough_prefixes[i], n) == 0 && key[n])
            return 1;
    }
    return 0;
}

/* Applies one final setting: a known key, an ignored one, a pass-through one or an unknown. */
static int apply_setting(krest_config_t *cfg, const char *key, const char *value, src_t src,
                         kr_err_t *err)
{
    const key_def_t *d = find_key(key);
    if (d)
        return set_value(cfg, d, value, err);
    if (is_ignored(key)) {
        log_debug("configuration key '%s' has no effect in krest", key);
        return 0;
    }
    if (is_passthrough(key)) {
        char *v = trim_dup(value, strlen(value));
        kv_put(&cfg->passthrough, &cfg->n_passthrough, key, v);
        xfree(v);
        return 0;
    }
    char buf[72];
    if (src == SRC_ENV)
        log_debug("unknown configuration key '%s' from the environment ignored",
                  config_shown(key, buf));
    else
        log_warn("unknown configuration key '%s' ignored", config_shown(key, buf));
    return 0;
}

static krest_config_t *new_with_defaults(void)
{
    krest_config_t *cfg = xcalloc(1, sizeof(*cfg));
    for (size_t i = 0; i < COUNT(keys); i++) {
        kr_err_t err;
        if (set_value(cfg, &keys[i], keys[i].def, &err) != 0) {
            log_error("bad built-in default: %s", err.msg);
            abort();
        }
    }
    return cfg;
}

void config_free(krest_config_t *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < COUNT(keys); i++) {
        const key_def_t *d = &keys[i];
        void *field = (char *)cfg + d->off;
        if (d->type == T_STR || d->type == T_LIST || d->type == T_URLS)
            xfree(*(char **)field);
        else if (d->type == T_LISTENERS)
            config_listeners_free(*(config_listener_t **)field,
                                  *(size_t *)((char *)cfg + d->off_n));
    }
    config_kv_free(cfg->passthrough, cfg->n_passthrough);
    xfree(cfg);
}

/* Maps an environment variable name (after its prefix) to a key: lower case, then "___" -> "-",
 * "__" -> "_", "_" -> "." (longest first, left to right, as Confluent's images do). */
static char *env_to_key(const char *name, size_t len)
{
    kr_buf_t b;
    kr_buf_init(&b, 0);
    kr_buf_append(&b, "", 0);
    for (size_t i = 0; i < len;) {
        if (name[i] != '_') {
            char c = name[i++];
            kr_buf_putc(&b, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
            continue;
        }
        size_t run = 1;
        while (run < 3 && i + run < len && name[i + run] == '_')
            run++;
        kr_buf_putc(&b, run == 3 ? '-' : run == 2 ? '_' : '.');
        i += run;
    }
    size_t n = 0;
    return kr_buf_steal(&b, &n);
}

static void add_env(settings_t *s, char **envp, const char *prefix)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; envp && envp[i]; i++) {
        const char *e = envp[i];
        const char *eq = strchr(e, '=');
        if (!eq || strncmp(e, prefix, plen) != 0 || eq < e + plen)
            continue;
        char *key = env_to_key(e + plen, (size_t)(eq - e) - plen);
        if (key[0])
            settings_put(s, key, eq + 1, SRC_ENV);
        xfree(key);
    }
}

static int add_file_pair(void *ctx, const char *key, const char *value, size_t line, kr_err_t *err)
{
    (void)line;
    (void)err;
    settings_put(ctx, key, value, SRC_FILE);
    return 0;
}

/* Checks argv's shape: at most one positional argument (the file), flags as --key=value. */
static int scan_args(int argc, char **argv, const char **file, kr_err_t *err)
{
    char buf[72];
    char buf2[72];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) == 0) {
            const char *eq = strchr(a, '=');
            if (!eq)
                return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                                  "option '%s' must be written --key=value "
                                  "(--key value is not supported)",
                                  config_shown(a, buf));
            if (eq == a + 2)
                return kr_err_set(err, KR_ERR_UNPROCESSABLE, "option '%s' has an empty key",
                                  config_shown(a, buf));
        } else if (a[0] == '-' && a[1]) {
            return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                              "unknown option '%s' (use --key=value, --help or --version)",
                              config_shown(a, buf));
        } else if (*file) {
            return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                              "unexpected argument '%s': the properties file is already '%s'",
                              config_shown(a, buf), config_shown(*file, buf2));
        } else {
            *file = a;
        }
    }
    return 0;
}

static void add_flags(settings_t *s, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0)
            continue;
        const char *eq = strchr(a, '=');
        char *key = xstrndup(a + 2, (size_t)(eq - a - 2));
        settings_put(s, key, eq + 1, SRC_FLAG);
        xfree(key);
    }
}

/* Handles --help and --version. Returns 1 when one was printed. */
static int print_info(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            config_print_help(stdout);
            return 1;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("krest %s\n", KREST_VERSION);
            return 1;
        }
    }
    return 0;
}

static int collect(int argc, char **argv, char **envp, settings_t *s, kr_err_t *err)
{
    const char *file = NULL;
    if (scan_args(argc, argv, &file, err) != 0)
        return -1;
    if (file && config_props_load_file(file, add_file_pair, s, err) != 0)
        return -1;
    add_env(s, envp, "KAFKA_REST_");
    add_env(s, envp, "KREST_"); /* after KAFKA_REST_, so that it wins */
    add_flags(s, argc, argv);
    return 0;
}

int config_load(int argc, char **argv, char **envp, krest_config_t **out, kr_err_t *err)
{
    *out = NULL;
    if (print_info(argc, argv))
        return 1;
    settings_t s = {.kv = NULL};
    krest_config_t *cfg = NULL;
    int rc = -1;
    if (collect(argc, argv, envp, &s, err) != 0)
        goto out;
    cfg = new_with_defaults();
    for (size_t i = 0; i < s.n; i++) {
        if (apply_setting(cfg, s.kv[i].key, s.kv[i].value, s.src[i], err) != 0)
            goto out;
    }
    if (cfg->n_listeners == 0) {
        cfg->listeners = xcalloc(1, sizeof(*cfg->listeners));
        snprintf(cfg->listeners[0].scheme, sizeof(cfg->listeners[0].scheme), "http");
        cfg->listeners[0].host = xstrdup("0.0.0.0");
        cfg->listeners[0].port = cfg->port;
        cfg->n_listeners = 1;
    }
    *out = cfg;
    cfg = NULL;
    rc = 0;
out:
    config_free(cfg);
    settings_free(&s);
    return rc;
}

/* Appends the pass-through keys starting with prefix to kv, prefix stripped, later wins. */
static void collect_prefixed(const krest_config_t *cfg, const char *prefix, config_kv_t **kv,
                             size_t *n)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < cfg->n_passthrough; i++) {
        const config_kv_t *p = &cfg->passthrough[i];
        if (strncmp(p->key, prefix, plen) == 0)
            kv_put(kv, n, p->key + plen, p->value);
    }
}

size_t config_kafka_props(const krest_config_t *cfg, const char *kind, config_kv_t **out)
{
    *out = NULL;
    if (!kind || (strcmp(kind, "producer") != 0 && strcmp(kind, "consumer") != 0 &&
                  strcmp(kind, "admin") != 0))
        return 0;
    char prefix[16];
    snprintf(prefix, sizeof(prefix), "%s.", kind);
    size_t n = 0;
    collect_prefixed(cfg, "client.", out, &n);
    collect_prefixed(cfg, prefix, out, &n);
    return n;
}

static void print_notes(FILE *out)
{
    fprintf(out, "\nAccepted for compatibility, no effect in krest:\n ");
    size_t col = 1;
    for (size_t i = 0; i < COUNT(ignored_keys); i++) {
        if (col > 1 && col + strlen(ignored_keys[i]) > 90) {
            fprintf(out, "\n ");
            col = 1;
        }
        col += (size_t)fprintf(out, " %s%s", ignored_keys[i],
                               i + 1 < COUNT(ignored_keys) ? "," : "\n");
    }
    fprintf(out,
            "\nPass-through (any other key with these prefixes):\n"
            "  client.*            every Kafka client (producer, consumers, admin), prefix "
            "stripped\n"
            "  producer.*          the producer, after client.* (e.g. producer.linger.ms)\n"
            "  consumer.*          consumer instances, after client.*\n"
            "  admin.*             the admin client, after client.*\n"
            "  schema.registry.*   the Schema Registry client\n"
            "  The proxy keys above (consumer.request.*, client.timeout.ms, ...) are never "
            "passed on.\n"
            "\nSources, later wins: defaults < properties file < environment < --key=value.\n"
            "Environment: KAFKA_REST_<KEY> or KREST_<KEY> (KREST_ wins); <KEY> is lower-cased "
            "and\n"
            "  '___' -> '-', '__' -> '_', '_' -> '.': KAFKA_REST_BOOTSTRAP_SERVERS=b:9092 sets "
            "bootstrap.servers.\n");
}

void config_print_help(FILE *out)
{
    fprintf(out, "Usage: krest [file.properties] [--key=value ...]\n"
                 "       krest --help | --version\n");
    for (int g = 0; g < G_COUNT; g++) {
        fprintf(out, "\n%s:\n", group_titles[g]);
        for (size_t i = 0; i < COUNT(keys); i++) {
            const key_def_t *d = &keys[i];
            if (d->group == (key_group_t)g)
                fprintf(out, "  %s = %s\n      %s\n", d->name, d->def[0] ? d->def : "\"\"",
                        d->desc);
        }
    }
    print_notes(out);
}
