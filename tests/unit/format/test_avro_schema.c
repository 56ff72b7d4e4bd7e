/* tests/unit/format/test_avro_schema.c -- the Avro schema model: what parses (Java Avro 1.12's
 * rules), the normalised and compact JSON, Parsing Canonical Form and CRC-64-AVRO vectors
 * (the fingerprints are the Avro specification's test data). */
#include "avro_test_util.h"
#include "util/buf.h"

#include <stdio.h>

typedef struct parse_case {
    const char *schema; /* ' for " */
    const char *error;  /* NULL: must parse; else a part of the expected message */
} parse_case_t;

#define REC(fields)          "{'type':'record','name':'r','fields':[" fields "]}"
#define FIELD_DEF(type, def) REC("{'name':'a','type':" type ",'default':" def "}")

static const parse_case_t PARSE_CASES[] = {
    /* accepted */
    {"'int'", NULL},
    {"{'type':'string'}", NULL},
    {"{'type':'long','logicalType':'timestamp-millis'}", NULL},
    {"{'type':'bytes','logicalType':'decimal','precision':4,'scale':2}", NULL},
    {"{'type':'string','logicalType':'decimal'}", NULL}, /* invalid logical type: ignored */
    {REC("{'name':'a','type':'null'},{'name':'b','type':'boolean'},{'name':'c','type':'int'},"
         "{'name':'d','type':'long'},{'name':'e','type':'float'},{'name':'f','type':'double'},"
         "{'name':'g','type':'bytes'},{'name':'h','type':'string'}"),
     NULL},
    {"{'type':'record','name':'Node','fields':[{'name':'next','type':['null','Node']}]}", NULL},
    {"{'type':'record','name':'r','namespace':'n','fields':[{'name':'a','type':{'type':'enum',"
     "'name':'E','symbols':['A']}},{'name':'b','type':'E'},{'name':'c','type':'n.E'}]}",
     NULL},
    {"{'type':'record','name':'a.R','fields':[{'name':'f','type':{'type':'fixed','name':'F',"
     "'namespace':'','size':2}},{'name':'g','type':'F'}]}",
     NULL}, /* 'F' is not a.F: the name as written is looked up too */
    {"{'type':'enum','name':'E','symbols':['A','B'],'default':'B'}", NULL},
    {"{'type':'fixed','name':'F','size':0}", NULL},
    {"['null','int','string']", NULL},
    {"[]", NULL},
    {"{'type':'enum','name':'E','symbols':[]}", NULL},
    {"{'type':'error','name':'Oops','fields':[]}", NULL},
    {FIELD_DEF("'int'", "-2147483648"), NULL},
    {FIELD_DEF("'long'", "9223372036854775807"), NULL},
    {FIELD_DEF("'float'", "1"), NULL},
    {FIELD_DEF("'double'", "1.5e3"), NULL},
    {FIELD_DEF("'double'", "'NaN'"), NULL},
    {FIELD_DEF("'float'", "'-Infinity'"), NULL},
    {FIELD_DEF("'bytes'", "'\\u00ff'"), NULL},
    {FIELD_DEF("'boolean'", "false"), NULL},
    {FIELD_DEF("'null'", "null"), NULL},
    {FIELD_DEF("{'type':'array','items':'int'}", "[1,2]"), NULL},
    {FIELD_DEF("{'type':'map','values':'int'}", "{'x':1}"), NULL},
    {FIELD_DEF("{'type':'enum','name':'E','symbols':['A']}", "'Z'"), NULL}, /* Java: any text */
    {FIELD_DEF("{'type':'fixed','name':'F','size':2}", "'ab'"), NULL},
    {FIELD_DEF("['null','int']", "5"), NULL},         /* Avro 1.12: any branch */
    {FIELD_DEF("['null','string']", "'null'"), NULL}, /* Confluent's testBadDefaultNull */
    {FIELD_DEF("{'type':'record','name':'S','fields':[{'name':'x','type':'int'},{'name':'y',"
               "'type':'int','default':0}]}",
               "{'x':1}"),
     NULL},
    {"{'type':'record','name':'a.b.C','namespace':'ignored','fields':[]}", NULL},
    {REC("{'name':'a','type':{'type':'enum','name':'E','symbols':['A']}},"
         "{'name':'b','type':{'type':'E'}}"),
     NULL},
    {REC("{'name':'a','type':'int','order':'DESCENDING'}"), NULL},
    {"{'type':'record','name':'r','aliases':['q','x.y'],'fields':[{'name':'a','type':'int',"
     "'aliases':['b','not valid but not checked']}]}",
     NULL},
    {"{'type':'record','name':'r','my':{'x':[1]},'fields':[{'name':'a','type':'int','p':1}]}",
     NULL},
    {"{'type':'record','name':'r','namespace':'n','fields':[{'name':'a','type':{'type':'record',"
     "'name':'s','namespace':'','fields':[]}},{'name':'b','type':'s'}]}",
     NULL},
    {"{'type':'record','name':'r','doc':5,'namespace':7,'fields':[]}", NULL},
    {"{'type':'record','name':'_x9','fields':[]}", NULL},
    {"['null',{'type':'record','name':'A','fields':[]},{'type':'record','name':'B','fields':[]}]",
     NULL},
    {"{'type':'map','values':{'type':'array','items':{'type':'record','name':'r','fields':[]}}}",
     NULL},
    {"{'type':'enum','name':'E','symbols':['A'],'default':3}", NULL}, /* Java ignores it */
    {"  {\n 'type' : 'int' }  \n", NULL},
    /* refused */
    {"", "Invalid JSON"},
    {"{'type':'int',}", "Invalid JSON"},
    {"'nope'", "'nope' is not defined"},
    {"{'type':'record','name':'1r','fields':[]}", "name '1r' is invalid"},
    {"{'type':'record','name':'a-b','fields':[]}", "is invalid"},
    {"{'type':'record','name':'r','namespace':'a..b','fields':[]}", "namespace 'a..b'"},
    {"{'type':'record','name':'r','namespace':'1a','fields':[]}", "namespace '1a'"},
    {"{'type':'record','name':'r'}", "no \"fields\" array"},
    {"{'type':'record','name':'r','fields':{}}", "no \"fields\" array"},
    {"{'type':'record','fields':[]}", "needs a \"name\""},
    {REC("{'type':'int'}"), "field 0 has no \"name\""},
    {REC("'a'"), "field 0 has no \"name\""},
    {REC("{'name':'a'}"), "field 'a' of record 'r': the field has no \"type\""},
    {REC("{'name':'a','type':'int'},{'name':'a','type':'long'}"), "defined twice"},
    {REC("{'name':'a b','type':'int'}"), "field name is invalid"},
    {REC("{'name':'a','type':{'type':'enum','name':'E','symbols':['A']}},"
         "{'name':'b','type':{'type':'enum','name':'E','symbols':['A']}}"),
     "type 'E' is defined twice"},
    {"{'type':'enum','name':'E','symbols':['1A']}", "symbol 0 is not a valid name"},
    {"{'type':'enum','name':'E','symbols':['A',2]}", "symbol 1 is not a valid name"},
    {"{'type':'enum','name':'E','symbols':['A','A']}", "'A' appears twice"},
    {"{'type':'enum','name':'E','symbols':['A'],'default':'B'}", "default 'B' is not one"},
    {"{'type':'enum','name':'E'}", "no \"symbols\" array"},
    {"[['int']]", "may not directly contain a union"},
    {"['int','int']", "contains 'int' twice"},
    {"[{'type':'array','items':'int'},{'type':'array','items':'long'}]", "'array' twice"},
    {REC("{'name':'a','type':{'type':'enum','name':'E','symbols':['A']}},"
         "{'name':'b','type':['E','null','E']}"),
     "contains 'E' twice"},
    {"{'type':'fixed','name':'F','size':-1}", "needs a \"size\""},
    {"{'type':'fixed','name':'F'}", "needs a \"size\""},
    {"{'type':'fixed','name':'F','size':1.5}", "needs a \"size\""},
    {"{'type':'fixed','name':'F','size':2147483640}", "needs a \"size\""},
    {FIELD_DEF("'int'", "'x'"), "default \"x\" is not a valid int"},
    {FIELD_DEF("'int'", "1.5"), "is not a valid int"},
    {FIELD_DEF("'int'", "2147483648"), "is not a valid int"},
    {FIELD_DEF("'long'", "1e3"), "is not a valid long"},
    {FIELD_DEF("'string'", "1"), "is not a valid string"},
    {FIELD_DEF("'float'", "'abc'"), "is not a number"},
    {FIELD_DEF("['int','null']", "'x'"), "is not a valid union"},
    {FIELD_DEF("{'type':'array','items':'int'}", "[1,'a']"), "is not a valid array"},
    {FIELD_DEF("{'type':'map','values':'int'}", "{'x':'y'}"), "is not a valid map"},
    {FIELD_DEF("{'type':'record','name':'S','fields':[{'name':'x','type':'int'}]}", "{}"),
     "is not a valid record"},
    {FIELD_DEF("'boolean'", "'true'"), "is not a valid boolean"},
    {FIELD_DEF("'null'", "0"), "is not a valid null"},
    {FIELD_DEF("'bytes'", "null"), "is not a valid bytes"},
    {REC("{'name':'a','type':'B'},{'name':'b','type':{'type':'record','name':'B','fields':[]}}"),
     "type 'B' is not defined"},
    {REC("{'name':'a','type':'int','order':'sideways'}"), "\"order\" must be"},
    {"{'type':'record','name':'r','aliases':'q','fields':[]}", "\"aliases\" must be an array"},
    {"{'type':'record','name':'r','aliases':['1x'],'fields':[]}", "alias '1x'"},
    {"{'type':{'type':'int'}}", "needs a \"type\" string"},
    {"{}", "needs a \"type\" string"},
    {"5", "must be a JSON string, object or array"},
    {"null", "must be a JSON string, object or array"},
    {"{'type':'int','big':99999999999999999999}", "out of the 64-bit range"},
    {"{'type':'array'}", "array has no \"items\""},
    {"{'type':'map'}", "map has no \"values\""},
    {"{'type':'array','items':'r'}", "'r' is not defined"},
    /* a default of the record being defined that reaches a field not parsed yet (fuzz: it read
     * that field's NULL name) */
    {REC("{'name':'a','type':'r','default':{}},{'name':'b','type':'int'}"),
     "is not a valid record"},
};

static void test_parse_table(void **state)
{
    (void)state;
    size_t n = sizeof(PARSE_CASES) / sizeof(PARSE_CASES[0]);
    assert_true(n >= 90);
    for (size_t i = 0; i < n; i++) {
        const parse_case_t *c = &PARSE_CASES[i];
        kr_err_t err = {0};
        avs_schema_t *s = parse_q(c->schema, &err);
        if (!c->error && !s)
            fail_msg("case %zu %s: refused: %s", i, c->schema, err.msg);
        if (c->error && s)
            fail_msg("case %zu %s: accepted as %s", i, c->schema, avs_normalized(s));
        if (c->error) {
            assert_int_equal(err.code, AVS_ERR_INVALID_SCHEMA);
            if (strncmp(err.msg, "Invalid schema: ", 16) != 0 || !strstr(err.msg, c->error))
                fail_msg("case %zu %s: message '%s' lacks '%s'", i, c->schema, err.msg, c->error);
        }
        avs_free(s);
    }
}

/* Normalised forms of two schemas, compared. */
static void expect_norm(const char *a, const char *b, bool equal)
{
    avs_schema_t *sa = must_parse(a), *sb = must_parse(b);
    bool same = strcmp(avs_normalized(sa), avs_normalized(sb)) == 0;
    if (same != equal)
        fail_msg("%s\n%s\nnormalise to %s:\n%s\n%s", a, b, equal ? "the same" : "different texts",
                 avs_normalized(sa), avs_normalized(sb));
    avs_free(sa);
    avs_free(sb);
}

#define BASE "{'type':'record','name':'r','namespace':'n','fields':[{'name':'a','type':'int'}]}"

static void test_normalized_equal(void **state)
{
    (void)state;
    expect_norm(BASE,
                " { 'fields' : [ { 'type' : 'int' , 'name' : 'a' } ] ,\n 'namespace':'n', "
                "'name' : 'r' , 'type' : 'record' } ",
                true);
    expect_norm(
        BASE, "{'type':'record','name':'n.r','fields':[{'name':'a','type':{'type':'int'}}]}", true);
    expect_norm(REC("{'name':'a','type':'int','order':'ascending'}"),
                REC("{'name':'a','type':'int'}"), true);
    expect_norm(REC("{'name':'e','type':{'type':'enum','name':'E','symbols':['A']}},"
                    "{'name':'f','type':'E'}"),
                REC("{'name':'e','type':{'type':'enum','name':'E','symbols':['A']}},"
                    "{'name':'f','type':{'type':'E'}}"),
                true);
    expect_norm("{'type':'record','name':'r','namespace':'n','fields':[{'name':'e','type':{"
                "'type':'enum','name':'E','symbols':['A']}},{'name':'f','type':'E'}]}",
                "{'type':'record','name':'n.r','fields':[{'name':'e','type':{'type':'enum',"
                "'name':'n.E','symbols':['A']}},{'name':'f','type':'n.E'}]}",
                true);
    expect_norm(FIELD_DEF("{'type':'map','values':'int'}", "{'a':1,'b':2}"),
                FIELD_DEF("{'type':'map','values':'int'}", "{'b':2,'a':1}"), true);
    expect_norm("{'type':'long','logicalType':'timestamp-millis','x':1}",
                "{'x':1,'logicalType':'timestamp-millis','type':'long'}", true);
    expect_norm("{'type':'string','doc':'dropped on a primitive, as Java does'}", "'string'", true);
    expect_norm("{'type':'record','name':'r','aliases':['q'],'fields':[]}",
                "{'type':'record','name':'r','aliases':['q','q'],'fields':[]}", true);
    expect_norm("['null',{'type':'string'}]", "['null','string']", true);
}

static void test_normalized_different(void **state)
{
    (void)state;
    expect_norm(FIELD_DEF("'int'", "1"), FIELD_DEF("'int'", "2"), false);
    expect_norm(FIELD_DEF("'int'", "1"), REC("{'name':'a','type':'int'}"), false);
    expect_norm(FIELD_DEF("'double'", "1"), FIELD_DEF("'double'", "1.0"), false);
    expect_norm(REC("{'name':'a','type':'int','doc':'x'}"), REC("{'name':'a','type':'int'}"),
                false);
    expect_norm("{'type':'record','name':'r','doc':'x','fields':[]}",
                "{'type':'record','name':'r','fields':[]}", false);
    expect_norm("{'type':'record','name':'r','aliases':['q'],'fields':[]}",
                "{'type':'record','name':'r','fields':[]}", false);
    expect_norm(REC("{'name':'a','type':'int','aliases':['b']}"), REC("{'name':'a','type':'int'}"),
                false);
    expect_norm("{'type':'long','logicalType':'timestamp-millis'}", "'long'", false);
    expect_norm(REC("{'name':'a','type':'int','order':'descending'}"),
                REC("{'name':'a','type':'int'}"), false);
    expect_norm(REC("{'name':'a','type':'int','my':1}"), REC("{'name':'a','type':'int'}"), false);
    expect_norm("{'type':'record','name':'r','my':1,'fields':[]}",
                "{'type':'record','name':'r','my':2,'fields':[]}", false);
    expect_norm(REC("{'name':'a','type':'int'},{'name':'b','type':'int'}"),
                REC("{'name':'b','type':'int'},{'name':'a','type':'int'}"), false);
    expect_norm("['null','int']", "['int','null']", false);
    expect_norm("{'type':'enum','name':'E','symbols':['A','B']}",
                "{'type':'enum','name':'E','symbols':['B','A']}", false);
    expect_norm("{'type':'enum','name':'E','symbols':['A'],'default':'A'}",
                "{'type':'enum','name':'E','symbols':['A']}", false);
    expect_norm("{'type':'record','name':'r','namespace':'n','fields':[]}",
                "{'type':'record','name':'r','fields':[]}", false);
}

static void test_normalized_text(void **state)
{
    (void)state;
    avs_schema_t *s = must_parse(
        "{'namespace':'n','type':'record','name':'r','x-b':[2,1],'doc':'d','x-a':{'z':1,'y':2},"
        "'aliases':['old'],'fields':[{'type':{'type':'enum','symbols':['A'],'name':'E',"
        "'default':'A'},'name':'e','default':'A','order':'IGNORE','p':true},{'name':'f',"
        "'type':['null','E'],'default':null},{'name':'t','type':{'type':'long','logicalType':"
        "'timestamp-millis'}},{'name':'d','type':'double','default':1.50}]}");
    char *want = dq(
        "{'type':'record','name':'n.r','doc':'d','aliases':['n.old'],'fields':[{'name':'e',"
        "'type':{'type':'enum','name':'n.E','symbols':['A'],'default':'A'},'default':'A','order':"
        "'ignore','p':true},{'name':'f','type':['null','n.E'],'default':null},{'name':'t','type':"
        "{'type':'long','logicalType':'timestamp-millis'}},{'name':'d','type':'double','default':"
        "1.50}],'x-a':{'y':2,'z':1},'x-b':[2,1]}");
    assert_string_equal(avs_normalized(s), want);
    free(want);
    avs_free(s);
}

/* Found by the fuzzer: a type in no namespace inside a namespaced record must keep its empty
 * namespace in the normalised form, or parsing that text moves it into the record's. */
static void test_normalized_null_namespace(void **state)
{
    (void)state;
    avs_schema_t *s = must_parse("{'type':'record','name':'a.R','fields':[{'name':'z','type':{"
                                 "'type':'fixed','name':'F','namespace':'','size':1}},{'name':"
                                 "'w','type':'F'}]}");
    char *want = dq("{'type':'record','name':'a.R','fields':[{'name':'z','type':{'type':'fixed',"
                    "'name':'F','namespace':'','size':1}},{'name':'w','type':'F'}]}");
    assert_string_equal(avs_normalized(s), want);
    avs_schema_t *again = must_parse(want);
    assert_string_equal(avs_normalized(again), want);
    free(want);
    avs_free(again);
    avs_free(s);
    /* The same for an alias in no namespace. */
    s = must_parse("{'type':'record','name':'R','namespace':'a','aliases':['.P','Q'],'fields':[]}");
    want = dq("{'type':'record','name':'a.R','aliases':['.P','a.Q'],'fields':[]}");
    assert_string_equal(avs_normalized(s), want);
    again = must_parse(want);
    assert_string_equal(avs_normalized(again), want);
    free(want);
    avs_free(again);
    avs_free(s);
}

static void test_compact(void **state)
{
    (void)state;
    const char *in = "{ \"type\" : \"record\", \"name\" : \"r\", \"doc\": \"a\\/b \\u0041\\n\","
                     " \"fields\" : [ {\"name\":\"x\", \"type\":\"double\", \"default\": 1.50},"
                     " {\"name\":\"y\",\"type\":\"long\",\"default\":-0} ] }\n";
    kr_err_t err;
    avs_schema_t *s = avs_parse(in, strlen(in), &err);
    assert_non_null(s);
    assert_string_equal(avs_compact(s),
                        "{\"type\":\"record\",\"name\":\"r\",\"doc\":\"a/b A\\n\",\"fields\":"
                        "[{\"name\":\"x\",\"type\":\"double\",\"default\":1.50},{\"name\":\"y\","
                        "\"type\":\"long\",\"default\":0}]}");
    /* The compact form parses back to itself. */
    avs_schema_t *again = avs_parse(avs_compact(s), strlen(avs_compact(s)), &err);
    assert_non_null(again);
    assert_string_equal(avs_compact(again), avs_compact(s));
    assert_string_equal(avs_normalized(again), avs_normalized(s));
    avs_free(again);
    avs_free(s);
}

/* Found by the fuzzer: the text need not end in NUL, even when it ends in a long integer. */
static void test_not_nul_terminated(void **state)
{
    (void)state;
    char text[] = "-33333333333333333333X";
    kr_err_t err;
    assert_null(avs_parse(text, sizeof(text) - 2, &err));
    assert_int_equal(err.code, AVS_ERR_INVALID_SCHEMA);
    char intx[] = "\"int\"X";
    avs_schema_t *s = avs_parse(intx, sizeof(intx) - 2, &err);
    assert_non_null(s);
    assert_string_equal(avs_compact(s), "\"int\"");
    avs_free(s);
}

typedef struct canon_case {
    const char *schema;
    const char *canonical;
    int64_t fingerprint; /* as the specification's test data prints it (signed) */
} canon_case_t;

static const canon_case_t CANON_CASES[] = {
    {"'null'", "'null'", 7195948357588979594},
    {"{'type':'null'}", "'null'", 7195948357588979594},
    {"'boolean'", "'boolean'", -6970731678124411036},
    {"'int'", "'int'", 8247732601305521295},
    {"{'type':'int'}", "'int'", 8247732601305521295},
    {"'long'", "'long'", -3434872931120570953},
    {"'float'", "'float'", 5583340709985441680},
    {"'double'", "'double'", -8181574048448539266},
    {"'bytes'", "'bytes'", 5746618253357095269},
    {"{'type':'string','logicalType':'uuid'}", "'string'", -8142146995180207161},
    {"[ ]", "[]", -1241056759729112623},
    {"[ 'int' ]", "['int']", -5232228896498058493},
    {"['int',{'type':'boolean'}]", "['int','boolean']", 5392556393470105090},
    {"{'fields':[],'type':'record','name':'foo'}", "{'name':'foo','type':'record','fields':[]}",
     -4824392279771201922},
    {"{'fields':[],'type':'record','name':'foo','namespace':'x.y'}",
     "{'name':'x.y.foo','type':'record','fields':[]}", 5916914534497305771},
    {"{'fields':[],'type':'record','name':'a.b.foo','namespace':'x.y'}",
     "{'name':'a.b.foo','type':'record','fields':[]}", -4616218487480524110},
    {"{'fields':[],'type':'record','name':'foo','doc':'d','aliases':['foo','bar']}",
     "{'name':'foo','type':'record','fields':[]}", -4824392279771201922},
    {"{'fields':[{'type':{'type':'boolean'},'name':'f1'}],'type':'record','name':'foo'}",
     "{'name':'foo','type':'record','fields':[{'name':'f1','type':'boolean'}]}",
     7843277075252814651},
    {"{'fields':[{'type':'boolean','aliases':[],'name':'f1','default':true},{'order':"
     "'descending','name':'f2','doc':'Hello','type':'int'}],'type':'record','name':'foo'}",
     "{'name':'foo','type':'record','fields':[{'name':'f1','type':'boolean'},{'name':'f2',"
     "'type':'int'}]}",
     -4860222112080293046},
    {"{'type':'enum','name':'foo','symbols':['A1']}",
     "{'name':'foo','type':'enum','symbols':['A1']}", -6342190197741309591},
    {"{'namespace':'x.y.z','type':'enum','name':'foo','doc':'d','symbols':['A1','A2']}",
     "{'name':'x.y.z.foo','type':'enum','symbols':['A1','A2']}", -4448647247586288245},
    {"{'name':'foo','type':'fixed','size':15}", "{'name':'foo','type':'fixed','size':15}",
     1756455273707447556},
    {"{'namespace':'x.y.z','type':'fixed','name':'foo','doc':'d','size':32}",
     "{'name':'x.y.z.foo','type':'fixed','size':32}", -3064184465700546786},
    {"{'items':{'type':'null'},'type':'array'}", "{'type':'array','items':'null'}",
     -589620603366471059},
    {"{'values':'string','type':'map'}", "{'type':'map','values':'string'}", -8732877298790414990},
    {"{'name':'PigValue','type':'record','fields':[{'name':'value','type':['null','int','long',"
     "'PigValue']}]}",
     "{'name':'PigValue','type':'record','fields':[{'name':'value','type':['null','int','long',"
     "'PigValue']}]}",
     -1759257747318642341},
};

/* An enum of n symbols s0..s(n-1) where symbol i is replaced by symbol rep[i] when given. */
static char *big_enum(size_t n, size_t a, size_t a_from, size_t b, size_t b_from)
{
    kr_buf_t buf;
    kr_buf_init(&buf, 0);
    kr_buf_puts(&buf, "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[");
    char sym[32];
    for (size_t i = 0; i < n; i++) {
        size_t v = i == a ? a_from : i == b ? b_from : i;
        snprintf(sym, sizeof(sym), "%s\"s%zu\"", i ? "," : "", v);
        kr_buf_puts(&buf, sym);
    }
    kr_buf_puts(&buf, "]}");
    size_t len;
    return kr_buf_steal(&buf, &len);
}

/* Repeated names are found by sorting (a 1 MB enum was quadratic): the error still names the
 * first repeat in order. */
static void test_many_symbols(void **state)
{
    (void)state;
    char *text = big_enum(100000, 0, 0, 0, 0);
    kr_err_t err = {0};
    avs_schema_t *s = avs_parse(text, strlen(text), &err);
    assert_non_null(s);
    avs_free(s);
    free(text);
    /* symbol 70000 repeats s5 and symbol 30000 repeats s12345: 30000 comes first */
    text = big_enum(100000, 70000, 5, 30000, 12345);
    assert_null(avs_parse(text, strlen(text), &err));
    assert_non_null(strstr(err.msg, "symbol 's12345' appears twice"));
    free(text);
}

static void test_canonical_and_fingerprint(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(CANON_CASES) / sizeof(CANON_CASES[0]); i++) {
        const canon_case_t *c = &CANON_CASES[i];
        avs_schema_t *s = must_parse(c->schema);
        char *want = dq(c->canonical);
        if (strcmp(avs_canonical(s), want) != 0)
            fail_msg("case %zu: canonical %s, want %s", i, avs_canonical(s), want);
        if (avs_fingerprint64(s) != (uint64_t)c->fingerprint)
            fail_msg("case %zu %s: fingerprint %lld, want %lld", i, want,
                     (long long)avs_fingerprint64(s), (long long)c->fingerprint);
        free(want);
        avs_free(s);
    }
}

static void test_canonical_error_and_nesting(void **state)
{
    (void)state;
    avs_schema_t *s = must_parse("{'type':'error','name':'E','namespace':'n','fields':[{'name':"
                                 "'a','type':{'type':'record','name':'In','fields':[]}},{'name':"
                                 "'b','type':{'type':'array','items':'In'},'default':[]}]}");
    char *want = dq("{'name':'n.E','type':'record','fields':[{'name':'a','type':{'name':'n.In',"
                    "'type':'record','fields':[]}},{'name':'b','type':{'type':'array','items':"
                    "'n.In'}}]}");
    assert_string_equal(avs_canonical(s), want);
    free(want);
    avs_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_normalized_equal),
        cmocka_unit_test(test_normalized_different),
        cmocka_unit_test(test_normalized_text),
        cmocka_unit_test(test_normalized_null_namespace),
        cmocka_unit_test(test_compact),
        cmocka_unit_test(test_many_symbols),
        cmocka_unit_test(test_not_nul_terminated),
        cmocka_unit_test(test_canonical_and_fingerprint),
        cmocka_unit_test(test_canonical_error_and_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
