/* tests/unit/format/test_avro_codec.c -- the Avro codec (JSON <-> binary): a round-trip table of
 * every type, exact bytes from the specification, every error path with its message, and
 * avro-c 1.11.1 as an independent oracle (it reads krest's bytes, writes the same bytes back,
 * and krest decodes what avro-c wrote). */
#include "avro_test_util.h"
#include "format/avro_codec.h"

#include <avro.h>
#include <stdio.h>
#include <time.h>

typedef struct rt_case {
    const char *schema; /* ' for " */
    const char *json;   /* the input, as is */
    const char *out;    /* what decoding gives back; NULL: json itself */
    const char *hex;    /* the exact binary; NULL: not checked */
} rt_case_t;

/* avro-c 1.11.1 cannot hold a fixed of size 0 (nor an empty union or enum, or an "error"). */
static bool no_oracle(const rt_case_t *c)
{
    return strstr(c->schema, "'size':0") != NULL;
}

#define REC(fields) "{'type':'record','name':'R','namespace':'ns','fields':[" fields "]}"

#define DEFAULTS_SCHEMA                                                                            \
    REC("{'name':'a','type':'int'},{'name':'b','type':'string','default':'x'},"                    \
        "{'name':'c','type':['null','int'],'default':null},"                                       \
        "{'name':'d','type':{'type':'array','items':'int'},'default':[1,2]},"                      \
        "{'name':'e','type':{'type':'map','values':'string'},'default':{'k':'v'}},"                \
        "{'name':'f','type':'double','default':1},"                                                \
        "{'name':'g','type':{'type':'enum','name':'G','symbols':['X','Y']},'default':'Y'},"        \
        "{'name':'h','type':{'type':'fixed','name':'H','size':1},'default':'\\u00ff'},"            \
        "{'name':'i','type':'bytes','default':'ab'},{'name':'j','type':'boolean','default':true}," \
        "{'name':'k','type':{'type':'record','name':'K','fields':[{'name':'z','type':'long',"      \
        "'default':5}]},'default':{}},"                                                            \
        "{'name':'l','type':['null','string'],'default':'s'},"                                     \
        "{'name':'m','type':'float','default':'NaN'},{'name':'n','type':'null','default':null}")

#define UNION_SCHEMA                                                                               \
    "['null','int','string',{'type':'record','name':'P','namespace':'a.b','fields':[{'name':"      \
    "'x','type':'int'}]},{'type':'enum','name':'E','symbols':['A','B']},{'type':'array',"          \
    "'items':'int'},{'type':'map','values':'long'},{'type':'fixed','name':'F','size':2},'bytes',"  \
    "'boolean','double']"

#define LIST_SCHEMA                                                                                \
    "{'type':'record','name':'L','fields':[{'name':'v','type':'int'},{'name':'next','type':"       \
    "['null','L']}]}"

static const rt_case_t RT_CASES[] = {
    {"'null'", "null", NULL, ""},
    {"'boolean'", "true", NULL, "01"},
    {"'boolean'", "false", NULL, "00"},
    {"'int'", "0", NULL, "00"},
    {"'int'", "1", NULL, "02"},
    {"'int'", "-1", NULL, "01"},
    {"'int'", "64", NULL, "8001"},
    {"'int'", "-64", NULL, "7f"},
    {"'int'", "2147483647", NULL, "feffffff0f"},
    {"'int'", "-2147483648", NULL, "ffffffff0f"},
    {"'long'", "9223372036854775807", NULL, "feffffffffffffffff01"},
    {"'long'", "-9223372036854775808", NULL, "ffffffffffffffffff01"},
    {"'long'", "-0", "0", "00"},
    {"'float'", "1.5", NULL, "0000c03f"},
    {"'float'", "0.1", NULL, NULL},
    {"'float'", "1", "1.0", "0000803f"},
    {"'float'", "1e10", "1.0E10", NULL},
    {"'float'", "3.4028235E38", NULL, "ffff7f7f"},
    {"'float'", "\"NaN\"", NULL, "0000c07f"},
    {"'float'", "\"-Infinity\"", NULL, "000080ff"},
    {"'double'", "1", "1.0", "000000000000f03f"},
    {"'double'", "-2.5", NULL, "00000000000004c0"},
    {"'double'", "0.001", NULL, NULL},
    {"'double'", "0.0001", "1.0E-4", NULL},
    {"'double'", "1.0E-5", NULL, NULL},
    {"'double'", "123456.789", NULL, NULL},
    {"'double'", "9999999", "9999999.0", NULL},
    {"'double'", "10000000", "1.0E7", NULL},
    {"'double'", "1.7976931348623157E308", NULL, NULL},
    {"'double'", "5e-324", "4.9E-324", "0100000000000000"},
    {"'double'", "-0.0", NULL, "0000000000000080"},
    {"'double'", "0.1", NULL, "9a9999999999b93f"},
    {"'double'", "\"Infinity\"", NULL, "000000000000f07f"},
    {"'double'", "\"NaN\"", NULL, "000000000000f87f"},
    {"'bytes'", "\"\"", NULL, "00"},
    {"'bytes'", "\"\\u0000\\u00ff a\"", "\"\\u0000\xc3\xbf a\"", "0800ff2061"},
    {"'bytes'", "\"\\b\\t\\n\\f\\r\\u001f\\u007f\\\"\\\\/\"",
     "\"\\b\\t\\n\\f\\r\\u001F\x7f\\\"\\\\/\"",
     "14"
     "08090a0c0d1f7f225c2f"},
    {"'string'", "\"foo\"", NULL, "06666f6f"},
    {"'string'", "\"\"", NULL, "00"},
    {"'string'", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", NULL, "12c3a9e282acf09f9880"},
    {"'string'", "\"\\u00e9\\ud83d\\ude00\"", "\"\xc3\xa9\xf0\x9f\x98\x80\"", NULL},
    {"'string'", "\"a\\u0001\\\"\"", "\"a\\u0001\\\"\"",
     "066101"
     "22"},
    {"{'type':'fixed','name':'F','size':2}", "\"ab\"", NULL, "6162"},
    {"{'type':'fixed','name':'F','size':0}", "\"\"", NULL, ""},
    {"{'type':'enum','name':'E','symbols':['A','B','C']}", "\"C\"", NULL, "04"},
    {"{'type':'array','items':'int'}", "[1,2,3]", NULL, "0602040600"},
    {"{'type':'array','items':'int'}", "[ ]", "[]", "00"},
    {"{'type':'array','items':'null'}", "[null,null]", NULL, "0400"},
    {"{'type':'array','items':{'type':'array','items':'string'}}", "[[],[\"a\"],[\"b\",\"c\"]]",
     NULL, NULL},
    {"{'type':'map','values':'long'}", "{\"a\":1}", NULL, "0202610200"},
    {"{'type':'map','values':'long'}", "{}", NULL, "00"},
    {"{'type':'map','values':{'type':'map','values':'int'}}", "{\"x\":{\"y\":1},\"z\":{}}", NULL,
     NULL},
    {REC("{'name':'a','type':'int'},{'name':'b','type':'string'}"), "{\"a\":1,\"b\":\"x\"}", NULL,
     "020278"},
    {REC("{'name':'a','type':'int'},{'name':'b','type':'string'}"),
     " { \"b\" : \"x\" , \"a\" : 1 } ", "{\"a\":1,\"b\":\"x\"}", "020278"},
    {REC(""), "{}", NULL, ""},
    {DEFAULTS_SCHEMA, "{\"a\":7}",
     "{\"a\":7,\"b\":\"x\",\"c\":null,\"d\":[1,2],\"e\":{\"k\":\"v\"},\"f\":1.0,\"g\":\"Y\","
     "\"h\":\"\xc3\xbf\",\"i\":\"ab\",\"j\":true,\"k\":{\"z\":5},\"l\":{\"string\":\"s\"},"
     "\"m\":\"NaN\",\"n\":null}",
     NULL},
    {DEFAULTS_SCHEMA,
     "{\"n\":null,\"m\":2.5,\"l\":null,\"k\":{\"z\":1},\"j\":false,\"i\":\"\",\"h\":\"a\","
     "\"g\":\"X\",\"f\":2.5,\"e\":{},\"d\":[],\"c\":{\"int\":3},\"b\":\"y\",\"a\":-1}",
     "{\"a\":-1,\"b\":\"y\",\"c\":{\"int\":3},\"d\":[],\"e\":{},\"f\":2.5,\"g\":\"X\",\"h\":\"a\","
     "\"i\":\"\",\"j\":false,\"k\":{\"z\":1},\"l\":null,\"m\":2.5,\"n\":null}",
     NULL},
    {REC("{'name':'in','type':{'type':'record','name':'In','fields':[{'name':'zip','type':'int'},"
         "{'name':'city','type':'string'}]}},{'name':'tags','type':{'type':'array','items':'In'}}"),
     "{\"tags\":[{\"city\":\"b\",\"zip\":2}],\"in\":{\"zip\":1,\"city\":\"a\"}}",
     "{\"in\":{\"zip\":1,\"city\":\"a\"},\"tags\":[{\"zip\":2,\"city\":\"b\"}]}",
     "0202610204026200"},
    {UNION_SCHEMA, "null", NULL, "00"},
    {UNION_SCHEMA, "{\"int\":1}", NULL, "0202"},
    {UNION_SCHEMA, "{\"string\":\"x\"}", NULL, "040278"},
    {UNION_SCHEMA, "{\"a.b.P\":{\"x\":1}}", NULL, "0602"},
    {UNION_SCHEMA, "{\"E\":\"B\"}", NULL, "0802"},
    {UNION_SCHEMA, "{\"array\":[1]}", NULL, "0a020200"},
    {UNION_SCHEMA, "{\"map\":{\"k\":1}}", NULL, "0c02026b0200"},
    {UNION_SCHEMA, "{\"F\":\"xy\"}", NULL, "0e7879"},
    {UNION_SCHEMA, "{\"bytes\":\"\\u00ff\"}", "{\"bytes\":\"\xc3\xbf\"}", "1002ff"},
    {UNION_SCHEMA, "{\"boolean\":true}", NULL, "1201"},
    {UNION_SCHEMA, "{\"double\":1}", "{\"double\":1.0}", "14000000000000f03f"},
    {"['int','null']", "null", NULL, "02"},
    {"{'type':'int','logicalType':'date'}", "19000", NULL, "f0a802"},
    {"{'type':'long','logicalType':'timestamp-millis'}", "1700000000000", NULL, NULL},
    {"{'type':'long','logicalType':'timestamp-micros'}", "-1", NULL, "01"},
    {"{'type':'int','logicalType':'time-millis'}", "3600000", NULL, NULL},
    {"{'type':'bytes','logicalType':'decimal','precision':4,'scale':2}", "\"\\u0001\\u0002\"", NULL,
     "040102"},
    {"{'type':'fixed','name':'D','size':3,'logicalType':'decimal','precision':5}",
     "\"\\u0000\\u0001\\u0002\"", NULL, "000102"},
    {"{'type':'string','logicalType':'uuid'}", "\"5f8a1b2c-0000-4000-8000-000000000000\"", NULL,
     NULL},
    {"{'type':'fixed','name':'dur','size':12,'logicalType':'duration'}",
     "\"\\u0001\\u0000\\u0000\\u0000\\u0002\\u0000\\u0000\\u0000\\u0003\\u0000\\u0000\\u0000\"",
     NULL, "010000000200000003000000"},
    {LIST_SCHEMA, "{\"v\":1,\"next\":{\"L\":{\"v\":2,\"next\":{\"L\":{\"v\":3,\"next\":null}}}}}",
     NULL, "020204020600"},
    {"{'type':'record','name':'T','fields':[{'name':'left','type':['null','T'],'default':null},"
     "{'name':'right','type':['null','T'],'default':null}]}",
     "{\"left\":{\"T\":{\"right\":{\"T\":{}}}}}",
     "{\"left\":{\"T\":{\"left\":null,\"right\":{\"T\":{\"left\":null,\"right\":null}}}},"
     "\"right\":null}",
     "020002000000"},
};

/* --- helpers ----------------------------------------------------------------------------- */

static char *to_hex(const char *p, size_t n)
{
    char *h = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        snprintf(h + 2 * i, 3, "%02x", (unsigned char)p[i]);
    h[2 * n] = '\0';
    return h;
}

static size_t from_hex(const char *hex, char *out)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (char)v;
    }
    return n;
}

static void check_hex(const char *what, const char *p, size_t n, const char *hex)
{
    char *h = to_hex(p, n);
    if (strcmp(h, hex) != 0)
        fail_msg("%s: bytes %s, expected %s", what, h, hex);
    free(h);
}

static int encode(avs_schema_t *s, const char *json, kr_buf_t *out, kr_err_t *err)
{
    return avs_encode_json(s, json, strlen(json), "records[0].value", out, err);
}

/* avro-c reads krest's bytes whole, and writes the same bytes back; krest decodes avro-c's. */
static void oracle(avs_schema_t *s, const rt_case_t *c, const kr_buf_t *bin)
{
    avro_schema_t as = NULL;
    const char *pcf = avs_canonical(s);
    if (avro_schema_from_json_length(pcf, strlen(pcf), &as))
        fail_msg("avro-c refuses %s: %s", pcf, avro_strerror());
    avro_value_iface_t *iface = avro_generic_class_from_schema(as);
    avro_value_t v;
    assert_int_equal(avro_generic_value_new(iface, &v), 0);
    avro_reader_t r = avro_reader_memory(bin->data ? bin->data : "", (int64_t)bin->len);
    if (avro_value_read(r, &v))
        fail_msg("avro-c cannot read %s as %s: %s", c->json, pcf, avro_strerror());
    size_t size = 0;
    assert_int_equal(avro_value_sizeof(&v, &size), 0);
    if (size != bin->len)
        fail_msg("%s: avro-c read %zu of %zu bytes", c->json, size, bin->len);
    char *buf = malloc(size + 1);
    avro_writer_t w = avro_writer_memory(buf, (int64_t)size + 1);
    assert_int_equal(avro_value_write(w, &v), 0);
    assert_int_equal((size_t)avro_writer_tell(w), bin->len);
    if (memcmp(buf, bin->data ? bin->data : "", bin->len) != 0)
        fail_msg("%s: avro-c wrote other bytes", c->json);
    kr_buf_t json;
    kr_buf_init(&json, 0);
    kr_err_t err = {0};
    if (avs_decode_to_json(s, buf, size, &json, &err))
        fail_msg("%s: krest cannot decode avro-c's bytes: %s", c->json, err.msg);
    assert_string_equal(json.data, c->out ? c->out : c->json);
    kr_buf_deinit(&json);
    free(buf);
    avro_writer_free(w);
    avro_reader_free(r);
    avro_value_decref(&v);
    avro_value_iface_decref(iface);
    avro_schema_decref(as);
}

static void test_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(RT_CASES) / sizeof(RT_CASES[0]); i++) {
        const rt_case_t *c = &RT_CASES[i];
        avs_schema_t *s = must_parse(c->schema);
        kr_buf_t bin, json, again;
        kr_buf_init(&bin, 0), kr_buf_init(&json, 0), kr_buf_init(&again, 0);
        kr_err_t err = {0};
        if (encode(s, c->json, &bin, &err))
            fail_msg("case %zu: %s does not encode: %s", i, c->json, err.msg);
        if (c->hex)
            check_hex(c->json, bin.data ? bin.data : "", bin.len, c->hex);
        if (avs_decode_to_json(s, bin.data, bin.len, &json, &err))
            fail_msg("case %zu: %s does not decode: %s", i, c->json, err.msg);
        if (strcmp(json.data, c->out ? c->out : c->json) != 0)
            fail_msg("case %zu: decoded %s, expected %s", i, json.data, c->out ? c->out : c->json);
        assert_int_equal(encode(s, json.data, &again, &err), 0);
        assert_int_equal(again.len, bin.len);
        assert_memory_equal(again.data ? again.data : "", bin.data ? bin.data : "", bin.len);
        if (!no_oracle(c))
            oracle(s, c, &bin);
        kr_buf_deinit(&bin), kr_buf_deinit(&json), kr_buf_deinit(&again);
        avs_free(s);
    }
    size_t n = sizeof(RT_CASES) / sizeof(RT_CASES[0]), skipped = 0;
    for (size_t i = 0; i < n; i++)
        skipped += no_oracle(&RT_CASES[i]);
    printf("%zu round-trip cases, %zu of them checked with avro-c\n", n, n - skipped);
}

/* --- encode errors ----------------------------------------------------------------------- */

typedef struct err_case {
    const char *schema;
    const char *json;
    const char *msg; /* the whole message; the path is "records[0].value" */
} err_case_t;

#define P "records[0].value"
#define ADDR_SCHEMA                                                                                \
    REC("{'name':'address','type':{'type':'record','name':'A','fields':[{'name':'zip','type':"     \
        "'int'}]}},{'name':'tags','type':{'type':'array','items':'int'},'default':[]},{'name':"    \
        "'m','type':{'type':'map','values':'boolean'},'default':{}}")

static const err_case_t ERR_CASES[] = {
    {"'null'", "0", P ": expected null, got 0"},
    {"'boolean'", "null", P ": expected boolean, got null"},
    {"'int'", "\"x\"", P ": expected int, got \"x\""},
    {"'int'", "1.5", P ": expected int, got 1.5"},
    {"'int'", "1e2", P ": expected int, got 1e2"},
    {"'int'", "2147483648", P ": expected int, got 2147483648"},
    {"'int'", "-2147483649", P ": expected int, got -2147483649"},
    {"'long'", "9223372036854775808", P ": expected long, got 9223372036854775808"},
    {"'long'", "-9223372036854775809", P ": expected long, got -9223372036854775809"},
    {"'long'", "1.0", P ": expected long, got 1.0"},
    {"'long'", "true", P ": expected long, got true"},
    {"'float'", "\"nan\"", P ": expected float, got \"nan\""},
    {"'double'", "[1]", P ": expected double, got an array"},
    {"'string'", "1", P ": expected string, got 1"},
    {"'string'", "{}", P ": expected string, got an object"},
    {"'bytes'", "\"\\u0100\"",
     P ": expected bytes, got a string with code point U+0100 (beyond 255)"},
    {"{'type':'fixed','name':'F','size':2}", "\"abc\"", P ": expected fixed of 2 bytes, got 3"},
    {"{'type':'fixed','name':'F','size':2}", "2", P ": expected fixed, got 2"},
    {"{'type':'enum','name':'E','symbols':['A']}", "\"B\"", P ": unknown symbol \"B\" of enum E"},
    {"{'type':'enum','name':'E','symbols':['A']}", "0", P ": expected enum, got 0"},
    {"{'type':'array','items':'int'}", "[1,true]", P "[1]: expected int, got true"},
    {"{'type':'array','items':'int'}", "{}", P ": expected array, got an object"},
    {"{'type':'map','values':'int'}", "{\"k\":\"v\"}", P ".k: expected int, got \"v\""},
    {"{'type':'map','values':'int'}", "[]", P ": expected map, got an array"},
    {ADDR_SCHEMA, "{\"address\":{\"zip\":\"x\"}}", P ".address.zip: expected int, got \"x\""},
    {ADDR_SCHEMA, "{\"address\":{\"zip\":1},\"tags\":[1,\"2\"]}",
     P ".tags[1]: expected int, got \"2\""},
    {ADDR_SCHEMA, "{\"address\":{\"zip\":1},\"m\":{\"a b\":1}}",
     P ".m.a b: expected boolean, got 1"},
    {ADDR_SCHEMA, "{\"address\":{}}",
     P ".address: missing field \"zip\" of record ns.A (it has no default)"},
    {ADDR_SCHEMA, "{}", P ": missing field \"address\" of record ns.R (it has no default)"},
    {ADDR_SCHEMA, "{\"address\":{\"zip\":1},\"zip\":2}",
     P ": unknown field \"zip\" in record ns.R"},
    {ADDR_SCHEMA, "{\"address\":{\"zip\":1},\"m\\u0000xyz\":1}",
     P ": unknown field \"m\" in record ns.R"}, /* found by fuzz_avro_json */
    {ADDR_SCHEMA, "{\"address\":{\"zip\":1,\"zip\":2}}", P ".address: field \"zip\" given twice"},
    {ADDR_SCHEMA, "[]", P ": expected record, got an array"},
    {ADDR_SCHEMA, "{\"address\" 1}", P ": invalid JSON at offset 11: expected ':'"},
    {ADDR_SCHEMA, "{\"address\":{\"zip\":1} \"m\"}",
     P ": invalid JSON at offset 21: expected ',' or '}'"},
    {ADDR_SCHEMA, "{1:2}", P ": invalid JSON at offset 1: expected a field name"},
    {UNION_SCHEMA, "1", P ": expected a union: null or {\"<branch type>\": value}, got 1"},
    {UNION_SCHEMA, "{\"P\":{\"x\":1}}", P ": unknown union branch \"P\""},
    {UNION_SCHEMA, "{\"long\":1}", P ": unknown union branch \"long\""},
    {UNION_SCHEMA, "{\"int\":1,\"string\":\"x\"}",
     P ": a union value must be an object with exactly one key"},
    {UNION_SCHEMA, "{\"int\":\"x\"}", P ".int: expected int, got \"x\""},
    {UNION_SCHEMA, "{}", P ": expected a union branch name, got }"},
    {"['int','string']", "null", P ": null is not a branch of the union"},
    {"[]", "null", P ": null is not a branch of the union"},
    {"'int'", "1 2", P ": invalid JSON at offset 2: unexpected text after the value"},
    {"'int'", "", P ": expected int, got nothing"},
    {"'string'", "\"abc", P ": invalid JSON at offset 4: unterminated string"},
    {"'string'", "\"\\x\"", P ": invalid JSON at offset 1: invalid escape in string"},
    {"'string'", "\"\\ud800\"", P ": invalid JSON at offset 7: unpaired surrogate in string"},
    {"'string'", "\"\xff\"", P ": invalid JSON at offset 1: invalid UTF-8 in string"},
    {"'string'", "\"\x01\"", P ": invalid JSON at offset 1: control character in string"},
    {"'double'", "-", P ": invalid JSON at offset 0: invalid number"},
    {"'double'", "1.", P ": invalid JSON at offset 0: invalid number"},
    {REC("{'name':'e','type':{'type':'enum','name':'E','symbols':['A']},'default':'Z'}"), "{}",
     P ": the default of field \"e\" does not match its type"},
    {"{'type':'record','name':'A','fields':[{'name':'b','type':'A','default':{}}]}", "{}",
     P ": nesting deeper than 512 (in a default)"},
    {"{'type':'record','name':'A','fields':[{'name':'b','type':{'type':'array','items':'A'},"
     "'default':[{}]}]}",
     "{}", P ": nesting deeper than 512 (in a default)"},
    {REC("{'name':'f','type':{'type':'fixed','name':'F','size':2},'default':'abc'}"), "{}",
     P ": the default of field \"f\" does not match its type"},
};

static void test_encode_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ERR_CASES) / sizeof(ERR_CASES[0]); i++) {
        const err_case_t *c = &ERR_CASES[i];
        avs_schema_t *s = must_parse(c->schema);
        kr_buf_t bin;
        kr_buf_init(&bin, 0);
        kr_buf_putc(&bin, 'x'); /* what was there stays */
        kr_err_t err = {0};
        if (encode(s, c->json, &bin, &err) == 0)
            fail_msg("case %zu: %s encodes", i, c->json);
        assert_int_equal(err.code, KR_ERR_JSON_AVRO_CONVERSION);
        if (strcmp(err.msg, c->msg) != 0)
            fail_msg("case %zu: message\n  %s\nexpected\n  %s", i, err.msg, c->msg);
        assert_int_equal(bin.len, 1);
        kr_buf_deinit(&bin);
        avs_free(s);
    }
}

/* Nesting deeper than AVS_MAX_DEPTH fails cleanly both ways; a path that long is cut. */
static void test_depth(void **state)
{
    (void)state;
    avs_schema_t *s = must_parse(LIST_SCHEMA);
    kr_buf_t json, bin, out;
    kr_buf_init(&json, 0), kr_buf_init(&bin, 0), kr_buf_init(&out, 0);
    for (int i = 0; i < 300; i++)
        kr_buf_puts(&json, "{\"v\":1,\"next\":{\"L\":");
    kr_buf_puts(&json, "null");
    for (int i = 0; i < 300; i++)
        kr_buf_puts(&json, "}}");
    kr_err_t err = {0};
    assert_int_equal(avs_encode_json(s, json.data, json.len, "", &bin, &err), -1);
    assert_non_null(strstr(err.msg, "nesting deeper than 512"));
    /* the same depth in binary: 300 x (v=1, branch 1), then v=1, branch 0 */
    for (int i = 0; i < 300; i++)
        kr_buf_append(&bin, "\x02\x02", 2);
    kr_buf_append(&bin, "\x02\x00", 2);
    assert_int_equal(avs_decode_to_json(s, bin.data, bin.len, &out, &err), -1);
    assert_int_equal(err.code, KR_ERR_SERIALIZATION);
    assert_non_null(strstr(err.msg, "nesting deeper than 512"));
    /* 200 levels are fine */
    kr_buf_reset(&bin);
    for (int i = 0; i < 200; i++)
        kr_buf_append(&bin, "\x02\x02", 2);
    kr_buf_append(&bin, "\x02\x00", 2);
    assert_int_equal(avs_decode_to_json(s, bin.data, bin.len, &out, &err), 0);
    kr_buf_deinit(&json), kr_buf_deinit(&bin), kr_buf_deinit(&out);
    avs_free(s);
}

/* Record R(k) has a: R(k+1) (defined inline) and b: "R(k+1)", both defaulting to {}; the last
 * has x: int, default 1. "{}" expands into 2^depth defaults of x. */
static avs_schema_t *default_chain(int depth)
{
    kr_buf_t sch;
    kr_buf_init(&sch, 0);
    char buf[200];
    for (int k = 0; k < depth; k++) {
        snprintf(buf, sizeof(buf),
                 "{'type':'record','name':'R%d','fields':[{'name':'a','type':", k);
        kr_buf_puts(&sch, buf);
    }
    snprintf(buf, sizeof(buf),
             "{'type':'record','name':'R%d','fields':[{'name':'x','type':'int','default':1}]}",
             depth);
    kr_buf_puts(&sch, buf);
    for (int k = depth - 1; k >= 0; k--) {
        snprintf(buf, sizeof(buf), ",'default':{}},{'name':'b','type':'R%d','default':{}}]}",
                 k + 1);
        kr_buf_puts(&sch, buf);
    }
    avs_schema_t *s = must_parse(sch.data);
    kr_buf_deinit(&sch);
    return s;
}

/* The encoder stops defaults at AVS_MAX_DEFAULT_VALUES instead of expanding 2^40 of them. */
static void test_default_expansion(void **state)
{
    (void)state;
    kr_buf_t out;
    kr_buf_init(&out, 0);
    kr_err_t err = {0};
    avs_schema_t *s = default_chain(3);
    assert_int_equal(encode(s, "{}", &out, &err), 0);
    assert_int_equal(out.len, 8); /* 2^3 x int 1 (zig-zag 0x02) */
    assert_memory_equal(out.data, "\x02\x02\x02\x02\x02\x02\x02\x02", 8);
    avs_free(s);
    kr_buf_reset(&out);
    s = default_chain(40);
    assert_int_equal(encode(s, "{}", &out, &err), -1);
    assert_int_equal(err.code, KR_ERR_JSON_AVRO_CONVERSION);
    assert_non_null(strstr(err.msg, "defaults expand into more than 100000 values"));
    assert_int_equal(out.len, 0);
    avs_free(s);
    kr_buf_deinit(&out);
}

/* --- decode ------------------------------------------------------------------------------ */

typedef struct dec_case {
    const char *schema;
    const char *hex;
    const char *msg; /* NULL: decodes to out */
    const char *out;
} dec_case_t;

static const dec_case_t DEC_CASES[] = {
    /* Java's blocks with a negative count and a byte size */
    {"{'type':'array','items':'int'}", "0304020400", NULL, "[1,2]"},
    {"{'type':'array','items':'int'}", "020204040400", NULL, "[1,2,2]"},
    {"{'type':'map','values':'int'}", "030c02610202620400", NULL, "{\"a\":1,\"b\":2}"},
    /* non-canonical varints are accepted */
    {"'int'", "8080808000", NULL, "0"},
    {"'long'", "81808080808080808000", NULL, "-1"},
    {"'int'", "", "Invalid Avro data at byte 0: truncated varint", NULL},
    {"'int'", "80", "Invalid Avro data at byte 1: truncated varint", NULL},
    {"'long'", "ffffffffffffffffff02", "Invalid Avro data at byte 10: varint longer than 64 bits",
     NULL},
    {"'long'", "8080808080808080808000", "Invalid Avro data at byte 10: varint longer than 64 bits",
     NULL},
    {"'int'", "8080808010", "Invalid Avro data at byte 5: int out of 32-bit range: 2147483648",
     NULL},
    {"'int'", "0200", "Invalid Avro data at byte 1: 1 bytes after the datum", NULL},
    {"'boolean'", "02", "Invalid Avro data at byte 1: invalid boolean byte 2", NULL},
    {"'float'", "000000", "Invalid Avro data at byte 0: truncated: 4 bytes needed, 3 left", NULL},
    {"'double'", "00", "Invalid Avro data at byte 0: truncated: 8 bytes needed, 1 left", NULL},
    {"'string'", "01", "Invalid Avro data at byte 1: negative length -1", NULL},
    {"'string'", "0a61", "Invalid Avro data at byte 1: length 5 beyond the data (1 bytes left)",
     NULL},
    {"'bytes'", "feffffffffffffffff01",
     "Invalid Avro data at byte 10: length 9223372036854775807 beyond the data (0 bytes left)",
     NULL},
    {"'string'", "0461ff",
     "Invalid Avro data at byte 3: invalid UTF-8 in a string at offset 1 of 2", NULL},
    {"'string'", "06eda080",
     "Invalid Avro data at byte 4: invalid UTF-8 in a string at offset 0 of 3",
     NULL}, /* a surrogate */
    {"'string'", "04c0af",
     "Invalid Avro data at byte 3: invalid UTF-8 in a string at offset 0 of 2",
     NULL}, /* overlong */
    {"{'type':'fixed','name':'F','size':4}", "010203",
     "Invalid Avro data at byte 0: truncated: 4 bytes needed, 3 left", NULL},
    {"{'type':'enum','name':'E','symbols':['A','B']}", "04",
     "Invalid Avro data at byte 1: enum index 2 out of range (2 symbols)", NULL},
    {"{'type':'enum','name':'E','symbols':['A','B']}", "01",
     "Invalid Avro data at byte 1: enum index -1 out of range (2 symbols)", NULL},
    {"['null','int']", "04", "Invalid Avro data at byte 1: union index 2 out of range (2 branches)",
     NULL},
    {"[]", "00", "Invalid Avro data at byte 1: union index 0 out of range (0 branches)", NULL},
    {"{'type':'array','items':'int'}", "80808080808002",
     "Invalid Avro data at byte 7: block of 4398046511104 items beyond the data (0 bytes left)",
     NULL},
    {"{'type':'array','items':'double'}", "040000",
     "Invalid Avro data at byte 1: block of 2 items beyond the data (2 bytes left)", NULL},
    {"{'type':'array','items':'null'}", "8080808080800200",
     "Invalid Avro data at byte 7: more than 1048576 items with an empty encoding", NULL},
    {"{'type':'array','items':'int'}", "0308",
     "Invalid Avro data at byte 2: block size 4 beyond the data", NULL},
    {"{'type':'array','items':'int'}", "ffffffffffffffffff01",
     "Invalid Avro data at byte 10: invalid block count", NULL},
    {"{'type':'array','items':'int'}", "0202", "Invalid Avro data at byte 2: truncated varint",
     NULL},
    {"{'type':'map','values':'int'}", "02",
     "Invalid Avro data at byte 1: block of 1 items beyond "
     "the data (0 bytes left)",
     NULL},
    {REC("{'name':'a','type':'int'},{'name':'b','type':'string'}"), "02",
     "Invalid Avro data at byte 1: truncated varint", NULL},
};

static void test_decode(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(DEC_CASES) / sizeof(DEC_CASES[0]); i++) {
        const dec_case_t *c = &DEC_CASES[i];
        avs_schema_t *s = must_parse(c->schema);
        char bin[64];
        size_t n = from_hex(c->hex, bin);
        kr_buf_t out;
        kr_buf_init(&out, 0);
        kr_buf_putc(&out, 'x');
        kr_err_t err = {0};
        int rc = avs_decode_to_json(s, bin, n, &out, &err);
        if (c->msg) {
            if (rc == 0)
                fail_msg("case %zu: %s decodes to %s", i, c->hex, out.data);
            assert_int_equal(err.code, KR_ERR_SERIALIZATION);
            if (strcmp(err.msg, c->msg) != 0)
                fail_msg("case %zu: message\n  %s\nexpected\n  %s", i, err.msg, c->msg);
            assert_string_equal(out.data, "x");
        } else {
            if (rc != 0)
                fail_msg("case %zu: %s: %s", i, c->hex, err.msg);
            assert_string_equal(out.data + 1, c->out);
        }
        kr_buf_deinit(&out);
        avs_free(s);
    }
}

/* Both ways stop at the output buffer's limit, leaving it as it was. */
static void test_output_limit(void **state)
{
    (void)state;
    avs_schema_t *s = must_parse("'string'");
    kr_buf_t out;
    kr_buf_init(&out, 8);
    kr_err_t err = {0};
    assert_int_equal(encode(s, "\"0123456789\"", &out, &err), -1);
    assert_int_equal(err.code, KR_ERR_TOO_LARGE);
    assert_int_equal(out.len, 0);
    assert_int_equal(avs_decode_to_json(s,
                                        "\x14"
                                        "0123456789",
                                        11, &out, &err),
                     -1);
    assert_int_equal(err.code, KR_ERR_SERIALIZATION);
    assert_string_equal(err.msg, "The decoded JSON exceeds 8 bytes");
    assert_int_equal(out.len, 0);
    kr_buf_deinit(&out);
    avs_free(s);
}

/* No path prefix, no error object; an "error" type (avro-c has none) is a record. */
static void test_misc(void **state)
{
    (void)state;
    avs_schema_t *s = must_parse("'int'");
    kr_buf_t out;
    kr_buf_init(&out, 0);
    kr_err_t err = {0};
    assert_int_equal(avs_encode_json(s, "\"x\"", 3, "", &out, &err), -1);
    assert_string_equal(err.msg, "expected int, got \"x\"");
    assert_int_equal(avs_encode_json(s, "\"x\"", 3, NULL, &out, NULL), -1);
    assert_int_equal(avs_decode_to_json(s, NULL, 0, &out, NULL), -1);
    avs_free(s);
    s = must_parse("['null',{'type':'error','name':'Oops','fields':[{'name':'a','type':'int'}]}]");
    assert_int_equal(encode(s, "{\"Oops\":{\"a\":1}}", &out, &err), 0);
    check_hex("error", out.data, out.len, "0202");
    kr_buf_t json;
    kr_buf_init(&json, 0);
    assert_int_equal(avs_decode_to_json(s, out.data, out.len, &json, &err), 0);
    assert_string_equal(json.data, "{\"Oops\":{\"a\":1}}");
    kr_buf_deinit(&json), kr_buf_deinit(&out);
    avs_free(s);
}

/* --- throughput (printed, not asserted) --------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_throughput(void **state)
{
    (void)state;
    avs_schema_t *s = must_parse(
        REC("{'name':'id','type':'long'},{'name':'name','type':'string'},{'name':'score',"
            "'type':'double'},{'name':'active','type':'boolean'},{'name':'tags','type':{'type':"
            "'array','items':'string'}},{'name':'attrs','type':{'type':'map','values':'int'}},"
            "{'name':'note','type':['null','string']}"));
    kr_buf_t json, bin, out;
    kr_buf_init(&json, 0), kr_buf_init(&bin, 0), kr_buf_init(&out, 0);
    kr_buf_puts(&json, "{\"id\":1234567890123,\"name\":\"a user name\",\"score\":98.25,"
                       "\"active\":true,\"tags\":[");
    for (int i = 0; json.len < 700; i++)
        kr_buf_printf(&json, "%s\"tag-%d\"", i ? "," : "", i);
    kr_buf_puts(&json, "],\"attrs\":{");
    for (int i = 0; json.len < 980; i++)
        kr_buf_printf(&json, "%s\"k%d\":%d", i ? "," : "", i, i * 1000);
    kr_buf_puts(&json, "},\"note\":{\"string\":\"hello\"}}");
    kr_err_t err = {0};
    int n = 5000;
    double t0 = now();
    for (int i = 0; i < n; i++) {
        kr_buf_reset(&bin);
        assert_int_equal(avs_encode_json(s, json.data, json.len, "", &bin, &err), 0);
    }
    double t1 = now();
    for (int i = 0; i < n; i++) {
        kr_buf_reset(&out);
        assert_int_equal(avs_decode_to_json(s, bin.data, bin.len, &out, &err), 0);
    }
    double t2 = now();
    printf("throughput (%zu-byte JSON record, %zu bytes binary; this build): encode %.0f MB/s "
           "of JSON (%.2f us/record), decode %.0f MB/s of JSON (%.2f us/record)\n",
           json.len, bin.len, json.len * n / (t1 - t0) / 1e6, (t1 - t0) / n * 1e6,
           out.len * n / (t2 - t1) / 1e6, (t2 - t1) / n * 1e6);
    kr_buf_deinit(&json), kr_buf_deinit(&bin), kr_buf_deinit(&out);
    avs_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_encode_errors),
        cmocka_unit_test(test_depth),      cmocka_unit_test(test_default_expansion),
        cmocka_unit_test(test_decode),     cmocka_unit_test(test_output_limit),
        cmocka_unit_test(test_misc),       cmocka_unit_test(test_throughput),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
