/* http/daemon_opts.c -- what every libmicrohttpd daemon of krest is started with, apart from
 * its listener: the connection limit, the thread pool, the per-connection memory, the
 * percent-decoding of paths and queries, and MHD's log lines into krest's log.
 * May use: config/, util/. Threads: start-up (sizes); unescape and log on MHD's threads. */
#include "http/daemon_opts.h"

#include "util/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decoding of paths and query arguments in place, as MHD's own, except that "%00"
 * stays as it is: a NUL would silently cut the path short ("/topics/%00" is not "/topics/"). */
size_t http_daemon_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    char *w = s;
    for (const char *r = s; *r; r++) {
        int hi = r[0] == '%' ? hex_value(r[1]) : -1;
        int lo = hi >= 0 ? hex_value(r[2]) : -1;
        if (lo >= 0 && (hi | lo) != 0) {
            *w++ = (char)(hi * 16 + lo);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

void http_daemon_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    log_debug("libmicrohttpd: %s", line);
}

unsigned http_daemon_connection_limit(const krest_config_t *cfg)
{
    if (cfg->server_connection_limit > 0)
        return (unsigned)cfg->server_connection_limit;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 1024 && rl.rlim_cur != RLIM_INFINITY)
        return (unsigned)(rl.rlim_cur - rl.rlim_cur / 4);
    return 768;
}

unsigned http_daemon_threads(const krest_config_t *cfg)
{
    if (cfg->http_threads > 0)
        return (unsigned)cfg->http_threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 2;
}

/* MHD zeroes each connection's memory pool per request: keep it small (DESIGN.md §3), but big
 * enough to hold max.request.header.size so that krest, not MHD, answers oversized headers. */
size_t http_daemon_conn_memory(const krest_config_t *cfg)
{
    size_t need = (size_t)cfg->max_request_header_size * 2 + 4096;
    return need > 32768 ? need : 32768;
}
