/* kafka/client.c -- librdkafka handle construction. Threads: start-up only; the log callback
 * runs on librdkafka's threads. */
#include "kafka/client.h"

#include "util/log.h"

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

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)opaque;
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        log_warn("Kafka: no broker of %s can be reached (%s): %s", rd_kafka_name(rk),
                 rd_kafka_err2name(err), reason);
    else
        log_debug("Kafka %s: %s: %s", rd_kafka_name(rk), rd_kafka_err2name(err), reason);
}

/* Pass-through keys were checked once at start-up (kafka_client_check_config), so a key
 * librdkafka rejects is skipped here quietly. */
static void set_or_skip(rd_kafka_conf_t *conf, const char *key, const char *value)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
        log_debug("librdkafka key '%s' skipped: %s", key, errstr);
}

void kafka_client_check_config(const krest_config_t *cfg)
{
    static const char *const prefixes[] = {"client.", "producer.", "consumer.", "admin."};
    for (size_t i = 0; i < cfg->n_passthrough; i++) {
        const char *key = cfg->passthrough[i].key;
        for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
            size_t n = strlen(prefixes[p]);
            if (strncmp(key, prefixes[p], n) != 0)
                continue;
            rd_kafka_conf_t *conf = rd_kafka_conf_new();
            char errstr[512];
            if (rd_kafka_conf_set(conf, key + n, cfg->passthrough[i].value, errstr,
                                  sizeof(errstr)) != RD_KAFKA_CONF_OK)
                log_warn("configuration key '%s' skipped: librdkafka rejects it: %s", key, errstr);
            rd_kafka_conf_destroy(conf);
        }
    }
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
    config_kv_t *kv;
    size_t n = config_kafka_props(cfg, kind, &kv);
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
