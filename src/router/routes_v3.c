/* router/routes_v3.c -- the v3 API's route table (API.md §3.3): every /v3 endpoint krest
 * serves, one line each. The router takes the first template that matches, so a literal
 * segment ("-", "configs:alter") must come before a {param} that would also match it.
 * v3 takes and answers application/json only (router_negotiate). Threads: read-only data. */
#include "router/router.h"

#include "api/v3_clusters.h"
#include "api/v3_partitions.h"
#include "api/v3_topics.h"
#include "api/v3_topics_write.h"

#define C "/clusters/{cluster}"
#define T C "/topics/{topic}"
#define P T "/partitions/{partition:int}"

const router_route_t router_v3_routes[] = {
    ROUTE_V3("GET", "/clusters", api_v3_clusters_list, ROUTER_BODY_NONE),
    ROUTE_V3("GET", C, api_v3_cluster_get, ROUTER_BODY_NONE),
    ROUTE_V3("GET", C "/brokers", api_v3_brokers_list, ROUTER_BODY_NONE),
    ROUTE_V3("GET", C "/brokers/{broker:int}", api_v3_broker_get, ROUTER_BODY_NONE),
    ROUTE_V3("GET", C "/brokers/{broker:int}/partition-replicas", api_v3_broker_replicas,
             ROUTER_BODY_NONE),
    ROUTE_V3("GET", C "/topics", api_v3_topics_list, ROUTER_BODY_NONE),
    ROUTE_V3("GET", C "/topics/-/partitions/-/reassignment", api_v3_reassignments,
             ROUTER_BODY_NONE),
    ROUTE_V3("GET", T, api_v3_topic_get, ROUTER_BODY_NONE),
    ROUTE_V3("GET", T "/partitions", api_v3_partitions_list, ROUTER_BODY_NONE),
    ROUTE_V3("GET", T "/partitions/-/reassignment", api_v3_reassignments, ROUTER_BODY_NONE),
    ROUTE_V3("GET", P, api_v3_partition_get, ROUTER_BODY_NONE),
    ROUTE_V3("GET", P "/offset", api_v3_partition_offsets, ROUTER_BODY_NONE),
    ROUTE_V3("GET", P "/reassignment", api_v3_reassignments, ROUTER_BODY_NONE),
    ROUTE_V3("GET", P "/replicas", api_v3_replicas_list, ROUTER_BODY_NONE),
    ROUTE_V3("GET", P "/replicas/{broker:int}", api_v3_replica_get, ROUTER_BODY_NONE),
    /* topics, the write side */
    ROUTE_V3("POST", C "/topics", api_v3_topic_create, ROUTER_BODY_JSON),
    ROUTE_V3("PATCH", T, api_v3_topic_patch, ROUTER_BODY_JSON),
    ROUTE_V3("DELETE", T, api_v3_topic_delete, ROUTER_BODY_NONE),
};

const size_t router_v3_n_routes = sizeof(router_v3_routes) / sizeof(router_v3_routes[0]);
