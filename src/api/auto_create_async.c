/* api/auto_create_async.c -- api_auto_create_async(): the auto-creation rule of
 * api/auto_create.h for code that has no request to suspend (the v3 records stream, whose
 * head is written already): the same steps, each continued by a callback.
 * Threads: the caller's; on_read() and on_created() on the kafka loop; wait_run() and the
 * done callback (after a creation) on a worker. */
#include "api/auto_create.h"

#include "api/names.h"
#include "kafka/admin.h"
#include "kafka/producer.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/workq.h"

#include <string.h>

typedef struct auto_async {
    const api_ctx_t *ctx;
    char *topic; /* owned */
    int32_t broker_id;
    api_auto_create_done_fn done;
    void *arg;
    kr_err_t err;
} auto_async_t;

static void finish(auto_async_t *j, bool created)
{
    api_auto_create_done_fn done = j->done;
    void *arg = j->arg;
    kr_err_t e = j->err;
    xfree(j->topic);
    xfree(j);
    done(arg, created, e.code ? &e : NULL);
}

static void wait_run(void *arg)
{
    auto_async_t *j = arg;
    kafka_producer_wait_topic(j->ctx->producer, j->topic, j->ctx->cfg->client_timeout_ms, &j->err);
    finish(j, j->err.code == 0);
}

static void on_created(void *arg, void *result, const kr_err_t *err)
{
    auto_async_t *j = arg;
    kafka_admin_items_t *r = result;
    if (err)
        j->err = *err;
    else if (r->n == 1 && r->items[0].err.code && !r->items[0].already_exists)
        j->err = r->items[0].err;
    else if (r->n == 1 && !r->items[0].err.code)
        log_info("topic %s created: a produce found it missing (krest.topic.auto.create)",
                 j->topic);
    kafka_admin_items_free(r);
    if (j->err.code)
        finish(j, false);
    else if (kr_workq_submit(j->ctx->workq, wait_run, j) != 0) {
        kr_err_set(&j->err, KR_ERR_TOO_MANY_REQUESTS, "krest's worker queue is full; retry");
        finish(j, false);
    }
}

static void create(auto_async_t *j)
{
    kafka_admin_new_topic_t t = {.name = j->topic, .partitions = -1, .replication_factor = -1};
    if (kafka_admin_create_topics(j->ctx->kadmin, &t, 1, false, j->ctx->cfg->client_timeout_ms,
                                  on_created, j, &j->err) != 0)
        finish(j, false);
}

static void on_read(void *arg, void *result, const kr_err_t *err)
{
    auto_async_t *j = arg;
    (void)result; /* NULL: the value is in the admin layer's cache */
    if (err) {
        j->err = *err;
        finish(j, false);
    } else if (kafka_admin_auto_create_peek(j->ctx->kadmin, INT64_MAX) == 1) {
        create(j);
    } else {
        finish(j, false);
    }
}

void api_auto_create_async(const api_ctx_t *ctx, const char *topic, const kafka_md_t *md,
                           api_auto_create_done_fn done, void *arg)
{
    auto_async_t *j = xcalloc(1, sizeof(*j));
    j->ctx = ctx;
    j->topic = xstrdup(topic);
    j->broker_id = md->controller_id >= 0 ? md->controller_id
                   : md->n_brokers > 0    ? md->brokers[0]
                                          : -1;
    j->done = done;
    j->arg = arg;
    int mode = ctx->cfg->topic_auto_create;
    if (mode == CONFIG_AUTO_CREATE_FALSE || !api_topic_name_valid(topic, strlen(topic))) {
        finish(j, false);
        return;
    }
    int allowed = mode == CONFIG_AUTO_CREATE_TRUE
                      ? 1
                      : kafka_admin_auto_create_peek(ctx->kadmin, API_AUTO_CREATE_CACHE_MS);
    if (allowed >= 0) {
        if (allowed)
            create(j);
        else
            finish(j, false);
        return;
    }
    if (j->broker_id < 0) {
        kr_err_set(&j->err, KR_ERR_BROKER_NOT_AVAILABLE,
                   "Kafka brokers are not available: no broker to read %s from",
                   "auto.create.topics.enable");
        finish(j, false);
        return;
    }
    if (kafka_admin_auto_create_read(ctx->kadmin, j->broker_id, ctx->cfg->client_timeout_ms,
                                     on_read, j, &j->err) != 0)
        finish(j, false);
}
