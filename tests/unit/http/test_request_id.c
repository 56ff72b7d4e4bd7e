/* tests/unit/http/test_request_id.c -- which X-Request-ID values are kept, and the made ones. */
#include "http/request_id.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static void assert_made(const char *id)
{
    assert_int_equal(strlen(id), 16);
    for (size_t i = 0; i < 16; i++)
        assert_non_null(strchr("0123456789abcdef", id[i]));
}

static void test_sane_ids_are_kept(void **state)
{
    (void)state;
    char max[HTTP_REQUEST_ID_MAX + 1];
    memset(max, 'x', HTTP_REQUEST_ID_MAX);
    max[HTTP_REQUEST_ID_MAX] = '\0';
    const char *good[] = {"a", "abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e", "!~", max};
    char out[HTTP_REQUEST_ID_MAX + 1];
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_true(http_request_id_take(good[i], out));
        assert_string_equal(out, good[i]);
    }
}

static void test_hostile_ids_are_replaced(void **state)
{
    (void)state;
    char long_id[HTTP_REQUEST_ID_MAX + 2];
    memset(long_id, 'x', HTTP_REQUEST_ID_MAX + 1);
    long_id[HTTP_REQUEST_ID_MAX + 1] = '\0';
    const char *bad[] = {NULL, "", "a b", "tab\t", "nl\n", "del\x7f", "caf\xc3\xa9", long_id};
    char out[HTTP_REQUEST_ID_MAX + 1];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(http_request_id_sane(bad[i]));
        assert_false(http_request_id_take(bad[i], out));
        assert_made(out);
    }
}

static void test_made_ids_differ(void **state)
{
    (void)state;
    char a[HTTP_REQUEST_ID_MAX + 1], b[HTTP_REQUEST_ID_MAX + 1];
    http_request_id_take(NULL, a);
    for (int i = 0; i < 1000; i++) {
        http_request_id_take(NULL, b);
        assert_string_not_equal(a, b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sane_ids_are_kept),
        cmocka_unit_test(test_hostile_ids_are_replaced),
        cmocka_unit_test(test_made_ids_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
