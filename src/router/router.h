/* router/router.h -- method + path template -> handler, path parameters, and per-route
 * content negotiation (which API version's shapes, which response Content-Type).
 * Templates are "/"-separated segments; "{name}" matches one non-empty segment and
 * "{name:int}" one made of an optional '-' and digits (so /partitions/abc is 404, as in
 * Confluent). The route tables are router/routes.c and, for /v3, router/routes_v3.c.
 * May use: api/, util/. Threads: any (the table is static and read-only). */
#ifndef KR_ROUTER_ROUTER_H
#define KR_ROUTER_ROUTER_H

#include "api/api.h"
#include "router/negotiate.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>

/** What request bodies a route takes. */
typedef enum router_body {
    ROUTER_BODY_NONE = 0, /* no body expected; Content-Type is not checked */
    ROUTER_BODY_GENERIC,  /* vnd.kafka.v1/v2+json, vnd.kafka+json, application/json, octet-stream */
    ROUTER_BODY_EMBEDDED, /* the generic types and vnd.kafka.<format>.v1/v2+json (produce) */
    ROUTER_BODY_SR,       /* the Schema Registry's: vnd.schemaregistry[.v1]+json, json, octet */
    ROUTER_BODY_JSON,     /* v3: application/json only (charset, if given, UTF-8) */
} router_body_t;

typedef struct router_route {
    const char *method; /* "GET", "POST", "PUT", "DELETE" (HEAD is served by GET routes) */
    const char *path;   /* template */
    api_handler_fn handler;
    router_body_t body;
    const neg_offer_t *offers; /* response types; NULL: the management types (v2, v1, generic) */
    size_t n_offers;
    api_version_t api; /* the API the route belongs to; 0 (ROUTE, ROUTE_OFFERING): v1 or v2, as
                          the media types negotiate */
    const api_stream_handler_t *stream; /* full duplex for chunked uploads, or NULL */
} router_route_t;

/* Route table entries: ROUTE for management responses, ROUTE_OFFERING for an own offer list
 * (both v1/v2, negotiated), ROUTE_API for a route of one API (API_V3, API_SR) with its offers. */
#define ROUTE(method, path, handler, body)                                                         \
    {                                                                                              \
        method, path, handler, body, NULL, 0, (api_version_t)0, NULL                               \
    }
#define ROUTE_OFFERING(method, path, handler, body, offers)                                        \
    {                                                                                              \
        method, path, handler, body, offers, sizeof(offers) / sizeof((offers)[0]),                 \
            (api_version_t)0, NULL                                                                 \
    }
#define ROUTE_API(method, path, handler, body, offers, api)                                        \
    {                                                                                              \
        method, path, handler, body, offers, sizeof(offers) / sizeof((offers)[0]), api, NULL       \
    }
/* A v3 route: its path is below /v3 (the prefix is written in the table); bodies are
 * ROUTER_BODY_JSON or ROUTER_BODY_NONE. */
#define ROUTE_V3(method, path, handler, body)                                                      \
    {                                                                                              \
        method, "/v3" path, handler, body, NULL, 0, API_V3, NULL                                   \
    }
/* A v3 route whose chunked uploads stream (api_stream_handler_t). */
#define ROUTE_V3_STREAM(method, path, handler, stream)                                             \
    {                                                                                              \
        method, "/v3" path, handler, ROUTER_BODY_JSON, NULL, 0, API_V3, stream                     \
    }

typedef struct router_match {
    const router_route_t *route;
    char *path_copy; /* owned: params point into it */
    const char *params[API_MAX_PARAMS];
    size_t n_params;
} router_match_t;

/** Finds the route for method and path (already URL-decoded).
 * @return 0 with *m filled (free with router_match_free), or -1 with err set to 404
 *         (no template matches) or 405 (a template matches, the method does not). */
int router_match(const router_route_t *routes, size_t n_routes, const char *method,
                 const char *path, router_match_t *m, kr_err_t *err);

/** Frees what a match owns; safe on a zeroed or already-freed match. */
void router_match_free(router_match_t *m);

/** Negotiates a matched route: checks the Content-Type (when has_body) and picks the response
 * type from Accept; sets req->version (the route's api, else API_V1 or API_V2 from the media
 * types), req->resp_type and req->body_format. A v3 route takes and answers application/json
 * only (API.md §3.1).
 * @return 0, or -1 with err set to 415 (Content-Type) or 406/40601 (Accept). */
int router_negotiate(const router_route_t *route, const char *accept, const char *content_type,
                     bool has_body, api_req_t *req, kr_err_t *err);

/** The route table of krest (router/routes.c). */
extern const router_route_t router_routes[];
extern const size_t router_n_routes;

/** The v3 route table (router/routes_v3.c): every path at or below /v3. */
extern const router_route_t router_v3_routes[];
extern const size_t router_v3_n_routes;

/** @return true when path is /v3 or below it: the REST Proxy then matches it against
 * router_v3_routes only (or against nothing, 404, when api.v3.enable is false). */
bool router_is_v3_path(const char *path);

/** The route table of the built-in Schema Registry's listener (router/sr_routes.c). */
extern const router_route_t router_sr_routes[];
extern const size_t router_sr_n_routes;

/** GET /metrics's response types (router/metrics_routes.c): text/plain only. */
extern const neg_offer_t router_metrics_offers[1];
/** The route table of krest.metrics.listener's listeners: GET /metrics alone. */
extern const router_route_t router_metrics_routes[];
extern const size_t router_metrics_n_routes;
/** How a route's resource name ends: fixed, or with the embedded format of the request body
 * (".binary", ".json", ".avro", ".json-schema", ".protobuf": v2 produce) or of the response
 * ("-binary"...: v2 consume), as Confluent names one JAX-RS method per format. */
typedef enum router_name_kind {
    ROUTER_NAME_FIXED = 0,
    ROUTER_NAME_BODY_FORMAT,
    ROUTER_NAME_ACCEPT_FORMAT,
} router_name_kind_t;

/** A route's resource name (API.md §2.2, §3.3): what access lists and rate-limit costs name. */
typedef struct router_route_name {
    const char *method;
    const char *path; /* the route's template, as in its table */
    const char *name; /* "api.v3.topics.list"; for a format kind, the stem before the format */
    router_name_kind_t kind;
} router_route_name_t;

/** Finds a route's resource name (router/route_names.c; a linear search: call at start-up).
 * @return the entry (static), or NULL for a route Confluent has no name for (krest's own
 *         operational endpoints, the Schema Registry's listener). */
const router_route_name_t *router_route_name_find(const router_route_t *route);

#endif
