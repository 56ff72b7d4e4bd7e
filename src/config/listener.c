/* config/listener.c -- listener URLs ("http://host:port", "https://[::1]:8443"), as rest-utils
 * reads `listeners` and `advertised.listeners`; also the loggable form of config values.
 * May use: util/. Threads: any. */
#include "config/config.h"

#include "config/config_int.h"
#include "util/mem.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *config_shown(const char *v, char buf[72])
{
    size_t i = 0;
    for (; v[i] && i < 64; i++)
        buf[i] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i];
    snprintf(buf + i, 72 - i, "%s", v[i] ? "..." : "");
    return buf;
}

void config_listener_deinit(config_listener_t *l)
{
    xfree(l->host);
    l->host = NULL;
}

void config_listeners_free(config_listener_t *ls, size_t n)
{
    for (size_t i = 0; i < n; i++)
        config_listener_deinit(&ls[i]);
    xfree(ls);
}

/* A host name or IPv4 address: letters, digits, '.', '-', '_'. */
static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

/* A host name (is_name_char), or when bracketed an IPv6 address: hex digits, ':' and '.', then
 * an optional "%zone". */
static int valid_host(const char *h, size_t n, int bracketed)
{
    int zone = 0;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (!bracketed || zone) {
            if (!is_name_char(c))
                return 0;
        } else if (c == '%') {
            zone = 1;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                     c == ':' || c == '.')) {
            return 0;
        }
    }
    return 1;
}

/* Finds the host [*host, *host + *host_len) of "host:port" or "[v6]:port" in [h, end) and
 * points *port at the port text. Returns NULL or why it is invalid. */
static const char *split_host(const char *h, const char *end, const char **host, size_t *host_len,
                              const char **port)
{
    const char *colon = NULL;
    int bracketed = h < end && *h == '[';
    if (bracketed) {
        const char *rb = memchr(h, ']', (size_t)(end - h));
        if (!rb)
            return "missing ']' after the IPv6 address";
        if (rb == h + 1)
            return "empty IPv6 address";
        *host = h + 1;
        *host_len = (size_t)(rb - h - 1);
        colon = rb + 1;
        if (colon < end && *colon != ':')
            return "expected ':' and a port after ']'";
    } else {
        colon = memchr(h, ':', (size_t)(end - h));
        *host = h;
        *host_len = colon ? (size_t)(colon - h) : (size_t)(end - h);
        if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
            return "an IPv6 address must be written in brackets, e.g. http://[::1]:8082";
    }
    if (!valid_host(*host, *host_len, bracketed))
        return "invalid character in the host";
    if (!colon || colon >= end || colon + 1 == end)
        return "missing port (expected scheme://host:port)";
    *port = colon + 1;
    return NULL;
}

const char *config_listener_parse_why(const char *s, size_t len, config_listener_t *out)
{
    const char *end = s + len;
    const char *sep = memmem(s, len, "://", 3);
    if (!sep)
        return "expected scheme://host:port";
    size_t scheme_len = (size_t)(sep - s);
    const char *scheme = NULL;
    if (scheme_len == 4 && strncasecmp(s, "http", 4) == 0)
        scheme = "http";
    else if (scheme_len == 5 && strncasecmp(s, "https", 5) == 0)
        scheme = "https";
    else
        return "the scheme must be http or https";
    if (end > sep + 3 && end[-1] == '/')
        end--; /* "http://host:8082/" names the same listener */
    const char *host = NULL;
    const char *port = NULL;
    size_t host_len = 0;
    const char *why = split_host(sep + 3, end, &host, &host_len, &port);
    if (why)
        return why;
    int p = 0;
    for (const char *c = port; c < end; c++) {
        if (*c < '0' || *c > '9' || p > 65535)
            return "the port must be a number from 1 to 65535";
        p = p * 10 + (*c - '0');
    }
    if (p < 1 || p > 65535)
        return "the port must be a number from 1 to 65535";
    snprintf(out->scheme, sizeof(out->scheme), "%s", scheme);
    out->host = host_len ? xstrndup(host, host_len) : xstrdup("0.0.0.0");
    out->port = p;
    return NULL;
}

int config_parse_listener(const char *url, config_listener_t *out, kr_err_t *err)
{
    const char *why = config_listener_parse_why(url, strlen(url), out);
    if (!why)
        return 0;
    char buf[72];
    return kr_err_set(err, KR_ERR_UNPROCESSABLE, "invalid listener '%s': %s",
                      config_shown(url, buf), why);
}
