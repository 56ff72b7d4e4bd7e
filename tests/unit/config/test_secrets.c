/* tests/unit/config/test_secrets.c -- config/secrets.c: which keys hold secrets, and that an
 * invalid value of one, or a malformed argument carrying one, is never echoed in the error.
 * Threads: single. */
#include "config/config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

static void test_secret_keys(void **state)
{
    (void)state;
    const char *secret[] = {"ssl.keystore.password",
                            "ssl.key.password",
                            "ssl.truststore.password",
                            "client.sasl.jaas.config",
                            "client.sasl.password",
                            "schema.registry.basic.auth.user.info",
                            "client.ssl.key.password",
                            "client.sasl.oauthbearer.client.secret",
                            "krest.cluster.secret",
                            "client.ssl.keystore.password",
                            "client.ssl.truststore.password",
                            "producer.sasl.password",
                            "client.sasl.oauthbearer.config",
                            "schema.registry.bearer.auth.token",
                            "client.ssl.key.pem",
                            "client.ssl.keystore.key",
                            "schema.registry.ssl.keystore.password"};
    const char *plain[] = {"ssl.keystore.location",
                           "ssl.keystore.type",
                           "listeners",
                           "client.sasl.mechanism",
                           "ssl.principal.mapping.rules",
                           "krest.cluster.enable",
                           "client.ssl.keystore.location",
                           "client.ssl.truststore.location",
                           "krest.authentication.jaas.file",
                           "authentication.realm",
                           "client.sasl.username",
                           "client.ssl.certificate.location"};
    for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
        if (!config_key_is_secret(secret[i]))
            fail_msg("%s is not treated as a secret", secret[i]);
    }
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        if (config_key_is_secret(plain[i]))
            fail_msg("%s is treated as a secret", plain[i]);
    }
}

/* A malformed argument that carries a secret (no "--", or one dash) is refused without quoting
 * its value; a properties file path with '=' in it is still a file. */
static void test_malformed_secret_arg_not_echoed(void **state)
{
    (void)state;
    const char *args[] = {"client.sasl.password=hunter2-value",
                          "-krest.cluster.secret=hunter2-value",
                          "client.sasl.jaas.config=PlainLoginModule password=\"hunter2-value\""};
    static char *empty_env[] = {NULL};
    for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        char *argv[] = {"krest", (char *)args[i], NULL};
        krest_config_t *cfg = NULL;
        kr_err_t err = {0};
        assert_int_not_equal(config_load(2, argv, empty_env, &cfg, &err), 0);
        if (strstr(err.msg, "hunter2"))
            fail_msg("the secret is in the error: %s", err.msg);
        assert_non_null(strstr(err.msg, "secret key"));
    }
    char *argv[] = {"krest", "/nonexistent/a=password.properties", NULL};
    krest_config_t *cfg = NULL;
    kr_err_t err = {0};
    assert_int_not_equal(config_load(2, argv, empty_env, &cfg, &err), 0);
    assert_null(strstr(err.msg, "secret key"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_secret_keys),
                                       cmocka_unit_test(test_malformed_secret_arg_not_echoed)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
