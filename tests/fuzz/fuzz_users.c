/* tests/fuzz/fuzz_users.c -- libFuzzer target for config/users (Jetty's password file) and
 * config/jaas (the JAAS file that names it): the input is parsed as both.
 * Checks: a parsed table is sorted by name with unique, non-empty names, each found by
 * config_users_find; credentials are consistent with their kind (an MD5 user has no secret, a
 * CRYPT one a non-empty string); roles are non-empty; a JAAS result is a non-empty
 * NUL-terminated path within its buffer. Also decodes the input as Jetty's obfuscation. */
#include "config/jaas.h"
#include "config/users.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_users(const config_users_t *users)
{
    for (size_t i = 0; i < users->n; i++) {
        const config_user_t *u = &users->v[i];
        if (!u->name || !*u->name)
            abort();
        if (i > 0 && strcmp(users->v[i - 1].name, u->name) >= 0)
            abort();
        if (config_users_find(users, u->name) != u)
            abort();
        if (u->kind == CONFIG_CRED_MD5 && u->secret)
            abort();
        if (u->kind != CONFIG_CRED_MD5 && !u->secret)
            abort();
        if (u->kind == CONFIG_CRED_CRYPT && u->secret_len == 0)
            abort();
        for (size_t r = 0; r < u->n_roles; r++) {
            if (!u->roles[r] || !*u->roles[r])
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    config_users_t *users = NULL;
    kr_err_t err = {0};
    if (config_users_parse(text, size, &users, &err) == 0) {
        check_users(users);
        config_users_free(users);
    } else if (!err.msg[0]) {
        abort();
    }
    char file[64];
    memset(file, 'x', sizeof(file));
    kr_err_t jerr = {0};
    if (config_jaas_parse(text, size, "KafkaRest", file, sizeof(file), &jerr) == 0) {
        if (!memchr(file, '\0', sizeof(file)) || !file[0])
            abort();
    } else if (!jerr.msg[0]) {
        abort();
    }
    char *plain = malloc(size / 2 + 1);
    long n = config_users_deobfuscate(text, size, plain);
    if (n > (long)(size / 2))
        abort();
    free(plain);
    char *opts = malloc(size + 1);
    memcpy(opts, data, size);
    opts[size] = '\0';
    char path[32];
    const char *got = config_jaas_from_opts(opts, path, sizeof(path));
    if (got && (got != path || !memchr(path, '\0', sizeof(path))))
        abort();
    free(opts);
    return 0;
}
