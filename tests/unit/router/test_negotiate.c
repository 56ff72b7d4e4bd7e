/* tests/unit/router/test_negotiate.c -- router/negotiate: Content-Type parsing, the v1
 * Accept matrix of API.md §1.1, the rules of §2.1 and section K, and hostile headers.
 * Threads: single. */
#include "router/negotiate.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/mem.h"

#include <stdio.h>
#include <string.h>

#define V2   "application/vnd.kafka.v2+json"
#define V1   "application/vnd.kafka.v1+json"
#define ANY  "application/vnd.kafka+json"
#define JSON "application/json"

/* The offers of a metadata / management route on a path shared by v1 and v2. */
static const neg_offer_t mgmt[] = {
    {V2, 1.0f},
    {V1, 0.95f},
    {ANY, 0.8f},
    {JSON, 0.5f},
};
#define NMGMT (sizeof mgmt / sizeof mgmt[0])

typedef struct pick_case {
    const char *accept;
    const char *want; /* NULL = 406 */
} pick_case_t;

/* Runs neg_pick over the management offers and checks the chosen type. */
static void check_cases(const pick_case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int got = neg_pick(cases[i].accept, mgmt, NMGMT);
        if (!cases[i].want) {
            if (got != -1)
                fail_msg("Accept '%s': want 406, got %s", cases[i].accept, mgmt[got].type);
            continue;
        }
        if (got < 0)
            fail_msg("Accept '%s': want %s, got 406", cases[i].accept, cases[i].want);
        if (strcmp(mgmt[got].type, cases[i].want) != 0)
            fail_msg("Accept '%s': want %s, got %s", cases[i].accept, cases[i].want,
                     mgmt[got].type);
    }
}

/* API.md §1.1 matrix and section K's rows, with krest's v2 default. */
static void test_v1_matrix(void **state)
{
    (void)state;
    static const pick_case_t cases[] = {
        {NULL, V2},
        {"", V2},
        {"   \t ", V2},
        {"*/*", V2},
        {V1, V1},
        {ANY, ANY},
        {JSON, JSON},
        {V1 "; qs=0.9, " ANY "; qs=0.8, " JSON, V1},
        {V1 "; q=0.8, " ANY "; q=0.9, " JSON "; q=0.7", ANY},
        {V1 "; q=0.8, " ANY "; q=0.7, " JSON "; q=0.9", JSON},
        {V1 ", " ANY "; q=0.9, " JSON "; q=0.8", V1},
        {"text/plain", NULL},
        {"application/octet-stream", NULL},
        {"application/*", V2},
        {V2 ";q=0, */*", V1},
        {V2, V2},
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Specificity first, then q, then qs, then order; q=0 on the most specific range excludes. */
static void test_pick_ordering(void **state)
{
    (void)state;
    static const pick_case_t cases[] = {
        /* The exact range outranks the wildcard even with a lower q (the header's rule). */
        {JSON ";q=0.1, */*", JSON},
        {"application/*;q=0.2, */*;q=0.9", V2},
        {"*/*;q=0.9, " ANY ";q=0.1", ANY},
        /* Equal specificity and q: qs decides. */
        {JSON ", " ANY, ANY},
        {JSON ", " V1 ", " ANY, V1},
        /* q=0 on the most specific range excludes, whatever the wildcards say. */
        {V2 ";q=0, " V1 ";q=0, application/*", ANY},
        {V2 ";q=0, " V1 ";q=0, " ANY ";q=0, */*", JSON},
        {V2 ";q=0, " V1 ";q=0, " ANY ";q=0, " JSON ";q=0, */*", NULL},
        {"application/*;q=0, " JSON, JSON},
        {"*/*;q=0", NULL},
        {JSON ";q=0", NULL},
        /* A duplicate range at the same specificity: the higher q counts. */
        {JSON ";q=0, " JSON ";q=0.5", JSON},
        /* Case-insensitive type and subtype. */
        {"APPLICATION/JSON", JSON},
        {"Application/Vnd.Kafka.V1+Json", V1},
        {"APPLICATION/*", V2},
        /* Parameters other than q are ignored, quoted or not. */
        {JSON "; charset=utf-8", JSON},
        {JSON "; foo=\"a, b; c\"", JSON},
        {JSON "; foo=\"a \\\" b\"; q=0.3, " V1 ";q=0.2", JSON},
        {"text/plain; x=\"a, " JSON "\"", NULL},
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* q syntax: spaces, upper-case Q, forms of 0 and 1; bad values skip the range. */
static void test_q_parsing(void **state)
{
    (void)state;
    static const pick_case_t cases[] = {
        {V1 "; q=0.5, " JSON "; q=0.6", JSON},
        {V1 " ; q = 0.5 , " JSON " ;\tQ=0.6", JSON},
        {V1 ";Q=0.8, " JSON ";q=0.7", V1},
        {V1 ";q=1, " JSON ";q=1.000, " V2 ";q=0.999", V1},
        {V1 ";q=1., " V2 ";q=0.", V1},
        {V1 ";q=0.001, text/plain", V1},
        {V1 ";q=0.125, " JSON ";q=0.124", V1},
        {V1 ";q=0.000, " JSON ";q=0.001", JSON},
        /* A malformed q makes that range invalid; with nothing valid left, as no Accept. */
        {V1 ";q=abc", V2},
        {V1 ";q=2", V2},
        {V1 ";q=1.5", V2},
        {V1 ";q=1.01", V2},
        {V1 ";q=-1", V2},
        {V1 ";q=.5", V2},
        {V1 ";q=", V2},
        {V1 ";q", V2},
        {V1 ";q=\"0.5\"", V2},
        {V1 ";q=0.5x", V2},
        {V1 ";q=0.1234", V2},
        {V1 ";q=0.0000001", V2},
        {V1 ";q=1.0000", V2},
        {V1 ";q=1e0", V2},
        {V1 ";q=0,5", NULL}, /* q=0, then a malformed element "5" */
        /* The bad range is skipped but the others count. */
        {V1 ";q=abc, " JSON, JSON},
        {V1 ";q=2, text/plain", NULL},
        /* Several q: the last one counts. */
        {V1 ";q=0;q=0.5, " JSON ";q=0.4", V1},
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Malformed ranges: skipped; a header of nothing else is as no Accept. */
static void test_malformed_ranges(void **state)
{
    (void)state;
    static const pick_case_t cases[] = {
        {",", V2},
        {" , ,, ", V2},
        {";;;", V2},
        {"*/json", V2},
        {"*/json, " JSON, JSON},
        {"application", V2},
        {"application/", V2},
        {"/json", V2},
        {"application/json/x", V2},
        {"application /json", V2},
        {"application/ json", V2},
        {"*", V2},
        {"/", V2},
        {"=", V2},
        {"\"", V2},
        {JSON ";", JSON},
        {JSON ";;", JSON},
        {JSON "; ; q=0.5", JSON},
        {JSON "; foo", V2},
        {JSON "; foo=", V2},
        {JSON "; =x", V2},
        {JSON "; foo=\"bar", V2},
        {JSON "; foo=\"bar\\", V2},
        {JSON "; foo=\"bar, text/plain", V2},
        {JSON " junk, " V1, V1},
        {"\xc3\xa9/json, " V1, V1},
        {"application/js\xff"
         "on",
         V2},
        {"application/js*, " V1, V1},
        {"text/plain", NULL},
        {"text/*", NULL},
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* No Accept: the highest qs, the earliest on a tie; odd offer arrays. */
static void test_pick_offers(void **state)
{
    (void)state;
    static const neg_offer_t records[] = {
        {"application/vnd.kafka.binary.v2+json", 1.0f},
        {V2, 0.9f},
    };
    assert_int_equal(neg_pick(NULL, records, 2), 0);
    assert_int_equal(neg_pick(V2, records, 2), 1);
    assert_int_equal(neg_pick("application/vnd.kafka.json.v2+json", records, 2), -1);

    static const neg_offer_t tie[] = {{JSON, 0.5f}, {V2, 0.5f}, {V1, 0.5f}};
    assert_int_equal(neg_pick(NULL, tie, 3), 0);
    assert_int_equal(neg_pick("*/*", tie, 3), 0);
    assert_int_equal(neg_pick(V2 ", " V1, tie, 3), 1);

    static const neg_offer_t v2only[] = {{V2, 1.0f}};
    assert_int_equal(neg_pick(JSON, v2only, 1), -1);
    assert_int_equal(neg_pick("text/plain, */*;q=0.1", v2only, 1), 0);

    static const neg_offer_t odd[] = {
        {NULL, 1.0f}, {"garbage", 1.0f}, {JSON "; charset=utf-8", 0.1f}};
    assert_int_equal(neg_pick(NULL, odd, 3), 2);
    assert_int_equal(neg_pick("*/*", odd, 3), 2);
    assert_int_equal(neg_pick(JSON, odd, 2), -1);
    assert_int_equal(neg_pick(NULL, odd, 2), -1);

    assert_int_equal(neg_pick(NULL, NULL, 3), -1);
    assert_int_equal(neg_pick(NULL, mgmt, 0), -1);
    assert_int_equal(neg_pick("*/*", mgmt, 0), -1);
}

/* More offers than one internal chunk: every offer must still be reachable. */
static void test_pick_many_offers(void **state)
{
    (void)state;
    enum { N = 40 };
    neg_offer_t offers[N];
    char names[N][32];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "application/x-%d", i);
        offers[i] = (neg_offer_t){names[i], 0.5f};
    }
    offers[33].qs = 0.9f;
    assert_int_equal(neg_pick(NULL, offers, N), 33);
    assert_int_equal(neg_pick("*/*", offers, N), 33);
    assert_int_equal(neg_pick("application/x-37", offers, N), 37);
    assert_int_equal(neg_pick("application/x-2;q=0.5, application/x-39", offers, N), 39);
    assert_int_equal(neg_pick("application/x-2, application/x-39", offers, N), 2);
    assert_int_equal(neg_pick("application/*, application/x-20;q=0.1", offers, N), 20);
    assert_int_equal(neg_pick("text/plain, ,;", offers, N), -1);
}

/* @return a heap string of n copies of unit followed by tail. */
static char *repeat(const char *unit, size_t n, const char *tail)
{
    size_t ul = strlen(unit), tl = strlen(tail);
    char *s = xmalloc(ul * n + tl + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * ul, unit, ul);
    memcpy(s + ul * n, tail, tl + 1);
    return s;
}

/* Very long headers: linear, no crash, the right answer. */
static void test_hostile_long(void **state)
{
    (void)state;
    char *s = repeat(",", 100 * 1024, "");
    assert_int_equal(neg_pick(s, mgmt, NMGMT), 0);
    xfree(s);

    s = repeat("text/plain, ", 10000, JSON);
    assert_int_equal(neg_pick(s, mgmt, NMGMT), 3);
    xfree(s);

    s = repeat("text/plain;q=0.5, ", 10000, "");
    assert_int_equal(neg_pick(s, mgmt, NMGMT), -1);
    xfree(s);

    s = repeat("*/json, ", 10000, "");
    assert_int_equal(neg_pick(s, mgmt, NMGMT), 0);
    xfree(s);

    s = repeat(";", 100 * 1024, "");
    assert_int_equal(neg_pick(s, mgmt, NMGMT), 0);
    xfree(s);

    s = repeat(" ", 100 * 1024, "");
    assert_int_equal(neg_pick(s, mgmt, NMGMT), 0);
    xfree(s);

    s = repeat(V2 ";q=0, ", 10000, V1 ";q=0.1");
    assert_int_equal(neg_pick(s, mgmt, NMGMT), 1);
    xfree(s);

    s = repeat("9", 100 * 1024, "");
    char *q = xmalloc(strlen(s) + 64);
    snprintf(q, strlen(s) + 64, V1 ";q=0.%s, " JSON ";q=0.998", s);
    assert_int_equal(neg_pick(q, mgmt, NMGMT), 3); /* too many decimals: V1's range skipped */
    xfree(q);
    xfree(s);

    s = repeat("a", 100 * 1024, "");
    assert_int_equal(neg_pick(s, mgmt, NMGMT), 0);
    neg_media_t m;
    assert_int_equal(neg_parse_media(s, &m), -1);
    xfree(s);

    s = repeat("x", 100 * 1024, "/json");
    assert_int_equal(neg_pick(s, mgmt, NMGMT), -1);
    assert_int_equal(neg_parse_media(s, &m), 0);
    assert_int_equal(m.kind, NEG_KIND_UNKNOWN);
    xfree(s);
}

/* Random bytes and random mixes of the grammar's characters: the result is always in range. */
static void test_hostile_random(void **state)
{
    (void)state;
    static const char alphabet[] = "application/json*;,= \t\"\\qQ.01vndkafka+";
    uint32_t seed = 12345;
    char buf[256];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)(iter % (int)sizeof buf);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 16) & 0x7fff;
            buf[i] = (iter & 1) ? alphabet[r % (sizeof alphabet - 1)] : (char)(1 + r % 255);
        }
        buf[len] = '\0';
        int got = neg_pick(buf, mgmt, NMGMT);
        assert_true(got >= -1 && got < (int)NMGMT);
        neg_media_t m;
        int rc = neg_parse_media(buf, &m);
        assert_true(rc == 0 || rc == -1);
        if (rc < 0)
            assert_int_equal(m.kind, NEG_KIND_UNKNOWN);
        assert_true(neg_version_of(&m) == 1 || neg_version_of(&m) == 2);
    }
}

typedef struct media_case {
    const char *text;
    int rc;
    neg_kind_t kind;
    int version;
    neg_format_t format;
} media_case_t;

static void check_media(const media_case_t *c)
{
    neg_media_t m = {NEG_KIND_JSON, 7, NEG_FMT_AVRO}; /* must be overwritten */
    int rc = neg_parse_media(c->text, &m);
    if (rc != c->rc || m.kind != c->kind || m.version != c->version || m.format != c->format)
        fail_msg("'%s': want rc %d kind %d v%d fmt %d, got rc %d kind %d v%d fmt %d",
                 c->text ? c->text : "(null)", c->rc, c->kind, c->version, c->format, rc, m.kind,
                 m.version, m.format);
}

/* Every media type krest knows. */
static void test_parse_media_known(void **state)
{
    (void)state;
    static const media_case_t cases[] = {
        {V2, 0, NEG_KIND_VND_KAFKA, 2, NEG_FMT_NONE},
        {V1, 0, NEG_KIND_VND_KAFKA, 1, NEG_FMT_NONE},
        {"application/vnd.kafka.binary.v1+json", 0, NEG_KIND_VND_KAFKA, 1, NEG_FMT_BINARY},
        {"application/vnd.kafka.binary.v2+json", 0, NEG_KIND_VND_KAFKA, 2, NEG_FMT_BINARY},
        {"application/vnd.kafka.json.v1+json", 0, NEG_KIND_VND_KAFKA, 1, NEG_FMT_JSON},
        {"application/vnd.kafka.json.v2+json", 0, NEG_KIND_VND_KAFKA, 2, NEG_FMT_JSON},
        {"application/vnd.kafka.avro.v1+json", 0, NEG_KIND_VND_KAFKA, 1, NEG_FMT_AVRO},
        {"application/vnd.kafka.avro.v2+json; charset=utf-8", 0, NEG_KIND_VND_KAFKA, 2,
         NEG_FMT_AVRO},
        {"application/vnd.kafka.jsonschema.v2+json", 0, NEG_KIND_VND_KAFKA, 2, NEG_FMT_JSONSCHEMA},
        {"application/vnd.kafka.protobuf.v2+json", 0, NEG_KIND_VND_KAFKA, 2, NEG_FMT_PROTOBUF},
        {ANY, 0, NEG_KIND_VND_KAFKA_ANY, 0, NEG_FMT_NONE},
        {JSON, 0, NEG_KIND_JSON, 0, NEG_FMT_NONE},
        {"application/octet-stream", 0, NEG_KIND_OCTET_STREAM, 0, NEG_FMT_NONE},
        /* Case, whitespace and parameters. */
        {"APPLICATION/VND.KAFKA.AVRO.V2+JSON", 0, NEG_KIND_VND_KAFKA, 2, NEG_FMT_AVRO},
        {"Application/Json;Charset=UTF-8", 0, NEG_KIND_JSON, 0, NEG_FMT_NONE},
        {"  application/json  ", 0, NEG_KIND_JSON, 0, NEG_FMT_NONE},
        {"\tapplication/json ; charset=\"utf-8\"", 0, NEG_KIND_JSON, 0, NEG_FMT_NONE},
        {"application/json;", 0, NEG_KIND_JSON, 0, NEG_FMT_NONE},
        {"application/vnd.kafka.binary.v1+json;;garbage\"", 0, NEG_KIND_VND_KAFKA, 1,
         NEG_FMT_BINARY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_media(&cases[i]);
}

/* Well-formed but foreign types: 0 with NEG_KIND_UNKNOWN. */
static void test_parse_media_unknown(void **state)
{
    (void)state;
    static const char *const foreign[] = {
        "text/plain",
        "application/xml",
        "text/json",
        "*/*",
        "application/*",
        "application/vnd.kafka.xml.v2+json",
        "application/vnd.kafka.v3+json",
        "application/vnd.kafka.v0+json",
        "application/vnd.kafka.v02+json",
        "application/vnd.kafka.v+json",
        "application/vnd.kafka.binary.v3+json",
        "application/vnd.kafka.v2+xml",
        "application/vnd.kafka.binary.v2+avro",
        "application/vnd.kafka.v2",
        "application/vnd.kafka.v2+json+json",
        "application/vnd.kafka",
        "application/vnd.kafka+xml",
        "application/vnd.kafka.+json",
        "application/vnd.kafka..v2+json",
        "application/vnd.kafka.binary+json",
        "application/vnd.kafka.binary.json.v2+json",
        "application/vnd.kafka.binary.v2.x+json",
        "application/vnd.kafkaa.v2+json",
        "application/vnd.api+json",
        "text/vnd.kafka.v2+json",
        "application/jsonx",
        "application/octet-streamx",
    };
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
        media_case_t c = {foreign[i], 0, NEG_KIND_UNKNOWN, 0, NEG_FMT_NONE};
        check_media(&c);
    }
}

/* Not a media type at all: -1 with NEG_KIND_UNKNOWN. */
static void test_parse_media_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   ",
        "application",
        "application/",
        "/json",
        "/",
        "json",
        "application /json",
        "application/ json",
        "app lication/json",
        "application/json x",
        "application/json,text/plain",
        "\"application/json\"",
        "application/js\xc3\xa9on",
        "\xff\xfe",
        ";charset=utf-8",
        "application//json",
        "application/json/x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        media_case_t c = {bad[i], -1, NEG_KIND_UNKNOWN, 0, NEG_FMT_NONE};
        check_media(&c);
    }
    media_case_t null_text = {NULL, -1, NEG_KIND_UNKNOWN, 0, NEG_FMT_NONE};
    check_media(&null_text);
    assert_int_equal(neg_parse_media(JSON, NULL), -1);
}

/* Section K: only v1 types give v1 shapes. */
static void test_version_of(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int version;
    } cases[] = {
        {V1, 1},
        {"application/vnd.kafka.binary.v1+json", 1},
        {"application/vnd.kafka.avro.v1+json", 1},
        {"application/vnd.kafka.json.v1+json", 1},
        {V2, 2},
        {"application/vnd.kafka.binary.v2+json", 2},
        {ANY, 2},
        {JSON, 2},
        {"application/octet-stream", 2},
        {"text/plain", 2},
        {"application/vnd.kafka.v3+json", 2},
        {"not a type", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        neg_media_t m;
        (void)neg_parse_media(cases[i].text, &m);
        assert_int_equal(neg_version_of(&m), cases[i].version);
    }
    assert_int_equal(neg_version_of(NULL), 2);
}

static void test_format_name(void **state)
{
    (void)state;
    assert_string_equal(neg_format_name(NEG_FMT_NONE), "");
    assert_string_equal(neg_format_name(NEG_FMT_BINARY), "binary");
    assert_string_equal(neg_format_name(NEG_FMT_JSON), "json");
    assert_string_equal(neg_format_name(NEG_FMT_AVRO), "avro");
    assert_string_equal(neg_format_name(NEG_FMT_JSONSCHEMA), "jsonschema");
    assert_string_equal(neg_format_name(NEG_FMT_PROTOBUF), "protobuf");
    assert_string_equal(neg_format_name((neg_format_t)99), "");
    assert_string_equal(neg_format_name((neg_format_t)-1), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_matrix),           cmocka_unit_test(test_pick_ordering),
        cmocka_unit_test(test_q_parsing),           cmocka_unit_test(test_malformed_ranges),
        cmocka_unit_test(test_pick_offers),         cmocka_unit_test(test_pick_many_offers),
        cmocka_unit_test(test_hostile_long),        cmocka_unit_test(test_hostile_random),
        cmocka_unit_test(test_parse_media_known),   cmocka_unit_test(test_parse_media_unknown),
        cmocka_unit_test(test_parse_media_invalid), cmocka_unit_test(test_version_of),
        cmocka_unit_test(test_format_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
