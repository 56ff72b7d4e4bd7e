/* router/metrics_routes.c -- GET /metrics's offers and the route table of
 * krest.metrics.listener's listeners, which serve nothing else. Threads: read-only data. */
#include "router/router.h"

#include "api/metrics.h"

const neg_offer_t router_metrics_offers[1] = {{"text/plain", 1.0f}};

const router_route_t router_metrics_routes[] = {
    ROUTE_OFFERING("GET", "/metrics", api_metrics, ROUTER_BODY_NONE, router_metrics_offers),
};
const size_t router_metrics_n_routes =
    sizeof(router_metrics_routes) / sizeof(router_metrics_routes[0]);
