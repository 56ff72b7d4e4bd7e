/* tests/unit/format/test_avro_compat.c -- reader/writer compatibility with Java Avro's
 * SchemaCompatibility verdicts (cases reasoned from its source and tests and from Confluent's
 * AvroCompatibilityTest), Confluent's levels, level names. */
#include "avro_test_util.h"
#include "util/buf.h"

#include <stdio.h>

typedef struct compat_case {
    const char *reader, *writer; /* ' for " */
    bool ok;
    const char *reason; /* when !ok: a part of the reason */
} compat_case_t;

#define R1(f)          "{'type':'record','name':'R','fields':[" f "]}"
#define ENUM(syms)     "{'type':'enum','name':'E','symbols':[" syms "]}"
#define ENUMD(syms, d) "{'type':'enum','name':'E','symbols':[" syms "],'default':'" d "'}"
#define LIST                                                                                       \
    "{'type':'record','name':'L','fields':[{'name':'v','type':'int'},{'name':'next',"              \
    "'type':['null','L']}]}"

static const compat_case_t CASES[] = {
    /* primitives and promotions */
    {"'int'", "'int'", true, NULL},
    {"'long'", "'int'", true, NULL},
    {"'float'", "'int'", true, NULL},
    {"'double'", "'int'", true, NULL},
    {"'float'", "'long'", true, NULL},
    {"'double'", "'long'", true, NULL},
    {"'double'", "'float'", true, NULL},
    {"'string'", "'bytes'", true, NULL},
    {"'bytes'", "'string'", true, NULL},
    {"'int'", "'long'", false, "reader type: INT not compatible with writer type: LONG"},
    {"'long'", "'float'", false, "TYPE_MISMATCH"},
    {"'float'", "'double'", false, "TYPE_MISMATCH"},
    {"'int'", "'string'", false, "TYPE_MISMATCH"},
    {"'null'", "'boolean'", false, "TYPE_MISMATCH"},
    {"'boolean'", "'int'", false, "TYPE_MISMATCH"},
    {"{'type':'long','logicalType':'timestamp-millis'}", "'int'", true, NULL},
    /* arrays and maps */
    {"{'type':'array','items':'long'}", "{'type':'array','items':'int'}", true, NULL},
    {"{'type':'array','items':'int'}", "{'type':'array','items':'long'}", false, "path '/items'"},
    {"{'type':'map','values':'double'}", "{'type':'map','values':'float'}", true, NULL},
    {"{'type':'map','values':'int'}", "{'type':'map','values':'string'}", false, "path '/values'"},
    {"{'type':'map','values':'int'}", "{'type':'array','items':'int'}", false,
     "writer type: ARRAY"},
    /* records */
    {R1("{'name':'a','type':'int'}"), R1("{'name':'a','type':'int'}"), true, NULL},
    {R1("{'name':'a','type':'int'}"), R1("{'name':'a','type':'int'},{'name':'b','type':'int'}"),
     true, NULL},
    {R1("{'name':'a','type':'int'},{'name':'b','type':'int','default':0}"),
     R1("{'name':'a','type':'int'}"), true, NULL},
    {R1("{'name':'a','type':'int'},{'name':'b','type':'int'}"), R1("{'name':'a','type':'int'}"),
     false, "The field 'b' at path '/fields/1' in the reader schema has no default value"},
    {R1("{'name':'b','type':'int','aliases':['a']}"), R1("{'name':'a','type':'int'}"), true, NULL},
    {R1("{'name':'a','type':'long'}"), R1("{'name':'a','type':'int'}"), true, NULL},
    {R1("{'name':'a','type':'int'}"), R1("{'name':'a','type':'long'}"), false,
     "path '/fields/0/type'"},
    {R1("{'name':'a','type':['null','int'],'default':null}"), R1(""), true, NULL},
    {R1("{'name':'a','type':'int'}"),
     "{'type':'record','name':'S','fields':[{'name':'a','type':"
     "'int'}]}",
     false, "NAME_MISMATCH"},
    {"{'type':'record','name':'x.R','fields':[]}", "{'type':'record','name':'y.R','fields':[]}",
     true, NULL}, /* Java compares short names */
    {"{'type':'record','name':'S','aliases':['R'],'fields':[]}", R1(""), true, NULL},
    {R1("{'name':'a','type':'int'}"), "'int'", false, "writer type: INT"},
    {R1("{'name':'a','type':'int','aliases':['b']}"),
     R1("{'name':'a','type':'int'},{'name':'b','type':'int'}"), false, "matches several"},
    {R1("{'name':'e','type':" ENUMD("'A'", "A") "}"), R1(""), false, "TYPE_MISMATCH"},
    /* enums */
    {ENUM("'A','B'"), ENUM("'A'"), true, NULL},
    {ENUM("'A'"), ENUM("'A','B'"), false, "missing enum symbols '[B]'"},
    {ENUM("'A'"), ENUM("'C','A','B'"), false, "'[B, C]'"},
    {ENUMD("'A','Z'", "Z"), ENUM("'A','B'"), true, NULL},
    {ENUM("'A'"), "{'type':'enum','name':'F','symbols':['A']}", false, "path '/name'"},
    {ENUM("'A'"), "'string'", false, "TYPE_MISMATCH"},
    /* fixed */
    {"{'type':'fixed','name':'F','size':4}", "{'type':'fixed','name':'F','size':4}", true, NULL},
    {"{'type':'fixed','name':'F','size':4}", "{'type':'fixed','name':'F','size':8}", false,
     "expected: 8, found: 4"},
    {"{'type':'fixed','name':'F','size':4}", "{'type':'fixed','name':'G','size':4}", false,
     "NAME_MISMATCH"},
    {"{'type':'fixed','name':'F','size':4}", "'bytes'", false, "TYPE_MISMATCH"},
    /* unions */
    {"['null','int']", "'int'", true, NULL},
    {"['null','long']", "'int'", true, NULL},
    {"['null','string']", "'int'", false, "reader union lacking writer type: INT"},
    {"'int'", "['null','int']", false, "path '/0'"},
    {"'long'", "['int','long']", true, NULL},
    {"['null','int','string']", "['null','int']", true, NULL},
    {"['null','int']", "['null','int','string']", false, "MISSING_UNION_BRANCH"},
    {"['null','double']", "['null','int','float']", true, NULL},
    {"[]", "[]", true, NULL},
    {"['int']", "[]", true, NULL},
    {"[]", "'int'", false, "MISSING_UNION_BRANCH"},
    {R1("{'name':'a','type':['null','string'],'doc':'d'}"), R1("{'name':'a','type':'string'}"),
     true, NULL},
    {R1("{'name':'a','type':'string'}"), R1("{'name':'a','type':['null','string']}"), false,
     "path '/fields/0/type/0'"},
    /* recursion terminates */
    {LIST, LIST, true, NULL},
    {"{'type':'record','name':'L','fields':[{'name':'v','type':'long'},{'name':'next','type':"
     "['null','L']}]}",
     LIST, true, NULL},
    {LIST,
     "{'type':'record','name':'L','fields':[{'name':'v','type':'long'},{'name':'next','type':"
     "['null','L']}]}",
     false, "/fields/0/type"},
    {"{'type':'record','name':'T','fields':[{'name':'kids','type':{'type':'array','items':'T'}},"
     "{'name':'tag','type':'string','default':''}]}",
     "{'type':'record','name':'T','fields':[{'name':'kids','type':{'type':'array','items':'T'}}]"
     "}",
     true, NULL},
};

static void test_compat_table(void **state)
{
    (void)state;
    size_t n = sizeof(CASES) / sizeof(CASES[0]);
    assert_true(n >= 60);
    for (size_t i = 0; i < n; i++) {
        const compat_case_t *c = &CASES[i];
        avs_schema_t *r = must_parse(c->reader), *w = must_parse(c->writer);
        char reason[512];
        bool ok = avs_can_read(r, w, reason, sizeof(reason));
        if (ok != c->ok)
            fail_msg("case %zu: reader %s, writer %s: %s (%s)", i, c->reader, c->writer,
                     ok ? "compatible" : "incompatible", reason);
        if (!ok && !strstr(reason, c->reason))
            fail_msg("case %zu: reason '%s' lacks '%s'", i, reason, c->reason);
        if (ok)
            assert_string_equal(reason, "");
        avs_free(r);
        avs_free(w);
    }
}

static void test_reason_text(void **state)
{
    (void)state;
    avs_schema_t *r = must_parse(R1("{'name':'a','type':'int'},{'name':'b','type':'int'}"));
    avs_schema_t *w = must_parse(R1("{'name':'a','type':'int'}"));
    char reason[512];
    assert_false(avs_can_read(r, w, reason, sizeof(reason)));
    assert_string_equal(reason, "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The "
                                "field 'b' at path '/fields/1' in the reader schema has no default "
                                "value and is missing in the writer schema', additionalInfo:'b'}");
    char small[16];
    assert_false(avs_can_read(r, w, small, sizeof(small)));
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_false(avs_can_read(r, w, NULL, 0));
    /* avs_check_compat speaks of the new and the old schema. */
    const avs_schema_t *old[] = {w};
    assert_false(avs_check_compat(AVS_COMPAT_BACKWARD, r, old, 1, reason, sizeof(reason)));
    assert_non_null(strstr(reason, "in the new schema has no default value and is missing in the "
                                   "old schema"));
    avs_free(r);
    avs_free(w);
}

/* Confluent's three versions of a record: v1 {f1}, v2 {f1, f2 with default}, v3 {f1, f2}. */
#define V1 R1("{'name':'f1','type':'string'}")
#define V2 R1("{'name':'f1','type':'string'},{'name':'f2','type':'string','default':'foo'}")
#define V3 R1("{'name':'f1','type':'string'},{'name':'f2','type':'string'}")
#define V8                                                                                         \
    R1("{'name':'f1','type':'string'},{'name':'f2','type':'string','default':'foo'},"              \
       "{'name':'f3','type':'string','default':'bar'}")

static bool compat(avs_compat_level_t level, const char *cand, const char *e1, const char *e2)
{
    avs_schema_t *c = must_parse(cand);
    avs_schema_t *ex[2] = {e1 ? must_parse(e1) : NULL, e2 ? must_parse(e2) : NULL};
    size_t n = e2 ? 2 : e1 ? 1 : 0;
    char reason[512];
    bool ok =
        avs_check_compat(level, c, (const avs_schema_t *const *)ex, n, reason, sizeof(reason));
    assert_true(ok == (reason[0] == '\0'));
    avs_free(c);
    avs_free(ex[0]);
    avs_free(ex[1]);
    return ok;
}

/* A union of K empty records named prefix0..K-1. */
static avs_schema_t *union_of_records(const char *prefix, int k)
{
    kr_buf_t b;
    kr_buf_init(&b, 0);
    char one[96];
    kr_buf_puts(&b, "[");
    for (int i = 0; i < k; i++) {
        snprintf(one, sizeof(one), "%s{'type':'record','name':'%s%d','fields':[]}", i ? "," : "",
                 prefix, i);
        kr_buf_puts(&b, one);
    }
    kr_buf_puts(&b, "]");
    avs_schema_t *s = must_parse(b.data);
    kr_buf_deinit(&b);
    return s;
}

/* Unions of K records with no name in common: K^2 pairs, each memoised. The check stops at
 * its step budget with a reason instead of growing a memo of gigabytes. */
static void test_step_budget(void **state)
{
    (void)state;
    avs_schema_t *w = union_of_records("a", 2000), *r = union_of_records("b", 2000);
    char reason[512];
    assert_false(avs_can_read(r, w, reason, sizeof(reason)));
    assert_non_null(strstr(reason, "too large to compare"));
    avs_free(r);
    /* small unions are still checked exactly */
    avs_schema_t *w2 = union_of_records("a", 20), *r2 = union_of_records("a", 30);
    assert_true(avs_can_read(r2, w2, reason, sizeof(reason)));
    assert_false(avs_can_read(w2, r2, reason, sizeof(reason)));
    assert_null(strstr(reason, "too large"));
    avs_free(w), avs_free(w2), avs_free(r2);
}

static void test_levels(void **state)
{
    (void)state;
    /* BACKWARD: the new schema reads the latest only. */
    assert_true(compat(AVS_COMPAT_BACKWARD, V2, V1, NULL));
    assert_false(compat(AVS_COMPAT_BACKWARD, V3, V1, NULL));
    assert_true(compat(AVS_COMPAT_BACKWARD, V3, V1, V2));
    /* BACKWARD_TRANSITIVE: all of them. */
    assert_true(compat(AVS_COMPAT_BACKWARD_TRANSITIVE, V8, V1, V2));
    assert_true(compat(AVS_COMPAT_BACKWARD_TRANSITIVE, V3, V2, NULL));
    assert_false(compat(AVS_COMPAT_BACKWARD_TRANSITIVE, V3, V1, V2));
    /* FORWARD: the latest reads the new schema. */
    assert_true(compat(AVS_COMPAT_FORWARD, V3, V1, NULL));
    assert_true(compat(AVS_COMPAT_FORWARD, V2, V3, NULL));
    assert_false(compat(AVS_COMPAT_FORWARD, V1, V3, NULL));
    assert_true(compat(AVS_COMPAT_FORWARD, V1, V3, V2));
    /* FORWARD_TRANSITIVE */
    assert_true(compat(AVS_COMPAT_FORWARD_TRANSITIVE, V1, V8, V2));
    assert_false(compat(AVS_COMPAT_FORWARD_TRANSITIVE, V1, V3, V2));
    /* FULL: both ways, latest only. */
    assert_true(compat(AVS_COMPAT_FULL, V2, V1, NULL));
    assert_false(compat(AVS_COMPAT_FULL, V3, V1, NULL));
    assert_false(compat(AVS_COMPAT_FULL, V1, V3, NULL));
    assert_true(compat(AVS_COMPAT_FULL, V3, V1, V2));
    /* FULL_TRANSITIVE */
    assert_true(compat(AVS_COMPAT_FULL_TRANSITIVE, V8, V1, V2));
    assert_true(compat(AVS_COMPAT_FULL_TRANSITIVE, V1, V8, V2));
    assert_false(compat(AVS_COMPAT_FULL_TRANSITIVE, V3, V1, V2));
    /* NONE and no history */
    assert_true(compat(AVS_COMPAT_NONE, "'int'", "'string'", NULL));
    assert_false(compat(AVS_COMPAT_BACKWARD, "'int'", "'string'", NULL));
    assert_true(compat(AVS_COMPAT_FULL_TRANSITIVE, "'int'", NULL, NULL));
}

static void test_level_names(void **state)
{
    (void)state;
    for (int l = AVS_COMPAT_NONE; l <= AVS_COMPAT_FULL_TRANSITIVE; l++) {
        avs_compat_level_t back;
        assert_int_equal(avs_compat_parse(avs_compat_name((avs_compat_level_t)l), &back), 0);
        assert_int_equal(back, l);
    }
    avs_compat_level_t level;
    assert_int_equal(avs_compat_parse("backward_transitive", &level), 0);
    assert_int_equal(level, AVS_COMPAT_BACKWARD_TRANSITIVE);
    assert_int_equal(avs_compat_parse("Full", &level), 0);
    assert_int_equal(level, AVS_COMPAT_FULL);
    assert_int_equal(avs_compat_parse("BACKWARDS", &level), -1);
    assert_int_equal(avs_compat_parse("", &level), -1);
    assert_int_equal(avs_compat_parse(NULL, &level), -1);
    assert_string_equal(avs_compat_name(AVS_COMPAT_FORWARD_TRANSITIVE), "FORWARD_TRANSITIVE");
    assert_null(avs_compat_name((avs_compat_level_t)99));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compat_table), cmocka_unit_test(test_reason_text),
        cmocka_unit_test(test_step_budget),  cmocka_unit_test(test_levels),
        cmocka_unit_test(test_level_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
