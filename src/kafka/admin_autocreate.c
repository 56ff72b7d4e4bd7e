/* kafka/admin_autocreate.c -- the cluster's auto.create.topics.enable, read from one broker's
 * configs with the admin layer's DescribeConfigs and cached in the admin object (admin.c), so
 * that deciding whether a produce may create its topic costs one request per cache period.
 * May use: util/, librdkafka. Threads: the call from any thread; the result on the kafka loop. */
#include "kafka/admin_int.h"

#include "util/mem.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define AUTO_CREATE_KEY "auto.create.topics.enable"

typedef struct auto_create_read {
    kafka_admin_t *a;
    kafka_admin_cb cb;
    void *arg;
} auto_create_read_t;

/* Finds the key in the broker's configs. @return 1 or 0, or -1 with err set. */
static int find_value(const kafka_admin_configs_t *c, kr_err_t *err)
{
    if (c->n != 1 || c->resources[0].err.code != KR_ERR_NONE) {
        if (c->n == 1)
            *err = c->resources[0].err;
        else
            kr_err_set(err, KR_ERR_KAFKA, "describe configs: %zu results for one broker", c->n);
        return -1;
    }
    const kafka_admin_config_res_t *r = &c->resources[0];
    for (size_t i = 0; i < r->n_configs; i++) {
        const kafka_admin_config_t *e = &r->configs[i];
        if (strcmp(e->name, AUTO_CREATE_KEY) == 0 && e->value)
            return strcasecmp(e->value, "true") == 0;
    }
    return kr_err_set(err, KR_ERR_KAFKA, "broker %s describes no %s", r->name, AUTO_CREATE_KEY);
}

static void on_configs(void *arg, void *result, const kr_err_t *err)
{
    auto_create_read_t *rd = arg;
    kr_err_t e = {0};
    int v = -1;
    if (err)
        e = *err;
    else
        v = find_value(result, &e);
    if (v >= 0)
        admin_auto_create_store(rd->a, v == 1);
    kafka_admin_configs_free(result);
    rd->cb(rd->arg, NULL, e.code != KR_ERR_NONE ? &e : NULL);
    xfree(rd);
}

int kafka_admin_auto_create_read(kafka_admin_t *a, int32_t broker_id, int64_t timeout_ms,
                                 kafka_admin_cb cb, void *arg, kr_err_t *err)
{
    char id[16];
    snprintf(id, sizeof(id), "%d", (int)broker_id);
    kafka_admin_resource_t res = {KAFKA_ADMIN_RES_BROKER, id};
    auto_create_read_t *rd = xcalloc(1, sizeof(*rd));
    *rd = (auto_create_read_t){a, cb, arg};
    if (kafka_admin_describe_configs(a, &res, 1, timeout_ms, on_configs, rd, err) != 0) {
        xfree(rd);
        return -1;
    }
    return 0;
}
