/* http/encoding.c -- coding names and Accept-Encoding negotiation (see encoding.h).
 * Pure; threads: any. */
#include "http/encoding.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const names[HTTP_CODING_COUNT] = {"identity", "gzip", "deflate", "br", "zstd"};

/* Ties in q go to the first of these (the codecs that compress best per CPU second first). */
static const http_coding_t preference[] = {HTTP_CODING_ZSTD, HTTP_CODING_BR, HTTP_CODING_GZIP,
                                           HTTP_CODING_DEFLATE};

const char *http_coding_name(http_coding_t c)
{
    return c >= 0 && c < HTTP_CODING_COUNT ? names[c] : "none";
}

http_coding_t http_coding_parse(const char *s, size_t n)
{
    for (int c = 0; c < HTTP_CODING_COUNT; c++)
        if (strlen(names[c]) == n && strncasecmp(s, names[c], n) == 0)
            return (http_coding_t)c;
    if (n == 6 && strncasecmp(s, "x-gzip", 6) == 0)
        return HTTP_CODING_GZIP;
    return HTTP_CODING_NONE;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Trims optional white space around [*s, *e). */
static void trim(const char **s, const char **e)
{
    while (*s < *e && is_ows(**s))
        (*s)++;
    while (*e > *s && is_ows((*e)[-1]))
        (*e)--;
}

int http_codings_parse(const char *list, unsigned *mask, kr_err_t *err)
{
    *mask = 0;
    const char *p = list ? list : "";
    while (*p) {
        const char *e = strchr(p, ',');
        if (!e)
            e = p + strlen(p);
        const char *s = p;
        trim(&s, &e);
        http_coding_t c = http_coding_parse(s, (size_t)(e - s));
        if (e > s && (c == HTTP_CODING_NONE || c == HTTP_CODING_IDENTITY))
            return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                              "krest.compression.codecs: unknown codec '%.*s' (gzip, deflate, "
                              "br, zstd)",
                              (int)(e - s), s);
        if (e > s)
            *mask |= HTTP_CODING_BIT(c);
        p = *e ? e + 1 : e;
    }
    return 0;
}

/* Parses the weight of one element's parameters [s, e) ("; q=0.5"). Parameters other than q
 * are ignored. @return the weight in thousandths (1000 when absent), -1 when q is malformed. */
static int parse_weight(const char *s, const char *e)
{
    int q = 1000;
    while (s < e) {
        const char *semi = memchr(s, ';', (size_t)(e - s));
        const char *pe = semi ? semi : e;
        const char *ps = s;
        trim(&ps, &pe);
        if (pe - ps >= 2 && (ps[0] == 'q' || ps[0] == 'Q') && ps[1] == '=') {
            const char *v = ps + 2;
            if (v >= pe || (*v != '0' && *v != '1'))
                return -1;
            q = (*v - '0') * 1000;
            v++;
            if (v < pe && *v == '.') {
                int scale = 100;
                for (v++; v < pe && *v >= '0' && *v <= '9' && scale > 0; v++, scale /= 10)
                    q += (*v - '0') * scale;
            }
            if (v != pe || q > 1000)
                return -1;
        }
        s = semi ? semi + 1 : e;
    }
    return q;
}

/* Weights the client gave: -1 where it named nothing. */
typedef struct weights {
    int q[HTTP_CODING_COUNT];
    int star;
} weights_t;

static void parse_accept(const char *ae, weights_t *w)
{
    for (int c = 0; c < HTTP_CODING_COUNT; c++)
        w->q[c] = -1;
    w->star = -1;
    const char *p = ae;
    while (*p) {
        const char *e = strchr(p, ',');
        if (!e)
            e = p + strlen(p);
        const char *semi = memchr(p, ';', (size_t)(e - p));
        const char *ts = p, *te = semi ? semi : e;
        trim(&ts, &te);
        int q = parse_weight(semi ? semi + 1 : e, e);
        if (te > ts && q >= 0) {
            http_coding_t c = http_coding_parse(ts, (size_t)(te - ts));
            if (te - ts == 1 && *ts == '*')
                w->star = q;
            else if (c != HTTP_CODING_NONE && q > w->q[c])
                w->q[c] = q;
        }
        p = *e ? e + 1 : e;
    }
}

http_encoding_choice_t http_encoding_choose(const char *ae, unsigned allowed)
{
    http_encoding_choice_t ch = {HTTP_CODING_IDENTITY, true};
    if (!ae)
        return ch;
    weights_t w;
    parse_accept(ae, &w);
    int id_q = w.q[HTTP_CODING_IDENTITY] >= 0 ? w.q[HTTP_CODING_IDENTITY]
               : w.star >= 0                  ? w.star
                                              : 1;
    http_coding_t best = HTTP_CODING_NONE;
    int best_q = 0;
    for (size_t i = 0; i < sizeof(preference) / sizeof(preference[0]); i++) {
        http_coding_t c = preference[i];
        int q = w.q[c] >= 0 ? w.q[c] : w.star >= 0 ? w.star : 0;
        if ((allowed & HTTP_CODING_BIT(c)) && q > best_q) {
            best = c;
            best_q = q;
        }
    }
    ch.identity_ok = id_q > 0;
    if (best != HTTP_CODING_NONE && best_q >= id_q)
        ch.coding = best;
    else if (!ch.identity_ok)
        ch.coding = HTTP_CODING_NONE;
    return ch;
}
