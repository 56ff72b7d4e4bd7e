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

    /* A replica assignment (validate only): two partitions on broker 1; then on broker 99. */
    char other[128];
    snprintf(other, sizeof(other), "%s-assigned", g_topic);
    int32_t b1[] = {1}, b99[] = {99};
    kafka_admin_replicas_t as[] = {{b1, 1}, {b1, 1}};
    kafka_admin_new_topic_t ta = {.name = other,
                                  .partitions = -1,
                                  .replication_factor = -1,
                                  .assignment = as,
                                  .n_assignment = 2};
    waiter_init(&w);
    assert_int_equal(
        kafka_admin_create_topics(g_admin, &ta, 1, true, TIMEOUT_MS, on_done, &w, &err), 0);
    r = wait_done(&w, 0);
    assert_int_equal(r->items[0].err.code, 0);
    kafka_admin_items_free(r);
    as[1].brokers = b99;
    waiter_init(&w);
    assert_int_equal(
        kafka_admin_create_topics(g_admin, &ta, 1, true, TIMEOUT_MS, on_done, &w, &err), 0);
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

    char cluster[128];
    assert_int_equal(kafka_admin_cluster_id(g_admin, cluster, sizeof(cluster)), 0);
    assert_true(strlen(cluster) > 0);

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
    kafka_admin_tp_ref_t tps[] = {{g_topic, 0}, {g_topic, 1}, {g_topic, 2}};
    int64_t low[3], high[3];
    assert_int_equal(kafka_admin_watermarks(g_rk, tps, 3, TIMEOUT_MS, low, high, &err), 0);
    for (int i = 0; i < 3; i++)
        assert_true(low[i] == 0 && high[i] == 0);
    kafka_admin_tp_ref_t missing = {g_topic, 7};
    assert_int_equal(kafka_admin_watermarks(g_rk, &missing, 1, 2000, low, high, &err), -1);
    assert_non_null(strstr(err.msg, "partition 7"));

    p.total = 2; /* fewer: InvalidPartitions */
    waiter_init(&w);
    assert_int_equal(
        kafka_admin_create_partitions(g_admin, &p, 1, false, TIMEOUT_MS, on_done, &w, &err), 0);
    r = wait_done(&w, 0);
    assert_int_equal(r->items[0].err.code, KR_ERR_KAFKA_BAD_REQUEST);
    kafka_admin_items_free(r);
    assert_int_equal(partition_count(), 3);
}

/* Commits offset 5 of partition 0 for g_group from outside the group (a simple consumer). */
static void commit_offsets(void)
{
    rd_kafka_t *c = new_rk(g_bootstrap, RD_KAFKA_CONSUMER, g_group);
    rd_kafka_topic_partition_list_t *offs = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(offs, g_topic, 0)->offset = 5;
    assert_int_equal(rd_kafka_commit(c, offs, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(offs);
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
}

/* A member of group (subscribed to g_topic) once it has its assignment. */
static rd_kafka_t *join_group(const char *group)
{
    rd_kafka_t *c = new_rk(g_bootstrap, RD_KAFKA_CONSUMER, group);
    rd_kafka_poll_set_consumer(c);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, g_topic, RD_KAFKA_PARTITION_UA);
    assert_int_equal(rd_kafka_subscribe(c, topics), 0);
    rd_kafka_topic_partition_list_destroy(topics);
    for (int i = 0; i < 150; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        if (m)
            rd_kafka_message_destroy(m);
        rd_kafka_topic_partition_list_t *as = NULL;
        rd_kafka_assignment(c, &as);
        int n = as ? as->cnt : 0;
        rd_kafka_topic_partition_list_destroy(as);
        if (n > 0)
            return c;
    }
    fail_msg("no assignment for group %s", group);
    return NULL;
}

static bool listed(const kafka_admin_group_list_t *l, const char *id, kafka_group_state_t st,
                   bool simple)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->groups[i].group_id, id) == 0)
            return l->groups[i].state == st && l->groups[i].is_simple == simple;
    }
    return false;
}

static void test_groups(void **state)
{
    (void)state;
    commit_offsets();
    char active[128];
    snprintf(active, sizeof(active), "%s-active", g_group);
    rd_kafka_t *member = join_group(active);

    waiter_t w;
    waiter_init(&w);
    kr_err_t err = {0};
    assert_int_equal(kafka_admin_list_groups(g_admin, TIMEOUT_MS, on_done, &w, &err), 0);
    kafka_admin_group_list_t *l = wait_done(&w, 0);
    assert_true(listed(l, g_group, KAFKA_GROUP_STATE_EMPTY, true));
    assert_true(listed(l, active, KAFKA_GROUP_STATE_STABLE, false));
    kafka_admin_group_list_free(l);

    const char *ids[] = {active, g_group};
    waiter_init(&w);
    assert_int_equal(kafka_admin_describe_groups(g_admin, ids, 2, TIMEOUT_MS, on_done, &w, &err),
                     0);
    kafka_admin_groups_t *g = wait_done(&w, 0);
    assert_int_equal(g->n, 2);
    assert_string_equal(g->groups[0].group_id, active);
    assert_int_equal(g->groups[0].err.code, 0);
    assert_int_equal(g->groups[0].state, KAFKA_GROUP_STATE_STABLE);
    assert_string_equal(g->groups[0].partition_assignor, "range");
    assert_true(g->groups[0].coordinator_id >= 0);
    assert_non_null(g->groups[0].coordinator_host);
    assert_int_equal(g->groups[0].n_members, 1);
    assert_null(g->groups[0].members[0].group_instance_id);
    assert_int_equal(g->groups[0].members[0].n_assignment, 3);
    assert_string_equal(g->groups[0].members[0].assignment[0].topic, g_topic);
    assert_int_equal(g->groups[1].state, KAFKA_GROUP_STATE_EMPTY);
    assert_int_equal(g->groups[1].n_members, 0);
    kafka_admin_groups_free(g);
    rd_kafka_consumer_close(member);
    rd_kafka_destroy(member);

    waiter_init(&w);
    assert_int_equal(
        kafka_admin_list_group_offsets(g_admin, g_group, TIMEOUT_MS, on_done, &w, &err), 0);
    kafka_admin_offsets_t *o = wait_done(&w, 0);
    assert_int_equal(o->n, 1);
    assert_string_equal(o->offsets[0].topic, g_topic);
    assert_int_equal(o->offsets[0].partition, 0);
    assert_int_equal(o->offsets[0].offset, 5);
    kafka_admin_offsets_free(o);
}

static void test_acls_disabled(void **state)
{
    (void)state;
    kafka_acl_t any = {
        KAFKA_ACL_RESOURCE_ANY,  NULL, KAFKA_ACL_PATTERN_ANY, NULL, NULL, KAFKA_ACL_OP_ANY,
        KAFKA_ACL_PERMISSION_ANY};
    waiter_t w;
    waiter_init(&w);
    kr_err_t err = {0};
    assert_int_equal(kafka_admin_describe_acls(g_admin, &any, TIMEOUT_MS, on_done, &w, &err), 0);
    assert_null(wait_done(&w, KR_ERR_KAFKA_BAD_REQUEST));
    assert_non_null(strstr(w.err.msg, "ecurity"));

    /* Create and delete say the same, per binding and per filter. */
    kafka_acl_t topic = {KAFKA_ACL_RESOURCE_TOPIC,
                         g_topic,
                         KAFKA_ACL_PATTERN_LITERAL,
                         "User:alice",
                         "*",
                         KAFKA_ACL_OP_READ,
                         KAFKA_ACL_PERMISSION_ALLOW};
    waiter_init(&w);
    assert_int_equal(kafka_admin_create_acls(g_admin, &topic, 1, TIMEOUT_MS, on_done, &w, &err), 0);
    kafka_admin_items_t *r = wait_done(&w, 0);
    assert_int_equal(r->n, 1);
    assert_int_equal(r->items[0].err.code, KR_ERR_KAFKA_BAD_REQUEST);
    kafka_admin_items_free(r);
    waiter_init(&w);
    assert_int_equal(kafka_admin_delete_acls(g_admin, &any, 1, TIMEOUT_MS, on_done, &w, &err), 0);
    assert_null(wait_done(&w, KR_ERR_KAFKA_BAD_REQUEST));

    /* librdkafka 2.0.2 cannot name a TRANSACTIONAL_ID: refused at the call, no callback. */
    kafka_acl_t tx = {KAFKA_ACL_RESOURCE_TRANSACTIONAL_ID,
                      "tx",
                      KAFKA_ACL_PATTERN_LITERAL,
                      "User:alice",
                      "*",
                      KAFKA_ACL_OP_WRITE,
                      KAFKA_ACL_PERMISSION_ALLOW};
    assert_int_equal(kafka_admin_create_acls(g_admin, &tx, 1, TIMEOUT_MS, on_done, NULL, &err), -1);
    assert_int_equal(err.code, KR_ERR_KAFKA_BAD_REQUEST);
}

static void delete_topic(int expect)
{
    waiter_t w;
    waiter_init(&w);
    kr_err_t err = {0};
    const char *names[] = {g_topic};
    assert_int_equal(kafka_admin_delete_topics(g_admin, names, 1, TIMEOUT_MS, on_done, &w, &err),
                     0);
    kafka_admin_items_t *r = wait_done(&w, 0);
    assert_int_equal(r->items[0].err.code, expect);
    kafka_admin_items_free(r);
}

static void test_delete_topic(void **state)
{
    (void)state;
    delete_topic(0);
    delete_topic(KR_ERR_UNKNOWN_TOPIC_OR_PARTITION);
}

/* No broker at all: the deadline gives 50302, and kafka_admin_free waits for the callback. */
static void test_broker_down(void **state)
{
    (void)state;
    rd_kafka_t *rk = new_rk("127.0.0.1:1", RD_KAFKA_PRODUCER, NULL);
    kr_err_t err = {0};
    kafka_admin_t *a = kafka_admin_new(rk, g_loop, &err);
    assert_non_null(a);
    waiter_t w;
    waiter_init(&w);
    kafka_admin_resource_t res = {KAFKA_ADMIN_RES_TOPIC, "t"};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(kafka_admin_describe_configs(a, &res, 1, 1500, on_done, &w, &err), 0);
    assert_null(wait_done(&w, KR_ERR_BROKER_NOT_AVAILABLE));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 1000 && ms < 5000);

    waiter_t w2;
    waiter_init(&w2);
    assert_int_equal(kafka_admin_list_groups(a, 1000, on_done, &w2, &err), 0);
    kafka_admin_free(a); /* returns only after the callback ran */
    assert_int_equal(w2.calls, 1);
    assert_int_not_equal(w2.err.code, 0);
    rd_kafka_destroy(rk);
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
    g_rk = new_rk(g_bootstrap, RD_KAFKA_PRODUCER, NULL);
    /* A metadata answer, so that the controller id is known. */
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(g_rk, 0, NULL, &md, TIMEOUT_MS) == 0)
        rd_kafka_metadata_destroy(md);
    kr_err_t err = {0};
    g_loop = kafka_loop_new(&err);
    g_admin = kafka_admin_new(g_rk, g_loop, &err);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_topic), cmocka_unit_test(test_describe_configs),
        cmocka_unit_test(test_alter_merge),  cmocka_unit_test(test_create_partitions),
        cmocka_unit_test(test_groups),       cmocka_unit_test(test_acls_disabled),
        cmocka_unit_test(test_delete_topic), cmocka_unit_test(test_broker_down),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    kafka_admin_free(g_admin);
    kafka_loop_free(g_loop);
    rd_kafka_destroy(g_rk);
    return rc;
}
