/* config/jaas.h -- the part of a Java JAAS login configuration that Confluent's Basic
 * authentication needs: the section named by authentication.realm, its one login module
 * (Jetty's PropertyFileLoginModule, under its Jetty 9 or Jetty 12 package) and that module's
 * `file` option, the password file (config/users.h). Also where the JAAS file is: krest's key
 * krest.authentication.jaas.file, else -Djava.security.auth.login.config= in KAFKAREST_OPTS.
 * Syntax read: `Name { class flag opt="v" ...; ... };`, with //, slash-star and # comments, quoted
 * or bare values. Property expansion (${...}) is not done.
 * May use: util/. Threads: any; no state between calls. */
#ifndef KR_CONFIG_JAAS_H
#define KR_CONFIG_JAAS_H

#include "util/err.h"

#include <stddef.h>

/* The largest JAAS file read. */
#define CONFIG_JAAS_MAX_FILE (1u << 20)

/** Finds the password file of realm's section in len bytes of JAAS text.
 * @param file out: the file option's value, NUL-terminated (size bytes of room)
 * @return 0, or -1 with err set (422): a syntax error (with its line), no section named
 *         realm, a login module other than PropertyFileLoginModule, more than one module, or
 *         no file option. */
int config_jaas_parse(const char *text, size_t len, const char *realm, char *file, size_t size,
                      kr_err_t *err);

/** Reads the JAAS file at path and does config_jaas_parse() on it; messages name the path. */
int config_jaas_load(const char *path, const char *realm, char *file, size_t size, kr_err_t *err);

/** Finds -Djava.security.auth.login.config=<path> (or ==<path>) in a JVM option string such as
 * KAFKAREST_OPTS (words split at blanks; "..." and '...' quote). The last one wins.
 * @return out (the path, NUL-terminated, cut to size), or NULL when opts has none. */
const char *config_jaas_from_opts(const char *opts, char *out, size_t size);

#endif
