/* tests/unit/format/test_v3_record.c -- the v3 ProduceRequest decoder: a stream of objects with
 * good and bad ones (the bad ones in-band, the stream goes on), every rule of API.md §3.5 with
 * its message, a broken stream, the size limit, batch entries, and ISO-8601 timestamps. */
#include "format/v3_record.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Decodes the first object of text. @return the rc; rec/err/st filled. */
static int one(fmt_v3_store_t *st, const char *text, fmt_v3_record_t *rec, kr_err_t *err)
{
    size_t pos = 0;
    fmt_v3_store_init(st, 1 << 20);
    return fmt_v3_record_next(st, text, strlen(text), &pos, 0, rec, err);
}

static void assert_bytes(const fmt_v3_store_t *st, fmt_span_t s, const char *want)
{
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(fmt_v3_bytes(st, s), want, s.len);
}

static void test_stream(void **state)
{
    (void)state;
    const char *text = " {\"value\":{\"type\":\"BINARY\",\"data\":\"aGVsbG8=\"}}\r\n"
                       "{\"value\":{\"type\":\"BINARY\",\"data\":1}}"
                       "{\"key\":{\"data\":\"k\",\"type\":\"STRING\"},\"partition_id\":2,"
                       "\"value\":{\"type\":\"JSON\",\"data\":{ \"a\" : [1, 2.50, \"\\/\"] }},"
                       "\"headers\":[{\"name\":\"h\",\"value\":\"eA==\"},{\"name\":\"n\"}],"
                       "\"timestamp\":\"2021-02-05T19:14:42.5Z\"}  ";
    fmt_v3_store_t st;
    fmt_v3_store_init(&st, 1 << 20);
    fmt_v3_record_t r;
    kr_err_t err = {0};
    size_t pos = 0, len = strlen(text);
    assert_int_equal(fmt_v3_record_next(&st, text, len, &pos, 0, &r, &err), FMT_V3_RECORD);
    assert_true(r.value.present && r.value.has_data && !r.key.present);
    assert_int_equal(r.value.type, FMT_V3_BINARY);
    assert_bytes(&st, r.value.data, "hello");
    assert_int_equal(fmt_v3_record_next(&st, text, len, &pos, 0, &r, &err), FMT_V3_INVALID);
    assert_int_equal(err.code, 400);
    assert_string_equal(err.msg, "Bad Request: data=1 is not a base64 string.");
    assert_int_equal(fmt_v3_record_next(&st, text, len, &pos, 0, &r, &err), FMT_V3_RECORD);
    assert_int_equal(r.partition, 2);
    assert_bytes(&st, r.key.data, "k");
    assert_bytes(&st, r.value.data, "{\"a\":[1,2.50,\"/\"]}");
    assert_int_equal(r.n_headers, 2);
    assert_bytes(&st, st.headers[r.first_header].name, "h");
    assert_bytes(&st, st.headers[r.first_header].value, "x");
    assert_false(st.headers[r.first_header + 1].has_value);
    assert_true(r.has_timestamp);
    assert_int_equal(r.timestamp, 1612552482500LL);
    assert_int_equal(fmt_v3_record_next(&st, text, len, &pos, 0, &r, &err), FMT_V3_END);
    fmt_v3_store_deinit(&st);
}

static void expect_invalid(const char *text, int code, const char *msg)
{
    fmt_v3_store_t st;
    fmt_v3_record_t r;
    kr_err_t err = {0};
    int rc = one(&st, text, &r, &err);
    if (rc != FMT_V3_INVALID || err.code != code || !strstr(err.msg, msg))
        fail_msg("%s: rc %d code %d msg '%s', want '%s'", text, rc, err.code, err.msg, msg);
    assert_int_equal(st.arena.len, 0);
    assert_int_equal(st.n_headers, 0);
    fmt_v3_store_deinit(&st);
}

static void test_rules(void **state)
{
    (void)state;
    expect_invalid("{\"value\":{\"type\":\"BINARY\",\"data\":\"!!\"}}", 400,
                   "data=\"!!\" is not a valid base64 string.");
    expect_invalid("{\"value\":{\"type\":\"STRING\",\"data\":5}}", 400, "data=5 is not a string.");
    expect_invalid("{\"value\":{\"type\":\"BINARY\",\"subject\":\"s\"}}", 400,
                   "'type=BINARY' cannot be used with 'subject'.");
    expect_invalid("{\"value\":{\"type\":\"JSON\",\"schema_id\":1}}", 400,
                   "'type=JSON' cannot be used with 'schema_id'.");
    expect_invalid("{\"value\":{\"schema_id\":1,\"schema_version\":2}}", 400,
                   "'schema_version' cannot be used with 'schema_id'.");
    expect_invalid("{\"value\":{\"subject\":\"a\",\"subject_name_strategy\":\"TOPIC_NAME\"}}", 400,
                   "'subject' cannot be used with 'subject_name_strategy'.");
    expect_invalid("{\"value\":{\"type\":\"AVRO\"}}", 400, "'type=AVRO' requires 'schema'.");
    expect_invalid("{\"value\":{\"type\":\"AVRO\",\"schema_version\":1}}", 400,
                   "'type=AVRO' cannot be used with 'schema_version'.");
    expect_invalid("{\"value\":{\"schema\":\"\\\"int\\\"\"}}", 400, "'schema' requires 'type'");
    expect_invalid("{\"value\":{\"type\":\"binary\"}}", 400, "EmbeddedFormat");
    expect_invalid("{\"value\":{\"subject_name_strategy\":\"X\"}}", 400, "EnumSubjectNameStrategy");
    expect_invalid("{\"records\":[]}", 400, "Unrecognized field \"records\"");
    expect_invalid("{\"value\":{\"datum\":1}}", 400, "Unrecognized field \"datum\"");
    expect_invalid("{\"partition_id\":-1}", 40402, "Partition not found.");
    expect_invalid("{\"partition_id\":\"1\"}", 400, "partition_id");
    expect_invalid("{\"partition_id\":99999999999}", 400, "out of range");
    expect_invalid("{\"headers\":[{\"value\":\"eA==\"}]}", 400, "a header needs a name");
    expect_invalid("{\"headers\":[{\"name\":\"a\",\"value\":\"*\"}]}", 400, "invalid base64");
    expect_invalid("{\"timestamp\":\"yesterday\"}", 400, "ISO-8601");
    expect_invalid("{\"timestamp\":12}", 400, "timestamp");
    expect_invalid("[1]", 400, "Cannot deserialize");
    expect_invalid("{\"id\":\"a\"}", 400, "Unrecognized field \"id\"");
    expect_invalid("{\"value\":{\"type\":\"JSON\",\"data\":123456789012345678901234}}", 400,
                   "Bad Request:");
}

static void test_nulls(void **state)
{
    (void)state;
    fmt_v3_store_t st;
    fmt_v3_record_t r;
    kr_err_t err = {0};
    assert_int_equal(one(&st,
                         "{\"key\":null,\"value\":{\"type\":\"BINARY\",\"data\":null},"
                         "\"partition_id\":null,\"timestamp\":null,\"headers\":null}",
                         &r, &err),
                     FMT_V3_RECORD);
    assert_false(r.key.present);
    assert_true(r.value.present);
    assert_false(r.value.has_data);
    assert_int_equal(r.partition, -1);
    assert_false(r.has_timestamp);
    fmt_v3_store_deinit(&st);
    assert_int_equal(one(&st, "{}", &r, &err), FMT_V3_RECORD);
    fmt_v3_store_deinit(&st);
    /* schema selectors kept, data as written */
    assert_int_equal(one(&st,
                         "{\"value\":{\"type\":\"AVRO\",\"schema\":\"\\\"int\\\"\","
                         "\"subject_name_strategy\":\"RECORD_NAME\",\"data\": 1 }}",
                         &r, &err),
                     FMT_V3_RECORD);
    assert_int_equal(r.value.type, FMT_V3_AVRO);
    assert_int_equal(r.value.strategy, FMT_V3_RECORD_NAME);
    assert_bytes(&st, r.value.schema, "\"int\"");
    assert_bytes(&st, r.value.data, "1");
    fmt_v3_store_deinit(&st);
}

static void test_broken(void **state)
{
    (void)state;
    const char *text = "{\"value\":{\"type\":\"STRING\",\"data\":\"a\"}} {\"value\": nope}";
    fmt_v3_store_t st;
    fmt_v3_store_init(&st, 1 << 20);
    fmt_v3_record_t r;
    kr_err_t err = {0};
    size_t pos = 0, len = strlen(text);
    assert_int_equal(fmt_v3_record_next(&st, text, len, &pos, 0, &r, &err), FMT_V3_RECORD);
    assert_int_equal(fmt_v3_record_next(&st, text, len, &pos, 0, &r, &err), FMT_V3_BROKEN);
    assert_int_equal(err.code, 400);
    assert_non_null(strstr(err.msg, "Bad Request: Error processing JSON: "));
    /* an object cut short is broken too (the stream ended inside it) */
    pos = 0;
    assert_int_equal(fmt_v3_record_next(&st, "{\"a\":", 5, &pos, 0, &r, &err), FMT_V3_BROKEN);
    /* the size limit */
    pos = 0;
    assert_int_equal(fmt_v3_record_next(&st, text, len, &pos, 10, &r, &err), FMT_V3_BROKEN);
    assert_string_equal(err.msg, "Bad Request: Error processing message: Produce request size is "
                                 "larger than allowed threshold");
    fmt_v3_store_deinit(&st);
}

static void test_partial(void **state)
{
    (void)state;
    const char *text = "{\"value\":{\"type\":\"STRING\",\"data\":\"h\xc3\xa9\"}}";
    size_t len = strlen(text);
    fmt_v3_store_t st;
    fmt_v3_store_init(&st, 1 << 20);
    fmt_v3_record_t r;
    kr_err_t err = {0};
    for (size_t cut = 1; cut < len; cut++) {
        size_t pos = 0;
        assert_int_equal(fmt_v3_record_more(&st, text, cut, &pos, 0, &r, &err), FMT_V3_PARTIAL);
        assert_int_equal(pos, 0);
    }
    size_t pos = 0;
    assert_int_equal(fmt_v3_record_more(&st, text, len, &pos, 0, &r, &err), FMT_V3_RECORD);
    /* a cut object already over the size limit ends the stream */
    pos = 0;
    assert_int_equal(fmt_v3_record_more(&st, text, 20, &pos, 10, &r, &err), FMT_V3_BROKEN);
    assert_non_null(strstr(err.msg, "larger than allowed threshold"));
    /* bad bytes well before the end are broken at once */
    pos = 0;
    assert_int_equal(fmt_v3_record_more(&st, "{\"a\": nope, \"b\": 1", 20, &pos, 0, &r, &err),
                     FMT_V3_BROKEN);
    fmt_v3_store_deinit(&st);
}

static void test_entry(void **state)
{
    (void)state;
    fmt_v3_store_t st;
    fmt_v3_store_init(&st, 1 << 20);
    fmt_v3_record_t r;
    kr_err_t err = {0};
    const char *e = " {\"id\":\"a-1\",\"value\":{\"type\":\"STRING\",\"data\":\"x\"}} ";
    assert_int_equal(fmt_v3_entry_decode(&st, e, strlen(e), &r, &err), FMT_V3_RECORD);
    assert_true(r.has_id);
    assert_bytes(&st, r.id, "a-1");
    assert_int_equal(fmt_v3_entry_decode(&st, "{\"x\":1}", 7, &r, &err), FMT_V3_INVALID);
    assert_non_null(strstr(err.msg, "ProduceBatchRequestEntry"));
    fmt_v3_store_deinit(&st);
}

static void test_time(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(fmt_v3_time_parse("1970-01-01T00:00:01Z", 20, &ms), 0);
    assert_int_equal(ms, 1000);
    assert_int_equal(fmt_v3_time_parse("2021-02-05T20:14:42+01:00", 25, &ms), 0);
    assert_int_equal(ms, 1612552482000LL);
    assert_int_equal(fmt_v3_time_parse("2020-02-29T00:00:00.123456789Z", 30, &ms), 0);
    assert_int_equal(ms % 1000, 123);
    assert_int_equal(fmt_v3_time_parse("2021-02-29T00:00:00Z", 20, &ms), -1);
    assert_int_equal(fmt_v3_time_parse("2021-02-05 19:14:42Z", 20, &ms), -1);
    assert_int_equal(fmt_v3_time_parse("2021-02-05T19:14:42", 19, &ms), -1);
    assert_int_equal(fmt_v3_time_parse("2021-02-05T19:14:42.Z", 21, &ms), -1);
    char out[40];
    fmt_v3_time_write(1612552482000LL, out);
    assert_string_equal(out, "2021-02-05T19:14:42Z");
    fmt_v3_time_write(1612552482120LL, out);
    assert_string_equal(out, "2021-02-05T19:14:42.120Z");
    /* the arithmetic writer agrees with gmtime/strftime over 1970..9999 and at the edges */
    int64_t edges[] = {0,
                       1,
                       999,
                       86399999,
                       951782400000LL,
                       4107542400000LL,
                       253402300799999LL,
                       -1,
                       253402300800000LL};
    uint64_t r = 12345;
    for (int i = 0; i < 20000 + 9; i++) {
        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t v = i < 9 ? edges[i] : (int64_t)(r % 253402300800000ULL);
        int64_t secs = v >= 0 ? v / 1000 : (v - 999) / 1000;
        time_t t = (time_t)secs;
        struct tm tm;
        gmtime_r(&t, &tm);
        char want[40];
        size_t n = strftime(want, 40, "%Y-%m-%dT%H:%M:%S", &tm);
        int frac = (int)(v - secs * 1000);
        if (frac)
            n += (size_t)snprintf(want + n, 40 - n, ".%03d", frac);
        snprintf(want + n, 40 - n, "Z");
        assert_int_equal(fmt_v3_time_write(v, out), strlen(want));
        assert_string_equal(out, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream),  cmocka_unit_test(test_rules), cmocka_unit_test(test_nulls),
        cmocka_unit_test(test_broken),  cmocka_unit_test(test_entry), cmocka_unit_test(test_time),
        cmocka_unit_test(test_partial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
