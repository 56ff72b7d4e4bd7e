/* tests/unit/api/test_v3.c -- api/v3's pure helpers: enum parsing (case-insensitive, 404 with
 * Confluent's message), the cluster check (404, 502 without a cluster id), query encoding as
 * Java's URLEncoder. Threads: single. */
#include "api/v3.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static const char *const ops[] = {"UNKNOWN", "ANY", "ALL", "READ", "WRITE"};

static void test_enum_parse(void **state)
{
    (void)state;
    kr_err_t err = {0};
    assert_int_equal(api_v3_enum_parse("Operation", ops, 5, "read", &err), 3);
    assert_int_equal(api_v3_enum_parse("Operation", ops, 5, "wRiTe", &err), 4);
    assert_int_equal(api_v3_enum_parse("Operation", ops, 5, "REED", &err), -1);
    assert_int_equal(err.code, 404);
    assert_string_equal(err.msg, "The valid values for Operation do not include 'REED'");
    assert_int_equal(api_v3_enum_parse("Operation", ops, 5, "", &err), -1);
}

static void test_cluster_check(void **state)
{
    (void)state;
    kr_err_t err = {0};
    kafka_md_t md = {.cluster_id = (char *)"abc"};
    assert_int_equal(api_v3_cluster_check(&md, "abc", &err), 0);
    assert_int_equal(api_v3_cluster_check(&md, "ABC", &err), -1);
    assert_int_equal(err.code, 404);
    assert_string_equal(err.msg, "Cluster ABC cannot be found.");
    md.cluster_id = NULL;
    assert_int_equal(api_v3_cluster_check(&md, "abc", &err), -1);
    assert_int_equal(kr_err_http_status(err.code), 502);
}

static void test_query_encode(void **state)
{
    (void)state;
    kr_buf_t b;
    kr_buf_init(&b, 1024);
    api_v3_query_encode(&b, "User:alice a*b.c_d-e/f=\xc3\xa9");
    kr_buf_putc(&b, '\0');
    assert_string_equal(b.data, "User%3Aalice+a*b.c_d-e%2Ff%3D%C3%A9");
    kr_buf_deinit(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enum_parse),
        cmocka_unit_test(test_cluster_check),
        cmocka_unit_test(test_query_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
