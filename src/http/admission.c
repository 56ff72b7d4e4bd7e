/* http/admission.c -- api.v2.enable, the access lists and the rate limits (see admission.h).
 * DESIGN. At start-up every route of the proxy's tables gets a row: its resource name per
 * embedded format (v2 produce and consume have one name per format, as Confluent's JAX-RS
 * methods), whether the lists block that name, what it costs, whether it is v1/v2 and whether
 * its path names a cluster. A request then costs one row look-up (the route's index in its
 * table) and up to three bucket takes: per client, per cluster, global, in that order, so a
 * client over its own limit takes nothing from the shared buckets. Routes without a name
 * (krest's health and metrics endpoints, the Schema Registry's listener) are never blocked nor
 * limited: probes must not get 429.
 * Threads: see admission.h. */
#include "http/admission.h"

#include "http/ratelimit.h"
#include "util/clock.h"
#include "util/mem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define N_FMT (API_FMT_PROTOBUF + 1)

typedef struct route_row {
    const char *name[N_FMT]; /* owned when kind != FIXED; NULL: no name */
    int64_t cost[N_FMT];
    bool blocked[N_FMT];
    bool owned;
    bool v1v2;    /* api.v1.* / api.v2.*: off with api.v2.enable=false */
    bool cluster; /* the path has {cluster}: the per-cluster limiter applies */
} route_row_t;

typedef struct cost_rule {
    char *name; /* owned: "api.v3.topics.list" or "api.v2.consumers.*" */
    int64_t cost;
} cost_rule_t;

struct http_admission {
    const krest_config_t *cfg; /* borrowed */
    route_row_t *proxy_rows, *v3_rows;
    http_bucket_t global, cluster;
    http_client_limits_t *clients; /* NULL: krest.rate.limit.per.client.* is off */
    cost_rule_t *rules;
    size_t n_rules;
};

static const char *const fmt_names[N_FMT] = {"binary", "binary",      "json",
                                             "avro",   "json-schema", "protobuf"};

/* Whether a list item names a resource: the name itself, or "prefix.*" for every name below
 * prefix (Confluent's class-level names, e.g. api.v2.consumers.*). @return the item's
 * specificity (its length) or 0. */
static size_t item_matches(const char *item, size_t len, const char *name)
{
    if (len >= 2 && item[len - 1] == '*' && item[len - 2] == '.')
        return strncmp(item, name, len - 1) == 0 ? len : 0;
    return strlen(name) == len && memcmp(item, name, len) == 0 ? len + 1 : 0;
}

static bool list_has(const char *list, const char *name)
{
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ",");
        const char *item = p;
        size_t len = n;
        while (len > 0 && *item == ' ') {
            item++;
            len--;
        }
        while (len > 0 && item[len - 1] == ' ')
            len--;
        if (len && item_matches(item, len, name))
            return true;
        p += n + (p[n] == ',');
    }
    return false;
}

/* rate.limit.costs: "name=cost,..." (cost >= 0). @return 0 or -1 with err set. */
static int parse_costs(http_admission_t *adm, const char *text, kr_err_t *err)
{
    for (const char *p = text; p && *p;) {
        size_t n = strcspn(p, ",");
        char *item = xmalloc(n + 1);
        memcpy(item, p, n);
        item[n] = '\0';
        char *eq = strchr(item, '=');
        char *end = NULL;
        long long cost = eq ? strtoll(eq + 1, &end, 10) : -1;
        if (!eq || eq == item || end == eq + 1 || *end || cost < 0) {
            kr_err_set(err, KR_ERR_UNPROCESSABLE,
                       "rate.limit.costs: '%s' is not <resource name>=<cost >= 0>", item);
            xfree(item);
            return -1;
        }
        *eq = '\0';
        adm->rules = xrealloc(adm->rules, (adm->n_rules + 1) * sizeof(cost_rule_t));
        adm->rules[adm->n_rules++] = (cost_rule_t){item, cost};
        p += n + (p[n] == ',');
    }
    return 0;
}

/* A name's cost: the rule naming it exactly, else the longest wildcard rule, else the default. */
static int64_t cost_of(const http_admission_t *adm, const char *name)
{
    size_t best = 0;
    int64_t cost = adm->cfg->rate_limit_default_cost;
    for (size_t i = 0; i < adm->n_rules; i++) {
        size_t m = item_matches(adm->rules[i].name, strlen(adm->rules[i].name), name);
        if (m > best) {
            best = m;
            cost = adm->rules[i].cost;
        }
    }
    return cost;
}

static bool blocked(const krest_config_t *cfg, const char *name)
{
    if (cfg->api_allowlist && *cfg->api_allowlist && !list_has(cfg->api_allowlist, name))
        return true;
    return list_has(cfg->api_blocklist, name);
}

static void row_init(const http_admission_t *adm, route_row_t *row, const router_route_t *route)
{
    const router_route_name_t *rn = router_route_name_find(route);
    memset(row, 0, sizeof(*row));
    if (!rn)
        return;
    row->owned = rn->kind != ROUTER_NAME_FIXED;
    for (int f = 0; f < N_FMT; f++) {
        if (!row->owned) {
            row->name[f] = rn->name;
        } else {
            size_t len = strlen(rn->name) + strlen(fmt_names[f]) + 2;
            char *s = xmalloc(len);
            snprintf(s, len, "%s%c%s", rn->name, rn->kind == ROUTER_NAME_BODY_FORMAT ? '.' : '-',
                     fmt_names[f]);
            row->name[f] = s;
        }
        row->cost[f] = cost_of(adm, row->name[f]);
        row->blocked[f] = blocked(adm->cfg, row->name[f]);
    }
    row->v1v2 = strncmp(rn->name, "api.v2.", 7) == 0 || strncmp(rn->name, "api.v1.", 7) == 0;
    row->cluster = strstr(route->path, "{cluster}") != NULL;
}

static route_row_t *rows_new(const http_admission_t *adm, const router_route_t *routes, size_t n)
{
    route_row_t *rows = xcalloc(n ? n : 1, sizeof(*rows));
    for (size_t i = 0; i < n; i++)
        row_init(adm, &rows[i], &routes[i]);
    return rows;
}

static void rows_free(route_row_t *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        for (int f = 0; rows[i].owned && f < N_FMT; f++)
            xfree((char *)rows[i].name[f]);
    xfree(rows);
}

http_admission_t *http_admission_new(const krest_config_t *cfg, kr_err_t *err)
{
    http_admission_t *adm = xcalloc(1, sizeof(*adm));
    adm->cfg = cfg;
    if (parse_costs(adm, cfg->rate_limit_costs, err) != 0) {
        http_admission_free(adm);
        return NULL;
    }
    adm->proxy_rows = rows_new(adm, router_routes, router_n_routes);
    adm->v3_rows = rows_new(adm, router_v3_routes, router_v3_n_routes);
    http_bucket_init(&adm->global, cfg->rate_limit_permits);
    http_bucket_init(&adm->cluster, cfg->rate_limit_cluster);
    if (cfg->rate_limit_per_client > 0)
        adm->clients = http_client_limits_new(cfg->rate_limit_per_client);
    return adm;
}

void http_admission_free(http_admission_t *adm)
{
    if (!adm)
        return;
    rows_free(adm->proxy_rows, router_n_routes);
    rows_free(adm->v3_rows, router_v3_n_routes);
    http_client_limits_free(adm->clients);
    for (size_t i = 0; i < adm->n_rules; i++)
        xfree(adm->rules[i].name);
    xfree(adm->rules);
    xfree(adm);
}

/* The row of a route of krest's proxy tables, or NULL (the registry's routes, unnamed). */
static const route_row_t *row_of(const http_admission_t *adm, const router_route_t *route)
{
    uintptr_t r = (uintptr_t)route;
    uintptr_t p = (uintptr_t)router_routes, v = (uintptr_t)router_v3_routes;
    if (r >= p && r < p + router_n_routes * sizeof(*route))
        return &adm->proxy_rows[(r - p) / sizeof(*route)];
    if (r >= v && r < v + router_v3_n_routes * sizeof(*route))
        return &adm->v3_rows[(r - v) / sizeof(*route)];
    return NULL;
}

/* The format a row's name depends on: the body's for produce, the response's for consume. */
static int fmt_of(const router_route_t *route, const api_req_t *req)
{
    int f = route->body == ROUTER_BODY_EMBEDDED ? (int)req->body_format : (int)req->accept_format;
    return f >= 0 && f < N_FMT ? f : 0;
}

int http_admission_route(const http_admission_t *adm, const router_route_t *route, kr_err_t *err)
{
    const route_row_t *row = row_of(adm, route);
    if (row && row->v1v2 && !adm->cfg->api_v2_enable)
        return kr_err_set(err, KR_ERR_NOT_FOUND, "HTTP 404 Not Found");
    return 0;
}

const char *http_admission_name(const http_admission_t *adm, const router_route_t *route,
                                const api_req_t *req)
{
    const route_row_t *row = row_of(adm, route);
    return row ? row->name[fmt_of(route, req)] : NULL;
}

static int refuse_rate(kr_err_t *err)
{
    return kr_err_set(err, KR_ERR_RATE_LIMITED, "%s", kr_err_default_message(KR_ERR_RATE_LIMITED));
}

int http_admission_check(http_admission_t *adm, const router_route_t *route, const api_req_t *req,
                         const struct sockaddr *client, int64_t *wait_ms, kr_err_t *err)
{
    *wait_ms = 0;
    const route_row_t *row = row_of(adm, route);
    if (!row || !row->name[0])
        return 0;
    int f = fmt_of(route, req);
    if (row->blocked[f]) {
        if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
            return kr_err_set(err, KR_ERR_NOT_FOUND, "HTTP 404 Not Found");
        return kr_err_set(err, KR_ERR_METHOD_NOT_ALLOWED, "HTTP 405 Method Not Allowed");
    }
    int64_t cost = row->cost[f];
    if (cost == 0)
        return 0;
    int64_t now = kr_clock_mono_us() * 1000;
    int64_t max_wait = adm->cfg->rate_limit_timeout_ms * 1000000;
    int64_t w = 0, longest = 0;
    if (adm->clients && http_client_limits_take(adm->clients, client, now, cost, max_wait, &w) != 0)
        return refuse_rate(err);
    longest = w;
    if (adm->cfg->rate_limit_enable) {
        if (row->cluster && http_bucket_take(&adm->cluster, now, cost, max_wait, &w) != 0)
            return refuse_rate(err);
        longest = w > longest ? w : longest;
        if (http_bucket_take(&adm->global, now, cost, max_wait, &w) != 0)
            return refuse_rate(err);
        longest = w > longest ? w : longest;
    }
    *wait_ms = (longest + 999999) / 1000000;
    return 0;
}
