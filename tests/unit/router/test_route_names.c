/* Unit tests of router/route_names.c: resource names for access lists and rate-limit costs. */
#include "router/router.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

/* Every v3 route has Confluent's name (a route added without one would escape the lists). */
static void test_every_v3_route_is_named(void **state)
{
    (void)state;
    for (size_t i = 0; i < router_v3_n_routes; i++) {
        const router_route_name_t *rn = router_route_name_find(&router_v3_routes[i]);
        if (!rn)
            fail_msg("no resource name for %s %s", router_v3_routes[i].method,
                     router_v3_routes[i].path);
        assert_int_equal(strncmp(rn->name, "api.v3.", 7), 0);
    }
}

static void test_v2_names(void **state)
{
    (void)state;
    size_t named = 0;
    for (size_t i = 0; i < router_n_routes; i++) {
        const router_route_name_t *rn = router_route_name_find(&router_routes[i]);
        if (!rn)
            continue; /* krest's operational endpoints */
        named++;
        assert_true(strncmp(rn->name, "api.v2.", 7) == 0 || strncmp(rn->name, "api.v1.", 7) == 0);
        if (strcmp(router_routes[i].path, "/topics/{topic}") == 0 &&
            strcmp(router_routes[i].method, "POST") == 0) {
            assert_string_equal(rn->name, "api.v2.produce-to-topic");
            assert_int_equal(rn->kind, ROUTER_NAME_BODY_FORMAT);
        }
    }
    assert_true(named >= 25);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_v3_route_is_named),
        cmocka_unit_test(test_v2_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
