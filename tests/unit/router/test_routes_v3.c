/* tests/unit/router/test_routes_v3.c -- the v3 route table (no route is shadowed by an
 * earlier one, literal "-" segments win, every path is below /v3) and v3 negotiation
 * (application/json only, 415 and 406). Threads: single. */
#include "router/router.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

/* A concrete path for a template: {x:int} -> 7, {x} -> x1, literals kept. */
static void concrete(const char *tmpl, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = tmpl; *p && n + 8 < cap;) {
        if (*p != '{') {
            out[n++] = *p++;
            continue;
        }
        const char *end = strchr(p, '}');
        bool is_int = end - p > 5 && memcmp(end - 4, ":int", 4) == 0;
        n += (size_t)snprintf(out + n, cap - n, "%s", is_int ? "7" : "x1");
        p = end + 1;
    }
    out[n] = '\0';
}

static void test_no_route_is_shadowed(void **state)
{
    (void)state;
    for (size_t i = 0; i < router_v3_n_routes; i++) {
        const router_route_t *r = &router_v3_routes[i];
        assert_true(router_is_v3_path(r->path));
        assert_int_equal(r->api, API_V3);
        char path[512];
        concrete(r->path, path, sizeof(path));
        router_match_t m;
        kr_err_t err = {0};
        assert_int_equal(
            router_match(router_v3_routes, router_v3_n_routes, r->method, path, &m, &err), 0);
        if (m.route != r)
            fail_msg("%s %s is matched by %s", r->method, path, m.route->path);
        router_match_free(&m);
    }
}

static const router_route_t *find(const char *method, const char *path, kr_err_t *err)
{
    router_match_t m;
    if (router_match(router_v3_routes, router_v3_n_routes, method, path, &m, err) != 0)
        return NULL;
    const router_route_t *r = m.route;
    router_match_free(&m);
    return r;
}

static void test_literals_and_ints(void **state)
{
    (void)state;
    kr_err_t err = {0};
    const router_route_t *all =
        find("GET", "/v3/clusters/c/topics/-/partitions/-/reassignment", &err);
    assert_non_null(all);
    assert_string_equal(all->path, "/v3/clusters/{cluster}/topics/-/partitions/-/reassignment");
    /* A partition or broker that is not an int32 is no route: 404 as Confluent. */
    assert_null(find("GET", "/v3/clusters/c/topics/t/partitions/abc", &err));
    assert_int_equal(err.code, KR_ERR_NOT_FOUND);
    assert_null(find("GET", "/v3/clusters/c/brokers/2147483648", &err));
    assert_int_equal(err.code, KR_ERR_NOT_FOUND);
    assert_null(find("DELETE", "/v3/clusters", &err));
    assert_int_equal(err.code, KR_ERR_METHOD_NOT_ALLOWED);
    assert_true(router_is_v3_path("/v3"));
    assert_true(router_is_v3_path("/v3/clusters"));
    assert_false(router_is_v3_path("/v3x"));
    assert_false(router_is_v3_path("/topics/v3"));
}

static api_status_t h(api_req_t *req)
{
    (void)req;
    return API_DONE;
}

static const router_route_t post = ROUTE_V3("POST", "/x", h, ROUTER_BODY_JSON);
static const router_route_t get = ROUTE_V3("GET", "/x", h, ROUTER_BODY_NONE);

static void test_negotiate(void **state)
{
    (void)state;
    api_req_t req = {0};
    kr_err_t err = {0};
    const char *ok_accept[] = {NULL,
                               "",
                               "*/*",
                               "application/json",
                               "application/*",
                               "text/plain, application/json; q=0.1"};
    for (size_t i = 0; i < sizeof(ok_accept) / sizeof(ok_accept[0]); i++) {
        assert_int_equal(router_negotiate(&get, ok_accept[i], NULL, false, &req, &err), 0);
        assert_int_equal(req.version, 3);
        assert_string_equal(req.resp_type, "application/json");
    }
    const char *bad_accept[] = {"application/vnd.kafka.v2+json", "text/plain"};
    for (size_t i = 0; i < sizeof(bad_accept) / sizeof(bad_accept[0]); i++) {
        assert_int_equal(router_negotiate(&get, bad_accept[i], NULL, false, &req, &err), -1);
        assert_int_equal(kr_err_http_status(err.code), 406);
    }
    const char *ok_ct[] = {"application/json", "Application/JSON; charset=UTF-8",
                           "application/json;charset=\"utf-8\""};
    for (size_t i = 0; i < sizeof(ok_ct) / sizeof(ok_ct[0]); i++)
        assert_int_equal(router_negotiate(&post, NULL, ok_ct[i], true, &req, &err), 0);
    const char *bad_ct[] = {NULL, "text/plain", "application/vnd.kafka.v2+json",
                            "application/octet-stream", "application/json; charset=ISO-8859-1"};
    for (size_t i = 0; i < sizeof(bad_ct) / sizeof(bad_ct[0]); i++) {
        assert_int_equal(router_negotiate(&post, NULL, bad_ct[i], true, &req, &err), -1);
        assert_int_equal(err.code, KR_ERR_UNSUPPORTED_MEDIA_TYPE);
    }
    /* No body: the Content-Type is not looked at. */
    assert_int_equal(router_negotiate(&post, NULL, "text/plain", false, &req, &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_route_is_shadowed),
        cmocka_unit_test(test_literals_and_ints),
        cmocka_unit_test(test_negotiate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
