/* kafka/client.c -- librdkafka handle construction. Threads: start-up only; the log callback
 * runs on librdkafka's threads. */
#include "kafka/client.h"

#include "kafka/client_java.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    /* syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug */
    kr_log_level_t lvl = level <= 3   ? KR_LOG_ERROR
                         : level == 4 ? KR_LOG_WARN
                         : level <= 6 ? KR_LOG_INFO
                                      : KR_LOG_DEBUG;
    kr_log(lvl, "librdkafka %s %s: %s", rk ? rd_kafka_name(rk) : "-", fac, buf);
}

/* Per-principal handles: librdkafka's errors about a user's credentials are the user's
 * (answered 401/40101), so only warnings about the cluster itself reach krest's log. */
static void quiet_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    if (strstr(buf, "SASL authentication error") || strstr(buf, "Authentication failed"))
        level = 7;
    else if (strstr(buf, "authorization failed")) /* e.g. a user without the right to a PID */
        level = 6;
    log_cb(rk, level, fac, buf);
}

/* The latest authentication failure (SASL or TLS) of the proxy's own handles, so that errors
 * and GET /ready can say why no broker answers: written by error_cb on librdkafka's threads,
 * read by kafka_client_auth_failure() on any thread, under g_auth_mu. */
static pthread_mutex_t g_auth_mu = PTHREAD_MUTEX_INITIALIZER;
static char g_auth_msg[384];
static int64_t g_auth_ms; /* monotonic; 0: none */

int kafka_client_auth_failure(char *buf, size_t size)
{
    pthread_mutex_lock(&g_auth_mu);
    int64_t at = g_auth_ms;
    snprintf(buf, size, "%s", g_auth_msg);
    pthread_mutex_unlock(&g_auth_mu);
    return at && kr_clock_mono_ms() - at < 60000 ? 1 : 0;
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    kafka_client_user_t *user = opaque;
    bool auth = err == RD_KAFKA_RESP_ERR__AUTHENTICATION || err == RD_KAFKA_RESP_ERR__SSL;
    if (user) {
        if (auth && !__atomic_load_n(&user->auth_failed, __ATOMIC_ACQUIRE)) {
            snprintf(user->auth_msg, sizeof(user->auth_msg), "%s", reason);
            __atomic_store_n(&user->auth_failed, 1, __ATOMIC_RELEASE);
        }
        return; /* a user's wrong password is the user's business, not a krest warning */
    }
    if (auth) {
        pthread_mutex_lock(&g_auth_mu);
        snprintf(g_auth_msg, sizeof(g_auth_msg), "%s", reason);
        g_auth_ms = kr_clock_mono_ms();
        pthread_mutex_unlock(&g_auth_mu);
        return; /* librdkafka's log already said it, at error level */
    }
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        log_warn("Kafka: no broker of %s can be reached (%s): %s", rd_kafka_name(rk),
                 rd_kafka_err2name(err), reason);
    else
        log_debug("Kafka %s: %s: %s", rd_kafka_name(rk), rd_kafka_err2name(err), reason);
}

/* librdkafka's reason for refusing key, or a generic one when key holds a secret: librdkafka
 * quotes the refused value in its message. */
static const char *shown_reason(const char *key, const char *errstr)
{
    return config_key_is_secret(key) ? "invalid value (secret, not shown)" : errstr;
}

/* Pass-through keys were checked once at start-up (kafka_client_check_config), so a key
 * librdkafka rejects is skipped here quietly. */
static void set_or_skip(rd_kafka_conf_t *conf, const char *key, const char *value)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
        log_debug("librdkafka key '%s' skipped: %s", key, shown_reason(key, errstr));
}

/* Tries one prefix's keys (translated from the Java client's where needed) on librdkafka. */
static void check_prefix(const krest_config_t *cfg, const char *prefix)
{
    size_t n = strlen(prefix), m = 0;
    config_kv_t *mine = xcalloc(cfg->n_passthrough + 1, sizeof(*mine));
    for (size_t i = 0; i < cfg->n_passthrough; i++) {
        if (strncmp(cfg->passthrough[i].key, prefix, n) != 0)
            continue;
        mine[m].key = xstrdup(cfg->passthrough[i].key + n);
        mine[m++].value = xstrdup(cfg->passthrough[i].value);
    }
    config_kv_t *kv;
    size_t k = kafka_java_translate(mine, m, prefix, true, &kv);
    for (size_t i = 0; i < k; i++) {
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        char errstr[512];
        if (rd_kafka_conf_set(conf, kv[i].key, kv[i].value, errstr, sizeof(errstr)) !=
            RD_KAFKA_CONF_OK)
            log_warn("configuration key '%s%s' skipped: librdkafka rejects it: %s", prefix,
                     kv[i].key, shown_reason(kv[i].key, errstr));
        rd_kafka_conf_destroy(conf);
    }
    config_kv_free(kv, k);
    config_kv_free(mine, m);
}

void kafka_client_check_config(const krest_config_t *cfg)
{
    static const char *const prefixes[] = {"client.", "producer.", "consumer.", "admin."};
    for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++)
        check_prefix(cfg, prefixes[p]);
}

rd_kafka_conf_t *kafka_client_conf(const krest_config_t *cfg, const char *kind,
                                   const char *const *defaults)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char client_id[64];
    snprintf(client_id, sizeof(client_id), "krest-%s", kind);
    set_or_skip(conf, "client.id", client_id);
    set_or_skip(conf, "bootstrap.servers", cfg->bootstrap_servers);
    set_or_skip(conf, "allow.auto.create.topics", "false");
    set_or_skip(conf, "socket.connection.setup.timeout.ms", "10000");
    for (; defaults && defaults[0]; defaults += 2)
        set_or_skip(conf, defaults[0], defaults[1]);
    config_kv_t *raw, *kv;
    size_t n_raw = config_kafka_props(cfg, kind, &raw);
    size_t n = kafka_java_translate(raw, n_raw, kind, false, &kv);
    config_kv_free(raw, n_raw);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(kv[i].key, "allow.auto.create.topics") == 0) {
            log_warn("configuration key '%s.%s' ignored: no krest handle creates topics implicitly "
                     "(see krest.topic.auto.create)",
                     kind, kv[i].key);
            continue;
        }
        set_or_skip(conf, kv[i].key, kv[i].value);
    }
    config_kv_free(kv, n);
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    return conf;
}

void kafka_client_set_credentials(rd_kafka_conf_t *conf, const char *name, const char *password)
{
    set_or_skip(conf, "sasl.username", name);
    set_or_skip(conf, "sasl.password", password);
    rd_kafka_conf_set_log_cb(conf, quiet_log_cb);
}

void kafka_client_as_user(rd_kafka_conf_t *conf, kafka_client_user_t *user)
{
    kafka_client_set_credentials(conf, user->name, user->password);
    rd_kafka_conf_set_opaque(conf, user);
}

rd_kafka_t *kafka_client_new_admin(const krest_config_t *cfg, kr_err_t *err)
{
    rd_kafka_conf_t *conf = kafka_client_conf(cfg, "admin", NULL);
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        kr_err_set(err, KR_ERR_INTERNAL, "cannot create the Kafka admin client: %s", errstr);
        return NULL;
    }
    return rk;
}
