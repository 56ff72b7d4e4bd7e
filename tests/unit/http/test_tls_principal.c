/* tests/unit/http/test_tls_principal.c -- http/tls_principal.c: Kafka's
 * ssl.principal.mapping.rules (the cases of Kafka's SslPrincipalMapperTest, written anew) and
 * the RFC 2253 subject of a certificate made here with GnuTLS. Threads: single. */
#include "http/tls_principal.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/mem.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <string.h>
#include <time.h>

/* The principal rules give dn, or NULL when no rule applies ("" rules: never built). */
static char *map(const char *rules, const char *dn)
{
    kr_err_t err = {0};
    http_tls_mapper_t *m = http_tls_mapper_new(rules, &err);
    assert_non_null(m);
    char *res = http_tls_mapper_apply(m, dn);
    http_tls_mapper_free(m);
    return res;
}

static void assert_maps(const char *rules, const char *dn, const char *want)
{
    char *got = map(rules, dn);
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    xfree(got);
}

static void assert_invalid(const char *rules)
{
    kr_err_t err = {0};
    http_tls_mapper_t *m = http_tls_mapper_new(rules, &err);
    if (m)
        fail_msg("rules '%s' were accepted", rules);
    assert_int_equal(err.code, KR_ERR_UNPROCESSABLE);
    assert_non_null(strstr(err.msg, "ssl.principal.mapping.rules"));
}

static void test_default(void **state)
{
    (void)state;
    assert_maps("DEFAULT", "CN=alice,O=krest", "CN=alice,O=krest");
    assert_maps("", "CN=alice,O=krest", "CN=alice,O=krest");
    assert_maps(NULL, "CN=a", "CN=a");
    assert_maps("  DEFAULT  ", "CN=a", "CN=a");
}

static void test_rules(void **state)
{
    (void)state;
    const char *rules = "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,"
                        "RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,"
                        "RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L,"
                        "DEFAULT";
    assert_maps(rules, "CN=Duke,OU=ServiceUsers,O=Org,C=US", "Duke");
    assert_maps(rules, "CN=Duke,OU=SME,O=mycp,L=Fulton,ST=MD,C=US", "duke@sme");
    assert_maps(rules, "cN=Duke,OU=JavaSoft,O=Sun Microsystems", "duke");
    assert_maps(rules, "OU=JavaSoft,O=Sun Microsystems,C=US",
                "OU=JavaSoft,O=Sun Microsystems,C=US");
}

static void test_case_and_groups(void **state)
{
    (void)state;
    assert_maps("RULE:^CN=(.*),O=(.*)$/$2-$1/U", "CN=alice,O=krest", "KREST-ALICE");
    assert_maps("RULE:^CN=(.*)$/$1/L", "CN=ALICE", "alice");
    /* $3 names no group of two: literal text, as Kafka escapes it */
    assert_maps("RULE:^CN=(.*),O=(.*)$/$1$3/", "CN=a,O=b", "a$3");
    /* $12 with two groups is $1 then "2" */
    assert_maps("RULE:^CN=(.*),O=(.*)$/$12/", "CN=a,O=b", "a2");
    assert_maps("RULE:^CN=(?<user>[^,]*),.*$/${user}/", "CN=bob,O=x", "bob");
    assert_maps("RULE:^CN=([^,]*),.*$/u\\/$1/", "CN=bob,O=x", "u/bob");
    /* no rule matches the whole DN: no principal */
    assert_maps("RULE:^CN=alice$/x/", "CN=bob", NULL);
    assert_maps("RULE:CN=alice/x/", "CN=alice,O=y", NULL);
    /* replaceAll: every match is replaced, an empty match at the end included */
    assert_maps("RULE:(.*)/x/", "CN=a", "xx");
    /* a ',' inside a pattern belongs to the pattern */
    assert_maps("RULE:^CN=([^,]*),O=k$/$1/, DEFAULT", "CN=z,O=k", "z");
    assert_maps(" , RULE:^x$/y/ ,, DEFAULT ,", "CN=z", "CN=z");
}

static void test_invalid(void **state)
{
    (void)state;
    assert_invalid("DEFAULTX");
    assert_invalid("RULE:^CN=(.*)$/$1");
    assert_invalid("RULE:^CN=(.*)$/$1/LX");
    assert_invalid("RULE:^CN=(.*)$/$1/L U");
    assert_invalid("RULE:(unclosed/x/");
    assert_invalid("rule:^x$/y/");
    assert_invalid("DEFAULT, nonsense");
    assert_invalid("RULE:a\\");
}

/* A self-signed certificate with subject dn (a GnuTLS DN string). */
static gnutls_x509_crt_t make_cert(const char *dn)
{
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t crt;
    assert_int_equal(gnutls_x509_privkey_init(&key), 0);
    assert_int_equal(gnutls_x509_privkey_generate(
                         key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                     0);
    assert_int_equal(gnutls_x509_crt_init(&crt), 0);
    const char *e = NULL;
    if (gnutls_x509_crt_set_dn(crt, dn, &e) != 0)
        fail_msg("cannot set DN %s at %s", dn, e ? e : "?");
    gnutls_x509_crt_set_version(crt, 3);
    gnutls_x509_crt_set_serial(crt, "\x01", 1);
    gnutls_x509_crt_set_activation_time(crt, time(NULL) - 60);
    gnutls_x509_crt_set_expiration_time(crt, time(NULL) + 3600);
    gnutls_x509_crt_set_key(crt, key);
    assert_int_equal(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), 0);
    gnutls_x509_privkey_deinit(key);
    return crt;
}

static void assert_subject(const char *dn, const char *want)
{
    gnutls_x509_crt_t crt = make_cert(dn);
    char *got = http_tls_subject_name(crt);
    assert_non_null(got);
    assert_string_equal(got, want);
    xfree(got);
    gnutls_x509_crt_deinit(crt);
}

static void test_subject(void **state)
{
    (void)state;
    /* GnuTLS's DN strings are RFC 4514 (last RDN first), as Java prints them */
    assert_subject("CN=alice,OU=eng,O=krest,C=US", "CN=alice,OU=eng,O=krest,C=US");
    assert_subject("CN=a\\,b,O=x", "CN=a\\,b,O=x");
    assert_subject("UID=u1,CN=a,DC=example,DC=com", "UID=u1,CN=a,DC=example,DC=com");
    assert_subject("CN=a#b\\=c,O=x", "CN=a\\#b\\=c,O=x"); /* Java escapes # and = anywhere */
    /* an attribute without a keyword: dotted OID and the DER value in hex (IA5String "a@b") */
    assert_subject("EMAIL=a@b,CN=c", "1.2.840.113549.1.9.1=#1603614062,CN=c");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default),         cmocka_unit_test(test_rules),
        cmocka_unit_test(test_case_and_groups), cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_subject),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
