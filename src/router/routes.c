/* router/routes.c -- krest's route table: every endpoint, its method, the bodies it takes and
 * the handler that serves it. Templates never overlap, so order only helps the reader.
 * Threads: read-only data. */
#include "router/router.h"

#include "api/consumers.h"
#include "api/health.h"
#include "api/metadata.h"
#include "api/metrics.h"
#include "api/openapi.h"
#include "api/produce.h"
#include "api/v1_messages.h"

/* GET …/records: the binary handler is the default (no Accept, or vnd.kafka.v2+json), as in
 * Confluent; the embedded types pick their own; v1 types give v1 shapes. */
static const neg_offer_t records_offers[] = {
    {"application/vnd.kafka.binary.v2+json", 1.0f}, {"application/vnd.kafka.v2+json", 0.9f},
    {"application/vnd.kafka.json.v2+json", 0.2f},   {"application/vnd.kafka.avro.v2+json", 0.2f},
    {"application/vnd.kafka.binary.v1+json", 0.3f}, {"application/vnd.kafka.json.v1+json", 0.2f},
    {"application/vnd.kafka.avro.v1+json", 0.2f},   {"application/vnd.kafka.v1+json", 0.25f},
    {"application/vnd.kafka+json", 0.1f},           {"application/json", 0.1f},
};

/* krest's own JSON endpoints (health, the OpenAPI document): application/json, whatever the
 * client's Accept prefers among what it takes (docs/operations.md). */
static const neg_offer_t json_offers[] = {{"application/json", 1.0f}};

#define INSTANCE "/consumers/{group}/instances/{instance}"

const router_route_t router_routes[] = {
    ROUTE("GET", "/", api_root, ROUTER_BODY_NONE),
    ROUTE("POST", "/", api_root, ROUTER_BODY_GENERIC),
    ROUTE_OFFERING("GET", "/healthy", api_healthy, ROUTER_BODY_NONE, json_offers),
    ROUTE_OFFERING("GET", "/ready", api_ready, ROUTER_BODY_NONE, json_offers),
    ROUTE_OFFERING("GET", "/openapi.json", api_openapi_rest_get, ROUTER_BODY_NONE, json_offers),
    ROUTE_OFFERING("GET", "/openapi", api_openapi_rest_get, ROUTER_BODY_NONE, json_offers),
    ROUTE("GET", "/topics", api_topics_list, ROUTER_BODY_NONE),
    ROUTE("GET", "/topics/{topic}", api_topic_get, ROUTER_BODY_NONE),
    ROUTE("POST", "/topics/{topic}", api_produce_topic, ROUTER_BODY_EMBEDDED),
    ROUTE("GET", "/topics/{topic}/partitions", api_partitions_list, ROUTER_BODY_NONE),
    ROUTE("GET", "/topics/{topic}/partitions/{partition:int}", api_partition_get, ROUTER_BODY_NONE),
    ROUTE("POST", "/topics/{topic}/partitions/{partition:int}", api_produce_partition,
          ROUTER_BODY_EMBEDDED),
    ROUTE("GET", "/topics/{topic}/partitions/{partition:int}/offsets", api_partition_offsets,
          ROUTER_BODY_NONE),
    ROUTE_OFFERING("GET", "/topics/{topic}/partitions/{partition:int}/messages",
                   api_v1_partition_messages, ROUTER_BODY_NONE, records_offers),
    ROUTE("GET", "/brokers", api_brokers_list, ROUTER_BODY_NONE),
    ROUTE_OFFERING("GET", "/metrics", api_metrics, ROUTER_BODY_NONE, router_metrics_offers),
    ROUTE("POST", "/consumers/{group}", api_consumer_create, ROUTER_BODY_EMBEDDED),
    ROUTE("DELETE", INSTANCE, api_consumer_delete, ROUTER_BODY_EMBEDDED),
    ROUTE("POST", INSTANCE "/subscription", api_consumer_subscribe, ROUTER_BODY_EMBEDDED),
    ROUTE("GET", INSTANCE "/subscription", api_consumer_subscription, ROUTER_BODY_NONE),
    ROUTE("DELETE", INSTANCE "/subscription", api_consumer_unsubscribe, ROUTER_BODY_EMBEDDED),
    ROUTE("POST", INSTANCE "/assignments", api_consumer_assign, ROUTER_BODY_EMBEDDED),
    ROUTE("GET", INSTANCE "/assignments", api_consumer_assignments, ROUTER_BODY_NONE),
    ROUTE("POST", INSTANCE "/positions", api_consumer_seek, ROUTER_BODY_EMBEDDED),
    ROUTE("POST", INSTANCE "/positions/beginning", api_consumer_seek_beginning,
          ROUTER_BODY_EMBEDDED),
    ROUTE("POST", INSTANCE "/positions/end", api_consumer_seek_end, ROUTER_BODY_EMBEDDED),
    ROUTE("POST", INSTANCE "/offsets", api_consumer_commit, ROUTER_BODY_EMBEDDED),
    ROUTE("GET", INSTANCE "/offsets", api_consumer_committed, ROUTER_BODY_EMBEDDED),
    ROUTE_OFFERING("GET", INSTANCE "/records", api_consumer_records, ROUTER_BODY_NONE,
                   records_offers),
    ROUTE_OFFERING("GET", INSTANCE "/topics/{topic}", api_consumer_v1_topic_read, ROUTER_BODY_NONE,
                   records_offers),
};

const size_t router_n_routes = sizeof(router_routes) / sizeof(router_routes[0]);
