/* api/metrics.c -- GET /metrics (see metrics.h). The exposition is written from memory: a
 * scrape reads the atomics, /proc/self and the registry's gauges, and never waits on Kafka.
 * Threads: HTTP threads. */
#include "api/metrics.h"

#include "util/metrics.h"

api_status_t api_metrics(api_req_t *req)
{
    if (!kr_metrics_enabled())
        return api_reply_error(req, KR_ERR_NOT_FOUND, "HTTP 404 Not Found");
    if (kr_metrics_write(&req->resp) != 0)
        return api_reply_error(req, KR_ERR_INTERNAL, "the metrics exceed the response limit");
    req->resp_type = API_METRICS_CONTENT_TYPE;
    return api_reply(req, 200);
}
