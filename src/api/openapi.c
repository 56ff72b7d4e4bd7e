/* api/openapi.c -- serves the generated OpenAPI documents (api/openapi.h).
 * Threads: HTTP threads; the documents are read-only. */
#include "api/openapi.h"

#include "util/buf.h"

static api_status_t reply_doc(api_req_t *req, const unsigned char *doc, size_t len)
{
    if (kr_buf_append(&req->resp, doc, len) != 0)
        return api_reply_error(req, KR_ERR_INTERNAL, "Internal Server Error");
    return api_reply(req, 200);
}

api_status_t api_openapi_rest_get(api_req_t *req)
{
    return reply_doc(req, api_openapi_rest, api_openapi_rest_len);
}

api_status_t api_openapi_registry_get(api_req_t *req)
{
    return reply_doc(req, api_openapi_registry, api_openapi_registry_len);
}
