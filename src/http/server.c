/* http/server.c -- libmicrohttpd daemons and the life of a request (see server.h).
 *
 * DESIGN. MHD calls on_request() several times per request: first with the headers (we route,
 * check limits and negotiate, and may answer an error at once, before any body is read), then
 * once per body chunk (appended to a buffer bounded by krest.max.request.size), then once more
 * with no data (we run the handler). A handler that must wait returns API_ASYNC: we open a
 * pending slot with the request's deadline, suspend the connection, and only then start the
 * work, so a completion can never race ahead of the suspension. The completion (or the
 * deadline) wakes us through MHD_resume_connection(); MHD calls on_request() again and the
 * handler's resume function writes the response. on_completed() writes the access log line
 * and frees the request.
 * Threads: MHD's pool threads; wake() from any thread. */
#include "http/server.h"

#include "api/forward.h"
#include "api/identity.h"
#include "api/job.h"
#include "http/access_log.h"
#include "http/admission.h"
#include "http/auth.h"
#include "http/conn_ops.h"
#include "http/cors.h"
#include "http/daemon_opts.h"
#include "http/duplex.h"
#include "http/framing.h"
#include "http/encode.h"
#include "http/piped.h"
#include "http/inflate.h"
#include "http/header_deadline.h"
#include "http/metrics.h"
#include "http/path.h"
#include "http/request_id.h"
#include "http/response.h"
#include "http/tls.h"
#include "router/router.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* Bytes of an oversized body we read and drop so that the client can see the 413; past this
 * the connection is closed instead. */
#define DISCARD_MAX ((size_t)16 << 20)

/* The body buffer is sized once from Content-Length up to this (a produce request of 100
 * records of 1 KiB grew through ten reallocations); a larger body grows from there. */
#define BODY_PRESIZE_MAX ((size_t)4 << 20)

/* What a listener serves: the REST Proxy's routes (and v3's below /v3) or the Schema
 * Registry's. */
typedef struct http_site {
    http_server_t *srv;
    const router_route_t *routes;
    size_t n_routes;
    bool serves_v3;
} http_site_t;

struct http_server {
    const api_ctx_t *ctx; /* borrowed */
    http_site_t proxy, registry;
    http_site_t metrics; /* krest.metrics.listener: GET /metrics only */
    struct MHD_Daemon **daemons;
    size_t n_daemons;
    atomic_long active;    /* requests whose handler ran and that are not yet completed */
    atomic_bool stopping;  /* draining: new requests get 503, connections close */
    atomic_bool expiring;  /* past shutdown.graceful.ms: a complete body is answered 503 */
    atomic_long holding;   /* requests in on_request() or suspended by it (req.suspended) */
    atomic_llong buffered; /* bytes of request bodies reserved (krest.max.buffered.bytes) */
    http_cors_t *cors;     /* NULL: CORS off */
    http_admission_t *adm;
    http_tls_t *tls;             /* made with the first https listener (http/tls.h); NULL: none */
    http_auth_t *auth;           /* authentication.method (does nothing for NONE) */
    http_encode_cfg_t enc;       /* response compression (http/encode.h) */
    http_header_deadline_t *hdl; /* krest.http.header.timeout.ms; NULL: off */
};

/* ST_DELAYED: held for rate-limit permits reserved ahead (rate.limit.timeout.ms).
 * ST_ENCODING: the response is being compressed on the worker pool (http/encode.h). */
enum req_state { ST_HEADERS, ST_DELAYED, ST_BODY, ST_WAITING, ST_ENCODING, ST_ANSWERED };

typedef struct http_req {
    api_req_t api;
    http_server_t *srv;
    const http_site_t *site;
    struct MHD_Connection *conn;
    router_match_t match;
    kr_buf_t body;
    enum req_state state;
    bool too_large;   /* the body passed the limit: answer 413 when it ends */
    bool too_busy;    /* krest.max.buffered.bytes reached mid-body: answer 503 when it ends */
    size_t reserved;  /* bytes of srv->buffered this request holds */
    bool in_flight;   /* counted in srv->active */
    bool suspended;   /* by on_request() (counted in srv->holding until it is called again) */
    size_t discarded; /* bytes of body dropped after too_large */
    kr_handle_t pending;
    int64_t start_us;
    size_t bytes_out;
    char *method;
    char *path;
    char request_id[HTTP_REQUEST_ID_MAX + 1]; /* X-Request-ID (http/request_id.h) */
    http_headers_t hdrs;                      /* added to the response (CORS) */
    bool preflight;         /* a CORS preflight: 204 with hdrs once its (empty) body is read */
    bool must_close;        /* answer with Connection: close (a framing error) */
    http_auth_cred_t *cred; /* Basic credentials; api.principal points into them */
    bool duplex_wanted;     /* served in full duplex (http/duplex.h) */
    http_duplex_t *duplex;  /* once its body started */
    http_encode_t enc;
    kr_pipe_t *pipe; /* a streamed body (http/piped.h): for the bytes sent */
} http_req_t;

static http_req_t *req_new(const http_site_t *site, struct MHD_Connection *conn, const char *url,
                           const char *method)
{
    http_server_t *srv = site->srv;
    http_req_t *r = xcalloc(1, sizeof(*r));
    r->srv = srv;
    r->site = site;
    r->conn = conn;
    r->start_us = kr_clock_mono_us();
    r->method = xstrdup(method);
    r->path = xstrdup(url);
    kr_buf_init(&r->body, (size_t)srv->ctx->cfg->max_request_size);
    api_req_init(&r->api);
    r->api.ctx = srv->ctx;
    r->api.method = r->method;
    r->api.path = r->path;
    r->api.start_ms = r->start_us / 1000;
    r->api.conn = conn;
    r->api.ops = &http_conn_ops;
    r->api.resp_type = "application/json";
    http_request_id_take(http_conn_ops.header(conn, HTTP_REQUEST_ID_HEADER), r->request_id);
    r->api.request_id = r->request_id;
    r->api.scheme = http_tls_is_tls(conn) ? "https" : "http";
    const char *cert_principal = http_tls_principal(conn); /* Basic, when set later, wins */
    if (cert_principal)
        r->api.principal = (api_principal_t){API_AUTH_MTLS, cert_principal, NULL};
    return r;
}

/* Reserves n more bytes of the global body budget for r.
 * @return 0, or -1 when the budget would be exceeded (nothing reserved). */
static int reserve_body(http_req_t *r, size_t n)
{
    long long cap = (long long)r->srv->ctx->cfg->max_buffered_bytes;
    long long now = atomic_fetch_add(&r->srv->buffered, (long long)n) + (long long)n;
    if (now > cap) {
        atomic_fetch_sub(&r->srv->buffered, (long long)n);
        return -1;
    }
    r->reserved += n;
    return 0;
}

static void release_body(http_req_t *r)
{
    atomic_fetch_sub(&r->srv->buffered, (long long)r->reserved);
    r->reserved = 0;
}

static int busy_error(http_req_t *r, kr_err_t *err)
{
    return kr_err_set(err, KR_ERR_BUSY,
                      "krest buffers %lld bytes of request bodies at most and is full; retry",
                      (long long)r->srv->ctx->cfg->max_buffered_bytes);
}

static void req_free(http_req_t *r)
{
    if (r->state == ST_ENCODING)
        http_encode_finish(&r->enc, &r->api, r->pending); /* the daemon stops: drop it */
    else if (r->state == ST_WAITING || r->state == ST_DELAYED) {
        bool timed_out;
        void *res = kr_pending_take(r->pending, &timed_out);
        (void)res; /* only possible when the daemon stops; the slot was abandoned */
    }
    http_duplex_close(r->duplex);
    api_req_deinit(&r->api);
    http_auth_cred_free(r->cred);
    router_match_free(&r->match);
    kr_buf_deinit(&r->body);
    release_body(r);
    if (r->in_flight)
        atomic_fetch_sub(&r->srv->active, 1);
    if (r->suspended)
        atomic_fetch_sub(&r->srv->holding, 1);
    http_encode_deinit(&r->enc);
    kr_pipe_unref(r->pipe);
    xfree(r->method);
    xfree(r->path);
    xfree(r);
}

/* Suspends r's connection; it stays counted in srv->holding until MHD calls on_request() for
 * it again (or frees it), so the shutdown never stops the daemons under it. */
static void suspend(http_req_t *r)
{
    r->suspended = true;
    MHD_suspend_connection(r->conn);
}

static void wake(void *owner)
{
    http_req_t *r = owner;
    MHD_resume_connection(r->conn);
}

/* Sends the response, compressed as r->enc decides; a large body worth compressing goes to
 * the worker pool first (suspended until it is done, then step() comes back here). A body that
 * goes on (api_reply_more) streams. */
static enum MHD_Result respond(http_req_t *r)
{
    if (!r->api.more.start && http_encode_prepare(&r->enc, &r->srv->enc, &r->api)) {
        r->state = ST_ENCODING;
        r->pending = kr_pending_open(r, wake, kr_clock_mono_ms() + HTTP_ENCODE_TIMEOUT_MS);
        suspend(r);
        http_encode_start(&r->enc, &r->srv->enc, r->srv->ctx->workq, &r->api, r->pending);
        return MHD_YES;
    }
    r->state = ST_ANSWERED;
    bool close = r->must_close || atomic_load(&r->srv->stopping);
    if (r->api.more.start)
        return http_piped_respond(r->conn, &r->api, &r->enc, &r->srv->enc, &r->srv->holding,
                                  &r->srv->expiring, close, &r->hdrs, &r->pipe);
    return http_response_queue(r->conn, &r->api, &r->enc, close, &r->hdrs, &r->bytes_out);
}

static enum MHD_Result respond_error(http_req_t *r, const kr_err_t *err)
{
    api_reply_err(&r->api, err);
    return respond(r);
}

/* Acts on what a handler returned: respond, or suspend and start its async work. */
static enum MHD_Result after_handler(http_req_t *r, api_status_t st)
{
    if (st == API_DONE)
        return respond(r);
    r->state = ST_WAITING;
    int64_t deadline = kr_clock_mono_ms() + r->api.async.timeout_ms;
    r->pending = kr_pending_open(r, wake, deadline);
    suspend(r);
    void *arg = r->api.async.arg;
    r->api.async.arg = NULL; /* start() owns it now */
    r->api.async.start(arg, r->pending);
    return MHD_YES;
}

static enum MHD_Result resume(http_req_t *r)
{
    bool timed_out = false;
    void *result = kr_pending_take(r->pending, &timed_out);
    r->state = ST_BODY;
    return after_handler(r, r->api.async.resume(&r->api, result, timed_out));
}

/* GET /healthy on a proxy listener: answered even while krest drains (docs/operations.md). */
static bool is_liveness_probe(const http_req_t *r)
{
    return r->site == &r->srv->proxy && strcmp(r->path, "/healthy") == 0 &&
           (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0);
}

/* Access lists and rate limits, once the request is routed and negotiated: refuse, go on to
 * the body, or hold the request (suspended, no thread blocked) until its reserved permits are
 * due; the pending slot's deadline wakes it and on_request() goes on (ST_DELAYED). */
static enum MHD_Result admit(http_req_t *r)
{
    kr_err_t err = {0};
    int64_t wait_ms = 0;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *client = ci ? ci->client_addr : NULL;
    if (http_admission_check(r->srv->adm, r->match.route, &r->api, client, &wait_ms, &err) != 0)
        return respond_error(r, &err);
    r->state = ST_BODY;
    if (wait_ms == 0)
        return MHD_YES;
    r->state = ST_DELAYED;
    r->pending = kr_pending_open(r, wake, kr_clock_mono_ms() + wait_ms);
    suspend(r);
    return MHD_YES;
}

/* First call: headers only. Checks framing and limits, routes and negotiates; may answer at
 * once (MHD then reads no body and closes the connection). */
static enum MHD_Result begin(http_req_t *r, const char *version)
{
    const krest_config_t *cfg = r->srv->ctx->cfg;
    kr_err_t err = {0};
    if (http_framing_check(r->conn, version, &err) != 0) {
        r->must_close = true;
        return respond_error(r, &err);
    }
    bool preflight = http_cors_handle(r->srv->cors, r->conn, r->method, &r->hdrs);
    /* A request another instance forwarded carries no credentials but a signed principal:
     * api_forward_intercept() verifies it (403 when it does not hold) before any handler; so
     * only requests that reach run_handler() (never a preflight, never a full duplex) skip. */
    bool forwarded = !preflight && cfg->cluster_enable && r->site == &r->srv->proxy &&
                     MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, API_FORWARD_HEADER);
    if (!forwarded && http_auth_check(r->srv->auth, r->conn, r->method, r->path, &r->cred,
                                      &r->api.principal, &r->hdrs, &err) != 0)
        return respond_error(r, &err); /* before routing, as Jetty's security handler */
    if (preflight) {
        r->preflight = true; /* answered in run_handler(), so the connection stays open */
        r->state = ST_BODY;
        return MHD_YES;
    }
    if (atomic_load(&r->srv->stopping) && !is_liveness_probe(r)) {
        /* A new request on a kept-alive connection while we drain: not ours to start. */
        kr_err_set(&err, KR_ERR_SHUTTING_DOWN, "krest is shutting down; retry on another instance");
        return respond_error(r, &err);
    }
    size_t header_bytes = http_framing_header_bytes(r->conn, r->method, r->path);
    if ((int64_t)header_bytes > cfg->max_request_header_size) {
        kr_err_set(&err, KR_ERR_HEADER_TOO_LARGE, "Request header fields too large: %zu bytes",
                   header_bytes);
        return respond_error(r, &err);
    }
    const char *cl =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > (unsigned long long)cfg->max_request_size) {
        kr_err_set(&err, KR_ERR_TOO_LARGE, "Request body of %s bytes exceeds the limit of %lld", cl,
                   (long long)cfg->max_request_size);
        return respond_error(r, &err);
    }
    http_path_merge_slashes(r->path); /* "/a//b" is "/a/b" (section K proposals) */
    const router_route_t *routes = r->site->routes;
    size_t n_routes = r->site->n_routes;
    if (r->site->serves_v3 && router_is_v3_path(r->path)) {
        routes = router_v3_routes;
        n_routes = cfg->api_v3_enable ? router_v3_n_routes : 0; /* off: every /v3 path is 404 */
    }
    if (router_match(routes, n_routes, r->method, r->path, &r->match, &err) != 0 ||
        http_admission_route(r->srv->adm, r->match.route, &err) != 0)
        return respond_error(r, &err);
    if (cl) {
        unsigned long long want = strtoull(cl, NULL, 10);
        if (reserve_body(r, (size_t)want) != 0) {
            busy_error(r, &err);
            return respond_error(r, &err);
        }
        kr_buf_reserve(&r->body, want < BODY_PRESIZE_MAX ? (size_t)want : BODY_PRESIZE_MAX);
    }
    const char *accept = http_conn_ops.header(r->conn, MHD_HTTP_HEADER_ACCEPT);
    const char *ctype = http_conn_ops.header(r->conn, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (router_negotiate(r->match.route, accept, ctype, http_framing_has_body(r->conn), &r->api,
                         &err) != 0 ||
        http_encode_negotiate(&r->enc, &r->srv->enc,
                              http_conn_ops.header(r->conn, MHD_HTTP_HEADER_ACCEPT_ENCODING),
                              &err) != 0)
        return respond_error(r, &err);
    memcpy(r->api.params, r->match.params, sizeof(r->api.params));
    r->api.compresses = http_encode_compresses;
    r->api.compresses_arg = &r->enc;
    r->api.n_params = r->match.n_params;
    /* full duplex only as the user's Kafka identity once open (else answered at the end);
     * over TLS only when asked for (libmicrohttpd may write on the session too: docs/v3.md) */
    r->duplex_wanted = !forwarded && http_duplex_wanted(r->match.route, r->conn, version) &&
                       (cfg->v3_stream_tls_duplex || !http_tls_is_tls(r->conn)) &&
                       api_identity_enter_now(&r->api);
    return admit(r);
}

/* A body chunk: keep it, or drop it once the body is known to be too large or the global
 * budget is spent (a chunked body reserves as it grows; one with Content-Length reserved it
 * all in begin()). */
static enum MHD_Result body_chunk(http_req_t *r, const char *data, size_t *size)
{
    size_t n = *size;
    *size = 0;
    if (r->state != ST_BODY)
        return MHD_YES; /* answered early: MHD drops the rest */
    bool dropping = r->too_large || r->too_busy;
    size_t need = r->body.len + n > r->reserved ? r->body.len + n - r->reserved : 0;
    if (!dropping && need > 0 && reserve_body(r, need) != 0)
        r->too_busy = dropping = true;
    if (!dropping && kr_buf_append(&r->body, data, n) == 0)
        return MHD_YES;
    r->too_large = !r->too_busy;
    kr_buf_deinit(&r->body);
    release_body(r);
    r->discarded += n;
    return r->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
}

static enum MHD_Result run_handler(http_req_t *r)
{
    kr_err_t err = {0};
    if (r->preflight) {
        r->api.status = 204; /* a CORS preflight, for every path: no route runs */
        return respond(r);
    }
    if (r->too_busy) {
        busy_error(r, &err);
        return respond_error(r, &err);
    }
    if (r->too_large) {
        kr_err_set(&err, KR_ERR_TOO_LARGE, "Request body exceeds the limit of %lld bytes",
                   (long long)r->srv->ctx->cfg->max_request_size);
        return respond_error(r, &err);
    }
    if (atomic_load(&r->srv->expiring)) { /* the daemons stop soon: nothing may suspend */
        kr_err_set(&err, KR_ERR_SHUTTING_DOWN, "krest is shutting down; retry on another instance");
        return respond_error(r, &err);
    }
    const char *ce = http_conn_ops.header(r->conn, MHD_HTTP_HEADER_CONTENT_ENCODING);
    if (http_inflate_body(ce, &r->body, &err) != 0) /* within krest.max.request.size */
        return respond_error(r, &err);
    if (r->body.len > r->reserved && reserve_body(r, r->body.len - r->reserved) != 0) {
        busy_error(r, &err); /* an inflated body counts with its inflated size */
        return respond_error(r, &err);
    }
    /* In flight from here: a request still receiving its body has done nothing yet, and a
     * client that went away mid-body (which MHD may notice only at the idle timeout) must not
     * hold the shutdown. */
    r->in_flight = true;
    atomic_fetch_add(&r->srv->active, 1);
    r->api.body = r->body.data;
    r->api.body_len = r->body.len;
    api_status_t st;
    if (r->site == &r->srv->proxy && api_forward_intercept(&r->api, r->match.route->path, &st))
        return after_handler(r, st); /* many instances: checked or forwarded (api/forward.h) */
    return after_handler(r, api_identity_dispatch(&r->api, r->match.route->handler));
}

/* A full-duplex request (http/duplex.h): counted in flight from its first call. */
static enum MHD_Result duplex_step(http_req_t *r, const char *upload_data, size_t *upload_size)
{
    if (!r->duplex) {
        r->in_flight = true;
        atomic_fetch_add(&r->srv->active, 1);
        r->duplex = http_duplex_open(r->conn, r->match.route, &r->api, r->request_id,
                                     r->srv->ctx->cfg->idle_timeout_ms);
    }
    return http_duplex_step(r->duplex, upload_data, upload_size);
}

/* One of MHD's calls for r after the first. */
static enum MHD_Result step(http_req_t *r, const char *upload_data, size_t *upload_size)
{
    if (r->state == ST_DELAYED) {
        bool timed_out;
        (void)kr_pending_take(r->pending, &timed_out); /* the permits are due */
        r->state = ST_BODY;
    }
    if (r->duplex_wanted && (r->state == ST_BODY || r->duplex))
        return duplex_step(r, upload_data, upload_size);
    if (*upload_size)
        return body_chunk(r, upload_data, upload_size);
    switch (r->state) {
    case ST_BODY:
        return run_handler(r);
    case ST_WAITING:
        return resume(r);
    case ST_ENCODING:
        http_encode_finish(&r->enc, &r->api, r->pending);
        return respond(r);
    default:
        return MHD_YES; /* answered already */
    }
}

/* Every log line written while this thread runs r's code carries r's request id. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    http_req_t *r = *con_cls;
    enum MHD_Result rc;
    if (!r) {
        r = req_new(cls, conn, url, method);
        *con_cls = r;
        atomic_fetch_add(&r->srv->holding, 1);
        http_header_deadline_headers_in(r->srv->hdl, conn);
        kr_log_set_request_id(r->request_id);
        rc = begin(r, version);
    } else {
        if (r->suspended)
            r->suspended = false; /* still counted in holding: by this call now */
        else
            atomic_fetch_add(&r->srv->holding, 1);
        kr_log_set_request_id(r->request_id);
        rc = step(r, upload_data, upload_size);
    }
    kr_log_set_request_id(NULL);
    if (!r->suspended)
        atomic_fetch_sub(&r->srv->holding, 1);
    return rc;
}

static void access_log(const http_req_t *r, enum MHD_RequestTerminationCode toe)
{
    http_access_t a = {
        .conn = r->conn,
        .request_id = r->request_id,
        .method = r->method,
        .path = r->path,
        .status = r->api.status,
        .bytes = r->bytes_out,
        .duration_ms = (double)(kr_clock_mono_us() - r->start_us) / 1000.0,
        .aborted = toe != MHD_REQUEST_TERMINATED_COMPLETED_OK &&
                   !(r->duplex && http_duplex_completed(r->duplex)),
        .user = r->api.principal.name,
    };
    kr_log_set_request_id(r->request_id);
    http_access_log(r->srv->ctx->cfg, &a);
    kr_log_set_request_id(NULL);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    http_req_t *r = *con_cls;
    if (!r)
        return;
    http_header_deadline_request_done(r->srv->hdl, conn);
    size_t bytes_in = r->body.len + r->discarded;
    if (r->duplex) /* full duplex: the stream counted both ways */
        http_duplex_bytes(r->duplex, &bytes_in, &r->bytes_out);
    if (r->pipe)
        r->bytes_out = kr_pipe_written(r->pipe);
    access_log(r, toe);
    http_metrics_request(r->match.route, r->method, r->api.status, bytes_in, r->bytes_out,
                         r->start_us);
    req_free(r);
    *con_cls = NULL;
}

/* MHD_OPTION_NOTIFY_CONNECTION of http and https listeners (cls: the server). */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    http_server_t *srv = cls;
    http_metrics_connection(NULL, conn, socket_context, toe);
    http_header_deadline_notify(srv->hdl, conn, toe);
}

static void on_tls_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
    http_server_t *srv = cls;
    http_tls_on_connection(srv->tls, conn, socket_context, toe);
    http_header_deadline_notify(srv->hdl, conn, toe);
}

static struct MHD_Daemon *start_daemon(http_site_t *site, const config_listener_t *l, kr_err_t *err)
{
    const krest_config_t *cfg = site->srv->ctx->cfg;
    bool https = strcmp(l->scheme, "https") == 0;
    struct MHD_OptionItem tls_opts[HTTP_TLS_MHD_OPTIONS] = {{MHD_OPTION_END, 0, NULL}};
    if (https && !site->srv->tls && !(site->srv->tls = http_tls_new(cfg, err)))
        return NULL;
    if (https)
        http_tls_mhd_options(site->srv->tls, tls_opts);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char port[8];
    snprintf(port, sizeof(port), "%d", l->port);
    int gai = getaddrinfo(l->host, port, &hints, &ai);
    if (gai != 0) {
        kr_err_set(err, KR_ERR_UNPROCESSABLE, "listener host '%s': %s", l->host, gai_strerror(gai));
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (https)
        flags |= MHD_USE_TLS;
    unsigned idle_s = (unsigned)((cfg->idle_timeout_ms + 999) / 1000);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)l->port, NULL, NULL, on_request, site, MHD_OPTION_EXTERNAL_LOGGER,
        http_daemon_log, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE,
        http_daemon_threads(cfg), MHD_OPTION_CONNECTION_TIMEOUT, idle_s,
        MHD_OPTION_CONNECTION_LIMIT, http_daemon_connection_limit(cfg),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, http_daemon_conn_memory(cfg),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->connection_limit_per_ip,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, site->srv, MHD_OPTION_UNESCAPE_CALLBACK,
        http_daemon_unescape, NULL, MHD_OPTION_NOTIFY_CONNECTION,
        https ? on_tls_connection : on_connection, site->srv, MHD_OPTION_ARRAY, tls_opts,
        MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!d)
        kr_err_set(err, KR_ERR_INTERNAL, "cannot listen on %s://%s:%d: %s", l->scheme, l->host,
                   l->port, errno ? strerror(errno) : "libmicrohttpd failed to start");
    return d;
}

/* The built-in Schema Registry's listeners: one that cannot bind is a warning (section K), so
 * a second krest on the machine still starts. */
static void start_registry(http_server_t *srv)
{
    const krest_config_t *cfg = srv->ctx->cfg;
    char *urls = xstrdup(cfg->schema_registry_listeners);
    char *save = NULL;
    for (char *u = strtok_r(urls, ",", &save); u; u = strtok_r(NULL, ",", &save)) {
        while (*u == ' ')
            u++;
        config_listener_t l = {0};
        kr_err_t err = {0};
        struct MHD_Daemon *d = NULL;
        errno = 0;
        if (config_parse_listener(u, &l, &err) == 0)
            d = start_daemon(&srv->registry, &l, &err);
        if (d) {
            srv->daemons[srv->n_daemons++] = d;
            log_info("schema registry listening on %s", u);
        } else {
            log_warn("schema registry listener '%s' not started: %s", u, err.msg);
        }
        config_listener_deinit(&l);
    }
    xfree(urls);
}

/* krest.metrics.listener's listeners: GET /metrics only. One that cannot bind stops the
 * start-up, as a main listener does (the operator asked for it). */
static int start_metrics(http_server_t *srv, kr_err_t *err)
{
    char *urls = xstrdup(srv->ctx->cfg->metrics_listener);
    char *save = NULL;
    int rc = 0;
    for (char *u = strtok_r(urls, ",", &save); u && rc == 0; u = strtok_r(NULL, ",", &save)) {
        while (*u == ' ')
            u++;
        config_listener_t l = {0};
        struct MHD_Daemon *d = NULL;
        errno = 0;
        if (config_parse_listener(u, &l, err) == 0)
            d = start_daemon(&srv->metrics, &l, err);
        if (d) {
            srv->daemons[srv->n_daemons++] = d;
            log_info("metrics listening on %s", u);
        }
        rc = d ? 0 : -1;
        config_listener_deinit(&l);
    }
    xfree(urls);
    return rc;
}

static size_t count_urls(const char *s)
{
    size_t n = 1;
    for (; *s; s++)
        n += *s == ',';
    return n;
}

http_server_t *http_server_start(const api_ctx_t *ctx, kr_err_t *err)
{
    http_server_t *srv = xcalloc(1, sizeof(*srv));
    srv->ctx = ctx;
    srv->proxy = (http_site_t){srv, router_routes, router_n_routes, true};
    srv->registry = (http_site_t){srv, router_sr_routes, router_sr_n_routes, false};
    srv->metrics = (http_site_t){srv, router_metrics_routes, router_metrics_n_routes, false};
    http_metrics_init();
    atomic_init(&srv->active, 0);
    atomic_init(&srv->stopping, false);
    atomic_init(&srv->expiring, false);
    atomic_init(&srv->holding, 0);
    atomic_init(&srv->buffered, 0);
    srv->cors = http_cors_new(ctx->cfg);
    srv->adm = http_admission_new(ctx->cfg, err);
    srv->auth = srv->adm ? http_auth_new(ctx->cfg, err) : NULL;
    srv->hdl =
        http_header_deadline_new(ctx->cfg->http_header_timeout_ms, ctx->cfg->idle_timeout_ms);
    if (!srv->auth || http_encode_cfg_init(&srv->enc, ctx->cfg, err) != 0) {
        http_server_free(srv);
        return NULL;
    }
    const char *sr = ctx->registry ? ctx->cfg->schema_registry_listeners : "";
    size_t n_extra = count_urls(sr) + count_urls(ctx->cfg->metrics_listener);
    srv->daemons = xcalloc(ctx->cfg->n_listeners + n_extra, sizeof(struct MHD_Daemon *));
    for (size_t i = 0; i < ctx->cfg->n_listeners; i++) {
        errno = 0;
        struct MHD_Daemon *d = start_daemon(&srv->proxy, &ctx->cfg->listeners[i], err);
        if (!d) {
            http_server_shutdown(srv, 0);
            http_server_free(srv);
            return NULL;
        }
        srv->daemons[srv->n_daemons++] = d;
    }
    if (*sr)
        start_registry(srv);
    if (*ctx->cfg->metrics_listener && start_metrics(srv, err) != 0) {
        http_server_shutdown(srv, 0);
        http_server_free(srv);
        return NULL;
    }
    return srv;
}

static void sleep_ms(int ms)
{
    usleep((useconds_t)ms * 1000);
}

/* No MHD_quiesce_daemon(): in libmicrohttpd 0.9.75 it races with a pool thread that removes
 * the listening socket from its own epoll set at the same moment, and then aborts the process
 * ("Failed to remove listen FD from epoll set", seen in a `make test` run on a SIGTERM right
 * after a request).
 * The listeners stay open until the daemons stop; every request that arrives meanwhile, on a
 * new connection or a kept-alive one, is answered 503 and its connection closed (begin()). */
void http_server_shutdown(http_server_t *srv, int64_t graceful_ms)
{
    atomic_store(&srv->stopping, true);
    int64_t deadline = kr_clock_mono_ms() + graceful_ms;
    http_duplex_drain_begin(); /* open streams take no more records and end once answered */
    while (atomic_load(&srv->active) > 0 && kr_clock_mono_ms() < deadline) {
        http_duplex_drain_step(false);
        sleep_ms(10);
    }
    /* streams still waiting for outcomes: 50003 for those, then closed */
    for (int64_t hard = kr_clock_mono_ms() + 1000;
         http_duplex_drain_step(true) > 0 && kr_clock_mono_ms() < hard;)
        sleep_ms(10);
    /* Whatever still waits is answered now (as timed out), so no connection stays suspended
     * when the daemons stop (MHD aborts the process then); requests that suspend meanwhile are
     * caught by the next round, until no request is in on_request() or suspended by it; a body
     * that completes from now on is answered 503 at once, and a streamed answer is cut where its
     * pipe runs dry (http/piped.h). */
    atomic_store(&srv->expiring, true);
    api_jobs_stop(); /* jobs settling their change stop fetching (api/job.h) */
    int64_t hard = kr_clock_mono_ms() + 2000;
    do {
        kr_pending_expire_all();
        http_piped_abort_all(); /* streamed answers: a suspended reader is resumed, cut */
        sleep_ms(10);
    } while ((kr_pending_count() > 0 || atomic_load(&srv->holding) > 0) &&
             kr_clock_mono_ms() < hard);
    if (atomic_load(&srv->holding) > 0)
        log_error("%ld request(s) still held when the listeners stop", (long)srv->holding);
    for (size_t i = 0; i < srv->n_daemons; i++)
        MHD_stop_daemon(srv->daemons[i]);
    srv->n_daemons = 0;
}

int http_server_reload(http_server_t *srv, kr_err_t *err)
{
    if (!srv)
        return 0;
    kr_err_t aerr = {0};
    (void)http_auth_reload(srv->auth, &aerr); /* logs its own failure; the users in force stay */
    return srv->tls ? http_tls_reload(srv->tls, err) : 0;
}

void http_server_free(http_server_t *srv)
{
    if (!srv)
        return;
    http_header_deadline_free(srv->hdl);
    http_tls_free(srv->tls);
    http_cors_free(srv->cors);
    http_admission_free(srv->adm);
    http_auth_free(srv->auth);
    xfree(srv->daemons);
    xfree(srv);
}
