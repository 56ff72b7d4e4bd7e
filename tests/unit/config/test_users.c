/* tests/unit/config/test_users.c -- config/users (Jetty's password file) and config/jaas (the
 * JAAS file naming it, and KAFKAREST_OPTS): credential forms, roles, duplicates, errors that
 * never quote a credential, JAAS syntax and its refusals.
 * Threads: single. */
#include "config/jaas.h"
#include "config/users.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

static config_users_t *parse_ok(const char *text)
{
    config_users_t *u = NULL;
    kr_err_t err = {0};
    assert_int_equal(config_users_parse(text, strlen(text), &u, &err), 0);
    return u;
}

static void test_users_forms(void **state)
{
    (void)state;
    config_users_t *u = parse_ok("alice: secret, admin ,ops,\n"
                                 "bob=MD5:2AB96390c7dbe3439de74d0c9b0b1767\n"
                                 "carol  CRYPT:$6$salt$hash,x\n"
                                 "dave: $2b$04$abcdefghijklmnopqrstuu,y\n"
                                 "olga: OBF:1v2j1uum1xtv1zej1zer1xtn1uvk1v1v\n"
                                 "# comment\n  : nobody\n");
    assert_int_equal(u->n, 5);
    const config_user_t *a = config_users_find(u, "alice");
    assert_non_null(a);
    assert_int_equal(a->kind, CONFIG_CRED_PLAIN);
    assert_string_equal(a->secret, "secret");
    assert_int_equal(a->n_roles, 2);
    assert_string_equal(a->roles[0], "admin");
    assert_string_equal(a->roles[1], "ops");
    const config_user_t *b = config_users_find(u, "bob");
    assert_int_equal(b->kind, CONFIG_CRED_MD5);
    assert_int_equal(b->md5[0], 0x2a);
    assert_int_equal(b->md5[15], 0x67);
    assert_int_equal(b->n_roles, 0);
    const config_user_t *c = config_users_find(u, "carol");
    assert_int_equal(c->kind, CONFIG_CRED_CRYPT);
    assert_string_equal(c->secret, "$6$salt$hash");
    const config_user_t *d = config_users_find(u, "dave");
    assert_int_equal(d->kind, CONFIG_CRED_CRYPT);
    assert_string_equal(d->secret, "$2b$04$abcdefghijklmnopqrstuu");
    const config_user_t *o = config_users_find(u, "olga");
    assert_int_equal(o->kind, CONFIG_CRED_PLAIN);
    assert_string_equal(o->secret, "password");
    assert_null(config_users_find(u, "mallory"));
    config_users_free(u);
}

static void test_users_last_entry_wins(void **state)
{
    (void)state;
    config_users_t *u = parse_ok("z: 1\na: first\nm: 2\na: second,r\nb: 3\na: third\n");
    assert_int_equal(u->n, 4);
    const config_user_t *a = config_users_find(u, "a");
    assert_string_equal(a->secret, "third");
    assert_int_equal(a->n_roles, 0);
    for (size_t i = 1; i < u->n; i++)
        assert_true(strcmp(u->v[i - 1].name, u->v[i].name) < 0);
    config_users_free(u);
    u = parse_ok("");
    assert_int_equal(u->n, 0);
    assert_null(config_users_find(u, "a"));
    config_users_free(u);
}

static void test_users_bad_credentials(void **state)
{
    (void)state;
    const char *bad[] = {"a: ok\nb: MD5:abc\n", "b: MD5:zz96390c7dbe3439de74d0c9b0b17677\n",
                         "b: OBF:1v2j1uu\n", "b: OBF:1v2j!uum\n", "b: CRYPT:x\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        config_users_t *u = NULL;
        kr_err_t err = {0};
        assert_int_equal(config_users_parse(bad[i], strlen(bad[i]), &u, &err), -1);
        assert_null(u);
        assert_non_null(strstr(err.msg, "line "));
        assert_null(strstr(err.msg, "zz96"));
        assert_null(strstr(err.msg, "1v2j"));
    }
}

static void test_deobfuscate(void **state)
{
    (void)state;
    char out[64];
    const char *obf = "1v2j1uum1xtv1zej1zer1xtn1uvk1v1v";
    assert_int_equal(config_users_deobfuscate(obf, strlen(obf), out), 8);
    assert_string_equal(out, "password");
    /* "é" (0xc3 0xa9): bytes outside ASCII are "U" and four digits */
    assert_int_equal(config_users_deobfuscate("U12ndU0xj7", 10, out), 2);
    assert_int_equal((unsigned char)out[0], 0xc3);
    assert_int_equal((unsigned char)out[1], 0xa9);
    assert_int_equal(config_users_deobfuscate("U2of", 4, out), -1);
    assert_int_equal(config_users_deobfuscate("", 0, out), 0);
}

static int jaas(const char *text, char *file, kr_err_t *err)
{
    memset(err, 0, sizeof(*err));
    return config_jaas_parse(text, strlen(text), "KafkaRest", file, 256, err);
}

static void test_jaas_sections(void **state)
{
    (void)state;
    char file[256];
    kr_err_t err;
    assert_int_equal(jaas("KafkaRest {\n org.eclipse.jetty.jaas.spi.PropertyFileLoginModule "
                          "required\n file=\"/etc/a b\\\"c\"\n debug=\"true\";\n};\n",
                          file, &err),
                     0);
    assert_string_equal(file, "/etc/a b\"c");
    assert_int_equal(jaas("/* x */ KafkaClient { a.Plain required u=\"1\"; };\n"
                          "# y\nKafkaRest { org.eclipse.jetty.security.jaas.spi."
                          "PropertyFileLoginModule sufficient file=/p // z\n; };",
                          file, &err),
                     0);
    assert_string_equal(file, "/p");
    assert_int_equal(jaas("KafkaRest { PropertyFileLoginModule Required file='/q'; };", file, &err),
                     0);
    assert_string_equal(file, "/q");
}

static void test_jaas_refusals(void **state)
{
    (void)state;
    char file[256];
    kr_err_t err;
    struct {
        const char *text, *msg;
    } cases[] = {
        {"", "no section 'KafkaRest'"},
        {"Other { a.PropertyFileLoginModule required file=\"x\"; };", "no section"},
        {"KafkaRest { a.LdapLoginModule required file=\"x\"; };", "not supported"},
        {"KafkaRest { a.XPropertyFileLoginModule required file=\"x\"; };", "not supported"},
        {"KafkaRest { a.PropertyFileLoginModule required; };", "file="},
        {"KafkaRest { a.PropertyFileLoginModule required file=\"\"; };", "file="},
        {"KafkaRest { a.PropertyFileLoginModule required file=\"x\"; b.PropertyFileLoginModule "
         "required file=\"y\"; };",
         "2 login modules"},
        {"KafkaRest { };", "0 login modules"},
        {"KafkaRest { a.PropertyFileLoginModule always file=\"x\"; };", "control flag"},
        {"KafkaRest { a.PropertyFileLoginModule required file=\"x\"; }", "';' after '}'"},
        {"KafkaRest {\n\n a.PropertyFileLoginModule required file \"x\"; };", "line 3"},
        {"KafkaRest { a.PropertyFileLoginModule required file=\"x; };", "unterminated"},
        {"/* KafkaRest", "unterminated"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(jaas(cases[i].text, file, &err), -1);
        if (!strstr(err.msg, cases[i].msg))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
    }
}

static void test_jaas_from_opts(void **state)
{
    (void)state;
    char out[128];
    assert_null(config_jaas_from_opts(NULL, out, sizeof(out)));
    assert_null(config_jaas_from_opts("-Xmx1g -Dx=y", out, sizeof(out)));
    assert_string_equal(
        config_jaas_from_opts("-Xmx1g -Djava.security.auth.login.config=/a.conf", out, 128),
        "/a.conf");
    assert_string_equal(
        config_jaas_from_opts("\"-Djava.security.auth.login.config==/a b.conf\" -Dz", out, 128),
        "/a b.conf");
    assert_string_equal(config_jaas_from_opts("-Djava.security.auth.login.config=/1 "
                                              "-Djava.security.auth.login.config='/2'",
                                              out, 128),
                        "/2");
    assert_null(config_jaas_from_opts("-Djava.security.auth.login.config=", out, 128));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_users_forms),           cmocka_unit_test(test_users_last_entry_wins),
        cmocka_unit_test(test_users_bad_credentials), cmocka_unit_test(test_deobfuscate),
        cmocka_unit_test(test_jaas_sections),         cmocka_unit_test(test_jaas_refusals),
        cmocka_unit_test(test_jaas_from_opts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
