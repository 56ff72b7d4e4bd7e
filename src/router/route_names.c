/* router/route_names.c -- Confluent's resource name of each route (API.md §2.2 "Endpoint
 * identifiers", §3.3 "Resource name"): what api.endpoints.allowlist/blocklist and
 * rate.limit.costs name. A side table keyed by (method, template), so the route tables stay
 * one line per endpoint; krest's own v1-only routes get api.v1.* names.
 * Threads: read-only data; router_route_name_find() is called at start-up. */
#include "router/router.h"

#include <string.h>

#define INSTANCE "/consumers/{group}/instances/{instance}"
#define C        "/v3/clusters/{cluster}"
#define T        C "/topics/{topic}"
#define P        T "/partitions/{partition:int}"
#define G        C "/consumer-groups/{group}"
#define M        G "/consumers/{consumer}"

#define BODY   ROUTER_NAME_BODY_FORMAT
#define ACCEPT ROUTER_NAME_ACCEPT_FORMAT

static const router_route_name_t names[] = {
    /* v2 (and krest's v1 on the same paths) */
    {"GET", "/", "api.v2.root.get", 0},
    {"POST", "/", "api.v2.root.post", 0},
    {"GET", "/topics", "api.v2.topics.list", 0},
    {"GET", "/topics/{topic}", "api.v2.topics.get", 0},
    {"POST", "/topics/{topic}", "api.v2.produce-to-topic", BODY},
    {"GET", "/topics/{topic}/partitions", "api.v2.partitions.list", 0},
    {"GET", "/topics/{topic}/partitions/{partition:int}", "api.v2.partitions.get", 0},
    {"POST", "/topics/{topic}/partitions/{partition:int}", "api.v2.produce-to-partition", BODY},
    {"GET", "/topics/{topic}/partitions/{partition:int}/offsets", "api.v2.partitions.get-offsets",
     0},
    {"GET", "/topics/{topic}/partitions/{partition:int}/messages", "api.v1.partitions.consume", 0},
    {"GET", "/brokers", "api.v2.brokers.list", 0},
    {"POST", "/consumers/{group}", "api.v2.consumers.create", 0},
    {"DELETE", INSTANCE, "api.v2.consumers.delete", 0},
    {"POST", INSTANCE "/subscription", "api.v2.consumers.subscribe", 0},
    {"GET", INSTANCE "/subscription", "api.v2.consumers.get-subscription", 0},
    {"DELETE", INSTANCE "/subscription", "api.v2.consumers.unsubscribe", 0},
    {"POST", INSTANCE "/assignments", "api.v2.consumers.assign", 0},
    {"GET", INSTANCE "/assignments", "api.v2.consumers.get-assignments", 0},
    {"POST", INSTANCE "/positions", "api.v2.consumers.seek-to-offset", 0},
    {"POST", INSTANCE "/positions/beginning", "api.v2.consumers.seek-to-beginning", 0},
    {"POST", INSTANCE "/positions/end", "api.v2.consumers.seek-to-end", 0},
    {"POST", INSTANCE "/offsets", "api.v2.consumers.commit-offsets", 0},
    {"GET", INSTANCE "/offsets", "api.v2.consumers.get-committed-offsets", 0},
    {"GET", INSTANCE "/records", "api.v2.consumers.consume", ACCEPT},
    {"GET", INSTANCE "/topics/{topic}", "api.v1.consumers.consume", 0},
    /* v3 */
    {"GET", "/v3/clusters", "api.v3.clusters.list", 0},
    {"GET", C, "api.v3.clusters.get", 0},
    {"GET", C "/brokers", "api.v3.brokers.list", 0},
    {"GET", C "/brokers/{broker:int}", "api.v3.brokers.get", 0},
    {"GET", C "/brokers/{broker:int}/partition-replicas", "api.v3.replicas.search-by-broker", 0},
    {"GET", C "/topics", "api.v3.topics.list", 0},
    {"GET", C "/topics/-/partitions/-/reassignment", "api.v3.partition-reassignments.list", 0},
    {"GET", T, "api.v3.topics.get", 0},
    {"GET", T "/partitions", "api.v3.partitions.list", 0},
    {"GET", T "/partitions/-/reassignment", "api.v3.partition-reassignments.search-by-topic", 0},
    {"GET", P, "api.v3.partitions.get", 0},
    {"GET", P "/offset", "api.v3.partitions.list.offsets", 0},
    {"GET", P "/reassignment", "api.v3.partition-reassignments.get", 0},
    {"GET", P "/replicas", "api.v3.replicas.list", 0},
    {"GET", P "/replicas/{broker:int}", "api.v3.replicas.get", 0},
    {"GET", C "/consumer-groups", "api.v3.consumer-groups.list", 0},
    {"GET", G, "api.v3.consumer-groups.get", 0},
    {"GET", G "/consumers", "api.v3.consumers.list", 0},
    {"GET", M, "api.v3.consumers.get", 0},
    {"GET", M "/assignments", "api.v3.consumer-assignments.list", 0},
    {"GET", M "/assignments/{topic}/partitions/{partition:int}", "api.v3.consumer-assignments.get",
     0},
    {"GET", G "/lags", "api.v3.consumer-lags.list", 0},
    {"GET", G "/lags/{topic}/partitions/{partition:int}", "api.v3.consumer-lags.get", 0},
    {"GET", G "/lag-summary", "api.v3.consumer-group-lag-summary.get", 0},
    {"GET", C "/acls", "api.v3.acls.list", 0},
    {"POST", C "/acls", "api.v3.acls.create", 0},
    {"DELETE", C "/acls", "api.v3.acls.delete", 0},
    {"POST", C "/acls:batch", "api.v3.acls.batch-create", 0},
    {"GET", C "/brokers/-/configs", "api.v3.brokers-configs.list", 0},
    {"GET", C "/brokers/{broker:int}/configs", "api.v3.broker-configs.list", 0},
    {"POST", C "/brokers/{broker:int}/configs:alter", "api.v3.broker-configs.alter", 0},
    {"GET", C "/brokers/{broker:int}/configs/{name}", "api.v3.broker-configs.get", 0},
    {"PUT", C "/brokers/{broker:int}/configs/{name}", "api.v3.broker-configs.update", 0},
    {"DELETE", C "/brokers/{broker:int}/configs/{name}", "api.v3.broker-configs.delete", 0},
    {"GET", C "/broker-configs", "api.v3.cluster-configs.list", 0},
    {"POST", C "/broker-configs:alter", "api.v3.cluster-configs.alter", 0},
    {"GET", C "/broker-configs/{name}", "api.v3.cluster-configs.get", 0},
    {"PUT", C "/broker-configs/{name}", "api.v3.cluster-configs.update", 0},
    {"DELETE", C "/broker-configs/{name}", "api.v3.cluster-configs.delete", 0},
    {"GET", C "/topics/-/configs", "api.v3.topic-configs.list", 0},
    {"POST", C "/topics/-/configs:alter", "api.v3.topic-configs.alter-multi", 0},
    {"GET", T "/configs", "api.v3.topic-configs.list", 0},
    {"POST", T "/configs:alter", "api.v3.topic-configs.alter", 0},
    {"GET", T "/configs/{name}", "api.v3.topic-configs.get", 0},
    {"PUT", T "/configs/{name}", "api.v3.topic-configs.update", 0},
    {"DELETE", T "/configs/{name}", "api.v3.topic-configs.delete", 0},
    {"POST", C "/topics", "api.v3.topics.create", 0},
    {"PATCH", T, "api.v3.topics.partitions", 0},
    {"DELETE", T, "api.v3.topics.delete", 0},
    {"POST", T "/records", "api.v3.produce.produce-to-topic", 0},
    {"POST", T "/records:batch", "api.v3.batch-produce.produce-to-topic", 0},
};

const router_route_name_t *router_route_name_find(const router_route_t *route)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(names[i].method, route->method) == 0 && strcmp(names[i].path, route->path) == 0)
            return &names[i];
    return NULL;
}
