/* http/tls_store.c -- reading the keystore and the truststore (see tls_store.h).
 * A file's format is told by its type key and checked against its first bytes: 0xFEEDFEED
 * (JKS) and 0xCECECECE (JCEKS) are refused with the keytool command, "-----BEGIN" is PEM, an
 * ASN.1 SEQUENCE is PKCS12. Type JKS, Confluent's default, means "read it by content", as
 * Java's keystore.type.compat reads a PKCS12 file named JKS.
 * Threads: the caller's. */
#include "http/tls_store.h"

#include "util/log.h"
#include "util/mem.h"

#include <gnutls/pkcs12.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define STORE_MAX_BYTES ((size_t)1 << 20)
#define CHAIN_MAX       16
#define TRUST_MAX       256

typedef enum store_format { FMT_PEM, FMT_PKCS12 } store_format_t;

/* Which store a function reads: names its keys in messages. */
typedef struct store {
    const char *what; /* "keystore" or "truststore" */
    const char *location;
    const char *password; /* NULL when empty */
    const char *type;
    gnutls_datum_t data; /* owned (gnutls_free) */
} store_t;

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

static int read_store(store_t *s, kr_err_t *err)
{
    int rc = gnutls_load_file(s->location, &s->data);
    if (rc < 0)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "ssl.%s.location '%s' cannot be read: %s",
                          s->what, s->location, gnutls_strerror(rc));
    if (s->data.size > STORE_MAX_BYTES)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "ssl.%s.location '%s' is larger than 1 MiB",
                          s->what, s->location);
    return 0;
}

static int jks_error(const store_t *s, const char *kind, kr_err_t *err)
{
    return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                      "ssl.%s.location '%s' is a %s keystore, which krest cannot read; convert it "
                      "to PKCS12 with: keytool -importkeystore -srckeystore %s -srcstoretype %s "
                      "-destkeystore %s.p12 -deststoretype PKCS12, then set ssl.%s.location=%s.p12 "
                      "and ssl.%s.type=PKCS12",
                      s->what, s->location, kind, s->location, kind, s->location, s->what,
                      s->location, s->what);
}

/* The format of s's data, from its type key and its first bytes. */
static int sniff(const store_t *s, store_format_t *fmt, kr_err_t *err)
{
    const unsigned char *d = s->data.data;
    size_t n = s->data.size;
    if (n >= 4 && d[0] == 0xFE && d[1] == 0xED && d[2] == 0xFE && d[3] == 0xED)
        return jks_error(s, "JKS", err);
    if (n >= 4 && d[0] == 0xCE && d[1] == 0xCE && d[2] == 0xCE && d[3] == 0xCE)
        return jks_error(s, "JCEKS", err);
    bool pem = memmem(d, n, "-----BEGIN", 10) != NULL;
    bool der = n > 0 && d[0] == 0x30;
    const char *t = s->type;
    if (strcasecmp(t, "PEM") == 0 && !pem)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "ssl.%s.location '%s' holds no PEM block, but ssl.%s.type is PEM",
                          s->what, s->location, s->what);
    if (strcasecmp(t, "PKCS12") == 0 && !der)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "ssl.%s.location '%s' is not a PKCS12 file, but ssl.%s.type is PKCS12",
                          s->what, s->location, s->what);
    if (strcasecmp(t, "PEM") != 0 && strcasecmp(t, "PKCS12") != 0 && strcasecmp(t, "JKS") != 0)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "ssl.%s.type '%s' is not supported: use PKCS12 or PEM", s->what, t);
    if (!pem && !der)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "ssl.%s.location '%s' is neither PKCS12 nor PEM", s->what, s->location);
    *fmt = strcasecmp(t, "PEM") == 0 || (strcasecmp(t, "JKS") == 0 && pem) ? FMT_PEM : FMT_PKCS12;
    return 0;
}

/* Fills s from the store's settings (what: "keystore" or "truststore"), reads its file and
 * tells its format. s->data is the caller's to gnutls_free, also after a failure. */
static int open_store(store_t *s, const char *what, const char *location, const char *password,
                      const char *type, store_format_t *fmt, kr_err_t *err)
{
    *s = (store_t){what, location, nonempty(password), type, {0}};
    *fmt = FMT_PEM;
    return read_store(s, err) == 0 && sniff(s, fmt, err) == 0 ? 0 : -1;
}

static int p12_open(const store_t *s, gnutls_pkcs12_t *p12, kr_err_t *err)
{
    int rc = gnutls_pkcs12_init(p12);
    if (rc >= 0)
        rc = gnutls_pkcs12_import(*p12, &s->data, GNUTLS_X509_FMT_DER, 0);
    if (rc < 0)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "ssl.%s.location '%s': not PKCS12: %s",
                          s->what, s->location, gnutls_strerror(rc));
    if (gnutls_pkcs12_verify_mac(*p12, s->password ? s->password : "") < 0 &&
        (s->password || gnutls_pkcs12_verify_mac(*p12, NULL) < 0))
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "ssl.%s.location '%s': the PKCS12 integrity check fails: wrong "
                          "ssl.%s.password",
                          s->what, s->location, s->what);
    return 0;
}

/* The leaf certificate's description for logs: subject, serial and expiry. */
static char *describe(const gnutls_datum_t *der)
{
    gnutls_x509_crt_t crt;
    char *out = NULL;
    if (gnutls_x509_crt_init(&crt) < 0)
        return xstrdup("?");
    gnutls_datum_t dn = {0};
    unsigned char serial[40];
    size_t sn = sizeof(serial);
    if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) >= 0 &&
        gnutls_x509_crt_get_dn3(crt, &dn, 0) >= 0 &&
        gnutls_x509_crt_get_serial(crt, serial, &sn) >= 0) {
        char hex[84] = "";
        for (size_t i = 0; i < sn && i < 40; i++)
            snprintf(hex + 2 * i, 3, "%02x", serial[i]);
        time_t t = gnutls_x509_crt_get_expiration_time(crt);
        struct tm tm;
        char when[32] = "?";
        if (gmtime_r(&t, &tm))
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        size_t n = dn.size + 200;
        out = xmalloc(n);
        snprintf(out, n, "subject %s, serial %s, expires %s%s", (const char *)dn.data, hex, when,
                 t < time(NULL) ? " (EXPIRED)" : "");
    }
    gnutls_free(dn.data);
    gnutls_x509_crt_deinit(crt);
    return out ? out : xstrdup("?");
}

/* Takes the chain crts[0..n) into k's pcerts and frees the crts. */
static int take_chain(http_tls_keys_t *k, gnutls_x509_crt_t *crts, unsigned n, const store_t *s,
                      kr_err_t *err)
{
    k->pcerts = xcalloc(n ? n : 1, sizeof(gnutls_pcert_st));
    unsigned got = n;
    int rc =
        n ? gnutls_pcert_import_x509_list(k->pcerts, crts, &got, 0) : GNUTLS_E_NO_CERTIFICATE_FOUND;
    for (unsigned i = 0; i < n; i++)
        gnutls_x509_crt_deinit(crts[i]);
    if (rc < 0)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "ssl.%s.location '%s': no usable certificate: %s", s->what, s->location,
                          gnutls_strerror(rc));
    k->n_pcerts = got;
    return 0;
}

static int take_key(http_tls_keys_t *k, gnutls_x509_privkey_t xkey, const store_t *s, kr_err_t *err)
{
    int rc = gnutls_privkey_init(&k->key);
    if (rc >= 0)
        rc = gnutls_privkey_import_x509(k->key, xkey, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
    if (rc < 0) {
        gnutls_x509_privkey_deinit(xkey);
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "ssl.%s.location '%s': unusable key: %s",
                          s->what, s->location, gnutls_strerror(rc));
    }
    return 0;
}

static int keystore_pkcs12(http_tls_keys_t *k, const store_t *s, const char *key_pass,
                           kr_err_t *err)
{
    gnutls_pkcs12_t p12 = NULL;
    if (p12_open(s, &p12, err) != 0) {
        gnutls_pkcs12_deinit(p12);
        return -1;
    }
    gnutls_x509_privkey_t xkey = NULL;
    gnutls_x509_crt_t *chain = NULL;
    unsigned n = 0;
    const char *tries[2] = {key_pass ? key_pass : s->password, s->password};
    int rc = GNUTLS_E_DECRYPTION_FAILED;
    for (int i = 0; i < 2 && rc < 0; i++)
        rc = gnutls_pkcs12_simple_parse(p12, tries[i] ? tries[i] : "", &xkey, &chain, &n, NULL,
                                        NULL, NULL, 0);
    gnutls_pkcs12_deinit(p12);
    if (rc < 0)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "ssl.keystore.location '%s': no key and certificate could be read (wrong "
                          "ssl.key.password?): %s",
                          s->location, gnutls_strerror(rc));
    rc = take_chain(k, chain, n, s, err);
    gnutls_free(chain);
    if (rc != 0) {
        gnutls_x509_privkey_deinit(xkey);
        return -1;
    }
    return take_key(k, xkey, s, err);
}

static int keystore_pem(http_tls_keys_t *k, const store_t *s, const char *key_pass, kr_err_t *err)
{
    gnutls_x509_crt_t *crts = NULL;
    unsigned n = 0;
    int rc = gnutls_x509_crt_list_import2(&crts, &n, &s->data, GNUTLS_X509_FMT_PEM, 0);
    if (rc < 0 || n == 0 || n > CHAIN_MAX) {
        for (unsigned i = 0; i < n; i++)
            gnutls_x509_crt_deinit(crts[i]);
        gnutls_free(crts);
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "ssl.keystore.location '%s': no certificate chain (1 to %d PEM "
                          "CERTIFICATE blocks) could be read",
                          s->location, CHAIN_MAX);
    }
    rc = take_chain(k, crts, n, s, err);
    gnutls_free(crts);
    if (rc != 0)
        return -1;
    gnutls_x509_privkey_t xkey = NULL;
    const char *tries[2] = {key_pass ? key_pass : s->password, s->password};
    rc = GNUTLS_E_DECRYPTION_FAILED;
    for (int i = 0; i < 2 && rc < 0; i++) {
        gnutls_x509_privkey_deinit(xkey);
        xkey = NULL;
        if (gnutls_x509_privkey_init(&xkey) >= 0)
            rc = gnutls_x509_privkey_import2(xkey, &s->data, GNUTLS_X509_FMT_PEM, tries[i],
                                             tries[i] ? 0 : GNUTLS_PKCS_PLAIN);
    }
    if (rc < 0) {
        gnutls_x509_privkey_deinit(xkey);
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "ssl.keystore.location '%s': no private key could be read (a PEM PRIVATE "
                          "KEY block; encrypted ones need ssl.key.password): %s",
                          s->location, gnutls_strerror(rc));
    }
    return take_key(k, xkey, s, err);
}

/* Adds the certificates of one PKCS12 bag to crts. */
static void bag_certs(gnutls_pkcs12_bag_t bag, gnutls_x509_crt_t *crts, unsigned *n)
{
    int count = gnutls_pkcs12_bag_get_count(bag);
    for (int i = 0; i < count && *n < TRUST_MAX; i++) {
        gnutls_datum_t d;
        if (gnutls_pkcs12_bag_get_type(bag, (unsigned)i) != GNUTLS_BAG_CERTIFICATE ||
            gnutls_pkcs12_bag_get_data(bag, (unsigned)i, &d) < 0)
            continue;
        gnutls_x509_crt_t c;
        if (gnutls_x509_crt_init(&c) < 0)
            continue;
        if (gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_DER) < 0)
            gnutls_x509_crt_deinit(c);
        else
            crts[(*n)++] = c;
    }
}

static int truststore_pkcs12(gnutls_x509_trust_list_t tl, const store_t *s, kr_err_t *err)
{
    gnutls_pkcs12_t p12 = NULL;
    if (p12_open(s, &p12, err) != 0) {
        gnutls_pkcs12_deinit(p12);
        return -1;
    }
    gnutls_x509_crt_t crts[TRUST_MAX];
    unsigned n = 0;
    for (int i = 0; i < 1024; i++) {
        gnutls_pkcs12_bag_t bag;
        if (gnutls_pkcs12_bag_init(&bag) < 0)
            break;
        int rc = gnutls_pkcs12_get_bag(p12, i, bag);
        if (rc >= 0 && gnutls_pkcs12_bag_get_type(bag, 0) == GNUTLS_BAG_ENCRYPTED)
            rc = gnutls_pkcs12_bag_decrypt(bag, s->password ? s->password : "");
        if (rc >= 0)
            bag_certs(bag, crts, &n);
        gnutls_pkcs12_bag_deinit(bag);
        if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
    }
    gnutls_pkcs12_deinit(p12);
    if (n == 0)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "ssl.truststore.location '%s': no certificate could be read (wrong "
                          "ssl.truststore.password?)",
                          s->location);
    gnutls_x509_trust_list_add_cas(tl, crts, n, 0); /* the list owns the certificates now */
    return 0;
}

static int load_truststore(const krest_config_t *cfg, http_tls_keys_t *k, kr_err_t *err)
{
    store_t s;
    store_format_t fmt;
    int rc = -1;
    if (open_store(&s, "truststore", cfg->ssl_truststore_location, cfg->ssl_truststore_password,
                   cfg->ssl_truststore_type, &fmt, err) == 0 &&
        gnutls_x509_trust_list_init(&k->trust, 0) >= 0) {
        if (fmt == FMT_PKCS12) {
            rc = truststore_pkcs12(k->trust, &s, err);
        } else {
            int added = gnutls_x509_trust_list_add_trust_mem(k->trust, &s.data, NULL,
                                                             GNUTLS_X509_FMT_PEM, 0, 0);
            rc = added > 0 ? 0
                           : kr_err_set(err, KR_ERR_UNPROCESSABLE,
                                        "ssl.truststore.location '%s': no PEM certificate in it",
                                        s.location);
        }
    }
    gnutls_free(s.data.data);
    return rc;
}

static int load_keystore(const krest_config_t *cfg, http_tls_keys_t *k, kr_err_t *err)
{
    if (!nonempty(cfg->ssl_keystore_location))
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "an https listener needs ssl.keystore.location (a PKCS12 or PEM file "
                          "holding the server's certificate and key)");
    store_t s;
    store_format_t fmt;
    int rc = -1;
    const char *key_pass = nonempty(cfg->ssl_key_password);
    if (open_store(&s, "keystore", cfg->ssl_keystore_location, cfg->ssl_keystore_password,
                   cfg->ssl_keystore_type, &fmt, err) == 0)
        rc = fmt == FMT_PKCS12 ? keystore_pkcs12(k, &s, key_pass, err)
                               : keystore_pem(k, &s, key_pass, err);
    gnutls_free(s.data.data);
    return rc;
}

int http_tls_keys_load(const krest_config_t *cfg, http_tls_keys_t **out, kr_err_t *err)
{
    http_tls_keys_t *k = xcalloc(1, sizeof(*k));
    *out = NULL;
    if (load_keystore(cfg, k, err) != 0 ||
        (nonempty(cfg->ssl_truststore_location) && load_truststore(cfg, k, err) != 0)) {
        http_tls_keys_free(k);
        return -1;
    }
    k->summary = describe(&k->pcerts[0].cert);
    *out = k;
    return 0;
}

void http_tls_keys_free(http_tls_keys_t *k)
{
    while (k) {
        http_tls_keys_t *older = k->older;
        for (unsigned i = 0; i < k->n_pcerts; i++)
            gnutls_pcert_deinit(&k->pcerts[i]);
        xfree(k->pcerts);
        if (k->key)
            gnutls_privkey_deinit(k->key);
        if (k->trust)
            gnutls_x509_trust_list_deinit(k->trust, 1);
        xfree(k->summary);
        xfree(k);
        k = older;
    }
}
