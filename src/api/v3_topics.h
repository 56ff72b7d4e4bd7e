/* api/v3_topics.h -- v3 topics, the read side (API.md §3.3): GET /v3/clusters/{c}/topics and
 * GET …/topics/{t}, from the metadata cache.
 * May use: api/v3.h, kafka/metadata.h, util/. Threads: HTTP threads. */
#ifndef KR_API_V3_TOPICS_H
#define KR_API_V3_TOPICS_H

#include "api/api.h"
#include "api/v3.h"

#include <stdbool.h>

/** GET /v3/clusters/{c}/topics[?includeAuthorizedOperations=]: KafkaTopicList by name,
 * internal topics left out. */
api_status_t api_v3_topics_list(api_req_t *req);
/** GET /v3/clusters/{c}/topics/{t}[?include_authorized_operations=]: KafkaTopic; 404/40403
 * for an unknown topic. */
api_status_t api_v3_topic_get(api_req_t *req);

/** Writes one KafkaTopic resource (authorized_operations []) into v; for the create and update
 * answers too, whose counts come from the request rather than from metadata. */
void api_v3_topic_write(api_v3_t *v, const char *cluster_id, const char *topic, bool internal,
                        int replication_factor, int partitions_count);

#endif
