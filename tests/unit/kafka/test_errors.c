/* tests/unit/kafka/test_errors.c -- librdkafka errors to krest codes: the v1/v2 mapping
 * (kafka_err_code) is unchanged, the v3 admin mapping (kafka_err_code_v3) differs where
 * Confluent's v3 does. */
#include "kafka/errors.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void test_v2_unchanged(void **state)
{
    (void)state;
    assert_int_equal(kafka_err_code(RD_KAFKA_RESP_ERR_NO_ERROR), KR_ERR_NONE);
    assert_int_equal(kafka_err_code(RD_KAFKA_RESP_ERR__TIMED_OUT), KR_ERR_BROKER_NOT_AVAILABLE);
    assert_int_equal(kafka_err_code(RD_KAFKA_RESP_ERR__TRANSPORT), KR_ERR_BROKER_NOT_AVAILABLE);
    assert_int_equal(kafka_err_code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART),
                     KR_ERR_TOPIC_NOT_FOUND);
    assert_int_equal(kafka_err_code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION),
                     KR_ERR_PARTITION_NOT_FOUND);
    assert_int_equal(kafka_err_code(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS), KR_ERR_KAFKA);
    assert_int_equal(kafka_err_code(RD_KAFKA_RESP_ERR_NOT_COORDINATOR), KR_ERR_KAFKA_RETRIABLE);
}

static void test_v3(void **state)
{
    (void)state;
    static const rd_kafka_resp_err_t bad[] = {
        RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR,
        RD_KAFKA_RESP_ERR_INVALID_PARTITIONS,   RD_KAFKA_RESP_ERR_INVALID_CONFIG,
        RD_KAFKA_RESP_ERR_INVALID_REQUEST,      RD_KAFKA_RESP_ERR_POLICY_VIOLATION,
        RD_KAFKA_RESP_ERR_SECURITY_DISABLED,    RD_KAFKA_RESP_ERR_TOPIC_DELETION_DISABLED,
        RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION,
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(kafka_err_code_v3(bad[i]), KR_ERR_KAFKA_BAD_REQUEST);
    assert_int_equal(kafka_err_code_v3(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART), 40403);
    assert_int_equal(kafka_err_code_v3(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED), 40301);
    assert_int_equal(kafka_err_code_v3(RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED), 40301);
    assert_int_equal(kafka_err_code_v3(RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND), 404);
    /* The rest as v2: unreachable 50302, retriable 50003, else 50002. */
    assert_int_equal(kafka_err_code_v3(RD_KAFKA_RESP_ERR__TIMED_OUT), 50302);
    assert_int_equal(kafka_err_code_v3(RD_KAFKA_RESP_ERR_NOT_CONTROLLER), 50002);
    assert_int_equal(kafka_err_code_v3(RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE), 50003);
    assert_int_equal(kafka_err_code_v3(RD_KAFKA_RESP_ERR_NO_ERROR), 0);
}

static void test_v3_message(void **state)
{
    (void)state;
    kr_err_t err = {0};
    assert_int_equal(kafka_err_set_v3(&err, RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, "create topic",
                                      "Topic 't' already exists."),
                     -1);
    assert_int_equal(err.code, 40002);
    assert_string_equal(err.msg, "create topic: Topic 't' already exists.");
    assert_int_equal(kafka_err_set_v3(&err, RD_KAFKA_RESP_ERR__TIMED_OUT, "describe", NULL), -1);
    assert_int_equal(err.code, 50302);
    assert_non_null(strstr(err.msg, "Kafka brokers are not available"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_unchanged),
        cmocka_unit_test(test_v3),
        cmocka_unit_test(test_v3_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
