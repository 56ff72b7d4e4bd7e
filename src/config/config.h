/* config/config.h -- krest's configuration: defaults, a Java properties file, environment
 * (KAFKA_REST_<KEY>, KREST_<KEY>) and --key=value flags, later sources winning; validated
 * once at start-up into an immutable krest_config_t. Key names are Confluent's (API.md §5,
 * section K); krest's own keys are krest.*.
 * May use: util/. Threads: config_load() at start-up only; the result is read-only after. */
#ifndef KR_CONFIG_CONFIG_H
#define KR_CONFIG_CONFIG_H

#include "util/err.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct config_listener {
    char scheme[8]; /* "http" or "https" (lower case) */
    char *host;     /* owned; "0.0.0.0", "localhost", "::" (IPv6 without brackets)... */
    int port;       /* 1..65535 */
} config_listener_t;

/** `krest.topic.auto.create`: whether a v1/v2 produce to a missing topic creates it. */
typedef enum config_auto_create {
    CONFIG_AUTO_CREATE_BROKER = 0, /* "broker": as the cluster's auto.create.topics.enable */
    CONFIG_AUTO_CREATE_TRUE = 1,   /* "true": always */
    CONFIG_AUTO_CREATE_FALSE = 2,  /* "false": never (404/40401 at once) */
} config_auto_create_t;

/** `krest.access.log.format`: how access log lines look (docs/operations.md). */
typedef enum config_access_log_format {
    CONFIG_ACCESS_LOG_TEXT = 0, /* "text": krest's line, "INFO  [<id>] access GET /x 200 ..." */
    CONFIG_ACCESS_LOG_JSON = 1, /* "json": one JSON object per line */
} config_access_log_format_t;

typedef struct config_kv {
    char *key;   /* owned */
    char *value; /* owned */
} config_kv_t;

typedef struct krest_config {
    /* HTTP server (rest-utils keys) */
    config_listener_t *listeners; /* from `listeners`, or http://0.0.0.0:<port> when empty */
    size_t n_listeners;
    config_listener_t *advertised_listeners; /* `advertised.listeners`, may be 0 */
    size_t n_advertised_listeners;
    int port;                        /* `port` (deprecated), default 8082 */
    char *host_name;                 /* `host.name`, "" default */
    char *id;                        /* `id`, "" default (auto names use <hostname>-<port>) */
    int64_t max_request_header_size; /* `max.request.header.size`, 8192 */
    int64_t idle_timeout_ms;         /* `idle.timeout.ms`, 30000 */
    int64_t server_connection_limit; /* `server.connection.limit`, 0 = unlimited */
    int64_t shutdown_graceful_ms;    /* `shutdown.graceful.ms`, 30000 */
    int compression_enable;          /* `compression.enable`, 1 */
    int debug;                       /* `debug`, 0 */

    /* Response compression (http/compress.c, http/encoding.c) */
    int64_t compression_min_bytes; /* `krest.compression.min.bytes`, 1024 */
    int compression_level;         /* `krest.compression.level`, 1 */
    char *compression_codecs;      /* `krest.compression.codecs`, "zstd,br,gzip,deflate" */

    /* Kafka */
    char *bootstrap_servers;        /* `bootstrap.servers`, "localhost:9092" default */
    int64_t client_timeout_ms;      /* `client.timeout.ms`, 5000 (krest's default) */
    int64_t client_init_timeout_ms; /* `client.init.timeout.ms`, 60000 */

    /* Consumers (proxy-side keys, never passed to librdkafka) */
    int64_t consumer_request_timeout_ms;  /* 1000 */
    int64_t consumer_request_max_bytes;   /* 67108864 */
    int64_t consumer_instance_timeout_ms; /* 300000 */
    int64_t fetch_min_bytes;              /* `fetch.min.bytes`, -1 (range -1..10000000) */

    /* v3 API */
    int api_v3_enable;   /* `api.v3.enable`, 1; 0: every /v3 path is 404 */
    char *crn_authority; /* `confluent.resource.name.authority`, "" (CRNs crn:///kafka=...) */

    /* v3 records produce (api/v3_produce.c) */
    int64_t v3_batch_max_entries;      /* `api.v3.produce.batch.maximum.entries`, 10 (1..50) */
    int64_t v3_produce_size_limit;     /* `api.v3.produce.request.size.limit.max.bytes`, 0 */
    int64_t streaming_max_duration_ms; /* `streaming.connection.max.duration.ms`, 86400000 */
    int v3_stream_tls_duplex;          /* `krest.v3.streaming.tls.full.duplex`, 0 (docs/v3.md) */
    int64_t streaming_grace_ms;        /* `streaming.connection.max.duration.grace.period.ms` */
    int v3_rate_enabled;               /* `api.v3.produce.rate.limit.enabled`, 0 */
    int64_t v3_rate_requests;          /* `…max.requests.per.sec`, 10000 (per cluster) */
    int64_t v3_rate_requests_global;   /* `…max.requests.global.per.sec`, 10000 */
    int64_t v3_rate_bytes;             /* `…max.bytes.per.sec`, 10000000 (per cluster) */
    int64_t v3_rate_bytes_global;      /* `…max.bytes.global.per.sec`, 10000000 */

    /* Admission: CORS (http/cors.c), access lists and rate limits (http/admission.c) */
    char *cors_allow_origin;         /* `access.control.allow.origin`, "" = CORS off; "*" or list */
    char *cors_allow_methods;        /* `access.control.allow.methods`, "" = GET,POST,HEAD */
    char *cors_allow_headers;        /* `access.control.allow.headers`, "" = Jetty's default */
    char *cors_expose_headers;       /* `access.control.expose.headers`, "" */
    int cors_allow_credentials;      /* `krest.access.control.allow.credentials`, 1 (Jetty's) */
    int api_v2_enable;               /* `api.v2.enable`, 1; 0: the v1/v2 routes are 404 */
    char *api_allowlist;             /* `api.endpoints.allowlist`, "" (resource names) */
    char *api_blocklist;             /* `api.endpoints.blocklist`, "" */
    int rate_limit_enable;           /* `rate.limit.enable`, 0 */
    int64_t rate_limit_permits;      /* `rate.limit.permits.per.sec`, 50 */
    int64_t rate_limit_cluster;      /* `rate.limit.per.cluster.permits.per.sec`, 50 */
    int64_t rate_limit_timeout_ms;   /* `rate.limit.timeout.ms`, 0 */
    int64_t rate_limit_default_cost; /* `rate.limit.default.cost`, 1 */
    char *rate_limit_costs;          /* `rate.limit.costs`, "" ("name=cost,...") */
    int64_t rate_limit_per_client;   /* `krest.rate.limit.per.client.permits.per.sec`, 0 = off */

    /* Authentication (http/auth.c) */
    char *auth_method;     /* `authentication.method`, "NONE" (or BASIC) */
    char *auth_realm;      /* `authentication.realm`, "" (the JAAS section) */
    char *auth_roles;      /* `authentication.roles`, "*" (any); "" = nobody */
    char *auth_skip_paths; /* `authentication.skip.paths`, "" (servlet path specs) */
    int cors_skip_options; /* `access.control.skip.options`, 1: OPTIONS needs no auth (CORS on) */
    char *auth_jaas_file;  /* `krest.authentication.jaas.file`, "" = KAFKAREST_OPTS's */

    /* Schema Registry */
    char *schema_registry_url; /* `schema.registry.url`; "" -> the built-in registry's URL */

    /* krest's own keys */
    int64_t max_request_size;               /* `krest.max.request.size`, 67108864 */
    int64_t max_buffered_bytes;             /* `krest.max.buffered.bytes`, 268435456 */
    int64_t connection_limit_per_ip;        /* `krest.connection.limit.per.ip`, 0 = none */
    int64_t http_header_timeout_ms;         /* `krest.http.header.timeout.ms`, 10000; 0 = off */
    int64_t consumer_buffer_bytes;          /* `krest.consumer.buffer.bytes`, 8388608 */
    int64_t consumer_first_read_timeout_ms; /* `krest.consumer.first.read.timeout.ms`, 5000 */
    int64_t consumer_instance_max;          /* `krest.consumer.instance.max`, 1000 */
    char *schema_registry_listeners; /* `krest.schema.registry.listeners`, http://0.0.0.0:8081 */
    char *schema_registry_topic;     /* `krest.schema.registry.topic`, "_schemas" */
    int64_t http_threads;            /* `krest.http.threads`, 0 = number of cores */
    int64_t worker_threads;          /* `krest.worker.threads`, 4 (blocking librdkafka calls) */
    int64_t worker_queue_size;       /* `krest.worker.queue.size`, 1024 (full -> 429) */
    int64_t metadata_max_age_ms;     /* `krest.metadata.max.age.ms`, 1000 */
    int topic_auto_create;           /* `krest.topic.auto.create` (config_auto_create_t), broker */
    int log_level;                   /* `krest.log.level` (kr_log_level_t), "info" */
    int access_log;                  /* `krest.access.log`, 1 */
    int metrics_enable;              /* `krest.metrics.enable`, 1 */
    char *metrics_listener;          /* `krest.metrics.listener`, "" (URLs serving /metrics) */
    int metrics_topic_labels;        /* `krest.metrics.topic.labels`, 0 */
    int64_t metrics_statistics_interval_ms; /* `krest.metrics.statistics.interval.ms`, 15000 */
    int access_log_format; /* `krest.access.log.format` (config_access_log_format_t), "text" */

    /* HTTPS listeners and mTLS (http/tls*.c; rest-utils ssl.* keys, docs/security.md) */
    char *ssl_keystore_location;     /* `ssl.keystore.location`, "" */
    char *ssl_keystore_password;     /* `ssl.keystore.password`, "" (secret) */
    char *ssl_keystore_type;         /* `ssl.keystore.type`, "JKS" (= by content) */
    char *ssl_key_password;          /* `ssl.key.password`, "" (secret) */
    char *ssl_truststore_location;   /* `ssl.truststore.location`, "" */
    char *ssl_truststore_password;   /* `ssl.truststore.password`, "" (secret) */
    char *ssl_truststore_type;       /* `ssl.truststore.type`, "JKS" (= by content) */
    char *ssl_client_authentication; /* `ssl.client.authentication`, "NONE" */
    int ssl_client_auth;             /* `ssl.client.auth` (deprecated), 0; 1 = REQUIRED */
    char *ssl_protocol;              /* `ssl.protocol`, "TLS" */
    char *ssl_enabled_protocols;     /* `ssl.enabled.protocols`, "" = TLSv1.2,TLSv1.3 */
    char *ssl_cipher_suites;         /* `ssl.cipher.suites`, "" = GnuTLS's defaults */
    char *ssl_endpoint_identification_algorithm; /* accepted; no effect on a server */
    char *ssl_principal_mapping_rules;           /* `ssl.principal.mapping.rules`, DEFAULT */
    /* Many instances (kafka/cluster.c, api/forward.c; docs/cluster.md) */
    int cluster_enable;                    /* `krest.cluster.enable`, 0 */
    char *cluster_topic;                   /* `krest.cluster.topic`, "_krest_instances" */
    char *cluster_internal_url;            /* `krest.cluster.internal.url`, "" (derived) */
    int64_t cluster_heartbeat_interval_ms; /* `krest.cluster.heartbeat.interval.ms`, 3000 */
    int64_t cluster_heartbeat_timeout_ms;  /* `krest.cluster.heartbeat.timeout.ms`, 10000 */
    char *cluster_secret;                  /* `krest.cluster.secret`, "" (required when on) */
    char *cluster_ssl_ca_location;         /* `krest.cluster.ssl.ca.location`, "" (system CAs) */
    /* Each user's own Kafka identity (issue 15, kafka/principals.h) */
    int kafka_principal_propagation; /* `krest.kafka.principal.propagation`, 0 */
    int64_t kafka_principal_max;     /* `krest.kafka.principal.max`, 100 */
    int64_t kafka_principal_idle_ms; /* `krest.kafka.principal.idle.ms`, 300000 */

    /* Pass-through: every client.*, producer.*, consumer.*, admin.*, schema.registry.* key
     * that is not a proxy key, in the order set, with its prefix (e.g. "producer.linger.ms"). */
    config_kv_t *passthrough;
    size_t n_passthrough;
} krest_config_t;

/** Builds the configuration from argv (`[file.properties] [--key=value ...]`, `--help`,
 * `--version`), the environment (envp, NULL-terminated) and the properties file, in the order
 * defaults < file < environment < flags. Unknown keys from the file or flags are warnings;
 * unknown environment keys (containers carry many unrelated ones) are logged at debug level.
 * @return 0 with *out owned (free with config_free); 1 when --help or --version was printed
 *         to stdout (nothing to run); -1 with err set (code 422, message naming the key) on an
 *         unreadable file or an invalid value. */
int config_load(int argc, char **argv, char **envp, krest_config_t **out, kr_err_t *err);

/** Frees a configuration; config_free(NULL) is a no-op. */
void config_free(krest_config_t *cfg);

/** Collects the librdkafka properties for one kind of client: "producer", "consumer" or
 * "admin". Takes every `client.*` key, then every `<kind>.*` key (later wins), prefix
 * stripped, proxy keys left out (section K).
 * @return the number of pairs; *out is owned (free with config_kv_free). */
size_t config_kafka_props(const krest_config_t *cfg, const char *kind, config_kv_t **out);

/** Frees an array returned by config_kafka_props(). */
void config_kv_free(config_kv_t *kv, size_t n);

/** Whether key holds a secret (passwords, JAAS configurations, credentials): such values are
 * never logged, shown or echoed in messages (config/secrets.c). */
bool config_key_is_secret(const char *key);

/** Warns (log) when the properties file at path holds a secret value and is readable by its
 * group or by every user. */
void config_warn_readable_secrets(const char *path);

/** Warns (log) for each secret given as a --key=value flag (visible in ps). */
void config_warn_secret_flags(int argc, char **argv);

/** Writes the list of every known key, its default and a one-line description. */
void config_print_help(FILE *out);

/** Parses one listener URL such as "http://0.0.0.0:8082" or "http://[::1]:8082".
 * @return 0, or -1 with err set. */
int config_parse_listener(const char *url, config_listener_t *out, kr_err_t *err);

/** Frees the host of a listener filled by config_parse_listener(); the struct itself is the
 * caller's. */
void config_listener_deinit(config_listener_t *l);

#endif
