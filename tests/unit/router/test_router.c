/* tests/unit/router/test_router.c -- path templates, 404 vs 405, parameters, and per-route
 * negotiation (415, 406, version by media type), including hostile paths. */
#include "router/router.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

static api_status_t h_a(api_req_t *req)
{
    (void)req;
    return API_DONE;
}

static api_status_t h_b(api_req_t *req)
{
    (void)req;
    return API_DONE;
}

static const router_route_t routes[] = {
    ROUTE("GET", "/", h_a, ROUTER_BODY_NONE),
    ROUTE("POST", "/", h_b, ROUTER_BODY_GENERIC),
    ROUTE("GET", "/topics", h_a, ROUTER_BODY_NONE),
    ROUTE("GET", "/topics/{topic}", h_b, ROUTER_BODY_NONE),
    ROUTE("POST", "/topics/{topic}", h_a, ROUTER_BODY_EMBEDDED),
    ROUTE("GET", "/topics/{topic}/partitions/{partition:int}", h_a, ROUTER_BODY_NONE),
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static int match(const char *method, const char *path, router_match_t *m, kr_err_t *err)
{
    return router_match(routes, N_ROUTES, method, path, m, err);
}

static void test_root_and_literal(void **state)
{
    (void)state;
    router_match_t m;
    kr_err_t err = {0};
    assert_int_equal(match("GET", "/", &m, &err), 0);
    assert_ptr_equal(m.route, &routes[0]);
    router_match_free(&m);
    assert_int_equal(match("POST", "/", &m, &err), 0);
    assert_ptr_equal(m.route, &routes[1]);
    router_match_free(&m);
    assert_int_equal(match("GET", "/topics", &m, &err), 0);
    assert_ptr_equal(m.route, &routes[2]);
    assert_int_equal(m.n_params, 0);
    router_match_free(&m);
    assert_int_equal(match("GET", "/topics/", &m, &err), 0); /* one trailing slash is fine */
    assert_ptr_equal(m.route, &routes[2]);
    router_match_free(&m);
}

static void test_params(void **state)
{
    (void)state;
    router_match_t m;
    kr_err_t err = {0};
    assert_int_equal(match("GET", "/topics/my.topic-1_x/partitions/12", &m, &err), 0);
    assert_ptr_equal(m.route, &routes[5]);
    assert_int_equal(m.n_params, 2);
    assert_string_equal(m.params[0], "my.topic-1_x");
    assert_string_equal(m.params[1], "12");
    router_match_free(&m);
    assert_int_equal(match("GET", "/topics/t/partitions/-1", &m, &err), 0);
    assert_string_equal(m.params[1], "-1");
    router_match_free(&m);
    assert_int_equal(match("GET", "/topics/t/partitions/2147483647", &m, &err), 0);
    router_match_free(&m);
    assert_int_equal(match("GET", "/topics/t/partitions/-2147483648", &m, &err), 0);
    router_match_free(&m);
    assert_int_equal(match("HEAD", "/topics/t", &m, &err), 0);
    assert_ptr_equal(m.route, &routes[3]);
    router_match_free(&m);
}

static void expect_err(const char *method, const char *path, int code)
{
    router_match_t m;
    kr_err_t err = {0};
    assert_int_equal(match(method, path, &m, &err), -1);
    assert_int_equal(err.code, code);
    assert_null(m.path_copy);
}

static void test_not_found_and_method(void **state)
{
    (void)state;
    expect_err("GET", "/nope", 404);
    expect_err("GET", "/topics/t/partitions/abc", 404);
    expect_err("GET", "/topics/t/partitions/1a", 404);
    expect_err("GET", "/topics/t/partitions/-", 404);
    expect_err("GET", "/topics/t/partitions/2147483648", 404);
    expect_err("GET", "/topics/t/partitions/99999999999999999999", 404);
    expect_err("GET", "/topics/t/partitions/", 404);
    expect_err("GET", "/topics//partitions/1", 404);
    expect_err("GET", "", 404);
    expect_err("GET", "topics", 404);
    expect_err("DELETE", "/topics", 405);
    expect_err("PUT", "/topics/x", 405);
    expect_err("DELETE", "/", 405);
    expect_err("GET", "/topics/t/partitions/1/extra/more", 404);
}

static void test_hostile_paths(void **state)
{
    (void)state;
    static char path[70000];
    for (size_t i = 0; i + 2 < sizeof(path); i += 2)
        memcpy(path + i, "/a", 2);
    path[sizeof(path) - 1] = '\0';
    expect_err("GET", path, 404);
    memset(path, '/', sizeof(path) - 1);
    expect_err("GET", path, 404);
    memset(path, 'x', sizeof(path) - 1);
    path[0] = '/';
    expect_err("GET", path, 404);
    char big_topic[5000];
    memset(big_topic, 't', sizeof(big_topic));
    memcpy(big_topic, "/topics/", 8);
    big_topic[sizeof(big_topic) - 1] = '\0';
    router_match_t m;
    kr_err_t err = {0};
    assert_int_equal(match("GET", big_topic, &m, &err), 0);
    assert_int_equal(strlen(m.params[0]), sizeof(big_topic) - 1 - 8);
    router_match_free(&m);
}

static void test_negotiate_versions(void **state)
{
    (void)state;
    api_req_t req = {0};
    kr_err_t err = {0};
    assert_int_equal(router_negotiate(&routes[2], NULL, NULL, false, &req, &err), 0);
    assert_int_equal(req.version, 2);
    assert_string_equal(req.resp_type, "application/vnd.kafka.v2+json");
    assert_int_equal(
        router_negotiate(&routes[2], "application/vnd.kafka.v1+json", NULL, false, &req, &err), 0);
    assert_int_equal(req.version, 1);
    assert_string_equal(req.resp_type, "application/vnd.kafka.v1+json");
    assert_int_equal(router_negotiate(&routes[2], "application/json", NULL, false, &req, &err), 0);
    assert_int_equal(req.version, 2);
    assert_string_equal(req.resp_type, "application/json");
    const char *node = "application/vnd.kafka.v1+json, application/vnd.kafka+json; q=0.9, "
                       "application/json; q=0.8";
    assert_int_equal(router_negotiate(&routes[2], node, NULL, false, &req, &err), 0);
    assert_int_equal(req.version, API_V1);
    assert_int_equal(router_negotiate(&routes[2], "text/plain", NULL, false, &req, &err), -1);
    assert_int_equal(err.code, KR_ERR_CONSUMER_FORMAT_MISMATCH);
    assert_int_equal(kr_err_http_status(err.code), 406);
    /* A route of one API fixes the version, whatever the media types say. */
    assert_int_equal(router_negotiate(&router_sr_routes[0], "application/vnd.kafka.v1+json, */*",
                                      NULL, false, &req, &err),
                     0);
    assert_int_equal(req.version, API_SR);
}

static void test_negotiate_content_type(void **state)
{
    (void)state;
    api_req_t req = {0};
    kr_err_t err = {0};
    /* No body route: Content-Type is not looked at. */
    assert_int_equal(router_negotiate(&routes[0], NULL, "text/plain", true, &req, &err), 0);
    /* Generic body route. */
    assert_int_equal(router_negotiate(&routes[1], NULL, "text/plain", true, &req, &err), -1);
    assert_int_equal(err.code, 415);
    assert_int_equal(router_negotiate(&routes[1], NULL, "application/vnd.kafka.binary.v2+json",
                                      true, &req, &err),
                     -1);
    assert_int_equal(
        router_negotiate(&routes[1], NULL, "application/octet-stream", true, &req, &err), 0);
    /* An empty body skips the check, whatever the type. */
    assert_int_equal(router_negotiate(&routes[1], NULL, "text/plain", false, &req, &err), 0);
    /* A versioned body type fixes the version, even with a generic Accept. */
    assert_int_equal(router_negotiate(&routes[4], "application/vnd.kafka+json",
                                      "application/vnd.kafka.binary.v1+json", true, &req, &err),
                     0);
    assert_int_equal(req.version, 1);
    assert_int_equal(req.body_format, NEG_FMT_BINARY);
    assert_string_equal(req.resp_type, "application/vnd.kafka+json");
    assert_int_equal(
        router_negotiate(&routes[4], NULL, "application/vnd.kafka.json.v1+json", true, &req, &err),
        0);
    assert_string_equal(req.resp_type, "application/vnd.kafka.v1+json");
    /* A v1 body cannot be answered with a v2 type. */
    assert_int_equal(router_negotiate(&routes[4], "application/vnd.kafka.v2+json",
                                      "application/vnd.kafka.binary.v1+json", true, &req, &err),
                     -1);
    assert_int_equal(err.code, KR_ERR_CONSUMER_FORMAT_MISMATCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_and_literal),     cmocka_unit_test(test_params),
        cmocka_unit_test(test_not_found_and_method), cmocka_unit_test(test_hostile_paths),
        cmocka_unit_test(test_negotiate_versions),   cmocka_unit_test(test_negotiate_content_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
