/* api/base_url.c -- the base of absolute URLs (see base_url.h). Threads: HTTP threads. */
#include "api/base_url.h"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

/* The request's scheme: "https" on a TLS connection (http/tls.c), else "http". */
static const char *scheme_of(const api_req_t *req)
{
    return req->scheme ? req->scheme : "http";
}

static void put_host_port(kr_buf_t *out, const char *host, int port)
{
    bool v6 = strchr(host, ':') != NULL;
    kr_buf_printf(out, "%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

static const config_listener_t *advertised(const krest_config_t *cfg, const char *scheme)
{
    for (size_t i = 0; i < cfg->n_advertised_listeners; i++) {
        if (strcmp(cfg->advertised_listeners[i].scheme, scheme) == 0)
            return &cfg->advertised_listeners[i];
    }
    return NULL;
}

/* The first listener of the request's scheme (API.md §6.1), else the first listener. */
static const config_listener_t *own_listener(const krest_config_t *cfg, const char *scheme)
{
    for (size_t i = 0; i < cfg->n_listeners; i++) {
        if (strcmp(cfg->listeners[i].scheme, scheme) == 0)
            return &cfg->listeners[i];
    }
    return &cfg->listeners[0];
}

void api_base_url_write(const api_req_t *req, kr_buf_t *out)
{
    const krest_config_t *cfg = req->ctx->cfg;
    const char *scheme = scheme_of(req);
    const config_listener_t *l0 = own_listener(cfg, scheme);
    const config_listener_t *adv = advertised(cfg, scheme);
    const char *host_hdr = api_header(req, "Host");
    kr_buf_printf(out, "%s://", scheme);
    if (adv) {
        put_host_port(out, adv->host, adv->port);
    } else if (cfg->host_name && *cfg->host_name) {
        bool explicit_port = host_hdr && strrchr(host_hdr, ':') && !strchr(host_hdr, ']');
        if (explicit_port)
            kr_buf_printf(out, "%s:%d", cfg->host_name, l0->port);
        else
            kr_buf_puts(out, cfg->host_name);
    } else if (host_hdr && *host_hdr) {
        kr_buf_puts(out, host_hdr);
    } else {
        char host[256] = "localhost";
        bool any = strcmp(l0->host, "0.0.0.0") == 0 || strcmp(l0->host, "::") == 0;
        if (any)
            gethostname(host, sizeof(host) - 1);
        put_host_port(out, any ? host : l0->host, l0->port);
    }
}
