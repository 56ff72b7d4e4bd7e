/* http/tls.c -- HTTPS listeners and mTLS through libmicrohttpd's GnuTLS (see tls.h).
 * Each connection of an HTTPS daemon carries a tls_conn_t as its MHD socket_context, made in
 * the notify-connection callback: the GnuTLS callbacks, which get only the session, find the
 * MHD connection through gnutls_session_get_ptr() (MHD sets it) and from it the tls_conn_t.
 * Threads: a connection's callbacks run on the MHD thread that serves it; tls->keys is an
 * atomic pointer swapped by http_tls_reload() on the main thread. */
#include "http/tls.h"

#include "http/metrics.h"
#include "http/tls_principal.h"
#include "http/tls_store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define PEER_CHAIN_MAX 16

typedef enum client_auth { AUTH_NONE, AUTH_REQUESTED, AUTH_REQUIRED } client_auth_t;

struct http_tls {
    const krest_config_t *cfg; /* borrowed; lives longer than the daemons */
    _Atomic(http_tls_keys_t *) keys;
    http_tls_mapper_t *mapper;
    char *priorities; /* GnuTLS priority string of the HTTPS daemons */
    client_auth_t client_auth;
};

/* One connection of an HTTPS daemon (its MHD socket_context). */
typedef struct tls_conn {
    http_tls_t *tls;
    char *principal; /* the verified client certificate's mapped subject, or NULL */
} tls_conn_t;

static tls_conn_t *conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        conn ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT) : NULL;
    return ci ? ci->socket_context : NULL;
}

static tls_conn_t *conn_of_session(gnutls_session_t session)
{
    return conn_of(gnutls_session_get_ptr(session));
}

/* ---- the ssl.* keys ---- */

static int parse_client_auth(const krest_config_t *cfg, client_auth_t *out, kr_err_t *err)
{
    const char *v = cfg->ssl_client_authentication;
    if (strcasecmp(v, "NONE") == 0)
        *out = cfg->ssl_client_auth ? AUTH_REQUIRED : AUTH_NONE; /* the deprecated key */
    else if (strcasecmp(v, "REQUESTED") == 0)
        *out = AUTH_REQUESTED;
    else if (strcasecmp(v, "REQUIRED") == 0)
        *out = AUTH_REQUIRED;
    else
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "ssl.client.authentication '%s': expected NONE, REQUESTED or REQUIRED",
                          v);
    if (*out != AUTH_NONE && !*cfg->ssl_truststore_location)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "ssl.client.authentication=%s needs ssl.truststore.location (the CAs "
                          "that sign client certificates)",
                          *out == AUTH_REQUIRED ? "REQUIRED" : "REQUESTED");
    return 0;
}

static int check_protocol(const char *v, kr_err_t *err)
{
    static const char *const known[] = {"TLS",     "TLSv1", "TLSv1.1", "TLSv1.2",
                                        "TLSv1.3", "SSL",   "SSLv3"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcasecmp(v, known[i]) == 0)
            return 0;
    }
    return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                      "ssl.protocol '%s' is unknown (TLS, TLSv1.2 or TLSv1.3)", v);
}

/* Appends the GnuTLS version items of ssl.enabled.protocols (default TLSv1.2,TLSv1.3). */
static int add_versions(kr_buf_t *b, const char *list, kr_err_t *err)
{
    char *copy = xstrdup(*list ? list : "TLSv1.2,TLSv1.3");
    char *save = NULL;
    int rc = 0;
    for (char *p = strtok_r(copy, ",", &save); p && rc == 0; p = strtok_r(NULL, ",", &save)) {
        if (strcmp(p, "TLSv1.3") == 0)
            kr_buf_puts(b, ":+VERS-TLS1.3");
        else if (strcmp(p, "TLSv1.2") == 0)
            kr_buf_puts(b, ":+VERS-TLS1.2");
        else if (strcmp(p, "TLSv1.1") == 0 || strcmp(p, "TLSv1") == 0)
            kr_buf_printf(b, ":+VERS-TLS1.%c", p[6] == '.' ? '1' : '0');
        else
            rc = kr_err_set(err, KR_ERR_UNPROCESSABLE,
                            "ssl.enabled.protocols: '%s' is not supported (TLSv1.2, TLSv1.3; "
                            "TLSv1.1 and TLSv1 when listed)",
                            p);
        if (rc == 0 && (strcmp(p, "TLSv1.1") == 0 || strcmp(p, "TLSv1") == 0))
            log_warn("ssl.enabled.protocols enables %s, which is deprecated (RFC 8996)", p);
    }
    xfree(copy);
    return rc;
}

/* An IANA (or Java "SSL_") suite name in GnuTLS's spelling: "TLS_", no "WITH_", "SHA1" for a
 * final "SHA". */
static void gnutls_spelling(const char *iana, char *out, size_t size)
{
    const char *p = iana;
    if (strncasecmp(p, "TLS_", 4) == 0 || strncasecmp(p, "SSL_", 4) == 0)
        p += 4;
    size_t n = (size_t)snprintf(out, size, "TLS_");
    for (; *p && n + 1 < size; p++) {
        if (strncasecmp(p, "WITH_", 5) == 0 && (p == iana || p[-1] == '_')) {
            p += 4;
            continue;
        }
        out[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    }
    out[n] = '\0';
    if (n >= 4 && n + 1 < size && strcmp(out + n - 4, "_SHA") == 0)
        snprintf(out + n, size - n, "1");
}

/* Finds suite among GnuTLS's; also tries it without a final "_SHA256" (GnuTLS names its
 * TLS 1.2 ChaCha20 suites without it). */
static const char *find_suite(const char *name, gnutls_kx_algorithm_t *kx,
                              gnutls_cipher_algorithm_t *cipher, gnutls_mac_algorithm_t *mac)
{
    char want[128];
    gnutls_spelling(name, want, sizeof(want));
    for (int pass = 0; pass < 2; pass++) {
        const char *g;
        unsigned char id[2];
        gnutls_protocol_t v;
        for (size_t i = 0; (g = gnutls_cipher_suite_info(i, id, kx, cipher, mac, &v)); i++) {
            if (strcmp(g, want) == 0)
                return g;
        }
        size_t n = strlen(want);
        if (n < 7 || strcmp(want + n - 7, "_SHA256") != 0)
            break;
        want[n - 7] = '\0';
    }
    return NULL;
}

/* Appends "+<kx>:+<cipher>:+<mac>" of each of ssl.cipher.suites: GnuTLS selects by parts, so
 * the listed suites and the other combinations of their parts are enabled. */
static int add_suites(kr_buf_t *b, const char *list, kr_err_t *err)
{
    char *copy = xstrdup(list);
    char *save = NULL;
    int rc = 0;
    for (char *p = strtok_r(copy, ",", &save); p && rc == 0; p = strtok_r(NULL, ",", &save)) {
        gnutls_kx_algorithm_t kx = GNUTLS_KX_UNKNOWN;
        gnutls_cipher_algorithm_t cipher;
        gnutls_mac_algorithm_t mac;
        if (!find_suite(p, &kx, &cipher, &mac)) {
            rc = kr_err_set(err, KR_ERR_UNPROCESSABLE,
                            "ssl.cipher.suites: '%s' is not a cipher suite GnuTLS knows (IANA "
                            "names, e.g. TLS_AES_128_GCM_SHA256, "
                            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)",
                            p);
            break;
        }
        if (kx != GNUTLS_KX_UNKNOWN)
            kr_buf_printf(b, ":+%s", gnutls_kx_get_name(kx));
        kr_buf_printf(b, ":+%s:+%s", gnutls_cipher_get_name(cipher), gnutls_mac_get_name(mac));
    }
    xfree(copy);
    return rc;
}

/* The GnuTLS priority string of ssl.enabled.protocols and ssl.cipher.suites, checked. */
static int build_priorities(const krest_config_t *cfg, char **out, kr_err_t *err)
{
    kr_buf_t b;
    kr_buf_init(&b, 16384);
    bool suites = *cfg->ssl_cipher_suites != '\0';
    kr_buf_puts(&b, suites ? "NONE" : "NORMAL:-VERS-ALL");
    int rc = add_versions(&b, cfg->ssl_enabled_protocols, err);
    if (rc == 0 && suites) {
        kr_buf_puts(&b, ":+COMP-NULL:+SIGN-ALL:+GROUP-ALL:+CTYPE-X509");
        rc = add_suites(&b, cfg->ssl_cipher_suites, err);
    }
    size_t n = 0;
    char *s = kr_buf_steal(&b, &n);
    gnutls_priority_t prio = NULL;
    const char *where = NULL;
    if (rc == 0 && gnutls_priority_init(&prio, s, &where) < 0)
        rc = kr_err_set(err, KR_ERR_UNPROCESSABLE,
                        "ssl.enabled.protocols and ssl.cipher.suites give the GnuTLS priorities "
                        "'%s', which GnuTLS refuses at '%s'",
                        s, where ? where : "?");
    if (prio)
        gnutls_priority_deinit(prio);
    if (rc != 0) {
        xfree(s);
        return -1;
    }
    *out = s;
    return 0;
}

static void warn_expired(const http_tls_keys_t *k)
{
    if (strstr(k->summary, "(EXPIRED)"))
        log_warn("HTTPS: the server certificate has expired (%s): clients will refuse it",
                 k->summary);
}

http_tls_t *http_tls_new(const krest_config_t *cfg, kr_err_t *err)
{
    http_tls_t *tls = xcalloc(1, sizeof(*tls));
    tls->cfg = cfg;
    http_tls_keys_t *keys = NULL;
    if (parse_client_auth(cfg, &tls->client_auth, err) != 0 ||
        check_protocol(cfg->ssl_protocol, err) != 0 ||
        build_priorities(cfg, &tls->priorities, err) != 0 ||
        !(tls->mapper = http_tls_mapper_new(cfg->ssl_principal_mapping_rules, err)) ||
        http_tls_keys_load(cfg, &keys, err) != 0) {
        http_tls_free(tls);
        return NULL;
    }
    atomic_init(&tls->keys, keys);
    warn_expired(keys);
    log_info("HTTPS: %s; TLS priorities %s; client certificates %s", keys->summary, tls->priorities,
             tls->client_auth == AUTH_REQUIRED    ? "required"
             : tls->client_auth == AUTH_REQUESTED ? "requested"
                                                  : "not requested");
    return tls;
}

void http_tls_free(http_tls_t *tls)
{
    if (!tls)
        return;
    http_tls_keys_free(atomic_load(&tls->keys));
    http_tls_mapper_free(tls->mapper);
    xfree(tls->priorities);
    xfree(tls);
}

int http_tls_reload(http_tls_t *tls, kr_err_t *err)
{
    http_tls_keys_t *k = NULL;
    if (http_tls_keys_load(tls->cfg, &k, err) != 0)
        return -1;
    k->older = atomic_load(&tls->keys); /* handshakes in progress may still use it */
    atomic_store(&tls->keys, k);
    log_info("HTTPS: keystore and truststore reloaded: %s", k->summary);
    warn_expired(k);
    return 0;
}

/* ---- the handshake ---- */

/* gnutls_certificate_retrieve_function2: the current certificate chain and key. They stay
 * valid until http_tls_free(), longer than any session. */
static int retrieve_cert(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                         const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                         gnutls_pcert_st **pcert, unsigned int *pcert_length,
                         gnutls_privkey_t *pkey)
{
    (void)req_ca_rdn;
    (void)nreqs;
    (void)pk_algos;
    (void)pk_algos_length;
    tls_conn_t *c = conn_of_session(session);
    if (!c)
        return -1;
    http_tls_keys_t *k = atomic_load(&c->tls->keys);
    *pcert = k->pcerts;
    *pcert_length = k->n_pcerts;
    *pkey = k->key;
    return 0;
}

static void log_refused(gnutls_x509_crt_t leaf, const char *why)
{
    gnutls_datum_t dn = {0};
    gnutls_x509_crt_get_dn3(leaf, &dn, 0);
    log_info("TLS client certificate '%s' refused: %s", dn.data ? (const char *)dn.data : "?", why);
    gnutls_free(dn.data);
}

/* Verifies crts (the peer's chain) against the truststore and maps the subject.
 * @return the principal (owned), or NULL when refused (logged). */
static char *check_chain(http_tls_t *tls, gnutls_x509_crt_t *crts, unsigned n)
{
    http_tls_keys_t *k = atomic_load(&tls->keys);
    gnutls_typed_vdata_st purpose = {.type = GNUTLS_DT_KEY_PURPOSE_OID,
                                     .data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT};
    unsigned status = 0;
    int rc = gnutls_x509_trust_list_verify_crt2(k->trust, crts, n, &purpose, 1, 0, &status, NULL);
    if (rc < 0 || status != 0) {
        gnutls_datum_t why = {0};
        if (rc >= 0)
            gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &why, 0);
        log_refused(crts[0], why.data ? (const char *)why.data : gnutls_strerror(rc));
        gnutls_free(why.data);
        return NULL;
    }
    char *dn = http_tls_subject_name(crts[0]);
    char *principal = dn ? http_tls_mapper_apply(tls->mapper, dn) : NULL;
    if (!principal)
        log_refused(crts[0], "no ssl.principal.mapping.rules rule applies to its subject");
    else
        log_debug("TLS client certificate '%s' verified: principal '%s'", dn, principal);
    xfree(dn);
    return principal;
}

/* gnutls_certificate_verify_function: runs in the handshake once the client's certificate (or
 * its absence) is known. Non-zero fails the handshake. */
static int verify_peer(gnutls_session_t session)
{
    tls_conn_t *c = conn_of_session(session);
    if (!c)
        return -1;
    unsigned n = 0;
    const gnutls_datum_t *peers = gnutls_certificate_get_peers(session, &n);
    if (!peers || n == 0)
        return 0; /* none sent: anonymous under REQUESTED; REQUIRED fails in GnuTLS itself */
    if (n > PEER_CHAIN_MAX)
        n = PEER_CHAIN_MAX;
    gnutls_x509_crt_t crts[PEER_CHAIN_MAX];
    unsigned got = 0;
    for (; got < n; got++) {
        if (gnutls_x509_crt_init(&crts[got]) < 0)
            break;
        if (gnutls_x509_crt_import(crts[got], &peers[got], GNUTLS_X509_FMT_DER) < 0) {
            gnutls_x509_crt_deinit(crts[got]);
            break;
        }
    }
    char *principal = got > 0 ? check_chain(c->tls, crts, got) : NULL;
    for (unsigned i = 0; i < got; i++)
        gnutls_x509_crt_deinit(crts[i]);
    if (!principal)
        return -1;
    xfree(c->principal);
    c->principal = principal;
    return 0;
}

void http_tls_mhd_options(http_tls_t *tls, struct MHD_OptionItem *opts)
{
    opts[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_CERT_CALLBACK, 0, (void *)retrieve_cert};
    opts[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, tls->priorities};
    opts[2] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
}

void http_tls_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                            enum MHD_ConnectionNotificationCode toe)
{
    http_tls_t *tls = cls;
    http_metrics_connection(NULL, conn, socket_context, toe);
    if (toe != MHD_CONNECTION_NOTIFY_STARTED) {
        tls_conn_t *c = *socket_context;
        if (c)
            xfree(c->principal);
        xfree(c);
        *socket_context = NULL;
        return;
    }
    tls_conn_t *c = xcalloc(1, sizeof(*c));
    c->tls = tls;
    *socket_context = c;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    gnutls_session_t s = ci ? ci->tls_session : NULL;
    if (!s || tls->client_auth == AUTH_NONE)
        return;
    gnutls_certificate_server_set_request(
        s, tls->client_auth == AUTH_REQUIRED ? GNUTLS_CERT_REQUIRE : GNUTLS_CERT_REQUEST);
    gnutls_session_set_verify_function(s, verify_peer);
}

bool http_tls_is_tls(struct MHD_Connection *conn)
{
    return MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION) != NULL;
}

const char *http_tls_principal(struct MHD_Connection *conn)
{
    tls_conn_t *c = conn_of(conn);
    return c ? c->principal : NULL;
}

ssize_t http_tls_send(struct MHD_Connection *conn, const void *buf, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    gnutls_session_t s = ci ? ci->tls_session : NULL;
    if (s) {
        ssize_t n = gnutls_record_send(s, buf, len);
        if (n >= 0)
            return n;
        errno = n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED ? EAGAIN : EPIPE;
        return -1;
    }
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci) {
        errno = EBADF;
        return -1;
    }
    return send(ci->connect_fd, buf, len, MSG_NOSIGNAL);
}
