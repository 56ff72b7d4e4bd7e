/* api/identity.h -- which Kafka identity a request works as (krest.kafka.principal.propagation,
 * issue 15): a request authenticated with Basic runs its handler with a copy of the context
 * whose producer, admin handle, admin layer and listing metadata (md_user) are that user's
 * (kafka/principals.h), so every handler that uses ctx->producer, ctx->admin, ctx->kadmin or
 * api_md_cache(ctx, NULL) talks to Kafka as the user. A named topic is checked in krest's own
 * metadata (ctx->md), and Kafka decides on each produce or admin call. Anonymous and mTLS requests
 * (no password to give Kafka), and every request when propagation is off, use the proxy's own
 * identity. May use: kafka/, util/. Threads: HTTP threads; opening a new identity runs on a worker.
 */
#ifndef KR_API_IDENTITY_H
#define KR_API_IDENTITY_H

#include "api/api.h"

/** Runs handler(req) as req's Kafka identity: at once when it is open (or none applies), else
 * after opening it on a worker; a refused password is 401/40101, a full pool 429/42901, no
 * broker 503/50302. @return handler's status, or API_ASYNC while the identity opens. */
api_status_t api_identity_dispatch(api_req_t *req, api_handler_fn handler);

/** For a handler that cannot wait for an identity to open (a full-duplex stream, whose head is
 * written at once): switches req to its user's identity when it is open already.
 * @return true when req's context is the right one now (none applies, or it was entered),
 *         false when the identity must be opened first (serve the request with
 *         api_identity_dispatch instead). */
bool api_identity_enter_now(api_req_t *req);

/** The per-principal context (kafka/principals.h's extension): a copy of the proxy's base
 * context (opaque, borrowed) with p's handles. */
void *api_identity_ctx_new(void *opaque, kafka_principal_t *p);
void api_identity_ctx_free(void *ext);

/** @return the name of the Kafka identity req works as, or NULL for the proxy's own. */
const char *api_identity_name(const api_req_t *req);

#endif
