/* api/api.c -- request/response helpers shared by every handler, and the one function that
 * writes error bodies. Threads: HTTP threads. */
#include "api/api.h"

#include "format/jsonw.h"
#include "kafka/principals.h"
#include "util/mem.h"
#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Responses larger than this are a bug, not a client's doing: limit them generously. */

void api_req_init(api_req_t *req)
{
    kr_buf_init(&req->resp, API_MAX_RESPONSE);
    req->status = 0;
    req->location = NULL;
    req->_kafka_principal = NULL;
}

void api_req_deinit(api_req_t *req)
{
    kr_buf_deinit(&req->resp);
    xfree(req->location);
    req->location = NULL;
    if (req->async.arg && req->async.arg_free)
        req->async.arg_free(req->async.arg);
    req->async.arg = NULL;
    if (req->more.arg && req->more.arg_free)
        req->more.arg_free(req->more.arg);
    req->more.arg = NULL;
    kafka_principal_release(req->_kafka_principal);
    req->_kafka_principal = NULL;
}

kafka_md_cache_t *api_md_cache(const api_ctx_t *ctx, const char *topic)
{
    return !topic && ctx->md_user ? ctx->md_user : ctx->md;
}

api_status_t api_reply(api_req_t *req, int status)
{
    req->status = status;
    return API_DONE;
}

void api_reply_location(api_req_t *req, const char *url)
{
    xfree(req->location);
    req->location = xstrdup(url);
}

static api_status_t reply_error_msg(api_req_t *req, int code, const char *msg)
{
    xfree(req->location);
    req->location = NULL;
    if (req->more.arg && req->more.arg_free)
        req->more.arg_free(req->more.arg); /* an error is all of the body */
    req->more.arg = NULL;
    req->more.start = NULL;
    kr_buf_reset(&req->resp);
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &req->resp);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "error_code");
    fmt_jsonw_int(&w, code);
    fmt_jsonw_key(&w, "message");
    fmt_jsonw_str(&w, msg && *msg ? msg : kr_err_default_message(code));
    fmt_jsonw_obj_end(&w);
    return api_reply(req, kr_err_http_status(code));
}

api_status_t api_reply_error(api_req_t *req, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return reply_error_msg(req, code, msg);
}

api_status_t api_reply_err(api_req_t *req, const kr_err_t *err)
{
    int code = err->code ? err->code : KR_ERR_INTERNAL;
    return reply_error_msg(req, code, err->msg);
}

api_status_t api_reply_more(api_req_t *req, int status, api_more_fn start, void *arg,
                            void (*arg_free)(void *arg))
{
    req->more.start = start;
    req->more.arg = arg;
    req->more.arg_free = arg_free;
    return api_reply(req, status);
}

api_status_t api_async(api_req_t *req, api_start_fn start, void *arg, void (*arg_free)(void *),
                       api_resume_fn resume, int64_t timeout_ms)
{
    req->async.start = start;
    req->async.arg = arg;
    req->async.arg_free = arg_free;
    req->async.resume = resume;
    req->async.timeout_ms = timeout_ms;
    return API_ASYNC;
}

const char *api_query(const api_req_t *req, const char *key)
{
    return req->ops && req->ops->query ? req->ops->query(req->conn, key) : NULL;
}

const char *api_header(const api_req_t *req, const char *name)
{
    return req->ops && req->ops->header ? req->ops->header(req->conn, name) : NULL;
}

int api_param_int32(const api_req_t *req, size_t idx, int32_t *out)
{
    if (idx >= req->n_params)
        return -1;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(req->params[idx], &end, 10);
    if (errno || !end || *end || v < INT32_MIN || v > INT32_MAX)
        return -1;
    *out = (int32_t)v;
    return 0;
}
