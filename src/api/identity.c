/* api/identity.c -- a request's Kafka identity (see identity.h).
 * Threads: dispatch and resume on HTTP threads; open_run on a worker. */
#include "api/identity.h"

#include "api/job.h"
#include "kafka/principals.h"
#include "util/mem.h"

#include <stdbool.h>
#include <string.h>

typedef struct open_job {
    api_job_t job;                /* first member (api/job.h) */
    char *name;                   /* owned */
    char *password;               /* owned; wiped when freed */
    kafka_principal_t *principal; /* the opened identity (a reference) */
} open_job_t;

void *api_identity_ctx_new(void *opaque, kafka_principal_t *p)
{
    const api_ctx_t *base = opaque;
    api_ctx_t *ctx = xmalloc(sizeof(*ctx));
    *ctx = *base;
    ctx->producer = kafka_principal_producer(p);
    ctx->admin = kafka_principal_admin_rk(p);
    ctx->kadmin = kafka_principal_kadmin(p);
    ctx->md_user = kafka_principal_md(p);
    ctx->principal = p;
    return ctx;
}

void api_identity_ctx_free(void *ext)
{
    xfree(ext);
}

const char *api_identity_name(const api_req_t *req)
{
    return req->ctx->principal ? kafka_principal_name(req->ctx->principal) : NULL;
}

/* Switches req to p's context; req takes over the reference. */
static void enter(api_req_t *req, kafka_principal_t *p)
{
    req->_kafka_principal = p;
    req->ctx = kafka_principal_ext(p);
}

static void open_free(api_job_t *arg)
{
    open_job_t *j = (open_job_t *)arg;
    kafka_principal_release(j->principal);
    xfree(j->name);
    explicit_bzero(j->password, strlen(j->password));
    xfree(j->password);
    xfree(j);
}

static void open_run(api_job_t *arg)
{
    open_job_t *j = (open_job_t *)arg;
    j->principal = kafka_principals_open(j->job.ctx->principals, j->name, j->password, &j->job.err);
    api_job_complete(&j->job);
}

static api_status_t opened(api_req_t *req, void *result, bool timed_out)
{
    open_job_t *j = result;
    if (timed_out || !j)
        return api_reply_error(req, KR_ERR_BROKER_NOT_AVAILABLE,
                               "Kafka brokers are not available: opening the Kafka identity of "
                               "user '%s' timed out",
                               req->principal.name);
    if (!j->principal) {
        api_status_t st = api_reply_err(req, &j->job.err);
        api_job_free(&j->job);
        return st;
    }
    enter(req, j->principal);
    j->principal = NULL;
    api_job_free(&j->job);
    return req->_handler(req);
}

/* The proxy's routes that reach Kafka: /topics, /brokers, /consumers (v1, v2) and /v3/. The
 * others (/, /healthy, /ready, /metrics, /openapi, the built-in registry's listener) never
 * open a user's identity. */
static bool reaches_kafka(const api_req_t *req)
{
    static const char *const prefixes[] = {"/topics", "/brokers", "/consumers", "/v3/"};
    if (req->version == API_SR || !req->path)
        return false;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (strncmp(req->path, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

/* Whether req works as a user's own Kafka identity (not yet entered). */
static bool wants_identity(const api_req_t *req)
{
    return req->ctx->principals && !req->ctx->principal && req->principal.kind == API_AUTH_BASIC &&
           req->principal.name && req->principal.password && reaches_kafka(req);
}

bool api_identity_enter_now(api_req_t *req)
{
    if (!wants_identity(req))
        return true;
    kafka_principal_t *p =
        kafka_principals_find(req->ctx->principals, req->principal.name, req->principal.password);
    if (p)
        enter(req, p);
    return p != NULL;
}

api_status_t api_identity_dispatch(api_req_t *req, api_handler_fn handler)
{
    const api_ctx_t *ctx = req->ctx;
    if (api_identity_enter_now(req))
        return handler(req);
    open_job_t *j = xcalloc(1, sizeof(*j));
    j->job.ctx = ctx;
    j->job.free_fn = open_free;
    /* creating the handles and one Metadata round trip, within client.timeout.ms */
    j->job.timeout_ms = ctx->cfg->client_timeout_ms + 5000;
    j->name = xstrdup(req->principal.name);
    j->password = xstrdup(req->principal.password);
    req->_handler = handler;
    return api_job_run(req, &j->job, open_run, opened);
}
