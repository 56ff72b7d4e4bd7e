/* http/metrics.c -- route templates as metric labels (see metrics.h). Each route of the four
 * tables gets the index of its template in one list of distinct templates (a template served
 * with several methods, or on two tables, is one label), so a request is counted by the
 * template it matched and never by its raw path.
 * Threads: the tables below are written by http_metrics_init() (main, before the listeners
 * start) and read-only afterwards. */
#include "http/metrics.h"

#include "util/clock.h"
#include "util/mem.h"
#include "util/metrics.h"

#include <string.h>

typedef struct table {
    const router_route_t *routes;
    size_t n;
    size_t *index; /* owned, never freed: index of each route's template, 1-based */
} table_t;

static table_t g_tables[4];
static const char **g_templates; /* owned, never freed; borrowed strings */
static size_t g_n_templates;

static size_t template_index(const char *path)
{
    for (size_t i = 0; i < g_n_templates; i++) {
        if (strcmp(g_templates[i], path) == 0)
            return i + 1;
    }
    g_templates[g_n_templates++] = path;
    return g_n_templates;
}

void http_metrics_init(void)
{
    if (g_templates)
        return;
    g_tables[0] = (table_t){router_routes, router_n_routes, NULL};
    g_tables[1] = (table_t){router_v3_routes, router_v3_n_routes, NULL};
    g_tables[2] = (table_t){router_sr_routes, router_sr_n_routes, NULL};
    g_tables[3] = (table_t){router_metrics_routes, router_metrics_n_routes, NULL};
    size_t total = 0;
    for (size_t t = 0; t < 4; t++)
        total += g_tables[t].n;
    g_templates = xcalloc(total, sizeof(*g_templates));
    for (size_t t = 0; t < 4; t++) {
        g_tables[t].index = xcalloc(g_tables[t].n, sizeof(size_t));
        for (size_t i = 0; i < g_tables[t].n; i++)
            g_tables[t].index[i] = template_index(g_tables[t].routes[i].path);
    }
    kr_metrics_http_routes(g_templates, g_n_templates);
}

static size_t route_index(const router_route_t *route)
{
    for (size_t t = 0; route && t < 4; t++) {
        if (route >= g_tables[t].routes && route < g_tables[t].routes + g_tables[t].n)
            return g_tables[t].index[route - g_tables[t].routes];
    }
    return 0;
}

void http_metrics_request(const router_route_t *route, const char *method, int status,
                          size_t bytes_in, size_t bytes_out, int64_t start_us)
{
    if (status < 100 || !g_templates)
        return;
    kr_metrics_http_request(route_index(route), method, status, bytes_in, bytes_out,
                            kr_clock_mono_us() - start_us);
}

void http_metrics_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                             enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    (void)conn;
    (void)socket_context;
    kr_metrics_add(KR_M_HTTP_OPEN_CONNECTIONS, toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}
