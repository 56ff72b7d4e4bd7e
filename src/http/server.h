/* http/server.h -- krest's HTTP side on libmicrohttpd: one daemon per listener, each with a
 * thread pool; request bodies streamed in under krest.max.request.size; limits for headers,
 * idle connections and connection count; the suspend/resume path for requests that wait on
 * other threads (api_async, util/pending.h); gzip responses; an access log line per request;
 * and the graceful shutdown.
 * May use: router/, api/, config/, util/, libmicrohttpd, zlib.
 * Threads: http_server_start/shutdown/free from main; everything else on MHD's threads, except
 * the wake-up of a suspended request, which may come from any thread. */
#ifndef KR_HTTP_SERVER_H
#define KR_HTTP_SERVER_H

#include "api/api.h"
#include "util/err.h"

#include <stdint.h>

typedef struct http_server http_server_t;

/** Binds every listener of ctx->cfg and starts serving. ctx is borrowed and must outlive the
 * server. @return owned server (http_server_free), or NULL with err set (e.g. a port taken). */
http_server_t *http_server_start(const api_ctx_t *ctx, kr_err_t *err);

/** Stops taking work (every new request gets 503 and its connection closes), lets in-flight
 * requests finish for up to graceful_ms, then answers every request still waiting (as timed
 * out) and stops the daemons. */
void http_server_shutdown(http_server_t *srv, int64_t graceful_ms);

/** Re-reads what the listeners read from files (SIGHUP, on the main thread): the users of
 * Basic authentication (http/auth.h; a failure is logged and the users in force stay) and the
 * HTTPS listeners' keystore and truststore (http/tls.h; open connections keep working).
 * @return 0 (also without https listeners), or -1 with err set and the old certificates still
 *         in use. */
int http_server_reload(http_server_t *srv, kr_err_t *err);

/** Frees a shut-down server; http_server_free(NULL) is a no-op. */
void http_server_free(http_server_t *srv);

#endif
