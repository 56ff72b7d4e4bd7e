/* api/openapi.h -- GET /openapi.json and /openapi: the OpenAPI 3.0 document of what a
 * listener serves (the REST Proxy's: v1/v2 and v3; the Schema Registry's: its own). The
 * documents are made at build time by scripts/openapi-bundle from the YAML files of docs/openapi
 * into a generated C source (CMakeLists.txt), never copied by hand. May use: util/. Threads:
 * handlers on HTTP threads; the documents are read-only data. */
#ifndef KR_API_OPENAPI_H
#define KR_API_OPENAPI_H

#include "api/api.h"

#include <stddef.h>

/** The REST Proxy's document, compact JSON (not NUL-terminated); generated. */
extern const unsigned char api_openapi_rest[];
extern const size_t api_openapi_rest_len;
/** The Schema Registry listener's document, compact JSON (not NUL-terminated); generated. */
extern const unsigned char api_openapi_registry[];
extern const size_t api_openapi_registry_len;

/** GET /openapi.json and /openapi on the REST Proxy's listeners: 200, application/json. */
api_status_t api_openapi_rest_get(api_req_t *req);
/** GET /openapi.json and /openapi on the Schema Registry's listener: 200, application/json. */
api_status_t api_openapi_registry_get(api_req_t *req);

#endif
