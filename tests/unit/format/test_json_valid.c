/* tests/unit/format/test_json_valid.c -- the boolean JSON validator: every edge of the grammar,
 * UTF-8, escapes and nesting, and strings crossing the 16- and 32-byte steps with escapes,
 * UTF-8 and errors at every offset. Each text is checked by fmt_json_valid() with AVX2 on and
 * off, by its portable build (json_valid.c compiled again with FMT_JSON_VALID_SCALAR), and by
 * fmt_json_check(), which must all give the expected answer; texts sit in heap blocks of their
 * exact size so that ASan sees any read past the end. */
#include "format/json_scan.h"
#include "format/simd.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The portable build, under another name, beside the linked one. */
bool json_valid_scalar(const char *text, size_t len);
#define FMT_JSON_VALID_SCALAR 1
#define fmt_json_valid        json_valid_scalar
#include "format/json_valid.c"
#undef fmt_json_valid
bool fmt_json_valid(const char *text, size_t len);

static void expect_n(const char *text, size_t len, bool want)
{
    char *s = malloc(len ? len : 1);
    assert_non_null(s);
    memcpy(s, text, len);
    kr_err_t err;
    bool check = fmt_json_check(s, len, &err) == 0;
    fmt_simd_enable(true);
    bool simd = fmt_json_valid(s, len);
    bool scalar_avx2 = json_valid_scalar(s, len);
    fmt_simd_enable(false);
    bool no_avx2 = fmt_json_valid(s, len);
    bool scalar = json_valid_scalar(s, len);
    fmt_simd_enable(true);
    free(s);
    if (check != want || simd != want || scalar_avx2 != want || no_avx2 != want || scalar != want) {
        char shown[81];
        size_t n = len < 80 ? len : 80;
        for (size_t i = 0; i < n; i++)
            shown[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '.';
        shown[n] = '\0';
        fail_msg("want %d: check %d valid %d/%d scalar %d/%d on %zu bytes \"%s\"", want, check,
                 simd, no_avx2, scalar_avx2, scalar, len, shown);
    }
}

static void expect(const char *text, bool want)
{
    expect_n(text, strlen(text), want);
}

static void test_valid(void **state)
{
    (void)state;
    static const char *texts[] = {
        "0",
        "-0",
        "7",
        "-12",
        "1.5",
        "-0.25",
        "1e5",
        "1E+5",
        "1e-05",
        "-1.5e+10",
        "0.0e0",
        "123456789012345678901234567890",
        "true",
        "false",
        "null",
        "\"\"",
        "\"a\"",
        "[]",
        "{}",
        " \t\r\n[ 1 , 2 ]\n",
        "[1,\"x\",true,false,null,{},[],-3.5e2]",
        "{\"\":0}",
        "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"e\"}",
        " { \"a\" : 1 , \"b\" : [ ] } ",
        "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
        "\"\\u0000\\u001f\\u00e9\\uFFFF\\uabcd\"",
        "\"\\uD83D\\uDE00\"",
        "\"\\udbff\\udfff\"",
        "\"\\ud800\\udc00x\"",
        "\"caf\xc3\xa9\"",
        "\"\xe4\xb8\xad\xe6\x96\x87\"",
        "\"\xf0\x9f\x98\x80\"",
        "\"\xf4\x8f\xbf\xbf\"",
        "\"\xef\xbf\xbf\"",
        "\"\xed\x9f\xbf\"",
        "\"\xee\x80\x80\"",
        "\"\xc2\x80\"",
        "\"\x7f\"",
        "[[[[[[[[]]]]]]]]",
        "{\"a\":{\"a\":{\"a\":{}}}}",
        "[{\"a\":[{\"b\":[]}]}]",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        expect(texts[i], true);
}

static void test_invalid(void **state)
{
    (void)state;
    static const char *texts[] = {
        "",
        " ",
        "\n\t\r ",
        "1 2",
        "{} x",
        "[]]",
        "01",
        "-01",
        "00",
        "-",
        "--1",
        "+1",
        "1.",
        "1.e5",
        "1e",
        "1e+",
        "1E-",
        ".5",
        "-.5",
        "0x10",
        "1.5.5",
        "NaN",
        "-NaN",
        "Infinity",
        "-Infinity",
        "tru",
        "nul",
        "fals",
        "True",
        "nulll",
        "truex",
        "[1,]",
        "[,1]",
        "[1 2]",
        "{\"a\":1,}",
        "{,}",
        "{\"a\"}",
        "{\"a\" 1}",
        "{\"a\":}",
        "{1:2}",
        "{a:1}",
        "{'a':1}",
        "['a']",
        "[",
        "]",
        "{",
        "}",
        "[}",
        "{]",
        "[{]}",
        "{\"a\":[}",
        "\"abc",
        "\"",
        "\"\\\"",
        "\"\\",
        "\"\\u12\"",
        "\"\\u123\"",
        "\"\\uZZZZ\"",
        "\"\\u00g0\"",
        "\"\\x41\"",
        "\"\\a\"",
        "\"\\U0041\"",
        "\"\\uD800\"",
        "\"\\uDC00\"",
        "\"\\uDFFF\"",
        "\"\\uD800\\u0041\"",
        "\"\\uD800\\uD800\"",
        "\"\\uD800\\n\"",
        "\"\\uD800x\"",
        "\"\\uD83D\\uDE0\"",
        "\"\xc0\xaf\"",
        "\"\xc1\xbf\"",
        "\"\xe0\x80\xaf\"",
        "\"\xe0\x9f\xbf\"",
        "\"\xf0\x80\x80\xaf\"",
        "\"\xf0\x8f\xbf\xbf\"",
        "\"\xed\xa0\x80\"",
        "\"\xed\xbf\xbf\"",
        "\"\xf4\x90\x80\x80\"",
        "\"\xf5\x80\x80\x80\"",
        "\"\xf8\x88\x80\x80\x80\"",
        "\"\xfe\"",
        "\"\xff\"",
        "\"\x80\"",
        "\"\xbf\"",
        "\"\xc3\"",
        "\"\xe4\xb8\"",
        "\"\xf0\x9f\x98\"",
        "\"\xc3\x28\"",
        "\"\xe4\x28\xad\"",
        "\"\xf0\x9f\x28\x80\"",
        "\xef\xbb\xbf{}",
        "\xc3\xa9",
        "[1]\xc3\xa9",
        "/* */1",
        "1//",
        "[1,2",
        "{\"a\":1",
        "\"a\"\"b\"",
        "[\"a\" \"b\"]",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        expect(texts[i], false);
    /* the byte after a one-character escape: only "\/bfnrt and u */
    for (int c = 0; c < 256; c++) {
        char s[5] = {'"', '\\', (char)c, '"', 0};
        expect_n(s, 4, c && strchr("\"\\/bfnrt", c) != NULL);
    }
    /* every lead byte alone, and every byte raw in a string: only 0x20-0x7f but '"', '\\' */
    for (int c = 0; c < 256; c++) {
        char s[4] = {'"', 'a', (char)c, '"'};
        expect_n(s, 4, c >= 0x20 && c < 0x80 && c != '"' && c != '\\');
        char bare[1] = {(char)c};
        expect_n(bare, 1, c >= '0' && c <= '9');
    }
    /* a NUL anywhere outside a string */
    expect_n("[1,\0 2]", 7, false);
    expect_n("1\0", 2, false);
}

/* depth containers, each an array or, where objects says so, an object {"k":...}. */
static char *nested(int depth, bool objects, bool alternate, size_t *len)
{
    char *s = malloc((size_t)depth * 10 + 8);
    size_t n = 0;
    for (int i = 0; i < depth; i++) {
        bool obj = alternate ? (i % 3 != 0) : objects;
        n += (size_t)snprintf(s + n, 8, obj ? "{\"k\":" : "[");
    }
    s[n++] = '1';
    for (int i = depth - 1; i >= 0; i--) {
        bool obj = alternate ? (i % 3 != 0) : objects;
        s[n++] = obj ? '}' : ']';
    }
    *len = n;
    return s;
}

static void test_depth(void **state)
{
    (void)state;
    for (int kind = 0; kind < 3; kind++) {
        for (int depth = 510; depth <= 514; depth++) {
            size_t n;
            char *s = nested(depth, kind == 1, kind == 2, &n);
            expect_n(s, n, depth <= FMT_JSON_CHECK_MAX_DEPTH);
            free(s);
        }
    }
    /* every container kind remembered at every depth: a wrong closer anywhere fails */
    size_t n;
    char *s = nested(300, false, true, &n);
    expect_n(s, n, true);
    for (size_t i = n - 300; i < n; i++) {
        s[i] = s[i] == '}' ? ']' : '}';
        expect_n(s, n, false);
        s[i] = s[i] == '}' ? ']' : '}';
    }
    free(s);
    /* empty containers deep down, siblings after them */
    expect("[[[[{}]],[{}],{\"a\":[[],{}]}]]", true);
    expect("[[[[{}]],[{}],{\"a\":[[],{}]}]]]", false);
}

/* A string of len plain bytes with ins (its own length) at offset at. */
static void string_with(char *out, size_t *n, size_t len, size_t at, const char *ins, size_t il)
{
    size_t k = 0;
    out[k++] = '"';
    for (size_t i = 0; i < len; i++) {
        if (i == at) {
            memcpy(out + k, ins, il);
            k += il;
        }
        out[k++] = (char)('a' + i % 26);
    }
    if (at >= len) {
        memcpy(out + k, ins, il);
        k += il;
    }
    out[k++] = '"';
    *n = k;
}

static void test_strings_at_every_offset(void **state)
{
    (void)state;
    static const struct {
        const char *ins;
        bool ok;
    } cases[] = {
        {"\\n", true},
        {"\\\"", true},
        {"\\\\", true},
        {"\\u00e9", true},
        {"\\ud83d\\ude00", true},
        {"\xc3\xa9", true},
        {"\xe4\xb8\xad", true},
        {"\xf0\x9f\x98\x80", true},
        {"\x7f", true},
        {"\\q", false},
        {"\\ud83d", false},
        {"\\ude00", false},
        {"\x01", false},
        {"\x1f", false},
        {"\t", false},
        {"\xc0\x80", false},
        {"\xed\xa0\x80", false},
        {"\xf5\x80\x80\x80", false},
        {"\xc3", false},
        {"\x80", false},
    };
    char buf[200];
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        size_t il = strlen(cases[c].ins);
        for (size_t len = 0; len <= 80; len++) {
            for (size_t at = 0; at <= len; at++) {
                size_t n;
                string_with(buf, &n, len, at, cases[c].ins, il);
                expect_n(buf, n, cases[c].ok);
                /* the same as a member name, and followed by more values */
                char doc[260];
                int dn =
                    snprintf(doc, sizeof(doc), "{%.*s:%.*s,\"z\":[1]}", (int)n, buf, (int)n, buf);
                expect_n(doc, (size_t)dn, cases[c].ok);
            }
        }
    }
}

static void test_truncated_everywhere(void **state)
{
    (void)state;
    /* every proper prefix of a container is invalid: unclosed strings, escapes, UTF-8 and
     * numbers at every offset, across the 16- and 32-byte steps */
    const char *doc =
        "{\"order_id\":100123,\"customer\":\"customer-42 with a name longer than 32 bytes\","
        "\"s\":\"\\u00e9\\ud83d\\ude00\\n\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\",\"items\":[{"
        "\"sku\":\"SKU-1\",\"qty\":3,\"price\":12.5e-1},{\"sku\":\"SKU-22\",\"qty\":-0,"
        "\"price\":1E+2}],\"ok\":true,\"no\":false,\"x\":null}";
    size_t n = strlen(doc);
    expect_n(doc, n, true);
    for (size_t i = 0; i < n; i++)
        expect_n(doc, i, false);
    /* long plain strings: one 16-byte step, then AVX2 blocks, then word steps and bytes */
    char buf[1100];
    for (size_t len = 0; len < 1030; len += len < 100 ? 1 : 37) {
        size_t k;
        string_with(buf, &k, len, len, "", 0);
        expect_n(buf, k, true);
        expect_n(buf, k - 1, false);
    }
}

/* Records of short names, strings and numbers, shifted by 0 to 70 bytes of whitespace so that
 * every token starts and ends at every place of the validator's 64-byte windows; then each
 * quote, colon and digit of a number broken in turn. */
static void test_tokens_across_windows(void **state)
{
    (void)state;
    char doc[1200];
    size_t n = (size_t)snprintf(doc, sizeof(doc),
                                "{\"order_id\":100007,\"customer\":\"c-1\","
                                "\"items\":[");
    for (int i = 0; i < 24; i++)
        n += (size_t)snprintf(doc + n, sizeof(doc) - n,
                              "%s{\"sku\":\"SKU-%d\",\"qty\":%d,\"price\":%d.5e%d}", i ? "," : "",
                              i * 7, i % 5, 100 + i * 37, i % 3);
    n += (size_t)snprintf(doc + n, sizeof(doc) - n, "]}");
    char buf[1300];
    for (size_t shift = 0; shift <= 70; shift++) {
        memset(buf, ' ', shift);
        memcpy(buf + shift, doc, n);
        expect_n(buf, shift + n, true);
        bool in_string = false; /* doc has no escapes */
        for (size_t i = shift; i < shift + n; i++) {
            char c = buf[i];
            in_string ^= c == '"';
            if (c == '"' || c == ':' || (!in_string && c >= '0' && c <= '9')) {
                buf[i] = c == '"' ? '\x01' : c == ':' ? ' ' : 'x';
                expect_n(buf, shift + n, false);
                buf[i] = c;
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_strings_at_every_offset),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_tokens_across_windows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
