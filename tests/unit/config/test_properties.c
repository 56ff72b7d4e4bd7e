/* tests/unit/config/test_properties.c -- config/properties: the Java .properties parser
 * (separators, comments, continuations, escapes, line endings, NUL bytes).
 * Threads: single. */
#include "config/properties.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/mem.h"

#include <string.h>

typedef struct pairs {
    char *key[32];
    char *value[32];
    size_t line[32];
    size_t n;
} pairs_t;

static int collect_pair(void *ctx, const char *key, const char *value, size_t line, kr_err_t *err)
{
    (void)err;
    pairs_t *p = ctx;
    assert_true(p->n < 32);
    p->key[p->n] = xstrdup(key);
    p->value[p->n] = xstrdup(value);
    p->line[p->n] = line;
    p->n++;
    return 0;
}

static void pairs_free(pairs_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        xfree(p->key[i]);
        xfree(p->value[i]);
    }
    p->n = 0;
}

static int parse(const char *text, pairs_t *p, kr_err_t *err)
{
    memset(p, 0, sizeof(*p));
    kr_err_clear(err);
    return config_props_parse(text, strlen(text), collect_pair, p, err);
}

static void test_props_separators(void **state)
{
    (void)state;
    pairs_t p;
    kr_err_t err;
    assert_int_equal(parse("a=1\nb: 2\nc 3\n  d\t=\t4\ne = = 5\nf\n=\n:x\ng:=h\n", &p, &err), 0);
    const char *want[][2] = {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "= 5"},
                             {"f", ""},  {"", ""},   {"", "x"},  {"g", "=h"}};
    assert_int_equal(p.n, 9);
    for (size_t i = 0; i < 9; i++) {
        assert_string_equal(p.key[i], want[i][0]);
        assert_string_equal(p.value[i], want[i][1]);
    }
    pairs_free(&p);
}

static void test_props_comments_and_blanks(void **state)
{
    (void)state;
    pairs_t p;
    kr_err_t err;
    const char *text = "# comment\n! also\n   # indented\n\n   \n\t\na=1 # not a comment\n"
                       "# comment ending in backslash \\\nb=2\n";
    assert_int_equal(parse(text, &p, &err), 0);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.key[0], "a");
    assert_string_equal(p.value[0], "1 # not a comment");
    assert_int_equal(p.line[0], 7);
    assert_string_equal(p.key[1], "b");
    assert_int_equal(p.line[1], 9);
    pairs_free(&p);
}

static void test_props_continuation(void **state)
{
    (void)state;
    pairs_t p;
    kr_err_t err;
    const char *text = "list = a,\\\n       b,\\\n\t# c\nx=even\\\\\ny=1\nz=end\\";
    assert_int_equal(parse(text, &p, &err), 0);
    assert_int_equal(p.n, 4);
    assert_string_equal(p.value[0], "a,b,# c");
    assert_string_equal(p.value[1], "even\\");
    assert_string_equal(p.key[2], "y");
    assert_string_equal(p.key[3], "z");
    assert_string_equal(p.value[3], "end");
    pairs_free(&p);

    /* a whitespace-only continuation line ends the value */
    assert_int_equal(parse("a=1\\\n   \nb=2\n", &p, &err), 0);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.value[0], "1");
    pairs_free(&p);
}

static void test_props_escapes(void **state)
{
    (void)state;
    pairs_t p;
    kr_err_t err;
    const char *text = "k\\=e\\:y\\ 1 = t\\tn\\nr\\rf\\f\\\\\\=\\:\\ \\q\n"
                       "u=\\u00e9\\u20AC\\uD83D\\uDE00\\u0041\n"
                       "trail = kept  \n";
    assert_int_equal(parse(text, &p, &err), 0);
    assert_int_equal(p.n, 3);
    assert_string_equal(p.key[0], "k=e:y 1");
    assert_string_equal(p.value[0], "t\tn\nr\rf\f\\=: q");
    assert_string_equal(p.value[1], "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
                                    "A");
    assert_string_equal(p.value[2], "kept  ");
    pairs_free(&p);

    const char *bad[] = {"a=\\u12\n",   "a=\\u12g4\n", "a=\\uD83D\n",       "a=\\uD83Dx\n",
                         "a=\\uDE00\n", "a=\\u0000\n", "a=\\uD83D\\u0041\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(bad[i], &p, &err), -1);
        assert_int_equal(err.code, KR_ERR_UNPROCESSABLE);
        assert_non_null(strstr(err.msg, "line 1"));
        pairs_free(&p);
    }
}

static void test_props_line_endings(void **state)
{
    (void)state;
    pairs_t p;
    kr_err_t err;
    assert_int_equal(parse("a=1\r\nb=2\rc=3 \r\nd=x\\\r\n  y\r\n", &p, &err), 0);
    assert_int_equal(p.n, 4);
    assert_string_equal(p.value[0], "1");
    assert_string_equal(p.value[1], "2");
    assert_string_equal(p.value[2], "3 ");
    assert_string_equal(p.value[3], "xy");
    assert_int_equal(p.line[2], 3);
    pairs_free(&p);
}

static void test_props_nul_byte(void **state)
{
    (void)state;
    pairs_t p = {.n = 0};
    kr_err_t err;
    const char text[] = "a=1\nb=\0x\n";
    assert_int_equal(config_props_parse(text, sizeof(text) - 1, collect_pair, &p, &err), -1);
    assert_non_null(strstr(err.msg, "line 2"));
    pairs_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_props_separators),   cmocka_unit_test(test_props_comments_and_blanks),
        cmocka_unit_test(test_props_continuation), cmocka_unit_test(test_props_escapes),
        cmocka_unit_test(test_props_line_endings), cmocka_unit_test(test_props_nul_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
