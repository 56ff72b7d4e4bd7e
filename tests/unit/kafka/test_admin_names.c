/* tests/unit/kafka/test_admin_names.c -- the v3 admin enum name tables (kafka/admin_names.h):
 * every name parses back to its value in any case, unknown names and values are refused. */
#include "kafka/admin_names.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <string.h>

static void lower(const char *s, char *out, size_t size)
{
    size_t i = 0;
    for (; s[i] && i + 1 < size; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

#define ROUND_TRIP(prefix, type, count)                                                            \
    for (int v = 0; v < (count); v++) {                                                            \
        const char *name = prefix##_name((type)v);                                                 \
        type back = (type)-1;                                                                      \
        assert_int_equal(prefix##_parse(name, &back), 0);                                          \
        assert_int_equal(back, v);                                                                 \
        char low[64];                                                                              \
        lower(name, low, sizeof(low));                                                             \
        back = (type)-1;                                                                           \
        assert_int_equal(prefix##_parse(low, &back), 0);                                           \
        assert_int_equal(back, v);                                                                 \
    }                                                                                              \
    assert_string_equal(prefix##_name((type)(count)), "UNKNOWN");                                  \
    assert_string_equal(prefix##_name((type)-1), "UNKNOWN")

static void test_round_trips(void **state)
{
    (void)state;
    ROUND_TRIP(kafka_config_source, kafka_config_source_t, KAFKA_CONFIG_SOURCE__CNT);
    ROUND_TRIP(kafka_group_state, kafka_group_state_t, KAFKA_GROUP_STATE__CNT);
    ROUND_TRIP(kafka_acl_resource, kafka_acl_resource_t, KAFKA_ACL_RESOURCE__CNT);
    ROUND_TRIP(kafka_acl_pattern, kafka_acl_pattern_t, KAFKA_ACL_PATTERN__CNT);
    ROUND_TRIP(kafka_acl_operation, kafka_acl_operation_t, KAFKA_ACL_OP__CNT);
    ROUND_TRIP(kafka_acl_permission, kafka_acl_permission_t, KAFKA_ACL_PERMISSION__CNT);
}

/* The names API.md §3.4 lists, at Kafka's wire values. */
static void test_api_names(void **state)
{
    (void)state;
    assert_string_equal(kafka_config_source_name(KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG),
                        "DYNAMIC_TOPIC_CONFIG");
    assert_string_equal(kafka_config_source_name(KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG),
                        "DYNAMIC_DEFAULT_BROKER_CONFIG");
    assert_string_equal(kafka_config_source_name(KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG),
                        "DEFAULT_CONFIG");
    assert_string_equal(kafka_group_state_name(KAFKA_GROUP_STATE_COMPLETING_REBALANCE),
                        "COMPLETING_REBALANCE");
    assert_string_equal(kafka_acl_resource_name(4), "CLUSTER");
    assert_string_equal(kafka_acl_resource_name(6), "DELEGATION_TOKEN");
    assert_string_equal(kafka_acl_pattern_name(4), "PREFIXED");
    assert_string_equal(kafka_acl_operation_name(9), "CLUSTER_ACTION");
    assert_string_equal(kafka_acl_operation_name(12), "IDEMPOTENT_WRITE");
    assert_string_equal(kafka_acl_permission_name(2), "DENY");
    assert_string_equal(kafka_acl_permission_name(3), "ALLOW");
}

static void test_refused(void **state)
{
    (void)state;
    kafka_acl_operation_t op = KAFKA_ACL_OP_READ;
    assert_int_equal(kafka_acl_operation_parse("REED", &op), -1);
    assert_int_equal(kafka_acl_operation_parse("", &op), -1);
    assert_int_equal(kafka_acl_operation_parse(NULL, &op), -1);
    assert_int_equal(kafka_acl_operation_parse("READ ", &op), -1);
    assert_int_equal(op, KAFKA_ACL_OP_READ); /* untouched */
    kafka_acl_resource_t rt;
    assert_int_equal(kafka_acl_resource_parse("BROKER", &rt), -1); /* librdkafka's name */
    assert_int_equal(kafka_acl_resource_parse("Cluster", &rt), 0);
    assert_int_equal(rt, KAFKA_ACL_RESOURCE_CLUSTER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_api_names),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
