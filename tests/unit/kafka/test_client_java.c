/* tests/unit/kafka/test_client_java.c -- the Java client's security keys in librdkafka's terms:
 * JAAS credentials, PEM and PKCS12 stores, Java-only keys dropped, other keys unchanged. */
#include "kafka/client_java.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *get(const config_kv_t *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}

static void test_jaas(void **state)
{
    (void)state;
    char u[64], p[64];
    assert_int_equal(kafka_java_jaas_credentials(
                         "org.apache.kafka.common.security.plain.PlainLoginModule required "
                         "username=\"alice\" password=\"a b;c\";",
                         u, sizeof(u), p, sizeof(p)),
                     0);
    assert_string_equal(u, "alice");
    assert_string_equal(p, "a b;c");
    assert_int_equal(kafka_java_jaas_credentials("X required\n  username=\"bob\"\n"
                                                 "  password=\"pw\";",
                                                 u, sizeof(u), p, sizeof(p)),
                     0);
    assert_string_equal(u, "bob");
    assert_int_equal(
        kafka_java_jaas_credentials("X required username=\"bob\";", u, sizeof(u), p, sizeof(p)),
        -1);
    assert_int_equal(kafka_java_jaas_credentials("X required xusername=\"b\" password=\"p\";", u,
                                                 sizeof(u), p, sizeof(p)),
                     -1);
    assert_int_equal(kafka_java_jaas_credentials("X required username=\"unterminated", u, sizeof(u),
                                                 p, sizeof(p)),
                     -1);
}

static void test_translate(void **state)
{
    (void)state;
    char path[] = "/tmp/krest-test-pemXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "-----BEGIN CERTIFICATE-----\n", 28), 28);
    close(fd);
    config_kv_t in[] = {
        {"security.protocol", "SASL_SSL"},
        {"sasl.mechanism", "SCRAM-SHA-512"},
        {"sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                             "username=\"u\" password=\"p\";"},
        {"ssl.truststore.location", path},
        {"ssl.truststore.password", "x"},
        {"ssl.protocol", "TLSv1.3"},
        {"ssl.endpoint.identification.algorithm", ""},
        {"linger.ms", "7"},
    };
    config_kv_t *out;
    size_t n = kafka_java_translate(in, sizeof(in) / sizeof(in[0]), "client.", false, &out);
    assert_string_equal(get(out, n, "security.protocol"), "SASL_SSL");
    assert_string_equal(get(out, n, "sasl.mechanism"), "SCRAM-SHA-512");
    assert_string_equal(get(out, n, "sasl.username"), "u");
    assert_string_equal(get(out, n, "sasl.password"), "p");
    assert_string_equal(get(out, n, "ssl.ca.location"), path);
    assert_string_equal(get(out, n, "ssl.endpoint.identification.algorithm"), "none");
    assert_string_equal(get(out, n, "linger.ms"), "7");
    assert_null(get(out, n, "ssl.protocol"));
    assert_null(get(out, n, "ssl.truststore.password"));
    assert_null(get(out, n, "sasl.jaas.config"));
    assert_null(get(out, n, "ssl.truststore.location"));
    config_kv_free(out, n);
    unlink(path);
}

static void test_jks_refused(void **state)
{
    (void)state;
    char path[] = "/tmp/krest-test-jksXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "\xfe\xed\xfe\xed\0\0\0\2", 8), 8);
    close(fd);
    config_kv_t in[] = {{"ssl.keystore.location", path}, {"ssl.truststore.location", path}};
    config_kv_t *out;
    size_t n = kafka_java_translate(in, 2, "client.", true, &out);
    assert_int_equal(n, 0);
    config_kv_free(out, n);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jaas),
        cmocka_unit_test(test_translate),
        cmocka_unit_test(test_jks_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
