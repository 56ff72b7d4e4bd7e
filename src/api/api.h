/* api/api.h -- what a request handler sees: the request (method, path parameters, negotiated
 * version and types, body, query), the response it fills, and the way to wait for work on
 * another thread (api_async). Handlers live in api/<resource>.c and are listed in
 * router/routes.c; the HTTP layer (http/) drives them and never shows them libmicrohttpd.
 *
 * A handler returns API_DONE after filling the response, or API_ASYNC after api_async(): the
 * HTTP layer then suspends the connection, opens a pending slot (util/pending.h) with the given
 * timeout and calls start(arg, handle) to hand the work to another thread. When that work
 * completes the handle (or the deadline passes), resume() runs on an HTTP thread with the
 * result and returns API_DONE or API_ASYNC again.
 * May use: kafka/, format/, config/, util/. Threads: handlers run on HTTP threads. */
#ifndef KR_API_API_H
#define KR_API_API_H

#include "config/config.h"
#include "kafka/metadata.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/pending.h"
#include "util/pipe.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define API_MAX_PARAMS 6
/** The largest response body a handler may write (api_req_t.resp's limit). */
#define API_MAX_RESPONSE ((size_t)1 << 30)

typedef struct api_req api_req_t;
typedef struct kr_workq kr_workq_t;
typedef struct kafka_producer kafka_producer_t;
typedef struct kafka_consumers kafka_consumers_t;
typedef struct kafka_admin kafka_admin_t;
typedef struct sr_registry sr_registry_t;
typedef struct sr_client sr_client_t;
typedef struct kafka_health kafka_health_t;
typedef struct kafka_cluster kafka_cluster_t;
typedef struct api_forwarder api_forwarder_t;
typedef struct kafka_principals kafka_principals_t;
typedef struct kafka_principal kafka_principal_t;

/** The embedded format named by a request's Content-Type (router/negotiate.h's neg_format_t
 * has the same values; router.c checks that at compile time). */
typedef enum api_format {
    API_FMT_NONE = 0,
    API_FMT_BINARY,
    API_FMT_JSON,
    API_FMT_AVRO,
    API_FMT_JSONSCHEMA,
    API_FMT_PROTOBUF,
} api_format_t;

/** Which API a request speaks, hence the shapes of its answers: set by router_negotiate() from
 * the route (v3, the Schema Registry's listener) or the negotiated media types (v1, v2). The
 * values of v1 and v2 are the version numbers. */
typedef enum api_version {
    API_V1 = 1,
    API_V2 = 2,
    API_V3 = 3,
    API_SR = 4, /* the built-in Schema Registry's listener */
} api_version_t;

typedef enum api_status {
    API_DONE = 0,
    API_ASYNC = 1,
} api_status_t;

typedef api_status_t (*api_handler_fn)(api_req_t *req);
/** Continues a request after its async work: result is owned by the handler now (NULL when
 * timed_out). */
typedef api_status_t (*api_resume_fn)(api_req_t *req, void *result, bool timed_out);
/** Starts async work on another thread; takes ownership of arg and must end with exactly one
 * kr_pending_complete(h, ...). */
typedef void (*api_start_fn)(void *arg, kr_handle_t h);

/** Writes the rest of a response body into pipe (util/pipe.h; the writer's reference is the
 * function's to drop) and closes it, on whatever thread it chooses; takes ownership of arg.
 * Called once on the HTTP thread, after resp was handed to the pipe. */
typedef void (*api_more_fn)(void *arg, kr_pipe_t *pipe);
/** Everything handlers share; built once at start-up, read-only afterwards. */
typedef struct api_ctx {
    const krest_config_t *cfg;
    kafka_md_cache_t *md;         /* metadata cache (kafka/metadata.h) */
    kafka_client_t *admin;        /* admin/metadata handle (kafka/metadata.h) */
    kafka_producer_t *producer;   /* the shared producer */
    kafka_consumers_t *consumers; /* consumer instances */
    kafka_admin_t *kadmin;        /* asynchronous admin requests (kafka/admin.h) */
    kr_workq_t *workq;            /* blocking calls */
    sr_registry_t *registry;      /* the built-in Schema Registry, NULL when off */
    sr_client_t *sr_client;       /* Schema Registry look-ups of Avro produce and consume */
    kafka_health_t *health;       /* the cluster's readiness (kafka/health.h); NULL: unknown */
    kafka_cluster_t *cluster;     /* the other krest instances (kafka/cluster.h); NULL: off */
    api_forwarder_t *forwarder;   /* forwarding to them (api/forward.h); NULL: off */
    /* krest.kafka.principal.propagation (api/identity.h): the per-user handles, NULL when off.
     * A request of such a user sees a copy of this context whose producer, admin and kadmin
     * are the user's; principal names that user (NULL in the proxy's own context). */
    kafka_principals_t *principals;
    kafka_principal_t *principal;
    kafka_md_cache_t *md_user; /* the user's own metadata view (listings), NULL: md */
} api_ctx_t;

/** The metadata cache of a request about topic (NULL: a listing, e.g. GET /topics): listings
 * are the user's own view under principal propagation (so Kafka's DESCRIBE rights filter
 * them); a named topic is checked in krest's own view, so that Kafka itself refuses what the
 * user may not do (40301) rather than krest saying 404. */
kafka_md_cache_t *api_md_cache(const api_ctx_t *ctx, const char *topic);

/** Who sent a request, as the HTTP layer established it (Basic authentication or a TLS client
 * certificate); all zero when nobody authenticated (the proxy's own identity is used). The
 * strings are borrowed for the request's lifetime. password is set only for Basic, so that the
 * request can reach Kafka as that user (krest.kafka.principal.propagation). */
typedef enum api_auth_kind {
    API_AUTH_NONE = 0,
    API_AUTH_BASIC,
    API_AUTH_MTLS,
} api_auth_kind_t;

typedef struct api_principal {
    api_auth_kind_t kind;
    const char *name;     /* the principal's name (user, or the mapped certificate subject) */
    const char *password; /* Basic only, else NULL; never logged */
} api_principal_t;

/** The HTTP layer's accessors, so handlers never see the connection type. */
typedef struct api_conn_ops {
    const char *(*query)(void *conn, const char *key);
    const char *(*header)(void *conn, const char *name);
    /* Calls fn for every query argument, in the request's order (value NULL: no '='). */
    void (*each_query)(void *conn, void (*fn)(void *cls, const char *key, const char *value),
                       void *cls);
} api_conn_ops_t;

struct api_req {
    /* Set by the HTTP layer and the router before the handler runs; borrowed. */
    const api_ctx_t *ctx;
    const char *method;
    const char *path;
    const char *params[API_MAX_PARAMS]; /* path parameters in template order, NUL-terminated */
    size_t n_params;
    api_version_t version;      /* which API's shapes to write */
    api_format_t body_format;   /* embedded format of the request body's Content-Type */
    api_format_t accept_format; /* embedded format of the negotiated response type */
    unsigned accept_named;      /* bit 1 << f per embedded format f whose vnd.kafka.<f>.v<N>
                                   type (N: version) the Accept names with q > 0 (issue 18) */
    const char *resp_type;      /* Content-Type of the response */
    const char *body;           /* request body (not NUL-terminated), may be NULL */
    size_t body_len;
    int64_t start_ms; /* monotonic arrival time */
    void *conn;
    const api_conn_ops_t *ops;
    const char *request_id;    /* X-Request-ID: the client's (when sane) or made; echoed */
    api_principal_t principal; /* who sent it; zero: anonymous */
    /* Whether a body of about total bytes that starts with first[0..n) would go out
     * compressed (the negotiated coding, krest.compression.min.bytes and the sample of
     * http/encode.h); NULL: never. Handlers that can stream an answer (api_reply_more) ask,
     * since streaming pays only for compressed answers. */
    bool (*compresses)(const void *arg, const char *first, size_t n, size_t total);
    const void *compresses_arg;
    const char *scheme; /* "https" on a TLS connection, else "http" (NULL: "http") */
    /* api/identity.c: the Kafka identity ctx belongs to (a reference, released by
     * api_req_deinit), and the handler that runs once it is open. */
    kafka_principal_t *_kafka_principal;
    api_handler_fn _handler;

    /* Filled by the handler. */
    int status;
    kr_buf_t resp;  /* response body (JSON); empty for 204 */
    char *location; /* owned: the response's Location header, or NULL (api_reply_location) */

    /* Set by api_reply_more(): the body goes on after resp (a streamed consumer read). */
    struct {
        api_more_fn start;
        void *arg;
        void (*arg_free)(void *arg); /* frees arg if start() is never called */
    } more;
    /* Set by api_async(). */
    struct {
        api_start_fn start;
        void *arg;
        void (*arg_free)(void *arg); /* frees arg if start() is never called */
        api_resume_fn resume;
        int64_t timeout_ms;
        uint64_t keep;            /* a value the handler keeps across async steps (e.g. a count) */
        api_resume_fn job_resume; /* the handler's resume behind api/job.h's own */
    } async;
};

/** Where a streaming handler writes its response body (the HTTP layer's; any thread). */
typedef struct api_stream_sink {
    void *ctx;
    /** Writes one piece of the body (sent at once, as one HTTP chunk). @return 0, or -1 when
     * the client is gone. */
    int (*write)(void *ctx, const char *data, size_t n);
    /** The session's state changed (fewer records in flight, or all answered): the HTTP layer
     * looks again. busy() and done() take no lock, so the session may kick under its own. */
    void (*kick)(void *ctx);
} api_stream_sink_t;

/** A route whose body is a stream answered while it is received (v3 records on an HTTP/1.1
 * chunked upload: full duplex). The HTTP layer writes the head (200, chunked), feeds the body
 * as it arrives, stops reading while busy() says so, and ends the response once done(). A
 * request with a known length is served by the route's ordinary handler instead. */
typedef struct api_stream_handler {
    /** Starts a session for req (borrowed for this call only; copy what is needed). */
    void *(*open)(api_req_t *req, const api_stream_sink_t *sink);
    /** Body bytes (HTTP thread). @return 0; 1 when the session takes no more input. */
    int (*feed)(void *session, const char *data, size_t n);
    /** Whether too many records wait for their results (lock-free: any thread). */
    bool (*busy)(void *session);
    /** No more input (the body ended, or krest shuts down). */
    void (*finish)(void *session);
    /** Whether every result has been written (after finish; lock-free). */
    bool (*done)(void *session);
    /** Answers every record still without an outcome with 50003 (the shutdown bound). */
    void (*expire)(void *session);
    /** The connection goes away: the sink is never used again; the session frees itself once
     * its records have their outcomes. */
    void (*close)(void *session);
} api_stream_handler_t;

/** Initialises the handler-facing part of req (response buffer etc.). */
void api_req_init(api_req_t *req);
/** Frees what the handler side of req owns. */
void api_req_deinit(api_req_t *req);

/** Finishes with status and the JSON already written to req->resp. @return API_DONE. */
api_status_t api_reply(api_req_t *req, int status);
/** Sets the Location header of a successful response (url copied; replaces an earlier one).
 * An error reply (api_reply_error) drops it. */
void api_reply_location(api_req_t *req, const char *url);
/** Finishes with a JSON error body {"error_code":code,"message":...}; the status follows from
 * the code (kr_err_http_status). The only way krest writes an error body. @return API_DONE. */
api_status_t api_reply_error(api_req_t *req, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** api_reply_error() from a kr_err_t. */
api_status_t api_reply_err(api_req_t *req, const kr_err_t *err);

/** Finishes with status and a body that starts with resp and goes on with what start(arg, pipe)
 * writes (sent as it comes, HTTP/1.1 chunked; compressed as one stream when the client asks and
 * it pays). Takes ownership of arg (arg_free frees it if start is never called).
 * @return API_DONE. */
api_status_t api_reply_more(api_req_t *req, int status, api_more_fn start, void *arg,
                            void (*arg_free)(void *arg));
/** Asks the HTTP layer to wait for work on another thread (see the file comment).
 * Takes ownership of arg. @return API_ASYNC. */
api_status_t api_async(api_req_t *req, api_start_fn start, void *arg, void (*arg_free)(void *),
                       api_resume_fn resume, int64_t timeout_ms);

/** @return a query parameter's value (borrowed), or NULL. */
const char *api_query(const api_req_t *req, const char *key);
/** @return a request header's value (borrowed), or NULL. */
const char *api_header(const api_req_t *req, const char *name);

/** Parses a path parameter known to be an integer (the router checked its syntax).
 * @return 0, or -1 when it does not fit in int32. */
int api_param_int32(const api_req_t *req, size_t idx, int32_t *out);

#endif
