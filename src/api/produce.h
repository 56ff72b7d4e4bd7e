/* api/produce.h -- v1 and v2 produce: POST /topics/{topic} and
 * POST /topics/{topic}/partitions/{partition} with binary or json embedded data.
 * May use: kafka/, format/, util/. Threads: handlers on HTTP threads. */
#ifndef KR_API_PRODUCE_H
#define KR_API_PRODUCE_H

#include "api/api.h"

/** POST /topics/{topic} */
api_status_t api_produce_topic(api_req_t *req);
/** POST /topics/{topic}/partitions/{partition} */
api_status_t api_produce_partition(api_req_t *req);

#endif
