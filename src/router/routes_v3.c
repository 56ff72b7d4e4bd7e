/* router/routes_v3.c -- the v3 API's route table (API.md §3.3): every /v3 endpoint krest
 * serves, one line each. The router takes the first template that matches, so a literal
 * segment ("-", "configs:alter") must come before a {param} that would also match it.
 * v3 takes and answers application/json only (router_negotiate). Threads: read-only data. */
#include "router/router.h"

#include "api/v3_acls.h"
#include "api/v3_clusters.h"
#include "api/v3_groups.h"
#include "api/v3_lags.h"
#include "api/v3_configs.h"
#include "api/v3_partitions.h"
#include "api/v3_produce.h"
#include "api/v3_topics.h"
#include "api/v3_topics_write.h"

#define C "/clusters/{cluster}"
#define T C "/topics/{topic}"
#define P T "/partitions/{partition:int}"
#define G C "/consumer-groups/{group}"
#define M G "/consumers/{consumer}"

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
    /* consumer groups, consumers, assignments, lags (api/v3_groups.c, api/v3_lags.c) */
    ROUTE_V3("GET", C "/consumer-groups", api_v3_groups_list, ROUTER_BODY_NONE),
    ROUTE_V3("GET", G, api_v3_group_get, ROUTER_BODY_NONE),
    ROUTE_V3("GET", G "/consumers", api_v3_consumers_list, ROUTER_BODY_NONE),
    ROUTE_V3("GET", M, api_v3_consumer_get, ROUTER_BODY_NONE),
    ROUTE_V3("GET", M "/assignments", api_v3_assignments_list, ROUTER_BODY_NONE),
    ROUTE_V3("GET", M "/assignments/{topic}/partitions/{partition:int}", api_v3_assignment_get,
             ROUTER_BODY_NONE),
    ROUTE_V3("GET", G "/lags", api_v3_lags_list, ROUTER_BODY_NONE),
    ROUTE_V3("GET", G "/lags/{topic}/partitions/{partition:int}", api_v3_lag_get, ROUTER_BODY_NONE),
    ROUTE_V3("GET", G "/lag-summary", api_v3_lag_summary_get, ROUTER_BODY_NONE),
    /* ACLs (api/v3_acls.c) */
    ROUTE_V3("GET", C "/acls", api_v3_acls_search, ROUTER_BODY_NONE),
    ROUTE_V3("POST", C "/acls", api_v3_acl_create, ROUTER_BODY_JSON),
    ROUTE_V3("DELETE", C "/acls", api_v3_acls_delete, ROUTER_BODY_NONE),
    ROUTE_V3("POST", C "/acls:batch", api_v3_acls_batch_create, ROUTER_BODY_JSON),
    /* configs (api/v3_configs*.c): literal "-" and ":alter" segments before {param} */
    ROUTE_V3("GET", C "/brokers/-/configs", api_v3_broker_configs_all, ROUTER_BODY_NONE),
    ROUTE_V3("GET", C "/brokers/{broker:int}/configs", api_v3_broker_configs_list,
             ROUTER_BODY_NONE),
    ROUTE_V3("POST", C "/brokers/{broker:int}/configs:alter", api_v3_broker_configs_alter,
             ROUTER_BODY_JSON),
    ROUTE_V3("GET", C "/brokers/{broker:int}/configs/{name}", api_v3_broker_config_get,
             ROUTER_BODY_NONE),
    ROUTE_V3("PUT", C "/brokers/{broker:int}/configs/{name}", api_v3_broker_config_update,
             ROUTER_BODY_JSON),
    ROUTE_V3("DELETE", C "/brokers/{broker:int}/configs/{name}", api_v3_broker_config_reset,
             ROUTER_BODY_NONE),
    ROUTE_V3("GET", C "/broker-configs", api_v3_cluster_configs_list, ROUTER_BODY_NONE),
    ROUTE_V3("POST", C "/broker-configs:alter", api_v3_cluster_configs_alter, ROUTER_BODY_JSON),
    ROUTE_V3("GET", C "/broker-configs/{name}", api_v3_cluster_config_get, ROUTER_BODY_NONE),
    ROUTE_V3("PUT", C "/broker-configs/{name}", api_v3_cluster_config_update, ROUTER_BODY_JSON),
    ROUTE_V3("DELETE", C "/broker-configs/{name}", api_v3_cluster_config_reset, ROUTER_BODY_NONE),
    ROUTE_V3("GET", C "/topics/-/configs", api_v3_topic_configs_all, ROUTER_BODY_NONE),
    ROUTE_V3("POST", C "/topics/-/configs:alter", api_v3_topics_configs_alter, ROUTER_BODY_JSON),
    ROUTE_V3("GET", T "/configs", api_v3_topic_configs_list, ROUTER_BODY_NONE),
    ROUTE_V3("POST", T "/configs:alter", api_v3_topic_configs_alter, ROUTER_BODY_JSON),
    ROUTE_V3("GET", T "/configs/{name}", api_v3_topic_config_get, ROUTER_BODY_NONE),
    ROUTE_V3("PUT", T "/configs/{name}", api_v3_topic_config_update, ROUTER_BODY_JSON),
    ROUTE_V3("DELETE", T "/configs/{name}", api_v3_topic_config_reset, ROUTER_BODY_NONE),
    /* topics, the write side */
    ROUTE_V3("POST", C "/topics", api_v3_topic_create, ROUTER_BODY_JSON),
    ROUTE_V3("PATCH", T, api_v3_topic_patch, ROUTER_BODY_JSON),
    ROUTE_V3("DELETE", T, api_v3_topic_delete, ROUTER_BODY_NONE),
    /* records produce (api/v3_produce*.c): ":batch" before the stream's template */
    ROUTE_V3("POST", T "/records:batch", api_v3_records_batch, ROUTER_BODY_JSON),
    ROUTE_V3_STREAM("POST", T "/records", api_v3_records_produce, &api_v3_records_stream),
};

const size_t router_v3_n_routes = sizeof(router_v3_routes) / sizeof(router_v3_routes[0]);
