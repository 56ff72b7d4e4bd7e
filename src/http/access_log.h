/* http/access_log.h -- the access log: one line per request, as text (krest's line, with the
 * request id after the level) or as a JSON object per line (krest.access.log.format=json).
 * May use: format/, config/, util/, libmicrohttpd. Threads: MHD threads. */
#ifndef KR_HTTP_ACCESS_LOG_H
#define KR_HTTP_ACCESS_LOG_H

#include "config/config.h"

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

/** What one access log line tells (everything borrowed). */
typedef struct http_access {
    struct MHD_Connection *conn; /* for the remote address and the User-Agent */
    const char *request_id;
    const char *method;
    const char *path;
    int status;
    size_t bytes; /* response body bytes */
    double duration_ms;
    bool aborted;     /* the connection ended before the response was sent */
    const char *user; /* the authenticated principal's name (http/auth.c, TLS), or NULL */
} http_access_t;

/** Writes a's line in cfg's format, when cfg->access_log is on and info lines are enabled. */
void http_access_log(const krest_config_t *cfg, const http_access_t *a);

#endif
