/* config/keys.c -- the table of every configuration key krest reads (API.md §5 and section K),
 * with its type, default, bounds, group and one-line description; the Confluent keys accepted
 * and ignored; the prefixes passed through to librdkafka. Data only: config.c applies it.
 * Add a feature's keys in a block of their own. May use: util/. Threads: read-only data. */
#include "config/config_int.h"

#include <stddef.h>

#define F(field) offsetof(krest_config_t, field)
#define KEY(name, type, field, def, min, max, group, desc)                                         \
    {                                                                                              \
        name, type, F(field), 0, def, min, max, group, desc                                        \
    }

const char *const config_group_titles[G_COUNT] = {
    "HTTP server", "Kafka", "Consumers", "v3 API", "Schema Registry", "krest",
};

/* Every key krest reads (API.md §5 and section K), with its default. */
const key_def_t config_keys[] = {
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
    /* Authentication (http/auth.c; README "Security: authentication") */
    KEY("authentication.method", T_STR, auth_method, "NONE", 0, 0, G_HTTP,
        "NONE, or BASIC: HTTP Basic authentication of every listener (users from the JAAS file)."),
    KEY("authentication.realm", T_STR, auth_realm, "", 0, 0, G_HTTP,
        "Basic realm, and the section of the JAAS file that names the password file."),
    KEY("authentication.roles", T_LIST, auth_roles, "*", 0, 0, G_HTTP,
        "Roles a user needs one of (403 otherwise); * any authenticated user; empty: nobody."),
    KEY("authentication.skip.paths", T_LIST, auth_skip_paths, "", 0, 0, G_HTTP,
        "Paths open without authentication: /exact, /prefix/*, *.ext (e.g. /,/healthy,/metrics)."),
    KEY("access.control.skip.options", T_BOOL, cors_skip_options, "true", 0, 0, G_HTTP,
        "With CORS on, OPTIONS requests (preflights) need no authentication."),
    KEY("krest.authentication.jaas.file", T_STR, auth_jaas_file, "", 0, 0, G_HTTP,
        "JAAS file of authentication.method=BASIC; empty: KAFKAREST_OPTS's "
        "-Djava.security.auth.login.config=."),
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
    KEY("krest.http.header.timeout.ms", T_I64, http_header_timeout_ms, "10000", 0, NOMAX, G_KREST,
        "A request's headers must be in within this time (after idle.timeout.ms on a kept-alive "
        "connection), however slowly they trickle; 0: no deadline."),
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
    /* HTTPS listeners and mTLS (http/tls*.c, docs/security.md) */
    KEY("ssl.keystore.location", T_STR, ssl_keystore_location, "", 0, 0, G_HTTP,
        "HTTPS: the server's certificate and key, a PKCS12 or PEM file (JKS: convert it)."),
    KEY("ssl.keystore.password", T_STR, ssl_keystore_password, "", 0, 0, G_HTTP,
        "HTTPS: password of the keystore (secret; never logged)."),
    KEY("ssl.keystore.type", T_STR, ssl_keystore_type, "JKS", 0, 0, G_HTTP,
        "HTTPS: PKCS12 or PEM; JKS (Confluent's default): read by content, PKCS12 or PEM."),
    KEY("ssl.key.password", T_STR, ssl_key_password, "", 0, 0, G_HTTP,
        "HTTPS: password of the private key, when not the keystore's (secret)."),
    KEY("ssl.truststore.location", T_STR, ssl_truststore_location, "", 0, 0, G_HTTP,
        "mTLS: CAs that sign client certificates, a PKCS12 or PEM file."),
    KEY("ssl.truststore.password", T_STR, ssl_truststore_password, "", 0, 0, G_HTTP,
        "mTLS: password of the truststore (secret)."),
    KEY("ssl.truststore.type", T_STR, ssl_truststore_type, "JKS", 0, 0, G_HTTP,
        "mTLS: PKCS12 or PEM; JKS: read by content, as ssl.keystore.type."),
    KEY("ssl.client.authentication", T_STR, ssl_client_authentication, "NONE", 0, 0, G_HTTP,
        "mTLS: NONE, REQUESTED (a certificate, if sent, must verify) or REQUIRED."),
    KEY("ssl.client.auth", T_BOOL, ssl_client_auth, "false", 0, 0, G_HTTP,
        "mTLS (deprecated): true is ssl.client.authentication=REQUIRED."),
    KEY("ssl.protocol", T_STR, ssl_protocol, "TLS", 0, 0, G_HTTP,
        "HTTPS: TLS, TLSv1.2 or TLSv1.3 (accepted; ssl.enabled.protocols decides)."),
    KEY("ssl.enabled.protocols", T_LIST, ssl_enabled_protocols, "", 0, 0, G_HTTP,
        "HTTPS: TLSv1.2, TLSv1.3 (and TLSv1.1, TLSv1 if listed); empty: TLSv1.2,TLSv1.3."),
    KEY("ssl.cipher.suites", T_LIST, ssl_cipher_suites, "", 0, 0, G_HTTP,
        "HTTPS: IANA cipher suite names (TLS_AES_128_GCM_SHA256, ...); empty: GnuTLS's."),
    KEY("ssl.endpoint.identification.algorithm", T_STR, ssl_endpoint_identification_algorithm, "",
        0, 0, G_HTTP, "HTTPS: accepted; a server checks no client host name."),
    KEY("ssl.principal.mapping.rules", T_STR, ssl_principal_mapping_rules, "DEFAULT", 0, 0, G_HTTP,
        "mTLS: client certificate subject -> principal, as Kafka's (RULE:p/r/[LU])."),
};

/* Confluent keys accepted for compatibility that do nothing in krest (a trailing '*' matches
 * any rest). They are proxy keys, so they are never passed to librdkafka either. */
const char *const config_ignored_keys[] = {
    "consumer.threads", "consumer.iterator.*", "producer.threads", "simpleconsumer.pool.size.max",
    "simpleconsumer.pool.timeout.ms", "zookeeper.connect", "request.logger.name",
    "rate.limit.backend", "rate.limit.per.cluster.cache.expiry.ms",
    /* HTTPS (http/tls.c): JVM-only, or SIGHUP reloads */
    "ssl.provider", "ssl.keymanager.algorithm", "ssl.trustmanager.algorithm", "ssl.keystore.reload",
    "ssl.keystore.watch.location"};

/* Prefixes whose other keys go to librdkafka or the Schema Registry client. */
const char *const config_passthrough_prefixes[] = {
    "client.", "producer.", "consumer.", "admin.", "schema.registry.",
};

const size_t config_n_keys = sizeof(config_keys) / sizeof(config_keys[0]);
const size_t config_n_ignored_keys = sizeof(config_ignored_keys) / sizeof(config_ignored_keys[0]);
const size_t config_n_passthrough_prefixes =
    sizeof(config_passthrough_prefixes) / sizeof(config_passthrough_prefixes[0]);
