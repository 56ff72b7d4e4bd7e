/* tests/integration/test_librdkafka_compat.c -- checks that Debian's librdkafka (2.0.2) works
 * against the Kafka broker krest's tests run (4.1.x): idempotent produce with acks=all,
 * metadata, admin CreateTopics/DescribeConfigs, a consumer group reading back what was
 * produced, and committed offsets. Needs KAFKA_BOOTSTRAP (scripts/run-tests sets it); without
 * it the test is skipped (exit 77). Not a unit test: it talks to a real broker. */
#include <librdkafka/rdkafka.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_MSGS 20

static const char *g_bootstrap;
static char g_topic[64];
static int g_delivered;

static rd_kafka_t *new_handle(rd_kafka_type_t type, const char **kv)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[512];
    assert_int_equal(
        rd_kafka_conf_set(conf, "bootstrap.servers", g_bootstrap, errstr, sizeof(errstr)),
        RD_KAFKA_CONF_OK);
    for (; kv && kv[0]; kv += 2)
        assert_int_equal(rd_kafka_conf_set(conf, kv[0], kv[1], errstr, sizeof(errstr)),
                         RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
    assert_non_null(rk);
    return rk;
}

static rd_kafka_event_t *wait_admin(rd_kafka_queue_t *q, rd_kafka_event_type_t type)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 15000);
    assert_non_null(ev);
    assert_int_equal(rd_kafka_event_type(ev), type);
    assert_int_equal(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR_NO_ERROR);
    return ev;
}

static void test_create_topic_and_configs(void **state)
{
    (void)state;
    rd_kafka_t *rk = new_handle(RD_KAFKA_PRODUCER, NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    char errstr[256];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(g_topic, 2, 1, errstr, sizeof(errstr));
    rd_kafka_NewTopic_set_config(nt, "retention.ms", "86400000");
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t *ev = wait_admin(q, RD_KAFKA_EVENT_CREATETOPICS_RESULT);
    size_t n;
    const rd_kafka_topic_result_t **res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    assert_int_equal(n, 1);
    assert_int_equal(rd_kafka_topic_result_error(res[0]), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_event_destroy(ev);
    rd_kafka_NewTopic_destroy(nt);

    rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, g_topic);
    rd_kafka_DescribeConfigs(rk, &cr, 1, NULL, q);
    ev = wait_admin(q, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
    const rd_kafka_ConfigResource_t **rs =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
    assert_int_equal(n, 1);
    size_t n_entries;
    const rd_kafka_ConfigEntry_t **e = rd_kafka_ConfigResource_configs(rs[0], &n_entries);
    int found = 0;
    for (size_t i = 0; i < n_entries; i++) {
        if (strcmp(rd_kafka_ConfigEntry_name(e[i]), "retention.ms") == 0) {
            assert_string_equal(rd_kafka_ConfigEntry_value(e[i]), "86400000");
            assert_int_equal(rd_kafka_ConfigEntry_source(e[i]),
                             RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
            found = 1;
        }
    }
    assert_true(found);
    rd_kafka_event_destroy(ev);
    rd_kafka_ConfigResource_destroy(cr);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    assert_int_equal(m->err, RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_true(m->offset >= 0);
    g_delivered++;
}

static void test_idempotent_produce(void **state)
{
    (void)state;
    const char *kv[] = {"enable.idempotence", "true", "acks", "all", "linger.ms", "5", NULL};
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[512];
    rd_kafka_conf_set(conf, "bootstrap.servers", g_bootstrap, errstr, sizeof(errstr));
    for (const char **p = kv; p[0]; p += 2)
        assert_int_equal(rd_kafka_conf_set(conf, p[0], p[1], errstr, sizeof(errstr)),
                         RD_KAFKA_CONF_OK);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(rk);
    for (int i = 0; i < N_MSGS; i++) {
        char val[32];
        int n = snprintf(val, sizeof(val), "value-%d", i);
        assert_int_equal(
            rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(g_topic), RD_KAFKA_V_PARTITION(i % 2),
                              RD_KAFKA_V_VALUE(val, (size_t)n),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
            RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    assert_int_equal(rd_kafka_flush(rk, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(g_delivered, N_MSGS);
    const struct rd_kafka_metadata *md;
    assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, 5000), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_true(md->broker_cnt >= 1);
    rd_kafka_metadata_destroy(md);
    int64_t lo, hi;
    assert_int_equal(rd_kafka_query_watermark_offsets(rk, g_topic, 0, &lo, &hi, 5000),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(hi - lo, N_MSGS / 2);
    rd_kafka_destroy(rk);
}

static void test_group_consume_and_commit(void **state)
{
    (void)state;
    char group[80];
    snprintf(group, sizeof(group), "%s-group", g_topic);
    const char *kv[] = {"group.id",
                        group,
                        "auto.offset.reset",
                        "earliest",
                        "enable.auto.commit",
                        "false",
                        "session.timeout.ms",
                        "6000",
                        NULL};
    rd_kafka_t *rk = new_handle(RD_KAFKA_CONSUMER, kv);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, g_topic, RD_KAFKA_PARTITION_UA);
    assert_int_equal(rd_kafka_subscribe(rk, sub), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(sub);
    int got = 0;
    time_t until = time(NULL) + 30;
    while (got < N_MSGS && time(NULL) < until) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 500);
        if (!m)
            continue;
        if (!m->err) {
            assert_true(m->len >= 7 && memcmp(m->payload, "value-", 6) == 0);
            got++;
        }
        rd_kafka_message_destroy(m);
    }
    assert_int_equal(got, N_MSGS);
    assert_int_equal(rd_kafka_commit(rk, NULL, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(parts, g_topic, 0);
    rd_kafka_topic_partition_list_add(parts, g_topic, 1);
    assert_int_equal(rd_kafka_committed(rk, parts, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(parts->elems[0].offset + parts->elems[1].offset, N_MSGS);
    rd_kafka_topic_partition_list_destroy(parts);
    assert_int_equal(rd_kafka_consumer_close(rk), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
}

int main(void)
{
    g_bootstrap = getenv("KAFKA_BOOTSTRAP");
    if (!g_bootstrap || !*g_bootstrap) {
        fprintf(stderr, "KAFKA_BOOTSTRAP not set: skipped\n");
        return 77;
    }
    snprintf(g_topic, sizeof(g_topic), "compat-%ld-%d", (long)time(NULL), (int)(clock() & 0xffff));
    printf("librdkafka %s against %s\n", rd_kafka_version_str(), g_bootstrap);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_topic_and_configs),
        cmocka_unit_test(test_idempotent_produce),
        cmocka_unit_test(test_group_consume_and_commit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
