/* router/router.c -- path template matching and per-route negotiation.
 * Pure; threads: any. */
#include "router/router.h"

#include "util/mem.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Response types of every management route: v2 first (no Accept, * / * -> v2 shapes). */
static const neg_offer_t offers_any[] = {
    {"application/vnd.kafka.v2+json", 1.0f},
    {"application/vnd.kafka.v1+json", 0.95f},
    {"application/vnd.kafka+json", 0.8f},
    {"application/json", 0.5f},
};
/* A request body of a versioned type fixes the version; the response may still be generic. */
static const neg_offer_t offers_v1[] = {
    {"application/vnd.kafka.v1+json", 1.0f},
    {"application/vnd.kafka+json", 0.8f},
    {"application/json", 0.5f},
};
/* v3 answers application/json only (API.md §3.1). */
static const neg_offer_t offers_v3[] = {
    {"application/json", 1.0f},
};
static const neg_offer_t offers_v2[] = {
    {"application/vnd.kafka.v2+json", 1.0f},
    {"application/vnd.kafka+json", 0.8f},
    {"application/json", 0.5f},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert((int)NEG_FMT_BINARY == (int)API_FMT_BINARY &&
                   (int)NEG_FMT_JSON == (int)API_FMT_JSON &&
                   (int)NEG_FMT_AVRO == (int)API_FMT_AVRO &&
                   (int)NEG_FMT_JSONSCHEMA == (int)API_FMT_JSONSCHEMA &&
                   (int)NEG_FMT_PROTOBUF == (int)API_FMT_PROTOBUF,
               "neg_format_t and api_format_t must agree");

/* An int32 in decimal, as JAX-RS converts an int path parameter (anything else is 404). */
static bool is_int_segment(const char *s)
{
    bool neg = *s == '-';
    if (neg)
        s++;
    if (!*s)
        return false;
    long long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (*s - '0');
        if (v > (neg ? 2147483648LL : 2147483647LL))
            return false;
    }
    return true;
}

/* Splits path (a private copy) in place into segments. @return the count, or -1 if too many. */
static int split(char *path, char **segs, int max)
{
    int n = 0;
    char *p = path;
    if (*p == '/')
        p++;
    size_t len = strlen(p);
    if (len > 0 && p[len - 1] == '/')
        p[len - 1] = '\0'; /* one trailing slash is tolerated */
    if (!*p)
        return 0;
    for (;;) {
        if (n == max)
            return -1;
        segs[n++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            return n;
        *slash = '\0';
        p = slash + 1;
    }
}

/* Matches the segments against one template; fills params on success. */
static bool match_template(const char *tmpl, char **segs, int n_segs, const char **params,
                           size_t *n_params)
{
    const char *t = tmpl + 1;
    int i = 0;
    *n_params = 0;
    while (*t) {
        const char *end = strchr(t, '/');
        size_t tlen = end ? (size_t)(end - t) : strlen(t);
        if (i >= n_segs || !*segs[i])
            return false;
        if (t[0] == '{') {
            bool want_int = tlen > 5 && memcmp(t + tlen - 5, ":int}", 5) == 0;
            if (want_int && !is_int_segment(segs[i]))
                return false;
            if (*n_params == API_MAX_PARAMS)
                return false;
            params[(*n_params)++] = segs[i];
        } else if (strlen(segs[i]) != tlen || memcmp(segs[i], t, tlen) != 0) {
            return false;
        }
        i++;
        t = end ? end + 1 : t + tlen;
    }
    return i == n_segs;
}

int router_match(const router_route_t *routes, size_t n_routes, const char *method,
                 const char *path, router_match_t *m, kr_err_t *err)
{
    memset(m, 0, sizeof(*m));
    if (!path || path[0] != '/')
        return kr_err_set(err, KR_ERR_NOT_FOUND, "HTTP 404 Not Found");
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    m->path_copy = xstrdup(path);
    char *segs[32];
    int n = split(m->path_copy, segs, 32);
    bool path_known = false;
    for (size_t r = 0; n >= 0 && r < n_routes; r++) {
        const char *params[API_MAX_PARAMS];
        size_t np;
        if (!match_template(routes[r].path, segs, n, params, &np))
            continue;
        path_known = true;
        if (strcmp(routes[r].method, method) != 0)
            continue;
        m->route = &routes[r];
        memcpy(m->params, params, np * sizeof(params[0]));
        m->n_params = np;
        return 0;
    }
    router_match_free(m);
    if (path_known)
        return kr_err_set(err, KR_ERR_METHOD_NOT_ALLOWED, "HTTP 405 Method Not Allowed");
    return kr_err_set(err, KR_ERR_NOT_FOUND, "HTTP 404 Not Found");
}

bool router_is_v3_path(const char *path)
{
    return strncmp(path, "/v3", 3) == 0 && (path[3] == '\0' || path[3] == '/');
}

void router_match_free(router_match_t *m)
{
    xfree(m->path_copy);
    m->path_copy = NULL;
    m->route = NULL;
    m->n_params = 0;
}

static bool body_type_ok(router_body_t body, const neg_media_t *ct)
{
    if (body == ROUTER_BODY_SR)
        return ct->kind == NEG_KIND_VND_SR || ct->kind == NEG_KIND_JSON ||
               ct->kind == NEG_KIND_OCTET_STREAM;
    switch (ct->kind) {
    case NEG_KIND_VND_KAFKA:
        return ct->format == NEG_FMT_NONE || body == ROUTER_BODY_EMBEDDED;
    case NEG_KIND_VND_KAFKA_ANY:
    case NEG_KIND_JSON:
    case NEG_KIND_OCTET_STREAM:
        return true;
    default:
        return false;
    }
}

/* A charset parameter of a Content-Type, if any, names UTF-8 (quotes and case aside). */
static bool charset_is_utf8(const char *content_type)
{
    const char *p = strchr(content_type, ';');
    while (p) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "charset=", 8) == 0) {
            p += 8;
            bool quoted = *p == '"';
            p += quoted;
            size_t n = strcspn(p, quoted ? "\"" : " \t;");
            return (n == 5 && strncasecmp(p, "utf-8", 5) == 0) ||
                   (n == 4 && strncasecmp(p, "utf8", 4) == 0);
        }
        p = strchr(p, ';');
    }
    return true;
}

/* v3: a body must be application/json (UTF-8); the answer is application/json. */
static int negotiate_v3(const router_route_t *route, const char *accept, const char *content_type,
                        bool has_body, api_req_t *req, kr_err_t *err)
{
    req->body_format = API_FMT_NONE;
    req->accept_format = API_FMT_NONE;
    if (route->body != ROUTER_BODY_NONE && has_body) {
        neg_media_t ct;
        if (!content_type || neg_parse_media(content_type, &ct) != 0 || ct.kind != NEG_KIND_JSON ||
            !charset_is_utf8(content_type))
            return kr_err_set(err, KR_ERR_UNSUPPORTED_MEDIA_TYPE,
                              "HTTP 415 Unsupported Media Type");
    }
    if (neg_pick(accept, offers_v3, N_OF(offers_v3)) < 0)
        return kr_err_set(err, KR_ERR_CONSUMER_FORMAT_MISMATCH, "HTTP 406 Not Acceptable");
    req->resp_type = offers_v3[0].type;
    req->version = API_V3;
    return 0;
}

/* The embedded formats whose vnd.kafka.<fmt>.v<N>+json the client's Accept names itself: a
 * consumer read answers in its instance's format when the client listed that type, whichever
 * type won the negotiation (JAX-RS picks the resource method by the types a client lists). */
static unsigned named_formats(const char *accept, api_version_t version)
{
    unsigned mask = 0;
    for (int f = NEG_FMT_BINARY; accept && f <= NEG_FMT_PROTOBUF; f++) {
        char type[64];
        snprintf(type, sizeof(type), "application/vnd.kafka.%s.v%d+json",
                 neg_format_name((neg_format_t)f), version == API_V1 ? 1 : 2);
        if (neg_names(accept, type))
            mask |= 1u << f;
    }
    return mask;
}

int router_negotiate(const router_route_t *route, const char *accept, const char *content_type,
                     bool has_body, api_req_t *req, kr_err_t *err)
{
    if (route->api == API_V3)
        return negotiate_v3(route, accept, content_type, has_body, req, err);
    const neg_offer_t *offers = route->offers ? route->offers : offers_any;
    size_t n_offers = route->offers ? route->n_offers : N_OF(offers_any);
    api_version_t fixed_version = route->api;
    req->body_format = API_FMT_NONE;
    if (route->body != ROUTER_BODY_NONE && content_type) {
        neg_media_t ct;
        bool parsed = neg_parse_media(content_type, &ct) == 0;
        /* An empty body is no body, whatever its type (section K); a versioned type still says
         * which API the client speaks (the v1 clients send one on body-less commits). */
        if (has_body && (!parsed || !body_type_ok(route->body, &ct)))
            return kr_err_set(err, KR_ERR_UNSUPPORTED_MEDIA_TYPE,
                              "HTTP 415 Unsupported Media Type");
        if (parsed && has_body)
            req->body_format = (api_format_t)ct.format;
        if (parsed && ct.kind == NEG_KIND_VND_KAFKA && !route->api) {
            fixed_version = ct.version == 1 ? API_V1 : API_V2;
            offers = ct.version == 1 ? offers_v1 : offers_v2;
            n_offers = ct.version == 1 ? N_OF(offers_v1) : N_OF(offers_v2);
        }
    }
    int pick = neg_pick(accept, offers, n_offers);
    if (pick < 0)
        return kr_err_set(err, KR_ERR_CONSUMER_FORMAT_MISMATCH, "HTTP 406 Not Acceptable");
    req->resp_type = offers[pick].type;
    neg_media_t m;
    neg_parse_media(req->resp_type, &m);
    req->accept_format = (api_format_t)m.format;
    req->version = fixed_version ? fixed_version : neg_version_of(&m) == 1 ? API_V1 : API_V2;
    req->accept_named = route->offers ? named_formats(accept, req->version) : 0;
    return 0;
}
