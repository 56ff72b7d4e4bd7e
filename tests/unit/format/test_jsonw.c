/* tests/unit/format/test_jsonw.c -- the JSON writer: commas, escaping, limits. */
#include "format/jsonw.h"

#include <setjmp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

static void test_shapes(void **state)
{
    (void)state;
    kr_buf_t b;
    kr_buf_init(&b, 0);
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &b);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "a");
    fmt_jsonw_int(&w, INT64_MIN);
    fmt_jsonw_key(&w, "b");
    fmt_jsonw_arr_begin(&w);
    fmt_jsonw_bool(&w, true);
    fmt_jsonw_null(&w);
    fmt_jsonw_str(&w, NULL);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_obj_end(&w);
    fmt_jsonw_arr_begin(&w);
    fmt_jsonw_arr_end(&w);
    fmt_jsonw_raw(&w, "{\"x\":1}", 7);
    fmt_jsonw_arr_end(&w);
    fmt_jsonw_key(&w, "c");
    fmt_jsonw_bool(&w, false);
    fmt_jsonw_obj_end(&w);
    assert_int_equal(fmt_jsonw_finish(&w), 0);
    assert_string_equal(b.data,
                        "{\"a\":-9223372036854775808,\"b\":[true,null,null,{},[],{\"x\":1}],"
                        "\"c\":false}");
    kr_buf_deinit(&b);
}

static void test_escaping(void **state)
{
    (void)state;
    kr_buf_t b;
    kr_buf_init(&b, 0);
    const char in[] = "q\"b\\s/n\nr\rt\tb\bf\f\x01\x1f\x7f\xc3\xa9";
    assert_int_equal(fmt_json_quote(&b, in, sizeof(in) - 1), 0);
    assert_string_equal(b.data, "\"q\\\"b\\\\s/n\\nr\\rt\\tb\\bf\\f\\u0001\\u001f\x7f\xc3\xa9\"");
    kr_buf_reset(&b);
    const char nul[] = {'a', '\0', 'b'};
    assert_int_equal(fmt_json_quote(&b, nul, 3), 0);
    assert_string_equal(b.data, "\"a\\u0000b\"");
    kr_buf_deinit(&b);
}

/* Invalid UTF-8 never reaches a response raw: each such byte is \ufffd (issue 19). */
static void test_invalid_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
        {"\xff\xfe", "\"\\ufffd\\ufffd\""},
        {"a\xc3", "\"a\\ufffd\""},
        {"\xc0\xaf", "\"\\ufffd\\ufffd\""},            /* overlong '/' */
        {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""}, /* a surrogate */
        {"\xf0\x9f\x98\x80!", "\"\xf0\x9f\x98\x80!\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        kr_buf_t b;
        kr_buf_init(&b, 0);
        assert_int_equal(fmt_json_quote(&b, cases[i].in, strlen(cases[i].in)), 0);
        assert_int_equal(kr_buf_putc(&b, '\0'), 0);
        assert_string_equal(b.data, cases[i].out);
        kr_buf_deinit(&b);
    }
    assert_int_equal(fmt_utf8_len("\xe2\x82\xac", 3), 3);
    assert_int_equal(fmt_utf8_len("\xe2\x82", 2), 0);
}

static void test_i64(void **state)
{
    (void)state;
    const struct {
        int64_t v;
        const char *s;
    } cases[] = {{0, "0"},
                 {-1, "-1"},
                 {9, "9"},
                 {10, "10"},
                 {1234567890, "1234567890"},
                 {INT64_MAX, "9223372036854775807"},
                 {INT64_MIN, "-9223372036854775808"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[FMT_JSON_I64_MAX + 1];
        size_t n = fmt_json_i64(out, cases[i].v);
        out[n] = '\0';
        assert_string_equal(out, cases[i].s);
    }
    /* every length and sign, against printf */
    for (int64_t v = 1, k = 0; k < 19; k++, v = k < 19 ? v * 10 : v) {
        const int64_t around[] = {v - 1, v, v + 1, -v, -(v - 1), v * 7 / 3};
        for (size_t j = 0; j < sizeof(around) / sizeof(around[0]); j++) {
            char out[FMT_JSON_I64_MAX + 1], want[32];
            out[fmt_json_i64(out, around[j])] = '\0';
            snprintf(want, sizeof(want), "%" PRId64, around[j]);
            assert_string_equal(out, want);
        }
    }
}

static void test_limits(void **state)
{
    (void)state;
    kr_buf_t b;
    kr_buf_init(&b, 16);
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &b);
    fmt_jsonw_str(&w, "this string is longer than sixteen bytes");
    assert_int_equal(fmt_jsonw_finish(&w), -1);
    kr_buf_deinit(&b);
    kr_buf_init(&b, 0);
    fmt_jsonw_init(&w, &b);
    for (int i = 0; i < 100; i++)
        fmt_jsonw_arr_begin(&w);
    assert_int_equal(fmt_jsonw_finish(&w), -1);
    kr_buf_deinit(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),       cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_invalid_utf8), cmocka_unit_test(test_i64),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
