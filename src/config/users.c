/* config/users.c -- Jetty's password file (see users.h): the properties parser gives the
 * pairs, this file splits each value into a credential and roles, decodes OBF: and MD5:, and
 * keeps the users sorted for a binary search.
 * May use: util/. Threads: any; no state between calls. */
#include "config/users.h"

#include "config/properties.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct builder {
    config_users_t *users;
    size_t cap;
} builder_t;

static void wipe(char *s, size_t n)
{
    if (s)
        explicit_bzero(s, n);
}

static void user_deinit(config_user_t *u)
{
    xfree(u->name);
    wipe(u->secret, u->secret_len);
    xfree(u->secret);
    explicit_bzero(u->md5, sizeof(u->md5));
    for (size_t i = 0; i < u->n_roles; i++)
        xfree(u->roles[i]);
    xfree(u->roles);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

/* The slice s[0..n) without surrounding whitespace (Java's trim, roughly). */
static const char *trim(const char *s, size_t *n)
{
    while (*n > 0 && is_space(*s)) {
        s++;
        (*n)--;
    }
    while (*n > 0 && is_space(s[*n - 1]))
        (*n)--;
    return s;
}

static int base36(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return -1;
}

/* Four base-36 digits. @return their value, or -1. */
static long chunk36(const char *s)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int d = base36(s[i]);
        if (d < 0)
            return -1;
        v = v * 36 + d;
    }
    return v;
}

long config_users_deobfuscate(const char *text, size_t n, char *out)
{
    size_t len = 0;
    for (size_t i = 0; i < n;) {
        bool wide = text[i] == 'U'; /* a byte outside ASCII: "U" and four digits */
        size_t at = wide ? i + 1 : i;
        if (at + 4 > n)
            return -1;
        long v = chunk36(text + at);
        if (v < 0)
            return -1;
        out[len++] =
            wide ? (char)((v >> 8) & 0xff) : (char)(((v / 256 + v % 256 - 254) / 2) & 0xff);
        i = at + 4;
    }
    out[len] = '\0';
    return (long)len;
}

static int hex_digit(char c)
{
    int d = base36(c);
    return d >= 0 && d < 16 ? d : -1;
}

/* MD5:<32 hex digits>. */
static int parse_md5(const char *s, size_t n, unsigned char out[16])
{
    if (n != 32)
        return -1;
    for (size_t i = 0; i < 16; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi * 16 + lo);
    }
    return 0;
}

static bool is_bare_bcrypt(const char *s, size_t n)
{
    return n > 4 && s[0] == '$' && s[1] == '2' && strchr("aby", s[2]) && s[2] && s[3] == '$';
}

/* Reads the credential of one line into u. */
static int parse_credential(config_user_t *u, const char *s, size_t n, size_t line, kr_err_t *err)
{
    if (n >= 4 && strncmp(s, "OBF:", 4) == 0) {
        char *plain = xmalloc((n - 4) / 2 + 1);
        long len = config_users_deobfuscate(s + 4, n - 4, plain);
        if (len < 0) {
            xfree(plain);
            return kr_err_set(err, KR_ERR_UNPROCESSABLE, "line %zu: malformed OBF: credential",
                              line);
        }
        u->secret = plain;
        u->secret_len = (size_t)len;
        return 0;
    }
    if (n >= 4 && strncmp(s, "MD5:", 4) == 0) {
        u->kind = CONFIG_CRED_MD5;
        if (parse_md5(s + 4, n - 4, u->md5) != 0)
            return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                              "line %zu: an MD5: credential is 32 hexadecimal digits", line);
        return 0;
    }
    bool crypt_prefix = n >= 6 && strncmp(s, "CRYPT:", 6) == 0;
    if (crypt_prefix || is_bare_bcrypt(s, n)) {
        size_t skip = crypt_prefix ? 6 : 0;
        u->kind = CONFIG_CRED_CRYPT;
        if (n - skip < 2)
            return kr_err_set(err, KR_ERR_UNPROCESSABLE, "line %zu: empty CRYPT: credential", line);
        u->secret = xstrndup(s + skip, n - skip);
        u->secret_len = n - skip;
        return 0;
    }
    u->secret = xstrndup(s, n);
    u->secret_len = n;
    return 0;
}

/* Roles: the comma list after the credential, trimmed, empty items dropped. */
static void parse_roles(config_user_t *u, const char *s, size_t n)
{
    while (n > 0) {
        const char *comma = memchr(s, ',', n);
        size_t item = comma ? (size_t)(comma - s) : n;
        size_t tn = item;
        const char *t = trim(s, &tn);
        if (tn > 0) {
            u->roles = xrealloc(u->roles, (u->n_roles + 1) * sizeof(char *));
            u->roles[u->n_roles++] = xstrndup(t, tn);
        }
        s += item + (comma ? 1 : 0);
        n -= item + (comma ? 1 : 0);
    }
}

static int on_pair(void *ctx, const char *key, const char *value, size_t line, kr_err_t *err)
{
    builder_t *b = ctx;
    size_t kn = strlen(key), vn = strlen(value);
    const char *k = trim(key, &kn);
    if (kn == 0)
        return 0; /* Jetty skips a line without a user name */
    config_user_t u = {.name = xstrndup(k, kn), ._order = b->users->n};
    const char *comma = memchr(value, ',', vn);
    size_t cn = comma ? (size_t)(comma - value) : vn;
    const char *cred = trim(value, &cn);
    if (parse_credential(&u, cred, cn, line, err) != 0) {
        user_deinit(&u);
        return -1;
    }
    if (comma)
        parse_roles(&u, comma + 1, vn - (size_t)(comma + 1 - value));
    if (b->users->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->users->v = xrealloc(b->users->v, b->cap * sizeof(config_user_t));
    }
    b->users->v[b->users->n++] = u;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    const config_user_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    return x->_order < y->_order ? -1 : 1; /* file order among equal names */
}

/* Sorts by name and keeps the last entry of each name (java.util.Properties: last wins). */
static void sort_unique(config_users_t *users)
{
    if (users->n == 0)
        return;
    qsort(users->v, users->n, sizeof(config_user_t), by_name);
    size_t w = 0;
    for (size_t i = 0; i < users->n; i++) {
        if (i + 1 < users->n && strcmp(users->v[i].name, users->v[i + 1].name) == 0) {
            user_deinit(&users->v[i]);
            continue;
        }
        users->v[w++] = users->v[i];
    }
    users->n = w;
}

int config_users_parse(const char *text, size_t len, config_users_t **out, kr_err_t *err)
{
    builder_t b = {.users = xcalloc(1, sizeof(config_users_t))};
    if (len > 0 && config_props_parse(text, len, on_pair, &b, err) != 0) {
        config_users_free(b.users);
        return -1;
    }
    sort_unique(b.users);
    *out = b.users;
    return 0;
}

int config_users_load(const char *path, config_users_t **out, kr_err_t *err)
{
    builder_t b = {.users = xcalloc(1, sizeof(config_users_t))};
    if (config_props_load_file(path, on_pair, &b, err) != 0) {
        config_users_free(b.users);
        return -1;
    }
    sort_unique(b.users);
    *out = b.users;
    return 0;
}

static int cmp_key(const void *key, const void *elem)
{
    return strcmp(key, ((const config_user_t *)elem)->name);
}

const config_user_t *config_users_find(const config_users_t *users, const char *name)
{
    if (!users || users->n == 0)
        return NULL;
    return bsearch(name, users->v, users->n, sizeof(config_user_t), cmp_key);
}

void config_users_free(config_users_t *users)
{
    if (!users)
        return;
    for (size_t i = 0; i < users->n; i++)
        user_deinit(&users->v[i]);
    xfree(users->v);
    xfree(users);
}
