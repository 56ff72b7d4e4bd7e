/* tests/unit/config/test_secrets.c -- config/secrets.c: which keys hold secrets, and that an
 * invalid value of one is never echoed in the error. Threads: single. */
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
    const char *secret[] = {"ssl.keystore.password",   "ssl.key.password",
                            "ssl.truststore.password", "client.sasl.jaas.config",
                            "client.sasl.password",    "schema.registry.basic.auth.user.info",
                            "client.ssl.key.password", "client.sasl.oauthbearer.client.secret"};
    const char *plain[] = {"ssl.keystore.location", "ssl.keystore.type", "listeners",
                           "client.sasl.mechanism", "ssl.principal.mapping.rules"};
    for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
        if (!config_key_is_secret(secret[i]))
            fail_msg("%s is not treated as a secret", secret[i]);
    }
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        if (config_key_is_secret(plain[i]))
            fail_msg("%s is treated as a secret", plain[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_secret_keys)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
