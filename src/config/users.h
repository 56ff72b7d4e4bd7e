/* config/users.h -- Jetty's password file (PropertyUserStore, what Confluent's JAAS
 * PropertyFileLoginModule reads): a Java properties file of `user: credential[,role...]`.
 * The credential is a plain password, `OBF:` (Jetty's obfuscation, decoded here), `MD5:` (hex
 * digest of the password), `CRYPT:` (any crypt(3) string: DES as Jetty, and $1$, $5$, $6$,
 * $2b$, $y$ beyond it), or, beyond Jetty, a bare bcrypt string ($2a$, $2b$, $2y$).
 * Checking a password against a credential is http/auth.c's (it links crypt(3) and OpenSSL).
 * May use: util/. Threads: parse on any thread; a parsed table is read-only. */
#ifndef KR_CONFIG_USERS_H
#define KR_CONFIG_USERS_H

#include "util/err.h"

#include <stddef.h>

typedef enum config_cred_kind {
    CONFIG_CRED_PLAIN = 0, /* secret is the password (OBF: decoded) */
    CONFIG_CRED_MD5,       /* md5 is the digest */
    CONFIG_CRED_CRYPT,     /* secret is the crypt(3) string */
} config_cred_kind_t;

typedef struct config_user {
    char *name; /* owned */
    config_cred_kind_t kind;
    char *secret; /* owned, NUL-terminated; may hold NULs (a plain password), see secret_len */
    size_t secret_len;
    unsigned char md5[16];
    char **roles; /* owned, n_roles strings */
    size_t n_roles;
    size_t _order; /* private: the entry's position in the file */
} config_user_t;

typedef struct config_users {
    config_user_t *v; /* owned, sorted by name, names unique (the file's last entry wins) */
    size_t n;
} config_users_t;

/** Parses len bytes of a password file. A user line whose credential cannot be read (a bad
 * OBF: or MD5: value) makes the whole file invalid, so that a typo never locks a user out
 * silently nor lets one in. @return 0 with *out owned (free with config_users_free), or -1
 * with err set (422, naming the line; never quoting a credential). */
int config_users_parse(const char *text, size_t len, config_users_t **out, kr_err_t *err);

/** Reads and parses the password file at path. @return as config_users_parse(), the message
 * naming the path. */
int config_users_load(const char *path, config_users_t **out, kr_err_t *err);

/** @return the user called name (borrowed from users), or NULL. */
const config_user_t *config_users_find(const config_users_t *users, const char *name);

/** Frees a table, wiping its secrets; config_users_free(NULL) is a no-op. */
void config_users_free(config_users_t *users);

/** Decodes Jetty's obfuscated form (the text after "OBF:") into out (room for n / 2 + 1
 * bytes, NUL-terminated). @return the decoded length, or -1 when text is not well formed. */
long config_users_deobfuscate(const char *text, size_t n, char *out);

#endif
