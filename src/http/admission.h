/* http/admission.h -- whether a routed request may run: api.v2.enable, api.endpoints.allowlist
 * and .blocklist (by resource name, router/route_names.c), the rate limits (rate.limit.*,
 * global and per cluster, as Confluent; krest.rate.limit.per.client.permits.per.sec, per
 * client address). Token buckets are GCRA: one atomic word per limiter, a small lock per shard
 * of the bounded client table; nothing sleeps (a wait is returned for the caller to suspend).
 * May use: router/, api/, config/, util/. Threads: new/free at start-up and shutdown; the
 * checks from any MHD thread. */
#ifndef KR_HTTP_ADMISSION_H
#define KR_HTTP_ADMISSION_H

#include "api/api.h"
#include "config/config.h"
#include "router/router.h"
#include "util/err.h"

#include <stdint.h>
#include <sys/socket.h>

typedef struct http_admission http_admission_t;

/** Builds the admission rules of cfg for krest's route tables.
 * @return owned (free with http_admission_free), or NULL with err set (422) when
 *         rate.limit.costs is malformed. */
http_admission_t *http_admission_new(const krest_config_t *cfg, kr_err_t *err);

/** Frees the rules; http_admission_free(NULL) is a no-op. */
void http_admission_free(http_admission_t *adm);

/** The check that needs only the route: api.v2.enable=false refuses the routes named
 * api.v2.* and api.v1.* (krest's v1 lives on v2's paths).
 * @return 0, or -1 with err set to 404. */
int http_admission_route(const http_admission_t *adm, const router_route_t *route, kr_err_t *err);

/** The checks after negotiation (the resource name of v2 produce and consume names the
 * format): the access lists (blocked: 404 for GET and HEAD, 405 otherwise), then the
 * per-client, per-cluster and global limiters, each taking the route's cost.
 * @param client the peer address (NULL: no per-client limit)
 * @param wait_ms out: 0, or how long the caller must hold the request before running it
 *        (rate.limit.timeout.ms > 0 and permits reserved ahead)
 * @return 0, or -1 with err set (404, 405, or 429 with Confluent's message); a refused
 *         request takes no permit from the limiters after the one that refused it. */
int http_admission_check(http_admission_t *adm, const router_route_t *route, const api_req_t *req,
                         const struct sockaddr *client, int64_t *wait_ms, kr_err_t *err);

/** @return the resource name of a negotiated request (static or owned by adm), or NULL for
 * a route without one. For logs and metrics. */
const char *http_admission_name(const http_admission_t *adm, const router_route_t *route,
                                const api_req_t *req);

#endif
