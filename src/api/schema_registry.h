/* api/schema_registry.h -- the built-in Schema Registry's HTTP API (Confluent Schema Registry
 * 7.x shapes and codes; docs/schema-registry.md): schemas by id, subjects and versions,
 * register and look up, soft and permanent deletes, compatibility configs and checks, modes
 * (schema_registry_mode.c), schema listings (schema_registry_schemas.c).
 * Served on the registry's own listener (router/sr_routes.c). Handlers parse the request on the
 * HTTP thread and run the rest on the worker pool, where reads wait for the registry to have
 * read its topic and writes wait for Kafka.
 * May use: schema/, format/, config/, util/. Threads: HTTP threads and workers. */
#ifndef KR_API_SCHEMA_REGISTRY_H
#define KR_API_SCHEMA_REGISTRY_H

#include "api/api.h"

api_status_t api_sr_root(api_req_t *req);
api_status_t api_sr_types(api_req_t *req);
api_status_t api_sr_schema_by_id(api_req_t *req);
api_status_t api_sr_schema_versions(api_req_t *req);
api_status_t api_sr_subjects(api_req_t *req);
api_status_t api_sr_versions(api_req_t *req);
api_status_t api_sr_register(api_req_t *req);
api_status_t api_sr_version_get(api_req_t *req);
api_status_t api_sr_version_schema(api_req_t *req);
api_status_t api_sr_version_delete(api_req_t *req);
api_status_t api_sr_lookup(api_req_t *req);
api_status_t api_sr_subject_delete(api_req_t *req);
api_status_t api_sr_config_get(api_req_t *req);
api_status_t api_sr_config_put(api_req_t *req);
api_status_t api_sr_config_delete(api_req_t *req);
api_status_t api_sr_compatibility(api_req_t *req);
api_status_t api_sr_mode(api_req_t *req);
api_status_t api_sr_mode_put(api_req_t *req);
api_status_t api_sr_mode_delete(api_req_t *req);
api_status_t api_sr_schemas(api_req_t *req);
api_status_t api_sr_schema_subjects(api_req_t *req);
api_status_t api_sr_schema_text(api_req_t *req);
api_status_t api_sr_referenced_by(api_req_t *req);

#endif
