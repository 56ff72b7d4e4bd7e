/* router/negotiate.c -- media type parsing and Accept negotiation (API.md §1.1, §2.1, K).
 * Everything is parsed in place as (ptr, len) slices of the caller's strings: nothing is
 * allocated and nothing is copied, because it runs on every request and on hostile input.
 * May use: libc only. Pure: no I/O, no mutable state. Threads: any.
 *
 * Accept grammar (RFC 9110 §12.5.1, a little more lenient): elements separated by commas,
 * empty elements skipped; each element is `type/subtype *( OWS ";" OWS name OWS "=" OWS value )`
 * where value is a token or a quoted-string. Only `q` is interpreted. A malformed element is
 * skipped up to the next comma outside a quoted-string. */
#include "router/negotiate.h"

#include <limits.h>
#include <string.h>

/* Offers are matched in chunks of this many, so the per-offer state lives on the stack. */
#define NEG_CHUNK 16

/* q-values are kept in thousandths (RFC 9110 allows three decimals): exact and cheap. */
#define NEG_Q_MAX 1000

typedef struct span {
    const char *p;
    size_t len;
} span_t;

/* One valid Accept element. */
typedef struct range {
    span_t type;
    span_t sub;
    int q; /* 0..NEG_Q_MAX */
} range_t;

/* The most specific client range seen so far for one offer. */
typedef struct hit {
    int spec; /* -1 none, 0 for * / *, 1 for type/ *, 2 for type/subtype */
    int q;
} hit_t;

static const char *const fmt_names[] = {
    [NEG_FMT_NONE] = "",     [NEG_FMT_BINARY] = "binary",         [NEG_FMT_JSON] = "json",
    [NEG_FMT_AVRO] = "avro", [NEG_FMT_JSONSCHEMA] = "jsonschema", [NEG_FMT_PROTOBUF] = "protobuf",
};

/* ---- lexing ------------------------------------------------------------------------------ */

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 9110 tchar; bytes >= 0x80 are not. */
static int is_tchar(char ch)
{
    unsigned char c = (unsigned char)ch;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static const char *skip_ows(const char *s)
{
    while (is_ows(*s))
        s++;
    return s;
}

static const char *scan_token(const char *s, span_t *tok)
{
    tok->p = s;
    while (is_tchar(*s))
        s++;
    tok->len = (size_t)(s - tok->p);
    return s;
}

/* ASCII case-insensitive comparison of a slice with a lowercase literal. */
static int span_is(const span_t *a, const char *lit)
{
    size_t n = strlen(lit);
    if (a->len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (lower(a->p[i]) != lit[i])
            return 0;
    }
    return 1;
}

static int span_eq_ci(const span_t *a, const span_t *b)
{
    if (a->len != b->len)
        return 0;
    for (size_t i = 0; i < a->len; i++) {
        if (lower(a->p[i]) != lower(b->p[i]))
            return 0;
    }
    return 1;
}

/* Parses `type/subtype` at s (no leading whitespace). @return the end, or NULL. */
static const char *scan_type(const char *s, span_t *type, span_t *sub)
{
    s = scan_token(s, type);
    if (type->len == 0 || *s != '/')
        return NULL;
    s = scan_token(s + 1, sub);
    if (sub->len == 0)
        return NULL;
    return s;
}

/* Parses a quoted-string whose opening quote is at s. @return past the closing quote, or NULL
 * when it is unterminated. */
static const char *scan_quoted(const char *s)
{
    for (s++; *s != '"'; s++) {
        if (*s == '\0')
            return NULL;
        if (*s == '\\' && *++s == '\0')
            return NULL;
    }
    return s + 1;
}

/* Skips the rest of a malformed element: @return past the next comma outside a
 * quoted-string, or the terminating NUL. */
static const char *skip_element(const char *s)
{
    while (*s != '\0' && *s != ',') {
        if (*s == '"') {
            const char *e = scan_quoted(s);
            if (!e)
                return s + strlen(s);
            s = e;
        } else {
            s++;
        }
    }
    return *s == ',' ? s + 1 : s;
}

/* ---- Accept ------------------------------------------------------------------------------ */

/* Parses a qvalue exactly as RFC 9110 §12.4.2 has it: "0" [ "." 0*3DIGIT ] or
 * "1" [ "." 0*3"0" ]. @return thousandths, or -1. */
static int parse_q(const span_t *v)
{
    if (v->len == 0 || v->len > 5 || (v->p[0] != '0' && v->p[0] != '1'))
        return -1;
    int whole = v->p[0] - '0';
    if (v->len == 1)
        return whole * NEG_Q_MAX;
    if (v->p[1] != '.')
        return -1;
    int frac = 0;
    int scale = NEG_Q_MAX;
    for (size_t i = 2; i < v->len; i++) {
        char c = v->p[i];
        if (c < '0' || c > '9' || (whole == 1 && c != '0'))
            return -1;
        scale /= 10;
        frac += (c - '0') * scale;
    }
    return whole * NEG_Q_MAX + frac;
}

/* Parses one parameter after its ';'; an empty one (";;" or a trailing ';') is tolerated.
 * Sets *q when the parameter is q. @return the end, or NULL when malformed. */
static const char *scan_param(const char *s, int *q)
{
    s = skip_ows(s);
    if (*s == ';' || *s == ',' || *s == '\0')
        return s;
    span_t name;
    s = skip_ows(scan_token(s, &name));
    if (name.len == 0 || *s != '=')
        return NULL;
    s = skip_ows(s + 1);
    if (*s == '"') {
        /* A quoted q is not a qvalue. */
        return span_is(&name, "q") ? NULL : scan_quoted(s);
    }
    span_t value;
    s = scan_token(s, &value);
    if (value.len == 0)
        return NULL;
    if (span_is(&name, "q")) {
        *q = parse_q(&value);
        if (*q < 0)
            return NULL;
    }
    return s;
}

/* Parses the type, subtype and parameters of a non-empty element at s.
 * @return the end of the element (at ',' or NUL), or NULL when malformed. */
static const char *scan_range(const char *s, range_t *r)
{
    s = scan_type(s, &r->type, &r->sub);
    if (!s)
        return NULL;
    /* "* /json" names no set of types. */
    if (span_is(&r->type, "*") && !span_is(&r->sub, "*"))
        return NULL;
    r->q = NEG_Q_MAX;
    for (;;) {
        s = skip_ows(s);
        if (*s == ',' || *s == '\0')
            return s;
        if (*s != ';')
            return NULL;
        s = scan_param(s + 1, &r->q);
        if (!s)
            return NULL;
    }
}

/* Reads the element starting at s and sets *next past it (and past its comma).
 * @return 1 for a valid range (*r filled), 0 for an empty element, -1 for a malformed one. */
static int next_range(const char *s, const char **next, range_t *r)
{
    s = skip_ows(s);
    if (*s == '\0' || *s == ',') {
        *next = *s == ',' ? s + 1 : s;
        return 0;
    }
    const char *e = scan_range(s, r);
    if (!e) {
        *next = skip_element(s);
        return -1;
    }
    *next = *e == ',' ? e + 1 : e;
    return 1;
}

/* @return how specifically range r names type/sub (0, 1, 2), or -1 when it does not. */
static int range_match(const range_t *r, const span_t *type, const span_t *sub)
{
    if (span_is(&r->type, "*"))
        return 0;
    if (!span_eq_ci(&r->type, type))
        return -1;
    if (span_is(&r->sub, "*"))
        return 1;
    return span_eq_ci(&r->sub, sub) ? 2 : -1;
}

/* Records range r against each offer: the most specific range wins; between equally specific
 * ranges (a duplicate in the header) the higher q. */
static void note_range(const range_t *r, const span_t *types, const span_t *subs, hit_t *hits,
                       size_t k)
{
    for (size_t i = 0; i < k; i++) {
        if (types[i].p == NULL)
            continue;
        int spec = range_match(r, &types[i], &subs[i]);
        if (spec > hits[i].spec || (spec == hits[i].spec && r->q > hits[i].q)) {
            hits[i].spec = spec;
            hits[i].q = r->q;
        }
    }
}

/* Matches every range of the header against k offers. @return the number of valid ranges. */
static size_t scan_accept(const char *accept, const span_t *types, const span_t *subs, hit_t *hits,
                          size_t k)
{
    size_t valid = 0;
    const char *s = accept;
    while (*s != '\0') {
        range_t r;
        if (next_range(s, &s, &r) == 1) {
            valid++;
            note_range(&r, types, subs, hits, k);
        }
    }
    return valid;
}

/* Splits an offer's type; a NULL or malformed one (a programmer error) never matches. */
static int parse_offer(const neg_offer_t *o, span_t *type, span_t *sub)
{
    if (o->type == NULL)
        return -1;
    const char *e = scan_type(skip_ows(o->type), type, sub);
    if (!e)
        return -1;
    e = skip_ows(e);
    return (*e == '\0' || *e == ';') ? 0 : -1;
}

/* No Accept: the valid offer with the highest qs, the earliest on a tie. */
static int pick_by_qs(const neg_offer_t *offers, size_t n)
{
    int best = -1;
    for (size_t i = 0; i < n; i++) {
        span_t type, sub;
        if (parse_offer(&offers[i], &type, &sub) < 0)
            continue;
        if (best < 0 || offers[i].qs > offers[best].qs)
            best = (int)i;
    }
    return best;
}

static int is_blank(const char *s)
{
    return *skip_ows(s) == '\0';
}

/* @return whether offer a (hit ha) beats offer b (hit hb): specificity, q, then qs. */
static int beats(const hit_t *ha, float qsa, const hit_t *hb, float qsb)
{
    if (ha->spec != hb->spec)
        return ha->spec > hb->spec;
    if (ha->q != hb->q)
        return ha->q > hb->q;
    return qsa > qsb;
}

int neg_pick(const char *accept, const neg_offer_t *offers, size_t n)
{
    if (!offers || n == 0 || n > (size_t)INT_MAX)
        return -1;
    if (!accept || is_blank(accept))
        return pick_by_qs(offers, n);
    int best = -1;
    hit_t best_hit = {-1, 0};
    for (size_t base = 0; base < n; base += NEG_CHUNK) {
        size_t k = n - base < NEG_CHUNK ? n - base : NEG_CHUNK;
        span_t types[NEG_CHUNK], subs[NEG_CHUNK];
        hit_t hits[NEG_CHUNK];
        for (size_t i = 0; i < k; i++) {
            hits[i] = (hit_t){-1, 0};
            if (parse_offer(&offers[base + i], &types[i], &subs[i]) < 0)
                types[i].p = NULL;
        }
        if (scan_accept(accept, types, subs, hits, k) == 0)
            return pick_by_qs(offers, n); /* nothing but malformed ranges: as no Accept */
        for (size_t i = 0; i < k; i++) {
            if (hits[i].spec < 0 || hits[i].q == 0)
                continue;
            if (best < 0 || beats(&hits[i], offers[base + i].qs, &best_hit, offers[best].qs)) {
                best = (int)(base + i);
                best_hit = hits[i];
            }
        }
    }
    return best;
}

int neg_names(const char *accept, const char *type)
{
    span_t t, sub;
    neg_offer_t offer = {type, 1.0f};
    if (!accept || parse_offer(&offer, &t, &sub) < 0)
        return 0;
    hit_t hit = {-1, 0};
    scan_accept(accept, &t, &sub, &hit, 1);
    return hit.spec == 2 && hit.q > 0;
}

/* ---- Content-Type ------------------------------------------------------------------------ */

static neg_format_t format_of(const span_t *name)
{
    for (size_t f = NEG_FMT_BINARY; f < sizeof fmt_names / sizeof fmt_names[0]; f++) {
        if (span_is(name, fmt_names[f]))
            return (neg_format_t)f;
    }
    return NEG_FMT_NONE;
}

static const char *last_dot(const span_t *s)
{
    for (size_t i = s->len; i > 0; i--) {
        if (s->p[i - 1] == '.')
            return s->p + i - 1;
    }
    return NULL;
}

/* Classifies `vnd.kafka.[<fmt>.]v<N>+json` (case-insensitive); leaves *out UNKNOWN otherwise. */
static void classify_vnd(const span_t *sub, neg_media_t *out)
{
    static const char prefix[] = "vnd.kafka.";
    static const char suffix[] = "+json";
    size_t pre = sizeof prefix - 1, suf = sizeof suffix - 1;
    if (sub->len <= pre + suf)
        return;
    span_t head = {sub->p, pre}, tail = {sub->p + sub->len - suf, suf};
    if (!span_is(&head, prefix) || !span_is(&tail, suffix))
        return;
    span_t mid = {sub->p + pre, sub->len - pre - suf};
    const char *dot = last_dot(&mid);
    span_t ver = mid, fmt = {mid.p, 0};
    if (dot) {
        fmt.len = (size_t)(dot - mid.p);
        ver = (span_t){dot + 1, mid.len - fmt.len - 1};
    }
    int version = span_is(&ver, "v1") ? 1 : span_is(&ver, "v2") ? 2 : 0;
    neg_format_t f = dot ? format_of(&fmt) : NEG_FMT_NONE;
    if (version == 0 || (dot && f == NEG_FMT_NONE))
        return;
    out->kind = NEG_KIND_VND_KAFKA;
    out->version = version;
    out->format = f;
}

static void classify(const span_t *type, const span_t *sub, neg_media_t *out)
{
    if (!span_is(type, "application"))
        return;
    if (span_is(sub, "json"))
        out->kind = NEG_KIND_JSON;
    else if (span_is(sub, "octet-stream"))
        out->kind = NEG_KIND_OCTET_STREAM;
    else if (span_is(sub, "vnd.kafka+json"))
        out->kind = NEG_KIND_VND_KAFKA_ANY;
    else if (span_is(sub, "vnd.schemaregistry.v1+json") || span_is(sub, "vnd.schemaregistry+json"))
        out->kind = NEG_KIND_VND_SR;
    else
        classify_vnd(sub, out);
}

int neg_parse_media(const char *text, neg_media_t *out)
{
    if (!out)
        return -1;
    *out = (neg_media_t){NEG_KIND_UNKNOWN, 0, NEG_FMT_NONE};
    if (!text)
        return -1;
    span_t type, sub;
    const char *e = scan_type(skip_ows(text), &type, &sub);
    if (!e)
        return -1;
    e = skip_ows(e);
    if (*e != '\0' && *e != ';')
        return -1;
    classify(&type, &sub, out);
    return 0;
}

int neg_version_of(const neg_media_t *m)
{
    return (m && m->kind == NEG_KIND_VND_KAFKA && m->version == 1) ? 1 : 2;
}

const char *neg_format_name(neg_format_t f)
{
    if ((size_t)f >= sizeof fmt_names / sizeof fmt_names[0])
        return "";
    return fmt_names[f];
}
