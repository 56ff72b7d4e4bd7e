/* kafka/admin_merge.c -- the pure part of the configs family: which dynamic set a resource's
 * AlterConfigs replaces, the merge of that set with SET/DELETE operations (the
 * read-modify-write that stands in for IncrementalAlterConfigs, absent from librdkafka 2.0.2),
 * and freeing config results. No librdkafka. Threads: any. */
#include "kafka/admin.h"

#include "util/mem.h"

#include <string.h>

kafka_config_source_t kafka_admin_dynamic_source(const kafka_admin_resource_t *res)
{
    if (res->type == KAFKA_ADMIN_RES_TOPIC)
        return KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG;
    if (!res->name || !*res->name)
        return KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG;
    return KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG;
}

/* The last op naming name, or NULL. */
static const kafka_admin_config_op_t *last_op(const kafka_admin_config_op_t *ops, size_t n,
                                              const char *name)
{
    for (size_t i = n; i > 0; i--) {
        if (strcmp(ops[i - 1].name, name) == 0)
            return &ops[i - 1];
    }
    return NULL;
}

static size_t find(const kafka_admin_kv_t *kv, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(kv[i].name, name) == 0)
            return i;
    }
    return n;
}

/* The dynamic synonym of cur (its value is the stored one), or NULL when cur has none. A
 * broker applies a dynamic change a moment after it stores it: in between, DescribeConfigs
 * reports the stored value in the synonym and the old value and source in the entry itself;
 * reading the entry would drop (or undo) a change made a moment ago. */
static const kafka_admin_synonym_t *dynamic_synonym(const kafka_admin_config_t *cur,
                                                    kafka_config_source_t dynamic)
{
    for (size_t i = 0; i < cur->n_synonyms; i++) {
        if (cur->synonyms[i].source == dynamic)
            return &cur->synonyms[i];
    }
    return NULL;
}

/* Whether cur belongs to the resource's dynamic set, and its value there. */
static bool is_dynamic(const kafka_admin_config_t *cur, kafka_config_source_t dynamic)
{
    return cur->source == dynamic || dynamic_synonym(cur, dynamic) != NULL;
}

static const char *dynamic_value(const kafka_admin_config_t *cur, kafka_config_source_t dynamic)
{
    const kafka_admin_synonym_t *syn = dynamic_synonym(cur, dynamic);
    return syn ? syn->value : cur->value;
}

int kafka_admin_config_merge(const kafka_admin_config_t *cur, size_t n_cur,
                             kafka_config_source_t dynamic, const kafka_admin_config_op_t *ops,
                             size_t n_ops, kafka_admin_kv_t **out, size_t *n_out, kr_err_t *err)
{
    /* A sensitive value cannot be read back: sending the set without it would silently reset
     * it, so the merge refuses unless the operations set or delete it themselves. */
    for (size_t i = 0; i < n_cur; i++) {
        if (is_dynamic(&cur[i], dynamic) && cur[i].is_sensitive && !cur[i].value &&
            !last_op(ops, n_ops, cur[i].name))
            return kr_err_set(err, KR_ERR_KAFKA_BAD_REQUEST,
                              "config %s is sensitive: its value cannot be read back and would "
                              "be lost by this alter; set it again in the same request",
                              cur[i].name);
    }
    kafka_admin_kv_t *kv = xcalloc(n_cur + n_ops + 1, sizeof(*kv));
    size_t n = 0;
    for (size_t i = 0; i < n_cur; i++) {
        if (is_dynamic(&cur[i], dynamic) && find(kv, n, cur[i].name) == n)
            kv[n++] = (kafka_admin_kv_t){cur[i].name, dynamic_value(&cur[i], dynamic)};
    }
    for (size_t i = 0; i < n_ops; i++) {
        size_t at = find(kv, n, ops[i].name);
        if (ops[i].op == KAFKA_ADMIN_CONFIG_DELETE) {
            if (at < n) {
                memmove(&kv[at], &kv[at + 1], (n - at - 1) * sizeof(*kv));
                n--;
            }
            continue;
        }
        if (at == n)
            n++;
        kv[at] = (kafka_admin_kv_t){ops[i].name, ops[i].value};
    }
    *out = kv;
    *n_out = n;
    return 0;
}

bool kafka_admin_config_applied(const kafka_admin_config_t *cur, size_t n_cur,
                                kafka_config_source_t dynamic, const kafka_admin_kv_t *want,
                                size_t n_want)
{
    size_t n_dynamic = 0;
    for (size_t i = 0; i < n_cur; i++) {
        if (!is_dynamic(&cur[i], dynamic))
            continue;
        size_t at = find(want, n_want, cur[i].name);
        if (at == n_want)
            return false; /* a config the write removed is still there */
        const char *v = dynamic_value(&cur[i], dynamic);
        /* A sensitive value reads back as NULL: it cannot be compared. */
        if (v && want[at].value && strcmp(v, want[at].value) != 0)
            return false;
        n_dynamic++;
    }
    return n_dynamic == n_want;
}

static void config_free(kafka_admin_config_t *c)
{
    xfree(c->name);
    xfree(c->value);
    for (size_t i = 0; i < c->n_synonyms; i++) {
        xfree(c->synonyms[i].name);
        xfree(c->synonyms[i].value);
    }
    xfree(c->synonyms);
}

void kafka_admin_configs_free(kafka_admin_configs_t *c)
{
    if (!c)
        return;
    for (size_t r = 0; r < c->n; r++) {
        kafka_admin_config_res_t *res = &c->resources[r];
        for (size_t i = 0; i < res->n_configs; i++)
            config_free(&res->configs[i]);
        xfree(res->configs);
        xfree(res->name);
    }
    xfree(c->resources);
    xfree(c);
}
