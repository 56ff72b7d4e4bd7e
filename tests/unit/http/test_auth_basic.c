/* tests/unit/http/test_auth_basic.c -- http/auth_basic: the Basic Authorization header (the
 * scheme in any case, blanks, padding optional, the split at the first ':', refusals).
 * Threads: single. */
#include "http/auth_basic.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

static char g_buf[HTTP_AUTH_BASIC_BUF];
static const char *g_user, *g_password, *g_why;

static http_auth_basic_rc_t parse(const char *value)
{
    g_user = g_password = g_why = NULL;
    return http_auth_basic_parse(value, g_buf, &g_user, &g_password, &g_why);
}

static void test_basic_ok(void **state)
{
    (void)state;
    /* alice:secret */
    assert_int_equal(parse("Basic YWxpY2U6c2VjcmV0"), HTTP_AUTH_BASIC_OK);
    assert_string_equal(g_user, "alice");
    assert_string_equal(g_password, "secret");
    assert_int_equal(parse(" bAsIc \t YWxpY2U6c2VjcmV0  "), HTTP_AUTH_BASIC_OK);
    assert_string_equal(g_password, "secret");
    /* a:b:c -- the password may hold ':' */
    assert_int_equal(parse("Basic YTpiOmM="), HTTP_AUTH_BASIC_OK);
    assert_string_equal(g_user, "a");
    assert_string_equal(g_password, "b:c");
    /* unpadded (Java's decoder takes it) */
    assert_int_equal(parse("Basic YTpiOmM"), HTTP_AUTH_BASIC_OK);
    assert_string_equal(g_password, "b:c");
    /* ":" -- empty user and password are the check's business, not the parser's */
    assert_int_equal(parse("Basic Og=="), HTTP_AUTH_BASIC_OK);
    assert_string_equal(g_user, "");
    assert_string_equal(g_password, "");
}

static void test_basic_none(void **state)
{
    (void)state;
    assert_int_equal(parse(NULL), HTTP_AUTH_BASIC_NONE);
    assert_int_equal(parse(""), HTTP_AUTH_BASIC_NONE);
    assert_int_equal(parse("Bearer abc"), HTTP_AUTH_BASIC_NONE);
    assert_int_equal(parse("BasicYWxpY2U6c2VjcmV0"), HTTP_AUTH_BASIC_NONE);
    assert_int_equal(parse("Basi"), HTTP_AUTH_BASIC_NONE);
}

static void test_basic_malformed(void **state)
{
    (void)state;
    const char *bad[] = {
        "Basic",
        "Basic   ",
        "Basic !!!!",
        "Basic YWxpY2U=",
        /* no colon */ "Basic Y", /* one char: no byte */
        "Basic YWxp Y2U6c2VjcmV0",
        "Basic YQE6Yg==", /* a\x01:b */
        "Basic YTpiAGM=", /* a:b\0c */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i]) != HTTP_AUTH_BASIC_MALFORMED)
            fail_msg("'%s' is not malformed", bad[i]);
        assert_non_null(g_why);
    }
    static char big[HTTP_AUTH_BASIC_MAX + 16];
    memcpy(big, "Basic ", 6);
    memset(big + 6, 'Q', HTTP_AUTH_BASIC_MAX + 1);
    assert_int_equal(parse(big), HTTP_AUTH_BASIC_MALFORMED);
    assert_non_null(strstr(g_why, "too long"));
    /* the longest accepted: HTTP_AUTH_BASIC_MAX characters */
    for (size_t i = 0; i < HTTP_AUTH_BASIC_MAX; i += 4)
        memcpy(big + 6 + i, i == 0 ? "YTpi" : "YWFh", 4); /* "a:b" then "aaa"s */
    big[6 + HTTP_AUTH_BASIC_MAX] = '\0';
    assert_int_equal(parse(big), HTTP_AUTH_BASIC_OK);
    assert_string_equal(g_user, "a");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_ok),
        cmocka_unit_test(test_basic_none),
        cmocka_unit_test(test_basic_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
