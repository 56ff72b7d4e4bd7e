/* tests/unit/api/test_body.c -- api/body: each API's answer to an empty, null, non-JSON and
 * non-object body, unknown fields (v1/v2 422, SR ignored, v3 400, client settings), types and
 * required fields from the table, the typed getters (NUL in a string) and nested objects. Threads:
 * single. */
#include "api/body.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static const api_body_field_t fields[] = {{.name = "name", .type = API_BODY_STRING},
                                          {.name = "count", .type = API_BODY_INT},
                                          {.name = "flag", .type = API_BODY_BOOL},
                                          {.name = "value", .type = API_BODY_TEXT},
                                          {.name = "items", .type = API_BODY_ARRAY},
                                          {.name = "any"},
                                          {.name = NULL}};
static const api_body_spec_t spec = {.fields = fields, .cls = "Thing"};

static const api_body_field_t required_fields[] = {
    {.name = "topic_name", .type = API_BODY_STRING, .required = true}, {.name = NULL}};
static const api_body_spec_t required_spec = {.fields = required_fields,
                                              .cls = "CreateTopicRequest"};

/* Parses text as a body of version v against sp. @return parse's result; err and b filled. */
static int parse(api_body_t *b, api_version_t v, const char *text, const api_body_spec_t *sp,
                 kr_err_t *err)
{
    api_req_t req = {.version = v, .body = text, .body_len = text ? strlen(text) : 0};
    *err = (kr_err_t){0};
    return api_body_parse(b, &req, sp, err);
}

/* Expects text to fail for v with code and message. */
static void expect_fail(api_version_t v, const char *text, const api_body_spec_t *sp, int code,
                        const char *msg)
{
    api_body_t b;
    kr_err_t err;
    assert_int_equal(parse(&b, v, text, sp, &err), -1);
    assert_int_equal(err.code, code);
    if (msg)
        assert_string_equal(err.msg, msg);
    api_body_deinit(&b);
}

static void expect_no_body(api_version_t v, const char *text)
{
    api_body_t b;
    kr_err_t err;
    assert_int_equal(parse(&b, v, text, &spec, &err), 0);
    assert_null(b.root);
    api_body_deinit(&b);
}

static void test_empty_and_null(void **state)
{
    (void)state;
    expect_no_body(API_V1, NULL);
    expect_no_body(API_V2, "");
    expect_no_body(API_V2, "null");
    expect_fail(API_SR, "", &spec, 422, "Request body is empty");
    expect_fail(API_SR, "null", &spec, 400, "Request body must be a JSON object");
    const char *v3 = "Payload error. Request body is empty. Data is required.";
    expect_fail(API_V3, "", &spec, 42206, v3);
    expect_fail(API_V3, " \n\t", &spec, 42206, v3);
    expect_fail(API_V3, "null", &spec, 42206, v3);
    api_body_spec_t patch = {.fields = fields,
                             .empty = "Request body is empty. Partitions_count is required."};
    expect_fail(API_V3, "", &patch, 42206,
                "Payload error. Request body is empty. Partitions_count is required.");
    api_body_spec_t acl = {.fields = fields, .empty = "Null input provided. Data is required."};
    expect_fail(API_V3, "null", &acl, 42206,
                "Payload error. Null input provided. Data is required.");
    expect_fail(API_V3, " ", &acl, 42206, "Payload error. Null input provided. Data is required.");
    /* A blank body is not JSON outside v3. */
    expect_fail(API_V2, " ", &spec, 400, NULL);
}

static void test_not_json_not_object(void **state)
{
    (void)state;
    expect_fail(API_V2, "foobar", &spec, 400, NULL);
    expect_fail(API_V3, "{\"name\":", &spec, 400, NULL);
    expect_fail(API_SR, "[1]", &spec, 400, "Request body must be a JSON object");
    expect_fail(API_V1, "[1]", &spec, 422, "The request body must be a JSON object");
    expect_fail(API_V2, "\"s\"", &spec, 400, "The request body must be a JSON object");
    expect_fail(API_V3, "[1]", &spec, 400,
                "Cannot deserialize value of type `Thing` from a non-object value");
}

static void test_unknown_fields(void **state)
{
    (void)state;
    expect_fail(API_V1, "{\"nmae\":1}", &spec, 422, "Unrecognized field: nmae");
    expect_fail(API_V2, "{\"name\":\"a\",\"x.y\":1}", &spec, 422, "Unrecognized field: x.y");
    expect_fail(API_V3, "{\"nmae\":1}", &spec, 400,
                "Unrecognized field \"nmae\" (class Thing), not marked as ignorable");
    api_body_t b;
    kr_err_t err;
    assert_int_equal(parse(&b, API_SR, "{\"nmae\":1,\"name\":\"a\"}", &spec, &err), 0);
    api_body_deinit(&b);
    api_body_spec_t settings = {.fields = fields, .flags = API_BODY_CLIENT_SETTINGS};
    assert_int_equal(parse(&b, API_V2, "{\"x.y\":1}", &settings, &err), 0);
    api_body_deinit(&b);
    expect_fail(API_V2, "{\"xy\":1}", &settings, 422, "Unrecognized field: xy");
    /* No table: every field is known. */
    api_body_spec_t open = {.fields = NULL};
    assert_int_equal(parse(&b, API_V3, "{\"whatever\":[]}", &open, &err), 0);
    api_body_deinit(&b);
}

static void test_types_and_required(void **state)
{
    (void)state;
    expect_fail(API_V1, "{\"name\":1}", &spec, 422, "name: expected a string");
    expect_fail(API_V2, "{\"name\":1}", &spec, 400, "name: expected a string");
    expect_fail(API_V3, "{\"count\":\"3\"}", &spec, 400, "count: expected an integer");
    expect_fail(API_SR, "{\"count\":1.5}", &spec, 400, "count: expected an integer");
    expect_fail(API_V3, "{\"flag\":\"true\"}", &spec, 400, "flag: expected a boolean");
    expect_fail(API_V3, "{\"items\":{}}", &spec, 400, "items: expected an array");
    expect_fail(API_V3, "{\"value\":[1]}", &spec, 400,
                "value: expected a string, number or boolean");
    expect_fail(API_V3, "{}", &required_spec, 400, "Missing required field: topic_name");
    expect_fail(API_V3, "{\"topic_name\":null}", &required_spec, 400,
                "Missing required field: topic_name");
    expect_fail(API_V2, "{}", &required_spec, 422, "Missing required field: topic_name");
    /* Null is absent: fine for optional fields of any type. */
    api_body_t b;
    kr_err_t err;
    assert_int_equal(parse(&b, API_V3, "{\"name\":null,\"count\":null,\"any\":{}}", &spec, &err),
                     0);
    api_body_deinit(&b);
}

static void test_getters(void **state)
{
    (void)state;
    api_body_t b;
    kr_err_t err;
    assert_int_equal(parse(&b, API_V3,
                           "{\"name\":\"n\",\"count\":7,\"flag\":true,\"value\":100,"
                           "\"items\":[{\"k\":\"v\"}],\"any\":null}",
                           &spec, &err),
                     0);
    const char *s = NULL;
    assert_int_equal(api_body_str(&b, b.root, "name", &s, &err), 0);
    assert_string_equal(s, "n");
    assert_int_equal(api_body_text(&b, b.root, "value", &s, &err), 0);
    assert_string_equal(s, "100");
    int64_t n = -1;
    assert_int_equal(api_body_int(&b, b.root, "count", 0, 10, &n, &err), 0);
    assert_int_equal(n, 7);
    assert_int_equal(api_body_int(&b, b.root, "count", 0, 5, &n, &err), -1);
    assert_int_equal(err.code, 400);
    assert_string_equal(err.msg, "count: expected an integer in [0, 5]");
    bool flag = false;
    assert_int_equal(api_body_bool(&b, b.root, "flag", &flag, &err), 0);
    assert_true(flag);
    json_object *items = NULL;
    assert_int_equal(api_body_array(&b, b.root, "items", &items, &err), 0);
    assert_int_equal(json_object_array_length(items), 1);
    /* absent and null leave *out as it was */
    s = "kept";
    assert_int_equal(api_body_str(&b, b.root, "missing", &s, &err), 0);
    assert_string_equal(s, "kept");
    assert_int_equal(api_body_str(&b, b.root, "any", &s, &err), 0);
    assert_string_equal(s, "kept");
    assert_null(api_body_get(b.root, "any"));
    assert_null(api_body_get(NULL, "name"));
    /* wrong types */
    assert_int_equal(api_body_str(&b, b.root, "count", &s, &err), -1);
    assert_string_equal(err.msg, "count: expected a string");
    json_object *o = NULL;
    assert_int_equal(api_body_object(&b, b.root, "items", &o, &err), -1);
    assert_string_equal(err.msg, "items: expected an object");
    api_body_deinit(&b);
}

static void test_int_limits(void **state)
{
    (void)state;
    api_body_t b;
    kr_err_t err;
    assert_int_equal(parse(&b, API_V2, "{\"count\":18446744073709551615}", &spec, &err), 0);
    int64_t n = 0;
    assert_int_equal(api_body_int(&b, b.root, "count", INT64_MIN, INT64_MAX, &n, &err), -1);
    api_body_deinit(&b);
    assert_int_equal(parse(&b, API_V1, "{\"count\":9223372036854775807}", &spec, &err), 0);
    assert_int_equal(api_body_int(&b, b.root, "count", INT64_MIN, INT64_MAX, &n, &err), 0);
    assert_true(n == INT64_MAX);
    assert_int_equal(api_body_int(&b, b.root, "count", 0, 1, &n, &err), -1);
    assert_int_equal(err.code, 422); /* v1's wrong-type code */
    api_body_deinit(&b);
}

static void test_nested(void **state)
{
    (void)state;
    static const api_body_field_t entry_fields[] = {
        {.name = "name", .type = API_BODY_STRING, .required = true},
        {.name = "value", .type = API_BODY_TEXT},
        {.name = NULL}};
    static const api_body_spec_t entry = {.fields = entry_fields, .cls = "ConfigEntry"};
    api_body_t b;
    kr_err_t err;
    assert_int_equal(parse(&b, API_V3,
                           "{\"items\":[{\"name\":\"a\",\"value\":true},{\"value\":1},"
                           "{\"name\":\"c\",\"extra\":1},3]}",
                           &spec, &err),
                     0);
    json_object *items = NULL;
    assert_int_equal(api_body_array(&b, b.root, "items", &items, &err), 0);
    assert_int_equal(
        api_body_check(&b, json_object_array_get_idx(items, 0), "items[0]", &entry, &err), 0);
    const char *s = NULL;
    assert_int_equal(api_body_text(&b, json_object_array_get_idx(items, 0), "value", &s, &err), 0);
    assert_string_equal(s, "true");
    assert_int_equal(
        api_body_check(&b, json_object_array_get_idx(items, 1), "items[1]", &entry, &err), -1);
    assert_string_equal(err.msg, "Missing required field: name");
    assert_int_equal(
        api_body_check(&b, json_object_array_get_idx(items, 2), "items[2]", &entry, &err), -1);
    assert_string_equal(
        err.msg, "Unrecognized field \"extra\" (class ConfigEntry), not marked as ignorable");
    assert_int_equal(
        api_body_check(&b, json_object_array_get_idx(items, 3), "items[3]", &entry, &err), -1);
    assert_int_equal(err.code, 400);
    assert_string_equal(err.msg, "items[3]: expected an object");
    api_body_deinit(&b);
}

/* A NUL (\u0000) in a string: str and text refuse it (as a wrong type, each API's code), strn
 * reads it with its length; a number's text has none. */
static void test_nul(void **state)
{
    (void)state;
    api_body_t b;
    kr_err_t err;
    const char *text = "{\"name\":\"a\\u0000b\",\"value\":\"x\\u0000\",\"count\":1}";
    assert_int_equal(parse(&b, API_V3, text, &spec, &err), 0);
    const char *s = "kept";
    assert_int_equal(api_body_str(&b, b.root, "name", &s, &err), -1);
    assert_int_equal(err.code, 400);
    assert_string_equal(err.msg, "name: a NUL character (\\u0000) is not allowed");
    assert_string_equal(s, "kept");
    assert_int_equal(api_body_text(&b, b.root, "value", &s, &err), -1);
    assert_string_equal(err.msg, "value: a NUL character (\\u0000) is not allowed");
    size_t len = 0;
    assert_int_equal(api_body_strn(&b, b.root, "name", &s, &len, &err), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(s, "a\0b", 3);
    assert_int_equal(api_body_strn(&b, b.root, "count", &s, &len, &err), -1);
    assert_string_equal(err.msg, "count: expected a string");
    api_body_deinit(&b);
    assert_int_equal(parse(&b, API_V1, text, &spec, &err), 0);
    assert_int_equal(api_body_str(&b, b.root, "name", &s, &err), -1);
    assert_int_equal(err.code, 422); /* v1's wrong-type code */
    api_body_deinit(&b);
    assert_int_equal(parse(&b, API_V2, "{\"value\":5,\"name\":\"\"}", &spec, &err), 0);
    assert_int_equal(api_body_text(&b, b.root, "value", &s, &err), 0);
    assert_string_equal(s, "5");
    assert_int_equal(api_body_str(&b, b.root, "name", &s, &err), 0);
    assert_string_equal(s, "");
    api_body_deinit(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_null), cmocka_unit_test(test_not_json_not_object),
        cmocka_unit_test(test_unknown_fields), cmocka_unit_test(test_types_and_required),
        cmocka_unit_test(test_getters),        cmocka_unit_test(test_int_limits),
        cmocka_unit_test(test_nested),         cmocka_unit_test(test_nul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
