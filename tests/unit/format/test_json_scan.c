/* tests/unit/format/test_json_scan.c -- the string readers the v2 and v3 record decoders share
 * (fmt_jscan_text, fmt_jscan_text_append). */
#include "format/json_scan.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void test_text(void **state)
{
    (void)state;
    const char *body = "  \"a\\u00e9\\/b\" \"plain\" 12";
    kr_err_t err = {0};
    fmt_jscan_t js;
    fmt_jscan_init(&js, body, strlen(body), 64, 422, &err);
    strcpy(js.path, "records[0].key");
    const char *s;
    size_t n;
    assert_int_equal(fmt_jscan_text(&js, "expected a string", &s, &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(s, "a\xc3\xa9/b", 5); /* unescaped */
    assert_int_equal(fmt_jscan_text(&js, "expected a string", &s, &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(s, "plain", 5);
    assert_int_equal(fmt_jscan_text(&js, "expected a base64 string", &s, &n), -1);
    assert_int_equal(err.code, 422); /* the scanner's type code */
    assert_string_equal(err.msg, "records[0].key: expected a base64 string");
    assert_true(js.p == js.end); /* the wrong value was consumed */
    fmt_jscan_deinit(&js);
}

static void test_text_append(void **state)
{
    (void)state;
    const char *body = "null \"x\\ty\" \"toolong\"";
    kr_err_t err = {0};
    fmt_jscan_t js;
    fmt_jscan_init(&js, body, strlen(body), 64, 400, &err);
    strcpy(js.path, "headers[0].name");
    kr_buf_t out;
    kr_buf_init(&out, 6);
    bool present = true;
    assert_int_equal(fmt_jscan_text_append(&js, &out, &present), 0);
    assert_false(present);
    assert_int_equal(out.len, 0);
    assert_int_equal(fmt_jscan_text_append(&js, &out, &present), 0);
    assert_true(present);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "x\ty", 3);
    assert_int_equal(fmt_jscan_text_append(&js, &out, &present), -1); /* 3 + 7 > 6 */
    assert_false(present);
    assert_int_equal(err.code, 413);
    assert_string_equal(err.msg, "the request is too large");
    assert_int_equal(out.len, 3);
    fmt_jscan_deinit(&js);

    kr_err_t err2 = {0};
    fmt_jscan_init(&js, "{}", 2, 64, 400, &err2);
    strcpy(js.path, "headers[0].name");
    assert_int_equal(fmt_jscan_text_append(&js, &out, &present), -1);
    assert_int_equal(err2.code, 400);
    assert_string_equal(err2.msg, "headers[0].name: expected a string");
    fmt_jscan_deinit(&js);
    kr_buf_deinit(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_text_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
