/* Unit tests of http/ratelimit.c: GCRA buckets and the per-client table. */
#include "http/ratelimit.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#define SEC 1000000000LL

static void test_bucket_burst_then_rate(void **state)
{
    (void)state;
    http_bucket_t b;
    http_bucket_init(&b, 10);
    int64_t now = 5 * SEC, wait = -1;
    for (int i = 0; i < 10; i++)
        assert_int_equal(http_bucket_take(&b, now, 1, 0, &wait), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(http_bucket_take(&b, now, 1, 0, &wait), -1);
    /* one permit comes back every 100 ms */
    assert_int_equal(http_bucket_take(&b, now + SEC / 10, 1, 0, &wait), 0);
    assert_int_equal(http_bucket_take(&b, now + SEC / 10, 1, 0, &wait), -1);
    /* with a timeout: reserved ahead, the wait returned */
    assert_int_equal(http_bucket_take(&b, now + SEC / 10, 1, SEC, &wait), 0);
    assert_true(wait > 0 && wait <= SEC / 10);
}

static void test_bucket_cost(void **state)
{
    (void)state;
    http_bucket_t b;
    http_bucket_init(&b, 10);
    int64_t wait;
    assert_int_equal(http_bucket_take(&b, SEC, 5, 0, &wait), 0);
    assert_int_equal(http_bucket_take(&b, SEC, 5, 0, &wait), 0);
    assert_int_equal(http_bucket_take(&b, SEC, 5, 0, &wait), -1);
    /* refused takes leave nothing behind: a full second later the bucket is full */
    assert_int_equal(http_bucket_take(&b, 2 * SEC, 10, 0, &wait), 0);
}

static struct sockaddr_in v4(uint32_t a)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(a);
    return sa;
}

static void test_clients_are_separate(void **state)
{
    (void)state;
    http_client_limits_t *cl = http_client_limits_new(3);
    struct sockaddr_in a = v4(0x7f000001), b = v4(0x7f000002);
    int64_t wait;
    for (int i = 0; i < 3; i++)
        assert_int_equal(http_client_limits_take(cl, (struct sockaddr *)&a, SEC, 1, 0, &wait), 0);
    assert_int_equal(http_client_limits_take(cl, (struct sockaddr *)&a, SEC, 1, 0, &wait), -1);
    assert_int_equal(http_client_limits_take(cl, (struct sockaddr *)&b, SEC, 1, 0, &wait), 0);
    http_client_limits_free(cl);
}

static void test_ipv6_keyed_by_prefix(void **state)
{
    (void)state;
    http_client_limits_t *cl = http_client_limits_new(1);
    struct sockaddr_in6 x = {.sin6_family = AF_INET6}, y = {.sin6_family = AF_INET6};
    x.sin6_addr.s6_addr[0] = y.sin6_addr.s6_addr[0] = 0x20;
    x.sin6_addr.s6_addr[15] = 1;
    y.sin6_addr.s6_addr[15] = 2; /* same /64 */
    int64_t wait;
    assert_int_equal(http_client_limits_take(cl, (struct sockaddr *)&x, SEC, 1, 0, &wait), 0);
    assert_int_equal(http_client_limits_take(cl, (struct sockaddr *)&y, SEC, 1, 0, &wait), -1);
    http_client_limits_free(cl);
}

static void test_table_is_bounded(void **state)
{
    (void)state;
    http_client_limits_t *cl = http_client_limits_new(1);
    int64_t wait;
    /* far more clients than slots: every newcomer still gets a (fresh or reclaimed) bucket */
    for (uint32_t i = 0; i < 4 * HTTP_CLIENT_SLOTS; i++) {
        struct sockaddr_in a = v4(0x0a000000 + i);
        assert_int_equal(
            http_client_limits_take(cl, (struct sockaddr *)&a, SEC + i * 1000, 1, 0, &wait), 0);
    }
    http_client_limits_free(cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket_burst_then_rate), cmocka_unit_test(test_bucket_cost),
        cmocka_unit_test(test_clients_are_separate),   cmocka_unit_test(test_ipv6_keyed_by_prefix),
        cmocka_unit_test(test_table_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
