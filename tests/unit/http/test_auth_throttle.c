/* tests/unit/http/test_auth_throttle.c -- http/auth_throttle: a failure holds back its own
 * (user, address) pair for a second and nobody else; at most AUTH_THROTTLE_PER_NAME checks a
 * second per name; a flood of other pairs never throttles a pair that did not fail.
 * Threads: single. */
#include "http/auth_throttle.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

static void test_pair_not_user(void **state)
{
    (void)state;
    auth_throttle_t *t = auth_throttle_new();
    assert_non_null(t);
    assert_true(auth_throttle_begin(t, "alice", "127.0.0.2", 1000));
    auth_throttle_failed(t, "alice", "127.0.0.2", 1010);
    assert_false(auth_throttle_begin(t, "alice", "127.0.0.2", 1500)); /* the guesser waits */
    assert_true(auth_throttle_begin(t, "alice", "127.0.0.1", 1500));  /* the user does not */
    assert_true(auth_throttle_begin(t, "bob", "127.0.0.2", 1500));    /* nor other names */
    assert_true(auth_throttle_begin(t, "alice", "127.0.0.2", 2010));  /* a second later */
    auth_throttle_free(t);
}

static void test_per_name_cap(void **state)
{
    (void)state;
    auth_throttle_t *t = auth_throttle_new();
    char addr[32];
    for (int i = 0; i < AUTH_THROTTLE_PER_NAME; i++) {
        snprintf(addr, sizeof(addr), "10.0.0.%d", i);
        assert_true(auth_throttle_begin(t, "carol", addr, 1000 + i));
    }
    assert_false(auth_throttle_begin(t, "carol", "10.0.1.1", 1100));
    assert_true(auth_throttle_begin(t, "dave", "10.0.1.1", 1100));
    assert_true(auth_throttle_begin(t, "carol", "10.0.1.1", 2000)); /* the next second */
    auth_throttle_free(t);
}

static void test_flood_never_invents_a_throttle(void **state)
{
    (void)state;
    auth_throttle_t *t = auth_throttle_new();
    char addr[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(addr, sizeof(addr), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        auth_throttle_failed(t, "alice", addr, 1000);
    }
    assert_true(auth_throttle_begin(t, "alice", "127.0.0.1", 1001));
    auth_throttle_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pair_not_user),
        cmocka_unit_test(test_per_name_cap),
        cmocka_unit_test(test_flood_never_invents_a_throttle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
