/* kafka/client_java.c -- the Java client's security keys in librdkafka's terms (see
 * client_java.h). Threads: any; no shared state. Values of password keys are never logged. */
#include "kafka/client_java.h"

#include "util/log.h"
#include "util/mem.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

typedef struct kv_list {
    config_kv_t *kv;
    size_t n;
} kv_list_t;

/* Java-only keys librdkafka has nothing for: a warning, never passed on. */
static const char *const java_only[] = {
    "ssl.protocol",
    "ssl.enabled.protocols",
    "ssl.keymanager.algorithm",
    "ssl.trustmanager.algorithm",
    "ssl.secure.random.implementation",
    "ssl.provider",
    "ssl.engine.factory.class",
    "sasl.login.class",
    "sasl.login.callback.handler.class",
    "sasl.client.callback.handler.class",
    "sasl.kerberos.service.name.jaas",
    NULL,
};

static void push(kv_list_t *l, const char *key, const char *value)
{
    l->kv = xrealloc(l->kv, (l->n + 1) * sizeof(*l->kv));
    l->kv[l->n].key = xstrdup(key);
    l->kv[l->n].value = xstrdup(value);
    l->n++;
}

static const char *find(const config_kv_t *in, size_t n, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(in[i].key, key) == 0)
            v = in[i].value; /* the last one wins, as in the configuration */
    return v;
}

/* A store's format: its *.type key when set, else sniffed from the file's first bytes. */
static const char *store_type(const char *type, const char *path)
{
    if (type && *type)
        return type;
    unsigned char head[16] = {0};
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(head, 1, sizeof(head), f) : 0;
    if (f)
        fclose(f);
    if (got >= 4 && head[0] == 0xfe && head[1] == 0xed && head[2] == 0xfe && head[3] == 0xed)
        return "JKS";
    if (got >= 10 && memcmp(head, "-----BEGIN", 10) == 0)
        return "PEM";
    return "PKCS12";
}

static bool type_is(const char *type, const char *want)
{
    return strcasecmp(type, want) == 0;
}

int kafka_java_jaas_credentials(const char *jaas, char *user, size_t user_size, char *password,
                                size_t password_size)
{
    struct {
        const char *name;
        char *out;
        size_t size;
    } opts[] = {{"username=\"", user, user_size}, {"password=\"", password, password_size}};
    for (size_t i = 0; i < 2; i++) {
        const char *p = strstr(jaas, opts[i].name);
        /* the option name must start a word: "username" inside "xusername" does not count */
        while (p && p > jaas && p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n')
            p = strstr(p + 1, opts[i].name);
        if (!p)
            return -1;
        p += strlen(opts[i].name);
        const char *end = strchr(p, '"');
        if (!end || (size_t)(end - p) >= opts[i].size)
            return -1;
        memcpy(opts[i].out, p, (size_t)(end - p));
        opts[i].out[end - p] = '\0';
    }
    return 0;
}

static void jaas(kv_list_t *l, const char *value, const char *prefix, bool warn)
{
    char user[256], password[256];
    bool known = strstr(value, "PlainLoginModule") || strstr(value, "ScramLoginModule");
    if (!known ||
        kafka_java_jaas_credentials(value, user, sizeof(user), password, sizeof(password)) != 0) {
        if (warn)
            log_warn("configuration key '%ssasl.jaas.config' skipped: only PlainLoginModule and "
                     "ScramLoginModule with username=\"...\" password=\"...\" are read; set "
                     "%ssasl.username and %ssasl.password instead",
                     prefix, prefix, prefix);
        return;
    }
    push(l, "sasl.username", user);
    push(l, "sasl.password", password);
}

/* A PKCS12 truststore's certificates as one PEM text. @return owned text or NULL. */
static char *pkcs12_certs_pem(const char *path, const char *password)
{
    char *pem = NULL;
    FILE *f = fopen(path, "rb");
    PKCS12 *p12 = f ? d2i_PKCS12_fp(f, NULL) : NULL;
    if (f)
        fclose(f);
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    STACK_OF(X509) *ca = NULL;
    if (!p12 || !PKCS12_parse(p12, password ? password : "", &key, &cert, &ca))
        goto out;
    BIO *bio = BIO_new(BIO_s_mem());
    if (cert)
        PEM_write_bio_X509(bio, cert);
    for (int i = 0; ca && i < sk_X509_num(ca); i++)
        PEM_write_bio_X509(bio, sk_X509_value(ca, i));
    char *data;
    long len = BIO_get_mem_data(bio, &data);
    if (len > 0) {
        pem = xmalloc((size_t)len + 1);
        memcpy(pem, data, (size_t)len);
        pem[len] = '\0';
    }
    BIO_free(bio);
out:
    EVP_PKEY_free(key);
    X509_free(cert);
    sk_X509_pop_free(ca, X509_free);
    PKCS12_free(p12);
    return pem;
}

static void truststore(kv_list_t *l, const config_kv_t *in, size_t n, const char *path,
                       const char *prefix, bool warn)
{
    const char *type = store_type(find(in, n, "ssl.truststore.type"), path);
    if (type_is(type, "PEM")) {
        push(l, "ssl.ca.location", path);
        return;
    }
    if (type_is(type, "PKCS12")) {
        char *pem = pkcs12_certs_pem(path, find(in, n, "ssl.truststore.password"));
        if (pem) {
            push(l, "ssl.ca.pem", pem);
            xfree(pem);
            return;
        }
        if (warn)
            log_warn("configuration key '%sssl.truststore.location' skipped: cannot read %s as a "
                     "PKCS12 truststore (wrong %sssl.truststore.password?); use a PEM file in "
                     "%sssl.ca.location",
                     prefix, path, prefix, prefix);
        return;
    }
    if (warn)
        log_warn("configuration key '%sssl.truststore.location' skipped: %s is a %s store, which "
                 "krest cannot read; convert it: keytool -importkeystore -srckeystore %s "
                 "-destkeystore truststore.p12 -deststoretype PKCS12",
                 prefix, path, type, path);
}

static void keystore(kv_list_t *l, const config_kv_t *in, size_t n, const char *path,
                     const char *prefix, bool warn)
{
    const char *type = store_type(find(in, n, "ssl.keystore.type"), path);
    if (type_is(type, "PEM")) {
        push(l, "ssl.key.location", path);
        push(l, "ssl.certificate.location", path);
        return;
    }
    if (type_is(type, "PKCS12")) {
        push(l, "ssl.keystore.location", path);
        const char *pw = find(in, n, "ssl.keystore.password");
        if (pw)
            push(l, "ssl.keystore.password", pw);
        return;
    }
    if (warn)
        log_warn("configuration key '%sssl.keystore.location' skipped: %s is a %s store, which "
                 "krest cannot read; convert it: keytool -importkeystore -srckeystore %s "
                 "-destkeystore keystore.p12 -deststoretype PKCS12",
                 prefix, path, type, path);
}

/* @return true when key was handled here (translated, consumed or refused). */
static bool translate_one(kv_list_t *l, const config_kv_t *in, size_t n, size_t i,
                          const char *prefix, bool warn)
{
    const char *key = in[i].key, *value = in[i].value;
    for (size_t j = 0; java_only[j]; j++) {
        if (strcmp(key, java_only[j]) == 0) {
            if (warn)
                log_warn("configuration key '%s%s' skipped: the Java client's, librdkafka has no "
                         "equivalent",
                         prefix, key);
            return true;
        }
    }
    if (strcmp(key, "sasl.jaas.config") == 0)
        jaas(l, value, prefix, warn);
    else if (strcmp(key, "ssl.truststore.location") == 0)
        truststore(l, in, n, value, prefix, warn);
    else if (strcmp(key, "ssl.keystore.location") == 0)
        keystore(l, in, n, value, prefix, warn);
    else if (strcmp(key, "ssl.truststore.certificates") == 0)
        push(l, "ssl.ca.pem", value);
    else if (strcmp(key, "ssl.keystore.key") == 0)
        push(l, "ssl.key.pem", value);
    else if (strcmp(key, "ssl.keystore.certificate.chain") == 0)
        push(l, "ssl.certificate.pem", value);
    else if (strcmp(key, "ssl.endpoint.identification.algorithm") == 0 && !*value)
        push(l, key, "none");
    else if (strcmp(key, "ssl.truststore.type") == 0 || strcmp(key, "ssl.keystore.type") == 0 ||
             strcmp(key, "ssl.truststore.password") == 0 ||
             strcmp(key, "ssl.keystore.password") == 0)
        ; /* read with their location */
    else
        return false;
    return true;
}

size_t kafka_java_translate(const config_kv_t *in, size_t n, const char *prefix, bool warn,
                            config_kv_t **out)
{
    kv_list_t l = {NULL, 0};
    for (size_t i = 0; i < n; i++)
        if (!translate_one(&l, in, n, i, prefix, warn))
            push(&l, in[i].key, in[i].value);
    *out = l.kv;
    return l.n;
}
