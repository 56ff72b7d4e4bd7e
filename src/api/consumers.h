/* api/consumers.h -- consumer instances over HTTP, v2 and v1 (one instance table for both):
 * create and delete, subscription, assignments, positions, offsets, records; v1's
 * GET …/topics/{topic} read.
 * May use: kafka/, format/, util/. Threads: handlers on HTTP threads; blocking librdkafka calls
 * (seek, commit, committed, offsets_for_times) on the worker pool. */
#ifndef KR_API_CONSUMERS_H
#define KR_API_CONSUMERS_H

#include "api/api.h"

api_status_t api_consumer_create(api_req_t *req);
api_status_t api_consumer_delete(api_req_t *req);
api_status_t api_consumer_subscribe(api_req_t *req);
api_status_t api_consumer_subscription(api_req_t *req);
api_status_t api_consumer_unsubscribe(api_req_t *req);
api_status_t api_consumer_assign(api_req_t *req);
api_status_t api_consumer_assignments(api_req_t *req);
api_status_t api_consumer_seek(api_req_t *req);
api_status_t api_consumer_seek_beginning(api_req_t *req);
api_status_t api_consumer_seek_end(api_req_t *req);
api_status_t api_consumer_commit(api_req_t *req);
api_status_t api_consumer_committed(api_req_t *req);
api_status_t api_consumer_records(api_req_t *req);
api_status_t api_consumer_v1_topic_read(api_req_t *req);

#endif
