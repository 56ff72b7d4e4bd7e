/* http/metrics.h -- the HTTP side of krest's metrics: route templates as bounded labels, one
 * call per finished request, and the open-connection count (util/metrics.h).
 * May use: router/, util/, libmicrohttpd. Threads: http_metrics_init() at start-up; the rest on
 * MHD's threads. */
#ifndef KR_HTTP_METRICS_H
#define KR_HTTP_METRICS_H

#include "router/router.h"

#include <microhttpd.h>
#include <stdint.h>

/** Declares every route template of krest's tables to util/metrics. Start-up, once. */
void http_metrics_init(void);

/** Records a finished request: route (NULL when none matched), method, status (a request
 * never answered is not counted), body bytes in and out, and its start (kr_clock_mono_us). */
void http_metrics_request(const router_route_t *route, const char *method, int status,
                          size_t bytes_in, size_t bytes_out, int64_t start_us);

/** MHD_OPTION_NOTIFY_CONNECTION's callback: counts open connections. */
void http_metrics_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                             enum MHD_ConnectionNotificationCode toe);

#endif
