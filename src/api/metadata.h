/* api/metadata.h -- the metadata API, v1 and v2 shapes: GET / and POST /, /topics,
 * /topics/{topic}, /topics/{topic}/partitions[/{partition}[/offsets]], /brokers.
 * May use: kafka/, format/, util/. Threads: handlers on HTTP threads; look-ups on workers. */
#ifndef KR_API_METADATA_H
#define KR_API_METADATA_H

#include "api/api.h"

/** GET / and POST /: always 200 {} (a liveness probe must not depend on Kafka). */
api_status_t api_root(api_req_t *req);
/** GET /topics: topic names, internal topics left out. */
api_status_t api_topics_list(api_req_t *req);
/** GET /topics/{topic}: name, configs (v2: all; v1: the topic's overrides), partitions. */
api_status_t api_topic_get(api_req_t *req);
/** GET /topics/{topic}/partitions */
api_status_t api_partitions_list(api_req_t *req);
/** GET /topics/{topic}/partitions/{partition} */
api_status_t api_partition_get(api_req_t *req);
/** GET /topics/{topic}/partitions/{partition}/offsets: beginning and end offsets. */
api_status_t api_partition_offsets(api_req_t *req);
/** GET /brokers */
api_status_t api_brokers_list(api_req_t *req);

#endif
