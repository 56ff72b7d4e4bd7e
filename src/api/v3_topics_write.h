/* api/v3_topics_write.h -- v3 topics, the write side (API.md §3.3): create a topic, raise its
 * partition count, delete it. Each handler checks the body on its HTTP thread, checks the
 * cluster (and topic) against a metadata snapshot, then issues the admin request off the thread.
 * May use: api/, kafka/, format/, util/. Threads: HTTP threads. */
#ifndef KR_API_V3_TOPICS_WRITE_H
#define KR_API_V3_TOPICS_WRITE_H

#include "api/api.h"

/** POST /v3/clusters/{c}/topics: 201 + Location + KafkaTopic; validate_only: 200, nothing
 * created. */
api_status_t api_v3_topic_create(api_req_t *req);
/** PATCH /v3/clusters/{c}/topics/{t} {"partitions_count":N}: 200 KafkaTopic after the increase. */
api_status_t api_v3_topic_patch(api_req_t *req);
/** DELETE /v3/clusters/{c}/topics/{t}: 204. */
api_status_t api_v3_topic_delete(api_req_t *req);

#endif
