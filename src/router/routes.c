/* router/routes.c -- krest's route table: every endpoint, its method and the handler that
 * serves it. Order matters only for readability: templates never overlap.
 * Threads: read-only data. */
#include "router/router.h"

#include "api/metadata.h"
#include "api/produce.h"

const router_route_t router_routes[] = {
    {"GET", "/", api_root, ROUTER_BODY_NONE},
    {"POST", "/", api_root, ROUTER_BODY_GENERIC},
    {"GET", "/topics", api_topics_list, ROUTER_BODY_NONE},
    {"GET", "/topics/{topic}", api_topic_get, ROUTER_BODY_NONE},
    {"POST", "/topics/{topic}", api_produce_topic, ROUTER_BODY_EMBEDDED},
    {"GET", "/topics/{topic}/partitions", api_partitions_list, ROUTER_BODY_NONE},
    {"GET", "/topics/{topic}/partitions/{partition:int}", api_partition_get, ROUTER_BODY_NONE},
    {"POST", "/topics/{topic}/partitions/{partition:int}", api_produce_partition,
     ROUTER_BODY_EMBEDDED},
    {"GET", "/topics/{topic}/partitions/{partition:int}/offsets", api_partition_offsets,
     ROUTER_BODY_NONE},
    {"GET", "/brokers", api_brokers_list, ROUTER_BODY_NONE},
};

const size_t router_n_routes = sizeof(router_routes) / sizeof(router_routes[0]);
