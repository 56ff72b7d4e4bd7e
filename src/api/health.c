/* api/health.c -- liveness and readiness (see health.h). The kafka loop keeps the cluster's
 * state current (kafka/health.h); the registry's comes from its reader (schema/registry.h).
 * Threads: HTTP threads; every read here is a cached value. */
#include "api/health.h"

#include "kafka/health.h"
#include "schema/registry.h"
#include "util/buf.h"

api_status_t api_healthy(api_req_t *req)
{
    kr_buf_append(&req->resp, "{}", 2);
    return api_reply(req, 200);
}

/* Appends "<name> (<why>)" to the list of what is not ready. */
static void not_ready(kr_buf_t *list, const char *name, const char *why)
{
    kr_buf_printf(list, "%s%s (%s)", list->len ? ", " : "", name, why);
}

api_status_t api_ready(api_req_t *req)
{
    const api_ctx_t *ctx = req->ctx;
    kr_buf_t list;
    kr_buf_init(&list, 4096);
    kr_err_t why = {0};
    if (!ctx->health)
        not_ready(&list, "kafka", "not checked");
    else if (!kafka_health_ready(ctx->health, &why))
        not_ready(&list, "kafka", why.msg);
    if (*ctx->cfg->schema_registry_listeners) {
        if (!ctx->registry)
            not_ready(&list, "schema registry", "not started");
        else if (!sr_registry_is_ready(ctx->registry))
            not_ready(&list, "schema registry", "loading its topic");
    }
    if (list.len > 0) {
        api_reply_error(req, KR_ERR_NOT_READY, "not ready: %s", list.data);
        kr_buf_deinit(&list);
        return API_DONE;
    }
    kr_buf_deinit(&list);
    kr_buf_append(&req->resp, "{}", 2);
    return api_reply(req, 200);
}
