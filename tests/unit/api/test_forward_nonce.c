/* tests/unit/api/test_forward_nonce.c -- api/forward_nonce: a nonce is new once and seen after
 * until it expires, the cache never forgets a valid nonce to make room (full: refused), and
 * expired nonces make room again. Threads: single. */
#include "api/forward_nonce.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void nonce_of(uint32_t i, unsigned char n[FWD_NONCE_LEN])
{
    memset(n, 0xa5, FWD_NONCE_LEN);
    memcpy(n, &i, sizeof(i));
    memcpy(n + 8, &i, sizeof(i));
}

static void test_replay_refused_until_expiry(void **state)
{
    (void)state;
    fwd_nonces_t *c = fwd_nonces_new(64);
    unsigned char n[FWD_NONCE_LEN];
    nonce_of(7, n);
    assert_int_equal(fwd_nonces_add(c, n, 2000, 1000), FWD_NONCE_NEW);
    assert_int_equal(fwd_nonces_add(c, n, 2000, 1500), FWD_NONCE_SEEN);
    assert_int_equal(fwd_nonces_add(c, n, 2000, 1999), FWD_NONCE_SEEN);
    nonce_of(8, n);
    assert_int_equal(fwd_nonces_add(c, n, 2000, 1999), FWD_NONCE_NEW);
    fwd_nonces_free(c);
}

static void test_full_refuses_then_expiry_frees(void **state)
{
    (void)state;
    fwd_nonces_t *c = fwd_nonces_new(100);
    unsigned char n[FWD_NONCE_LEN];
    for (uint32_t i = 0; i < 100; i++) {
        nonce_of(i * 2654435761u, n); /* spread over the slots, some colliding */
        assert_int_equal(fwd_nonces_add(c, n, 5000, 1000), FWD_NONCE_NEW);
    }
    nonce_of(12345, n);
    assert_int_equal(fwd_nonces_add(c, n, 5000, 1000), FWD_NONCE_FULL);
    /* every one of the 100 is still remembered */
    for (uint32_t i = 0; i < 100; i++) {
        nonce_of(i * 2654435761u, n);
        assert_int_equal(fwd_nonces_add(c, n, 5000, 2000), FWD_NONCE_FULL);
    }
    /* once they expire there is room, and the old ones are new again */
    nonce_of(0, n);
    assert_int_equal(fwd_nonces_add(c, n, 9000, 5001), FWD_NONCE_NEW);
    assert_int_equal(fwd_nonces_add(c, n, 9000, 5002), FWD_NONCE_SEEN);
    for (uint32_t i = 1; i < 100; i++) {
        nonce_of(i * 2654435761u, n);
        assert_int_equal(fwd_nonces_add(c, n, 9000, 5003), FWD_NONCE_NEW);
    }
    fwd_nonces_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_refused_until_expiry),
        cmocka_unit_test(test_full_refuses_then_expiry_frees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
