/* http/framing.c -- refusing requests whose body length is ambiguous (see framing.h). One pass
 * over every header MHD kept, duplicates included, in the order received.
 * Threads: any. */
#include "http/framing.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* What one pass over the headers saw. */
typedef struct framing_seen {
    const char *bad_name; /* the first name with whitespace in it (before its colon) */
    const char *cl;       /* the first Content-Length */
    bool cl_conflict;     /* another Content-Length with a different value */
    size_t n_cl;
    const char *te; /* the first Transfer-Encoding */
    size_t n_te;
} framing_seen_t;

static enum MHD_Result visit(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    framing_seen_t *s = cls;
    if (!value)
        value = "";
    if (!s->bad_name && strpbrk(key, " \t"))
        s->bad_name = key;
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
    MHD_get_connection_values(conn, MHD_HEADER_KIND, visit, &s);
    if (s.bad_name)
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "Whitespace in the header field name '%.64s' (before its colon)",
                          s.bad_name);
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
