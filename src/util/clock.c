/* util/clock.c -- clocks. Threads: any. */
#include "util/clock.h"

#include <stdbool.h>
#include <time.h>

int64_t kr_clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t kr_clock_mono_ms(void)
{
    return kr_clock_mono_us() / 1000;
}

int64_t kr_clock_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct timespec kr_clock_after(clockid_t clock, int64_t ms)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    } else if (ts.tv_nsec < 0) {
        ts.tv_sec--;
        ts.tv_nsec += 1000000000L;
    }
    return ts;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int kr_clock_parse_iso8601(const char *s, int64_t *out)
{
    struct tm tm = {0};
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p)
        return -1;
    int64_t ms = 0;
    int digits = 0;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
            if (digits < 3)
                ms = ms * 10 + (*p - '0');
        }
        if (digits == 0)
            return -1;
        for (; digits < 3; digits++)
            ms *= 10;
    }
    int64_t offset_s = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        /* exactly [+-]HH:MM: sscanf's %2d alone took "+5:30" and then stepped past the end */
        if (!is_digit(p[1]) || !is_digit(p[2]) || p[3] != ':' || !is_digit(p[4]) || !is_digit(p[5]))
            return -1;
        int hh = (p[1] - '0') * 10 + (p[2] - '0'), mm = (p[4] - '0') * 10 + (p[5] - '0');
        if (hh > 23 || mm > 59)
            return -1;
        offset_s = (*p == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    int64_t v = ((int64_t)timegm(&tm) - offset_s) * 1000 + ms;
    if (v < 0) /* before 1970: Kafka's ListOffsets reads -1 and -2 as latest and earliest */
        return -1;
    *out = v;
    return 0;
}
