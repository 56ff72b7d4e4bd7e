/* api/forward.h -- many instances behind one load balancer (docs/cluster.md): a consumer-
 * instance request (/consumers/{group}/instances/{instance}/...) that reaches an instance which
 * does not own {instance} is forwarded, once, to the owner found through kafka/cluster.h, and
 * the owner's answer (status, Location, body) is relayed. Forwarded requests carry
 * X-Krest-Forwarded: <ms>:<HMAC-SHA256 hex> (krest.cluster.secret) over the method, path,
 * query, principal, time and body; a request carrying it without a valid HMAC is refused with
 * 403, a valid one is served where it lands (never forwarded again).
 *
 * DESIGN. The transfers run on one thread of their own, libcurl's multi interface: its
 * connection cache keeps keep-alive connections to each owner (a pool, never one connection per
 * request). The HTTP thread suspends the request (api_async) and the forwarder completes its
 * pending handle with the relayed answer.
 * May use: kafka/, format/, config/, util/, libcurl, OpenSSL's libcrypto.
 * Threads: api_forward_intercept() on HTTP threads; the transfers on the forwarder's thread. */
#ifndef KR_API_FORWARD_H
#define KR_API_FORWARD_H

#include "api/api.h"

#include <stdbool.h>
#include <stddef.h>

#define API_FORWARD_HEADER           "X-Krest-Forwarded"
#define API_FORWARD_PRINCIPAL_HEADER "X-Krest-Principal"

typedef struct api_forwarder api_forwarder_t;
typedef struct kafka_cluster kafka_cluster_t;

/** Starts the forwarder's thread (cluster borrowed; self_id, this instance's id, copied: the
 * forwarded requests it accepts must be signed for it). @return owned forwarder, or NULL with
 * err (krest.cluster.secret empty). Start-up only. */
api_forwarder_t *api_forwarder_new(const krest_config_t *cfg, kafka_cluster_t *cluster,
                                   const char *self_id, kr_err_t *err);
/** Stops the thread; transfers still running are abandoned and their requests answered as
 * timed out. After the HTTP server stopped. NULL is fine. */
void api_forwarder_free(api_forwarder_t *fw);

/** The URL other instances reach this one at: krest.cluster.internal.url, else the first
 * advertised listener, else the first listener (a wildcard host replaced by the host name). */
void api_forward_self_url(const krest_config_t *cfg, char *out, size_t size);

/** Runs before a route's handler (route_path: its template). Checks a forwarded request's
 * HMAC, and forwards a consumer-instance request this instance does not own.
 * @return true when it took the request (*st: API_DONE or API_ASYNC), false to run the
 *         handler. */
bool api_forward_intercept(api_req_t *req, const char *route_path, api_status_t *st);

/** After a consumer instance with a client-given name was created: waits until its name is
 * published in the cluster topic (so that every instance finds it), then answers with what the
 * handler wrote. @return API_ASYNC, or API_DONE at once when the cluster is off. */
api_status_t api_forward_published(api_req_t *req, int status);

/** After a consumer instance was deleted: the list of names is published again now, not at the
 * next heartbeat (nothing waits for it). */
void api_forward_unpublish(api_req_t *req);

#endif
