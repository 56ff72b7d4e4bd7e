/* api/health.h -- GET /healthy (liveness) and GET /ready (readiness), answered from cached
 * state only: neither touches Kafka (docs/operations.md).
 * May use: kafka/, schema/, util/. Threads: HTTP threads. */
#ifndef KR_API_HEALTH_H
#define KR_API_HEALTH_H

#include "api/api.h"

/** GET /healthy: 200 {} whenever krest serves HTTP (also while it drains). */
api_status_t api_healthy(api_req_t *req);

/** GET /ready: 200 {} when the cluster answered metadata within client.timeout.ms and the
 * built-in registry (when on) has read its topic to the end; else 503 with error_code 503 and a
 * message naming what is not ready. */
api_status_t api_ready(api_req_t *req);

#endif
