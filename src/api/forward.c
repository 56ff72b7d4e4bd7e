/* api/forward.c -- which requests are forwarded and where, the HMAC (target id, nonce) on
 * forwarded requests (replays refused: api/forward_nonce.c), and the relay of the owner's
 * answer (see forward.h; the transfers are api/forward_client.c).
 * Threads: HTTP threads. */
#include "api/forward_int.h"

#include "kafka/cluster.h"
#include "kafka/consumer.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/metrics.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INSTANCE_TEMPLATE "/consumers/{group}/instances/{instance}"
/* How far a forwarded request's time may be from ours (clocks of one deployment agree). */
#define SKEW_MAX_MS 30000
#define HMAC_HEX    64
#define NONCE_HEX   (2 * FWD_NONCE_LEN)
/* Nonces remembered at most (each for up to 2 * SKEW_MAX_MS): ~4000 forwarded requests/s. */
#define NONCES_MAX ((uint32_t)1 << 17)
/* req->async.keep: the table was read to its end for this request already. */
#define KEEP_RESYNCED 1u

/* --- signing ------------------------------------------------------------------------------ */

typedef struct sign_input {
    const char *target; /* the id of the instance the request is for */
    const char *nonce;  /* NONCE_HEX hex digits */
    const char *method, *path, *principal;
    const char *body;
    size_t body_len;
    int64_t ts;
    kr_buf_t query; /* "key\0value\0" per argument, in order */
} sign_input_t;

static void hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* HMAC-SHA256 with the secret over the request's parts, as hex (HMAC_HEX + 1 bytes). */
static void sign(const char *secret, const sign_input_t *in, char *out)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    EVP_Digest(in->body ? in->body : "", in->body_len, digest, &dlen, EVP_sha256(), NULL);
    char body_hex[2 * EVP_MAX_MD_SIZE + 1];
    hex(digest, dlen, body_hex);
    kr_buf_t msg;
    kr_buf_init(&msg, (size_t)1 << 24);
    kr_buf_printf(&msg, "krest-forward-2\n%lld\n%s\n%s\n%s\n%s\n", (long long)in->ts, in->target,
                  in->nonce, in->method, in->path);
    kr_buf_append(&msg, in->query.data ? in->query.data : "", in->query.len);
    kr_buf_printf(&msg, "\n%s\n%s", in->principal ? in->principal : "", body_hex);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)msg.data, msg.len, mac,
         &mlen);
    hex(mac, mlen, out);
    kr_buf_deinit(&msg);
}

static void add_query(void *cls, const char *key, const char *value)
{
    kr_buf_t *q = cls;
    kr_buf_append(q, key, strlen(key) + 1);
    kr_buf_append(q, value ? value : "", strlen(value ? value : "") + 1);
}

static void sign_input_init(sign_input_t *in, const api_req_t *req, int64_t ts)
{
    memset(in, 0, sizeof(*in));
    in->method = req->method;
    in->path = req->path;
    in->principal = req->principal.name;
    in->body = req->body;
    in->body_len = req->body_len;
    in->ts = ts;
    kr_buf_init(&in->query, (size_t)1 << 20);
    if (req->ops && req->ops->each_query)
        req->ops->each_query(req->conn, add_query, &in->query);
}

static int refuse(kr_err_t *err)
{
    return kr_err_set(err, KR_ERR_KAFKA_AUTHORIZATION,
                      "Forwarded requests are accepted from this deployment's instances only");
}

static bool unhex(const char *s, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < 2 * n; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return false;
        out[i / 2] = (unsigned char)(i % 2 ? (out[i / 2] << 4) | v : v);
    }
    return true;
}

/* Checks X-Krest-Forwarded: "<ms>:<nonce hex>:<hmac hex>", signed for this instance, its nonce
 * not seen before. @return 0, or -1 with err 403 (429 when too many nonces are still valid). */
static int verify(const api_req_t *req, const char *mark, kr_err_t *err)
{
    const api_forwarder_t *fw = req->ctx->forwarder;
    char *end = NULL;
    long long ts = strtoll(mark, &end, 10);
    unsigned char nonce[FWD_NONCE_LEN];
    if (!fw || !end || end == mark || *end != ':' || ts < 0 ||
        strlen(end + 1) != NONCE_HEX + 1 + HMAC_HEX || end[1 + NONCE_HEX] != ':' ||
        !unhex(end + 1, FWD_NONCE_LEN, nonce))
        return refuse(err);
    int64_t now = kr_clock_wall_ms();
    if (llabs(ts - now) > SKEW_MAX_MS)
        return kr_err_set(err, KR_ERR_KAFKA_AUTHORIZATION,
                          "Forwarded request too old (or the instances' clocks disagree)");
    char nonce_hex[NONCE_HEX + 1];
    memcpy(nonce_hex, end + 1, NONCE_HEX);
    nonce_hex[NONCE_HEX] = '\0';
    sign_input_t in;
    sign_input_init(&in, req, ts);
    in.target = fw->self_id;
    in.nonce = nonce_hex;
    in.principal = api_header(req, API_FORWARD_PRINCIPAL_HEADER);
    char want[HMAC_HEX + 1];
    sign(fw->cfg->cluster_secret, &in, want);
    kr_buf_deinit(&in.query);
    if (CRYPTO_memcmp(want, end + 2 + NONCE_HEX, HMAC_HEX) != 0)
        return refuse(err);
    switch (fwd_nonces_add(fw->nonces, nonce, ts + SKEW_MAX_MS + 1, now)) {
    case FWD_NONCE_NEW:
        return 0;
    case FWD_NONCE_FULL:
        return kr_err_set(err, KR_ERR_TOO_MANY_REQUESTS, "Too many forwarded requests within %d s",
                          SKEW_MAX_MS / 1000);
    case FWD_NONCE_SEEN:
    default:
        log_warn("cluster: a forwarded request was replayed (refused): %s %s", req->method,
                 req->path);
        return kr_err_set(err, KR_ERR_KAFKA_AUTHORIZATION,
                          "Forwarded request replayed (its nonce was seen already)");
    }
}

/* --- forwarding --------------------------------------------------------------------------- */

/* owner_url + the request's path (each segment escaped) + its query. */
static char *target_url(const api_req_t *req, const char *owner_url, const kr_buf_t *query)
{
    kr_buf_t u;
    kr_buf_init(&u, (size_t)1 << 20);
    size_t base = strlen(owner_url);
    while (base > 0 && owner_url[base - 1] == '/')
        base--;
    kr_buf_append(&u, owner_url, base);
    char *path = xstrdup(req->path);
    char *save = NULL;
    for (char *seg = strtok_r(path, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
        char *e = curl_easy_escape(NULL, seg, 0);
        kr_buf_printf(&u, "/%s", e ? e : "");
        curl_free(e);
    }
    xfree(path);
    char sep = '?';
    for (size_t off = 0; off < query->len;) {
        const char *k = query->data + off;
        const char *v = k + strlen(k) + 1;
        off += strlen(k) + strlen(v) + 2;
        char *ek = curl_easy_escape(NULL, k, 0), *ev = curl_easy_escape(NULL, v, 0);
        kr_buf_printf(&u, "%c%s=%s", sep, ek ? ek : "", ev ? ev : "");
        curl_free(ek);
        curl_free(ev);
        sep = '&';
    }
    kr_buf_putc(&u, '\0');
    size_t len;
    return kr_buf_steal(&u, &len);
}

/* A header as the client sent it; an absent one stays absent ("Name:" removes libcurl's own
 * default, e.g. its Accept: * / * or a form Content-Type for a body). */
static void add_header(fwd_job_t *j, const char *name, const char *value)
{
    char line[8192];
    if (value)
        snprintf(line, sizeof(line), "%s: %s", name, value);
    else
        snprintf(line, sizeof(line), "%s:", name);
    j->hdrs = curl_slist_append(j->hdrs, line);
}

static fwd_job_t *job_new(api_req_t *req, char *url, char *owner_id)
{
    const krest_config_t *cfg = req->ctx->cfg;
    fwd_job_t *j = xcalloc(1, sizeof(*j));
    j->fw = req->ctx->forwarder;
    j->owner_id = owner_id;
    j->method = xstrdup(req->method);
    kr_buf_init(&j->resp, API_MAX_RESPONSE);
    sign_input_t in;
    sign_input_init(&in, req, kr_clock_wall_ms());
    j->url = target_url(req, url, &in.query);
    xfree(url);
    unsigned char nonce[FWD_NONCE_LEN];
    char nonce_hex[NONCE_HEX + 1], mac[HMAC_HEX + 1], mark[160];
    if (RAND_bytes(nonce, sizeof(nonce)) != 1)
        abort(); /* no randomness: nothing safe to sign with */
    hex(nonce, sizeof(nonce), nonce_hex);
    in.target = owner_id;
    in.nonce = nonce_hex;
    sign(cfg->cluster_secret, &in, mac);
    snprintf(mark, sizeof(mark), "%lld:%s:%s", (long long)in.ts, nonce_hex, mac);
    kr_buf_deinit(&in.query);
    add_header(j, API_FORWARD_HEADER, mark);
    if (req->principal.name)
        add_header(j, API_FORWARD_PRINCIPAL_HEADER, req->principal.name);
    add_header(j, "Content-Type", api_header(req, "Content-Type"));
    add_header(j, "Accept", api_header(req, "Accept"));
    if (req->request_id)
        add_header(j, "X-Request-ID", req->request_id);
    j->hdrs = curl_slist_append(j->hdrs, "Expect:");
    if (req->body_len > 0) {
        j->body = xmalloc(req->body_len);
        memcpy(j->body, req->body, req->body_len);
        j->body_len = req->body_len;
    }
    return j;
}

static void fwd_start(void *arg, kr_handle_t h)
{
    fwd_job_t *j = arg;
    j->h = h;
    fwd_client_submit(j->fw, j);
}

static api_status_t owner_gone(api_req_t *req)
{
    return api_reply_error(req, KR_ERR_CONSUMER_INSTANCE_NOT_FOUND, "Consumer instance not found.");
}

/* The owner refused the connection, dropped it, or is draining (503 "shutting down"): it is
 * gone, and so are its consumer instances. */
static bool owner_failed(const fwd_job_t *j)
{
    switch (j->curl_rc) {
    case CURLE_OK:
        return j->status == 503 && j->resp.data &&
               memmem(j->resp.data, j->resp.len, "\"error_code\":503", 16) != NULL;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        return true;
    case CURLE_OPERATION_TIMEDOUT:
        return !j->connected; /* no connection within the connect timeout: a host gone */
    default:
        return false;
    }
}

static void sync_start(void *arg, kr_handle_t h);
static api_status_t sync_resume(api_req_t *req, void *result, bool timed_out);

/* The owner found in the published lists no longer has a client-named instance: our table may
 * be behind (the name was deleted there and made on another instance). */
static bool stale_name(const api_req_t *req, const fwd_job_t *j)
{
    return j->curl_rc == CURLE_OK && j->status == 404 && !(req->async.keep & KEEP_RESYNCED) &&
           strncmp(req->params[1], "rest-consumer-", 14) != 0 && j->resp.data &&
           memmem(j->resp.data, j->resp.len, "\"error_code\":40403", 18) != NULL;
}

static api_status_t fwd_resume(api_req_t *req, void *result, bool timed_out)
{
    fwd_job_t *j = result;
    if (timed_out || !j)
        return api_reply_error(req, KR_ERR_INTERNAL,
                               "The instance that owns this consumer did not answer in time");
    api_status_t st;
    if (stale_name(req, j)) {
        fwd_job_free(j);
        req->async.keep |= KEEP_RESYNCED; /* once: read the topic to its end, look again */
        return api_async(req, sync_start, req->ctx->cluster, NULL, sync_resume,
                         req->ctx->cfg->client_timeout_ms + 1000);
    }
    if (owner_failed(j)) {
        log_info("cluster: instance '%s' is gone (%s)", j->owner_id,
                 j->curl_rc ? curl_easy_strerror(j->curl_rc) : "shutting down");
        kafka_cluster_peer_failed(req->ctx->cluster, j->owner_id);
        st = owner_gone(req);
    } else if (j->curl_rc != CURLE_OK) {
        st = api_reply_error(req, KR_ERR_INTERNAL,
                             "Forwarding to the instance that owns this "
                             "consumer failed: %s",
                             curl_easy_strerror(j->curl_rc));
    } else {
        kr_buf_t tmp = req->resp;
        req->resp = j->resp;
        j->resp = tmp;
        if (j->location)
            api_reply_location(req, j->location);
        st = api_reply(req, (int)j->status);
    }
    fwd_job_free(j);
    return st;
}

static api_status_t forward(api_req_t *req, char *url, char *owner_id)
{
    kr_metrics_add(KR_M_CLUSTER_FORWARDED, 1);
    fwd_job_t *j = job_new(req, url, owner_id);
    return api_async(req, fwd_start, j, fwd_job_free, fwd_resume,
                     req->ctx->forwarder->timeout_ms + 5000);
}

/* --- who owns it -------------------------------------------------------------------------- */

static void sync_start(void *arg, kr_handle_t h)
{
    kafka_cluster_sync(arg, h);
}

static api_status_t decide(api_req_t *req, bool synced, bool *local);

static api_status_t sync_resume(api_req_t *req, void *result, bool timed_out)
{
    (void)result;
    (void)timed_out;
    bool local = false;
    api_status_t st = decide(req, true, &local);
    return local ? owner_gone(req) : st; /* nobody else has it, and we have not */
}

/* Where a request for an instance this krest does not hold goes. *local: run the handler. */
static api_status_t decide(api_req_t *req, bool synced, bool *local)
{
    char *url = NULL, *id = NULL;
    kafka_cluster_t *cl = req->ctx->cluster;
    switch (kafka_cluster_owner(cl, req->params[0], req->params[1], &url, &id)) {
    case KAFKA_OWNER_PEER:
        return forward(req, url, id);
    case KAFKA_OWNER_GONE:
        return owner_gone(req);
    case KAFKA_OWNER_UNKNOWN:
        if (!synced)
            return api_async(req, sync_start, cl, NULL, sync_resume,
                             req->ctx->cfg->client_timeout_ms + 1000);
        /* fall through */
    case KAFKA_OWNER_SELF:
    default:
        *local = true;
        return API_DONE;
    }
}

/* A verified forwarded request acts for the principal the forwarding instance authenticated:
 * its name only (X-Krest-Principal, covered by the HMAC; never a password). The owner holds the
 * consumer instance, made with its creator's identity; the name is what the instance's
 * visibility check compares. Anonymous when the header is absent: never the forwarding
 * instance's own client certificate (its keystore, which mTLS listeners map to a principal). */
static void take_principal(api_req_t *req)
{
    const char *name = api_header(req, API_FORWARD_PRINCIPAL_HEADER);
    req->principal = (api_principal_t){API_AUTH_NONE, NULL, NULL};
    if (!name || !*name)
        return;
    req->principal.kind = API_AUTH_BASIC;
    req->principal.name = name; /* borrowed: the connection's header, as long as the request */
    req->principal.password = NULL;
}

bool api_forward_intercept(api_req_t *req, const char *route_path, api_status_t *st)
{
    const char *mark = api_header(req, API_FORWARD_HEADER);
    if (mark) {
        kr_err_t err = {0};
        if (verify(req, mark, &err) != 0) {
            *st = api_reply_err(req, &err);
            return true;
        }
        take_principal(req);
        return false; /* served here, whatever happens: never forwarded twice */
    }
    if (!req->ctx->forwarder || strncmp(route_path, INSTANCE_TEMPLATE, strlen(INSTANCE_TEMPLATE)))
        return false;
    kafka_consumer_t *c = kafka_consumers_get(req->ctx->consumers, req->params[0], req->params[1]);
    if (c) {
        kafka_consumer_release(c);
        return false;
    }
    bool local = false;
    *st = decide(req, false, &local);
    return !local;
}

/* --- publishing a client-given name ------------------------------------------------------- */

static void publish_start(void *arg, kr_handle_t h)
{
    kafka_cluster_publish(arg, h);
}

static api_status_t publish_resume(api_req_t *req, void *result, bool timed_out)
{
    (void)result;
    (void)req;
    if (timed_out)
        log_warn("cluster: a new consumer's name was not published in time; other instances "
                 "find it at the next heartbeat");
    return API_DONE;
}

api_status_t api_forward_published(api_req_t *req, int status)
{
    api_reply(req, status);
    if (!req->ctx->forwarder)
        return API_DONE;
    return api_async(req, publish_start, req->ctx->cluster, NULL, publish_resume,
                     req->ctx->cfg->client_timeout_ms);
}

void api_forward_unpublish(api_req_t *req)
{
    if (req->ctx->cluster)
        kafka_cluster_publish(req->ctx->cluster, (kr_handle_t){0, 0}); /* no one to complete */
}

/* --- life cycle --------------------------------------------------------------------------- */

void api_forward_self_url(const krest_config_t *cfg, char *out, size_t size)
{
    if (cfg->cluster_internal_url && *cfg->cluster_internal_url) {
        snprintf(out, size, "%s", cfg->cluster_internal_url);
        return;
    }
    const config_listener_t *l =
        cfg->n_advertised_listeners ? &cfg->advertised_listeners[0] : &cfg->listeners[0];
    char host[256] = "localhost";
    bool any = !*l->host || strcmp(l->host, "0.0.0.0") == 0 || strcmp(l->host, "::") == 0;
    if (any)
        gethostname(host, sizeof(host) - 1);
    const char *h = any ? host : l->host;
    bool v6 = strchr(h, ':') != NULL;
    snprintf(out, size, "%s://%s%s%s:%d", l->scheme, v6 ? "[" : "", h, v6 ? "]" : "", l->port);
}

api_forwarder_t *api_forwarder_new(const krest_config_t *cfg, kafka_cluster_t *cluster,
                                   const char *self_id, kr_err_t *err)
{
    if (!cfg->cluster_secret || !*cfg->cluster_secret) {
        kr_err_set(err, KR_ERR_UNPROCESSABLE,
                   "krest.cluster.enable=true needs krest.cluster.secret (the same on every "
                   "instance): forwarded requests are signed with it");
        return NULL;
    }
    api_forwarder_t *fw = xcalloc(1, sizeof(*fw));
    fw->cfg = cfg;
    fw->cluster = cluster;
    fw->self_id = xstrdup(self_id);
    fw->nonces = fwd_nonces_new(NONCES_MAX);
    /* A forwarded read may wait for the group join, then for records: the owner's bounds. */
    fw->timeout_ms = cfg->consumer_first_read_timeout_ms + cfg->consumer_request_timeout_ms +
                     2 * cfg->client_timeout_ms + 5000;
    atomic_init(&fw->stop, false);
    pthread_mutex_init(&fw->lock, NULL);
    if (fwd_client_start(fw) != 0) {
        kr_err_set(err, KR_ERR_INTERNAL, "cannot start the forwarder");
        api_forwarder_free(fw);
        return NULL;
    }
    return fw;
}

void api_forwarder_free(api_forwarder_t *fw)
{
    if (!fw)
        return;
    fwd_client_stop(fw);
    pthread_mutex_destroy(&fw->lock);
    fwd_nonces_free(fw->nonces);
    xfree(fw->self_id);
    xfree(fw);
}
