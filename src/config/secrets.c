/* config/secrets.c -- which configuration keys hold secrets, and the start-up warning for a
 * properties file that holds one and is readable by other users (issue 15, item 6). Secret
 * values are never written anywhere: messages name the key only.
 * May use: util/. Threads: start-up only. */
#include "config/config.h"

#include "config/properties.h"
#include "util/log.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* A key is secret when it contains one of these (case as written: keys are lower case). */
bool config_key_is_secret(const char *key)
{
    static const char *const parts[] = {"password",
                                        "passwd",
                                        "secret",
                                        "sasl.jaas.config",
                                        "basic.auth.user.info",
                                        "bearer.auth.token",
                                        "oauthbearer.config",
                                        "ssl.keystore.key",
                                        "ssl.key.pem",
                                        "ssl_key"};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (strstr(key, parts[i]))
            return true;
    }
    return false;
}

/* Remembers the first key with a secret value (ctx: char[128]). */
static int find_secret(void *ctx, const char *key, const char *value, size_t line, kr_err_t *err)
{
    (void)line;
    (void)err;
    char *first = ctx;
    if (!first[0] && value[0] && config_key_is_secret(key))
        snprintf(first, 128, "%s", key);
    return 0;
}

void config_warn_readable_secrets(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !(st.st_mode & (S_IRGRP | S_IROTH)))
        return;
    char first[128] = "";
    kr_err_t err = {0};
    if (config_props_load_file(path, find_secret, first, &err) != 0 || !first[0])
        return;
    log_warn("the properties file '%s' holds secrets (%s, ...) and is readable by %s (mode %03o): "
             "make it readable by krest's user only (chmod 600)",
             path, first, st.st_mode & S_IROTH ? "every user" : "its group",
             (unsigned)(st.st_mode & 0777));
}

void config_warn_secret_flags(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        if (!eq || !eq[1])
            continue;
        char key[128];
        snprintf(key, sizeof(key), "%.*s", (int)(eq - a - 2), a + 2);
        if (config_key_is_secret(key))
            log_warn("the secret %s is given on the command line, where other users can read it "
                     "(ps, /proc): put it in the properties file (chmod 600) or the environment",
                     key);
    }
}
