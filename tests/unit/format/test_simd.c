/* tests/unit/format/test_simd.c -- the plain-string scan: AVX2 and scalar agree with a byte-by-
 * byte reference for every byte value at every position, and never read past the end. */
#include "format/simd.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

static const char *reference(const char *p, const char *end)
{
    for (; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
            return p;
    }
    return end;
}

static void check_all(bool simd)
{
    enum { N = 100 }; /* three AVX2 blocks, word steps and single bytes */
    fmt_simd_enable(simd);
    for (size_t len = 0; len <= N; len += (len < 40 ? 1 : 7)) {
        for (size_t pos = 0; pos < len; pos++) {
            for (int c = 0; c < 256; c++) {
                /* exactly len bytes on the heap: ASan sees a read past the end */
                char *s = malloc(len ? len : 1);
                memset(s, 'a', len);
                s[pos] = (char)c;
                const char *got = fmt_simd_scan_plain(s, s + len);
                if (got != reference(s, s + len))
                    fail_msg("simd %d: byte 0x%02x at %zu of %zu: stopped at %td", simd, c, pos,
                             len, got - s);
                free(s);
            }
        }
        char *s = malloc(len ? len : 1);
        memset(s, 'b', len);
        assert_ptr_equal(fmt_simd_scan_plain(s, s + len), s + len);
        free(s);
    }
    fmt_simd_enable(true);
}

static void test_scan_simd(void **state)
{
    (void)state;
    check_all(true);
}

static void test_scan_scalar(void **state)
{
    (void)state;
    check_all(false);
}

/* The first of several special bytes is found, whichever kind comes first. */
static void test_first_of_many(void **state)
{
    (void)state;
    char s[80];
    memset(s, 'x', sizeof(s));
    s[50] = '\\';
    s[40] = '"';
    s[45] = '\n';
    assert_ptr_equal(fmt_simd_scan_plain(s, s + sizeof(s)), s + 40);
    s[33] = (char)0xc3;
    assert_ptr_equal(fmt_simd_scan_plain(s, s + sizeof(s)), s + 33);
    s[1] = 0x1f;
    assert_ptr_equal(fmt_simd_scan_plain(s, s + sizeof(s)), s + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_simd),
        cmocka_unit_test(test_scan_scalar),
        cmocka_unit_test(test_first_of_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
