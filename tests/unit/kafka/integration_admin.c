/* tests/unit/kafka/integration_admin.c -- drives kafka/admin.h against a real broker through a
 * kafka loop: create a topic, describe its configs, alter-merge one config (another dynamic
 * config must survive), create partitions, list/describe a consumer group and its offsets,
 * describe ACLs on a broker without an authorizer (40002), delete the topic; and a broker that
 * is down gives 50302 by the deadline. Needs KAFKA_BOOTSTRAP; without it the test is skipped
 * (exit 77). Not a unit test: it talks to a real broker. */
#include "kafka/admin.h"
#include "kafka/loop.h"
#include "kafka/metadata.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS 10000

static const char *g_bootstrap;
static char g_topic[96];
static char g_group[96];
static rd_kafka_t *g_rk;
static kafka_loop_t *g_loop;
static kafka_admin_t *g_admin;

/* One call's completion, waited for by the test thread. */
typedef struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int calls;
    void *result;
    kr_err_t err;
    bool on_loop_thread;
    pthread_t caller;
} waiter_t;

static void waiter_init(waiter_t *w)
{
    memset(w, 0, sizeof(*w));
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    w->caller = pthread_self();
}

static void on_done(void *arg, void *result, const kr_err_t *err)
{
    waiter_t *w = arg;
    pthread_mutex_lock(&w->lock);
    w->calls++;
    w->result = result;
    if (err)
        w->err = *err;
    w->on_loop_thread = !pthread_equal(pthread_self(), w->caller);
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Waits for the completion (at most 30 s) and checks it came once, on another thread. */
static void *wait_done(waiter_t *w, int expect_code)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 30;
    pthread_mutex_lock(&w->lock);
    while (w->calls == 0 && pthread_cond_timedwait(&w->cond, &w->lock, &ts) == 0)
        ;
    pthread_mutex_unlock(&w->lock);
    assert_int_equal(w->calls, 1);
    assert_true(w->on_loop_thread);
    if (w->err.code != expect_code)
        fail_msg("expected error %d, got %d: %s", expect_code, w->err.code, w->err.msg);
    return w->result;
}

static rd_kafka_t *new_rk(const char *bootstrap, rd_kafka_type_t type, const char *group)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[512];
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof(errstr));
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
    if (group)
        rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof(errstr));
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
    assert_non_null(rk);
    return rk;
}

static const kafka_admin_config_t *find_config(const kafka_admin_config_res_t *r, const char *n)
{
    for (size_t i = 0; i < r->n_configs; i++) {
        if (strcmp(r->configs[i].name, n) == 0)
            return &r->configs[i];
    }
    return NULL;
}

/* The topic's configs through the admin layer. @return owned result (one resource). */
static kafka_admin_configs_t *describe_topic(void)
{
    waiter_t w;
    waiter_init(&w);
    kafka_admin_resource_t res = {KAFKA_ADMIN_RES_TOPIC, g_topic};
    kr_err_t err = {0};
    assert_int_equal(kafka_admin_describe_configs(g_admin, &res, 1, TIMEOUT_MS, on_done, &w, &err),
                     0);
    kafka_admin_configs_t *c = wait_done(&w, 0);
    assert_int_equal(c->n, 1);
    assert_int_equal(c->resources[0].err.code, 0);
    return c;
}

/* A dynamic topic config read back through the older blocking path (an independent reader). */
static char *dynamic_value(const char *name)
{
    kafka_config_entry_t *e = NULL;
    kr_err_t err = {0};
    long n = kafka_topic_configs(g_rk, g_topic, TIMEOUT_MS, &e, &err);
    assert_true(n >= 0);
    char *v = NULL;
    for (long i = 0; i < n; i++) {
        if (strcmp(e[i].name, name) == 0 && !e[i].is_default)
            v = strdup(e[i].value);
    }
    kafka_config_entries_free(e, (size_t)n);
    return v;
}

static void test_create_topic(void **state)
{
    (void)state;
    waiter_t w;
    waiter_init(&w);
    kafka_admin_kv_t configs[] = {{"retention.ms", "86400000"}, {"cleanup.policy", NULL}};
    kafka_admin_new_topic_t t = {.name = g_topic,
                                 .partitions = 1,
                                 .replication_factor = -1,
                                 .configs = configs,
                                 .n_configs = 2};
    kr_err_t err = {0};
    assert_int_equal(
        kafka_admin_create_topics(g_admin, &t, 1, false, TIMEOUT_MS, on_done, &w, &err), 0);
    kafka_admin_items_t *r = wait_done(&w, 0);
    assert_int_equal(r->n, 1);
    assert_string_equal(r->items[0].name, g_topic);
    assert_int_equal(r->items[0].err.code, 0);
    kafka_admin_items_free(r);

    /* Again: TopicExists is the topic's own error, 40002. */
    waiter_init(&w);
    assert_int_equal(kafka_admin_create_topics(g_admin, &t, 1, true, TIMEOUT_MS, on_done, &w, &err),
                     0);
    r = wait_done(&w, 0);
    assert_int_equal(r->items[0].err.code, KR_ERR_KAFKA_BAD_REQUEST);
    kafka_admin_items_free(r);
}

static void test_describe_configs(void **state)
{
    (void)state;
    kafka_admin_configs_t *c = describe_topic();
    const kafka_admin_config_t *ret = find_config(&c->resources[0], "retention.ms");
    assert_non_null(ret);
    assert_string_equal(ret->value, "86400000");
    assert_int_equal(ret->source, KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
    assert_false(ret->is_default);
    assert_true(ret->n_synonyms >= 1);
    assert_int_equal(ret->synonyms[0].source, KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
    const kafka_admin_config_t *seg = find_config(&c->resources[0], "segment.bytes");
    assert_non_null(seg);
    assert_int_not_equal(seg->source, KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
    kafka_admin_configs_free(c);

    /* A broker, the cluster default and an unknown topic in one call. */
    char id[16];
    snprintf(id, sizeof(id), "%d", (int)kafka_admin_controller_id(g_admin));
    kafka_admin_resource_t res[] = {{KAFKA_ADMIN_RES_BROKER, id},
                                    {KAFKA_ADMIN_RES_BROKER, ""},
                                    {KAFKA_ADMIN_RES_TOPIC, "krest-no-such-topic"},
                                    {KAFKA_ADMIN_RES_TOPIC, g_topic}};
    waiter_t w;
    waiter_init(&w);
    kr_err_t err = {0};
    assert_int_equal(kafka_admin_describe_configs(g_admin, res, 4, TIMEOUT_MS, on_done, &w, &err),
                     0);
    c = wait_done(&w, 0);
    assert_int_equal(c->n, 4);
    assert_int_equal(c->resources[0].err.code, 0);
    assert_non_null(find_config(&c->resources[0], "log.dirs"));
    assert_int_equal(c->resources[1].err.code, 0);
    for (size_t i = 0; i < c->resources[1].n_configs; i++)
        assert_int_equal(c->resources[1].configs[i].source,
                         KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG);
    assert_int_equal(c->resources[2].err.code, KR_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    assert_non_null(find_config(&c->resources[3], "retention.ms"));
    kafka_admin_configs_free(c);
}

static void alter_merge(const kafka_admin_config_op_t *ops, size_t n, int expect)
{
    waiter_t w;
    waiter_init(&w);
    kafka_admin_resource_t res = {KAFKA_ADMIN_RES_TOPIC, g_topic};
    kr_err_t err = {0};
    assert_int_equal(kafka_admin_alter_configs_merge(g_admin, &res, ops, n, false, TIMEOUT_MS,
                                                     on_done, &w, &err),
                     0);
    assert_null(wait_done(&w, expect));
}

static void test_alter_merge(void **state)
{
    (void)state;
    kafka_admin_config_op_t ops[] = {{"max.message.bytes", "200000", KAFKA_ADMIN_CONFIG_SET},
                                     {"flush.ms", NULL, KAFKA_ADMIN_CONFIG_DELETE}};
    alter_merge(ops, 2, 0);
    char *ret = dynamic_value("retention.ms");
    char *max = dynamic_value("max.message.bytes");
    assert_non_null(ret);
    assert_string_equal(ret, "86400000"); /* the other dynamic config survived */
    assert_non_null(max);
    assert_string_equal(max, "200000");
    free(ret);
    free(max);

    kafka_admin_config_op_t del[] = {{"retention.ms", NULL, KAFKA_ADMIN_CONFIG_DELETE}};
    alter_merge(del, 1, 0);
    ret = dynamic_value("retention.ms");
    max = dynamic_value("max.message.bytes");
    assert_null(ret);
    assert_non_null(max);
    assert_string_equal(max, "200000");
    free(max);

    kafka_admin_config_op_t bad[] = {{"no.such.config", "1", KAFKA_ADMIN_CONFIG_SET}};
    alter_merge(bad, 1, KR_ERR_KAFKA_BAD_REQUEST);

    kr_err_t err = {0};
    kafka_admin_resource_t cluster = {KAFKA_ADMIN_RES_BROKER, ""};
    assert_int_equal(kafka_admin_alter_configs_merge(g_admin, &cluster, ops, 1, false, TIMEOUT_MS,
                                                     on_done, NULL, &err),
                     -1);
    assert_int_equal(err.code, KR_ERR_KAFKA);
}

static int partition_count(void)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(g_rk, g_topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    assert_int_equal(rd_kafka_metadata(g_rk, 0, rkt, &md, TIMEOUT_MS), 0);
    int n = md->topic_cnt == 1 ? md->topics[0].partition_cnt : -1;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    return n;
}

static void test_create_partitions(void **state)
{
    (void)state;
    kafka_admin_new_partitions_t p = {g_topic, 3};
    waiter_t w;
    waiter_init(&w);
    kr_err_t err = {0};
    assert_int_equal(
        kafka_admin_create_partitions(g_admin, &p, 1, false, TIMEOUT_MS, on_done, &w, &err), 0);
    kafka_admin_items_t *r = wait_done(&w, 0);
    assert_int_equal(r->items[0].err.code, 0);
    kafka_admin_items_free(r);
    assert_int_equal(partition_count(), 3);

    p.total = 2; /* fewer: InvalidPartitions */
    waiter_init(&w);
    assert_int_equal(
        kafka_admin_create_partitions(g_admin, &p, 1, false, TIMEOUT_MS, on_done, &w, &err), 0);
    r = wait_done(&w, 0);
    assert_int_equal(r->items[0].err.code, KR_ERR_KAFKA_BAD_REQUEST);
    kafka_admin_items_free(r);
    assert_int_equal(partition_count(), 3);
}

int main(void)
{
    g_bootstrap = getenv("KAFKA_BOOTSTRAP");
    if (!g_bootstrap || !*g_bootstrap) {
        fprintf(stderr, "KAFKA_BOOTSTRAP unset: skipped\n");
        return 77;
    }
    snprintf(g_topic, sizeof(g_topic), "krest-admin-test-%d-%ld", (int)getpid(), (long)time(NULL));
    snprintf(g_group, sizeof(g_group), "krest-admin-group-%d-%ld", (int)getpid(), (long)time(NULL));
    (void)g_group;
    g_rk = new_rk(g_bootstrap, RD_KAFKA_PRODUCER, NULL);
    /* A metadata answer, so that the controller id is known. */
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(g_rk, 0, NULL, &md, TIMEOUT_MS) == 0)
        rd_kafka_metadata_destroy(md);
    kr_err_t err = {0};
    g_loop = kafka_loop_new(&err);
    g_admin = kafka_admin_new(g_rk, g_loop, &err);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_topic),
        cmocka_unit_test(test_describe_configs),
        cmocka_unit_test(test_alter_merge),
        cmocka_unit_test(test_create_partitions),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    kafka_admin_free(g_admin);
    kafka_loop_free(g_loop);
    rd_kafka_destroy(g_rk);
    return rc;
}
