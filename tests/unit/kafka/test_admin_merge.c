/* tests/unit/kafka/test_admin_merge.c -- the read-modify-write merge of configs
 * (kafka_admin_config_merge) as a pure function: only the resource's dynamic set is kept,
 * SET/DELETE apply in order, other dynamic configs survive, a sensitive dynamic config not
 * named by the operations is refused with 40002. */
#include "kafka/admin.h"

#include "util/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#define CFG(n, v, src, sens)                                                                       \
    {                                                                                              \
        .name = (char *)(n), .value = (char *)(v), .source = (src), .is_sensitive = (sens)         \
    }

static const kafka_admin_config_t topic_cfgs[] = {
    CFG("retention.ms", "1000", KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG, false),
    CFG("cleanup.policy", "compact", KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG, false),
    CFG("segment.bytes", "1073741824", KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG, false),
    CFG("min.insync.replicas", "1", KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG, false),
    CFG("message.timestamp.type", NULL, KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG, false),
};
#define N_TOPIC (sizeof(topic_cfgs) / sizeof(topic_cfgs[0]))

static const char *value_of(const kafka_admin_kv_t *kv, size_t n, const char *name, bool *found)
{
    *found = false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(kv[i].name, name) == 0) {
            *found = true;
            return kv[i].value;
        }
    }
    return NULL;
}

static void assert_has(const kafka_admin_kv_t *kv, size_t n, const char *name, const char *value)
{
    bool found;
    const char *v = value_of(kv, n, name, &found);
    assert_true(found);
    if (value)
        assert_string_equal(v, value);
    else
        assert_null(v);
}

static void assert_lacks(const kafka_admin_kv_t *kv, size_t n, const char *name)
{
    bool found;
    value_of(kv, n, name, &found);
    assert_false(found);
}

static void test_set_keeps_others(void **state)
{
    (void)state;
    kafka_admin_config_op_t ops[] = {{"max.message.bytes", "2000", KAFKA_ADMIN_CONFIG_SET},
                                     {"retention.ms", "5000", KAFKA_ADMIN_CONFIG_SET}};
    kafka_admin_kv_t *kv = NULL;
    size_t n = 0;
    kr_err_t err = {0};
    assert_int_equal(kafka_admin_config_merge(topic_cfgs, N_TOPIC,
                                              KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG, ops, 2, &kv,
                                              &n, &err),
                     0);
    assert_int_equal(n, 4);
    assert_has(kv, n, "retention.ms", "5000");
    assert_has(kv, n, "cleanup.policy", "compact");
    assert_has(kv, n, "message.timestamp.type", NULL);
    assert_has(kv, n, "max.message.bytes", "2000");
    assert_lacks(kv, n, "segment.bytes");       /* a default is not part of the set */
    assert_lacks(kv, n, "min.insync.replicas"); /* nor is a static broker config */
    xfree(kv);
}

static void test_delete_and_order(void **state)
{
    (void)state;
    kafka_admin_config_op_t ops[] = {
        {"cleanup.policy", NULL, KAFKA_ADMIN_CONFIG_DELETE},
        {"flush.ms", NULL, KAFKA_ADMIN_CONFIG_DELETE}, /* not set: a no-op */
        {"a", "1", KAFKA_ADMIN_CONFIG_SET},
        {"a", NULL, KAFKA_ADMIN_CONFIG_DELETE},
        {"b", "1", KAFKA_ADMIN_CONFIG_DELETE},
        {"b", "2", KAFKA_ADMIN_CONFIG_SET},
        {"b", "3", KAFKA_ADMIN_CONFIG_SET},
    };
    kafka_admin_kv_t *kv = NULL;
    size_t n = 0;
    kr_err_t err = {0};
    assert_int_equal(kafka_admin_config_merge(topic_cfgs, N_TOPIC,
                                              KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG, ops, 7, &kv,
                                              &n, &err),
                     0);
    assert_int_equal(n, 3);
    assert_lacks(kv, n, "cleanup.policy");
    assert_lacks(kv, n, "a");
    assert_has(kv, n, "b", "3");
    assert_has(kv, n, "retention.ms", "1000");
    xfree(kv);
}

static void test_broker_sets(void **state)
{
    (void)state;
    kafka_admin_config_t cfgs[] = {
        CFG("log.cleaner.threads", "2", KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG, false),
        CFG("log.retention.ms", "9", KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG, false),
        CFG("num.io.threads", "8", KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG, false),
    };
    kafka_admin_resource_t broker = {KAFKA_ADMIN_RES_BROKER, "1"};
    kafka_admin_resource_t cluster = {KAFKA_ADMIN_RES_BROKER, ""};
    kafka_admin_resource_t topic = {KAFKA_ADMIN_RES_TOPIC, "t"};
    assert_int_equal(kafka_admin_dynamic_source(&broker),
                     KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG);
    assert_int_equal(kafka_admin_dynamic_source(&cluster),
                     KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG);
    assert_int_equal(kafka_admin_dynamic_source(&topic), KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
    kafka_admin_kv_t *kv = NULL;
    size_t n = 0;
    kr_err_t err = {0};
    assert_int_equal(kafka_admin_config_merge(cfgs, 3, kafka_admin_dynamic_source(&broker), NULL, 0,
                                              &kv, &n, &err),
                     0);
    assert_int_equal(n, 1);
    assert_has(kv, n, "log.cleaner.threads", "2");
    xfree(kv);
}

static void test_sensitive(void **state)
{
    (void)state;
    kafka_admin_config_t cfgs[] = {
        CFG("ssl.key.password", NULL, KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG, true),
        CFG("log.cleaner.threads", "2", KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG, false),
        CFG("sasl.jaas.config", NULL, KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG, true),
    };
    kafka_admin_config_op_t set[] = {{"log.cleaner.threads", "3", KAFKA_ADMIN_CONFIG_SET}};
    kafka_admin_kv_t *kv = NULL;
    size_t n = 0;
    kr_err_t err = {0};
    assert_int_equal(kafka_admin_config_merge(cfgs, 3, KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG,
                                              set, 1, &kv, &n, &err),
                     -1);
    assert_int_equal(err.code, KR_ERR_KAFKA_BAD_REQUEST);
    assert_non_null(strstr(err.msg, "ssl.key.password"));
    assert_null(kv);

    /* Named by the operations (set again, or deleted): fine. */
    kafka_admin_config_op_t again[] = {{"ssl.key.password", "x", KAFKA_ADMIN_CONFIG_SET}};
    assert_int_equal(kafka_admin_config_merge(cfgs, 3, KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG,
                                              again, 1, &kv, &n, &err),
                     0);
    assert_int_equal(n, 2);
    assert_has(kv, n, "ssl.key.password", "x");
    xfree(kv);
    kafka_admin_config_op_t del[] = {{"ssl.key.password", NULL, KAFKA_ADMIN_CONFIG_DELETE}};
    assert_int_equal(kafka_admin_config_merge(cfgs, 3, KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG,
                                              del, 1, &kv, &n, &err),
                     0);
    assert_int_equal(n, 1);
    assert_lacks(kv, n, "ssl.key.password");
    xfree(kv);
}

/* A broker applies a dynamic change a moment after storing it: the entry still shows the old
 * value while its DYNAMIC_BROKER_CONFIG synonym has the stored one, which the merge keeps. */
static void test_synonym_value_wins(void **state)
{
    (void)state;
    kafka_admin_synonym_t syn[] = {
        {(char *)"compression.type", (char *)"gzip", KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG},
        {(char *)"compression.type", (char *)"producer", KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG},
    };
    kafka_admin_config_t cur[] = {
        CFG("compression.type", "producer", KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG, false),
    };
    cur[0].synonyms = syn;
    cur[0].n_synonyms = 2;
    kafka_admin_config_op_t ops[] = {{"max.connections", "1000", KAFKA_ADMIN_CONFIG_SET}};
    kafka_admin_kv_t *kv = NULL;
    size_t n = 0;
    kr_err_t err = {0};
    assert_int_equal(kafka_admin_config_merge(cur, 1, KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG,
                                              ops, 1, &kv, &n, &err),
                     0);
    assert_int_equal(n, 2);
    assert_has(kv, n, "compression.type", "gzip");
    assert_has(kv, n, "max.connections", "1000");
    xfree(kv);
}

/* Stored a moment ago and not applied at all yet: the entry still has the default's source,
 * only the synonym says the config is dynamic now. The merge must keep it (before: dropped, and
 * a second change right after the first undid it). */
static void test_stored_not_applied_is_dynamic(void **state)
{
    (void)state;
    kafka_admin_synonym_t syn[] = {
        {(char *)"compression.type", (char *)"gzip", KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG},
        {(char *)"compression.type", (char *)"producer", KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG},
    };
    kafka_admin_config_t cur[] = {
        CFG("compression.type", "producer", KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG, false),
        CFG("max.connections", "2147483647", KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG, false),
    };
    cur[0].synonyms = syn;
    cur[0].n_synonyms = 2;
    kafka_admin_config_op_t ops[] = {{"max.connections", "1000", KAFKA_ADMIN_CONFIG_SET}};
    kafka_admin_kv_t *kv = NULL;
    size_t n = 0;
    kr_err_t err = {0};
    assert_int_equal(kafka_admin_config_merge(cur, 2, KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG,
                                              ops, 1, &kv, &n, &err),
                     0);
    assert_int_equal(n, 2);
    assert_has(kv, n, "compression.type", "gzip");
    assert_has(kv, n, "max.connections", "1000");
    /* Read-your-writes: the describe shows exactly that set only once both are there. */
    assert_false(
        kafka_admin_config_applied(cur, 2, KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG, kv, n));
    cur[1].source = KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG;
    cur[1].value = (char *)"1000";
    assert_true(
        kafka_admin_config_applied(cur, 2, KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG, kv, n));
    cur[1].value = (char *)"999";
    assert_false(
        kafka_admin_config_applied(cur, 2, KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG, kv, n));
    /* A config the write removed that still shows: not applied yet. */
    assert_false(
        kafka_admin_config_applied(cur, 2, KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG, kv, 1));
    xfree(kv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_keeps_others),
        cmocka_unit_test(test_delete_and_order),
        cmocka_unit_test(test_broker_sets),
        cmocka_unit_test(test_sensitive),
        cmocka_unit_test(test_synonym_value_wins),
        cmocka_unit_test(test_stored_not_applied_is_dynamic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
