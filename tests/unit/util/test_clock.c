/* tests/unit/util/test_clock.c -- ISO-8601 instants (seek by timestamp, v1 ?timestamp=), and
 * kr_clock_after (condition-variable deadlines). */
#include "util/clock.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void test_iso8601(void **state)
{
    (void)state;
    int64_t ms = 0;
    assert_int_equal(kr_clock_parse_iso8601("1970-01-01T00:00:00Z", &ms), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(kr_clock_parse_iso8601("2026-11-25T01:02:03.456Z", &ms), 0);
    assert_int_equal(ms, 1795568523456LL);
    assert_int_equal(kr_clock_parse_iso8601("2026-11-25T02:02:03.4+01:00", &ms), 0);
    assert_int_equal(ms, 1795568523400LL);
    assert_int_equal(kr_clock_parse_iso8601("2026-11-24T23:02:03-02:00", &ms), 0);
    assert_int_equal(ms, 1795568523000LL);
    const char *bad[] = {"",
                         "2026-11-25",
                         "2026-11-25T01:02:03",
                         "2026-11-25T01:02:03.Z",
                         "2026-11-25T01:02:03Zjunk",
                         "2026-11-25T01:02:03+1",
                         "2026-11-25T01:02:03+25:00",
                         "2026-11-25T01:02:03+5:30",
                         "2026-11-25T01:02:03+1:1",
                         "2026-11-25T01:02:03+-1:-5",
                         "2026-11-25T01:02:03+01:0",
                         "2026-11-25T01:02:03+01-00",
                         "1969-12-31T23:59:59.999Z",
                         "1970-01-01T00:00:00+00:01",
                         "yesterday"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(kr_clock_parse_iso8601(bad[i], &ms), -1);
}

static int64_t ns_of(struct timespec ts)
{
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void test_after(void **state)
{
    (void)state;
    int64_t cases[] = {0, 1, 250, 999, 1000, 1999, 61001, -1, -999, -1500};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct timespec now, t;
        clock_gettime(CLOCK_MONOTONIC, &now);
        t = kr_clock_after(CLOCK_MONOTONIC, cases[i]);
        assert_true(t.tv_nsec >= 0 && t.tv_nsec < 1000000000L);
        int64_t d = ns_of(t) - ns_of(now) - cases[i] * 1000000LL;
        assert_true(d >= 0 && d < 50000000LL); /* the time between the two clock reads */
    }
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    int64_t d = ns_of(kr_clock_after(CLOCK_REALTIME, 20)) - ns_of(wall) - 20000000LL;
    assert_true(d >= 0 && d < 50000000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_iso8601),
                                       cmocka_unit_test(test_after)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
