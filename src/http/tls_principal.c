/* http/tls_principal.c -- a client certificate's subject as Java prints it, and Kafka's
 * ssl.principal.mapping.rules applied to it (see tls_principal.h).
 * Threads: mappers are immutable once built; every call keeps its state on its own stack. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "http/tls_principal.h"

#include "util/buf.h"
#include "util/mem.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A DN or a rule's output longer than this is refused (no certificate subject comes close). */
#define NAME_MAX_BYTES ((size_t)64 << 10)

typedef struct rule {
    bool is_default;
    pcre2_code *re;
    char *replacement;
    char kase; /* 0, 'L' or 'U' */
    uint32_t n_groups;
} rule_t;

struct http_tls_mapper {
    rule_t *rules;
    size_t n;
};

void http_tls_mapper_free(http_tls_mapper_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        pcre2_code_free(m->rules[i].re);
        xfree(m->rules[i].replacement);
    }
    xfree(m->rules);
    xfree(m);
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
        p++;
    return p;
}

/* Reads one '/'-terminated part of a RULE (a backslash keeps the next character in the part).
 * @return the '/' that ends it, or NULL when there is none. */
static const char *rule_part(const char *p)
{
    for (; *p && *p != '/'; p++) {
        if (*p == '\\' && !*++p)
            return NULL;
    }
    return *p == '/' ? p : NULL;
}

static int bad_rule(kr_err_t *err, const char *rule, const char *why)
{
    size_t n = strcspn(rule, ",");
    return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                      "invalid ssl.principal.mapping.rules rule '%.*s': %s",
                      (int)(n > 200 ? 200 : n), rule, why);
}

/* Compiles "RULE:pattern/replacement/[LU]" starting at p into r.
 * @return the first character after the rule, or NULL with err set. */
static const char *parse_rule(const char *p, rule_t *r, kr_err_t *err)
{
    const char *start = p;
    const char *pat = p + 5; /* after "RULE:" */
    const char *pat_end = rule_part(pat);
    const char *rep_end = pat_end ? rule_part(pat_end + 1) : NULL;
    if (!rep_end) {
        bad_rule(err, start, "expected RULE:pattern/replacement/ with an optional L or U");
        return NULL;
    }
    int ec = 0;
    PCRE2_SIZE eo = 0;
    r->re = pcre2_compile((PCRE2_SPTR)pat, (PCRE2_SIZE)(pat_end - pat), PCRE2_UTF, &ec, &eo, NULL);
    if (!r->re) {
        char msg[160];
        pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof(msg));
        bad_rule(err, start, msg);
        return NULL;
    }
    pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &r->n_groups);
    r->replacement = xstrndup(pat_end + 1, (size_t)(rep_end - pat_end - 1));
    p = rep_end + 1;
    if (*p == 'L' || *p == 'U')
        r->kase = *p++;
    return p;
}

/* Parses one item at p (DEFAULT, RULE:..., or nothing) into r; r->re stays NULL and
 * is_default false for an empty item. @return the end of the item, or NULL with err set. */
static const char *parse_item(const char *p, rule_t *r, kr_err_t *err)
{
    if (strncmp(p, "DEFAULT", 7) == 0) {
        r->is_default = true;
        return p + 7;
    }
    if (strncmp(p, "RULE:", 5) == 0)
        return parse_rule(p, r, err);
    if (*p == ',' || !*p)
        return p;
    bad_rule(err, p, "expected DEFAULT or RULE:pattern/replacement/");
    return NULL;
}

http_tls_mapper_t *http_tls_mapper_new(const char *rules, kr_err_t *err)
{
    http_tls_mapper_t *m = xcalloc(1, sizeof(*m));
    const char *p = skip_ws(rules ? rules : "");
    if (!*p) {
        m->rules = xcalloc(1, sizeof(rule_t));
        m->rules[0].is_default = true;
        m->n = 1;
        return m;
    }
    while (*p) {
        rule_t r = {0};
        const char *start = p;
        const char *end = parse_item(p, &r, err);
        if (end) {
            end = skip_ws(end);
            if (*end && *end != ',') {
                bad_rule(err, start, "unexpected text after the rule");
                end = NULL;
            }
        }
        if (!end) {
            pcre2_code_free(r.re);
            xfree(r.replacement);
            http_tls_mapper_free(m);
            return NULL;
        }
        if (r.is_default || r.re) {
            m->rules = xrealloc(m->rules, (m->n + 1) * sizeof(rule_t));
            m->rules[m->n++] = r;
        }
        p = *end == ',' ? skip_ws(end + 1) : end;
    }
    return m;
}

static void put_group(kr_buf_t *out, const char *s, const PCRE2_SIZE *ov, uint32_t g, int rc)
{
    if ((int)g >= rc || ov[2 * g] == PCRE2_UNSET)
        return; /* a group that took no part in the match adds nothing */
    kr_buf_append(out, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

/* "$n..." at rep[i] (rep[i + 1] a digit): the longest run of digits naming a group, as Java
 * reads it; none (the first digit names no group) is literal text.
 * @return the index after what was used. */
static size_t put_numbered(kr_buf_t *out, const rule_t *r, const char *s, const PCRE2_SIZE *ov,
                           int rc, size_t i)
{
    const char *rep = r->replacement;
    uint32_t g = (uint32_t)(rep[i + 1] - '0');
    if (g > r->n_groups) {
        kr_buf_putc(out, '$');
        return i + 1;
    }
    size_t j = i + 2;
    while (isdigit((unsigned char)rep[j]) && g * 10 + (uint32_t)(rep[j] - '0') <= r->n_groups)
        g = g * 10 + (uint32_t)(rep[j++] - '0');
    put_group(out, s, ov, g, rc);
    return j;
}

/* "${name}" at rep[i]: a named group; an unknown name or no '}' is literal text. */
static size_t put_named(kr_buf_t *out, const rule_t *r, const char *s, const PCRE2_SIZE *ov, int rc,
                        size_t i)
{
    const char *rep = r->replacement;
    const char *close = strchr(rep + i + 2, '}');
    if (!close || close - (rep + i + 2) > 64) {
        kr_buf_putc(out, '$');
        return i + 1;
    }
    char name[72];
    snprintf(name, sizeof(name), "%.*s", (int)(close - (rep + i + 2)), rep + i + 2);
    int g = pcre2_substring_number_from_name(r->re, (PCRE2_SPTR)name);
    if (g < 0) {
        kr_buf_putc(out, '$');
        return i + 1;
    }
    put_group(out, s, ov, (uint32_t)g, rc);
    return (size_t)(close - rep) + 1;
}

/* Appends r's replacement for one match (Java's appendReplacement). */
static void expand(kr_buf_t *out, const rule_t *r, const char *s, const PCRE2_SIZE *ov, int rc)
{
    const char *rep = r->replacement;
    size_t i = 0;
    while (rep[i]) {
        if (rep[i] == '\\' && rep[i + 1]) {
            kr_buf_putc(out, rep[i + 1]);
            i += 2;
        } else if (rep[i] == '$' && isdigit((unsigned char)rep[i + 1])) {
            i = put_numbered(out, r, s, ov, rc, i);
        } else if (rep[i] == '$' && rep[i + 1] == '{') {
            i = put_named(out, r, s, ov, rc, i);
        } else {
            kr_buf_putc(out, rep[i++]);
        }
    }
}

/* The buffer's text (owned), or NULL when it reached NAME_MAX_BYTES (an append failed). */
static char *finish(kr_buf_t *out)
{
    size_t n = 0;
    if (out->len + 1 >= NAME_MAX_BYTES) {
        kr_buf_deinit(out);
        return NULL;
    }
    return kr_buf_steal(out, &n);
}

/* Length of the UTF-8 character at s[i] (1 for a stray byte). */
static size_t char_len(const char *s, size_t i, size_t len)
{
    size_t n = 1;
    while (i + n < len && ((unsigned char)s[i + n] & 0xC0) == 0x80)
        n++;
    return n;
}

/* dn.replaceAll(r's pattern, r's replacement), with Java's rule for empty matches (the next
 * search starts one character further). @return owned, or NULL when too long. */
static char *replace_all(const rule_t *r, const char *dn, size_t len, pcre2_match_data *md)
{
    kr_buf_t out;
    kr_buf_init(&out, NAME_MAX_BYTES);
    size_t copied = 0;
    size_t from = 0;
    while (from <= len) {
        int rc = pcre2_match(r->re, (PCRE2_SPTR)dn, len, from, 0, md, NULL);
        if (rc <= 0)
            break;
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        kr_buf_append(&out, dn + copied, ov[0] - copied);
        expand(&out, r, dn, ov, rc);
        copied = ov[1];
        from = ov[1] > ov[0] ? ov[1] : ov[1] + (ov[1] < len ? char_len(dn, ov[1], len) : 1);
    }
    kr_buf_append(&out, dn + copied, len - copied);
    return finish(&out);
}

static char *apply_rule(const rule_t *r, const char *dn, size_t len)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->re, NULL);
    char *res = NULL;
    if (pcre2_match(r->re, (PCRE2_SPTR)dn, len, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, NULL) >
        0)
        res = replace_all(r, dn, len, md);
    pcre2_match_data_free(md);
    for (char *c = res; c && r->kase && *c; c++) {
        if ((unsigned char)*c < 0x80)
            *c = (char)(r->kase == 'L' ? tolower((unsigned char)*c) : toupper((unsigned char)*c));
    }
    return res;
}

char *http_tls_mapper_apply(const http_tls_mapper_t *m, const char *dn)
{
    size_t len = strlen(dn);
    if (len > NAME_MAX_BYTES)
        return NULL;
    for (size_t i = 0; i < m->n; i++) {
        if (m->rules[i].is_default)
            return xstrdup(dn);
        char *res = apply_rule(&m->rules[i], dn, len);
        if (res)
            return res;
    }
    return NULL;
}

/* ---- the subject, as Java's X500Principal.getName() ---- */

static const struct {
    const char *oid;
    const char *keyword;
} keywords[] = {
    {"2.5.4.3", "CN"},
    {"2.5.4.6", "C"},
    {"2.5.4.7", "L"},
    {"2.5.4.8", "ST"},
    {"2.5.4.10", "O"},
    {"2.5.4.11", "OU"},
    {"2.5.4.9", "STREET"},
    {"0.9.2342.19200300.100.1.25", "DC"},
    {"0.9.2342.19200300.100.1.1", "UID"},
};

static const char *keyword_of(const gnutls_datum_t *oid)
{
    size_t n = strnlen((const char *)oid->data, oid->size); /* GnuTLS may count a NUL */
    for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
        if (strlen(keywords[i].oid) == n && memcmp(keywords[i].oid, oid->data, n) == 0)
            return keywords[i].keyword;
    }
    return NULL;
}

/* ASN.1 string tags whose bytes are text krest can write as UTF-8 as they are. */
static bool is_text_tag(unsigned long tag)
{
    return tag == 12 /* UTF8String */ || tag == 19 /* PrintableString */ ||
           tag == 22 /* IA5String */ || tag == 20 /* TeletexString */;
}

static void put_escaped(kr_buf_t *out, const unsigned char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = v[i];
        bool edge = (i == 0 && (c == ' ' || c == '#')) || (i + 1 == n && c == ' ');
        if (edge || (c != '\0' && strchr(",=+<>#;\"\\", c) != NULL))
            kr_buf_putc(out, '\\');
        kr_buf_putc(out, (char)c);
    }
}

/* #hex of the value's DER encoding: tag, length, content. */
static void put_hex_der(kr_buf_t *out, const gnutls_x509_ava_st *ava)
{
    unsigned char hdr[8];
    size_t h = 0;
    size_t n = ava->value.size;
    hdr[h++] = (unsigned char)ava->value_tag;
    if (n < 0x80) {
        hdr[h++] = (unsigned char)n;
    } else {
        size_t bytes = n > 0xFFFFFF ? 4 : n > 0xFFFF ? 3 : n > 0xFF ? 2 : 1;
        hdr[h++] = (unsigned char)(0x80 | bytes);
        for (size_t b = bytes; b-- > 0;)
            hdr[h++] = (unsigned char)(n >> (8 * b));
    }
    kr_buf_putc(out, '#');
    for (size_t i = 0; i < h; i++)
        kr_buf_printf(out, "%02x", hdr[i]);
    for (size_t i = 0; i < n; i++)
        kr_buf_printf(out, "%02x", ava->value.data[i]);
}

static void put_ava(kr_buf_t *out, const gnutls_x509_ava_st *ava)
{
    const char *kw = keyword_of(&ava->oid);
    if (kw && is_text_tag(ava->value_tag)) {
        kr_buf_printf(out, "%s=", kw);
        put_escaped(out, ava->value.data, ava->value.size);
        return;
    }
    if (kw)
        kr_buf_printf(out, "%s=", kw);
    else
        kr_buf_printf(out, "%.*s=", (int)strnlen((const char *)ava->oid.data, ava->oid.size),
                      (const char *)ava->oid.data);
    put_hex_der(out, ava);
}

char *http_tls_subject_name(gnutls_x509_crt_t crt)
{
    gnutls_x509_dn_t dn;
    if (gnutls_x509_crt_get_subject(crt, &dn) < 0)
        return NULL;
    int n_rdn = 0;
    gnutls_x509_ava_st ava;
    while (n_rdn < 256 && gnutls_x509_dn_get_rdn_ava(dn, n_rdn, 0, &ava) == 0)
        n_rdn++;
    kr_buf_t out;
    kr_buf_init(&out, NAME_MAX_BYTES);
    for (int i = n_rdn - 1; i >= 0; i--) {
        if (i != n_rdn - 1)
            kr_buf_putc(&out, ',');
        for (int a = 0; a < 64 && gnutls_x509_dn_get_rdn_ava(dn, i, a, &ava) == 0; a++) {
            if (a > 0)
                kr_buf_putc(&out, '+');
            put_ava(&out, &ava);
        }
    }
    return finish(&out);
}
