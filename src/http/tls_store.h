/* http/tls_store.h -- the HTTPS listeners' keystore (certificate chain and private key) and
 * truststore (CAs of client certificates), read with GnuTLS from `ssl.keystore.*` and
 * `ssl.truststore.*`: PKCS12 or PEM. JKS and JCEKS files are refused with the keytool command
 * that converts them (a C program cannot read them). Passwords never appear in messages.
 * May use: config/, util/. Threads: loading runs on one thread; a loaded http_tls_keys_t is
 * immutable and read by any thread. */
#ifndef KR_HTTP_TLS_STORE_H
#define KR_HTTP_TLS_STORE_H

#include "config/config.h"
#include "util/err.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

typedef struct http_tls_keys {
    gnutls_pcert_st *pcerts; /* the server's chain, leaf first */
    unsigned n_pcerts;
    gnutls_privkey_t key;
    gnutls_x509_trust_list_t trust; /* NULL when ssl.truststore.location is empty */
    char *summary;                  /* "subject ..., serial ..., expires ..." of the leaf */
    struct http_tls_keys *older;    /* the generation this one replaced (kept, see tls.c) */
} http_tls_keys_t;

/** Reads the keystore and, when set, the truststore named by cfg.
 * @return 0 with *out owned (free with http_tls_keys_free), or -1 with err set (422, naming
 *         the key and the file, never a password). */
int http_tls_keys_load(const krest_config_t *cfg, http_tls_keys_t **out, kr_err_t *err);

/** Frees k and every older generation it holds; NULL is a no-op. */
void http_tls_keys_free(http_tls_keys_t *k);

#endif
