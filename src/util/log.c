/* util/log.c -- leveled logging. Threads: any; the level is set once at start-up. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>

/* Written at start-up only, read by every thread afterwards. */
static kr_log_level_t g_log_level = KR_LOG_INFO;

/* The request this thread is working for (kr_log_set_request_id); per thread, so no lock. */
static _Thread_local const char *g_log_request_id;

static const char *const level_names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

void kr_log_set_level(kr_log_level_t level)
{
    g_log_level = level;
}

kr_log_level_t kr_log_get_level(void)
{
    return g_log_level;
}

int kr_log_parse_level(const char *name, kr_log_level_t *out)
{
    static const struct {
        const char *name;
        kr_log_level_t level;
    } names[] = {
        {"error", KR_LOG_ERROR},  {"fatal", KR_LOG_ERROR}, {"warn", KR_LOG_WARN},
        {"warning", KR_LOG_WARN}, {"info", KR_LOG_INFO},   {"debug", KR_LOG_DEBUG},
        {"trace", KR_LOG_DEBUG},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].level;
            return 0;
        }
    }
    return -1;
}

void kr_log(kr_log_level_t level, const char *fmt, ...)
{
    if (level > g_log_level)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char line[2048];
    int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, level_names[level]);
    if (g_log_request_id && n > 0 && (size_t)n < sizeof(line))
        n += snprintf(line + n, sizeof(line) - (size_t)n, "[%s] ", g_log_request_id);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof(line))
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line);
}

void kr_log_set_request_id(const char *id)
{
    g_log_request_id = id;
}

const char *kr_log_request_id(void)
{
    return g_log_request_id;
}

void kr_log_raw(const char *text, size_t n)
{
    fprintf(stderr, "%.*s\n", (int)n, text);
}
