/* http/auth.c -- Basic authentication (see auth.h).
 *
 * DESIGN. The policy (realm, roles, skip paths) is fixed at start-up; the users are a table
 * read from the password file, held by reference: a check takes a reference under the lock,
 * verifies without it (crypt(3) may take tens of milliseconds for bcrypt), and drops it; a
 * SIGHUP reload builds a new table and swaps it in, the old one is freed by its last holder.
 * Every comparison of secrets is over equal-length digests with CRYPTO_memcmp. A successful
 * crypt(3) check is remembered per user as an HMAC of the password under a random per-process
 * key, so that a client sending the same credentials on every request pays for bcrypt once
 * per table (the cache dies with the table, i.e. on reload).
 * Threads: see auth.h. */
#include "http/auth.h"

#include "config/jaas.h"
#include "config/users.h"
#include "http/auth_basic.h"
#include "http/auth_throttle.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <crypt.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netdb.h>

#define MAC_LEN 32

/* A user table and what was learnt about it. */
typedef struct table {
    config_users_t *users;
    unsigned char (*verified)[MAC_LEN]; /* per user: HMAC of the last password crypt accepted */
    bool *has_verified;                 /* guarded by http_auth.lock */
    const char *dummy; /* the costliest crypt(3) hash of the file (unknown users), or NULL */
    int refs;          /* guarded by http_auth.lock */
} table_t;

struct http_auth {
    bool enabled;
    bool skip_options; /* OPTIONS needs no authentication (CORS on, access.control.skip.options) */
    char *realm;
    char *challenge; /* WWW-Authenticate value */
    char **roles;    /* NULL when any role goes ("*" or "**") */
    size_t n_roles;
    bool any_role;
    char **skip; /* authentication.skip.paths */
    size_t n_skip;
    char *jaas_conf; /* krest.authentication.jaas.file, or NULL: KAFKAREST_OPTS */
    pthread_mutex_t lock;
    table_t *table;            /* guarded by lock */
    auth_throttle_t *throttle; /* crypt(3) checks per name and client address */
    unsigned char mac_key[32];
};

struct http_auth_cred {
    char buf[HTTP_AUTH_BASIC_BUF];
};

/* ---- the user table ---- */

/* A rough cost of checking a crypt(3) hash, in microseconds (its scheme and cost setting). */
static double crypt_cost(const char *h)
{
    if (h[0] == '$' && h[1] == '2' && h[2] && h[3] == '$')
        return 60.0 * (double)(1L << (strtol(h + 4, NULL, 10) & 31)); /* bcrypt: 2^cost rounds */
    if (strncmp(h, "$y$", 3) == 0 || strncmp(h, "$7$", 3) == 0 || strncmp(h, "$gy$", 4) == 0)
        return 50000.0; /* yescrypt/scrypt: memory-hard, tens of ms at the defaults */
    if (strncmp(h, "$5$", 3) == 0 || strncmp(h, "$6$", 3) == 0) {
        const char *r = strstr(h, "$rounds=");
        return r ? strtod(r + 8, NULL) : 5000.0; /* SHA-crypt: ~1 us a round */
    }
    return 100.0; /* DES, MD5-crypt and the like */
}

/* The crypt(3) hash an unknown user's password is checked against: as costly as the costliest
 * user's, so that the time of a 401 does not tell which names exist. */
static const char *dummy_of(const config_users_t *users)
{
    const char *best = NULL;
    double cost = -1;
    for (size_t i = 0; i < users->n; i++) {
        const config_user_t *u = &users->v[i];
        if (u->kind == CONFIG_CRED_CRYPT && crypt_cost(u->secret) > cost) {
            best = u->secret;
            cost = crypt_cost(best);
        }
    }
    return best;
}

static table_t *table_new(config_users_t *users)
{
    table_t *t = xcalloc(1, sizeof(*t));
    t->users = users;
    size_t n = users->n ? users->n : 1;
    t->verified = xcalloc(n, sizeof(*t->verified));
    t->has_verified = xcalloc(n, sizeof(bool));
    t->dummy = dummy_of(users);
    t->refs = 1;
    return t;
}

static void table_free(table_t *t)
{
    size_t n = t->users->n ? t->users->n : 1;
    explicit_bzero(t->verified, n * sizeof(*t->verified));
    xfree(t->verified);
    xfree(t->has_verified);
    config_users_free(t->users);
    xfree(t);
}

static table_t *table_get(http_auth_t *auth)
{
    pthread_mutex_lock(&auth->lock);
    table_t *t = auth->table;
    t->refs++;
    pthread_mutex_unlock(&auth->lock);
    return t;
}

static void table_put(http_auth_t *auth, table_t *t)
{
    pthread_mutex_lock(&auth->lock);
    bool last = --t->refs == 0;
    pthread_mutex_unlock(&auth->lock);
    if (last)
        table_free(t);
}

/* Reads the JAAS file and the password file it names. @return the users, or NULL (err). */
static config_users_t *load_users(const http_auth_t *auth, kr_err_t *err)
{
    char opts_path[PATH_MAX];
    const char *jaas = auth->jaas_conf;
    if (!jaas)
        jaas = config_jaas_from_opts(getenv("KAFKAREST_OPTS"), opts_path, sizeof(opts_path));
    if (!jaas) {
        kr_err_set(err, KR_ERR_UNPROCESSABLE,
                   "authentication.method=BASIC needs a JAAS file: set "
                   "krest.authentication.jaas.file, or -Djava.security.auth.login.config=<path> "
                   "in KAFKAREST_OPTS");
        return NULL;
    }
    char file[PATH_MAX];
    if (config_jaas_load(jaas, auth->realm, file, sizeof(file), err) != 0)
        return NULL;
    config_users_t *users = NULL;
    if (config_users_load(file, &users, err) != 0)
        return NULL;
    log_info("authentication: %zu user(s) from %s (JAAS %s, realm %s)", users->n, file, jaas,
             auth->realm);
    return users;
}

int http_auth_reload(http_auth_t *auth, kr_err_t *err)
{
    if (!auth || !auth->enabled)
        return 0;
    config_users_t *users = load_users(auth, err);
    if (!users) {
        if (auth->table) /* a reload (at start-up the error stops krest) */
            log_error("authentication: reload failed, the users in force stay: %s", err->msg);
        return -1;
    }
    table_t *fresh = table_new(users);
    pthread_mutex_lock(&auth->lock);
    table_t *old = auth->table;
    auth->table = fresh;
    pthread_mutex_unlock(&auth->lock);
    if (old)
        table_put(auth, old);
    return 0;
}

/* ---- the policy ---- */

/* Splits a normalised comma list ("a,b") into owned strings. */
static char **split_list(const char *list, size_t *n)
{
    *n = 0;
    if (!list || !*list)
        return NULL;
    char **v = NULL;
    const char *s = list;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        while (len > 0 && s[0] == ' ') {
            s++;
            len--;
        }
        while (len > 0 && s[len - 1] == ' ')
            len--;
        if (len > 0) {
            v = xrealloc(v, (*n + 1) * sizeof(char *));
            v[(*n)++] = xstrndup(s, len);
        }
        if (!comma)
            break;
        s = comma + 1;
    }
    return v;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        xfree(v[i]);
    xfree(v);
}

static int set_method(http_auth_t *auth, const char *method, kr_err_t *err)
{
    if (!method || !*method || strcasecmp(method, "NONE") == 0)
        return 0;
    if (strcasecmp(method, "BASIC") == 0) {
        auth->enabled = true;
        return 0;
    }
    if (strcasecmp(method, "BEARER") == 0)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "authentication.method=BEARER needs Java code in Confluent's proxy and "
                          "is not supported by krest; use BASIC or NONE");
    return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                      "authentication.method must be NONE, BASIC or BEARER, not '%.64s'", method);
}

http_auth_t *http_auth_new(const krest_config_t *cfg, kr_err_t *err)
{
    http_auth_t *auth = xcalloc(1, sizeof(*auth));
    pthread_mutex_init(&auth->lock, NULL);
    if (set_method(auth, cfg->auth_method, err) != 0) {
        http_auth_free(auth);
        return NULL;
    }
    if (!auth->enabled)
        return auth;
    auth->realm = xstrdup(cfg->auth_realm ? cfg->auth_realm : "");
    if (!*auth->realm) {
        kr_err_set(err, KR_ERR_UNPROCESSABLE,
                   "authentication.method=BASIC needs authentication.realm: the name of the JAAS "
                   "section (e.g. KafkaRest)");
        http_auth_free(auth);
        return NULL;
    }
    size_t clen = strlen(auth->realm) + 32;
    auth->challenge = xmalloc(clen);
    snprintf(auth->challenge, clen, "Basic realm=\"%s\"", auth->realm);
    auth->roles = split_list(cfg->auth_roles, &auth->n_roles);
    auth->any_role = auth->n_roles == 1 &&
                     (strcmp(auth->roles[0], "*") == 0 || strcmp(auth->roles[0], "**") == 0);
    auth->skip = split_list(cfg->auth_skip_paths, &auth->n_skip);
    auth->skip_options =
        cfg->cors_allow_origin && *cfg->cors_allow_origin && cfg->cors_skip_options;
    if (cfg->auth_jaas_file && *cfg->auth_jaas_file)
        auth->jaas_conf = xstrdup(cfg->auth_jaas_file);
    auth->throttle = auth_throttle_new();
    if (!auth->throttle || RAND_bytes(auth->mac_key, sizeof(auth->mac_key)) != 1 ||
        http_auth_reload(auth, err) != 0) {
        if (!err->code)
            kr_err_set(err, KR_ERR_INTERNAL, "no random bytes for the credential cache");
        http_auth_free(auth);
        return NULL;
    }
    if (auth->n_roles == 0)
        log_warn("authentication.roles is empty: every request that needs authentication is "
                 "refused (403), as Jetty does");
    return auth;
}

void http_auth_free(http_auth_t *auth)
{
    if (!auth)
        return;
    if (auth->table)
        table_put(auth, auth->table);
    pthread_mutex_destroy(&auth->lock);
    auth_throttle_free(auth->throttle);
    explicit_bzero(auth->mac_key, sizeof(auth->mac_key));
    xfree(auth->realm);
    xfree(auth->challenge);
    free_list(auth->roles, auth->n_roles);
    free_list(auth->skip, auth->n_skip);
    xfree(auth->jaas_conf);
    xfree(auth);
}

void http_auth_cred_free(http_auth_cred_t *cred)
{
    if (!cred)
        return;
    explicit_bzero(cred->buf, sizeof(cred->buf));
    xfree(cred);
}

/* ---- skip paths, as Jetty's constraint mappings read them ---- */

/* A path with "." or ".." segments or an empty segment is never skipped: the router does not
 * normalise paths, so "/open/../v3/clusters" must not pass as something under "/open/". */
static bool is_plain_path(const char *path)
{
    if (path[0] != '/' || strstr(path, "//"))
        return false;
    for (const char *s = path; (s = strstr(s, "/.")) != NULL; s++) {
        char c = s[2] == '.' ? s[3] : s[2];
        if (c == '/' || c == '\0')
            return false;
    }
    return true;
}

/* Servlet path specs: "/x/" + "*" is /x and everything below; "*.ext" a last segment ending
 * in .ext; "/" + "*" all; any other spec that path exactly. "/" is the root path only (in
 * Jetty "/" is the default mapping, which the global "/" + "*" constraint beats, so it opens
 * nothing; krest takes it for what an operator who writes it means). */
static bool spec_matches(const char *spec, const char *path)
{
    size_t sn = strlen(spec), pn = strlen(path);
    if (sn >= 2 && strcmp(spec + sn - 2, "/*") == 0) {
        size_t base = sn - 2;
        return strncmp(path, spec, base) == 0 && (path[base] == '\0' || path[base] == '/');
    }
    if (sn >= 2 && spec[0] == '*' && spec[1] == '.') {
        const char *last = strrchr(path, '/');
        size_t ext = sn - 1; /* ".ext" */
        return last && strlen(last) > ext && strcmp(path + pn - ext, spec + 1) == 0;
    }
    return strcmp(spec, path) == 0;
}

static bool is_skipped(const http_auth_t *auth, const char *method, const char *path)
{
    if (auth->skip_options && strcmp(method, "OPTIONS") == 0)
        return true;
    if (auth->n_skip == 0 || !is_plain_path(path))
        return false;
    for (size_t i = 0; i < auth->n_skip; i++) {
        if (spec_matches(auth->skip[i], path))
            return true;
    }
    return false;
}

/* ---- verification ---- */

/* Equal-length digests of a and b, compared in constant time. */
static bool same_secret(const void *a, size_t an, const void *b, size_t bn)
{
    unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
    SHA256(a, an, da);
    SHA256(b, bn, db);
    bool same = CRYPTO_memcmp(da, db, sizeof(da)) == 0;
    explicit_bzero(da, sizeof(da));
    explicit_bzero(db, sizeof(db));
    return same;
}

static bool md5_matches(const config_user_t *u, const char *password)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dn = 0;
    if (EVP_Digest(password, strlen(password), d, &dn, EVP_md5(), NULL) != 1 || dn != 16)
        return false;
    bool same = CRYPTO_memcmp(d, u->md5, 16) == 0;
    explicit_bzero(d, sizeof(d));
    return same;
}

static bool crypt_matches(const char *hash, size_t hash_len, const char *password)
{
    struct crypt_data *cd = xcalloc(1, sizeof(*cd));
    const char *out = crypt_rn(password, hash, cd, (int)sizeof(*cd));
    bool same = out && out[0] != '*' && same_secret(out, strlen(out), hash, hash_len);
    explicit_bzero(cd, sizeof(*cd));
    xfree(cd);
    return same;
}

static void mac_of(const http_auth_t *auth, const char *user, const char *password,
                   unsigned char mac[MAC_LEN])
{
    unsigned char msg[HTTP_AUTH_BASIC_BUF + 2];
    size_t un = strlen(user), pn = strlen(password);
    memcpy(msg, user, un + 1);
    memcpy(msg + un + 1, password, pn);
    unsigned int len = MAC_LEN;
    HMAC(EVP_sha256(), auth->mac_key, sizeof(auth->mac_key), msg, un + 1 + pn, mac, &len);
    explicit_bzero(msg, un + 1 + pn);
}

/* crypt(3) with the table's memory of the last accepted password of this user; a new password
 * only as auth->throttle lets addr (*throttled: refused without trying). */
static bool crypt_matches_cached(http_auth_t *auth, table_t *t, size_t i, const char *password,
                                 const char *addr, bool *throttled)
{
    const config_user_t *u = &t->users->v[i];
    unsigned char mac[MAC_LEN];
    mac_of(auth, u->name, password, mac);
    pthread_mutex_lock(&auth->lock);
    bool hit = t->has_verified[i] && CRYPTO_memcmp(mac, t->verified[i], MAC_LEN) == 0;
    pthread_mutex_unlock(&auth->lock);
    if (!hit) {
        *throttled = !auth_throttle_begin(auth->throttle, u->name, addr, kr_clock_mono_ms());
        hit = !*throttled && crypt_matches(u->secret, u->secret_len, password);
        if (hit) {
            pthread_mutex_lock(&auth->lock);
            memcpy(t->verified[i], mac, MAC_LEN);
            t->has_verified[i] = true;
            pthread_mutex_unlock(&auth->lock);
        } else if (!*throttled) {
            auth_throttle_failed(auth->throttle, u->name, addr, kr_clock_mono_ms());
        }
    }
    explicit_bzero(mac, sizeof(mac));
    return hit;
}

/* What checking a password of a user that does not exist costs: as much as for the costliest
 * one that does (the same throttle, then crypt(3) against its hash). */
static void unknown_user(http_auth_t *auth, const table_t *t, const char *user,
                         const char *password, const char *addr, bool *throttled)
{
    if (!t->dummy) {
        (void)same_secret(password, strlen(password), "", 0);
        return;
    }
    *throttled = !auth_throttle_begin(auth->throttle, user, addr, kr_clock_mono_ms());
    if (*throttled)
        return;
    (void)crypt_matches(t->dummy, strlen(t->dummy), password);
    auth_throttle_failed(auth->throttle, user, addr, kr_clock_mono_ms());
}

static bool password_matches(http_auth_t *auth, table_t *t, const config_user_t *u,
                             const char *password, const char *addr, bool *throttled)
{
    switch (u->kind) {
    case CONFIG_CRED_MD5:
        return md5_matches(u, password);
    case CONFIG_CRED_CRYPT:
        return crypt_matches_cached(auth, t, (size_t)(u - t->users->v), password, addr, throttled);
    default:
        return same_secret(password, strlen(password), u->secret, u->secret_len);
    }
}

static bool has_role(const http_auth_t *auth, const config_user_t *u)
{
    if (auth->any_role)
        return true;
    for (size_t i = 0; i < auth->n_roles; i++) {
        for (size_t j = 0; j < u->n_roles; j++) {
            if (strcmp(auth->roles[i], u->roles[j]) == 0)
                return true;
        }
    }
    return false;
}

/* ---- the check ---- */

/* A user name fit for a log line: printable ASCII, at most 64 bytes, the rest as '?'. */
static void loggable(const char *s, char out[72])
{
    size_t n = 0;
    for (; *s && n < 64; s++)
        out[n++] = (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\') ? *s : '?';
    out[n] = '\0';
    if (*s)
        memcpy(out + n, "...", 4);
}

static void client_of(struct MHD_Connection *conn, char *host, size_t size)
{
    snprintf(host, size, "?");
    const union MHD_ConnectionInfo *ci =
        conn ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
    if (ci && ci->client_addr) {
        socklen_t len = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                               : sizeof(struct sockaddr_in);
        getnameinfo(ci->client_addr, len, host, (socklen_t)size, NULL, 0, NI_NUMERICHOST);
    }
}

static int refuse(http_auth_t *auth, struct MHD_Connection *conn, const char *user, const char *why,
                  http_headers_t *hs, kr_err_t *err)
{
    char name[72], host[64];
    loggable(user ? user : "", name);
    client_of(conn, host, sizeof(host));
    log_warn("authentication failed from %s%s%s%s: %s", host, user ? " for user \"" : "",
             user ? name : "", user ? "\"" : "", why);
    http_headers_add(hs, "WWW-Authenticate", auth->challenge);
    return kr_err_set(err, KR_ERR_UNAUTHORIZED, "Unauthorized");
}

int http_auth_check(http_auth_t *auth, struct MHD_Connection *conn, const char *method,
                    const char *path, http_auth_cred_t **cred, api_principal_t *who,
                    http_headers_t *hs, kr_err_t *err)
{
    if (!auth || !auth->enabled || is_skipped(auth, method, path))
        return 0;
    const char *value = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (!value) {
        http_headers_add(hs, "WWW-Authenticate", auth->challenge);
        return kr_err_set(err, KR_ERR_UNAUTHORIZED, "Unauthorized");
    }
    if (!*cred)
        *cred = xmalloc(sizeof(http_auth_cred_t));
    const char *user = NULL, *password = NULL, *why = "not the Basic scheme";
    http_auth_basic_rc_t rc = http_auth_basic_parse(value, (*cred)->buf, &user, &password, &why);
    if (rc != HTTP_AUTH_BASIC_OK)
        return refuse(auth, conn, NULL, why, hs, err);
    char addr[64];
    client_of(conn, addr, sizeof(addr));
    table_t *t = table_get(auth);
    const config_user_t *u = config_users_find(t->users, user);
    bool ok = false, throttled = false;
    if (u)
        ok = password_matches(auth, t, u, password, addr, &throttled);
    else
        unknown_user(auth, t, user, password, addr, &throttled);
    bool role = ok && has_role(auth, u);
    table_put(auth, t);
    if (!ok)
        return refuse(auth, conn, user,
                      throttled ? "too many attempts for this user (from this address: a "
                                  "failed one less than a second ago)"
                      : !u      ? "unknown user"
                                : "wrong password",
                      hs, err);
    if (!role) {
        char name[72];
        loggable(user, name);
        log_warn("authentication: user \"%s\" has none of the roles of authentication.roles", name);
        return kr_err_set(err, KR_ERR_FORBIDDEN, "Forbidden");
    }
    *who = (api_principal_t){API_AUTH_BASIC, user, password};
    return 0;
}
