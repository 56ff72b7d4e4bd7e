/* tests/unit/format/test_json.c -- strict parsing and error positions. */
#include "format/json.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

static json_object *parse(const char *s, int *is_null, kr_err_t *err)
{
    return fmt_json_parse(s, strlen(s), is_null, err);
}

static void test_valid(void **state)
{
    (void)state;
    int is_null;
    kr_err_t err = {0};
    json_object *o = parse("{\"records\":[{\"value\":1}]} \n", &is_null, &err);
    assert_non_null(o);
    assert_true(json_object_is_type(o, json_type_object));
    json_object_put(o);
    o = parse("12", &is_null, &err);
    assert_non_null(o);
    assert_int_equal(json_object_get_int64(o), 12);
    json_object_put(o);
    assert_null(parse("null", &is_null, &err));
    assert_true(is_null);
    o = parse("9223372036854775807", &is_null, &err);
    assert_int_equal(json_object_get_int64(o), INT64_MAX);
    json_object_put(o);
}

static void expect_error(const char *text, size_t len, const char *where)
{
    int is_null;
    kr_err_t err = {0};
    assert_null(fmt_json_parse(text, len, &is_null, &err));
    assert_false(is_null);
    assert_int_equal(err.code, 400);
    if (where && !strstr(err.msg, where))
        fail_msg("'%s' does not say '%s'", err.msg, where);
}

static void test_invalid(void **state)
{
    (void)state;
    expect_error("", 0, "empty");
    expect_error("  \n ", 4, "empty");
    expect_error("{\"a\":", 5, "line 1, column 6");
    expect_error("{\n\"a\": x}", 9, "line 2, column 6");
    expect_error("{} {}", 5, "column 4");
    expect_error("{'a':1}", 7, NULL);
    expect_error("[1,]", 4, NULL);
    expect_error("\"\xff\"", 3, NULL);
    expect_error("{\"a\":1}\0x", 9, NULL);
    expect_error(NULL, 0, "empty");
}

static void test_depth(void **state)
{
    (void)state;
    static char deep[1200]; /* 600 levels: past the 512 fmt_json_check() allows */
    memset(deep, '[', 600);
    memset(deep + 600, ']', 600);
    expect_error(deep, sizeof(deep), "deeper");
    int is_null;
    kr_err_t err = {0};
    json_object *o = fmt_json_parse(deep + 600 - 300, 600, &is_null, &err); /* 300: fine */
    assert_non_null(o);
    json_object_put(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
