/* http/framing.c -- refusing requests whose body length is ambiguous (see framing.h). One pass
 * over every header MHD kept, duplicates included, in the order received.
 * Threads: any. */
#include "http/framing.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What one pass over the headers saw. */
typedef struct framing_seen {
    const char *bad_name;  /* the first name with whitespace in it (before its colon) */
    const char *bad_token; /* the first name with another byte that is not a token's */
    const char *cl;        /* the first Content-Length */
    bool cl_conflict;      /* another Content-Length with a different value */
    size_t n_cl;
    const char *te; /* the first Transfer-Encoding */
    size_t n_te;
    size_t n_host;
    const char *bad_value; /* the name of the first field with CR, LF or NUL in it */
} framing_seen_t;

/* @return whether name is a token (RFC 9110 §5.1, §5.6.2). MHD 0.9.75 appends a folded line
 * (obs-fold, a line starting with SP or HT) to the previous header's name, so this also
 * refuses every fold whose text is not a single token. */
static bool is_token(const char *name)
{
    if (!*name)
        return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              (*p && strchr("!#$%&'*+-.^_`|~", *p))))
            return false;
    return true;
}

/* @return whether the n bytes at s hold CR, LF or NUL (RFC 9110 §5.5: reject or replace). */
static bool has_ctl(const char *s, size_t n)
{
    return strnlen(s, n) != n || memchr(s, '\r', n) || memchr(s, '\n', n);
}

static enum MHD_Result visit(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                             const char *value, size_t value_size)
{
    (void)kind;
    framing_seen_t *s = cls;
    if (!value) {
        value = "";
        value_size = 0;
    }
    if (!s->bad_name && strpbrk(key, " \t"))
        s->bad_name = key;
    else if (!s->bad_token && !is_token(key))
        s->bad_token = key;
    if (!s->bad_value && (has_ctl(key, key_size) || has_ctl(value, value_size)))
        s->bad_value = key;
    if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
        s->n_host++;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (s->n_cl++ == 0)
            s->cl = value;
        else if (strcmp(s->cl, value) != 0)
            s->cl_conflict = true;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        if (s->n_te++ == 0)
            s->te = value;
    }
    return MHD_YES;
}

/* @return whether the n bytes at s are the token "chunked" with optional whitespace. */
static bool is_chunked(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n == 7 && strncasecmp(s, "chunked", 7) == 0;
}

/* A single Transfer-Encoding value: only "chunked" alone is understood. */
static int check_te(const char *te, kr_err_t *err)
{
    if (is_chunked(te, strlen(te)))
        return 0;
    const char *last = strrchr(te, ',');
    if (last && is_chunked(last + 1, strlen(last + 1)))
        return kr_err_set(err, KR_ERR_NOT_IMPLEMENTED,
                          "Transfer-Encoding '%.64s' is not supported (chunked alone is)", te);
    return kr_err_set(err, KR_ERR_BAD_REQUEST,
                      "Transfer-Encoding '%.64s' does not end in chunked: the body length is "
                      "unknown",
                      te);
}

int http_framing_check(struct MHD_Connection *conn, const char *version, kr_err_t *err)
{
    framing_seen_t s = {0};
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, visit, &s);
    if (s.bad_name)
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "Whitespace in the header field name '%.64s' (before its colon)",
                          s.bad_name);
    if (s.bad_token)
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "Invalid character in the header field name '%.64s' (a folded line?)",
                          s.bad_token);
    if (s.bad_value)
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "The header field '%.64s' holds a CR, LF or NUL character", s.bad_value);
    bool http11 = version && strcmp(version, "HTTP/1.1") == 0;
    if (s.n_host > 1 || (http11 && s.n_host == 0))
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          s.n_host ? "More than one Host header" : "HTTP/1.1 request without Host");
    if (s.cl_conflict)
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "Conflicting Content-Length headers");
    if (s.n_te == 0)
        return 0;
    if (version && strcmp(version, "HTTP/1.0") == 0)
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "Transfer-Encoding in an HTTP/1.0 request");
    if (s.n_cl > 0)
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "Both Content-Length and Transfer-Encoding: the body length is "
                          "ambiguous");
    if (s.n_te > 1)
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "More than one Transfer-Encoding header");
    return check_te(s.te, err);
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    size_t *sum = cls;
    *sum += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

size_t http_framing_header_bytes(struct MHD_Connection *conn, const char *method, const char *path)
{
    size_t n = strlen(path) + strlen(method) + 12;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &n);
    return n;
}

bool http_framing_has_body(struct MHD_Connection *conn)
{
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl)
        return strtoull(cl, NULL, 10) > 0;
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) !=
           NULL;
}
