/* tests/unit/config/test_config.c -- config/: defaults, the Java properties parser, the
 * environment mapping, precedence of sources, validation, listeners, pass-through keys and
 * hostile inputs (the properties parser itself: test_properties.c). Threads: single. */
#include "config/config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/log.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *empty_env[] = {NULL};

/* Loads with argv = {"krest", args...} (args NULL-terminated). */
static int load(const char *const *args, char **envp, krest_config_t **cfg, kr_err_t *err)
{
    char *argv[64] = {"krest"};
    int argc = 1;
    for (size_t i = 0; args && args[i]; i++)
        argv[argc++] = (char *)args[i];
    kr_err_clear(err);
    return config_load(argc, argv, envp ? envp : empty_env, cfg, err);
}

/* Writes len bytes to a new temporary file; returns its path (owned, free with xfree). */
static char *write_temp(const char *data, size_t len)
{
    char *path = xstrdup("/tmp/krest_test_config_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        assert_true(n > 0);
        off += (size_t)n;
    }
    close(fd);
    return path;
}

static void drop_temp(char *path)
{
    unlink(path);
    xfree(path);
}

/* Loads a properties file holding text, plus extra flags. */
static int load_file(const char *text, const char *flag, char **envp, krest_config_t **cfg,
                     kr_err_t *err)
{
    char *path = write_temp(text, strlen(text));
    const char *args[] = {path, flag, NULL};
    int rc = load(args, envp, cfg, err);
    drop_temp(path);
    return rc;
}

static const char *pt_get(const krest_config_t *cfg, const char *key)
{
    for (size_t i = 0; i < cfg->n_passthrough; i++) {
        if (strcmp(cfg->passthrough[i].key, key) == 0)
            return cfg->passthrough[i].value;
    }
    return NULL;
}

/* ---- config_load ---- */

static void test_defaults(void **state)
{
    (void)state;
    krest_config_t *cfg = NULL;
    kr_err_t err;
    assert_int_equal(load(NULL, NULL, &cfg, &err), 0);
    assert_non_null(cfg);
    assert_int_equal(cfg->n_listeners, 1);
    assert_string_equal(cfg->listeners[0].scheme, "http");
    assert_string_equal(cfg->listeners[0].host, "0.0.0.0");
    assert_int_equal(cfg->listeners[0].port, 8082);
    assert_int_equal(cfg->n_advertised_listeners, 0);
    assert_int_equal(cfg->port, 8082);
    assert_string_equal(cfg->host_name, "");
    assert_string_equal(cfg->id, "");
    assert_int_equal(cfg->max_request_header_size, 8192);
    assert_int_equal(cfg->idle_timeout_ms, 30000);
    assert_int_equal(cfg->server_connection_limit, 0);
    assert_int_equal(cfg->shutdown_graceful_ms, 30000);
    assert_int_equal(cfg->compression_enable, 1);
    assert_int_equal(cfg->debug, 0);
    assert_string_equal(cfg->bootstrap_servers, "localhost:9092");
    assert_int_equal(cfg->client_timeout_ms, 5000);
    assert_int_equal(cfg->client_init_timeout_ms, 60000);
    assert_int_equal(cfg->consumer_request_timeout_ms, 1000);
    assert_int_equal(cfg->consumer_request_max_bytes, 67108864);
    assert_int_equal(cfg->consumer_instance_timeout_ms, 300000);
    assert_int_equal(cfg->fetch_min_bytes, -1);
    assert_string_equal(cfg->schema_registry_url, "");
    assert_int_equal(cfg->max_request_size, 67108864);
    assert_int_equal(cfg->consumer_buffer_bytes, 8388608);
    assert_int_equal(cfg->consumer_first_read_timeout_ms, 5000);
    assert_string_equal(cfg->schema_registry_listeners, "http://0.0.0.0:8081");
    assert_string_equal(cfg->schema_registry_topic, "_schemas");
    assert_int_equal(cfg->http_threads, 0);
    assert_int_equal(cfg->worker_threads, 4);
    assert_int_equal(cfg->worker_queue_size, 1024);
    assert_int_equal(cfg->metadata_max_age_ms, 1000);
    assert_int_equal(cfg->log_level, KR_LOG_INFO);
    assert_int_equal(cfg->access_log, 1);
    assert_int_equal(cfg->n_passthrough, 0);
    config_free(cfg);
    config_free(NULL);
}

static void test_file(void **state)
{
    (void)state;
    krest_config_t *cfg = NULL;
    kr_err_t err;
    const char *text = "# krest\r\n"
                       "bootstrap.servers = PLAINTEXT://k1:9092 ,  k2:9092,\\\r\n"
                       "     k3:9092\r\n"
                       "id: krest-1\r\n"
                       "idle.timeout.ms 45000\r\n"
                       "compression.enable=FALSE\r\n"
                       "krest.log.level=Debug\r\n"
                       "host.name=proxy\\u002eexample\r\n"
                       "krest.schema.registry.listeners=\r\n"
                       "debug = true   \r\n"
                       "port=9000\r\n";
    assert_int_equal(load_file(text, NULL, NULL, &cfg, &err), 0);
    assert_string_equal(cfg->bootstrap_servers, "PLAINTEXT://k1:9092,k2:9092,k3:9092");
    assert_string_equal(cfg->id, "krest-1");
    assert_int_equal(cfg->idle_timeout_ms, 45000);
    assert_int_equal(cfg->compression_enable, 0);
    assert_int_equal(cfg->log_level, KR_LOG_DEBUG);
    assert_string_equal(cfg->host_name, "proxy.example");
    assert_string_equal(cfg->schema_registry_listeners, "");
    assert_int_equal(cfg->debug, 1);
    assert_int_equal(cfg->n_listeners, 1);
    assert_int_equal(cfg->listeners[0].port, 9000);
    config_free(cfg);
}

static void test_env_mapping(void **state)
{
    (void)state;
    char *envp[] = {
        "KREST_ID=from-krest",
        "KAFKA_REST_BOOTSTRAP_SERVERS=b1:9092",
        "KREST_KREST_MAX_REQUEST_SIZE=2048",
        "KAFKA_REST_PRODUCER_LINGER_MS=5",
        "KAFKA_REST_CONSUMER_A___B__C_D=x",
        "KAFKA_REST_ID=from-kafka-rest",
        "KAFKA_REST_HEAP_OPTS=-Xmx1g",
        "KAFKA_REST_LOG4J_OPTS=-Dlog4j.configuration=file:/x",
        "KAFKA_REST_=empty",
        "KREST_=empty",
        "KAFKA_RESTLESS=1",
        "KREST_NO_EQUALS",
        "PATH=/usr/bin",
        "krest_id=lower",
        NULL,
    };
    krest_config_t *cfg = NULL;
    kr_err_t err;
    assert_int_equal(load(NULL, envp, &cfg, &err), 0);
    assert_string_equal(cfg->id, "from-krest");
    assert_string_equal(cfg->bootstrap_servers, "b1:9092");
    assert_int_equal(cfg->max_request_size, 2048);
    assert_int_equal(cfg->n_passthrough, 2);
    assert_string_equal(pt_get(cfg, "producer.linger.ms"), "5");
    assert_string_equal(pt_get(cfg, "consumer.a-b_c.d"), "x");
    config_free(cfg);
}

/* Runs fn with stderr redirected to a temporary file; returns what was written (owned). */
static char *capture_stderr(void (*fn)(void *), void *arg)
{
    char *path = write_temp("", 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *f = fopen(path, "r");
    assert_non_null(freopen(path, "w", stderr));
    fn(arg);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char *out = xcalloc(1, 4096);
    size_t n = fread(out, 1, 4095, f);
    out[n] = '\0';
    fclose(f);
    drop_temp(path);
    return out;
}

static void load_noisy(void *arg)
{
    krest_config_t *cfg = NULL;
    kr_err_t err;
    const char **args = arg;
    char *envp[] = {"KAFKA_REST_HEAP_OPTS=-Xmx1g", "KAFKA_REST_LOG4J_OPTS=-Dx",
                    "KREST_SOMETHING_ELSE=1", NULL};
    assert_int_equal(load(args, envp, &cfg, &err), 0);
    config_free(cfg);
}

static void test_unknown_keys_logging(void **state)
{
    (void)state;
    kr_log_level_t level = kr_log_get_level();
    kr_log_set_level(KR_LOG_WARN);
    char *out = capture_stderr(load_noisy, NULL);
    assert_string_equal(out, ""); /* unknown environment keys are not even warnings */
    xfree(out);
    const char *args[] = {"--no.such.key=1", "--consumer.threads=3", NULL};
    out = capture_stderr(load_noisy, args);
    assert_non_null(strstr(out, "unknown configuration key 'no.such.key' ignored"));
    assert_null(strstr(out, "consumer.threads"));
    assert_null(strstr(out, "heap"));
    xfree(out);
    kr_log_set_level(level);
}

static void test_precedence(void **state)
{
    (void)state;
    char *envp[] = {"KAFKA_REST_IDLE_TIMEOUT_MS=3000", "KAFKA_REST_HOST_NAME=env-host",
                    "KREST_PRODUCER_ACKS=1", NULL};
    const char *text = "idle.timeout.ms=2000\nid=file-id\nhost.name=file-host\n"
                       "producer.acks=0\nport=abc\n";
    krest_config_t *cfg = NULL;
    kr_err_t err;
    /* port=abc in the file is overridden by the flag, so it is no error */
    char *path = write_temp(text, strlen(text));
    const char *args[] = {"--idle.timeout.ms=4000", path, "--port=8090", NULL};
    assert_int_equal(load(args, envp, &cfg, &err), 0);
    assert_int_equal(cfg->idle_timeout_ms, 4000);
    assert_string_equal(cfg->id, "file-id");
    assert_string_equal(cfg->host_name, "env-host");
    assert_string_equal(pt_get(cfg, "producer.acks"), "1");
    assert_int_equal(cfg->port, 8090);
    config_free(cfg);

    const char *args2[] = {path, NULL};
    assert_int_equal(load(args2, envp, &cfg, &err), -1);
    assert_non_null(strstr(err.msg, "'port'"));
    drop_temp(path);
}

typedef struct bad_case {
    const char *flag;
    const char *key;
    const char *value;
} bad_case_t;

static void test_invalid_values(void **state)
{
    (void)state;
    static const bad_case_t cases[] = {
        {"--idle.timeout.ms=abc", "idle.timeout.ms", "abc"},
        {"--idle.timeout.ms=", "idle.timeout.ms", ""},
        {"--idle.timeout.ms=999", "idle.timeout.ms", "999"},
        {"--idle.timeout.ms=1e4", "idle.timeout.ms", "1e4"},
        {"--idle.timeout.ms=0x10", "idle.timeout.ms", "0x10"},
        {"--idle.timeout.ms=12 34", "idle.timeout.ms", "12 34"},
        {"--port=0", "port", "0"},
        {"--port=65536", "port", "65536"},
        {"--port=80x", "port", "80x"},
        {"--port=-", "port", "-"},
        {"--max.request.header.size=1023", "max.request.header.size", "1023"},
        {"--fetch.min.bytes=-2", "fetch.min.bytes", "-2"},
        {"--fetch.min.bytes=10000001", "fetch.min.bytes", "10000001"},
        {"--krest.http.threads=1025", "krest.http.threads", "1025"},
        {"--krest.http.threads=-1", "krest.http.threads", "-1"},
        {"--krest.worker.threads=0", "krest.worker.threads", "0"},
        {"--krest.worker.threads=257", "krest.worker.threads", "257"},
        {"--krest.worker.queue.size=0", "krest.worker.queue.size", "0"},
        {"--krest.max.request.size=1000", "krest.max.request.size", "1000"},
        {"--client.timeout.ms=-1", "client.timeout.ms", "-1"},
        {"--shutdown.graceful.ms=-5", "shutdown.graceful.ms", "-5"},
        {"--consumer.request.max.bytes=9223372036854775808", "consumer.request.max.bytes",
         "9223372036854775808"},
        {"--consumer.request.max.bytes=99999999999999999999999", "consumer.request.max.bytes",
         "99999999999999999999999"},
        {"--compression.enable=yes", "compression.enable", "yes"},
        {"--debug=1", "debug", "1"},
        {"--krest.access.log=", "krest.access.log", ""},
        {"--krest.log.level=loud", "krest.log.level", "loud"},
        {"--bootstrap.servers= , ,", "bootstrap.servers", ", ,"},
        {"--krest.schema.registry.topic=", "krest.schema.registry.topic", ""},
        {"--listeners=ftp://x:1", "listeners", "ftp://x:1"},
        {"--advertised.listeners=http://a:1,http://b", "advertised.listeners", "http://b"},
        {"--krest.schema.registry.listeners=http://x", "krest.schema.registry.listeners",
         "http://x"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        krest_config_t *cfg = NULL;
        kr_err_t err;
        const char *args[] = {cases[i].flag, NULL};
        char want_key[128];
        char want_value[128];
        snprintf(want_key, sizeof(want_key), "configuration key '%s'", cases[i].key);
        snprintf(want_value, sizeof(want_value), "invalid value '%s'", cases[i].value);
        if (load(args, NULL, &cfg, &err) != -1)
            fail_msg("%s was accepted", cases[i].flag);
        assert_null(cfg);
        assert_int_equal(err.code, KR_ERR_UNPROCESSABLE);
        if (!strstr(err.msg, want_key) || !strstr(err.msg, want_value))
            fail_msg("%s: message '%s'", cases[i].flag, err.msg);
    }
}

static void test_error_message_format(void **state)
{
    (void)state;
    krest_config_t *cfg = NULL;
    kr_err_t err;
    const char *args[] = {"--idle.timeout.ms=abc", NULL};
    assert_int_equal(load(args, NULL, &cfg, &err), -1);
    assert_string_equal(err.msg, "invalid value 'abc' for configuration key 'idle.timeout.ms': "
                                 "expected an integer");
    const char *args2[] = {"--port=70000", NULL};
    assert_int_equal(load(args2, NULL, &cfg, &err), -1);
    assert_string_equal(err.msg, "invalid value '70000' for configuration key 'port': "
                                 "expected an integer from 1 to 65535");
}

static void test_valid_edges(void **state)
{
    (void)state;
    krest_config_t *cfg = NULL;
    kr_err_t err;
    const char *args[] = {"--fetch.min.bytes=10000000",
                          "--krest.http.threads=1024",
                          "--krest.worker.threads=256",
                          "--port=65535",
                          "--idle.timeout.ms= +1000 ",
                          "--compression.enable=True",
                          "--krest.log.level=WARN",
                          "--client.timeout.ms=0",
                          "--consumer.request.max.bytes=9223372036854775807",
                          NULL};
    assert_int_equal(load(args, NULL, &cfg, &err), 0);
    assert_int_equal(cfg->fetch_min_bytes, 10000000);
    assert_int_equal(cfg->http_threads, 1024);
    assert_int_equal(cfg->worker_threads, 256);
    assert_int_equal(cfg->port, 65535);
    assert_int_equal(cfg->listeners[0].port, 65535);
    assert_int_equal(cfg->idle_timeout_ms, 1000);
    assert_int_equal(cfg->compression_enable, 1);
    assert_int_equal(cfg->log_level, KR_LOG_WARN);
    assert_int_equal(cfg->client_timeout_ms, 0);
    assert_true(cfg->consumer_request_max_bytes == INT64_MAX);
    config_free(cfg);
}

static void test_listeners(void **state)
{
    (void)state;
    krest_config_t *cfg = NULL;
    kr_err_t err;
    const char *args[] = {"--listeners= http://a.example:1, HTTPS://[::1]:8443 ,,http://:8082/",
                          "--advertised.listeners=https://proxy.example.com:443", "--port=1234",
                          NULL};
    assert_int_equal(load(args, NULL, &cfg, &err), 0);
    assert_int_equal(cfg->n_listeners, 3);
    assert_string_equal(cfg->listeners[0].scheme, "http");
    assert_string_equal(cfg->listeners[0].host, "a.example");
    assert_int_equal(cfg->listeners[0].port, 1);
    assert_string_equal(cfg->listeners[1].scheme, "https");
    assert_string_equal(cfg->listeners[1].host, "::1");
    assert_int_equal(cfg->listeners[1].port, 8443);
    assert_string_equal(cfg->listeners[2].host, "0.0.0.0");
    assert_int_equal(cfg->listeners[2].port, 8082);
    assert_int_equal(cfg->n_advertised_listeners, 1);
    assert_string_equal(cfg->advertised_listeners[0].host, "proxy.example.com");
    config_free(cfg);

    const char *args2[] = {"--listeners= , ", NULL};
    assert_int_equal(load(args2, NULL, &cfg, &err), 0);
    assert_int_equal(cfg->n_listeners, 1);
    assert_int_equal(cfg->listeners[0].port, 8082);
    config_free(cfg);
}

static void test_parse_listener(void **state)
{
    (void)state;
    config_listener_t l = {.host = NULL};
    kr_err_t err;
    assert_int_equal(config_parse_listener("http://0.0.0.0:8082", &l, &err), 0);
    assert_string_equal(l.host, "0.0.0.0");
    config_listener_deinit(&l);
    assert_int_equal(config_parse_listener("hTTp://[fe80::1%eth0]:80", &l, &err), 0);
    assert_string_equal(l.scheme, "http");
    assert_string_equal(l.host, "fe80::1%eth0");
    assert_int_equal(l.port, 80);
    config_listener_deinit(&l);
    assert_int_equal(config_parse_listener("https://my_host-1.local:08443", &l, &err), 0);
    assert_int_equal(l.port, 8443);
    config_listener_deinit(&l);

    const char *bad[] = {
        "",
        "localhost:8082",
        "ftp://h:1",
        "httpx://h:1",
        "PLAINTEXT://h:1",
        "http://h",
        "http://h:",
        "http://:",
        "http://",
        "http://h:0",
        "http://h:65536",
        "http://h:99999999999999999999",
        "http://h:-1",
        "http://h:8a",
        "http://h:80/path",
        "http://::1:8082",
        "http://[::1]8082",
        "http://[::1]",
        "http://[::1:80",
        "http://[]:80",
        "http://[::g]:80",
        "http://user@h:80",
        "http://h h:80",
        "http://h:80 ",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        kr_err_clear(&err);
        if (config_parse_listener(bad[i], &l, &err) != -1)
            fail_msg("listener '%s' was accepted", bad[i]);
        assert_int_equal(err.code, KR_ERR_UNPROCESSABLE);
        char want[128];
        snprintf(want, sizeof(want), "invalid listener '%s'", bad[i]);
        if (!strstr(err.msg, want))
            fail_msg("'%s': message '%s'", bad[i], err.msg);
    }
    assert_int_equal(config_parse_listener("http://::1:8082", &l, &err), -1);
    assert_non_null(strstr(err.msg, "brackets"));
    assert_int_equal(config_parse_listener("http://h", &l, &err), -1);
    assert_non_null(strstr(err.msg, "missing port"));
}

/* config_kafka_props() over the pass-through keys set by test_passthrough(). */
static void check_kafka_props(const krest_config_t *cfg)
{
    config_kv_t *kv = NULL;
    size_t n = config_kafka_props(cfg, "producer", &kv);
    static const char *const want_p[][2] = {
        {"security.protocol", "SSL"}, {"acks", "all"}, {"linger.ms", "7"}};
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(kv[i].key, want_p[i][0]);
        assert_string_equal(kv[i].value, want_p[i][1]);
    }
    config_kv_free(kv, n);

    n = config_kafka_props(cfg, "consumer", &kv);
    assert_int_equal(n, 4);
    assert_string_equal(kv[0].key, "security.protocol");
    assert_string_equal(kv[1].key, "acks");
    assert_string_equal(kv[2].key, "linger.ms");
    assert_string_equal(kv[3].key, "auto.offset.reset");
    config_kv_free(kv, n);

    n = config_kafka_props(cfg, "admin", &kv);
    assert_int_equal(n, 4);
    assert_string_equal(kv[3].key, "request.timeout.ms");
    assert_string_equal(kv[3].value, "7");
    config_kv_free(kv, n);

    assert_int_equal(config_kafka_props(cfg, "schema.registry", &kv), 0);
    assert_null(kv);
    assert_int_equal(config_kafka_props(cfg, "client", &kv), 0);
    assert_int_equal(config_kafka_props(cfg, "bogus", &kv), 0);
    config_kv_free(NULL, 0);
}

static void test_passthrough(void **state)
{
    (void)state;
    const char *text = "client.security.protocol=SSL\nproducer.linger.ms=5\nclient.acks=1\n"
                       "consumer.auto.offset.reset=earliest\nproducer.acks=all\n";
    const char *flags[] = {
        "--consumer.request.timeout.ms=2000",
        "--consumer.request.max.bytes=1000",
        "--consumer.instance.timeout.ms=9000",
        "--consumer.threads=3",
        "--consumer.iterator.backoff.ms=1",
        "--consumer.iterator.timeout.ms=2",
        "--producer.threads=1",
        "--client.timeout.ms=100",
        "--client.init.timeout.ms=200",
        "--schema.registry.url=http://sr:8081",
        "--schema.registry.basic.auth.user.info= u:p ",
        "--admin.request.timeout.ms=7",
        "--client.linger.ms=1",
        "--producer.linger.ms=7",
        "--producer.=x",
        "--zookeeper.connect=zk:2181",
        NULL,
    };
    char *path = write_temp(text, strlen(text));
    const char *args[32] = {path};
    for (size_t i = 0; flags[i]; i++)
        args[i + 1] = flags[i];
    krest_config_t *cfg = NULL;
    kr_err_t err;
    assert_int_equal(load(args, NULL, &cfg, &err), 0);
    drop_temp(path);
    assert_int_equal(cfg->consumer_request_timeout_ms, 2000);
    assert_int_equal(cfg->client_timeout_ms, 100);
    assert_string_equal(cfg->schema_registry_url, "http://sr:8081");

    /* in the order first set, the later value in place, proxy keys left out */
    static const char *const want[][2] = {
        {"client.security.protocol", "SSL"},
        {"producer.linger.ms", "7"},
        {"client.acks", "1"},
        {"consumer.auto.offset.reset", "earliest"},
        {"producer.acks", "all"},
        {"schema.registry.basic.auth.user.info", "u:p"},
        {"admin.request.timeout.ms", "7"},
        {"client.linger.ms", "1"},
    };
    assert_int_equal(cfg->n_passthrough, 8);
    for (size_t i = 0; i < 8; i++) {
        assert_string_equal(cfg->passthrough[i].key, want[i][0]);
        assert_string_equal(cfg->passthrough[i].value, want[i][1]);
    }

    check_kafka_props(cfg);
    config_free(cfg);
}

static void test_info_flags(void **state)
{
    (void)state;
    krest_config_t *cfg = (krest_config_t *)&cfg;
    kr_err_t err;
    const char *help[] = {"--port=bad", "--help", NULL};
    assert_int_equal(load(help, NULL, &cfg, &err), 1);
    assert_null(cfg);
    const char *version[] = {"--version", NULL};
    assert_int_equal(load(version, NULL, &cfg, &err), 1);
    assert_null(cfg);
}

static void test_print_help(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    config_print_help(f);
    fclose(f);
    static const char *const want[] = {
        "  idle.timeout.ms = 30000\n      Close connections idle this long",
        "  port = 8082\n",
        "  host.name = \"\"\n",
        "  krest.log.level = info\n",
        "  bootstrap.servers = localhost:9092\n",
        "  fetch.min.bytes = -1\n",
        "HTTP server:",
        "Kafka:",
        "Consumers:",
        "Schema Registry:",
        "krest:",
        "KAFKA_REST_",
        "KREST_",
        "producer.*",
        "schema.registry.*",
        "consumer.iterator.*",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (!strstr(text, want[i]))
            fail_msg("help lacks '%s'", want[i]);
    }
    xfree(text); /* from open_memstream: plain malloc */
}

static void test_bad_args(void **state)
{
    (void)state;
    struct {
        const char *args[4];
        const char *want;
    } cases[] = {
        {{"a.properties", "b.properties", NULL}, "unexpected argument 'b.properties'"},
        {{"--port", "8082", NULL}, "'--port' must be written --key=value"},
        {{"--port", NULL}, "--key value is not supported"},
        {{"-p", NULL}, "unknown option '-p'"},
        {{"--=x", NULL}, "empty key"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        krest_config_t *cfg = NULL;
        kr_err_t err;
        assert_int_equal(load(cases[i].args, NULL, &cfg, &err), -1);
        assert_int_equal(err.code, KR_ERR_UNPROCESSABLE);
        if (!strstr(err.msg, cases[i].want))
            fail_msg("case %zu: message '%s'", i, err.msg);
    }
}

static void test_missing_file(void **state)
{
    (void)state;
    krest_config_t *cfg = NULL;
    kr_err_t err;
    const char *args[] = {"/nonexistent/krest.properties", NULL};
    assert_int_equal(load(args, NULL, &cfg, &err), -1);
    assert_int_equal(err.code, KR_ERR_UNPROCESSABLE);
    assert_non_null(strstr(err.msg, "'/nonexistent/krest.properties'"));
    const char *dir[] = {"/tmp", NULL};
    assert_int_equal(load(dir, NULL, &cfg, &err), -1);
    assert_non_null(strstr(err.msg, "'/tmp'"));

    const char nul[] = "a=1\n\0\n";
    char *path = write_temp(nul, sizeof(nul) - 1);
    const char *args2[] = {path, NULL};
    assert_int_equal(load(args2, NULL, &cfg, &err), -1);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "line 2"));
    drop_temp(path);

    assert_int_equal(load_file("a=\\uZZZZ\n", NULL, NULL, &cfg, &err), -1);
    assert_non_null(strstr(err.msg, "malformed"));
}

static void test_hostile(void **state)
{
    (void)state;
    krest_config_t *cfg = NULL;
    kr_err_t err;
    kr_log_level_t level = kr_log_get_level();
    kr_log_set_level(KR_LOG_ERROR);

    /* a 100 KB unknown key, lines of only '=', and a 1 MB pass-through value */
    size_t big = 1024 * 1024;
    char *text = xmalloc(big + 200 * 1024);
    size_t n = 0;
    memset(text + n, 'k', 100 * 1024);
    n += 100 * 1024;
    static const char mid[] = "=1\n=\n==\n:\n=:=\nproducer.big=";
    memcpy(text + n, mid, sizeof(mid) - 1);
    n += sizeof(mid) - 1;
    memset(text + n, 'v', big);
    n += big;
    memcpy(text + n, "\nid=ok\n", 7);
    n += 7;
    text[n] = '\0';
    assert_int_equal(load_file(text, NULL, NULL, &cfg, &err), 0);
    assert_string_equal(cfg->id, "ok");
    assert_int_equal(strlen(pt_get(cfg, "producer.big")), big);
    config_free(cfg);

    /* a 1 MB value for an integer key: the message stays short and names the key */
    memcpy(text, "idle.timeout.ms=", 16);
    memset(text + 16, '9', big);
    text[16 + big] = '\0';
    assert_int_equal(load_file(text, NULL, NULL, &cfg, &err), -1);
    assert_non_null(strstr(err.msg, "'idle.timeout.ms'"));
    assert_non_null(strstr(err.msg, "..."));

    /* NUL-free binary junk: accepted or rejected, never a crash or a leak */
    srand(42);
    for (int round = 0; round < 20; round++) {
        size_t len = 64 * 1024;
        for (size_t i = 0; i < len; i++)
            text[i] = (char)(1 + rand() % 255);
        text[len] = '\0';
        int rc = load_file(text, NULL, NULL, &cfg, &err);
        if (rc == 0)
            config_free(cfg);
        else
            assert_int_equal(err.code, KR_ERR_UNPROCESSABLE);
    }
    xfree(text);
    kr_log_set_level(level);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_env_mapping),
        cmocka_unit_test(test_unknown_keys_logging),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_invalid_values),
        cmocka_unit_test(test_error_message_format),
        cmocka_unit_test(test_valid_edges),
        cmocka_unit_test(test_listeners),
        cmocka_unit_test(test_parse_listener),
        cmocka_unit_test(test_passthrough),
        cmocka_unit_test(test_info_flags),
        cmocka_unit_test(test_print_help),
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
