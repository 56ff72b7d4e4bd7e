/* router/sr_routes.c -- the built-in Schema Registry's route table (its own listener).
 * Threads: read-only data. */
#include "router/router.h"

#include "api/openapi.h"
#include "api/schema_registry.h"

static const neg_offer_t sr_offers[] = {
    {"application/vnd.schemaregistry.v1+json", 1.0f},
    {"application/vnd.schemaregistry+json", 0.9f},
    {"application/json", 0.5f},
};

/* GET /openapi.json, /openapi: the registry listener's own document, always JSON. */
static const neg_offer_t sr_openapi_offers[] = {{"application/json", 1.0f}};

#define SR(method, path, handler, body) ROUTE_API(method, path, handler, body, sr_offers, API_SR)
#define VERSION                         "/subjects/{subject}/versions/{version}"

const router_route_t router_sr_routes[] = {
    SR("GET", "/", api_sr_root, ROUTER_BODY_NONE),
    SR("POST", "/", api_sr_root, ROUTER_BODY_SR),
    ROUTE_API("GET", "/openapi.json", api_openapi_registry_get, ROUTER_BODY_NONE, sr_openapi_offers,
              API_SR),
    ROUTE_API("GET", "/openapi", api_openapi_registry_get, ROUTER_BODY_NONE, sr_openapi_offers,
              API_SR),
    SR("GET", "/schemas/types", api_sr_types, ROUTER_BODY_NONE),
    SR("GET", "/schemas/ids/{id:int}", api_sr_schema_by_id, ROUTER_BODY_NONE),
    SR("GET", "/schemas/ids/{id:int}/versions", api_sr_schema_versions, ROUTER_BODY_NONE),
    SR("GET", "/subjects", api_sr_subjects, ROUTER_BODY_NONE),
    SR("POST", "/subjects/{subject}", api_sr_lookup, ROUTER_BODY_SR),
    SR("DELETE", "/subjects/{subject}", api_sr_subject_delete, ROUTER_BODY_NONE),
    SR("GET", "/subjects/{subject}/versions", api_sr_versions, ROUTER_BODY_NONE),
    SR("POST", "/subjects/{subject}/versions", api_sr_register, ROUTER_BODY_SR),
    SR("GET", VERSION, api_sr_version_get, ROUTER_BODY_NONE),
    SR("DELETE", VERSION, api_sr_version_delete, ROUTER_BODY_NONE),
    SR("GET", VERSION "/schema", api_sr_version_schema, ROUTER_BODY_NONE),
    SR("GET", "/config", api_sr_config_get, ROUTER_BODY_NONE),
    SR("PUT", "/config", api_sr_config_put, ROUTER_BODY_SR),
    SR("DELETE", "/config", api_sr_config_delete, ROUTER_BODY_NONE),
    SR("GET", "/config/{subject}", api_sr_config_get, ROUTER_BODY_NONE),
    SR("PUT", "/config/{subject}", api_sr_config_put, ROUTER_BODY_SR),
    SR("DELETE", "/config/{subject}", api_sr_config_delete, ROUTER_BODY_NONE),
    SR("POST",
       "/compatibility/subjects/{subject}"
       "/versions/{version}",
       api_sr_compatibility, ROUTER_BODY_SR),
    SR("GET", "/mode", api_sr_mode, ROUTER_BODY_NONE),
    /* issue 14: schema listings and modes */
    SR("GET", "/schemas", api_sr_schemas, ROUTER_BODY_NONE),
    SR("GET", "/schemas/ids/{id:int}/subjects", api_sr_schema_subjects, ROUTER_BODY_NONE),
    SR("GET", "/schemas/ids/{id:int}/schema", api_sr_schema_text, ROUTER_BODY_NONE),
    SR("GET", VERSION "/referencedby", api_sr_referenced_by, ROUTER_BODY_NONE),
    SR("PUT", "/mode", api_sr_mode_put, ROUTER_BODY_SR),
    SR("GET", "/mode/{subject}", api_sr_mode, ROUTER_BODY_NONE),
    SR("PUT", "/mode/{subject}", api_sr_mode_put, ROUTER_BODY_SR),
    SR("DELETE", "/mode/{subject}", api_sr_mode_delete, ROUTER_BODY_NONE),
};

const size_t router_sr_n_routes = sizeof(router_sr_routes) / sizeof(router_sr_routes[0]);
