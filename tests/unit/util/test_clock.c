/* tests/unit/util/test_clock.c -- ISO-8601 instants (seek by timestamp, v1 ?timestamp=). */
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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_iso8601)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
