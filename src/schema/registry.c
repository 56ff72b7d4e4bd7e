/* schema/registry.c -- the built-in Schema Registry's state behind a read/write lock, fed by
 * the `_schemas` reader, and the one-writer-at-a-time write loop. See registry.h. */
#include "schema/registry.h"

#include "kafka/txlog.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define WRITE_ATTEMPTS 20

struct sr_registry {
    const krest_config_t *cfg;
    pthread_rwlock_t lock; /* guards st */
    sr_state_t *st;
    pthread_mutex_t write_mu; /* one sync/plan/append sequence at a time */
    kafka_txlog_t *log;
};

static void apply(void *arg, const char *key, size_t key_len, const char *value, size_t value_len,
                  int64_t offset)
{
    sr_registry_t *reg = arg;
    kr_err_t err = {0};
    pthread_rwlock_wrlock(&reg->lock);
    int rc = sr_state_apply(reg->st, key, key_len, value, value_len, &err);
    pthread_rwlock_unlock(&reg->lock);
    if (rc != 0)
        log_warn("schema registry: record at offset %lld skipped: %s", (long long)offset, err.msg);
}

sr_registry_t *sr_registry_start(const krest_config_t *cfg, kr_err_t *err)
{
    sr_registry_t *reg = xcalloc(1, sizeof(*reg));
    reg->cfg = cfg;
    reg->st = sr_state_new();
    pthread_rwlock_init(&reg->lock, NULL);
    pthread_mutex_init(&reg->write_mu, NULL);
    /* One transactional.id per registry topic: every krest writing it fences the others. */
    char txn_id[512];
    snprintf(txn_id, sizeof(txn_id), "krest-schema-registry-%s", cfg->schema_registry_topic);
    char *noop = sr_noop_key();
    reg->log = kafka_txlog_open(cfg, cfg->schema_registry_topic, txn_id, noop, apply, reg, err);
    xfree(noop);
    if (!reg->log) {
        sr_registry_free(reg);
        return NULL;
    }
    return reg;
}

void sr_registry_stop(sr_registry_t *reg)
{
    if (reg)
        kafka_txlog_stop(reg->log);
}

void sr_registry_free(sr_registry_t *reg)
{
    if (!reg)
        return;
    kafka_txlog_close(reg->log);
    sr_state_free(reg->st);
    pthread_rwlock_destroy(&reg->lock);
    pthread_mutex_destroy(&reg->write_mu);
    xfree(reg);
}

int sr_registry_wait_ready(sr_registry_t *reg, kr_err_t *err)
{
    return kafka_txlog_wait_ready(reg->log, reg->cfg->client_init_timeout_ms, err);
}

bool sr_registry_is_ready(sr_registry_t *reg)
{
    return kafka_txlog_is_ready(reg->log);
}

const sr_state_t *sr_registry_read_begin(sr_registry_t *reg)
{
    pthread_rwlock_rdlock(&reg->lock);
    return reg->st;
}

void sr_registry_read_end(sr_registry_t *reg)
{
    pthread_rwlock_unlock(&reg->lock);
}

/* Two writers that fence each other back off for a random while, so one of them wins. */
static void backoff(int attempt)
{
    long ms = 20L * (attempt < 5 ? attempt + 1 : 6) + rand() % 50;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int write_once(sr_registry_t *reg, sr_plan_fn plan, void *arg, kr_err_t *err)
{
    /* Bounded like any Kafka call of a request, so a broker that is down cannot hold a
     * worker (or the shutdown) for long. */
    int64_t timeout = 2 * reg->cfg->client_timeout_ms;
    int rc = kafka_txlog_sync(reg->log, timeout, err);
    if (rc != 0)
        return rc;
    sr_records_t recs = {0};
    pthread_rwlock_rdlock(&reg->lock);
    rc = plan(reg->st, arg, &recs, err);
    pthread_rwlock_unlock(&reg->lock);
    if (rc == 0 && recs.n > 0) {
        const char **keys = xcalloc(recs.n, sizeof(*keys));
        const char **values = xcalloc(recs.n, sizeof(*values));
        for (size_t i = 0; i < recs.n; i++) {
            keys[i] = recs.v[i].key;
            values[i] = recs.v[i].value;
        }
        rc = kafka_txlog_append(reg->log, keys, values, recs.n, timeout, err);
        xfree(keys);
        xfree(values);
    }
    sr_records_free(&recs);
    return rc;
}

int sr_registry_write(sr_registry_t *reg, sr_plan_fn plan, void *arg, kr_err_t *err)
{
    if (sr_registry_wait_ready(reg, err) != 0)
        return -1;
    pthread_mutex_lock(&reg->write_mu);
    int rc = KAFKA_TXLOG_RETRY;
    for (int attempt = 0; rc == KAFKA_TXLOG_RETRY && attempt < WRITE_ATTEMPTS; attempt++) {
        if (attempt > 0)
            backoff(attempt);
        rc = write_once(reg, plan, arg, err);
    }
    pthread_mutex_unlock(&reg->write_mu);
    if (rc == KAFKA_TXLOG_RETRY)
        return kr_err_set(err, SR_ERR_STORE,
                          "Error while writing to the schemas topic: fenced %d times in a row",
                          WRITE_ATTEMPTS);
    return rc;
}
