/* http/cors.c -- the CORS policy (see cors.h). Semantics are those of Jetty's CrossOriginFilter
 * as rest-utils configures it: origins match exactly or as globs ("*" alone: any; a '*' inside
 * an origin: any run of characters); a matching origin is echoed (never "*"), so credentials may be
 * allowed; preflights are answered here and never reach a route (rest-utils sets
 * chainPreflight=false); a preflight whose method or headers are not allowed gets no
 * Access-Control-* header; an actual request's method is not checked (the browser did that with the
 * preflight). Defaults when a key is empty are Jetty's. Threads: see cors.h. */
#include "http/cors.h"

#include "util/mem.h"

#include <string.h>
#include <strings.h>

#define MAX_AGE "1800" /* Jetty's preflightMaxAge, seconds */

typedef struct list {
    char **items; /* owned */
    size_t n;
    bool any; /* one item is "*" */
} list_t;

struct http_cors {
    list_t origins, methods, headers;
    char *methods_joined; /* owned: Access-Control-Allow-Methods */
    char *headers_joined; /* owned: Access-Control-Allow-Headers */
    char *expose;         /* owned, "" = none */
    bool credentials;
};

static char *trimmed_dup(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *out = xmalloc(n + 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

/* Splits a comma list into trimmed, non-empty items; a NULL or empty text gives def's items. */
static void list_init(list_t *l, const char *text, const char *def)
{
    memset(l, 0, sizeof(*l));
    const char *s = text && *text ? text : def;
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, ",");
        char *item = trimmed_dup(p, n);
        if (*item) {
            l->items = xrealloc(l->items, (l->n + 1) * sizeof(char *));
            l->items[l->n++] = item;
            l->any |= strcmp(item, "*") == 0;
        } else {
            xfree(item);
        }
        p += n + (p[n] == ',');
    }
}

static void list_deinit(list_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        xfree(l->items[i]);
    xfree(l->items);
}

static char *list_join(const list_t *l)
{
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->items[i]) + 1;
    char *out = xmalloc(len);
    size_t w = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            out[w++] = ',';
        size_t k = strlen(l->items[i]);
        memcpy(out + w, l->items[i], k);
        w += k;
    }
    out[w] = '\0';
    return out;
}

http_cors_t *http_cors_new(const krest_config_t *cfg)
{
    if (!cfg->cors_allow_origin || !*cfg->cors_allow_origin)
        return NULL;
    http_cors_t *c = xcalloc(1, sizeof(*c));
    list_init(&c->origins, cfg->cors_allow_origin, "*");
    list_init(&c->methods, cfg->cors_allow_methods, "GET,POST,HEAD");
    list_init(&c->headers, cfg->cors_allow_headers, "X-Requested-With,Content-Type,Accept,Origin");
    c->methods_joined = list_join(&c->methods);
    c->headers_joined = list_join(&c->headers);
    list_t expose;
    list_init(&expose, cfg->cors_expose_headers, "");
    c->expose = list_join(&expose);
    list_deinit(&expose);
    c->credentials = cfg->cors_allow_credentials != 0;
    return c;
}

void http_cors_free(http_cors_t *cors)
{
    if (!cors)
        return;
    list_deinit(&cors->origins);
    list_deinit(&cors->methods);
    list_deinit(&cors->headers);
    xfree(cors->methods_joined);
    xfree(cors->headers_joined);
    xfree(cors->expose);
    xfree(cors);
}

/* A glob where '*' matches any run of characters (Jetty turns it into ".*"); iterative, with
 * one backtrack point, so a long hostile Origin costs at most |pat| * |s| steps. */
static bool glob_match(const char *pat, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*pat == '*') {
            star = pat++;
            resume = s;
        } else if (*pat == *s) {
            pat++;
            s++;
        } else if (star) {
            pat = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*pat == '*')
        pat++;
    return !*pat;
}

static bool origin_allowed(const http_cors_t *c, const char *origin)
{
    if (c->origins.any)
        return true;
    for (size_t i = 0; i < c->origins.n; i++)
        if (glob_match(c->origins.items[i], origin))
            return true;
    return false;
}

static bool method_allowed(const http_cors_t *c, const char *method)
{
    for (size_t i = 0; i < c->methods.n; i++)
        if (strcmp(c->methods.items[i], method) == 0)
            return true;
    return false;
}

/* Every name of Access-Control-Request-Headers (a comma list) is allowed, in any case. */
static bool headers_allowed(const http_cors_t *c, const char *requested)
{
    if (!requested || c->headers.any)
        return true;
    for (const char *p = requested; *p;) {
        size_t n = strcspn(p, ",");
        char *name = trimmed_dup(p, n);
        bool ok = !*name;
        for (size_t i = 0; !ok && i < c->headers.n; i++)
            ok = strcasecmp(c->headers.items[i], name) == 0;
        xfree(name);
        if (!ok)
            return false;
        p += n + (p[n] == ',');
    }
    return true;
}

static void add_origin(const http_cors_t *c, const char *origin, http_headers_t *hs)
{
    http_headers_add(hs, "Access-Control-Allow-Origin", origin);
    http_headers_add(hs, "Vary", "Origin");
    if (c->credentials)
        http_headers_add(hs, "Access-Control-Allow-Credentials", "true");
}

bool http_cors_handle(const http_cors_t *cors, struct MHD_Connection *conn, const char *method,
                      http_headers_t *hs)
{
    const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    if (!cors || !origin || !origin_allowed(cors, origin))
        return false;
    const char *want_method =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Access-Control-Request-Method");
    if (strcmp(method, "OPTIONS") != 0 || !want_method) {
        add_origin(cors, origin, hs);
        if (*cors->expose)
            http_headers_add(hs, "Access-Control-Expose-Headers", cors->expose);
        return false;
    }
    const char *want_headers =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Access-Control-Request-Headers");
    if (!method_allowed(cors, want_method) || !headers_allowed(cors, want_headers))
        return true; /* answered, without a grant: the browser refuses the actual request */
    add_origin(cors, origin, hs);
    http_headers_add(hs, "Access-Control-Max-Age", MAX_AGE);
    http_headers_add(hs, "Access-Control-Allow-Methods", cors->methods_joined);
    if (cors->headers.any)
        http_headers_add(hs, "Access-Control-Allow-Headers", want_headers ? want_headers : "");
    else
        http_headers_add(hs, "Access-Control-Allow-Headers", cors->headers_joined);
    return true;
}
