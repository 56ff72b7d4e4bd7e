/* api/v1_messages.h -- v1's stateless partition read:
 * GET /topics/{topic}/partitions/{partition}/messages?offset=N[&count=M] (or ?timestamp=ISO).
 * May use: kafka/, format/, util/. Threads: handler on HTTP threads; the read on a worker. */
#ifndef KR_API_V1_MESSAGES_H
#define KR_API_V1_MESSAGES_H

#include "api/api.h"

api_status_t api_v1_partition_messages(api_req_t *req);

#endif
