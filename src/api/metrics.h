/* api/metrics.h -- GET /metrics: every metric in the Prometheus text format 0.0.4
 * (util/metrics.h), on the main listeners and on krest.metrics.listener's.
 * May use: util/. Threads: HTTP threads. */
#ifndef KR_API_METRICS_H
#define KR_API_METRICS_H

#include "api/api.h"

/** The Content-Type of the Prometheus text exposition format. */
#define API_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/** GET /metrics: 200 with the exposition; 404 when krest.metrics.enable is false. */
api_status_t api_metrics(api_req_t *req);

#endif
