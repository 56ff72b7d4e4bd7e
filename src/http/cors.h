/* http/cors.h -- Cross-Origin Resource Sharing as rest-utils sets up Jetty's CrossOriginFilter
 * (access.control.allow.origin, .allow.methods, .allow.headers, .expose.headers): preflights
 * answered here for every path, the Access-Control-* headers of the other requests.
 * May use: config/, util/, libmicrohttpd. Threads: http_cors_new/free at start-up and
 * shutdown; http_cors_handle from any MHD thread (the policy is read-only). */
#ifndef KR_HTTP_CORS_H
#define KR_HTTP_CORS_H

#include "config/config.h"
#include "http/response.h"

#include <microhttpd.h>
#include <stdbool.h>

typedef struct http_cors http_cors_t;

/** Builds the CORS policy of cfg.
 * @return the policy (owned, free with http_cors_free), or NULL when CORS is off
 *         (access.control.allow.origin empty). */
http_cors_t *http_cors_new(const krest_config_t *cfg);

/** Frees a policy; http_cors_free(NULL) is a no-op. */
void http_cors_free(http_cors_t *cors);

/** Adds to hs the CORS headers a request earns: none without an Origin header or for an
 * origin not allowed; Access-Control-Allow-Origin (the origin itself), Vary: Origin, and the
 * credentials and expose headers otherwise; a preflight's allow headers when its method and
 * headers are allowed. The values borrow from cors and from conn's request.
 * @return true when the request is a preflight (OPTIONS with Access-Control-Request-Method)
 *         from an allowed origin: the caller answers 204 with hs and routes nothing. */
bool http_cors_handle(const http_cors_t *cors, struct MHD_Connection *conn, const char *method,
                      http_headers_t *hs);

#endif
